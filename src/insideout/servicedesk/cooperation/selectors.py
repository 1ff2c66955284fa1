"""Reads of the cooperation layer, scoped to what the caller may see.

A commitment is seen by the person who made it and the person it is made to; one on a request
also by everyone who sees the request (its desk's agents and admins, watchers). A request's
needed-by dates, feedback and thanks are seen with the request, so their lookups take a request
that ``servicedesk.selectors.request_get_for`` already found for the caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, DateTimeField, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from insideout.core.errors import NotFound
from insideout.core.statements import only_row
from insideout.core.text import as_id
from insideout.people.models import Employee, Unit, User
from insideout.servicedesk import selectors as desk_selectors
from insideout.servicedesk.cooperation.models import (
    NEGOTIATING_STATES,
    Commitment,
    CommitmentRevision,
    CommitmentState,
    Feedback,
    FollowUp,
    FollowUpState,
    NeededBy,
    Obstacle,
    ObstacleState,
    ThankYou,
)
from insideout.servicedesk.models import Metric, Request, RequestClock


def _commitment_base() -> QuerySet[Commitment]:
    return Commitment.objects.select_related("owner__user", "recipient__user", "request__desk")


def commitment_list_for(
    *, actor: User | None, mine: bool = False, to_me: bool = False, state: str = ""
) -> QuerySet[Commitment]:
    """Commitments I made (``mine``), made to me (``to_me``), or either (neither flag), soonest due first."""
    employee = desk_selectors.access_for(actor).employee
    if employee is None:
        return Commitment.objects.none()
    if mine and not to_me:
        wanted = Q(owner=employee)
    elif to_me and not mine:
        wanted = Q(recipient=employee)
    else:
        wanted = Q(owner=employee) | Q(recipient=employee)
    commitments = _commitment_base().filter(wanted)
    if state:
        commitments = commitments.filter(state=state)
    return commitments.order_by("due_at", "pk")


def commitment_get_for(*, actor: User | None, commitment_id: int) -> Commitment:
    """The commitment, if the caller may see it; NotFound otherwise (no hint that it exists)."""
    employee = desk_selectors.access_for(actor).employee
    commitment = _commitment_base().filter(pk=commitment_id).first() if as_id(commitment_id) is not None else None
    if commitment is None or actor is None:
        raise NotFound(_("No such commitment."))
    if employee is not None and employee.pk in (commitment.owner_id, commitment.recipient_id):
        return commitment
    if commitment.request_id is None:
        raise NotFound(_("No such commitment."))
    try:
        commitment.request = desk_selectors.request_get_for(actor=actor, request_id=commitment.request_id)
    except NotFound as exc:
        raise NotFound(_("No such commitment.")) from exc
    return commitment


def commitment_revisions(*, commitment: Commitment) -> list[CommitmentRevision]:
    """Every version of the commitment, the original first."""
    return list(commitment.revisions.select_related("by__user").order_by("number"))


def commitment_open_of(*, request: Request) -> Commitment | None:
    return Commitment.objects.filter(request=request, state=CommitmentState.OPEN).first()


def request_promise(*, request: Request) -> datetime | None:
    """When the request is promised for: its open commitment, else its resolution clock's due time."""
    commitment = commitment_open_of(request=request)
    if commitment is not None:
        return commitment.due_at
    return (
        RequestClock.objects.filter(request=request, metric=Metric.RESOLUTION, met_at__isnull=True)
        .values_list("due_at", flat=True)
        .first()
    )


def needed_by_negotiating(*, request: Request) -> NeededBy | None:
    """The request's needed-by date still under negotiation, if any (at most one)."""
    return NeededBy.objects.filter(request=request, state__in=NEGOTIATING_STATES).first()


def needed_by_get_for(*, request: Request, needed_by_id: int) -> NeededBy:
    """One of the request's needed-by dates; ``request`` comes from ``request_get_for`` for the caller."""
    found = (
        NeededBy.objects.select_related("requested_by__user", "responded_by__user")
        .filter(pk=needed_by_id, request=request)
        .first()
        if as_id(needed_by_id) is not None
        else None
    )
    if found is None:
        raise NotFound(_("No such needed-by date on %(key)s.") % {"key": request.key})
    return found


