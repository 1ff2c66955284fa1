"""Friendly competition: leaderboards of a period and unit, and team meters.

A leaderboard ranks the active people of a unit (and the units below it), or of the whole
organisation, by what they *received* in a period: points (from recognitions, boosts, spot awards
and points by rule, as the ledger has them), recognitions (each recognition naming them, whoever
could see it), or badges. Equal values share a rank (1, 2, 2, 4); within a tie people are listed by
name. People count by the unit they are in now. Organisations that prefer not to rank people switch
leaderboards off (``RECOGNITION_LEADERBOARDS``); their reads then refuse with a Conflict, and team
meters stay.

A team meter (``TeamGoal``) is a unit's shared goal: points or recognitions received by its members
(and those of the units below) between two days, counted the same way. Its one write,
``team_goal_create``, is here too: the unit's lead (or a lead above) or people-ops set one.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from insideout.core.errors import Conflict, Forbidden, NotFound
from insideout.core.text import as_id, clean_text
from insideout.people import facade as people
from insideout.people.models import Employee, Unit, User
from insideout.recognition import badges, selectors
from insideout.recognition.models import (
    AccountKind,
    BadgeAward,
    Entry,
    RecognitionRecipient,
    TeamGoal,
    TeamGoalMetric,
    TransactionKind,
)

PERIODS = ("month", "quarter", "year", "custom")
METRICS = ("points", "recognitions", "badges")
# Points that reach a person's earned account as recognition; a redemption's release is not one.
RECEIVED_KINDS = (TransactionKind.GIVE, TransactionKind.BOOST, TransactionKind.AWARD, TransactionKind.GRANT)
MAX_TOP = 100
MAX_DAYS = 5 * 366
MAX_TITLE = 200


@dataclass(frozen=True)
class Period:
    """A half-open span of time ``[start, end)`` in the server's time zone, and the days it covers."""

    kind: str
    start: datetime
    end: datetime

    @property
    def first_day(self) -> date:
        return timezone.localtime(self.start).date()

    @property
    def last_day(self) -> date:
        return timezone.localtime(self.end).date() - timedelta(days=1)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(0)))


def days_period(*, first: date, last: date, kind: str = "custom") -> Period:
    return Period(kind=kind, start=_midnight(first), end=_midnight(last + timedelta(days=1)))


