"""Write use-cases of the cooperation layer. Each is atomic, checks who may do it, and records its events.

A commitment on a request settles with the request: kept when it is resolved by the due time,
broken when it is resolved later or the due time passes while it is open (the sweep). A standalone
commitment is marked done by its owner, or broken by the sweep. Settled is final: a reopened
request gets a new commitment, never the old one back.

An obstacle is flagged and resolved by the desk's agents; resolving the request resolves its open
obstacles. Both enter the request's clock replay (ADR 0011). Commitments made or moved and
obstacles flagged or resolved are public updates: they restart the request's update interval.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from insideout.core.errors import Conflict, Forbidden, NotFound
from insideout.core.events import event_record
from insideout.core.text import as_id, clean_text
from insideout.people.models import Employee, User
from insideout.servicedesk import clockstore
from insideout.servicedesk import selectors as desk_selectors
from insideout.servicedesk.cooperation import events, selectors
from insideout.servicedesk.cooperation.models import (
    NEGOTIATING_STATES,
    Commitment,
    CommitmentRevision,
    CommitmentState,
    Feedback,
    FollowUp,
    FollowUpState,
    NeededBy,
    NeededByState,
    Obstacle,
    ObstacleState,
    ThankYou,
    WaitingOn,
)
from insideout.servicedesk.models import OPEN_STATUSES, Request, Status

# A promise further ahead than this is a typing mistake, not a plan.
MAX_AHEAD = timedelta(days=5 * 366)
MAX_TITLE = 200
MAX_TEXT = 5000
MAX_THANKED = 20
FOLLOW_UP_BELOW = 3  # ratings under this (1 and 2) open a follow-up for the unit's lead


T = TypeVar("T")


# --- helpers -------------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _member(actor: User | None) -> Employee:
    employee = desk_selectors.access_for(actor).employee
    if employee is None:
        raise Forbidden(_("Only members of the organisation can do this."))
    return employee


def _is_requester(employee: Employee, request: Request) -> bool:
    return employee.pk in (request.requester_id, request.on_behalf_of_id)


def _text(value: str | None, *, field: str, required: bool, limit: int = MAX_TEXT) -> str:
    return clean_text(value, field=field, required=required, limit=limit)


def _future(value: datetime | None, *, field: str, now: datetime) -> datetime:
    """An aware date and time after ``now`` (and not absurdly far), or a ValidationError on ``field``."""
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise ValidationError({field: [_("Give a date and time with its time zone, e.g. 2026-11-26T15:00:00+01:00.")]})
    if value <= now:
        raise ValidationError({field: [_("This time has already passed; choose one in the future.")]})
    if value > now + MAX_AHEAD:
        raise ValidationError({field: [_("Choose a time within the next five years.")]})
    return value


def _status_locked(request: Request) -> str:
    """The request's status, read under a row lock so concurrent changes to it wait (PostgreSQL;
    SQLite's write lock is already held by the transaction)."""
    status = Request.objects.select_for_update().filter(pk=request.pk).values_list("status", flat=True).get()
    request.status = status
    return status


def _require_open(request: Request, status: str) -> None:
    if status not in OPEN_STATUSES:
        raise Conflict(
            _("%(key)s is %(status)s; this is only possible while it is open.")
            % {"key": request.key, "status": Status(status).label.lower()}
        )


def _gather(errors: dict[str, list[str]], check: Callable[[], T]) -> T | None:
    """Run one check, adding its messages to ``errors``, so one answer names every wrong field."""
    try:
        return check()
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _record_commitment(commitment: Commitment, event_type: str, actor: User | None, at: datetime, **extra: Any) -> None:
    """A commitment's events are about its request when it has one, so the request's history shows them."""
    payload = {
        "commitment": commitment.pk,
        "owner": commitment.owner_id,
        "to": commitment.recipient_id,
        "request": commitment.request_id,
        "due_at": _iso(commitment.due_at),
        **extra,
    }
    subject: Request | Commitment = commitment.request or commitment
    event_record(type=event_type, subject=subject, actor=actor, payload=payload, occurred_at=at)


