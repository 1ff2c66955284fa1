"""Service desk endpoints: the catalog, requests with their replies and clocks, and desk administration.

Every id in a path or body is looked up through a ``*_get_for`` selector scoped to the caller, and
every write goes through a service; this module only turns JSON into arguments and rows into JSON.
Durations (``target``, ``elapsed``, ``remaining``) are seconds as numbers.

No ``from __future__ import annotations`` here: ninja's ``@paginate`` wrapper resolves the
endpoint's annotations in its own module, where names such as ``Query`` do not exist.
"""

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from insideout.core.errors import Forbidden, NotFound
from insideout.core.models import Event
from insideout.core.pagination import IdsFirst, Loaded, Mapped, Pagination
from insideout.core.schemas import DictOut
from insideout.core.text import MAX_ID
from insideout.people.models import Employee, User
from insideout.servicedesk import selectors, services
from insideout.servicedesk.clockview import ClockView, clock_view, clock_words
from insideout.servicedesk.models import (
    CalendarVersion,
    Comment,
    Desk,
    Request,
    RequestType,
    Service,
    ServiceStandard,
)

# An id given in a body or a query: bounded, so a huge number is a 422 and never reaches the database.
IdIn = Annotated[int, Field(ge=1, le=MAX_ID)]

router = Router(tags=["service desk"])

