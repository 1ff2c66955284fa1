"""Template helpers of the service desk's pages: clocks in words."""

from __future__ import annotations

from django import template

from insideout.servicedesk.clockview import ClockView, clock_view, clock_words
from insideout.servicedesk.models import RequestClock

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
