"""Demo cooperation history over the demo's requests: internal service agreements, commitments
(mostly kept), needed-by negotiations, ratings with follow-ups for the low ones, thank-you notes,
and promises between colleagues outside any request.

Agreements come first (:func:`agreements_load`, before the desks' requests): between pairs of
departments, in every state (active with tighter targets, one with a revision accepted, one with a
revision waiting for the other side, one proposed, one draft, one expired). The request writer asks
the returned :class:`AgreementBook` which agreement a new request runs under and which agreed
standard its clocks are bound to, as ``agreement_selectors`` would have answered then.

The rest runs after the desks' requests are written (``servicedesk.demo.desks_load``) and reads
their history as it stands: who the requester and the assignee were, when the first response came
and when the request was resolved. Every step is written as the cooperation services write it (the
same models, event types and payloads) with historical times, as history only: nobody is
notified. The same seed and ``now`` give the same history.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Case, F, Max, Model, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from insideout.core.events import events_record_bulk, subject_of
from insideout.core.models import Event
from insideout.people.models import Employee, Unit, UnitKind
from insideout.servicedesk.cooperation import agreement_selectors, events
from insideout.servicedesk.cooperation import agreements as agreement_services
from insideout.servicedesk.cooperation.models import (
    Agreement,
    AgreementState,
    AgreementTarget,
    AgreementVersion,
    AgreementVersionState,
    Commitment,
    CommitmentRevision,
    CommitmentState,
    Feedback,
    FollowUp,
    FollowUpState,
    NeededBy,
    NeededByState,
    Obstacle,
    ThankYou,
)
from insideout.servicedesk.models import (
    OPEN_STATUSES,
    Comment,
    Metric,
    Request,
    RequestClock,
    Service,
    ServiceStandard,
    Status,
)

# Shares of the requests each kind of history is drawn for.
NEGOTIATED = 0.08  # the requester needed it sooner than the standard
COMMITTED = 0.30  # the agent promised a date at the first response
MOVED = 0.12  # of the commitments: moved once, with a reason
KEPT = 0.85  # of the commitments: resolved in time
RATED = 0.55  # of the resolved requests
THANKED = 0.12  # of the resolved requests
RATINGS = ((5, 45), (4, 35), (3, 12), (2, 5), (1, 3))  # rating, weight

REASONS_MOVED = (
    "The part we ordered arrives a day later than promised.",
    "Waiting for sign-off from the budget owner.",
    "Two urgent outages came first; new date agreed.",
    "The supplier needs one more day for the licence.",
)
REASONS_NEEDED = (
    "I start travelling on Monday and need it before.",
    "The board meeting moved forward.",
    "A new colleague starts and needs it on day one.",
    "Our audit deadline is earlier this quarter.",
)
COMMENTS = {
    5: ("Quick, friendly and exactly what I needed.", "Kept me posted all the way. Thank you!"),
    4: ("Good service, a little slower than I hoped.", "Solved well; the first answer took a while."),
    3: ("It works now, but I had to chase twice.",),
    2: ("Took far longer than promised and nobody told me why.",),
    1: ("Closed without fixing the problem.",),
}
THANKS = (
    "Thank you for sorting this out so quickly!",
    "Many thanks for keeping me informed the whole time.",
    "You saved my week. Thank you!",
    "Thanks for going the extra mile on this one.",
)
PROMISES = (
    "Send the Q3 figures",
    "Review the onboarding checklist",
    "Share the workshop slides",
    "Draft the vendor comparison",
    "Book the meeting room for the offsite",
    "Update the team wiki page",
)


@dataclass
class CooperationResult:
    agreements: int = 0
    commitments: int = 0
    negotiations: int = 0
    ratings: int = 0
    thanks: int = 0
    events: int = 0


@dataclass
class _Pending:
    """Rows written in order (each kind needs the ids of the one before) and the events they give."""

    commitments: list[tuple[Commitment, list[CommitmentRevision], list[tuple[str, datetime, dict[str, Any]]]]] = field(
        default_factory=list
    )


def _numbered(rows: Sequence[Model]) -> None:
    """Explicit keys after the table's highest, so the same seed gives the same ids (and the same
    event payloads) on PostgreSQL too, whose sequences a rolled-back load does not wind back."""
    if rows:
        model = type(rows[0])
        start = int(model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
        for offset, row in enumerate(rows):
            row.pk = start + offset


COOPERATION_MODELS = (Commitment, CommitmentRevision, NeededBy, Feedback, FollowUp, ThankYou)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _event(subject: Model, event_type: str, actor_user: int | None, at: datetime, payload: dict[str, Any]) -> Event:
    subject_type, subject_id = subject_of(subject)
    return Event(
        type=event_type,
        subject_type=subject_type,
        subject_id=subject_id,
        actor_id=actor_user,
        payload=payload,
        occurred_at=at,
    )


class _Writer:
    def __init__(self, *, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed * 31 + 7)  # noqa: S311 - demo data, not security
        self.now = now
        self.result = CooperationResult()
        self.events: list[Event] = []
        self.user_of: dict[int, int] = dict(Employee.objects.order_by("pk").values_list("pk", "user_id"))
        self.unit_of: dict[int, int | None] = dict(Employee.objects.order_by("pk").values_list("pk", "unit_id"))
        self.lead_of_unit: dict[int, int | None] = dict(Unit.objects.values_list("pk", "lead_id"))
        self.pending = _Pending()

    def _between(self, start: datetime, end: datetime) -> datetime:
        return start + (end - start) * self.rng.random()

    # --- commitments --------------------------------------------------------------------------

    def _commitment(
        self,
        *,
        owner: int,
        recipient: int,
        made: datetime,
        due: datetime,
        request: Request | None = None,
        title: str = "",
        note: str = "",
        settle_by: datetime | None = None,
        move: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> Commitment:
        """One commitment with its versions and events; ``settle_by`` is when the work was done
        (resolved, or marked done), None while it is still open."""
        commitment = Commitment(
            owner_id=owner,
            recipient_id=recipient,
            owner_unit_id=self.unit_of.get(owner),
            request=request,
            title=title,
            note=note,
            due_at=due,
            original_due_at=due,
            created_at=made,
            updated_at=made,
        )
        revisions = [CommitmentRevision(number=1, due_at=due, reason=note, by_id=owner, created_at=made)]
        steps: list[tuple[str, datetime, dict[str, Any]]] = [(events.COMMITMENT_MADE, made, dict(extra or {}))]
        limit = min(settle_by or self.now, due)  # a promise is moved while it still stands
        if move and limit - made > timedelta(hours=2):
            moved_at = self._between(made + timedelta(hours=1), limit)
            new_due = due + timedelta(hours=self.rng.randint(4, 48))
            reason = self.rng.choice(REASONS_MOVED)
            revisions.append(
                CommitmentRevision(number=2, due_at=new_due, reason=reason, by_id=owner, created_at=moved_at)
            )
            steps.append(
                (events.COMMITMENT_REVISED, moved_at, {"previous_due_at": _iso(due), "reason": reason, "due": new_due})
            )
            commitment.due_at, commitment.moves = new_due, 1
        final = commitment.due_at
        if settle_by is not None and settle_by <= final:
            commitment.state, commitment.settled_at = CommitmentState.KEPT, settle_by
            steps.append((events.COMMITMENT_KEPT, settle_by, {"how": "resolved" if request else "done"}))
        elif final < self.now:
            # The sweep breaks a promise the minute its time passes.
            commitment.state, commitment.settled_at = CommitmentState.BROKEN, final
            steps.append((events.COMMITMENT_BROKEN, final, {"how": "sweep"}))
        if commitment.settled_at is not None:
            commitment.updated_at = commitment.settled_at
        self.pending.commitments.append((commitment, revisions, steps))
        self.result.commitments += 1
        return commitment

    def _flush_commitments(self) -> None:
        rows = [commitment for commitment, _revisions, _steps in self.pending.commitments]
        _numbered(rows)
        Commitment.objects.bulk_create(rows, batch_size=1000)
        revisions: list[CommitmentRevision] = []
        for commitment, versions, steps in self.pending.commitments:
            for version in versions:
                version.commitment = commitment
                revisions.append(version)
            subject: Model = commitment.request if commitment.request is not None else commitment
            for event_type, at, extra in steps:
                due = extra.pop("due", None)
                payload = {
                    "commitment": commitment.pk,
                    "owner": commitment.owner_id,
                    "to": commitment.recipient_id,
                    "request": commitment.request_id,
                    "due_at": _iso(
                        due
                        or (commitment.original_due_at if event_type == events.COMMITMENT_MADE else commitment.due_at)
                    ),
                    **extra,
                }
                self.events.append(_event(subject, event_type, self.user_of.get(commitment.owner_id), at, payload))
        _numbered(revisions)
        CommitmentRevision.objects.bulk_create(revisions, batch_size=1000)
        self.pending = _Pending()

    # --- the requests' histories --------------------------------------------------------------

    def load(self) -> CooperationResult:
        requests = list(
            Request.objects.filter(assignee__isnull=False, first_responded_at__isnull=False)
            .only(
                "pk", "desk_id", "requester_id", "assignee_id", "status", "created_at", "first_responded_at",
                "resolved_at", "desk__unit_id",
            )
            .select_related("desk")
            .order_by("pk")
        )  # fmt: skip
        promised = dict(
            RequestClock.objects.filter(
                metric=Metric.RESOLUTION, request__assignee__isnull=False, request__first_responded_at__isnull=False
            ).values_list("request_id", "due_at")
        )
        negotiations: list[tuple[NeededBy, Request, list[tuple[str, datetime, dict[str, Any]]], Commitment | None]] = []
        feedback: list[tuple[Feedback, Request]] = []
        thanks: list[tuple[ThankYou, Request]] = []
        for request in requests:
            resolved = request.resolved_at
            responded = request.first_responded_at
            assert responded is not None
            assert request.assignee_id is not None
            is_open = request.status in OPEN_STATUSES
            roll = self.rng.random()
            due = promised.get(request.pk)
            if roll < NEGOTIATED and resolved is not None and due is not None:
                negotiations.append(self._negotiate(request, due, responded, resolved))
            elif roll < NEGOTIATED + COMMITTED:
                if resolved is not None and resolved > responded + timedelta(minutes=30):
                    self._request_commitment(request, responded, resolved)
                elif is_open and request.status == Status.IN_PROGRESS:
                    due = self.now + timedelta(hours=self.rng.randint(4, 96))
                    self._commitment(owner=request.assignee_id, recipient=request.requester_id, made=responded,
                                     due=due, request=request)  # fmt: skip
            if resolved is not None and not is_open:
                if self.rng.random() < RATED:
                    feedback.append((self._rating(request, resolved), request))
                if self.rng.random() < THANKED:
                    thanks.append((self._thanks(request, resolved), request))
        self._last_updates()
        self._standalone()
        self._flush_commitments()
        self._write_negotiations(negotiations)
        self._write_feedback(feedback)
        self._write_thanks(thanks)
        events_record_bulk(self.events, dispatch=False)
        with connection.cursor() as cursor:  # PostgreSQL: the sequences past the explicit keys
            for statement in connection.ops.sequence_reset_sql(no_style(), list(COOPERATION_MODELS)):
                cursor.execute(statement)
        self.result.events = len(self.events)
        return self.result

    def _request_commitment(self, request: Request, responded: datetime, resolved: datetime) -> None:
        assert request.assignee_id is not None
        if self.rng.random() < KEPT:
            due = resolved + timedelta(minutes=self.rng.randint(30, 24 * 60))
        else:
            due = max(responded + timedelta(minutes=30), resolved - timedelta(minutes=self.rng.randint(60, 48 * 60)))
        self._commitment(
            owner=request.assignee_id,
            recipient=request.requester_id,
            made=responded,
            due=due,
            request=request,
            settle_by=resolved,
            move=self.rng.random() < MOVED,
        )

    def _negotiate(
        self, request: Request, promised: datetime, responded: datetime, resolved: datetime
    ) -> tuple[NeededBy, Request, list[tuple[str, datetime, dict[str, Any]]], Commitment | None]:
        """The requester asks for it sooner than the standard; the desk accepts or counters; the
        requester accepts the counter or withdraws."""
        assert request.assignee_id is not None
        asked = request.created_at + timedelta(minutes=self.rng.randint(2, 20))
        wanted = asked + (promised - asked) * self.rng.uniform(0.3, 0.7)
        reason = self.rng.choice(REASONS_NEEDED)
        entry = NeededBy(
            request=request,
            requested_by_id=request.requester_id,
            needed_by=wanted,
            reason=reason,
            promised_at=promised,
            state=NeededByState.PROPOSED,
            created_at=asked,
            updated_at=asked,
        )
        steps: list[tuple[str, datetime, dict[str, Any]]] = [
            (events.NEEDED_BY_PROPOSED, asked, {"at": _iso(wanted), "promised_at": _iso(promised), "reason": reason})
        ]
        answered = max(responded, asked + timedelta(minutes=5))
        roll = self.rng.random()
        agreed: datetime | None = wanted
        agreed_at = answered
        if roll < 0.15:  # the requester withdraws while waiting for an answer
            entry.state = NeededByState.WITHDRAWN
            steps.append((events.NEEDED_BY_WITHDRAWN, answered, {}))
            agreed = None
        elif roll < 0.45:  # the desk counters; the requester accepts an hour later
            counter = wanted + (promised - wanted) * 0.5
            entry.counter_due_at, entry.responded_by_id = counter, request.assignee_id
            steps.append((events.NEEDED_BY_COUNTERED, answered, {"at": _iso(counter)}))
            agreed, agreed_at = counter, answered + timedelta(hours=1)
        else:
            entry.responded_by_id = request.assignee_id
        commitment = None
        if agreed is not None and agreed_at < agreed:
            entry.state = NeededByState.ACCEPTED
            commitment = self._commitment(
                owner=request.assignee_id,
                recipient=request.requester_id,
                made=agreed_at,
                due=agreed,
                request=request,
                note=reason,
                settle_by=resolved,
                extra={"negotiated": True},
            )
            steps.append((events.NEEDED_BY_ACCEPTED, agreed_at, {"at": _iso(agreed)}))
        elif agreed is not None:  # too late to agree: the requester lets it go
            entry.state = NeededByState.WITHDRAWN
            steps.append((events.NEEDED_BY_WITHDRAWN, agreed_at, {}))
        entry.updated_at = steps[-1][1]
        self.result.negotiations += 1
        return entry, request, steps, commitment

    def _write_negotiations(self, negotiations: list[tuple[NeededBy, Request, list[Any], Commitment | None]]) -> None:
        for entry, _request, _steps, commitment in negotiations:
            entry.commitment = commitment
        entries = [entry for entry, *_rest in negotiations]
        _numbered(entries)
        NeededBy.objects.bulk_create(entries, batch_size=1000)
        for entry, request, steps, commitment in negotiations:
            for event_type, at, extra in steps:
                payload = {"needed_by": entry.pk, **extra}
                if event_type == events.NEEDED_BY_ACCEPTED and commitment is not None:
                    payload.update(commitment=commitment.pk, by="requester" if entry.counter_due_at else "provider")
                by_requester = event_type in (events.NEEDED_BY_PROPOSED, events.NEEDED_BY_WITHDRAWN) or (
                    event_type == events.NEEDED_BY_ACCEPTED and entry.counter_due_at is not None
                )
                actor = request.requester_id if by_requester else request.assignee_id
                self.events.append(_event(request, event_type, self.user_of.get(actor or 0), at, payload))

    # --- ratings and thanks -------------------------------------------------------------------

    def _after(self, resolved: datetime, most: timedelta) -> datetime:
        return min(self.now - timedelta(minutes=1), resolved + timedelta(minutes=5) + most * self.rng.random())

    def _rating(self, request: Request, resolved: datetime) -> Feedback:
        rating = self.rng.choices([r for r, _w in RATINGS], weights=[w for _r, w in RATINGS])[0]
        comment = self.rng.choice(COMMENTS[rating]) if self.rng.random() < 0.4 else ""
        return Feedback(
            request=request,
            by_id=request.requester_id,
            rating=rating,
            comment=comment,
            created_at=self._after(resolved, timedelta(days=2)),
        )

    def _write_feedback(self, feedback: list[tuple[Feedback, Request]]) -> None:
        rows = [row for row, _request in feedback]
        _numbered(rows)
        Feedback.objects.bulk_create(rows, batch_size=1000)
        follow_ups: list[FollowUp] = []
        for row, request in feedback:
            self.events.append(
                _event(
                    request,
                    events.FEEDBACK_GIVEN,
                    self.user_of.get(row.by_id),
                    row.created_at,
                    {"feedback": row.pk, "rating": row.rating, "comment": row.comment, "assignee": request.assignee_id},
                )
            )
            if row.rating < 3:
                lead = self.lead_of_unit.get(request.desk.unit_id)
                done = row.created_at + timedelta(days=2)
                follow_ups.append(
                    FollowUp(
                        request=request,
                        feedback=row,
                        lead_id=lead,
                        state=FollowUpState.DONE if done < self.now - timedelta(days=12) else FollowUpState.OPEN,
                        done_at=done if done < self.now - timedelta(days=12) else None,
                        created_at=row.created_at,
                        updated_at=row.created_at,
                    )
                )
        self.result.ratings = len(feedback)
        _numbered(follow_ups)
        FollowUp.objects.bulk_create(follow_ups, batch_size=1000)
        for follow_up in follow_ups:
            request = follow_up.request
            self.events.append(
                _event(
                    request,
                    events.FOLLOW_UP_OPENED,
                    self.user_of.get(request.requester_id),
                    follow_up.created_at,
                    {"follow_up": follow_up.pk, "lead": follow_up.lead_id, "rating": follow_up.feedback.rating},
                )
            )
            if follow_up.done_at is not None:
                actor = self.user_of.get(follow_up.lead_id or 0)
                self.events.append(
                    _event(request, events.FOLLOW_UP_DONE, actor, follow_up.done_at, {"follow_up": follow_up.pk})
                )

    def _thanks(self, request: Request, resolved: datetime) -> ThankYou:
        return ThankYou(
            request=request,
            giver_id=request.requester_id,
            message=self.rng.choice(THANKS),
            created_at=self._after(resolved, timedelta(days=1)),
        )

    def _write_thanks(self, thanks: list[tuple[ThankYou, Request]]) -> None:
        rows = [row for row, _request in thanks]
        _numbered(rows)
        ThankYou.objects.bulk_create(rows, batch_size=1000)
        links = [
            ThankYou.recipients.through(thankyou_id=row.pk, employee_id=request.assignee_id) for row, request in thanks
        ]
        ThankYou.recipients.through.objects.bulk_create(links, batch_size=1000)
        for row, request in thanks:
            payload = {
                "thanks": row.pk,
                "giver": row.giver_id,
                "recipients": [request.assignee_id],
                "request": request.pk,
                "message": row.message,
            }
            self.events.append(
                _event(request, events.THANKS_SENT, self.user_of.get(row.giver_id), row.created_at, payload)
            )
        self.result.thanks = len(thanks)

    def _last_updates(self) -> None:
        """Each request's last public update: the desk's latest public reply, or an obstacle flagged or
        resolved since (the demo's types have no update standard, so nothing falls due). One statement
        for every request, one for those with a later obstacle."""
        replies = Comment.objects.filter(request=OuterRef("pk"), internal=False).exclude(
            author_id=OuterRef("requester_id")
        )
        Request.objects.update(last_update_at=Subquery(replies.order_by("-created_at").values("created_at")[:1]))
        obstacles = Subquery(
            Obstacle.objects.filter(request=OuterRef("pk"))
            .annotate(at=Coalesce("resolved_at", "created_at"))
            .order_by("-at")
            .values("at")[:1]
        )
        Request.objects.annotate(obstacle_at=obstacles).filter(
            Q(last_update_at__isnull=True, obstacle_at__isnull=False) | Q(last_update_at__lt=F("obstacle_at"))
        ).update(last_update_at=obstacles)

    # --- promises between colleagues ----------------------------------------------------------

    def _standalone(self) -> None:
        """Promises outside any request, between people of the same unit: most kept, a few open."""
        by_unit: dict[int, list[int]] = {}
        for pk, unit_id in self.unit_of.items():
            if unit_id is not None:
                by_unit.setdefault(unit_id, []).append(pk)
        teams = [people for people in by_unit.values() if len(people) > 1]
        if not teams:
            return
        for _n in range(min(300, max(10, len(self.unit_of) // 4))):
            owner, recipient = self.rng.sample(self.rng.choice(teams), 2)
            made = self.now - timedelta(days=self.rng.uniform(0.5, 90))
            due = made + timedelta(hours=self.rng.randint(20, 240))
            done: datetime | None = None
            if due < self.now or self.rng.random() < 0.3:
                late = self.rng.random() > KEPT
                done = (
                    due + timedelta(hours=self.rng.randint(1, 30))
                    if late
                    else due - timedelta(hours=self.rng.randint(0, 20))
                )
                done = max(done, made + timedelta(minutes=30))
                if done > self.now:
                    done = None
            self._commitment(owner=owner, recipient=recipient, made=made, due=due, title=self.rng.choice(PROMISES),
                             settle_by=done, move=self.rng.random() < MOVED)  # fmt: skip


def cooperation_load(*, seed: int, now: datetime, agreements: AgreementBook | None = None) -> CooperationResult:
    """Write the demo's cooperation history over the requests already loaded (see the module
    docstring), and the history of the ``agreements`` they ran under."""
    result = _Writer(seed=seed, now=now).load()
    if agreements is not None:
        result.agreements = len(agreements.histories)
        result.events += agreements.finish()
    return result


# --- internal service agreements -------------------------------------------------------------------

PROVIDER, CONSUMER = agreement_selectors.PROVIDER, agreement_selectors.CONSUMER
STARTS_AFTER = timedelta(days=7)  # the terms start a week after they are first written
REMIND_DAYS = 14
WRITTEN_AT = time(10, 0)  # leads write and propose in the morning, and accept in the afternoon
ACCEPTED_AT = time(14, 30)
SWEPT_AT = time(0, 5)  # the hourly agreement sweep's first run of a day


@dataclass(frozen=True)
class TermsDef:
    """One version of the terms: services by name at the provider's desk, agreed targets as (service,
    priority, first response minutes, resolution minutes), and the review date in days from today."""

    services: tuple[str, ...]
    targets: tuple[tuple[str, str, int, int], ...]
    review_days: int
    note: str = ""


@dataclass(frozen=True)
class RevisionDef:
    terms: TermsDef
    days_ago: int  # proposed then
    by: str  # the side whose lead proposes it
    reason: str
    accepted_after: int | None = None  # days later the other side accepted; None: it still waits


@dataclass(frozen=True)
class AgreementDef:
    provider: str  # department codes of people.demo; the provider has a desk
    consumer: str
    title: str
    days_ago: int  # written then
    by: str  # the side whose lead writes it (and proposes it at once, unless a draft)
    terms: TermsDef
    proposed: bool = True
    accepted_after: int | None = None  # days later the other side accepted; None: it still waits
    revision: RevisionDef | None = None


# Past its review date an accepted agreement has expired; the public targets are, for comparison:
# IT P2 1 h / 8 h, P3 4 h / 24 h; HR P2 4 h / 16 h, P3 8 h / 40 h; Facilities P2 2 h / 8 h, P3 4 h / 24 h;
# Legal P2 4 h / 24 h, P3 8 h / 80 h; Marketing P3 8 h / 40 h (business time).
AGREEMENTS: tuple[AgreementDef, ...] = (
    AgreementDef(
        "IT",
        "SAL",
        "IT support for Sales",
        days_ago=420,
        by=PROVIDER,
        terms=TermsDef(
            ("Laptops and devices", "Accounts and access", "Software"),
            (
                ("Laptops and devices", "P2", 30, 6 * 60),
                ("Laptops and devices", "P3", 2 * 60, 16 * 60),
                ("Accounts and access", "P2", 20, 3 * 60),
                ("Accounts and access", "P3", 2 * 60, 12 * 60),
                ("Software", "P3", 2 * 60, 12 * 60),
            ),
            review_days=80,
            note="Sales people travel a lot: a lost laptop or a locked account costs a customer meeting.",
        ),
        accepted_after=3,
    ),
    AgreementDef(
        "HR",
        "ENG",
        "People services for Engineering",
        days_ago=540,
        by=CONSUMER,
        terms=TermsDef(
            ("Letters and certificates", "Onboarding and changes"),
            (("Letters and certificates", "P3", 4 * 60, 24 * 60), ("Onboarding and changes", "P3", 4 * 60, 32 * 60)),
            review_days=-175,
        ),
        accepted_after=4,
        revision=RevisionDef(
            TermsDef(
                ("Letters and certificates", "Onboarding and changes", "Leave and absence"),
                (
                    ("Letters and certificates", "P3", 4 * 60, 24 * 60),
                    ("Onboarding and changes", "P2", 2 * 60, 10 * 60),
                    ("Onboarding and changes", "P3", 4 * 60, 24 * 60),
                    ("Leave and absence", "P3", 4 * 60, 32 * 60),
                ),
                review_days=200,
            ),
            days_ago=200,
            by=PROVIDER,
            reason="Engineering hires twice as many people this year: onboarding gets faster answers, "
            "and questions about leave join the agreement.",
            accepted_after=3,
        ),
    ),
    AgreementDef(
        "FAC",
        "FIN",
        "Workplace services for Finance",
        days_ago=260,
        by=PROVIDER,
        terms=TermsDef(
            ("Repairs", "Meeting rooms and events"),
            (
                ("Repairs", "P2", 60, 6 * 60),
                ("Repairs", "P3", 2 * 60, 16 * 60),
                ("Meeting rooms and events", "P3", 2 * 60, 12 * 60),
            ),
            review_days=150,
        ),
        accepted_after=5,
        revision=RevisionDef(
            TermsDef(
                ("Repairs", "Meeting rooms and events", "Reception and mail"),
                (
                    ("Repairs", "P2", 60, 6 * 60),
                    ("Repairs", "P3", 2 * 60, 16 * 60),
                    ("Meeting rooms and events", "P2", 30, 4 * 60),
                    ("Meeting rooms and events", "P3", 60, 8 * 60),
                    ("Reception and mail", "P3", 60, 8 * 60),
                ),
                review_days=330,
            ),
            days_ago=4,
            by=CONSUMER,
            reason="At the month-end close we need rooms set up the same day, and the auditors come in "
            "through reception.",
        ),
    ),
    AgreementDef(
        "IT",
        "MFG",
        "IT support for the plants",
        days_ago=700,
        by=CONSUMER,
        terms=TermsDef(
            ("Laptops and devices", "Network and connectivity"),
            (
                ("Laptops and devices", "P3", 2 * 60, 16 * 60),
                ("Network and connectivity", "P1", 10, 3 * 60),
                ("Network and connectivity", "P2", 30, 6 * 60),
            ),
            review_days=-330,
            note="A stopped line costs more than an hour of anyone's time.",
        ),
        accepted_after=4,
    ),
    AgreementDef(
        "LEG",
        "SAL",
        "Contract reviews for Sales",
        days_ago=6,
        by=PROVIDER,
        terms=TermsDef(
            ("Contracts",),
            (("Contracts", "P2", 2 * 60, 16 * 60), ("Contracts", "P3", 4 * 60, 40 * 60)),
            review_days=365,
        ),
    ),
    AgreementDef(
        "MKT",
        "PRD",
        "Design support for Product",
        days_ago=2,
        by=CONSUMER,
        proposed=False,
        terms=TermsDef(("Design",), (("Design", "P3", 4 * 60, 24 * 60),), review_days=180),
    ),
)


@dataclass(frozen=True)
class AcceptedTerms:
    """A version both sides accepted, from when it was in force."""

    since: datetime
    version: AgreementVersion
    services: frozenset[int]
    targets: dict[tuple[int, str], AgreementTarget]  # by (service, priority)


@dataclass
class AgreementHistory:
    """One demo agreement as the request writer needs it: whose requests it covers, and when."""

    agreement: Agreement
    consumer_path: str
    consumer_depth: int
    accepted: list[AcceptedTerms] = field(default_factory=list)  # oldest first
    expired_at: datetime | None = None

    def current_at(self, at: datetime) -> AcceptedTerms | None:
        """The agreement's ``current`` terms at ``at`` (they stay current once it has expired)."""
        return next((terms for terms in reversed(self.accepted) if terms.since <= at), None)

    def covers(self, *, service_id: int, at: datetime) -> bool:
        """Whether a request for the service made at ``at`` runs under it
        (``agreement_selectors.agreement_for_new_request`` on that day)."""
        terms = self.current_at(at)
        if terms is None or (self.expired_at is not None and at >= self.expired_at):
            return False
        day = timezone.localdate(at)
        return service_id in terms.services and terms.version.starts_on <= day <= terms.version.review_on

    def revised_between(self, start: datetime, end: datetime) -> list[datetime]:
        """When accepted revisions rebound the agreement's open requests (``clocks_recompute``)."""
        return [terms.since for terms in self.accepted[1:] if start < terms.since <= end]


