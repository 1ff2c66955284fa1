"""Reads of the cooperation layer, scoped to what the caller may see.

A commitment is seen by the person who made it and the person it is made to; one on a request
also by everyone who sees the request (its desk's agents and admins, watchers). A request's
needed-by dates, feedback and thanks are seen with the request, so their lookups take a request
that ``servicedesk.selectors.request_get_for`` already found for the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from insideout.core.errors import NotFound
from insideout.core.text import as_id
from insideout.people.models import Employee, Unit, User
from insideout.servicedesk import selectors as desk_selectors
from insideout.servicedesk.cooperation.models import (
    NEGOTIATING_STATES,
    Commitment,
    CommitmentRevision,
    CommitmentState,
    NeededBy,
    Obstacle,
    ObstacleState,
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
    return Obstacle.objects.select_related(
        "flagged_by__user", "waiting_on_person__user", "waiting_on_request__desk", "resolved_by__user"
    )


def obstacles_of(*, request: Request) -> list[Obstacle]:
    """The request's obstacles, the open ones first, newest first within each; seen with the request
    (``request`` comes from ``request_get_for``); one query."""
    obstacles = list(_obstacle_base().filter(request=request).order_by("-created_at", "-pk"))
    for obstacle in obstacles:
        obstacle.request = request
    return sorted(obstacles, key=lambda obstacle: obstacle.state != ObstacleState.OPEN)


def obstacle_get_of(*, request: Request, obstacle_id: int) -> Obstacle:
    """One of the request's obstacles; ``request`` comes from ``request_get_for`` for the caller."""
    found = _obstacle_base().filter(pk=obstacle_id, request=request).first() if as_id(obstacle_id) is not None else None
    if found is None:
        raise NotFound(_("No such obstacle on %(key)s.") % {"key": request.key})
    found.request = request
    return found


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
