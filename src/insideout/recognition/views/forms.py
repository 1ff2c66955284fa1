"""Forms of the recognition pages. They only read input: ids, numbers, text, a file; the services
decide what is allowed (nobody recognises themselves, points within the allowance, values in use…),
and their messages, keyed by the same names as these fields, are put back next to the inputs by
``add_service_errors``. Numbers that are no numbers are the forms' to refuse; a negative one is
the service's, so the page and the API say the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from insideout.recognition import awards, catalog, providers, services
from insideout.recognition.models import RewardKind, Value

WHOLE_NUMBER = _("Enter a whole number.")


def add_service_errors(form: forms.Form, errors: Mapping[str, Sequence[str]]) -> None:
    """Put a service's ValidationError messages next to the inputs they are about (the rest above)."""
    for key, messages in errors.items():
        target = key if key in form.fields else None
        for message in messages:
            form.add_error(target, message)


class ListWidget(forms.CheckboxSelectMultiple):
    """Checkboxes that read every value sent under their name."""


class RawList(forms.Field):
    """The values sent under one name, as strings, for the service to judge."""

    widget = ListWidget

    def __init__(self, *, choices: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        self.widget.choices = list(choices)  # type: ignore[attr-defined]

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        items = value if isinstance(value, list | tuple) else [value]
        return [str(item).strip() for item in items if str(item).strip()]


def _points(label: Any, **kwargs: Any) -> forms.IntegerField:
    field = forms.IntegerField(label=label, error_messages={"invalid": WHOLE_NUMBER}, **kwargs)
    field.widget.attrs.update({"inputmode": "numeric", "min": "0", "step": "1"})
    return field


def _text(label: Any, *, rows: int = 0, limit: int, required: bool = False, **kwargs: Any) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    widget.attrs["maxlength"] = str(limit)  # only a hint: the service says when it is too long
    return forms.CharField(label=label, required=required, widget=widget, strip=False, **kwargs)


def value_choices(values: Sequence[Value]) -> list[tuple[str, str]]:
    return [(str(value.pk), value.name) for value in values]


# --- recognition -------------------------------------------------------------------------------------


class GiveForm(forms.Form):
    """Recognise people (chosen one by one, or a whole team) with values, a message and points."""

    to = RawList(label=_("People"))
    team = forms.CharField(label=_("Or a whole team"), required=False)
    values = RawList(label=_("Values"))
    message = _text(_("Your message"), rows=4, limit=services.MAX_MESSAGE)
    points = _points(_("Points to each person"), required=False, initial=0)
    for_ref = forms.CharField(required=False, widget=forms.HiddenInput)
    for_label = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)
    email_thanks = forms.BooleanField(
        label=_("Also e-mail them a thank-you"),
        required=False,
        help_text=_(
            "Each person you recognise gets a personal e-mail, in their language, with their name, your message "
            "and the values."
        ),
    )

    def __init__(self, *args: Any, values: Sequence[Value], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["values"].widget.choices = value_choices(values)  # type: ignore[attr-defined]
        self.fields["message"].widget.attrs["placeholder"] = _("What did they do, and what did it change for you?")

    def points_value(self) -> int:
        """The points typed (``typed_points``), even when refused."""
        return typed_points(self.data.get("points", "")) if self.is_bound else 0


def typed_points(text: object) -> int:
    """Points as typed, for the live summary: 0 when empty or no whole number; a negative number
    stays negative, so the summary can say it will be refused."""
    try:
        return int(str(text).strip()[:12])
    except ValueError:
        return 0


class BoostForm(forms.Form):
    points = _points(_("Points"), required=True)


# --- rewards -----------------------------------------------------------------------------------------


class RedeemForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("How many"), initial=1, error_messages={"invalid": WHOLE_NUMBER, "required": WHOLE_NUMBER}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quantity"].widget.attrs.update({"min": "1", "max": "100", "inputmode": "numeric"})


class NoteForm(forms.Form):
    """The optional words of a decision: a cancellation's reason, an approval's or rejection's note."""

    note = _text(_("Note (optional)"), limit=2000)


class FulfilForm(forms.Form):
    note = _text(_("Code or tracking note"), rows=2, limit=2000)


# --- spot awards ---------------------------------------------------------------------------------------


class AwardForm(forms.Form):
    to = forms.CharField(label=_("To"), required=False)
    points = _points(_("Points"), required=False)
    reason = _text(_("Reason"), rows=3, limit=awards.MAX_REASON)
    values = RawList(label=_("Values (optional)"))

    def __init__(self, *args: Any, values: Sequence[Value], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["values"].widget.choices = value_choices(values)  # type: ignore[attr-defined]


# --- the wall's filters ----------------------------------------------------------------------------------

SCOPES = ("wall", "mine", "given")


class WallFilterForm(forms.Form):
    scope = forms.ChoiceField(choices=[(scope, scope) for scope in SCOPES], required=False)
    value = forms.TypedChoiceField(label=_("Value"), coerce=int, required=False, empty_value=None)
    my_unit = forms.BooleanField(label=_("Only my unit"), required=False)
    person = forms.IntegerField(label=_("Person"), required=False, min_value=1)

    def __init__(self, *args: Any, values: Sequence[Value], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = [("", _("Any value")), *value_choices(values)]  # type: ignore[attr-defined]

    def values_or_defaults(self) -> dict[str, Any]:
        if self.is_valid():
            return dict(self.cleaned_data)
        return {"scope": "", "value": None, "my_unit": False, "person": None}


# --- people-ops ----------------------------------------------------------------------------------------


class ValueForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = _text(_("What it looks like (optional)"), rows=2, limit=2000)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class RuleForm(forms.Form):
    event_type = forms.CharField(widget=forms.HiddenInput)
    points = _points(_("Points to each person"), required=False)
    is_active = forms.BooleanField(label=_("On"), required=False)


def _optional_count(label: Any, help_text: Any) -> forms.IntegerField:
    field = forms.IntegerField(
        label=label, required=False, min_value=0, help_text=help_text, error_messages={"invalid": WHOLE_NUMBER}
    )
    field.widget.attrs.update({"inputmode": "numeric", "min": "0"})
    return field


class RewardForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = _text(_("Description (optional)"), rows=3, limit=5000)
    kind = forms.ChoiceField(label=_("Kind"), choices=RewardKind.choices)
    points_cost = forms.IntegerField(
        label=_("Points"), min_value=1, error_messages={"invalid": WHOLE_NUMBER, "min_value": _("At least 1 point.")}
    )
    stock = _optional_count(_("In stock (optional)"), _("Empty: unlimited."))
    per_person_limit = _optional_count(_("Most one person may redeem (optional)"), _("Empty: no limit."))
    countries = forms.CharField(
        label=_("Available in (optional)"),
        required=False,
        max_length=1000,
        help_text=_("Two-letter country codes, separated by commas, e.g. DE, AT. Empty: everywhere."),
    )
    provider = forms.ChoiceField(label=_("Fulfilled by"), required=False)
    provider_sku = forms.CharField(label=_("Provider's product code"), required=False, max_length=100)
    position = forms.IntegerField(
        label=_("Position in the catalog"), required=False, min_value=0, max_value=32767, initial=0
    )
    is_active = forms.BooleanField(label=_("In the catalog"), required=False, initial=True)
    picture = forms.FileField(
        label=_("Picture (optional)"),
        required=False,
        help_text=_("A PNG, JPEG, GIF or WebP picture of at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg,.gif,.webp"}),
    )
    remove_picture = forms.BooleanField(label=_("Remove the picture"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [  # type: ignore[attr-defined]
            ("", _("People-ops, by hand")),
            *((name, name) for name in providers.provider_names()),
        ]

    def reward_input(self) -> catalog.RewardInput:
        data = self.cleaned_data
        return catalog.RewardInput(
            name=data["name"],
            description=data["description"],
            kind=data["kind"],
            points_cost=data["points_cost"],
            stock=data["stock"],
            per_person_limit=data["per_person_limit"],
            countries=[code for code in data["countries"].replace(";", ",").split(",") if code.strip()],
            provider=data["provider"],
            provider_sku=data["provider_sku"],
            is_active=data["is_active"],
            position=data["position"] or 0,
            picture=data["picture"] or None,
            remove_picture=data["remove_picture"],
        )


DAY_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FairnessForm(forms.Form):
    """The fair-play report's period: whole days, the last one included."""

    start = forms.DateField(label=_("From"), required=False, widget=DAY_INPUT)
    end = forms.DateField(label=_("To (including)"), required=False, widget=DAY_INPUT)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start: date | None = cleaned.get("start")
        end: date | None = cleaned.get("end")
        if start is not None and end is not None and end < start:
            self.add_error("end", _("The last day comes on or after the first."))
        if start is not None and end is not None and (end - start).days > 366:
            self.add_error("end", _("Choose a period of at most a year."))
        return cleaned


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": _("Choose a month, e.g. 2026-12.")},
    )
