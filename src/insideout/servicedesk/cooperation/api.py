"""Cooperation endpoints: commitments, needed-by negotiation, feedback and thanks.

Every id in a path or body is looked up through a selector scoped to the caller (a request through
``servicedesk.selectors.request_get_for``), and every write goes through a service; this module
only turns JSON into arguments and rows into JSON. Date-times are ISO 8601 with a time zone;
``moved_by`` is seconds, as a number.

No ``from __future__ import annotations`` here: ninja's ``@paginate`` wrapper resolves the
endpoint's annotations in its own module, where names such as ``Query`` do not exist.
"""

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from insideout.core.pagination import IdsFirst, Pagination
from insideout.core.text import MAX_ID
from insideout.people.models import User
from insideout.servicedesk import selectors as desk_selectors
from insideout.servicedesk.cooperation import selectors, services
from insideout.servicedesk.cooperation.models import Commitment, CommitmentRevision, Feedback, NeededBy, ThankYou
from insideout.servicedesk.models import Request

IdIn = Annotated[int, Field(ge=1, le=MAX_ID)]
CommitmentStateCode = Literal["open", "kept", "broken"]
WHEN = "ISO 8601 with a time zone, e.g. 2026-11-26T15:00:00+01:00; in the future."

router = Router(tags=["cooperation"])


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _request_for(request: HttpRequest, request_id: int) -> Request:
    return desk_selectors.request_get_for(actor=_actor(request), request_id=request_id)


# --- schemas -------------------------------------------------------------------------------------


class CommitmentOut(Schema):
    id: int
    request: int | None = Field(..., description="The request it is made on; null for a standalone commitment.")
    request_key: str = Field(..., examples=["IT-1042"], description="Empty for a standalone commitment.")
    title: str = Field(..., description="What is promised: the request's subject, or the standalone title.")
    note: str
    owner: int = Field(..., description="The person id of who committed.")
    owner_name: str
    to: int = Field(..., description="The person id of whom it is promised to.")
    to_name: str
    state: CommitmentStateCode
    due_at: datetime = Field(..., description="The current promise.")
    original_due_at: datetime = Field(..., description="The first promise.")
    moves: int = Field(..., description="How many times the promise was moved.")
    moved_by: float = Field(..., description="Seconds from the first promise to the current one (negative: earlier).")
    created_at: datetime
    settled_at: datetime | None = Field(..., description="When it was kept or broken.")

    @staticmethod
    def resolve_request(obj: Commitment) -> int | None:
        return obj.request_id

    @staticmethod
    def resolve_request_key(obj: Commitment) -> str:
        return obj.request.key if obj.request is not None else ""

    @staticmethod
    def resolve_title(obj: Commitment) -> str:
        return obj.request.subject if obj.request is not None else obj.title

    @staticmethod
    def resolve_owner(obj: Commitment) -> int:
        return obj.owner_id

    @staticmethod
    def resolve_owner_name(obj: Commitment) -> str:
        return obj.owner.name

    @staticmethod
    def resolve_to(obj: Commitment) -> int:
        return obj.recipient_id

    @staticmethod
    def resolve_to_name(obj: Commitment) -> str:
        return obj.recipient.name

    @staticmethod
    def resolve_moved_by(obj: Commitment) -> float:
        return obj.moved_by.total_seconds()


class RevisionOut(Schema):
    number: int = Field(..., description="1 is the original promise.")
    due_at: datetime
    reason: str
    by: int
    by_name: str
    created_at: datetime

    @staticmethod
    def resolve_by(obj: CommitmentRevision) -> int:
        return obj.by_id

    @staticmethod
    def resolve_by_name(obj: CommitmentRevision) -> str:
        return obj.by.name


class CommitmentDetailOut(CommitmentOut):
    revisions: list[RevisionOut] = Field(..., description="Every version, the original first.")

    @staticmethod
    def resolve_revisions(obj: Commitment) -> list[CommitmentRevision]:
        return selectors.commitment_revisions(commitment=obj)


def _detail(request: HttpRequest, commitment: Commitment) -> Commitment:
    """The commitment as the caller now sees it (after a change)."""
    return selectors.commitment_get_for(actor=_actor(request), commitment_id=commitment.pk)


