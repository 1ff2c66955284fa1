"""My points: what I may give this month, what I have earned (and what it is worth), my spot-award
budget where I have one, and every movement of my balances in words, newest first.

A ledger line says what happened in the person's terms ("Recognition from Eve", "Refill for
December 2026", "Expired: unused allowance of November 2026", "Redeemed: Mug"): the page reads
what the lines name (recognitions, redemptions, awards) once per page, whatever its length.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from insideout.core.pagination import IdsFirst
from insideout.recognition import reports, rules, selectors
from insideout.recognition.models import AccountKind, Award, Entry, Recognition, Redemption, TransactionKind
from insideout.recognition.views.common import me, members_only, section

PAGE_SIZE = 25
_PERIOD_RE = re.compile(r"(\d{4})-(\d{2})")

BALANCE_LABELS = {
    AccountKind.ALLOWANCE: lambda: _("Allowance"),
    AccountKind.EARNED: lambda: _("Earned"),
    AccountKind.BUDGET: lambda: _("Budget"),
}


@dataclass(frozen=True)
class Line:
    entry: Entry
    occurred_at: datetime
    words: str
    balance: str
    amount: int


@dataclass(frozen=True)
class Named:
    """What a page of ledger lines names, read once for the page."""

    recognitions: dict[int, Recognition]
    redemptions: dict[int, Redemption]
    awards: dict[int, Award]


def _subject_ids(entries: Sequence[Entry], subject_type: str) -> list[int]:
    return [
        int(entry.transaction.subject_id)
        for entry in entries
        if entry.transaction.subject_type == subject_type and entry.transaction.subject_id.isdigit()
    ]


def _month_of(memo: str, fallback: datetime) -> str:
    match = _PERIOD_RE.search(memo)
    if match is None:
        return date_format(timezone.localtime(fallback), "F Y")
    return date_format(date(int(match.group(1)), int(match.group(2)), 1), "F Y")


def _names(recognition: Recognition | None) -> str:
    if recognition is None:
        return ""
    if recognition.team is not None:
        return recognition.team.name
    return ", ".join(row.employee.name for row in recognition.recipients.all())


def _recognition_words(entry: Entry, named: Named) -> str:
    tx = entry.transaction
    recognition = named.recognitions.get(int(tx.subject_id)) if tx.subject_id.isdigit() else None
    boost = tx.kind == TransactionKind.BOOST
    if entry.amount > 0:
        giver = tx.actor.get_full_name() if tx.actor is not None else ""
        if boost:
            return _("Boost from %(name)s") % {"name": giver} if giver else _("Boost")
        return _("Recognition from %(name)s") % {"name": giver} if giver else _("Recognition")
    names = _names(recognition)
    if boost:
        return _("You boosted the recognition of %(names)s") % {"names": names}
    return _("You recognised %(names)s") % {"names": names}


def _redemption_words(entry: Entry, named: Named) -> str:
    tx = entry.transaction
    redemption = named.redemptions.get(int(tx.subject_id)) if tx.subject_id.isdigit() else None
    what = tx.memo
    if redemption is not None:
        what = (
            f"{redemption.quantity} × {redemption.reward.name}" if redemption.quantity > 1 else redemption.reward.name
        )
    if tx.kind == TransactionKind.RELEASE:
        return _("Cancelled, points back: %(what)s") % {"what": what}
    return _("Redeemed: %(what)s") % {"what": what}


def _award_words(entry: Entry, named: Named) -> str:
    award = named.awards.get(entry.transaction_id)
    if award is None:
        return str(TransactionKind(entry.transaction.kind).label)
    if entry.account.kind == AccountKind.EARNED:
        return _("Spot award from %(name)s") % {"name": award.giver.name}
    words = {"name": award.recipient.name}
    if entry.transaction.kind == TransactionKind.HOLD:
        return _("Spot award to %(name)s, held for approval") % words
    if entry.transaction.kind == TransactionKind.RELEASE:
        return _("Spot award to %(name)s not approved, points back") % words
    return _("Spot award to %(name)s") % words


def _rule_words(entry: Entry) -> str:
    event_type = entry.transaction.memo.split(" ", 1)[0]
    label = rules.RULE_EVENTS.get(event_type, (None,))[0]
    return _("Points by rule: %(rule)s") % {"rule": label} if label else _("Points by rule")


def line_words(entry: Entry, named: Named) -> str:
    """One ledger line in the person's words."""
    tx = entry.transaction
    kind = entry.account.kind
    if tx.kind in (TransactionKind.GIVE, TransactionKind.BOOST):
        return _recognition_words(entry, named)
    if entry.transaction_id in named.awards:
        return _award_words(entry, named)
    if tx.subject_type == "recognition.redemption":
        return _redemption_words(entry, named)
    words: dict[str, Callable[[], str]] = {
        TransactionKind.REFILL: lambda: (
            (_("Budget for %(month)s") if kind == AccountKind.BUDGET else _("Refill for %(month)s"))
            % {"month": _month_of(tx.memo, tx.occurred_at)}
        ),
        TransactionKind.EXPIRY: lambda: (
            (
                _("Expired: unused budget of %(month)s")
                if kind == AccountKind.BUDGET
                else _("Expired: unused allowance of %(month)s")
            )
            % {"month": _month_of(tx.memo, tx.occurred_at)}
        ),
        TransactionKind.GRANT: lambda: _rule_words(entry),
        TransactionKind.REVERSAL: lambda: _("Correction: %(memo)s") % {"memo": tx.memo} if tx.memo else _("Correction"),
    }
    word = words.get(tx.kind)
    return word() if word is not None else str(TransactionKind(tx.kind).label)


def ledger_lines(entries: Sequence[Entry]) -> list[Line]:
    """A page of ledger entries (``selectors.ledger_lines_of``) as lines in words."""
    named = Named(
        recognitions=selectors.recognitions_by_id(ids=_subject_ids(entries, "recognition.recognition")),
        redemptions=selectors.redemptions_by_id(ids=_subject_ids(entries, "recognition.redemption")),
        awards=selectors.awards_by_transaction(
            transaction_ids=[
                entry.transaction_id
                for entry in entries
                if entry.transaction.kind in (TransactionKind.AWARD, TransactionKind.HOLD, TransactionKind.RELEASE)
            ]
        ),
    )
    return [
        Line(
            entry=entry,
            occurred_at=entry.transaction.occurred_at,
            words=line_words(entry, named),
            balance=BALANCE_LABELS[AccountKind(entry.account.kind)](),
            amount=int(entry.amount),
        )
        for entry in entries
    ]


def next_refill(now: datetime) -> date:
    local = timezone.localtime(now).date()
    return date(local.year + local.month // 12, local.month % 12 + 1, 1)


@login_required
@members_only
@require_GET
def my_points(request: HttpRequest) -> HttpResponse:
    """My balances, what my earned points are worth, and my ledger, newest first."""
    employee = me(request)
    context: dict[str, Any] = section(request, "points")
    points = context["nav_points"]
    page = Paginator(IdsFirst(selectors.ledger_lines_of(employee_id=employee.pk)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context.update(
        {
            "points": points,
            "earned_value": reports.points_value(points.earned),
            "currency": settings.RECOGNITION_CURRENCY,
            "monthly_allowance": selectors.monthly_allowance(),
            "monthly_budget": selectors.monthly_budget(),
            "refill_on": next_refill(timezone.now()),
            "page": page,
            "lines": ledger_lines(list(page.object_list)),
        }
    )
    return render(request, "recognition/points.html", context)
