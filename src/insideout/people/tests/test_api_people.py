"""``GET /api/v1/people`` (search, unit filter, pages) and ``GET /api/v1/people/{id}``."""

import pytest

from insideout.people import services

INVALID = "The request is not valid; see errors."


def names(response):
    return [item["username"] for item in response.json()["items"]]


def test_people_lists_everyone_active_by_family_name_with_the_count(org, api, token_for):
    response = api("get", "/api/v1/people", token=token_for(org["employee"]))

    assert response.status_code == 200
    assert names(response) == ["sam", "eve", "lena", "mo", "pat"]
    assert response.json()["count"] == 5


def test_each_person_in_the_list_has_the_directory_fields(org, api, token_for):
    sam, lena, helpdesk = org["agent"], org["lead"], org["helpdesk"]

    response = api("get", "/api/v1/people?page_size=1", token=token_for(org["employee"]))

    assert response.json() == {
        "items": [
            {
                "id": sam.pk,
                "username": "sam",
                "name": "Sam Agent",
                "email": "sam@example.org",
                "title": "Specialist",
                "unit": helpdesk.pk,
                "unit_name": "Helpdesk",
                "manager": lena.pk,
                "manager_name": "Lena Lead",
                "location": "",
                "country": "",
                "time_zone": "Europe/Berlin",
                "is_active": True,
            }
        ],
        "count": 5,
    }


def test_someone_without_a_unit_or_manager_has_nulls(org, api, token_for):
    services.employee_update(employee=org["admin"], unit=None)

    response = api("get", "/api/v1/people?q=pat", token=token_for(org["employee"]))

    item = response.json()["items"][0]
    assert (item["unit"], item["unit_name"], item["manager"], item["manager_name"]) == (None, "", None, "")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("page=1&page_size=2", ["sam", "eve"]),
        ("page=2&page_size=2", ["lena", "mo"]),
        ("page=3&page_size=2", ["pat"]),
        ("page=4&page_size=2", []),
        ("page=100000&page_size=2", []),
        ("page_size=1000", ["sam", "eve", "lena", "mo", "pat"]),
    ],
)
def test_people_come_in_pages_and_the_count_is_the_total(org, api, token_for, query, expected):
    response = api("get", f"/api/v1/people?{query}", token=token_for(org["employee"]))

    assert response.status_code == 200
    assert names(response) == expected
    assert response.json()["count"] == 5


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("page=0", [{"field": "page", "message": "Input should be greater than or equal to 1"}]),
        ("page=-1", [{"field": "page", "message": "Input should be greater than or equal to 1"}]),
        ("page=100001", [{"field": "page", "message": "Input should be less than or equal to 100000"}]),
        (
            "page=99999999999999999999",
            [{"field": "page", "message": "Input should be less than or equal to 100000"}],
        ),
        (
            "page=two",
            [{"field": "page", "message": "Input should be a valid integer, unable to parse string as an integer"}],
        ),
        ("page_size=0", [{"field": "page_size", "message": "Input should be greater than or equal to 1"}]),
        (
            "unit=sales",
            [{"field": "unit", "message": "Input should be a valid integer, unable to parse string as an integer"}],
        ),
        (f"q={'x' * 101}", [{"field": "q", "message": "String should have at most 100 characters"}]),
    ],
)
def test_bad_list_parameters_are_422_naming_the_parameter(org, api, token_for, query, errors):
    response = api("get", f"/api/v1/people?{query}", token=token_for(org["employee"]))

    assert response.status_code == 422
    assert response.json() == {"detail": INVALID, "errors": errors}


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("company", ["sam", "eve", "lena", "mo", "pat"]),
        ("it", ["sam", "lena"]),
        ("helpdesk", ["sam"]),
        ("sales", ["eve", "mo"]),
    ],
)
def test_the_unit_filter_includes_every_sub_unit(org, api, token_for, unit, expected):
    response = api("get", f"/api/v1/people?unit={org[unit].pk}", token=token_for(org["employee"]))

    assert response.status_code == 200
    assert names(response) == expected
    assert response.json()["count"] == len(expected)


