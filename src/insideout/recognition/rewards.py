"""Write use-cases of the rewards catalog: redeeming, fulfilling and cancelling (ADR 0013).

Redeeming holds the points: one ledger transaction moves them from the person's earned account to
the organisation's *held* account, together with the redemption row and the stock taken, so a
refused step leaves nothing behind. Fulfilment then either spends them (*held* → *redeemed*, the
redemption ``issued`` with a code or tracking note) or cancels (*held* → earned again, the stock
given back). Each decision is a conditional update from ``held``, so it happens once.

A reward with a provider is fulfilled by ``redemption_fulfil_by_provider``: it orders with our
redemption's id as the reference, outside any transaction, then settles in a new one. If the process
dies between the order and the settlement, the redemption stays ``held`` with the provider status
``ordering``; ``redemptions_reconcile`` asks the provider again with the same reference (the same
order, never a second one) and settles. Points are never lost and never spent twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from insideout.core.errors import Conflict, Forbidden, NotFound
from insideout.core.events import event_record
from insideout.core.text import as_id, clean_text
from insideout.people import facade as people
from insideout.people.models import Employee, User
from insideout.recognition import ledger, providers
from insideout.recognition.models import AccountKind, Redemption, RedemptionState, Reward

REDEMPTION_REQUESTED = "recognition.redemption_requested"
REDEMPTION_ISSUED = "recognition.redemption_issued"
REDEMPTION_CANCELLED = "recognition.redemption_cancelled"

MAX_QUANTITY = 100
MAX_NOTE = 2000
PROVIDER_RETRY_AFTER = timedelta(minutes=5)
PROVIDER_MAX_ATTEMPTS = 20


def is_people_ops(actor: User | None) -> bool:
    return actor is not None and actor.is_authenticated and people.roles_of(user=actor).people_ops


def _member(actor: User | None) -> Employee:
    employee = (
        Employee.objects.filter(user=actor, is_active=True).first()
        if actor is not None and actor.is_authenticated
        else None
    )
    if employee is None:
        raise Forbidden(_("Only members of the organisation can do this."))
    return employee


def _record(redemption: Redemption, event_type: str, actor: User | None, at: datetime, **extra: object) -> None:
    event_record(
        type=event_type,
        subject=redemption,
        actor=actor,
        payload={
            "redemption": redemption.pk,
            "reward": redemption.reward_id,
            "employee": redemption.employee_id,
            "points": redemption.points,
            "quantity": redemption.quantity,
            **extra,
        },
        occurred_at=at,
    )


def value_cents_of(points: int) -> int:
    """What points are worth in cents of the organisation's currency (10 points = 1.00 by default)."""
    per_unit = max(1, int(settings.RECOGNITION_POINTS_PER_CURRENCY_UNIT))
    return points * 100 // per_unit


# --- redeeming ---------------------------------------------------------------------------------------


