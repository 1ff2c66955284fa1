"""Hand-checked clock tables and replay properties. 2026-11-16 is a Monday; Berlin is UTC+1 in November."""

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insideout.calendars import BusinessCalendar
from insideout.servicedesk.clocks import ClockState, HistoryEntry, clock_state

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
ALWAYS = BusinessCalendar.always("UTC")
OFFICE = BusinessCalendar(
    tz="Europe/Berlin", week=dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), [("09:00", "17:00")])
)


def h(hours: float) -> timedelta:
    return timedelta(hours=hours)


def at(hours: float) -> datetime:
    return T0 + h(hours)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


FOUR_HOURS = h(4)
EIGHT_HOURS = h(8)


def opened(when: datetime) -> HistoryEntry:
    return HistoryEntry(when, "opened")


def status(when: datetime, new: str) -> HistoryEntry:
    return HistoryEntry(when, "status", new)


def event(when: datetime, kind: str) -> HistoryEntry:
    return HistoryEntry(when, kind)


def first_response(history, now, target=FOUR_HOURS, calendar=ALWAYS, **kwargs):
    return clock_state(metric="first_response", target=target, calendar=calendar, history=history, now=now, **kwargs)


def resolution(history, now, target=EIGHT_HOURS, calendar=ALWAYS, **kwargs):
    return clock_state(metric="resolution", target=target, calendar=calendar, history=history, now=now, **kwargs)


def waiting(history) -> bool:
    """Whether the table's history ends waiting on the requester (every table clock is then paused)."""
    return history[-1].kind == "status" and history[-1].status == "waiting_on_requester"


def summary(clock: ClockState):
    """(elapsed, remaining, due_at, state, breached_at, met_at, at_risk_at), the fields the tables check."""
    return (
        clock.elapsed,
        clock.remaining,
        clock.due_at,
        clock.state,
        clock.breached_at,
        clock.met_at,
        clock.at_risk_at,
    )


# --- first response on a 24/7 calendar, target 4 h (at risk once 3 h are used) ---------------------------

FIRST_RESPONSE_24_7 = [
    pytest.param(
        [opened(at(0)), event(at(2), "first_response")],
        at(10),
        (h(2), h(2), at(4), "met", None, at(2), None),
        id="met",
    ),
    pytest.param(
        [opened(at(0)), event(at(5), "first_response")],
        at(10),
        (h(5), h(0), at(4), "breached", at(4), at(5), at(3)),
        id="breached-answered-late",
    ),
    pytest.param(
        [opened(at(0)), event(at(4), "first_response")],
        at(10),
        (h(4), h(0), at(4), "met", None, at(4), at(3)),
        id="met-exactly-at-due",
    ),
    pytest.param(
        [opened(at(0))],
        at(1),
        (h(1), h(3), at(4), "running", None, None, at(3)),
        id="running-projects-due-and-risk",
    ),
    pytest.param(
        [opened(at(0))],
        at(3.5),
        (h(3.5), h(0.5), at(4), "running", None, None, at(3)),
        id="running-at-risk-already",
    ),
    pytest.param(
        [opened(at(0))],
        at(6),
        (h(6), h(0), at(4), "breached", at(4), None, at(3)),
        id="breached-still-running",
    ),
    pytest.param(
        [opened(at(0))],
        at(4),
        (h(4), h(0), at(4), "breached", at(4), None, at(3)),
        id="breached-exactly-on-boundary",
    ),
    pytest.param(
        [opened(at(0))],
        at(4) - timedelta(microseconds=1),
        (h(4) - timedelta(microseconds=1), timedelta(microseconds=1), at(4), "running", None, None, at(3)),
        id="one-microsecond-before-boundary",
    ),
    pytest.param(
        [opened(at(0)), status(at(1), "waiting_on_requester")],
        at(5),
        (h(1), h(3), None, "paused", None, None, None),
        id="paused-waiting-on-requester",
    ),
    pytest.param(
        [opened(at(0)), status(at(1), "waiting_on_requester"), status(at(3), "in_progress")],
        at(4),
        (h(2), h(2), at(6), "running", None, None, at(5)),
        id="resumed-by-a-reply-pause-not-counted",
    ),
    pytest.param(
        [
            opened(at(0)),
            status(at(1), "waiting_on_requester"),
            status(at(3), "in_progress"),
            event(at(5.5), "first_response"),
        ],
        at(9),
        (h(3.5), h(0.5), at(6), "met", None, at(5.5), at(5)),
        id="resumed-then-answered",
    ),
    pytest.param(
        [opened(at(0)), status(at(3.5), "waiting_on_requester")],
        at(9),
        (h(3.5), h(0.5), None, "paused", None, None, at(3)),
        id="paused-after-at-risk-keeps-risk-instant",
    ),
    pytest.param(
        [opened(at(0)), status(at(5), "waiting_on_requester")],
        at(9),
        (h(5), h(0), at(4), "breached", at(4), None, at(3)),
        id="paused-after-breach-stays-breached",
    ),
    pytest.param(
        [opened(at(0)), event(at(1), "first_response"), event(at(2), "first_response")],
        at(9),
        (h(1), h(3), at(4), "met", None, at(1), None),
        id="only-the-first-response-counts",
    ),
    pytest.param(
        [opened(at(0)), status(at(1), "waiting_on_requester"), event(at(2), "first_response")],
        at(9),
        (h(1), h(3), None, "met", None, at(2), None),
        id="answered-while-paused-has-no-due",
    ),
    pytest.param(
        [opened(at(0)), event(at(1), "resolved")],
        at(3),
        (h(3), h(1), at(4), "running", None, None, at(3)),
        id="resolving-does-not-stop-first-response",
    ),
]


