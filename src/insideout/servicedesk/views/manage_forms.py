"""Forms of the desk admin pages. They read and shape input; the services decide what is valid."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from insideout.people.models import Employee, Unit
from insideout.servicedesk.models import (
    OPEN_STATUSES,
    Assignment,
    Audience,
    CalendarVersion,
    Desk,
    FieldType,
    Priority,
    RequestType,
    Service,
    ServiceStandard,
    Status,
)

WEEKDAY_LABELS = {
    "mon": _("Monday"),
    "tue": _("Tuesday"),
    "wed": _("Wednesday"),
    "thu": _("Thursday"),
    "fri": _("Friday"),
    "sat": _("Saturday"),
    "sun": _("Sunday"),
}
INTERVAL_RE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–—]\s*(\d{1,2}:\d{2})\s*$")
CLOSURE_RE = re.compile(
    r"^\s*(\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2})\s*(?:[–—]|\s-\s|\bto\b)\s*(\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2})\s*$"
)


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """The time zone names to suggest while typing (read once per process)."""
    return tuple(
        sorted(name for name in available_timezones() if "/" in name and not name.startswith("Etc/")) + ["UTC"]
    )


def _zone_field(**kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=_("Time zone"),
        max_length=64,
        help_text=_("e.g. Europe/Berlin"),
        widget=forms.TextInput(attrs={"list": "zone-names", "autocomplete": "off"}),
        **kwargs,
    )


def apply_errors(form: forms.Form, errors: dict[str, list[str]], mapping: dict[str, str] | None = None) -> None:
    """Put a service's keyed errors next to the form's fields (unknown keys go to the top)."""
    mapping = mapping or {}
    for key, messages in errors.items():
        name = mapping.get(key, key)
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


PREFIX_ERRORS = {"prefix": "number_prefix"}
REQUEST_TYPE_ERRORS = {"update_every_minutes": "update_every"}


# --- desks -----------------------------------------------------------------------------------------


class DeskOpenForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    number_prefix = forms.CharField(
        label=_("Request number prefix"),
        max_length=12,
        help_text=_("1 to 12 capital letters or digits, e.g. IT gives IT-1, IT-2 …"),
    )
    time_zone = _zone_field(initial="UTC")
    country = forms.CharField(
        label=_("Country for public holidays"), max_length=2, required=False, help_text=_("Two letters, e.g. DE.")
    )
    subdivision = forms.CharField(
        label=_("Subdivision"), max_length=10, required=False, help_text=_("Optional, e.g. BE for Berlin.")
    )

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(unit.pk, unit.name) for unit in units]  # type: ignore[attr-defined]


class DeskSettingsForm(forms.Form):
    number_prefix = forms.CharField(
        label=_("Request number prefix"),
        max_length=12,
        help_text=_("It cannot change once requests have been numbered with it."),
    )
    auto_close_days = forms.IntegerField(
        label=_("Close resolved requests after (business days)"),
        min_value=1,
        max_value=60,
        help_text=_("A resolved request closes by itself after this many business days without a reply."),
    )

    @classmethod
    def initial_from(cls, desk: Desk) -> dict[str, Any]:
        return {"number_prefix": desk.prefix, "auto_close_days": desk.auto_close_days}


# --- calendar --------------------------------------------------------------------------------------


def intervals_text(intervals: Sequence[Sequence[str]]) -> str:
    return ", ".join(f"{start}–{end}" for start, end in intervals)


def _parse_intervals(text: str) -> list[list[str]]:
    intervals: list[list[str]] = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        match = INTERVAL_RE.match(part)
        if match is None:
            raise ValidationError(
                _("“%(part)s” is not a time range; write e.g. 09:00–12:30, 13:30–17:00."), params={"part": part.strip()}
            )
        intervals.append([value.zfill(5) for value in match.groups()])
    return intervals


class CalendarForm(forms.Form):
    time_zone = _zone_field()
    country = forms.CharField(
        label=_("Country for public holidays"),
        max_length=2,
        required=False,
        help_text=_("Two letters, e.g. DE; leave empty for none."),
    )
    subdivision = forms.CharField(
        label=_("Subdivision"), max_length=10, required=False, help_text=_("Optional, e.g. BE for Berlin.")
    )
    holidays = forms.CharField(
        label=_("Extra holidays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One date a line, e.g. 2026-12-24. The desk is closed all day."),
    )
    closures = forms.CharField(
        label=_("Closures"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line, local time: 2026-12-28 12:00 – 2026-12-29 10:00."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, label in WEEKDAY_LABELS.items():
            self.fields[f"week_{day}"] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
            )

    @property
    def week_fields(self) -> list[forms.BoundField]:
        return [self[f"week_{day}"] for day in WEEKDAY_LABELS]

    @classmethod
    def initial_from(cls, version: CalendarVersion | None) -> dict[str, Any]:
        if version is None:
            return {"time_zone": "UTC"}
        zone = ZoneInfo(version.time_zone)
        closures = []
        for start, end in version.closures or []:
            local = [datetime.fromisoformat(value).astimezone(zone) for value in (start, end)]
            closures.append(f"{local[0]:%Y-%m-%d %H:%M} – {local[1]:%Y-%m-%d %H:%M}")
        initial: dict[str, Any] = {
            "time_zone": version.time_zone,
            "country": version.country,
            "subdivision": version.subdivision,
            "holidays": "\n".join(version.holidays or []),
            "closures": "\n".join(closures),
        }
        for day in WEEKDAY_LABELS:
            initial[f"week_{day}"] = intervals_text((version.week or {}).get(day, []))
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        week: dict[str, list[list[str]]] = {}
        for day in WEEKDAY_LABELS:
            try:
                intervals = _parse_intervals(cleaned.get(f"week_{day}", ""))
            except ValidationError as exc:
                self.add_error(f"week_{day}", exc)
                continue
            if intervals:
                week[day] = intervals
        cleaned["week"] = week
        cleaned["holiday_list"] = [
            line.strip() for line in (cleaned.get("holidays") or "").splitlines() if line.strip()
        ]
        closures: list[list[str]] = []
        for line in (cleaned.get("closures") or "").splitlines():
            if not line.strip():
                continue
            match = CLOSURE_RE.match(line)
            if match is None:
                self.add_error(
                    "closures",
                    _("“%(line)s”: write a closure as 2026-12-28 12:00 – 2026-12-29 10:00.") % {"line": line.strip()},
                )
                continue
            closures.append([value.replace(" ", "T") for value in match.groups()])
        cleaned["closure_list"] = closures
        return cleaned

    def service_values(self) -> dict[str, Any]:
        """The keyword arguments of ``calendar_validate`` / ``calendar_update``."""
        data = self.cleaned_data
        return {
            "time_zone": data.get("time_zone") or "",
            "week": data.get("week") or {},
            "country": data.get("country") or "",
            "subdivision": data.get("subdivision") or "",
            "holidays": data.get("holiday_list") or [],
            "closures": data.get("closure_list") or [],
        }

    def put_service_errors(self, errors: dict[str, list[str]]) -> None:
        """The calendar's errors: a weekday's (keyed ``week.mon`` …) goes next to that day."""
        for key, messages in errors.items():
            for message in messages:
                day = key.removeprefix("week.") if key.startswith("week.") else ""
                if day in WEEKDAY_LABELS:
                    self.add_error(f"week_{day}", message)
                elif key in self.fields:
                    self.add_error(key, message)
                else:
                    self.add_error(None, message)


# --- catalog ---------------------------------------------------------------------------------------


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    audience = forms.ChoiceField(label=_("Who may request"), choices=Audience.choices, widget=forms.RadioSelect)
    audience_units = forms.TypedMultipleChoiceField(
        label=_("Units that may request"),
        coerce=int,
        required=False,
        help_text=_("Members of these units and of the units below them."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    is_active = forms.BooleanField(label=_("Published: shown in the catalog"), required=False)
    position = forms.IntegerField(
        label=_("Position"), min_value=0, max_value=32767, initial=0, help_text=_("Smaller numbers come first.")
    )

    def __init__(self, *args: Any, owners: Sequence[Employee], units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("Nobody in particular")), *((p.pk, p.name) for p in owners)]  # type: ignore[attr-defined]
        self.fields["audience_units"].choices = [  # type: ignore[attr-defined]
            (unit.pk, f"{'— ' * unit.depth}{unit.name}") for unit in units
        ]
        self._owners = {person.pk: person for person in owners}
        self._units = {unit.pk: unit for unit in units}

    @classmethod
    def initial_from(cls, service: Service | None) -> dict[str, Any]:
        if service is None:
            return {"audience": Audience.EVERYONE, "is_active": True, "position": 0}
        return {
            "name": service.name,
            "description": service.description,
            "owner": service.owner_id or "",
            "audience": service.audience,
            "audience_units": [unit.pk for unit in service.audience_units.all()],
            "is_active": service.is_active,
            "position": service.position,
        }

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data.get("description") or "",
            "owner": self._owners.get(data["owner"]) if data.get("owner") else None,
            "audience": data["audience"],
            "audience_units": [self._units[pk] for pk in data.get("audience_units") or []],
            "is_active": bool(data.get("is_active")),
            "position": data.get("position") or 0,
        }


# An update interval is entered in business hours or days; a business day counts 8 hours.
UPDATE_UNITS = {"hours": 60, "days": 8 * 60}


class RequestTypeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    default_priority = forms.ChoiceField(label=_("Default priority"), choices=Priority.choices, initial=Priority.P3)
    assignment = forms.ChoiceField(label=_("Assignment"), choices=Assignment.choices, initial=Assignment.MANUAL)
    is_active = forms.BooleanField(label=_("Published: people can file it"), required=False)
    position = forms.IntegerField(
        label=_("Position"), min_value=0, max_value=32767, initial=0, help_text=_("Smaller numbers come first.")
    )
    update_every = forms.IntegerField(
        label=_("A public update at least every"),
        min_value=1,
        max_value=14_400,
        required=False,
        help_text=_(
            "While a request is open, counted on the desk's business calendar: between 1 business hour and "
            "30 business days (of 8 hours). Leave empty for no update standard."
        ),
    )
    update_unit = forms.ChoiceField(
        label=_("Unit"),
        choices=[("hours", _("business hours")), ("days", _("business days"))],
        initial="days",
        required=False,
    )

    @classmethod
    def initial_from(cls, request_type: RequestType | None) -> dict[str, Any]:
        if request_type is None:
            return {
                "default_priority": Priority.P3,
                "assignment": Assignment.MANUAL,
                "is_active": True,
                "position": 0,
                "update_unit": "days",
            }
        every = request_type.update_every_minutes
        unit = "days" if every and every % UPDATE_UNITS["days"] == 0 else "hours"
        return {
            "name": request_type.name,
            "description": request_type.description,
            "default_priority": request_type.default_priority,
            "assignment": request_type.assignment,
            "is_active": request_type.is_active,
            "position": request_type.position,
            # Whole hours or days as entered; an odd number of minutes (from the API) in hours, rounded.
            "update_every": round(every / UPDATE_UNITS[unit]) if every else None,
            "update_unit": unit,
        }

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        every = data.get("update_every")
        return {
            "name": data["name"],
            "description": data.get("description") or "",
            "default_priority": data["default_priority"],
            "assignment": data["assignment"],
            "is_active": bool(data.get("is_active")),
            "position": data.get("position") or 0,
            "update_every_minutes": every * UPDATE_UNITS[data.get("update_unit") or "days"] if every else None,
        }


class FieldForm(forms.Form):
    """One field of a request type's form; ``fields_validate`` checks it."""

    key = forms.CharField(label=_("Key"), max_length=50, required=False, help_text=_("e.g. laptop_model"))
    label = forms.CharField(label=_("Label"), max_length=200, required=False)
    # Not required: a row added by "add another field" arrives without any value yet.
    type = forms.ChoiceField(label=_("Type"), choices=FieldType.choices, initial=FieldType.TEXT, required=False)
    required = forms.BooleanField(label=_("Required"), required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Choice fields only: one a line."),
    )
    help_text = forms.CharField(label=_("Help text"), max_length=300, required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in ("key", "label", "choices", "help_text"))

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "key": (data.get("key") or "").strip(),
            "label": data.get("label") or "",
            "type": data.get("type") or FieldType.TEXT,
            "required": bool(data.get("required")),
            "choices": [line.strip() for line in (data.get("choices") or "").splitlines() if line.strip()],
            "help_text": data.get("help_text") or "",
        }


class BaseFieldFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def ordered_forms_kept(self) -> list[FieldForm]:
        """The rows to save, in the chosen order; deleted and blank rows left out."""
        kept = []
        for index, form in enumerate(self.forms):
            if not form.is_valid() or self._should_delete_form(form) or form.is_blank():  # type: ignore[attr-defined]
                continue
            order = form.cleaned_data.get("ORDER")
            kept.append((order if order is not None else 10_000 + index, index, form))
        return [form for _order, _index, form in sorted(kept, key=lambda item: (item[0], item[1]))]


FieldFormSet = forms.formset_factory(
    FieldForm, formset=BaseFieldFormSet, extra=1, can_order=True, can_delete=True, max_num=50, absolute_max=60
)


def fields_initial(request_type: RequestType | None) -> list[dict[str, Any]]:
    if request_type is None:
        return []
    return [
        {
            "key": field.key,
            "label": field.label,
            "type": field.type,
            "required": field.required,
            "choices": "\n".join(field.choices or []),
            "help_text": field.help_text,
            "ORDER": index + 1,
        }
        for index, field in enumerate(request_type.fields.all())
    ]


# --- standards -------------------------------------------------------------------------------------

PAUSABLE = [(status.value, status.label) for status in OPEN_STATUSES]


class StandardForm(forms.Form):
    """The targets of one priority; each saved priority becomes a new version."""

    first_response_hours = forms.IntegerField(label=_("hours"), min_value=0, max_value=8333)
    first_response_minutes = forms.IntegerField(label=_("minutes"), min_value=0, max_value=59)
    resolution_hours = forms.IntegerField(label=_("hours"), min_value=0, max_value=8333)
    resolution_minutes = forms.IntegerField(label=_("minutes"), min_value=0, max_value=59)
    business_hours = forms.TypedChoiceField(
        label=_("Counted"),
        choices=[("1", _("on the desk's business calendar")), ("0", _("around the clock (24/7)"))],
        coerce=lambda value: value == "1",
    )
    at_risk_percent = forms.IntegerField(
        label=_("At risk when this share of the target is left (%)"), min_value=0, max_value=100
    )
    pausing_statuses = forms.MultipleChoiceField(
        label=_("Statuses that pause the clocks"),
        choices=PAUSABLE,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    obstacles_pause_resolution = forms.TypedChoiceField(
        label=_("While an obstacle is open"),
        choices=[
            ("0", _("the resolution clock runs on: the internal customer still waits")),
            ("1", _("the resolution clock is paused")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        required=False,  # left out (an older form): no
    )

    @classmethod
    def initial_from(cls, standard: ServiceStandard | None) -> dict[str, Any]:
        if standard is None:
            return {
                "first_response_hours": 4,
                "first_response_minutes": 0,
                "resolution_hours": 24,
                "resolution_minutes": 0,
                "business_hours": "1",
                "at_risk_percent": 25,
                "pausing_statuses": [Status.WAITING_ON_REQUESTER.value],
                "obstacles_pause_resolution": "0",
            }
        return {
            "first_response_hours": standard.first_response_minutes // 60,
            "first_response_minutes": standard.first_response_minutes % 60,
            "resolution_hours": standard.resolution_minutes // 60,
            "resolution_minutes": standard.resolution_minutes % 60,
            "business_hours": "1" if standard.business_hours else "0",
            "at_risk_percent": standard.at_risk_percent,
            "pausing_statuses": list(standard.pausing_statuses or []),
            "obstacles_pause_resolution": "1" if standard.obstacles_pause_resolution else "0",
        }

    def totals(self) -> tuple[int, int]:
        data = self.cleaned_data
        return (
            data["first_response_hours"] * 60 + data["first_response_minutes"],
            data["resolution_hours"] * 60 + data["resolution_minutes"],
        )


STANDARD_ERROR_FIELDS = {"first_response_minutes": "first_response_hours", "resolution_minutes": "resolution_hours"}
