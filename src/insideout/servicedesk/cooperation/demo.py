"""Demo cooperation history over the demo's requests: commitments (mostly kept), needed-by
negotiations, ratings with follow-ups for the low ones, thank-you notes, and promises between
colleagues outside any request.

It runs after the desks' requests are written (``servicedesk.demo.desks_load``) and reads their
history as it stands: who the requester and the assignee were, when the first response came and
when the request was resolved. Every step is written as the cooperation services write it (the
same models, event types and payloads) with historical times, as history only: nobody is
notified. The same seed and ``now`` give the same history.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Model, OuterRef, Subquery

from insideout.core.events import events_record_bulk, subject_of
from insideout.core.models import Event
from insideout.people.models import Employee, Unit
from insideout.servicedesk.cooperation import events
from insideout.servicedesk.cooperation.models import (
    Commitment,
    CommitmentRevision,
    CommitmentState,
    Feedback,
    FollowUp,
    FollowUpState,
    NeededBy,
    NeededByState,
    ThankYou,
)
from insideout.servicedesk.models import OPEN_STATUSES, Comment, Metric, Request, RequestClock, Status

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
        """Each request's last public update: the desk's latest public reply (the demo's types have no
        update standard, so nothing falls due). One statement for every request."""
        replies = Comment.objects.filter(request=OuterRef("pk"), internal=False).exclude(
            author_id=OuterRef("requester_id")
        )
        Request.objects.update(last_update_at=Subquery(replies.order_by("-created_at").values("created_at")[:1]))

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


def cooperation_load(*, seed: int, now: datetime) -> CooperationResult:
    """Write the demo's cooperation history over the requests already loaded (see the module docstring)."""
    return _Writer(seed=seed, now=now).load()