def lead_of(*, unit: Unit) -> Employee | None:
    """The unit's lead, or the nearest active lead above it."""
    ancestors = [int(part) for part in unit.path.strip("/").split("/") if part] or [unit.pk]
    led = (
        Unit.objects.filter(pk__in=ancestors, lead__isnull=False, lead__is_active=True)
        .select_related("lead__user")
        .order_by("-depth")
        .first()
    )
    return led.lead if led is not None else None


# --- obstacles -----------------------------------------------------------------------------------


def _obstacle_base() -> QuerySet[Obstacle]:
    return Obstacle.objects.select_related("waiting_on_request__desk")


def _with_people(obstacles: list[Obstacle]) -> list[Obstacle]:
    """The people the obstacles name (who flagged, who is waited on, who resolved), with their
    accounts, read in one query and set on each; none when there are no obstacles, as on most
    requests. Joined into the obstacles' own statement they made nine tables, which PostgreSQL
    planned longer (1.2 ms) than it ran, on every request page."""
    names = ("flagged_by", "waiting_on_person", "resolved_by")
    wanted = {pk for obstacle in obstacles for name in names if (pk := getattr(obstacle, f"{name}_id")) is not None}
    people = desk_selectors.people_by_id(employee_ids=wanted)
    for obstacle in obstacles:
        for name in names:
            pk = getattr(obstacle, f"{name}_id")
            setattr(obstacle, name, people[pk] if pk is not None else None)
    return obstacles


def obstacles_of(*, request: Request) -> list[Obstacle]:
    """The request's obstacles, the open ones first, newest first within each; seen with the request
    (``request`` comes from ``request_get_for``); one query, and one for their people if any."""
    obstacles = _with_people(list(_obstacle_base().filter(request=request).order_by("-created_at", "-pk")))
    for obstacle in obstacles:
        obstacle.request = request
    return sorted(obstacles, key=lambda obstacle: obstacle.state != ObstacleState.OPEN)


def obstacle_get_of(*, request: Request, obstacle_id: int) -> Obstacle:
    """One of the request's obstacles; ``request`` comes from ``request_get_for`` for the caller."""
    found = _obstacle_base().filter(pk=obstacle_id, request=request).first() if as_id(obstacle_id) is not None else None
    if found is None:
        raise NotFound(_("No such obstacle on %(key)s.") % {"key": request.key})
    found.request = request
    return _with_people([found])[0]


def obstacle_get_for(*, actor: User | None, obstacle_id: int) -> Obstacle:
    """An obstacle on a request the caller sees; NotFound otherwise (no hint that it exists)."""
    request_id = (
        Obstacle.objects.filter(pk=obstacle_id).values_list("request_id", flat=True).first()
        if as_id(obstacle_id) is not None
        else None
    )
    if request_id is None:
        raise NotFound(_("No such obstacle."))
    try:
        request = desk_selectors.request_get_for(actor=actor, request_id=request_id)
    except NotFound as exc:
        raise NotFound(_("No such obstacle.")) from exc
    return obstacle_get_of(request=request, obstacle_id=obstacle_id)


def obstacles_pause_clock(*, request: Request) -> bool:
    """Whether the standard the request's resolution clock runs under lets open obstacles pause it."""
    return bool(
        RequestClock.objects.filter(request=request, metric=Metric.RESOLUTION)
        .values_list("standard__obstacles_pause_resolution", flat=True)
        .first()
    )


def obstacles_waiting_on(*, request: Request) -> list[Obstacle]:
    """The open obstacles of other requests that wait on this one, oldest first (for its desk)."""
    return list(
        Obstacle.objects.select_related("request__desk__unit")
        .filter(state=ObstacleState.OPEN, waiting_on_request=request)
        .order_by("created_at", "pk")
    )


# --- kept-rate -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeptRate:
    """Commitments settled in a period: how many were kept and broken, and kept / (kept + broken)."""

    kept: int
    broken: int

    @property
    def settled(self) -> int:
        return self.kept + self.broken

    @property
    def rate(self) -> float | None:
        return self.kept / self.settled if self.settled else None


