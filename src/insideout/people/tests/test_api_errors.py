"""An unexpected exception in an endpoint: a 500 in the error envelope, logged once with its traceback."""

import logging

import pytest
from django.test import Client

from insideout.people import selectors


def explode(**kwargs):
    raise RuntimeError("the database caught fire")


def test_an_unexpected_error_is_500_in_the_envelope_and_logged(org, token_for, monkeypatch, caplog):
    monkeypatch.setattr(selectors, "unit_list_for", explode)
    client = Client(raise_request_exception=False)

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {token_for(org['employee'])}")

    assert response.status_code == 500
    assert response.json() == {"detail": "Something went wrong on our side; it has been logged.", "errors": []}
    assert b"caught fire" not in response.content
    assert [(record.getMessage(), record.exc_info[0]) for record in caplog.records] == [
        ("Internal Server Error: /api/v1/units", RuntimeError)
    ]


def test_an_unexpected_error_reaches_the_test_client_like_any_django_error(org, token_for, monkeypatch):
    # The handler sends got_request_exception, as Django does, so error trackers and tests see it.
    monkeypatch.setattr(selectors, "unit_list_for", explode)

    with pytest.raises(RuntimeError, match="caught fire"):
        Client().get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {token_for(org['employee'])}")