@pytest.mark.parametrize(("history", "now", "expected"), FIRST_RESPONSE_24_7)
def test_first_response_on_a_24_7_calendar(history, now, expected):
    clock = first_response(history, now)
    assert summary(clock) == expected
    assert clock.paused == waiting(history)
    assert clock.metric == "first_response"
    assert clock.target == h(4)


# --- resolution on a 24/7 calendar, target 8 h (at risk once 6 h are used) -------------------------------

OPEN_WORK_RESOLVE = [opened(at(0)), status(at(1), "in_progress"), event(at(3), "resolved")]

RESOLUTION_24_7 = [
    pytest.param(
        OPEN_WORK_RESOLVE,
        at(5),
        (h(3), h(5), at(8), "met", None, at(3), None),
        id="resolved",
    ),
    pytest.param(
        [*OPEN_WORK_RESOLVE, event(at(10), "reopened")],
        at(12),
        (h(5), h(3), at(15), "running", None, None, at(13)),
        id="reopened-continues-not-restarts",
    ),
    pytest.param(
        [*OPEN_WORK_RESOLVE, event(at(10), "reopened"), status(at(12.5), "resolved")],
        at(20),
        (h(5.5), h(2.5), at(15), "met", None, at(12.5), None),
        id="resolved-for-good",
    ),
    pytest.param(
        [*OPEN_WORK_RESOLVE, event(at(10), "reopened")],
        at(16),
        (h(9), h(0), at(15), "breached", at(15), None, at(13)),
        id="reopened-then-breached",
    ),
    pytest.param(
        [opened(at(0)), status(at(2), "closed")],
        at(5),
        (h(2), h(6), at(8), "met", None, at(2), None),
        id="closed-stops-too",
    ),
    pytest.param(
        [opened(at(0)), status(at(2), "waiting_on_requester"), status(at(6), "in_progress")],
        at(7),
        (h(3), h(5), at(12), "running", None, None, at(10)),
        id="waiting-pauses-resolution",
    ),
    pytest.param(
        [opened(at(0)), event(at(1), "first_response")],
        at(2),
        (h(2), h(6), at(8), "running", None, None, at(6)),
        id="first-response-does-not-stop-resolution",
    ),
    pytest.param(
        [opened(at(0)), status(at(2), "waiting_on_requester"), status(at(3), "resolved")],
        at(5),
        (h(2), h(6), None, "met", None, at(3), None),
        id="resolved-while-paused-has-no-due",
    ),
]


@pytest.mark.parametrize(("history", "now", "expected"), RESOLUTION_24_7)
def test_resolution_on_a_24_7_calendar(history, now, expected):
    clock = resolution(history, now)
    assert summary(clock) == expected
    assert clock.paused == waiting(history)


# --- business hours in Berlin, Mon-Fri 09:00-17:00 ----------------------------------------------------------

FRIDAY_16 = berlin(2026, 11, 20, 16, 0)  # 15:00 UTC
MONDAY_16 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 1 h on Friday + 7 h on Monday

