"""Giving recognition through the page: the happy path, what other pages prefill, a whole team, the
live allowance and visibility, the people picker, and every kind of mistake (nothing given)."""

from __future__ import annotations

from typing import Any

import pytest

from insideout.people import services as people
from insideout.people.models import User
from insideout.people.tests.factories import EmployeeFactory
from insideout.recognition import selectors
from insideout.recognition.models import Recognition
from insideout.recognition.tests.pages import messages_of, snapshot, values_made


@pytest.fixture
def values(org: dict[str, Any]) -> list[Any]:
    return values_made(org)


def _form(org: dict[str, Any], known: list[Any], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "to": [org["agent"].pk],
        "values": [known[0].pk],
        "message": "Thank you for the laptop before my first day.",
        "points": "20",
        "team": "",
    }
    data.update(changes)
    return data


def test_the_form_offers_the_values_and_the_allowance(org: dict[str, Any], values: list[Any], client_for: Any) -> None:
    response = client_for(org["employee"]).get("/recognition/give/")
    html = response.content.decode()

    assert response.status_code == 200
    assert [value.name for value in response.context["values"]] == [
        "Honour commitments",
        "Be helpful",
        "Step out of your silo",
    ]
    assert "Do what you promised, when you promised it." in html
    assert "You have 100 points left this month; this recognition gives no points." in html


def test_giving_recognises_moves_the_points_and_goes_to_the_wall(
    org: dict[str, Any], values: list[Any], client_for: Any
) -> None:
    response = client_for(org["employee"]).post("/recognition/give/", _form(org, values), follow=True)

    assert response.redirect_chain == [("/recognition/", 302)]
    assert messages_of(response) == ["You recognised Sam Agent and gave 20 points from your allowance."]
    recognition = Recognition.objects.get()
    assert (recognition.giver, recognition.message, recognition.visibility) == (
        org["employee"],
        "Thank you for the laptop before my first day.",
        "public",
    )
    assert [row.employee for row in recognition.recipients.all()] == [org["agent"]]
    assert selectors.points_of(employee_id=org["agent"].pk).earned == 20
    assert selectors.points_of(employee_id=org["employee"].pk).allowance == 80
    assert [card.recognition.pk for card in response.context["cards"]] == [recognition.pk]


def test_other_pages_prefill_whom_and_what_for(org: dict[str, Any], values: list[Any], client_for: Any) -> None:
    eve = client_for(org["employee"])

    page = eve.get(f"/recognition/give/?to={org['agent'].pk}&for=request:12&label=IT-12 New laptop")
    sent = eve.post(
        "/recognition/give/", _form(org, values, for_ref="request:12", for_label="IT-12 New laptop"), follow=True
    )

    assert page.context["chosen"] == [org["agent"]]
    assert page.context["for_ref"] == ("servicedesk.request", "12", "IT-12 New laptop")
    assert "For: IT-12 New laptop" in page.content.decode()
    recognition = Recognition.objects.get()
    assert (recognition.for_type, recognition.for_id, recognition.for_label) == (
        "servicedesk.request",
        "12",
        "IT-12 New laptop",
    )
    assert "For: IT-12 New laptop" in sent.content.decode()


def test_an_unknown_kind_of_for_is_left_out(org: dict[str, Any], values: list[Any], client_for: Any) -> None:
    page = client_for(org["employee"]).get("/recognition/give/?for=secret:1&label=x")

    assert page.context["for_ref"] is None


def test_a_whole_team_is_recognised_but_the_giver(org: dict[str, Any], values: list[Any], client_for: Any) -> None:
    response = client_for(org["employee"]).post(
        "/recognition/give/", _form(org, values, to=[], team=str(org["sales"].pk), points="10"), follow=True
    )

    assert messages_of(response) == ["You recognised Sales and gave 10 points from your allowance."]
    recognition = Recognition.objects.get()
    assert recognition.team == org["sales"]
    assert [row.employee for row in recognition.recipients.all()] == [org["manager"]]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param({"to": ["__me__"]}, "to", "You cannot recognise yourself; recognise a colleague.", id="oneself"),
        pytest.param({"to": []}, "to", "Name at least one person, or a team.", id="nobody"),
        pytest.param({"values": ["99999"]}, "values", "Unknown value(s): 99999.", id="unknown-value"),
        pytest.param({"values": []}, "values", "Name at least one of the organisation's values.", id="no-value"),
        pytest.param({"points": "-5"}, "points", "Points cannot be negative.", id="negative-points"),
        pytest.param({"points": "many"}, "points", "Enter a whole number.", id="not-a-number"),
        pytest.param({"message": "   "}, "message", "This field is required.", id="no-message"),
        pytest.param({"team": "99999", "to": []}, "team", "No unit has this id.", id="unknown-team"),
        pytest.param(
            {"points": "60"},
            "points",
            "You can give one person at most 50 points a month; Sam Agent would get more. "
            "Give at most 50 points, or none.",
            id="pair-cap",
        ),
    ],
)
def test_mistakes_come_back_next_to_their_inputs_and_nothing_is_given(
    org: dict[str, Any], values: list[Any], client_for: Any, changes: dict[str, Any], field: str, message: str
) -> None:
    if changes.get("to") == ["__me__"]:
        changes = {"to": [org["employee"].pk]}
    before = snapshot()

    response = client_for(org["employee"]).post("/recognition/give/", _form(org, values, **changes))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert "Some answers need another look" in response.content.decode()
    assert snapshot() == before


