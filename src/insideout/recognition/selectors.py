"""Reads of recognition, scoped to what the caller may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from insideout.people.models import Employee, User
from insideout.recognition.models import Account, AccountKind, Entry, Value


def period_of(now: datetime) -> str:
    """The month an allowance or budget belongs to, in the server's time zone: ``2026-12``."""
    return timezone.localtime(now).strftime("%Y-%m")


def monthly_allowance() -> int:
    return int(settings.RECOGNITION_MONTHLY_ALLOWANCE)


def allowance_available(*, account: Account | None, now: datetime) -> int:
    """What a person may give now: the balance in the month it was refilled for; in a later month
    the refill the next give will post first (so a read never waits for a monthly sweep)."""
    if account is None or account.period != period_of(now):
        return monthly_allowance()
    return int(account.balance)


def balances_of(*, owner_id: int) -> dict[str, Account]:
    """A person's accounts by kind (those that exist); one query."""
    return {account.kind: account for account in Account.objects.filter(owner_id=owner_id)}


@dataclass(frozen=True)
class Points:
    """A person's balances: what they may give this month, what they have earned to spend, and
    their spot-award budget (None when they have none)."""

    allowance: int
    earned: int
    budget: int | None


def member_of(actor: User | None) -> Employee | None:
    if actor is None or not actor.is_authenticated:
        return None
    return Employee.objects.select_related("unit").filter(user=actor, is_active=True).first()


def points_of(*, employee_id: int, now: datetime | None = None) -> Points:
    """One query: the person's accounts; an allowance not yet refilled this month reads as the refill."""
    now = now or timezone.now()
    accounts = balances_of(owner_id=employee_id)
    budget = accounts.get(AccountKind.BUDGET)
    earned = accounts.get(AccountKind.EARNED)
    return Points(
        allowance=allowance_available(account=accounts.get(AccountKind.ALLOWANCE), now=now),
        earned=int(earned.balance) if earned is not None else 0,
        budget=int(budget.balance) if budget is not None else None,
    )


def ledger_lines_of(*, employee_id: int) -> QuerySet[Entry]:
    """The person's ledger entries, newest first, with their transactions and accounts."""
    return (
        Entry.objects.filter(account__owner_id=employee_id)
        .select_related("transaction", "account")
        .order_by("-transaction_id", "-id")
    )


def values_active() -> QuerySet[Value]:
    return Value.objects.filter(is_active=True).order_by("position", "name")
