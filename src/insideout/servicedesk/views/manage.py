"""Desk admin pages for unit leads: desks, the calendar editor, the catalog and form editor, standards.

Every page serves the admins of one desk (the leads of its unit and of the units above, and
superusers); everyone else gets 403 (or 404 for what does not exist). Each form posts to its own
page and calls one service; an invalid form is shown again with the messages next to its fields and
nothing saved, and a save answers with a relative redirect to the same page (``./``). The
calendar's two-week preview is rendered for the saved calendar and, through htmx, for the form's
unsaved values (``calendar/preview/``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from insideout.calendars import BusinessCalendar
from insideout.core.errors import Conflict, Forbidden
from insideout.core.text import as_id
from insideout.servicedesk import selectors, services
from insideout.servicedesk.calendar_preview import PreviewDay, preview
from insideout.servicedesk.clockstore import calendar_from_version
from insideout.servicedesk.models import (
    PRIORITY_MEANINGS,
    CalendarVersion,
    Desk,
    Priority,
    RequestType,
    Service,
    ServiceStandard,
    Status,
)
from insideout.servicedesk.views.common import actor, get_or_404
from insideout.servicedesk.views.manage_forms import (
    PREFIX_ERRORS,
    REQUEST_TYPE_ERRORS,
    STANDARD_ERROR_FIELDS,
    WEEKDAY_LABELS,
    CalendarForm,
    DeskOpenForm,
    DeskSettingsForm,
    FieldFormSet,
    RequestTypeForm,
    ServiceForm,
    StandardForm,
    apply_errors,
    fields_initial,
    intervals_text,
    zone_names,
)

PREVIEW_DAYS = 14

View = Callable[..., HttpResponse]


def admins_only(view: View) -> View:
    """Answer a refusal (403) with a page that says why and where to go, not the site's generic one."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return render(request, "servicedesk/manage/not_admin.html", {"reason": str(exc)}, status=403)

    return wrapped


# --- desks -----------------------------------------------------------------------------------------


@login_required
@admins_only
@require_http_methods(["GET", "POST"])
def desks(request: HttpRequest) -> HttpResponse:
    """The desks I administer, and "open a service desk" for units I lead that have none."""
    me = actor(request)
    openable = selectors.units_without_desk_for(actor=me)
    form = DeskOpenForm(units=openable, initial={"unit": openable[0].pk if openable else None, "time_zone": "UTC"})
    if request.method == "POST":
        form = DeskOpenForm(request.POST, units=openable)
        if not openable:
            raise PermissionDenied(_("You lead no unit that provides services and has no desk yet."))
        if form.is_valid():
            unit = next(unit for unit in openable if unit.pk == form.cleaned_data["unit"])
            try:
                desk = services.desk_create(
                    actor=me,
                    unit=unit,
                    prefix=form.cleaned_data["number_prefix"],
                    time_zone=form.cleaned_data["time_zone"],
                    country=form.cleaned_data["country"],
                    subdivision=form.cleaned_data["subdivision"],
                )
            except ValidationError as exc:
                apply_errors(form, exc.message_dict, PREFIX_ERRORS)
            except (Conflict, Forbidden) as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("The service desk of %(unit)s is open. Add its services next.") % {"unit": unit.name},
                )
                return redirect("servicedesk:desk-manage", desk_id=desk.pk)
    return render(
        request,
        "servicedesk/manage/desks.html",
        {
            "desks": selectors.desk_list_admin_for(actor=me),
            "openable": openable,
            "form": form,
            "zone_names": zone_names(),
        },
    )


def _admin_desk(request: HttpRequest, desk_id: int) -> Desk:
    desk: Desk = get_or_404(selectors.desk_get_for, actor=actor(request), desk_id=desk_id, admin=True)
    return desk


def _week_summary(version: CalendarVersion | None) -> list[tuple[str, str]]:
    week = version.week if version else {}
    return [(str(label), intervals_text(week.get(day, [])) or _("closed")) for day, label in WEEKDAY_LABELS.items()]


