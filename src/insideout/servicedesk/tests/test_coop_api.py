"""The cooperation endpoints under /api/v1/: each lifecycle over HTTP, the error envelope for every
refusal (with nothing changed), and the pinned query count of the commitments list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import services
from insideout.servicedesk.cooperation.models import Commitment
from insideout.servicedesk.tests.coop import snapshot
from insideout.servicedesk.tests.factories import request_create


def _iso(delta: timedelta) -> str:
    return (timezone.now() + delta).isoformat()


@pytest.fixture
def world(desk: dict[str, Any], token_for: Callable[..., str], api: Any) -> dict[str, Any]:
    world = dict(desk)
    world["request"] = request_create(requester=desk["employee"], request_type=desk["request_type"])
    world["tokens"] = {role: token_for(desk[role], "write") for role in ("employee", "agent", "lead", "manager")}
    return world


def _call(api: Any, world: dict[str, Any], who: str, method: str, path: str, body: Any = None) -> Any:
    return api(method, f"/api/v1{path}", token=world["tokens"][who], json=body)


def test_commit_revise_and_resolve_over_the_api(world: dict[str, Any], api: Any) -> None:
    rid = world["request"].pk
    made = _call(api, world, "agent", "post", f"/requests/{rid}/commitments", {"due_at": _iso(timedelta(days=2))})
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["state"], body["owner_name"], body["to_name"], body["request_key"]) == (
        "open",
        "Sam Agent",
        "Eve Employee",
        "IT-1",
    )
    assert body["title"] == "Laptop for a new colleague"
    assert [revision["number"] for revision in body["revisions"]] == [1]

    moved = _call(
        api,
        world,
        "agent",
        "post",
        f"/commitments/{body['id']}/revise",
        {"due_at": _iso(timedelta(days=3)), "reason": "Waiting for the docking station."},
    )
    assert moved.status_code == 200, moved.json()
    assert (moved.json()["moves"], [r["reason"] for r in moved.json()["revisions"]]) == (
        1,
        ["", "Waiting for the docking station."],
    )
    assert moved.json()["moved_by"] == pytest.approx(86400, abs=1)

    desk_services.request_transition(actor=world["agent"].user, request=world["request"], status="resolved")
    seen = _call(api, world, "employee", "get", f"/commitments/{body['id']}")
    assert seen.status_code == 200
    assert seen.json()["state"] == "kept"


def test_the_commitments_list_filters_by_side_and_state(world: dict[str, Any], api: Any) -> None:
    eve, sam = world["employee"], world["agent"]
    on_request = services.commitment_create_for_request(
        actor=sam.user, request=world["request"], due_at=timezone.now() + timedelta(days=1)
    )
    standalone = services.commitment_create(
        actor=eve.user, to_id=sam.pk, title="Return the loan laptop", due_at=timezone.now() + timedelta(days=2)
    )
    services.commitment_done(actor=eve.user, commitment=standalone)

    def ids(who: str, query: str) -> list[int]:
        response = _call(api, world, who, "get", f"/commitments{query}")
        assert response.status_code == 200, response.json()
        return [item["id"] for item in response.json()["items"]]

    assert ids("employee", "") == [on_request.pk, standalone.pk]
    assert ids("employee", "?mine=true") == [standalone.pk]
    assert ids("employee", "?to_me=true") == [on_request.pk]
    assert ids("agent", "?mine=true&state=open") == [on_request.pk]
    assert ids("agent", "?to_me=true&state=kept") == [standalone.pk]
    assert ids("manager", "") == []
    assert _call(api, world, "employee", "get", "/commitments?state=late").status_code == 422


def test_a_standalone_commitment_is_made_and_marked_done_over_the_api(world: dict[str, Any], api: Any) -> None:
    made = _call(
        api,
        world,
        "employee",
        "post",
        "/commitments",
        {"to": world["manager"].pk, "title": "Send the Q3 figures", "due_at": _iso(timedelta(days=1))},
    )
    assert made.status_code == 201, made.json()
    assert (made.json()["request"], made.json()["request_key"], made.json()["title"]) == (
        None,
        "",
        "Send the Q3 figures",
    )
    done = _call(api, world, "employee", "post", f"/commitments/{made.json()['id']}/done")
    assert (done.status_code, done.json()["state"]) == (200, "kept")
    again = _call(api, world, "employee", "post", f"/commitments/{made.json()['id']}/done")
    assert again.status_code == 409
    assert again.json() == {"detail": "This commitment is already kept; make a new one instead.", "errors": []}


def test_negotiate_rate_and_thank_over_the_api(world: dict[str, Any], api: Any) -> None:
    rid = world["request"].pk
    asked = _call(
        api,
        world,
        "employee",
        "post",
        f"/requests/{rid}/needed-by",
        {"needed_by": _iso(timedelta(hours=2)), "reason": "The new hire starts at noon."},
    )
    assert asked.status_code == 201, asked.json()
    assert asked.json()["state"] == "proposed"
    nid = asked.json()["id"]
    countered = _call(
        api,
        world,
        "agent",
        "post",
        f"/requests/{rid}/needed-by/{nid}/respond",
        {"action": "counter", "due_at": _iso(timedelta(hours=5))},
    )
    assert (countered.status_code, countered.json()["state"]) == (200, "countered")
    accepted = _call(api, world, "employee", "post", f"/requests/{rid}/needed-by/{nid}/respond", {"action": "accept"})
    assert (accepted.status_code, accepted.json()["state"]) == (200, "accepted")
    assert accepted.json()["commitment"] == Commitment.objects.get(request_id=rid).pk

    desk_services.request_transition(actor=world["agent"].user, request=world["request"], status="resolved")
    rated = _call(api, world, "employee", "post", f"/requests/{rid}/feedback", {"rating": 2, "comment": "Slow."})
    assert rated.status_code == 201, rated.json()
    assert (rated.json()["rating"], rated.json()["follow_up"]) == (2, True)
    thanked = _call(
        api,
        world,
        "employee",
        "post",
        f"/requests/{rid}/thanks",
        {"to": [world["agent"].pk, world["lead"].pk], "message": "Thanks for sorting it out!"},
    )
    assert thanked.status_code == 201, thanked.json()
    assert thanked.json()["to"] == sorted([world["agent"].pk, world["lead"].pk])


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "status", "field"),
    [
        pytest.param("agent", "post", "/requests/{rid}/commitments", {"due_at": "PAST"}, 422, "due_at", id="past_case"),
        pytest.param(
            "agent", "post", "/requests/{rid}/commitments", {"due_at": "2030-01-01T10:00:00"}, 422, "due_at",
            id="naive_case",
        ),
        pytest.param(
            "agent", "post", "/requests/{rid}/commitments", {"due_at": "FUTURE", "colour": "red"}, 422, "colour",
            id="unknown_field_case",
        ),
        pytest.param("employee", "post", "/requests/{rid}/commitments", {"due_at": "FUTURE"}, 403, None,
                     id="not_an_agent_case"),
        pytest.param("manager", "post", "/requests/{rid}/commitments", {"due_at": "FUTURE"}, 404, None,
                     id="unseen_request_case"),
        pytest.param("agent", "post", "/requests/99999999999999999999/commitments", {"due_at": "FUTURE"}, 404, None,
                     id="huge_id_case"),
        pytest.param("employee", "post", "/commitments", {"to": "ME", "title": "x", "due_at": "FUTURE"}, 422, "to",
                     id="to_oneself_case"),
        pytest.param("employee", "post", "/commitments", {"to": 10**30, "title": "x", "due_at": "FUTURE"}, 422, "to",
                     id="huge_person_case"),
        pytest.param("employee", "post", "/requests/{rid}/needed-by", {"needed_by": "PAST", "reason": "x"}, 422,
                     "needed_by", id="needed_by_past_case"),
        pytest.param("agent", "post", "/requests/{rid}/needed-by", {"needed_by": "FUTURE", "reason": "x"}, 403, None,
                     id="needed_by_not_requester_case"),
        pytest.param("employee", "post", "/requests/{rid}/needed-by/99999/respond", {"action": "withdraw"}, 404,
                     None, id="unknown_negotiation_case"),
        pytest.param("employee", "post", "/requests/{rid}/feedback", {"rating": 5}, 409, None, id="unresolved_case"),
        pytest.param("employee", "post", "/requests/{done}/feedback", {"rating": 7}, 422, "rating", id="rating_case"),
        pytest.param("employee", "post", "/requests/{rid}/thanks", {"to": ["ME"], "message": "x"}, 422, "to",
                     id="thanks_oneself_case"),
        pytest.param("employee", "post", "/requests/{rid}/thanks", {"to": [999999], "message": "x"}, 422, "to",
                     id="thanks_unknown_case"),
        pytest.param("employee", "post", "/requests/{rid}/thanks", {"to": ["SAM"], "message": " "}, 422, "message",
                     id="thanks_empty_case"),
        pytest.param("employee", "get", "/commitments/99999999999999999999", None, 404, None, id="huge_get_case"),
    ],
)  # fmt: skip
def test_every_refusal_is_in_the_envelope_and_changes_nothing(
    world: dict[str, Any], api: Any, who: str, method: str, path: str, body: Any, status: int, field: str | None
) -> None:
    values = {
        "PAST": _iso(-timedelta(hours=1)),
        "FUTURE": _iso(timedelta(days=1)),
        "ME": world["employee"].pk,
        "SAM": world["agent"].pk,
    }

    def fill(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: fill(item) for key, item in value.items()}
        if isinstance(value, list):
            return [fill(item) for item in value]
        return values.get(value, value) if isinstance(value, str) else value

    done = request_create(requester=world["employee"], request_type=world["request_type"], subject="Done")
    desk_services.request_transition(actor=world["agent"].user, request=done, status="resolved")
    before = snapshot()
    response = _call(api, world, who, method, path.format(rid=world["request"].pk, done=done.pk), fill(body))

    assert response.status_code == status, response.json()
    assert set(response.json()) == {"detail", "errors"}
    assert response.json()["detail"]
    if field is not None:
        assert field in [error["field"] for error in response.json()["errors"]]
    assert snapshot() == before


def test_a_second_commitment_on_a_request_is_409_naming_the_open_one(world: dict[str, Any], api: Any) -> None:
    rid = world["request"].pk
    first = _call(api, world, "agent", "post", f"/requests/{rid}/commitments", {"due_at": _iso(timedelta(days=1))})
    second = _call(api, world, "lead", "post", f"/requests/{rid}/commitments", {"due_at": _iso(timedelta(days=2))})
    assert second.status_code == 409
    assert second.json()["detail"] == (
        f"IT-1 already has an open commitment ({first.json()['id']}); revise it with a reason instead."
    )


# --- pinned query counts (C10) ---------------------------------------------------------------

# A token request costs 5 queries before the endpoint's own: the token and its user, and the
# caller's standing with the desks (their person, the units they lead, the desks at or above their
# unit). The list adds the count, the page's ids and its rows with their joins.
LIST_QUERIES = 8


def _grow(world: dict[str, Any], to: int) -> None:
    eve, sam, mo = world["employee"], world["agent"], world["manager"]
    n = Commitment.objects.count()
    while n < to:
        if n % 3 == 0:
            request = request_create(requester=eve, request_type=world["request_type"], subject=f"Laptop {n}")
            services.commitment_create_for_request(
                actor=sam.user, request=request, due_at=timezone.now() + timedelta(days=1 + n)
            )
        else:
            services.commitment_create(
                actor=eve.user, to_id=(sam if n % 2 else mo).pk, title=f"Promise {n}", due_at=_due(n)
            )
        n += 1


def _due(n: int) -> datetime:
    return timezone.now() + timedelta(days=1, hours=n)


def test_the_commitments_list_is_pinned_and_does_not_grow_with_the_data(
    world: dict[str, Any], api: Any, django_assert_num_queries: Any, subtests: Any
) -> None:
    for token in world["tokens"].values():
        api("get", "/api/v1/commitments", token=token)  # the first use stamps last_used_at

    def check(size: int) -> None:
        _grow(world, size)
        for who, query in (("employee", ""), ("employee", "?mine=true&state=open"), ("agent", "?to_me=true")):
            with subtests.test(f"{who} {query}, {size}"), django_assert_num_queries(LIST_QUERIES):
                response = _call(api, world, who, "get", f"/commitments{query}")
                assert response.status_code == 200
                assert response.json()["count"] > 0

    check(3)
    check(30)
