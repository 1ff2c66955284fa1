"""Spot awards from a manager's or lead's monthly budget (ADR 0013).

An award up to ``RECOGNITION_AWARD_APPROVAL_ABOVE`` points is paid at once: budget → the
recipient's earned points. A larger one holds the points (budget → *held*) and waits for a second
approver: the giver's manager, or, when the giver has none, anyone in people-ops; people-ops may
always decide. Approving pays the held points to the recipient; rejecting returns them to the budget.
Each decision is a conditional update from ``pending``, so it happens once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insideout.core.errors import Conflict, Forbidden
from insideout.core.events import event_record
from insideout.core.text import as_id, clean_text
from insideout.people import facade as people
from insideout.people.models import Employee, User
from insideout.recognition import ledger, selectors
from insideout.recognition.models import AccountKind, Award, AwardState, Value

AWARD_GIVEN = "recognition.award_given"  # paid at once
AWARD_REQUESTED = "recognition.award_requested"  # waits for approval
AWARD_APPROVED = "recognition.award_approved"
AWARD_REJECTED = "recognition.award_rejected"

MAX_REASON = 2000
MAX_POINTS = 1_000_000


def approval_threshold() -> int:
    return int(settings.RECOGNITION_AWARD_APPROVAL_ABOVE)


def _member(actor: User | None) -> Employee:
    employee = (
        Employee.objects.select_related("manager").filter(user=actor, is_active=True).first()
        if actor is not None and actor.is_authenticated
        else None
    )
    if employee is None:
        raise Forbidden(_("Only members of the organisation can do this."))
    return employee


def _record(award: Award, event_type: str, actor: User | None, at: datetime) -> None:
    event_record(
        type=event_type,
        subject=award,
        actor=actor,
        payload={
            "award": award.pk,
            "giver": award.giver_id,
            "recipient": award.recipient_id,
            "points": award.points,
            "approver": award.approver_id,
            "state": award.state,
        },
        occurred_at=at,
    )


@transaction.atomic
def award_create(
    *,
    actor: User | None,
    to: object,
    points: object,
    reason: str,
    values: Sequence[object] = (),
    now: datetime | None = None,
) -> Award:
    """A manager or lead gives a spot award from their budget; a large one waits for approval."""
    now = now or timezone.now()
    giver = _member(actor)
    if not selectors.has_budget(employee_id=giver.pk):
        raise Forbidden(_("Only managers and unit leads have a spot-award budget."))
    errors: dict[str, list[str]] = {}
    recipient_id = as_id(to)
    recipient = Employee.objects.filter(pk=recipient_id, is_active=True).first() if recipient_id is not None else None
    if recipient is None:
        errors["to"] = [_("No active person has this id.")]
    elif recipient.pk == giver.pk:
        errors["to"] = [_("You cannot give yourself an award.")]
    if isinstance(points, bool) or not isinstance(points, int):
        errors["points"] = [_("Give points as a whole number.")]
    elif points < 1:
        errors["points"] = [_("An award is at least 1 point.")]
    elif points > MAX_POINTS:
        errors["points"] = [_("Give at most 1,000,000 points.")]
    try:
        reason = clean_text(reason, field="reason", required=True, limit=MAX_REASON)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    value_ids = [as_id(value) for value in values]
    chosen = list(Value.objects.filter(pk__in=[v for v in value_ids if v is not None], is_active=True))
    if len(chosen) != len(set(value_ids)):
        errors["values"] = [_("Unknown value(s) among %(ids)s.") % {"ids": ", ".join(str(v) for v in values)}]
    if errors:
        raise ValidationError(errors)
    assert recipient is not None
    assert isinstance(points, int)
    budget = ledger.budget_refresh(owner_id=giver.pk, now=now)
    needs_approval = points > approval_threshold()
    approver = giver.manager if giver.manager is not None and giver.manager.is_active else None
    award = Award(
        giver=giver,
        recipient=recipient,
        points=points,
        reason=reason,
        approver=approver if needs_approval else None,
        created_at=now,
    )
    if needs_approval:
        award.hold = ledger.ledger_post(
            kind="hold",
            movements=[(budget, -points), (ledger.account_for(kind=AccountKind.HELD), points)],
            actor=actor,
            memo=f"award to {recipient.name}"[:300],
            occurred_at=now,
        )
        award.save()
    else:
        award.state = AwardState.PAID
        award.decided_at = now
        award.settlement = ledger.ledger_post(
            kind="award",
            movements=[(budget, -points), (ledger.account_for(kind=AccountKind.EARNED, owner_id=recipient.pk), points)],
            actor=actor,
            memo=f"award to {recipient.name}"[:300],
            occurred_at=now,
        )
        award.save()
    award.values.set(chosen)
    _record(award, AWARD_REQUESTED if needs_approval else AWARD_GIVEN, actor, now)
    return award


def may_decide(*, actor: User | None, award: Award) -> bool:
    """The named approver, or people-ops; never the giver (a second person approves), nor the
    recipient (nobody approves their own award, people-ops neither)."""
    if actor is None or not actor.is_authenticated:
        return False
    employee = Employee.objects.filter(user=actor, is_active=True).values_list("pk", flat=True).first()
    if employee is not None and employee in (award.giver_id, award.recipient_id):
        return False
    if employee is not None and employee == award.approver_id:
        return True
    return people.roles_of(user=actor).people_ops


def already_decided(state: str) -> str:
    """Why a decided award cannot be decided again, as one sentence per state (translators see whole
    sentences, never a lowercased state label)."""
    if state == AwardState.PAID:
        return _("This award is already paid.")
    if state == AwardState.REJECTED:
        return _("This award is already rejected.")
    return _("This award is not waiting for a decision.")


def _decide(award: Award, *, actor: User | None, approve: bool, note: str, now: datetime) -> Award:
    if not may_decide(actor=actor, award=award):
        raise Forbidden(_("Only the giver's manager or people-ops can decide on this award."))
    current = Award.objects.filter(pk=award.pk).values_list("state", flat=True).get()
    if current != AwardState.PENDING:
        raise Conflict(already_decided(current))
    note = clean_text(note, field="note", required=False, limit=MAX_REASON)
    held = ledger.account_for(kind=AccountKind.HELD)
    target = (
        ledger.account_for(kind=AccountKind.EARNED, owner_id=award.recipient_id)
        if approve
        else ledger.account_for(kind=AccountKind.BUDGET, owner_id=award.giver_id)
    )
    settlement = ledger.ledger_post(
        kind="award" if approve else "release",
        movements=[(held, -award.points), (target, award.points)],
        actor=actor,
        subject=("recognition.award", str(award.pk)),
        occurred_at=now,
    )
    decider = Employee.objects.filter(user=actor).first()
    state = AwardState.PAID if approve else AwardState.REJECTED
    changed = Award.objects.filter(pk=award.pk, state=AwardState.PENDING).update(
        state=state, settlement=settlement, decided_by=decider, decided_at=now, decision_note=note, updated_at=now
    )
    if changed != 1:
        raise Conflict(_("This award was decided a moment ago."))
    award.refresh_from_db()
    _record(award, AWARD_APPROVED if approve else AWARD_REJECTED, actor, now)
    return award


@transaction.atomic
def award_approve(*, actor: User | None, award: Award, note: str = "", now: datetime | None = None) -> Award:
    return _decide(award, actor=actor, approve=True, note=note, now=now or timezone.now())


@transaction.atomic
def award_reject(*, actor: User | None, award: Award, note: str = "", now: datetime | None = None) -> Award:
    return _decide(award, actor=actor, approve=False, note=note, now=now or timezone.now())