BUSINESS_HOURS = [
    pytest.param(
        [opened(FRIDAY_16)],
        berlin(2026, 11, 20, 16, 30),
        h(8),
        (h(0.5), h(7.5), MONDAY_16, "running", None, None, datetime(2026, 11, 23, 13, 0, tzinfo=UTC)),
        id="friday-16-00-due-monday-16-00",
    ),
    pytest.param(
        [opened(FRIDAY_16)],
        berlin(2026, 11, 21, 12, 0),
        h(8),
        (h(1), h(7), MONDAY_16, "running", None, None, datetime(2026, 11, 23, 13, 0, tzinfo=UTC)),
        id="weekend-adds-nothing",
    ),
    pytest.param(
        [opened(FRIDAY_16), event(berlin(2026, 11, 23, 10, 0), "first_response")],
        berlin(2026, 11, 24, 12, 0),
        h(8),
        (h(2), h(6), MONDAY_16, "met", None, datetime(2026, 11, 23, 9, 0, tzinfo=UTC), None),
        id="answered-monday-10-00",
    ),
    pytest.param(
        [opened(FRIDAY_16), event(berlin(2026, 11, 20, 17, 0), "first_response")],
        berlin(2026, 11, 21, 12, 0),
        h(1),
        (
            h(1),
            h(0),
            datetime(2026, 11, 20, 16, 0, tzinfo=UTC),
            "met",
            None,
            datetime(2026, 11, 20, 16, 0, tzinfo=UTC),
            datetime(2026, 11, 20, 15, 45, tzinfo=UTC),
        ),
        id="answered-at-closing-time-is-on-time",
    ),
    pytest.param(
        [opened(FRIDAY_16), event(berlin(2026, 11, 21, 10, 0), "first_response")],
        berlin(2026, 11, 21, 12, 0),
        h(1),
        (
            h(1),
            h(0),
            datetime(2026, 11, 20, 16, 0, tzinfo=UTC),
            "breached",
            datetime(2026, 11, 20, 16, 0, tzinfo=UTC),
            datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
            datetime(2026, 11, 20, 15, 45, tzinfo=UTC),
        ),
        id="answered-saturday-is-late-though-no-business-time-passed",
    ),
]


@pytest.mark.parametrize(("history", "now", "target", "expected"), BUSINESS_HOURS)
def test_first_response_on_berlin_business_hours(history, now, target, expected):
    assert summary(first_response(history, now, target=target, calendar=OFFICE)) == expected


def test_results_are_in_utc():
    clock = first_response(
        [opened(FRIDAY_16), event(berlin(2026, 11, 23, 10, 0), "first_response")],
        MONDAY_16,
        target=h(8),
        calendar=OFFICE,
    )
    for value in (clock.due_at, clock.met_at):
        assert value is not None
        assert value.tzinfo is UTC


def test_now_before_anything():
    for history in ([], [opened(at(1))]):
        clock = first_response(history, at(0))
        assert summary(clock) == (h(0), h(4), None, "paused", None, None, None)
        assert clock.paused


def test_custom_pausing_statuses():
    history = [opened(at(0)), status(at(1), "waiting_on_requester")]
    clock = first_response(history, at(3), pausing_statuses=frozenset())
    assert (clock.elapsed, clock.state) == (h(3), "running")


# --- invalid input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "now", "match"),
    [
        pytest.param([opened(at(0))], datetime(2026, 11, 16, 12, 0), "now must be timezone-aware", id="naive-now"),
        pytest.param([opened(datetime(2026, 11, 16, 9, 0))], at(2), "timezone-aware", id="naive-entry"),
        pytest.param(
            [opened(at(0)), status(at(2), "in_progress"), event(at(1), "first_response")],
            at(3),
            "not in time order",
            id="out-of-order",
        ),
        pytest.param(
            [opened(at(0)), event(at(5), "first_response"), status(at(4), "in_progress")],
            at(1),
            "not in time order",
            id="out-of-order-after-now",
        ),
        pytest.param([status(at(0), "in_progress"), opened(at(1))], at(2), "before the request", id="before-opened"),
        pytest.param([opened(at(0)), opened(at(1))], at(2), "already opened", id="opened-twice"),
        pytest.param([opened(at(0)), HistoryEntry(at(1), "assigned")], at(2), "unknown kind", id="unknown-kind"),
        pytest.param([opened(at(0)), HistoryEntry(at(1), "status")], at(2), "unknown status", id="no-status"),
        pytest.param([opened(at(0)), status(at(1), "on_hold")], at(2), "unknown status", id="unknown-status"),
        pytest.param([opened(at(0)), HistoryEntry(at(1), "reopened", "new")], at(2), "must not carry", id="extra"),
    ],
)
def test_invalid_input_is_rejected(history, now, match):
    with pytest.raises(ValueError, match=match):
        first_response(history, now)


