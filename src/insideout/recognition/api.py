"""Recognition endpoints: the values, recognitions and boosts, my points and my ledger, the rewards
catalog and redemptions, and spot awards (tag ``recognition``; badges are in ``badges_api``).

Every id in a path is looked up through a selector scoped to the caller (404 for what they may not
see), and every write goes through a service (``services``, ``rewards``, ``awards``), which refuses
bad input with nothing moved; this module only turns JSON into arguments and rows into JSON. Only
members of the organisation take part: an account without a person gets a 403. Points are whole
numbers; money is a string with two decimals (``"12.50"``) in ``currency``.

A recognition may say what it was for (a request or a commitment). Recognition does not read the
service desk, so the id is stored as given, and so is the ``label`` the caller sends to show it by.

No ``from __future__ import annotations`` here: ninja's ``@paginate`` wrapper resolves the
endpoint's annotations in its own module, where names such as ``Query`` do not exist.
"""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from insideout.core.errors import Forbidden, NotFound
from insideout.core.pagination import IdsFirst, Loaded, Mapped, Pagination
from insideout.core.text import MAX_ID, as_id
from insideout.people.models import Employee, User
from insideout.recognition import awards, reports, rewards, selectors, services, thanks
from insideout.recognition.models import Award, Entry, Redemption, Reward, Value

IdIn = Annotated[int, Field(ge=1, le=MAX_ID)]
VisibilityCode = Literal["public", "team", "private"]
RedemptionStateCode = Literal["held", "issued", "cancelled"]
AwardStateCode = Literal["pending", "paid", "rejected"]
# What a recognition may be for, as the API names it and as the service desk names its subjects.
FOR_TYPES = {"request": "servicedesk.request", "commitment": "servicedesk.commitment"}
FOR_NAMES = {stored: name for name, stored in FOR_TYPES.items()}
POINTS = "Whole points, not negative."

router = Router(tags=["recognition"])


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _member(request: HttpRequest) -> Employee:
    employee = selectors.member_of(_actor(request))
    if employee is None:
        raise Forbidden(_("Only members of the organisation can do this."))
    return employee


def _id(value: int, message: str) -> int:
    if as_id(value) is None:  # larger than any id: never reaches the database
        raise NotFound(message)
    return value


def _money(cents: int) -> str:
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))


def _ref(person: Employee | None) -> dict[str, Any] | None:
    return {"id": person.pk, "name": person.name} if person is not None else None


# --- schemas: what comes in ----------------------------------------------------------------------


class ForIn(Schema):
    model_config = ConfigDict(extra="forbid")

    type: Literal["request", "commitment"]
    id: IdIn = Field(..., description="The request's or commitment's id; stored as given.")
    label: str = Field(
        "", max_length=200, description="How to show it, e.g. `IT-1042 New laptop`; stored as given, or empty."
    )


class RecognitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to: list[IdIn] = Field(default_factory=list, max_length=50, description="Person ids; not yourself.")
    team: IdIn | None = Field(None, description="A unit id: recognises its active members (but you) too.")
    message: str = Field(..., max_length=10_000, description="What they did; at most 2,000 characters.")
    values: list[IdIn] = Field(..., max_length=20, description="Ids of the organisation's values; at least one.")
    points: int = Field(0, description=f"To each recipient, from your monthly allowance. {POINTS}")
    for_: ForIn | None = Field(None, alias="for", description="What it was for; optional.")
    email_thanks: bool = Field(
        False,
        description="Also e-mail each recipient a personal thank-you in their language, once the recognition is saved.",
    )


class RecognitionFilters(Schema):
    scope: Literal["wall", "mine", "given"] = Field(
        "wall", description="wall: the public ones; mine: those I received; given: those I gave."
    )
    value: IdIn | None = Field(None, description="Only those naming this value.")
    unit: IdIn | None = Field(None, description="Only those with a recipient in this unit.")
    person: IdIn | None = Field(None, description="Only those with this person among the recipients.")


class BoostIn(Schema):
    model_config = ConfigDict(extra="forbid")

    points: int = Field(..., description="To each recipient, from your monthly allowance; at least 1.")


class RedemptionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reward: IdIn = Field(..., description="A reward of the catalog (`GET /rewards`).")
    quantity: int = Field(1, description="1 to 100.")


class RedemptionFilters(Schema):
    mine: bool = Field(True, description="false: everyone's (people-ops only).")
    state: RedemptionStateCode | None = None


class FulfilIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=2000, description="The code or tracking note the person needs.")


class CancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=2000, description="Why; optional.")


class AwardIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to: IdIn = Field(..., description="A person id; not yourself.")
    points: int = Field(..., description="From your spot-award budget; at least 1.")
    reason: str = Field(..., max_length=10_000, description="What it is for; at most 2,000 characters.")
    values: list[IdIn] = Field(default_factory=list, max_length=20, description="Ids of the organisation's values.")


class AwardFilters(Schema):
    role: Literal["approver", "giver", "recipient"] | None = Field(
        None, description="Awards I may decide on, gave or received; all three when left out."
    )
    state: AwardStateCode | None = None


class DecideIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=2000, description="Optional; the giver sees it.")


# --- schemas: what goes out ----------------------------------------------------------------------


class RefOut(Schema):
    id: int
    name: str


class ValueOut(Schema):
    id: int
    name: str
    description: str
    position: int


class RecipientOut(Schema):
    id: int
    name: str
    points: int = Field(..., description="What this recognition gave them (boosts not counted).")


class ForOut(Schema):
    type: str = Field(..., description="request, commitment, or what another part of InsideOut calls its subject.")
    id: str = Field(..., description="As given, in text.")
    label: str


class BoostsOut(Schema):
    count: int
    points: int = Field(..., description="Boosted points to each recipient, all boosts together.")
    mine: bool = Field(..., description="Whether I boosted it.")


class RecognitionOut(Schema):
    id: int
    giver: RefOut
    recipients: list[RecipientOut]
    team: RefOut | None = Field(..., description="The unit recognised as a whole, if one was.")
    message: str
    values: list[RefOut]
    visibility: VisibilityCode = Field(..., description="The most private of the recipients' preferences.")
    points_total: int = Field(..., description="Every point it moved, boosts included.")
    for_: ForOut | None = Field(..., alias="for")
    boosts: BoostsOut
    created_at: datetime


class PointsOut(Schema):
    allowance: int = Field(..., description="Left to give this month; refilled on the 1st, unused points expire.")
    earned: int = Field(..., description="Received, to spend on rewards; never expire.")
    budget: int | None = Field(..., description="Left of the monthly spot-award budget; null without one.")
    value_of_earned: str = Field(..., examples=["12.50"], description="What the earned points are worth.")
    currency: str = Field(..., examples=["EUR"])


class SubjectOut(Schema):
    type: str = Field(..., examples=["recognition.recognition"])
    id: str


class LedgerLineOut(Schema):
    id: int
    at: datetime
    kind: str = Field(..., examples=["give"], description="give, boost, award, refill, expiry, grant, hold, …")
    account: Literal["allowance", "earned", "budget"]
    amount: int = Field(..., description="Into (positive) or out of (negative) the account.")
    memo: str
    subject: SubjectOut | None = Field(..., description="What the movement was for.")


class RewardOut(Schema):
    id: int
    name: str
    description: str
    kind: Literal["merchandise", "gift_card", "experience", "donation"]
    picture: str | None = Field(..., description="The picture's address, or null.")
    points_cost: int
    value: str = Field(..., examples=["5.00"], description="What one is worth in money.")
    stock: int | None = Field(..., description="How many are left; null: no limit.")
    per_person_limit: int | None
    countries: list[str] = Field(..., description="Where it is offered (ISO codes); empty: everywhere.")

    @staticmethod
    def resolve_picture(obj: Reward) -> str | None:
        return obj.picture.url if obj.picture else None

    @staticmethod
    def resolve_value(obj: Reward) -> str:
        return str(reports.points_value(obj.points_cost))


class RedemptionOut(Schema):
    id: int
    reward: RefOut
    person: RefOut
    quantity: int
    points: int
    value: str = Field(..., examples=["10.00"], description="What it was worth in money when redeemed.")
    currency: str
    state: RedemptionStateCode = Field(..., description="held (the points are held), issued or cancelled.")
    note: str = Field(..., description="The code or tracking note, or why it was cancelled.")
    created_at: datetime
    decided_at: datetime | None

    @staticmethod
    def resolve_reward(obj: Redemption) -> dict[str, Any]:
        return {"id": obj.reward_id, "name": obj.reward.name}

    @staticmethod
    def resolve_person(obj: Redemption) -> dict[str, Any] | None:
        return _ref(obj.employee)

    @staticmethod
    def resolve_value(obj: Redemption) -> str:
        return _money(obj.value_cents)