@transaction.atomic
def redemption_create(
    *, actor: User | None, reward_id: object, quantity: object = 1, now: datetime | None = None
) -> Redemption:
    """Redeem earned points for a reward: the points are held until people-ops (or the provider)
    fulfil it. Refused, with nothing moved, beyond the balance, the stock or the per-person limit."""
    now = now or timezone.now()
    employee = _member(actor)
    reward_pk = as_id(reward_id)
    reward = Reward.objects.filter(pk=reward_pk, is_active=True).first() if reward_pk is not None else None
    if reward is None:
        raise NotFound(_("No reward with this id is in the catalog."))
    if reward.countries and employee.country.upper() not in {code.upper() for code in reward.countries}:
        raise Conflict(
            _("%(reward)s is not available in your country; it is offered in %(countries)s.")
            % {"reward": reward.name, "countries": ", ".join(reward.countries)}
        )
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError({"quantity": [_("Redeem between 1 and 100 at a time.")]})
    points = reward.points_cost * quantity
    # The hold comes first: its guarded update on the person's earned account also queues this
    # person's concurrent redemptions behind one another, so the limit below is counted safely.
    earned = ledger.account_for(kind=AccountKind.EARNED, owner_id=employee.pk)
    hold = ledger.ledger_post(
        kind="hold",
        movements=[(earned, -points), (ledger.account_for(kind=AccountKind.HELD), points)],
        actor=actor,
        memo=f"{quantity} × {reward.name}"[:300],
        occurred_at=now,
    )
    if reward.per_person_limit is not None:
        taken = (
            Redemption.objects.filter(reward=reward, employee=employee)
            .exclude(state=RedemptionState.CANCELLED)
            .aggregate(n=Sum("quantity"))["n"]
            or 0
        )
        if taken + quantity > reward.per_person_limit:
            raise Conflict(
                _("You can redeem %(reward)s at most %(limit)s times; you already have %(taken)s.")
                % {"reward": reward.name, "limit": reward.per_person_limit, "taken": taken}
            )
    if reward.stock is not None:
        taken_stock = Reward.objects.filter(pk=reward.pk, stock__gte=quantity).update(stock=F("stock") - quantity)
        if taken_stock != 1:
            left = Reward.objects.filter(pk=reward.pk).values_list("stock", flat=True).get()
            raise Conflict(_("Only %(left)s of %(reward)s are left in stock.") % {"left": left, "reward": reward.name})
    redemption = Redemption.objects.create(
        reward=reward,
        employee=employee,
        quantity=quantity,
        points=points,
        value_cents=value_cents_of(points),
        currency=settings.RECOGNITION_CURRENCY,
        hold=hold,
        provider=reward.provider,
        created_at=now,
    )
    hold.subject_type, hold.subject_id = "recognition.redemption", str(redemption.pk)
    type(hold).objects.filter(pk=hold.pk).update(subject_type=hold.subject_type, subject_id=hold.subject_id)
    _record(redemption, REDEMPTION_REQUESTED, actor, now)
    if reward.provider and providers.provider_for(reward.provider) is not None:
        from insideout.recognition.tasks import redemption_fulfil_task  # the tasks import this module

        transaction.on_commit(lambda: redemption_fulfil_task(redemption.pk))
    return redemption


def already_decided(state: str) -> str:
    """Why a decided redemption cannot be decided again, as one sentence per state (translators see
    whole sentences, never a lowercased state label)."""
    if state == RedemptionState.ISSUED:
        return _("This redemption is already issued.")
    if state == RedemptionState.CANCELLED:
        return _("This redemption is already cancelled; its points were returned.")
    return _("This redemption is not waiting for fulfilment.")


def _decide(
    redemption: Redemption,
    *,
    to: str,
    actor: User | None,
    note: str,
    now: datetime,
    provider_status: str = "",
) -> Redemption:
    """Move a held redemption to issued or cancelled, once: the conditional update decides (a
    loser's ledger posting rolls back with it)."""
    current = Redemption.objects.filter(pk=redemption.pk).values_list("state", flat=True).get()
    if current != RedemptionState.HELD:
        raise Conflict(already_decided(current))
    held = ledger.account_for(kind=AccountKind.HELD)
    if to == RedemptionState.ISSUED:
        movements = [(held, -redemption.points), (ledger.account_for(kind=AccountKind.REDEEMED), redemption.points)]
        kind, event_type = "settle", REDEMPTION_ISSUED
    else:
        earned = ledger.account_for(kind=AccountKind.EARNED, owner_id=redemption.employee_id)
        movements = [(held, -redemption.points), (earned, redemption.points)]
        kind, event_type = "release", REDEMPTION_CANCELLED
    settlement = ledger.ledger_post(
        kind=kind,
        movements=movements,
        actor=actor,
        subject=("recognition.redemption", str(redemption.pk)),
        occurred_at=now,
    )
    update: dict[str, object] = {
        "state": to,
        "note": note,
        "decided_at": now,
        "updated_at": now,
        "settlement": settlement,
    }
    if actor is not None and getattr(actor, "pk", None):
        update["decided_by"] = actor
    if provider_status:
        update["provider_status"] = provider_status
    if Redemption.objects.filter(pk=redemption.pk, state=RedemptionState.HELD).update(**update) != 1:
        current = Redemption.objects.filter(pk=redemption.pk).values_list("state", flat=True).get()
        raise Conflict(already_decided(current))
    if to == RedemptionState.CANCELLED and redemption.reward.stock is not None:
        Reward.objects.filter(pk=redemption.reward_id).update(stock=F("stock") + redemption.quantity)
    redemption.refresh_from_db()
    _record(redemption, event_type, actor, now, note=note)
    return redemption


@transaction.atomic
def redemption_fulfil(
    *, actor: User | None, redemption: Redemption, note: str = "", now: datetime | None = None
) -> Redemption:
    """People-ops mark a held redemption issued, with the code or tracking note the person needs."""
    if not is_people_ops(actor):
        raise Forbidden(_("Only people-ops fulfil redemptions."))
    note = clean_text(note, field="note", required=False, limit=MAX_NOTE)
    return _decide(redemption, to=RedemptionState.ISSUED, actor=actor, note=note, now=now or timezone.now())


