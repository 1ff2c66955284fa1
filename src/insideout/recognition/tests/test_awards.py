"""Spot awards: from a manager's or lead's monthly budget, paid at once up to the threshold, above
it held until a second person approves; bad input and the wrong people move nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from insideout.core.errors import Conflict, Forbidden
from insideout.people.tests.factories import EmployeeFactory
from insideout.recognition import awards, ledger, selectors
from insideout.recognition.models import AccountKind, Award, Entry

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def state() -> list[Any]:
    return [list(Entry.objects.values()), list(Award.objects.values())]


def refused(error: type[Exception], call: Any) -> Exception:
    before = state()
    with pytest.raises(error) as excinfo:
        call()
    assert state() == before
    return excinfo.value


def test_a_small_award_is_paid_from_the_budget_at_once(org: dict[str, Any]) -> None:
    lena, sam = org["lead"], org["agent"]  # Lena leads IT and manages Sam
    assert selectors.points_of(employee_id=lena.pk, now=NOW).budget == 500
    assert selectors.points_of(employee_id=sam.pk, now=NOW).budget is None
    award = awards.award_create(actor=lena.user, to=sam.pk, points=150, reason="Saved the launch", now=NOW)
    assert award.state == "paid"
    assert selectors.points_of(employee_id=lena.pk, now=NOW).budget == 350
    assert selectors.points_of(employee_id=sam.pk, now=NOW).earned == 150
    assert ledger.ledger_verify().ok


def test_a_large_award_waits_for_a_second_approver(org: dict[str, Any]) -> None:
    lena, sam, mo, pat = org["lead"], org["agent"], org["manager"], org["admin"]  # Pat is people-ops
    award = awards.award_create(actor=lena.user, to=sam.pk, points=300, reason="A year of calm nights", now=NOW)
    assert (award.state, award.approver_id) == ("pending", None)  # Lena has no manager: people-ops decide
    assert ledger.account_for(kind=AccountKind.HELD).balance == 300
    assert selectors.points_of(employee_id=sam.pk, now=NOW).earned == 0
    refused(Forbidden, lambda: awards.award_approve(actor=lena.user, award=award))  # not the giver
    refused(Forbidden, lambda: awards.award_approve(actor=mo.user, award=award))
    paid = awards.award_approve(actor=pat.user, award=award, note="Well deserved")
    assert paid.state == "paid"
    assert selectors.points_of(employee_id=sam.pk, now=NOW).earned == 300
    error = refused(Conflict, lambda: awards.award_reject(actor=pat.user, award=award))
    assert "already paid" in str(error)
    assert ledger.ledger_verify().ok


def test_the_giver_s_manager_approves_and_a_rejection_returns_the_points(org: dict[str, Any]) -> None:
    lena, sam, eve, mo = org["lead"], org["agent"], org["employee"], org["manager"]
    EmployeeFactory(username="junior", manager=sam)  # Sam manages someone now, and Lena manages Sam
    award = awards.award_create(actor=sam.user, to=eve.pk, points=250, reason="Fixed our CRM", now=NOW)
    assert award.approver_id == lena.pk
    refused(Forbidden, lambda: awards.award_approve(actor=mo.user, award=award))
    assert awards.award_approve(actor=lena.user, award=award).state == "paid"
    assert selectors.points_of(employee_id=eve.pk, now=NOW).earned == 250

    second = awards.award_create(actor=sam.user, to=eve.pk, points=240, reason="And the reports", now=NOW)
    assert selectors.points_of(employee_id=sam.pk, now=NOW).budget == 10
    rejected = awards.award_reject(actor=lena.user, award=second, note="One award is enough")
    assert rejected.state == "rejected"
    assert selectors.points_of(employee_id=sam.pk, now=NOW).budget == 250
    assert ledger.ledger_verify().ok


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"to": "self"}, "to"),
        ({"to": 999_999}, "to"),
        ({"points": 0}, "points"),
        ({"points": -5}, "points"),
        ({"points": 2.5}, "points"),
        ({"reason": ""}, "reason"),
        ({"values": [999_999]}, "values"),
    ],
)
def test_bad_input_moves_nothing(org: dict[str, Any], changes: dict[str, Any], field: str) -> None:
    lena = org["lead"]
    arguments: dict[str, Any] = {"to": org["agent"].pk, "points": 10, "reason": "Thanks", "now": NOW}
    arguments.update(changes)
    if arguments["to"] == "self":
        arguments["to"] = lena.pk
    error = refused(ValidationError, lambda: awards.award_create(actor=lena.user, **arguments))
    assert field in error.message_dict  # type: ignore[attr-defined]


def test_beyond_the_budget_or_without_one_nothing_moves(org: dict[str, Any]) -> None:
    lena, sam, eve = org["lead"], org["agent"], org["employee"]
    error = refused(Conflict, lambda: awards.award_create(actor=lena.user, to=sam.pk, points=501, reason="x", now=NOW))
    assert "budget has 500 points left" in str(error)
    refused(Forbidden, lambda: awards.award_create(actor=eve.user, to=sam.pk, points=5, reason="x", now=NOW))