class AwardOut(Schema):
    id: int
    giver: RefOut
    recipient: RefOut
    points: int
    reason: str
    values: list[RefOut]
    state: AwardStateCode
    needs_approval: bool = Field(..., description="Above the threshold: it waited, or waits, for a second person.")
    approver: RefOut | None = Field(..., description="Who is asked to approve; null: people-ops.")
    decided_by: RefOut | None
    decided_at: datetime | None
    decision_note: str
    created_at: datetime

    @staticmethod
    def resolve_giver(obj: Award) -> dict[str, Any] | None:
        return _ref(obj.giver)

    @staticmethod
    def resolve_recipient(obj: Award) -> dict[str, Any] | None:
        return _ref(obj.recipient)

    @staticmethod
    def resolve_values(obj: Award) -> list[Value]:
        return list(obj.values.all())

    @staticmethod
    def resolve_needs_approval(obj: Award) -> bool:
        return obj.hold_id is not None

    @staticmethod
    def resolve_approver(obj: Award) -> dict[str, Any] | None:
        return _ref(obj.approver)

    @staticmethod
    def resolve_decided_by(obj: Award) -> dict[str, Any] | None:
        return _ref(obj.decided_by)


# --- recognitions as JSON ------------------------------------------------------------------------


def _recognition(row: selectors.Shown, boosts: selectors.Boosts) -> dict[str, Any]:
    """One recognition read with ``selectors.shown_by_id`` (no further query)."""
    return {
        "id": row.pk,
        "giver": {"id": row.giver.pk, "name": row.giver.name},
        "recipients": [{"id": person.pk, "name": person.name, "points": person.points} for person in row.recipients],
        "team": {"id": row.team.pk, "name": row.team.name} if row.team is not None else None,
        "message": row.message,
        "values": [{"id": value.pk, "name": value.name} for value in row.values],
        "visibility": row.visibility,
        "points_total": row.points_total,
        "for": (
            {"type": FOR_NAMES.get(row.for_type, row.for_type), "id": row.for_id, "label": row.for_label}
            if row.for_type
            else None
        ),
        "boosts": {"count": boosts.count, "points": boosts.points, "mine": boosts.mine},
        "created_at": row.created_at,
    }


def _recognitions(rows: list[selectors.Shown], employee: Employee) -> list[dict[str, Any]]:
    """A page of recognitions, with their boosts in one more query."""
    boosts = selectors.boosts_of(recognition_ids=[row.pk for row in rows], employee_id=employee.pk)
    return [_recognition(row, boosts.get(row.pk, selectors.Boosts())) for row in rows]


def _recognition_detail(request: HttpRequest, recognition_id: int) -> dict[str, Any]:
    """The recognition as the caller now sees it."""
    employee = _member(request)
    found = selectors.shown_for(
        actor=_actor(request), recognition_id=_id(recognition_id, _("No recognition with this id."))
    )
    return _recognitions([found], employee)[0]


def _ledger_lines(rows: list[Entry]) -> list[dict[str, Any]]:
    return [
        {
            "id": row.pk,
            "at": row.transaction.occurred_at,
            "kind": row.transaction.kind,
            "account": row.account.kind,
            "amount": row.amount,
            "memo": row.transaction.memo,
            "subject": (
                {"type": row.transaction.subject_type, "id": row.transaction.subject_id}
                if row.transaction.subject_type
                else None
            ),
        }
        for row in rows
    ]


# --- values and recognitions ---------------------------------------------------------------------


@router.get("/values", response=list[ValueOut], summary="The organisation's values")
def value_list(request: HttpRequest) -> list[Value]:
    """The values a recognition may name, in the organisation's order."""
    _member(request)
    return list(selectors.values_active())


@router.post("/recognitions", response={201: RecognitionOut}, by_alias=True, summary="Recognise colleagues")
def recognition_give(request: HttpRequest, payload: RecognitionIn) -> Status[dict[str, Any]]:
    """People (``to``), a whole team (``team``: its active members but you), or both, with a message
    and values; ``points`` go to each recipient from your monthly allowance. Who sees it follows the
    recipients' recognition preferences (the most private wins). More points than the allowance
    has left is a 409; yourself, an unknown person, unit or value, negative points, more than the
    monthly cap for one person, or an empty message a 422 naming the field. Nothing moves then."""
    for_ref = (
        (FOR_TYPES[payload.for_.type], str(payload.for_.id), payload.for_.label) if payload.for_ is not None else None
    )
    recognition = services.recognition_give(
        actor=_actor(request),
        to=payload.to,
        team_id=payload.team,
        message=payload.message,
        values=payload.values,
        points=payload.points,
        for_ref=for_ref,
    )
    if payload.email_thanks:
        thanks.thanks_email_after_commit(recognition_id=recognition.pk)
    # The giver always sees what they gave, and nobody has boosted it yet: no visibility check,
    # no boosts to count.
    return Status(201, _recognition(selectors.shown_by_id([recognition.pk])[recognition.pk], selectors.Boosts()))


