"""The "Blocking others" and "Silent" queues: their contents and counts, the counts still one query,
and the indexes the new reads (and the commitment sweep) use with bound parameters (ADR 0010, 0011)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insideout.people import services as people_services
from insideout.people.tests.factories import EmployeeFactory, UnitFactory
from insideout.servicedesk import selectors
from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import services
from insideout.servicedesk.models import Request
from insideout.servicedesk.tests.factories import catalog_create, desk_create, request_create

ClientFor = Callable[[Any], Client]


def _keys(requests: Any) -> list[str]:
    return [request.key for request in requests]


def _flag(agent: Any, request: Request, **waits: Any) -> Any:
    return services.obstacle_flag(
        actor=agent.user,
        request=request,
        description="Waiting for the other side.",
        expected_at=timezone.now() + timedelta(days=2),
        **waits,
    )


@pytest.fixture
def world(desk: dict[str, Any]) -> dict[str, Any]:
    """IT (Sam) and Facilities (Fay). IT-1 waits on FM-1 and IT-2 waits on IT-3; FM-2 was waited on
    by an obstacle since resolved; FM-3 is resolved. IT's requests owe an update every business
    hour: IT-4 was filed two days ago and has had none since (silent), IT-5 too but is resolved."""
    unit = UnitFactory(code="FM", name="Facilities", parent=desk["company"], provides_services=True)
    fay = EmployeeFactory(username="fay", first_name="Fay", last_name="Facilities", unit=unit)
    people_services.unit_update(unit=unit, lead=fay)
    fm = catalog_create(desk=desk_create(unit=unit, lead=fay, prefix="FM"), lead=fay)
    sam, eve = desk["agent"], desk["employee"]
    fm_requests = [request_create(requester=sam, request_type=fm["request_type"], subject=s) for s in ("A", "B", "C")]
    it_requests = [request_create(requester=eve, request_type=desk["request_type"], subject=s) for s in "123"]
    _flag(sam, it_requests[0], waiting_on_request=fm_requests[0].pk)
    _flag(sam, it_requests[1], waiting_on_request=it_requests[2].pk)
    desk_services.request_transition(actor=fay.user, request=fm_requests[2], status="resolved")
    gone = _flag(sam, it_requests[2], waiting_on_request=fm_requests[1].pk)
    services.obstacle_resolve(actor=sam.user, obstacle=gone)
    # An outside wait blocks nothing of anyone's.
    _flag(sam, it_requests[0], waiting_on_outside="The supplier")
    desk_services.request_type_update(
        actor=desk["lead"].user, request_type=desk["request_type"], update_every_minutes=60
    )
    two_days_ago = timezone.now() - timedelta(days=4)
    silent = request_create(requester=eve, request_type=desk["request_type"], subject="Quiet", now=two_days_ago)
    finished = request_create(requester=eve, request_type=desk["request_type"], subject="Done", now=two_days_ago)
    desk_services.request_transition(actor=sam.user, request=finished, status="resolved", now=two_days_ago)
    return {**desk, "fay": fay, "fm": fm_requests, "it": [*it_requests, silent, finished]}


def test_blocking_others_holds_the_requests_that_open_obstacles_wait_on(world: dict[str, Any]) -> None:
    assert _keys(selectors.request_queue_for(actor=world["fay"].user, queue="blocking_others")) == ["FM-1"]
    assert _keys(selectors.request_queue_for(actor=world["agent"].user, queue="blocking_others")) == ["IT-3"]


def test_silent_holds_open_requests_whose_update_is_overdue(world: dict[str, Any]) -> None:
    assert _keys(selectors.request_queue_for(actor=world["agent"].user, queue="silent")) == ["IT-4"]
    assert _keys(selectors.request_queue_for(actor=world["fay"].user, queue="silent")) == []
    earlier = timezone.now() - timedelta(days=7)
    assert _keys(selectors.request_queue_for(actor=world["agent"].user, queue="silent", now=earlier)) == []


def test_the_counts_include_both_queues_in_one_query(world: dict[str, Any]) -> None:
    selectors.access_for(world["agent"].user)  # the caller's standing, read once per request anyway

    with CaptureQueriesContext(connection) as captured:
        counts = selectors.queue_counts_for(actor=world["agent"].user)

    assert len(captured) == 1
    assert (counts["blocking_others"], counts["silent"], counts["all_open"]) == (1, 1, 4)
    assert selectors.queue_counts_for(actor=world["fay"].user)["blocking_others"] == 1


def test_the_tabs_show_the_new_queues_with_their_counts(world: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(world["fay"]).get("/desk/?queue=blocking_others")

    tabs = {tab["name"]: (str(tab["label"]), tab["count"]) for tab in response.context["tabs"]}
    assert tabs["blocking_others"] == ("Blocking others", 1)
    assert tabs["silent"] == ("Silent", 0)
    assert [row.key for row, _clock in response.context["rows"]] == ["FM-1"]
    empty = client_for(world["fay"]).get("/desk/?queue=silent").content.decode()
    assert "Every open request has had its public update in time." in empty


def test_an_empty_blocking_queue_says_so(desk: dict[str, Any], client_for: ClientFor) -> None:
    page = client_for(desk["agent"]).get("/desk/?queue=blocking_others").content.decode()

    assert "No other request waits on one of yours." in page


def test_the_api_lists_both_queues(world: dict[str, Any], api: Any, token_for: Callable[..., str]) -> None:
    token = token_for(world["agent"])

    blocking = api("get", "/api/v1/requests?queue=blocking_others", token=token)
    silent = api("get", "/api/v1/requests?queue=silent", token=token)

    assert [item["key"] for item in blocking.json()["items"]] == ["IT-3"]
    item = silent.json()["items"][0]
    assert item["key"] == "IT-4"
    assert item["last_update_at"] is None
    assert item["update_due_at"] is not None


# --- the indexes ----------------------------------------------------------------------------------


@contextmanager
def statements() -> Iterator[list[tuple[str, Any]]]:
    """Every statement sent, with its bound parameters (not inlined: SQLite plans differ for literals)."""
    sent: list[tuple[str, Any]] = []

    def keep(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        yield sent


def plan(sql: str, params: Any) -> str:
    """The database's plan for a statement: SQLite's query plan, or PostgreSQL's with sequential scans
    priced out (its tables here are too small for an index to win otherwise)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(str(row[0]) for row in cursor.fetchall())


