"""Hand-checked cases. 2026-11-16 is a Monday; Berlin is UTC+1 in winter and UTC+2 from 2026-03-29 to 2026-10-25."""

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from insideout.calendars import BusinessCalendar

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
ALL_DAYS = (*WORKDAYS, "sat", "sun")
LUNCH = [("09:00", "12:30"), ("13:30", "17:00")]  # 7 hours


def berlin(*args):
    return datetime(*args, tzinfo=BERLIN)


def office(**kwargs):
    return BusinessCalendar(
        tz="Europe/Berlin", week=dict.fromkeys(WORKDAYS, LUNCH), country="DE", subdivision="BE", **kwargs
    )


def every_day(tz="Europe/Berlin", hours=(("09:00", "17:00"),), **kwargs):
    return BusinessCalendar(tz=tz, week={d: list(hours) for d in ALL_DAYS}, **kwargs)


def hours(h, m=0):
    return timedelta(hours=h, minutes=m)


ADD_CASES = [
    pytest.param(office(), berlin(2026, 11, 16, 11, 30), hours(2), berlin(2026, 11, 16, 14, 30), id="lunch_break"),
    pytest.param(office(), berlin(2026, 11, 16, 11, 30), hours(1), berlin(2026, 11, 16, 12, 30), id="ends_at_lunch"),
    pytest.param(office(), berlin(2026, 11, 16, 9), hours(7), berlin(2026, 11, 16, 17), id="full_day"),
    pytest.param(office(), berlin(2026, 11, 16, 16), hours(1), berlin(2026, 11, 16, 17), id="deadline_at_closing"),
    pytest.param(office(), berlin(2026, 11, 20, 16), hours(2), berlin(2026, 11, 23, 10), id="weekend"),
    pytest.param(office(), berlin(2026, 11, 16, 7), hours(1), berlin(2026, 11, 16, 10), id="start_before_opening"),
    pytest.param(office(), berlin(2026, 11, 21, 12), hours(0, 30), berlin(2026, 11, 23, 9, 30), id="start_on_sat"),
    pytest.param(office(), berlin(2026, 11, 16, 20), hours(1), berlin(2026, 11, 17, 10), id="start_after_closing"),
    pytest.param(office(), berlin(2026, 11, 21, 12), hours(0), datetime(2026, 11, 21, 11, tzinfo=UTC), id="zero"),
    pytest.param(
        every_day(country="DE", subdivision="BE"),
        berlin(2026, 10, 2, 16),
        hours(2),
        berlin(2026, 10, 4, 10),
        id="unity_day_holiday",
    ),
    pytest.param(
        every_day(country="DE", subdivision="BE"),
        berlin(2026, 3, 7, 16),
        hours(2),
        berlin(2026, 3, 9, 10),
        id="womens_day_berlin",
    ),
    pytest.param(
        every_day(country="DE"),  # Women's Day is a holiday in Berlin only
        berlin(2026, 3, 7, 16),
        hours(2),
        berlin(2026, 3, 8, 10),
        id="womens_day_not_federal",
    ),
    pytest.param(
        office(holidays=[date(2026, 12, 24)]),  # Wed 23rd, Thu 24th extra, Fri 25th Christmas, weekend
        berlin(2026, 12, 23, 16),
        hours(2),
        berlin(2026, 12, 28, 10),
        id="extra_holiday",
    ),
    pytest.param(
        office(closures=[(berlin(2026, 11, 16, 10), berlin(2026, 11, 16, 11))]),
        berlin(2026, 11, 16, 9),
        hours(3),
        berlin(2026, 11, 16, 14),
        id="closure_part_of_day",
    ),
    pytest.param(
        BusinessCalendar.always("Europe/Berlin"),
        berlin(2026, 3, 29),
        hours(23),
        berlin(2026, 3, 30),
        id="dst_spring_forward_24x7",
    ),
    pytest.param(
        every_day(),  # 2026-03-29 is a Sunday
        berlin(2026, 3, 28, 16),
        hours(2),
        datetime(2026, 3, 29, 8, tzinfo=UTC),  # 10:00 CEST
        id="dst_spring_forward_9to5",
    ),
    pytest.param(
        BusinessCalendar.always("America/New_York"),
        datetime(2026, 3, 8, tzinfo=NEW_YORK),
        hours(23),
        datetime(2026, 3, 9, tzinfo=NEW_YORK),
        id="dst_spring_forward_24x7_new_york",
    ),
    pytest.param(
        BusinessCalendar.always("Europe/Berlin"),
        berlin(2026, 10, 25),
        hours(25),
        berlin(2026, 10, 26),
        id="dst_fall_back_24x7",
    ),
    pytest.param(
        every_day(hours=[("02:30", "10:00")]),  # opens at 03:00 CEST (01:00 UTC) on spring-forward day
        berlin(2026, 3, 29, 0),
        hours(1),
        datetime(2026, 3, 29, 2, tzinfo=UTC),
        id="opening_in_dst_gap",
    ),
    pytest.param(
        BusinessCalendar(tz="UTC", week={"mon": [("22:00", "24:00")], "tue": [("00:00", "02:00")]}),
        datetime(2026, 11, 16, 23, tzinfo=UTC),
        hours(2),
        datetime(2026, 11, 17, 1, tzinfo=UTC),
        id="day_end_24_00",
    ),
    pytest.param(
        BusinessCalendar.always(),
        datetime(2026, 1, 1, tzinfo=UTC),
        hours(2000),
        datetime(2026, 3, 25, 8, tzinfo=UTC),
        id="2000h_24x7",
    ),
    pytest.param(
        BusinessCalendar(tz="UTC", week={d: [("09:00", "17:00")] for d in WORKDAYS}),
        datetime(2026, 1, 5, 9, tzinfo=UTC),  # Monday; 2000 h = 50 weeks of 40 h, ending on a Friday at closing
        hours(2000),
        datetime(2026, 12, 18, 17, tzinfo=UTC),
        id="2000h_workdays",
    ),
]


