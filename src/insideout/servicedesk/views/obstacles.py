"""The request page's obstacles panel and last-update line: their context, and the panel's POST actions.

The request page includes ``servicedesk/workspace/obstacles_panel.html`` with
:func:`panel_context` and ``servicedesk/workspace/update_line.html`` with
:func:`update_line_context`. Flagging and resolving post here and answer with a redirect back to
the request page, so they work without JavaScript; htmx posts the same forms and swaps the page's
body (``#request-body``) as the page's other actions do. A flag form with mistakes is shown again
with each message next to its field and nothing saved: in place of the panel for htmx
(``HX-Retarget``), else on a page of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from insideout.core.errors import Conflict, Forbidden, NotFound
from insideout.core.text import as_id
from insideout.servicedesk import selectors as desk_selectors
from insideout.servicedesk.clockview import duration_words, update_view, update_words
from insideout.servicedesk.cooperation import selectors, services
from insideout.servicedesk.models import OPEN_STATUSES, Request
from insideout.servicedesk.views.common import actor, get_or_404
from insideout.servicedesk.views.obstacles_forms import ObstacleForm, ResolveForm

# Up to this many people, the person input is a plain list; beyond, a search fills it (as on the portal).
PICK_LIST_LIMIT = 150


def _request_or_404(request: HttpRequest, prefix: str, number: int) -> Request:
    return get_or_404(desk_selectors.request_get_by_key_for, actor=actor(request), key=f"{prefix}-{number}")


def _obstacle_form(request: HttpRequest, data: Any = None) -> ObstacleForm:
    people: Sequence[Any] = desk_selectors.people_choices(actor=actor(request), limit=PICK_LIST_LIMIT + 1)
    search = len(people) > PICK_LIST_LIMIT
    if search:
        chosen = as_id(data.get("obstacle-waiting_on_person", "")) if data is not None else None
        people = list(desk_selectors.people_by_id(employee_ids=[chosen] if chosen is not None else []).values())
    return ObstacleForm(data, people=people, people_search=search)


def panel_context(
    request: HttpRequest,
    service_request: Request,
    *,
    form: ObstacleForm | None = None,
    parts: desk_selectors.RequestParts = desk_selectors.EVERY_PART,
) -> dict[str, Any]:
    """What ``obstacles_panel.html`` needs, for the request as the caller sees it.

    ``obstacles`` (open first), ``open_obstacles`` (how many), ``clock_paused_by_obstacles`` (the
    standard lets them pause the resolution clock and one is open), ``can_flag`` with
    ``obstacle_form``, ``can_resolve`` with ``resolve_form``, and for the desk's agents ``blocking``:
    other requests' open obstacles that wait on this one. At most two queries for the requester
    (the obstacles; the standard, while one is open), four for an agent (also what waits on this
    request, and the people the form offers); ``parts`` (``request_parts``) skips what the request
    has none of.
    """
    access = desk_selectors.access_for(actor(request))
    is_agent = access.is_agent(service_request.desk_id)
    is_open = service_request.status in OPEN_STATUSES
    obstacles = selectors.obstacles_of(request=service_request) if parts.obstacles else []
    open_count = sum(1 for obstacle in obstacles if obstacle.state == "open")
    can_flag = is_agent and is_open and access.employee is not None
    return {
        "service_request": service_request,
        "obstacles": [
            {
                "obstacle": obstacle,
                # A linked request is a link for whoever works its desk; a key for everyone else.
                "link_waited": obstacle.waiting_on_request is not None
                and access.is_agent(obstacle.waiting_on_request.desk_id),
            }
            for obstacle in obstacles
        ],
        "open_obstacles": open_count,
        "clock_paused_by_obstacles": bool(open_count) and selectors.obstacles_pause_clock(request=service_request),
        "blocking": selectors.obstacles_waiting_on(request=service_request) if is_agent and parts.waited_on else [],
        "can_flag": can_flag,
        "obstacle_form": (form or _obstacle_form(request)) if can_flag else None,
        "can_resolve": is_agent and access.employee is not None,
        "resolve_form": ResolveForm(),
    }


def update_line_context(service_request: Request, *, now: datetime | None = None) -> dict[str, Any]:
    """What ``update_line.html`` needs: ``update_line`` with the clock (``view``), its sentence
    (``words``, e.g. "last update 3 working days ago; next update due in 5 working hours — Tue 11:00")
    and the update standard in words (``every_words``, empty without one). ``service_request``
    carries its type and desk, as ``request_get_for`` joins them; no query."""
    now = now or timezone.now()
    view = update_view(service_request, now=now)
    every = duration_words(view.every, business_hours=True) if view.every is not None else ""
    return {"update_line": {"view": view, "words": update_words(view, now=now), "every_words": every}}


def _back(service_request: Request) -> HttpResponse:
    return redirect("servicedesk:request", prefix=service_request.desk.prefix, number=service_request.number)


def _form_again(request: HttpRequest, service_request: Request, form: ObstacleForm) -> HttpResponse:
    context = panel_context(request, service_request, form=form)
    if request.htmx:  # type: ignore[attr-defined]
        response = render(request, "servicedesk/workspace/obstacles_panel.html", context)
        response["HX-Retarget"] = "#obstacles-panel"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "servicedesk/workspace/obstacle_form.html", context)


@login_required
@require_POST
def obstacle_flag(request: HttpRequest, prefix: str, number: int) -> HttpResponse:
    service_request = _request_or_404(request, prefix, number)
    me = actor(request)
    if not desk_selectors.access_for(me).is_agent(service_request.desk_id):
        raise PermissionDenied(
            _("Only agents of %(unit)s can flag an obstacle.") % {"unit": service_request.desk.unit.name}
        )
    form = _obstacle_form(request, request.POST)
    if form.is_valid():
        try:
            arguments = form.service_arguments(lambda key: _request_id_of(request, key))
            services.obstacle_flag(actor=me, request=service_request, **arguments)
        except ValidationError as exc:
            form.add_service_errors(exc.message_dict)
        except Conflict as exc:
            messages.error(request, exc.message)
            return _back(service_request)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        else:
            messages.success(request, _("The obstacle is flagged; the requester and the watchers are told."))
            return _back(service_request)
    return _form_again(request, service_request, form)


def _request_id_of(request: HttpRequest, key: str) -> int:
    """The id of the request with this key, if the caller sees it (the service checks the rest)."""
    try:
        return desk_selectors.request_get_by_key_for(actor=actor(request), key=key.strip().upper()).pk
    except NotFound as exc:
        raise ValidationError(
            {"waiting_on": [_("No request you can see has the key %(key)s.") % {"key": key.strip()}]}
        ) from exc


@login_required
@require_POST
def obstacle_resolve(request: HttpRequest, prefix: str, number: int, obstacle_id: int) -> HttpResponse:
    service_request = _request_or_404(request, prefix, number)
    obstacle = get_or_404(selectors.obstacle_get_of, request=service_request, obstacle_id=obstacle_id)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors.get("note", [])))
        return _back(service_request)
    try:
        services.obstacle_resolve(actor=actor(request), obstacle=obstacle, note=form.cleaned_data["note"])
    except (Conflict, ValidationError) as exc:
        messages.error(request, exc.message if isinstance(exc, Conflict) else " ".join(exc.messages))
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    else:
        messages.success(request, _("The obstacle is resolved; the requester and the watchers are told."))
    return _back(service_request)


REQUEST = "requests/<str:prefix>-<int:number>/"

urlpatterns: list[URLPattern] = [
    path(f"{REQUEST}obstacles/", obstacle_flag, name="obstacle-flag"),
    path(f"{REQUEST}obstacles/<int:obstacle_id>/resolve/", obstacle_resolve, name="obstacle-resolve"),
]
