"""The fair-play report flags people who give each other most of what they give; the payroll export
gives each person the money value of what they redeemed in the month."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group

from insideout.people.selectors import PEOPLE_OPS_GROUP
from insideout.people.tests.factories import EmployeeFactory
from insideout.recognition import ledger, reports, rewards, services
from insideout.recognition.models import AccountKind, Reward, Value

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
PERIOD = (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    value = Value.objects.create(name="Be helpful")
    return {name: EmployeeFactory(username=name, first_name=name.title(), last_name="X") for name in "abcdefg"} | {
        "value": value
    }


def give(people: dict[str, Any], giver: str, to: str, points: int, day: int = 0) -> None:
    services.recognition_give(
        actor=people[giver].user,
        to=[people[to].pk],
        message="Thanks",
        values=[people["value"].pk],
        points=points,
        now=NOW + timedelta(days=day),
    )


def test_pairs_and_triangles_that_give_each_other_most_are_flagged(people: dict[str, Any]) -> None:
    # a ↔ b: 40 each way, all they give. c → d → e → c: 35 each, all they give. f → g only one way.
    give(people, "a", "b", 40)
    give(people, "b", "a", 40)
    for giver, to in (("c", "d"), ("d", "e"), ("e", "c")):
        give(people, giver, to, 35)
    give(people, "f", "g", 50)
    # g spreads: 30 to f but 40 to b, so g → f is under half of what g gave.
    give(people, "g", "f", 30)
    give(people, "g", "b", 40)
    rings = reports.rings_in(start=PERIOD[0], end=PERIOD[1])
    pk = {name: people[name].pk for name in "abcdefg"}
    assert [ring.people for ring in rings] == [
        tuple(sorted((pk["c"], pk["d"], pk["e"]))),  # 105 points
        tuple(sorted((pk["a"], pk["b"]))),  # 80 points
    ]
    assert [ring.points for ring in rings] == [105, 80]
    assert all(arrow.share == 1.0 for arrow in rings[1].arrows)
    # Small amounts are not flagged: below 30 points an arrow does not count.
    assert reports.rings_in(start=PERIOD[0], end=PERIOD[1], min_points=41) == []


def test_the_payroll_export_counts_issued_redemptions_of_the_month(people: dict[str, Any]) -> None:
    ops = EmployeeFactory(username="ops")
    ops.user.groups.add(Group.objects.get_or_create(name=PEOPLE_OPS_GROUP)[0])
    mug = Reward.objects.create(name="Mug", points_cost=55)
    for name in ("a", "b"):
        ledger.ledger_post(
            kind="grant",
            movements=[
                (ledger.account_for(kind=AccountKind.ISSUANCE), -500),
                (ledger.account_for(kind=AccountKind.EARNED, owner_id=people[name].pk), 500),
            ],
        )
    december = rewards.redemption_create(actor=people["a"].user, reward_id=mug.pk, quantity=2, now=NOW)
    rewards.redemption_fulfil(actor=ops.user, redemption=december, now=NOW)
    cancelled = rewards.redemption_create(actor=people["b"].user, reward_id=mug.pk, now=NOW)
    rewards.redemption_cancel(actor=ops.user, redemption=cancelled, now=NOW)
    january = rewards.redemption_create(actor=people["b"].user, reward_id=mug.pk, now=NOW)
    rewards.redemption_fulfil(actor=ops.user, redemption=january, now=datetime(2027, 1, 2, tzinfo=UTC))

    a = people["a"]
    assert reports.payroll_csv(month=date(2026, 12, 1)).splitlines() == [
        "name,employee_id,month,value,currency",
        f"{a.name},{a.employee_id},2026-12,11.00,EUR",  # 110 points at 10 points a euro
    ]
    assert [row[0] for row in reports.payroll_rows(month=date(2027, 1, 15))] == [people["b"].name]
    assert reports.points_value(55) == reports.Decimal("5.50")


@pytest.mark.parametrize(
    ("first_name", "employee_id", "cells"),
    [
        pytest.param("=HYPERLINK(1)", "E-1", ["'=HYPERLINK(1) X", "E-1"], id="equals_case"),
        pytest.param("+1", "@SUM(A1)", ["'+1 X", "'@SUM(A1)"], id="plus_and_at_case"),
        pytest.param("Ann", "-2", ["Ann X", "'-2"], id="minus_case"),
        pytest.param("Zoë", "E=1", ["Zoë X", "E=1"], id="plain_case"),
    ],
)
def test_the_payroll_export_keeps_cells_from_being_read_as_formulas(
    people: dict[str, Any], first_name: str, employee_id: str, cells: list[str]
) -> None:
    ops = EmployeeFactory(username="ops")
    ops.user.groups.add(Group.objects.get_or_create(name=PEOPLE_OPS_GROUP)[0])
    person = EmployeeFactory(username="tricky", first_name=first_name, last_name="X", employee_id=employee_id)
    mug = Reward.objects.create(name="Mug", points_cost=10)
    ledger.ledger_post(
        kind="grant",
        movements=[
            (ledger.account_for(kind=AccountKind.ISSUANCE), -10),
            (ledger.account_for(kind=AccountKind.EARNED, owner_id=person.pk), 10),
        ],
    )
    redemption = rewards.redemption_create(actor=person.user, reward_id=mug.pk, now=NOW)
    rewards.redemption_fulfil(actor=ops.user, redemption=redemption, now=NOW)

    [_header, row] = list(csv.reader(io.StringIO(reports.payroll_csv(month=date(2026, 12, 1)))))

    assert row == [*cells, "2026-12", "1.00", "EUR"]


def test_a_cell_starting_with_a_tab_or_a_carriage_return_is_text_too() -> None:
    # The directory strips names and ids, so these reach the export only through other imports.
    assert [reports.csv_cell(text) for text in ("\tTab", "\rCR", "Tab\t")] == ["'\tTab", "'\rCR", "Tab\t"]
