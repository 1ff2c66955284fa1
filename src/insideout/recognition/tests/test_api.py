"""Recognition under /api/v1/: values, recognitions and boosts, my points and ledger, rewards and
redemptions, spot awards; every refusal in the error envelope with nothing moved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insideout.core.models import Event
from insideout.people import services as people
from insideout.people.models import User
from insideout.recognition import ledger
from insideout.recognition.models import (
    Award,
    Entry,
    Recognition,
    RecognitionRecipient,
    Redemption,
    Reward,
    Value,
)
from insideout.recognition.tests.factories import fund

ROLES = ("employee", "agent", "lead", "manager", "admin")


def state() -> dict[str, list[Any]]:
    """Every row a recognition write may change."""
    return {
        "entries": list(Entry.objects.order_by("pk").values()),
        "recognitions": list(Recognition.objects.order_by("pk").values()),
        "recipients": list(RecognitionRecipient.objects.order_by("pk").values()),
        "redemptions": list(Redemption.objects.order_by("pk").values()),
        "stock": list(Reward.objects.order_by("pk").values("pk", "stock")),
        "awards": list(Award.objects.order_by("pk").values()),
        "events": list(Event.objects.order_by("pk").values_list("type", flat=True)),
    }


@pytest.fixture
def world(org: dict[str, Any], token_for: Callable[..., str]) -> dict[str, Any]:
    world = dict(org)
    world["values"] = [
        Value.objects.create(name="Honour commitments", description="Keep your word.", position=1),
        Value.objects.create(name="Be helpful", position=2),
    ]
    world["tokens"] = {role: token_for(org[role], "write") for role in ROLES}
    world["read"] = token_for(org["employee"], "read")
    return world


@pytest.fixture
def call(api: Any, world: dict[str, Any]) -> Callable[..., Any]:
    def send(who: str, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        return api(method, f"/api/v1{path}", token=world["tokens"][who], json=body, **extra)

    return send


@pytest.fixture
def refused(call: Callable[..., Any]) -> Callable[..., dict[str, Any]]:
    """Send a write that must be refused with ``status``; asserts that nothing changed."""

    def send(status: int, who: str, method: str, path: str, body: Any = None) -> dict[str, Any]:
        before = state()
        response = call(who, method, path, body)
        assert response.status_code == status, response.json()
        assert state() == before
        return dict(response.json())

    return send


def _give(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "to": [world["agent"].pk],
        "message": "Thank you for setting up my laptop before my first day.",
        "values": [world["values"][0].pk],
        "points": 20,
        **changes,
    }


def test_the_values_in_the_organisation_s_order(world: dict[str, Any], call: Any) -> None:
    Value.objects.create(name="Retired", position=0, is_active=False)
    response = call("employee", "get", "/values")
    assert response.status_code == 200
    assert response.json() == [
        {"id": world["values"][0].pk, "name": "Honour commitments", "description": "Keep your word.", "position": 1},
        {"id": world["values"][1].pk, "name": "Be helpful", "description": "", "position": 2},
    ]


def test_recognise_read_and_boost_over_the_api(world: dict[str, Any], call: Any) -> None:
    eve, sam, mo = world["employee"], world["agent"], world["manager"]
    made = call(
        "employee",
        "post",
        "/recognitions",
        _give(world, **{"for": {"type": "request", "id": 42, "label": "IT-42 New laptop"}}),
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body == {
        "id": body["id"],
        "giver": {"id": eve.pk, "name": "Eve Employee"},
        "recipients": [{"id": sam.pk, "name": "Sam Agent", "points": 20}],
        "team": None,
        "message": "Thank you for setting up my laptop before my first day.",
        "values": [{"id": world["values"][0].pk, "name": "Honour commitments"}],
        "visibility": "public",
        "points_total": 20,
        "for": {"type": "request", "id": "42", "label": "IT-42 New laptop"},
        "boosts": {"count": 0, "points": 0, "mine": False},
        "created_at": body["created_at"],
    }
    stored = Recognition.objects.get(pk=body["id"])
    assert (stored.for_type, stored.for_id, stored.for_label) == ("servicedesk.request", "42", "IT-42 New laptop")
    assert call("agent", "get", "/me/points").json()["earned"] == 20
    assert call("employee", "get", "/me/points").json()["allowance"] == 80

    boosted = call("manager", "post", f"/recognitions/{body['id']}/boost", {"points": 10})
    assert boosted.status_code == 200, boosted.json()
    assert (boosted.json()["points_total"], boosted.json()["boosts"]) == (30, {"count": 1, "points": 10, "mine": True})
    assert call("agent", "get", "/me/points").json()["earned"] == 30
    assert call("manager", "get", "/me/points").json()["allowance"] == 90

    detail = call("lead", "get", f"/recognitions/{body['id']}")
    assert detail.status_code == 200
    assert detail.json()["boosts"] == {"count": 1, "points": 10, "mine": False}
    assert detail.json()["giver"] == {"id": eve.pk, "name": "Eve Employee"}
    assert mo.pk not in [recipient["id"] for recipient in detail.json()["recipients"]]
    assert ledger.ledger_verify().ok


def test_a_team_is_recognised_as_a_whole(world: dict[str, Any], call: Any) -> None:
    made = call("lead", "post", "/recognitions", _give(world, to=[], team=world["helpdesk"].pk, points=5))
    assert made.status_code == 201, made.json()
    assert made.json()["team"] == {"id": world["helpdesk"].pk, "name": "Helpdesk"}
    assert [person["id"] for person in made.json()["recipients"]] == [world["agent"].pk]
    assert made.json()["for"] is None


def test_the_lists_wall_mine_and_given_with_their_filters(world: dict[str, Any], call: Any) -> None:
    sam, mo = world["agent"], world["manager"]
    first = call("employee", "post", "/recognitions", _give(world)).json()
    second = call(
        "employee", "post", "/recognitions", _give(world, to=[mo.pk], values=[world["values"][1].pk], points=0)
    ).json()
    people.profile_update(profile=sam.profile, actor=sam.user, recognition_preference="private")
    private = call("lead", "post", "/recognitions", _give(world, points=0)).json()
    assert private["visibility"] == "private"

    def ids(who: str, query: str = "") -> list[int]:
        response = call(who, "get", f"/recognitions{query}")
        assert response.status_code == 200, response.json()
        assert response.json()["count"] == len(response.json()["items"])
        return [item["id"] for item in response.json()["items"]]

    assert ids("admin") == [second["id"], first["id"]]  # newest first; the private one is not on the wall
    assert ids("agent", "?scope=mine") == [private["id"], first["id"]]
    assert ids("employee", "?scope=given") == [second["id"], first["id"]]
    assert ids("admin", f"?value={world['values'][1].pk}") == [second["id"]]
    assert ids("admin", f"?unit={world['sales'].pk}") == [second["id"]]
    assert ids("admin", f"?person={sam.pk}") == [first["id"]]
    # Not visible to Pat: as if it did not exist.
    assert call("admin", "get", f"/recognitions/{private['id']}").status_code == 404
    assert call("lead", "get", f"/recognitions/{private['id']}").status_code == 200
    assert call("admin", "get", "/recognitions/99999999999999999999").status_code == 404


@pytest.mark.parametrize(
    ("changes", "status", "field", "words"),
    [
        ({"to": ["self"]}, 422, "to", "cannot recognise yourself"),
        ({"to": [999_999]}, 422, "to", "No active person"),
        ({"to": [0]}, 422, "to.0", "greater than or equal to 1"),
        ({"to": []}, 422, "to", "at least one person"),
        ({"team": 999_999, "to": []}, 422, "team", "No unit"),
        ({"values": [999_999]}, 422, "values", "Unknown value"),
        ({"values": []}, 422, "values", "at least one"),
        ({"points": -5}, 422, "points", "cannot be negative"),
        ({"points": 60}, 422, "points", "at most 50 points a month"),
        ({"message": "  "}, 422, "message", "required"),
        ({"for": {"type": "module", "id": 1}}, 422, "for.type", "request"),
        ({"colour": "gold"}, 422, "colour", "Extra inputs"),
    ],
)
def test_bad_recognitions_are_refused_and_move_nothing(
    world: dict[str, Any], refused: Any, changes: dict[str, Any], status: int, field: str, words: str
) -> None:
    if changes.get("to") == ["self"]:
        changes = {**changes, "to": [world["employee"].pk]}
    body = refused(status, "employee", "post", "/recognitions", _give(world, **changes))
    assert [error["field"] for error in body["errors"]] == [field]
    assert words in body["errors"][0]["message"]


def test_more_points_than_the_allowance_is_a_conflict_and_moves_nothing(
    world: dict[str, Any], call: Any, refused: Any
) -> None:
    assert call("employee", "post", "/recognitions", _give(world, points=50)).status_code == 201
    body = refused(
        409,
        "employee",
        "post",
        "/recognitions",
        _give(world, to=[world["manager"].pk, world["lead"].pk, world["admin"].pk], points=20),
    )
    assert body == {
        "detail": "Your allowance has 50 points left this month; this needs 60.",
        "errors": [],
    }


def test_boosts_that_are_refused_move_nothing(world: dict[str, Any], call: Any, refused: Any) -> None:
    sam = world["agent"]
    public = call("employee", "post", "/recognitions", _give(world, points=10)).json()["id"]
    assert (
        "part of this recognition"
        in refused(409, "agent", "post", f"/recognitions/{public}/boost", {"points": 5})["detail"]
    )
    assert refused(422, "manager", "post", f"/recognitions/{public}/boost", {"points": 0})["errors"] == [
        {"field": "points", "message": "Boost with at least 1 point."}
    ]
    assert refused(422, "manager", "post", f"/recognitions/{public}/boost", {"points": -3})["errors"][0]["field"] == (
        "points"
    )
    people.profile_update(profile=sam.profile, actor=sam.user, recognition_preference="team")
    team = call("employee", "post", "/recognitions", _give(world, points=0)).json()["id"]
    assert "Only public" in refused(409, "lead", "post", f"/recognitions/{team}/boost", {"points": 5})["detail"]
    # Mo is not in Sam's team: for him the recognition does not exist.
    refused(404, "manager", "post", f"/recognitions/{team}/boost", {"points": 5})


def test_my_points_and_my_ledger(world: dict[str, Any], call: Any) -> None:
    eve, sam = world["employee"], world["agent"]
    fund(sam, 125)
    recognition = call("employee", "post", "/recognitions", _give(world, points=20)).json()["id"]

    assert call("agent", "get", "/me/points").json() == {
        "allowance": 100,
        "earned": 145,
        "budget": None,
        "value_of_earned": "14.50",
        "currency": "EUR",
    }
    assert call("lead", "get", "/me/points").json()["budget"] == 500  # Lena leads IT and manages Sam

    lines = call("employee", "get", "/me/ledger").json()
    assert lines["count"] == 2
    assert [
        {key: line[key] for key in ("kind", "account", "amount", "memo", "subject")} for line in lines["items"]
    ] == [
        {
            "kind": "give",
            "account": "allowance",
            "amount": -20,
            "memo": "",
            "subject": {"type": "recognition.recognition", "id": str(recognition)},
        },
        {"kind": "refill", "account": "allowance", "amount": 100, "memo": lines["items"][1]["memo"], "subject": None},
    ]
    assert lines["items"][1]["memo"].startswith("allowance ")
    assert [line["amount"] for line in call("agent", "get", "/me/ledger").json()["items"]] == [20, 125]
    assert eve.pk != sam.pk


def test_who_is_not_a_member_of_the_organisation_is_refused(
    world: dict[str, Any], api: Any, token_for: Callable[..., str]
) -> None:
    root = User.objects.create_superuser(username="root", email="root@example.org", password="x")
    token = token_for(root, "write")
    for path in ("/values", "/recognitions", "/me/points", "/me/ledger", "/rewards", "/redemptions", "/awards"):
        response = api("get", f"/api/v1{path}", token=token)
        assert (path, response.status_code) == (path, 403)
        assert response.json()["detail"] == "Only members of the organisation can do this."
    assert api("get", "/api/v1/me/points").status_code == 401


# --- rewards and redemptions ---------------------------------------------------------------------


@pytest.fixture
def shop(world: dict[str, Any]) -> dict[str, Any]:
    eve = world["employee"]
    people.employee_update(employee=eve, actor=world["admin"].user, country="DE")
    mug = Reward.objects.create(name="Mug", points_cost=50, stock=3, per_person_limit=2, position=1)
    card = Reward.objects.create(name="Book voucher", kind="gift_card", points_cost=100, countries=["de"], position=2)
    Reward.objects.create(name="Train ride", points_cost=80, countries=["FR"], position=3)
    Reward.objects.create(name="Old pen", points_cost=10, is_active=False)
    fund(eve, 300)
    return {"mug": mug, "card": card}


def test_the_catalog_is_what_i_can_redeem_in_my_country(world: dict[str, Any], shop: dict[str, Any], call: Any) -> None:
    response = call("employee", "get", "/rewards")
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert response.json()["items"] == [
        {
            "id": shop["mug"].pk,
            "name": "Mug",
            "description": "",
            "kind": "merchandise",
            "picture": None,
            "points_cost": 50,
            "value": "5.00",
            "stock": 3,
            "per_person_limit": 2,
            "countries": [],
        },
        {
            "id": shop["card"].pk,
            "name": "Book voucher",
            "description": "",
            "kind": "gift_card",
            "picture": None,
            "points_cost": 100,
            "value": "10.00",
            "stock": None,
            "per_person_limit": None,
            "countries": ["de"],
        },
    ]
    # Sam's country is not Germany: only what is offered everywhere.
    assert [item["name"] for item in call("agent", "get", "/rewards").json()["items"]] == ["Mug"]


def test_redeem_fulfil_and_cancel_over_the_api(world: dict[str, Any], shop: dict[str, Any], call: Any) -> None:
    eve, mug = world["employee"], shop["mug"]
    made = call("employee", "post", "/redemptions", {"reward": mug.pk, "quantity": 2})
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body == {
        "id": body["id"],
        "reward": {"id": mug.pk, "name": "Mug"},
        "person": {"id": eve.pk, "name": "Eve Employee"},
        "quantity": 2,
        "points": 100,
        "value": "10.00",
        "currency": "EUR",
        "state": "held",
        "note": "",
        "created_at": body["created_at"],
        "decided_at": None,
    }
    assert call("employee", "get", "/me/points").json()["earned"] == 200
    second = call("employee", "post", "/redemptions", {"reward": shop["card"].pk}).json()

    assert [item["id"] for item in call("employee", "get", "/redemptions").json()["items"]] == [
        second["id"],
        body["id"],
    ]
    assert call("employee", "get", "/redemptions?state=held&mine=true").json()["count"] == 2
    assert call("admin", "get", "/redemptions").json()["count"] == 0  # Pat's own
    assert call("admin", "get", "/redemptions?mine=false&state=held").json()["count"] == 2
    assert call("admin", "get", f"/redemptions/{body['id']}").status_code == 200
    assert call("agent", "get", f"/redemptions/{body['id']}").status_code == 404

    issued = call("admin", "post", f"/redemptions/{body['id']}/fulfil", {"note": "Parcel 123"})
    assert issued.status_code == 200, issued.json()
    assert (issued.json()["state"], issued.json()["note"]) == ("issued", "Parcel 123")
    assert issued.json()["decided_at"] is not None

    cancelled = call("employee", "post", f"/redemptions/{second['id']}/cancel", {"reason": "Changed my mind"})
    assert cancelled.status_code == 200, cancelled.json()
    assert cancelled.json()["state"] == "cancelled"
    assert call("employee", "get", "/me/points").json()["earned"] == 200
    assert ledger.ledger_verify().ok


@pytest.mark.parametrize(
    ("body", "status", "field", "words"),
    [
        ({"reward": "card", "quantity": 4}, 409, "", "The balance has 300 points; this needs 400."),
        ({"reward": "mug", "quantity": 3}, 409, "", "at most 2 times"),
        ({"reward": "train"}, 409, "", "not available in your country"),
        ({"reward": "old"}, 422, "reward", "No reward with this id"),
        ({"reward": 999_999}, 422, "reward", "No reward with this id"),
        ({"reward": "mug", "quantity": 0}, 422, "quantity", "between 1 and 100"),
        ({"reward": "mug", "quantity": -1}, 422, "quantity", "between 1 and 100"),
    ],
)
def test_bad_redemptions_are_refused_and_move_nothing(
    world: dict[str, Any],
    shop: dict[str, Any],
    call: Any,
    refused: Any,
    body: dict[str, Any],
    status: int,
    field: str,
    words: str,
) -> None:
    named = {
        "card": shop["card"].pk,
        "mug": shop["mug"].pk,
        "train": Reward.objects.get(name="Train ride").pk,
        "old": Reward.objects.get(name="Old pen").pk,
    }
    body = {**body, "reward": named.get(body["reward"], body["reward"])}
    answer = refused(status, "employee", "post", "/redemptions", body)
    if field:
        assert [error["field"] for error in answer["errors"]] == [field]
        assert words in answer["errors"][0]["message"]
    else:
        assert words in answer["detail"]


def test_beyond_the_stock_is_a_conflict_and_moves_nothing(
    world: dict[str, Any], shop: dict[str, Any], call: Any, refused: Any
) -> None:
    Reward.objects.filter(pk=shop["mug"].pk).update(stock=1)
    assert refused(409, "employee", "post", "/redemptions", {"reward": shop["mug"].pk, "quantity": 2})["detail"] == (
        "Only 1 of Mug are left in stock."
    )


def test_who_may_decide_on_a_redemption(world: dict[str, Any], shop: dict[str, Any], call: Any, refused: Any) -> None:
    made = call("employee", "post", "/redemptions", {"reward": shop["mug"].pk}).json()["id"]
    assert "Only people-ops" in refused(403, "employee", "post", f"/redemptions/{made}/fulfil", {})["detail"]
    refused(404, "agent", "post", f"/redemptions/{made}/cancel", {})
    assert "Only people-ops" in refused(403, "employee", "get", "/redemptions?mine=false")["detail"]
    assert call("admin", "post", f"/redemptions/{made}/cancel", {"reason": "Out of print"}).status_code == 200
    assert "already cancelled" in refused(409, "admin", "post", f"/redemptions/{made}/fulfil", {})["detail"]


# --- spot awards ---------------------------------------------------------------------------------


def test_spot_awards_over_the_api(world: dict[str, Any], call: Any) -> None:
    lena, sam, pat = world["lead"], world["agent"], world["admin"]
    paid = call("lead", "post", "/awards", {"to": sam.pk, "points": 150, "reason": "Saved the launch"})
    assert paid.status_code == 201, paid.json()
    body = paid.json()
    assert body == {
        "id": body["id"],
        "giver": {"id": lena.pk, "name": "Lena Lead"},
        "recipient": {"id": sam.pk, "name": "Sam Agent"},
        "points": 150,
        "reason": "Saved the launch",
        "values": [],
        "state": "paid",
        "needs_approval": False,
        "approver": None,
        "decided_by": None,
        "decided_at": body["decided_at"],
        "decision_note": "",
        "created_at": body["created_at"],
    }
    pending = call(
        "lead",
        "post",
        "/awards",
        {"to": sam.pk, "points": 300, "reason": "A year of calm nights", "values": [world["values"][1].pk]},
    ).json()
    assert (pending["state"], pending["needs_approval"], pending["values"]) == (
        "pending",
        True,
        [{"id": world["values"][1].pk, "name": "Be helpful"}],
    )
    assert call("lead", "get", "/me/points").json()["budget"] == 50

    def ids(who: str, query: str = "") -> list[int]:
        return [item["id"] for item in call(who, "get", f"/awards{query}").json()["items"]]

    assert ids("admin", "?role=approver&state=pending") == [pending["id"]]  # Lena has no manager: people-ops
    assert ids("lead", "?role=approver") == []
    assert ids("lead", "?role=giver") == [pending["id"], body["id"]]
    assert ids("agent", "?role=recipient&state=paid") == [body["id"]]
    assert ids("agent") == [pending["id"], body["id"]]
    assert ids("employee") == []

    approved = call("admin", "post", f"/awards/{pending['id']}/approve", {"note": "Well deserved"})
    assert approved.status_code == 200, approved.json()
    assert (approved.json()["state"], approved.json()["decision_note"]) == ("paid", "Well deserved")
    assert approved.json()["decided_by"] == {"id": pat.pk, "name": "Pat Ops"}
    assert call("agent", "get", "/me/points").json()["earned"] == 450
    assert ledger.ledger_verify().ok


def test_a_rejected_award_returns_the_points_to_the_budget(world: dict[str, Any], call: Any) -> None:
    pending = call("lead", "post", "/awards", {"to": world["agent"].pk, "points": 300, "reason": "Nights"}).json()
    rejected = call("admin", "post", f"/awards/{pending['id']}/reject", {"note": "Use the bonus scheme"})
    assert rejected.status_code == 200, rejected.json()
    assert rejected.json()["state"] == "rejected"
    assert call("lead", "get", "/me/points").json()["budget"] == 500
    assert call("agent", "get", "/me/points").json()["earned"] == 0


@pytest.mark.parametrize(
    ("who", "body", "status", "field", "words"),
    [
        ("employee", {"to": "agent", "points": 10, "reason": "Thanks"}, 403, "", "spot-award budget"),
        ("lead", {"to": "lead", "points": 10, "reason": "Me"}, 422, "to", "yourself"),
        ("lead", {"to": 999_999, "points": 10, "reason": "Who"}, 422, "to", "No active person"),
        ("lead", {"to": "agent", "points": 0, "reason": "Nothing"}, 422, "points", "at least 1 point"),
        ("lead", {"to": "agent", "points": -10, "reason": "Less"}, 422, "points", "at least 1 point"),
        ("lead", {"to": "agent", "points": 10, "reason": " "}, 422, "reason", "required"),
        ("lead", {"to": "agent", "points": 10, "reason": "x", "values": [999_999]}, 422, "values", "Unknown value"),
        ("lead", {"to": "agent", "points": 600, "reason": "Much"}, 409, "", "budget has 500 points left"),
    ],
)
def test_bad_awards_are_refused_and_move_nothing(
    world: dict[str, Any], refused: Any, who: str, body: dict[str, Any], status: int, field: str, words: str
) -> None:
    body = {**body, "to": world[body["to"]].pk if isinstance(body["to"], str) else body["to"]}
    answer = refused(status, who, "post", "/awards", body)
    if field:
        assert [error["field"] for error in answer["errors"]] == [field]
        assert words in answer["errors"][0]["message"]
    else:
        assert words in answer["detail"]


def test_who_may_decide_on_an_award(world: dict[str, Any], call: Any, refused: Any) -> None:
    pending = call("lead", "post", "/awards", {"to": world["agent"].pk, "points": 300, "reason": "Nights"}).json()
    url = f"/awards/{pending['id']}"
    assert "Only the giver's manager or people-ops" in refused(403, "lead", "post", f"{url}/approve", {})["detail"]
    refused(404, "manager", "post", f"{url}/approve", {})  # not involved: he does not see it
    refused(403, "agent", "post", f"{url}/reject", {})  # the recipient sees it, but may not decide
    assert call("admin", "post", f"{url}/approve", {}).status_code == 200
    assert "already paid" in refused(409, "admin", "post", f"{url}/reject", {})["detail"]


def test_a_read_token_may_not_write(world: dict[str, Any], api: Any) -> None:
    before = state()
    response = api("post", "/api/v1/recognitions", token=world["read"], json=_give(world))
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert state() == before


# --- pinned query counts of the reads: the same with one row and with many -----------------------
# A token-authenticated call costs 4 queries (the token, its user, the caller's roles, the person); a
# paged list then costs the page's ids, the rows with their joins and prefetches, and the count.


def _give_many(send: Callable[..., Any], world: dict[str, Any], n: int) -> None:
    for i in range(n):
        to = [world["agent"].pk] if i % 2 else [world["agent"].pk, world["manager"].pk]
        body = {"to": to, "message": f"Thanks, number {i}.", "values": [world["values"][i % 2].pk], "points": 1}
        assert send("employee", "post", "/recognitions", body).status_code == 201
        award = {"to": world["agent"].pk, "points": 1, "reason": f"Spot {i}"}
        assert send("lead", "post", "/awards", award).status_code == 201


def _redeem_many(send: Callable[..., Any], reward: Reward, n: int) -> None:
    for _ in range(n):
        assert send("agent", "post", "/redemptions", {"reward": reward.pk}).status_code == 201


_READS = [
    # (who, path)
    ("agent", "/recognitions"),
    ("agent", "/recognitions?scope=mine"),
    ("employee", "/recognitions?scope=given"),
    ("agent", "/me/points"),
    ("agent", "/me/ledger"),
    ("agent", "/rewards"),
    ("agent", "/redemptions"),
    ("admin", "/redemptions?mine=false"),
    ("agent", "/awards?role=recipient"),
    ("lead", "/awards?role=giver"),
    ("agent", "/values"),
]


def _read_counts(send: Callable[..., Any]) -> dict[str, int]:
    found = {}
    for who, path in _READS:
        with CaptureQueriesContext(connection) as captured:
            response = send(who, "get", path)
        assert response.status_code == 200, (path, response.json())
        found[path] = len(captured)
    return found


def test_the_reads_cost_the_same_with_more_rows(world: dict[str, Any], call: Any) -> None:
    fund(world["agent"], 10_000)
    for reward_name in ("Mug", "Cap"):
        Reward.objects.create(name=reward_name, points_cost=5)
    _give_many(call, world, 1)
    _redeem_many(call, Reward.objects.get(name="Mug"), 1)
    _read_counts(call)  # every token's first use notes when it was last used; later ones within the hour do not
    few = _read_counts(call)
    _give_many(call, world, 12)
    _redeem_many(call, Reward.objects.get(name="Cap"), 8)
    many = _read_counts(call)

    assert few == many
    assert few == _PINNED


_PINNED = {
    # ids, rows with giver and team, recipients, values, count, and the page's boosts
    "/recognitions": 10,
    "/recognitions?scope=mine": 10,
    "/recognitions?scope=given": 10,
    "/me/points": 5,  # the roles (which say whether one holds a budget), the accounts
    "/me/ledger": 6,  # ids, rows with their transactions and accounts (count only past one page)
    "/rewards": 5,  # the caller's country is on the person already: the page and its count
    "/redemptions": 7,
    "/redemptions?mine=false": 7,
    "/awards?role=recipient": 9,  # ids, rows with giver, recipient, approver, decider; values; count
    "/awards?role=giver": 9,
    "/values": 4,
}


def _write_counts(send: Callable[..., Any], world: dict[str, Any], reward: Reward) -> dict[str, int]:
    found = {}
    body = {"to": [world["agent"].pk], "message": "Thanks for the quick fix.", "values": [world["values"][0].pk]}
    for name, who, path, payload in (
        ("give", "employee", "/recognitions", {**body, "points": 1}),
        ("redeem", "agent", "/redemptions", {"reward": reward.pk}),
    ):
        with CaptureQueriesContext(connection) as captured:
            response = send(who, "post", path, payload)
        assert response.status_code == 201, (path, response.json())
        found[name] = len(captured)
    return found


def test_a_give_and_a_redemption_cost_the_same_with_more_rows(world: dict[str, Any], call: Any) -> None:
    fund(world["agent"], 10_000)
    reward = Reward.objects.create(name="Mug", points_cost=5)
    _write_counts(call, world, reward)  # the first ones open the month's allowance and note the tokens' use
    few = _write_counts(call, world, reward)
    _give_many(call, world, 12)
    _redeem_many(call, reward, 8)
    many = _write_counts(call, world, reward)

    assert few == many
    # A give: the token, its user and the giver; the recipients, the values, the month's points from
    # this giver to each recipient (recognitions and boosts); the rows it writes, the allowance and
    # earned accounts, the ledger's balances, transaction and entries, the event; then the new
    # card with its recipients and values (no visibility check or boosts: the giver sees it, and
    # nobody boosted it yet).
    assert few == {"give": 27, "redeem": 20}