PriorityCode = Literal["P1", "P2", "P3", "P4"]
StatusCode = Literal["new", "in_progress", "waiting_on_requester", "resolved", "closed"]
QueueName = Literal[
    "mine", "team", "unassigned", "at_risk", "breached", "waiting", "blocking_others", "silent", "all_open"
]
AssignmentRule = Literal["manual", "round_robin", "least_loaded"]
AudienceCode = Literal["everyone", "units"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
HHMM = r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$"

SECONDS = "Seconds, as a number."
LAST_UPDATE = "The desk's last public update (a reply, a commitment, an obstacle, a status change); null: none yet."
UPDATE_DUE = (
    "When the next public update is due under the request type's update standard; "
    "null when it has none or the request is not open."
)
OBSTACLES_PAUSE = (
    "Whether an open obstacle pauses the resolution clock; false (the default): the internal customer "
    "still waits, so it runs on."
)
UPDATE_EVERY = (
    "The update standard: a public update at least every this many business minutes while a request "
    "is open (60 to 14,400, i.e. 1 business hour to 30 business days of 8 hours); null: none."
)


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _name(person: Employee | selectors.RowPerson | None) -> str:
    return person.name if person is not None else ""


# --- schemas: the catalog ------------------------------------------------------------------------


class ServiceFilters(Schema):
    q: str = Field("", max_length=100, description="Words to find in the service, its unit or its request types.")
    desk: int | None = Field(None, ge=1, le=MAX_ID, description="Only this desk's services.")


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    unit: int = Field(..., description="The providing unit's id.")
    unit_name: str
    desk: int

    @staticmethod
    def resolve_unit(obj: Service) -> int:
        return obj.desk.unit_id

    @staticmethod
    def resolve_unit_name(obj: Service) -> str:
        return obj.desk.unit.name

    @staticmethod
    def resolve_desk(obj: Service) -> int:
        return obj.desk_id


class ServiceDetailOut(ServiceOut):
    owner: int | None
    audience: AudienceCode
    is_active: bool
    position: int

    @staticmethod
    def resolve_owner(obj: Service) -> int | None:
        return obj.owner_id


class FieldOut(Schema):
    key: str
    name: str = Field(..., description="The same as key.")
    label: str
    type: str
    required: bool
    choices: list[str]
    help_text: str


class StandardBriefOut(Schema):
    priority: PriorityCode
    first_response_minutes: int
    resolution_minutes: int
    business_hours: bool = Field(..., description="Counted on the desk's business calendar; false: 24/7.")


class RequestTypeOut(Schema):
    id: int
    name: str
    description: str
    default_priority: PriorityCode
    fields: list[FieldOut]
    standards: list[StandardBriefOut] = Field(..., description="The current standard of each priority.")


def _fields_of(request_type: RequestType) -> list[dict[str, Any]]:
    return [
        {
            "key": field.key,
            "name": field.key,
            "label": field.label,
            "type": field.type,
            "required": field.required,
            "choices": list(field.choices or []),
            "help_text": field.help_text,
        }
        for field in request_type.fields.all()
    ]


# --- schemas: requests ---------------------------------------------------------------------------


class ClockOut(DictOut):
    metric: Literal["first_response", "resolution"]
    target: float = Field(..., description=SECONDS)
    elapsed: float = Field(..., description=f"{SECONDS} Business time counted so far.")
    remaining: float = Field(..., description=f"{SECONDS} Never negative; 0 once breached.")
    due_at: datetime | None
    paused: bool
    state: Literal["running", "paused", "met", "breached"]
    breached_at: datetime | None
    met_at: datetime | None
    at_risk: bool
    business_hours: bool = Field(..., description="Counted on the desk's business calendar; false: 24/7.")
    words: str = Field(..., description='The clock in a sentence, e.g. "first response due in 3 working hours".')


def _clock(view: ClockView, now: datetime, zone: tzinfo | None) -> dict[str, Any]:
    return {
        "metric": view.metric,
        "target": view.target.total_seconds(),
        "elapsed": view.elapsed.total_seconds(),
        "remaining": view.remaining.total_seconds(),
        "due_at": view.due_at,
        "paused": view.paused,
        "state": view.state,
        "breached_at": view.breached_at,
        "met_at": view.met_at,
        "at_risk": view.at_risk,
        "business_hours": view.business_hours,
        "words": clock_words(view, now=now, zone=zone),
    }


def _zone(actor: User) -> tzinfo | None:
    """The caller's own time zone for the clocks' words (a token request has no zone activated)."""
    employee = selectors.access_for(actor).employee
    try:
        return ZoneInfo(employee.time_zone) if employee is not None and employee.time_zone else None
    except (ValueError, KeyError):
        return None


def _clocks(service_request: Request, actor: User) -> list[dict[str, Any]]:
    now = timezone.now()
    zone = _zone(actor)
    return [
        _clock(clock_view(clock, now=now), now, zone) for clock in selectors.request_clocks(request=service_request)
    ]


class RequestListFilters(Schema):
    queue: QueueName | None = Field(
        None,
        description="A desk queue (agents only). Without it: the requests you made or that were made for you.",
    )
    status: StatusCode | None = None
    priority: PriorityCode | None = None
    service: int | None = Field(None, ge=1, le=MAX_ID, description="A service id.")
    desk: int | None = Field(None, ge=1, le=MAX_ID, description="A desk id (queues only).")
    assignee: int | None = Field(None, ge=1, le=MAX_ID, description="An agent's person id (queues only).")
    q: str = Field(
        "", max_length=100, description="A key such as IT-1042, a number, or words of the subject (queues only)."
    )


class RequestListItemOut(DictOut):
    id: int
    key: str = Field(..., examples=["IT-1042"])
    subject: str
    status: StatusCode
    priority: PriorityCode
    request_type: int
    service: int
    desk: int
    requester: int
    requester_name: str
    on_behalf_of: int | None
    assignee: int | None
    assignee_name: str
    created_at: datetime
    updated_at: datetime
    next_due_at: datetime | None = Field(..., description="The earliest deadline of a running clock.")
    last_update_at: datetime | None = Field(..., description=LAST_UPDATE)
    update_due_at: datetime | None = Field(..., description=UPDATE_DUE)
    clocks: list[ClockOut]


def _list_items(rows: list[selectors.RequestRow], actor: User) -> list[dict[str, Any]]:
    """A page of the request list as the schema's dicts: the time, the zone and the clocks are read
    once a page."""
    now = timezone.now()
    zone = _zone(actor)
    clocks = selectors.clocks_by_request(row.pk for row in rows)
    return [
        {
            "id": row.pk,
            "key": row.key,
            "subject": row.subject,
            "status": row.status,
            "priority": row.priority,
            "request_type": row.request_type_id,
            "service": row.service_id,
            "desk": row.desk_id,
            "requester": row.requester_id,
            "requester_name": row.requester.name,
            "on_behalf_of": row.on_behalf_of_id,
            "assignee": row.assignee_id,
            "assignee_name": _name(row.assignee),
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            "next_due_at": row.next_due_at,
            "last_update_at": row.last_update_at,
            "update_due_at": row.update_due_at,
            "clocks": [_clock(clock_view(clock, now=now), now, zone) for clock in clocks.get(row.pk, [])],
        }
        for row in rows
    ]


def _items_of(actor: User) -> Callable[[list[selectors.RequestRow]], list[dict[str, Any]]]:
    return lambda rows: _list_items(rows, actor)


class RequestOut(Schema):
    id: int
    key: str = Field(..., examples=["IT-1042"])
    subject: str
    description: str = Field(..., description="Markdown, as written.")
    description_html: str = Field(..., description="The description as sanitised HTML.")
    status: StatusCode
    priority: PriorityCode
    request_type: int
    request_type_name: str
    service: int
    service_name: str
    desk: int
    requester: int
    requester_name: str
    on_behalf_of: int | None
    on_behalf_of_name: str
    assignee: int | None
    assignee_name: str
    field_values: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    first_responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    last_update_at: datetime | None = Field(..., description=LAST_UPDATE)
    update_due_at: datetime | None = Field(..., description=UPDATE_DUE)
    clocks: list[ClockOut]


def _request_body(service_request: Request, actor: User) -> dict[str, Any]:
    return {
        "id": service_request.pk,
        "key": service_request.key,
        "subject": service_request.subject,
        "description": service_request.description,
        "description_html": service_request.description_html,
        "status": service_request.status,
        "priority": service_request.priority,
        "request_type": service_request.request_type_id,
        "request_type_name": service_request.request_type.name,
        "service": service_request.request_type.service_id,
        "service_name": service_request.request_type.service.name,
        "desk": service_request.desk_id,
        "requester": service_request.requester_id,
        "requester_name": service_request.requester.name,
        "on_behalf_of": service_request.on_behalf_of_id,
        "on_behalf_of_name": _name(service_request.on_behalf_of),
        "assignee": service_request.assignee_id,
        "assignee_name": _name(service_request.assignee),
        "field_values": service_request.field_values or {},
        "created_at": service_request.created_at,
        "updated_at": service_request.updated_at,
        "first_responded_at": service_request.first_responded_at,
        "resolved_at": service_request.resolved_at,
        "closed_at": service_request.closed_at,
        "last_update_at": service_request.last_update_at,
        "update_due_at": service_request.update_due_at,
        "clocks": _clocks(service_request, actor),
    }


def _request_fresh(request: HttpRequest, request_id: int) -> dict[str, Any]:
    """The request as the caller now sees it, after a change."""
    me = _actor(request)
    return _request_body(selectors.request_get_for(actor=me, request_id=request_id), me)


class RequestCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    request_type: int = Field(..., ge=1, le=MAX_ID)
    priority: PriorityCode | None = Field(None, description="Default: the request type's default priority.")
    subject: str = Field(..., max_length=200)
    description: str = Field("", description="Markdown.")
    fields: dict[str, Any] = Field(default_factory=dict, description="Values by field key.")
    on_behalf_of: int | None = Field(None, ge=1, le=MAX_ID, description="The person id of whom the request is for.")


class CommentCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(..., description="Markdown.")
    internal: bool = Field(False, description="An internal note, seen by the desk's agents only.")


class CommentOut(Schema):
    id: int
    author: int
    author_name: str
    body: str
    body_html: str
    internal: bool
    created_at: datetime

    @staticmethod
    def resolve_author(obj: Comment) -> int:
        return obj.author_id

    @staticmethod
    def resolve_author_name(obj: Comment) -> str:
        return obj.author.name


class CommentListItemOut(CommentOut):
    pass


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: StatusCode


class AssignIn(Schema):
    model_config = ConfigDict(extra="forbid")

    assignee: int | None = Field(..., ge=1, le=MAX_ID, description="An agent's person id, or null for nobody.")


class PriorityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    priority: PriorityCode


class EventOut(Schema):
    id: int
    type: str = Field(..., examples=["servicedesk.request_status_changed"])
    occurred_at: datetime
    actor: int | None = Field(..., description="The person id of who did it; null for the system.")
    actor_name: str
    payload: dict[str, Any]

    @staticmethod
    def resolve_actor(obj: Event) -> int | None:
        person = getattr(obj.actor, "employee", None) if obj.actor_id else None
        return person.pk if person is not None else None

    @staticmethod
    def resolve_actor_name(obj: Event) -> str:
        if obj.actor is None:
            return ""
        person = getattr(obj.actor, "employee", None)
        return person.name if person is not None else obj.actor.get_username()


# --- schemas: administration ---------------------------------------------------------------------


class DeskOut(Schema):
    id: int
    prefix: str
    unit: int
    unit_name: str
    auto_close_days: int
    calendar_version: int | None
    time_zone: str
    is_admin: bool = Field(..., description="Whether the caller may change this desk.")


def _desk_body(request: HttpRequest, desk: Desk) -> dict[str, Any]:
    return {
        "id": desk.pk,
        "prefix": desk.prefix,
        "unit": desk.unit_id,
        "unit_name": desk.unit.name,
        "auto_close_days": desk.auto_close_days,
        "calendar_version": desk.calendar.version if desk.calendar else None,
        "time_zone": desk.calendar.time_zone if desk.calendar else "UTC",
        "is_admin": selectors.access_for(_actor(request)).is_admin(desk.pk),
    }


class DeskPatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    prefix: str | None = Field(None, description="Only while the desk has no requests.")
    auto_close_days: int | None = Field(None, description="Close resolved requests after this many business days.")


class CalendarOut(Schema):
    version: int
    time_zone: str
    week: dict[str, list[list[str]]] = Field(..., examples=[{"mon": [["09:00", "12:30"], ["13:30", "17:00"]]}])
    country: str
    subdivision: str
    holidays: list[str]
    closures: list[list[str]]
    created_at: datetime


class CalendarIn(Schema):
    model_config = ConfigDict(extra="forbid")

    time_zone: str = Field(..., examples=["Europe/Berlin"])
    week: dict[Weekday, list[tuple[str, str]]] = Field(
        ..., description="Opening hours per weekday; a missing day is closed; 24:00 ends a day."
    )
    country: str = Field("", max_length=2, description="ISO country for public holidays, e.g. DE.")
    subdivision: str = Field("", max_length=10, description="e.g. BE for Berlin.")
    holidays: list[str] = Field(default_factory=list, description="Extra closed days, YYYY-MM-DD.")
    closures: list[tuple[str, str]] = Field(default_factory=list, description="Closed [start, end], ISO 8601.")


class ServiceCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., max_length=200)
    description: str = ""
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="A person id.")
    audience: AudienceCode = "everyone"
    audience_units: list[IdIn] = Field(default_factory=list, description="Unit ids, when audience is units.")
    is_active: bool = Field(True, description="Published.")
    position: int = Field(0, ge=0, le=32767)


class ServicePatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200)
    description: str | None = None
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="A person id; null for nobody.")
    audience: AudienceCode | None = None
    audience_units: list[IdIn] | None = None
    is_active: bool | None = None
    position: int | None = Field(None, ge=0, le=32767)


class FieldIn(Schema):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(..., examples=["laptop_model"])
    label: str = ""
    type: str = Field("text", description="text, long_text, choice, multi_choice, date, number, person or file.")
    required: bool = False
    choices: list[str] = Field(default_factory=list)
    help_text: str = ""


class RequestTypeCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., max_length=200)
    description: str = ""
    default_priority: PriorityCode = "P3"
    assignment: AssignmentRule = "manual"
    fields: list[FieldIn] = Field(default_factory=list)
    is_active: bool = Field(True, description="Published.")
    position: int = Field(0, ge=0, le=32767)
    update_every_minutes: int | None = Field(None, description=UPDATE_EVERY)


class RequestTypePatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200)
    description: str | None = None
    default_priority: PriorityCode | None = None
    assignment: AssignmentRule | None = None
    fields: list[FieldIn] | None = Field(None, description="Replaces the whole form.")
    is_active: bool | None = None
    position: int | None = Field(None, ge=0, le=32767)
    update_every_minutes: int | None = Field(None, description=f"{UPDATE_EVERY} Null removes it.")


