"""A stored clock brought up to a given instant, and said in words, for the pages and the API;
and the request's last-update clock in words ("last update 3 working days ago").

``RequestClock`` rows hold the replay as of their ``computed_at``. A running clock has gone on
counting since, so its elapsed time is the stored figure plus the business time from
``computed_at`` to ``now`` on the clock's own calendar; no history is read. The state becomes
``breached`` once ``now`` passes the deadline, even before the sweep has written it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insideout.servicedesk.clockstore import calendar_for
from insideout.servicedesk.models import OPEN_STATUSES, Metric, Request, RequestClock

if TYPE_CHECKING:
    from insideout.servicedesk.selectors import ClockRow


@dataclass(frozen=True)
class ClockView:
    metric: str  # first_response | resolution
    target: timedelta
    elapsed: timedelta
    remaining: timedelta  # never negative; zero once breached
    due_at: datetime | None
    paused: bool
    state: str  # running | paused | met | breached
    breached_at: datetime | None
    met_at: datetime | None
    at_risk: bool  # running, not breached, and past the at-risk threshold
    business_hours: bool  # counted on the desk's calendar (False: 24/7)
    overdue: timedelta  # business time past the deadline (zero unless breached)


def clock_view(clock: RequestClock | ClockRow, *, now: datetime | None = None) -> ClockView:
    """The clock (a model row, or a list's plain ``ClockRow``) as of ``now`` (default: the current time)."""
    now = now or timezone.now()
    target = timedelta(seconds=clock.target_seconds)
    elapsed = timedelta(seconds=clock.elapsed_seconds)
    if clock.running and now > clock.computed_at:
        elapsed += calendar_for(clock.calendar_id).elapsed(clock.computed_at, now)
    state = clock.state
    breached_at = clock.breached_at
    if clock.running:
        if clock.due_at is not None and clock.due_at <= now:
            state = "breached"
            breached_at = breached_at or clock.due_at
        elif state not in ("breached",):
            state = "running"
    at_risk = clock.running and state == "running" and clock.at_risk_at is not None and clock.at_risk_at <= now
    return ClockView(
        metric=clock.metric,
        target=target,
        elapsed=elapsed,
        remaining=max(target - elapsed, timedelta(0)),
        due_at=clock.due_at,
        paused=not clock.running and clock.met_at is None,
        state=state,
        breached_at=breached_at,
        met_at=clock.met_at,
        at_risk=at_risk,
        business_hours=clock.calendar_id is not None,
        overdue=max(elapsed - target, timedelta(0)),
    )


def duration_words(value: timedelta, *, business_hours: bool) -> str:
    """ "3 working hours", "45 minutes", "2 working days" (8-hour days only when counted on a calendar)."""
    minutes = max(int(value.total_seconds() // 60), 0)
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = round(minutes / 60)
    if business_hours:
        if hours >= 16:
            days = round(hours / 8)
            return ngettext("%(n)d working day", "%(n)d working days", days) % {"n": days}
        return ngettext("%(n)d working hour", "%(n)d working hours", hours) % {"n": hours}
    if hours >= 48:
        days = round(hours / 24)
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


def instant_words(value: datetime, *, zone: tzinfo | None = None, now: datetime | None = None) -> str:
    """ "Tue 11:00" within a week of now, else "Tue 12 Jan 11:00", in the given (or active) zone."""
    zone = zone or timezone.get_current_timezone()
    now = now or timezone.now()
    local = value.astimezone(zone)
    # The same words as date_format's "D H:i" and "D j M H:i", without its per-call format lookups
    # (a queue page says some fifty of these).
    day = WEEKDAYS_ABBR[local.weekday()]
    if abs(value - now) < timedelta(days=6):
        return f"{day} {local:%H:%M}"
    return f"{day} {local.day} {MONTHS_3[local.month].title()} {local:%H:%M}"


METRIC_WORDS: dict[str, Callable[[], str]] = {
    Metric.FIRST_RESPONSE.value: lambda: _("first response"),
    Metric.RESOLUTION.value: lambda: _("resolution"),
}


def clock_words(view: ClockView, *, now: datetime | None = None, zone: tzinfo | None = None) -> str:
    """One sentence a person reads: "first response due in 3 working hours — Tue 11:00"."""
    now = now or timezone.now()
    metric = METRIC_WORDS[view.metric]() if view.metric in METRIC_WORDS else view.metric
    words = {"metric": metric}
    if view.state == "met":
        words["when"] = instant_words(view.met_at, zone=zone, now=now) if view.met_at else ""
        return _("%(metric)s met — %(when)s") % words
    if view.state == "breached" and view.met_at is not None:
        words["late"] = duration_words(view.overdue, business_hours=view.business_hours)
        words["when"] = instant_words(view.met_at, zone=zone, now=now)
        return _("%(metric)s late by %(late)s — %(when)s") % words
    if view.state == "breached":
        words["late"] = duration_words(view.overdue, business_hours=view.business_hours)
        words["when"] = instant_words(view.due_at or view.breached_at or now, zone=zone, now=now)
        return _("%(metric)s overdue by %(late)s — was due %(when)s") % words
    if view.paused:
        words["left"] = duration_words(view.remaining, business_hours=view.business_hours)
        return _("%(metric)s paused, %(left)s left") % words
    words["left"] = duration_words(view.remaining, business_hours=view.business_hours)
    words["when"] = instant_words(view.due_at, zone=zone, now=now) if view.due_at else ""
    return _("%(metric)s due in %(left)s — %(when)s") % words


# --- the last-update clock -------------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateView:
    """When the desk last gave the request a public update, and when the next one is due."""

    last_update_at: datetime | None
    since_last: timedelta | None  # business time since the last update, on the desk's calendar
    due_at: datetime | None  # None: no update standard, or the request is not open
    overdue: timedelta | None  # business time past the due time; None unless overdue
    left: timedelta | None  # business time until the due time; None unless due later
    every: timedelta | None  # the request type's update standard

    @property
    def is_overdue(self) -> bool:
        return self.overdue is not None


def update_view(request: Request, *, now: datetime | None = None) -> UpdateView:
    """The request's last-update clock as of ``now``, counted on its desk's calendar.

    ``request`` carries its type and desk (the selectors join them); no query is made but the
    calendar's (cached by version).
    """
    now = now or timezone.now()
    calendar = calendar_for(request.desk.calendar_id)
    last = request.last_update_at
    due = request.update_due_at if request.status in OPEN_STATUSES else None
    minutes = request.request_type.update_every_minutes
    return UpdateView(
        last_update_at=last,
        since_last=calendar.elapsed(last, now) if last is not None and last <= now else None,
        due_at=due,
        overdue=calendar.elapsed(due, now) if due is not None and due <= now else None,
        left=calendar.elapsed(now, due) if due is not None and due > now else None,
        every=timedelta(minutes=minutes) if minutes else None,
    )


def update_words(view: UpdateView, *, now: datetime | None = None, zone: tzinfo | None = None) -> str:
    """One sentence: "last update 3 working days ago; next update due in 5 working hours — Tue 11:00"."""
    now = now or timezone.now()
    if view.last_update_at is None:
        last = _("no public update yet")
    elif view.since_last is None or view.since_last < timedelta(minutes=1):
        last = _("last update just now")
    else:
        last = _("last update %(ago)s ago") % {"ago": duration_words(view.since_last, business_hours=True)}
    if view.due_at is None:
        return last
    when = instant_words(view.due_at, zone=zone, now=now)
    if view.overdue is not None and view.overdue < timedelta(minutes=1):
        due = _("update overdue — was due %(when)s") % {"when": when}  # e.g. due at closing time
    elif view.overdue is not None:
        late = duration_words(view.overdue, business_hours=True)
        due = _("update overdue by %(late)s — was due %(when)s") % {"late": late, "when": when}
    else:
        left = duration_words(view.left or timedelta(0), business_hours=True)
        due = _("next update due in %(left)s — %(when)s") % {"left": left, "when": when}
    return _("%(last)s; %(due)s") % {"last": last, "due": due}
