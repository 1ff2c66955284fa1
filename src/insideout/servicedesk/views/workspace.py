"""Agent workspace: queues, bulk assignment, the request page and its actions.

The request page serves its requester, watchers and the desk's agents; agents see more (internal
notes, the requester's profile, assignment and priority). Every action is a POST that calls one
service and answers with a redirect back to the page, so it works without JavaScript; htmx
requests the same URLs and swaps the page's body (``#request-body``) or the queue's results
(``#queue-results``) in place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from insideout.core.errors import Conflict, Forbidden, NotFound
from insideout.core.models import Event
from insideout.core.pagination import IdsFirst, Loaded
from insideout.core.text import as_id
from insideout.people.models import Employee
from insideout.servicedesk import selectors, services
from insideout.servicedesk.clockstore import REQUEST_FIRST_RESPONSE, REQUEST_OPENED, REQUEST_STATUS_CHANGED
from insideout.servicedesk.clockview import ClockView, clock_view
from insideout.servicedesk.models import FieldType, Metric, Priority, Request, Status
from insideout.servicedesk.views import obstacles
from insideout.servicedesk.views.common import actor, get_or_404
from insideout.servicedesk.views.cooperation_page import event_words, request_promises
from insideout.servicedesk.views.workspace_forms import (
    FILTER_NAMES,
    QUEUE_LABELS,
    AssignForm,
    BulkAssignForm,
    QueueFilterForm,
    ReplyForm,
    WatchForm,
    assignee_value,
    filters_query,
)

PAGE_SIZE = 25


# --- queues ---------------------------------------------------------------------------------------


def _next_clock(clocks: list[selectors.ClockRow], now: datetime) -> ClockView | None:
    """The clock to show in a queue row: the running one due first, else a paused one."""
    views = [clock_view(clock, now=now) for clock in clocks]
    running = [view for view in views if view.met_at is None and not view.paused and view.due_at is not None]
    if running:
        return min(running, key=lambda view: view.due_at or now)
    paused = [view for view in views if view.paused]
    return paused[0] if paused else None


@login_required
@vary_on_headers("HX-Request", "HX-Target")  # the same URL answers with the results or the page
def queues(request: HttpRequest) -> HttpResponse:
    me = actor(request)
    access = selectors.access_for(me)
    if not access.staff_desk_ids:
        return render(request, "servicedesk/workspace/not_agent.html", status=403)
    desks = list(selectors.desk_list().filter(pk__in=access.staff_desk_ids))
    offered_services = list(selectors.service_list_for(actor=me).filter(desk_id__in=access.staff_desk_ids))
    agents = selectors.agents_of_desks(desks=desks, employee=access.employee)
    form = QueueFilterForm(request.GET, desks=desks, services=offered_services, agents=agents)
    values = form.values()
    requests = selectors.request_queue_for(
        actor=me,
        queue=values["queue"],
        status=values.get("status") or "",
        priority=values.get("priority") or "",
        service_id=values.get("service"),
        assignee_id=values.get("assignee"),
        desk_id=values.get("desk"),
        q=values["q"],
    )
    counts = selectors.queue_counts_for(actor=me, desk_id=values.get("desk"))
    filtered = any(values.get(name) for name in FILTER_NAMES if name not in ("queue", "desk"))
    known = None if filtered else counts[values["queue"]]  # the tab's count is the list's length
    rows = Loaded(IdsFirst(requests, count=known), selectors.request_rows_by_id)
    # Django's Paginator only slices and counts its list, which Loaded does (its stub wants a sequence).
    page: Page[selectors.RequestRow] = Paginator(cast("Any", rows), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    clocks = selectors.clocks_by_request(row.pk for row in page.object_list)
    context = {
        "form": form,
        "values": values,
        "query": filters_query(values),
        "tabs": [
            {
                "name": name,
                "label": label,
                "count": counts[name],
                "query": filters_query(values, queue=name),
                "current": name == values["queue"],
            }
            for name, label in QUEUE_LABELS.items()
        ],
        "queue_label": QUEUE_LABELS[values["queue"]],
        "filtered": any(values.get(name) for name in FILTER_NAMES if name != "queue"),
        "page": page,
        "rows": [(row, _next_clock(clocks.get(row.pk, []), now)) for row in page.object_list],
        "agents": agents,
        "several_desks": len(desks) > 1,
        "myself": access.employee,
    }
    if request.htmx and request.htmx.target == "queue-results":  # type: ignore[attr-defined]
        return render(request, "servicedesk/workspace/queue_results.html", context)
    return render(request, "servicedesk/workspace/queues.html", context)


def _assignable(service_request: Request, employee: Employee | None) -> list[selectors.PersonChoice]:
    """The agents the request can be given to, with its current assignee among them."""
    agents = selectors.agents_of_desks(desks=[service_request.desk], employee=employee)
    assignee = service_request.assignee
    if assignee is not None and assignee.is_active and all(agent.pk != assignee.pk for agent in agents):
        agents = sorted([*agents, selectors.PersonChoice.of(assignee)], key=lambda agent: (agent.sort_name, agent.pk))
    return agents


def _queue_url(back: str) -> str:
    """The queue the bulk form came from, rebuilt from known filters only (never an open redirect)."""
    given = QueryDict(back[:1000])
    values = {name: given.get(name) for name in FILTER_NAMES}
    query = filters_query(values)
    page = given.get("page", "")
    if as_id(page) is not None:
        query = f"{query}&page={page}" if query else f"page={page}"
    url = reverse("servicedesk:queues")
    return f"{url}?{query}" if query else url


@login_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    me = actor(request)
    access = selectors.access_for(me)
    if not access.staff_desk_ids:
        return render(request, "servicedesk/workspace/not_agent.html", status=403)
    form = BulkAssignForm(request.POST)
    form.is_valid()
    back = _queue_url(form.cleaned_data.get("back") or "")
    request_ids = form.cleaned_data.get("requests") or []
    understood, assignee_id = assignee_value(form.cleaned_data.get("assignee") or "", me=access.employee)
    if not understood:
        messages.error(request, _("Choose whom to assign the requests to."))
        return redirect(back)
    try:
        changed = services.requests_assign_bulk(actor=me, request_ids=request_ids, assignee_id=assignee_id)
    except (ValidationError, NotFound, Forbidden, Conflict) as exc:
        messages.error(request, _("Nothing was assigned: %(reason)s") % {"reason": _reason(exc)})
    else:
        messages.success(
            request,
            _("%(changed)d of %(chosen)d requests assigned.") % {"changed": changed, "chosen": len(set(request_ids))},
        )
    return redirect(back)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(message) for message in exc.messages)
    if isinstance(exc, NotFound):
        return _("one of the requests does not exist or is not yours to see.")
    return str(getattr(exc, "message", exc))


# --- the request page -------------------------------------------------------------------------------

# How each move reads on its button, by target status (and the current one for in progress).
MOVE_LABELS = {
    Status.WAITING_ON_REQUESTER: lambda current: _("Wait on requester"),
    Status.RESOLVED: lambda current: _("Resolve"),
    Status.CLOSED: lambda current: _("Close"),
    Status.IN_PROGRESS: lambda current: _("Reopen") if current in (Status.RESOLVED, Status.CLOSED) else _("Start work"),
}


def _moves(service_request: Request, *, is_agent: bool, is_requester: bool) -> list[tuple[str, str]]:
    allowed: set[str] = set(services.AGENT_TRANSITIONS.get(service_request.status, ())) if is_agent else set()
    if is_requester:
        allowed |= services.REQUESTER_TRANSITIONS.get(service_request.status, frozenset())
    order = [Status.IN_PROGRESS, Status.WAITING_ON_REQUESTER, Status.RESOLVED, Status.CLOSED]
    return [(status.value, MOVE_LABELS[status](service_request.status)) for status in order if status in allowed]


def _event_text(event: Event, people: dict[int, Employee]) -> str | None:
    """One line of history in words; None for events the timeline shows otherwise (replies)."""
    payload = event.payload or {}

    def name(key: str) -> str:
        person = people.get(payload.get(key) or 0)
        return person.name if person else _("nobody")

    def status(key: str) -> str:
        value = payload.get(key) or ""
        return str(Status(value).label) if value in Status.values else value

    kind = event.type
    if kind == REQUEST_OPENED:
        return _("opened the request")
    if kind == REQUEST_STATUS_CHANGED:
        words = {"old": status("from"), "new": status("to")}
        if payload.get("reason") == "requester_replied":
            return _("the requester's reply moved it from %(old)s to %(new)s") % words
        if payload.get("reason") == "auto_closed":
            return _("closed by itself after the quiet period")
        return _("changed the status from %(old)s to %(new)s") % words
    if kind == REQUEST_FIRST_RESPONSE:
        return _("first response given")
    if kind == services.REQUEST_ASSIGNED:
        if payload.get("rule") not in (None, "manual"):
            return _("assigned automatically to %(to)s") % {"to": name("to")}
        return _("assigned it to %(to)s") % {"to": name("to")} if payload.get("to") else _("unassigned it")
    if kind == services.REQUEST_PRIORITY_CHANGED:
        return _("changed the priority from %(old)s to %(new)s") % {
            "old": payload.get("from"),
            "new": payload.get("to"),
        }
    if kind == services.REQUEST_WATCHER_ADDED:
        return _("added %(who)s as a watcher") % {"who": name("employee")}
    if kind in (services.CLOCK_AT_RISK, services.CLOCK_BREACHED):
        metric = payload.get("metric") or ""
        label = str(Metric(metric).label) if metric in Metric.values else metric
        if kind == services.CLOCK_AT_RISK:
            return _("%(metric)s clock is at risk") % {"metric": label}
        return _("%(metric)s clock breached") % {"metric": label}
    if kind == services.REQUEST_COMMENTED:
        return None
    return kind.rpartition(".")[2].replace("_", " ")


def _person_ids(events: list[Event], fields: list[Any], values: dict[str, Any]) -> set[int]:
    ids: set[int] = set()
    for event in events:
        for key in ("to", "from", "employee"):
            value = (event.payload or {}).get(key)
            if isinstance(value, int) and event.type in (services.REQUEST_ASSIGNED, services.REQUEST_WATCHER_ADDED):
                ids.add(value)
    for field in fields:
        value = values.get(field.key)
        if field.type == FieldType.PERSON and isinstance(value, int):
            ids.add(value)
    return ids


def _field_rows(fields: list[Any], values: dict[str, Any], people: dict[int, Employee]) -> list[dict[str, Any]]:
    rows = []
    for field in fields:
        value = values.get(field.key)
        if value in (None, "", []):
            continue
        row: dict[str, Any] = {"label": field.label, "type": field.type, "value": value}
        if field.type == FieldType.MULTI_CHOICE and isinstance(value, list):
            row["value"] = ", ".join(str(item) for item in value)
        elif field.type == FieldType.PERSON:
            row["person"] = people.get(value) if isinstance(value, int) else None
        elif field.type == FieldType.DATE and isinstance(value, str):
            try:
                row["date"] = date.fromisoformat(value)
            except ValueError:
                row["date"] = None
        elif field.type == FieldType.FILE and isinstance(value, dict):
            row["attachment"] = value.get("attachment")
            row["value"] = value.get("name") or _("file")
        rows.append(row)
    return rows


def _request_or_404(request: HttpRequest, prefix: str, number: int) -> Request:
    return get_or_404(selectors.request_get_by_key_for, actor=actor(request), key=f"{prefix}-{number}")


def _render_request(
    request: HttpRequest,
    service_request: Request,
    *,
    reply_form: ReplyForm | None = None,
    promise_forms: Mapping[str, forms.Form] | None = None,
) -> HttpResponse:
    me = actor(request)
    access = selectors.access_for(me)
    is_agent = access.is_agent(service_request.desk_id)
    employee = access.employee
    is_requester = employee is not None and employee.pk in (
        service_request.requester_id,
        service_request.on_behalf_of_id,
    )
    now = timezone.now()
    parts = selectors.request_parts(request=service_request)
    clocks = [clock_view(clock, now=now) for clock in selectors.request_clocks(request=service_request)]
    comments = list(selectors.request_comments_for(actor=me, request=service_request))
    events = selectors.request_history(request=service_request, internal=is_agent)
    fields = list(service_request.request_type.fields.all())
    values = service_request.field_values or {}
    people = selectors.people_by_id(employee_ids=_person_ids(events, fields, values))
    watchers = selectors.request_watchers(request=service_request) if parts.watchers else []
    field_rows = _field_rows(fields, values, people)
    in_fields = {row["attachment"] for row in field_rows if row.get("attachment")}
    timeline: list[dict[str, Any]] = [{"at": comment.created_at, "comment": comment} for comment in comments]
    for event in events:
        text = event_words(event) or _event_text(event, people)
        if text is not None:
            person = getattr(event.actor, "employee", None) if event.actor_id else None
            timeline.append({"at": event.occurred_at, "event": event, "text": text, "person": person})
    timeline.sort(key=lambda item: (item["at"], 0 if "event" in item else 1))
    is_open = service_request.status != Status.CLOSED
    context = {
        "service_request": service_request,
        "is_agent": is_agent,
        "is_requester": is_requester,
        "clocks": clocks,
        "timeline": timeline,
        "fields": field_rows,
        # Files of file fields are shown beside their label already.
        "files": [
            file
            for file in (selectors.request_files(request=service_request) if parts.files else [])
            if file.pk not in in_fields
        ],
        "watchers": watchers,
        "watching": employee is not None and any(watcher.pk == employee.pk for watcher in watchers),
        "can_watch": employee is not None,
        "moves": _moves(service_request, is_agent=is_agent, is_requester=is_requester),
        "agents": _assignable(service_request, employee) if is_agent and is_open else [],
        "priorities": Priority.choices,
        "myself": employee,
        "reply_form": reply_form or ReplyForm(),
        "requester_profile": service_request.requester.profile if is_agent else None,
    }
    context["can_reply"] = is_open and employee is not None and (is_agent or is_requester or context["watching"])
    context["promises"] = request_promises(
        service_request,
        is_agent=is_agent,
        is_requester=is_requester,
        employee=employee,
        comments=comments,
        forms_given=promise_forms,
        now=now,
        parts=parts,
    )
    context.update(obstacles.panel_context(request, service_request, parts=parts))
    context.update(obstacles.update_line_context(service_request, now=now))
    if request.htmx and request.htmx.target == "request-body":  # type: ignore[attr-defined]
        return render(request, "servicedesk/workspace/request_body.html", context)
    return render(request, "servicedesk/request.html", context)


@login_required
@vary_on_headers("HX-Request", "HX-Target")
def request_detail(request: HttpRequest, prefix: str, number: int) -> HttpResponse:
    return _render_request(request, _request_or_404(request, prefix, number))


def _back(service_request: Request) -> HttpResponse:
    return redirect("servicedesk:request", prefix=service_request.desk.prefix, number=service_request.number)


def _act(
    request: HttpRequest, service_request: Request, call: Callable[[], Any], done: Callable[[], str]
) -> HttpResponse:
    """Run one service call: success and refusals become messages on the page; Forbidden a 403."""
    try:
        call()
    except (Conflict, ValidationError) as exc:
        messages.error(request, _reason(exc))
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    else:
        messages.success(request, done())
    return _back(service_request)


@login_required
@require_POST
def reply(request: HttpRequest, prefix: str, number: int) -> HttpResponse:
    service_request = _request_or_404(request, prefix, number)
    form = ReplyForm(request.POST)
    if form.is_valid():
        internal = form.cleaned_data["internal"]
        try:
            services.request_comment(
                actor=actor(request),
                request=service_request,
                body=form.cleaned_data["body"],
                internal=internal,
                attachments=request.FILES.getlist("attachments"),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        except Conflict as exc:
            messages.error(request, exc.message)
            return _back(service_request)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        else:
            messages.success(request, _("Your internal note is added.") if internal else _("Your reply is sent."))
            return _back(service_request)
    return _render_request(request, service_request, reply_form=form)


@login_required
@require_POST
def assign(request: HttpRequest, prefix: str, number: int) -> HttpResponse:
    service_request = _request_or_404(request, prefix, number)
    form = AssignForm(request.POST)
    form.is_valid()
    me = selectors.access_for(actor(request)).employee
    understood, assignee_id = assignee_value(form.cleaned_data.get("assignee") or "", me=me)
    if not understood:
        messages.error(request, _("Choose an agent, or nobody."))
        return _back(service_request)
    return _act(
        request,
        service_request,
        lambda: services.request_assign(actor=actor(request), request=service_request, assignee_id=assignee_id),
        lambda: _("The assignment is saved."),
    )


def _value_action(
    field: str, call: Callable[[HttpRequest, Request, str], Any], done: Callable[[str], str]
) -> Callable[..., HttpResponse]:
    """A POST action that hands one posted value to a service, which checks it (and who may)."""

    @login_required
    @require_POST
    def view(request: HttpRequest, prefix: str, number: int) -> HttpResponse:
        service_request = _request_or_404(request, prefix, number)
        value = str(request.POST.get(field, ""))[:40]
        return _act(request, service_request, lambda: call(request, service_request, value), lambda: done(value))

    return view


transition = _value_action(
    "status",
    lambda request, service_request, value: services.request_transition(
        actor=actor(request), request=service_request, status=value
    ),
    lambda value: _("The request is now %(status)s.") % {"status": Status(value).label.lower()},
)
priority = _value_action(
    "priority",
    lambda request, service_request, value: services.request_priority_set(
        actor=actor(request), request=service_request, priority=value
    ),
    lambda value: _("The priority is now %(priority)s.") % {"priority": Priority(value).label},
)


@login_required
@require_POST
def watch(request: HttpRequest, prefix: str, number: int) -> HttpResponse:
    service_request = _request_or_404(request, prefix, number)
    form = WatchForm(request.POST)
    on = form.cleaned_data["watch"] if form.is_valid() else True
    return _act(
        request,
        service_request,
        lambda: services.request_watch(actor=actor(request), request=service_request, watch=on),
        lambda: _("You are watching this request.") if on else _("You no longer watch this request."),
    )


@login_required
def attachment_download(request: HttpRequest, prefix: str, number: int, attachment_id: int) -> FileResponse:
    service_request = _request_or_404(request, prefix, number)
    attachment = get_or_404(
        selectors.attachment_get_for, actor=actor(request), request=service_request, attachment_id=attachment_id
    )
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The file is missing from storage.")) from exc
    # Always a download under the stored, sanitised name: an uploaded page never runs in the site's origin.
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type="application/octet-stream"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


REQUEST = "requests/<str:prefix>-<int:number>/"

urlpatterns: list[URLPattern] = [
    path("desk/", queues, name="queues"),
    path("desk/assign/", bulk_assign, name="bulk-assign"),
    path(REQUEST, request_detail, name="request"),
    path(f"{REQUEST}reply/", reply, name="request-reply"),
    path(f"{REQUEST}transition/", transition, name="request-transition"),
    path(f"{REQUEST}assign/", assign, name="request-assign"),
    path(f"{REQUEST}priority/", priority, name="request-priority"),
    path(f"{REQUEST}watch/", watch, name="request-watch"),
    path(f"{REQUEST}attachments/<int:attachment_id>/", attachment_download, name="request-attachment"),
]