@router.get("/recognitions", response=list[RecognitionOut], by_alias=True, summary="Recognitions")
@paginate(Pagination)
def recognition_list(request: HttpRequest, filters: Query[RecognitionFilters]) -> object:
    """The wall (public ones), those I received, or those I gave; newest first."""
    employee = _member(request)
    found = selectors.recognition_list_for(
        actor=_actor(request),
        scope=filters.scope,
        value_id=filters.value,
        unit_id=filters.unit,
        person_id=filters.person,
    )
    return Mapped(Loaded(IdsFirst(found), selectors.shown_by_id), lambda rows: _recognitions(rows, employee))


@router.get("/recognitions/{recognition_id}", response=RecognitionOut, by_alias=True, summary="One recognition")
def recognition_detail(request: HttpRequest, recognition_id: int) -> dict[str, Any]:
    """A public one for every member; a team one for the recipients' units; a private one for the
    giver, the recipients and their managers (404 for everyone else)."""
    return _recognition_detail(request, recognition_id)


@router.post(
    "/recognitions/{recognition_id}/boost", response=RecognitionOut, by_alias=True, summary="Boost a recognition"
)
def recognition_boost(request: HttpRequest, recognition_id: int, payload: BoostIn) -> dict[str, Any]:
    """Add ``points`` of your allowance to each recipient of a public recognition, and answer with it.
    Not public, or yours (as giver or recipient): a 409; more than the allowance has left: a 409;
    fewer than 1 point or beyond the monthly cap for one person: a 422."""
    me = _actor(request)
    _member(request)
    recognition = selectors.recognition_get_for(
        actor=me, recognition_id=_id(recognition_id, _("No recognition with this id."))
    )
    services.recognition_boost(actor=me, recognition=recognition, points=payload.points)
    return _recognition_detail(request, recognition.pk)


# --- my points -----------------------------------------------------------------------------------


@router.get("/me/points", response=PointsOut, summary="My points")
def my_points(request: HttpRequest) -> dict[str, Any]:
    """My allowance to give, my earned points and what they are worth, and my spot-award budget."""
    points = selectors.points_of(employee_id=_member(request).pk, holder=selectors.budget_holder(_actor(request)))
    return {
        "allowance": points.allowance,
        "earned": points.earned,
        "budget": points.budget,
        "value_of_earned": str(reports.points_value(points.earned)),
        "currency": settings.RECOGNITION_CURRENCY,
    }


@router.get("/me/ledger", response=list[LedgerLineOut], summary="My points' history")
@paginate(Pagination)
def my_ledger(request: HttpRequest) -> object:
    """Every movement on my allowance, earned points and budget, newest first."""
    return Mapped(IdsFirst(selectors.ledger_lines_of(employee_id=_member(request).pk)), _ledger_lines)


# --- rewards and redemptions ---------------------------------------------------------------------


@router.get("/rewards", response=list[RewardOut], summary="The rewards I can redeem")
@paginate(Pagination)
def reward_list(request: HttpRequest) -> object:
    """The catalog's rewards offered everywhere or in my country, in the catalog's order."""
    _member(request)
    return selectors.reward_list_for(actor=_actor(request))


def _redemption(request: HttpRequest, redemption_id: int) -> Redemption:
    return selectors.redemption_get_for(
        actor=_actor(request), redemption_id=_id(redemption_id, _("No redemption with this id."))
    )


@router.post("/redemptions", response={201: RedemptionOut}, summary="Redeem a reward")
def redemption_create(request: HttpRequest, payload: RedemptionIn) -> Status[Redemption]:
    """Holds the points (``quantity`` × the reward's cost) until people-ops, or the gift-card
    provider, fulfil it. More than my earned points, the stock or my limit for the reward, or a
    reward not offered in my country: a 409; no such reward in the catalog, or a quantity outside 1
    to 100: a 422. Nothing moves then."""
    _member(request)
    if not selectors.rewards_in_catalog().filter(pk=payload.reward).exists():
        raise ValidationError({"reward": [_("No reward with this id is in the catalog.")]})
    redemption = rewards.redemption_create(actor=_actor(request), reward_id=payload.reward, quantity=payload.quantity)
    return Status(201, _redemption(request, redemption.pk))


