"""Stored clocks brought up to now, and the sentences people read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from insideout.servicedesk import services
from insideout.servicedesk.clockview import clock_view, clock_words, duration_words
from insideout.servicedesk.models import RequestClock
from insideout.servicedesk.tests.factories import request_create

BERLIN = ZoneInfo("Europe/Berlin")
# Monday 23 November 2026, 10:00 in Berlin: the desk (09:00–12:30, 13:30–17:00) is open.
MONDAY_10 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _clock(request_id: int, metric: str) -> RequestClock:
    return RequestClock.objects.get(request_id=request_id, metric=metric)


def test_a_running_clock_counts_business_time_since_it_was_stored(desk: dict[str, Any]) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    clock = _clock(request.pk, "first_response")
    # Monday 13:45 Berlin: 2.5 h before lunch and 15 minutes after it have counted; lunch has not.
    view = clock_view(clock, now=datetime(2026, 11, 23, 12, 45, tzinfo=UTC))

    assert view.elapsed == timedelta(hours=2, minutes=45)
    assert view.remaining == timedelta(hours=1, minutes=15)
    assert (view.state, view.paused, view.at_risk, view.business_hours) == ("running", False, False, True)


def test_at_risk_and_breached_follow_now_before_the_sweep_runs(desk: dict[str, Any]) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    clock = _clock(request.pk, "first_response")
    # P3 first response is 4 business hours, due 15:00 Berlin; at risk with 25 % (1 h) left, from 14:00.
    at_risk = clock_view(clock, now=datetime(2026, 11, 23, 13, 10, tzinfo=UTC))
    breached = clock_view(clock, now=datetime(2026, 11, 23, 15, 0, tzinfo=UTC))

    assert (at_risk.state, at_risk.at_risk) == ("running", True)
    assert (breached.state, breached.at_risk, breached.breached_at) == ("breached", False, clock.due_at)
    assert breached.overdue == timedelta(hours=1)
    assert breached.remaining == timedelta(0)


def test_a_met_clock_does_not_move(desk: dict[str, Any]) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    services.request_comment(
        actor=desk["lead"].user, request=request, body="On it.", now=MONDAY_10 + timedelta(minutes=30)
    )
    clock = _clock(request.pk, "first_response")
    view = clock_view(clock, now=MONDAY_10 + timedelta(days=3))

    assert (view.state, view.elapsed, view.met_at) == ("met", timedelta(minutes=30), MONDAY_10 + timedelta(minutes=30))
    assert clock_words(view, now=MONDAY_10 + timedelta(days=3), zone=BERLIN) == "first response met — Mon 10:30"


def test_a_paused_clock_keeps_its_remaining_time(desk: dict[str, Any]) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    services.request_transition(
        actor=desk["lead"].user,
        request=request,
        status="waiting_on_requester",
        now=MONDAY_10 + timedelta(hours=1),
    )
    view = clock_view(_clock(request.pk, "resolution"), now=MONDAY_10 + timedelta(days=2))

    assert (view.state, view.paused, view.elapsed) == ("paused", True, timedelta(hours=1))
    assert clock_words(view, now=MONDAY_10, zone=BERLIN) == "resolution paused, 3 working days left"


def test_words_say_what_is_due_and_when_in_the_viewers_zone(desk: dict[str, Any]) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    clock = _clock(request.pk, "first_response")
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 11:00 Berlin: 3 working hours left

    assert clock_words(clock_view(clock, now=now), now=now, zone=BERLIN) == (
        "first response due in 3 working hours — Mon 15:00"
    )
    assert clock_words(clock_view(clock, now=now), now=now, zone=ZoneInfo("America/New_York")) == (
        "first response due in 3 working hours — Mon 09:00"
    )
    late = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday 10:00 Berlin: 15:00–17:00 and 09:00–10:00 late
    assert clock_words(clock_view(clock, now=late), now=late, zone=BERLIN) == (
        "first response overdue by 3 working hours — was due Mon 15:00"
    )


@pytest.mark.parametrize(
    ("value", "business_hours", "words"),
    [
        pytest.param(timedelta(minutes=1), True, "1 minute", id="one_minute_case"),
        pytest.param(timedelta(minutes=59, seconds=59), False, "59 minutes", id="under_an_hour_case"),
        pytest.param(timedelta(hours=1), True, "1 working hour", id="one_working_hour_case"),
        pytest.param(timedelta(hours=15), True, "15 working hours", id="below_two_days_case"),
        pytest.param(timedelta(hours=24), True, "3 working days", id="working_days_are_8_hours_case"),
        pytest.param(timedelta(hours=47), False, "47 hours", id="round_the_clock_hours_case"),
        pytest.param(timedelta(hours=72), False, "3 days", id="round_the_clock_days_case"),
        pytest.param(timedelta(seconds=-5), False, "0 minutes", id="never_negative_case"),
    ],
)
def test_durations_in_words(value: timedelta, business_hours: bool, words: str) -> None:
    assert duration_words(value, business_hours=business_hours) == words


@pytest.mark.parametrize("language", ["en", "de"])
def test_instants_read_as_django_would_format_them(language: str) -> None:
    from django.utils import formats

    from insideout.servicedesk.clockview import instant_words

    now = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    with translation.override(language):
        for hours in range(0, 24 * 40, 7):  # within the week ("Thu 15:00") and beyond ("Thu 10 Dec 15:00")
            value = now + timedelta(hours=hours)
            pattern = "D H:i" if hours < 6 * 24 else "D j M H:i"
            expected = formats.date_format(value.astimezone(BERLIN), pattern)
            assert instant_words(value, zone=BERLIN, now=now) == expected
