"""The stored projection of a request's clocks: replay the history, write ``RequestClock`` rows.

``clocks.py`` is the pure replay; this module feeds it from the database (the request's events, the
standard and calendar versions each clock is bound to) and writes what it returns. Used by every
service that changes a request, by the sweep and by recomputation after a standard or calendar edit.

It also keeps the request's last-update clock (``request_updates_track``): when the desk last gave a
public update and when the next one is due under the request type's update standard.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from django.utils import timezone

from insideout.calendars import BusinessCalendar
from insideout.core.models import Event
from insideout.servicedesk.clocks import ClockState, HistoryEntry, clock_state
from insideout.servicedesk.cooperation import agreement_selectors
from insideout.servicedesk.models import (
    OPEN_STATUSES,
    CalendarVersion,
    Metric,
    Request,
    RequestClock,
    ServiceStandard,
    SlaFlag,
)

SUBJECT_TYPE = "servicedesk.request"

# Event types that move a clock, and how each reads as a replay entry.
REQUEST_OPENED = "servicedesk.request_opened"
REQUEST_STATUS_CHANGED = "servicedesk.request_status_changed"
REQUEST_FIRST_RESPONSE = "servicedesk.request_first_response"
# Published by the cooperation layer; here because the replay reads them (ADR 0011).
OBSTACLE_FLAGGED = "servicedesk.obstacle_flagged"
OBSTACLE_RESOLVED = "servicedesk.obstacle_resolved"
CLOCK_EVENT_TYPES = (
    REQUEST_OPENED,
    REQUEST_STATUS_CHANGED,
    REQUEST_FIRST_RESPONSE,
    OBSTACLE_FLAGGED,
    OBSTACLE_RESOLVED,
)


@lru_cache(maxsize=512)
def _calendar_cached(version_id: int) -> BusinessCalendar:
    # Calendar versions are immutable, so caching by id is safe in every process.
    version = CalendarVersion.objects.get(pk=version_id)
    return calendar_from_version(version)


def calendar_from_version(version: CalendarVersion) -> BusinessCalendar:
    week = {day: [tuple(interval) for interval in intervals] for day, intervals in (version.week or {}).items()}
    closures = [(datetime.fromisoformat(start), datetime.fromisoformat(end)) for start, end in (version.closures or [])]
    return BusinessCalendar(
        tz=version.time_zone,
        week=week,  # type: ignore[arg-type]
        country=version.country or None,
        subdivision=version.subdivision or None,
        holidays=[date.fromisoformat(day) for day in (version.holidays or [])],
        closures=closures,
    )


def calendar_for(version_id: int | None) -> BusinessCalendar:
    """The business calendar of a version, or 24/7 for None."""
    if version_id is None:
        return BusinessCalendar.always()
    return _calendar_cached(version_id)


def history_of(request_id: int) -> list[HistoryEntry]:
    """The clock-relevant facts of a request, from its events, in time order."""
    rows = (
        Event.objects.filter(subject_type=SUBJECT_TYPE, subject_id=str(request_id), type__in=CLOCK_EVENT_TYPES)
        .order_by("occurred_at", "pk")
        .values_list("type", "occurred_at", "payload")
    )
    return [entry for entry in (_entry(*row) for row in rows) if entry is not None]


def _entry(event_type: str, at: datetime, payload: dict[str, object]) -> HistoryEntry | None:
    if event_type == REQUEST_OPENED:
        return HistoryEntry(at=at, kind="opened")
    if event_type == REQUEST_FIRST_RESPONSE:
        return HistoryEntry(at=at, kind="first_response")
    if event_type == REQUEST_STATUS_CHANGED:
        return HistoryEntry(at=at, kind="status", status=str(payload.get("to")))
    if event_type in (OBSTACLE_FLAGGED, OBSTACLE_RESOLVED):
        obstacle = payload.get("obstacle")
        if not isinstance(obstacle, int):
            return None
        kind = "obstacle_flagged" if event_type == OBSTACLE_FLAGGED else "obstacle_resolved"
        return HistoryEntry(at=at, kind=kind, obstacle=obstacle)
    return None


def replay(
    *,
    metric: str,
    standard: ServiceStandard,
    calendar_id: int | None,
    history: list[HistoryEntry],
    now: datetime,
) -> ClockState:
    minutes = standard.first_response_minutes if metric == Metric.FIRST_RESPONSE else standard.resolution_minutes
    return clock_state(
        metric=metric,
        target=timedelta(minutes=minutes),
        calendar=calendar_for(calendar_id),
        history=history,
        now=now,
        pausing_statuses=frozenset(standard.pausing_statuses or []),
        at_risk_fraction=standard.at_risk_percent / 100,
        obstacles_pause=standard.obstacles_pause_resolution,
    )


def _apply(clock: RequestClock, state: ClockState, now: datetime) -> None:
    clock.state = state.state
    clock.running = not state.paused and state.met_at is None
    clock.elapsed_seconds = state.elapsed.total_seconds()
    clock.computed_at = now
    clock.due_at = state.due_at
    clock.at_risk_at = state.at_risk_at
    clock.met_at = state.met_at
    clock.breached_at = state.breached_at


def clocks_refresh(
    *,
    request: Request,
    now: datetime | None = None,
    rebind: bool = False,
    history: list[HistoryEntry] | None = None,
) -> list[RequestClock]:
    """Replay the request's history into its clock rows and update its queue fields.

    A clock keeps the standard and calendar versions it is bound to. ``rebind=True`` (after a
    priority change, or a standard or calendar edit) binds every clock that has not finished to the
    current versions first; finished clocks are never rewritten by a rebind.
    """
    now = now or timezone.now()
    standard = (
        agreement_selectors.standard_for(request=request)
        if rebind or not request.pk or not RequestClock.objects.filter(request=request).exists()
        else None
    )
    existing = {
        clock.metric: clock for clock in RequestClock.objects.filter(request=request).select_related("standard")
    }
    if history is None:
        history = history_of(request.pk)
    desk_calendar_id = request.desk.calendar_id
    clocks: list[RequestClock] = []
    for metric in (Metric.FIRST_RESPONSE, Metric.RESOLUTION):
        clock = existing.get(metric)
        if clock is None:
            if standard is None:
                standard = agreement_selectors.standard_for(request=request)
            if standard is None:
                continue  # no standard for this type and priority: no promise, no clock
            clock = RequestClock(request=request, metric=metric)
            _bind(clock, standard, desk_calendar_id)
        elif rebind and clock.met_at is not None:
            clocks.append(clock)  # finished: a rebind never rewrites it
            continue
        elif rebind and standard is not None:
            _bind(clock, standard, desk_calendar_id)
        state = replay(metric=metric, standard=clock.standard, calendar_id=clock.calendar_id, history=history, now=now)
        _apply(clock, state, now)
        clock.save()
        clocks.append(clock)
    request_flags_update(request=request, clocks=clocks, now=now)
    return clocks


def _bind(clock: RequestClock, standard: ServiceStandard, desk_calendar_id: int | None) -> None:
    clock.standard = standard
    clock.calendar_id = desk_calendar_id if standard.business_hours else None
    minutes = standard.first_response_minutes if clock.metric == Metric.FIRST_RESPONSE else standard.resolution_minutes
    clock.target_seconds = minutes * 60


def flags_for(*, status: str, clocks: list[RequestClock], now: datetime) -> tuple[datetime | None, str]:
    """The request's queue fields from its clocks: the next deadline and the worst flag."""
    running = [clock for clock in clocks if clock.running]
    next_due = min((clock.due_at for clock in running if clock.due_at is not None), default=None)
    flag = SlaFlag.NONE
    if status in OPEN_STATUSES:
        if any(
            clock.breached_at is not None or (clock.due_at is not None and clock.due_at <= now) for clock in running
        ):
            flag = SlaFlag.BREACHED
        elif any(clock.running and clock.at_risk_at is not None and clock.at_risk_at <= now for clock in running):
            flag = SlaFlag.AT_RISK
    else:
        next_due = None
    return next_due, str(flag)


