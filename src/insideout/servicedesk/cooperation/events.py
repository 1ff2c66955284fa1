"""The cooperation layer's event types, and its handlers: who hears about promises, negotiations,
obstacles, updates that are due or overdue, ratings and thanks.

Each handler runs after the commit, at least once; the notifications context keeps a person from
hearing about the same event twice. Nobody is told about their own action, and leavers hear nothing.
Events about a request have the request as their subject (so its history shows them); a
standalone commitment's have the commitment. Messages are marked with ``gettext_noop`` spelled out,
the name ``makemessages`` looks for, and translated in each recipient's language when sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from insideout.core.events import handles
from insideout.core.models import Event
from insideout.notifications import facade as notifications
from insideout.people.models import Employee
from insideout.servicedesk import clockstore
from insideout.servicedesk import selectors as desk_selectors
from insideout.servicedesk.clockstore import REQUEST_STATUS_CHANGED
from insideout.servicedesk.cooperation.models import Commitment, Feedback, NeededBy, Obstacle, ThankYou
from insideout.servicedesk.cooperation.selectors import lead_of
from insideout.servicedesk.models import Request, Status

COMMITMENT_MADE = "servicedesk.commitment_made"
COMMITMENT_REVISED = "servicedesk.commitment_revised"
COMMITMENT_KEPT = "servicedesk.commitment_kept"
COMMITMENT_BROKEN = "servicedesk.commitment_broken"
NEEDED_BY_PROPOSED = "servicedesk.needed_by_proposed"
NEEDED_BY_NOTED = "servicedesk.needed_by_noted"  # within the standard: nothing to negotiate
NEEDED_BY_ACCEPTED = "servicedesk.needed_by_accepted"
NEEDED_BY_COUNTERED = "servicedesk.needed_by_countered"
NEEDED_BY_WITHDRAWN = "servicedesk.needed_by_withdrawn"
FEEDBACK_GIVEN = "servicedesk.feedback_given"
FOLLOW_UP_OPENED = "servicedesk.follow_up_opened"
FOLLOW_UP_DONE = "servicedesk.follow_up_done"
THANKS_SENT = "servicedesk.thanks_sent"
OBSTACLE_FLAGGED = clockstore.OBSTACLE_FLAGGED  # the clock replay reads these two
OBSTACLE_RESOLVED = clockstore.OBSTACLE_RESOLVED
UPDATE_DUE_SOON = "servicedesk.update_due_soon"  # the assignee's nudge
UPDATE_OVERDUE = "servicedesk.update_overdue"  # the silence the lead hears of

# At most this many agents hear about a needed-by date on an unassigned request.
AGENTS_TOLD = 100


def _person(employee_id: object) -> Employee | None:
    if not isinstance(employee_id, int):
        return None
    return Employee.objects.select_related("user").filter(pk=employee_id).first()


def _when(value: datetime | str | None, person: Employee) -> str:
    """An instant in the person's time zone and language (call it inside ``render``)."""
    if value is None:
        return ""
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    try:
        zone = ZoneInfo(person.time_zone or "UTC")
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    return date_format(instant.astimezone(zone), "D j M Y, H:i")


def _tell(
    event: Event,
    people: Iterable[Employee | None],
    kind: str,
    title: str,
    body: str,
    values: dict[str, Any],
    *,
    url: str = "",
    when: dict[str, Any] | None = None,
) -> None:
    """Notify each active person but the actor. ``title`` and ``body`` are untranslated message ids;
    ``when`` names instants that are written in each recipient's own time zone."""
    seen: set[int] = set()
    for person in people:
        if person is None or not person.is_active or person.user_id == event.actor_id or person.pk in seen:
            continue
        seen.add(person.pk)

        def render(person: Employee = person) -> tuple[str, str]:
            local = {**values, **{name: _when(at, person) for name, at in (when or {}).items()}}
            return _(title) % local, _(body) % local

        notifications.notify(recipient_user_id=person.user_id, kind=kind, render=render, url=url, event_id=event.pk)