@login_required
@admins_only
@require_http_methods(["GET", "POST"])
def desk_manage(request: HttpRequest, desk_id: int) -> HttpResponse:
    """A desk's overview: its settings, calendar, catalog and standards at a glance."""
    desk = _admin_desk(request, desk_id)
    form = DeskSettingsForm(initial=DeskSettingsForm.initial_from(desk))
    if request.method == "POST":
        form = DeskSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.desk_update(
                    actor=actor(request),
                    desk=desk,
                    prefix=form.cleaned_data["number_prefix"],
                    auto_close_days=form.cleaned_data["auto_close_days"],
                )
            except ValidationError as exc:
                apply_errors(form, exc.message_dict, PREFIX_ERRORS)
            except Conflict as exc:
                form.add_error("number_prefix", exc.message)
            else:
                messages.success(request, _("The desk's settings are saved."))
                return redirect("./")  # this page again (relative: no id in the answer)
        desk = _admin_desk(request, desk_id)  # the service may have changed the instance before refusing
    catalog = selectors.catalog_admin_for(desk=desk)
    request_types = [request_type for service in catalog for request_type in service.request_types.all()]
    standards = selectors.standards_current_for_types(request_types=request_types)
    for request_type in request_types:
        current = standards[request_type.pk]
        request_type.standard_cells = [  # type: ignore[attr-defined]
            {"priority": priority, "text": _target_pair(current.get(priority))} for priority in Priority.values
        ]
    return render(
        request,
        "servicedesk/manage/desk.html",
        {
            "desk": desk,
            "form": form,
            "calendar": desk.calendar,
            "week": _week_summary(desk.calendar),
            "catalog": catalog,
            "priorities": Priority.values,
        },
    )


def _target_pair(standard: ServiceStandard | None) -> str:
    if standard is None:
        return _("no standard")
    pair = f"{duration_text(standard.first_response_minutes)} / {duration_text(standard.resolution_minutes)}"
    return pair if standard.business_hours else _("%(pair)s (24/7)") % {"pair": pair}


# --- calendar --------------------------------------------------------------------------------------


def _now() -> datetime:
    """The current time (the tests move it to put the preview on chosen days)."""
    return timezone.now()


def _preview(calendar: BusinessCalendar, values: dict[str, Any]) -> list[PreviewDay]:
    first = _now().astimezone(ZoneInfo(calendar.tz)).date()
    return preview(
        calendar,
        first=first,
        week=values["week"],
        country=values["country"],
        subdivision=values["subdivision"],
        extra_holidays=values["holidays"],
        days=PREVIEW_DAYS,
        language=translation.get_language() or "",
    )


def _saved_values(version: CalendarVersion) -> dict[str, Any]:
    return {
        "week": version.week or {},
        "country": version.country,
        "subdivision": version.subdivision,
        "holidays": version.holidays or [],
    }


def _validated(form: CalendarForm) -> tuple[BusinessCalendar, dict[str, Any]] | None:
    """The form's calendar through ``calendar_validate``; None (with the errors on the form) when invalid."""
    if not form.is_valid():
        return None
    try:
        return services.calendar_validate(**form.service_values())
    except ValidationError as exc:
        form.put_service_errors(exc.message_dict)
        return None


@login_required
@admins_only
@require_http_methods(["GET", "POST"])
def calendar_edit(request: HttpRequest, desk_id: int) -> HttpResponse:
    desk = _admin_desk(request, desk_id)
    form = CalendarForm(initial=CalendarForm.initial_from(desk.calendar))
    if request.method == "POST":
        form = CalendarForm(request.POST)
        if _validated(form) is not None:
            version = services.calendar_update(actor=actor(request), desk=desk, **form.service_values())
            messages.success(
                request,
                _(
                    "Calendar version %(version)d is saved. Open requests are counted on it from now on; "
                    "finished ones keep the calendar they ran on."
                )
                % {"version": version.version},
            )
            return redirect("./")
    saved = desk.calendar
    return render(
        request,
        "servicedesk/manage/calendar.html",
        {
            "desk": desk,
            "form": form,
            "days": _preview(calendar_from_version(saved), _saved_values(saved)) if saved else [],
            "versions": selectors.calendar_versions_of(desk=desk),
            "zone_names": zone_names(),
        },
    )