class RequestTypeAdminOut(Schema):
    id: int
    service: int
    name: str
    description: str
    default_priority: PriorityCode
    assignment: AssignmentRule
    is_active: bool
    position: int
    update_every_minutes: int | None = Field(..., description=UPDATE_EVERY)
    fields: list[FieldOut]

    @staticmethod
    def resolve_service(obj: RequestType) -> int:
        return obj.service_id

    @staticmethod
    def resolve_fields(obj: RequestType) -> list[dict[str, Any]]:
        return _fields_of(obj)


class StandardOut(Schema):
    priority: PriorityCode
    version: int
    first_response_minutes: int
    resolution_minutes: int
    business_hours: bool = Field(..., description="Counted on the desk's business calendar; false: 24/7.")
    at_risk_percent: int = Field(..., description="At risk when this share of the target is left.")
    pausing_statuses: list[str]
    obstacles_pause_resolution: bool = Field(..., description=OBSTACLES_PAUSE)
    created_at: datetime


class StandardIn(Schema):
    model_config = ConfigDict(extra="forbid")

    first_response_minutes: int
    resolution_minutes: int
    business_hours: bool = True
    at_risk_percent: int = 25
    pausing_statuses: list[str] = Field(default_factory=lambda: ["waiting_on_requester"])
    obstacles_pause_resolution: bool = Field(False, description=OBSTACLES_PAUSE)


