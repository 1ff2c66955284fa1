"""Template helpers shared by every context's pages."""

from __future__ import annotations

import uuid
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def person_chip(employee: Any) -> str:
    """A person's name linking to their page, with a button that opens their card.

    The card (how they like to be served and recognised) loads on first open and is a native
    popover, so it works with the keyboard and closes with Escape.
    """
    if employee is None:
        return ""
    card_id = f"card-{employee.pk}-{uuid.uuid4().hex[:8]}"
    return format_html(
        '<span class="person"><a href="{url}">{name}</a>'
        '<button type="button" class="card-toggle" popovertarget="{card_id}" '
        'aria-label="{label}" title="{label}" hx-get="{card_url}" hx-target="#{card_id}" '
        'hx-trigger="click once">i</button>'
        '<div id="{card_id}" popover class="person-card" role="dialog" aria-label="{label}">{loading}</div></span>',
        url=reverse("people:person", args=[employee.pk]),
        card_url=reverse("people:card", args=[employee.pk]),
        name=employee.name,
        card_id=card_id,
        label=_("How %(name)s likes to work") % {"name": employee.name},
        loading=_("Loading…"),
    )


@register.filter
def initials(name: str) -> str:
    parts = [part for part in name.split() if part]
    return "".join(part[0] for part in parts[:2]).upper()
