"""HTML snippets that every context's pages share, built in Python because a page holds many."""

from __future__ import annotations

import secrets
from functools import lru_cache
from html import escape  # the standard library's: Django's lazy-aware wrapper costs more than the escaping
from typing import Any

from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

_MARKER = 987654321


@lru_cache(maxsize=128)
def _url_around_id(name: str, leading: tuple[str, ...], script_prefix: str) -> tuple[str, str]:
    """What comes before and after the id in ``name``'s URL: one ``reverse`` per route (and leading
    arguments), not per use."""
    head, _marker, tail = reverse(name, args=[*leading, _MARKER]).rpartition(str(_MARKER))
    return head, tail


def url_with_id(name: str, pk: int, *leading: str) -> str:
    """``reverse(name, args=[*leading, pk])`` for a route whose last argument is an integer id, without
    its cost: a page of rows links each of them (``leading``: the arguments before the id, such as a
    desk's prefix)."""
    head, tail = _url_around_id(name, leading, get_script_prefix())
    return f"{head}{int(pk)}{tail}"


def person_chip_html(employee: Any) -> SafeString:
    """A person's name linking to their page, with a button that opens their card.

    The card (how they like to be served and recognised) loads on first open and is a native
    popover, so it works with the keyboard, closes with Escape, a tap outside or its close button,
    and gives focus back to the button that opened it. ``employee`` needs ``pk`` and ``name``.
    """
    if employee is None:
        return SafeString("")
    pk = int(employee.pk)
    card_id = f"card-{pk}-{secrets.token_hex(4)}"
    name = employee.name
    label = escape(_("How %(name)s likes to work") % {"name": name})
    close = escape(_("Close"))
    loading = escape(_("Loading…"))
    # Plain string building, each value escaped once: format_html cost more than the rest of a chip,
    # and a wall or a queue shows a hundred of them.
    return SafeString(
        f'<span class="person"><a href="{url_with_id("people:person", pk)}">{escape(name)}</a>'
        f'<button type="button" class="card-toggle" popovertarget="{card_id}" '
        f'aria-label="{label}" title="{label}" hx-get="{url_with_id("people:card", pk)}" '
        f'hx-target="#{card_id}-body" hx-trigger="click once">i</button></span>'
        f'<div id="{card_id}" popover class="person-card" role="dialog" aria-label="{label}">'
        f'<button type="button" class="card-close" popovertarget="{card_id}" popovertargetaction="hide" '
        f'aria-label="{close}" title="{close}">×</button>'
        f'<div id="{card_id}-body">{loading}</div></div>'
    )
