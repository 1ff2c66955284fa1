"""Portal pages for requesters: the catalog, the request form, my requests.

Every page is for anyone signed in; what they see comes from selectors scoped to them, so a
service open only to some units does not exist (404) for everyone else.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from insideout.core.errors import Conflict, Forbidden
from insideout.core.pagination import IdsFirst
from insideout.core.text import as_id
from insideout.people.models import User
from insideout.servicedesk import selectors, services
from insideout.servicedesk.clockview import duration_words
from insideout.servicedesk.cooperation import services as coop_services
from insideout.servicedesk.cooperation.models import NeededBy
from insideout.servicedesk.models import (
    OPEN_STATUSES,
    CalendarVersion,
    Priority,
    Request,
    RequestType,
    ServiceStandard,
    Status,
)
from insideout.servicedesk.services import WEEKDAYS
from insideout.servicedesk.views.common import actor, get_or_404
from insideout.servicedesk.views.cooperation_page import needed_by_words
from insideout.servicedesk.views.portal_forms import (
    FIELD_PREFIX,
    CatalogSearchForm,
    MyRequestsForm,
    PeopleSearchForm,
    RequestForm,
)

PAGE_SIZE = 25
# Up to this many people, a person input is a plain list; beyond, a search fills it.
PICK_LIST_LIMIT = 150
PICK_SEARCH_LIMIT = 20

DAY_NAMES = {
    "mon": lambda: _("Mon"),
    "tue": lambda: _("Tue"),
    "wed": lambda: _("Wed"),
    "thu": lambda: _("Thu"),
    "fri": lambda: _("Fri"),
    "sat": lambda: _("Sat"),
    "sun": lambda: _("Sun"),
}


# --- words ----------------------------------------------------------------------------------------


def standard_words(priority: str, standard: ServiceStandard) -> str:
    """ "P3 — normal: first response within 4 working hours, resolved within 3 working days"."""
    hours = standard.business_hours
    words = {
        "priority": Priority(priority).label,
        "first": duration_words(timedelta(minutes=standard.first_response_minutes), business_hours=hours),
        "resolved": duration_words(timedelta(minutes=standard.resolution_minutes), business_hours=hours),
    }
    if hours:
        return _("%(priority)s: first response within %(first)s, resolved within %(resolved)s") % words
    return _("%(priority)s: first response within %(first)s, resolved within %(resolved)s, around the clock") % words


def opening_hours_words(calendar: CalendarVersion | None) -> list[str]:
    """The desk's week in brief, one line per run of days with the same hours: "Mon–Fri 09:00–17:00"."""
    if calendar is None:
        return [_("Opening hours are not set yet.")]
    week = calendar.week or {}
    if all(week.get(day) == [["00:00", "24:00"]] for day in WEEKDAYS):
        return [_("Around the clock, every day")]
    lines: list[str] = []
    runs: list[tuple[list[str], Any]] = []
    for day in WEEKDAYS:
        hours = week.get(day) or []
        if runs and runs[-1][1] == hours:
            runs[-1][0].append(day)
        else:
            runs.append(([day], hours))
    for days, hours in runs:
        if not hours:
            continue
        span = DAY_NAMES[days[0]]() if len(days) == 1 else f"{DAY_NAMES[days[0]]()}–{DAY_NAMES[days[-1]]()}"
        times = ", ".join(f"{start}–{end}" for start, end in hours)
        lines.append(f"{span} {times}")
    if not lines:
        return [_("Closed every day.")]
    return lines


def calendar_notes(calendar: CalendarVersion | None) -> str:
    if calendar is None:
        return ""
    if calendar.country:
        region = f"{calendar.country}-{calendar.subdivision}" if calendar.subdivision else calendar.country
        return _("Times in %(zone)s; closed on public holidays in %(region)s.") % {
            "zone": calendar.time_zone,
            "region": region,
        }
    return _("Times in %(zone)s.") % {"zone": calendar.time_zone}


# --- catalog --------------------------------------------------------------------------------------


@login_required
@vary_on_headers("HX-Request", "HX-Target")  # the same URL answers with a fragment or the page
def catalog(request: HttpRequest) -> HttpResponse:
    form = CatalogSearchForm(request.GET)
    form.is_valid()
    q = (form.cleaned_data.get("q") or "").strip()
    me = actor(request)
    services_found = list(selectors.service_list_for(actor=me, q=q))
    has_person = selectors.access_for(me).employee is not None
    types = selectors.request_types_open_of(services=services_found) if has_person else {}
    context = {
        "form": form,
        "q": q,
        "services": services_found,
        "rows": [{"service": service, "types": types.get(service.pk, [])} for service in services_found],
        "has_person": has_person,
    }
    if request.htmx and request.htmx.target == "catalog-results":  # type: ignore[attr-defined]
        return render(request, "servicedesk/portal/partials/catalog_results.html", context)
    return render(request, "servicedesk/portal/catalog.html", context)


@login_required
def service_detail(request: HttpRequest, service_id: int) -> HttpResponse:
    me = actor(request)
    service = get_or_404(selectors.service_get_for, actor=me, service_id=service_id)
    request_types = list(selectors.request_type_list_for(actor=me, service=service))
    standards = selectors.standards_current_for_types(request_types=request_types)
    types = [
        {
            "type": request_type,
            "promises": [
                standard_words(priority, standard) for priority, standard in sorted(standards[request_type.pk].items())
            ],
        }
        for request_type in request_types
    ]
    calendar = service.desk.calendar
    owner = selectors.people_by_id(employee_ids=[service.owner_id]).get(service.owner_id) if service.owner_id else None
    return render(
        request,
        "servicedesk/portal/service.html",
        {
            "service": service,
            "owner": owner,
            "types": types,
            "hours": opening_hours_words(calendar),
            "calendar_notes": calendar_notes(calendar),
            "can_request": selectors.access_for(me).employee is not None,
        },
    )


