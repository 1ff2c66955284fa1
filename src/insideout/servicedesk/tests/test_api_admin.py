"""Desk administration through the REST API: desks, calendars, services, request types, standards."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from insideout.servicedesk.models import CalendarVersion, Desk, RequestField, RequestType, Service, ServiceStandard
from insideout.servicedesk.tests.factories import BERLIN_WEEK

INVALID = "The request is not valid; see errors."


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def tokens(desk: dict[str, Any], token_for: Any) -> dict[str, str]:
    return {role: token_for(desk[role], "write") for role in ("employee", "agent", "lead")}


def _catalog() -> dict[str, Any]:
    """Every catalog row, to show a refused write left it alone."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Desk, CalendarVersion, Service, RequestType, RequestField, ServiceStandard)
    }


def _refused(api: Any, *args: Any, **kwargs: Any) -> Any:
    """Send a write that must be refused, check that it changed nothing, and return the answer."""
    before = _catalog()
    response = api(*args, **kwargs)
    assert _catalog() == before
    return response


def _invalid(api: Any, *args: Any, **kwargs: Any) -> list[dict[str, str]]:
    """Send a write that must be a 422 and change nothing; return its errors."""
    response = _refused(api, *args, **kwargs)
    assert (response.status_code, response.json()["detail"]) == (422, INVALID)
    return response.json()["errors"]  # type: ignore[no-any-return]


# --- desks ---------------------------------------------------------------------------------------


def test_desks_are_listed_for_their_agents_and_admins(desk, api, tokens):
    it = desk["desk"]
    expected = {
        "id": it.pk,
        "prefix": "IT",
        "unit": desk["it"].pk,
        "unit_name": "IT",
        "auto_close_days": 5,
        "calendar_version": 2,
        "time_zone": "Europe/Berlin",
    }

    assert api("get", "/api/v1/desks", token=tokens["lead"]).json() == [expected | {"is_admin": True}]
    assert api("get", "/api/v1/desks", token=tokens["agent"]).json() == [expected | {"is_admin": False}]
    assert api("get", "/api/v1/desks", token=tokens["employee"]).json() == []
    assert api("get", f"/api/v1/desks/{it.pk}", token=tokens["agent"]).json() == expected | {"is_admin": False}
    hidden = api("get", f"/api/v1/desks/{it.pk}", token=tokens["employee"])
    assert (hidden.status_code, hidden.json()) == (404, {"detail": "No such service desk.", "errors": []})


def test_the_lead_changes_the_auto_close_period(desk, api, tokens):
    response = api("patch", f"/api/v1/desks/{desk['desk'].pk}", token=tokens["lead"], json={"auto_close_days": 3})

    assert (response.status_code, response.json()["auto_close_days"]) == (200, 3)
    assert Desk.objects.get().auto_close_days == 3


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"auto_close_days": 0}, [{"field": "auto_close_days", "message": "Choose between 1 and 60 business days."}]),
        (
            {"prefix": "it-desk"},
            [
                {
                    "field": "prefix",
                    "message": "Use 1 to 12 capital letters or digits, starting with a letter, e.g. IT or HR2.",
                }
            ],
        ),
        ({"colour": "red"}, [{"field": "colour", "message": "Extra inputs are not permitted"}]),
    ],
)
def test_bad_desk_changes_are_422_and_change_nothing(desk, api, tokens, body, errors):
    assert _invalid(api, "patch", f"/api/v1/desks/{desk['desk'].pk}", token=tokens["lead"], json=body) == errors