@pytest.mark.parametrize(("calendar", "start", "duration", "expected"), ADD_CASES)
def test_add(calendar, start, duration, expected):
    result = calendar.add(start, duration)
    assert result == expected
    assert result.tzinfo is UTC
    assert calendar.elapsed(start, result) == duration


ELAPSED_CASES = [
    pytest.param(office(), berlin(2026, 11, 16), berlin(2026, 11, 17), hours(7), id="lunch_break"),
    pytest.param(office(), berlin(2026, 11, 16), berlin(2026, 11, 23), hours(35), id="week"),
    pytest.param(office(), berlin(2026, 11, 16, 12), berlin(2026, 11, 16, 14), hours(1), id="across_lunch"),
    pytest.param(office(), berlin(2026, 10, 1), berlin(2026, 10, 8), hours(35), id="unity_day_on_saturday"),
    pytest.param(office(), berlin(2026, 4, 27), berlin(2026, 5, 4), hours(28), id="labour_day"),
    pytest.param(office(), berlin(2026, 11, 16, 12), berlin(2026, 11, 16, 12), hours(0), id="empty"),
    pytest.param(
        every_day(country="DE", subdivision="BE"), berlin(2026, 10, 3), berlin(2026, 10, 4), hours(0), id="unity_day"
    ),
    pytest.param(
        office(closures=[(berlin(2026, 11, 16, 10), berlin(2026, 11, 16, 11))]),
        berlin(2026, 11, 16),
        berlin(2026, 11, 17),
        hours(6),
        id="closure_part_of_day",
    ),
    pytest.param(
        BusinessCalendar.always("Europe/Berlin"),
        berlin(2026, 3, 29),
        berlin(2026, 3, 30),
        hours(23),
        id="dst_spring_forward_24x7",
    ),
    pytest.param(every_day(), berlin(2026, 3, 29), berlin(2026, 3, 30), hours(8), id="dst_spring_forward_9to5"),
    pytest.param(
        BusinessCalendar.always("America/New_York"),
        datetime(2026, 3, 8, tzinfo=NEW_YORK),
        datetime(2026, 3, 9, tzinfo=NEW_YORK),
        hours(23),
        id="dst_spring_forward_24x7_new_york",
    ),
    pytest.param(
        every_day("America/New_York"),
        datetime(2026, 3, 8, tzinfo=NEW_YORK),
        datetime(2026, 3, 9, tzinfo=NEW_YORK),
        hours(8),
        id="dst_spring_forward_9to5_new_york",
    ),
    pytest.param(
        BusinessCalendar.always("Europe/Berlin"),
        berlin(2026, 10, 25),
        berlin(2026, 10, 26),
        hours(25),
        id="dst_fall_back_24x7",
    ),
    pytest.param(every_day(), berlin(2026, 10, 25), berlin(2026, 10, 26), hours(8), id="dst_fall_back_9to5"),
    pytest.param(
        every_day(hours=[("02:30", "10:00")]), berlin(2026, 3, 29), berlin(2026, 3, 30), hours(7), id="opening_in_gap"
    ),
    pytest.param(
        BusinessCalendar(tz="UTC", week={"mon": [("22:00", "24:00")], "tue": [("00:00", "02:00")]}),
        datetime(2026, 11, 16, tzinfo=UTC),
        datetime(2026, 11, 18, tzinfo=UTC),
        hours(4),
        id="day_end_24_00",
    ),
    pytest.param(
        BusinessCalendar(tz="UTC", week={d: [("09:00", "17:00")] for d in WORKDAYS}),
        datetime(2026, 1, 5, tzinfo=UTC),
        datetime(2026, 12, 19, tzinfo=UTC),
        hours(2000),
        id="2000h_workdays",
    ),
]


@pytest.mark.parametrize(("calendar", "start", "end", "expected"), ELAPSED_CASES)
def test_elapsed(calendar, start, end, expected):
    assert calendar.elapsed(start, end) == expected