class AgreementBook:
    """The demo's agreements for the request writer, and the agreed standards its clocks use.

    Agreed standards are written as ``agreement_selectors.standard_for`` writes them, the first time
    a clock needs one: the public version's rules with the agreed targets, never current. They get
    explicit keys and go in with one insert after the requests (:meth:`standards_write`).
    """

    def __init__(self, *, now: datetime, histories: list[AgreementHistory], events: list[Event]) -> None:
        self.now = now
        self.histories = histories
        self.events = events
        self.by_provider: dict[int, list[AgreementHistory]] = {}
        for history in sorted(histories, key=lambda h: (-h.consumer_depth, h.agreement.pk)):
            self.by_provider.setdefault(history.agreement.provider_id, []).append(history)
        self.agreed: dict[tuple[int, int, int], ServiceStandard] = {}
        self.next_standard = int(ServiceStandard.objects.aggregate(top=Max("pk"))["top"] or 0) + 1

    def agreement_for(
        self, *, provider_unit_id: int, service_id: int, unit_path: str, at: datetime
    ) -> AgreementHistory | None:
        """The agreement a request made at ``at`` for someone of ``unit_path`` runs under: the nearest
        consuming unit's that covers the service then."""
        for history in self.by_provider.get(provider_unit_id, ()):
            if unit_path.startswith(history.consumer_path) and history.covers(service_id=service_id, at=at):
                return history
        return None

    def target(
        self, history: AgreementHistory, *, service_id: int, priority: str, at: datetime
    ) -> AgreementTarget | None:
        """The agreed target for the service and priority in the agreement's current terms at ``at``."""
        terms = history.current_at(at)
        return terms.targets.get((service_id, priority)) if terms is not None else None

    def standard(
        self, history: AgreementHistory, *, public: ServiceStandard, service_id: int, at: datetime
    ) -> ServiceStandard:
        """The standard a clock of the agreement's request bound at ``at`` runs under: the agreed one
        for the service and the public version's priority, else the public version itself."""
        target = self.target(history, service_id=service_id, priority=public.priority, at=at)
        if target is None:
            return public
        key = (target.pk, public.request_type_id, public.pk)
        agreed = self.agreed.get(key)
        if agreed is None:
            agreed = agreement_selectors.agreed_standard(
                target=target, request_type_id=public.request_type_id, public=public
            )
            agreed.pk = self.next_standard
            agreed.created_at = at
            self.next_standard += 1
            self.agreed[key] = agreed
        elif at < agreed.created_at:
            agreed.created_at = at  # first needed by a request planned later
        return agreed

    def standards_write(self) -> None:
        """The agreed standards the requests' clocks are bound to, in one insert."""
        ServiceStandard.objects.bulk_create(sorted(self.agreed.values(), key=lambda s: s.pk), batch_size=1000)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [ServiceStandard]):
                cursor.execute(statement)

    def finish(self) -> int:
        """Record the agreements' history, with the review reminders the sweep sent (their adherence
        report reads the requests, commitments and ratings written by now). Returns the events."""
        for history, at in self._reminders():
            agreement = history.agreement
            version = agreement.current
            assert version is not None
            assert agreement.activated_at is not None
            report = agreement_selectors.adherence_of(agreement=agreement, start=agreement.activated_at, end=at)
            payload = {"report": agreement_services.adherence_payload(report), **_terms_payload(version)}
            self.events.append(_agreement_event(agreement, agreement_services.AGREEMENT_REVIEW_DUE, None, at, payload))
        events_record_bulk(self.events, dispatch=False)
        return len(self.events)

    def _reminders(self) -> list[tuple[AgreementHistory, datetime]]:
        reminders = []
        for history in self.histories:
            agreement, version = history.agreement, history.agreement.current
            if agreement.reminded_for is not None and version is not None:
                reminders.append((history, _local(version.review_on - timedelta(days=version.remind_days), SWEPT_AT)))
        return reminders


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=timezone.get_current_timezone())


