"""Forms of the portal. They only read input: every rule is checked by ``services.request_create``.

The request form is built from a request type's fields. Its inputs keep the submitted text as it
is (no parsing, no second copy of the field rules in ``fields.py``), so the service sees what the
person typed and its errors, keyed ``subject``, ``fields.<key>``, ``attachments`` …, are put back
next to the matching inputs by ``RequestForm.add_service_errors``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insideout.core.text import as_id
from insideout.servicedesk.cooperation.services import MAX_TEXT as MAX_COOP_TEXT
from insideout.servicedesk.fields import MAX_LONG_TEXT, MAX_TEXT
from insideout.servicedesk.models import PRIORITY_MEANINGS, FieldType, Priority, RequestType
from insideout.servicedesk.services import MAX_BODY, MAX_SUBJECT

FIELD_PREFIX = "field_"

SHOW_CHOICES = (
    ("open", gettext_lazy("Open")),
    ("resolved", gettext_lazy("Resolved or closed")),
    ("all", gettext_lazy("All")),
)


class CatalogSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search services"), required=False, max_length=200)


class MyRequestsForm(forms.Form):
    show = forms.ChoiceField(label=gettext_lazy("Show"), choices=SHOW_CHOICES, required=False)

    def value(self) -> str:
        self.is_valid()
        return self.cleaned_data.get("show") or "open"


class PeopleSearchForm(forms.Form):
    people_q = forms.CharField(required=False, max_length=100)


class RawText(forms.CharField):
    """Text passed to the service as typed; the service decides what is valid."""

    def __init__(self, *, max_length: int | None = None, **kwargs: Any) -> None:
        super().__init__(required=False, strip=False, **kwargs)
        if max_length is not None:
            # Only a hint for the browser: the service says when a text is too long, with the rest.
            self.widget.attrs["maxlength"] = str(max_length)


class RawChoices(forms.Field):
    """The ticked values of a multiple choice, as a list of strings."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, choices: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        self.widget.choices = list(choices)  # type: ignore[attr-defined]

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        return [str(item) for item in value] if isinstance(value, list | tuple) else [str(value)]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFiles(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[Any]]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [item for item in items if item]