def request_flags_update(*, request: Request, clocks: list[RequestClock], now: datetime) -> None:
    next_due, flag = flags_for(status=request.status, clocks=clocks, now=now)
    if (request.next_due_at, request.sla_flag) != (next_due, flag):
        request.next_due_at, request.sla_flag = next_due, flag
        Request.objects.filter(pk=request.pk).update(next_due_at=next_due, sla_flag=flag)


# --- the last-update clock -----------------------------------------------------------------------

# The assignee is nudged when this share of the update interval has passed without an update.
NUDGE_SHARE = 0.75


def update_schedule(*, calendar_id: int | None, since: datetime, every_minutes: int) -> tuple[datetime, datetime]:
    """When the next public update is due, and when to nudge about it, for an interval begun at
    ``since``: counted on the desk's business calendar (24/7 when the desk has none)."""
    calendar = calendar_for(calendar_id)
    every = timedelta(minutes=every_minutes)
    return calendar.add(since, every), calendar.add(since, every * NUDGE_SHARE)


def request_updates_track(*, request: Request, at: datetime, public: bool) -> None:
    """Keep the request's last-update clock after a change made at ``at``.

    A public update (``public``) is an agent's public reply, a commitment made or moved, an obstacle
    flagged or resolved, or a status change by an agent; it restarts the interval. A request that is
    not open owes no update; one that becomes open again (or starts being counted) owes the next
    update one interval after ``at``. Anything else leaves the clock as it is. ``request`` must
    carry its current status, type and desk.
    """
    last = at if public else request.last_update_at
    due: datetime | None = None
    alarm: datetime | None = None
    every = request.request_type.update_every_minutes if request.status in OPEN_STATUSES else None
    if not every:
        pass
    elif public or request.update_due_at is None:
        due, alarm = update_schedule(calendar_id=request.desk.calendar_id, since=at, every_minutes=every)
    else:
        due, alarm = request.update_due_at, request.update_alarm_at
    if (request.last_update_at, request.update_due_at, request.update_alarm_at) == (last, due, alarm):
        return
    request.last_update_at, request.update_due_at, request.update_alarm_at = last, due, alarm
    Request.objects.filter(pk=request.pk).update(last_update_at=last, update_due_at=due, update_alarm_at=alarm)