def _terms_payload(version: AgreementVersion) -> dict[str, Any]:
    return {
        "version": version.number,
        "starts_on": version.starts_on.isoformat(),
        "review_on": version.review_on.isoformat(),
    }


def _agreement_event(
    agreement: Agreement, event_type: str, actor_user: int | None, at: datetime, payload: dict[str, Any]
) -> Event:
    return _event(
        agreement, event_type, actor_user, at, {"agreement": agreement.pk, "title": agreement.title, **payload}
    )


@dataclass
class _Sides:
    """The two departments of an agreement, their leads, and a contact on each side."""

    provider: Unit
    consumer: Unit
    leads: dict[str, int]  # side -> employee
    contacts: dict[str, int]
    services: dict[str, Service]  # by name, at the provider's desk


class _AgreementWriter:
    def __init__(self, *, now: datetime) -> None:
        self.now = now
        self.today = timezone.localdate(now)
        self.user_of: dict[int, int] = dict(
            Employee.objects.filter(is_active=True).order_by("pk").values_list("pk", "user_id")
        )
        self.departments: dict[str, Unit] = {}
        for unit in Unit.objects.filter(kind=UnitKind.DEPARTMENT).order_by("pk"):
            self.departments.setdefault(unit.code.split("-")[0], unit)
        self.team_leads: dict[int, int] = {}  # department -> the lead of its first team
        for path, lead in (
            Unit.objects.filter(kind=UnitKind.TEAM, lead__isnull=False).order_by("pk").values_list("path", "lead_id")
        ):
            department = next((u.pk for u in self.departments.values() if path.startswith(u.path)), None)
            if department is not None and lead in self.user_of:
                self.team_leads.setdefault(department, lead)
        self.services: dict[int, dict[str, Service]] = {}
        for service in Service.objects.select_related("desk").order_by("pk"):
            self.services.setdefault(service.desk.unit_id, {})[service.name] = service
        self.agreements: list[Agreement] = []
        self.versions: list[tuple[AgreementVersion, TermsDef, _Sides]] = []
        self.histories: list[AgreementHistory] = []
        self.steps: list[tuple[Agreement, str, int | None, datetime, dict[str, Any]]] = []

    def _sides(self, definition: AgreementDef) -> _Sides | None:
        provider = self.departments.get(definition.provider)
        consumer = self.departments.get(definition.consumer)
        if provider is None or consumer is None or provider.pk not in self.services:
            return None  # not in this organisation
        services = self.services[provider.pk]
        terms = [definition.terms] + ([definition.revision.terms] if definition.revision else [])
        if any(name not in services for each in terms for name in each.services):
            return None
        provider_lead, consumer_lead = provider.lead_id, consumer.lead_id
        if provider_lead not in self.user_of or consumer_lead not in self.user_of:
            return None  # a unit without an active lead: nobody could have signed
        assert provider_lead is not None
        assert consumer_lead is not None
        owner = services[definition.terms.services[0]].owner_id
        contacts = {
            PROVIDER: owner if owner is not None and owner in self.user_of else provider_lead,
            CONSUMER: self.team_leads.get(consumer.pk, consumer_lead),
        }
        return _Sides(provider, consumer, {PROVIDER: provider_lead, CONSUMER: consumer_lead}, contacts, services)

    def load(self) -> AgreementBook:
        for definition in AGREEMENTS:
            sides = self._sides(definition)
            if sides is not None:
                self._agreement(definition, sides)
        _numbered(self.agreements)
        versions = [version for version, _terms, _sides in self.versions]
        _numbered(versions)
        links, targets = self._terms_rows()
        for agreement in self.agreements:
            agreement.current = agreement.current  # its key, now that it is numbered
        updated = Case(*[When(pk=a.pk, then=Value(a.updated_at)) for a in self.agreements])
        Agreement.objects.bulk_create(self.agreements)
        # bulk_create stamps auto_now fields with the time of the load: back to when they last changed.
        Agreement.objects.filter(pk__in=[a.pk for a in self.agreements]).update(updated_at=updated)
        for version in versions:
            version.agreement = version.agreement
        AgreementVersion.objects.bulk_create(versions)
        AgreementVersion.services.through.objects.bulk_create(links)
        AgreementTarget.objects.bulk_create(targets)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(AGREEMENT_MODELS)):
                cursor.execute(statement)
        events = [
            _agreement_event(agreement, event_type, self.user_of.get(actor or 0), at, payload)
            for agreement, event_type, actor, at, payload in self.steps
        ]
        return AgreementBook(now=self.now, histories=self.histories, events=events)

    def _terms_rows(self) -> tuple[list[Any], list[AgreementTarget]]:
        """Each version's services and targets, numbered, and what each accepted version promises."""
        links: list[Any] = []
        targets: list[AgreementTarget] = []
        through = AgreementVersion.services.through
        by_version: dict[int, list[AgreementTarget]] = {}
        for version, terms, sides in self.versions:
            for name in terms.services:
                links.append(through(agreementversion_id=version.pk, service_id=sides.services[name].pk))
            for name, priority, first, resolution in terms.targets:
                target = AgreementTarget(
                    version_id=version.pk,
                    service_id=sides.services[name].pk,
                    priority=priority,
                    first_response_minutes=first,
                    resolution_minutes=resolution,
                )
                targets.append(target)
                by_version.setdefault(version.pk, []).append(target)
        _numbered(links)
        _numbered(targets)
        services_of = {
            version.pk: frozenset(sides.services[n].pk for n in terms.services)
            for version, terms, sides in self.versions
        }
        for history in self.histories:
            history.accepted = [
                AcceptedTerms(
                    since=terms.since,
                    version=terms.version,
                    services=services_of[terms.version.pk],
                    targets={(t.service_id, t.priority): t for t in by_version.get(terms.version.pk, [])},
                )
                for terms in history.accepted
            ]
        return links, targets

    def _version(
        self,
        agreement: Agreement,
        number: int,
        terms: TermsDef,
        sides: _Sides,
        *,
        by: str,
        at: datetime,
        starts_on: date,
        reason: str = "",
    ) -> AgreementVersion:
        version = AgreementVersion(
            agreement=agreement,
            number=number,
            provider_contact_id=sides.contacts[PROVIDER],
            consumer_contact_id=sides.contacts[CONSUMER],
            starts_on=starts_on,
            review_on=self.today + timedelta(days=terms.review_days),
            remind_days=REMIND_DAYS,
            note=terms.note,
            reason=reason,
            created_by_id=sides.leads[by],
            created_at=at,
        )
        self.versions.append((version, terms, sides))
        return version

    def _propose(
        self, agreement: Agreement, version: AgreementVersion, sides: _Sides, *, by: str, at: datetime
    ) -> None:
        lead = sides.leads[by]
        version.state = AgreementVersionState.PROPOSED
        version.proposed_by_id, version.proposed_at = lead, at
        setattr(version, f"{by}_accepted_by_id", lead)
        setattr(version, f"{by}_accepted_at", at)
        revision = agreement.current is not None
        if not revision:
            agreement.state = AgreementState.PROPOSED
        agreement.updated_at = at
        self.steps.append(
            (agreement, agreement_services.AGREEMENT_PROPOSED, lead, at,
             {"sides": [by], "revision": revision, **_terms_payload(version)})
        )  # fmt: skip

    def _accept(self, agreement: Agreement, version: AgreementVersion, sides: _Sides, *, by: str, at: datetime,
                history: AgreementHistory) -> None:  # fmt: skip
        """The other side's lead accepts: the version is in force; a previous one is superseded."""
        side = CONSUMER if by == PROVIDER else PROVIDER
        lead = sides.leads[side]
        setattr(version, f"{side}_accepted_by_id", lead)
        setattr(version, f"{side}_accepted_at", at)
        self.steps.append(
            (agreement, agreement_services.AGREEMENT_ACCEPTED, lead, at, {"sides": [side], **_terms_payload(version)})
        )
        previous = agreement.current
        if previous is not None:
            previous.state = AgreementVersionState.SUPERSEDED
        version.state, version.decided_at = AgreementVersionState.ACCEPTED, at
        agreement.current, agreement.state = version, AgreementState.ACTIVE
        agreement.activated_at = agreement.activated_at or at
        agreement.updated_at = at
        self.steps.append(
            (agreement, agreement_services.AGREEMENT_ACTIVATED, lead, at,
             {"revision": previous is not None, **_terms_payload(version)})
        )  # fmt: skip
        history.accepted.append(AcceptedTerms(since=at, version=version, services=frozenset(), targets={}))

    def _agreement(self, definition: AgreementDef, sides: _Sides) -> None:
        written = _local(self.today - timedelta(days=definition.days_ago), WRITTEN_AT)
        agreement = Agreement(
            provider=sides.provider, consumer=sides.consumer, title=definition.title, created_at=written,
            updated_at=written,
        )  # fmt: skip
        self.agreements.append(agreement)
        history = AgreementHistory(agreement, sides.consumer.path, sides.consumer.depth)
        self.histories.append(history)
        starts_on = written.date() + STARTS_AFTER
        version = self._version(
            agreement, 1, definition.terms, sides, by=definition.by, at=written, starts_on=starts_on
        )
        self.steps.append(
            (agreement, agreement_services.AGREEMENT_CREATED, sides.leads[definition.by], written,
             {"provider": sides.provider.pk, "consumer": sides.consumer.pk, **_terms_payload(version)})
        )  # fmt: skip
        if not definition.proposed:
            return
        self._propose(agreement, version, sides, by=definition.by, at=written)
        if definition.accepted_after is None:
            return
        accepted = _local(written.date() + timedelta(days=definition.accepted_after), ACCEPTED_AT)
        self._accept(agreement, version, sides, by=definition.by, at=accepted, history=history)
        revision = definition.revision
        if revision is not None:
            proposed = _local(self.today - timedelta(days=revision.days_ago), WRITTEN_AT)
            current = agreement.current
            assert current is not None
            revised = self._version(
                agreement, 2, revision.terms, sides, by=revision.by, at=proposed, starts_on=current.starts_on,
                reason=revision.reason,
            )  # fmt: skip
            self._propose(agreement, revised, sides, by=revision.by, at=proposed)
            if revision.accepted_after is not None:
                at = _local(proposed.date() + timedelta(days=revision.accepted_after), ACCEPTED_AT)
                self._accept(agreement, revised, sides, by=revision.by, at=at, history=history)
        self._sweep(agreement, history)

    def _sweep(self, agreement: Agreement, history: AgreementHistory) -> None:
        """What the hourly sweep did: a reminder ``remind_days`` before the review date, and the
        expiry the day after it (the reminder's report is written at the end, see AgreementBook)."""
        version = agreement.current
        assert version is not None
        if _local(version.review_on - timedelta(days=version.remind_days), SWEPT_AT) <= self.now:
            agreement.reminded_for = version.review_on
        expired = _local(version.review_on + timedelta(days=1), SWEPT_AT)
        if expired <= self.now:
            agreement.state, agreement.expired_at, agreement.updated_at = AgreementState.EXPIRED, expired, expired
            history.expired_at = expired
            self.steps.append((agreement, agreement_services.AGREEMENT_EXPIRED, None, expired, _terms_payload(version)))


AGREEMENT_MODELS = (Agreement, AgreementVersion, AgreementVersion.services.through, AgreementTarget)


def agreements_load(*, now: datetime) -> AgreementBook:
    """Write the demo's agreements over the desks already loaded, before their requests (see the
    module docstring); their events are recorded by :meth:`AgreementBook.finish`."""
    return _AgreementWriter(now=now).load()
