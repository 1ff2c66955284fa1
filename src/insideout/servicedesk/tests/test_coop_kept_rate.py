"""Kept-rates per person, team and unit, checked against figures counted by hand.

The fixture, settled from 2 to 29 November 2026 unless said otherwise:

| who (unit)         | kept | broken | besides                                                  |
| ------------------ | ---- | ------ | -------------------------------------------------------- |
| Sam (Helpdesk)     | 3    | 2      | two kept, one on 30 November 21:00, one on 1 December    |
| Lena (IT)          | 1    | 1      |                                                          |
| Eve (Sales)        | 0    | 0      | one open                                                 |

So up to 30 November: Sam 3/5 = 0.6; the Helpdesk team 0.6; the IT team alone (Lena) 1/2 = 0.5;
the IT unit with the Helpdesk below it (3 + 1) / (5 + 2) = 4/7; Sales none (rate None). Over all
of November Sam has 4/6.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from insideout.people import services as people
from insideout.people.models import Employee
from insideout.servicedesk.cooperation import selectors, services

NOVEMBER = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _promise(owner: Employee, to: Employee, made: datetime, *, kept: bool) -> None:
    commitment = services.commitment_create(
        actor=owner.user, to_id=to.pk, title=f"Promise of {made:%d %b}", due_at=made + DAY, now=made
    )
    services.commitment_done(actor=owner.user, commitment=commitment, now=made + (DAY / 2 if kept else 2 * DAY))


@pytest.fixture
def promises(org: dict[str, Any]) -> dict[str, Any]:
    sam, lena, eve = org["agent"], org["lead"], org["employee"]
    for n, kept in enumerate([True, False, True, True, False]):
        _promise(sam, eve, START + n * DAY, kept=kept)
    _promise(sam, eve, datetime(2026, 11, 30, 9, 0, tzinfo=UTC), kept=True)  # done on 30 Nov, 21:00
    _promise(sam, eve, datetime(2026, 11, 30, 13, 0, tzinfo=UTC), kept=True)  # done on 1 Dec, 01:00
    _promise(lena, eve, START, kept=True)
    _promise(lena, sam, START + DAY, kept=False)
    services.commitment_create(actor=eve.user, to_id=sam.pk, title="Open", due_at=START + 40 * DAY, now=START)
    return org


def _figures(rate: selectors.KeptRate) -> tuple[int, int, int, float | None]:
    return rate.kept, rate.broken, rate.settled, rate.rate


def test_kept_rate_per_person(promises: dict[str, Any]) -> None:
    # Sam's sixth promise settled on 30 November: 4 kept, 2 broken in the month.
    sam = selectors.kept_rate_for_person(employee_id=promises["agent"].pk, start=NOVEMBER[0], end=NOVEMBER[1])
    assert _figures(sam) == (4, 2, 6, pytest.approx(4 / 6))
    first_five = selectors.kept_rate_for_person(
        employee_id=promises["agent"].pk, start=NOVEMBER[0], end=datetime(2026, 11, 30, tzinfo=UTC)
    )
    assert _figures(first_five) == (3, 2, 5, 0.6)
    eve = selectors.kept_rate_for_person(employee_id=promises["employee"].pk, start=NOVEMBER[0], end=NOVEMBER[1])
    assert _figures(eve) == (0, 0, 0, None)


def test_the_period_includes_its_start_and_excludes_its_end(promises: dict[str, Any]) -> None:
    # The first promise was done at 2 Nov 21:00 UTC.
    done = START + DAY / 2
    sam = promises["agent"].pk
    assert selectors.kept_rate_for_person(employee_id=sam, start=done, end=done + timedelta(seconds=1)).kept == 1
    assert selectors.kept_rate_for_person(employee_id=sam, start=done - DAY, end=done).settled == 0


def test_kept_rate_per_team_and_per_unit(promises: dict[str, Any]) -> None:
    end = datetime(2026, 11, 30, tzinfo=UTC)  # before Sam's last two

    def team(unit: str) -> tuple[int, int, int, float | None]:
        return _figures(selectors.kept_rate_for_team(unit_id=promises[unit].pk, start=NOVEMBER[0], end=end))

    def unit(name: str) -> tuple[int, int, int, float | None]:
        return _figures(selectors.kept_rate_for_unit(unit_id=promises[name].pk, start=NOVEMBER[0], end=end))

    assert team("helpdesk") == (3, 2, 5, 0.6)
    assert team("it") == (1, 1, 2, 0.5)
    assert unit("it") == (4, 3, 7, pytest.approx(4 / 7))
    assert unit("company") == (4, 3, 7, pytest.approx(4 / 7))
    assert team("sales") == unit("sales") == (0, 0, 0, None)
    assert selectors.kept_rate_for_unit(unit_id=10**6, start=NOVEMBER[0], end=end).rate is None


def test_a_person_s_promises_stay_with_the_team_they_were_made_in(promises: dict[str, Any]) -> None:
    people.employee_update(employee=promises["agent"], actor=promises["admin"].user, unit=promises["sales"])
    end = datetime(2026, 11, 30, tzinfo=UTC)
    helpdesk = selectors.kept_rate_for_team(unit_id=promises["helpdesk"].pk, start=NOVEMBER[0], end=end)
    sales = selectors.kept_rate_for_team(unit_id=promises["sales"].pk, start=NOVEMBER[0], end=end)
    assert (helpdesk.rate, sales.rate) == (0.6, None)
