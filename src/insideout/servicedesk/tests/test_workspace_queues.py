"""The agent's queues: contents and order per queue, filters, counts, paging, bulk assignment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insideout.people import services as people_services
from insideout.people.tests.factories import EmployeeFactory, UnitFactory
from insideout.servicedesk import services
from insideout.servicedesk.models import Request, RequestClock
from insideout.servicedesk.tests.factories import catalog_create, desk_create, request_create

ClientFor = Callable[[Any], Client]


def _keys(response: Any) -> list[str]:
    return [row.key for row, _clock in response.context["rows"]]


def _counts(response: Any) -> dict[str, int]:
    return {tab["name"]: tab["count"] for tab in response.context["tabs"]}


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _assignees(*requests: Request) -> list[int | None]:
    return [Request.objects.get(pk=request.pk).assignee_id for request in requests]


def test_open_requests_come_due_first(desk: dict[str, Any], client_for: ClientFor) -> None:
    for priority in ("P4", "P1", "P3", "P2"):
        request_create(requester=desk["employee"], request_type=desk["request_type"], priority=priority)

    response = client_for(desk["agent"]).get("/desk/")

    assert response.status_code == 200
    # First response targets: P1 30 minutes, P2 2, P3 4, P4 8 working hours (IT-2, IT-4, IT-3, IT-1).
    assert _keys(response) == ["IT-2", "IT-4", "IT-3", "IT-1"]
    assert response.context["values"]["queue"] == "all_open"


@pytest.fixture
def queues(desk: dict[str, Any]) -> dict[str, Any]:
    """One request for each queue, as Sam (helpdesk) sees them.

    IT-1 Sam's own; IT-2 his teammate Tia's; IT-3 unassigned and at risk; IT-4 waiting on the
    requester (assigned to Lena); IT-5 opened 60 days ago, unassigned and breached; IT-6 resolved.
    """
    agent, lead = desk["agent"], desk["lead"]
    tia = EmployeeFactory(username="tia", first_name="Tia", last_name="Team", unit=desk["helpdesk"])
    now = timezone.now()
    made = [
        request_create(requester=desk["employee"], request_type=desk["request_type"], priority="P3", subject=s)
        for s in ("Sam's laptop", "Tia's laptop", "Urgent dock", "Waiting screen")
    ]
    made[2] = Request.objects.get(pk=made[2].pk)
    services.request_priority_set(actor=lead.user, request=made[2], priority="P1")
    old = request_create(
        requester=desk["manager"], request_type=desk["request_type"], subject="Old mouse", now=now - timedelta(days=60)
    )
    done = request_create(requester=desk["employee"], request_type=desk["request_type"], subject="Done deal")
    services.request_assign(actor=lead.user, request=made[0], assignee_id=agent.pk)
    services.request_assign(actor=lead.user, request=made[1], assignee_id=tia.pk)
    services.request_assign(actor=lead.user, request=made[3], assignee_id=lead.pk)
    services.request_transition(actor=lead.user, request=made[3], status="waiting_on_requester")
    services.request_transition(actor=lead.user, request=done, status="resolved")
    # The sweep runs once the P1 clock of IT-3 is at risk: it warns about IT-3 and IT-5's breach.
    urgent = RequestClock.objects.get(request=made[2], metric="first_response")
    services.clocks_sweep(now=urgent.at_risk_at + timedelta(seconds=1))
    return {**desk, "tia": tia, "requests": [*made, old, done]}


@pytest.mark.parametrize(
    ("queue", "keys"),
    [
        ("mine", ["IT-1"]),
        ("team", ["IT-1", "IT-2"]),
        ("unassigned", ["IT-5", "IT-3"]),
        ("at_risk", ["IT-3"]),
        ("breached", ["IT-5"]),
        ("waiting", ["IT-4"]),
        ("all_open", ["IT-5", "IT-3", "IT-1", "IT-2", "IT-4"]),
    ],
)
def test_each_queue_holds_its_requests_due_first(
    queues: dict[str, Any], client_for: ClientFor, queue: str, keys: list[str]
) -> None:
    response = client_for(queues["agent"]).get(f"/desk/?queue={queue}")

    assert _keys(response) == keys


def test_tabs_count_each_queue(queues: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(queues["agent"]).get("/desk/")

    assert _counts(response) == {
        "mine": 1,
        "team": 2,
        "unassigned": 2,
        "at_risk": 1,
        "breached": 1,
        "waiting": 1,
        "blocking_others": 0,
        "silent": 0,
        "all_open": 5,
    }
    page = response.content.decode()
    assert 'aria-current="page"\n           hx-get="?"' in page


def test_at_risk_and_breached_rows_say_so_in_words(queues: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(queues["agent"]).get("/desk/?queue=unassigned")

    states = {row.key: clock.state for row, clock in response.context["rows"]}
    page = response.content.decode()
    assert states == {"IT-5": "breached", "IT-3": "running"}
    assert '<tr class="tone-breached">' in page
    assert '<span class="clock-flag">Breached</span> first response overdue by' in page
    assert page.count('class="clock-flag">') == 1  # IT-3 is at risk by the sweep's later clock, not yet by now's


def test_an_at_risk_row_says_so(desk: dict[str, Any], client_for: ClientFor) -> None:
    services.standard_set(
        actor=desk["lead"].user,
        request_type=desk["request_type"],
        priority="P2",
        values=services.StandardInput(first_response_minutes=60, resolution_minutes=600, business_hours=False),
    )
    request_create(
        requester=desk["employee"],
        request_type=desk["request_type"],
        priority="P2",
        now=timezone.now() - timedelta(minutes=50, seconds=30),
    )

    response = client_for(desk["agent"]).get("/desk/")

    page = response.content.decode()
    assert '<tr class="tone-at-risk">' in page
    assert '<span class="clock-flag">At risk</span> first response due in 9 minutes' in page


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("priority=P1", ["IT-3"]),
        ("status=waiting_on_requester", ["IT-4"]),
        ("status=resolved", ["IT-6"]),
        ("q=laptop", ["IT-1", "IT-2"]),
        ("q=it-4", ["IT-4"]),
        ("q=5", ["IT-5"]),
        ("q=nothing+like+this", []),
        ("priority=P9", ["IT-5", "IT-3", "IT-1", "IT-2", "IT-4"]),  # not on offer: ignored
    ],
)
def test_filters_narrow_the_queue(queues: dict[str, Any], client_for: ClientFor, query: str, keys: list[str]) -> None:
    response = client_for(queues["agent"]).get(f"/desk/?{query}")

    assert _keys(response) == keys


def test_assignee_and_service_filters(queues: dict[str, Any], client_for: ClientFor) -> None:
    client = client_for(queues["agent"])
    other = services.service_create(actor=queues["lead"].user, desk=queues["desk"], name="Phones")

    assert _keys(client.get(f"/desk/?assignee={queues['tia'].pk}")) == ["IT-2"]
    assert _keys(client.get(f"/desk/?service={queues['service'].pk}")) == ["IT-5", "IT-3", "IT-1", "IT-2", "IT-4"]
    assert _keys(client.get(f"/desk/?service={other.pk}")) == []


def test_empty_queue_says_why(queues: dict[str, Any], client_for: ClientFor) -> None:
    client = client_for(queues["tia"])

    assert (
        "Nothing is assigned to you. Pick something from Unassigned."
        not in client.get("/desk/?queue=mine").content.decode()
    )
    services.request_assign(actor=queues["lead"].user, request=queues["requests"][1], assignee_id=None)
    page = client.get("/desk/?queue=mine").content.decode()
    assert "Nothing is assigned to you. Pick something from Unassigned." in page
    assert "No request in this queue matches these filters." in client.get("/desk/?q=zzz").content.decode()


def test_htmx_filtering_returns_only_the_results(queues: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(queues["agent"]).get(
        "/desk/?queue=unassigned&priority=P1", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-results"
    )

    page = response.content.decode()
    assert "<html" not in page
    assert '<input type="hidden" name="queue" id="queue-input" value="unassigned" hx-swap-oob="true">' in page
    assert _keys(response) == ["IT-3"]
    assert "HX-Target" in response["Vary"]


def test_desk_filter_for_an_agent_of_several_desks(desk: dict[str, Any], client_for: ClientFor) -> None:
    people_services.unit_update(unit=desk["helpdesk"], lead=desk["lead"])
    second = desk_create(unit=desk["helpdesk"], lead=desk["lead"], prefix="HD")
    catalog = catalog_create(desk=second, lead=desk["lead"])
    request_create(requester=desk["employee"], request_type=desk["request_type"])
    request_create(requester=desk["employee"], request_type=catalog["request_type"])
    client = client_for(desk["agent"])

    assert sorted(_keys(client.get("/desk/"))) == ["HD-1", "IT-1"]
    response = client.get(f"/desk/?desk={second.pk}")
    assert _keys(response) == ["HD-1"]
    assert _counts(response)["all_open"] == 1
    assert 'id="id_desk"' in response.content.decode()


def test_non_agents_are_told_they_have_no_queues(desk: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(desk["employee"]).get("/desk/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "You are not an agent of any service desk, so you have no queues." in page
    assert '<a href="/services/">Ask a desk for a service</a>' in page


def test_queues_page_in_pages(desk: dict[str, Any], client_for: ClientFor) -> None:
    for n in range(27):
        request_create(requester=desk["employee"], request_type=desk["request_type"], subject=f"Cable {n}")
    client = client_for(desk["agent"])

    first = client.get("/desk/?q=cable")
    second = client.get("/desk/?q=cable&page=2")

    assert len(_keys(first)) == 25
    assert _keys(second) == ["IT-26", "IT-27"]
    assert 'href="?q=cable&amp;page=2"' in first.content.decode()


# --- bulk assignment ---------------------------------------------------------------------------------


def test_bulk_assign_assigns_all_and_comes_back_to_the_queue(queues: dict[str, Any], client_for: ClientFor) -> None:
    unassigned = [queues["requests"][2], queues["requests"][4]]

    response = client_for(queues["agent"]).post(
        "/desk/assign/",
        {"requests": [r.pk for r in unassigned], "assignee": "me", "back": "queue=unassigned&x=evil"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/desk/?queue=unassigned"
    assert _assignees(*unassigned) == [queues["agent"].pk, queues["agent"].pk]
    follow = client_for(queues["agent"]).get(response["Location"])
    assert _keys(follow) == []


def test_bulk_assign_reports_how_many_changed(queues: dict[str, Any], client_for: ClientFor) -> None:
    chosen = [queues["requests"][0], queues["requests"][2]]  # IT-1 is Sam's already

    response = client_for(queues["agent"]).post(
        "/desk/assign/", {"requests": [r.pk for r in chosen], "assignee": str(queues["agent"].pk)}, follow=True
    )

    assert _messages(response) == ["1 of 2 requests assigned."]


def test_bulk_assign_is_all_or_nothing(queues: dict[str, Any], client_for: ClientFor) -> None:
    legal = UnitFactory(code="LEGAL", name="Legal", parent=queues["company"], provides_services=True)
    people_services.unit_update(unit=legal, lead=queues["manager"])
    legal_desk = desk_create(unit=legal, lead=queues["manager"], prefix="LG")
    foreign = request_create(
        requester=queues["employee"],
        request_type=catalog_create(desk=legal_desk, lead=queues["manager"])["request_type"],
    )
    chosen = [queues["requests"][2], foreign]

    response = client_for(queues["agent"]).post(
        "/desk/assign/", {"requests": [r.pk for r in chosen], "assignee": "me"}, follow=True
    )

    assert _messages(response) == ["Nothing was assigned: one of the requests does not exist or is not yours to see."]
    assert _assignees(*chosen) == [None, None]


def test_bulk_assign_to_someone_outside_the_desk_changes_nothing(queues: dict[str, Any], client_for: ClientFor) -> None:
    chosen = [queues["requests"][2], queues["requests"][4]]

    response = client_for(queues["agent"]).post(
        "/desk/assign/", {"requests": [r.pk for r in chosen], "assignee": str(queues["manager"].pk)}, follow=True
    )

    assert _messages(response) == ["Nothing was assigned: Choose an active agent of IT."]
    assert _assignees(*chosen) == [None, None]


def test_bulk_assign_needs_a_choice(queues: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(queues["agent"]).post("/desk/assign/", {"assignee": "me"}, follow=True)

    assert _messages(response) == ["Nothing was assigned: Choose at least one request."]


def test_bulk_assign_is_refused_to_non_agents(queues: dict[str, Any], client_for: ClientFor) -> None:
    chosen = [queues["requests"][2]]

    response = client_for(queues["employee"]).post(
        "/desk/assign/", {"requests": [r.pk for r in chosen], "assignee": str(queues["agent"].pk)}
    )

    assert response.status_code == 403
    assert _assignees(*chosen) == [None]


# --- query counts -----------------------------------------------------------------------------------


# The page: the 5 of every signed-in page (session, user, person, roles, unread count), the desk
# standing (person, led units, desks), the filters' desks and services (the agents the process kept
# from the first page), the page's count, ids and rows, the rows' clocks, and the tabs' counts. The
# htmx results skip the navigation's two.
@pytest.mark.parametrize("requests", [3, 30])
@pytest.mark.parametrize(
    ("url", "headers", "queries"),
    [
        ("/desk/?priority=P3&q=laptop", {}, 15),
        ("/desk/?priority=P3&q=laptop", {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "queue-results"}, 13),
        # Without filters the tab's count is the list's length: no count of its own.
        ("/desk/?queue=all_open", {}, 14),
    ],
    ids=["page", "htmx results", "unfiltered"],
)
def test_queue_query_count_is_flat(
    desk: dict[str, Any], client_for: ClientFor, requests: int, url: str, headers: dict[str, str], queries: int
) -> None:
    helpers = [EmployeeFactory(unit=desk["helpdesk"]) for _n in range(3)]
    for n in range(requests):
        request = request_create(
            requester=[desk["employee"], desk["manager"]][n % 2], request_type=desk["request_type"]
        )
        services.request_assign(actor=desk["lead"].user, request=request, assignee_id=helpers[n % 3].pk)
    client = client_for(desk["agent"])
    client.get("/desk/")  # warms the calendar cache, as a running server has

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)

    assert len(_keys(response)) == min(requests, 25)
    assert len(captured) == queries, "\n".join(q["sql"][:160] for q in captured.captured_queries)