@login_required
@admins_only
@require_GET
def calendar_preview(request: HttpRequest, desk_id: int) -> HttpResponse:
    """The two-week preview of the calendar form's unsaved values (an htmx fragment)."""
    desk = _admin_desk(request, desk_id)
    form = CalendarForm(request.GET)
    validated = _validated(form)
    days = _preview(*validated) if validated is not None else []
    return render(
        request,
        "servicedesk/manage/partials/preview.html",
        {"desk": desk, "days": days, "unsaved": True, "preview_errors": form.errors if validated is None else None},
    )


# --- catalog ---------------------------------------------------------------------------------------


def _service_form(desk: Desk, *args: Any, service: Service | None = None, **kwargs: Any) -> ServiceForm:
    """The service form; owners are the desk's people, plus the current owner should they have left it."""
    owners = list(selectors.desk_agents(desk=desk))
    if service is not None and service.owner is not None and all(person.pk != service.owner_id for person in owners):
        owners.append(service.owner)
    owners.sort(key=lambda person: (person.sort_name, person.pk))
    return ServiceForm(*args, owners=owners, units=selectors.unit_choices(), **kwargs)


@login_required
@admins_only
@require_http_methods(["GET", "POST"])
def service_new(request: HttpRequest, desk_id: int) -> HttpResponse:
    desk = _admin_desk(request, desk_id)
    form = _service_form(desk, initial=ServiceForm.initial_from(None))
    if request.method == "POST":
        form = _service_form(desk, request.POST)
        if form.is_valid():
            try:
                service = services.service_create(actor=actor(request), desk=desk, **form.service_values())
            except ValidationError as exc:
                apply_errors(form, exc.message_dict)
            else:
                messages.success(request, _("The service “%(name)s” is created.") % {"name": service.name})
                return redirect("servicedesk:service-edit", service_id=service.pk)
    return render(request, "servicedesk/manage/service.html", {"desk": desk, "form": form, "service": None})


@login_required
@admins_only
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, service_id: int) -> HttpResponse:
    service = get_or_404(selectors.service_admin_get_for, actor=actor(request), service_id=service_id)
    desk = service.desk
    form = _service_form(desk, service=service, initial=ServiceForm.initial_from(service))
    if request.method == "POST":
        form = _service_form(desk, request.POST, service=service)
        if form.is_valid():
            try:
                services.service_update(actor=actor(request), service=service, **form.service_values())
            except ValidationError as exc:
                apply_errors(form, exc.message_dict)
            else:
                messages.success(request, _("The service “%(name)s” is saved.") % {"name": service.name})
                return redirect("./")
            service = get_or_404(selectors.service_admin_get_for, actor=actor(request), service_id=service_id)
    return render(
        request,
        "servicedesk/manage/service.html",
        {
            "desk": desk,
            "form": form,
            "service": service,
            "request_types": list(service.request_types.all()),
        },
    )


def _fields_formset(request: HttpRequest, request_type: RequestType | None) -> Any:
    """The form editor's rows; "add a field" re-shows the form with one more empty row (no JS needed)."""
    if request.method != "POST":
        return FieldFormSet(prefix="fields", initial=fields_initial(request_type))
    data = request.POST.copy()
    if "add_field" in data:
        total = as_id(data.get("fields-TOTAL_FORMS") or 0) or 0
        data["fields-TOTAL_FORMS"] = str(min(total + 1, 50))
    return FieldFormSet(data, prefix="fields")


