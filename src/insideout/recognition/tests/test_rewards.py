"""Redeeming rewards: points held, then spent or given back; stock, limits and countries; and a
gift-card provider on a real HTTP server on the loopback interface, with a crash injected between
its answer and the settlement."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from insideout.core.errors import Conflict, Forbidden, NotFound
from insideout.people.selectors import PEOPLE_OPS_GROUP
from insideout.people.tests.factories import EmployeeFactory
from insideout.recognition import ledger, rewards, selectors
from insideout.recognition.models import AccountKind, Entry, Redemption, Reward
from insideout.recognition.tests.factories import fund

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def earned(person: Any) -> int:
    return selectors.points_of(employee_id=person.pk, now=NOW).earned


def state() -> list[Any]:
    return [
        list(Entry.objects.values()),
        list(Redemption.objects.values()),
        list(Reward.objects.values("pk", "stock")),
    ]


def refused(error: type[Exception], call: Any) -> Exception:
    before = state()
    with pytest.raises(error) as excinfo:
        call()
    assert state() == before
    return excinfo.value


@pytest.fixture
def shop(db: Any) -> dict[str, Any]:
    ann = EmployeeFactory(username="ann", country="DE")
    ops = EmployeeFactory(username="ops")
    ops.user.groups.add(Group.objects.get_or_create(name=PEOPLE_OPS_GROUP)[0])
    mug = Reward.objects.create(name="Mug", points_cost=50, stock=3, per_person_limit=2)
    card = Reward.objects.create(name="Book voucher", kind="gift_card", points_cost=100)
    fund(ann, 300)
    return {"ann": ann, "ops": ops, "mug": mug, "card": card}


def test_a_redemption_holds_the_points_then_spends_them_when_issued(shop: dict[str, Any]) -> None:
    ann, ops, mug = shop["ann"], shop["ops"], shop["mug"]
    redemption = rewards.redemption_create(actor=ann.user, reward_id=mug.pk, quantity=2, now=NOW)
    assert (redemption.state, redemption.points, redemption.value_cents) == ("held", 100, 1000)  # 10 points = 1 EUR
    assert earned(ann) == 200
    assert ledger.account_for(kind=AccountKind.HELD).balance == 100
    assert Reward.objects.get(pk=mug.pk).stock == 1
    issued = rewards.redemption_fulfil(actor=ops.user, redemption=redemption, note="Sent by post, parcel 123")
    assert (issued.state, issued.note) == ("issued", "Sent by post, parcel 123")
    assert ledger.account_for(kind=AccountKind.HELD).balance == 0
    assert ledger.account_for(kind=AccountKind.REDEEMED).balance == 100
    error = refused(Conflict, lambda: rewards.redemption_cancel(actor=ops.user, redemption=issued))
    assert "already issued" in str(error)
    assert ledger.ledger_verify().ok


def test_cancelling_gives_the_points_and_the_stock_back(shop: dict[str, Any]) -> None:
    ann, mug = shop["ann"], shop["mug"]
    redemption = rewards.redemption_create(actor=ann.user, reward_id=mug.pk, now=NOW)
    cancelled = rewards.redemption_cancel(actor=ann.user, redemption=redemption, reason="Changed my mind")
    assert cancelled.state == "cancelled"
    assert earned(ann) == 300
    assert Reward.objects.get(pk=mug.pk).stock == 3
    assert ledger.ledger_verify().ok


def test_beyond_the_balance_the_stock_or_the_limit_nothing_moves(shop: dict[str, Any]) -> None:
    ann, mug, card = shop["ann"], shop["mug"], shop["card"]
    error = refused(Conflict, lambda: rewards.redemption_create(actor=ann.user, reward_id=card.pk, quantity=4))
    assert "has 300 points; this needs 400" in str(error)
    error = refused(Conflict, lambda: rewards.redemption_create(actor=ann.user, reward_id=mug.pk, quantity=3))
    assert "at most 2 times" in str(error)
    rewards.redemption_create(actor=ann.user, reward_id=mug.pk, quantity=2)
    other = EmployeeFactory(username="bo")
    fund(other, 500)
    error = refused(Conflict, lambda: rewards.redemption_create(actor=other.user, reward_id=mug.pk, quantity=2))
    assert "Only 1 of Mug are left" in str(error)
    for bad in (0, -1, 101, "2", True):
        refused(
            ValidationError, lambda bad=bad: rewards.redemption_create(actor=ann.user, reward_id=mug.pk, quantity=bad)
        )
    refused(NotFound, lambda: rewards.redemption_create(actor=ann.user, reward_id=999_999))
    Reward.objects.filter(pk=card.pk).update(countries=["FR"])
    error = refused(Conflict, lambda: rewards.redemption_create(actor=ann.user, reward_id=card.pk))
    assert "not available in your country" in str(error)


def test_only_people_ops_fulfil_and_only_they_or_the_owner_cancel(shop: dict[str, Any]) -> None:
    ann, mug = shop["ann"], shop["mug"]
    redemption = rewards.redemption_create(actor=ann.user, reward_id=mug.pk)
    stranger = EmployeeFactory(username="zed")
    refused(Forbidden, lambda: rewards.redemption_fulfil(actor=ann.user, redemption=redemption))
    refused(Forbidden, lambda: rewards.redemption_cancel(actor=stranger.user, redemption=redemption))


# --- a gift-card provider on loopback ---------------------------------------------------------------


class Provider(BaseHTTPRequestHandler):
    """A provider that issues one card per reference, however often it is asked."""

    orders: dict[str, dict[str, Any]]
    calls: list[str]
    answer: str = "issued"

    def do_POST(self) -> None:  # noqa: N802 - the standard library's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.calls.append(body["reference"])
        if self.answer == "error":
            self.send_response(503)
            self.end_headers()
            return
        order = self.orders.setdefault(
            body["reference"],
            {"status": self.answer, "code": f"CARD-{len(self.orders) + 1}", "message": "out of vouchers"},
        )
        data = json.dumps(order).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def provider(settings: Any) -> Iterator[type[Provider]]:
    handler = type("Handler", (Provider,), {"orders": {}, "calls": [], "answer": "issued"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.RECOGNITION_GIFTCARD_PROVIDERS = {"giftcards": {"url": f"http://127.0.0.1:{server.server_port}"}}
    yield handler
    server.shutdown()
    server.server_close()


def test_a_provider_issues_the_card_and_the_points_are_spent(
    shop: dict[str, Any], provider: type[Provider], django_capture_on_commit_callbacks: Any
) -> None:
    card = shop["card"]
    Reward.objects.filter(pk=card.pk).update(provider="giftcards", provider_sku="BOOK-10")
    with django_capture_on_commit_callbacks(execute=True):
        redemption = rewards.redemption_create(actor=shop["ann"].user, reward_id=card.pk)
    redemption.refresh_from_db()
    assert (redemption.state, redemption.note, redemption.provider_status) == ("issued", "CARD-1", "issued")
    assert provider.calls == [rewards.reference_of(redemption.pk)]
    assert ledger.account_for(kind=AccountKind.REDEEMED).balance == 100


def test_a_crash_between_the_order_and_the_settlement_neither_loses_nor_doubles_points(
    shop: dict[str, Any], provider: type[Provider]
) -> None:
    card = shop["card"]
    Reward.objects.filter(pk=card.pk).update(provider="giftcards")
    redemption = rewards.redemption_create(actor=shop["ann"].user, reward_id=card.pk)
    with pytest.raises(rewards._Crash):
        rewards.redemption_fulfil_by_provider(redemption_id=redemption.pk, crash_after_order=True)
    redemption.refresh_from_db()
    assert (redemption.state, redemption.provider_status) == ("held", "ordering")
    assert earned(shop["ann"]) == 200  # held, not lost

    later = datetime.now(UTC) + rewards.PROVIDER_RETRY_AFTER * 2
    assert rewards.redemptions_reconcile(now=later) == rewards.Reconciliation(asked=1, settled=1)
    redemption.refresh_from_db()
    assert (redemption.state, redemption.note) == ("issued", "CARD-1")
    assert provider.calls == [rewards.reference_of(redemption.pk)] * 2  # asked twice, one order
    assert len(provider.orders) == 1
    assert ledger.account_for(kind=AccountKind.REDEEMED).balance == 100  # spent once
    assert rewards.redemptions_reconcile(now=later) == rewards.Reconciliation(asked=0, settled=0)
    assert ledger.ledger_verify().ok


def test_a_failed_order_gives_the_points_back_and_an_outage_waits(
    shop: dict[str, Any], provider: type[Provider]
) -> None:
    card = shop["card"]
    Reward.objects.filter(pk=card.pk).update(provider="giftcards")
    provider.answer = "error"
    redemption = rewards.redemption_create(actor=shop["ann"].user, reward_id=card.pk)
    assert rewards.redemption_fulfil_by_provider(redemption_id=redemption.pk) == "provider unavailable"
    assert Redemption.objects.get(pk=redemption.pk).state == "held"
    provider.answer = "failed"
    assert rewards.redemption_fulfil_by_provider(redemption_id=redemption.pk) == "failed"
    redemption.refresh_from_db()
    assert redemption.state == "cancelled"
    assert "out of vouchers" in redemption.note
    assert earned(shop["ann"]) == 300
