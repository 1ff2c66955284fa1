"""What a business calendar looks like day by day: the desk admin's two-week preview.

Pure Python over the calendar's public surface (``next_open`` and ``add``), so the preview shows
exactly what the clocks count, including closures and daylight-saving days. Holiday names come from
the ``holidays`` package, which the calendar uses for the dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_package

from insideout.calendars import BusinessCalendar

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class PreviewDay:
    day: date
    intervals: tuple[tuple[str, str], ...]  # local "HH:MM" pairs; an interval ending at midnight ends "24:00"
    holiday: str  # the public holiday's name, or "" (an extra holiday of the desk has ``extra_holiday``)
    extra_holiday: bool
    weekly_open: bool  # the weekly hours open this weekday
    closure: bool  # a closure takes away some or all of the weekly hours

    @property
    def is_open(self) -> bool:
        return bool(self.intervals)


def _run_end(calendar: BusinessCalendar, start: datetime, limit: datetime) -> datetime:
    """The end of the open run that starts at ``start`` (not after ``limit``), to the second.

    ``add(start, d) == start + d`` holds exactly while ``[start, start + d)`` is open, so a binary
    search over ``d`` finds where the run stops.
    """
    low, high = 0, int((limit - start) // _SECOND)
    if calendar.add(start, high * _SECOND) == start + high * _SECOND:
        return limit
    while high - low > 1:
        middle = (low + high) // 2
        if calendar.add(start, middle * _SECOND) == start + middle * _SECOND:
            low = middle
        else:
            high = middle
    return start + low * _SECOND


def day_intervals(calendar: BusinessCalendar, day: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The open intervals of one local day, as aware instants."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    found: list[tuple[datetime, datetime]] = []
    cursor = start
    while cursor < end:
        opened = calendar.next_open(cursor)
        if opened >= end:
            break
        closed = _run_end(calendar, opened, end)
        found.append((opened, closed))
        cursor = closed + _SECOND if closed == opened else closed
    return found


def _local(value: datetime, day: date, zone: ZoneInfo) -> str:
    local = value.astimezone(zone)
    if local.date() > day:
        return "24:00"
    return f"{local:%H:%M}"


def public_holidays(country: str, subdivision: str, years: Iterable[int], language: str = "") -> dict[date, str]:
    """Public holidays by date with their names (in ``language`` when the package has it)."""
    if not country:
        return {}
    years = sorted(set(years))
    found = holidays_package.country_holidays(country, subdiv=subdivision or None, years=years)
    supported = getattr(found, "supported_languages", ()) or ()
    # Without a language the package picks one from the process's locale, so always name one it has.
    wanted = next((code for code in (language, f"{language}_US", "en_US", "en") if code and code in supported), None)
    if wanted is not None:
        found = holidays_package.country_holidays(country, subdiv=subdivision or None, years=years, language=wanted)
    return dict(found.items())


def preview(
    calendar: BusinessCalendar,
    *,
    first: date,
    week: dict[str, list[list[str]]],
    country: str = "",
    subdivision: str = "",
    extra_holidays: Iterable[str] = (),
    days: int = 14,
    language: str = "",
) -> list[PreviewDay]:
    """``days`` local days from ``first``: each day's open hours, or why it is closed."""
    zone = ZoneInfo(calendar.tz)
    extra = {date.fromisoformat(value) for value in extra_holidays}
    dates = [first + timedelta(days=offset) for offset in range(days)]
    named = public_holidays(country, subdivision, {d.year for d in dates}, language)
    result = []
    for day in dates:
        intervals = day_intervals(calendar, day, zone)
        weekly = bool(week.get(WEEKDAYS[day.weekday()]))
        holiday = named.get(day, "")
        is_extra = day in extra
        result.append(
            PreviewDay(
                day=day,
                intervals=tuple((_local(start, day, zone), _local(end, day, zone)) for start, end in intervals),
                holiday=holiday,
                extra_holiday=is_extra,
                weekly_open=weekly,
                closure=weekly and not holiday and not is_extra and _closure_cut(week, day, intervals, zone),
            )
        )
    return result


def _closure_cut(
    week: dict[str, list[list[str]]], day: date, intervals: list[tuple[datetime, datetime]], zone: ZoneInfo
) -> bool:
    """True when the day has less open time than its weekly hours give (a closure took some)."""
    planned = timedelta(0)
    for start_text, end_text in week.get(WEEKDAYS[day.weekday()], []):
        start = _wall(day, start_text, zone)
        end = _wall(day, end_text, zone)
        planned += end.astimezone(UTC) - start.astimezone(UTC)
    actual = sum((end - start for start, end in intervals), timedelta(0))
    return actual < planned


def _wall(day: date, text: str, zone: ZoneInfo) -> datetime:
    if text == "24:00":
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    hours, minutes = (int(part) for part in text.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=zone)
