"""Validating a request's form values against its request type's fields.

Pure functions over plain values so the pages, the API and the demo share one set of rules. Every
problem is reported under the field's key, all at once, and nothing is stored when any is found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from insideout.core.text import as_id

MAX_TEXT = 500
MAX_LONG_TEXT = 10_000
MAX_NUMBER_DIGITS = 15  # before the decimal point; beyond that a number is a typo or an attack


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    type: str
    required: bool = False
    choices: tuple[str, ...] = field(default_factory=tuple)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def clean_field_values(
    specs: Iterable[FieldSpec],
    values: Mapping[str, Any],
    *,
    person_exists: Callable[[int], bool],
    files: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the cleaned values (JSON-ready), or raise ``ValidationError`` keyed by field.

    File fields are checked for presence only (``files`` maps a key to an uploaded file); their
    content is checked and stored by the attachment service.
    """
    specs = list(specs)
    files = files or {}
    known = {spec.key for spec in specs}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key in values:
        if key not in known:
            errors.setdefault(key, []).append(_("This request type has no field called “%(key)s”.") % {"key": key})
    for spec in specs:
        if spec.type == "file":
            if spec.required and spec.key not in files:
                errors.setdefault(spec.key, []).append(_("Attach a file."))
            continue
        raw = values.get(spec.key)
        if _blank(raw):
            if spec.required:
                errors.setdefault(spec.key, []).append(_("This field is required."))
            continue
        try:
            cleaned[spec.key] = _clean_one(spec, raw, person_exists)
        except ValueError as exc:
            errors.setdefault(spec.key, []).append(str(exc))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_one(spec: FieldSpec, raw: Any, person_exists: Callable[[int], bool]) -> Any:
    if spec.type in {"text", "long_text"}:
        if not isinstance(raw, str):
            raise ValueError(_("Enter text."))
        limit = MAX_TEXT if spec.type == "text" else MAX_LONG_TEXT
        text = raw.strip()
        if len(text) > limit:
            raise ValueError(_("Enter at most %(limit)d characters.") % {"limit": limit})
        if spec.type == "text" and "\n" in text:
            raise ValueError(_("Enter a single line."))
        return text
    if spec.type == "choice":
        if not isinstance(raw, str) or raw not in spec.choices:
            raise ValueError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(spec.choices)})
        return raw
    if spec.type == "multi_choice":
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise ValueError(_("Choose from the list."))
        wrong = [item for item in items if item not in spec.choices]
        if wrong:
            raise ValueError(
                _("Not a choice: %(wrong)s. Choose from: %(choices)s.")
                % {"wrong": ", ".join(wrong), "choices": ", ".join(spec.choices)}
            )
        return [choice for choice in spec.choices if choice in items]  # in the form's order, once each
    if spec.type == "date":
        if isinstance(raw, date):
            return raw.isoformat()
        try:
            return date.fromisoformat(str(raw)).isoformat()
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    if spec.type == "number":
        if isinstance(raw, bool):
            raise ValueError(_("Enter a number."))
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValueError(_("Enter a number.")) from None
        if not number.is_finite() or number.adjusted() >= MAX_NUMBER_DIGITS:
            # Also bounds the work: Decimal("1e100000000") is cheap, int() of it is not.
            raise ValueError(_("Enter a number with at most %(n)d digits before the point.") % {"n": MAX_NUMBER_DIGITS})
        return int(number) if number == number.to_integral_value() else float(number)
    if spec.type == "person":
        person_id = as_id(raw)
        if person_id is None:
            raise ValueError(_("Choose a person."))
        if not person_exists(person_id):
            raise ValueError(_("No active person has this id."))
        return person_id
    raise ValueError(_("Unknown field type."))
