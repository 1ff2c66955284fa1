"""Spot awards through the pages: the approvals inbox of the giver's manager and of people-ops,
one-click approval and rejection, and the award form with its budget, threshold and mistakes."""

from __future__ import annotations

from typing import Any

import pytest

from insideout.people import services as people
from insideout.people.models import User
from insideout.recognition import awards, selectors
from insideout.recognition.models import Award
from insideout.recognition.tests.pages import messages_of, snapshot, values_made


@pytest.fixture
def pending(org: dict[str, Any]) -> dict[str, Any]:
    """Lena is Mo's manager; Mo asked for a 300-point award to Eve (above the 200 threshold)."""
    people.employee_update(employee=org["manager"], manager=org["lead"])
    award = awards.award_create(actor=org["manager"].user, to=org["employee"].pk, points=300, reason="The Q3 launch")
    return {**org, "award": award}


def test_the_approver_and_people_ops_see_the_award_waiting(pending: dict[str, Any], client_for: Any) -> None:
    waiting = {
        who: list(client_for(pending[who]).get("/recognition/approvals/").context["waiting"])
        for who in ("lead", "admin", "manager", "employee", "agent")
    }

    assert waiting == {
        "lead": [pending["award"]],
        "admin": [pending["award"]],
        "manager": [],
        "employee": [],
        "agent": [],
    }
    html = client_for(pending["lead"]).get("/recognition/approvals/").content.decode()
    assert "The Q3 launch" in html
    assert "300 points" in html


def test_the_giver_sees_the_award_waiting_for_the_approver(pending: dict[str, Any], client_for: Any) -> None:
    response = client_for(pending["manager"]).get("/recognition/approvals/")

    assert list(response.context["given"]) == [pending["award"]]
    assert "Waiting for Lena Lead" in response.content.decode()
    assert "No award waits for your decision." in response.content.decode()


def test_approving_in_one_click_pays_the_recipient(pending: dict[str, Any], client_for: Any) -> None:
    response = client_for(pending["lead"]).post(f"/recognition/awards/{pending['award'].pk}/approve/", follow=True)

    assert response.redirect_chain == [("/recognition/approvals/", 302)]
    assert messages_of(response) == ["Approved: Eve Employee receives 300 points from Mo Manager."]
    pending["award"].refresh_from_db()
    assert (pending["award"].state, pending["award"].decided_by) == ("paid", pending["lead"])
    assert selectors.points_of(employee_id=pending["employee"].pk).earned == 300


def test_rejecting_returns_the_points_to_the_budget(pending: dict[str, Any], client_for: Any) -> None:
    response = client_for(pending["admin"]).post(
        f"/recognition/awards/{pending['award'].pk}/reject/", {"note": "Too large for one launch"}, follow=True
    )

    assert messages_of(response) == ["Rejected: the 300 points go back to Mo Manager's budget."]
    pending["award"].refresh_from_db()
    assert (pending["award"].state, pending["award"].decision_note) == ("rejected", "Too large for one launch")
    assert selectors.points_of(employee_id=pending["manager"].pk).budget == 500


def test_deciding_twice_says_it_is_decided(pending: dict[str, Any], client_for: Any) -> None:
    lena = client_for(pending["lead"])
    lena.post(f"/recognition/awards/{pending['award'].pk}/approve/", follow=True)

    again = lena.post(f"/recognition/awards/{pending['award'].pk}/reject/", follow=True)

    assert messages_of(again) == ["This award is already paid."]


def test_others_may_not_decide_and_nothing_moves(pending: dict[str, Any], client_for: Any) -> None:
    before = snapshot()

    by_giver = client_for(pending["manager"]).post(f"/recognition/awards/{pending['award'].pk}/approve/")
    by_recipient = client_for(pending["employee"]).post(f"/recognition/awards/{pending['award'].pk}/approve/")
    by_stranger = client_for(pending["agent"]).post(f"/recognition/awards/{pending['award'].pk}/approve/")

    assert (by_giver.status_code, by_recipient.status_code, by_stranger.status_code) == (403, 403, 404)
    assert snapshot() == before


