from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from insideout.people.models import CommunicationStyle, PreferredChannel, RecognitionPreference, TokenScope
from insideout.people.validation import WEEKDAYS

WEEKDAY_LABELS = {
    "mon": _("Mon"),
    "tue": _("Tue"),
    "wed": _("Wed"),
    "thu": _("Thu"),
    "fri": _("Fri"),
    "sat": _("Sat"),
    "sun": _("Sun"),
}


class ProfileForm(forms.Form):
    """Only shapes the input; the rules live in ``services.profile_update``."""

    preferred_channel = forms.ChoiceField(
        label=_("How should we reach you?"), choices=PreferredChannel.choices, widget=forms.RadioSelect
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("As in my HR record"))] + list(settings.LANGUAGES),
    )
    communication_style = forms.ChoiceField(
        label=_("What works best when people explain something to you?"),
        choices=CommunicationStyle.choices,
        widget=forms.RadioSelect,
    )
    recognition_preference = forms.ChoiceField(
        label=_("How would you like to be recognised?"),
        choices=RecognitionPreference.choices,
        widget=forms.RadioSelect,
    )
    interests = forms.CharField(
        label=_("Interests beyond the job"),
        required=False,
        help_text=_("Separate them with commas, e.g. cycling, chess, baking."),
    )
    working_days = forms.MultipleChoiceField(
        label=_("Working days"),
        required=False,
        choices=[(day, WEEKDAY_LABELS[day]) for day in WEEKDAYS],
        widget=forms.CheckboxSelectMultiple,
    )
    working_start = forms.TimeField(label=_("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    # "To" alone is the person something is for (German "An"); the end of the hours is "Bis".
    working_end = forms.TimeField(
        label=pgettext_lazy("end of a time span", "To"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    about = forms.CharField(
        label=_("Anything else colleagues should know?"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @classmethod
    def initial_from(cls, profile: Any) -> dict[str, Any]:
        hours = profile.working_hours or {}
        return {
            "preferred_channel": profile.preferred_channel,
            "language": profile.language,
            "communication_style": profile.communication_style,
            "recognition_preference": profile.recognition_preference,
            "interests": ", ".join(profile.interests),
            "working_days": hours.get("days", []),
            "working_start": hours.get("start"),
            "working_end": hours.get("end"),
            "about": profile.about,
        }

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        days, start, end = data["working_days"], data["working_start"], data["working_end"]
        if days or start or end:
            working_hours: dict[str, Any] = {
                "days": days,
                "start": start.strftime("%H:%M") if start else "",
                "end": end.strftime("%H:%M") if end else "",
            }
        else:
            working_hours = {}
        return {
            "preferred_channel": data["preferred_channel"],
            "language": data["language"],
            "communication_style": data["communication_style"],
            "recognition_preference": data["recognition_preference"],
            "interests": data["interests"].split(","),
            "working_hours": working_hours,
            "about": data["about"],
        }


class TokenForm(forms.Form):
    name = forms.CharField(label=_("What is it for?"), max_length=100)
    scope = forms.ChoiceField(
        label=_("Access"), choices=TokenScope.choices, initial=TokenScope.READ, widget=forms.RadioSelect
    )


class PeopleSearchForm(forms.Form):
    q = forms.CharField(label=_("Search people"), required=False, max_length=100)
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ImportForm(forms.Form):
    """The upload of an HRIS export; ``people.imports`` checks the contents."""

    MAX_SIZE = 50 * 1024 * 1024

    kind = forms.ChoiceField(
        label=_("What is in the file?"),
        choices=[("people", _("People")), ("units", _("Units"))],
        initial="people",
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, separated by commas or semicolons, with the column names on the first line."),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and show what would change, without changing anything"),
        required=False,
        initial=True,
    )
    deactivate_missing = forms.BooleanField(
        label=_("The file lists everyone: deactivate people who are not in it (people only)"),
        required=False,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_SIZE:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB; split it or use the import_people command.")
                % {"size": self.MAX_SIZE // (1024 * 1024)}
            )
        return upload


class FirstPasswordResetForm(PasswordResetForm):
    """Password reset that also reaches accounts without a password yet.

    Django's form skips them, assuming single sign-on; here they are people created by the HRIS
    import or by people-ops, whose first sign-in *is* a reset. The reset token is bound to the
    stored (unusable) password hash, so a link stops working once a password is set.
    """

    def get_users(self, email: str) -> Iterator[Any]:
        # People of the directory, and accounts that already have a password; not password-less
        # integration or administrator accounts that nobody should claim by e-mail.
        accounts = (
            get_user_model()
            ._default_manager.filter(email__iexact=email, is_active=True)
            .filter(Q(employee__isnull=False) | ~Q(password__startswith=UNUSABLE_PASSWORD_PREFIX))
        )
        return (account for account in accounts if account.email.casefold() == email.casefold())