def _save_request_type(
    request: HttpRequest, form: RequestTypeForm, formset: Any, *, service: Any, request_type: RequestType | None
) -> RequestType | None:
    """Validate both parts; call the service; errors keyed ``fields.<n>.<part>`` go to row n's field."""
    form_ok, formset_ok = form.is_valid(), formset.is_valid()
    if not (form_ok and formset_ok) or "add_field" in request.POST:
        return None
    rows = formset.ordered_forms_kept()
    fields = [row.service_values() for row in rows]
    try:
        if request_type is None:
            return services.request_type_create(
                actor=actor(request), service=service, fields=fields, **form.service_values()
            )
        return services.request_type_update(
            actor=actor(request), request_type=request_type, fields=fields, **form.service_values()
        )
    except ValidationError as exc:
        for key, messages_ in exc.message_dict.items():
            parts = key.split(".")
            index = as_id(parts[1]) if len(parts) == 3 and parts[0] == "fields" else None
            if index is not None and index < len(rows):
                row = rows[index]
                for message in messages_:
                    row.add_error(parts[2] if parts[2] in row.fields else None, message)
            else:
                apply_errors(form, {key: messages_}, REQUEST_TYPE_ERRORS)
        return None


@login_required
@admins_only
@require_http_methods(["GET", "POST"])
def request_type_new(request: HttpRequest, service_id: int) -> HttpResponse:
    service = get_or_404(selectors.service_admin_get_for, actor=actor(request), service_id=service_id)
    form = RequestTypeForm(
        request.POST if request.method == "POST" else None, initial=RequestTypeForm.initial_from(None)
    )
    formset = _fields_formset(request, None)
    if request.method == "POST":
        request_type = _save_request_type(request, form, formset, service=service, request_type=None)
        if request_type is not None:
            messages.success(
                request,
                _("The request type “%(name)s” is created with default standards for P1–P4; check them below.")
                % {"name": request_type.name},
            )
            return redirect("servicedesk:standards", request_type_id=request_type.pk)
    return _request_type_page(request, service=service, request_type=None, form=form, formset=formset)


@login_required
@admins_only
@require_http_methods(["GET", "POST"])
def request_type_edit(request: HttpRequest, request_type_id: int) -> HttpResponse:
    request_type = get_or_404(
        selectors.request_type_admin_get_for, actor=actor(request), request_type_id=request_type_id
    )
    form = RequestTypeForm(
        request.POST if request.method == "POST" else None, initial=RequestTypeForm.initial_from(request_type)
    )
    formset = _fields_formset(request, request_type)
    if request.method == "POST":
        saved = _save_request_type(request, form, formset, service=request_type.service, request_type=request_type)
        if saved is not None:
            messages.success(request, _("The request type “%(name)s” is saved.") % {"name": saved.name})
            return redirect("./")
        request_type = _admin_request_type(request, request_type_id)  # unchanged, as the refused save left it
    return _request_type_page(
        request, service=request_type.service, request_type=request_type, form=form, formset=formset
    )


def _admin_request_type(request: HttpRequest, request_type_id: int) -> RequestType:
    request_type: RequestType = get_or_404(
        selectors.request_type_admin_get_for, actor=actor(request), request_type_id=request_type_id
    )
    return request_type


def _request_type_page(
    request: HttpRequest, *, service: Any, request_type: RequestType | None, form: RequestTypeForm, formset: Any
) -> HttpResponse:
    return render(
        request,
        "servicedesk/manage/request_type.html",
        {
            "desk": service.desk,
            "service": service,
            "request_type": request_type,
            "form": form,
            "formset": formset,
            "formset_errors": formset.is_bound
            and (any(row.errors for row in formset.forms) or bool(formset.non_form_errors())),
        },
    )


# --- standards -------------------------------------------------------------------------------------


