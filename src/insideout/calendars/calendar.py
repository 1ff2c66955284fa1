"""The business calendar: when a team is open, and how much open time lies between two instants.

Instants are handled internally as integer microseconds since the Unix epoch (UTC), so sums and
differences are exact. Opening hours are local wall-clock times, turned into instants per local date:

- a wall time that does not exist (the spring-forward gap) becomes the first instant after the gap;
- a wall time that exists twice (fall-back) is its first occurrence (``fold=0``);
- ``"24:00"`` is midnight at the start of the next local date.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_package

__all__ = ["BusinessCalendar"]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^(\d{2}):(\d{2})$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
_ONE_DAY = timedelta(days=1)
_DAY_US = 24 * 3600 * 1_000_000
_MINUTE_US = 60 * 1_000_000
# Walking this many local days without any open time means the calendar is closed "for ever" from there.
_MAX_CLOSED_DAYS = 3660
_CACHE_SIZE = 2048

Interval = tuple[int, int]


def _aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got the naive datetime {value.isoformat()}")
    return value


def _to_us(value: datetime) -> int:
    return (value - _EPOCH) // _MICRO


def _from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _parse_time(text: object, day: str) -> int:
    """Minutes after local midnight for "HH:MM" (00:00 … 24:00)."""
    match = _TIME.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{day}: opening time {text!r} is not of the form 'HH:MM'")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes != 0):
        raise ValueError(f"{day}: {text!r} is not a time of day (00:00 … 24:00)")
    return hours * 60 + minutes


def _parse_week(week: Mapping[str, Sequence[tuple[str, str]]]) -> tuple[tuple[tuple[int, int], ...], ...]:
    days: dict[str, tuple[tuple[int, int], ...]] = {}
    for name, intervals in week.items():
        if name not in DAY_NAMES:
            raise ValueError(f"unknown day {name!r}: use one of {', '.join(DAY_NAMES)}")
        parsed: list[tuple[int, int]] = []
        for interval in intervals:
            if len(interval) != 2:
                raise ValueError(f"{name}: an opening interval is a pair (start, end), got {interval!r}")
            start, end = _parse_time(interval[0], name), _parse_time(interval[1], name)
            if start >= end:
                raise ValueError(f"{name}: opening interval {interval[0]}–{interval[1]} must start before it ends")
            parsed.append((start, end))
        parsed.sort()
        merged: list[tuple[int, int]] = []
        for start, end in parsed:
            if merged and start < merged[-1][1]:
                raise ValueError(f"{name}: opening intervals overlap ({_hhmm(merged[-1])} and {_hhmm((start, end))})")
            if merged and start == merged[-1][1]:
                merged[-1] = (merged[-1][0], end)  # touching intervals are one
            else:
                merged.append((start, end))
        days[name] = tuple(merged)
    result = tuple(days.get(name, ()) for name in DAY_NAMES)
    if not any(result):
        raise ValueError("the week has no opening hours: a business calendar must be open at some time")
    return result


def _hhmm(interval: tuple[int, int]) -> str:
    return "–".join(f"{m // 60:02d}:{m % 60:02d}" for m in interval)


class BusinessCalendar:
    """Opening hours in one time zone, minus public holidays, extra holidays and closures.

    All methods take timezone-aware datetimes and return aware datetimes in UTC. Business time is real
    elapsed time inside open intervals (a 24/7 calendar's spring-forward day has 23 hours).
    """

    def __init__(
        self,
        tz: str,
        week: Mapping[str, Sequence[tuple[str, str]]],
        country: str | None = None,
        subdivision: str | None = None,
        holidays: Iterable[date] = (),
        closures: Iterable[tuple[datetime, datetime]] = (),
    ) -> None:
        try:
            self._zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
            raise ValueError(f"unknown time zone {tz!r}") from error
        self.tz = tz
        self._week = _parse_week(week)
        self._week_us = sum(end - start for day in self._week for start, end in day) * _MINUTE_US

        if subdivision is not None and country is None:
            raise ValueError(f"subdivision {subdivision!r} needs a country")
        self.country = country
        self.subdivision = subdivision
        if country is not None:
            try:
                holidays_package.country_holidays(country, subdiv=subdivision, years=[])
            except (NotImplementedError, KeyError, ValueError) as error:
                raise ValueError(f"no public holidays known for {country!r} / {subdivision!r}: {error}") from error

        extra: set[date] = set()
        for day in holidays:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise ValueError(f"a holiday is a local date, got {day!r}")
            extra.add(day)
        self._extra_holidays = frozenset(extra)

        spans: list[Interval] = []
        for closure in closures:
            start, end = closure
            start_us, end_us = _to_us(_aware(start, "closure start")), _to_us(_aware(end, "closure end"))
            if end_us < start_us:
                raise ValueError(f"closure ends ({end.isoformat()}) before it starts ({start.isoformat()})")
            if end_us > start_us:
                spans.append((start_us, end_us))
        spans.sort()
        merged: list[Interval] = []
        for start_us, end_us in spans:
            if merged and start_us <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end_us))
            else:
                merged.append((start_us, end_us))
        self._closures = merged
        self._closure_starts = [start for start, _ in merged]
        self._closure_ends = [end for _, end in merged]

        self._holiday_years: dict[int, frozenset[date]] = {}
        self._days: dict[date, tuple[Interval, ...]] = {}
        self._special_years: dict[int, frozenset[date]] = {}

    @classmethod
    def always(cls, tz: str = "UTC") -> BusinessCalendar:
        """A calendar that is open around the clock, every day."""
        return cls(tz=tz, week={name: [("00:00", "24:00")] for name in DAY_NAMES})

    def __repr__(self) -> str:
        return f"BusinessCalendar(tz={self.tz!r}, country={self.country!r}, subdivision={self.subdivision!r})"

    # --- public API -------------------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        us = _to_us(_aware(at, "at"))
        local = at.astimezone(self._zone).date()
        for offset in (0, -1, 1):
            for start, end in self._day(local + timedelta(days=offset)):
                if start <= us < end:
                    return True
        return False

    def next_open(self, at: datetime) -> datetime:
        """The first open instant at or after ``at`` (``at`` itself when open)."""
        us = _to_us(_aware(at, "at"))
        day = at.astimezone(self._zone).date() - _ONE_DAY
        closed_days = 0
        while True:
            for start, end in self._day(day):
                if end > us:
                    return _from_us(max(start, us))
            day += _ONE_DAY
            closed_days += 1
            if closed_days > _MAX_CLOSED_DAYS:
                raise ValueError(f"the calendar is closed for more than ten years after {at.isoformat()}")

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time in ``[start, end)``."""
        start_us, end_us = _to_us(_aware(start, "start")), _to_us(_aware(end, "end"))
        if end_us < start_us:
            raise ValueError(f"end ({end.isoformat()}) is before start ({start.isoformat()})")
        first = start.astimezone(self._zone).date()
        last = end.astimezone(self._zone).date()
        # Whole weeks strictly inside [start, end) may be counted arithmetically.
        inner_first, inner_last = first + 2 * _ONE_DAY, last - _ONE_DAY
        total = 0
        day = first - _ONE_DAY
        while day <= last + _ONE_DAY:
            if inner_first <= day and day + 7 * _ONE_DAY <= inner_last and self._normal_week(day):
                total += self._week_us
                day += 7 * _ONE_DAY
                continue
            for open_us, close_us in self._day(day):
                overlap = min(close_us, end_us) - max(open_us, start_us)
                if overlap > 0:
                    total += overlap
            day += _ONE_DAY
        return timedelta(microseconds=total)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant ``t >= start`` with ``elapsed(start, t) == duration``."""
        us = _to_us(_aware(start, "start"))
        if not isinstance(duration, timedelta):
            raise TypeError(f"duration must be a timedelta, not {type(duration).__name__}")
        remaining = duration // _MICRO
        if remaining < 0:
            raise ValueError(f"duration must not be negative, got {duration}")
        if remaining == 0:
            return _from_us(us)
        first = start.astimezone(self._zone).date()
        day = first - _ONE_DAY
        closed_days = 0
        while True:
            if remaining > self._week_us and day > first + _ONE_DAY:
                while remaining > self._week_us and self._normal_week(day):
                    remaining -= self._week_us
                    day += 7 * _ONE_DAY
            intervals = self._day(day)
            for open_us, close_us in intervals:
                if close_us <= us:
                    continue
                open_us = max(open_us, us)
                length = close_us - open_us
                if remaining <= length:
                    return _from_us(open_us + remaining)
                remaining -= length
            closed_days = 0 if intervals else closed_days + 1
            if closed_days > _MAX_CLOSED_DAYS:
                raise ValueError(f"the calendar is closed for more than ten years after {day.isoformat()}")
            day += _ONE_DAY

    # --- per-day machinery ------------------------------------------------------------------------

    def _is_holiday(self, day: date) -> bool:
        if day in self._extra_holidays:
            return True
        if self.country is None:
            return False
        year = self._holiday_years.get(day.year)
        if year is None:
            found = holidays_package.country_holidays(self.country, subdiv=self.subdivision, years=day.year)
            year = self._holiday_years[day.year] = frozenset(found.keys())
        return day in year

    def _wall_to_us(self, day: date, minutes: int) -> int:
        """The instant of a local wall time: past the gap when it does not exist, first when it is ambiguous."""
        naive = datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)  # noqa: DTZ001 - local wall time
        first = naive.replace(tzinfo=self._zone).astimezone(UTC)
        if first.astimezone(self._zone).replace(tzinfo=None) == naive:
            return _to_us(first)
        # In a gap: find the transition, the first instant whose wall clock is at or after `naive`.
        other = _to_us(naive.replace(tzinfo=self._zone, fold=1).astimezone(UTC))
        low, high = sorted((_to_us(first), other))
        while low < high:
            middle = (low + high) // 2
            if _from_us(middle).astimezone(self._zone).replace(tzinfo=None) >= naive:
                high = middle
            else:
                low = middle + 1
        return low

    def _day(self, day: date) -> tuple[Interval, ...]:
        """The open intervals (UTC microseconds) that belong to one local date, memoised."""
        cached = self._days.get(day)
        if cached is not None:
            return cached
        result: tuple[Interval, ...] = ()
        template = self._week[day.weekday()]
        if template and not self._is_holiday(day):
            intervals = [(self._wall_to_us(day, start), self._wall_to_us(day, end)) for start, end in template]
            intervals = [(start, end) for start, end in intervals if start < end]
            if self._closures and intervals:
                intervals = self._subtract_closures(intervals)
            result = tuple(intervals)
        if len(self._days) >= _CACHE_SIZE:
            self._days.clear()
        self._days[day] = result
        return result

    def _subtract_closures(self, intervals: list[Interval]) -> list[Interval]:
        result: list[Interval] = []
        for start, end in intervals:
            index = bisect_left(self._closure_ends, start + 1)  # first closure ending after `start`
            cursor = start
            while index < len(self._closures) and self._closure_starts[index] < end:
                closed_from, closed_to = self._closures[index]
                if closed_from > cursor:
                    result.append((cursor, closed_from))
                cursor = max(cursor, closed_to)
                index += 1
            if cursor < end:
                result.append((cursor, end))
        return result

    def _special_dates(self, year: int) -> frozenset[date]:
        """The local dates of a year that differ from the template: holidays, and days not 24 hours long."""
        cached = self._special_years.get(year)
        if cached is not None:
            return cached
        first = date(year, 1, 1)
        count = (date(year + 1, 1, 1) - first).days
        midnights = [self._wall_to_us(first + timedelta(days=offset), 0) for offset in range(count + 1)]
        special = {
            first + timedelta(days=offset)
            for offset in range(count)
            if midnights[offset + 1] - midnights[offset] != _DAY_US or self._is_holiday(first + timedelta(days=offset))
        }
        result = self._special_years[year] = frozenset(special)
        return result

    def _normal_week(self, first: date) -> bool:
        """Whether the 7 local days from ``first`` are exactly the template week.

        True when none of them is a holiday or a day of a UTC-offset change (a zone changes its offset at most
        once between two local midnights) and no closure overlaps them.
        """
        for offset in range(7):
            day = first + timedelta(days=offset)
            if day in self._special_dates(day.year):
                return False
        if self._closures:
            start = self._wall_to_us(first, 0)
            index = bisect_left(self._closure_ends, start + 1)
            if index < len(self._closures) and self._closure_starts[index] < self._wall_to_us(first, 7 * 24 * 60):
                return False
        return True