def _record_request(
    request: Request, event_type: str, actor: User | None, at: datetime, payload: dict[str, Any]
) -> None:
    event_record(type=event_type, subject=request, actor=actor, payload=payload, occurred_at=at)


# --- commitments ---------------------------------------------------------------------------------


def _commitment_write(
    *,
    actor: User | None,
    owner: Employee,
    due_at: datetime,
    note: str,
    now: datetime,
    request: Request | None = None,
    recipient: Employee | None = None,
    title: str = "",
    **extra: Any,
) -> Commitment:
    """Write a commitment, its first version and its event; on a request it is made to the requester."""
    recipient = recipient or (request.requester if request is not None else None)
    assert recipient is not None, "a standalone commitment names its recipient"
    commitment = Commitment(
        owner=owner,
        recipient=recipient,
        owner_unit_id=owner.unit_id,
        request=request,
        title=title,
        note=note,
        due_at=due_at,
        original_due_at=due_at,
        created_at=now,
    )
    try:
        with transaction.atomic():
            commitment.save()
    except IntegrityError as exc:
        # Two agents committing at the same moment: the partial unique index decides.
        raise Conflict(_("This request already has an open commitment; revise it instead.")) from exc
    CommitmentRevision.objects.create(
        commitment=commitment, number=1, due_at=due_at, reason=note, by=owner, created_at=now
    )
    _record_commitment(commitment, events.COMMITMENT_MADE, actor, now, **extra)
    if request is not None:
        clockstore.request_updates_track(request=request, at=now, public=True)
    return commitment


@transaction.atomic
def commitment_create_for_request(
    *, actor: User | None, request: Request, due_at: datetime, note: str = "", now: datetime | None = None
) -> Commitment:
    """An agent of the request's desk promises the requester to have it done by ``due_at``.

    At most one open commitment per request: a second is a Conflict that points to revising it.
    """
    now = _now(now)
    owner = _member(actor)
    if not desk_selectors.access_for(actor).is_agent(request.desk_id):
        raise Forbidden(_("Only agents of %(unit)s can commit to this request.") % {"unit": request.desk.unit.name})
    _require_open(request, _status_locked(request))
    due_at = _future(due_at, field="due_at", now=now)
    note = _text(note, field="note", required=False)
    current = selectors.commitment_open_of(request=request)
    if current is not None:
        raise Conflict(
            _("%(key)s already has an open commitment (%(id)d); revise it with a reason instead.")
            % {"key": request.key, "id": current.pk}
        )
    return _commitment_write(actor=actor, owner=owner, request=request, note=note, due_at=due_at, now=now)


@transaction.atomic
def commitment_create(
    *, actor: User | None, to_id: int, title: str, due_at: datetime, note: str = "", now: datetime | None = None
) -> Commitment:
    """A promise to a colleague outside any request ("the Q3 figures by Friday")."""
    now = _now(now)
    owner = _member(actor)
    errors: dict[str, list[str]] = {}
    recipient = Employee.objects.filter(pk=to_id, is_active=True).first()
    if recipient is None:
        errors["to"] = [_("No active person has the id %(id)s.") % {"id": to_id}]
    elif recipient.pk == owner.pk:
        errors["to"] = [_("A commitment is made to someone else, not to oneself.")]
    _gather(errors, lambda: _text(title, field="title", required=True, limit=MAX_TITLE))
    _gather(errors, lambda: _future(due_at, field="due_at", now=now))
    _gather(errors, lambda: _text(note, field="note", required=False))
    if errors:
        raise ValidationError(errors)
    return _commitment_write(
        actor=actor, owner=owner, recipient=recipient, title=title.strip(), note=note.strip(), due_at=due_at, now=now
    )