OPEN_CASES = [
    pytest.param(office(), berlin(2026, 11, 16, 9), True, berlin(2026, 11, 16, 9), id="at_opening"),
    pytest.param(office(), berlin(2026, 11, 16, 12, 30), False, berlin(2026, 11, 16, 13, 30), id="at_lunch"),
    pytest.param(office(), berlin(2026, 11, 16, 17), False, berlin(2026, 11, 17, 9), id="at_closing"),
    pytest.param(office(), berlin(2026, 11, 21, 10), False, berlin(2026, 11, 23, 9), id="weekend"),
    pytest.param(office(), berlin(2026, 12, 24, 10), True, berlin(2026, 12, 24, 10), id="christmas_eve_is_work"),
    pytest.param(office(), berlin(2026, 12, 25, 10), False, berlin(2026, 12, 28, 9), id="christmas"),
    pytest.param(
        every_day(hours=[("02:30", "10:00")]),
        datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
        False,
        datetime(2026, 3, 29, 1, tzinfo=UTC),
        id="opening_in_dst_gap",
    ),
    pytest.param(
        every_day(hours=[("02:30", "10:00")]),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST, the first 02:30
        True,
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        id="ambiguous_opening_first_occurrence",
    ),
    pytest.param(
        every_day(hours=[("02:30", "10:00")]),
        datetime(2026, 10, 25, 0, 29, tzinfo=UTC),
        False,
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        id="before_ambiguous_opening",
    ),
]


@pytest.mark.parametrize(("calendar", "at", "is_open", "next_open"), OPEN_CASES)
def test_is_open_and_next_open(calendar, at, is_open, next_open):
    assert calendar.is_open(at) is is_open
    assert calendar.next_open(at) == next_open
    assert calendar.next_open(at).tzinfo is UTC


def test_always_is_open():
    calendar = BusinessCalendar.always()
    at = datetime(2031, 7, 4, 3, 17, tzinfo=UTC)
    assert calendar.is_open(at)
    assert calendar.add(at, hours(5)) == at + hours(5)


NAIVE = datetime(2026, 11, 16, 10)  # noqa: DTZ001


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c: c.is_open(NAIVE), id="is_open"),
        pytest.param(lambda c: c.next_open(NAIVE), id="next_open"),
        pytest.param(lambda c: c.add(NAIVE, hours(1)), id="add"),
        pytest.param(lambda c: c.elapsed(NAIVE, berlin(2026, 11, 17)), id="elapsed_start"),
        pytest.param(lambda c: c.elapsed(berlin(2026, 11, 15), NAIVE), id="elapsed_end"),
    ],
)
def test_naive_datetime_is_an_error(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call(office())


def test_elapsed_end_before_start_is_an_error():
    with pytest.raises(ValueError, match="before start"):
        office().elapsed(berlin(2026, 11, 17), berlin(2026, 11, 16))


def test_negative_duration_is_an_error():
    with pytest.raises(ValueError, match="negative"):
        office().add(berlin(2026, 11, 17), hours(-1))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"tz": "Mars/Olympus"}, "unknown time zone", id="unknown_zone"),
        pytest.param({"week": {"monday": [("09:00", "17:00")]}}, "unknown day", id="bad_day"),
        pytest.param({"week": {"mon": [("09:00", "25:00")]}}, "not a time of day", id="25_00"),
        pytest.param({"week": {"mon": [("9", "17:00")]}}, "HH:MM", id="bad_format"),
        pytest.param({"week": {"mon": [("17:00", "09:00")]}}, "start before it ends", id="start_after_end"),
        pytest.param({"week": {"mon": [("09:00", "09:00")]}}, "start before it ends", id="empty_interval"),
        pytest.param({"week": {"mon": [("09:00", "13:00"), ("12:00", "17:00")]}}, "overlap", id="overlap"),
        pytest.param({"week": {}}, "no opening hours", id="never_open"),
        pytest.param({"country": "XX"}, "no public holidays", id="unknown_country"),
        pytest.param({"country": "DE", "subdivision": "XX"}, "no public holidays", id="unknown_subdivision"),
        pytest.param({"subdivision": "BE"}, "needs a country", id="subdivision_without_country"),
        pytest.param({"closures": [(NAIVE, berlin(2026, 11, 17))]}, "timezone-aware", id="naive_closure"),
        pytest.param(
            {"closures": [(berlin(2026, 11, 17), berlin(2026, 11, 16))]}, "before it starts", id="closure_backwards"
        ),
    ],
)
def test_constructor_validation(kwargs, message):
    arguments = {"tz": "Europe/Berlin", "week": {"mon": [("09:00", "17:00")]}, **kwargs}
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**arguments)


def test_touching_intervals_are_one():
    calendar = BusinessCalendar(tz="UTC", week={"mon": [("09:00", "12:00"), ("12:00", "17:00")]})
    assert calendar.elapsed(datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 17, tzinfo=UTC)) == hours(8)


def test_the_package_imports_neither_django_nor_the_rest_of_insideout():
    package = Path(__file__).resolve().parent.parent
    offenders = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                forbidden = name == "django" or name.startswith("django.")
                forbidden |= name.startswith("insideout") and not name.startswith("insideout.calendars")
                if forbidden:
                    offenders.append(f"{path.relative_to(package)}: {name}")
    assert offenders == []