# --- the catalog ---------------------------------------------------------------------------------


@router.get("/services", response=list[ServiceOut], summary="Services I may request")
@paginate(Pagination, page_size=100)
def service_list(request: HttpRequest, filters: Query[ServiceFilters]) -> object:
    """Published services the caller may request, by unit; a desk's agents also see its unpublished ones."""
    return selectors.service_list_for(actor=_actor(request), q=filters.q, desk_id=filters.desk)


@router.get("/services/{service_id}", response=ServiceDetailOut, summary="One service")
def service_detail(request: HttpRequest, service_id: int) -> Service:
    return selectors.service_get_for(actor=_actor(request), service_id=service_id)


@router.get(
    "/services/{service_id}/request-types",
    response=list[RequestTypeOut],
    summary="A service's request types, with their forms and current standards",
)
def service_request_types(request: HttpRequest, service_id: int) -> list[dict[str, Any]]:
    me = _actor(request)
    service = selectors.service_get_for(actor=me, service_id=service_id)
    request_types = list(selectors.request_type_list_for(actor=me, service=service))
    standards = selectors.standards_current_for_types(request_types=request_types)
    return [
        {
            "id": request_type.pk,
            "name": request_type.name,
            "description": request_type.description,
            "default_priority": request_type.default_priority,
            "fields": _fields_of(request_type),
            "standards": list(standards[request_type.pk].values()),
        }
        for request_type in request_types
    ]


# --- requests ------------------------------------------------------------------------------------


@router.post("/requests", response={201: RequestOut}, summary="File a request")
def request_create(request: HttpRequest, payload: RequestCreateIn) -> Status[dict[str, Any]]:
    """Invalid form values are a 422 naming ``fields.<key>``; an unknown request type names ``request_type``."""
    me = _actor(request)
    try:
        request_type = selectors.request_type_get_for(actor=me, request_type_id=payload.request_type)
    except NotFound as exc:
        raise ValidationError({"request_type": [exc.message]}) from exc
    created = services.request_create(
        actor=me,
        request_type=request_type,
        subject=payload.subject,
        description=payload.description,
        priority=payload.priority,
        fields=payload.fields,
        on_behalf_of_id=payload.on_behalf_of,
    )
    return Status(201, _request_fresh(request, created.pk))