def _request_of(event: Event) -> Request | None:
    if event.subject_type != "servicedesk.request":
        return None
    return (
        Request.objects.select_related("desk__unit", "requester__user", "on_behalf_of__user", "assignee__user")
        .filter(pk=int(event.subject_id))
        .first()
    )


def _request_url(request: Request) -> str:
    return reverse("servicedesk:request", args=[request.desk.prefix, request.number])


def _request_values(request: Request) -> dict[str, Any]:
    return {"key": request.key, "subject": request.subject, "unit": request.desk.unit.name}


def _provider_side(request: Request, *also: Employee | None) -> list[Employee | None]:
    """Who answers for the request: the agents named, else the assignee, else the desk's agents."""
    named = [person for person in also if person is not None]
    if named:
        return list(named)
    if request.assignee is not None:
        return [request.assignee]
    return list(desk_selectors.desk_agents(desk=request.desk)[:AGENTS_TOLD])


# --- commitments ---------------------------------------------------------------------------------


def _commitment_of(event: Event) -> Commitment | None:
    commitment_id = event.payload.get("commitment")
    if not isinstance(commitment_id, int):
        return None
    return (
        Commitment.objects.select_related("owner__user", "recipient__user", "request__desk__unit")
        .filter(pk=commitment_id)
        .first()
    )


Audience = Callable[[Commitment], list[Employee | None]]

# Per event: the title, the body, and who hears it.
_COMMITMENT_MESSAGES: dict[str, tuple[str, str, Audience]] = {
    COMMITMENT_MADE: (
        gettext_noop("%(who)s commits to %(when)s"),
        gettext_noop("%(who)s will have “%(what)s” done by %(when)s."),
        lambda commitment: [commitment.recipient],
    ),
    COMMITMENT_REVISED: (
        gettext_noop("%(who)s moved a promise to %(when)s"),
        gettext_noop("“%(what)s” is now due %(when)s instead of %(before)s. The reason: %(reason)s"),
        # The owner hears it too when a colleague at the desk moved it for them.
        lambda commitment: [commitment.recipient, commitment.owner],
    ),
    COMMITMENT_KEPT: (
        gettext_noop("Promise kept: %(what)s"),
        gettext_noop("%(who)s promised “%(what)s” for %(when)s and kept the promise."),
        lambda commitment: [commitment.recipient],
    ),
    COMMITMENT_BROKEN: (
        gettext_noop("Promise broken: %(what)s"),
        gettext_noop("“%(what)s” was promised by %(who)s to %(to)s for %(when)s and was not done by then."),
        lambda commitment: [commitment.owner, commitment.recipient],
    ),
}


@handles(*_COMMITMENT_MESSAGES)
def tell_about_commitment(event: Event) -> None:
    commitment = _commitment_of(event)
    if commitment is None:
        return
    title, body, audience = _COMMITMENT_MESSAGES[event.type]
    request = commitment.request
    values = {
        "who": commitment.owner.name,
        "what": request.subject if request is not None else commitment.title,
        "to": commitment.recipient.name,
        "reason": event.payload.get("reason", ""),
    }
    _tell(
        event,
        audience(commitment),
        event.type,
        title,
        body,
        values,
        url=_request_url(request) if request is not None else "",
        when={"when": event.payload.get("due_at"), "before": event.payload.get("previous_due_at")},
    )


# --- needed-by -----------------------------------------------------------------------------------

Side = Callable[[Request, NeededBy], list[Employee | None]]


def _asked_side(request: Request, entry: NeededBy) -> list[Employee | None]:
    return _provider_side(request)


def _answering_side(request: Request, entry: NeededBy) -> list[Employee | None]:
    return _provider_side(request, entry.responded_by)


def _requesting_side(request: Request, entry: NeededBy) -> list[Employee | None]:
    return [request.requester, request.on_behalf_of]


