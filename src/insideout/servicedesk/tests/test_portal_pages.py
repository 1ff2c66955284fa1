"""The portal: the catalog and its search, a service's page, my requests, navigation and home."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from insideout.people.tests.factories import EmployeeFactory, UnitFactory
from insideout.servicedesk import clockview, services
from insideout.servicedesk.models import Status
from insideout.servicedesk.tests.factories import catalog_create, desk_create, request_create

# Monday 23 November 2026, 10:00 in Berlin: the desk is open.
MONDAY_10 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# Monday 23 November 2026, 11:00 in Berlin.
MONDAY_11 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def text(html: str) -> str:
    """The page's words, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def main(response: Any) -> str:
    html = response.content.decode()
    return text(html[html.index("<main") : html.index("</main>")])


def nav(response: Any) -> str:
    html = response.content.decode()
    return text(html[html.index('<nav aria-label="Main"') : html.index("</nav>")])


@pytest.fixture
def at_monday_11(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clocks are read as of Monday 11:00 in Berlin (the rest of the site keeps the real time)."""
    monkeypatch.setattr(
        clockview,
        "timezone",
        SimpleNamespace(now=lambda: MONDAY_11, get_current_timezone=timezone.get_current_timezone),
    )


def restricted_service(desk: dict[str, Any]) -> dict[str, Any]:
    """A service only IT's members may request, with one request type."""
    lead = desk["lead"]
    service = services.service_create(
        actor=lead.user,
        desk=desk["desk"],
        name="Server access",
        description="Accounts on the build servers.",
        audience="units",
        audience_units=[desk["it"]],
    )
    request_type = services.request_type_create(actor=lead.user, service=service, name="Shell account")
    return {"service": service, "request_type": request_type}


# --- catalog --------------------------------------------------------------------------------------


def test_the_catalog_groups_services_by_providing_unit(desk: dict[str, Any], client_for: Any) -> None:
    facilities = UnitFactory(
        code="FAC", name="Facilities", kind="department", parent=desk["company"], provides_services=True
    )
    boss = EmployeeFactory(username="fred", first_name="Fred", last_name="Facilities", unit=facilities)
    from insideout.people import services as people_services

    people_services.unit_update(unit=facilities, lead=boss)
    fac_desk = desk_create(unit=facilities, lead=boss, prefix="FAC")
    services.service_create(actor=boss.user, desk=fac_desk, name="Keys", description="Office keys and cards.")

    response = client_for(desk["employee"]).get("/services/")

    assert response.status_code == 200
    assert main(response) == (
        "Services My requests What the units of the organisation do for you, and how fast they promise to answer. "
        "Search services Search 2 services "
        "Facilities Keys Office keys and cards. "
        "IT Laptops New laptops, repairs and loans. New laptop"
    )
    # Each published request type is one click from its form.
    assert f'<a href="/services/types/{desk["request_type"].pk}/new/">New laptop</a>' in response.content.decode()


def test_the_catalog_search_answers_htmx_with_the_results_only(desk: dict[str, Any], client_for: Any) -> None:
    client = client_for(desk["employee"])

    response = client.get("/services/?q=repairs", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="catalog-results")

    html = response.content.decode()
    assert "<main" not in html
    assert text(html) == "1 service IT Laptops New laptops, repairs and loans. New laptop"
    assert 'hx-swap-oob="innerHTML"' in html
    # The type's name is searched too.
    assert "Laptops" in main(client.get("/services/?q=new+laptop"))


def test_the_catalog_says_when_nothing_matches(desk: dict[str, Any], client_for: Any) -> None:
    response = client_for(desk["employee"]).get("/services/?q=piano")

    assert main(response).endswith(
        "0 services No service matches “piano”. Try another word, or the name of the unit that could help."
    )


def test_the_catalog_says_when_no_unit_publishes_services(org: dict[str, Any], client_for: Any) -> None:
    response = client_for(org["employee"]).get("/services/")

    assert main(response).endswith("0 services No unit publishes services yet.")


def test_an_account_without_a_person_is_told_why_the_catalog_is_empty(desk: dict[str, Any], client_for: Any) -> None:
    from insideout.people.models import User

    outsider = User.objects.create_user(username="olga", password="x-y-z-secret-1")

    response = client_for(outsider).get("/services/")

    assert response.status_code == 200
    assert main(response).endswith(
        "0 services Your account is not linked to a person in the directory, so it cannot request services. "
        "People-ops can link it by importing your HR record."
    )


def test_a_service_for_some_units_is_hidden_from_everyone_else(desk: dict[str, Any], client_for: Any) -> None:
    restricted = restricted_service(desk)
    eve, sam = client_for(desk["employee"]), client_for(desk["agent"])
    service_url = f"/services/{restricted['service'].pk}/"
    form_url = f"/services/types/{restricted['request_type'].pk}/new/"

    assert "Server access" not in main(eve.get("/services/"))
    assert "Server access" not in main(eve.get("/services/?q=server"))
    assert eve.get(service_url).status_code == 404
    assert eve.get(form_url).status_code == 404
    assert eve.post(form_url, {"subject": "Let me in"}).status_code == 404
    assert "Server access" in main(sam.get("/services/"))
    assert sam.get(service_url).status_code == 200
    assert sam.get(form_url).status_code == 200


def test_an_unpublished_service_is_hidden_from_requesters_and_marked_for_its_desk(
    desk: dict[str, Any], client_for: Any
) -> None:
    services.service_update(actor=desk["lead"].user, service=desk["service"], is_active=False)

    assert client_for(desk["employee"]).get(f"/services/{desk['service'].pk}/").status_code == 404
    assert "Laptops not published" in main(client_for(desk["agent"]).get("/services/"))


# --- a service's page -----------------------------------------------------------------------------


def test_the_service_page_says_what_it_promises_per_priority(desk: dict[str, Any], client_for: Any) -> None:
    lead = desk["lead"]
    services.standard_set(
        actor=lead.user,
        request_type=desk["request_type"],
        priority="P1",
        values=services.StandardInput(first_response_minutes=15, resolution_minutes=120, business_hours=False),
    )

    response = client_for(desk["employee"]).get(f"/services/{desk['service'].pk}/")

    assert response.status_code == 200
    assert main(response) == (
        "Services IT Laptops New laptops, repairs and loans. "
        "Who provides it Unit IT Owner Lena Lead i × Loading… "
        "Opening hours Mon–Fri 09:00–12:30, 13:30–17:00 Times in Europe/Berlin; closed on public holidays in DE-BE. "
        "What you can ask for New laptop Ask for a laptop for a new or current colleague. "
        "What the unit promises, by priority: "
        "P1 — critical: first response within 15 minutes, resolved within 2 hours, around the clock "
        "P2 — high: first response within 2 working hours, resolved within 8 working hours "
        "P3 — normal: first response within 4 working hours, resolved within 3 working days "
        "P4 — low: first response within 8 working hours, resolved within 5 working days "
        "Request “New laptop”"
    )
    assert f'href="/services/types/{desk["request_type"].pk}/new/"' in response.content.decode()


def test_the_service_page_of_a_round_the_clock_desk(org: dict[str, Any], client_for: Any) -> None:
    week = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    it_desk = desk_create(unit=org["it"], lead=org["lead"], time_zone="UTC", week=week)
    catalog = catalog_create(desk=it_desk, lead=org["lead"])

    response = client_for(org["employee"]).get(f"/services/{catalog['service'].pk}/")

    assert "Opening hours Around the clock, every day Times in UTC; closed on public holidays in DE-BE." in main(
        response
    )


def test_the_service_page_with_a_weekend_shift(org: dict[str, Any], client_for: Any) -> None:
    week = {
        "mon": [["08:00", "18:00"]],
        "tue": [["08:00", "18:00"]],
        "wed": [["08:00", "18:00"]],
        "sat": [["10:00", "14:00"]],
    }
    it_desk = desk_create(unit=org["it"], lead=org["lead"], week=week)
    catalog = catalog_create(desk=it_desk, lead=org["lead"])

    response = client_for(org["employee"]).get(f"/services/{catalog['service'].pk}/")

    assert "Opening hours Mon–Wed 08:00–18:00 Sat 10:00–14:00 Times in" in main(response)


def test_an_unknown_service_is_404(desk: dict[str, Any], client_for: Any) -> None:
    assert client_for(desk["employee"]).get("/services/999999/").status_code == 404


# --- my requests ----------------------------------------------------------------------------------


def _mine(desk: dict[str, Any], n: int) -> list[Any]:
    return [
        request_create(
            requester=desk["employee"], request_type=desk["request_type"], subject=f"Laptop {i}", now=MONDAY_10
        )
        for i in range(n)
    ]


def test_my_requests_lists_each_with_its_clocks_in_words(
    desk: dict[str, Any], client_for: Any, at_monday_11: None
) -> None:
    (first,) = _mine(desk, 1)
    services.request_assign(actor=desk["agent"].user, request=first, assignee_id=desk["agent"].pk)
    other = request_create(requester=desk["manager"], request_type=desk["request_type"], subject="Not Eve's")

    response = client_for(desk["employee"]).get("/requests/")

    assert response.status_code == 200
    assert main(response) == (
        "My requests Ask for a service Open Resolved or closed All 1 request "
        "Requests you made, or that were made for you, newest first "
        "Request Status Service Assignee Clocks "
        "IT-1 Laptop 0 New Laptops New laptop Sam Agent i × Loading… "
        "First response due in 3 working hours — Mon 15:00 "
        "Resolution due in 3 working days — Thu 14:00"
    )
    assert 'href="/requests/IT-1/"' in response.content.decode()
    assert other.key not in main(response)


def test_my_requests_filters_open_resolved_and_all(desk: dict[str, Any], client_for: Any, at_monday_11: None) -> None:
    done, _open = _mine(desk, 2)
    services.request_transition(actor=desk["agent"].user, request=done, status=Status.RESOLVED, now=MONDAY_11)
    client = client_for(desk["employee"])

    def keys(url: str) -> list[str]:
        return re.findall(r'<span class="key">([^<]+)</span>', client.get(url).content.decode())

    assert keys("/requests/") == ["IT-2"]
    assert keys("/requests/?show=open") == ["IT-2"]
    assert keys("/requests/?show=resolved") == ["IT-1"]
    assert keys("/requests/?show=all") == ["IT-2", "IT-1"]
    assert keys("/requests/?show=nonsense") == ["IT-2"]
    assert "First response met — Mon 11:00" in main(client.get("/requests/?show=resolved"))


def test_my_requests_include_those_made_on_my_behalf(desk: dict[str, Any], client_for: Any) -> None:
    request_create(
        requester=desk["manager"],
        request_type=desk["request_type"],
        subject="For Eve",
        on_behalf_of_id=desk["employee"].pk,
    )

    eve = main(client_for(desk["employee"]).get("/requests/"))
    mo = main(client_for(desk["manager"]).get("/requests/"))

    assert "IT-1 For Eve asked by Mo Manager" in eve
    assert "IT-1 For Eve for Eve Employee" in mo


def test_my_requests_are_paged_by_25(desk: dict[str, Any], client_for: Any) -> None:
    _mine(desk, 27)
    client = client_for(desk["employee"])

    first = main(client.get("/requests/"))
    second = client.get("/requests/?show=open&page=2")

    assert "27 requests" in first
    assert first.count("Laptop ") == 25
    assert first.endswith("Page 1 of 2 Next")
    assert re.findall(r'<span class="key">([^<]+)</span>', second.content.decode()) == ["IT-2", "IT-1"]
    assert main(second).endswith("Previous Page 2 of 2")


def test_my_requests_empty_states(desk: dict[str, Any], client_for: Any) -> None:
    client = client_for(desk["employee"])

    assert main(client.get("/requests/")).endswith("0 requests You have no open requests. Browse the services")
    assert main(client.get("/requests/?show=resolved")).endswith("0 requests None of your requests is resolved yet.")
    assert main(client.get("/requests/?show=all")).endswith(
        "0 requests You have not asked for anything yet. Browse the services"
    )


# --- navigation and home --------------------------------------------------------------------------


def test_the_navigation_links_the_portal_and_the_desk_pages_by_role(desk: dict[str, Any], client_for: Any) -> None:
    eve = nav(client_for(desk["employee"]).get("/services/"))
    sam = nav(client_for(desk["agent"]).get("/services/"))
    lena = nav(client_for(desk["lead"]).get("/services/"))

    portal = "Home People Units Services My requests My promises Agreements Recognition"
    assert eve == f"{portal} My profile Notifications Sign out"
    assert nav(client_for(desk["manager"]).get("/services/")) == eve
    assert sam == f"{portal} Desk My profile Notifications Sign out"
    try:
        reverse("servicedesk:desks")
    except NoReverseMatch:  # the admin pages are not there yet: no link
        manage = ""
    else:
        manage = "Manage desk "
    assert lena == f"{portal} Desk {manage}My profile Notifications Sign out"
    assert 'aria-current="page">Services</a>' in client_for(desk["employee"]).get("/services/").content.decode()


def test_the_navigation_has_no_portal_for_an_account_without_a_person(db: None, client: Client) -> None:
    from insideout.people.models import User

    client.force_login(User.objects.create_user(username="olga", password="x-y-z-secret-1"))

    assert nav(client.get("/")) == "Home People Units My profile Notifications Sign out"


def test_home_shows_my_open_requests(desk: dict[str, Any], client_for: Any) -> None:
    _mine(desk, 2)

    response = client_for(desk["employee"]).get("/")

    assert "Service desk My open requests 2 Ask for a service" in main(response)
    assert '<a href="/requests/">2</a>' in response.content.decode()


def test_home_shows_an_agent_their_work_and_the_clocks_in_trouble(desk: dict[str, Any], client_for: Any) -> None:
    first, _second = _mine(desk, 2)
    services.request_assign(actor=desk["agent"].user, request=first, assignee_id=desk["agent"].pk)
    services.clocks_sweep()

    response = client_for(desk["agent"]).get("/")

    # Both requests were filed on a Monday of 2026 at 10:00: long overdue by now.
    assert (
        "Service desk My open requests 0 Assigned to me 1 At risk or breached 2 Ask for a service · Open my queues"
        in main(response)
    )


def test_a_service_for_a_unit_is_open_to_the_units_below_it(desk: dict[str, Any], client_for: Any) -> None:
    team = UnitFactory(code="SALES-N", name="Sales north", kind="team", parent=desk["sales"])
    seller = EmployeeFactory(username="nina", first_name="Nina", last_name="North", unit=team)
    service = services.service_create(
        actor=desk["lead"].user, desk=desk["desk"], name="CRM seats", audience="units", audience_units=[desk["sales"]]
    )
    request_type = services.request_type_create(actor=desk["lead"].user, service=service, name="A seat")
    form_url = f"/services/types/{request_type.pk}/new/"

    assert client_for(seller).get(form_url).status_code == 200
    assert client_for(desk["employee"]).get(form_url).status_code == 200
    assert "CRM seats" in main(client_for(seller).get("/services/"))
    assert client_for(desk["admin"]).get(form_url).status_code == 404  # Pat works for the company, above Sales
    assert "CRM seats" not in main(client_for(desk["admin"]).get("/services/"))