def request_updates_reschedule(*, request: Request) -> None:
    """Count the next update again under the type's current interval and the desk's current calendar
    (after either was edited), from the last update or the last (re)opening, whichever is later.

    What the sweep already said for the interval stands: a nudged request is not nudged again, and
    a silence the lead heard of is not told twice.
    """
    every = request.request_type.update_every_minutes
    due: datetime | None = None
    alarm: datetime | None = None
    if request.status in OPEN_STATUSES and every:
        due, nudge = update_schedule(
            calendar_id=request.desk.calendar_id, since=_counted_since(request), every_minutes=every
        )
        if request.update_due_at is None:
            alarm = nudge  # not counted before: a new update standard
        elif request.update_alarm_at is None:
            # The lead heard of the silence; only a later due time makes it a new interval.
            alarm = nudge if due > request.update_due_at else None
        elif request.update_alarm_at >= request.update_due_at:
            alarm = due  # nudged already: the silence comes next
        else:
            alarm = nudge
    if (request.update_due_at, request.update_alarm_at) != (due, alarm):
        request.update_due_at, request.update_alarm_at = due, alarm
        Request.objects.filter(pk=request.pk).update(update_due_at=due, update_alarm_at=alarm)


def _counted_since(request: Request) -> datetime:
    """Where the current update interval began: the last public update, or the opening or last
    reopening of the request when that came later."""
    reopened = (
        Event.objects.filter(
            subject_type=SUBJECT_TYPE,
            subject_id=str(request.pk),
            type=REQUEST_STATUS_CHANGED,
            payload__from__in=["resolved", "closed"],
        )
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    return max(moment for moment in (request.created_at, request.last_update_at, reopened) if moment is not None)