# --- the request form -----------------------------------------------------------------------------


def people_to_offer(request: HttpRequest, chosen: list[int]) -> tuple[list[Any], bool]:
    """The people a person input offers, and whether it searches (large organisation)."""
    me = actor(request)
    people = selectors.people_choices(actor=me, limit=PICK_LIST_LIMIT + 1)
    if len(people) <= PICK_LIST_LIMIT:
        return people, False
    picked = selectors.people_by_id(employee_ids=chosen)
    return sorted(picked.values(), key=lambda person: (person.sort_name, person.pk)), True


def _chosen_people(request: HttpRequest, request_type: RequestType) -> list[int]:
    names = ["on_behalf_of", *(f"{FIELD_PREFIX}{f.key}" for f in request_type.fields.all() if f.type == "person")]
    return [person for name in names if (person := as_id(request.POST.get(name, ""))) is not None]


# The needed-by service's names for its inputs, as the request form names them.
NEEDED_BY_FIELDS = {"needed_by": "needed_by", "reason": "needed_by_reason"}


def _file(me: User, request_type: RequestType, form: RequestForm) -> tuple[Request, NeededBy | None]:
    """File the request and record its needed-by date as one outcome: when the date is refused,
    nothing is filed (the form has checked it first, so that is rare)."""
    needed = form.needed_by_arguments()
    if needed is None:
        # A type unpublished meanwhile is a 404, like any type the caller may not request.
        return get_or_404(
            services.request_create, actor=me, request_type=request_type, **form.service_arguments()
        ), None
    with transaction.atomic():
        created: Request = get_or_404(
            services.request_create, actor=me, request_type=request_type, **form.service_arguments()
        )
        try:
            entry = coop_services.needed_by_set(actor=me, request=created, **needed)
        except ValidationError as exc:
            raise ValidationError(
                {NEEDED_BY_FIELDS.get(key, key): errors for key, errors in exc.message_dict.items()}
            ) from exc
        except (Conflict, Forbidden) as exc:
            raise ValidationError({"needed_by": [exc.message]}) from exc
        return created, entry


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, request_type_id: int) -> HttpResponse:
    me = actor(request)
    request_type: RequestType = get_or_404(selectors.request_type_get_for, actor=me, request_type_id=request_type_id)
    if selectors.access_for(me).employee is None:
        raise PermissionDenied(_("Only members of the organisation can file requests."))
    people, people_search = people_to_offer(request, _chosen_people(request, request_type))
    form_kwargs: dict[str, Any] = {"request_type": request_type, "people": people, "people_search": people_search}
    if request.method == "POST":
        form = RequestForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            try:
                created, needed = _file(me, request_type, form)
            except ValidationError as exc:
                form.add_service_errors(exc.message_dict)
            else:
                filed = _("Your request %(key)s is filed. You can follow it here.") % {"key": created.key}
                messages.success(
                    request, f"{filed} {needed_by_words(needed, unit=created.desk.unit.name)}" if needed else filed
                )
                return redirect("servicedesk:request", prefix=created.desk.prefix, number=created.number)
    else:
        form = RequestForm(**form_kwargs)
    return render(
        request,
        "servicedesk/portal/request_new.html",
        {"form": form, "request_type": request_type, "service": request_type.service},
    )


@login_required
def people_pick(request: HttpRequest) -> HttpResponse:
    """Options of a person input, for what was typed into its search (htmx)."""
    form = PeopleSearchForm(request.GET)
    form.is_valid()
    q = (form.cleaned_data.get("people_q") or "").strip()
    people = selectors.people_to_pick(actor=actor(request), q=q, limit=PICK_SEARCH_LIMIT) if q else []
    return render(request, "servicedesk/portal/partials/person_options.html", {"people": people, "q": q})


# --- my requests ----------------------------------------------------------------------------------

SHOW_STATUSES = {
    "open": OPEN_STATUSES,
    "resolved": (Status.RESOLVED, Status.CLOSED),
}


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    me = actor(request)
    form = MyRequestsForm(request.GET)
    show = form.value()
    requests = selectors.request_list_mine(actor=me)
    if show in SHOW_STATUSES:
        requests = requests.filter(status__in=SHOW_STATUSES[show])
    page = Paginator(IdsFirst(requests), PAGE_SIZE).get_page(request.GET.get("page"))
    clocks = selectors.clocks_by_request(item.pk for item in page.object_list)
    rows = [{"request": item, "clocks": clocks.get(item.pk, [])} for item in page.object_list]
    return render(
        request,
        "servicedesk/portal/my_requests.html",
        {
            "form": form,
            "show": show,
            "page": page,
            "rows": rows,
            "has_person": selectors.access_for(me).employee is not None,
        },
    )


urlpatterns: list[URLPattern] = [
    path("services/", catalog, name="catalog"),
    path("services/people/", people_pick, name="people-pick"),
    path("services/<int:service_id>/", service_detail, name="service"),
    path("services/types/<int:request_type_id>/new/", request_new, name="request-new"),
    path("requests/", my_requests, name="my-requests"),
]