class CommitmentFilters(Schema):
    mine: bool = Field(False, description="Only the commitments I made.")
    to_me: bool = Field(False, description="Only the commitments made to me.")
    state: CommitmentStateCode | None = None


class RequestCommitmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    due_at: datetime = Field(..., description=WHEN)
    note: str = Field("", max_length=5000)


class CommitmentCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to: IdIn = Field(..., description="The person id of whom it is promised to.")
    title: str = Field(..., max_length=200, description="What is promised.")
    due_at: datetime = Field(..., description=WHEN)
    note: str = Field("", max_length=5000)


class ReviseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    due_at: datetime = Field(..., description=WHEN)
    reason: str = Field(..., max_length=5000, description="Why it moves; required.")


class NeededByIn(Schema):
    model_config = ConfigDict(extra="forbid")

    needed_by: datetime = Field(..., description=WHEN)
    reason: str = Field(..., max_length=5000, description="Why it is needed then; required.")


class RespondIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: Literal["accept", "counter", "withdraw"]
    due_at: datetime | None = Field(None, description=f"Only with counter. {WHEN}")


class NeededByOut(Schema):
    id: int
    request: int
    needed_by: datetime
    reason: str
    state: Literal["within_standard", "proposed", "countered", "accepted", "withdrawn"]
    promised_at: datetime | None = Field(
        ..., description="What the date was compared with: the open commitment, else the resolution clock's due time."
    )
    counter_due_at: datetime | None
    requested_by: int
    responded_by: int | None
    commitment: int | None = Field(..., description="The commitment an accepted date became.")
    created_at: datetime

    @staticmethod
    def resolve_request(obj: NeededBy) -> int:
        return obj.request_id

    @staticmethod
    def resolve_requested_by(obj: NeededBy) -> int:
        return obj.requested_by_id

    @staticmethod
    def resolve_responded_by(obj: NeededBy) -> int | None:
        return obj.responded_by_id

    @staticmethod
    def resolve_commitment(obj: NeededBy) -> int | None:
        return obj.commitment_id


class FeedbackIn(Schema):
    model_config = ConfigDict(extra="forbid")

    rating: int = Field(..., description="1 (poor) to 5 (excellent).")
    comment: str = Field("", max_length=5000)


class FeedbackOut(Schema):
    id: int
    request: int
    rating: int
    comment: str
    created_at: datetime
    follow_up: bool = Field(..., description="Whether the rating opened a follow-up for the unit's lead.")

    @staticmethod
    def resolve_request(obj: Feedback) -> int:
        return obj.request_id

    @staticmethod
    def resolve_follow_up(obj: Feedback) -> bool:
        return hasattr(obj, "follow_up")


class ThanksIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to: list[IdIn] = Field(..., max_length=100, description="Person ids of the people who helped.")
    message: str = Field(..., max_length=5000)


class ThanksOut(Schema):
    id: int
    request: int
    to: list[int]
    message: str
    created_at: datetime

    @staticmethod
    def resolve_request(obj: ThankYou) -> int:
        return obj.request_id

    @staticmethod
    def resolve_to(obj: ThankYou) -> list[int]:
        return sorted(obj.recipients.values_list("pk", flat=True))


# --- commitments ---------------------------------------------------------------------------------


@router.post("/requests/{request_id}/commitments", response={201: CommitmentDetailOut}, summary="Commit to a date")
def request_commitment_create(
    request: HttpRequest, request_id: int, payload: RequestCommitmentIn
) -> Status[Commitment]:
    """An agent of the request's desk promises the requester a date and time. A request has at most
    one open commitment: a second is a 409 (revise the open one instead)."""
    commitment = services.commitment_create_for_request(
        actor=_actor(request), request=_request_for(request, request_id), due_at=payload.due_at, note=payload.note
    )
    return Status(201, _detail(request, commitment))


@router.post("/commitments", response={201: CommitmentDetailOut}, summary="Commit to a colleague")
def commitment_create(request: HttpRequest, payload: CommitmentCreateIn) -> Status[Commitment]:
    """A promise outside any request; marked done by its maker with ``/commitments/{id}/done``."""
    commitment = services.commitment_create(
        actor=_actor(request), to_id=payload.to, title=payload.title, due_at=payload.due_at, note=payload.note
    )
    return Status(201, _detail(request, commitment))