@router.get("/requests", response=list[RequestListItemOut], summary="My requests, or a desk queue")
@paginate(Pagination)
def request_list(request: HttpRequest, filters: Query[RequestListFilters]) -> object:
    """Without ``queue``: the requests you made or that were made for you, newest first (for everyone,
    agents too); ``status``, ``priority`` and ``service`` narrow them. With ``queue``: one of your
    desks' queues, what is due first at the top (agents only; open requests unless ``status`` says
    otherwise), and every filter applies."""
    me = _actor(request)
    if filters.queue is None:
        queue_only = {
            name: _("Filter a queue: add queue=all_open or another queue.") for name in ("q", "assignee", "desk")
        }
        given = [name for name in queue_only if getattr(filters, name) not in (None, "")]
        if given:
            raise ValidationError({name: [queue_only[name]] for name in given})
        requests = selectors.request_list_mine(actor=me)
        if filters.status:
            requests = requests.filter(status=filters.status)
        if filters.priority:
            requests = requests.filter(priority=filters.priority)
        if filters.service is not None:
            requests = requests.filter(request_type__service_id=filters.service)
    else:
        if not selectors.access_for(me).staff_desk_ids:
            raise Forbidden(_("Queues are for the agents of a service desk; leave out queue for your own requests."))
        requests = selectors.request_queue_for(
            actor=me,
            queue=filters.queue,
            status=filters.status or "",
            priority=filters.priority or "",
            service_id=filters.service,
            assignee_id=filters.assignee,
            desk_id=filters.desk,
            q=filters.q,
        )
        narrowed = filters.status or filters.priority or filters.service or filters.assignee or filters.q
        if not narrowed:
            # The queue's count from the one covering count of every queue, as the workspace shows it,
            # not a count of its own through the open index (which reads each open row's table row).
            count = selectors.queue_counts_for(actor=me, desk_id=filters.desk)[filters.queue]
            return Mapped(Loaded(IdsFirst(requests, count=count), selectors.request_rows_by_id), _items_of(me))
    return Mapped(Loaded(IdsFirst(requests), selectors.request_rows_by_id), _items_of(me))


@router.get("/requests/{request_id}", response=RequestOut, summary="One request, with its clocks")
def request_detail(request: HttpRequest, request_id: int) -> dict[str, Any]:
    return _request_fresh(request, request_id)


@router.get("/requests/{request_id}/clocks", response=list[ClockOut], summary="A request's clocks, as of now")
def request_clocks(request: HttpRequest, request_id: int) -> list[dict[str, Any]]:
    """One entry per metric: ``first_response`` and ``resolution``."""
    me = _actor(request)
    return _clocks(selectors.request_get_for(actor=me, request_id=request_id), me)


@router.get(
    "/requests/{request_id}/comments", response=list[CommentListItemOut], summary="A request's replies and notes"
)
@paginate(Pagination)
def request_comments(request: HttpRequest, request_id: int) -> object:
    """Oldest first; internal notes only for the desk's agents."""
    me = _actor(request)
    service_request = selectors.request_get_for(actor=me, request_id=request_id)
    return selectors.request_comments_for(actor=me, request=service_request)


@router.post("/requests/{request_id}/comments", response={201: CommentOut}, summary="Reply, or add an internal note")
def request_comment(request: HttpRequest, request_id: int, payload: CommentCreateIn) -> Status[Comment]:
    me = _actor(request)
    service_request = selectors.request_get_for(actor=me, request_id=request_id)
    comment = services.request_comment(actor=me, request=service_request, body=payload.body, internal=payload.internal)
    return Status(201, comment)


def _change(request: HttpRequest, request_id: int, change: Callable[[User, Request], object]) -> dict[str, Any]:
    """Look the request up for the caller, hand it to one service, and answer with it as it is now."""
    me = _actor(request)
    change(me, selectors.request_get_for(actor=me, request_id=request_id))
    return _request_fresh(request, request_id)


@router.post("/requests/{request_id}/transition", response=RequestOut, summary="Change a request's status")
def request_transition(request: HttpRequest, request_id: int, payload: TransitionIn) -> dict[str, Any]:
    """A move the request's status does not allow is a 409 and changes nothing."""
    return _change(
        request,
        request_id,
        lambda me, found: services.request_transition(actor=me, request=found, status=payload.status),
    )


