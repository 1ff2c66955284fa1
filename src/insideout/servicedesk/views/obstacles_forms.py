"""Forms of the obstacles panel on the request page. They only read input; the services decide."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from insideout.core.text import as_id
from insideout.servicedesk.cooperation.models import WaitingOn
from insideout.servicedesk.cooperation.services import MAX_OUTSIDE, MAX_TEXT
from insideout.servicedesk.views.portal_forms import Nameable, PersonSelect, person_choices

# The service's keyword for what an obstacle waits on, by kind.
WAITING_ARGUMENT: dict[str, str] = {
    WaitingOn.PERSON: "waiting_on_person",
    WaitingOn.REQUEST: "waiting_on_request",
    WaitingOn.OUTSIDE: "waiting_on_outside",
}


class ObstacleForm(forms.Form):
    """What blocks the request, what it waits on (one of three) and the expected new date."""

    description = forms.CharField(
        label=_("What is blocking"), widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT, strip=True
    )
    waiting_on = forms.ChoiceField(label=_("It waits on"), choices=WaitingOn.choices, widget=forms.RadioSelect)
    waiting_on_person = forms.CharField(label=_("The person"), required=False)
    waiting_on_request = forms.CharField(
        label=_("The request"), required=False, max_length=40, help_text=_("Its key, e.g. HR-7.")
    )
    waiting_on_outside = forms.CharField(
        label=_("The outside party"),
        required=False,
        max_length=MAX_OUTSIDE,
        help_text=_("e.g. the supplier, the bank, the landlord."),
    )
    expected_at = forms.DateTimeField(
        label=_("Expected new date"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("When you now expect to go on; in your time zone."),
        error_messages={"invalid": _("Enter a date and a time, e.g. 2026-11-26 15:00.")},
    )

    def __init__(self, *args: Any, people: Sequence[Nameable], people_search: bool, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "obstacle")
        kwargs.setdefault("initial", {"waiting_on": WaitingOn.OUTSIDE})
        super().__init__(*args, **kwargs)
        person = self.fields["waiting_on_person"]
        person.widget = PersonSelect(search=people_search)
        person.widget.choices = person_choices(people, blank=str(_("Choose a person")))  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = str(cleaned.get("waiting_on") or "")
        name = WAITING_ARGUMENT.get(kind)
        if name is None:
            return cleaned
        value = (cleaned.get(name) or "").strip()
        if not value:
            self.add_error(name, _("Say who or what it waits on."))
        elif kind == WaitingOn.PERSON and as_id(value) is None:
            self.add_error(name, _("Choose a person from the list."))
        return cleaned

    def service_arguments(self, request_id_of: Callable[[str], int]) -> dict[str, Any]:
        """The keyword arguments of ``obstacle_flag``; a request key becomes its id through
        ``request_id_of`` (which raises a ValidationError keyed ``waiting_on`` when it is unknown)."""
        data = self.cleaned_data
        kind = data["waiting_on"]
        value = (data.get(WAITING_ARGUMENT[kind]) or "").strip()
        arguments: dict[str, Any] = {"description": data["description"], "expected_at": data["expected_at"]}
        if kind == WaitingOn.PERSON:
            arguments["waiting_on_person"] = as_id(value)
        elif kind == WaitingOn.REQUEST:
            arguments["waiting_on_request"] = request_id_of(value)
        else:
            arguments["waiting_on_outside"] = value
        return arguments

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """A service's keyed errors next to their fields; ``waiting_on`` next to the chosen kind's input."""
        kind = str(getattr(self, "cleaned_data", {}).get("waiting_on") or "")
        for key, messages in errors.items():
            name = WAITING_ARGUMENT.get(kind, "waiting_on") if key == "waiting_on" else key
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("How it was cleared (optional)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        strip=True,
    )
