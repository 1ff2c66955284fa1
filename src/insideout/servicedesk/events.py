"""This context's handlers: who hears about what happens to a request.

Each handler runs after the commit, at least once; the notifications context keeps a person from
hearing about the same event twice. Nobody is told about their own action (but whoever files a
request gets a receipt with its link), and leavers hear nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from insideout.core.events import handles
from insideout.core.models import Event
from insideout.notifications import facade as notifications
from insideout.servicedesk import services
from insideout.servicedesk.clockstore import REQUEST_OPENED, REQUEST_STATUS_CHANGED
from insideout.servicedesk.models import Metric, Request, Status


def _request(event: Event) -> Request | None:
    return (
        Request.objects.select_related(
            "desk__unit__lead__user", "requester__user", "on_behalf_of__user", "assignee__user"
        )
        .filter(pk=int(event.subject_id))
        .first()
    )


def _url(request: Request) -> str:
    return reverse("servicedesk:request", args=[request.desk.prefix, request.number])


def _requester_side(request: Request) -> list[int]:
    """Users of the requester, the person it is for, and the watchers (active people only)."""
    users = [request.requester.user_id] if request.requester.is_active else []
    if request.on_behalf_of is not None and request.on_behalf_of.is_active:
        users.append(request.on_behalf_of.user_id)
    users += list(request.watchers.filter(employee__is_active=True).values_list("employee__user_id", flat=True))
    return users


def _assignee_or_lead(request: Request) -> list[int]:
    if request.assignee is not None and request.assignee.is_active:
        return [request.assignee.user_id]
    lead = request.desk.unit.lead
    return [lead.user_id] if lead is not None and lead.is_active else []


def _send(
    event: Event, users: Iterable[int], kind: str, request: Request, title: str, body: str, *, receipt: bool = False
) -> None:
    """``title`` and ``body`` are untranslated message ids with %(key)s, %(subject)s … placeholders.

    The actor is left out, except for a ``receipt``: the confirmation sent to whoever filed a request.
    """
    url = _url(request)
    values = {"key": request.key, "subject": request.subject, "unit": request.desk.unit.name}
    for user_id in dict.fromkeys(users):
        if user_id == event.actor_id and not receipt:
            continue
        notifications.notify(
            recipient_user_id=user_id,
            kind=kind,
            render=lambda: (_(title) % values, _(body) % values),
            url=url,
            event_id=event.pk,
        )


@handles(REQUEST_OPENED)
def tell_about_new_request(event: Event) -> None:
    request = _request(event)
    if request is None:
        return
    _send(
        event,
        [request.requester.user_id] if request.requester.is_active else [],
        "servicedesk.received",
        request,
        gettext_noop("We have received %(key)s"),
        gettext_noop("%(unit)s has your request “%(subject)s”. You can follow its progress and clocks on its page."),
        receipt=True,
    )
    if request.on_behalf_of is not None and request.on_behalf_of.is_active:
        _send(
            event,
            [request.on_behalf_of.user_id],
            "servicedesk.on_behalf",
            request,
            gettext_noop("A request was filed for you: %(key)s"),
            gettext_noop("Someone asked %(unit)s for “%(subject)s” on your behalf."),
        )
    if request.assignee_id is None:
        lead = request.desk.unit.lead
        if lead is not None and lead.is_active:
            _send(
                event,
                [lead.user_id],
                "servicedesk.new_unassigned",
                request,
                gettext_noop("New request %(key)s waits for an agent"),
                gettext_noop("“%(subject)s” has arrived at %(unit)s and nobody is assigned yet."),
            )


@handles(services.REQUEST_ASSIGNED)
def tell_assignee(event: Event) -> None:
    request = _request(event)
    if request is None or request.assignee is None or not request.assignee.is_active:
        return
    if event.payload.get("to") != request.assignee_id:
        return  # reassigned again since; the later event tells the later assignee
    _send(
        event,
        [request.assignee.user_id],
        "servicedesk.assigned",
        request,
        gettext_noop("%(key)s is assigned to you"),
        gettext_noop("“%(subject)s” is now yours to handle."),
    )


@handles(services.REQUEST_COMMENTED)
def tell_about_reply(event: Event) -> None:
    request = _request(event)
    if request is None:
        return
    if event.payload.get("internal"):
        _send(
            event,
            _assignee_or_lead(request),
            "servicedesk.note",
            request,
            gettext_noop("Internal note on %(key)s"),
            gettext_noop("A colleague added an internal note to “%(subject)s”."),
        )
        return
    users = _requester_side(request)
    if request.assignee is not None and request.assignee.is_active:
        users.append(request.assignee.user_id)
    _send(
        event,
        users,
        "servicedesk.reply",
        request,
        gettext_noop("New reply on %(key)s"),
        gettext_noop("There is a new reply on “%(subject)s”."),
    )


_STATUS_MESSAGES = {
    Status.IN_PROGRESS: (gettext_noop("%(key)s is in progress"), gettext_noop("“%(subject)s” is being worked on.")),
    Status.WAITING_ON_REQUESTER: (
        gettext_noop("%(key)s is waiting for you"),
        gettext_noop("%(unit)s needs something from you to go on with “%(subject)s”. Reply on the request's page."),
    ),
    Status.RESOLVED: (
        gettext_noop("%(key)s is resolved"),
        gettext_noop("%(unit)s has resolved “%(subject)s”. Reply if it is not done; otherwise it closes by itself."),
    ),
    Status.CLOSED: (gettext_noop("%(key)s is closed"), gettext_noop("“%(subject)s” is closed.")),
}


@handles(REQUEST_STATUS_CHANGED)
def tell_about_status(event: Event) -> None:
    request = _request(event)
    to = event.payload.get("to")
    if request is None or to not in _STATUS_MESSAGES:
        return
    title, body = _STATUS_MESSAGES[Status(to)]
    users = _requester_side(request)
    if event.payload.get("reason") == "requester_replied" or (event.actor_id is not None and event.actor_id in users):
        # The requester moved it (a reply or a reopen): the agent is the one to hear.
        users = _assignee_or_lead(request)
    _send(event, users, f"servicedesk.status.{to}", request, title, body)


@handles(services.CLOCK_AT_RISK)
def warn_at_risk(event: Event) -> None:
    request = _request(event)
    if request is None:
        return
    if event.payload.get("metric") == Metric.FIRST_RESPONSE:
        title, body = (
            gettext_noop("%(key)s: first response due soon"),
            gettext_noop("“%(subject)s” needs a first reply before its standard runs out."),
        )
    else:
        title, body = (
            gettext_noop("%(key)s: resolution due soon"),
            gettext_noop("“%(subject)s” is close to its resolution target."),
        )
    _send(event, _assignee_or_lead(request), "servicedesk.at_risk", request, title, body)


@handles(services.CLOCK_BREACHED)
def warn_breached(event: Event) -> None:
    request = _request(event)
    if request is None:
        return
    lead = request.desk.unit.lead
    users = [lead.user_id] if lead is not None and lead.is_active else []
    if request.assignee is not None and request.assignee.is_active:
        users.append(request.assignee.user_id)
    if event.payload.get("metric") == Metric.FIRST_RESPONSE:
        title, body = (
            gettext_noop("%(key)s missed its first-response standard"),
            gettext_noop("Nobody has answered “%(subject)s” in time."),
        )
    else:
        title, body = (
            gettext_noop("%(key)s missed its resolution standard"),
            gettext_noop("“%(subject)s” was not resolved in time."),
        )
    _send(event, users, "servicedesk.breached", request, title, body)
