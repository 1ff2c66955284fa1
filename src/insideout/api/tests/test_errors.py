"""Every failure of the API answers in one envelope: ``{"detail": str, "errors": [{"field", "message"}]}``.

An unexpected exception (500) is tested from the directory's side, in
``people/tests/test_api_errors.py``, where a selector can be made to fail.
"""

import pytest


def test_an_unsupported_method_is_405_in_the_envelope_and_names_the_allowed_ones(org, api, token_for):
    response = api("put", "/api/v1/me/profile", token=token_for(org["employee"], scope="write"), json={})

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Allow"] == "GET, PATCH"
    assert response.json() == {"detail": "PUT is not allowed here; use GET, PATCH.", "errors": []}


def test_delete_on_a_read_only_collection_is_405(org, api, token_for):
    response = api("delete", "/api/v1/people", token=token_for(org["employee"], scope="write"))

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == {"detail": "DELETE is not allowed here; use GET.", "errors": []}


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/no-such-endpoint", "/api/v1/people/42/friends", "/api/v1/me/"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_path_that_names_no_endpoint_is_404_in_the_envelope(db, client, path, method):
    response = getattr(client, method)(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {"detail": "Not found: no such endpoint. The list is at openapi.json.", "errors": []}


def test_a_non_integer_id_in_the_path_is_422(org, api, token_for):
    response = api("get", "/api/v1/people/abc", token=token_for(org["employee"]))

    assert response.status_code == 422
    assert response.json() == {
        "detail": "The request is not valid; see errors.",
        "errors": [
            {"field": "person_id", "message": "Input should be a valid integer, unable to parse string as an integer"}
        ],
    }
