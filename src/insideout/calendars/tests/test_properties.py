"""Properties of business time across time zones with odd DST rules, 2020–2035."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from insideout.calendars import BusinessCalendar

ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",  # 30-minute DST
    "Pacific/Chatham",  # UTC+12:45 / +13:45, DST at 02:45
]
WORKDAYS = ("mon", "tue", "wed", "thu", "fri")


def _calendars():
    for zone in ZONES:
        yield BusinessCalendar.always(zone)
        yield BusinessCalendar(tz=zone, week=dict.fromkeys(WORKDAYS, [("09:00", "12:30"), ("13:30", "17:00")]))
        # Opening hours that hit the DST gaps and overlaps of every zone above, and a "24:00" end.
        yield BusinessCalendar(
            tz=zone,
            week=dict.fromkeys((*WORKDAYS, "sat"), [("01:30", "03:15"), ("03:45", "04:00"), ("22:00", "24:00")]),
            holidays=[datetime(2027, 1, 1).date()],  # noqa: DTZ001
            closures=[
                (datetime(2024, 6, 3, 10, tzinfo=UTC), datetime(2024, 6, 20, 7, tzinfo=UTC)),
                (datetime(2030, 2, 1, tzinfo=UTC), datetime(2030, 2, 1, 12, tzinfo=UTC)),
            ],
        )
    yield BusinessCalendar(
        tz="Europe/Berlin",
        week=dict.fromkeys(WORKDAYS, [("08:00", "16:30")]),
        country="DE",
        subdivision="BE",
        closures=[(datetime(2026, 12, 28, 8, tzinfo=UTC), datetime(2027, 1, 2, tzinfo=UTC))],
    )
    yield BusinessCalendar(
        tz="America/New_York", week={"sun": [("00:00", "24:00")], "wed": [("02:00", "03:00")]}, country="US"
    )


CALENDARS = list(_calendars())

calendars = st.sampled_from(CALENDARS)
instants = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001
    max_value=datetime(2035, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, *(ZoneInfo(zone) for zone in ZONES[1:])]),
)
durations = st.one_of(
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=12)),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=2500)).map(
        lambda d: timedelta(minutes=d // timedelta(minutes=15) * 15)
    ),
)
spans = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400))
SETTINGS = settings(max_examples=200, deadline=None)


@SETTINGS
@given(calendar=calendars, start=instants, duration=durations)
def test_elapsed_undoes_add(calendar, start, duration):
    end = calendar.add(start, duration)
    assert end.tzinfo is UTC
    assert end >= start
    assert calendar.elapsed(start, end) == duration


@SETTINGS
@given(calendar=calendars, start=instants, a=durations, b=durations)
def test_add_is_monotonic(calendar, start, a, b):
    small, large = sorted((a, b))
    assert calendar.add(start, small) <= calendar.add(start, large)
    if small < large:
        assert calendar.add(start, small) < calendar.add(start, large)


@SETTINGS
@given(calendar=calendars, base=instants, offsets=st.lists(spans, min_size=2, max_size=2))
def test_elapsed_is_additive(calendar, base, offsets):
    # Compare in UTC: Python subtracts two datetimes of the same zone by wall clock.
    a = base.astimezone(UTC)
    b, c = sorted(a + offset for offset in offsets)
    assert calendar.elapsed(a, c) == calendar.elapsed(a, b) + calendar.elapsed(b, c)
    assert calendar.elapsed(a, c) <= c - a


@SETTINGS
@given(calendar=calendars, start=instants, duration=durations)
def test_add_ends_in_open_time_or_at_closing(calendar, start, duration):
    end = calendar.add(start, duration)
    if duration:
        # The last microsecond before the result was business time: the result is open or a closing boundary.
        assert calendar.is_open(end - timedelta(microseconds=1))
        assert calendar.elapsed(start, end - timedelta(microseconds=1)) < duration
    else:
        assert end == start.astimezone(UTC)


@SETTINGS
@given(calendar=calendars, at=instants)
def test_next_open_is_open_and_nothing_before_it(calendar, at):
    opening = calendar.next_open(at)
    at = at.astimezone(UTC)  # an aware local time in a DST gap never compares equal across zones
    assert opening >= at
    assert calendar.is_open(opening)
    assert calendar.elapsed(at, opening) == timedelta(0)
    assert (opening == at) is calendar.is_open(at)
