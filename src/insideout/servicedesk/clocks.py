"""Service clocks replayed from a request's history (docs/adr/0008-service-clocks-from-history.md).

Pure Python: the standard library and ``insideout.calendars`` only, so it can be tested without a database
and the same replay can feed both the stored projection and a page's ``now``-based refresh.

Semantics, in brief:

- The clock starts at the ``opened`` entry. Before that (``now`` earlier than anything) it is reported as
  paused with its full target remaining and no deadline.
- It runs unless the request's current status is in ``pausing_statuses``; paused segments add nothing.
- The first-response clock stops for good at the first ``first_response`` entry. The resolution clock
  stops while the request is resolved or closed (a ``resolved`` entry or a status change to either) and
  resumes on ``reopened`` (or a status change out of them), continuing from the time already counted.
- A clock is breached from the earliest instant its business time reached the target, even if it kept
  running; a stop exactly on that instant is still met (late means *after* the due instant).
- ``due_at`` and ``at_risk_at`` of a running clock are projections from the current running segment.
  While paused the deadline is unknown (it depends on when the clock resumes), so ``due_at`` is None and so
  is a not-yet-reached ``at_risk_at``. A stopped clock keeps the due instant it had when it stopped (None if
  it stopped while paused and before its target).
- ``met_at`` is the instant the clock stopped, on time or late (the state tells which).
- ``obstacle_flagged`` and ``obstacle_resolved`` entries carry the obstacle's id. With
  ``obstacles_pause`` (a standard that says so) the resolution clock is paused while at least one
  obstacle is open and resumes when the last is resolved; without it they change nothing, and they
  never touch the first-response clock. Resolving an obstacle that is not open changes nothing
  (docs/adr/0011-obstacles-in-the-clock-replay.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from insideout.calendars import BusinessCalendar

__all__ = ["KINDS", "METRICS", "STATES", "STATUSES", "ClockState", "HistoryEntry", "clock_state"]

METRICS = frozenset({"first_response", "resolution"})
KINDS = frozenset(
    {"opened", "status", "first_response", "resolved", "reopened", "obstacle_flagged", "obstacle_resolved"}
)
OBSTACLE_KINDS = frozenset({"obstacle_flagged", "obstacle_resolved"})
STATUSES = frozenset({"new", "in_progress", "waiting_on_requester", "resolved", "closed"})
STATES = frozenset({"running", "paused", "met", "breached"})
_FINISHED = frozenset({"resolved", "closed"})


@dataclass(frozen=True)
class HistoryEntry:
    """One clock-relevant fact; a ``status`` entry carries the new status, an obstacle entry the
    obstacle's id, the others carry neither."""

    at: datetime
    kind: str
    status: str | None = None
    obstacle: int | None = None


@dataclass(frozen=True)
class ClockState:
    metric: str
    target: timedelta
    elapsed: timedelta
    remaining: timedelta
    due_at: datetime | None
    paused: bool
    state: str  # running | paused | met | breached
    breached_at: datetime | None
    met_at: datetime | None
    at_risk_at: datetime | None


def _check_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value.isoformat()}")


def _check_entry(index: int, entry: HistoryEntry) -> None:
    _check_aware(entry.at, f"history[{index}].at")
    if entry.kind not in KINDS:
        raise ValueError(f"history[{index}] has unknown kind {entry.kind!r}")
    if entry.kind == "status":
        if entry.status not in STATUSES:
            raise ValueError(f"history[{index}] has unknown status {entry.status!r}")
    elif entry.status is not None:
        raise ValueError(f"history[{index}] ({entry.kind}) must not carry a status")
    if entry.kind in OBSTACLE_KINDS:
        if not isinstance(entry.obstacle, int) or isinstance(entry.obstacle, bool):
            raise ValueError(f"history[{index}] ({entry.kind}) must carry the obstacle's id")
    elif entry.obstacle is not None:
        raise ValueError(f"history[{index}] ({entry.kind}) must not carry an obstacle")