def test_invalid_arguments_are_rejected():
    with pytest.raises(ValueError, match="unknown metric"):
        clock_state(metric="response", target=h(1), calendar=ALWAYS, history=[], now=at(0))
    with pytest.raises(ValueError, match="non-negative"):
        first_response([], at(0), target=-h(1))
    with pytest.raises(ValueError, match="between 0 and 1"):
        first_response([], at(0), at_risk_fraction=1.5)


# --- purity -------------------------------------------------------------------------------------------------


def test_clocks_imports_neither_django_nor_the_rest_of_insideout():
    path = Path(__file__).resolve().parent.parent / "clocks.py"
    offenders = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.ImportFrom):
            names = ["(relative import)"]
        else:
            continue
        for name in names:
            forbidden = name == "django" or name.startswith("django.") or name == "(relative import)"
            forbidden |= name.startswith("insideout") and not name.startswith("insideout.calendars")
            if forbidden:
                offenders.append(name)
    assert offenders == []


# --- replay properties --------------------------------------------------------------------------------------

STEP = st.one_of(
    st.tuples(st.just("status"), st.sampled_from(["new", "in_progress", "waiting_on_requester", "resolved", "closed"])),
    st.tuples(st.sampled_from(["first_response", "resolved", "reopened"]), st.none()),
)


@st.composite
def histories(draw):
    start = T0 + timedelta(minutes=draw(st.integers(0, 7 * 24 * 60)))
    entries = [opened(start)]
    when = start
    for kind, new in draw(st.lists(STEP, max_size=8)):
        when += timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
        entries.append(HistoryEntry(when, kind, new))
    return entries


CLOCK_ARGS = st.fixed_dictionaries(
    {
        "metric": st.sampled_from(["first_response", "resolution"]),
        "target": st.integers(0, 40 * 60).map(lambda minutes: timedelta(minutes=minutes)),
        "calendar": st.sampled_from([ALWAYS, OFFICE]),
        "at_risk_fraction": st.sampled_from([0.0, 0.25, 0.5, 1.0]),
    }
)
OFFSETS = st.integers(-24 * 60, 30 * 24 * 60).map(lambda minutes: timedelta(minutes=minutes))
SETTINGS = settings(max_examples=100, deadline=None)


@SETTINGS
@given(history=histories(), args=CLOCK_ARGS, offset=OFFSETS)
def test_entries_after_now_change_nothing(history, args, offset):
    now = history[0].at + offset
    known = [entry for entry in history if entry.at <= now]
    later = [HistoryEntry(now + timedelta(days=40), "first_response")]
    assert clock_state(history=history, now=now, **args) == clock_state(history=known, now=now, **args)
    assert clock_state(history=known + later, now=now, **args) == clock_state(history=known, now=now, **args)


@SETTINGS
@given(history=histories(), args=CLOCK_ARGS, offsets=st.lists(OFFSETS, min_size=2, max_size=5))
def test_clocks_only_move_forward(history, args, offsets):
    states = [clock_state(history=history, now=history[0].at + offset, **args) for offset in sorted(offsets)]
    for earlier, later in zip(states, states[1:], strict=False):
        assert earlier.elapsed <= later.elapsed
        if earlier.breached_at is not None:
            assert later.breached_at == earlier.breached_at
    for state in states:
        assert state.remaining == max(state.target - state.elapsed, timedelta(0))
        if state.state != "breached":
            assert state.elapsed + state.remaining == state.target
        if state.state == "paused":
            assert state.paused
        if state.paused:
            assert state.state in {"paused", "breached"}
            assert state.met_at is None
        for value in (state.due_at, state.breached_at, state.met_at, state.at_risk_at):
            assert value is None or value.tzinfo is UTC
    for offset, state in zip(sorted(offsets), states, strict=True):
        now = history[0].at + offset
        if state.state == "running":
            assert state.due_at is not None
            assert args["calendar"].elapsed(now, state.due_at) == state.remaining
        if state.state == "met" and state.due_at is not None:
            assert state.met_at is not None
            assert state.met_at <= state.due_at
        if state.state == "breached":
            assert state.due_at == state.breached_at