def test_an_agent_may_not_change_the_desk(desk, api, tokens):
    response = _refused(
        api, "patch", f"/api/v1/desks/{desk['desk'].pk}", token=tokens["agent"], json={"auto_close_days": 3}
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only the lead of IT may change its service desk.", "errors": []}


# --- calendars -----------------------------------------------------------------------------------


def test_the_calendar_is_read_and_replaced_by_a_new_version(desk, api, tokens):
    path = f"/api/v1/desks/{desk['desk'].pk}/calendar"
    current = api("get", path, token=tokens["agent"]).json()

    response = api(
        "put",
        path,
        token=tokens["lead"],
        json={
            "time_zone": "Europe/Vienna",
            "week": {"mon": [["08:00", "16:00"]], "sat": [["10:00", "24:00"]]},
            "country": "at",
            "holidays": ["2026-12-24"],
            "closures": [["2026-12-28T08:00:00+01:00", "2026-12-28T12:00:00+01:00"]],
        },
    )

    version = CalendarVersion.objects.get(version=3)
    assert current["version"] == 2
    assert current["week"] == BERLIN_WEEK
    assert response.status_code == 200
    assert response.json() == {
        "version": 3,
        "time_zone": "Europe/Vienna",
        "week": {"mon": [["08:00", "16:00"]], "sat": [["10:00", "24:00"]]},
        "country": "AT",
        "subdivision": "",
        "holidays": ["2026-12-24"],
        "closures": [["2026-12-28T08:00:00+01:00", "2026-12-28T12:00:00+01:00"]],
        "created_at": version.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    assert Desk.objects.get().calendar_id == version.pk


def test_a_bad_calendar_is_422_naming_each_part_and_changes_nothing(desk, api, tokens):
    response = _refused(
        api,
        "put",
        f"/api/v1/desks/{desk['desk'].pk}/calendar",
        token=tokens["lead"],
        json={"time_zone": "Mars/Olympus", "week": {"mon": [["09:00", "17:00"]]}, "holidays": ["someday"]},
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": INVALID,
        "errors": [
            {"field": "time_zone", "message": "Unknown time zone “Mars/Olympus”; use a name such as Europe/Berlin."},
            {"field": "holidays", "message": "“someday” is not a date (YYYY-MM-DD)."},
        ],
    }


def test_an_unknown_weekday_is_422(desk, api, tokens):
    response = api(
        "put",
        f"/api/v1/desks/{desk['desk'].pk}/calendar",
        token=tokens["lead"],
        json={"time_zone": "UTC", "week": {"monday": [["09:00", "17:00"]]}},
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "week.monday.[key]",
            "message": "Input should be 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun'",
        }
    ]


# --- services and request types ------------------------------------------------------------------


def test_the_lead_adds_and_changes_a_service(desk, api, tokens):
    created = api(
        "post",
        f"/api/v1/desks/{desk['desk'].pk}/services",
        token=tokens["lead"],
        json={"name": "Phones", "owner": desk["agent"].pk, "audience": "units", "audience_units": [desk["sales"].pk]},
    )
    service = Service.objects.get(name="Phones")
    changed = api("patch", f"/api/v1/services/{service.pk}", token=tokens["lead"], json={"description": "Mobiles."})

    assert created.status_code == 201
    assert created.json() == {
        "id": service.pk,
        "name": "Phones",
        "description": "",
        "unit": desk["it"].pk,
        "unit_name": "IT",
        "desk": desk["desk"].pk,
        "owner": desk["agent"].pk,
        "audience": "units",
        "is_active": True,
        "position": 0,
    }
    assert list(service.audience_units.all()) == [desk["sales"]]
    assert (changed.status_code, changed.json()["description"]) == (200, "Mobiles.")


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"name": "laptops"}, [{"field": "name", "message": "This desk already has a service called laptops."}]),
        ({"name": "Phones", "owner": 999_999}, [{"field": "owner", "message": "No active person has this id."}]),
        (
            {"name": "Phones", "audience": "units"},
            [{"field": "audience_units", "message": "Choose at least one unit that may request this service."}],
        ),
        (
            {"name": "Phones", "audience": "units", "audience_units": [999_999]},
            [{"field": "audience_units", "message": "No unit has the id 999999."}],
        ),
    ],
)
def test_bad_services_are_422_and_change_nothing(desk, api, tokens, body, errors):
    path = f"/api/v1/desks/{desk['desk'].pk}/services"

    assert _invalid(api, "post", path, token=tokens["lead"], json=body) == errors


