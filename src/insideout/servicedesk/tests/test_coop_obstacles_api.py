"""Obstacles and the update fields under /api/v1/: the lifecycle over HTTP, every refusal in the error
envelope with nothing changed, and the admin fields of request types and standards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from insideout.servicedesk import services as desk_services
from insideout.servicedesk.tests.factories import request_create
from insideout.servicedesk.tests.test_coop_obstacles import state


def _iso(delta: timedelta) -> str:
    return (timezone.now() + delta).isoformat()


@pytest.fixture
def world(desk: dict[str, Any], token_for: Callable[..., str]) -> dict[str, Any]:
    world = dict(desk)
    world["request"] = request_create(requester=desk["employee"], request_type=desk["request_type"])
    world["other"] = request_create(requester=desk["employee"], request_type=desk["request_type"], subject="Dock")
    world["tokens"] = {role: token_for(desk[role], "write") for role in ("employee", "agent", "lead", "manager")}
    return world


def _call(api: Any, world: dict[str, Any], who: str, method: str, path: str, body: Any = None) -> Any:
    return api(method, f"/api/v1{path}", token=world["tokens"][who], json=body)


def _body(**changes: Any) -> dict[str, Any]:
    return {
        "description": "The docking stations are out of stock.",
        "waiting_on": {"outside": "The supplier"},
        "expected_at": _iso(timedelta(days=2)),
        **changes,
    }


def test_flag_list_and_resolve_over_the_api(world: dict[str, Any], api: Any) -> None:
    rid = world["request"].pk
    made = _call(
        api, world, "agent", "post", f"/requests/{rid}/obstacles", _body(waiting_on={"request": world["other"].pk})
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["request_key"], body["state"], body["flagged_by_name"]) == ("IT-1", "open", "Sam Agent")
    assert body["waiting_on"] == {
        "kind": "request",
        "person": None,
        "person_name": "",
        "request": world["other"].pk,
        "request_key": "IT-2",
        "outside": "",
    }
    person = _call(
        api, world, "agent", "post", f"/requests/{rid}/obstacles", _body(waiting_on={"person": world["manager"].pk})
    )
    assert person.json()["waiting_on"]["person_name"] == "Mo Manager"

    listed = _call(api, world, "employee", "get", f"/requests/{rid}/obstacles")
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()] == [person.json()["id"], body["id"]]

    resolved = _call(api, world, "lead", "post", f"/obstacles/{body['id']}/resolve", {"note": "The dock arrived."})
    assert resolved.status_code == 200, resolved.json()
    assert (resolved.json()["state"], resolved.json()["resolution_note"]) == ("resolved", "The dock arrived.")
    assert resolved.json()["resolved_by"] == world["lead"].pk

    detail = _call(api, world, "employee", "get", f"/requests/{rid}")
    assert detail.json()["last_update_at"] is not None
    assert detail.json()["update_due_at"] is None  # the type has no update standard


@pytest.mark.parametrize(
    ("body", "status", "detail_field", "message"),
    [
        (_body(expected_at=_iso(-timedelta(hours=1))), 422, "expected_at", "already passed"),
        (_body(waiting_on={"request": 999_999}), 422, "waiting_on", "No request you can see has the id 999999."),
        (_body(waiting_on={}), 422, "waiting_on", "Say what it waits on"),
        (_body(waiting_on={"person": 1, "outside": "x"}), 422, "waiting_on", "Say what it waits on"),
        (_body(waiting_on={"team": 3}), 422, "waiting_on.team", "Extra inputs are not permitted"),
        (_body(expected_at="tomorrow"), 422, "expected_at", "datetime"),
    ],
    ids=["in_the_past", "unknown_request", "nothing", "two_things", "unknown_key", "not_a_date"],
)
def test_bad_input_is_a_clear_422_that_changes_nothing(
    world: dict[str, Any], api: Any, body: dict[str, Any], status: int, detail_field: str, message: str
) -> None:
    before = state()

    response = _call(api, world, "agent", "post", f"/requests/{world['request'].pk}/obstacles", body)

    assert response.status_code == status, response.json()
    errors = response.json()["errors"]
    assert [error["field"] for error in errors] == [detail_field]
    assert message in errors[0]["message"]
    assert state() == before


def test_a_request_waiting_on_itself_is_a_422(world: dict[str, Any], api: Any) -> None:
    rid = world["request"].pk
    before = state()

    response = _call(api, world, "agent", "post", f"/requests/{rid}/obstacles", _body(waiting_on={"request": rid}))

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "waiting_on", "message": "A request cannot wait on itself."}]
    assert state() == before


def test_refusals_over_the_api(world: dict[str, Any], api: Any) -> None:
    rid = world["request"].pk
    made = _call(api, world, "agent", "post", f"/requests/{rid}/obstacles", _body()).json()
    before = state()

    requester = _call(api, world, "employee", "post", f"/requests/{rid}/obstacles", _body())
    hidden = _call(api, world, "manager", "post", f"/requests/{rid}/obstacles", _body())
    resolve_by_requester = _call(api, world, "employee", "post", f"/obstacles/{made['id']}/resolve", {})
    resolve_hidden = _call(api, world, "manager", "post", f"/obstacles/{made['id']}/resolve", {})
    unknown = _call(api, world, "agent", "post", "/obstacles/999999/resolve", {})

    assert (requester.status_code, requester.json()["detail"]) == (
        403,
        "Only agents of IT can flag an obstacle on this request.",
    )
    assert (hidden.status_code, resolve_by_requester.status_code) == (404, 403)
    assert (resolve_hidden.status_code, resolve_hidden.json()["detail"]) == (404, "No such obstacle.")
    assert unknown.status_code == 404
    assert state() == before

    first = _call(api, world, "agent", "post", f"/obstacles/{made['id']}/resolve", {})
    after_first = state()
    twice = _call(api, world, "agent", "post", f"/obstacles/{made['id']}/resolve", {})
    assert (first.status_code, twice.status_code) == (200, 409)
    assert twice.json()["detail"] == "This obstacle is already resolved."
    assert state() == after_first


def test_an_obstacle_on_a_resolved_request_is_a_409(world: dict[str, Any], api: Any) -> None:
    desk_services.request_transition(actor=world["agent"].user, request=world["request"], status="resolved")

    response = _call(api, world, "agent", "post", f"/requests/{world['request'].pk}/obstacles", _body())

    assert response.status_code == 409
    assert response.json()["detail"] == "IT-1 is resolved; this is only possible while it is open."


# --- admin fields ----------------------------------------------------------------------------------


def test_the_update_standard_over_the_admin_api(world: dict[str, Any], api: Any) -> None:
    rt = world["request_type"].pk

    set_ = _call(api, world, "lead", "patch", f"/request-types/{rt}", {"update_every_minutes": 960})
    untouched = _call(api, world, "lead", "patch", f"/request-types/{rt}", {"name": "New laptop"})
    too_long = _call(api, world, "lead", "patch", f"/request-types/{rt}", {"update_every_minutes": 14_401})
    cleared = _call(api, world, "lead", "patch", f"/request-types/{rt}", {"update_every_minutes": None})

    assert (set_.status_code, set_.json()["update_every_minutes"]) == (200, 960)
    assert untouched.json()["update_every_minutes"] == 960  # leaving it out leaves it
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "update_every_minutes"
    assert (cleared.status_code, cleared.json()["update_every_minutes"]) == (200, None)
    created = _call(
        api,
        world,
        "lead",
        "post",
        f"/services/{world['service'].pk}/request-types",
        {"name": "Dock", "update_every_minutes": 120},
    )
    assert (created.status_code, created.json()["update_every_minutes"]) == (201, 120)


def test_the_obstacle_rule_over_the_admin_api(world: dict[str, Any], api: Any) -> None:
    rt = world["request_type"].pk
    targets = {"first_response_minutes": 60, "resolution_minutes": 480}

    paused = _call(
        api, world, "lead", "put", f"/request-types/{rt}/standards/P3", {**targets, "obstacles_pause_resolution": True}
    )
    default = _call(api, world, "lead", "put", f"/request-types/{rt}/standards/P2", targets)
    wrong = _call(
        api,
        world,
        "lead",
        "put",
        f"/request-types/{rt}/standards/P1",
        {**targets, "obstacles_pause_resolution": "maybe"},
    )
    listed = _call(api, world, "agent", "get", f"/request-types/{rt}/standards")

    assert (paused.status_code, paused.json()["obstacles_pause_resolution"]) == (200, True)
    assert default.json()["obstacles_pause_resolution"] is False
    assert wrong.status_code == 422
    assert {item["priority"]: item["obstacles_pause_resolution"] for item in listed.json()} == {
        "P1": False,
        "P2": False,
        "P3": True,
        "P4": False,
    }
