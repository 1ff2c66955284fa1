"""Checks shared by the forms, the API, the HRIS import and the demo: one meaning of "valid"."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from functools import cache
from typing import Any

import holidays
from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_INTERESTS = 15
MAX_INTEREST_LENGTH = 40
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@cache
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@cache
def _holiday_countries() -> dict[str, list[str]]:
    return {code: list(subdivisions) for code, subdivisions in holidays.list_supported_countries().items()}


def clean_time_zone(value: str) -> str:
    value = value.strip()
    if value not in time_zones():
        raise ValidationError(_("“%(value)s” is not a known time zone, e.g. Europe/Berlin.") % {"value": value})
    return value


def clean_language(value: str, *, allow_blank: bool = False) -> str:
    value = value.strip().lower().replace("_", "-")
    if not value and allow_blank:
        return ""
    if value not in LANG_INFO or "code" not in LANG_INFO[value]:
        raise ValidationError(_("“%(value)s” is not a known language code, e.g. en or de.") % {"value": value})
    return value


def clean_country(value: str) -> str:
    value = value.strip().upper()
    if value and not re.fullmatch(r"[A-Z]{2}", value):
        raise ValidationError(_("“%(value)s” is not a two-letter country code, e.g. DE.") % {"value": value})
    return value


def clean_subdivision(value: str, *, country: str) -> str:
    value = value.strip().upper()
    if not value:
        return ""
    if not country:
        raise ValidationError(_("A subdivision needs a country."))
    known = _holiday_countries().get(country)
    if known is not None and known and value not in known:
        raise ValidationError(
            _("“%(value)s” is not a subdivision of %(country)s; known ones: %(known)s.")
            % {"value": value, "country": country, "known": ", ".join(sorted(known)[:12])}
        )
    return value


def clean_interests(values: Iterable[Any]) -> list[str]:
    cleaned: list[str] = []
    seen: set[str] = set()
    for raw in values:
        if not isinstance(raw, str):
            raise ValidationError(_("Each interest must be text."))
        tag = " ".join(raw.split())
        if not tag:
            continue
        if len(tag) > MAX_INTEREST_LENGTH:
            raise ValidationError(
                _("“%(tag)s” is longer than %(max)d characters.") % {"tag": tag[:20] + "…", "max": MAX_INTEREST_LENGTH}
            )
        key = tag.casefold()
        if key not in seen:
            seen.add(key)
            cleaned.append(tag)
    if len(cleaned) > MAX_INTERESTS:
        raise ValidationError(_("At most %(max)d interests, please.") % {"max": MAX_INTERESTS})
    return cleaned


def clean_working_hours(value: Any) -> dict[str, Any]:
    """``{}`` (not given) or ``{"days": [...], "start": "HH:MM", "end": "HH:MM"}`` with start < end."""
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(_("Working hours must name days, a start and an end."))
    days = value.get("days") or []
    start = str(value.get("start") or "")
    end = str(value.get("end") or "")
    if not isinstance(days, list) or any(day not in WEEKDAYS for day in days):
        raise ValidationError(_("Working days must be among: %(days)s.") % {"days": ", ".join(WEEKDAYS)})
    if not days:
        raise ValidationError(_("Pick at least one working day."))
    if not _HHMM.match(start) or not _HHMM.match(end):
        raise ValidationError(_("Start and end must be times like 09:00."))
    if start >= end:
        raise ValidationError(_("Working hours must end after they start."))
    ordered = [day for day in WEEKDAYS if day in days]
    return {"days": ordered, "start": start, "end": end}
