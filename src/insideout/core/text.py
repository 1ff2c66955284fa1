"""User-written text: Markdown rendered to safe HTML.

Raw HTML in the source is never passed through (markdown-it's ``html`` option is off), and the
result is cleaned once more by an allow-list sanitiser, so a reply or description can never carry a
script, an event handler or a ``javascript:`` link into a page.
"""

from __future__ import annotations

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
_md.enable("strikethrough")

_TAGS = {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}


def markdown_to_html(text: str) -> str:
    """Render Markdown to sanitised HTML; links get ``rel="noopener noreferrer nofollow"``."""
    if not text.strip():
        return ""
    html = _md.render(text)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


MAX_ID = 2**63 - 1  # the largest value a database integer column holds


def as_id(value: object) -> int | None:
    """``value`` as a non-negative integer id when it is written in ASCII digits and fits a database
    column; None otherwise. ``str.isdigit`` is not enough: it accepts "²", which ``int`` refuses."""
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def clean_text(value: str | None, *, field: str, required: bool, limit: int) -> str:
    """``value`` without surrounding blanks, or a ValidationError on ``field`` when it is required and
    empty or longer than ``limit`` characters."""
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: [_("This field is required.")]})
    if len(text) > limit:
        raise ValidationError({field: [_("Enter at most %(limit)d characters.") % {"limit": limit}]})
    return text
