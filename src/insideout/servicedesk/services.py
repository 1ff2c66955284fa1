"""Write use-cases of the service desk. Each is atomic, checks who may do it, and records its events.

Clocks are rewritten from the request's history after every change (``clockstore.clocks_refresh``),
in the same transaction, so the stored projection never disagrees with the events.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import PurePath
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from holidays import list_supported_countries as holiday_countries

from insideout.calendars import BusinessCalendar
from insideout.core.errors import Conflict, Forbidden
from insideout.core.events import event_record
from insideout.core.text import clean_text, markdown_to_html
from insideout.people.models import Employee, Unit, User
from insideout.people.validation import clean_subdivision
from insideout.servicedesk import clockstore, selectors
from insideout.servicedesk.clockstore import REQUEST_FIRST_RESPONSE, REQUEST_OPENED, REQUEST_STATUS_CHANGED
from insideout.servicedesk.cooperation import agreement_selectors
from insideout.servicedesk.cooperation import services as cooperation
from insideout.servicedesk.fields import FieldSpec, clean_field_values
from insideout.servicedesk.models import (
    OPEN_STATUSES,
    Assignment,
    Attachment,
    Audience,
    CalendarVersion,
    Comment,
    Desk,
    FieldType,
    Priority,
    Request,
    RequestClock,
    RequestField,
    RequestType,
    Service,
    ServiceStandard,
    Status,
    Watcher,
)

# Event types this context publishes (the clock ones live in clockstore).
REQUEST_COMMENTED = "servicedesk.request_commented"
REQUEST_ASSIGNED = "servicedesk.request_assigned"
REQUEST_PRIORITY_CHANGED = "servicedesk.request_priority_changed"
REQUEST_WATCHER_ADDED = "servicedesk.request_watcher_added"
CLOCK_AT_RISK = "servicedesk.clock_at_risk"
CLOCK_BREACHED = "servicedesk.clock_breached"
CATALOG_CHANGED = "servicedesk.catalog_changed"
STANDARD_CHANGED = "servicedesk.standard_changed"
CALENDAR_CHANGED = "servicedesk.calendar_changed"

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_WEEK = {day: [["09:00", "17:00"]] for day in WEEKDAYS[:5]}
# Default targets in minutes (first response, resolution), on the unit's calendar.
DEFAULT_TARGETS = {
    Priority.P1: (30, 4 * 60),
    Priority.P2: (2 * 60, 8 * 60),
    Priority.P3: (4 * 60, 3 * 8 * 60),
    Priority.P4: (8 * 60, 5 * 8 * 60),
}
DEFAULT_PAUSING = [Status.WAITING_ON_REQUESTER.value]

# Who may move a request from one status to another.
AGENT_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.IN_PROGRESS, Status.WAITING_ON_REQUESTER, Status.RESOLVED}),
    Status.IN_PROGRESS: frozenset({Status.WAITING_ON_REQUESTER, Status.RESOLVED}),
    Status.WAITING_ON_REQUESTER: frozenset({Status.IN_PROGRESS, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.IN_PROGRESS, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}
REQUESTER_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RESOLVED: frozenset({Status.IN_PROGRESS, Status.CLOSED}),
}

MAX_SUBJECT = 200
MAX_BODY = 20_000
MAX_BULK = 200


# --- helpers -------------------------------------------------------------------------------------


def _employee(actor: User | None) -> Employee:
    access = selectors.access_for(actor)
    if access.employee is None:
        raise Forbidden(_("Only members of the organisation can do this."))
    return access.employee


def _require_admin(actor: User | None, desk: Desk) -> None:
    if not selectors.access_for(actor).is_admin(desk.pk):
        raise Forbidden(_("Only the lead of %(unit)s may change its service desk.") % {"unit": desk.unit.name})


def _require_agent(actor: User | None, request: Request) -> Employee | None:
    access = selectors.access_for(actor)
    if not access.is_agent(request.desk_id):
        raise Forbidden(_("Only agents of %(unit)s can do this.") % {"unit": request.desk.unit.name})
    return access.employee


def _locked(request: Request) -> Request:
    """Re-read the request under a row lock (PostgreSQL; SQLite's write lock is already held)."""
    fresh = Request.objects.select_for_update().select_related("desk__unit").get(pk=request.pk)
    # Keep the caller's joined rows (requester, type …) for what follows.
    for name in (
        "status",
        "assignee_id",
        "priority",
        "first_responded_at",
        "resolved_at",
        "closed_at",
        "last_update_at",
        "update_due_at",
        "update_alarm_at",
    ):
        setattr(request, name, getattr(fresh, name))
    return request


def _record(request: Request, event_type: str, actor: User | None, payload: dict[str, Any], at: datetime) -> None:
    event_record(type=event_type, subject=request, actor=actor, payload=payload, occurred_at=at)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- desks and calendars -------------------------------------------------------------------------

PREFIX_RE = re.compile(r"^[A-Z][A-Z0-9]{0,11}$")


@transaction.atomic
def desk_create(
    *, actor: User | None, unit: Unit, prefix: str, time_zone: str = "UTC", country: str = "", subdivision: str = ""
) -> Desk:
    """Open a service desk for a service-providing unit, with a Monday–Friday 09:00–17:00 calendar."""
    access = selectors.access_for(actor)
    is_lead = access.employee is not None and Unit.objects.filter(pk=unit.pk, lead=access.employee).exists()
    if not (actor is not None and (actor.is_superuser or is_lead)):
        raise Forbidden(_("Only the unit's lead may open its service desk."))
    if not unit.provides_services:
        raise ValidationError({"unit": [_("Mark the unit as providing internal services first.")]})
    if Desk.objects.filter(unit=unit).exists():
        raise Conflict(_("%(unit)s already has a service desk.") % {"unit": unit.name})
    prefix = _clean_prefix(prefix, exclude=None)
    desk = Desk.objects.create(unit=unit, prefix=prefix)
    version = _calendar_version_create(
        desk=desk,
        actor=actor,
        time_zone=time_zone,
        week=DEFAULT_WEEK,
        country=country,
        subdivision=subdivision,
        holidays=[],
        closures=[],
    )
    desk.calendar = version
    desk.save(update_fields=["calendar"])
    event_record(type=CATALOG_CHANGED, subject=desk, actor=actor, payload={"what": "desk_created", "prefix": prefix})
    _forget_access(actor)
    return desk


def _forget_access(actor: User | None) -> None:
    if actor is not None and hasattr(actor, "_insideout_desk_access"):
        delattr(actor, "_insideout_desk_access")


def _clean_prefix(prefix: str, *, exclude: int | None) -> str:
    prefix = (prefix or "").strip().upper()
    if not PREFIX_RE.match(prefix):
        raise ValidationError(
            {"prefix": [_("Use 1 to 12 capital letters or digits, starting with a letter, e.g. IT or HR2.")]}
        )
    others = Desk.objects.filter(prefix=prefix)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ValidationError({"prefix": [_("Another service desk already uses the prefix %(p)s.") % {"p": prefix}]})
    return prefix


@transaction.atomic
def desk_update(
    *, actor: User | None, desk: Desk, prefix: str | None = None, auto_close_days: int | None = None
) -> Desk:
    _require_admin(actor, desk)
    fields: list[str] = []
    if prefix is not None and prefix.strip().upper() != desk.prefix:
        if desk.requests.exists():
            raise Conflict(_("The prefix cannot change once requests have been numbered with it."))
        desk.prefix = _clean_prefix(prefix, exclude=desk.pk)
        fields.append("prefix")
    if auto_close_days is not None:
        if not 1 <= auto_close_days <= 60:
            raise ValidationError({"auto_close_days": [_("Choose between 1 and 60 business days.")]})
        desk.auto_close_days = auto_close_days
        fields.append("auto_close_days")
    if fields:
        desk.save(update_fields=[*fields, "updated_at"])
    return desk


def calendar_validate(
    *,
    time_zone: str,
    week: Mapping[str, Sequence[Sequence[str]]],
    country: str = "",
    subdivision: str = "",
    holidays: Iterable[str | date] = (),
    closures: Iterable[Sequence[str | datetime]] = (),
) -> tuple[BusinessCalendar, dict[str, Any]]:
    """Check a calendar's parts; returns the calendar and the JSON-ready values, or raises keyed errors."""
    errors: dict[str, list[str]] = {}
    try:
        ZoneInfo(time_zone)
    except (ValueError, KeyError, OSError):
        errors["time_zone"] = [_("Unknown time zone “%(tz)s”; use a name such as Europe/Berlin.") % {"tz": time_zone}]
    clean_week: dict[str, list[list[str]]] = {}
    if not isinstance(week, Mapping):
        errors["week"] = [_("Give the opening hours per weekday.")]
        week = {}
    for day, intervals in week.items():
        if day not in WEEKDAYS:
            errors.setdefault("week", []).append(_("Unknown weekday “%(day)s”.") % {"day": day})
            continue
        if intervals:
            try:
                clean_week[day] = _clean_intervals(intervals)
            except ValidationError as exc:
                errors.setdefault(f"week.{day}", []).extend(exc.messages)
    if not errors.get("week") and not any(key.startswith("week.") for key in errors) and not clean_week:
        errors["week"] = [_("Open the desk on at least one day: a calendar without opening hours never counts.")]
    clean_holidays: list[str] = []
    for value in holidays:
        try:
            clean_holidays.append(
                value.isoformat() if isinstance(value, date) else date.fromisoformat(value).isoformat()
            )
        except (TypeError, ValueError):
            errors.setdefault("holidays", []).append(_("“%(v)s” is not a date (YYYY-MM-DD).") % {"v": value})
    clean_closures: list[list[str]] = []
    for pair in closures:
        try:
            start, end = (v if isinstance(v, datetime) else datetime.fromisoformat(str(v)) for v in pair)
        except (TypeError, ValueError):
            errors.setdefault("closures", []).append(_("A closure needs a start and an end date and time."))
            continue
        if start.tzinfo is None or end.tzinfo is None:
            tz = ZoneInfo(time_zone) if "time_zone" not in errors else ZoneInfo("UTC")
            start, end = start.replace(tzinfo=start.tzinfo or tz), end.replace(tzinfo=end.tzinfo or tz)
        if end <= start:
            errors.setdefault("closures", []).append(_("A closure must end after it starts."))
            continue
        clean_closures.append([start.isoformat(), end.isoformat()])
    if errors:
        raise ValidationError(errors)
    country = (country or "").strip().upper()
    subdivision = (subdivision or "").strip().upper()
    if country and country not in holiday_countries():
        errors["country"] = [
            _("No public holidays are known for “%(c)s”; use a two-letter code such as DE.") % {"c": country}
        ]
    elif subdivision:
        try:
            subdivision = clean_subdivision(subdivision, country=country)
        except ValidationError as exc:
            errors["subdivision"] = exc.messages
    if errors:
        raise ValidationError(errors)
    try:
        calendar = BusinessCalendar(
            tz=time_zone,
            week={day: [tuple(i) for i in intervals] for day, intervals in clean_week.items()},  # type: ignore[misc]
            country=country or None,
            subdivision=subdivision or None,
            holidays=[date.fromisoformat(d) for d in clean_holidays],
            closures=[(datetime.fromisoformat(s), datetime.fromisoformat(e)) for s, e in clean_closures],
        )
    except (ValueError, NotImplementedError, KeyError) as exc:
        message = str(exc)
        field = "country" if "country" in message.lower() or "subdivision" in message.lower() else "week"
        raise ValidationError({field: [message]}) from exc
    values = {
        "time_zone": time_zone,
        "week": clean_week,
        "country": country,
        "subdivision": subdivision,
        "holidays": sorted(set(clean_holidays)),
        "closures": clean_closures,
    }
    return calendar, values


HHMM_RE = re.compile(r"^(\d{1,2}):(\d{2})$")


def _minutes(text: str) -> int:
    match = HHMM_RE.match(text.strip())
    hours, minutes = (int(match.group(1)), int(match.group(2))) if match else (99, 99)
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValidationError(_("“%(t)s” is not a time of day between 00:00 and 24:00.") % {"t": text})
    return hours * 60 + minutes


def _clean_intervals(intervals: Sequence[Sequence[str]]) -> list[list[str]]:
    """One day's opening intervals, checked and sorted; the messages say what to fix, in the reader's language."""
    parsed: list[tuple[int, int, str, str]] = []
    for interval in intervals:
        if not isinstance(interval, Sequence) or isinstance(interval, str) or len(interval) != 2:
            raise ValidationError(_("Give each opening interval as a start and an end, e.g. 09:00–12:30."))
        start, end = (str(value).strip() for value in interval)
        first, last = _minutes(start), _minutes(end)
        if first >= last:
            raise ValidationError(_("%(s)s–%(e)s must start before it ends.") % {"s": start, "e": end})
        parsed.append((first, last, start, end))
    parsed.sort()
    for previous, current in zip(parsed, parsed[1:], strict=False):
        if current[0] < previous[1]:
            raise ValidationError(
                _("%(a)s and %(b)s overlap.") % {"a": f"{previous[2]}–{previous[3]}", "b": f"{current[2]}–{current[3]}"}
            )
    return [[start, end] for _first, _last, start, end in parsed]


def _calendar_version_create(*, desk: Desk, actor: User | None, **parts: Any) -> CalendarVersion:
    _calendar, values = calendar_validate(**parts)
    last = desk.calendar_versions.order_by("-version").values_list("version", flat=True).first() or 0
    return CalendarVersion.objects.create(
        desk=desk, version=last + 1, created_by=actor if getattr(actor, "pk", None) else None, **values
    )


@transaction.atomic
def calendar_update(
    *,
    actor: User | None,
    desk: Desk,
    time_zone: str,
    week: Mapping[str, Sequence[Sequence[str]]],
    country: str = "",
    subdivision: str = "",
    holidays: Iterable[str | date] = (),
    closures: Iterable[Sequence[str | datetime]] = (),
) -> CalendarVersion:
    """Write a new calendar version and recompute the open clocks counted on the desk's calendar."""
    _require_admin(actor, desk)
    Desk.objects.select_for_update().filter(pk=desk.pk).first()
    version = _calendar_version_create(
        desk=desk,
        actor=actor,
        time_zone=time_zone,
        week=week,
        country=country,
        subdivision=subdivision,
        holidays=holidays,
        closures=closures,
    )
    desk.calendar = version
    desk.save(update_fields=["calendar", "updated_at"])
    event_record(
        type=CALENDAR_CHANGED, subject=desk, actor=actor, payload={"version": version.version, "calendar": version.pk}
    )
    _recompute_later(desk_id=desk.pk)
    return version


# --- catalog -------------------------------------------------------------------------------------


def _clean_audience(audience: str, audience_units: Iterable[Unit] | None) -> list[Unit]:
    if audience not in Audience.values:
        raise ValidationError({"audience": [_("Choose everyone or chosen units.")]})
    units = list(audience_units or [])
    if audience == Audience.UNITS and not units:
        raise ValidationError({"audience_units": [_("Choose at least one unit that may request this service.")]})
    return units


@transaction.atomic
def service_create(
    *,
    actor: User | None,
    desk: Desk,
    name: str,
    description: str = "",
    owner: Employee | None = None,
    audience: str = Audience.EVERYONE,
    audience_units: Iterable[Unit] | None = None,
    is_active: bool = True,
    position: int = 0,
) -> Service:
    _require_admin(actor, desk)
    name = clean_text(name, field="name", required=True, limit=200)
    if desk.services.filter(name__iexact=name).exists():
        raise ValidationError({"name": [_("This desk already has a service called %(n)s.") % {"n": name}]})
    units = _clean_audience(audience, audience_units)
    service = Service.objects.create(
        desk=desk,
        name=name,
        description=clean_text(description, field="description", required=False, limit=5000),
        owner=owner,
        audience=audience,
        is_active=is_active,
        position=position,
    )
    service.audience_units.set(units)
    event_record(type=CATALOG_CHANGED, subject=service, actor=actor, payload={"what": "service_created"})
    return service


@transaction.atomic
def service_update(*, actor: User | None, service: Service, **changes: Any) -> Service:
    """Change a service's name, description, owner, audience, published flag or position."""
    _require_admin(actor, service.desk)
    allowed = {"name", "description", "owner", "audience", "audience_units", "is_active", "position"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    if "name" in changes:
        name = clean_text(changes["name"], field="name", required=True, limit=200)
        if service.desk.services.filter(name__iexact=name).exclude(pk=service.pk).exists():
            raise ValidationError({"name": [_("This desk already has a service called %(n)s.") % {"n": name}]})
        service.name = name
    if "description" in changes:
        service.description = clean_text(changes["description"], field="description", required=False, limit=5000)
    for name in ("owner", "is_active", "position"):
        if name in changes:
            setattr(service, name, changes[name])
    if "audience" in changes or "audience_units" in changes:
        audience = changes.get("audience", service.audience)
        units = changes.get("audience_units")
        if units is None:
            units = list(service.audience_units.all())
        service.audience_units.set(_clean_audience(audience, units))
        service.audience = audience
    service.save()
    event_record(type=CATALOG_CHANGED, subject=service, actor=actor, payload={"what": "service_updated"})
    return service


@transaction.atomic
def request_type_create(
    *,
    actor: User | None,
    service: Service,
    name: str,
    description: str = "",
    default_priority: str = Priority.P3,
    assignment: str = Assignment.MANUAL,
    fields: Sequence[Mapping[str, Any]] = (),
    is_active: bool = True,
    position: int = 0,
    update_every_minutes: int | None = None,
) -> RequestType:
    """A new request type with its form, and default standards for P1–P4 (edit them afterwards).

    ``update_every_minutes`` is its update standard: a public update at least this often while a
    request is open, in business minutes (None: none).
    """
    _require_admin(actor, service.desk)
    name = clean_text(name, field="name", required=True, limit=200)
    if service.request_types.filter(name__iexact=name).exists():
        raise ValidationError({"name": [_("This service already has a request type called %(n)s.") % {"n": name}]})
    _check_choice(default_priority, Priority.values, "default_priority")
    _check_choice(assignment, Assignment.values, "assignment")
    request_type = RequestType.objects.create(
        service=service,
        name=name,
        description=clean_text(description, field="description", required=False, limit=5000),
        default_priority=default_priority,
        assignment=assignment,
        is_active=is_active,
        position=position,
        update_every_minutes=_clean_update_every(update_every_minutes),
    )
    _fields_write(request_type, fields)
    now = timezone.now()
    ServiceStandard.objects.bulk_create(
        ServiceStandard(
            request_type=request_type,
            priority=priority,
            version=1,
            first_response_minutes=first,
            resolution_minutes=resolution,
            pausing_statuses=DEFAULT_PAUSING,
            created_at=now,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        for priority, (first, resolution) in DEFAULT_TARGETS.items()
    )
    event_record(type=CATALOG_CHANGED, subject=request_type, actor=actor, payload={"what": "request_type_created"})
    return request_type


# The update standard's bounds: one business hour to 30 business days of 8 hours.
UPDATE_EVERY_MIN = 60
UPDATE_EVERY_MAX = 30 * 8 * 60


def _clean_update_every(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not UPDATE_EVERY_MIN <= value <= UPDATE_EVERY_MAX:
        raise ValidationError(
            {
                "update_every_minutes": [
                    _(
                        "Choose an interval between 1 business hour and 30 business days "
                        "(%(low)d to %(high)s business minutes), or no update standard."
                    )
                    % {"low": UPDATE_EVERY_MIN, "high": f"{UPDATE_EVERY_MAX:,}"}
                ]
            }
        )
    return value


def _check_choice(value: str, allowed: Iterable[str], field: str) -> None:
    allowed = list(allowed)
    if value not in allowed:
        raise ValidationError({field: [_("Choose one of: %(c)s.") % {"c": ", ".join(allowed)}]})


@transaction.atomic
def request_type_update(*, actor: User | None, request_type: RequestType, **changes: Any) -> RequestType:
    _require_admin(actor, request_type.service.desk)
    allowed = {
        "name",
        "description",
        "default_priority",
        "assignment",
        "is_active",
        "position",
        "fields",
        "update_every_minutes",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    if "name" in changes:
        name = clean_text(changes["name"], field="name", required=True, limit=200)
        if request_type.service.request_types.filter(name__iexact=name).exclude(pk=request_type.pk).exists():
            raise ValidationError({"name": [_("This service already has a request type called %(n)s.") % {"n": name}]})
        request_type.name = name
    if "description" in changes:
        request_type.description = clean_text(changes["description"], field="description", required=False, limit=5000)
    if "default_priority" in changes:
        _check_choice(changes["default_priority"], Priority.values, "default_priority")
        request_type.default_priority = changes["default_priority"]
    if "assignment" in changes:
        _check_choice(changes["assignment"], Assignment.values, "assignment")
        request_type.assignment = changes["assignment"]
    for name in ("is_active", "position"):
        if name in changes:
            setattr(request_type, name, changes[name])
    previous_every = request_type.update_every_minutes
    if "update_every_minutes" in changes:
        request_type.update_every_minutes = _clean_update_every(changes["update_every_minutes"])
    request_type.save()
    if "fields" in changes:
        _fields_write(request_type, changes["fields"])
    event_record(type=CATALOG_CHANGED, subject=request_type, actor=actor, payload={"what": "request_type_updated"})
    if request_type.update_every_minutes != previous_every:
        # Open requests of the type count their next update under the new standard.
        _recompute_later(request_type_id=request_type.pk)
    return request_type


KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


def fields_validate(fields: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Check a form definition; errors are keyed ``fields.<n>.<part>``."""
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    cleaned: list[dict[str, Any]] = []
    if len(fields) > 50:
        raise ValidationError({"fields": [_("A form can have at most 50 fields.")]})
    for index, raw in enumerate(fields):
        where = f"fields.{index}"
        key = str(raw.get("key") or "").strip()
        label = str(raw.get("label") or "").strip() or key.replace("_", " ").capitalize()
        field_type = str(raw.get("type") or FieldType.TEXT)
        choices = [str(choice).strip() for choice in (raw.get("choices") or []) if str(choice).strip()]
        if not KEY_RE.match(key):
            errors.setdefault(f"{where}.key", []).append(
                _("Use lower-case letters, digits and underscores, starting with a letter.")
            )
        elif key in seen:
            errors.setdefault(f"{where}.key", []).append(_("Another field already uses the key %(k)s.") % {"k": key})
        seen.add(key)
        if field_type not in FieldType.values:
            errors.setdefault(f"{where}.type", []).append(
                _("Choose one of: %(c)s.") % {"c": ", ".join(FieldType.values)}
            )
        if field_type in {FieldType.CHOICE, FieldType.MULTI_CHOICE}:
            if len(choices) < 2:
                errors.setdefault(f"{where}.choices", []).append(_("Give at least two choices."))
            elif len(set(choices)) != len(choices):
                errors.setdefault(f"{where}.choices", []).append(_("Each choice must be different."))
        elif choices:
            errors.setdefault(f"{where}.choices", []).append(_("Only choice fields have choices."))
        if len(label) > 200:
            errors.setdefault(f"{where}.label", []).append(_("Enter at most 200 characters."))
        cleaned.append(
            {
                "key": key,
                "label": label,
                "type": field_type,
                "required": bool(raw.get("required", False)),
                "choices": choices,
                "help_text": str(raw.get("help_text") or "")[:300],
                "position": index,
            }
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _fields_write(request_type: RequestType, fields: Sequence[Mapping[str, Any]]) -> None:
    cleaned = fields_validate(fields)
    request_type.fields.all().delete()
    RequestField.objects.bulk_create(RequestField(request_type=request_type, **values) for values in cleaned)


@dataclass(frozen=True)
class StandardInput:
    first_response_minutes: int
    resolution_minutes: int
    business_hours: bool = True
    at_risk_percent: int = 25
    pausing_statuses: tuple[str, ...] = (Status.WAITING_ON_REQUESTER.value,)
    obstacles_pause_resolution: bool = False


@transaction.atomic
def standard_set(
    *, actor: User | None, request_type: RequestType, priority: str, values: StandardInput
) -> ServiceStandard:
    """Write a new version of the standard for a request type and priority; open clocks follow it."""
    _require_admin(actor, request_type.service.desk)
    _check_choice(priority, Priority.values, "priority")
    errors: dict[str, list[str]] = {}
    for name in ("first_response_minutes", "resolution_minutes"):
        value = getattr(values, name)
        if not isinstance(value, int) or not 1 <= value <= 500_000:
            errors[name] = [_("Enter whole minutes between 1 and 500,000.")]
    if not errors and values.first_response_minutes > values.resolution_minutes:
        errors["first_response_minutes"] = [_("The first response cannot be due after the resolution.")]
    if not 0 <= values.at_risk_percent <= 100:
        errors["at_risk_percent"] = [_("Enter a share between 0 and 100.")]
    if not isinstance(values.obstacles_pause_resolution, bool):
        errors["obstacles_pause_resolution"] = [_("Say yes or no.")]
    pausing = sorted(set(values.pausing_statuses))
    wrong = [
        status for status in pausing if status not in (Status.NEW, Status.IN_PROGRESS, Status.WAITING_ON_REQUESTER)
    ]
    if wrong:
        errors["pausing_statuses"] = [_("Only open statuses can pause a clock; not: %(w)s.") % {"w": ", ".join(wrong)}]
    if errors:
        raise ValidationError(errors)
    current = (
        ServiceStandard.objects.select_for_update()
        .filter(request_type=request_type, priority=priority, is_current=True)
        .first()
    )
    last = (
        ServiceStandard.objects.filter(request_type=request_type, priority=priority, agreement_target__isnull=True)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
        or 0
    )
    if current is not None:
        ServiceStandard.objects.filter(pk=current.pk).update(is_current=False)
    standard = ServiceStandard.objects.create(
        request_type=request_type,
        priority=priority,
        version=last + 1,
        first_response_minutes=values.first_response_minutes,
        resolution_minutes=values.resolution_minutes,
        business_hours=values.business_hours,
        at_risk_percent=values.at_risk_percent,
        pausing_statuses=pausing,
        obstacles_pause_resolution=bool(values.obstacles_pause_resolution),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    event_record(
        type=STANDARD_CHANGED,
        subject=request_type,
        actor=actor,
        payload={"priority": priority, "version": standard.version, "standard": standard.pk},
    )
    _recompute_later(request_type_id=request_type.pk, priority=priority)
    return standard


def _recompute_later(**scope: Any) -> None:
    # Local import: tasks import this module.
    from insideout.servicedesk.tasks import clocks_recompute_task

    transaction.on_commit(lambda: clocks_recompute_task(**scope))


def clocks_recompute(
    *,
    desk_id: int | None = None,
    request_type_id: int | None = None,
    priority: str | None = None,
    agreement_id: int | None = None,
    batch: int = 500,
) -> int:
    """Rebind and replay every open clock in scope under the current standard and calendar, and
    count the next update again under the current update standard and calendar.

    Finished clocks keep the versions they ran under. Works in batches, each its own transaction,
    so a big desk never holds the write lock long. Returns how many requests were recomputed.
    """
    requests = Request.objects.filter(status__in=OPEN_STATUSES)
    if desk_id is not None:
        requests = requests.filter(desk_id=desk_id)
    if request_type_id is not None:
        requests = requests.filter(request_type_id=request_type_id)
    if priority is not None:
        requests = requests.filter(priority=priority)
    if agreement_id is not None:
        requests = requests.filter(agreement_id=agreement_id)
    ids = list(requests.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            now = timezone.now()
            requests = Request.objects.select_related("desk", "request_type").filter(pk__in=ids[start : start + batch])
            for request in requests:
                clockstore.clocks_refresh(request=request, now=now, rebind=True)
                clockstore.request_updates_reschedule(request=request)
                done += 1
    return done


# --- requests ------------------------------------------------------------------------------------


def _attachment_rules() -> tuple[int, set[str]]:
    return settings.SERVICEDESK_ATTACHMENT_MAX_BYTES, set(settings.SERVICEDESK_ATTACHMENT_TYPES)


def attachment_check(upload: UploadedFile[Any], *, field: str = "attachments") -> None:
    max_bytes, allowed = _attachment_rules()
    name = upload.name or ""
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in allowed:
        raise ValidationError(
            {
                field: [
                    _("“%(name)s”: files of this type cannot be attached. Allowed: %(types)s.")
                    % {"name": name, "types": ", ".join(sorted(allowed))}
                ]
            }
        )
    if upload.size is None or upload.size > max_bytes:
        raise ValidationError(
            {field: [_("“%(name)s” is larger than %(mb).0f MB.") % {"name": name, "mb": max_bytes / 1_000_000}]}
        )


def _attach(
    request: Request, uploads: Iterable[UploadedFile[Any]], by: Employee, comment: Comment | None
) -> list[Attachment]:
    saved = []
    for upload in uploads:
        name = get_valid_filename(PurePath(upload.name or "file").name)[:150] or "file"
        attachment = Attachment(
            request=request,
            comment=comment,
            name=name,
            size=upload.size or 0,
            content_type=getattr(upload, "content_type", "") or "application/octet-stream",
            uploaded_by=by,
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
        saved.append(attachment)
    return saved


def _specs(request_type: RequestType) -> list[FieldSpec]:
    return [
        FieldSpec(key=f.key, label=f.label, type=f.type, required=f.required, choices=tuple(f.choices or ()))
        for f in request_type.fields.all()
    ]


def _person_exists(person_id: int) -> bool:
    return Employee.objects.filter(pk=person_id, is_active=True).exists()


@transaction.atomic
def request_create(
    *,
    actor: User | None,
    request_type: RequestType,
    subject: str,
    description: str = "",
    priority: str | None = None,
    fields: Mapping[str, Any] | None = None,
    files: Mapping[str, UploadedFile[Any]] | None = None,
    attachments: Sequence[UploadedFile[Any]] = (),
    on_behalf_of_id: int | None = None,
    now: datetime | None = None,
) -> Request:
    """File a request. The caller must be allowed to request the type's service (see selectors)."""
    requester = _employee(actor)
    request_type = selectors.request_type_get_for(actor=actor, request_type_id=request_type.pk)
    service = request_type.service
    if not (request_type.is_active and service.is_active):
        raise ValidationError({"request_type": [_("This request type is not published.")]})
    now = _now(now)
    priority = priority or request_type.default_priority
    errors: dict[str, list[str]] = {}
    try:
        subject = clean_text(subject, field="subject", required=True, limit=MAX_SUBJECT)
        description = clean_text(description, field="description", required=False, limit=MAX_BODY)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if priority not in Priority.values:
        errors["priority"] = [_("Choose one of: %(c)s.") % {"c": ", ".join(Priority.values)}]
    if on_behalf_of_id is not None and (on_behalf_of_id == requester.pk or not _person_exists(on_behalf_of_id)):
        if on_behalf_of_id != requester.pk:
            errors["on_behalf_of"] = [_("No active person has this id.")]
        else:
            on_behalf_of_id = None
    files = dict(files or {})
    try:
        values = clean_field_values(_specs(request_type), fields or {}, person_exists=_person_exists, files=files)
    except ValidationError as exc:
        errors.update({f"fields.{key}": messages for key, messages in exc.message_dict.items()})
        values = {}
    for key, upload in files.items():
        try:
            attachment_check(upload, field=f"fields.{key}")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    for upload in attachments:
        try:
            attachment_check(upload)
        except ValidationError as exc:
            errors.setdefault("attachments", []).extend(exc.message_dict["attachments"])
    if errors:
        raise ValidationError(errors)

    desk = service.desk
    beneficiary_unit = (
        requester.unit if on_behalf_of_id is None else Unit.objects.filter(members=on_behalf_of_id).first()
    )
    agreement_id = agreement_selectors.agreement_for_new_request(
        provider_unit_id=desk.unit_id, for_unit=beneficiary_unit, service_id=service.pk, on=timezone.localdate(now)
    )
    Desk.objects.filter(pk=desk.pk).update(next_number=F("next_number") + 1)
    number = Desk.objects.filter(pk=desk.pk).values_list("next_number", flat=True).get() - 1
    request = Request(
        desk=desk,
        number=number,
        request_type=request_type,
        requester=requester,
        on_behalf_of_id=on_behalf_of_id,
        priority=priority,
        status=Status.NEW,
        subject=subject,
        description=description,
        description_html=markdown_to_html(description),
        field_values=values,
        created_at=now,
        updated_at=now,
        agreement_id=agreement_id,
    )
    request.save()
    opened: dict[str, Any] = {"number": request.key, "priority": priority, "status": "new"}
    if agreement_id is not None:
        opened["agreement"] = agreement_id
    _record(request, REQUEST_OPENED, actor, opened, now)
    for key, upload in files.items():
        attachment = _attach(request, [upload], requester, None)[0]
        values[key] = {"attachment": attachment.pk, "name": attachment.name}
    if files:
        Request.objects.filter(pk=request.pk).update(field_values=values)
        request.field_values = values
    _attach(request, attachments, requester, None)
    assignee = _auto_assignee(request_type, desk, exclude=requester.pk)
    if assignee is not None:
        request.assignee = assignee
        Request.objects.filter(pk=request.pk).update(assignee=assignee)
        _record(
            request,
            REQUEST_ASSIGNED,
            None,
            {"to": assignee.pk, "from": None, "rule": request_type.assignment},
            now,
        )
    clockstore.clocks_refresh(request=request, now=now)
    clockstore.request_updates_track(request=request, at=now, public=False)
    return request


def _auto_assignee(request_type: RequestType, desk: Desk, *, exclude: int) -> Employee | None:
    if request_type.assignment == Assignment.MANUAL:
        return None
    if request_type.assignment == Assignment.ROUND_ROBIN:
        # Lock the cursor so two simultaneous requests do not go to the same agent.
        last = (
            RequestType.objects.select_for_update()
            .filter(pk=request_type.pk)
            .values_list("last_assignee_id", flat=True)
            .get()
        )
        chosen = selectors.agent_next_in_turn(desk=desk, after=last, exclude=exclude)
        if chosen is not None:
            RequestType.objects.filter(pk=request_type.pk).update(last_assignee=chosen)
        return chosen
    return selectors.agent_least_loaded(desk=desk, exclude=exclude)


def _status_change(request: Request, actor: User | None, to: str, now: datetime, **extra: Any) -> None:
    previous = request.status
    request.status = to
    update: dict[str, Any] = {"status": to, "updated_at": now}
    if to == Status.RESOLVED:
        request.resolved_at = now
        update["resolved_at"] = now
        update["auto_close_at"] = request.auto_close_at = _auto_close_at(request.desk, now)
    elif to == Status.CLOSED:
        request.closed_at = now
        update["closed_at"] = now
        update["auto_close_at"] = request.auto_close_at = None
    elif previous in (Status.RESOLVED, Status.CLOSED):
        update["resolved_at"] = request.resolved_at = None
        update["auto_close_at"] = request.auto_close_at = None
    Request.objects.filter(pk=request.pk).update(**update)
    _record(request, REQUEST_STATUS_CHANGED, actor, {"from": previous, "to": to, **extra}, now)
    if to == Status.RESOLVED:
        cooperation.commitments_settle_on_resolution(request=request, actor=actor, at=now)
        cooperation.obstacles_resolve_on_resolution(request=request, actor=actor, at=now)


def _auto_close_at(desk: Desk, resolved_at: datetime) -> datetime:
    """The same local time, ``desk.auto_close_days`` business days after the day of resolution."""
    calendar = clockstore.calendar_for(desk.calendar_id)
    zone = ZoneInfo(desk.calendar.time_zone if desk.calendar else "UTC")
    local = resolved_at.astimezone(zone)
    day, counted = local.date(), 0
    for _step in range(400):
        day += timedelta(days=1)
        start = datetime.combine(day, time(0), tzinfo=zone)
        if calendar.next_open(start).astimezone(zone).date() == day:
            counted += 1
            if counted >= desk.auto_close_days:
                return datetime.combine(day, local.time(), tzinfo=zone)
    return resolved_at + timedelta(days=desk.auto_close_days)


def _first_response(request: Request, actor: User | None, now: datetime, how: str) -> None:
    if request.first_responded_at is not None:
        return
    request.first_responded_at = now
    Request.objects.filter(pk=request.pk).update(first_responded_at=now)
    _record(request, REQUEST_FIRST_RESPONSE, actor, {"by": how}, now)


@transaction.atomic
def request_transition(*, actor: User | None, request: Request, status: str, now: datetime | None = None) -> Request:
    """Move a request to another status; an impossible move is a Conflict and changes nothing."""
    now = _now(now)
    if status not in Status.values:
        raise ValidationError({"status": [_("Choose one of: %(c)s.") % {"c": ", ".join(Status.values)}]})
    access = selectors.access_for(actor)
    _locked(request)
    is_agent = access.is_agent(request.desk_id)
    is_requester = access.employee is not None and access.employee.pk in (request.requester_id, request.on_behalf_of_id)
    if not (is_agent or is_requester):
        raise Forbidden(_("Only the requester and the desk's agents can change this request."))
    if not is_agent and not any(status in targets for targets in REQUESTER_TRANSITIONS.values()):
        raise Forbidden(
            _("Only the desk's agents can make a request %(target)s.") % {"target": Status(status).label.lower()}
        )
    allowed = set(AGENT_TRANSITIONS[request.status]) if is_agent else set()
    if is_requester:
        allowed |= REQUESTER_TRANSITIONS.get(request.status, frozenset())
    if status not in allowed:
        raise Conflict(
            _("A request that is %(current)s cannot become %(target)s.")
            % {"current": Status(request.status).label.lower(), "target": Status(status).label.lower()}
        )
    if status == Status.RESOLVED:
        _first_response(request, actor, now, "resolved")  # a resolution answers the request
    _status_change(request, actor, status, now)
    clockstore.clocks_refresh(request=request, now=now)
    clockstore.request_updates_track(request=request, at=now, public=is_agent)
    return request


@transaction.atomic
def request_comment(
    *,
    actor: User | None,
    request: Request,
    body: str,
    internal: bool = False,
    attachments: Sequence[UploadedFile[Any]] = (),
    now: datetime | None = None,
) -> Comment:
    """A public reply or an internal note (agents only).

    The first public reply from an agent meets the first-response clock; a reply from the requester
    while the request waits on them, or after it was resolved, puts it back in progress.
    """
    now = _now(now)
    author = _employee(actor)
    access = selectors.access_for(actor)
    _locked(request)
    is_agent = access.is_agent(request.desk_id)
    is_requester = author.pk in (request.requester_id, request.on_behalf_of_id)
    if internal and not is_agent:
        raise Forbidden(_("Only agents can add internal notes."))
    if not (is_agent or is_requester or request.watchers.filter(employee=author).exists()):
        raise Forbidden(_("Only the requester, watchers and the desk's agents can reply."))
    if request.status == Status.CLOSED:
        raise Conflict(_("This request is closed; open a new one and mention %(key)s.") % {"key": request.key})
    body = clean_text(body, field="body", required=True, limit=MAX_BODY)
    for upload in attachments:
        attachment_check(upload)
    comment = Comment.objects.create(
        request=request, author=author, body=body, body_html=markdown_to_html(body), internal=internal, created_at=now
    )
    _attach(request, attachments, author, comment)
    _record(
        request,
        REQUEST_COMMENTED,
        actor,
        {"comment": comment.pk, "internal": internal, "from_requester": is_requester and not is_agent},
        now,
    )
    Request.objects.filter(pk=request.pk).update(updated_at=now)
    from_desk = not internal and is_agent and author.pk != request.requester_id
    if not internal:
        if from_desk:
            _first_response(request, actor, now, "reply")
        if is_requester and not is_agent and request.status in (Status.WAITING_ON_REQUESTER, Status.RESOLVED):
            _status_change(request, actor, Status.IN_PROGRESS, now, reason="requester_replied")
    clockstore.clocks_refresh(request=request, now=now)
    clockstore.request_updates_track(request=request, at=now, public=from_desk)
    return comment


@transaction.atomic
def request_assign(
    *, actor: User | None, request: Request, assignee_id: int | None, now: datetime | None = None
) -> Request:
    """Give the request to an agent of its desk (or nobody)."""
    now = _now(now)
    _require_agent(actor, request)
    _locked(request)
    if request.status == Status.CLOSED:
        raise Conflict(_("A closed request cannot be reassigned."))
    assignee = None
    if assignee_id is not None:
        assignee = selectors.desk_agents(desk=request.desk).filter(pk=assignee_id).first()
        if assignee is None:
            raise ValidationError({"assignee": [_("Choose an active agent of %(u)s.") % {"u": request.desk.unit.name}]})
    if request.assignee_id == assignee_id:
        return request
    previous = request.assignee_id
    request.assignee = assignee
    Request.objects.filter(pk=request.pk).update(assignee=assignee, updated_at=now)
    _record(request, REQUEST_ASSIGNED, actor, {"from": previous, "to": assignee_id, "rule": "manual"}, now)
    return request


def requests_assign_bulk(*, actor: User | None, request_ids: Sequence[int], assignee_id: int | None) -> int:
    """Assign many requests at once; all or nothing. Returns how many changed."""
    ids = list(dict.fromkeys(request_ids))
    if not ids:
        raise ValidationError({"requests": [_("Choose at least one request.")]})
    if len(ids) > MAX_BULK:
        raise ValidationError({"requests": [_("Assign at most %(n)d requests at once.") % {"n": MAX_BULK}]})
    changed = 0
    with transaction.atomic():
        for request_id in ids:
            request = selectors.request_get_for(actor=actor, request_id=request_id)
            before = request.assignee_id
            request_assign(actor=actor, request=request, assignee_id=assignee_id)
            changed += int(before != assignee_id)
    return changed


@transaction.atomic
def request_priority_set(
    *, actor: User | None, request: Request, priority: str, now: datetime | None = None
) -> Request:
    """Change the priority; the open clocks move to the new priority's standard."""
    now = _now(now)
    _require_agent(actor, request)
    _locked(request)
    _check_choice(priority, Priority.values, "priority")
    if request.status == Status.CLOSED:
        raise Conflict(_("A closed request cannot change priority."))
    if request.priority == priority:
        return request
    previous = request.priority
    request.priority = priority
    Request.objects.filter(pk=request.pk).update(priority=priority, updated_at=now)
    _record(request, REQUEST_PRIORITY_CHANGED, actor, {"from": previous, "to": priority}, now)
    clockstore.clocks_refresh(request=request, now=now, rebind=True)
    return request


@transaction.atomic
def request_watch(*, actor: User | None, request: Request, employee_id: int | None = None, watch: bool = True) -> bool:
    """Add (or remove) a watcher: oneself, or anyone when the caller is an agent or the requester."""
    me = _employee(actor)
    access = selectors.access_for(actor)
    target = employee_id or me.pk
    may_manage = access.is_agent(request.desk_id) or me.pk in (request.requester_id, request.on_behalf_of_id)
    if target != me.pk and not may_manage:
        raise Forbidden(_("Only the requester and the desk's agents can add other watchers."))
    if not _person_exists(target):
        raise ValidationError({"employee": [_("No active person has this id.")]})
    if not watch:
        return bool(Watcher.objects.filter(request=request, employee_id=target).delete()[0])
    _watcher, created = Watcher.objects.get_or_create(request=request, employee_id=target)
    if created:
        _record(request, REQUEST_WATCHER_ADDED, actor, {"employee": target}, timezone.now())
    return created


@transaction.atomic
def attachment_add(*, actor: User | None, request: Request, upload: UploadedFile[Any]) -> Attachment:
    me = _employee(actor)
    access = selectors.access_for(actor)
    if not (access.is_agent(request.desk_id) or me.pk in (request.requester_id, request.on_behalf_of_id)):
        raise Forbidden(_("Only the requester and the desk's agents can attach files."))
    if request.status == Status.CLOSED:
        raise Conflict(_("This request is closed."))
    attachment_check(upload)
    return _attach(request, [upload], me, None)[0]


# --- periodic work -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    at_risk: int
    breached: int
    closed: int
    commitments_broken: int = 0
    updates_nudged: int = 0  # assignees reminded that a public update is due soon
    silences: int = 0  # leads told that a public update is overdue


def clocks_sweep(*, now: datetime | None = None, batch: int = 500) -> SweepResult:
    """Warn about clocks that became at risk or breached since the last run; close stale resolutions;
    break commitments whose time has passed; nudge about public updates due soon and tell leads
    about overdue ones.

    Reads only the partial indexes of clocks that may need a warning, so a run with nothing to do
    costs two index probes (and one each for auto-close, overdue commitments and update alarms).
    """
    now = _now(now)
    breached = 0
    for clock_id in RequestClock.objects.filter(
        running=True, breach_notified_at__isnull=True, due_at__lte=now
    ).values_list("pk", flat=True)[:batch]:
        breached += _warn(clock_id, now, breach=True)
    at_risk = 0
    for clock_id in RequestClock.objects.filter(
        running=True, at_risk_notified_at__isnull=True, at_risk_at__lte=now
    ).values_list("pk", flat=True)[:batch]:
        at_risk += _warn(clock_id, now, breach=False)
    closed = requests_auto_close(now=now, batch=batch)
    broken = cooperation.commitments_sweep(now=now, batch=batch)
    nudged, silences = cooperation.updates_sweep(now=now, batch=batch)
    return SweepResult(
        at_risk=at_risk,
        breached=breached,
        closed=closed,
        commitments_broken=broken,
        updates_nudged=nudged,
        silences=silences,
    )


@transaction.atomic
def _warn(clock_id: int, now: datetime, *, breach: bool) -> int:
    clock = RequestClock.objects.select_for_update().select_related("request__desk").filter(pk=clock_id).first()
    if clock is None or not clock.running:
        return 0
    request = clock.request
    if breach:
        if clock.breach_notified_at is not None or clock.due_at is None or clock.due_at > now:
            return 0
        clock.breach_notified_at = now
        clock.at_risk_notified_at = clock.at_risk_notified_at or now  # no at-risk warning after a breach
        clock.state = "breached"
        clock.breached_at = clock.breached_at or clock.due_at
        clock.save(update_fields=["breach_notified_at", "at_risk_notified_at", "state", "breached_at"])
        event_type = CLOCK_BREACHED
    else:
        if clock.at_risk_notified_at is not None or clock.at_risk_at is None or clock.at_risk_at > now:
            return 0
        clock.at_risk_notified_at = now
        clock.save(update_fields=["at_risk_notified_at"])
        event_type = CLOCK_AT_RISK
    _record(
        request,
        event_type,
        None,
        {"metric": clock.metric, "due_at": clock.due_at.isoformat() if clock.due_at else None},
        now,
    )
    clocks = list(RequestClock.objects.filter(request=request))
    clockstore.request_flags_update(request=request, clocks=clocks, now=now)
    return 1


def requests_auto_close(*, now: datetime | None = None, batch: int = 500) -> int:
    """Close resolved requests whose quiet period has passed."""
    now = _now(now)
    closed = 0
    ids = list(
        Request.objects.filter(status=Status.RESOLVED, auto_close_at__lte=now).values_list("pk", flat=True)[:batch]
    )
    for request_id in ids:
        with transaction.atomic():
            request = Request.objects.select_for_update().select_related("desk").filter(pk=request_id).first()
            if request is None or request.status != Status.RESOLVED or request.auto_close_at is None:
                continue
            if request.auto_close_at > now:
                continue
            _status_change(request, None, Status.CLOSED, now, reason="auto_closed")
            clockstore.clocks_refresh(request=request, now=now)
            clockstore.request_updates_track(request=request, at=now, public=False)
            closed += 1
    return closed
