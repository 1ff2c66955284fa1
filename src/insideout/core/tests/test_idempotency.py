"""Idempotent writes: the same key and body give the first answer again and write nothing twice; a
key reused for another body is refused; refusals are not remembered; each caller has their own keys."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.http import HttpRequest, JsonResponse
from django.test import RequestFactory
from django.utils import timezone

from insideout.core.idempotency import idempotency_purge, idempotent
from insideout.core.models import Event, IdempotencyRecord


@idempotent
def write(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body or b"{}")
    if body.get("bad"):
        return JsonResponse({"detail": "bad"}, status=422)
    event = Event.objects.create(type="test.written", subject_type="test", subject_id="1", payload=body)
    return JsonResponse({"id": event.pk}, status=201)


def post(body: dict[str, Any], *, key: str | None = "k-1", token: str = "Bearer one") -> Any:
    headers = {"HTTP_AUTHORIZATION": token}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    request = RequestFactory().post("/api/v1/things", data=json.dumps(body), content_type="application/json", **headers)
    return write(request)


@pytest.mark.django_db
def test_a_retry_gets_the_first_answer_and_writes_nothing() -> None:
    first = post({"n": 1})
    again = post({"n": 1})
    assert first.status_code == again.status_code == 201
    assert json.loads(again.content) == json.loads(first.content)
    assert again["Idempotent-Replayed"] == "true"
    assert Event.objects.filter(type="test.written").count() == 1


@pytest.mark.django_db
def test_the_same_key_for_another_write_is_refused() -> None:
    post({"n": 1})
    other = post({"n": 2})
    assert other.status_code == 422
    assert "already used for a different request" in json.loads(other.content)["detail"]
    assert Event.objects.filter(type="test.written").count() == 1


@pytest.mark.django_db
def test_a_refusal_is_not_remembered_and_each_caller_has_their_own_keys() -> None:
    assert post({"bad": True}).status_code == 422
    assert post({"n": 1}).status_code == 201  # the same key, corrected
    assert post({"n": 1}, token="Bearer two").status_code == 201  # another caller's key "k-1"
    assert post({"n": 1}, key=None).status_code == 201  # no key: no protection
    assert Event.objects.filter(type="test.written").count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", " ", "x" * 201, "a\nb"])
def test_a_malformed_key_is_refused(key: str) -> None:
    assert post({"n": 1}, key=key).status_code == 422
    assert not Event.objects.filter(type="test.written").exists()


@pytest.mark.django_db
def test_old_answers_are_forgotten() -> None:
    post({"n": 1})
    assert idempotency_purge(now=timezone.now() + timedelta(hours=47)) == 0
    assert idempotency_purge(now=timezone.now() + timedelta(hours=49)) == 1
    assert not IdempotencyRecord.objects.exists()