def _locked_open(commitment: Commitment) -> Commitment:
    """Re-read the commitment's state under a row lock; a settled one is a Conflict."""
    state, due_at, moves = (
        Commitment.objects.select_for_update().filter(pk=commitment.pk).values_list("state", "due_at", "moves").get()
    )
    commitment.state, commitment.due_at, commitment.moves = state, due_at, moves
    if state != CommitmentState.OPEN:
        raise Conflict(
            _("This commitment is already %(state)s; make a new one instead.")
            % {"state": CommitmentState(state).label.lower()}
        )
    return commitment


def _may_revise(employee: Employee, actor: User | None, commitment: Commitment) -> bool:
    if employee.pk == commitment.owner_id:
        return True
    # The desk answers for a request's promise: a colleague may move it when the owner is away.
    request = commitment.request
    return request is not None and desk_selectors.access_for(actor).is_agent(request.desk_id)


def _revise(
    commitment: Commitment, *, by: Employee, actor: User | None, due_at: datetime, reason: str, now: datetime
) -> Commitment:
    previous = commitment.due_at
    Commitment.objects.filter(pk=commitment.pk).update(due_at=due_at, moves=F("moves") + 1, updated_at=now)
    commitment.due_at = due_at
    commitment.moves += 1
    CommitmentRevision.objects.create(
        commitment=commitment, number=commitment.moves + 1, due_at=due_at, reason=reason, by=by, created_at=now
    )
    _record_commitment(commitment, events.COMMITMENT_REVISED, actor, now, previous_due_at=_iso(previous), reason=reason)
    if commitment.request is not None:
        clockstore.request_updates_track(request=commitment.request, at=now, public=True)
    return commitment


@transaction.atomic
def commitment_revise(
    *, actor: User | None, commitment: Commitment, due_at: datetime, reason: str, now: datetime | None = None
) -> Commitment:
    """Move an open commitment to another time; the reason is required and the recipient is told."""
    now = _now(now)
    me = _member(actor)
    if not _may_revise(me, actor, commitment):
        raise Forbidden(_("Only the person who made this commitment can change it."))
    _locked_open(commitment)
    errors: dict[str, list[str]] = {}
    if _gather(errors, lambda: _future(due_at, field="due_at", now=now)) == commitment.due_at:
        errors["due_at"] = [_("The commitment is already due then; choose another time.")]
    reason = _gather(errors, lambda: _text(reason, field="reason", required=True)) or ""
    if errors:
        raise ValidationError(errors)
    return _revise(commitment, by=me, actor=actor, due_at=due_at, reason=reason, now=now)


def _settle(commitment: Commitment, *, kept: bool, at: datetime, actor: User | None, how: str) -> None:
    state = CommitmentState.KEPT if kept else CommitmentState.BROKEN
    Commitment.objects.filter(pk=commitment.pk).update(state=state, settled_at=at, updated_at=at)
    commitment.state, commitment.settled_at = state, at
    _record_commitment(
        commitment,
        events.COMMITMENT_KEPT if kept else events.COMMITMENT_BROKEN,
        actor,
        at,
        how=how,
    )


@transaction.atomic
def commitment_done(*, actor: User | None, commitment: Commitment, now: datetime | None = None) -> Commitment:
    """The owner marks a standalone commitment done: kept when on time, broken when late."""
    now = _now(now)
    me = _member(actor)
    if me.pk != commitment.owner_id:
        raise Forbidden(_("Only the person who made this commitment can mark it done."))
    if commitment.request_id is not None:
        raise Conflict(_("A commitment on a request is kept or broken when the request is resolved."))
    _locked_open(commitment)
    _settle(commitment, kept=now <= commitment.due_at, at=now, actor=actor, how="done")
    return commitment


def commitments_settle_on_resolution(*, request: Request, actor: User | None, at: datetime) -> int:
    """Called by the service desk in the transaction that resolves ``request``: its open commitment
    is kept when resolved by the due time, broken otherwise. Returns how many settled (0 or 1)."""
    settled = 0
    for commitment in Commitment.objects.select_for_update().filter(request=request, state=CommitmentState.OPEN):
        commitment.request = request
        _settle(commitment, kept=at <= commitment.due_at, at=at, actor=actor, how="resolved")
        settled += 1
    return settled