def _kept_rate(commitments: QuerySet[Commitment], start: datetime, end: datetime) -> KeptRate:
    counts = commitments.filter(settled_at__gte=start, settled_at__lt=end).aggregate(
        kept=Count("pk", filter=Q(state=CommitmentState.KEPT)),
        broken=Count("pk", filter=Q(state=CommitmentState.BROKEN)),
    )
    return KeptRate(kept=int(counts["kept"] or 0), broken=int(counts["broken"] or 0))


def kept_rate_for_person(*, employee_id: int, start: datetime, end: datetime) -> KeptRate:
    """The commitments a person made that settled in [start, end).

    Figures for a person, team or unit; the page that shows them decides who may see them.
    """
    return _kept_rate(Commitment.objects.filter(owner_id=employee_id), start, end)


def kept_rate_for_team(*, unit_id: int, start: datetime, end: datetime) -> KeptRate:
    """Commitments made by members of the unit itself (not of the units below it), settled in [start, end).

    A person counts for the unit they belonged to when they made the commitment.
    """
    return _kept_rate(Commitment.objects.filter(owner_unit_id=unit_id), start, end)


def kept_rate_for_unit(*, unit_id: int, start: datetime, end: datetime) -> KeptRate:
    """Commitments made by members of the unit and of every unit below it, settled in [start, end)."""
    path = Unit.objects.filter(pk=unit_id).values_list("path", flat=True).first()
    if path is None:
        return KeptRate(kept=0, broken=0)
    units = Unit.objects.filter(path__startswith=path).values("pk")
    return _kept_rate(Commitment.objects.filter(owner_unit_id__in=units), start, end)


# --- pages: a request's promises, my promises, a lead's view --------------------------------------


def commitment_latest_of(*, request: Request) -> Commitment | None:
    """The request's newest commitment with its versions (the original first); two queries.

    A request has at most one open commitment and a new one is only made once the last is
    settled, so the newest is the open one whenever there is one.
    """
    revisions = CommitmentRevision.objects.select_related("by__user").order_by("number")
    return (
        Commitment.objects.filter(request=request)
        .select_related("owner__user")
        .prefetch_related(Prefetch("revisions", queryset=revisions))
        .order_by("-pk")
        .first()
    )


def needed_by_latest_of(*, request: Request) -> NeededBy | None:
    """The request's newest needed-by date: the one under negotiation, or the last one settled."""
    return (
        NeededBy.objects.filter(request=request)
        .select_related("requested_by__user", "responded_by__user")
        .order_by("-pk")
        .first()
    )


def feedback_of(*, request: Request) -> Feedback | None:
    return only_row(Feedback.objects.filter(request=request).select_related("by__user"))


def thanks_of(*, request: Request) -> list[ThankYou]:
    """The thank-you notes on a request with the people thanked, oldest first; two queries."""
    people = Employee.objects.select_related("user").order_by("sort_name", "pk")
    return list(
        ThankYou.objects.filter(request=request)
        .select_related("giver__user")
        .prefetch_related(Prefetch("recipients", queryset=people))
        .order_by("created_at", "pk")
    )


def helpers_of(*, request: Request, named: Iterable[int | None], repliers: Iterable[int]) -> list[Employee]:
    """The people who helped with a request, active and by name: those ``named`` (the assignee, a
    commitment's owner) and those of ``repliers`` (authors of public replies) who are agents of its
    desk; one query, none when there is nobody to ask about. ``request`` has its desk's unit."""
    chosen = {pk for pk in named if pk}
    others = set(repliers) - chosen
    if not chosen and not others:
        return []
    desk_units = Unit.objects.filter(path__startswith=request.desk.unit.path).values("pk")
    return list(
        Employee.objects.filter(is_active=True)
        .filter(Q(pk__in=chosen) | Q(pk__in=others, unit_id__in=desk_units))
        .select_related("user")
        .order_by("sort_name", "pk")
    )


def commitment_list_page_for(*, actor: User | None, made: bool) -> QuerySet[Commitment]:
    """The promises I made (``made``) or that were made to me: the open ones first, soonest due,
    then the settled ones, the latest settled first."""
    employee = desk_selectors.access_for(actor).employee
    if employee is None:
        return Commitment.objects.none()
    mine = Q(owner=employee) if made else Q(recipient=employee)
    is_open = Q(state=CommitmentState.OPEN)
    return (
        _commitment_base()
        .filter(mine)
        .annotate(
            settled_rank=Case(When(is_open, then=Value(0)), default=Value(1), output_field=IntegerField()),
            open_due=Case(When(is_open, then=F("due_at")), default=None, output_field=DateTimeField()),
        )
        .order_by("settled_rank", "open_due", "-settled_at", "-pk")
    )


