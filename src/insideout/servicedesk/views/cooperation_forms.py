"""Forms of the cooperation pages: promises, needed-by dates, ratings, thanks, a lead's period.

They only read input (a date and time, a choice, some text); the services decide what is allowed,
and their messages, keyed by the same names as these fields, are put back next to the inputs by
``add_service_errors``. Dates and times come from ``datetime-local`` inputs and are read in the
viewer's time zone, which the middleware has activated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from insideout.core.text import as_id
from insideout.people.models import Employee
from insideout.servicedesk.cooperation.services import MAX_TEXT, MAX_TITLE
from insideout.servicedesk.views.portal_forms import PersonSelect, WhenField, person_choices

# How a rating reads, from 1 (poor) to 5 (excellent).
RATING_WORDS = {
    1: _("Poor"),
    2: _("Fair"),
    3: _("Good"),
    4: _("Very good"),
    5: _("Excellent"),
}
RATE_MESSAGE = _("Rate from 1 (poor) to 5 (excellent).")
# A custom period longer than this is a typing mistake (and a slow page).
MAX_PERIOD = timedelta(days=5 * 366)


def _text(
    label: Any, *, required: bool = False, rows: int = 0, limit: int = MAX_TEXT, **kwargs: Any
) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    # Only a hint for the browser: the service says when a text is too long.
    widget.attrs["maxlength"] = str(limit)
    return forms.CharField(label=label, required=required, widget=widget, **kwargs)


def add_service_errors(form: forms.Form, errors: Mapping[str, Sequence[str]]) -> None:
    """Put a service's ValidationError messages next to the inputs they are about (the rest above)."""
    for key, messages in errors.items():
        target = key if key in form.fields else None
        for message in messages:
            form.add_error(target, message)


# --- on a request -------------------------------------------------------------------------------


class CommitForm(forms.Form):
    due_at = WhenField(label=_("Done by"))
    note = _text(_("Note for the requester (optional)"), rows=2)


class ReviseForm(forms.Form):
    commitment = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    due_at = WhenField(label=_("New time"))
    reason = _text(_("Why it moves"), required=True, rows=2, help_text=_("The requester reads this."))


class NeededByForm(forms.Form):
    needed_by = WhenField(label=_("I need it by"))
    reason = _text(_("Because"), required=True, rows=2, help_text=_("Say why, so the desk can plan for it."))


RESPONSE_CHOICES = (("accept", _("Accept")), ("counter", _("Counter-propose")), ("withdraw", _("Withdraw")))


class RespondForm(forms.Form):
    action = forms.ChoiceField(choices=RESPONSE_CHOICES)
    due_at = WhenField(label=_("Propose instead"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == "counter" and cleaned.get("due_at") is None and "due_at" not in self.errors:
            self.add_error("due_at", _("Choose the time you can offer."))
        return cleaned


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How was the service?"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": RATE_MESSAGE, "invalid_choice": RATE_MESSAGE},
    )
    comment = _text(_("Comment (optional)"), rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = [  # type: ignore[attr-defined]
            (str(rating), rating_words(rating)) for rating in RATING_WORDS
        ]


def rating_words(rating: int) -> str:
    """ "4 — Very good"."""
    return gettext("%(rating)d — %(words)s") % {"rating": rating, "words": RATING_WORDS[rating]}


class ThanksForm(forms.Form):
    to = forms.TypedMultipleChoiceField(
        label=_("Thank"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one person to thank."),
            "invalid_choice": _("Choose among the people who helped."),
        },
    )
    message = _text(_("Your message"), required=True, rows=3)

    def __init__(self, *args: Any, helpers: Sequence[Employee], **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"to": [person.pk for person in helpers], "message": _("Thank you for your help!")}
        )
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(person.pk, person.name) for person in helpers]  # type: ignore[attr-defined]


# --- my promises ------------------------------------------------------------------------------


class PromiseForm(forms.Form):
    """A promise to a colleague outside any request."""

    to = forms.CharField(
        label=_("To"),
        error_messages={"required": _("Choose the person you promise it to.")},
        help_text=_("They are told at once and see the promise on their page."),
    )
    title = _text(_("What you promise"), required=True, limit=MAX_TITLE)
    due_at = WhenField(label=_("By when"))
    note = _text(_("Note (optional)"), rows=2)

    def __init__(self, *args: Any, people: Sequence[Employee], people_search: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = PersonSelect(search=people_search)
        widget.choices = person_choices(people, blank=gettext("Choose a person…"))
        self.fields["to"].widget = widget
        self.fields["title"].widget.attrs["placeholder"] = gettext("e.g. the Q3 figures")

    def clean_to(self) -> int:
        """The chosen person's id (the service checks that it is an active colleague)."""
        person = as_id(self.cleaned_data["to"])
        if person is None:
            raise forms.ValidationError(self.fields["to"].error_messages["required"])
        return person


# --- a lead's view ------------------------------------------------------------------------------

PERIOD_CHOICES = (
    ("this_month", _("This month")),
    ("last_30", _("Last 30 days")),
    ("last_90", _("Last 90 days")),
    ("custom", _("From … to …")),
)


# A date input sends and shows ISO dates, whatever the language.
DAY_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """Which period the figures cover; a custom one is whole days in the viewer's time zone."""

    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=DAY_INPUT)
    end = forms.DateField(label=_("To (including)"), required=False, widget=DAY_INPUT)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("period") != "custom":
            return cleaned
        start: date | None = cleaned.get("start")
        end: date | None = cleaned.get("end")
        for name, value in (("start", start), ("end", end)):
            if value is None and name not in self.errors:
                self.add_error(name, _("Give the first and the last day."))
        if start is not None and end is not None:
            if end < start:
                self.add_error("end", _("The last day comes on or after the first."))
            elif end - start > MAX_PERIOD:
                self.add_error("end", _("Choose a period of at most five years."))
        return cleaned
