"""HTML snippets that every context's pages share, built in Python because a page holds many."""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

_MARKER = 987654321


@lru_cache(maxsize=32)
def _url_around_id(name: str, script_prefix: str) -> tuple[str, str]:
    """What comes before and after the id in ``name``'s URL: one ``reverse`` per route, not per use."""
    head, _marker, tail = reverse(name, args=[_MARKER]).partition(str(_MARKER))
    return head, tail


def url_with_id(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` for a route whose only argument is an integer id, without its cost."""
    head, tail = _url_around_id(name, get_script_prefix())
    return f"{head}{int(pk)}{tail}"


def person_chip_html(employee: Any) -> SafeString:
    """A person's name linking to their page, with a button that opens their card.

    The card (how they like to be served and recognised) loads on first open and is a native
    popover, so it works with the keyboard, closes with Escape, a tap outside or its close button,
    and gives focus back to the button that opened it. ``employee`` needs ``pk`` and ``name``.
    """
    if employee is None:
        return SafeString("")
    card_id = f"card-{employee.pk}-{uuid.uuid4().hex[:8]}"
    name = employee.name
    return format_html(
        '<span class="person"><a href="{url}">{name}</a>'
        '<button type="button" class="card-toggle" popovertarget="{card_id}" '
        'aria-label="{label}" title="{label}" hx-get="{card_url}" hx-target="#{card_id}-body" '
        'hx-trigger="click once">i</button></span>'
        '<div id="{card_id}" popover class="person-card" role="dialog" aria-label="{label}">'
        '<button type="button" class="card-close" popovertarget="{card_id}" popovertargetaction="hide" '
        'aria-label="{close}" title="{close}">×</button>'
        '<div id="{card_id}-body">{loading}</div></div>',
        url=url_with_id("people:person", employee.pk),
        card_url=url_with_id("people:card", employee.pk),
        name=name,
        card_id=card_id,
        label=_("How %(name)s likes to work") % {"name": name},
        close=_("Close"),
        loading=_("Loading…"),
    )
