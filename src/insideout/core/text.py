"""User-written text: Markdown rendered to safe HTML.

Raw HTML in the source is never passed through (markdown-it's ``html`` option is off), and the
result is cleaned once more by an allow-list sanitiser, so a reply or description can never carry a
script, an event handler or a ``javascript:`` link into a page.
"""

from __future__ import annotations

import nh3
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
