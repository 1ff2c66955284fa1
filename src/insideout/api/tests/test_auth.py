"""Who the API lets in: bearer tokens and their scope, and sessions, whose writes need the CSRF token.

Only fixtures and HTTP here (the API layer may not import the directory's internals); the
token's life cycle (revocation, expiry, leavers) is tested in ``people/tests/test_api_tokens.py``.
"""

import pytest
from django.test import Client

from insideout.core.models import Event

UNAUTHENTICATED = {"detail": "Authentication required: send 'Authorization: Bearer <token>'.", "errors": []}
CSRF_FAILED = {
    "detail": "CSRF check failed: send the X-CSRFToken header with a session-authenticated write.",
    "errors": [],
}


def my_profile(raw_token):
    """The profile as the API shows it."""
    return Client().get("/api/v1/me/profile", HTTP_AUTHORIZATION=f"Bearer {raw_token}").json()


def event_rows():
    return list(Event.objects.order_by("pk").values_list("pk", "type", "subject_id", "payload"))


def test_the_scheme_name_is_case_insensitive(org, client, token_for):
    raw = token_for(org["employee"])

    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"bearer {raw}")

    assert response.status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("Bearer", id="scheme_without_token"),
        pytest.param("Bearer ", id="blank_token"),
        pytest.param("Bearer io_garbage", id="garbage"),
        pytest.param("Token io_garbage", id="other_scheme"),
        pytest.param("Basic ZXZlOmNvcnJlY3QtaG9yc2UtYmF0dGVyeQ==", id="basic_auth_with_a_real_password"),
    ],
)
def test_without_a_valid_token_the_api_is_401(org, client, header):
    headers = {} if header is None else {"HTTP_AUTHORIZATION": header}

    response = client.get("/api/v1/me", **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="InsideOut API"'
    assert response.json() == UNAUTHENTICATED


def test_a_read_token_may_read(org, api, token_for):
    response = api("get", "/api/v1/me/profile", token=token_for(org["employee"], scope="read"))

    assert response.status_code == 200


def test_a_read_token_may_not_write_and_changes_nothing(org, api, token_for):
    raw = token_for(org["employee"], scope="read")
    reader = token_for(org["employee"])
    before = my_profile(reader)
    events = event_rows()

    response = api("patch", "/api/v1/me/profile", token=raw, json={"about": "Changed"})

    assert response.status_code == 403
    assert response.json() == {
        "detail": "This token is read-only; create one with the write scope to change data.",
        "errors": [],
    }
    assert my_profile(reader) == before
    assert event_rows() == events


def test_a_token_acts_as_its_owner_even_beside_another_persons_session(org, token_for):
    client = Client()
    client.force_login(org["manager"].user)

    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token_for(org['employee'])}")

    assert response.json()["username"] == "eve"


def test_a_signed_in_session_may_read(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org["employee"].user)

    response = client.get("/api/v1/me/profile")

    assert response.status_code == 200


def test_a_session_write_without_the_csrf_token_is_403_and_changes_nothing(org, token_for):
    # What a hostile page's cross-site request looks like: the browser sends the session cookie, not the token.
    client = Client(enforce_csrf_checks=True)
    client.force_login(org["employee"].user)
    reader = token_for(org["employee"])
    before = my_profile(reader)
    events = event_rows()

    response = client.patch("/api/v1/me/profile", data={"about": "Pwned"}, content_type="application/json")

    assert response.status_code == 403
    assert response.json() == CSRF_FAILED
    assert my_profile(reader) == before
    assert event_rows() == events


def test_a_session_write_with_a_garbage_token_still_needs_the_csrf_token(org, token_for):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org["employee"].user)
    reader = token_for(org["employee"])
    before = my_profile(reader)

    response = client.patch(
        "/api/v1/me/profile",
        data={"about": "Pwned"},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer io_garbage",
    )

    assert response.status_code == 403
    assert response.json() == CSRF_FAILED
    assert my_profile(reader) == before


def test_a_session_write_from_another_origin_is_403_even_with_the_csrf_token(org, token_for):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org["employee"].user)
    client.get("/api/v1/docs")  # sets the CSRF cookie, as the docs page does in a browser
    reader = token_for(org["employee"])
    before = my_profile(reader)

    response = client.patch(
        "/api/v1/me/profile",
        data={"about": "Pwned"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
        HTTP_ORIGIN="https://evil.example",
    )

    assert response.status_code == 403
    assert response.json() == CSRF_FAILED
    assert my_profile(reader) == before


def test_a_session_write_with_the_csrf_token_works(org, token_for):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org["employee"].user)
    client.get("/api/v1/docs")

    response = client.patch(
        "/api/v1/me/profile",
        data={"about": "From the docs page"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )

    assert response.status_code == 200
    assert response.json()["about"] == "From the docs page"


def test_a_token_write_needs_no_csrf_token(org, token_for):
    # A bearer token is not sent by the browser on its own, so it cannot be forged cross-site.
    client = Client(enforce_csrf_checks=True)

    response = client.patch(
        "/api/v1/me/profile",
        data={"about": "From a script"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(org['employee'], scope='write')}",
    )

    assert response.status_code == 200


def test_a_garbage_token_write_without_a_session_is_401_not_a_csrf_error(org):
    client = Client(enforce_csrf_checks=True)

    response = client.patch(
        "/api/v1/me/profile",
        data={"about": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer io_garbage",
    )

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
