"""The life of an API token as the API sees it: use, revocation, expiry, and its owner leaving."""

from datetime import timedelta

from django.utils import timezone

from insideout.people import services
from insideout.people.models import ApiToken

UNAUTHENTICATED = {"detail": "Authentication required: send 'Authorization: Bearer <token>'.", "errors": []}


def test_a_valid_token_authenticates_as_its_owner_and_stamps_last_used(org, api, token_for):
    raw = token_for(org["employee"])

    response = api("get", "/api/v1/me", token=raw)

    assert response.status_code == 200
    assert response.json()["username"] == "eve"
    token = ApiToken.objects.get(user=org["employee"].user)
    assert token.last_used_at is not None


def test_a_revoked_token_is_401(org, api):
    token, raw = services.api_token_create(user=org["employee"].user, name="script", scope="write")
    services.api_token_revoke(token=token, actor=org["employee"].user)

    response = api("get", "/api/v1/me", token=raw)

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_an_expired_token_is_401(org, api):
    _token, raw = services.api_token_create(
        user=org["employee"].user, name="script", expires_at=timezone.now() - timedelta(seconds=1)
    )

    response = api("get", "/api/v1/me", token=raw)

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_a_token_that_expires_later_still_works(org, api):
    _token, raw = services.api_token_create(
        user=org["employee"].user, name="script", expires_at=timezone.now() + timedelta(days=1)
    )

    response = api("get", "/api/v1/me", token=raw)

    assert response.status_code == 200


def test_the_token_of_a_person_who_left_is_401(org, api, token_for):
    raw = token_for(org["employee"])
    services.employee_deactivate(employee=org["employee"])

    response = api("get", "/api/v1/me", token=raw)

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_the_token_of_a_person_who_returned_stays_revoked(org, api, token_for):
    raw = token_for(org["employee"])
    services.employee_deactivate(employee=org["employee"])
    services.employee_reactivate(employee=org["employee"])

    response = api("get", "/api/v1/me", token=raw)

    assert response.status_code == 401


def test_an_unrevoked_token_of_a_deactivated_account_is_401(org, api, token_for):
    raw = token_for(org["employee"])
    user = org["employee"].user
    # What the admin's user form does: the account is switched off, its tokens are left as they are.
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = api("get", "/api/v1/me", token=raw)

    assert response.status_code == 401
    assert ApiToken.objects.get(user=user).revoked_at is None