class _Replay:
    """Mutable state while replaying; ``clock_state`` turns it into a ``ClockState``."""

    def __init__(
        self, calendar: BusinessCalendar, target: timedelta, risk: timedelta, *, obstacles_pause: bool
    ) -> None:
        self.calendar = calendar
        self.target = target
        self.risk = risk  # business time at which the clock becomes at risk
        self.started = False
        self.status: str | None = None
        self.stopped = False
        self.stop_due: datetime | None = None
        self.met_at: datetime | None = None
        self.elapsed = timedelta(0)  # counted up to segment_start when running
        self.segment_start: datetime | None = None  # set while running
        self.reached_at: datetime | None = None  # elapsed reached target
        self.risk_at: datetime | None = None  # elapsed reached risk
        self.obstacles_pause = obstacles_pause  # open obstacles pause this clock
        self.open_obstacles: set[int] = set()

    def running_by_rules(self, pausing: frozenset[str]) -> bool:
        blocked = self.obstacles_pause and bool(self.open_obstacles)
        return self.started and not self.stopped and self.status not in pausing and not blocked

    def crossing(self, start: datetime, before: timedelta, threshold: timedelta) -> datetime:
        """The instant a segment begun at ``start`` with ``before`` counted reaches ``threshold``."""
        return self.calendar.add(start, max(threshold - before, timedelta(0)))

    def close_segment(self, end: datetime) -> None:
        """Count the running segment up to ``end`` and note the thresholds it reached."""
        start = self.segment_start
        assert start is not None
        before = self.elapsed
        after = before + self.calendar.elapsed(start, end)
        if self.risk_at is None and after >= self.risk:
            self.risk_at = self.crossing(start, before, self.risk)
        if self.reached_at is None and after >= self.target:
            self.reached_at = self.crossing(start, before, self.target)
        self.elapsed = after
        self.segment_start = None

    def projected_due(self) -> datetime:
        assert self.segment_start is not None
        return self.reached_at or self.crossing(self.segment_start, self.elapsed, self.target)

    def stop(self, at: datetime, was_running: bool) -> None:
        self.stopped = True
        self.met_at = at
        if self.reached_at is not None and self.reached_at >= at:
            # Stopped exactly on the due instant: met, not late.
            self.stop_due, self.reached_at = self.reached_at, None
        elif self.reached_at is not None:
            self.stop_due = self.reached_at
        elif was_running:
            self.stop_due = self.crossing(at, self.elapsed, self.target)
        else:
            self.stop_due = None


def clock_state(
    *,
    metric: str,
    target: timedelta,
    calendar: BusinessCalendar,
    history: Sequence[HistoryEntry],
    now: datetime,
    pausing_statuses: frozenset[str] = frozenset({"waiting_on_requester"}),
    at_risk_fraction: float = 0.25,
    obstacles_pause: bool = False,
) -> ClockState:
    """Replay ``history`` up to ``now`` (inclusive) into the state of one clock; see the module docstring."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; expected one of {sorted(METRICS)}")
    if not isinstance(target, timedelta) or target < timedelta(0):
        raise ValueError(f"target must be a non-negative timedelta, got {target!r}")
    if not 0.0 <= at_risk_fraction <= 1.0:
        raise ValueError(f"at_risk_fraction must be between 0 and 1, got {at_risk_fraction!r}")
    _check_aware(now, "now")
    previous: datetime | None = None
    for index, entry in enumerate(history):
        _check_entry(index, entry)
        if previous is not None and entry.at < previous:
            raise ValueError(
                f"history is not in time order: history[{index}] at {entry.at.isoformat()} "
                f"is before {previous.isoformat()}"
            )
        previous = entry.at

    replay = _Replay(
        calendar,
        target,
        target - target * at_risk_fraction,
        obstacles_pause=obstacles_pause and metric == "resolution",
    )
    for index, entry in enumerate(history):
        if entry.at > now:
            break
        at = entry.at.astimezone(UTC)
        if entry.kind == "opened":
            if replay.started:
                raise ValueError(f"history[{index}]: the request was already opened")
        elif not replay.started:
            raise ValueError(f"history[{index}] ({entry.kind}) comes before the request was opened")

        was_running = replay.segment_start is not None
        if was_running:
            replay.close_segment(at)

        if entry.kind == "opened":
            replay.started, replay.status = True, "new"
        elif entry.kind == "status":
            replay.status = entry.status
        elif entry.kind == "resolved":
            replay.status = "resolved"
        elif entry.kind == "reopened":
            replay.status = "in_progress"
        elif entry.kind == "obstacle_flagged":
            assert entry.obstacle is not None
            replay.open_obstacles.add(entry.obstacle)
        elif entry.kind == "obstacle_resolved":
            replay.open_obstacles.discard(entry.obstacle or 0)

        if not replay.stopped:
            answered = metric == "first_response" and entry.kind == "first_response"
            if answered or (metric == "resolution" and replay.status in _FINISHED):
                replay.stop(at, was_running)
        elif metric == "resolution" and replay.status not in _FINISHED:
            replay.stopped, replay.met_at, replay.stop_due = False, None, None  # reopened

        if replay.running_by_rules(pausing_statuses):
            replay.segment_start = at

    utc_now = now.astimezone(UTC)
    running = replay.segment_start is not None
    due_at: datetime | None
    at_risk_at = replay.risk_at
    if running:
        segment_start = replay.segment_start
        assert segment_start is not None
        due_at = replay.projected_due()
        if at_risk_at is None:
            at_risk_at = replay.crossing(segment_start, replay.elapsed, replay.risk)
        replay.close_segment(utc_now)
        if replay.reached_at is not None:
            due_at = replay.reached_at
    elif replay.stopped:
        due_at = replay.stop_due
    else:
        due_at = replay.reached_at

    breached_at = replay.reached_at
    if breached_at is not None:
        state = "breached"
    elif replay.stopped:
        state = "met"
    elif running:
        state = "running"
    else:
        state = "paused"
    return ClockState(
        metric=metric,
        target=target,
        elapsed=replay.elapsed,
        remaining=max(target - replay.elapsed, timedelta(0)),
        due_at=due_at,
        paused=not running and not replay.stopped,
        state=state,
        breached_at=breached_at,
        met_at=replay.met_at,
        at_risk_at=at_risk_at,
    )
