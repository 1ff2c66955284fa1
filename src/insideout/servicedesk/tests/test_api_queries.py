"""Pinned query counts of the service desk's API (C10): the same with 3 requests and with 30.

Every token request costs 5 queries before the endpoint's own: the token and its user, then the
caller's standing with the desks (``selectors.access_for``: their person, the units they lead,
the desks at or above their unit), once per request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insideout.servicedesk import services
from insideout.servicedesk.models import Request
from insideout.servicedesk.tests.factories import request_create

# (name, who calls, url, queries)
READS: list[tuple[str, str, Callable[[dict[str, Any]], str], int]] = [
    # 5 + the page's ids, its rows with their joins, their clocks, and the count
    ("queue", "agent", lambda d: "/api/v1/requests?queue=all_open", 9),
    ("queue, filtered", "agent", lambda d: f"/api/v1/requests?queue=unassigned&service={d['service'].pk}", 9),
    ("my requests", "employee", lambda d: "/api/v1/requests", 9),
    # 5 + the request with its desk and type, its people (``selectors._with_people``) + its clocks
    ("request", "agent", lambda d: f"/api/v1/requests/{d['request'].pk}", 8),
    ("request, as its requester", "employee", lambda d: f"/api/v1/requests/{d['request'].pk}", 8),
    ("clocks", "employee", lambda d: f"/api/v1/requests/{d['request'].pk}/clocks", 8),
    # 5 + the request and its people + the count, the comments and their attachments
    ("comments", "employee", lambda d: f"/api/v1/requests/{d['request'].pk}/comments", 10),
    # 5 + the request and its people + its events with their actors
    ("history", "agent", lambda d: f"/api/v1/requests/{d['request'].pk}/history", 8),
    # 5 + the count + the rows
    ("services", "employee", lambda d: "/api/v1/services", 7),
    # 5 + the service + its types, their fields, their current standards
    ("request types", "employee", lambda d: f"/api/v1/services/{d['service'].pk}/request-types", 9),
    # 5 + the desks with their units and calendars
    ("desks", "lead", lambda d: "/api/v1/desks", 6),
]


@pytest.fixture
def world(desk: dict[str, Any], token_for: Callable[..., str], api: Any) -> dict[str, Any]:
    world = dict(desk)
    world["request"] = request_create(requester=desk["employee"], request_type=desk["request_type"])
    services.request_comment(actor=desk["agent"].user, request=world["request"], body="On it.")
    world["tokens"] = {role: token_for(desk[role], "write") for role in ("employee", "agent", "lead")}
    for token in world["tokens"].values():
        # The first use stamps last_used_at (once a minute at most); the first clock warms the
        # process's cache of calendar versions, which are immutable.
        api("get", f"/api/v1/requests/{world['request'].pk}", token=token)
    return world


def grow(world: dict[str, Any], to: int) -> None:
    """More requests, of several people, some assigned, replied to and moved along."""
    people = [world["employee"], world["manager"], world["admin"]]
    n = Request.objects.count()
    while n < to:
        filed = request_create(
            requester=people[n % 3], request_type=world["request_type"], subject=f"Laptop {n}", priority="P2"
        )
        if n % 2:
            services.request_assign(actor=world["agent"].user, request=filed, assignee_id=world["agent"].pk)
            services.request_comment(actor=world["agent"].user, request=filed, body=f"Reply {n}")
        if n % 3 == 0:
            services.request_transition(actor=world["agent"].user, request=filed, status="in_progress")
        n += 1


def test_reads_are_pinned_and_do_not_grow_with_the_data(world, api, django_assert_num_queries, subtests):
    def check(size: int) -> None:
        grow(world, size)
        for name, who, url, queries in READS:
            with subtests.test(f"{name}, {size} requests"), django_assert_num_queries(queries):
                assert api("get", url(world), token=world["tokens"][who]).status_code == 200

    check(3)
    check(30)


def test_the_lists_really_grew(world, api):
    grow(world, 30)

    queue = api("get", "/api/v1/requests?queue=all_open", token=world["tokens"]["agent"]).json()
    mine = api("get", "/api/v1/requests", token=world["tokens"]["employee"]).json()

    assert (queue["count"], len(queue["items"])) == (30, 30)
    assert (mine["count"], len(mine["items"])) == (10, 10)


def _create_queries(world: dict[str, Any], api: Any) -> int:
    body = {"request_type": world["request_type"].pk, "subject": "Another", "fields": {"model": "13 inch"}}
    with CaptureQueriesContext(connection) as queries:
        assert api("post", "/api/v1/requests", token=world["tokens"]["employee"], json=body).status_code == 201
    return len(queries)


def test_filing_costs_the_same_with_3_and_30_requests(world, api):
    grow(world, 3)
    small = _create_queries(world, api)
    grow(world, 30)
    large = _create_queries(world, api)

    # The request, its number, the agreement it may run under, its events, both clocks replayed and
    # stored, and the answer read back (the request, then its people).
    assert (small, large) == (28, 28)