def test_the_counts_read_the_queue_index_and_the_two_new_ones(world: dict[str, Any]) -> None:
    selectors.access_for(world["agent"].user)
    with statements() as sent:
        selectors.queue_counts_for(actor=world["agent"].user)

    text = plan(*sent[0])
    assert "obstacle_waiting_idx" in text
    assert "request_update_due_idx" in text
    if connection.vendor == "sqlite":  # SQLite answers the count from the covering index alone
        assert "USING COVERING INDEX request_desk_queue_idx" in text
        # The lists are counted once each (scalar subqueries), the team's by desk and assignee.
        assert text.count("SCALAR SUBQUERY") == 3
        assert "request_desk_assignee_idx" in text


def test_the_sweeps_probe_their_indexes(world: dict[str, Any]) -> None:
    now = timezone.now()
    with statements() as sent:
        services.updates_sweep(now=now - timedelta(days=30))
        services.commitments_sweep(now=now)

    assert "request_update_alarm_idx" in plan(*sent[0])
    # The commitment sweep's state is a bound parameter: a partial index on state = 'open' is never used.
    assert "commitment_state_due_idx" in plan(*sent[1])


def test_the_new_queues_walk_the_open_queue_index(world: dict[str, Any]) -> None:
    selectors.access_for(world["agent"].user)
    for queue in ("blocking_others", "silent"):
        requests = selectors.request_queue_for(actor=world["agent"].user, queue=queue)
        sql, params = requests.query.sql_with_params()

        assert "request_open_queue_idx" in plan(sql, params) or connection.vendor != "sqlite"


def test_the_assignee_and_flag_queues_walk_open_only_indexes(world: dict[str, Any]) -> None:
    """Each queue reads its page from an index that holds open requests apart, in due order, so none
    reads every request an assignee ever had (the plain assignee index) or walks every open request
    to find the few at risk: mine, my team's and unassigned by desk and assignee, at risk and
    breached by desk and flag (``request_desk_assignee_idx``, ``request_flag_queue_idx``)."""
    selectors.access_for(world["agent"].user)
    expected = {
        "mine": ("request_desk_assignee_idx",),
        "unassigned": ("request_desk_assignee_idx",),
        # A team is a list of assignees: either index gives its open requests.
        "team": ("request_desk_assignee_idx", "request_open_queue_idx"),
        "at_risk": ("request_flag_queue_idx",),
        "breached": ("request_flag_queue_idx",),
    }
    for queue, indexes in expected.items():
        requests = selectors.request_queue_for(actor=world["agent"].user, queue=queue)
        # What a page reads first (``IdsFirst``): the ids, in the queue's order.
        sql, params = requests.values_list("pk", flat=True).query.sql_with_params()
        text = plan(sql, params)

        assert '"is_open" =' in sql, queue
        if connection.vendor == "sqlite":
            assert any(index in text for index in indexes), (queue, text)
            assert "servicedesk_request_assignee_id" not in text, (queue, text)
