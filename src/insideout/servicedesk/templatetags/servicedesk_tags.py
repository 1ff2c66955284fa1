"""Template helpers of the service desk's pages: clocks in words, and quick select options."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape  # the standard library's: Django's lazy-aware wrapper costs more than the escaping
from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from insideout.core.chips import person_chip_html, url_with_id
from insideout.servicedesk.clockview import ClockView, clock_view, clock_words
from insideout.servicedesk.models import RequestClock, Status
from insideout.servicedesk.selectors import ClockRow, RequestRow

register = template.Library()


def _view(clock: RequestClock | ClockRow | ClockView) -> ClockView:
    return clock if isinstance(clock, ClockView) else clock_view(clock)


@register.simple_tag
def clock_sentence(clock: RequestClock | ClockRow | ClockView) -> str:
    """``{% clock_sentence clock %}`` → "first response due in 3 working hours — Tue 11:00"."""
    return clock_words(_view(clock))


@register.filter
def clock_live(clock: RequestClock | ClockRow) -> ClockView:
    """``{% with view=clock|clock_live %}``: the clock brought up to now (state, remaining, at_risk…)."""
    return clock_view(clock)


@register.filter
def clock_tone(clock: RequestClock | ClockRow | ClockView) -> str:
    """A CSS modifier for the clock's state: ok, at-risk, breached, paused or met."""
    view = _view(clock)
    if view.state == "breached":
        return "breached"
    if view.state == "met":
        return "met"
    if view.paused:
        return "paused"
    return "at-risk" if view.at_risk else "ok"


def _html(value: Any) -> str:
    """A value as HTML: escaped, unless it is already HTML (a ``SafeString``)."""
    return str(value.__html__()) if hasattr(value, "__html__") else escape(str(value))


@register.simple_tag
def select_options(choices: Iterable[tuple[Any, Any]], selected: Any) -> SafeString:
    """``<option>`` elements for ``choices``, with ``selected`` marked: a form's choices without the
    per-option templates a Django widget renders (a queue's filters hold a hundred agents). Each
    value is escaped once by the standard library, not by Django's lazy-aware ``format_html``."""
    chosen = "" if selected is None else str(selected)
    return SafeString(
        "".join(
            f'<option value="{_html(value)}"{" selected" if str(value) == chosen else ""}>{_html(label)}</option>'
            for value, label in choices
        )
    )


@register.simple_tag
def person_options(people: Iterable[Any]) -> SafeString:
    """``<option>`` elements for people (``pk`` and ``name``), such as a bulk assignment's agents."""
    return SafeString("".join(f'<option value="{int(person.pk)}">{escape(person.name)}</option>' for person in people))


def _flags() -> dict[str, str]:
    return {"breached": _("Breached"), "at-risk": _("At risk"), "paused": _("Paused"), "met": _("Met")}


def _clock_badge(view: ClockView, flags: dict[str, str]) -> SafeString:
    tone = clock_tone(view)
    flag = flags.get(tone)
    flagged = f'<span class="clock-flag">{escape(flag)}</span> ' if flag else ""
    return SafeString(f'<span class="clock clock-{tone}">{flagged}{escape(clock_words(view))}</span>')


@register.simple_tag
def clock_badge(clock: RequestClock | ClockRow | ClockView) -> SafeString:
    """The clock in words, its state flagged in words too (never by colour alone)."""
    return _clock_badge(_view(clock), _flags())


@register.simple_tag
def queue_rows(rows: Iterable[tuple[RequestRow, ClockView | None]]) -> SafeString:
    """A queue's table rows, built in one pass of plain string building, each value escaped once:
    a template per row, with its includes and tags, cost more than the rest of the page, and
    ``format_html`` a tenth of it."""
    flags = _flags()
    labels = {
        name: escape(label)
        for name, label in {
            "request": _("Request"),
            "requester": _("Requester"),
            "assignee": _("Assignee"),
            "priority": _("Priority"),
            "status": _("Status"),
            "clock": _("Next clock"),
        }.items()
    }
    nobody_text = escape(_("Nobody"))
    nobody = f'<span class="muted">{nobody_text}</span>'
    none = '<span class="muted">—</span>'
    statuses = {value: escape(str(label)) for value, label in Status.choices}
    select = escape(_("Select %(key)s"), quote=True)  # the key fills it in, escaped
    html = []
    for row, clock in rows:
        key = escape(row.key)
        pk = int(row.pk)
        priority = escape(row.priority)
        html.append(
            f'<tr class="{f"tone-{clock_tone(clock)}" if clock else ""}">'
            f'<td><input type="checkbox" name="requests" value="{pk}" id="pick-{pk}">'
            f'<label for="pick-{pk}" class="visually-hidden">{select % {"key": key}}</label></td>'
            f'<td data-label="{labels["request"]}">'
            f'<a href="{url_with_id("servicedesk:request", row.number, row.prefix)}" class="key">{key}</a>'
            f" {escape(row.subject)}</td>"
            f'<td data-label="{labels["requester"]}">{person_chip_html(row.requester)}</td>'
            f'<td data-label="{labels["assignee"]}">{person_chip_html(row.assignee) if row.assignee else nobody}</td>'
            f'<td data-label="{labels["priority"]}">'
            f'<span class="priority priority-{priority.lower()}">{priority}</span></td>'
            f'<td data-label="{labels["status"]}">{statuses.get(row.status) or escape(row.status)}</td>'
            f'<td data-label="{labels["clock"]}">{_clock_badge(clock, flags) if clock else none}</td>'
            "</tr>"
        )
    return SafeString("".join(html))