def duration_text(minutes: int) -> str:
    """ "4 h 30 min", "45 min", "24 h": a target exactly as entered."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}
    if hours:
        return _("%(h)d h") % {"h": hours}
    return _("%(m)d min") % {"m": rest}


def _standard_words(standard: ServiceStandard) -> str:
    where = _("on the desk's calendar") if standard.business_hours else _("around the clock")
    pausing = ", ".join(str(Status(value).label) for value in standard.pausing_statuses or []) or _("nothing")
    words = _(
        "first response within %(first)s, resolution within %(resolution)s, counted %(where)s; "
        "at risk with %(risk)d%% left; paused by: %(pausing)s"
    ) % {
        "first": duration_text(standard.first_response_minutes),
        "resolution": duration_text(standard.resolution_minutes),
        "where": where,
        "risk": standard.at_risk_percent,
        "pausing": pausing,
    }
    if standard.obstacles_pause_resolution:
        words = _("%(words)s; an open obstacle pauses the resolution clock") % {"words": words}
    return words


@login_required
@admins_only
@require_http_methods(["GET", "POST"])
def standards(request: HttpRequest, request_type_id: int) -> HttpResponse:
    request_type = get_or_404(
        selectors.request_type_admin_get_for, actor=actor(request), request_type_id=request_type_id
    )
    current = selectors.standards_current(request_type=request_type)
    forms_by_priority = {
        priority: StandardForm(prefix=priority, initial=StandardForm.initial_from(current.get(priority)))
        for priority in Priority.values
    }
    if request.method == "POST":
        priority = request.POST.get("priority", "")
        if priority not in Priority.values:
            messages.error(request, _("Choose a priority to save."))
            return redirect("./")
        form = StandardForm(request.POST, prefix=priority)
        forms_by_priority[priority] = form
        if form.is_valid():
            first, resolution = form.totals()
            try:
                standard = services.standard_set(
                    actor=actor(request),
                    request_type=request_type,
                    priority=priority,
                    values=services.StandardInput(
                        first_response_minutes=first,
                        resolution_minutes=resolution,
                        business_hours=form.cleaned_data["business_hours"],
                        at_risk_percent=form.cleaned_data["at_risk_percent"],
                        pausing_statuses=tuple(form.cleaned_data["pausing_statuses"]),
                        obstacles_pause_resolution=form.cleaned_data["obstacles_pause_resolution"] is True,
                    ),
                )
            except ValidationError as exc:
                apply_errors(form, exc.message_dict, STANDARD_ERROR_FIELDS)
            else:
                messages.success(
                    request,
                    _(
                        "%(priority)s version %(version)d is saved. Open requests follow the new standard from now "
                        "on; finished ones keep the standard they ran under."
                    )
                    % {"priority": priority, "version": standard.version},
                )
                return redirect("./")
    history = selectors.standard_versions_of(request_type=request_type)
    rows = [
        {
            "priority": priority,
            "label": Priority(priority).label,
            "meaning": PRIORITY_MEANINGS[Priority(priority)],
            "form": forms_by_priority[priority],
            "current": current.get(priority),
            "words": _standard_words(current[priority]) if priority in current else "",
            "history": [(version, _standard_words(version)) for version in history.get(priority, [])],
        }
        for priority in Priority.values
    ]
    return render(
        request,
        "servicedesk/manage/standards.html",
        {
            "desk": request_type.service.desk,
            "service": request_type.service,
            "request_type": request_type,
            "rows": rows,
        },
    )


urlpatterns: list[URLPattern] = [
    path("desks/", desks, name="desks"),
    path("desks/<int:desk_id>/", desk_manage, name="desk-manage"),
    path("desks/<int:desk_id>/calendar/", calendar_edit, name="desk-calendar"),
    path("desks/<int:desk_id>/calendar/preview/", calendar_preview, name="desk-calendar-preview"),
    path("desks/<int:desk_id>/services/new/", service_new, name="service-new"),
    path("desks/services/<int:service_id>/", service_edit, name="service-edit"),
    path("desks/services/<int:service_id>/types/new/", request_type_new, name="request-type-new"),
    path("desks/types/<int:request_type_id>/", request_type_edit, name="request-type-edit"),
    path("desks/types/<int:request_type_id>/standards/", standards, name="standards"),
]
