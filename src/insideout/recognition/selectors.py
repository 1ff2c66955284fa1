"""Reads of recognition, scoped to what the caller may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from insideout.core.errors import NotFound
from insideout.people.models import Employee, Unit, User
from insideout.recognition.models import (
    Account,
    AccountKind,
    Entry,
    Recognition,
    RecognitionRecipient,
    Value,
    Visibility,
)


def period_of(now: datetime) -> str:
    """The month an allowance or budget belongs to, in the server's time zone: ``2026-12``."""
    return timezone.localtime(now).strftime("%Y-%m")


def monthly_allowance() -> int:
    return int(settings.RECOGNITION_MONTHLY_ALLOWANCE)


def monthly_budget() -> int:
    return int(settings.RECOGNITION_BUDGET_PER_MONTH)


def monthly_available(*, account: Account | None, now: datetime, amount: int) -> int:
    """What is left of a monthly allowance or budget: the balance in the month it was refilled for;
    in a later month the refill the next write will post first (a read never waits for a sweep)."""
    if account is None or account.period != period_of(now):
        return amount
    return int(account.balance)


def allowance_available(*, account: Account | None, now: datetime) -> int:
    return monthly_available(account=account, now=now, amount=monthly_allowance())


def has_budget(*, employee_id: int) -> bool:
    """Managers (with active reports) and unit leads have a spot-award budget."""
    return (
        Unit.objects.filter(lead_id=employee_id).exists()
        or Employee.objects.filter(manager_id=employee_id, is_active=True).exists()
    )


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
    """The person's accounts (one query; two more for whether someone without a budget account should
    have one); an allowance or budget not yet refilled this month reads as the refill."""
    now = now or timezone.now()
    accounts = balances_of(owner_id=employee_id)
    budget = accounts.get(AccountKind.BUDGET)
    earned = accounts.get(AccountKind.EARNED)
    if budget is not None or has_budget(employee_id=employee_id):
        budget_left: int | None = monthly_available(account=budget, now=now, amount=monthly_budget())
    else:
        budget_left = None
    return Points(
        allowance=allowance_available(account=accounts.get(AccountKind.ALLOWANCE), now=now),
        earned=int(earned.balance) if earned is not None else 0,
        budget=budget_left,
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


# --- recognitions --------------------------------------------------------------------------------


def _recognition_base() -> QuerySet[Recognition]:
    return Recognition.objects.select_related("giver__user", "giver__unit", "team").prefetch_related(
        Prefetch(
            "recipients",
            queryset=RecognitionRecipient.objects.select_related("employee__unit").order_by("pk"),
        ),
        "values",
    )


def _visible(employee: Employee | None) -> Q:
    """Who sees a recognition: everyone in the organisation a public one; the members of the
    recipients' units a team one; and always the giver, the recipients and the recipients' managers."""
    if employee is None:
        return Q(pk__in=[])
    involved = Q(giver=employee) | Q(recipients__employee=employee) | Q(recipients__employee__manager=employee)
    team = (
        Q(visibility=Visibility.TEAM, recipients__employee__unit_id=employee.unit_id)
        if employee.unit_id
        else Q(pk__in=[])
    )
    return Q(visibility=Visibility.PUBLIC) | team | involved


def recognition_list_for(
    *,
    actor: User | None,
    scope: str = "wall",
    value_id: int | None = None,
    unit_id: int | None = None,
    person_id: int | None = None,
) -> QuerySet[Recognition]:
    """``wall``: the public ones; ``mine``: those I received; ``given``: those I gave; newest first.
    Filters: a value, a recipients' unit, a person among the recipients."""
    employee = member_of(actor)
    if employee is None:
        return Recognition.objects.none()
    if scope == "mine":
        ids = RecognitionRecipient.objects.filter(employee=employee).values("recognition_id")
        recognitions = Recognition.objects.filter(pk__in=ids)
    elif scope == "given":
        recognitions = Recognition.objects.filter(giver=employee)
    else:
        recognitions = Recognition.objects.filter(visibility=Visibility.PUBLIC)
    if value_id is not None:
        recognitions = recognitions.filter(
            pk__in=Recognition.values.through.objects.filter(value_id=value_id).values("recognition_id")
        )
    if unit_id is not None:
        recognitions = recognitions.filter(
            pk__in=RecognitionRecipient.objects.filter(employee__unit_id=unit_id).values("recognition_id")
        )
    if person_id is not None:
        recognitions = recognitions.filter(
            pk__in=RecognitionRecipient.objects.filter(employee_id=person_id).values("recognition_id")
        )
    return recognitions.order_by("-created_at", "-pk")


def recognitions_prefetched(recognitions: QuerySet[Recognition]) -> QuerySet[Recognition]:
    """A page of recognitions with their giver, recipients and values (three more queries)."""
    return _recognition_base().filter(pk__in=[r.pk for r in recognitions]).order_by("-created_at", "-pk")


def recognition_get_for(*, actor: User | None, recognition_id: int) -> Recognition:
    employee = member_of(actor)
    recognition = _recognition_base().filter(_visible(employee), pk=recognition_id).distinct().first()
    if recognition is None:
        raise NotFound(_("No recognition with this id."))
    return recognition
