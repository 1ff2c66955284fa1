"""The calendar editor's two-week preview, checked against hand-computed days (no database)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from insideout.calendars import BusinessCalendar
from insideout.servicedesk.calendar_preview import PreviewDay, preview

BERLIN = ZoneInfo("Europe/Berlin")
LUNCH = {day: [["09:00", "12:30"], ["13:30", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
L = (("09:00", "12:30"), ("13:30", "17:00"))


def _calendar(week: dict[str, list[list[str]]], **parts: object) -> BusinessCalendar:
    return BusinessCalendar(
        tz="Europe/Berlin",
        week={day: [(start, end) for start, end in intervals] for day, intervals in week.items()},
        **parts,  # type: ignore[arg-type]
    )


def _summary(days: list[PreviewDay]) -> list[tuple[str, tuple[tuple[str, str], ...], str, bool, bool]]:
    return [(d.day.isoformat(), d.intervals, d.holiday, d.extra_holiday, d.closure) for d in days]


def test_christmas_to_epiphany_in_berlin_with_a_closure() -> None:
    calendar = _calendar(
        LUNCH,
        country="DE",
        subdivision="BE",
        holidays=[date(2026, 12, 24), date(2026, 12, 31)],
        closures=[(datetime(2026, 12, 28, 12, 0, tzinfo=BERLIN), datetime(2026, 12, 29, 10, 0, tzinfo=BERLIN))],
    )

    days = preview(
        calendar,
        first=date(2026, 12, 24),
        week=LUNCH,
        country="DE",
        subdivision="BE",
        extra_holidays=["2026-12-24", "2026-12-31"],
        language="en",
    )

    assert _summary(days) == [
        ("2026-12-24", (), "", True, False),
        ("2026-12-25", (), "Christmas Day", False, False),
        ("2026-12-26", (), "Second Day of Christmas", False, False),
        ("2026-12-27", (), "", False, False),
        ("2026-12-28", (("09:00", "12:00"),), "", False, True),
        ("2026-12-29", (("10:00", "12:30"), ("13:30", "17:00")), "", False, True),
        ("2026-12-30", L, "", False, False),
        ("2026-12-31", (), "", True, False),
        ("2027-01-01", (), "New Year's Day", False, False),
        ("2027-01-02", (), "", False, False),
        ("2027-01-03", (), "", False, False),
        ("2027-01-04", L, "", False, False),
        ("2027-01-05", L, "", False, False),
        ("2027-01-06", L, "", False, False),  # Epiphany is a holiday in Bavaria, not in Berlin
    ]


def test_holiday_names_follow_the_language() -> None:
    calendar = _calendar(LUNCH, country="DE", subdivision="BE")

    days = preview(
        calendar, first=date(2026, 12, 25), week=LUNCH, country="DE", subdivision="BE", days=2, language="de"
    )

    assert [d.holiday for d in days] == ["Erster Weihnachtstag", "Zweiter Weihnachtstag"]


def test_a_day_open_until_midnight_ends_at_24_00_and_a_closure_can_close_a_whole_day() -> None:
    week = {"mon": [["13:00", "24:00"]], "tue": [["00:00", "08:00"]], "wed": [["09:00", "17:00"]]}
    calendar = _calendar(
        week, closures=[(datetime(2026, 12, 9, 8, 0, tzinfo=BERLIN), datetime(2026, 12, 9, 18, 0, tzinfo=BERLIN))]
    )

    days = preview(calendar, first=date(2026, 12, 7), week=week, days=3)

    assert _summary(days) == [
        ("2026-12-07", (("13:00", "24:00"),), "", False, False),
        ("2026-12-08", (("00:00", "08:00"),), "", False, False),
        ("2026-12-09", (), "", False, True),
    ]


@pytest.mark.parametrize(
    ("first", "hours"),
    [(date(2027, 3, 28), 23), (date(2027, 10, 31), 25)],
    ids=["spring forward", "fall back"],
)
def test_a_24_7_calendar_shows_whole_days_on_daylight_saving_days(first: date, hours: int) -> None:
    week = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    calendar = BusinessCalendar.always(tz="Europe/Berlin")

    days = preview(calendar, first=first, week=week, days=1)

    assert _summary(days) == [(first.isoformat(), (("00:00", "24:00"),), "", False, False)]
    start = datetime.combine(first, time(0), tzinfo=BERLIN)
    end = datetime.combine(first + timedelta(days=1), time(0), tzinfo=BERLIN)
    assert calendar.elapsed(start, end) == timedelta(hours=hours)