@router.get("/redemptions", response=list[RedemptionOut], summary="Redemptions")
@paginate(Pagination)
def redemption_list(request: HttpRequest, filters: Query[RedemptionFilters]) -> object:
    """Mine, newest first; with ``mine=false`` everyone's (people-ops only, 403 otherwise)."""
    me = _actor(request)
    if filters.mine:
        _member(request)
    elif not selectors.is_people_ops(me):
        raise Forbidden(_("Only people-ops see everyone's redemptions."))
    return IdsFirst(selectors.redemption_list_for(actor=me, mine=filters.mine, state=filters.state or ""))


@router.get("/redemptions/{redemption_id}", response=RedemptionOut, summary="One redemption")
def redemption_detail(request: HttpRequest, redemption_id: int) -> Redemption:
    """Mine, or anyone's for people-ops (404 otherwise)."""
    return _redemption(request, redemption_id)


@router.post("/redemptions/{redemption_id}/fulfil", response=RedemptionOut, summary="Mark a redemption issued")
def redemption_fulfil(request: HttpRequest, redemption_id: int, payload: FulfilIn) -> Redemption:
    """People-ops (403 for the person who redeemed it): the held points are spent. Not held any
    more: a 409."""
    redemption = _redemption(request, redemption_id)
    rewards.redemption_fulfil(actor=_actor(request), redemption=redemption, note=payload.note)
    return _redemption(request, redemption.pk)


@router.post("/redemptions/{redemption_id}/cancel", response=RedemptionOut, summary="Cancel a redemption")
def redemption_cancel(request: HttpRequest, redemption_id: int, payload: CancelIn) -> Redemption:
    """People-ops, or the person who redeemed it while no provider is ordering it (409 then): the
    points go back to the person and the stock to the catalog. Not held any more: a 409."""
    redemption = _redemption(request, redemption_id)
    rewards.redemption_cancel(actor=_actor(request), redemption=redemption, reason=payload.reason)
    return _redemption(request, redemption.pk)


# --- spot awards ---------------------------------------------------------------------------------


def _award(request: HttpRequest, award_id: int) -> Award:
    return selectors.award_get_for(actor=_actor(request), award_id=_id(award_id, _("No spot award with this id.")))


@router.post("/awards", response={201: AwardOut}, summary="Give a spot award")
def award_create(request: HttpRequest, payload: AwardIn) -> Status[Award]:
    """Managers and unit leads, from their monthly budget (403 for anyone without one). Up to the
    approval threshold it is paid at once; above it the points are held until the giver's manager, or
    people-ops, approve. More than the budget has left: a 409; yourself, an unknown person or value,
    fewer than 1 point or an empty reason: a 422. Nothing moves then."""
    award = awards.award_create(
        actor=_actor(request), to=payload.to, points=payload.points, reason=payload.reason, values=payload.values
    )
    return Status(201, _award(request, award.pk))


@router.get("/awards", response=list[AwardOut], summary="Spot awards")
@paginate(Pagination)
def award_list(request: HttpRequest, filters: Query[AwardFilters]) -> object:
    """Those I may decide on (``approver``: naming me as approver, and for people-ops every award
    that needed approval but those they gave or received), gave, or received; newest first."""
    _member(request)
    return IdsFirst(selectors.award_list_for(actor=_actor(request), role=filters.role or "", state=filters.state or ""))


@router.post("/awards/{award_id}/approve", response=AwardOut, summary="Approve a spot award")
def award_approve(request: HttpRequest, award_id: int, payload: DecideIn) -> Award:
    """The named approver or people-ops, never the giver nor the recipient (403): the held points go
    to the recipient. Decided already: a 409."""
    award = _award(request, award_id)
    awards.award_approve(actor=_actor(request), award=award, note=payload.note)
    return _award(request, award.pk)


@router.post("/awards/{award_id}/reject", response=AwardOut, summary="Reject a spot award")
def award_reject(request: HttpRequest, award_id: int, payload: DecideIn) -> Award:
    """As approving; the held points go back to the giver's budget."""
    award = _award(request, award_id)
    awards.award_reject(actor=_actor(request), award=award, note=payload.note)
    return _award(request, award.pk)
