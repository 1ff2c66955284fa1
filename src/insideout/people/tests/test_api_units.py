"""``GET /api/v1/units`` and ``GET /api/v1/units/{id}``."""

import pytest

from insideout.people import services
from insideout.people.models import User


def test_units_lists_every_unit_parents_before_children(org, api, token_for):
    company, it, helpdesk, sales, lena = org["company"], org["it"], org["helpdesk"], org["sales"], org["lead"]

    response = api("get", "/api/v1/units", token=token_for(org["employee"]))

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": company.pk,
                "code": "ACME",
                "name": "Acme",
                "kind": "company",
                "parent": None,
                "lead": None,
                "lead_name": "",
                "provides_services": False,
                "depth": 0,
                "member_count": 1,
            },
            {
                "id": it.pk,
                "code": "IT",
                "name": "IT",
                "kind": "department",
                "parent": company.pk,
                "lead": lena.pk,
                "lead_name": "Lena Lead",
                "provides_services": True,
                "depth": 1,
                "member_count": 1,
            },
            {
                "id": helpdesk.pk,
                "code": "IT-HD",
                "name": "Helpdesk",
                "kind": "team",
                "parent": it.pk,
                "lead": None,
                "lead_name": "",
                "provides_services": True,
                "depth": 2,
                "member_count": 1,
            },
            {
                "id": sales.pk,
                "code": "SALES",
                "name": "Sales",
                "kind": "department",
                "parent": company.pk,
                "lead": None,
                "lead_name": "",
                "provides_services": False,
                "depth": 1,
                "member_count": 2,
            },
        ],
        "count": 4,
    }


def test_member_counts_leave_out_people_who_left(org, api, token_for):
    services.employee_deactivate(employee=org["employee"])

    response = api("get", "/api/v1/units", token=token_for(org["manager"]))

    assert {item["code"]: item["member_count"] for item in response.json()["items"]} == {
        "ACME": 1,
        "IT": 1,
        "IT-HD": 1,
        "SALES": 1,
    }


def test_units_come_in_pages(org, api, token_for):
    response = api("get", "/api/v1/units?page=2&page_size=3", token=token_for(org["employee"]))

    assert [item["code"] for item in response.json()["items"]] == ["SALES"]
    assert response.json()["count"] == 4


def test_units_page_zero_is_422(org, api, token_for):
    response = api("get", "/api/v1/units?page=0", token=token_for(org["employee"]))

    assert response.status_code == 422
    assert response.json() == {
        "detail": "The request is not valid; see errors.",
        "errors": [{"field": "page", "message": "Input should be greater than or equal to 1"}],
    }


def test_one_unit_with_its_path_children_and_members(org, api, token_for):
    company, it, helpdesk, lena = org["company"], org["it"], org["helpdesk"], org["lead"]
    services.unit_update(unit=it, description="Keeps the lights on.")
    services.unit_create(code="IT-OPS", name="Operations", parent=it)
    operations_id = it.children.get(code="IT-OPS").pk

    response = api("get", f"/api/v1/units/{it.pk}", token=token_for(org["employee"]))

    assert response.status_code == 200
    assert response.json() == {
        "id": it.pk,
        "code": "IT",
        "name": "IT",
        "kind": "department",
        "parent": company.pk,
        "lead": lena.pk,
        "lead_name": "Lena Lead",
        "provides_services": True,
        "depth": 1,
        "member_count": 1,
        "description": "Keeps the lights on.",
        "path": [company.pk, it.pk],
        "children": [helpdesk.pk, operations_id],
    }


def test_a_unit_without_members_counts_zero(org, api, token_for):
    empty = services.unit_create(code="LEGAL", name="Legal", parent=org["company"])

    response = api("get", f"/api/v1/units/{empty.pk}", token=token_for(org["employee"]))

    assert (response.json()["member_count"], response.json()["children"]) == (0, [])


@pytest.mark.parametrize("unit_id", ["999999", "0", "99999999999999999999"])
def test_an_unknown_unit_is_404(org, api, token_for, unit_id):
    response = api("get", f"/api/v1/units/{unit_id}", token=token_for(org["employee"]))

    assert response.status_code == 404
    assert response.json() == {"detail": "No unit with this id.", "errors": []}


@pytest.mark.parametrize(
    "path", ["/api/v1/units", "/api/v1/units/1", "/api/v1/people", "/api/v1/people/1"], ids=lambda p: p
)
def test_an_account_outside_the_organisation_may_not_read_the_directory(org, api, token_for, path):
    # Accounts without a person come from Django's createsuperuser or admin, not a directory service.
    outsider = User.objects.create_user(username="olga", email="olga@example.org")

    response = api("get", path, token=token_for(outsider))

    assert response.status_code == 403
    assert response.json() == {"detail": "Only members of the organisation can see the directory.", "errors": []}
