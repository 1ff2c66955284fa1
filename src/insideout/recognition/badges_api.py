"""Badge, leaderboard, team-meter and certificate endpoints (tag ``badges``).

Every id in a path or body is looked up through a read scoped to the caller, and every write goes
through a service in ``badges`` or ``certificates``; this module only turns JSON into arguments and
rows into JSON. Members of the organisation see the catalog, anyone's badges (like the wall's public
recognitions), the leaderboards (a 409 when the organisation has switched them off) and the team
meters. ``POST /people/{id}/certificates`` answers with the PDF itself, or with ``"send": true``
e-mails it to the person and answers 202.

No ``from __future__ import annotations`` here: ninja resolves the endpoints' annotations in its own
module, where names such as ``Query`` do not exist.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from insideout.core.errors import NotFound
from insideout.core.text import MAX_ID, as_id
from insideout.people.models import User
from insideout.recognition import badges, certificates, leaderboards
from insideout.recognition.leaderboards import Standing, TeamMeter
from insideout.recognition.models import Badge, BadgeAward, BadgeRule

IdIn = Annotated[int, Field(ge=1, le=MAX_ID)]
WindowCode = Literal["ever", "streak", "days", "month"]
MetricCode = Literal["points", "recognitions", "badges"]
PeriodCode = Literal["month", "quarter", "year", "custom"]

router = Router(tags=["badges"])


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _id(value: int, message: str) -> int:
    if as_id(value) is None:  # larger than any id: never reaches the database
        raise NotFound(message)
    return value


# --- schemas: what comes in ----------------------------------------------------------------------


class GrantIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person: IdIn = Field(..., description="The person's id.")
    reason: str = Field(..., max_length=2000, description="What it is for; shown to the person and on the certificate.")


class LeaderboardFilters(Schema):
    metric: MetricCode = Field("points", description="What is ranked: points, recognitions or badges received.")
    period: PeriodCode = Field("month", description="The month, quarter or year that contains `at`, or `custom`.")
    at: date | None = Field(None, description="A day in the period; today by default.")
    first: date | None = Field(None, alias="from", description="With `period=custom`: the first day.")
    last: date | None = Field(None, alias="to", description="With `period=custom`: the last day (inclusive).")
    unit: IdIn | None = Field(None, description="Only this unit and the units below it.")
    top: int = Field(10, ge=1, le=leaderboards.MAX_TOP, description="How many rows, at most.")


class TeamGoalFilters(Schema):
    unit: IdIn | None = Field(None, description="Only this unit's goals.")
    on: date | None = Field(None, description="Only the goals whose period includes this day.")


class CertificateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    award: IdIn = Field(..., description="The id of one of the person's badge awards.")
    send: bool = Field(False, description="E-mail it to the person (202) instead of answering with the PDF.")


# --- schemas: what goes out ----------------------------------------------------------------------


class RuleOut(Schema):
    event_type: str
    also_counts: list[str]
    counted_for: str
    condition: dict[str, object]
    threshold: int
    window: WindowCode
    window_days: int | None
    breaks_on: str
    distinct_on: str
    is_active: bool
    in_words: str = Field(..., examples=["20 × commitments kept in a row (a commitment broken starts again)"])

    @staticmethod
    def resolve_in_words(obj: BadgeRule) -> str:
        return badges.rule_in_words(obj)


class BadgeOut(Schema):
    id: int
    name: str
    description: str
    icon: str
    kind: Literal["auto", "manual"]
    rules: list[RuleOut]

    @staticmethod
    def resolve_rules(obj: Badge) -> list[BadgeRule]:
        return list(obj.rules.all())


class BadgeAwardOut(Schema):
    id: int
    badge: int
    badge_name: str
    icon: str
    awarded_at: datetime
    achievement: str = Field(..., examples=["month 2026-12"])
    achievement_label: str = Field(..., examples=["December 2026"])
    reason: str
    granted_by: int | None
    granted_by_name: str

    @staticmethod
    def resolve_badge(obj: BadgeAward) -> int:
        return obj.badge_id

    @staticmethod
    def resolve_badge_name(obj: BadgeAward) -> str:
        return obj.badge.name

    @staticmethod
    def resolve_icon(obj: BadgeAward) -> str:
        return obj.badge.icon

    @staticmethod
    def resolve_achievement_label(obj: BadgeAward) -> str:
        return badges.achievement_in_words(obj)

    @staticmethod
    def resolve_granted_by(obj: BadgeAward) -> int | None:
        return obj.granted_by_id

    @staticmethod
    def resolve_granted_by_name(obj: BadgeAward) -> str:
        return obj.granted_by.name if obj.granted_by is not None else ""


class StandingOut(Schema):
    rank: int = Field(..., description="Equal values share a rank: 1, 2, 2, 4.")
    person: int
    name: str
    unit: int | None
    unit_name: str
    value: int

    @staticmethod
    def resolve_person(obj: Standing) -> int:
        return obj.person_id

    @staticmethod
    def resolve_unit(obj: Standing) -> int | None:
        return obj.unit_id


class LeaderboardOut(Schema):
    metric: MetricCode
    period: PeriodCode
    first_day: date
    last_day: date
    unit: int | None
    rows: list[StandingOut]


class TeamMeterOut(Schema):
    id: int
    unit: int
    unit_name: str
    title: str
    metric: Literal["points", "recognitions"]
    target: int
    current: int
    percent: int = Field(..., description="Whole percent of the target, at most 100.")
    reached: bool
    starts_on: date
    ends_on: date


class CertificateSentOut(Schema):
    sent_to: str = Field(..., description="The person's e-mail address.")


# --- endpoints -----------------------------------------------------------------------------------


@router.get("/badges", response=list[BadgeOut], summary="The badge catalog")
def badge_list(request: HttpRequest) -> list[Badge]:
    """The badges in use, each with its rules as data and in words (a manual badge has none)."""
    return list(badges.badge_catalog(actor=_actor(request)))


@router.get("/people/{person_id}/badges", response=list[BadgeAwardOut], summary="A person's badges")
def person_badges(request: HttpRequest, person_id: int) -> list[BadgeAward]:
    """Newest first. Every member of the organisation may see anyone's badges; a person who is not
    an active member of the organisation is a 404."""
    person_id = _id(person_id, _("No active person has this id."))
    return list(badges.badge_awards_of(actor=_actor(request), person_id=person_id))


@router.post("/badges/{badge_id}/grant", response={201: BadgeAwardOut}, summary="Grant a manual badge")
def badge_grant(request: HttpRequest, badge_id: int, payload: GrantIn) -> Status[BadgeAward]:
    """The person's managers, the leads above them and people-ops (403 for anyone else, and for
    oneself). A badge awarded by rules, or one granted to the same person today already, is a 409."""
    me = _actor(request)
    badge = badges.badge_get_for(actor=me, badge_id=_id(badge_id, _("No badge with this id.")))
    award = badges.badge_grant(actor=me, badge=badge, person_id=payload.person, reason=payload.reason)
    return Status(201, award)


@router.get("/leaderboards", response=LeaderboardOut, summary="A leaderboard")
def leaderboard(request: HttpRequest, filters: Query[LeaderboardFilters]) -> dict[str, object]:
    """The top people by what they received in the period, in a unit and below it (or everyone);
    people with nothing are left out. A 409 when the organisation has switched leaderboards off."""
    period = leaderboards.period_resolve(period=filters.period, at=filters.at, first=filters.first, last=filters.last)
    rows = leaderboards.leaderboard(
        actor=_actor(request), metric=filters.metric, period=period, unit_id=filters.unit, top=filters.top
    )
    return {
        "metric": filters.metric,
        "period": filters.period,
        "first_day": period.first_day,
        "last_day": period.last_day,
        "unit": filters.unit,
        "rows": rows,
    }


@router.get("/team-goals", response=list[TeamMeterOut], summary="Team meters")
def team_goals(request: HttpRequest, filters: Query[TeamGoalFilters]) -> list[dict[str, object]]:
    """Every unit's shared goals and how far each is, newest period first; shown even when
    leaderboards are off."""
    return [
        _meter(meter)
        for meter in leaderboards.team_goals_for(actor=_actor(request), unit_id=filters.unit, on=filters.on)
    ]


def _meter(meter: TeamMeter) -> dict[str, object]:
    goal = meter.goal
    fields = ("title", "metric", "target", "starts_on", "ends_on")
    return {
        "id": goal.pk,
        "unit": goal.unit_id,
        "unit_name": goal.unit.name,
        **{name: getattr(goal, name) for name in fields},
        "current": meter.current,
        "percent": meter.percent,
        "reached": meter.reached,
    }


@router.post(
    "/people/{person_id}/certificates",
    response={202: CertificateSentOut},
    summary="A badge award's certificate",
    openapi_extra={
        "responses": {
            200: {
                "description": "The certificate, a one-page PDF.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def certificate(request: HttpRequest, person_id: int, payload: CertificateIn) -> HttpResponse | Status[dict[str, str]]:
    """The certificate of one of the person's badge awards, signed by the caller: the person's
    managers, the leads above them and people-ops (403 for anyone else, and for oneself). Answers
    with the PDF, or with ``"send": true`` e-mails it to the person as an attachment (202)."""
    me = _actor(request)
    person_id = _id(person_id, _("No active person has this id."))
    award = badges.badge_award_get_for(
        actor=me, person_id=person_id, award_id=_id(payload.award, _("This person has no badge award with this id."))
    )
    if payload.send:
        return Status(202, {"sent_to": certificates.certificate_send(actor=me, award=award)})
    response = HttpResponse(certificates.certificate_make(actor=me, award=award), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificates.filename_of(award)}"'
    return response