def _assignee(request: Request, entry: NeededBy) -> list[Employee | None]:
    return [request.assignee]


# Per event (and, for an acceptance, per side that accepted): the title, the body, who hears it.
_NEEDED_BY_MESSAGES: dict[str, tuple[str, str, Side]] = {
    NEEDED_BY_PROPOSED: (
        gettext_noop("%(key)s is needed by %(needed)s"),
        gettext_noop(
            "The requester needs “%(subject)s” by %(needed)s, sooner than promised, because: %(reason)s. "
            "Accept the date or propose another one."
        ),
        _asked_side,
    ),
    NEEDED_BY_NOTED: (
        gettext_noop("%(key)s is needed by %(needed)s"),
        gettext_noop("The requester needs “%(subject)s” by %(needed)s, which the standard already allows: %(reason)s"),
        _assignee,
    ),
    NEEDED_BY_COUNTERED: (
        gettext_noop("%(key)s: %(unit)s proposes %(counter)s"),
        gettext_noop(
            "%(unit)s cannot have “%(subject)s” done by %(needed)s, but can by %(counter)s. "
            "Accept the new date or withdraw yours."
        ),
        _requesting_side,
    ),
    f"{NEEDED_BY_ACCEPTED}:provider": (
        gettext_noop("%(key)s: your date is accepted"),
        gettext_noop("%(unit)s will have “%(subject)s” done by %(agreed)s."),
        _requesting_side,
    ),
    f"{NEEDED_BY_ACCEPTED}:requester": (
        gettext_noop("%(key)s: the requester accepts %(agreed)s"),
        gettext_noop("The requester agreed to have “%(subject)s” by %(agreed)s; it is now the request's commitment."),
        _answering_side,
    ),
    NEEDED_BY_WITHDRAWN: (
        gettext_noop("%(key)s: needed-by date withdrawn"),
        gettext_noop("The requester withdrew the date %(needed)s for “%(subject)s”; the standard applies again."),
        _answering_side,
    ),
}


@handles(NEEDED_BY_PROPOSED, NEEDED_BY_NOTED, NEEDED_BY_COUNTERED, NEEDED_BY_ACCEPTED, NEEDED_BY_WITHDRAWN)
def tell_about_needed_by(event: Event) -> None:
    """Each step of a negotiation reaches the other side."""
    request = _request_of(event)
    entry_id = event.payload.get("needed_by")
    entry = (
        NeededBy.objects.select_related("responded_by__user").filter(pk=entry_id).first()
        if isinstance(entry_id, int)
        else None
    )
    if request is None or entry is None:
        return
    key = f"{event.type}:{event.payload.get('by')}" if event.type == NEEDED_BY_ACCEPTED else event.type
    title, body, side = _NEEDED_BY_MESSAGES[key]
    _tell(
        event,
        side(request, entry),
        event.type,
        title,
        body,
        {**_request_values(request), "reason": entry.reason},
        url=_request_url(request),
        when={"needed": entry.needed_by, "counter": entry.counter_due_at, "agreed": event.payload.get("at")},
    )


# --- obstacles -----------------------------------------------------------------------------------


def _requester_and_watchers(request: Request) -> list[Employee | None]:
    return [request.requester, request.on_behalf_of, *desk_selectors.request_watchers(request=request)]


def _waiting_words(payload: dict[str, Any]) -> str:
    """Who or what an obstacle waits on, as its event says it: a name, a request key, or the words."""
    if payload.get("waiting_on") == "person":
        person = _person(payload.get("waiting_on_person"))
        return person.name if person is not None else ""
    if payload.get("waiting_on") == "request":
        return str(payload.get("waiting_on_key") or "")
    return str(payload.get("waiting_on_outside") or "")


