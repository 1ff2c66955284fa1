"""Template helpers shared by every context's pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language_info, gettext_lazy

from insideout.core.chips import person_chip_html

register = template.Library()

ROLE_LABELS = {
    "employee": gettext_lazy("employee"),
    "agent": gettext_lazy("service agent"),
    "lead": gettext_lazy("unit lead"),
    "manager": gettext_lazy("manager"),
    "people_ops": gettext_lazy("people-ops"),
}
# Names of the fields that events list as changed, as people read them (the models' verbose names).
FIELD_LABELS = {
    "preferred_channel": gettext_lazy("preferred channel"),
    "language": gettext_lazy("language"),
    "communication_style": gettext_lazy("communication style"),
    "recognition_preference": gettext_lazy("recognition preference"),
    "interests": gettext_lazy("interests"),
    "working_hours": gettext_lazy("working hours"),
    "about": gettext_lazy("about me"),
    "title": gettext_lazy("title"),
    "unit": gettext_lazy("unit"),
    "manager": gettext_lazy("manager"),
    "location": gettext_lazy("location"),
    "country": gettext_lazy("country"),
    "subdivision": gettext_lazy("subdivision"),
    "time_zone": gettext_lazy("time zone"),
    "start_date": gettext_lazy("start date"),
    "employee_id": gettext_lazy("employee id"),
    "first_name": gettext_lazy("first name"),
    "last_name": gettext_lazy("last name"),
    "email": gettext_lazy("e-mail address"),
    "username": gettext_lazy("username"),
}
WEEKDAY_LABELS = {
    "mon": gettext_lazy("Mon"),
    "tue": gettext_lazy("Tue"),
    "wed": gettext_lazy("Wed"),
    "thu": gettext_lazy("Thu"),
    "fri": gettext_lazy("Fri"),
    "sat": gettext_lazy("Sat"),
    "sun": gettext_lazy("Sun"),
}


@register.simple_tag
def person_chip(employee: Any) -> str:
    """A person's name linking to their page, with a button that opens their card (see ``core.chips``)."""
    return person_chip_html(employee)


@register.filter
def initials(name: str) -> str:
    parts = [part for part in name.split() if part]
    return "".join(part[0] for part in parts[:2]).upper()


@register.filter
def role_label(role: str) -> str:
    """A role's name for people, in their language: ``people_ops`` → "people-ops"."""
    return str(ROLE_LABELS.get(role, role))


@register.filter
def language_name(code: str) -> str:
    """A language code as its name in the reader's language (``de`` → "German"); unknown codes stay as they are."""
    if not code:
        return ""
    try:
        info = get_language_info(code)
    except KeyError:
        return code
    return str(info["name_translated"])


@register.filter
def weekdays(days: list[str]) -> str:
    """Working days as short names in the reader's language: ``["mon", "tue"]`` → "Mon, Tue"."""
    return ", ".join(str(WEEKDAY_LABELS.get(day, day)) for day in days or [])


@register.filter
def field_labels(fields: list[str]) -> str:
    """Changed fields as people read them: ``["time_zone", "title"]`` → "time zone, title"."""
    return ", ".join(str(FIELD_LABELS.get(name, name.replace("_", " "))) for name in fields or [])
