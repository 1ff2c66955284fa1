"""Forms of the agreement pages: the terms of an agreement (new or revised), declining a proposal,
and the list's filter (the adherence report's period is the lead's view's ``PeriodForm``).

They only read input: a unit, dates, durations, people. What an agreement may say (services of
the provider's desk, contacts inside each unit, sensible targets and dates) is the service's to
decide; its messages come back keyed like ``targets.3.resolution_minutes`` and
:meth:`AgreementForm.add_service_errors` puts each next to its input. A target is typed as a
duration (``4h``, ``4h 30m``, ``90`` minutes); an empty pair keeps the public standard.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from insideout.core.text import as_id
from insideout.people.models import Employee, Unit
from insideout.servicedesk.cooperation.agreements import (
    MAX_MINUTES,
    MAX_REMIND_DAYS,
    MAX_TEXT,
    MAX_TITLE,
    TargetInput,
    TermsInput,
)
from insideout.servicedesk.models import Priority, Service
from insideout.servicedesk.views.cooperation_forms import DAY_INPUT
from insideout.servicedesk.views.manage import duration_text
from insideout.servicedesk.views.portal_forms import PersonSelect, person_choices

# "4h", "4 h 30 min", "1.5h", "4:30", "90", "90 min": hours and minutes, or minutes alone.
HOURS_MINUTES_RE = re.compile(
    r"^(?:(?P<hours>\d{1,6}(?:[.,]\d{1,2})?)\s*(?:h|hrs?|hours?|std\.?|stunden?))?\s*"
    r"(?:(?P<minutes>\d{1,6})\s*(?:m|min\.?|mins|minutes?|minuten?)?)?$",
    re.IGNORECASE,
)
CLOCK_RE = re.compile(r"^(?P<hours>\d{1,4}):(?P<minutes>[0-5]\d)$")
BOTH_OR_NEITHER = _("Give both targets for this priority, or leave both empty to keep the public standard.")


def parse_duration(text: str) -> int | None:
    """Minutes from what a person types as a target; None for nothing. ValueError when it is no duration."""
    value = (text or "").strip()
    if not value:
        return None
    match = CLOCK_RE.match(value) or HOURS_MINUTES_RE.match(value)
    if match is None or not (match.group("hours") or match.group("minutes")):
        raise ValueError(value)
    hours = float((match.group("hours") or "0").replace(",", "."))
    return round(hours * 60) + int(match.group("minutes") or 0)


def duration_input(minutes: int) -> str:
    """A target as the form shows it for editing, in the form it reads back: "4h", "4h 30m", "45m"."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h {rest}m"
    return f"{hours}h" if hours else f"{rest}m"


class DurationField(forms.CharField):
    """A target typed as hours and minutes; cleaned to whole minutes (None when left empty)."""

    default_error_messages = {
        "invalid": _("Write a duration such as 4h, 4h 30m or 90 (minutes)."),
        "range": _("Give a target between 1 minute and 8,333 hours."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"size": "7", "maxlength": "20", "autocomplete": "off"})

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value) or ""
        try:
            minutes = parse_duration(text[:40])
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
            raise forms.ValidationError(self.error_messages["range"], code="range")
        return minutes


def _text(label: Any, *, rows: int = 0, limit: int = MAX_TEXT, **kwargs: Any) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    widget.attrs["maxlength"] = str(limit)  # a hint for the browser: the service says when it is too long
    return forms.CharField(label=label, required=False, widget=widget, **kwargs)


@dataclass(frozen=True)
class TargetCell:
    """One priority of one service in the grid: its two inputs and the public targets beside them."""

    priority: str
    label: str
    first: forms.BoundField
    resolution: forms.BoundField
    public_first: str
    public_resolution: str

    @property
    def inputs(self) -> list[tuple[forms.BoundField, str]]:
        """Each input with the public target beside it: first response, then resolution."""
        return [(self.first, self.public_first), (self.resolution, self.public_resolution)]


@dataclass(frozen=True)
class ServiceRow:
    service: Service
    checkbox: Any  # the service's box of the ``services`` checkboxes
    cells: list[TargetCell]

    @property
    def has_errors(self) -> bool:
        return any(cell.first.errors or cell.resolution.errors for cell in self.cells)


def _cell(service_id: int, priority: str, metric: str) -> str:
    return f"target-{service_id}-{priority}-{metric}"