def period_resolve(
    *, period: str = "month", at: datetime | date | None = None, first: date | None = None, last: date | None = None
) -> Period:
    """The month, quarter or year that contains ``at`` (an instant or a day; now by default), or the
    days from ``first`` to ``last`` inclusive (``custom``, which both name)."""
    today = at if isinstance(at, date) and not isinstance(at, datetime) else timezone.localtime(at).date()
    if period == "month":
        days = calendar.monthrange(today.year, today.month)[1]
        return days_period(first=today.replace(day=1), last=today.replace(day=days), kind=period)
    if period == "quarter":
        start_month = 3 * ((today.month - 1) // 3) + 1
        end_month = start_month + 2
        end_day = calendar.monthrange(today.year, end_month)[1]
        return days_period(
            first=date(today.year, start_month, 1), last=date(today.year, end_month, end_day), kind=period
        )
    if period == "year":
        return days_period(first=date(today.year, 1, 1), last=date(today.year, 12, 31), kind=period)
    if period != "custom":
        raise ValidationError({"period": [_("Choose one of: %(c)s.") % {"c": ", ".join(PERIODS)}]})
    errors: dict[str, list[str]] = {}
    if first is None:
        errors["from"] = [_("Give the first day of a custom period.")]
    if last is None:
        errors["to"] = [_("Give the last day of a custom period.")]
    if first is not None and last is not None:
        if last < first:
            errors["to"] = [_("The last day cannot come before the first.")]
        elif (last - first).days >= MAX_DAYS:
            errors["to"] = [_("Choose a period of at most five years.")]
    if errors:
        raise ValidationError(errors)
    assert first is not None
    assert last is not None
    return days_period(first=first, last=last)


def leaderboards_enabled() -> bool:
    return bool(settings.RECOGNITION_LEADERBOARDS)


def _member(actor: User | None) -> Employee:
    employee = selectors.member_of(actor)
    if employee is None:
        raise Forbidden(_("Only members of the organisation can do this."))
    return employee


def unit_get(*, unit_id: object) -> Unit:
    pk = as_id(unit_id)
    unit = Unit.objects.filter(pk=pk).first() if pk is not None else None
    if unit is None:
        raise NotFound(_("No unit has this id."))
    return unit


def members_of(unit: Unit | None) -> QuerySet[Employee]:
    """The active people of the unit and the units below it (everyone for None)."""
    active = Employee.objects.filter(is_active=True)
    return active.filter(unit__path__startswith=unit.path) if unit is not None else active


def _points_entries(members: QuerySet[Employee], period: Period) -> QuerySet[Entry]:
    return Entry.objects.filter(
        account__kind=AccountKind.EARNED,
        account__owner__in=members.values("pk"),
        amount__gt=0,
        transaction__kind__in=RECEIVED_KINDS,
        transaction__occurred_at__gte=period.start,
        transaction__occurred_at__lt=period.end,
    )


def _recipients(members: QuerySet[Employee], period: Period) -> QuerySet[RecognitionRecipient]:
    return RecognitionRecipient.objects.filter(
        employee__in=members.values("pk"), created_at__gte=period.start, created_at__lt=period.end
    )


def points_received(members: QuerySet[Employee], period: Period) -> list[tuple[int, int]]:
    """(person, total) for each person: points that reached their earned account in the period."""
    rows = _points_entries(members, period).values("account__owner_id").annotate(total=Sum("amount"))
    return [(int(row["account__owner_id"]), int(row["total"] or 0)) for row in rows]


def recognitions_received(members: QuerySet[Employee], period: Period) -> list[tuple[int, int]]:
    """(person, total) for each person: the recognitions naming them in the period."""
    rows = _recipients(members, period).values("employee_id").annotate(total=Count("pk"))
    return [(int(row["employee_id"]), int(row["total"])) for row in rows]


def badges_received(members: QuerySet[Employee], period: Period) -> list[tuple[int, int]]:
    """(person, total) for each person: the badges awarded to them in the period."""
    awards = BadgeAward.objects.filter(
        employee__in=members.values("pk"), awarded_at__gte=period.start, awarded_at__lt=period.end
    )
    rows = awards.values("employee_id").annotate(total=Count("pk"))
    return [(int(row["employee_id"]), int(row["total"])) for row in rows]


_BY_METRIC = {"points": points_received, "recognitions": recognitions_received, "badges": badges_received}


@dataclass(frozen=True)
class Standing:
    rank: int
    person_id: int
    name: str
    unit_id: int | None
    unit_name: str
    value: int


def leaderboard(
    *, actor: User | None, metric: str = "points", period: Period, unit_id: object = None, top: int = 10
) -> list[Standing]:
    """The top ``top`` people by ``metric`` in the period, in the unit and below (or everyone);
    people with nothing are not listed. A Conflict when leaderboards are switched off."""
    if not leaderboards_enabled():
        raise Conflict(_("Leaderboards are switched off in this organisation; see the team meters instead."))
    _member(actor)
    errors: dict[str, list[str]] = {}
    if metric not in METRICS:
        errors["metric"] = [_("Choose one of: %(c)s.") % {"c": ", ".join(METRICS)}]
    if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= MAX_TOP:
        errors["top"] = [_("Give a whole number from 1 to %(max)d.") % {"max": MAX_TOP}]
    if errors:
        raise ValidationError(errors)
    unit = unit_get(unit_id=unit_id) if unit_id not in (None, "") else None
    rows = _BY_METRIC[metric](members_of(unit), period)
    people_by_id = {
        person.pk: person
        for person in Employee.objects.select_related("unit").filter(pk__in=[person_id for person_id, _n in rows])
    }
    ordered = sorted(
        ((int(total), people_by_id[person_id]) for person_id, total in rows if total and person_id in people_by_id),
        key=lambda row: (-row[0], row[1].sort_name, row[1].pk),
    )[:top]
    standings: list[Standing] = []
    for position, (value, person) in enumerate(ordered, start=1):
        rank = standings[-1].rank if standings and standings[-1].value == value else position
        standings.append(
            Standing(
                rank=rank,
                person_id=person.pk,
                name=person.name,
                unit_id=person.unit_id,
                unit_name=person.unit.name if person.unit else "",
                value=value,
            )
        )
    return standings


# --- team meters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamMeter:
    goal: TeamGoal
    current: int

    @property
    def percent(self) -> int:
        """How far along, in whole percent (capped at 100)."""
        return min(100, self.current * 100 // self.goal.target) if self.goal.target else 0

    @property
    def reached(self) -> bool:
        return self.current >= self.goal.target


def team_goal_progress(goal: TeamGoal) -> int:
    members = members_of(goal.unit)
    period = days_period(first=goal.starts_on, last=goal.ends_on)
    if goal.metric == TeamGoalMetric.POINTS:
        return int(_points_entries(members, period).aggregate(sum=Sum("amount"))["sum"] or 0)
    # A recognition of three teammates is one step for the team.
    return _recipients(members, period).values("recognition_id").distinct().count()


def team_goals_for(*, actor: User | None, unit_id: object = None, on: date | None = None) -> list[TeamMeter]:
    """The team meters shown now (or on the day ``on``): every member of the organisation sees them;
    ``unit_id`` narrows to one unit's goals. Newest period first."""
    _member(actor)
    goals = TeamGoal.objects.filter(is_active=True).select_related("unit")
    if unit_id not in (None, ""):
        goals = goals.filter(unit=unit_get(unit_id=unit_id))
    if on is not None:
        goals = goals.filter(starts_on__lte=on, ends_on__gte=on)
    return [TeamMeter(goal=goal, current=team_goal_progress(goal)) for goal in goals.order_by("-ends_on", "pk")]


@transaction.atomic
def team_goal_create(
    *,
    actor: User | None,
    unit_id: object,
    title: str,
    metric: str,
    target: object,
    starts_on: date,
    ends_on: date,
) -> TeamGoal:
    """Set a team meter for a unit: its lead, a lead above it, or people-ops."""
    me = _member(actor)
    unit = unit_get(unit_id=unit_id)
    assert actor is not None
    if not (people.roles_of(user=actor).people_ops or badges.leads_above(me=me, unit=unit)):
        raise Forbidden(_("Only the leads of %(unit)s and above, and people-ops, set its goals.") % {"unit": unit.name})
    errors: dict[str, list[str]] = {}
    try:
        title = clean_text(title, field="title", required=True, limit=MAX_TITLE)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if metric not in TeamGoalMetric.values:
        errors["metric"] = [_("Choose one of: %(c)s.") % {"c": ", ".join(TeamGoalMetric.values)}]
    if isinstance(target, bool) or not isinstance(target, int) or target < 1:
        errors["target"] = [_("Give the target as a whole number of at least 1.")]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The last day cannot come before the first.")]
    if errors:
        raise ValidationError(errors)
    assert isinstance(target, int)
    goal = TeamGoal(
        unit=unit, title=title, metric=metric, target=target, starts_on=starts_on, ends_on=ends_on, created_by=me
    )
    goal.full_clean()
    goal.save()
    return goal