def commitments_sweep(*, now: datetime | None = None, batch: int = 500) -> int:
    """Break open commitments whose due time has passed; each once. Reads only the partial index of
    open commitments by due time, ``batch`` at a time, each in its own transaction."""
    now = _now(now)
    broken = 0
    ids = list(
        Commitment.objects.filter(state=CommitmentState.OPEN, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:batch]
    )
    for commitment_id in ids:
        with transaction.atomic():
            commitment = (
                # Only the commitment's row is locked: PostgreSQL cannot lock the nullable side of a join.
                Commitment.objects.select_for_update(of=("self",))
                .select_related("request")
                .filter(pk=commitment_id, state=CommitmentState.OPEN, due_at__lte=now)
                .first()
            )
            if commitment is None:
                continue  # kept or broken meanwhile
            # Broken at the moment it fell due, however late the sweep ran.
            _settle(commitment, kept=False, at=commitment.due_at, actor=None, how="overdue")
            broken += 1
    return broken


# --- obstacles -----------------------------------------------------------------------------------

MAX_OUTSIDE = 200


def _require_agent(actor: User | None, request: Request, what: str) -> None:
    if not desk_selectors.access_for(actor).is_agent(request.desk_id):
        raise Forbidden(_("Only agents of %(unit)s can %(what)s.") % {"unit": request.desk.unit.name, "what": what})


def _waited_request(actor: User | None, request: Request, request_id: int) -> Request:
    """The request an obstacle waits on: one the caller sees, open, and not the blocked one itself."""
    if as_id(request_id) is None:
        raise ValidationError({"waiting_on": [_("Give the id of the request it waits on.")]})
    if request_id == request.pk:
        raise ValidationError({"waiting_on": [_("A request cannot wait on itself.")]})
    try:
        waited = desk_selectors.request_get_for(actor=actor, request_id=request_id)
    except NotFound as exc:
        raise ValidationError(
            {"waiting_on": [_("No request you can see has the id %(id)s.") % {"id": request_id}]}
        ) from exc
    if waited.status not in OPEN_STATUSES:
        raise ValidationError(
            {
                "waiting_on": [
                    _("%(key)s is %(status)s already; there is nothing to wait for.")
                    % {"key": waited.key, "status": Status(waited.status).label.lower()}
                ]
            }
        )
    return waited


def _waiting_on(
    actor: User | None, request: Request, person: int | None, on_request: int | None, outside: str | None
) -> tuple[str, Employee | None, Request | None, str]:
    """Exactly one of a person, a request or an outside party, checked: (kind, person, request, text)."""
    given = [name for name, value in (("person", person), ("request", on_request), ("outside", outside)) if value]
    if len(given) != 1:
        raise ValidationError(
            {"waiting_on": [_("Say what it waits on: one person, one request, or an outside party.")]}
        )
    if person:
        found = (
            Employee.objects.select_related("user").filter(pk=person, is_active=True).first()
            if as_id(person) is not None
            else None
        )
        if found is None:
            raise ValidationError({"waiting_on": [_("No active person has the id %(id)s.") % {"id": person}]})
        return WaitingOn.PERSON, found, None, ""
    if on_request:
        return WaitingOn.REQUEST, None, _waited_request(actor, request, on_request), ""
    return WaitingOn.OUTSIDE, None, None, _text(outside, field="waiting_on", required=True, limit=MAX_OUTSIDE)


