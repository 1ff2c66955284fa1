"""Internal service agreement endpoints: list and write agreements, decide on their terms, and read
how they were kept (ADR 0012).

Every agreement is looked up through ``agreement_selectors.agreement_get_for`` (404 for whoever may
not see it), and every write goes through a service in ``agreements``; this module only turns JSON
into arguments and rows into JSON. A write answers with the agreement as the caller now sees it.
Dates are ISO dates (``2027-06-30``); date-times ISO 8601 with a time zone.

No ``from __future__ import annotations`` here: ninja's ``@paginate`` wrapper resolves the
endpoint's annotations in its own module, where names such as ``Query`` do not exist.
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AwareDatetime, ConfigDict

from insideout.core.errors import NotFound
from insideout.core.pagination import IdsFirst, Mapped, Pagination
from insideout.core.text import MAX_ID, as_id
from insideout.people.models import Employee, Unit, User
from insideout.servicedesk.cooperation import agreement_selectors as selectors
from insideout.servicedesk.cooperation import agreements
from insideout.servicedesk.cooperation.agreements import TargetInput, TermsInput
from insideout.servicedesk.cooperation.models import Agreement, AgreementVersion
from insideout.servicedesk.models import Service

IdIn = Annotated[int, Field(ge=1, le=MAX_ID)]
PriorityCode = Literal["P1", "P2", "P3", "P4"]
AgreementStateCode = Literal["draft", "proposed", "active", "expired"]
VersionStateCode = Literal["draft", "proposed", "accepted", "superseded", "declined"]
SideCode = Literal["provider", "consumer"]
SIDES: tuple[SideCode, SideCode] = ("provider", "consumer")
MINUTES = "Whole minutes of the desk's business time (24/7 when the public standard says so), 1 to 500,000."

router = Router(tags=["agreements"])


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _agreement_for(request: HttpRequest, agreement_id: int) -> Agreement:
    if as_id(agreement_id) is None:  # larger than any id: never reaches the database
        raise NotFound(_("No agreement with this id."))
    return selectors.agreement_get_for(actor=_actor(request), agreement_id=agreement_id)


# --- schemas: what comes in ----------------------------------------------------------------------


class AgreementFilters(Schema):
    state: AgreementStateCode | None = None
    unit: IdIn | None = Field(None, description="Only agreements this unit provides or consumes.")


class TargetIn(Schema):
    model_config = ConfigDict(extra="forbid")

    service: IdIn = Field(..., description="A service the agreement covers.")
    priority: PriorityCode
    first_response_minutes: int = Field(..., description=MINUTES)
    resolution_minutes: int = Field(..., description=f"{MINUTES} Not less than the first response.")


class TermsIn(Schema):
    """The terms both operations take; each operation has its own schema below."""

    model_config = ConfigDict(extra="forbid")

    services: list[IdIn] = Field(..., max_length=100, description="Ids of the providing desk's services it covers.")
    targets: list[TargetIn] = Field(
        default_factory=list,
        max_length=400,
        description="Agreed targets per covered service and priority; a priority without one keeps the public one.",
    )
    provider_contact: IdIn = Field(..., description="A person of the providing unit or a unit below it.")
    consumer_contact: IdIn = Field(..., description="A person of the consuming unit or a unit below it.")
    starts_on: date = Field(..., description="From this day the consumer's new requests run under it.")
    review_on: date = Field(
        ..., description="Today or later, after the start, within five years; past it the agreement expires."
    )
    remind_days: int = Field(14, description="Both sides are reminded this many days before the review (0 to 365).")
    note: str = Field("", max_length=5000)

    def terms(self) -> TermsInput:
        return TermsInput(
            services=self.services,
            targets=[
                TargetInput(
                    service=target.service,
                    priority=target.priority,
                    first_response_minutes=target.first_response_minutes,
                    resolution_minutes=target.resolution_minutes,
                )
                for target in self.targets
            ],
            provider_contact=self.provider_contact,
            consumer_contact=self.consumer_contact,
            starts_on=self.starts_on,
            review_on=self.review_on,
            remind_days=self.remind_days,
            note=self.note,
        )


class AgreementCreateIn(TermsIn):
    provider: IdIn = Field(..., description="The providing unit: it has a service desk.")
    consumer: IdIn = Field(..., description="The consuming unit; another unit than the provider.")
    title: str = Field(..., max_length=200)
    propose: bool = Field(True, description="Propose it to the other side at once; false: save a draft.")


class AgreementReviseIn(TermsIn):
    reason: str = Field("", max_length=5000, description="Why the terms change; required once terms are in force.")
    title: str | None = Field(None, max_length=200, description="A new title; leave it out to keep the title.")
    propose: bool = Field(
        True, description="Propose the new terms; false keeps a draft a draft (a proposal is always proposed)."
    )


class DeclineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=5000, description="Why; optional.")


class AdherenceFilters(Schema):
    from_: AwareDatetime | None = Field(
        None, alias="from", description="ISO 8601 with a time zone. Default: when the agreement came into force."
    )
    to: AwareDatetime | None = Field(None, description="ISO 8601 with a time zone, after from. Default: now.")


# --- schemas: what goes out ----------------------------------------------------------------------


class RefOut(Schema):
    id: int
    name: str


class TargetOut(Schema):
    service: int
    priority: PriorityCode
    first_response_minutes: int
    resolution_minutes: int


class TermsOut(Schema):
    number: int = Field(..., description="1 is the first version of the terms.")
    state: VersionStateCode
    services: list[RefOut]
    targets: list[TargetOut]
    provider_contact: RefOut
    consumer_contact: RefOut
    starts_on: date
    review_on: date
    remind_days: int
    note: str
    reason: str = Field(..., description="Why a revision changes the terms; empty for the first version.")
    proposed_by: RefOut | None
    proposed_at: datetime | None
    provider_accepted_by: RefOut | None
    provider_accepted_at: datetime | None
    consumer_accepted_by: RefOut | None
    consumer_accepted_at: datetime | None


class AgreementListItemOut(Schema):
    id: int
    title: str
    state: AgreementStateCode
    provider: RefOut
    consumer: RefOut
    starts_on: date | None = Field(..., description="Of the terms in force; null until both sides accepted.")
    review_on: date | None = Field(..., description="Of the terms in force; null until both sides accepted.")
    activated_at: datetime | None
    expired_at: datetime | None


class AgreementOut(Schema):
    id: int
    title: str
    state: AgreementStateCode
    provider: RefOut
    consumer: RefOut
    current: TermsOut | None = Field(..., description="The terms in force: the version both sides accepted last.")
    pending: TermsOut | None = Field(..., description="A draft or a proposal waiting for acceptance.")
    activated_at: datetime | None
    expired_at: datetime | None
    created_at: datetime
    my_sides: list[SideCode] = Field(
        ..., description="The sides the caller signs for (as a lead of the unit or above)."
    )
    can_accept: bool = Field(..., description="Whether a proposal waits for a side the caller signs for.")


class MetricAdherenceOut(Schema):
    metric: Literal["first_response", "resolution"]
    met: int
    breached: int
    running: int
    met_rate: float | None = Field(..., description="met / (met + breached); null when no clock has an outcome.")


class CommitmentsAdherenceOut(Schema):
    kept: int
    broken: int
    kept_rate: float | None = Field(..., description="kept / (kept + broken); null when none is settled.")


class SatisfactionOut(Schema):
    ratings: int
    average: float | None
    counts: dict[str, int] = Field(..., description='Ratings by value, "1" to "5".')


class AdherenceOut(Schema):
    from_: datetime = Field(..., alias="from")
    to: datetime
    requests: int = Field(..., description="Requests made under the agreement in [from, to).")
    open_requests: int
    metrics: list[MetricAdherenceOut]
    commitments: CommitmentsAdherenceOut
    satisfaction: SatisfactionOut
    thanks: int


def _ref(row: Employee | Unit | Service | None) -> dict[str, Any] | None:
    return {"id": row.pk, "name": row.name} if row is not None else None


def _terms(version: AgreementVersion | None) -> dict[str, Any] | None:
    """A version as the schema's dict, from its prefetched services and targets."""
    if version is None:
        return None
    return {
        "number": version.number,
        "state": version.state,
        "services": [_ref(service) for service in sorted(version.services.all(), key=lambda row: (row.name, row.pk))],
        "targets": [
            {
                "service": target.service_id,
                "priority": target.priority,
                "first_response_minutes": target.first_response_minutes,
                "resolution_minutes": target.resolution_minutes,
            }
            for target in sorted(version.targets.all(), key=lambda row: (row.service_id, row.priority))
        ],
        "provider_contact": _ref(version.provider_contact),
        "consumer_contact": _ref(version.consumer_contact),
        "starts_on": version.starts_on,
        "review_on": version.review_on,
        "remind_days": version.remind_days,
        "note": version.note,
        "reason": version.reason,
        "proposed_by": _ref(version.proposed_by),
        "proposed_at": version.proposed_at,
        "provider_accepted_by": _ref(version.provider_accepted_by),
        "provider_accepted_at": version.provider_accepted_at,
        "consumer_accepted_by": _ref(version.consumer_accepted_by),
        "consumer_accepted_at": version.consumer_accepted_at,
    }