@transaction.atomic
def redemption_cancel(
    *, actor: User | None, redemption: Redemption, reason: str = "", now: datetime | None = None
) -> Redemption:
    """Cancel a held redemption: the points go back to the person and the stock to the catalog.
    People-ops may cancel any; a person their own while no provider is ordering it."""
    mine = actor is not None and Employee.objects.filter(user=actor, pk=redemption.employee_id).exists()
    if not (is_people_ops(actor) or mine):
        raise Forbidden(_("Only people-ops or the person who redeemed it can cancel a redemption."))
    if not is_people_ops(actor) and redemption.provider_status in ("ordering", "pending"):
        raise Conflict(_("The provider is fulfilling this redemption already; ask people-ops."))
    reason = clean_text(reason, field="reason", required=False, limit=MAX_NOTE)
    return _decide(redemption, to=RedemptionState.CANCELLED, actor=actor, note=reason, now=now or timezone.now())


# --- fulfilment by a provider ------------------------------------------------------------------------


def reference_of(redemption_id: int) -> str:
    return f"insideout-redemption-{redemption_id}"


class _Crash(Exception):
    """Raised by tests between the provider's answer and the settlement (``crash_after_order``)."""


def redemption_fulfil_by_provider(*, redemption_id: int, crash_after_order: bool = False) -> str:
    """Order a held redemption from its provider and settle it; returns what happened.

    Step 1 (own transaction): note the attempt. Step 2 (no transaction): order with our reference.
    Step 3 (own transaction): issued → spend the points; failed → cancel; pending → ask again later.
    """
    with transaction.atomic():
        redemption = (
            Redemption.objects.select_for_update()
            .select_related("reward", "employee__user")
            .filter(pk=redemption_id)
            .first()
        )
        if redemption is None or redemption.state != RedemptionState.HELD or not redemption.provider:
            return "nothing to do"
        provider = providers.provider_for(redemption.provider)
        if provider is None:
            return "no such provider"
        Redemption.objects.filter(pk=redemption.pk).update(
            provider_status="ordering", provider_attempts=F("provider_attempts") + 1, updated_at=timezone.now()
        )
    try:
        order = provider.order(
            reference=reference_of(redemption.pk),
            sku=redemption.reward.provider_sku,
            quantity=redemption.quantity,
            value_cents=redemption.value_cents,
            currency=redemption.currency,
            recipient_email=redemption.employee.user.email,
        )
    except providers.ProviderUnavailable:
        return "provider unavailable"
    if crash_after_order:
        raise _Crash("the process died after the provider's answer")
    with transaction.atomic():
        redemption = Redemption.objects.select_for_update().select_related("reward").get(pk=redemption_id)
        if redemption.state != RedemptionState.HELD:
            return "already decided"
        now = timezone.now()
        if order.status == "issued":
            _decide(
                redemption, to=RedemptionState.ISSUED, actor=None, note=order.code, now=now, provider_status="issued"
            )
            return "issued"
        if order.status == "failed":
            note = _("The provider could not fulfil it: %(why)s") % {"why": order.message or _("no reason given")}
            _decide(redemption, to=RedemptionState.CANCELLED, actor=None, note=note, now=now, provider_status="failed")
            return "failed"
        Redemption.objects.filter(pk=redemption.pk).update(provider_status="pending", updated_at=now)
        return "pending"


@dataclass(frozen=True)
class Reconciliation:
    asked: int
    settled: int


def redemptions_reconcile(*, now: datetime | None = None, batch: int = 100) -> Reconciliation:
    """Ask the provider again about held redemptions whose order was sent (or pending) a while ago:
    those a crash or a network failure left between the order and the settlement."""
    now = now or timezone.now()
    asked = settled = 0
    stale = (
        Redemption.objects.filter(
            state=RedemptionState.HELD,
            provider__gt="",
            updated_at__lte=now - PROVIDER_RETRY_AFTER,
            provider_attempts__lt=PROVIDER_MAX_ATTEMPTS,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch]
    )
    for redemption_id in stale:
        asked += 1
        if redemption_fulfil_by_provider(redemption_id=redemption_id) in ("issued", "failed"):
            settled += 1
    return Reconciliation(asked=asked, settled=settled)