@transaction.atomic
def obstacle_flag(
    *,
    actor: User | None,
    request: Request,
    description: str,
    expected_at: datetime,
    waiting_on_person: int | None = None,
    waiting_on_request: int | None = None,
    waiting_on_outside: str | None = None,
    now: datetime | None = None,
) -> Obstacle:
    """An agent of the request's desk says what blocks it, what it waits on and when they now expect
    to go on. The requester and the watchers are told at once.

    It waits on exactly one of a person (an active person's id), another request (one the caller
    sees, still open, not this one) or an outside party named in words. Under a standard that says
    so, the resolution clock pauses while the request has an open obstacle.
    """
    now = _now(now)
    flagged_by = _member(actor)
    _require_agent(actor, request, _("flag an obstacle on this request"))
    _require_open(request, _status_locked(request))
    errors: dict[str, list[str]] = {}
    description = _gather(errors, lambda: _text(description, field="description", required=True)) or ""
    _gather(errors, lambda: _future(expected_at, field="expected_at", now=now))
    waits = _gather(
        errors, lambda: _waiting_on(actor, request, waiting_on_person, waiting_on_request, waiting_on_outside)
    )
    if errors or waits is None:
        raise ValidationError(errors)
    kind, person, waited, outside = waits
    obstacle = Obstacle.objects.create(
        request=request,
        flagged_by=flagged_by,
        description=description,
        waiting_on=kind,
        waiting_on_person=person,
        waiting_on_request=waited,
        waiting_on_outside=outside,
        expected_at=expected_at,
        created_at=now,
    )
    _record_request(
        request,
        events.OBSTACLE_FLAGGED,
        actor,
        now,
        {
            "obstacle": obstacle.pk,
            "description": description,
            "waiting_on": kind,
            "waiting_on_person": person.pk if person is not None else None,
            "waiting_on_request": waited.pk if waited is not None else None,
            "waiting_on_key": waited.key if waited is not None else "",
            "waiting_on_outside": outside,
            "expected_at": _iso(expected_at),
        },
    )
    clockstore.request_updates_track(request=request, at=now, public=True)
    clockstore.clocks_refresh(request=request, now=now)
    return obstacle


def _resolve(obstacle: Obstacle, *, by: Employee | None, actor: User | None, note: str, at: datetime, how: str) -> None:
    Obstacle.objects.filter(pk=obstacle.pk).update(
        state=ObstacleState.RESOLVED, resolved_at=at, resolved_by=by, resolution_note=note, updated_at=at
    )
    obstacle.state, obstacle.resolved_at, obstacle.resolved_by, obstacle.resolution_note = (
        ObstacleState.RESOLVED,
        at,
        by,
        note,
    )
    _record_request(
        obstacle.request,
        events.OBSTACLE_RESOLVED,
        actor,
        at,
        {"obstacle": obstacle.pk, "note": note, "how": how, "expected_at": _iso(obstacle.expected_at)},
    )


@transaction.atomic
def obstacle_resolve(
    *, actor: User | None, obstacle: Obstacle, note: str = "", now: datetime | None = None
) -> Obstacle:
    """An agent of the desk says the obstacle is out of the way (with an optional note); the
    requester and the watchers are told. Resolving it twice is a Conflict."""
    now = _now(now)
    me = _member(actor)
    request = obstacle.request
    _require_agent(actor, request, _("resolve an obstacle on this request"))
    state = Obstacle.objects.select_for_update().filter(pk=obstacle.pk).values_list("state", flat=True).get()
    if state != ObstacleState.OPEN:
        raise Conflict(_("This obstacle is already resolved."))
    note = _text(note, field="note", required=False)
    _status_locked(request)
    _resolve(obstacle, by=me, actor=actor, note=note, at=now, how="resolved")
    clockstore.request_updates_track(request=request, at=now, public=True)
    clockstore.clocks_refresh(request=request, now=now)
    return obstacle


def obstacles_resolve_on_resolution(*, request: Request, actor: User | None, at: datetime) -> int:
    """Called by the service desk in the transaction that resolves ``request``: its open obstacles
    are resolved with it (nothing blocks a finished request). Returns how many."""
    by = desk_selectors.access_for(actor).employee
    resolved = 0
    for obstacle in Obstacle.objects.select_for_update().filter(request=request, state=ObstacleState.OPEN):
        obstacle.request = request
        _resolve(obstacle, by=by, actor=actor, note="", at=at, how="request_resolved")
        resolved += 1
    return resolved


# --- keeping people informed ---------------------------------------------------------------------


