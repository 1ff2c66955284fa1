"""Requests through the REST API: filing, reading, lists and queues, replies, moves, assignment,
priority, clocks and history; every bad input and what it leaves unchanged."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from insideout.core.models import Event
from insideout.servicedesk import services
from insideout.servicedesk.clockview import clock_view
from insideout.servicedesk.models import Comment, Request, RequestClock
from insideout.servicedesk.tests.factories import request_create

# Monday 23 November 2026, 10:00 in Berlin (09:00 UTC): the desk (09:00–12:30, 13:30–17:00) is open.
MONDAY_10 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
INVALID = "The request is not valid; see errors."


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """The time the services and the API see, Monday 10:00 in Berlin until moved."""
    now = {"at": MONDAY_10}
    monkeypatch.setattr(timezone, "now", lambda: now["at"])

    def move(to: datetime) -> None:
        now["at"] = to

    return move


@pytest.fixture
def tokens(desk: dict[str, Any], token_for: Callable[..., str]) -> dict[str, str]:
    return {role: token_for(desk[role], "write") for role in ("employee", "manager", "agent", "lead")}


def _file(api: Any, token: str, **body: Any) -> Any:
    return api("post", "/api/v1/requests", token=token, json=body)


def _laptop(desk: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "request_type": desk["request_type"].pk,
        "subject": "Laptop for Kim",
        "fields": {"model": "13 inch"},
    } | extra


def _state(request: Request) -> dict[str, Any]:
    """What a refused write must leave as it was."""
    fresh = Request.objects.get(pk=request.pk)
    return {
        "request": (fresh.status, fresh.assignee_id, fresh.priority, fresh.updated_at),
        "events": Event.objects.filter(subject_id=str(request.pk)).count(),
        "comments": Comment.objects.filter(request=request).count(),
        "clocks": list(RequestClock.objects.filter(request=request).order_by("metric").values()),
    }


RUNNING_FIRST_RESPONSE = {
    "metric": "first_response",
    "target": 14400.0,
    "elapsed": 0.0,
    "remaining": 14400.0,
    "due_at": "2026-11-23T14:00:00Z",
    "paused": False,
    "state": "running",
    "breached_at": None,
    "met_at": None,
    "at_risk": False,
    "business_hours": True,
    "words": "first response due in 4 working hours — Mon 15:00",
}
RUNNING_RESOLUTION = {
    "metric": "resolution",
    "target": 86400.0,
    "elapsed": 0.0,
    "remaining": 86400.0,
    "due_at": "2026-11-26T13:00:00Z",
    "paused": False,
    "state": "running",
    "breached_at": None,
    "met_at": None,
    "at_risk": False,
    "business_hours": True,
    "words": "resolution due in 3 working days — Thu 14:00",
}


# --- filing --------------------------------------------------------------------------------------


def test_filing_a_request_answers_201_with_the_request_and_its_clocks(desk, api, tokens, clock):
    eve = desk["employee"]

    response = _file(api, tokens["employee"], **_laptop(desk, description="Starts **Monday**."))

    assert response.status_code == 201
    created = Request.objects.get()
    assert response.json() == {
        "id": created.pk,
        "key": "IT-1",
        "subject": "Laptop for Kim",
        "description": "Starts **Monday**.",
        "description_html": "<p>Starts <strong>Monday</strong>.</p>\n",
        "status": "new",
        "priority": "P3",
        "request_type": desk["request_type"].pk,
        "request_type_name": "New laptop",
        "service": desk["service"].pk,
        "service_name": "Laptops",
        "desk": desk["desk"].pk,
        "requester": eve.pk,
        "requester_name": "Eve Employee",
        "on_behalf_of": None,
        "on_behalf_of_name": "",
        "assignee": None,
        "assignee_name": "",
        "field_values": {"model": "13 inch"},
        "created_at": "2026-11-23T09:00:00Z",
        "updated_at": "2026-11-23T09:00:00Z",
        "first_responded_at": None,
        "resolved_at": None,
        "closed_at": None,
        "last_update_at": None,
        "update_due_at": None,
        "clocks": [RUNNING_FIRST_RESPONSE, RUNNING_RESOLUTION],
    }


def test_a_request_can_be_filed_for_someone_else_at_another_priority(desk, api, tokens, clock):
    mo = desk["manager"]

    response = _file(api, tokens["employee"], **_laptop(desk, priority="P1", on_behalf_of=mo.pk))

    assert response.status_code == 201
    body = response.json()
    assert (body["priority"], body["on_behalf_of"], body["on_behalf_of_name"]) == ("P1", mo.pk, "Mo Manager")
    assert [(c["metric"], c["target"]) for c in body["clocks"]] == [("first_response", 1800.0), ("resolution", 14400.0)]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"fields": {"model": "17 inch", "needed_on": "tomorrow", "colour": "red"}},
            [
                {"field": "fields.colour", "message": "This request type has no field called “colour”."},
                {"field": "fields.model", "message": "Choose one of: 13 inch, 15 inch."},
                {"field": "fields.needed_on", "message": "Enter a date as YYYY-MM-DD."},
            ],
        ),
        ({"fields": {}}, [{"field": "fields.model", "message": "This field is required."}]),
        (
            {"fields": {"model": ["13 inch"]}},
            [{"field": "fields.model", "message": "Choose one of: 13 inch, 15 inch."}],
        ),
        ({"subject": "   "}, [{"field": "subject", "message": "This field is required."}]),
        ({"on_behalf_of": 999_999}, [{"field": "on_behalf_of", "message": "No active person has this id."}]),
        (
            {"priority": "P9"},
            [{"field": "priority", "message": "Input should be 'P1', 'P2', 'P3' or 'P4'"}],
        ),
        ({"request_type": 999_999}, [{"field": "request_type", "message": "No such request type."}]),
        ({"subject": None}, [{"field": "subject", "message": "Input should be a valid string"}]),
        ({"colour": "red"}, [{"field": "colour", "message": "Extra inputs are not permitted"}]),
    ],
)
def test_bad_input_is_422_naming_the_field_and_stores_nothing(desk, api, tokens, body, errors):
    events = Event.objects.count()

    response = _file(api, tokens["employee"], **_laptop(desk, **body))

    assert response.status_code == 422
    assert response.json() == {"detail": INVALID, "errors": errors}
    assert (Request.objects.count(), Event.objects.count()) == (0, events)


def test_a_missing_subject_is_named(desk, api, tokens):
    response = _file(api, tokens["employee"], request_type=desk["request_type"].pk, fields={"model": "13 inch"})

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "subject", "message": "Field required"}]


def test_a_request_type_one_may_not_request_is_unknown(desk, api, tokens):
    services.request_type_update(actor=desk["lead"].user, request_type=desk["request_type"], is_active=False)

    response = _file(api, tokens["employee"], **_laptop(desk))

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "request_type", "message": "No such request type."}]
    assert Request.objects.count() == 0


def test_a_read_token_may_not_file(desk, api, token_for):
    response = _file(api, token_for(desk["employee"]), **_laptop(desk))

    assert response.status_code == 403
    assert response.json() == {
        "detail": "This token is read-only; create one with the write scope to change data.",
        "errors": [],
    }
    assert Request.objects.count() == 0


# --- reading -------------------------------------------------------------------------------------


@pytest.fixture
def filed(desk: dict[str, Any], clock: Callable[[datetime], None]) -> Request:
    return request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)


def test_the_requester_and_the_desk_read_the_request(desk, api, tokens, filed):
    for role in ("employee", "agent", "lead"):
        response = api("get", f"/api/v1/requests/{filed.pk}", token=tokens[role])

        assert response.status_code == 200
        assert (response.json()["key"], response.json()["clocks"]) == (
            "IT-1",
            [RUNNING_FIRST_RESPONSE, RUNNING_RESOLUTION],
        )


def test_someone_elses_request_does_not_exist(desk, api, tokens, filed):
    for path in ("", "/clocks", "/comments", "/history"):
        response = api("get", f"/api/v1/requests/{filed.pk}{path}", token=tokens["manager"])

        assert response.status_code == 404
        assert response.json() == {"detail": "No such request.", "errors": []}


def test_without_a_queue_the_list_is_my_requests_newest_first(desk, api, tokens, clock):
    eve, mo = desk["employee"], desk["manager"]
    first = request_create(requester=eve, request_type=desk["request_type"], subject="First")
    clock(MONDAY_10 + timedelta(minutes=5))
    request_create(requester=mo, request_type=desk["request_type"], subject="Mo's")
    for_eve = request_create(requester=mo, request_type=desk["request_type"], subject="For Eve", on_behalf_of_id=eve.pk)

    response = api("get", "/api/v1/requests", token=tokens["employee"])

    assert response.status_code == 200
    assert [item["subject"] for item in response.json()["items"]] == ["For Eve", "First"]
    assert response.json()["count"] == 2
    item = response.json()["items"][1]
    assert item == {
        "id": first.pk,
        "key": "IT-1",
        "subject": "First",
        "status": "new",
        "priority": "P3",
        "request_type": desk["request_type"].pk,
        "service": desk["service"].pk,
        "desk": desk["desk"].pk,
        "requester": eve.pk,
        "requester_name": "Eve Employee",
        "on_behalf_of": None,
        "assignee": None,
        "assignee_name": "",
        "created_at": "2026-11-23T09:00:00Z",
        "updated_at": "2026-11-23T09:00:00Z",
        "next_due_at": "2026-11-23T14:00:00Z",
        "last_update_at": None,
        "update_due_at": None,
        "clocks": [
            RUNNING_FIRST_RESPONSE | {"elapsed": 300.0, "remaining": 14100.0},
            RUNNING_RESOLUTION | {"elapsed": 300.0, "remaining": 86100.0},
        ],
    }
    assert for_eve.on_behalf_of_id == eve.pk


def test_my_requests_narrow_by_status_priority_and_service(desk, api, tokens, clock):
    eve = desk["employee"]
    request_create(requester=eve, request_type=desk["request_type"], subject="Urgent", priority="P1")
    done = request_create(requester=eve, request_type=desk["request_type"], subject="Done")
    services.request_transition(actor=desk["agent"].user, request=done, status="resolved")

    def subjects(query: str) -> list[str]:
        return [
            item["subject"]
            for item in api("get", f"/api/v1/requests?{query}", token=tokens["employee"]).json()["items"]
        ]

    assert subjects("status=resolved") == ["Done"]
    assert subjects("priority=P1") == ["Urgent"]
    assert subjects(f"service={desk['service'].pk}") == ["Done", "Urgent"]
    assert subjects("service=999999") == []


def test_queue_only_filters_without_a_queue_are_422(desk, api, tokens):
    response = api("get", f"/api/v1/requests?q=laptop&assignee={desk['agent'].pk}", token=tokens["employee"])

    assert response.status_code == 422
    assert response.json() == {
        "detail": INVALID,
        "errors": [
            {"field": "q", "message": "Filter a queue: add queue=all_open or another queue."},
            {"field": "assignee", "message": "Filter a queue: add queue=all_open or another queue."},
        ],
    }


def test_a_queue_is_for_agents(desk, api, tokens, filed):
    response = api("get", "/api/v1/requests?queue=unassigned", token=tokens["employee"])

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Queues are for the agents of a service desk; leave out queue for your own requests.",
        "errors": [],
    }


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        (
            "queue=everything",
            "Input should be 'mine', 'team', 'unassigned', 'at_risk', 'breached', 'waiting', 'blocking_others', "
            "'silent' or 'all_open'",
        ),
        ("status=open", "Input should be 'new', 'in_progress', 'waiting_on_requester', 'resolved' or 'closed'"),
        ("page=0", "Input should be greater than or equal to 1"),
    ],
)
def test_bad_list_parameters_are_422(desk, api, tokens, query, errors):
    response = api("get", f"/api/v1/requests?{query}", token=tokens["agent"])

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": query.partition("=")[0], "message": errors}]


def test_agents_queues_sort_by_what_is_due_first_and_filter(desk, api, tokens, clock):
    eve, sam = desk["employee"], desk["agent"]
    normal = request_create(requester=eve, request_type=desk["request_type"], subject="Normal laptop")
    urgent = request_create(requester=eve, request_type=desk["request_type"], subject="Urgent laptop", priority="P1")
    mine = request_create(requester=eve, request_type=desk["request_type"], subject="Sam's")
    services.request_assign(actor=sam.user, request=mine, assignee_id=sam.pk)

    def keys(query: str) -> list[str]:
        response = api("get", f"/api/v1/requests?{query}", token=tokens["agent"])
        assert response.status_code == 200
        return [item["key"] for item in response.json()["items"]]

    assert keys("queue=all_open") == [urgent.key, normal.key, mine.key]
    assert keys("queue=mine") == [mine.key]
    assert keys("queue=team") == [mine.key]  # assigned to someone of Sam's team (himself)
    assert keys("queue=unassigned") == [urgent.key, normal.key]
    assert keys("queue=all_open&priority=P1") == [urgent.key]
    assert keys("queue=all_open&q=urgent") == [urgent.key]
    assert keys(f"queue=all_open&q={normal.key}") == [normal.key]
    assert keys(f"queue=all_open&assignee={sam.pk}") == [mine.key]
    assert keys(f"queue=all_open&desk={desk['desk'].pk}&service={desk['service'].pk}") == [
        urgent.key,
        normal.key,
        mine.key,
    ]
    assert keys("queue=waiting") == []
    # An unfiltered queue's count comes from the queue counts; it must be the list's own length.
    for queue in ("all_open", "mine", "team", "unassigned", "at_risk", "breached", "waiting"):
        body = api("get", f"/api/v1/requests?queue={queue}", token=tokens["agent"]).json()
        assert body["count"] == len(body["items"]), queue


def test_the_at_risk_and_breached_queues_follow_the_sweep(desk, api, tokens, filed, clock):
    def keys(queue: str) -> list[str]:
        return [
            item["key"] for item in api("get", f"/api/v1/requests?queue={queue}", token=tokens["agent"]).json()["items"]
        ]

    at_risk = datetime(2026, 11, 23, 13, 10, tzinfo=UTC)  # 14:10 Berlin: less than a quarter of 4 hours left
    clock(at_risk)
    services.clocks_sweep(now=at_risk)
    risky = keys("at_risk"), keys("breached")
    late = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    clock(late)
    services.clocks_sweep(now=late)

    assert risky == (["IT-1"], [])
    assert (keys("at_risk"), keys("breached")) == ([], ["IT-1"])


# --- replies -------------------------------------------------------------------------------------


def test_an_agents_reply_is_201_and_meets_the_first_response(desk, api, tokens, filed, clock):
    clock(MONDAY_10 + timedelta(minutes=30))

    response = api("post", f"/api/v1/requests/{filed.pk}/comments", token=tokens["agent"], json={"body": "On it."})

    assert response.status_code == 201
    comment = Comment.objects.get()
    assert response.json() == {
        "id": comment.pk,
        "author": desk["agent"].pk,
        "author_name": "Sam Agent",
        "body": "On it.",
        "body_html": "<p>On it.</p>\n",
        "internal": False,
        "created_at": "2026-11-23T09:30:00Z",
    }
    clocks = api("get", f"/api/v1/requests/{filed.pk}/clocks", token=tokens["employee"]).json()
    assert clocks[0] | {"words": ""} == RUNNING_FIRST_RESPONSE | {
        "elapsed": 1800.0,
        "remaining": 12600.0,
        "state": "met",
        "met_at": "2026-11-23T09:30:00Z",
        "words": "",
    }
    assert clocks[0]["words"] == "first response met — Mon 10:30"


def test_an_internal_note_by_the_requester_is_403_and_changes_nothing(desk, api, tokens, filed):
    before = _state(filed)

    response = api(
        "post",
        f"/api/v1/requests/{filed.pk}/comments",
        token=tokens["employee"],
        json={"body": "Psst", "internal": True},
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only agents can add internal notes.", "errors": []}
    assert _state(filed) == before


def test_an_empty_reply_is_422(desk, api, tokens, filed):
    before = _state(filed)

    response = api("post", f"/api/v1/requests/{filed.pk}/comments", token=tokens["employee"], json={"body": "  "})

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "body", "message": "This field is required."}]
    assert _state(filed) == before


def test_internal_notes_are_listed_for_agents_only(desk, api, tokens, filed):
    services.request_comment(actor=desk["employee"].user, request=filed, body="Any news?")
    services.request_comment(actor=desk["agent"].user, request=filed, body="Warranty checked.", internal=True)

    def bodies(role: str) -> list[tuple[str, bool]]:
        response = api("get", f"/api/v1/requests/{filed.pk}/comments", token=tokens[role])
        return [(item["body"], item["internal"]) for item in response.json()["items"]]

    assert bodies("employee") == [("Any news?", False)]
    assert bodies("agent") == [("Any news?", False), ("Warranty checked.", True)]


def test_the_history_hides_internal_notes_from_the_requester(desk, api, tokens, filed):
    services.request_comment(actor=desk["agent"].user, request=filed, body="Warranty checked.", internal=True)

    def types(role: str) -> list[str]:
        return [
            event["type"] for event in api("get", f"/api/v1/requests/{filed.pk}/history", token=tokens[role]).json()
        ]

    assert types("employee") == ["servicedesk.request_opened"]
    assert types("agent") == ["servicedesk.request_opened", "servicedesk.request_commented"]
    opened = api("get", f"/api/v1/requests/{filed.pk}/history", token=tokens["employee"]).json()[0]
    assert opened | {"id": 0} == {
        "id": 0,
        "type": "servicedesk.request_opened",
        "occurred_at": "2026-11-23T09:00:00Z",
        "actor": desk["employee"].pk,
        "actor_name": "Eve Employee",
        "payload": {"number": "IT-1", "priority": "P3", "status": "new"},
    }


# --- moves, assignment, priority -----------------------------------------------------------------


def _post(api: Any, token: str, request: Request, action: str, body: dict[str, Any]) -> Any:
    return api("post", f"/api/v1/requests/{request.pk}/{action}", token=token, json=body)


def test_an_agent_moves_the_request_and_gets_it_back(desk, api, tokens, filed, clock):
    clock(MONDAY_10 + timedelta(hours=1))

    response = _post(api, tokens["agent"], filed, "transition", {"status": "waiting_on_requester"})

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["updated_at"]) == ("waiting_on_requester", "2026-11-23T10:00:00Z")
    assert [(c["state"], c["paused"], c["elapsed"]) for c in body["clocks"]] == [
        ("paused", True, 3600.0),
        ("paused", True, 3600.0),
    ]
    assert body["clocks"][1]["words"] == "resolution paused, 3 working days left"


def test_an_impossible_move_is_409_and_changes_nothing(desk, api, tokens, filed):
    before = _state(filed)

    response = _post(api, tokens["agent"], filed, "transition", {"status": "closed"})

    assert response.status_code == 409
    assert response.json() == {"detail": "A request that is new cannot become closed.", "errors": []}
    assert _state(filed) == before


def test_the_requester_may_not_make_an_agents_move(desk, api, tokens, filed):
    before = _state(filed)

    resolve = _post(api, tokens["employee"], filed, "transition", {"status": "resolved"})
    start = _post(api, tokens["employee"], filed, "transition", {"status": "in_progress"})

    assert resolve.status_code == 403
    assert resolve.json() == {"detail": "Only the desk's agents can make a request resolved.", "errors": []}
    # In progress is a requester's move too (reopening a resolved request), just not from new: 409.
    assert start.status_code == 409
    assert start.json() == {"detail": "A request that is new cannot become in progress.", "errors": []}
    assert _state(filed) == before


def test_the_requester_reopens_a_resolved_request(desk, api, tokens, filed):
    services.request_transition(actor=desk["agent"].user, request=filed, status="resolved")

    response = _post(api, tokens["employee"], filed, "transition", {"status": "in_progress"})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["resolved_at"]) == ("in_progress", None)


def test_a_bad_status_is_422(desk, api, tokens, filed):
    response = _post(api, tokens["agent"], filed, "transition", {"status": "done"})

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "status",
            "message": "Input should be 'new', 'in_progress', 'waiting_on_requester', 'resolved' or 'closed'",
        }
    ]


def test_an_agent_assigns_and_unassigns(desk, api, tokens, filed):
    sam = desk["agent"]

    assigned = _post(api, tokens["agent"], filed, "assign", {"assignee": sam.pk})
    unassigned = _post(api, tokens["lead"], filed, "assign", {"assignee": None})

    assert (assigned.status_code, assigned.json()["assignee"], assigned.json()["assignee_name"]) == (
        200,
        sam.pk,
        "Sam Agent",
    )
    assert (unassigned.status_code, unassigned.json()["assignee"], unassigned.json()["assignee_name"]) == (
        200,
        None,
        "",
    )


def test_assigning_someone_who_is_not_an_agent_is_422_and_changes_nothing(desk, api, tokens, filed):
    before = _state(filed)

    response = _post(api, tokens["agent"], filed, "assign", {"assignee": desk["employee"].pk})
    missing = _post(api, tokens["agent"], filed, "assign", {})

    assert response.status_code == 422
    assert response.json() == {
        "detail": INVALID,
        "errors": [{"field": "assignee", "message": "Choose an active agent of IT."}],
    }
    assert missing.json()["errors"] == [{"field": "assignee", "message": "Field required"}]
    assert _state(filed) == before


def test_the_requester_may_not_assign(desk, api, tokens, filed):
    before = _state(filed)

    response = _post(api, tokens["employee"], filed, "assign", {"assignee": desk["agent"].pk})

    assert response.status_code == 403
    assert response.json() == {"detail": "Only agents of IT can do this.", "errors": []}
    assert _state(filed) == before


def test_a_new_priority_moves_the_clocks_to_its_standard(desk, api, tokens, filed):
    response = _post(api, tokens["agent"], filed, "priority", {"priority": "P1"})

    assert response.status_code == 200
    body = response.json()
    assert body["priority"] == "P1"
    assert [(c["target"], c["due_at"]) for c in body["clocks"]] == [
        (1800.0, "2026-11-23T09:30:00Z"),
        (14400.0, "2026-11-23T14:00:00Z"),
    ]


def test_a_bad_priority_is_422_and_changes_nothing(desk, api, tokens, filed):
    before = _state(filed)

    response = _post(api, tokens["agent"], filed, "priority", {"priority": "urgent"})

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "priority", "message": "Input should be 'P1', 'P2', 'P3' or 'P4'"}]
    assert _state(filed) == before


# --- clocks --------------------------------------------------------------------------------------


def test_the_clocks_are_the_stored_clocks_brought_up_to_now(desk, api, tokens, filed, clock):
    # Monday 13:45 Berlin: 2.5 h before lunch and 15 minutes after it have counted.
    now = datetime(2026, 11, 23, 12, 45, tzinfo=UTC)
    clock(now)

    response = api("get", f"/api/v1/requests/{filed.pk}/clocks", token=tokens["employee"])

    stored = [clock_view(row, now=now) for row in RequestClock.objects.filter(request=filed).order_by("metric")]
    assert [
        (c["metric"], c["target"], c["elapsed"], c["remaining"], c["state"], c["at_risk"]) for c in response.json()
    ] == [
        (
            view.metric,
            view.target.total_seconds(),
            view.elapsed.total_seconds(),
            view.remaining.total_seconds(),
            view.state,
            view.at_risk,
        )
        for view in stored
    ]
    assert [c["elapsed"] for c in response.json()] == [9900.0, 9900.0]
    assert [c["due_at"] for c in response.json()] == ["2026-11-23T14:00:00Z", "2026-11-26T13:00:00Z"]


def test_a_clock_past_its_deadline_is_breached_before_the_sweep_runs(desk, api, tokens, filed, clock):
    clock(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))  # 16:00 Berlin, an hour after the first response was due

    first = api("get", f"/api/v1/requests/{filed.pk}/clocks", token=tokens["agent"]).json()[0]

    assert first == RUNNING_FIRST_RESPONSE | {
        "elapsed": 18000.0,
        "remaining": 0.0,
        "state": "breached",
        "breached_at": "2026-11-23T14:00:00Z",
        "words": "first response overdue by 1 working hour — was due Mon 15:00",
    }


# --- sessions --------------------------------------------------------------------------------------


def test_a_session_files_with_the_csrf_token_and_is_refused_without_it(desk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk["employee"].user)
    client.get("/api/v1/docs")  # sets the CSRF cookie, as the docs page does in a browser

    refused = client.post("/api/v1/requests", data=_laptop(desk), content_type="application/json")
    filed = client.post(
        "/api/v1/requests",
        data=_laptop(desk),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )

    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "CSRF check failed: send the X-CSRFToken header with a session-authenticated write."
    )
    assert (filed.status_code, filed.json()["key"]) == (201, "IT-1")
    assert Request.objects.count() == 1
