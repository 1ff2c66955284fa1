"""The obstacles panel and the last-update line of the request page: their fragments, and the panel's
POST actions (with and without htmx), each refusal changing nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import timezone

from insideout.servicedesk import selectors
from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import services
from insideout.servicedesk.cooperation.models import Obstacle
from insideout.servicedesk.models import Request
from insideout.servicedesk.tests.factories import request_create
from insideout.servicedesk.views import obstacles

ClientFor = Callable[[Any], Client]
URL = "/requests/IT-1/obstacles/"


def _local(delta: timedelta) -> str:
    """A ``datetime-local`` value in Berlin, the signed-in people's zone."""
    return (timezone.now() + delta).astimezone(timezone.get_fixed_timezone(60)).strftime("%Y-%m-%dT%H:%M")


def _form(**changes: str) -> dict[str, str]:
    values = {
        "description": "The docking stations are out of stock.",
        "waiting_on": "outside",
        "waiting_on_outside": "The supplier",
        "expected_at": _local(timedelta(days=2)),
    } | changes
    return {f"obstacle-{name}": value for name, value in values.items()}


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def filed(desk: dict[str, Any]) -> Request:
    request_create(requester=desk["employee"], request_type=desk["request_type"])
    return request_create(requester=desk["employee"], request_type=desk["request_type"], subject="Dock")


def _request(desk: dict[str, Any], who: str, key: str = "IT-1") -> tuple[Any, Request]:
    http = RequestFactory().get("/")
    http.user = desk[who].user
    return http, selectors.request_get_by_key_for(actor=desk[who].user, key=key)


def _block(desk: dict[str, Any], found: Request, **waits: Any) -> Obstacle:
    """Sam flags an obstacle on ``found``, expected to clear tomorrow."""
    return services.obstacle_flag(
        actor=desk["agent"].user,
        request=found,
        description="Waiting for the dock.",
        expected_at=timezone.now() + timedelta(days=1),
        **waits,
    )


def test_the_panel_shows_obstacles_and_offers_agents_the_forms(desk: dict[str, Any], filed: Request) -> None:
    http, found = _request(desk, "agent")
    _block(desk, found, waiting_on_request=filed.pk)

    context = obstacles.panel_context(http, found)
    page = render_to_string("servicedesk/workspace/obstacles_panel.html", context, request=http)

    assert (context["open_obstacles"], context["can_flag"], context["can_resolve"]) == (1, True, True)
    assert 'id="obstacles-panel"' in page
    assert "Waiting for the dock." in page
    assert 'Waits on request <a href="/requests/IT-2/">IT-2</a>' in page
    assert "Flag the obstacle" in page
    assert "Resolve this obstacle" in page
    http2, blocker = _request(desk, "agent", "IT-2")
    blocking = render_to_string(
        "servicedesk/workspace/obstacles_panel.html", obstacles.panel_context(http2, blocker), request=http2
    )
    assert "Other requests waiting on this one" in blocking
    assert "<strong>IT-1</strong> (IT): Waiting for the dock." in blocking


def test_the_requester_sees_the_obstacles_but_no_forms(desk: dict[str, Any], filed: Request) -> None:
    _agent, found = _request(desk, "agent")
    _block(desk, found, waiting_on_outside="The supplier")
    http, seen = _request(desk, "employee")

    context = obstacles.panel_context(http, seen)
    page = render_to_string("servicedesk/workspace/obstacles_panel.html", context, request=http)

    assert (context["can_flag"], context["can_resolve"], context["blocking"]) == (False, False, [])
    assert "Waits on The supplier" in page
    assert "<form" not in page


def test_an_empty_panel_says_nothing_blocks(desk: dict[str, Any], filed: Request) -> None:
    http, found = _request(desk, "employee")

    page = render_to_string(
        "servicedesk/workspace/obstacles_panel.html", obstacles.panel_context(http, found), request=http
    )

    assert "Nothing blocks this request." in page


def test_the_update_line_says_when_the_last_update_was(desk: dict[str, Any], filed: Request) -> None:
    desk_services.request_type_update(
        actor=desk["lead"].user, request_type=desk["request_type"], update_every_minutes=960
    )
    http, found = _request(desk, "employee")

    page = render_to_string("servicedesk/workspace/update_line.html", obstacles.update_line_context(found))

    assert 'id="update-line"' in page
    assert "No public update yet" in page
    assert "the standard: a public update at least every 2 working days" in page


# --- flagging -------------------------------------------------------------------------------------