@router.post("/requests/{request_id}/assign", response=RequestOut, summary="Give a request to an agent, or nobody")
def request_assign(request: HttpRequest, request_id: int, payload: AssignIn) -> dict[str, Any]:
    return _change(
        request,
        request_id,
        lambda me, found: services.request_assign(actor=me, request=found, assignee_id=payload.assignee),
    )


@router.post("/requests/{request_id}/priority", response=RequestOut, summary="Change a request's priority")
def request_priority(request: HttpRequest, request_id: int, payload: PriorityIn) -> dict[str, Any]:
    """The open clocks move to the new priority's standard."""
    return _change(
        request,
        request_id,
        lambda me, found: services.request_priority_set(actor=me, request=found, priority=payload.priority),
    )


@router.get("/requests/{request_id}/history", response=list[EventOut], summary="What happened to a request")
def request_history(request: HttpRequest, request_id: int) -> list[Event]:
    """The request's events, oldest first; those about internal notes only for the desk's agents."""
    me = _actor(request)
    service_request = selectors.request_get_for(actor=me, request_id=request_id)
    is_agent = selectors.access_for(me).is_agent(service_request.desk_id)
    return selectors.request_history(request=service_request, internal=is_agent)


# --- administration ------------------------------------------------------------------------------


@router.get("/desks", response=list[DeskOut], summary="The desks I work or administer")
def desk_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_desk_body(request, desk) for desk in selectors.desk_list_for(actor=_actor(request))]


@router.get("/desks/{desk_id}", response=DeskOut, summary="One desk")
def desk_detail(request: HttpRequest, desk_id: int) -> dict[str, Any]:
    return _desk_body(request, selectors.desk_staff_get_for(actor=_actor(request), desk_id=desk_id))


@router.patch("/desks/{desk_id}", response=DeskOut, summary="Change a desk's prefix or auto-close period")
def desk_update(request: HttpRequest, desk_id: int, payload: DeskPatchIn) -> dict[str, Any]:
    me = _actor(request)
    desk = selectors.desk_staff_get_for(actor=me, desk_id=desk_id)
    services.desk_update(actor=me, desk=desk, prefix=payload.prefix, auto_close_days=payload.auto_close_days)
    return _desk_body(request, selectors.desk_staff_get_for(actor=me, desk_id=desk_id))


@router.get("/desks/{desk_id}/calendar", response=CalendarOut, summary="A desk's current business calendar")
def desk_calendar(request: HttpRequest, desk_id: int) -> CalendarVersion | None:
    desk = selectors.desk_staff_get_for(actor=_actor(request), desk_id=desk_id)
    if desk.calendar is None:
        raise NotFound(_("This desk has no calendar yet."))
    return desk.calendar


@router.put("/desks/{desk_id}/calendar", response=CalendarOut, summary="Replace a desk's business calendar")
def desk_calendar_update(request: HttpRequest, desk_id: int, payload: CalendarIn) -> CalendarVersion:
    """Writes a new calendar version; the open clocks are recomputed on it, finished ones keep theirs."""
    me = _actor(request)
    desk = selectors.desk_staff_get_for(actor=me, desk_id=desk_id)
    return services.calendar_update(
        actor=me,
        desk=desk,
        time_zone=payload.time_zone,
        week={day: [list(interval) for interval in intervals] for day, intervals in payload.week.items()},
        country=payload.country,
        subdivision=payload.subdivision,
        holidays=payload.holidays,
        closures=payload.closures,
    )


def _owner_and_units(changes: dict[str, Any]) -> dict[str, Any]:
    """Turn the ids of ``owner`` and ``audience_units`` into the rows the services take."""
    errors: dict[str, list[str]] = {}
    if changes.get("owner") is not None:
        owner = selectors.people_by_id(employee_ids=[changes["owner"]]).get(changes["owner"])
        if owner is None or not owner.is_active:
            errors["owner"] = [_("No active person has this id.")]
        changes["owner"] = owner
    if changes.get("audience_units") is not None:
        found = selectors.units_by_id(unit_ids=changes["audience_units"])
        missing = sorted(set(changes["audience_units"]) - set(found))
        if missing:
            errors["audience_units"] = [_("No unit has the id %(ids)s.") % {"ids": ", ".join(map(str, missing))}]
        changes["audience_units"] = list(found.values())
    if errors:
        raise ValidationError(errors)
    return changes