class WhenField(forms.DateTimeField):
    """A ``datetime-local`` input, read in the viewer's time zone (the middleware activates it)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
        super().__init__(**kwargs)
        self.error_messages["invalid"] = gettext_lazy("Enter a date and a time, e.g. 2026-11-26 15:00.")


class PersonSelect(forms.Select):
    """A select of people; in larger organisations it holds only the chosen person, and the search
    input beside it (see ``portal/partials/person_picker.html``) fills it with matches."""

    template_name = "servicedesk/portal/partials/person_select.html"

    def __init__(self, *, search: bool, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs)
        self.search = search

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["search"] = self.search
        return context


def attachment_help() -> str:
    max_mb = settings.SERVICEDESK_ATTACHMENT_MAX_BYTES / 1_000_000
    types = ", ".join(sorted(settings.SERVICEDESK_ATTACHMENT_TYPES))
    return _("Up to %(mb).0f MB per file. Allowed types: %(types)s.") % {"mb": max_mb, "types": types}


class Nameable(Protocol):
    """What a person input needs of a person: an ``Employee`` or a ``selectors.PersonChoice``."""

    @property
    def pk(self) -> int: ...

    @property
    def name(self) -> str: ...


def person_choices(people: Sequence[Nameable], *, blank: str) -> list[tuple[str, str]]:
    return [("", blank), *((str(person.pk), person.name) for person in people)]


def priority_choices() -> list[tuple[str, Any]]:
    return [
        (
            priority.value,
            format_html(
                '<strong>{}</strong> <span class="muted">{}</span>', priority.label, PRIORITY_MEANINGS[priority]
            ),
        )
        for priority in Priority
    ]


class RequestForm(forms.Form):
    """The form of one request type: subject, description, priority, on behalf of, its own fields, files."""

    subject = RawText(label=gettext_lazy("Subject"), max_length=MAX_SUBJECT)
    description = RawText(
        label=gettext_lazy("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_BODY,
        help_text=gettext_lazy("What you need, and anything that helps. Markdown works: *emphasis*, lists, links."),
    )
    priority = forms.ChoiceField(label=gettext_lazy("Priority"), widget=forms.RadioSelect, required=False)
    on_behalf_of = RawText(
        label=gettext_lazy("On behalf of (optional)"),
        help_text=gettext_lazy("If you ask for someone else, choose them: they see the request and its replies."),
    )
    attachments = MultipleFiles(label=gettext_lazy("Attachments (optional)"))
    needed_by = WhenField(
        label=gettext_lazy("Needed by (optional)"),
        required=False,
        help_text=gettext_lazy(
            "If you need it by a certain time, say so: when that is sooner than the desk's standard, "
            "the desk accepts it or proposes another time."
        ),
    )
    needed_by_reason = RawText(
        label=gettext_lazy("Why then"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_COOP_TEXT,
        help_text=gettext_lazy("Needed with a date, e.g. “the new colleague starts that morning”."),
    )

    def __init__(
        self,
        *args: Any,
        request_type: RequestType,
        people: Sequence[Nameable],
        people_search: bool,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {"priority": request_type.default_priority})
        super().__init__(*args, **kwargs)
        self.request_type = request_type
        self.fields["subject"].widget.attrs.update({"aria-required": "true", "autocomplete": "off"})
        self.fields["subject"].required_mark = True  # type: ignore[attr-defined]
        priority = self.fields["priority"]
        assert isinstance(priority, forms.ChoiceField)
        priority.choices = priority_choices()
        self.fields["attachments"].help_text = attachment_help()
        self._people_widget(self.fields["on_behalf_of"], people, people_search, blank=_("Nobody else — it is for me"))
        self.type_field_names: list[str] = []
        for spec in request_type.fields.all():
            name = f"{FIELD_PREFIX}{spec.key}"
            field = self._field_for(spec.type, list(spec.choices or []), people, people_search)
            field.label = spec.label
            field.help_text = spec.help_text
            field.required_mark = spec.required  # type: ignore[attr-defined]
            if spec.required and spec.type not in (FieldType.MULTI_CHOICE,):
                field.widget.attrs["aria-required"] = "true"
            self.fields[name] = field
            self.type_field_names.append(name)

    def _people_widget(self, field: forms.Field, people: Sequence[Nameable], search: bool, *, blank: str) -> None:
        field.widget = PersonSelect(search=search)
        field.widget.choices = person_choices(people, blank=blank)  # type: ignore[attr-defined]

    def _field_for(self, kind: str, choices: list[str], people: Sequence[Nameable], people_search: bool) -> forms.Field:
        if kind == FieldType.LONG_TEXT:
            return RawText(widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_LONG_TEXT)
        if kind == FieldType.CHOICE:
            field = RawText()
            field.widget = forms.Select(choices=[("", _("Choose…")), *((c, c) for c in choices)])
            return field
        if kind == FieldType.MULTI_CHOICE:
            return RawChoices(choices=[(c, c) for c in choices])
        if kind == FieldType.DATE:
            return RawText(widget=forms.DateInput(attrs={"type": "date"}))
        if kind == FieldType.NUMBER:
            return RawText(widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
        if kind == FieldType.PERSON:
            field = RawText()
            self._people_widget(field, people, people_search, blank=_("Choose a person…"))
            return field
        if kind == FieldType.FILE:
            return forms.FileField(required=False)
        return RawText(max_length=MAX_TEXT)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Checked before anything is filed, so a wrong date never leaves a request without it.
        when = cleaned.get("needed_by")
        reason = (cleaned.get("needed_by_reason") or "").strip()
        if when is not None and not reason:
            self.add_error("needed_by_reason", _("Say why you need it by then."))
        elif when is None and reason and "needed_by" not in self.errors:
            self.add_error("needed_by", _("Give the date and time you need it by, or leave “Why then” empty."))
        elif when is not None and when <= timezone.now():
            self.add_error("needed_by", _("This time has already passed; choose one in the future."))
        return cleaned

    def needed_by_arguments(self) -> dict[str, Any] | None:
        """What ``cooperation.services.needed_by_set`` takes, when a needed-by date was given."""
        when = self.cleaned_data.get("needed_by")
        if when is None:
            return None
        return {"needed_by": when, "reason": self.cleaned_data.get("needed_by_reason") or ""}

    @property
    def type_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.type_field_names]

    def service_arguments(self) -> dict[str, Any]:
        """What ``services.request_create`` takes, from the (already valid) form."""
        data = self.cleaned_data
        fields: dict[str, Any] = {}
        files: dict[str, UploadedFile[Any]] = {}
        for spec in self.request_type.fields.all():
            value = data.get(f"{FIELD_PREFIX}{spec.key}")
            if spec.type == FieldType.FILE:
                if value:
                    files[spec.key] = value
            elif value not in (None, "", []):
                fields[spec.key] = value
        on_behalf_of = (data.get("on_behalf_of") or "").strip()
        # Not a number: an id no person has, so the service says so next to the input.
        on_behalf_of_id = (as_id(on_behalf_of) or -1) if on_behalf_of else None
        return {
            "subject": data.get("subject") or "",
            "description": data.get("description") or "",
            "priority": data.get("priority") or None,
            "fields": fields,
            "files": files,
            "attachments": data.get("attachments") or [],
            "on_behalf_of_id": on_behalf_of_id,
        }

    def add_service_errors(self, errors: Mapping[str, Sequence[str]]) -> None:
        """Put the service's errors next to the inputs they are about (the rest above the form)."""
        for key, messages in errors.items():
            name = f"{FIELD_PREFIX}{key.removeprefix('fields.')}" if key.startswith("fields.") else key
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message)