def test_the_unit_filter_reaches_any_depth(org, api, token_for):
    desk = services.unit_create(code="IT-HD-1", name="First line", parent=org["helpdesk"])
    services.employee_create(
        username="fay", email="fay@example.org", first_name="Fay", last_name="Firstline", employee_id="E-9", unit=desk
    )

    response = api("get", f"/api/v1/people?unit={org['it'].pk}", token=token_for(org["employee"]))

    assert names(response) == ["sam", "fay", "lena"]


def test_an_unknown_unit_is_404(org, api, token_for):
    response = api("get", "/api/v1/people?unit=999999", token=token_for(org["employee"]))

    assert response.status_code == 404
    assert response.json() == {"detail": "No unit with this id.", "errors": []}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        pytest.param("lena", ["lena"], id="first_name"),
        pytest.param("LEAD", ["lena"], id="family_name_any_case"),
        pytest.param("lead lena", ["lena"], id="every_word_in_any_order"),
        pytest.param("sales manager", ["mo"], id="title"),
        pytest.param("head of it", ["lena"], id="title_words"),
        pytest.param("pat@example", ["pat"], id="email"),
        pytest.param("helpdesk", ["sam"], id="unit_name"),
        pytest.param("sales", ["eve", "mo"], id="unit_name_or_title"),
        pytest.param("nobody", [], id="no_match"),
        pytest.param("", ["sam", "eve", "lena", "mo", "pat"], id="empty"),
    ],
)
def test_q_searches_name_title_email_and_unit_name(org, api, token_for, q, expected):
    response = api("get", "/api/v1/people", token=token_for(org["employee"]), data={"q": q})

    assert response.status_code == 200
    assert names(response) == expected
    assert response.json()["count"] == len(expected)


def test_q_and_unit_combine(org, api, token_for):
    response = api("get", f"/api/v1/people?q=specialist&unit={org['sales'].pk}", token=token_for(org["employee"]))

    assert names(response) == ["eve"]


def test_people_who_left_are_not_listed(org, api, token_for):
    services.employee_deactivate(employee=org["agent"])

    response = api("get", "/api/v1/people", token=token_for(org["employee"]))

    assert names(response) == ["eve", "lena", "mo", "pat"]
    assert response.json()["count"] == 4


def test_one_person_with_their_profile(org, api, token_for):
    mo, sales = org["manager"], org["sales"]
    services.profile_update(
        profile=mo.profile,
        preferred_channel="chat",
        recognition_preference="team",
        interests=["sailing"],
        working_hours={"days": ["mon", "tue", "wed"], "start": "07:30", "end": "15:30"},
        about="Ask me about targets.",
    )

    response = api("get", f"/api/v1/people/{mo.pk}", token=token_for(org["employee"]))

    assert response.status_code == 200
    assert response.json() == {
        "id": mo.pk,
        "username": "mo",
        "name": "Mo Manager",
        "email": "mo@example.org",
        "title": "Sales manager",
        "unit": sales.pk,
        "unit_name": "Sales",
        "manager": None,
        "manager_name": "",
        "location": "",
        "country": "",
        "time_zone": "Europe/Berlin",
        "is_active": True,
        "subdivision": "",
        "language": "en",
        "start_date": None,
        "profile": {
            "preferred_channel": "chat",
            "language": "",
            "communication_style": "mixed",
            "recognition_preference": "team",
            "interests": ["sailing"],
            "working_hours": {"days": ["mon", "tue", "wed"], "start": "07:30", "end": "15:30"},
            "about": "Ask me about targets.",
        },
    }


def test_someone_who_left_can_still_be_looked_up_and_says_so(org, api, token_for):
    services.employee_deactivate(employee=org["agent"])

    response = api("get", f"/api/v1/people/{org['agent'].pk}", token=token_for(org["employee"]))

    assert response.status_code == 200
    assert response.json()["is_active"] is False


@pytest.mark.parametrize("person_id", ["999999", "0", "99999999999999999999"])
def test_an_unknown_person_is_404(org, api, token_for, person_id):
    response = api("get", f"/api/v1/people/{person_id}", token=token_for(org["employee"]))

    assert response.status_code == 404
    assert response.json() == {"detail": "No person with this id.", "errors": []}
