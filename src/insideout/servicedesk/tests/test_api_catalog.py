"""The catalog through the REST API: services, their request types with forms and standards."""

from __future__ import annotations

from typing import Any

import pytest

from insideout.people import services as people_services
from insideout.people.tests.factories import UnitFactory
from insideout.servicedesk import services
from insideout.servicedesk.tests.factories import desk_create


@pytest.fixture
def phones(desk: dict[str, Any]) -> Any:
    return services.service_create(
        actor=desk["lead"].user, desk=desk["desk"], name="Phones", description="Mobile phones.", position=1
    )


def _laptops(desk: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": desk["service"].pk,
        "name": "Laptops",
        "description": "New laptops, repairs and loans.",
        "unit": desk["it"].pk,
        "unit_name": "IT",
        "desk": desk["desk"].pk,
    }


def _names(response: Any) -> list[str]:
    return [item["name"] for item in response.json()["items"]]


def test_services_list_what_i_may_request_with_the_providing_unit(desk, api, token_for, phones):
    response = api("get", "/api/v1/services", token=token_for(desk["employee"]))

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            _laptops(desk),
            {
                "id": phones.pk,
                "name": "Phones",
                "description": "Mobile phones.",
                "unit": desk["it"].pk,
                "unit_name": "IT",
                "desk": desk["desk"].pk,
            },
        ],
        "count": 2,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [("q=mobile", ["Phones"]), ("q=new+laptop", ["Laptops"]), ("q=it", ["Laptops", "Phones"]), ("q=fax", [])],
)
def test_services_are_found_by_words(desk, api, token_for, phones, query, expected):
    assert _names(api("get", f"/api/v1/services?{query}", token=token_for(desk["employee"]))) == expected


def test_services_narrow_to_one_desk(desk, api, token_for):
    token = token_for(desk["employee"])

    assert _names(api("get", f"/api/v1/services?desk={desk['desk'].pk}", token=token)) == ["Laptops"]
    assert _names(api("get", "/api/v1/services?desk=999999", token=token)) == []


def test_unpublished_services_are_for_the_desks_staff_only(desk, api, token_for, phones):
    services.service_update(actor=desk["lead"].user, service=phones, is_active=False)

    assert _names(api("get", "/api/v1/services", token=token_for(desk["employee"]))) == ["Laptops"]
    assert _names(api("get", "/api/v1/services", token=token_for(desk["agent"]))) == ["Laptops", "Phones"]
    hidden = api("get", f"/api/v1/services/{phones.pk}", token=token_for(desk["employee"]))
    assert (hidden.status_code, hidden.json()) == (404, {"detail": "No such service.", "errors": []})


def test_a_service_for_chosen_units_is_hidden_from_everyone_else(desk, api, token_for, phones):
    services.service_update(
        actor=desk["lead"].user, service=phones, audience="units", audience_units=[desk["helpdesk"]]
    )

    assert _names(api("get", "/api/v1/services", token=token_for(desk["employee"]))) == ["Laptops"]
    assert (
        api("get", f"/api/v1/services/{phones.pk}/request-types", token=token_for(desk["employee"])).status_code == 404
    )


def test_one_service_has_its_owner_and_audience(desk, api, token_for):
    response = api("get", f"/api/v1/services/{desk['service'].pk}", token=token_for(desk["employee"]))

    assert response.json() == _laptops(desk) | {
        "owner": desk["lead"].pk,
        "audience": "everyone",
        "is_active": True,
        "position": 0,
    }


def test_request_types_have_their_form_and_current_standards(desk, api, token_for):
    services.standard_set(
        actor=desk["lead"].user,
        request_type=desk["request_type"],
        priority="P4",
        values=services.StandardInput(first_response_minutes=60, resolution_minutes=600, business_hours=False),
    )

    response = api("get", f"/api/v1/services/{desk['service'].pk}/request-types", token=token_for(desk["employee"]))

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": desk["request_type"].pk,
            "name": "New laptop",
            "description": "Ask for a laptop for a new or current colleague.",
            "default_priority": "P3",
            "fields": [
                {
                    "key": "model",
                    "name": "model",
                    "label": "Model",
                    "type": "choice",
                    "required": True,
                    "choices": ["13 inch", "15 inch"],
                    "help_text": "",
                },
                {
                    "key": "needed_on",
                    "name": "needed_on",
                    "label": "Needed on",
                    "type": "date",
                    "required": False,
                    "choices": [],
                    "help_text": "",
                },
            ],
            "standards": [
                {"priority": "P1", "first_response_minutes": 30, "resolution_minutes": 240, "business_hours": True},
                {"priority": "P2", "first_response_minutes": 120, "resolution_minutes": 480, "business_hours": True},
                {"priority": "P3", "first_response_minutes": 240, "resolution_minutes": 1440, "business_hours": True},
                {"priority": "P4", "first_response_minutes": 60, "resolution_minutes": 600, "business_hours": False},
            ],
        }
    ]


def test_unpublished_request_types_are_for_the_desks_staff_only(desk, api, token_for):
    services.request_type_create(actor=desk["lead"].user, service=desk["service"], name="Draft", is_active=False)
    path = f"/api/v1/services/{desk['service'].pk}/request-types"

    def names(who: str) -> list[str]:
        return [item["name"] for item in api("get", path, token=token_for(desk[who])).json()]

    assert names("employee") == ["New laptop"]
    assert names("agent") == ["Draft", "New laptop"]


def test_a_desk_of_another_unit_lists_its_own_services(org, api, token_for):
    hr = UnitFactory(code="HR", name="HR", parent=org["company"], provides_services=True)
    people_services.unit_update(unit=hr, lead=org["manager"])
    hr_desk = desk_create(unit=hr, lead=org["manager"], prefix="HR")
    services.service_create(actor=org["manager"].user, desk=hr_desk, name="Payslips")

    response = api("get", f"/api/v1/services?desk={hr_desk.pk}", token=token_for(org["employee"]))

    assert [(item["name"], item["unit_name"], item["desk"]) for item in response.json()["items"]] == [
        ("Payslips", "HR", hr_desk.pk)
    ]


def test_bad_list_parameters_are_422(desk, api, token_for):
    response = api("get", "/api/v1/services?desk=it", token=token_for(desk["employee"]))

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "desk", "message": "Input should be a valid integer, unable to parse string as an integer"}
    ]