def test_the_award_form_shows_the_budget_and_the_threshold(org: dict[str, Any], client_for: Any) -> None:
    response = client_for(org["manager"]).get(f"/recognition/awards/new/?to={org['employee'].pk}")
    html = response.content.decode()

    assert response.status_code == 200
    assert response.context["chosen"] == [org["employee"]]
    assert "You have <strong>500 points</strong> of budget left this month." in html
    assert "An award of more than 200 points waits for approval by people-ops" in html


def test_a_small_award_is_paid_at_once(org: dict[str, Any], client_for: Any) -> None:
    known = values_made(org)

    response = client_for(org["manager"]).post(
        "/recognition/awards/new/",
        {"to": org["employee"].pk, "points": "50", "reason": "Saved the demo", "values": [known[1].pk]},
        follow=True,
    )

    assert messages_of(response) == ["Eve Employee receives a spot award of 50 points."]
    award = Award.objects.get()
    assert (award.state, award.points, list(award.values.all())) == ("paid", 50, [known[1]])
    assert selectors.points_of(employee_id=org["employee"].pk).earned == 50


def test_a_large_award_waits_for_approval(org: dict[str, Any], client_for: Any) -> None:
    people.employee_update(employee=org["manager"], manager=org["lead"])

    response = client_for(org["manager"]).post(
        "/recognition/awards/new/", {"to": org["employee"].pk, "points": "250", "reason": "The launch"}, follow=True
    )

    assert messages_of(response) == [
        "Your award of 250 points to Eve Employee waits for approval by Lena Lead; the points are held until then."
    ]
    assert Award.objects.get().state == "pending"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param({"to": "__me__"}, "to", "You cannot give yourself an award.", id="oneself"),
        pytest.param({"to": ""}, "to", "No active person has this id.", id="nobody"),
        pytest.param({"points": "0"}, "points", "An award is at least 1 point.", id="zero"),
        pytest.param({"points": "-10"}, "points", "An award is at least 1 point.", id="negative"),
        pytest.param({"reason": ""}, "reason", "This field is required.", id="no-reason"),
        pytest.param({"values": ["99999"]}, "values", "Unknown value(s) among 99999.", id="unknown-value"),
        pytest.param(
            {"points": "600"}, "points", "The spot-award budget has 500 points left; this needs 600.", id="over-budget"
        ),
    ],
)
def test_award_mistakes_come_back_at_their_inputs(
    org: dict[str, Any], client_for: Any, changes: dict[str, Any], field: str, message: str
) -> None:
    data: dict[str, Any] = {"to": org["employee"].pk, "points": "50", "reason": "Saved the demo"}
    data.update(changes)
    if data["to"] == "__me__":
        data["to"] = org["manager"].pk
    before = snapshot()

    response = client_for(org["manager"]).post("/recognition/awards/new/", data)

    assert response.context["form"].errors[field] == [message]
    assert snapshot() == before


def test_people_without_a_budget_get_a_page_that_says_so(org: dict[str, Any], client_for: Any) -> None:
    response = client_for(org["agent"]).get("/recognition/awards/new/")

    assert response.status_code == 403
    assert "Only managers and unit leads have a spot-award budget" in response.content.decode()


def test_nobody_in_people_ops_approves_an_award_to_themselves(org: dict[str, Any], client_for: Any) -> None:
    # Lena has no manager: her large award to Pat waits for people-ops, of whom Pat is one.
    superuser = User.objects.create_superuser(username="root", email="root@example.org", password="x")  # noqa: S106
    award = awards.award_create(actor=org["lead"].user, to=org["admin"].pk, points=250, reason="The audit")
    before = snapshot()

    inbox = client_for(org["admin"]).get("/recognition/approvals/")
    own = client_for(org["admin"]).post(f"/recognition/awards/{award.pk}/approve/")

    assert list(inbox.context["waiting"]) == []
    assert own.status_code == 403
    assert snapshot() == before
    assert list(client_for(superuser).get("/recognition/approvals/").context["waiting"]) == [award]
    client_for(superuser).post(f"/recognition/awards/{award.pk}/approve/")
    award.refresh_from_db()
    assert award.state == "paid"