@handles(OBSTACLE_FLAGGED)
def tell_about_obstacle(event: Event) -> None:
    """The requester, the person it is for and the watchers hear of an obstacle at once."""
    request = _request_of(event)
    if request is None:
        return
    _tell(
        event,
        _requester_and_watchers(request),
        event.type,
        gettext_noop("%(key)s is held up until %(expected)s"),
        gettext_noop(
            "%(unit)s is held up with “%(subject)s”: %(what)s It waits on %(waiting)s, and %(unit)s now "
            "expects to go on by %(expected)s."
        ),
        {
            **_request_values(request),
            "what": event.payload.get("description", ""),
            "waiting": _waiting_words(event.payload),
        },
        url=_request_url(request),
        when={"expected": event.payload.get("expected_at")},
    )


@handles(OBSTACLE_FLAGGED)
def tell_who_is_waited_on(event: Event) -> None:
    """The person an obstacle waits on hears that a request is held up by them; for a request of
    another desk, its assignee (else that desk's agents) hears that their request blocks this one."""
    request = _request_of(event)
    if request is None:
        return
    values = {**_request_values(request), "what": event.payload.get("description", "")}
    if event.payload.get("waiting_on") == "person":
        _tell(
            event,
            [_person(event.payload.get("waiting_on_person"))],
            "servicedesk.obstacle_waits_on_you",
            gettext_noop("%(key)s waits on you"),
            gettext_noop(
                "%(unit)s is held up with “%(subject)s” and waits on you: %(what)s It expects to go on by %(expected)s."
            ),
            values,
            url=_request_url(request),
            when={"expected": event.payload.get("expected_at")},
        )
        return
    waited_id = event.payload.get("waiting_on_request")
    if event.payload.get("waiting_on") != "request" or not isinstance(waited_id, int):
        return
    waited = Request.objects.select_related("desk__unit", "assignee__user").filter(pk=waited_id).first()
    if waited is None:
        return
    _tell(
        event,
        _provider_side(waited),
        "servicedesk.obstacle_blocking_others",
        gettext_noop("%(waited)s is blocking %(key)s"),
        gettext_noop(
            "%(unit)s cannot go on with %(key)s “%(subject)s” until %(waited)s is done: %(what)s "
            "It shows in your desk's “Blocking others” queue."
        ),
        {**values, "waited": waited.key},
        url=_request_url(waited),
    )


@handles(OBSTACLE_RESOLVED)
def tell_about_obstacle_resolved(event: Event) -> None:
    """The same people hear that it is out of the way; not when resolving the request cleared it
    (they hear of the resolution itself)."""
    if event.payload.get("how") != "resolved":
        return
    request = _request_of(event)
    obstacle_id = event.payload.get("obstacle")
    obstacle = Obstacle.objects.filter(pk=obstacle_id).first() if isinstance(obstacle_id, int) else None
    if request is None or obstacle is None:
        return
    note = event.payload.get("note") or ""
    _tell(
        event,
        _requester_and_watchers(request),
        event.type,
        gettext_noop("%(key)s is moving again"),
        gettext_noop("%(unit)s has cleared what held up “%(subject)s” (%(what)s). %(note)s")
        if note
        else gettext_noop("%(unit)s has cleared what held up “%(subject)s” (%(what)s)."),
        {**_request_values(request), "what": obstacle.description, "note": note},
        url=_request_url(request),
    )


# --- keeping people informed ---------------------------------------------------------------------


@handles(UPDATE_DUE_SOON)
def nudge_about_update(event: Event) -> None:
    """The assignee (the desk's lead while nobody is assigned) is reminded before the update is due."""
    request = _request_of(event)
    if request is None:
        return
    _tell(
        event,
        [request.assignee or lead_of(unit=request.desk.unit)],
        event.type,
        gettext_noop("%(key)s: a public update is due by %(due)s"),
        gettext_noop(
            "The update standard asks for a public update on “%(subject)s” by %(due)s. Reply to the "
            "requester, make or move a commitment, or say what is in the way."
        ),
        _request_values(request),
        url=_request_url(request),
        when={"due": event.payload.get("due_at")},
    )