def updates_sweep(*, now: datetime | None = None, batch: int = 500) -> tuple[int, int]:
    """Nudge the assignee of each open request whose public update is due soon (75 % of the
    interval has passed), and tell the desk's lead about each one whose update is overdue; each
    once per interval. Reads only the partial index of requests with an alarm, ``batch`` at a time,
    each in its own transaction. Returns (nudges, silences)."""
    now = _now(now)
    nudged = silences = 0
    ids = list(
        Request.objects.filter(update_alarm_at__lte=now)
        .order_by("update_alarm_at")
        .values_list("pk", flat=True)[:batch]
    )
    for request_id in ids:
        with transaction.atomic():
            request = (
                Request.objects.select_for_update(of=("self",))
                .select_related("desk")
                .filter(pk=request_id, update_alarm_at__lte=now)
                .first()
            )
            if request is None:
                continue  # updated meanwhile
            due = request.update_due_at
            alarm: datetime | None = None
            if request.status in OPEN_STATUSES and due is not None:
                payload = {"due_at": _iso(due), "last_update_at": _iso(request.last_update_at)}
                if now < due:
                    _record_request(request, events.UPDATE_DUE_SOON, None, now, payload)
                    alarm = due  # the silence comes next, unless an update comes first
                    nudged += 1
                else:
                    # Overdue (the nudge is skipped when the sweep finds it late): the lead hears once.
                    _record_request(request, events.UPDATE_OVERDUE, None, now, payload)
                    silences += 1
            Request.objects.filter(pk=request.pk).update(update_alarm_at=alarm)
    return nudged, silences


# --- needed-by and negotiation -------------------------------------------------------------------


