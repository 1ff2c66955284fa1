"""Template helpers of the service desk's pages: clocks in words, and quick select options."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from insideout.core.chips import person_chip_html
from insideout.servicedesk.clockview import ClockView, clock_view, clock_words
from insideout.servicedesk.models import Request, RequestClock

register = template.Library()


def _view(clock: RequestClock | ClockView) -> ClockView:
    return clock if isinstance(clock, ClockView) else clock_view(clock)


@register.simple_tag
def clock_sentence(clock: RequestClock | ClockView) -> str:
    """``{% clock_sentence clock %}`` → "first response due in 3 working hours — Tue 11:00"."""
    return clock_words(_view(clock))


@register.filter
def clock_live(clock: RequestClock) -> ClockView:
    """``{% with view=clock|clock_live %}``: the clock brought up to now (state, remaining, at_risk…)."""
    return clock_view(clock)


@register.filter
def clock_tone(clock: RequestClock | ClockView) -> str:
    """A CSS modifier for the clock's state: ok, at-risk, breached, paused or met."""
    view = _view(clock)
    if view.state == "breached":
        return "breached"
    if view.state == "met":
        return "met"
    if view.paused:
        return "paused"
    return "at-risk" if view.at_risk else "ok"


@register.simple_tag
def select_options(choices: Iterable[tuple[Any, Any]], selected: Any) -> SafeString:
    """``<option>`` elements for ``choices``, with ``selected`` marked: a form's choices without the
    per-option templates a Django widget renders (a queue's filters hold a hundred agents)."""
    chosen = "" if selected is None else str(selected)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, SafeString(" selected") if str(value) == chosen else "", label) for value, label in choices),
    )


def _flags() -> dict[str, str]:
    return {"breached": _("Breached"), "at-risk": _("At risk"), "paused": _("Paused"), "met": _("Met")}


def _clock_badge(view: ClockView, flags: dict[str, str]) -> SafeString:
    tone = clock_tone(view)
    flag = flags.get(tone)
    return format_html(
        '<span class="clock clock-{}">{}{}</span>',
        tone,
        format_html('<span class="clock-flag">{}</span> ', flag) if flag else "",
        clock_words(view),
    )


@register.simple_tag
def clock_badge(clock: RequestClock | ClockView) -> SafeString:
    """The clock in words, its state flagged in words too (never by colour alone)."""
    return _clock_badge(_view(clock), _flags())


@register.simple_tag
def queue_rows(rows: Iterable[tuple[Request, ClockView | None]]) -> SafeString:
    """A queue's table rows, built in one pass: a template per row, with its includes and tags,
    cost more than the rest of the page."""
    flags = _flags()
    labels = {
        "request": _("Request"),
        "requester": _("Requester"),
        "assignee": _("Assignee"),
        "priority": _("Priority"),
        "status": _("Status"),
        "clock": _("Next clock"),
    }
    nobody = format_html('<span class="muted">{}</span>', _("Nobody"))
    none = SafeString('<span class="muted">—</span>')
    html = []
    for row, clock in rows:
        key = row.key
        html.append(
            format_html(
                '<tr class="{tone}">'
                '<td><input type="checkbox" name="requests" value="{pk}" id="pick-{pk}">'
                '<label for="pick-{pk}" class="visually-hidden">{select}</label></td>'
                '<td data-label="{l_request}"><a href="{url}" class="key">{key}</a> {subject}</td>'
                '<td data-label="{l_requester}">{requester}</td>'
                '<td data-label="{l_assignee}">{assignee}</td>'
                '<td data-label="{l_priority}"><span class="priority priority-{priority_css}">{priority}</span></td>'
                '<td data-label="{l_status}">{status}</td>'
                '<td data-label="{l_clock}">{clock}</td>'
                "</tr>",
                tone=f"tone-{clock_tone(clock)}" if clock else "",
                pk=row.pk,
                select=_("Select %(key)s") % {"key": key},
                url=reverse("servicedesk:request", args=[row.desk.prefix, row.number]),
                key=key,
                subject=row.subject,
                requester=person_chip_html(row.requester),
                assignee=person_chip_html(row.assignee) if row.assignee_id else nobody,
                priority=row.priority,
                priority_css=row.priority.lower(),
                status=row.get_status_display(),
                clock=_clock_badge(clock, flags) if clock else none,
                **{f"l_{name}": label for name, label in labels.items()},
            )
        )
    return SafeString("".join(html))