@handles(UPDATE_OVERDUE)
def tell_lead_about_silence(event: Event) -> None:
    """The lead of the desk's unit (or the nearest lead above) hears once that a request went silent."""
    request = _request_of(event)
    if request is None:
        return
    last = event.payload.get("last_update_at")
    _tell(
        event,
        [lead_of(unit=request.desk.unit)],
        event.type,
        gettext_noop("%(key)s has gone silent"),
        gettext_noop("The requester of “%(subject)s” has had no public update since %(last)s; one was due by %(due)s.")
        if last
        else gettext_noop("The requester of “%(subject)s” has had no public update yet; one was due by %(due)s."),
        {**_request_values(request), "assignee": request.assignee.name if request.assignee else ""},
        url=_request_url(request),
        when={"due": event.payload.get("due_at"), "last": last},
    )


# --- feedback ------------------------------------------------------------------------------------


@handles(REQUEST_STATUS_CHANGED)
def ask_for_feedback(event: Event) -> None:
    """A resolved request asks its requester for a rating (once it is rated, never again)."""
    if event.payload.get("to") != Status.RESOLVED:
        return
    request = _request_of(event)
    if request is None or Feedback.objects.filter(request=request).exists():
        return
    _tell(
        event,
        [request.requester],
        "servicedesk.feedback_asked",
        gettext_noop("How did %(unit)s do with %(key)s?"),
        gettext_noop(
            "“%(subject)s” is resolved. Rate the service from 1 to 5 and, if you like, "
            "thank the people who helped, on the request's page."
        ),
        _request_values(request),
        url=_request_url(request),
    )


@handles(FOLLOW_UP_OPENED)
def tell_lead_about_low_rating(event: Event) -> None:
    request = _request_of(event)
    lead = _person(event.payload.get("lead"))
    if request is None or lead is None:
        return
    feedback = Feedback.objects.filter(request=request).first()
    _tell(
        event,
        [lead],
        "servicedesk.follow_up",
        gettext_noop("%(key)s was rated %(rating)s of 5"),
        gettext_noop(
            "The requester rated “%(subject)s” %(rating)s of 5 and wrote: “%(comment)s”. A follow-up is open for you."
        ),
        {
            **_request_values(request),
            "rating": event.payload.get("rating"),
            "comment": feedback.comment if feedback else "",
        },
        url=_request_url(request),
    )


# --- thanks --------------------------------------------------------------------------------------


@handles(THANKS_SENT)
def deliver_thanks(event: Event) -> None:
    """Each thanked person hears it; so does each one's manager, unless thanked or thanking too."""
    request = _request_of(event)
    thanks = ThankYou.objects.filter(pk=int(event.payload.get("thanks") or 0)).first()
    if request is None or thanks is None:
        return
    recipients = list(thanks.recipients.select_related("user", "manager__user").order_by("pk"))
    giver = _person(thanks.giver_id)
    values = {**_request_values(request), "giver": giver.name if giver else "", "message": thanks.message}
    url = _request_url(request)
    _tell(
        event,
        recipients,
        "servicedesk.thanks",
        gettext_noop("%(giver)s thanks you"),
        gettext_noop("%(giver)s thanked you for your help with %(key)s “%(subject)s”: “%(message)s”"),
        values,
        url=url,
    )
    # A manager of several thanked people hears it once, naming them all.
    thanked = {person.pk for person in recipients} | {thanks.giver_id}
    reports: dict[int, tuple[Employee, list[str]]] = {}
    for person in recipients:
        manager = person.manager
        if manager is not None and manager.pk not in thanked:
            reports.setdefault(manager.pk, (manager, []))[1].append(person.name)
    for manager, names in reports.values():
        _tell(
            event,
            [manager],
            "servicedesk.thanks_to_report",
            gettext_noop("%(giver)s thanked %(name)s"),
            gettext_noop("%(giver)s thanked %(name)s, who reports to you, for their help with %(key)s: “%(message)s”"),
            {**values, "name": ", ".join(names)},
            url=url,
        )
