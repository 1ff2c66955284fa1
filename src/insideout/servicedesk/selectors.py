"""Reads of the service desk, scoped to what the caller may see, with the joins its pages need.

Who may do what:

- an **agent** of a desk is an active member of the desk's unit or of a unit below it;
- a desk's **admins** are the leads of its unit and of the units above it, and superusers;
- a request is seen by its requester, the person it is on behalf of, its watchers, and the desk's
  agents and admins; internal notes only by agents and admins.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Count, Exists, F, Func, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from insideout.core.errors import Forbidden, NotFound
from insideout.core.models import Event
from insideout.core.statements import OneRow, only_row
from insideout.core.text import as_id
from insideout.people.models import Employee, Unit, User, person_name
from insideout.servicedesk.models import (
    OPEN_STATUSES,
    Attachment,
    Audience,
    CalendarVersion,
    Comment,
    Commitment,
    Desk,
    Feedback,
    NeededBy,
    Obstacle,
    ObstacleState,
    Request,
    RequestClock,
    RequestField,
    RequestType,
    Service,
    ServiceStandard,
    SlaFlag,
    Status,
    ThankYou,
    Watcher,
)

_ACCESS_CACHE_ATTR = "_insideout_desk_access"

QUEUES = ("mine", "team", "unassigned", "at_risk", "breached", "waiting", "blocking_others", "silent", "all_open")


@dataclass(frozen=True)
class DeskAccess:
    """The caller's standing with the service desks; computed once per request (cached on the user)."""

    employee: Employee | None
    agent_desk_ids: frozenset[int]
    admin_desk_ids: frozenset[int]
    unit_path: str  # the caller's unit's path, for "who may request"

    @property
    def staff_desk_ids(self) -> frozenset[int]:
        return self.agent_desk_ids | self.admin_desk_ids

    def is_agent(self, desk_id: int) -> bool:
        return desk_id in self.staff_desk_ids

    def is_admin(self, desk_id: int) -> bool:
        return desk_id in self.admin_desk_ids


