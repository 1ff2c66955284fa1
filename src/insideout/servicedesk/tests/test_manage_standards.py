"""Desk admin pages: the standards editor (P1–P4 targets, versions, what happens to open clocks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from insideout.core.models import Event
from insideout.servicedesk import services
from insideout.servicedesk.models import RequestClock, ServiceStandard
from insideout.servicedesk.tests.factories import request_create
from insideout.servicedesk.tests.test_manage_desks import _count, _errors, _messages, make_sales_lead

ClientFor = Callable[[Any], Client]


def _post(priority: str = "P2", **changes: Any) -> dict[str, Any]:
    values = {
        "first_response_hours": "1",
        "first_response_minutes": "30",
        "resolution_hours": "6",
        "resolution_minutes": "15",
        "business_hours": "0",
        "at_risk_percent": "20",
        "pausing_statuses": ["waiting_on_requester", "new"],
    } | changes
    return {"priority": priority, **{f"{priority}-{name}": value for name, value in values.items()}}


def _versions(request_type: Any, priority: str) -> list[tuple[int, bool, int, int]]:
    return list(
        ServiceStandard.objects.filter(request_type=request_type, priority=priority)
        .order_by("version")
        .values_list("version", "is_current", "first_response_minutes", "resolution_minutes")
    )


def test_the_standards_page_shows_each_priority_in_words(desk: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(desk["lead"]).get(f"/desks/types/{desk['request_type'].pk}/standards/")

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(row["priority"], row["words"]) for row in rows] == [
        (
            "P1",
            "first response within 30 min, resolution within 4 h, counted on the desk's calendar; "
            "at risk with 25% left; paused by: Waiting on requester",
        ),
        (
            "P2",
            "first response within 2 h, resolution within 8 h, counted on the desk's calendar; "
            "at risk with 25% left; paused by: Waiting on requester",
        ),
        (
            "P3",
            "first response within 4 h, resolution within 24 h, counted on the desk's calendar; "
            "at risk with 25% left; paused by: Waiting on requester",
        ),
        (
            "P4",
            "first response within 8 h, resolution within 40 h, counted on the desk's calendar; "
            "at risk with 25% left; paused by: Waiting on requester",
        ),
    ]
    assert rows[0]["form"].initial == {
        "first_response_hours": 0,
        "first_response_minutes": 30,
        "resolution_hours": 4,
        "resolution_minutes": 0,
        "business_hours": "1",
        "at_risk_percent": 25,
        "pausing_statuses": ["waiting_on_requester"],
        "obstacles_pause_resolution": "0",
    }
    page = response.content.decode()
    assert '<h2 id="standard-P1">P1 — critical</h2>' in page
    assert "Work has stopped for many people, or money or safety is at stake." in page
    assert "Saving a priority writes a new version: open requests follow the new standard from then on" in page


def test_saving_a_priority_writes_a_new_version(desk: dict[str, Any], client_for: ClientFor) -> None:
    request_type = desk["request_type"]

    response = client_for(desk["lead"]).post(f"/desks/types/{request_type.pk}/standards/", _post(), follow=True)

    assert response.redirect_chain == [("./", 302)]
    assert _messages(response) == [
        "P2 version 2 is saved. Open requests follow the new standard from now on; "
        "finished ones keep the standard they ran under."
    ]
    assert _versions(request_type, "P2") == [(1, False, 120, 480), (2, True, 90, 375)]
    current = ServiceStandard.objects.get(request_type=request_type, priority="P2", is_current=True)
    assert (current.business_hours, current.at_risk_percent, current.pausing_statuses) == (
        False,
        20,
        ["new", "waiting_on_requester"],
    )
    assert current.created_by == desk["lead"].user
    assert _versions(request_type, "P1") == [(1, True, 30, 240)]
    event = Event.objects.filter(type="servicedesk.standard_changed").get()
    assert event.payload == {"priority": "P2", "version": 2, "standard": current.pk}
    history = [(version.version, words) for version, words in response.context["rows"][1]["history"]]
    assert history == [
        (
            2,
            "first response within 1 h 30 min, resolution within 6 h 15 min, counted around the clock; "
            "at risk with 20% left; paused by: New, Waiting on requester",
        ),
        (
            1,
            "first response within 2 h, resolution within 8 h, counted on the desk's calendar; "
            "at risk with 25% left; paused by: Waiting on requester",
        ),
    ]


def test_open_requests_follow_the_new_standard_and_finished_clocks_keep_theirs(
    desk: dict[str, Any], client_for: ClientFor, django_capture_on_commit_callbacks: Any
) -> None:
    answered = request_create(requester=desk["employee"], request_type=desk["request_type"], priority="P2")
    services.request_comment(actor=desk["agent"].user, request=answered, body="On it.")
    waiting = request_create(requester=desk["employee"], request_type=desk["request_type"], priority="P2")
    first_version = ServiceStandard.objects.get(request_type=desk["request_type"], priority="P2", version=1)

    with django_capture_on_commit_callbacks(execute=True):
        client_for(desk["lead"]).post(f"/desks/types/{desk['request_type'].pk}/standards/", _post())

    second = ServiceStandard.objects.get(request_type=desk["request_type"], priority="P2", version=2)
    bound = dict(RequestClock.objects.filter(request=waiting).values_list("metric", "standard_id").order_by("metric"))
    assert bound == {"first_response": second.pk, "resolution": second.pk}
    answered_clocks = dict(
        RequestClock.objects.filter(request=answered).values_list("metric", "standard_id").order_by("metric")
    )
    assert answered_clocks == {"first_response": first_version.pk, "resolution": second.pk}
    assert RequestClock.objects.get(request=waiting, metric="first_response").target_seconds == 90 * 60


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"first_response_hours": "9", "resolution_hours": "2"},
            {"first_response_hours": ["The first response cannot be due after the resolution."]},
        ),
        (
            {"first_response_hours": "0", "first_response_minutes": "0"},
            {"first_response_hours": ["Enter whole minutes between 1 and 500,000."]},
        ),
        ({"resolution_minutes": "60"}, {"resolution_minutes": ["Ensure this value is less than or equal to 59."]}),
        ({"at_risk_percent": "120"}, {"at_risk_percent": ["Ensure this value is less than or equal to 100."]}),
        (
            {"pausing_statuses": ["resolved"]},
            {"pausing_statuses": ["Select a valid choice. resolved is not one of the available choices."]},
        ),
        ({"first_response_hours": "soon"}, {"first_response_hours": ["Enter a whole number."]}),
    ],
    ids=["first after resolution", "zero", "60 minutes", "over 100 %", "a closed status", "not a number"],
)
def test_an_invalid_standard_is_refused_next_to_the_field(
    desk: dict[str, Any], client_for: ClientFor, changes: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    request_type = desk["request_type"]

    response = client_for(desk["lead"]).post(f"/desks/types/{request_type.pk}/standards/", _post(**changes))

    assert response.status_code == 200
    assert _errors(response.context["rows"][1]["form"]) == errors
    assert [_errors(row["form"]) for row in response.context["rows"] if row["priority"] != "P2"] == [{}, {}, {}]
    assert _versions(request_type, "P2") == [(1, True, 120, 480)]
    assert not Event.objects.filter(type="servicedesk.standard_changed").exists()


def test_an_unknown_priority_saves_nothing(desk: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(desk["lead"]).post(
        f"/desks/types/{desk['request_type'].pk}/standards/", _post() | {"priority": "P9"}, follow=True
    )

    assert _messages(response) == ["Choose a priority to save."]
    assert ServiceStandard.objects.count() == 4


@pytest.mark.parametrize("who", ["agent", "employee", "sales_lead"])
def test_non_admins_cannot_see_or_change_standards(desk: dict[str, Any], client_for: ClientFor, who: str) -> None:
    client = client_for(make_sales_lead(desk) if who == "sales_lead" else desk[who])
    url = f"/desks/types/{desk['request_type'].pk}/standards/"

    assert (client.get(url).status_code, client.post(url, _post()).status_code) == (403, 403)
    assert ServiceStandard.objects.count() == 4


def test_query_count_of_the_standards_editor(desk: dict[str, Any], client_for: ClientFor) -> None:
    request_type = desk["request_type"]
    url = f"/desks/types/{request_type.pk}/standards/"
    small = _count(client_for(desk["lead"]), url)
    for minutes in range(60, 66):
        for priority in ("P1", "P2", "P3", "P4"):
            services.standard_set(
                actor=desk["lead"].user,
                request_type=request_type,
                priority=priority,
                values=services.StandardInput(first_response_minutes=minutes, resolution_minutes=minutes * 4),
            )

    assert (small, _count(client_for(desk["lead"]), url)) == (STANDARDS_QUERIES, STANDARDS_QUERIES)


STANDARDS_QUERIES = 12
