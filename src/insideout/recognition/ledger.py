"""The points ledger's writes and its verification (ADR 0013).

``ledger_post`` is the only code that changes a balance. It writes one transaction whose entries sum
to zero, and moves each balance with one guarded ``UPDATE … SET balance = balance + n WHERE
balance >= -n``: the database decides, row by row, whether a balance can pay, so no balance goes
below zero under any concurrency. On PostgreSQL the update takes the row lock and re-reads the
committed balance after waiting; on SQLite the transaction holds the write lock from its start
(``transaction_mode = IMMEDIATE``). Accounts are updated in id order, so two transactions touching
the same accounts never deadlock. A refused movement raises :class:`InsufficientPoints` and the
transaction rolls back whole: nothing moves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from insideout.core.errors import Conflict
from insideout.people.models import User
from insideout.recognition import selectors
from insideout.recognition.models import Account, AccountKind, Entry, LedgerTransaction


class InsufficientPoints(Conflict):
    """A movement would take an account below zero."""

    def __init__(self, message: str, *, account: Account, available: int, needed: int) -> None:
        super().__init__(message)
        self.account = account
        self.available = available
        self.needed = needed


# --- accounts ------------------------------------------------------------------------------------


def account_for(*, kind: str, owner_id: int | None = None) -> Account:
    """The account of this kind for a person (or the organisation's, without ``owner_id``), made on first use."""
    account = Account.objects.filter(kind=kind, owner_id=owner_id).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(kind=kind, owner_id=owner_id)
    except IntegrityError:  # made by a concurrent call a moment ago
        return Account.objects.get(kind=kind, owner_id=owner_id)


def _refused(account: Account, needed: int) -> InsufficientPoints:
    available = int(Account.objects.filter(pk=account.pk).values_list("balance", flat=True).get())
    words = {
        AccountKind.ALLOWANCE: _("Your allowance has %(available)s points left this month; this needs %(needed)s."),
        AccountKind.EARNED: _("The balance has %(available)s points; this needs %(needed)s."),
        AccountKind.BUDGET: _("The spot-award budget has %(available)s points left; this needs %(needed)s."),
    }.get(account.kind, _("The account has %(available)s points; this needs %(needed)s."))  # type: ignore[call-overload]
    return InsufficientPoints(
        str(words) % {"available": available, "needed": needed}, account=account, available=available, needed=needed
    )


# --- posting -------------------------------------------------------------------------------------


@transaction.atomic
def ledger_post(
    *,
    kind: str,
    movements: Iterable[tuple[Account, int]],
    actor: User | None = None,
    memo: str = "",
    subject: tuple[str, str] | None = None,
    occurred_at: datetime | None = None,
    reverses: LedgerTransaction | None = None,
    reference: str | None = None,
) -> LedgerTransaction:
    """Write one balanced transaction and move the balances, or raise and move nothing.

    ``movements`` are (account, points) pairs, positive into the account, negative out of it; two
    for the same account are added up. They must sum to zero. With a ``reference``, a second
    posting for the same reference raises ``IntegrityError`` and moves nothing (``ledger_post_once``).
    """
    merged: dict[int, int] = {}
    accounts: dict[int, Account] = {}
    for account, amount in movements:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise TypeError(f"points are whole numbers, got {amount!r}")
        merged[account.pk] = merged.get(account.pk, 0) + amount
        accounts[account.pk] = account
    merged = {account_id: amount for account_id, amount in merged.items() if amount}
    if sum(merged.values()) != 0:
        raise ValueError(f"a transaction's entries sum to zero, these sum to {sum(merged.values())}")
    if len(merged) < 2:
        raise ValueError("a transaction moves points between at least two accounts")
    for account_id in sorted(merged):
        amount = merged[account_id]
        account = accounts[account_id]
        rows = Account.objects.filter(pk=account_id)
        if amount < 0 and account.kind != AccountKind.ISSUANCE:
            rows = rows.filter(balance__gte=-amount)
        if rows.update(balance=F("balance") + amount) != 1:
            raise _refused(account, -amount)
    subject_type, subject_id = subject or ("", "")
    entry = LedgerTransaction.objects.create(
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        memo=memo[:300],
        subject_type=subject_type,
        subject_id=str(subject_id),
        reverses=reverses,
        reference=reference,
    )
    Entry.objects.bulk_create(
        Entry(transaction=entry, account_id=account_id, amount=amount) for account_id, amount in sorted(merged.items())
    )
    return entry


def ledger_post_once(*, reference: str, **posting: Any) -> LedgerTransaction | None:
    """``ledger_post`` unless a transaction with this reference exists (then None): for writers
    that may run twice for the same cause, such as event handlers."""
    if LedgerTransaction.objects.filter(reference=reference).exists():
        return None
    try:
        with transaction.atomic():
            return ledger_post(reference=reference, **posting)
    except IntegrityError:
        if LedgerTransaction.objects.filter(reference=reference).exists():
            return None  # a concurrent run posted it
        raise


@transaction.atomic
def ledger_reverse(
    *, original: LedgerTransaction, actor: User | None, memo: str, occurred_at: datetime | None = None
) -> LedgerTransaction:
    """A correction: the same entries with the opposite sign, once per transaction. Refused (and
    nothing moves) when a balance it takes back from has already been spent."""
    if LedgerTransaction.objects.filter(reverses=original).exists():
        raise Conflict(_("This transaction has already been reversed."))
    entries = list(original.entries.select_related("account"))
    try:
        with transaction.atomic():
            return ledger_post(
                kind="reversal",
                movements=[(entry.account, -entry.amount) for entry in entries],
                actor=actor,
                memo=memo,
                subject=(original.subject_type, original.subject_id) if original.subject_type else None,
                occurred_at=occurred_at,
                reverses=original,
            )
    except IntegrityError as exc:  # a concurrent reversal won the one-to-one
        raise Conflict(_("This transaction has already been reversed.")) from exc


# --- allowances and budgets ------------------------------------------------------------------------


@transaction.atomic
def monthly_refresh(*, kind: str, owner_id: int, amount: int, now: datetime | None = None) -> Account:
    """Bring a person's allowance or budget to this month: the unused rest of an earlier month
    expires, and the month's amount is issued. Runs once per person and month however many call it
    at once: the period is moved with a conditional update, and only the caller whose update wins
    posts."""
    now = now or timezone.now()
    period = selectors.period_of(now)
    account = account_for(kind=kind, owner_id=owner_id)
    if account.period == period:
        return account
    before = account.period
    if Account.objects.filter(pk=account.pk, period=before).update(period=period) != 1:
        account.refresh_from_db()
        return account  # a concurrent call refilled it
    account.refresh_from_db()
    left = int(account.balance)
    if left > 0:
        ledger_post(
            kind="expiry",
            movements=[(account, -left), (account_for(kind=AccountKind.EXPIRED), left)],
            memo=f"{kind} {before or 'before'} unused",
            occurred_at=now,
        )
    if amount > 0:
        ledger_post(
            kind="refill",
            movements=[(account_for(kind=AccountKind.ISSUANCE), -amount), (account, amount)],
            memo=f"{kind} {period}",
            occurred_at=now,
        )
    account.refresh_from_db()
    return account


def allowance_refresh(*, owner_id: int, now: datetime | None = None) -> Account:
    """The person's allowance to give, refilled for this month (see ``monthly_refresh``)."""
    return monthly_refresh(kind=AccountKind.ALLOWANCE, owner_id=owner_id, amount=selectors.monthly_allowance(), now=now)


def budget_refresh(*, owner_id: int, now: datetime | None = None) -> Account:
    """A manager's or lead's spot-award budget, refilled for this month (the caller checks they have one)."""
    return monthly_refresh(kind=AccountKind.BUDGET, owner_id=owner_id, amount=selectors.monthly_budget(), now=now)


# --- verification ----------------------------------------------------------------------------------


@dataclass
class Mismatch:
    account_id: int
    kind: str
    owner_id: int | None
    stored: int
    computed: int


@dataclass
class Verification:
    """What ``ledger_verify`` found: every stored balance against the sum of its entries, and every
    transaction's entries against zero."""

    accounts: int = 0
    entries: int = 0
    transactions: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    unbalanced: list[tuple[int, int]] = field(default_factory=list)  # (transaction id, sum)
    negative: list[int] = field(default_factory=list)  # accounts below zero that may not be

    @property
    def ok(self) -> bool:
        return not (self.mismatches or self.unbalanced or self.negative)


def ledger_verify(*, chunk: int = 50_000) -> Verification:
    """Recompute every balance from the journal and report each difference. Reads in account-id
    ranges over the covering indexes, so memory stays flat however long the journal is."""
    result = Verification()
    last = 0
    while True:
        accounts = list(
            Account.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "kind", "owner_id", "balance")[:chunk]
        )
        if not accounts:
            break
        low, high = accounts[0][0], accounts[-1][0]
        sums: dict[int, int] = {}
        for account_id, total, n in (
            Entry.objects.filter(account_id__gte=low, account_id__lte=high)
            .values("account_id")
            .annotate(total=Sum("amount"), n=Count("pk"))
            .values_list("account_id", "total", "n")
        ):
            sums[account_id] = int(total or 0)
            result.entries += int(n)
        for account_id, kind, owner_id, balance in accounts:
            computed = int(sums.get(account_id) or 0)
            if computed != balance:
                result.mismatches.append(Mismatch(account_id, kind, owner_id, int(balance), computed))
            if balance < 0 and kind != AccountKind.ISSUANCE:
                result.negative.append(account_id)
        result.accounts += len(accounts)
        last = high
    result.transactions = LedgerTransaction.objects.count()
    result.unbalanced = [
        (int(row[0]), int(row[1]))
        for row in Entry.objects.values("transaction_id")
        .annotate(total=Sum("amount"))
        .filter(~Q(total=0))
        .values_list("transaction_id", "total")[:1000]
    ]
    return result


def movements_split(*, source: Account, targets: Sequence[tuple[Account, int]]) -> list[tuple[Account, int]]:
    """From one account to several: the source pays the sum."""
    total = sum(amount for _target, amount in targets)
    return [(source, -total), *targets]
