"""What the request page shows of the cooperation layer: its "Promises" part.

``request_promises`` reads the request's newest commitment with its versions, its newest
needed-by date, its rating and its thank-you notes (a fixed number of queries, however many
versions or notes there are) and says, for the person looking, what they can do next. The
request page's view (``workspace._render_request``) adds it to its context; the actions are in
``cooperation.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insideout.core.models import Event
from insideout.people.models import Employee
from insideout.servicedesk import selectors as desk_selectors
from insideout.servicedesk.clockview import duration_words
from insideout.servicedesk.cooperation import events, selectors
from insideout.servicedesk.cooperation.models import (
    Commitment,
    CommitmentRevision,
    CommitmentState,
    NeededBy,
    NeededByState,
    ThankYou,
)
from insideout.servicedesk.models import OPEN_STATUSES, Comment, Request, Status
from insideout.servicedesk.views.cooperation_forms import (
    RATING_WORDS,
    CommitForm,
    FeedbackForm,
    NeededByForm,
    RespondForm,
    ReviseForm,
    ThanksForm,
)

DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


# --- words --------------------------------------------------------------------------------------


def when_words(value: datetime) -> str:
    """An instant as the viewer reads it, in their time zone: "Thu 26 Nov 2026, 15:00"."""
    return date_format(timezone.localtime(value), "D j M Y, H:i")


def needed_by_words(entry: NeededBy, *, unit: str) -> str:
    """What became of a needed-by date just given, for the requester."""
    words = {"when": when_words(entry.needed_by), "unit": unit}
    if entry.state == NeededByState.PROPOSED:
        return _("%(unit)s is asked to have it done by %(when)s, or to propose another time.") % words
    return _("Noted: %(when)s is within what %(unit)s already promises.") % words


def due_words(due_at: datetime, *, state: str, now: datetime) -> str:
    """ "due in 3 days", "overdue by 2 hours"; a settled promise says how it ended."""
    if state == CommitmentState.KEPT:
        return _("done in time")
    if state == CommitmentState.BROKEN:
        return _("not done in time")
    if due_at > now:
        return _("due in %(left)s") % {"left": duration_words(due_at - now, business_hours=False)}
    return _("overdue by %(late)s") % {"late": duration_words(now - due_at, business_hours=False)}


def moves_words(moves: int, moved_by: timedelta) -> str:
    """ "not moved", "moved twice, 3 days later in total"."""
    if not moves:
        return _("not moved")
    words = {"n": moves, "by": duration_words(abs(moved_by), business_hours=False)}
    if moved_by > timedelta(0):
        return ngettext("moved once, %(by)s later in total", "moved %(n)d times, %(by)s later in total", moves) % words
    if moved_by < timedelta(0):
        return (
            ngettext("moved once, %(by)s earlier in total", "moved %(n)d times, %(by)s earlier in total", moves) % words
        )
    return ngettext("moved once, back to the first time", "moved %(n)d times, back to the first time", moves) % words


def _instant(value: object) -> str:
    if not isinstance(value, str):
        return ""
    try:
        return when_words(datetime.fromisoformat(value))
    except ValueError:
        return value


# How the request's history says each step of the cooperation layer (the actor's name comes first).
EVENT_WORDS: dict[str, Callable[[dict[str, Any]], str]] = {
    events.COMMITMENT_MADE: lambda p: (
        (
            _("the agreed time became the promise: done by %(when)s")
            if p.get("negotiated")
            else _("made the promise: done by %(when)s")
        )
        % {"when": _instant(p.get("due_at"))}
    ),
    events.COMMITMENT_REVISED: lambda p: (
        _("moved the promise to %(when)s: “%(reason)s”")
        % {"when": _instant(p.get("due_at")), "reason": p.get("reason", "")}
    ),
    events.COMMITMENT_KEPT: lambda p: _("the promise was kept"),
    events.COMMITMENT_BROKEN: lambda p: _("the promise was broken"),
    events.NEEDED_BY_PROPOSED: lambda p: (
        _("needs it by %(when)s, sooner than promised: “%(reason)s”")
        % {"when": _instant(p.get("at")), "reason": p.get("reason", "")}
    ),
    events.NEEDED_BY_NOTED: lambda p: (
        _("needs it by %(when)s, which the standard allows: “%(reason)s”")
        % {"when": _instant(p.get("at")), "reason": p.get("reason", "")}
    ),
    events.NEEDED_BY_COUNTERED: lambda p: _("proposed %(when)s instead") % {"when": _instant(p.get("at"))},
    events.NEEDED_BY_ACCEPTED: lambda p: _("accepted %(when)s") % {"when": _instant(p.get("at"))},
    events.NEEDED_BY_WITHDRAWN: lambda p: _("withdrew the needed-by date"),
    events.FEEDBACK_GIVEN: lambda p: _("rated the service"),
    events.FOLLOW_UP_OPENED: lambda p: _("a low rating opened a follow-up for the lead"),
    events.FOLLOW_UP_DONE: lambda p: _("closed the follow-up"),
    events.THANKS_SENT: lambda p: _("sent a thank-you note"),
}


def event_words(event: Event) -> str | None:
    """A cooperation step of the request's history in words; None for the service desk's own events."""
    words = EVENT_WORDS.get(event.type)
    return words(event.payload or {}) if words is not None else None


STATE_WORDS = {
    CommitmentState.OPEN: lambda: _("Open"),
    CommitmentState.KEPT: lambda: _("Kept"),
    CommitmentState.BROKEN: lambda: _("Broken"),
}


def state_words(state: str) -> str:
    return STATE_WORDS[CommitmentState(state)]()


@dataclass(frozen=True)
class PromiseView:
    """A commitment as a page shows it."""

    commitment: Commitment
    state: str
    state_label: str
    due_words: str
    moves_words: str
    versions: list[CommitmentRevision]

    @classmethod
    def of(cls, commitment: Commitment, *, now: datetime, versions: Iterable[CommitmentRevision] = ()) -> PromiseView:
        return cls(
            commitment=commitment,
            state=commitment.state,
            state_label=state_words(commitment.state),
            due_words=due_words(commitment.due_at, state=commitment.state, now=now),
            moves_words=moves_words(commitment.moves, commitment.moved_by),
            versions=list(versions),
        )


# --- the negotiation, for the person looking ----------------------------------------------------


def _negotiation(entry: NeededBy | None, *, is_agent: bool, is_requester: bool, unit: str) -> dict[str, Any] | None:
    """The newest needed-by date in words, and whose turn it is: ``agent`` (accept or counter),
    ``requester`` (accept the counter-proposal or withdraw), or nobody."""
    if entry is None:
        return None
    state = entry.state
    turn = ""
    if state == NeededByState.PROPOSED and is_agent:
        turn, waiting = "agent", _("Your move: accept the date, or propose a time you can keep.")
    elif state == NeededByState.PROPOSED:
        waiting = _("Waiting for %(unit)s to accept the date or propose another.") % {"unit": unit}
    elif state == NeededByState.COUNTERED and is_requester:
        turn, waiting = "requester", _("Your move: accept the new time, or withdraw your date.")
    elif state == NeededByState.COUNTERED:
        waiting = _("Waiting for the requester to accept the new time or withdraw.")
    elif state == NeededByState.ACCEPTED:
        waiting = _("Agreed: it became the request's commitment.")
    elif state == NeededByState.WITHIN_STANDARD:
        waiting = _("The standard already allows it: nothing to negotiate.")
    else:
        waiting = _("The requester withdrew the date; the standard applies.")
    return {
        "entry": entry,
        "state_label": NeededByState(state).label,
        "negotiating": state in (NeededByState.PROPOSED, NeededByState.COUNTERED),
        "waiting": waiting,
        "turn": turn,
        # The requester may withdraw a date before anyone answered, too.
        "can_withdraw": is_requester and state in (NeededByState.PROPOSED, NeededByState.COUNTERED),
    }


@dataclass(frozen=True)
class ThanksView:
    giver: Employee
    names: str
    created_at: datetime
    message: str


def _thanks_view(note: ThankYou) -> ThanksView:
    names = ", ".join(person.name for person in note.recipients.all())
    return ThanksView(giver=note.giver, names=names, created_at=note.created_at, message=note.message)


def _bound(given: Mapping[str, forms.Form], name: str, make: Any) -> Any:
    """The form the action just refused (with its messages), else a fresh one."""
    return given[name] if name in given else make()


def request_promises(
    service_request: Request,
    *,
    is_agent: bool,
    is_requester: bool,
    employee: Employee | None,
    comments: Iterable[Comment],
    forms_given: Mapping[str, forms.Form] | None = None,
    now: datetime | None = None,
    parts: desk_selectors.RequestParts = desk_selectors.EVERY_PART,
) -> dict[str, Any]:
    """The "Promises" part of the request page: what is promised, the negotiation, the rating and
    the thanks, with the forms the person looking may use. ``comments`` are those the page shows;
    ``parts`` says which of these the request has (``request_parts``), so the others are not read."""
    now = now or timezone.now()
    given = forms_given or {}
    is_open = service_request.status in OPEN_STATUSES
    is_done = service_request.status in DONE_STATUSES
    latest = selectors.commitment_latest_of(request=service_request) if parts.commitments else None
    promise = PromiseView.of(latest, now=now, versions=latest.revisions.all()) if latest is not None else None
    open_promise = latest if latest is not None and latest.state == CommitmentState.OPEN else None
    entry = selectors.needed_by_latest_of(request=service_request) if parts.needed_by else None
    negotiation = _negotiation(
        entry,
        is_agent=is_agent and employee is not None,
        is_requester=is_requester,
        unit=service_request.desk.unit.name,
    )
    feedback = selectors.feedback_of(request=service_request) if parts.feedback else None
    part: dict[str, Any] = {
        "promise": promise,
        "negotiation": negotiation,
        # The rating is between the requester and the desk.
        "rating_part": (is_requester or is_agent) and (is_done or feedback is not None),
        "feedback": feedback,
        "rating_words": RATING_WORDS.get(feedback.rating, "") if feedback is not None else "",
        "thanks": [_thanks_view(note) for note in selectors.thanks_of(request=service_request)] if parts.thanks else [],
        "is_open": is_open,
        "is_done": is_done,
    }
    # Promising and answering need a person; a superuser without one only looks.
    can_answer = is_agent and is_open and employee is not None
    if can_answer:
        if open_promise is None:
            part["commit_form"] = _bound(given, "commit", lambda: CommitForm(auto_id="commit-%s"))
        else:
            part["revise_form"] = _bound(
                given,
                "revise",
                lambda: ReviseForm(auto_id="revise-%s", initial={"commitment": open_promise.pk}),
            )
    if negotiation is not None and negotiation["turn"] == "agent" and can_answer:
        part["respond_form"] = _bound(given, "respond", lambda: RespondForm(auto_id="respond-%s"))
    if is_requester and is_open and not (negotiation and negotiation["negotiating"]):
        part["needed_by_form"] = _bound(given, "needed_by", lambda: NeededByForm(auto_id="needed-%s"))
    if is_requester and is_done and feedback is None:
        part["feedback_form"] = _bound(given, "feedback", lambda: FeedbackForm(auto_id="rating-%s"))
    if employee is not None and is_done:
        helpers = thanks_helpers(service_request, employee=employee, commitment=latest, comments=comments)
        if helpers:
            part["thanks_form"] = _bound(given, "thanks", lambda: ThanksForm(auto_id="thanks-%s", helpers=helpers))
            # Once I have said thank you, saying it again is folded away.
            part["thanked_already"] = any(note.giver.pk == employee.pk for note in part["thanks"])
    return part


def thanks_helpers(
    service_request: Request, *, employee: Employee, commitment: Commitment | None, comments: Iterable[Comment]
) -> list[Employee]:
    """Whom ``employee`` may thank in a few clicks: the assignee, the commitment's owner and the
    desk's agents who replied publicly; never themselves."""
    repliers = {comment.author_id for comment in comments if not comment.internal and comment.author_id}
    named = [service_request.assignee_id, commitment.owner_id if commitment is not None else None]
    people = selectors.helpers_of(request=service_request, named=named, repliers=repliers - {employee.pk})
    return [person for person in people if person.pk != employee.pk]