@transaction.atomic
def needed_by_set(
    *, actor: User | None, request: Request, needed_by: datetime, reason: str, now: datetime | None = None
) -> NeededBy:
    """The requester says when they need it and why.

    Sooner than the request's promise (its open commitment, else the resolution clock's due time)
    starts a negotiation with the desk (``proposed``); otherwise it is noted (``within_standard``).
    """
    now = _now(now)
    me = _member(actor)
    if not _is_requester(me, request):
        raise Forbidden(_("Only the requester can say when they need it."))
    _require_open(request, _status_locked(request))
    errors: dict[str, list[str]] = {}
    _gather(errors, lambda: _future(needed_by, field="needed_by", now=now))
    reason = _gather(errors, lambda: _text(reason, field="reason", required=True)) or ""
    if errors:
        raise ValidationError(errors)
    if selectors.needed_by_negotiating(request=request) is not None:
        raise Conflict(_("A needed-by date of %(key)s is still being negotiated.") % {"key": request.key})
    promised = selectors.request_promise(request=request)
    sooner = promised is None or needed_by < promised
    entry = NeededBy(
        request=request,
        requested_by=me,
        needed_by=needed_by,
        reason=reason,
        promised_at=promised,
        state=NeededByState.PROPOSED if sooner else NeededByState.WITHIN_STANDARD,
        created_at=now,
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:
        raise Conflict(_("A needed-by date of %(key)s is still being negotiated.") % {"key": request.key}) from exc
    _record_request(
        request,
        events.NEEDED_BY_PROPOSED if sooner else events.NEEDED_BY_NOTED,
        actor,
        now,
        {"needed_by": entry.pk, "at": _iso(needed_by), "promised_at": _iso(promised), "reason": reason},
    )
    return entry


RESPONSES = ("accept", "counter", "withdraw")


def _commit_agreed(
    request: Request, *, owner: Employee, by: Employee, actor: User | None, due_at: datetime, reason: str, now: datetime
) -> Commitment:
    """The agreed date becomes the request's commitment: a new one, or a revision of the open one."""
    current = selectors.commitment_open_of(request=request)
    if current is not None:
        _locked_open(current)
        if current.due_at == due_at:
            return current
        return _revise(current, by=by, actor=actor, due_at=due_at, reason=reason, now=now)
    return _commitment_write(
        actor=actor, owner=owner, request=request, note=reason, due_at=due_at, now=now, negotiated=True
    )


@transaction.atomic
def needed_by_respond(
    *,
    actor: User | None,
    request: Request,
    needed_by: NeededBy,
    action: str,
    due_at: datetime | None = None,
    now: datetime | None = None,
) -> NeededBy:
    """One step of the negotiation.

    On a ``proposed`` date the desk's agents ``accept`` it or ``counter`` with ``due_at``; on a
    ``countered`` one the requester ``accept``s the counter-proposal. The requester may
    ``withdraw`` either. An accepted date becomes the request's commitment, owned by the assignee
    (or the agent who agreed to it).
    """
    now = _now(now)
    me = _member(actor)
    if action not in RESPONSES:
        raise ValidationError({"action": [_("Choose one of: %(c)s.") % {"c": ", ".join(RESPONSES)}]})
    is_requester = _is_requester(me, request)
    is_agent = desk_selectors.access_for(actor).is_agent(request.desk_id)
    entry = NeededBy.objects.select_for_update(of=("self",)).select_related("responded_by").get(pk=needed_by.pk)
    if entry.state not in NEGOTIATING_STATES:
        raise Conflict(
            _("There is nothing to respond to: this needed-by date is “%(state)s”.")
            % {"state": NeededByState(entry.state).label}
        )
    providers_turn = entry.state == NeededByState.PROPOSED
    if action == "withdraw":
        if not is_requester:
            raise Forbidden(_("Only the requester can withdraw their date."))
    elif providers_turn and not is_agent:
        raise Forbidden(_("Only agents of %(unit)s can answer this date.") % {"unit": request.desk.unit.name})
    elif not providers_turn and not is_requester:
        raise Forbidden(_("The requester answers a counter-proposal."))
    if action == "counter" and not providers_turn:
        raise Conflict(_("A counter-proposal waits for the requester's answer."))
    _require_open(request, _status_locked(request))
    if action == "counter":
        entry.counter_due_at = _future(due_at, field="due_at", now=now)
    elif due_at is not None:
        raise ValidationError({"due_at": [_("Only a counter-proposal takes a date.")]})

    payload: dict[str, Any] = {"needed_by": entry.pk}
    if action == "withdraw":
        entry.state = NeededByState.WITHDRAWN
        event_type = events.NEEDED_BY_WITHDRAWN
    elif action == "counter":
        entry.state = NeededByState.COUNTERED
        entry.responded_by = me
        event_type = events.NEEDED_BY_COUNTERED
        payload["at"] = _iso(entry.counter_due_at)
    else:
        if providers_turn:
            entry.responded_by = me
            agreed = entry.needed_by
        else:
            assert entry.counter_due_at is not None
            agreed = entry.counter_due_at
        if agreed <= now:
            raise Conflict(_("The agreed time has already passed; propose a new one."))
        assignee = request.assignee if request.assignee is not None and request.assignee.is_active else None
        owner = assignee or entry.responded_by or me
        entry.commitment = _commit_agreed(
            request, owner=owner, by=me, actor=actor, due_at=agreed, reason=entry.reason, now=now
        )
        entry.state = NeededByState.ACCEPTED
        event_type = events.NEEDED_BY_ACCEPTED
        payload.update(
            at=_iso(agreed), commitment=entry.commitment.pk, by="provider" if providers_turn else "requester"
        )
    entry.updated_at = now
    entry.save(update_fields=["state", "counter_due_at", "responded_by", "commitment", "updated_at"])
    _record_request(request, event_type, actor, now, payload)
    return entry


# --- feedback ------------------------------------------------------------------------------------


@transaction.atomic
def feedback_give(
    *, actor: User | None, request: Request, rating: int, comment: str = "", now: datetime | None = None
) -> Feedback:
    """The requester rates a resolved (or closed) request 1–5, once. A 1 or 2 opens a follow-up for
    the lead of the desk's unit (the nearest lead above it when the unit has none)."""
    now = _now(now)
    me = _member(actor)
    if not _is_requester(me, request):
        raise Forbidden(_("Only the requester can rate this request."))
    status = _status_locked(request)
    if status not in (Status.RESOLVED, Status.CLOSED):
        raise Conflict(_("%(key)s is not resolved yet; rate it once it is.") % {"key": request.key})
    errors: dict[str, list[str]] = {}
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = [_("Rate from 1 (poor) to 5 (excellent).")]
    comment = _gather(errors, lambda: _text(comment, field="comment", required=False)) or ""
    if errors:
        raise ValidationError(errors)
    if Feedback.objects.filter(request=request).exists():
        raise Conflict(_("%(key)s has already been rated.") % {"key": request.key})
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(request=request, by=me, rating=rating, comment=comment, created_at=now)
    except IntegrityError as exc:
        raise Conflict(_("%(key)s has already been rated.") % {"key": request.key}) from exc
    _record_request(
        request,
        events.FEEDBACK_GIVEN,
        actor,
        now,
        {"feedback": feedback.pk, "rating": rating, "comment": comment, "assignee": request.assignee_id},
    )
    if rating < FOLLOW_UP_BELOW:
        lead = selectors.lead_of(unit=request.desk.unit)
        follow_up = FollowUp.objects.create(request=request, feedback=feedback, lead=lead, created_at=now)
        _record_request(
            request,
            events.FOLLOW_UP_OPENED,
            actor,
            now,
            {"follow_up": follow_up.pk, "lead": lead.pk if lead is not None else None, "rating": rating},
        )
    return feedback


@transaction.atomic
def follow_up_complete(*, actor: User | None, follow_up: FollowUp, now: datetime | None = None) -> FollowUp:
    """The lead closes a follow-up once they have looked into the low rating."""
    now = _now(now)
    me = _member(actor)
    if me.pk != follow_up.lead_id:
        raise Forbidden(_("Only the lead it is for can close this follow-up."))
    state = FollowUp.objects.select_for_update().filter(pk=follow_up.pk).values_list("state", flat=True).get()
    if state == FollowUpState.DONE:
        raise Conflict(_("This follow-up is already done."))
    FollowUp.objects.filter(pk=follow_up.pk).update(state=FollowUpState.DONE, done_at=now, updated_at=now)
    follow_up.state, follow_up.done_at = FollowUpState.DONE, now
    _record_request(follow_up.request, events.FOLLOW_UP_DONE, actor, now, {"follow_up": follow_up.pk})
    return follow_up


# --- thanks --------------------------------------------------------------------------------------


@transaction.atomic
def thanks_send(
    *, actor: User | None, request: Request, to: Sequence[int], message: str, now: datetime | None = None
) -> ThankYou:
    """Thank the people who helped with a request; each of them and their manager is told.

    Anyone who can see the request may send one. The event carries what recognition needs later:
    the giver, the recipients and the request.
    """
    now = _now(now)
    me = _member(actor)
    desk_selectors.request_get_for(actor=actor, request_id=request.pk)  # NotFound unless visible
    errors: dict[str, list[str]] = {}
    ids = list(dict.fromkeys(to))
    if not ids:
        errors["to"] = [_("Name at least one person to thank.")]
    elif len(ids) > MAX_THANKED:
        errors["to"] = [_("Thank at most %(n)d people at once.") % {"n": MAX_THANKED}]
    elif me.pk in ids:
        errors["to"] = [_("You cannot thank yourself.")]
    else:
        found = set(Employee.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
        unknown = [str(pk) for pk in ids if pk not in found]
        if unknown:
            errors["to"] = [_("No active person has the id(s) %(ids)s.") % {"ids": ", ".join(unknown)}]
    message = _gather(errors, lambda: _text(message, field="message", required=True)) or ""
    if errors:
        raise ValidationError(errors)
    thanks = ThankYou.objects.create(request=request, giver=me, message=message, created_at=now)
    thanks.recipients.set(ids)
    _record_request(
        request,
        events.THANKS_SENT,
        actor,
        now,
        {"thanks": thanks.pk, "giver": me.pk, "recipients": ids, "request": request.pk, "message": message},
    )
    return thanks