def _parties(agreement: Agreement) -> dict[str, Any]:
    return {
        "id": agreement.pk,
        "title": agreement.title,
        "state": agreement.state,
        "provider": _ref(agreement.provider),
        "consumer": _ref(agreement.consumer),
        "activated_at": agreement.activated_at,
        "expired_at": agreement.expired_at,
    }


def _list_items(rows: list[Agreement]) -> list[dict[str, Any]]:
    return [
        {
            **_parties(row),
            "starts_on": row.current.starts_on if row.current is not None else None,
            "review_on": row.current.review_on if row.current is not None else None,
        }
        for row in rows
    ]


def _detail(request: HttpRequest, agreement_id: int) -> dict[str, Any]:
    """The agreement as the caller now sees it: four queries after the lookup (its versions with
    their services and targets, and the units the caller leads)."""
    agreement = _agreement_for(request, agreement_id)
    standing = selectors.standing_of(actor=_actor(request), agreement=agreement)
    return {
        **_parties(agreement),
        "current": _terms(standing.current),
        "pending": _terms(standing.pending),
        "created_at": agreement.created_at,
        "my_sides": [side for side in SIDES if side in standing.sides],
        "can_accept": bool(standing.to_accept),
    }


# --- endpoints -----------------------------------------------------------------------------------


