"""The points ledger: balanced transactions, balances that never go below zero, monthly refills and
expiry, reversals, and the verification that recomputes every balance from the journal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from insideout.core.errors import Conflict
from insideout.people.tests.factories import EmployeeFactory
from insideout.recognition import ledger, selectors
from insideout.recognition.models import Account, AccountKind, Entry, LedgerTransaction

DECEMBER = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
JANUARY = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def journal() -> list[tuple[int, str, int]]:
    return list(Entry.objects.order_by("pk").values_list("account_id", "account__kind", "amount"))


@pytest.fixture
def two(db: Any) -> tuple[Any, Any]:
    return EmployeeFactory(username="ann"), EmployeeFactory(username="bob")


def _earned(person: Any) -> Account:
    return ledger.account_for(kind=AccountKind.EARNED, owner_id=person.pk)


def test_a_refill_issues_the_month_s_allowance_once(two: tuple[Any, Any]) -> None:
    ann, _bob = two
    assert selectors.points_of(employee_id=ann.pk, now=DECEMBER).allowance == 100  # before any posting
    account = ledger.allowance_refresh(owner_id=ann.pk, now=DECEMBER)
    assert (account.balance, account.period) == (100, "2026-12")
    ledger.allowance_refresh(owner_id=ann.pk, now=DECEMBER + timedelta(days=1))
    assert LedgerTransaction.objects.filter(kind="refill").count() == 1
    assert ledger.account_for(kind=AccountKind.ISSUANCE).balance == -100


def test_the_unused_allowance_expires_at_the_next_refill(two: tuple[Any, Any]) -> None:
    ann, bob = two
    allowance = ledger.allowance_refresh(owner_id=ann.pk, now=DECEMBER)
    ledger.ledger_post(kind="give", movements=[(allowance, -30), (_earned(bob), 30)], occurred_at=DECEMBER)
    assert selectors.points_of(employee_id=ann.pk, now=DECEMBER).allowance == 70
    assert selectors.points_of(employee_id=ann.pk, now=JANUARY).allowance == 100  # read before the posting
    ledger.allowance_refresh(owner_id=ann.pk, now=JANUARY)
    assert list(LedgerTransaction.objects.order_by("pk").values_list("kind", flat=True)) == [
        "refill",
        "give",
        "expiry",
        "refill",
    ]
    assert ledger.account_for(kind=AccountKind.EXPIRED).balance == 70
    assert selectors.points_of(employee_id=bob.pk, now=JANUARY).earned == 30  # earned points never expire
    assert ledger.ledger_verify().ok


def test_a_movement_beyond_the_balance_moves_nothing(two: tuple[Any, Any]) -> None:
    ann, bob = two
    allowance = ledger.allowance_refresh(owner_id=ann.pk, now=DECEMBER)
    before = journal()
    with pytest.raises(ledger.InsufficientPoints) as excinfo:
        ledger.ledger_post(kind="give", movements=[(allowance, -101), (_earned(bob), 101)])
    assert excinfo.value.available == 100
    assert excinfo.value.needed == 101
    assert "has 100 points left this month; this needs 101" in excinfo.value.message
    assert journal() == before
    assert Account.objects.get(pk=allowance.pk).balance == 100
    assert Account.objects.get(pk=_earned(bob).pk).balance == 0


@pytest.mark.parametrize(
    ("movements", "error"),
    [
        ([("a", -10), ("b", 9)], ValueError),  # does not sum to zero
        ([("a", -10), ("a", 10)], ValueError),  # one account only
        ([("a", -1.5), ("b", 1.5)], TypeError),  # not whole points
        ([("a", True), ("b", -1)], TypeError),
    ],
)
def test_a_transaction_that_does_not_balance_is_refused(
    two: tuple[Any, Any], movements: list[tuple[str, Any]], error: type[Exception]
) -> None:
    ann, bob = two
    accounts = {"a": ledger.allowance_refresh(owner_id=ann.pk, now=DECEMBER), "b": _earned(bob)}
    before = journal()
    with pytest.raises(error):
        ledger.ledger_post(kind="give", movements=[(accounts[name], amount) for name, amount in movements])
    assert journal() == before


def test_a_reversal_undoes_a_transaction_once_and_only_while_it_can_be_paid_back(two: tuple[Any, Any]) -> None:
    ann, bob = two
    allowance = ledger.allowance_refresh(owner_id=ann.pk, now=DECEMBER)
    give = ledger.ledger_post(kind="give", movements=[(allowance, -40), (_earned(bob), 40)])
    reversal = ledger.ledger_reverse(original=give, actor=None, memo="given by mistake")
    assert reversal.reverses_id == give.pk
    assert Account.objects.get(pk=allowance.pk).balance == 100
    with pytest.raises(Conflict):
        ledger.ledger_reverse(original=give, actor=None, memo="again")

    second = ledger.ledger_post(kind="give", movements=[(allowance, -40), (_earned(bob), 40)])
    spent = ledger.account_for(kind=AccountKind.REDEEMED)
    ledger.ledger_post(kind="settle", movements=[(_earned(bob), -35), (spent, 35)])
    before = journal()
    with pytest.raises(ledger.InsufficientPoints):
        ledger.ledger_reverse(original=second, actor=None, memo="too late: Bob spent it")
    assert journal() == before
    assert ledger.ledger_verify().ok


def test_the_verification_finds_a_tampered_balance_and_an_unbalanced_transaction(two: tuple[Any, Any]) -> None:
    ann, bob = two
    allowance = ledger.allowance_refresh(owner_id=ann.pk, now=DECEMBER)
    give = ledger.ledger_post(kind="give", movements=[(allowance, -25), (_earned(bob), 25)])
    result = ledger.ledger_verify()
    assert result.ok
    assert (result.accounts, result.entries, result.transactions) == (3, 4, 2)  # issuance, allowance, earned

    Account.objects.filter(pk=_earned(bob).pk).update(balance=1000)  # someone edits the table by hand
    Entry.objects.create(transaction=give, account=allowance, amount=-5)
    result = ledger.ledger_verify(chunk=1)
    assert [(m.account_id, m.stored, m.computed) for m in result.mismatches] == [
        (allowance.pk, 75, 70),
        (_earned(bob).pk, 1000, 25),
    ]
    assert result.unbalanced == [(give.pk, -5)]
    with pytest.raises(CommandError, match="2 balance mismatch"):
        call_command("ledger", "verify")


def test_the_verification_command_reports_a_clean_ledger(two: tuple[Any, Any], capsys: Any) -> None:
    ann, bob = two
    allowance = ledger.allowance_refresh(owner_id=ann.pk, now=DECEMBER)
    ledger.ledger_post(kind="give", movements=[(allowance, -25), (_earned(bob), 25)])
    call_command("ledger", "verify")
    out = capsys.readouterr().out
    assert "3 accounts, 4 entries, 2 transactions checked" in out
    assert "The ledger reconciles" in out
    assert Entry.objects.aggregate(total=Sum("amount"))["total"] == 0