class AgreementForm(forms.Form):
    """The terms of an agreement. ``parties`` (provider, consumer) fixes the two units, as for a
    revision; without it the form asks for them. ``services`` are the provider's desk's services,
    ``public`` their public targets by (service id, priority) in minutes."""

    provider = forms.TypedChoiceField(
        label=_("Providing unit"),
        coerce=int,
        help_text=_("The unit whose service desk gives the services."),
        error_messages={"required": _("Choose the unit that provides the services.")},
    )
    consumer = forms.TypedChoiceField(
        label=_("Consuming unit"),
        coerce=int,
        help_text=_("Requests from its members, and from the units below it, run under the agreement."),
        error_messages={"required": _("Choose the unit the agreement serves.")},
    )
    title = _text(_("Title of the agreement"), limit=MAX_TITLE)
    services = forms.TypedMultipleChoiceField(
        label=_("Services"),
        coerce=int,
        required=False,  # the service says that at least one is needed
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose among the services of the providing unit.")},
    )
    provider_contact = forms.CharField(label=_("Contact at the providing unit"), required=False)
    consumer_contact = forms.CharField(label=_("Contact at the consuming unit"), required=False)
    starts_on = forms.DateField(
        label=_("Start date"),
        required=False,
        widget=DAY_INPUT,
        error_messages={"invalid": _("Enter a date, e.g. 2027-01-01.")},
    )
    review_on = forms.DateField(
        label=_("Review date"),
        required=False,
        widget=DAY_INPUT,
        help_text=_("The agreement is in force until this day; then both sides review it."),
        error_messages={"invalid": _("Enter a date, e.g. 2027-06-30.")},
    )
    remind_days = forms.IntegerField(
        label=_("Remind both sides this many days before the review"),
        min_value=0,
        max_value=MAX_REMIND_DAYS,
        initial=14,
        error_messages={"required": _("Enter a number of days between 0 and 365.")},
    )
    note = _text(_("Note (optional)"), rows=3)
    reason = _text(_("Why the terms change"), rows=3, help_text=_("Both sides read this with the proposal."))

    def __init__(
        self,
        *args: Any,
        providers: Sequence[Unit] = (),
        consumers: Sequence[Unit] = (),
        services: Sequence[Service] = (),
        public: Mapping[tuple[int, str], tuple[int, int]] | None = None,
        people: Sequence[Employee] = (),
        people_search: bool = False,
        parties: tuple[Unit, Unit] | None = None,
        needs_reason: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.parties = parties
        if parties is None:
            self.fields["provider"].choices = [  # type: ignore[attr-defined]
                ("", gettext("Choose a unit with a service desk…")),
                *((unit.pk, unit.name) for unit in providers),
            ]
            self.fields["consumer"].choices = [  # type: ignore[attr-defined]
                ("", gettext("Choose a unit…")),
                *((unit.pk, f"{'— ' * unit.depth}{unit.name}") for unit in consumers),
            ]
        else:
            del self.fields["provider"], self.fields["consumer"]
        if needs_reason:
            self.fields["reason"].required = True
            self.fields["reason"].required_mark = True  # type: ignore[attr-defined]
            self.fields["reason"].error_messages["required"] = gettext(
                "Say why the terms change; both sides read it with the proposal."
            )
        else:
            del self.fields["reason"]
        self.fields["title"].widget.attrs["placeholder"] = gettext("e.g. IT support for Sales")
        for name in ("provider", "consumer", "title"):
            if name in self.fields:
                self.fields[name].required_mark = True  # type: ignore[attr-defined]
        self.service_list = list(services)
        self.fields["services"].choices = [  # type: ignore[attr-defined]
            (service.pk, service.name) for service in self.service_list
        ]
        for name in ("provider_contact", "consumer_contact"):
            widget = PersonSelect(search=people_search)
            widget.choices = person_choices(people, blank=gettext("Choose a person…"))
            self.fields[name].widget = widget
        self.public = dict(public or {})
        for service in self.service_list:
            for priority in Priority.values:
                for metric, words in (("first", _("first response")), ("resolution", _("resolution"))):
                    field = DurationField(label=f"{priority} {words}")
                    field.widget.attrs["aria-label"] = gettext("%(priority)s, %(metric)s: %(service)s") % {
                        "priority": priority,
                        "metric": words,
                        "service": service.name,
                    }
                    self.fields[_cell(service.pk, priority, metric)] = field
        # Filled by clean(): the grid cells of each target handed to the service, in order.
        self.target_cells: list[tuple[str, str]] = []

    # --- building ---------------------------------------------------------------------------

    @staticmethod
    def initial_from(terms: Any, *, title: str = "") -> dict[str, Any]:
        """The initial values for editing a version of the terms (an ``AgreementVersion``)."""
        initial: dict[str, Any] = {
            "title": title,
            "services": [service.pk for service in terms.services.all()],
            "provider_contact": str(terms.provider_contact_id),
            "consumer_contact": str(terms.consumer_contact_id),
            "starts_on": terms.starts_on,
            "review_on": terms.review_on,
            "remind_days": terms.remind_days,
            "note": terms.note,
        }
        for target in terms.targets.all():
            initial[_cell(target.service_id, target.priority, "first")] = duration_input(target.first_response_minutes)
            initial[_cell(target.service_id, target.priority, "resolution")] = duration_input(target.resolution_minutes)
        return initial

    @staticmethod
    def initial_from_data(data: QueryDict) -> dict[str, Any]:
        """Unsaved input as initial values, to show the form again without judging it (the
        provider changed, so its services are offered afresh)."""
        skip = ("csrfmiddlewaretoken", "services", "refresh", "action")
        initial: dict[str, Any] = {name: data.get(name) for name in data if name not in skip}
        initial["services"] = [value for value in (as_id(item) for item in data.getlist("services")) if value]
        return initial

    # --- reading ----------------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = set(cleaned.get("services") or [])
        targets: list[TargetInput] = []
        self.target_cells = []
        for service in self.service_list:
            for priority in Priority.values:
                first_name = _cell(service.pk, priority, "first")
                resolution_name = _cell(service.pk, priority, "resolution")
                if first_name in self.errors or resolution_name in self.errors:
                    continue
                first, resolution = cleaned.get(first_name), cleaned.get(resolution_name)
                if first is None and resolution is None:
                    continue
                if service.pk not in chosen:
                    self.add_error(
                        first_name if first is not None else resolution_name,
                        gettext("Tick %(service)s above to agree this target, or clear it.")
                        % {"service": service.name},
                    )
                    continue
                if first is None or resolution is None:
                    self.add_error(first_name if first is None else resolution_name, BOTH_OR_NEITHER)
                    continue
                targets.append(TargetInput(service.pk, priority, first, resolution))
                self.target_cells.append((first_name, resolution_name))
        cleaned["targets"] = targets
        return cleaned

    def terms(self) -> TermsInput:
        data = self.cleaned_data
        remind = data.get("remind_days")
        return TermsInput(
            services=list(data.get("services") or []),
            provider_contact=as_id(data.get("provider_contact") or ""),
            consumer_contact=as_id(data.get("consumer_contact") or ""),
            starts_on=data.get("starts_on"),
            review_on=data.get("review_on"),
            targets=tuple(data.get("targets") or ()),
            remind_days=14 if remind is None else remind,
            note=data.get("note") or "",
        )

    def add_service_errors(self, errors: Mapping[str, Sequence[str]]) -> None:
        """The service's keyed messages next to their inputs: ``targets.N.first_response_minutes``
        and ``targets.N.resolution_minutes`` next to that target's grid cell, the rest by name."""
        for key, messages in errors.items():
            name: str | None = key
            parts = key.split(".")
            if len(parts) == 3 and parts[0] == "targets" and parts[1].isdigit():
                index = int(parts[1])
                cells = self.target_cells[index] if index < len(self.target_cells) else None
                name = None
                if cells is not None and parts[2] == "first_response_minutes":
                    name = cells[0]
                elif cells is not None and parts[2] == "resolution_minutes":
                    name = cells[1]
                elif parts[2] in ("service", "priority"):
                    name = "services"
            for message in messages:
                self.add_error(name if name in self.fields else None, message)

    # --- showing ----------------------------------------------------------------------------

    @property
    def service_rows(self) -> list[ServiceRow]:
        """The services with their box and their P1–P4 grid, for the template."""
        boxes = {str(box.data["value"]): box for box in self["services"]}
        rows = []
        for service in self.service_list:
            cells = []
            for priority in Priority.values:
                public = self.public.get((service.pk, priority))
                cells.append(
                    TargetCell(
                        priority=priority,
                        label=str(Priority(priority).label),
                        first=self[_cell(service.pk, priority, "first")],
                        resolution=self[_cell(service.pk, priority, "resolution")],
                        public_first=duration_text(public[0]) if public else "",
                        public_resolution=duration_text(public[1]) if public else "",
                    )
                )
            rows.append(ServiceRow(service=service, checkbox=boxes.get(str(service.pk)), cells=cells))
        return rows

    @property
    def grid_has_errors(self) -> bool:
        return any(name.startswith("target-") for name in self.errors)


class DecideForm(forms.Form):
    """Declining (or withdrawing) a proposal, with an optional reason the other side reads."""

    reason = _text(_("Reason (optional)"), rows=2, help_text=_("The other side reads it with the answer."))


STATE_CHOICES = (
    ("", _("All states")),
    ("draft", _("Draft")),
    ("proposed", _("Proposed")),
    ("active", _("Active")),
    ("expired", _("Expired")),
)


class ListFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)