def test_more_than_the_allowance_is_refused_at_the_points(
    org: dict[str, Any], values: list[Any], client_for: Any
) -> None:
    eve = client_for(org["employee"])
    others = [EmployeeFactory(unit=org["it"]).pk for _n in range(2)]
    before = snapshot()

    response = eve.post("/recognition/give/", _form(org, values, to=[org["agent"].pk, *others], points="40"))

    assert response.context["form"].errors["points"] == [
        "Your allowance has 100 points left this month; this needs 120."
    ]
    assert "That is 20 points more than you have left." in response.content.decode()
    assert snapshot() == before


def test_the_preview_follows_the_people_and_points_and_says_who_will_see_it(
    org: dict[str, Any], values: list[Any], client_for: Any
) -> None:
    eve = client_for(org["employee"])
    people.profile_update(profile=org["manager"].profile, recognition_preference="team")
    sam, mo = org["agent"].pk, org["manager"].pk

    one = eve.get(f"/recognition/give/preview/?to={sam}&points=30").content.decode()
    two = eve.get(f"/recognition/give/preview/?to={sam}&to={mo}&points=30").content.decode()
    me = eve.get(f"/recognition/give/preview/?to={org['employee'].pk}").content.decode()
    team = eve.get(f"/recognition/give/preview/?team={org['sales'].pk}&points=5").content.decode()

    assert "You have 100 points left this month; this gives 30 to Sam Agent." in one
    assert "Public: it goes on the wall" in one
    assert "this gives 60 (30 each to 2 people)." in two
    assert "Within their teams" in two
    assert "you cannot recognise yourself" in me
    assert "this gives 5 to Mo Manager." in team


def test_the_preview_says_before_sending_what_the_points_would_be_refused_for(
    org: dict[str, Any], values: list[Any], client_for: Any
) -> None:
    eve = client_for(org["employee"])
    sam = org["agent"].pk

    negative = eve.get(f"/recognition/give/preview/?to={sam}&points=-5").content.decode()
    capped = eve.get(f"/recognition/give/preview/?to={sam}&points=60").content.decode()
    fine = eve.get(f"/recognition/give/preview/?to={sam}&points=50").content.decode()

    assert "Points cannot be negative." in negative
    assert "Sam Agent would get more. Give at most 50 points, or none." in capped
    assert "errorlist-note" not in fine


def test_a_recognition_off_the_wall_lands_on_the_giver_s_own_tab(
    org: dict[str, Any], values: list[Any], client_for: Any
) -> None:
    people.profile_update(profile=org["agent"].profile, recognition_preference="team")

    response = client_for(org["employee"]).post("/recognition/give/", _form(org, values), follow=True)

    assert response.redirect_chain == [("/recognition/?scope=given", 302)]
    assert "Thank you for the laptop before my first day." in response.content.decode()


def test_the_people_picker_finds_colleagues_but_not_oneself(
    org: dict[str, Any], values: list[Any], client_for: Any
) -> None:
    eve = client_for(org["employee"])

    found = eve.get("/recognition/give/people/?people_q=e")
    kept = eve.get(f"/recognition/give/people/?people_q=lena&to={org['agent'].pk}")
    one = eve.get(f"/recognition/give/people/?mode=one&to={org['agent'].pk}&to={org['lead'].pk}")
    options = eve.get("/recognition/give/people/?mode=options&person_q=employee")

    assert org["employee"] not in found.context["found"]
    assert org["manager"] in found.context["found"]
    assert (kept.context["chosen"], kept.context["found"]) == ([org["agent"]], [org["lead"]])
    assert f'type="checkbox" name="to" value="{org["agent"].pk}" checked' in kept.content.decode()
    assert one.context["chosen"] == [org["agent"]]
    assert 'type="radio"' in one.content.decode()
    assert f'<option value="{org["employee"].pk}">Eve Employee</option>' in options.content.decode()


def test_finding_people_without_javascript_gives_nothing(
    org: dict[str, Any], values: list[Any], client_for: Any
) -> None:
    before = snapshot()

    response = client_for(org["employee"]).post("/recognition/give/", _form(org, values, find="1", people_q="mo"))

    assert response.status_code == 200
    assert response.context["found"] == [org["manager"]]
    assert response.context["chosen"] == [org["agent"]]
    assert snapshot() == before


def test_an_account_without_a_person_may_not_give(db: None, client_for: Any) -> None:
    outsider = User.objects.create_user(username="olga", password="x")  # noqa: S106 - a test account

    response = client_for(outsider).get("/recognition/give/")

    assert response.status_code == 403
    assert "not linked to a person of the organisation" in response.content.decode()