def _ancestor_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def access_for(user: User | None) -> DeskAccess:
    if user is None or not user.is_authenticated or not user.is_active:
        return DeskAccess(None, frozenset(), frozenset(), "")
    cached = getattr(user, _ACCESS_CACHE_ATTR, None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    employee = only_row(Employee.objects.select_related("unit").filter(user=user, is_active=True))
    unit_path = employee.unit.path if employee and employee.unit else ""
    agent: set[int] = set()
    admin: set[int] = set()
    if user.is_superuser:
        admin = set(Desk.objects.values_list("pk", flat=True))
    if employee is not None:
        ancestors = _ancestor_ids(unit_path)
        led = list(Unit.objects.filter(lead=employee).values_list("pk", flat=True))
        query = Q(unit_id__in=ancestors)
        for unit_id in led:
            query |= Q(unit__path__contains=f"/{unit_id}/")
        if ancestors or led:
            for desk_id, desk_unit_id, desk_path in Desk.objects.filter(query).values_list(
                "pk", "unit_id", "unit__path"
            ):
                if desk_unit_id in ancestors:
                    agent.add(desk_id)
                if any(f"/{unit_id}/" in desk_path for unit_id in led):
                    admin.add(desk_id)
    access = DeskAccess(employee, frozenset(agent), frozenset(admin), unit_path)
    setattr(user, _ACCESS_CACHE_ATTR, access)
    return access


# --- catalog -------------------------------------------------------------------------------------


def desk_list() -> QuerySet[Desk]:
    return Desk.objects.select_related("unit", "calendar").order_by("unit__name")


def desk_get_for(*, actor: User | None, desk_id: int, admin: bool = False) -> Desk:
    """A desk by id; with ``admin=True`` only for its admins (others get NotFound or Forbidden)."""
    desk = desk_list().filter(pk=desk_id).first()
    if desk is None or actor is None or not actor.is_authenticated:
        raise NotFound(_("No such service desk."))
    if admin and not access_for(actor).is_admin(desk.pk):
        raise Forbidden(_("Only the unit's lead may change its service desk."))
    return desk


def desk_list_for(*, actor: User | None) -> QuerySet[Desk]:
    """The desks the caller works or administers, by unit name."""
    return desk_list().filter(pk__in=access_for(actor).staff_desk_ids)


def desk_staff_get_for(*, actor: User | None, desk_id: int) -> Desk:
    """A desk the caller works or administers; NotFound for everyone else."""
    desk = desk_list_for(actor=actor).filter(pk=desk_id).first()
    if desk is None:
        raise NotFound(_("No such service desk."))
    return desk


def _audience_q(access: DeskAccess, prefix: str = "") -> Q:
    """Services the caller may request: open to everyone, or to a unit at or above the caller's."""
    everyone = Q(**{f"{prefix}audience": Audience.EVERYONE})
    if not access.unit_path:
        return everyone
    return everyone | Q(**{f"{prefix}audience_units__in": _ancestor_ids(access.unit_path)})


def service_list_for(*, actor: User | None, q: str = "", desk_id: int | None = None) -> QuerySet[Service]:
    """Published services the caller may request (staff of a desk also see its unpublished ones)."""
    access = access_for(actor)
    if access.employee is None and not (actor and actor.is_superuser):
        return Service.objects.none()
    visible = Q(is_active=True) & _audience_q(access)
    if access.staff_desk_ids:
        visible |= Q(desk_id__in=access.staff_desk_ids)
    services = Service.objects.filter(visible).select_related("desk__unit").distinct()
    if desk_id is not None:
        services = services.filter(desk_id=desk_id)
    if q.strip():
        for word in q.split()[:5]:
            services = services.filter(
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(desk__unit__name__icontains=word)
                | Q(request_types__name__icontains=word)
            )
    return services.order_by("desk__unit__name", "position", "name")


def service_get_for(*, actor: User | None, service_id: int) -> Service:
    service = service_list_for(actor=actor).filter(pk=service_id).first()
    if service is None:
        raise NotFound(_("No such service."))
    return service


def request_type_list_for(*, actor: User | None, service: Service) -> QuerySet[RequestType]:
    access = access_for(actor)
    types = service.request_types.all()
    if not access.is_agent(service.desk_id):
        types = types.filter(is_active=True)
    return types.prefetch_related("fields").order_by("position", "name")


def request_type_get_for(*, actor: User | None, request_type_id: int) -> RequestType:
    """A request type the caller may file a request of."""
    access = access_for(actor)
    request_type = (
        RequestType.objects.select_related("service__desk__unit", "service__desk__calendar")
        .prefetch_related("fields")
        .filter(pk=request_type_id)
        .first()
    )
    if request_type is None:
        raise NotFound(_("No such request type."))
    service = request_type.service
    if access.is_agent(service.desk_id):
        return request_type
    allowed = (
        request_type.is_active
        and service.is_active
        and Service.objects.filter(_audience_q(access), pk=service.pk).exists()
        and access.employee is not None
    )
    if not allowed:
        raise NotFound(_("No such request type."))
    return request_type


def standards_current(*, request_type: RequestType) -> dict[str, ServiceStandard]:
    return {s.priority: s for s in request_type.standards.filter(is_current=True)}


def standard_current(*, request_type_id: int, priority: str) -> ServiceStandard | None:
    return ServiceStandard.objects.filter(request_type_id=request_type_id, priority=priority, is_current=True).first()


# --- requests ------------------------------------------------------------------------------------


def _request_base() -> QuerySet[Request]:
    return Request.objects.select_related(
        "desk__unit",
        "request_type__service",
        "requester__user",
        "requester__unit",
        "on_behalf_of__user",
        "assignee__user",
    )


@dataclass(frozen=True)
class RowPerson:
    """A person as a list row names them: enough for a person chip (``pk`` and ``name``)."""

    pk: int
    name: str


@dataclass(frozen=True)
class RequestRow:
    """A request as a list shows it (the queues, my requests, the API's lists): plain values.

    A page of 25 model rows, each with its desk, type, two people and their accounts, was some
    two hundred model instances to build; these are one tuple a row (``request_rows_by_id``)."""

    pk: int
    desk_id: int
    prefix: str
    number: int
    request_type_id: int
    service_id: int
    requester: RowPerson
    on_behalf_of_id: int | None
    assignee: RowPerson | None
    priority: str
    status: str
    subject: str
    created_at: datetime
    updated_at: datetime
    next_due_at: datetime | None
    sla_flag: str
    last_update_at: datetime | None
    update_due_at: datetime | None

    @property
    def key(self) -> str:
        return f"{self.prefix}-{self.number}"

    @property
    def assignee_id(self) -> int | None:
        return self.assignee.pk if self.assignee is not None else None

    @property
    def requester_id(self) -> int:
        return self.requester.pk

    def get_status_display(self) -> str:
        return str(Status(self.status).label)


# What a list row shows (pages and API): no description, no field values, no unit rows.
_ROW_VALUES = (
    "pk",
    "desk_id",
    "desk__prefix",
    "number",
    "request_type_id",
    "request_type__service_id",
    "requester_id",
    "requester__user__first_name",
    "requester__user__last_name",
    "requester__user__username",
    "on_behalf_of_id",
    "assignee_id",
    "assignee__user__first_name",
    "assignee__user__last_name",
    "assignee__user__username",
    "priority",
    "status",
    "subject",
    "created_at",
    "updated_at",
    "next_due_at",
    "sla_flag",
    "last_update_at",
    "update_due_at",
)


def request_rows_by_id(ids: Iterable[int]) -> dict[int, RequestRow]:
    """The list rows of these requests, by id, in one query; the caller has checked that they may
    be seen (the ids come from a queue or a list of the caller's). Unknown ids are left out."""
    found: dict[int, RequestRow] = {}
    for values in Request.objects.filter(pk__in=list(ids)).order_by().values_list(*_ROW_VALUES):
        # The columns in _ROW_VALUES's order: six of the request, the requester (id and three
        # names), on behalf of, the assignee (id and three names), then the rest of the request.
        assignee_id = values[11]
        fields: list[Any] = [
            *values[:6],
            RowPerson(values[6], person_name(*values[7:10])),
            values[10],
            RowPerson(assignee_id, person_name(*values[12:15])) if assignee_id is not None else None,
            *values[15:],
        ]
        found[values[0]] = RequestRow(*fields)
    return found


def _visible_q(access: DeskAccess) -> Q:
    employee = access.employee
    if employee is None:
        return Q(desk_id__in=access.staff_desk_ids)
    return (
        Q(requester=employee)
        | Q(on_behalf_of=employee)
        | Q(desk_id__in=access.staff_desk_ids)
        | Q(Exists(Watcher.objects.filter(request=OuterRef("pk"), employee=employee)))
    )


def _with_people(request: Request) -> Request:
    """The request's requester (with their unit), the person it is for and its assignee, with their
    accounts, read in one query and set on the request, as ``_request_base`` would have joined them.

    One request with all its joins was a twelve-table statement that PostgreSQL took 4 ms to plan
    (and 0.6 ms to run) on every request page and API call; two statements of five and three tables
    plan in a fraction of that."""
    wanted = [pk for pk in (request.requester_id, request.on_behalf_of_id, request.assignee_id) if pk is not None]
    people = people_by_id(employee_ids=wanted)
    request.requester = people[request.requester_id]
    request.on_behalf_of = people.get(request.on_behalf_of_id) if request.on_behalf_of_id is not None else None
    request.assignee = people.get(request.assignee_id) if request.assignee_id is not None else None
    return request


def request_get_for(*, actor: User | None, request_id: int) -> Request:
    """The request, if the caller may see it; NotFound otherwise (no hint that it exists)."""
    access = access_for(actor)
    if access.employee is None and not access.staff_desk_ids:
        raise NotFound(_("No such request."))
    request = only_row(
        Request.objects.select_related("desk__unit", "request_type__service")
        .filter(pk=request_id)
        .filter(_visible_q(access))
    )
    if request is None:
        raise NotFound(_("No such request."))
    return _with_people(request)


def request_get_by_key_for(*, actor: User | None, key: str) -> Request:
    prefix, _sep, number = key.rpartition("-")
    if not prefix or as_id(number) is None:
        raise NotFound(_("No such request."))
    request_id = only_row(Request.objects.filter(desk__prefix=prefix, number=int(number)).values_list("pk", flat=True))
    if request_id is None:
        raise NotFound(_("No such request."))
    return request_get_for(actor=actor, request_id=request_id)


def request_list_mine(*, actor: User | None) -> QuerySet[Request]:
    """What the caller asked for (or someone asked for on their behalf), newest first."""
    access = access_for(actor)
    if access.employee is None:
        return Request.objects.none()
    employee = access.employee
    return _request_base().filter(Q(requester=employee) | Q(on_behalf_of=employee)).order_by("-created_at", "-pk")


def request_queue_for(
    *,
    actor: User | None,
    queue: str = "all_open",
    status: str = "",
    priority: str = "",
    service_id: int | None = None,
    assignee_id: int | None = None,
    desk_id: int | None = None,
    q: str = "",
    now: datetime | None = None,
) -> QuerySet[Request]:
    """An agent's queue, sorted by what is due first (requests without a running clock last).

    ``blocking_others``: the requests that open obstacles of other requests wait on; ``silent``:
    those whose public update is overdue as of ``now``.
    """
    access = access_for(actor)
    desks = access.staff_desk_ids
    if desk_id is not None:
        desks = desks & {desk_id}
    # The list reads only the ids of a page from this (the queue indexes), then ``request_rows_by_id``.
    requests = Request.objects.select_related("desk").filter(desk_id__in=desks) if desks else Request.objects.none()
    employee = access.employee
    if queue == "mine":
        requests = requests.filter(assignee=employee) if employee else requests.none()
    elif queue == "unassigned":
        requests = requests.filter(assignee__isnull=True)
    elif queue == "at_risk":
        requests = requests.filter(sla_flag=SlaFlag.AT_RISK)
    elif queue == "breached":
        requests = requests.filter(sla_flag=SlaFlag.BREACHED)
    elif queue == "waiting":
        requests = requests.filter(status=Status.WAITING_ON_REQUESTER)
    elif queue == "blocking_others":
        requests = requests.filter(pk__in=_blocking_others())
    elif queue == "silent":
        requests = requests.filter(pk__in=_silent(desks, now or timezone.now()).values("pk"))
    elif queue == "team":
        # My team: assigned to people of my unit; an account without a unit has no team.
        unit_id = employee.unit_id if employee is not None else None
        requests = requests.filter(assignee_id__in=_team_of(unit_id)) if unit_id is not None else requests.none()
    if status:
        requests = requests.filter(status=status)
    elif queue != "waiting":
        requests = requests.filter(is_open=1)
    if priority:
        requests = requests.filter(priority=priority)
    if service_id is not None:
        requests = requests.filter(request_type__service_id=service_id)
    if assignee_id is not None:
        requests = requests.filter(assignee_id=assignee_id)
    if q.strip():
        text = q.strip()
        prefix, _sep, number = text.rpartition("-")
        if prefix and (wanted := as_id(number)) is not None:
            requests = requests.filter(desk__prefix__iexact=prefix, number=wanted)
        elif (wanted := as_id(text)) is not None:
            requests = requests.filter(number=wanted)
        else:
            for word in text.split()[:5]:
                requests = requests.filter(subject__icontains=word)
    return requests.order_by(F("next_due_at").asc(nulls_last=True), "created_at", "pk")


def _team_of(unit_id: int) -> QuerySet[Employee, Any]:
    """The people of a unit, as a subquery: read once, where a join would touch every counted row."""
    return Employee.objects.filter(unit_id=unit_id).values("pk")


def _blocking_others() -> QuerySet[Obstacle, Any]:
    """The ids of the requests that open obstacles wait on, as a subquery read once from the
    obstacles' covering index; the ids alone then filter a desk's queue index (ADR 0011)."""
    return Obstacle.objects.filter(state=ObstacleState.OPEN, waiting_on_request__isnull=False).values(
        "waiting_on_request_id"
    )


def _silent(desks: Iterable[int], now: datetime) -> QuerySet[Request]:
    """The desks' requests whose public update was due by ``now``, from the update-due index (only
    open requests owe an update, so none else is in it): the silent queue and its count."""
    return Request.objects.filter(desk_id__in=list(desks), update_due_at__lte=now)


def queue_counts_for(*, actor: User | None, desk_id: int | None = None, now: datetime | None = None) -> dict[str, int]:
    """How many open requests each queue holds, in one query.

    The queues defined by a column walk the desks' open entries of the desk queue index, which
    holds every column they read, so no table row is read. The queues defined by a list (a team's
    people, the requests others wait on, the silent ones) are counted once each from their own
    index, as scalar subqueries: as filters of the walk, their lists were probed for each of the
    desk's open requests (21,000 in the benchmark), which took half the statement's time."""
    access = access_for(actor)
    desks = access.staff_desk_ids if desk_id is None else access.staff_desk_ids & {desk_id}
    if not desks:
        return dict.fromkeys(QUEUES, 0)
    employee = access.employee
    walked: dict[str, Any] = {
        "all_open": Count("pk"),
        "unassigned": Count("pk", filter=Q(assignee__isnull=True)),
        "at_risk": Count("pk", filter=Q(sla_flag=SlaFlag.AT_RISK)),
        "breached": Count("pk", filter=Q(sla_flag=SlaFlag.BREACHED)),
        "waiting": Count("pk", filter=Q(status=Status.WAITING_ON_REQUESTER)),
    }
    # From the open obstacles' side (a handful), not by probing every open request.
    blocking = Obstacle.objects.filter(
        state=ObstacleState.OPEN, waiting_on_request__desk_id__in=desks, waiting_on_request__status__in=OPEN_STATUSES
    )
    once: dict[str, Subquery] = {
        "blocking_others": _count_of(blocking, "waiting_on_request_id", distinct=True),
        # From the update-due index; only open requests owe an update, and the list says so too.
        "silent": _count_of(_silent(desks, now or timezone.now()).filter(is_open=1)),
    }
    if employee is not None:
        walked["mine"] = Count("pk", filter=Q(assignee=employee))
        if employee.unit_id is not None:
            # By ``is_open``, which the desks' assignee index holds: by status, SQLite would read
            # every request the team was ever given (40 ms at 1,000,000).
            team = Request.objects.filter(desk_id__in=desks, is_open=1, assignee_id__in=_team_of(employee.unit_id))
            once["team"] = _count_of(team)
    # One row a desk (the index leads with the desk, so no sort); the counted-once columns repeat.
    grouped = (
        Request.objects.filter(desk_id__in=desks, status__in=OPEN_STATUSES)
        .order_by()
        .values("desk_id")
        .annotate(**walked, **once)
    )
    rows: list[dict[str, Any]] = [dict(row) for row in grouped]
    counts = dict.fromkeys(QUEUES, 0)
    for row in rows:
        for name in walked:
            counts[name] += row[name]
    for name in once:
        counts[name] = int(rows[0][name] or 0) if rows else 0
    return counts


def _count_of(rows: QuerySet[Any], field: str = "pk", *, distinct: bool = False) -> Subquery:
    """``COUNT`` of a queryset as an uncorrelated scalar subquery, which SQLite and PostgreSQL run
    once for the statement it is part of."""
    template = "%(function)s(DISTINCT %(expressions)s)" if distinct else "%(function)s(%(expressions)s)"
    counted = rows.order_by().annotate(n=Func(F(field), function="COUNT", template=template)).values("n")
    return Subquery(counted, output_field=models.IntegerField())


def request_comments_for(*, actor: User | None, request: Request) -> QuerySet[Comment]:
    comments = request.comments.select_related("author__user").prefetch_related("attachments")
    if not access_for(actor).is_agent(request.desk_id):
        comments = comments.filter(internal=False)
    return comments.order_by("created_at", "pk")


def request_clocks(*, request: Request) -> list[RequestClock]:
    return list(request.clocks.select_related("standard", "calendar").order_by("metric"))


@dataclass(frozen=True)
class ClockRow:
    """A stored clock as a list reads it: the columns ``clockview.clock_view`` needs, as plain values."""

    request_id: int
    metric: str
    calendar_id: int | None
    target_seconds: int
    state: str
    running: bool
    elapsed_seconds: float
    computed_at: datetime
    due_at: datetime | None
    at_risk_at: datetime | None
    met_at: datetime | None
    breached_at: datetime | None


_CLOCK_VALUES = tuple(field.name for field in dataclasses.fields(ClockRow))


def clocks_by_request(request_ids: Iterable[int]) -> dict[int, list[ClockRow]]:
    """The clocks of a page of requests, by request id, in metric order, in one query (a request
    without clocks is left out). Plain values: ``prefetch_related`` built a queryset for each request
    to hold its clocks (a tenth of the queue API's time), and model rows cost more to build too."""
    found: dict[int, list[ClockRow]] = {}
    rows = RequestClock.objects.filter(request_id__in=list(request_ids)).order_by("request_id", "metric")
    for values in rows.values_list(*_CLOCK_VALUES):
        clock = ClockRow(*values)
        found.setdefault(clock.request_id, []).append(clock)
    return found


def request_history(*, request: Request, internal: bool) -> list[Event]:
    """The request's events, oldest first; internal-only ones (notes) for agents only."""
    events = Event.objects.filter(subject_type="servicedesk.request", subject_id=str(request.pk)).select_related(
        "actor__employee"
    )
    if not internal:
        # has_key first: without it, SQL's NOT over a missing key is NULL and drops every other event.
        events = events.exclude(Q(payload__has_key="internal") & Q(payload__internal=True))
    return list(events.order_by("occurred_at", "pk"))


@dataclass(frozen=True)
class RequestParts:
    """Which of a request's optional parts exist, so its page reads only those: most requests have
    no promise, no needed-by date, no rating, no thanks, no obstacle, no file and no watcher, and
    each would have been a query of its own. All true: read them all."""

    commitments: bool = True
    needed_by: bool = True
    feedback: bool = True
    thanks: bool = True
    obstacles: bool = True
    waited_on: bool = True  # open obstacles of other requests wait on this one
    files: bool = True  # attached to the request itself, not to a reply
    watchers: bool = True


EVERY_PART = RequestParts()


def _request_parts_query(request_id: int) -> QuerySet[Request, dict[str, Any]]:
    mine = {"request": OuterRef("pk")}
    # ``has_``: the parts' own names are the request's reverse relations.
    parts: QuerySet[Request, dict[str, Any]] = (
        Request.objects.filter(pk=request_id)
        .annotate(
            has_commitments=Exists(Commitment.objects.filter(**mine)),
            has_needed_by=Exists(NeededBy.objects.filter(**mine)),
            has_feedback=Exists(Feedback.objects.filter(**mine)),
            has_thanks=Exists(ThankYou.objects.filter(**mine)),
            has_obstacles=Exists(Obstacle.objects.filter(**mine)),
            has_waited_on=Exists(Obstacle.objects.filter(state=ObstacleState.OPEN, waiting_on_request=OuterRef("pk"))),
            has_files=Exists(Attachment.objects.filter(comment__isnull=True, **mine)),
            has_watchers=Exists(Watcher.objects.filter(**mine)),
        )
        .values(*(f"has_{field.name}" for field in dataclasses.fields(RequestParts)))
    )
    return parts


_REQUEST_PARTS = OneRow(_request_parts_query)


def request_parts(*, request: Request) -> RequestParts:
    """``RequestParts`` of a request the caller sees (``request_get_for``): one statement, compiled
    once, answered from the indexes of the parts' tables."""
    row = _REQUEST_PARTS.row(request.pk)
    if row is None:
        return RequestParts()
    return RequestParts(**{name.removeprefix("has_"): bool(value) for name, value in row.items()})


def request_files(*, request: Request) -> list[Attachment]:
    """Files attached to the request itself (not to a reply): seen by everyone who sees the request."""
    return list(request.attachments.filter(comment__isnull=True).order_by("created_at", "pk"))


def attachment_get_for(*, actor: User | None, request: Request, attachment_id: int) -> Attachment:
    """One of the request's files; a file on an internal note exists only for the desk's staff.

    ``request`` must come from ``request_get_for`` (or ``request_get_by_key_for``) for the same actor.
    """
    attachments = request.attachments.filter(pk=attachment_id)
    if not access_for(actor).is_agent(request.desk_id):
        attachments = attachments.exclude(comment__internal=True)
    attachment = attachments.first()
    if attachment is None:
        raise NotFound(_("No such file."))
    return attachment


def request_watchers(*, request: Request) -> list[Employee]:
    """The people watching the request, by name."""
    return list(Employee.objects.filter(watching__request=request).select_related("user").order_by("sort_name", "pk"))


def people_by_id(*, employee_ids: Iterable[int]) -> dict[int, Employee]:
    """People named by id (active or not) with their accounts and units, in one query: those a
    request's history or fields name, a request's own people (``_with_people``), an obstacle's."""
    ids = {int(pk) for pk in employee_ids}
    if not ids:
        return {}
    return {employee.pk: employee for employee in Employee.objects.filter(pk__in=ids).select_related("user", "unit")}


def units_by_id(*, unit_ids: Iterable[int]) -> dict[int, Unit]:
    """Units named by id (e.g. who may request a service), in one query."""
    ids = {int(pk) for pk in unit_ids}
    if not ids:
        return {}
    return {unit.pk: unit for unit in Unit.objects.filter(pk__in=ids)}


def desk_agents(*, desk: Desk) -> QuerySet[Employee]:
    """The desk's available agents: active members of its unit and the units below it."""
    # Units first, then their people through the unit index: no LIKE over a join of every employee.
    units = Unit.objects.filter(path__startswith=desk.unit.path).values("pk")
    return Employee.objects.filter(is_active=True, unit_id__in=units).select_related("user", "unit").order_by("pk")


# Above this many agents a list of every one is too long to read and to render (a big IT department
# has a thousand): the lists then offer the caller's own team and whoever holds open work.
AGENTS_LISTED = 100


@dataclass(frozen=True)
class PersonChoice:
    """A person as a list to choose from shows them (an assignee list, a person input): read as
    plain values, no model rows."""

    pk: int
    name: str
    sort_name: str
    unit_id: int | None

    @classmethod
    def of(cls, employee: Employee) -> PersonChoice:
        return cls(employee.pk, employee.name, employee.sort_name, employee.unit_id)


_AGENT_VALUES = ("pk", "user__first_name", "user__last_name", "user__username", "sort_name", "unit_id")


def _agent_choices(agents: QuerySet[Employee], limit: int) -> list[PersonChoice]:
    return [
        PersonChoice(pk, person_name(first, last, username), sort_name, unit_id)
        for pk, first, last, username, sort_name, unit_id in agents.values_list(*_AGENT_VALUES)[:limit]
    ]


def agents_of_desks(*, desks: Iterable[Desk], employee: Employee | None = None) -> list[PersonChoice]:
    """The agents to offer in a desk's assignee lists (each person once), by name.

    Every available agent while there are at most ``AGENTS_LISTED``; beyond that the caller's own
    unit and the agents holding open requests of these desks, at most ``AGENTS_LISTED`` of them.
    One query for a small desk, three for a big one (7 ms on PostgreSQL for a desk of 1,200 agents),
    on every queue and request page an agent opens: so each process keeps a list for
    ``SERVICEDESK_AGENT_LIST_SECONDS`` (a minute by default; 0 keeps none). The list only offers
    names; assigning checks that the person chosen is an agent of the desk, whatever a list showed.
    """
    desks = list(desks)
    seconds = int(settings.SERVICEDESK_AGENT_LIST_SECONDS)
    if seconds <= 0:
        return _agents_of_desks(desks, employee)
    unit_id = employee.unit_id if employee is not None else None
    key = f"servicedesk:agents:{','.join(str(pk) for pk in sorted(desk.pk for desk in desks))}:{unit_id}"
    kept: list[PersonChoice] | None = cache.get(key)
    if kept is None:
        kept = _agents_of_desks(desks, employee)
        cache.set(key, kept, timeout=seconds)
    return kept


def _agents_of_desks(desks: list[Desk], employee: Employee | None) -> list[PersonChoice]:
    query = Q()
    for desk in desks:
        query |= Q(path__startswith=desk.unit.path)
    if not query:
        return []
    units = Unit.objects.filter(query).values("pk")
    agents = Employee.objects.filter(unit_id__in=units, is_active=True).order_by("sort_name", "pk")
    few = _agent_choices(agents, AGENTS_LISTED + 1)
    if len(few) <= AGENTS_LISTED:
        return few
    # Who holds open work (read from the desk queue index alone), and my unit's people.
    busy = Request.objects.filter(desk__in=desks, status__in=OPEN_STATUSES, assignee__isnull=False).values(
        "assignee_id"
    )
    listed = {agent.pk: agent for agent in _agent_choices(agents.filter(pk__in=busy), AGENTS_LISTED)}
    if employee is not None and employee.unit_id is not None:
        team = _agent_choices(agents.filter(unit_id=employee.unit_id), AGENTS_LISTED)
        listed.update((agent.pk, agent) for agent in team)
    return sorted(listed.values(), key=lambda agent: (agent.sort_name, agent.pk))[:AGENTS_LISTED]


def agent_next_in_turn(*, desk: Desk, after: int | None, exclude: int) -> Employee | None:
    """Round robin: the desk's agent with the next id after ``after`` (from the start when none is)."""
    agents = desk_agents(desk=desk).exclude(pk=exclude)
    following = agents.filter(pk__gt=after).first() if after is not None else None
    return following or agents.first()


def agent_least_loaded(*, desk: Desk, exclude: int) -> Employee | None:
    """The desk's agent with the fewest open requests of the desk (the lowest id among equals)."""
    open_work = Count(
        "requests_assigned",
        filter=Q(requests_assigned__desk=desk, requests_assigned__status__in=OPEN_STATUSES),
    )
    return desk_agents(desk=desk).exclude(pk=exclude).annotate(open_work=open_work).order_by("open_work", "pk").first()


def is_agent_of(*, employee_id: int, desk: Desk) -> bool:
    return desk_agents(desk=desk).filter(pk=employee_id).exists()


def standards_current_for_types(*, request_types: Iterable[RequestType]) -> dict[int, dict[str, ServiceStandard]]:
    """The current standards of several request types: ``{type id: {priority: standard}}``; one query."""
    result: dict[int, dict[str, ServiceStandard]] = {request_type.pk: {} for request_type in request_types}
    if not result:
        return result
    standards = ServiceStandard.objects.filter(request_type_id__in=list(result), is_current=True).order_by("priority")
    for standard in standards:
        result[standard.request_type_id][standard.priority] = standard
    return result


def people_choices(*, actor: User | None, limit: int) -> list[PersonChoice]:
    """The first ``limit`` active people a member may name, by name, as plain values: a person
    input lists them all in a small organisation, and asks for ``limit`` + 1 to know whether it is
    one. Building 151 people and their accounts as model rows cost more than the rest of a request
    page's obstacle panel."""
    if access_for(actor).employee is None:
        return []
    return _agent_choices(Employee.objects.filter(is_active=True).order_by("sort_name", "pk"), limit)


def people_to_pick(*, actor: User | None, q: str = "", limit: int = 200) -> list[Employee]:
    """Active people a member may name in a request (on behalf of, a person field), by name."""
    if access_for(actor).employee is None:
        return []
    people = Employee.objects.filter(is_active=True).select_related("user")
    for word in q.split()[:3]:
        people = people.filter(
            Q(user__first_name__icontains=word) | Q(user__last_name__icontains=word) | Q(user__email__icontains=word)
        )
    return list(people.order_by("sort_name", "pk")[:limit])


def request_types_open_of(*, services: Iterable[Service]) -> dict[int, list[RequestType]]:
    """The published request types of several services: ``{service id: [types in order]}``; one query."""
    result: dict[int, list[RequestType]] = {service.pk: [] for service in services}
    if not result:
        return result
    types = RequestType.objects.filter(service_id__in=list(result), is_active=True).order_by("position", "name", "pk")
    for request_type in types:
        result[request_type.service_id].append(request_type)
    return result


# --- desk admin ----------------------------------------------------------------------------------


def desk_list_admin_for(*, actor: User | None) -> list[Desk]:
    """The desks the caller administers, by unit name."""
    admin_ids = access_for(actor).admin_desk_ids
    if not admin_ids:
        return []
    return list(desk_list().filter(pk__in=admin_ids))


def units_without_desk_for(*, actor: User | None) -> list[Unit]:
    """Service-providing units without a desk that the caller may open one for (its lead; any for a superuser)."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return []
    units = Unit.objects.filter(provides_services=True, desk__isnull=True)
    if not actor.is_superuser:
        employee = access_for(actor).employee
        if employee is None:
            return []
        units = units.filter(lead=employee)
    return list(units.order_by("name", "pk"))


def unit_choices() -> list[Unit]:
    """Every unit in tree order, siblings by name: what "who may request" offers; one query."""
    children: dict[int | None, list[Unit]] = {}
    for unit in Unit.objects.order_by("name", "pk"):
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[Unit] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        unit = stack.pop()
        ordered.append(unit)
        stack.extend(reversed(children.get(unit.pk, [])))
    return ordered


def catalog_admin_for(*, desk: Desk) -> list[Service]:
    """All of a desk's services (published or not) with their request types; two queries."""
    return list(
        desk.services.select_related("owner__user")
        .prefetch_related(
            models.Prefetch("request_types", queryset=RequestType.objects.order_by("position", "name", "pk"))
        )
        .order_by("position", "name", "pk")
    )


def desk_admin_check(*, actor: User | None, desk_id: int) -> None:
    """Refuse anyone but the desk's admins before any input is looked at (so nothing leaks through errors)."""
    if actor is None or not actor.is_authenticated:
        raise NotFound(_("No such service desk."))
    if not access_for(actor).is_admin(desk_id):
        unit = Desk.objects.filter(pk=desk_id).values_list("unit__name", flat=True).first() or ""
        raise Forbidden(_("Only the lead of %(unit)s may change its service desk.") % {"unit": unit})


def service_admin_get_for(*, actor: User | None, service_id: int) -> Service:
    """A service to edit, with its request types, for an admin of its desk (others: NotFound or Forbidden)."""
    service = (
        Service.objects.select_related("desk__unit", "desk__calendar", "owner__user")
        .prefetch_related(
            "audience_units",
            models.Prefetch("request_types", queryset=RequestType.objects.order_by("position", "name", "pk")),
        )
        .filter(pk=service_id)
        .first()
    )
    if service is None:
        raise NotFound(_("No such service."))
    desk_admin_check(actor=actor, desk_id=service.desk_id)
    return service


def request_type_admin_get_for(*, actor: User | None, request_type_id: int) -> RequestType:
    """A request type to edit, with its form's fields, for an admin of its desk."""
    request_type = (
        RequestType.objects.select_related("service__desk__unit", "service__desk__calendar")
        .prefetch_related(models.Prefetch("fields", queryset=RequestField.objects.order_by("position", "pk")))
        .filter(pk=request_type_id)
        .first()
    )
    if request_type is None:
        raise NotFound(_("No such request type."))
    desk_admin_check(actor=actor, desk_id=request_type.service.desk_id)
    return request_type


def calendar_versions_of(*, desk: Desk, limit: int = 50) -> list[CalendarVersion]:
    """The desk's calendar versions, newest first, with who wrote each."""
    return list(desk.calendar_versions.select_related("created_by__employee").order_by("-version")[:limit])


def standard_versions_of(*, request_type: RequestType) -> dict[str, list[ServiceStandard]]:
    """Every version of a request type's standards by priority, newest first; one query."""
    result: dict[str, list[ServiceStandard]] = {}
    standards = (
        request_type.standards.filter(agreement_target__isnull=True)
        .select_related("created_by__employee")
        .order_by("priority", "-version")
    )
    for standard in standards:
        result.setdefault(standard.priority, []).append(standard)
    return result