@router.get("/commitments", response=list[CommitmentOut], summary="My commitments")
@paginate(Pagination)
def commitment_list(request: HttpRequest, filters: Query[CommitmentFilters]) -> object:
    """What I committed (``mine=true``), what was committed to me (``to_me=true``), or both (neither),
    soonest due first; ``state`` narrows them."""
    return IdsFirst(
        selectors.commitment_list_for(
            actor=_actor(request), mine=filters.mine, to_me=filters.to_me, state=filters.state or ""
        )
    )


@router.get("/commitments/{commitment_id}", response=CommitmentDetailOut, summary="One commitment, with its versions")
def commitment_detail(request: HttpRequest, commitment_id: int) -> Commitment:
    return selectors.commitment_get_for(actor=_actor(request), commitment_id=commitment_id)


@router.post("/commitments/{commitment_id}/revise", response=CommitmentDetailOut, summary="Move a commitment")
def commitment_revise(request: HttpRequest, commitment_id: int, payload: ReviseIn) -> Commitment:
    """A new due time with a required reason; the recipient is told, and every version is kept."""
    me = _actor(request)
    commitment = selectors.commitment_get_for(actor=me, commitment_id=commitment_id)
    services.commitment_revise(actor=me, commitment=commitment, due_at=payload.due_at, reason=payload.reason)
    return _detail(request, commitment)


@router.post("/commitments/{commitment_id}/done", response=CommitmentDetailOut, summary="Mark a commitment done")
def commitment_done(request: HttpRequest, commitment_id: int) -> Commitment:
    """Standalone commitments only: kept when on time, broken when late. A request's commitment
    settles when the request is resolved (409 here)."""
    me = _actor(request)
    commitment = selectors.commitment_get_for(actor=me, commitment_id=commitment_id)
    services.commitment_done(actor=me, commitment=commitment)
    return _detail(request, commitment)


# --- needed-by -----------------------------------------------------------------------------------


@router.post("/requests/{request_id}/needed-by", response={201: NeededByOut}, summary="Say when you need it")
def needed_by_set(request: HttpRequest, request_id: int, payload: NeededByIn) -> Status[NeededBy]:
    """The requester only. Sooner than the request's promise: ``proposed``, and the desk is asked;
    otherwise ``within_standard``. One negotiation at a time per request (409)."""
    entry = services.needed_by_set(
        actor=_actor(request),
        request=_request_for(request, request_id),
        needed_by=payload.needed_by,
        reason=payload.reason,
    )
    return Status(201, entry)


@router.post(
    "/requests/{request_id}/needed-by/{needed_by_id}/respond",
    response=NeededByOut,
    summary="Accept, counter or withdraw a needed-by date",
)
def needed_by_respond(request: HttpRequest, request_id: int, needed_by_id: int, payload: RespondIn) -> NeededBy:
    """The desk's agents ``accept`` or ``counter`` (with ``due_at``) a proposed date; the requester
    ``accept``s a counter-proposal, or ``withdraw``s. An accepted date becomes the commitment."""
    found = _request_for(request, request_id)
    entry = selectors.needed_by_get_for(request=found, needed_by_id=needed_by_id)
    return services.needed_by_respond(
        actor=_actor(request), request=found, needed_by=entry, action=payload.action, due_at=payload.due_at
    )


# --- feedback and thanks -------------------------------------------------------------------------


@router.post("/requests/{request_id}/feedback", response={201: FeedbackOut}, summary="Rate a resolved request")
def feedback_give(request: HttpRequest, request_id: int, payload: FeedbackIn) -> Status[Feedback]:
    """The requester, once the request is resolved or closed; once (409 the second time). A 1 or 2
    opens a follow-up for the lead of the desk's unit."""
    feedback = services.feedback_give(
        actor=_actor(request), request=_request_for(request, request_id), rating=payload.rating, comment=payload.comment
    )
    return Status(201, feedback)


@router.post("/requests/{request_id}/thanks", response={201: ThanksOut}, summary="Thank the people who helped")
def thanks_send(request: HttpRequest, request_id: int, payload: ThanksIn) -> Status[ThankYou]:
    """Anyone who sees the request; each person thanked and their manager are told."""
    thanks = services.thanks_send(
        actor=_actor(request), request=_request_for(request, request_id), to=payload.to, message=payload.message
    )
    return Status(201, thanks)