@router.get("/agreements", response=list[AgreementListItemOut], summary="The agreements I may see")
@paginate(Pagination)
def agreement_list(request: HttpRequest, filters: Query[AgreementFilters]) -> object:
    """Agreements between the caller's unit (or a unit above it) and another, and those of the units
    the caller leads and below; live ones first, then by title. ``unit`` keeps those it provides or
    consumes."""
    found = selectors.agreement_list_for(actor=_actor(request), state=filters.state or "", unit_id=filters.unit)
    return Mapped(IdsFirst(found), _list_items)


@router.post("/agreements", response={201: AgreementOut}, summary="Write an agreement")
def agreement_create(request: HttpRequest, payload: AgreementCreateIn) -> Status[dict[str, Any]]:
    """A lead of either unit (or of a unit above it). Proposing counts as the proposer's side
    accepting; a lead of both sides puts it in force at once. A second agreement between the same two
    units that is not expired is a 409; every invalid term is a 422 naming its field."""
    agreement = agreements.agreement_create(
        actor=_actor(request),
        provider_id=payload.provider,
        consumer_id=payload.consumer,
        title=payload.title,
        terms=payload.terms(),
        propose=payload.propose,
    )
    return Status(201, _detail(request, agreement.pk))


@router.get("/agreements/{agreement_id}", response=AgreementOut, summary="One agreement, with its terms")
def agreement_detail(request: HttpRequest, agreement_id: int) -> dict[str, Any]:
    return _detail(request, agreement_id)


@router.post("/agreements/{agreement_id}/propose", response=AgreementOut, summary="Propose a draft")
def agreement_propose(request: HttpRequest, agreement_id: int) -> dict[str, Any]:
    """Those who sign for a side send the draft to the other; anything but a draft is a 409."""
    agreement = _agreement_for(request, agreement_id)
    agreements.agreement_propose(actor=_actor(request), agreement=agreement)
    return _detail(request, agreement.pk)


@router.post("/agreements/{agreement_id}/accept", response=AgreementOut, summary="Accept the proposed terms")
def agreement_accept(request: HttpRequest, agreement_id: int) -> dict[str, Any]:
    """For the caller's sides; once both sides have accepted, the terms are in force and open requests
    under the agreement follow them. Nothing to accept, or accepting twice, is a 409."""
    agreement = _agreement_for(request, agreement_id)
    agreements.agreement_accept(actor=_actor(request), agreement=agreement)
    return _detail(request, agreement.pk)


@router.post("/agreements/{agreement_id}/decline", response=AgreementOut, summary="Decline or withdraw a proposal")
def agreement_decline(request: HttpRequest, agreement_id: int, payload: DeclineIn) -> dict[str, Any]:
    """A first proposal goes back to being a draft; a declined revision leaves the terms in force."""
    agreement = _agreement_for(request, agreement_id)
    agreements.agreement_decline(actor=_actor(request), agreement=agreement, reason=payload.reason)
    return _detail(request, agreement.pk)


@router.post("/agreements/{agreement_id}/revise", response=AgreementOut, summary="Propose new terms")
def agreement_revise(request: HttpRequest, agreement_id: int, payload: AgreementReviseIn) -> dict[str, Any]:
    """A draft is rewritten; a pending proposal is replaced; otherwise a revision is proposed and the
    terms in force stay until both sides accept it."""
    agreement = _agreement_for(request, agreement_id)
    agreements.agreement_revise(
        actor=_actor(request),
        agreement=agreement,
        terms=payload.terms(),
        reason=payload.reason,
        title=payload.title,
        propose=payload.propose,
    )
    return _detail(request, agreement.pk)


@router.get(
    "/agreements/{agreement_id}/adherence",
    response=AdherenceOut,
    by_alias=True,
    summary="How an agreement was kept",
)
def agreement_adherence(request: HttpRequest, agreement_id: int, period: Query[AdherenceFilters]) -> dict[str, Any]:
    """Over the requests made under it in [from, to): each clock met, breached or still running, the
    commitments kept and broken, the ratings and the thank-yous. A time without a zone, one that is no
    date-time, or ``to`` not after ``from`` is a 422 naming the field."""
    agreement = _agreement_for(request, agreement_id)
    start = period.from_ or agreement.activated_at or agreement.created_at
    end = period.to or timezone.now()
    if end <= start:
        field = "to" if period.to is not None else "from"
        raise ValidationError({field: [_("The end of the period comes after its start.")]})
    return agreements.adherence_payload(selectors.adherence_of(agreement=agreement, start=start, end=end))