def test_a_requester_may_not_change_a_service(desk, api, tokens):
    response = _refused(
        api, "patch", f"/api/v1/services/{desk['service'].pk}", token=tokens["employee"], json={"name": "Mine"}
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only the lead of IT may change its service desk.", "errors": []}


FORM = [
    {"key": "phone_model", "label": "Model", "type": "choice", "required": True, "choices": ["Small", "Large"]},
    {"key": "reason", "type": "long_text", "help_text": "Why a new one?"},
]


def test_the_lead_adds_a_request_type_with_its_form_and_replaces_the_form(desk, api, tokens):
    created = api(
        "post",
        f"/api/v1/services/{desk['service'].pk}/request-types",
        token=tokens["lead"],
        json={"name": "Repair", "default_priority": "P2", "assignment": "round_robin", "fields": FORM},
    )
    request_type = RequestType.objects.get(name="Repair")
    replaced = api(
        "patch",
        f"/api/v1/request-types/{request_type.pk}",
        token=tokens["lead"],
        json={"fields": [{"key": "serial", "required": True}], "is_active": False},
    )

    assert created.status_code == 201
    assert created.json() == {
        "id": request_type.pk,
        "service": desk["service"].pk,
        "name": "Repair",
        "description": "",
        "default_priority": "P2",
        "assignment": "round_robin",
        "is_active": True,
        "position": 0,
        "update_every_minutes": None,
        "fields": [
            {
                "key": "phone_model",
                "name": "phone_model",
                "label": "Model",
                "type": "choice",
                "required": True,
                "choices": ["Small", "Large"],
                "help_text": "",
            },
            {
                "key": "reason",
                "name": "reason",
                "label": "Reason",
                "type": "long_text",
                "required": False,
                "choices": [],
                "help_text": "Why a new one?",
            },
        ],
    }
    assert replaced.status_code == 200
    assert (replaced.json()["is_active"], replaced.json()["fields"]) == (
        False,
        [
            {
                "key": "serial",
                "name": "serial",
                "label": "Serial",
                "type": "text",
                "required": True,
                "choices": [],
                "help_text": "",
            }
        ],
    )
    assert ServiceStandard.objects.filter(request_type=request_type).count() == 4


def test_a_bad_form_is_422_naming_the_field_and_its_part(desk, api, tokens):
    response = _refused(
        api,
        "patch",
        f"/api/v1/request-types/{desk['request_type'].pk}",
        token=tokens["lead"],
        json={
            "fields": [
                {"key": "Model"},
                {"key": "size", "type": "choice", "choices": ["S"]},
                {"key": "x", "type": "map"},
            ]
        },
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": INVALID,
        "errors": [
            {
                "field": "fields.0.key",
                "message": "Use lower-case letters, digits and underscores, starting with a letter.",
            },
            {"field": "fields.1.choices", "message": "Give at least two choices."},
            {
                "field": "fields.2.type",
                "message": "Choose one of: text, long_text, choice, multi_choice, date, number, person, file.",
            },
        ],
    }


# --- standards -----------------------------------------------------------------------------------


def test_the_standards_are_read_and_a_new_version_is_set(desk, api, tokens):
    path = f"/api/v1/request-types/{desk['request_type'].pk}/standards"

    response = api(
        "put",
        f"{path}/P2",
        token=tokens["lead"],
        json={"first_response_minutes": 60, "resolution_minutes": 600, "business_hours": False, "at_risk_percent": 10},
    )
    listed = api("get", path, token=tokens["employee"]).json()

    standard = ServiceStandard.objects.get(priority="P2", is_current=True)
    assert response.status_code == 200
    assert response.json() == {
        "priority": "P2",
        "version": 2,
        "first_response_minutes": 60,
        "resolution_minutes": 600,
        "business_hours": False,
        "at_risk_percent": 10,
        "pausing_statuses": ["waiting_on_requester"],
        "obstacles_pause_resolution": False,
        "created_at": standard.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    assert [(item["priority"], item["version"], item["first_response_minutes"]) for item in listed] == [
        ("P1", 1, 30),
        ("P2", 2, 60),
        ("P3", 1, 240),
        ("P4", 1, 480),
    ]


@pytest.mark.parametrize(
    ("priority", "body", "errors"),
    [
        (
            "P2",
            {"first_response_minutes": 600, "resolution_minutes": 60},
            [{"field": "first_response_minutes", "message": "The first response cannot be due after the resolution."}],
        ),
        (
            "P2",
            {"first_response_minutes": 0, "resolution_minutes": 60},
            [{"field": "first_response_minutes", "message": "Enter whole minutes between 1 and 500,000."}],
        ),
        (
            "P2",
            {"first_response_minutes": 10, "resolution_minutes": 60, "pausing_statuses": ["resolved"]},
            [{"field": "pausing_statuses", "message": "Only open statuses can pause a clock; not: resolved."}],
        ),
        (
            "P7",
            {"first_response_minutes": 10, "resolution_minutes": 60},
            [{"field": "priority", "message": "Input should be 'P1', 'P2', 'P3' or 'P4'"}],
        ),
    ],
)
def test_a_bad_standard_is_422_and_changes_nothing(desk, api, tokens, priority, body, errors):
    path = f"/api/v1/request-types/{desk['request_type'].pk}/standards/{priority}"

    assert _invalid(api, "put", path, token=tokens["lead"], json=body) == errors


def test_an_agent_may_not_set_a_standard(desk, api, tokens):
    response = _refused(
        api,
        "put",
        f"/api/v1/request-types/{desk['request_type'].pk}/standards/P2",
        token=tokens["agent"],
        json={"first_response_minutes": 10, "resolution_minutes": 60},
    )

    assert response.status_code == 403


def test_null_clears_a_services_owner_and_leaves_the_rest(desk, api, tokens):
    response = api(
        "patch",
        f"/api/v1/services/{desk['service'].pk}",
        token=tokens["lead"],
        json={"owner": None, "is_active": None, "name": None, "position": None},
    )

    assert response.status_code == 200
    assert (response.json()["owner"], response.json()["is_active"], response.json()["name"]) == (None, True, "Laptops")


def test_opening_hours_that_do_not_parse_are_422(desk, api, tokens):
    errors = _invalid(
        api,
        "put",
        f"/api/v1/desks/{desk['desk'].pk}/calendar",
        token=tokens["lead"],
        json={"time_zone": "UTC", "week": {"mon": [["17:00", "09:00"]]}},
    )

    assert errors == [{"field": "week.mon", "message": "17:00–09:00 must start before it ends."}]
