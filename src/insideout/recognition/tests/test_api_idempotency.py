"""``Idempotency-Key`` on the API's writes: a retried recognition or redemption moves points once and
answers as the first time; the same key for another body, a refusal, a missing sign-in; and two
copies of one write racing each other on PostgreSQL."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from insideout.core.models import IdempotencyRecord
from insideout.people import services as people
from insideout.people.tests.factories import EmployeeFactory
from insideout.recognition import ledger, selectors
from insideout.recognition.models import Entry, Recognition, Redemption, Reward, Value
from insideout.recognition.tests.factories import fund


def _post(client: Client, token: str, path: str, body: dict[str, Any], key: str | None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def setting(org: dict[str, Any], token_for: Callable[..., str]) -> dict[str, Any]:
    value = Value.objects.create(name="Be helpful")
    return {
        **org,
        "value": value,
        "eve": token_for(org["employee"], "write"),
        "give": {"to": [org["agent"].pk], "message": "Thanks for the laptop!", "values": [value.pk], "points": 20},
    }


def test_a_retried_recognition_moves_points_once_and_answers_the_same(setting: dict[str, Any], client: Client) -> None:
    first = _post(client, setting["eve"], "/recognitions", setting["give"], "give-1")
    again = _post(client, setting["eve"], "/recognitions", setting["give"], "give-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert "Idempotent-Replayed" not in first
    assert again["Idempotent-Replayed"] == "true"
    assert Recognition.objects.count() == 1
    assert selectors.points_of(employee_id=setting["employee"].pk).allowance == 80
    assert selectors.points_of(employee_id=setting["agent"].pk).earned == 20
    # Another key is another write.
    assert _post(client, setting["eve"], "/recognitions", setting["give"], "give-2").status_code == 201
    assert selectors.points_of(employee_id=setting["agent"].pk).earned == 40
    assert ledger.ledger_verify().ok


def test_a_retried_redemption_holds_the_points_once(setting: dict[str, Any], client: Client) -> None:
    eve = setting["employee"]
    fund(eve, 120)
    mug = Reward.objects.create(name="Mug", points_cost=50, stock=5)
    body = {"reward": mug.pk, "quantity": 2}
    first = _post(client, setting["eve"], "/redemptions", body, "redeem-1")
    again = _post(client, setting["eve"], "/redemptions", body, "redeem-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Redemption.objects.count() == 1
    assert selectors.points_of(employee_id=eve.pk).earned == 20
    assert Reward.objects.get(pk=mug.pk).stock == 3


def test_the_same_key_for_another_body_is_refused_and_moves_nothing(setting: dict[str, Any], client: Client) -> None:
    assert _post(client, setting["eve"], "/recognitions", setting["give"], "give-1").status_code == 201
    entries = list(Entry.objects.values())
    other = _post(client, setting["eve"], "/recognitions", {**setting["give"], "points": 10}, "give-1")
    assert other.status_code == 422
    assert other.json() == {
        "detail": "This Idempotency-Key was already used for a different request; use a new key for a new write.",
        "errors": [
            {
                "field": "Idempotency-Key",
                "message": "This Idempotency-Key was already used for a different request; use a new key for a new "
                "write.",
            }
        ],
    }
    assert list(Entry.objects.values()) == entries


def test_a_refused_write_is_not_kept_and_may_be_corrected_under_the_same_key(
    setting: dict[str, Any], client: Client
) -> None:
    too_many = _post(client, setting["eve"], "/recognitions", {**setting["give"], "points": 500}, "give-1")
    assert too_many.status_code == 422
    assert "Idempotent-Replayed" not in too_many
    assert not IdempotencyRecord.objects.exists()
    corrected = _post(client, setting["eve"], "/recognitions", setting["give"], "give-1")
    assert corrected.status_code == 201
    assert "Idempotent-Replayed" not in corrected


def test_errors_keep_their_envelope_with_a_key(setting: dict[str, Any], client: Client) -> None:
    anonymous = client.post(
        "/api/v1/recognitions",
        data=json.dumps(setting["give"]),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="give-1",
    )
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == 'Bearer realm="InsideOut API"'
    assert anonymous.json()["detail"].startswith("Authentication required")
    unknown = _post(client, "io_not-a-token", "/recognitions", setting["give"], "give-1")
    assert unknown.status_code == 401
    wrong_method = client.put(
        "/api/v1/recognitions", HTTP_AUTHORIZATION=f"Bearer {setting['eve']}", HTTP_IDEMPOTENCY_KEY="give-1"
    )
    assert wrong_method.status_code == 405
    assert wrong_method.json()["detail"] == "PUT is not allowed here; use GET, POST."
    malformed = _post(client, setting["eve"], "/recognitions", setting["give"], "x" * 201)
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Recognition.objects.exists()
    assert not IdempotencyRecord.objects.exists()


def test_every_router_s_writes_take_the_key(setting: dict[str, Any], client: Client) -> None:
    body = {"about": "Set once"}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {setting['eve']}", "HTTP_IDEMPOTENCY_KEY": "profile-1"}
    first = client.patch("/api/v1/me/profile", data=json.dumps(body), content_type="application/json", **headers)
    again = client.patch("/api/v1/me/profile", data=json.dumps(body), content_type="application/json", **headers)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_copies_of_one_write_at_once_move_points_once() -> None:
    assert connection.vendor == "postgresql"
    giver = EmployeeFactory(username="racer")
    colleague = EmployeeFactory(username="colleague")
    value = Value.objects.create(name="Be helpful")
    _token, raw = people.api_token_create(user=giver.user, name="race", scope="write")
    body = {"to": [colleague.pk], "message": "Thanks!", "values": [value.pk], "points": 20}
    barrier = threading.Barrier(2)
    answers: list[tuple[int, str, dict[str, Any]]] = []
    lock = threading.Lock()

    def one() -> None:
        try:
            barrier.wait(timeout=30)
            response = _post(Client(), raw, "/recognitions", body, "race-1")
            with lock:
                answers.append((response.status_code, response.get("Idempotent-Replayed", ""), response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted((status, replayed) for status, replayed, _body in answers) == [(201, ""), (201, "true")]
    assert answers[0][2] == answers[1][2]
    assert Recognition.objects.count() == 1
    assert selectors.points_of(employee_id=giver.pk).allowance == 80
    assert selectors.points_of(employee_id=colleague.pk).earned == 20
    assert IdempotencyRecord.objects.count() == 1
    assert ledger.ledger_verify().ok
