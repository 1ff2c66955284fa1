"""Input meant to break things gets a clear answer and changes nothing (found by review).

Numbers that are cheap to write and dear to convert, digits that are not ASCII ("²" passes
``str.isdigit`` but not ``int``), ids too large for a database column, and a refusal that must come
before any look at the input.
"""

from __future__ import annotations

from typing import Any

import pytest

from insideout.core.text import as_id
from insideout.servicedesk.models import Request, Service
from insideout.servicedesk.tests.factories import request_create


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("42", 42, id="digits_case"),
        pytest.param(" 7 ", 7, id="spaces_case"),
        pytest.param(7, 7, id="int_case"),
        pytest.param("²", None, id="superscript_case"),
        pytest.param("٣", None, id="arabic_indic_digit_case"),
        pytest.param("-1", None, id="negative_case"),
        pytest.param("1.9", None, id="fraction_case"),
        pytest.param(True, None, id="bool_case"),
        pytest.param("9" * 19, None, id="above_bigint_case"),
        pytest.param(str(2**63 - 1), 2**63 - 1, id="largest_bigint_case"),
        pytest.param(None, None, id="none_case"),
    ],
)
def test_as_id_takes_only_ascii_digits_that_fit_a_column(value: Any, expected: int | None) -> None:
    assert as_id(value) == expected


def _number_type(desk: dict[str, Any]) -> Any:
    from insideout.servicedesk import services

    return services.request_type_update(
        actor=desk["lead"].user,
        request_type=desk["request_type"],
        fields=[
            {"key": "model", "label": "Model", "type": "choice", "required": True, "choices": ["13 inch", "15 inch"]},
            {"key": "count", "label": "How many", "type": "number"},
            {"key": "who", "label": "For whom", "type": "person"},
        ],
    )


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        pytest.param(
            {"count": "1e100000000"},
            ("fields.count", "Enter a number with at most 15 digits before the point."),
            id="huge_exponent_case",
        ),
        pytest.param(
            {"count": "1e5000"},
            ("fields.count", "Enter a number with at most 15 digits before the point."),
            id="unrepresentable_case",
        ),
        pytest.param({"who": True}, ("fields.who", "Choose a person."), id="boolean_person_case"),
        pytest.param({"who": 1.9}, ("fields.who", "Choose a person."), id="fractional_person_case"),
    ],
)
def test_the_api_refuses_hostile_field_values_quickly(
    desk: dict[str, Any], api: Any, token_for: Any, fields: dict[str, Any], error: tuple[str, str]
) -> None:
    _number_type(desk)
    response = api(
        "post",
        "/api/v1/requests",
        token=token_for(desk["employee"], scope="write"),
        json={"request_type": desk["request_type"].pk, "subject": "Laptops", "fields": {"model": "13 inch", **fields}},
    )

    assert response.status_code == 422
    assert {"field": error[0], "message": error[1]} in response.json()["errors"]
    assert not Request.objects.exists()


def test_a_big_number_within_the_limit_is_kept(desk: dict[str, Any], api: Any, token_for: Any) -> None:
    _number_type(desk)
    response = api(
        "post",
        "/api/v1/requests",
        token=token_for(desk["employee"], scope="write"),
        json={
            "request_type": desk["request_type"].pk,
            "subject": "Many",
            "fields": {"model": "13 inch", "count": "1e14"},
        },
    )

    assert response.status_code == 201
    assert Request.objects.get().field_values["count"] == 10**14


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("/desk/?q=%C2%B2", id="queue_search_superscript_case"),
        pytest.param("/desk/?q=IT-%C2%B2", id="queue_key_superscript_case"),
        pytest.param("/requests/IT-%C2%B2/", id="request_key_superscript_case"),
    ],
)
def test_pages_answer_odd_digits_without_an_error(desk: dict[str, Any], client_for: Any, url: str) -> None:
    request_create(requester=desk["employee"], request_type=desk["request_type"])

    response = client_for(desk["agent"]).get(url)

    assert response.status_code in (200, 404)


def test_odd_digits_in_the_api_search_find_nothing(desk: dict[str, Any], api: Any, token_for: Any) -> None:
    request_create(requester=desk["employee"], request_type=desk["request_type"])

    response = api("get", "/api/v1/requests?queue=all_open&q=%C2%B2", token=token_for(desk["agent"]))

    assert (response.status_code, response.json()["count"]) == (200, 0)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("service=99999999999999999999999", id="service_case"),
        pytest.param("queue=all_open&assignee=99999999999999999999999", id="assignee_case"),
        pytest.param("queue=all_open&desk=99999999999999999999999", id="desk_case"),
    ],
)
def test_ids_too_large_for_a_column_are_422(desk: dict[str, Any], api: Any, token_for: Any, query: str) -> None:
    response = api("get", f"/api/v1/requests?{query}", token=token_for(desk["agent"]))

    assert response.status_code == 422
    assert response.json()["detail"]


def test_bulk_assign_with_odd_digits_changes_nothing(desk: dict[str, Any], client_for: Any) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"])

    response = client_for(desk["agent"]).post("/desk/assign/", {"requests": [str(request.pk)], "assignee": "²"})

    assert response.status_code in (200, 302)
    assert Request.objects.get().assignee_id is None


def test_an_agent_who_is_not_admin_is_refused_before_the_input_is_checked(
    desk: dict[str, Any], api: Any, token_for: Any
) -> None:
    response = api(
        "post",
        f"/api/v1/desks/{desk['desk'].pk}/services",
        token=token_for(desk["agent"], scope="write"),
        json={"name": "Phones", "owner": 999999},
    )

    assert response.status_code == 403
    assert list(Service.objects.values_list("name", flat=True)) == ["Laptops"]
