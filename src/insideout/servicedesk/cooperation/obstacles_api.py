"""Obstacle endpoints: flag an obstacle on a request, list a request's obstacles, resolve one.

Every id in a path or body is looked up through a selector scoped to the caller, and every write
goes through a service; this module only turns JSON into arguments and rows into JSON. An obstacle
waits on exactly one thing: ``{"person": id}``, ``{"request": id}`` (a request the caller can see)
or ``{"outside": "text"}``.
"""

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from insideout.core.text import MAX_ID
from insideout.people.models import User
from insideout.servicedesk import selectors as desk_selectors
from insideout.servicedesk.cooperation import selectors, services
from insideout.servicedesk.cooperation.models import Obstacle

IdIn = Annotated[int, Field(ge=1, le=MAX_ID)]

router = Router(tags=["cooperation"])


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class WaitingOnIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person: IdIn | None = Field(None, description="A person's id.")
    request: IdIn | None = Field(None, description="Another request's id, one you can see and still open.")
    outside: str | None = Field(None, max_length=200, description="An outside party, in words.")


class ObstacleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(..., max_length=5000, description="What is blocking.")
    waiting_on: WaitingOnIn = Field(
        ..., description='Exactly one of {"person": id}, {"request": id} or {"outside": "text"}.'
    )
    expected_at: datetime = Field(
        ...,
        description="The expected new date: ISO 8601 with a time zone, e.g. 2026-11-26T15:00:00+01:00; in the future.",
    )


class ResolveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=5000, description="How it was cleared; optional.")


class WaitingOnOut(Schema):
    kind: Literal["person", "request", "outside"]
    person: int | None
    person_name: str
    request: int | None
    request_key: str = Field(..., examples=["HR-7"])
    outside: str


class ObstacleOut(Schema):
    id: int
    request: int
    request_key: str = Field(..., examples=["IT-1042"])
    description: str
    waiting_on: WaitingOnOut
    expected_at: datetime
    state: Literal["open", "resolved"]
    flagged_by: int
    flagged_by_name: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: int | None
    resolution_note: str

    @staticmethod
    def resolve_request(obj: Obstacle) -> int:
        return obj.request_id

    @staticmethod
    def resolve_request_key(obj: Obstacle) -> str:
        return obj.request.key

    @staticmethod
    def resolve_waiting_on(obj: Obstacle) -> dict[str, object]:
        person, waited = obj.waiting_on_person, obj.waiting_on_request
        return {
            "kind": obj.waiting_on,
            "person": obj.waiting_on_person_id,
            "person_name": person.name if person is not None else "",
            "request": obj.waiting_on_request_id,
            "request_key": waited.key if waited is not None else "",
            "outside": obj.waiting_on_outside,
        }

    @staticmethod
    def resolve_flagged_by(obj: Obstacle) -> int:
        return obj.flagged_by_id

    @staticmethod
    def resolve_flagged_by_name(obj: Obstacle) -> str:
        return obj.flagged_by.name

    @staticmethod
    def resolve_resolved_by(obj: Obstacle) -> int | None:
        return obj.resolved_by_id


@router.post("/requests/{request_id}/obstacles", response={201: ObstacleOut}, summary="Flag an obstacle")
def obstacle_flag(request: HttpRequest, request_id: int, payload: ObstacleIn) -> Status[Obstacle]:
    """An agent of the request's desk, on an open request (409 otherwise). The requester and the
    watchers are told at once. An expected date in the past, a request that is unknown, not yours to
    see, finished or this one itself are each a 422 naming the field."""
    me = _actor(request)
    found = desk_selectors.request_get_for(actor=me, request_id=request_id)
    obstacle = services.obstacle_flag(
        actor=me,
        request=found,
        description=payload.description,
        expected_at=payload.expected_at,
        waiting_on_person=payload.waiting_on.person,
        waiting_on_request=payload.waiting_on.request,
        waiting_on_outside=payload.waiting_on.outside,
    )
    return Status(201, selectors.obstacle_get_of(request=found, obstacle_id=obstacle.pk))


@router.get("/requests/{request_id}/obstacles", response=list[ObstacleOut], summary="A request's obstacles")
def obstacle_list(request: HttpRequest, request_id: int) -> list[Obstacle]:
    """Everyone who sees the request; the open obstacles first, newest first within each."""
    found = desk_selectors.request_get_for(actor=_actor(request), request_id=request_id)
    return selectors.obstacles_of(request=found)


@router.post("/obstacles/{obstacle_id}/resolve", response=ObstacleOut, summary="Resolve an obstacle")
def obstacle_resolve(request: HttpRequest, obstacle_id: int, payload: ResolveIn) -> Obstacle:
    """An agent of the request's desk; the requester and the watchers are told. Resolving it a
    second time is a 409."""
    me = _actor(request)
    obstacle = selectors.obstacle_get_for(actor=me, obstacle_id=obstacle_id)
    services.obstacle_resolve(actor=me, obstacle=obstacle, note=payload.note)
    return selectors.obstacle_get_of(request=obstacle.request, obstacle_id=obstacle.pk)