def test_an_agent_flags_an_obstacle_and_comes_back_to_the_request(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    response = client_for(desk["agent"]).post(URL, _form(), follow=True)

    assert response.redirect_chain == [("/requests/IT-1/", 302)]
    assert _messages(response) == ["The obstacle is flagged; the requester and the watchers are told."]
    obstacle = Obstacle.objects.get()
    assert (obstacle.request.key, obstacle.waiting_on_outside) == ("IT-1", "The supplier")


def test_a_request_key_names_the_request_it_waits_on(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    client_for(desk["agent"]).post(URL, _form(waiting_on="request", waiting_on_request=" it-2 "))

    assert Obstacle.objects.get().waiting_on_request == filed


def test_a_person_from_the_list(desk: dict[str, Any], filed: Request, client_for: ClientFor) -> None:
    client_for(desk["agent"]).post(URL, _form(waiting_on="person", waiting_on_person=str(desk["manager"].pk)))

    assert Obstacle.objects.get().waiting_on_person == desk["manager"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"expected_at": _local(-timedelta(hours=2))},
            "expected_at",
            "This time has already passed; choose one in the future.",
        ),
        (
            {"waiting_on": "request", "waiting_on_request": "XX-9"},
            "waiting_on_request",
            "No request you can see has the key XX-9.",
        ),
        (
            {"waiting_on": "request", "waiting_on_request": "IT-1"},
            "waiting_on_request",
            "A request cannot wait on itself.",
        ),
        ({"waiting_on": "person"}, "waiting_on_person", "Say who or what it waits on."),
        ({"description": ""}, "description", "This field is required."),
    ],
    ids=["in_the_past", "unknown_key", "itself", "no_person", "no_description"],
)
def test_mistakes_are_shown_next_to_their_field_and_nothing_is_saved(
    desk: dict[str, Any], filed: Request, client_for: ClientFor, changes: dict[str, str], field: str, message: str
) -> None:
    response = client_for(desk["agent"]).post(URL, _form(**changes))

    assert response.status_code == 200
    assert response.templates[0].name == "servicedesk/workspace/obstacle_form.html"
    form = response.context["obstacle_form"]
    assert {name: [str(error) for error in errors] for name, errors in form.errors.items()} == {field: [message]}
    assert "Some answers need another look" in response.content.decode()
    assert not Obstacle.objects.exists()


def test_with_htmx_a_mistake_replaces_only_the_panel(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    response = client_for(desk["agent"]).post(
        URL, _form(expected_at=""), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="request-body"
    )

    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#obstacles-panel", "outerHTML")
    page = response.content.decode()
    assert "<html" not in page
    assert page.strip().startswith('<section class="card obstacles" id="obstacles-panel"')
    assert "This field is required." in page


def test_only_agents_flag_and_others_do_not_even_see_the_request(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    requester = client_for(desk["employee"]).post(URL, _form())
    stranger = client_for(desk["manager"]).post(URL, _form())

    assert (requester.status_code, stranger.status_code) == (403, 404)
    assert not Obstacle.objects.exists()


def test_a_finished_request_says_why_nothing_was_flagged(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    first = Request.objects.get(number=1)
    desk_services.request_transition(actor=desk["agent"].user, request=first, status="resolved")

    response = client_for(desk["agent"]).post(URL, _form(), follow=True)

    assert _messages(response) == ["IT-1 is resolved; this is only possible while it is open."]
    assert not Obstacle.objects.exists()


# --- resolving ------------------------------------------------------------------------------------


@pytest.fixture
def blocked(desk: dict[str, Any], filed: Request) -> Obstacle:
    return _block(desk, _request(desk, "agent")[1], waiting_on_outside="The supplier")


def test_an_agent_resolves_an_obstacle_once(desk: dict[str, Any], blocked: Obstacle, client_for: ClientFor) -> None:
    url = f"/requests/IT-1/obstacles/{blocked.pk}/resolve/"
    client = client_for(desk["lead"])

    done = client.post(url, {"note": "Arrived."}, follow=True)
    again = client.post(url, {"note": "Again."}, follow=True)

    assert _messages(done) == ["The obstacle is resolved; the requester and the watchers are told."]
    assert _messages(again) == ["This obstacle is already resolved."]
    blocked.refresh_from_db()
    assert (blocked.state, blocked.resolution_note, blocked.resolved_by) == ("resolved", "Arrived.", desk["lead"])


def test_resolving_is_for_agents_of_the_request_it_belongs_to(
    desk: dict[str, Any], blocked: Obstacle, client_for: ClientFor
) -> None:
    requester = client_for(desk["employee"]).post(f"/requests/IT-1/obstacles/{blocked.pk}/resolve/", {})
    stranger = client_for(desk["manager"]).post(f"/requests/IT-1/obstacles/{blocked.pk}/resolve/", {})
    elsewhere = client_for(desk["agent"]).post(f"/requests/IT-2/obstacles/{blocked.pk}/resolve/", {})
    too_long = client_for(desk["agent"]).post(
        f"/requests/IT-1/obstacles/{blocked.pk}/resolve/", {"note": "x" * 5001}, follow=True
    )

    assert (requester.status_code, stranger.status_code, elsewhere.status_code) == (403, 404, 404)
    assert _messages(too_long) == ["Ensure this value has at most 5000 characters (it has 5001)."]
    blocked.refresh_from_db()
    assert blocked.state == "open"
