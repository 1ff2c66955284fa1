"""Pinned query counts of the portal's pages (C10): the same with a small desk and a busy one.

A signed-in page costs 5 queries (session, user, person for the language, and for the navigation
the roles and the unread count); the caller's desk standing (``selectors.access_for``: person,
units led, desks) costs 3 more, once per page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from insideout.people.tests.factories import EmployeeFactory
from insideout.servicedesk import services
from insideout.servicedesk.models import Status
from insideout.servicedesk.tests.factories import request_create

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "catalog-results"}

PAGES: list[tuple[str, Callable[[dict[str, Any]], str], dict[str, str], int]] = [
    # (id, url, extra headers, queries); each is 5 + 3 (the desk standing) + what is listed.
    ("catalog", lambda d: "/services/", {}, 10),  # the services with their units, their request types
    ("catalog search", lambda d: "/services/?q=laptop", {}, 10),
    # A fragment shows no navigation, so neither the roles nor the unread count are read.
    ("catalog search, htmx results", lambda d: "/services/?q=e", HTMX, 8),
    # the service; its types, their fields, their standards; the desk's calendar; the owner
    ("service", lambda d: f"/services/{d['service'].pk}/", {}, 14),
    # the type with its fields; the audience check; the people to pick
    ("request form", lambda d: f"/services/types/{d['request_type'].pk}/new/", {}, 12),
    ("people to pick", lambda d: "/services/people/?people_q=e", {}, 7),  # a fragment too: 3 + 3 + the people
    # paged by ids first (count, ids, rows with their joins), then the clocks of the page
    ("my requests", lambda d: "/requests/", {}, 12),
    ("my requests, all", lambda d: "/requests/?show=all", {}, 12),
]


def grow(desk: dict[str, Any]) -> None:
    """More of everything the portal lists: services, request types, people and requests."""
    lead = desk["lead"]
    for n in range(4):
        service = services.service_create(
            actor=lead.user, desk=desk["desk"], name=f"Service {n}", description="Help", owner=desk["agent"]
        )
        for m in range(2):
            services.request_type_create(
                actor=lead.user,
                service=service,
                name=f"Type {m}",
                fields=[{"key": "note", "label": "Note", "type": "text"}, {"key": "who", "type": "person"}],
            )
    for m in range(3):
        services.request_type_create(
            actor=lead.user, service=desk["service"], name=f"Laptop type {m}", fields=[{"key": "x", "type": "date"}]
        )
    for _ in range(20):
        EmployeeFactory(unit=desk["sales"])
    for n in range(30):
        request = request_create(
            requester=desk["employee"],
            request_type=desk["request_type"],
            subject=f"Laptop {n}",
            on_behalf_of_id=desk["manager"].pk if n % 3 == 0 else None,
        )
        if n % 2:
            services.request_assign(actor=lead.user, request=request, assignee_id=desk["agent"].pk)
        if n % 5 == 0:
            services.request_transition(actor=lead.user, request=request, status=Status.RESOLVED)
    request_create(requester=desk["manager"], request_type=desk["request_type"], on_behalf_of_id=desk["employee"].pk)


def test_portal_queries_are_pinned_and_do_not_grow_with_the_data(
    desk: dict[str, Any], client_for: Any, django_assert_num_queries: Any, subtests: Any
) -> None:
    request_create(requester=desk["employee"], request_type=desk["request_type"])
    client = client_for(desk["employee"])
    for _name, url, headers, _queries in PAGES:
        client.get(url(desk), **headers)  # warm the per-process calendar cache of the clocks

    def check(size: str) -> None:
        for name, url, headers, queries in PAGES:
            with subtests.test(f"{name}, {size}"), django_assert_num_queries(queries):
                assert client.get(url(desk), **headers).status_code == 200

    check("1 service, 1 request")
    grow(desk)
    check("5 services, 32 requests")


def test_the_pages_really_grew(desk: dict[str, Any], client_for: Any) -> None:
    grow(desk)
    client = client_for(desk["employee"])

    assert client.get("/services/").content.decode().count('<li class="card">') == 5
    assert client.get(f"/services/{desk['service'].pk}/").content.decode().count('class="card request-type"') == 4
    assert client.get("/requests/?show=all").content.decode().count('<span class="key">') == 25


def test_filing_a_request_costs_the_same_with_more_data(
    desk: dict[str, Any], client_for: Any, django_assert_num_queries: Any, subtests: Any
) -> None:
    client = client_for(desk["employee"])
    url = f"/services/types/{desk['request_type'].pk}/new/"
    # The first request warms the per-process calendar cache of the clocks.
    assert client.post(url, {"subject": "A first laptop", "field_model": "13 inch"}).status_code == 302

    def check(size: str) -> None:
        # The page's 12, and the service's own lookups in its savepoint (the type with its fields,
        # the audience) before it finds the answers wrong.
        with subtests.test(f"invalid, {size}"), django_assert_num_queries(18):
            assert client.post(url, {"subject": "", "field_model": "17 inch"}).status_code == 200
        # The service's lookups, then the agreement it may run under, the number, the request, its
        # event, and its two clocks from the history.
        with subtests.test(f"valid, {size}"), django_assert_num_queries(27):
            assert client.post(url, {"subject": "A laptop", "field_model": "13 inch"}).status_code == 302

    check("1 service, no request")
    grow(desk)
    check("5 services, 32 requests")