def _subtree(unit: Unit) -> QuerySet[Unit, Any]:
    return Unit.objects.filter(path__startswith=unit.path).values("pk")


@dataclass(frozen=True)
class PersonKeptRate:
    person: Employee
    kept_rate: KeptRate


def kept_rates_by_person(*, unit: Unit, start: datetime, end: datetime) -> list[PersonKeptRate]:
    """Per person, the commitments made as members of the unit or a unit below it that settled in
    [start, end), by name; people with none settled are not listed. Two queries: the counts, grouped
    by person, and the people. They add up to ``kept_rate_for_unit``."""
    counts = (
        Commitment.objects.filter(owner_unit_id__in=_subtree(unit), settled_at__gte=start, settled_at__lt=end)
        .values("owner_id")
        .annotate(
            kept=Count("pk", filter=Q(state=CommitmentState.KEPT)),
            broken=Count("pk", filter=Q(state=CommitmentState.BROKEN)),
        )
        .order_by("owner_id")
    )
    rates = {row["owner_id"]: KeptRate(kept=row["kept"], broken=row["broken"]) for row in counts}
    people = desk_selectors.people_by_id(employee_ids=rates)
    return [
        PersonKeptRate(person=person, kept_rate=rates[person.pk])
        for person in sorted(people.values(), key=lambda person: (person.sort_name, person.pk))
    ]


def commitments_broken_of_unit(*, unit: Unit, start: datetime, end: datetime) -> QuerySet[Commitment]:
    """Commitments made by members of the unit or a unit below it that broke in [start, end), the
    latest first. A page shows a standalone one's title only to its two people."""
    return (
        _commitment_base()
        .filter(
            owner_unit_id__in=_subtree(unit),
            state=CommitmentState.BROKEN,
            settled_at__gte=start,
            settled_at__lt=end,
        )
        .order_by("-settled_at", "-pk")
    )


def follow_ups_open_of_desk(*, desk_id: int) -> QuerySet[FollowUp]:
    """The open follow-ups of low ratings on the desk's requests, the oldest first."""
    return (
        FollowUp.objects.filter(request__desk_id=desk_id, state=FollowUpState.OPEN)
        .select_related("request__desk", "feedback", "lead__user")
        .order_by("created_at", "pk")
    )


def follow_up_get_for(*, actor: User | None, desk_id: int, follow_up_id: int) -> FollowUp:
    """A follow-up on the desk's requests, for the desk's admins and the lead it is for; NotFound otherwise."""
    access = desk_selectors.access_for(actor)
    found = (
        FollowUp.objects.select_related("request__desk", "lead__user")
        .filter(pk=follow_up_id, request__desk_id=desk_id)
        .first()
        if as_id(follow_up_id) is not None
        else None
    )
    if found is None:
        raise NotFound(_("No such follow-up."))
    is_lead = access.employee is not None and access.employee.pk == found.lead_id
    if not (is_lead or access.is_admin(desk_id)):
        raise NotFound(_("No such follow-up."))
    return found


RATINGS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Satisfaction:
    """The ratings given in a period: how many of each (1 to 5), and their average."""

    counts: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def average(self) -> float | None:
        total = self.total
        return sum(rating * n for rating, n in self.counts.items()) / total if total else None


def satisfaction_of_desk(*, desk_id: int, start: datetime, end: datetime) -> Satisfaction:
    """Ratings of the desk's requests given in [start, end), counted per rating; one query."""
    rows = (
        Feedback.objects.filter(request__desk_id=desk_id, created_at__gte=start, created_at__lt=end)
        .values("rating")
        .annotate(n=Count("pk"))
        .order_by("rating")
    )
    counts = dict.fromkeys(RATINGS, 0)
    for row in rows:
        counts[row["rating"]] = row["n"]
    return Satisfaction(counts=counts)
