"""Obstacles in the pure clock replay: hand-checked figures for a standard whose open obstacles pause
the resolution clock and for one whose do not. 2026-11-16 is a Monday; Berlin is UTC+1 in November."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insideout.calendars import BusinessCalendar
from insideout.servicedesk.clocks import HistoryEntry, clock_state

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # Monday 10:00 in Berlin
ALWAYS = BusinessCalendar.always("UTC")
OFFICE = BusinessCalendar(
    tz="Europe/Berlin", week=dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), [("09:00", "17:00")])
)
EIGHT_HOURS = timedelta(hours=8)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def flagged(when: datetime, obstacle: int = 1) -> HistoryEntry:
    return HistoryEntry(when, "obstacle_flagged", obstacle=obstacle)


def cleared(when: datetime, obstacle: int = 1) -> HistoryEntry:
    return HistoryEntry(when, "obstacle_resolved", obstacle=obstacle)


def resolution(history, now, *, pause=True, calendar=ALWAYS, **kwargs):
    return clock_state(
        metric="resolution",
        target=EIGHT_HOURS,
        calendar=calendar,
        history=history,
        now=now,
        obstacles_pause=pause,
        **kwargs,
    )


OPENED = HistoryEntry(T0, "opened")


def test_an_obstacle_open_for_two_hours_moves_the_deadline_two_hours() -> None:
    history = [OPENED, flagged(at(2)), cleared(at(4))]

    state = resolution(history, at(5))

    # 2 h counted before, 1 h since: 3 of 8 h; due 10:00 + 8 h + the 2 paused hours.
    assert (state.state, state.elapsed, state.remaining, state.due_at) == (
        "running",
        timedelta(hours=3),
        timedelta(hours=5),
        at(10),
    )
    assert state.at_risk_at == at(8)  # 6 h of business time, 2 h later than without the obstacle


def test_while_an_obstacle_is_open_the_clock_is_paused_without_a_deadline() -> None:
    state = resolution([OPENED, flagged(at(2))], at(3))

    assert (state.state, state.paused, state.elapsed, state.remaining, state.due_at) == (
        "paused",
        True,
        timedelta(hours=2),
        timedelta(hours=6),
        None,
    )


def test_a_standard_that_does_not_pause_keeps_the_deadline() -> None:
    history = [OPENED, flagged(at(2)), cleared(at(4))]

    during = resolution(history[:2], at(3), pause=False)
    after = resolution(history, at(5), pause=False)

    assert (during.state, during.elapsed, during.due_at) == ("running", timedelta(hours=3), at(8))
    assert (after.state, after.elapsed, after.due_at) == ("running", timedelta(hours=5), at(8))


def test_the_clock_resumes_only_when_the_last_obstacle_is_resolved() -> None:
    # Obstacle 1 from +1 h to +3 h, obstacle 2 from +2 h to +5 h: paused from +1 h to +5 h.
    history = [OPENED, flagged(at(1), 1), flagged(at(2), 2), cleared(at(3), 1), cleared(at(5), 2)]

    assert resolution(history, at(4)).state == "paused"
    state = resolution(history, at(6))
    assert (state.elapsed, state.due_at) == (timedelta(hours=2), at(12))


def test_on_business_hours_two_paused_business_hours_move_the_deadline_two_business_hours() -> None:
    # Opened Monday 10:00 Berlin; 8 business hours of 09:00–17:00 end Tuesday 10:00. An obstacle
    # from 11:00 to 13:00 (2 business hours) moves the deadline to Tuesday 12:00.
    history = [OPENED, flagged(at(1)), cleared(at(3))]

    without = resolution(history, at(4), pause=False, calendar=OFFICE)
    paused = resolution(history, at(4), calendar=OFFICE)

    assert without.due_at == datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    assert paused.due_at == datetime(2026, 11, 17, 11, 0, tzinfo=UTC)
    assert paused.elapsed == timedelta(hours=2)


def test_an_obstacle_over_the_night_pauses_only_its_business_hours() -> None:
    # Flagged Monday 16:00 Berlin, resolved Tuesday 10:00: one business hour each side of the night.
    history = [OPENED, flagged(at(6)), cleared(at(24))]

    state = resolution(history, at(24), calendar=OFFICE)

    # 6 h counted on Monday (10:00–16:00); 2 h left from Tuesday 10:00 → Tuesday 12:00 Berlin.
    assert (state.elapsed, state.due_at) == (timedelta(hours=6), datetime(2026, 11, 17, 11, 0, tzinfo=UTC))


def test_obstacles_never_touch_the_first_response_clock() -> None:
    state = clock_state(
        metric="first_response",
        target=timedelta(hours=4),
        calendar=ALWAYS,
        history=[OPENED, flagged(at(1))],
        now=at(2),
        obstacles_pause=True,
    )

    assert (state.state, state.due_at) == ("running", at(4))


def test_a_status_pause_and_an_obstacle_overlap() -> None:
    # Waiting on the requester from +1 h to +4 h; an obstacle from +2 h to +6 h: paused +1 h to +6 h.
    history = [
        OPENED,
        HistoryEntry(at(1), "status", "waiting_on_requester"),
        flagged(at(2)),
        HistoryEntry(at(4), "status", "in_progress"),
        cleared(at(6)),
    ]

    assert resolution(history, at(5)).state == "paused"
    state = resolution(history, at(7))
    assert (state.elapsed, state.due_at) == (timedelta(hours=2), at(13))


def test_resolving_an_obstacle_that_is_not_open_changes_nothing() -> None:
    history = [OPENED, cleared(at(1), 7), flagged(at(2)), cleared(at(3), 7)]

    state = resolution(history, at(4))

    assert (state.state, state.elapsed) == ("paused", timedelta(hours=2))


def test_resolving_the_request_stops_the_clock_with_an_obstacle_open() -> None:
    history = [OPENED, flagged(at(2)), HistoryEntry(at(5), "status", "resolved"), cleared(at(5))]

    state = resolution(history, at(6))

    assert (state.state, state.elapsed, state.met_at) == ("met", timedelta(hours=2), at(5))


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        (HistoryEntry(at(1), "obstacle_flagged"), "must carry the obstacle's id"),
        (HistoryEntry(at(1), "obstacle_resolved", obstacle=True), "must carry the obstacle's id"),  # type: ignore[arg-type]
        (HistoryEntry(at(1), "first_response", obstacle=3), "must not carry an obstacle"),
        (HistoryEntry(at(1), "obstacle_flagged", "new", 3), "must not carry a status"),
    ],
    ids=["flagged_without_id", "bool_id", "other_kind_with_id", "obstacle_with_status"],
)
def test_malformed_obstacle_entries_are_rejected(entry: HistoryEntry, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        resolution([OPENED, entry], at(2))


# --- property: without the standard's say-so, obstacles change nothing ---------------------------

STEPS = st.lists(
    st.tuples(
        st.integers(0, 3 * 24 * 60),
        st.sampled_from(["obstacle_flagged", "obstacle_resolved", "in_progress", "waiting_on_requester", "resolved"]),
        st.integers(1, 3),
    ),
    max_size=10,
)


@settings(max_examples=100, deadline=None)
@given(steps=STEPS, offset=st.integers(0, 10 * 24 * 60), calendar=st.sampled_from([ALWAYS, OFFICE]))
def test_obstacles_change_nothing_when_the_standard_does_not_pause(steps, offset, calendar) -> None:
    history = [OPENED]
    when = T0
    for minutes, kind, obstacle in steps:
        when += timedelta(minutes=minutes)
        if kind.startswith("obstacle"):
            history.append(HistoryEntry(when, kind, obstacle=obstacle))
        else:
            history.append(HistoryEntry(when, "status", kind))
    plain = [entry for entry in history if not entry.kind.startswith("obstacle")]
    now = T0 + timedelta(minutes=offset)

    with_obstacles = resolution(history, now, pause=False, calendar=calendar)
    assert with_obstacles == resolution(plain, now, pause=False, calendar=calendar)
    # And pausing can only ever count less and promise later.
    paused = resolution(history, now, pause=True, calendar=calendar)
    assert paused.elapsed <= with_obstacles.elapsed