@router.post("/desks/{desk_id}/services", response={201: ServiceDetailOut}, summary="Add a service to a desk")
def service_create(request: HttpRequest, desk_id: int, payload: ServiceCreateIn) -> Status[Service]:
    me = _actor(request)
    desk = selectors.desk_staff_get_for(actor=me, desk_id=desk_id)
    selectors.desk_admin_check(actor=me, desk_id=desk.pk)
    values = _owner_and_units(payload.model_dump())
    return Status(201, services.service_create(actor=me, desk=desk, **values))


@router.patch("/services/{service_id}", response=ServiceDetailOut, summary="Change a service")
def service_update(request: HttpRequest, service_id: int, payload: ServicePatchIn) -> Service:
    me = _actor(request)
    service = selectors.service_get_for(actor=me, service_id=service_id)
    selectors.desk_admin_check(actor=me, desk_id=service.desk_id)
    # Only the owner can be cleared with null; for the rest null means "leave as it is".
    changes = {
        name: value
        for name, value in payload.model_dump(exclude_unset=True).items()
        if value is not None or name == "owner"
    }
    return services.service_update(actor=me, service=service, **_owner_and_units(changes))


@router.post(
    "/services/{service_id}/request-types",
    response={201: RequestTypeAdminOut},
    summary="Add a request type, with its form, to a service",
)
def request_type_create(request: HttpRequest, service_id: int, payload: RequestTypeCreateIn) -> Status[RequestType]:
    """The new type gets default standards for P1–P4; change them with PUT …/standards/{priority}."""
    me = _actor(request)
    service = selectors.service_get_for(actor=me, service_id=service_id)
    created = services.request_type_create(actor=me, service=service, **payload.model_dump())
    return Status(201, selectors.request_type_get_for(actor=me, request_type_id=created.pk))


@router.patch("/request-types/{request_type_id}", response=RequestTypeAdminOut, summary="Change a request type")
def request_type_update(request: HttpRequest, request_type_id: int, payload: RequestTypePatchIn) -> RequestType:
    """``fields``, when given, replaces the whole form."""
    me = _actor(request)
    request_type = selectors.request_type_get_for(actor=me, request_type_id=request_type_id)
    # null means "leave as it is", but for the update standard, which null removes.
    changes = {
        name: value
        for name, value in payload.model_dump(exclude_unset=True).items()
        if value is not None or name == "update_every_minutes"
    }
    services.request_type_update(actor=me, request_type=request_type, **changes)
    return selectors.request_type_get_for(actor=me, request_type_id=request_type_id)


@router.get(
    "/request-types/{request_type_id}/standards",
    response=list[StandardOut],
    summary="A request type's current standards, P1 to P4",
)
def standard_list(request: HttpRequest, request_type_id: int) -> list[ServiceStandard]:
    request_type = selectors.request_type_get_for(actor=_actor(request), request_type_id=request_type_id)
    current = selectors.standards_current(request_type=request_type)
    return [current[priority] for priority in sorted(current)]


@router.put(
    "/request-types/{request_type_id}/standards/{priority}",
    response=StandardOut,
    summary="Set the standard of a request type and priority",
)
def standard_set(
    request: HttpRequest, request_type_id: int, priority: PriorityCode, payload: StandardIn
) -> ServiceStandard:
    """Writes a new version; open requests move to it, finished ones keep the version they ran under."""
    me = _actor(request)
    request_type = selectors.request_type_get_for(actor=me, request_type_id=request_type_id)
    values = services.StandardInput(**{**payload.model_dump(), "pausing_statuses": tuple(payload.pausing_statuses)})
    return services.standard_set(actor=me, request_type=request_type, priority=priority, values=values)
