"""The badge endpoints under /api/v1/: the catalog, a person's badges, manual grants, leaderboards
(409 when switched off), team meters and certificates (the PDF, or e-mailed with 202); errors in the
one envelope."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from insideout.core.models import Event
from insideout.people.models import User
from insideout.recognition import badges, leaderboards, services
from insideout.recognition.models import Badge, BadgeAward, Value


@pytest.fixture
def tokens(org: dict[str, Any], token_for: Any) -> dict[str, str]:
    return {role: token_for(org[role], scope="write") for role in ("employee", "manager", "lead", "agent", "admin")} | {
        "employee_read": token_for(org["employee"])
    }


@pytest.fixture
def beyond(db: Any) -> Badge:
    return Badge.objects.get(name="Above and beyond")


def awards_and_events() -> list[Any]:
    return [list(BadgeAward.objects.values()), list(Event.objects.filter(type=badges.BADGE_AWARDED).values())]


def test_the_catalog_lists_badges_with_their_rules(api: Any, tokens: dict[str, str]) -> None:
    response = api("get", "/api/v1/badges", token=tokens["employee_read"])
    assert response.status_code == 200
    body = response.json()
    assert [badge["name"] for badge in body] == [
        "Promise keeper",
        "First responder",
        "Thanked",
        "Layer by layer",
        "Silo breaker",
        "Above and beyond",
    ]
    assert body[0]["rules"] == [
        {
            "event_type": "servicedesk.commitment_kept",
            "also_counts": [],
            "counted_for": "owner",
            "condition": {},
            "threshold": 20,
            "window": "streak",
            "window_days": None,
            "breaks_on": "servicedesk.commitment_broken",
            "distinct_on": "",
            "is_active": True,
            "in_words": "20 × commitments kept in a row (a commitment broken starts again)",
        }
    ]
    assert (body[5]["kind"], body[5]["rules"]) == ("manual", [])


def test_the_catalog_needs_a_member(api: Any, org: dict[str, Any], token_for: Any) -> None:
    response = api("get", "/api/v1/badges")
    assert (response.status_code, response.json()["detail"]) == (
        401,
        "Authentication required: send 'Authorization: Bearer <token>'.",
    )
    outsider = User.objects.create_user(username="olga", email="olga@example.org", password="x-y-z-w-v")
    response = api("get", "/api/v1/badges", token=token_for(outsider))
    assert response.status_code == 403
    assert response.json() == {"detail": "Only members of the organisation can do this.", "errors": []}


def test_a_manager_grants_and_everyone_sees_it(
    api: Any, org: dict[str, Any], tokens: dict[str, str], beyond: Badge
) -> None:
    eve = org["employee"]
    response = api(
        "post",
        f"/api/v1/badges/{beyond.pk}/grant",
        token=tokens["manager"],
        json={"person": eve.pk, "reason": "Closed the Q4 deal"},
    )
    assert response.status_code == 201
    granted = response.json()
    today = timezone.localdate()
    assert {key: value for key, value in granted.items() if key not in ("id", "awarded_at")} == {
        "badge": beyond.pk,
        "badge_name": "Above and beyond",
        "icon": "🌟",
        "achievement": f"granted {today.isoformat()}",
        "achievement_label": badges.achievement_in_words(BadgeAward.objects.get()),
        "reason": "Closed the Q4 deal",
        "granted_by": org["manager"].pk,
        "granted_by_name": "Mo Manager",
    }
    # Anyone in the organisation sees a person's badges, here Sam.
    seen = api("get", f"/api/v1/people/{eve.pk}/badges", token=tokens["agent"])
    assert (seen.status_code, [award["id"] for award in seen.json()]) == (200, [granted["id"]])


@pytest.mark.parametrize(
    ("who", "path", "data", "status", "detail"),
    [
        ("lead", "beyond", {"reason": "Good"}, 403, "Only Eve Employee's managers, the leads above them"),
        ("employee", "beyond", {"reason": "Me"}, 403, "You cannot grant yourself a badge."),
        ("employee_read", "beyond", {"reason": "Good"}, 403, "This token is read-only;"),
        ("manager", "thanked", {"reason": "Good"}, 409, "Thanked is awarded by its rules;"),
        ("manager", "unknown", {"reason": "Good"}, 404, "No badge with this id."),
        ("manager", "huge", {"reason": "Good"}, 404, "No badge with this id."),
        ("manager", "beyond", {"reason": " "}, 422, "The request is not valid; see errors."),
        ("manager", "beyond", {"reason": "Good", "points": 5}, 422, "The request is not valid; see errors."),
    ],
    ids=[
        "lead_of_another_unit_case",
        "oneself_case",
        "read_token_case",
        "automatic_badge_case",
        "unknown_badge_case",
        "huge_id_case",
        "blank_reason_case",
        "unknown_field_case",
    ],
)
def test_refused_grants_change_nothing(
    api: Any,
    org: dict[str, Any],
    tokens: dict[str, str],
    beyond: Badge,
    who: str,
    path: str,
    data: dict[str, Any],
    status: int,
    detail: str,
) -> None:
    ids = {"beyond": beyond.pk, "thanked": Badge.objects.get(name="Thanked").pk, "unknown": 999_999, "huge": 2**70}
    before = awards_and_events()
    response = api(
        "post",
        f"/api/v1/badges/{ids[path]}/grant",
        token=tokens[who],
        json={"person": org["employee"].pk, **data},
    )
    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)
    assert awards_and_events() == before


def test_a_blank_reason_names_its_field(api: Any, org: dict[str, Any], tokens: dict[str, str], beyond: Badge) -> None:
    response = api(
        "post",
        f"/api/v1/badges/{beyond.pk}/grant",
        token=tokens["manager"],
        json={"person": org["employee"].pk, "reason": ""},
    )
    assert response.json() == {
        "detail": "The request is not valid; see errors.",
        "errors": [{"field": "reason", "message": "This field is required."}],
    }


def test_a_person_s_badges_of_nobody_is_404(api: Any, tokens: dict[str, str]) -> None:
    response = api("get", "/api/v1/people/999999/badges", token=tokens["employee"])
    assert response.json() == {"detail": "No active person has this id.", "errors": []}
    assert response.status_code == 404


@pytest.fixture
def recognised(org: dict[str, Any]) -> None:
    """This month: Eve gives Sam 30 and Lena 30; Mo gives Eve 10."""
    value = Value.objects.create(name="Be helpful")
    for giver, to, points in (
        (org["employee"], [org["agent"], org["lead"]], 30),
        (org["manager"], [org["employee"]], 10),
    ):
        services.recognition_give(
            actor=giver.user, to=[p.pk for p in to], message="Thanks", values=[value.pk], points=points
        )


def test_a_leaderboard(api: Any, org: dict[str, Any], tokens: dict[str, str], recognised: None) -> None:
    response = api("get", "/api/v1/leaderboards?metric=points&period=month", token=tokens["employee_read"])
    assert response.status_code == 200
    body = response.json()
    first, last = leaderboards.period_resolve(period="month").first_day, leaderboards.period_resolve().last_day
    assert {key: body[key] for key in ("metric", "period", "first_day", "last_day", "unit")} == {
        "metric": "points",
        "period": "month",
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "unit": None,
    }
    assert [(row["rank"], row["name"], row["unit_name"], row["value"]) for row in body["rows"]] == [
        (1, "Sam Agent", "Helpdesk", 30),
        (1, "Lena Lead", "IT", 30),
        (3, "Eve Employee", "Sales", 10),
    ]
    it = api("get", f"/api/v1/leaderboards?metric=recognitions&unit={org['it'].pk}&top=1", token=tokens["agent"])
    assert [(row["rank"], row["name"], row["value"]) for row in it.json()["rows"]] == [(1, "Sam Agent", 1)]


def test_a_custom_leaderboard_period(api: Any, tokens: dict[str, str], recognised: None) -> None:
    response = api("get", "/api/v1/leaderboards?period=custom&from=2020-01-01&to=2020-01-31", token=tokens["employee"])
    assert (response.status_code, response.json()["first_day"], response.json()["rows"]) == (200, "2020-01-01", [])
    wrong = api("get", "/api/v1/leaderboards?period=custom&from=2020-02-01&to=2020-01-31", token=tokens["employee"])
    assert (wrong.status_code, wrong.json()["errors"]) == (
        422,
        [{"field": "to", "message": "The last day cannot come before the first."}],
    )
    bad = api("get", "/api/v1/leaderboards?metric=kudos&top=1000", token=tokens["employee"])
    assert (bad.status_code, sorted(error["field"] for error in bad.json()["errors"])) == (422, ["metric", "top"])


def test_switched_off_leaderboards_are_409_and_team_meters_stay(
    api: Any, org: dict[str, Any], tokens: dict[str, str], recognised: None, settings: Any
) -> None:
    settings.RECOGNITION_LEADERBOARDS = False
    response = api("get", "/api/v1/leaderboards", token=tokens["employee"])
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Leaderboards are switched off in this organisation; see the team meters instead.",
        "errors": [],
    }
    today = timezone.localdate()
    goal = leaderboards.team_goal_create(
        actor=org["lead"].user,
        unit_id=org["it"].pk,
        title="A thank-you a day",
        metric="recognitions",
        target=20,
        starts_on=today.replace(day=1),
        ends_on=today.replace(day=1) + (date(2000, 1, 28) - date(2000, 1, 1)),
    )
    meters = api("get", f"/api/v1/team-goals?unit={org['it'].pk}", token=tokens["employee_read"])
    assert meters.status_code == 200
    assert meters.json() == [
        {
            "id": goal.pk,
            "unit": org["it"].pk,
            "unit_name": "IT",
            "title": "A thank-you a day",
            "metric": "recognitions",
            "target": 20,
            "current": 1,  # Eve's recognition of Sam and Lena together
            "percent": 5,
            "reached": False,
            "starts_on": goal.starts_on.isoformat(),
            "ends_on": goal.ends_on.isoformat(),
        }
    ]


def test_a_certificate_as_pdf_or_by_mail(api: Any, org: dict[str, Any], tokens: dict[str, str], beyond: Badge) -> None:
    mo, eve = org["manager"], org["employee"]
    award = badges.badge_grant(actor=mo.user, badge=beyond, person_id=eve.pk, reason="Q4")
    response = api("post", f"/api/v1/people/{eve.pk}/certificates", token=tokens["manager"], json={"award": award.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="certificate-above-and-beyond-eve-employee.pdf"'
    assert response.content.startswith(b"%PDF-")
    sent = api(
        "post",
        f"/api/v1/people/{eve.pk}/certificates",
        token=tokens["admin"],
        json={"award": award.pk, "send": True},
    )
    assert (sent.status_code, sent.json()) == (202, {"sent_to": eve.user.email})
    assert [(message.to, message.attachments[0][0]) for message in mail.outbox] == [
        ([eve.user.email], "certificate-above-and-beyond-eve-employee.pdf")
    ]


def test_refused_certificates(api: Any, org: dict[str, Any], tokens: dict[str, str], beyond: Badge) -> None:
    mo, eve, sam = org["manager"], org["employee"], org["agent"]
    award = badges.badge_grant(actor=mo.user, badge=beyond, person_id=eve.pk, reason="Q4")

    def ask(who: str, person: int, data: dict[str, Any]) -> tuple[int, str]:
        response = api("post", f"/api/v1/people/{person}/certificates", token=tokens[who], json=data)
        return response.status_code, response.json()["detail"]

    assert ask("lead", eve.pk, {"award": award.pk, "send": True}) == (
        403,
        "Only Eve Employee's managers, the leads above them and people-ops can sign their certificates.",
    )
    assert ask("employee", eve.pk, {"award": award.pk})[0] == 403  # not for oneself
    assert ask("manager", sam.pk, {"award": award.pk}) == (404, "This person has no badge award with this id.")
    assert ask("manager", 2**70, {"award": award.pk}) == (404, "No active person has this id.")
    assert ask("employee_read", eve.pk, {"award": award.pk})[0] == 403
    assert mail.outbox == []
    assert not Event.objects.filter(type="recognition.certificate_sent").exists()
