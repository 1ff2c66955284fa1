"""Leaderboards against hand-computed figures, ties ranked equally; periods; units with the units
below; team meters; and leaderboards switched off while team meters stay."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from insideout.core.errors import Conflict, Forbidden, NotFound
from insideout.recognition import awards, badges, leaderboards, services
from insideout.recognition.models import Badge, TeamGoal, Value

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
DECEMBER = leaderboards.period_resolve(period="month", at=NOW)
QUARTER = leaderboards.period_resolve(period="quarter", at=NOW)


@pytest.fixture
def given(org: dict[str, Any]) -> dict[str, Any]:
    """December: Eve gives Sam 30; Mo gives Sam and Eve 20 each in one recognition; Pat gives Lena
    50; Eve gives Mo 10; Mo's spot award gives Eve 100; Mo grants Eve a badge. November: Pat gives
    Mo 40. So December's points: Eve 120, Lena 50, Sam 50, Mo 10 (Pat none)."""
    sam, eve, mo, lena, pat = org["agent"], org["employee"], org["manager"], org["lead"], org["admin"]
    value = Value.objects.create(name="Be helpful")

    def give(giver: Any, to: list[Any], points: int, at: datetime = NOW) -> None:
        services.recognition_give(
            actor=giver.user, to=[p.pk for p in to], message="Thank you", values=[value.pk], points=points, now=at
        )

    give(pat, [mo], 40, at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    give(eve, [sam], 30)
    give(mo, [sam, eve], 20)
    give(pat, [lena], 50)
    give(eve, [mo], 10)
    awards.award_create(actor=mo.user, to=eve.pk, points=100, reason="The Q4 deal", now=NOW)
    badges.badge_grant(
        actor=mo.user, badge=Badge.objects.get(name="Above and beyond"), person_id=eve.pk, reason="Q4", now=NOW
    )
    return org


def table(standings: list[leaderboards.Standing]) -> list[tuple[int, str, int]]:
    return [(row.rank, row.name, row.value) for row in standings]


def test_points_received_this_month(given: dict[str, Any]) -> None:
    eve = given["employee"]
    standings = leaderboards.leaderboard(actor=eve.user, metric="points", period=DECEMBER)
    assert table(standings) == [
        (1, "Eve Employee", 120),
        (2, "Sam Agent", 50),  # tied: the same rank, listed by (last) name
        (2, "Lena Lead", 50),
        (4, "Mo Manager", 10),
    ]
    assert (standings[0].unit_name, standings[1].unit_name) == ("Sales", "Helpdesk")


def test_a_quarter_ties_three_and_the_top_cuts_the_list(given: dict[str, Any]) -> None:
    eve = given["employee"]
    assert table(leaderboards.leaderboard(actor=eve.user, period=QUARTER)) == [
        (1, "Eve Employee", 120),
        (2, "Sam Agent", 50),
        (2, "Lena Lead", 50),
        (2, "Mo Manager", 50),  # 40 in November and 10 in December
    ]
    assert table(leaderboards.leaderboard(actor=eve.user, period=QUARTER, top=2)) == [
        (1, "Eve Employee", 120),
        (2, "Sam Agent", 50),
    ]


def test_recognitions_and_badges_received(given: dict[str, Any]) -> None:
    eve = given["employee"]
    assert table(leaderboards.leaderboard(actor=eve.user, metric="recognitions", period=DECEMBER)) == [
        (1, "Sam Agent", 2),
        (2, "Eve Employee", 1),
        (2, "Lena Lead", 1),
        (2, "Mo Manager", 1),
    ]
    assert table(leaderboards.leaderboard(actor=eve.user, metric="badges", period=DECEMBER)) == [(1, "Eve Employee", 1)]


def test_a_unit_counts_the_units_below(given: dict[str, Any]) -> None:
    eve = given["employee"]
    it, sales = given["it"], given["sales"]
    assert table(leaderboards.leaderboard(actor=eve.user, period=DECEMBER, unit_id=it.pk)) == [
        (1, "Sam Agent", 50),  # Helpdesk is below IT
        (1, "Lena Lead", 50),
    ]
    assert table(leaderboards.leaderboard(actor=eve.user, period=DECEMBER, unit_id=str(sales.pk))) == [
        (1, "Eve Employee", 120),
        (2, "Mo Manager", 10),
    ]
    with pytest.raises(NotFound):
        leaderboards.leaderboard(actor=eve.user, period=DECEMBER, unit_id=999_999)


def test_bad_questions_are_refused(given: dict[str, Any]) -> None:
    eve = given["employee"]
    with pytest.raises(ValidationError) as excinfo:
        leaderboards.leaderboard(actor=eve.user, metric="kudos", period=DECEMBER, top=0)
    assert excinfo.value.message_dict == {
        "metric": ["Choose one of: points, recognitions, badges."],
        "top": ["Give a whole number from 1 to 100."],
    }
    with pytest.raises(Forbidden):
        leaderboards.leaderboard(actor=None, period=DECEMBER)


def test_switched_off_leaderboards_refuse_and_team_meters_stay(given: dict[str, Any], settings: Any) -> None:
    eve, pat = given["employee"], given["admin"]
    settings.RECOGNITION_LEADERBOARDS = False
    with pytest.raises(Conflict) as excinfo:
        leaderboards.leaderboard(actor=eve.user, period=DECEMBER)
    assert str(excinfo.value) == "Leaderboards are switched off in this organisation; see the team meters instead."
    leaderboards.team_goal_create(
        actor=pat.user,
        unit_id=given["sales"].pk,
        title="Sales thanks",
        metric="points",
        target=200,
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 31),
    )
    assert [meter.current for meter in leaderboards.team_goals_for(actor=eve.user)] == [130]


@pytest.mark.parametrize(
    ("period", "at", "first", "last"),
    [
        ("month", datetime(2026, 2, 10, tzinfo=UTC), date(2026, 2, 1), date(2026, 2, 28)),
        ("quarter", datetime(2026, 11, 30, tzinfo=UTC), date(2026, 10, 1), date(2026, 12, 31)),
        ("quarter", datetime(2026, 4, 1, tzinfo=UTC), date(2026, 4, 1), date(2026, 6, 30)),
        ("year", datetime(2028, 2, 29, tzinfo=UTC), date(2028, 1, 1), date(2028, 12, 31)),
    ],
    ids=["february_case", "last_quarter_case", "second_quarter_case", "leap_year_case"],
)
def test_periods(period: str, at: datetime, first: date, last: date) -> None:
    resolved = leaderboards.period_resolve(period=period, at=at)
    assert (resolved.first_day, resolved.last_day) == (first, last)
    assert resolved.end - resolved.start == timedelta(days=(last - first).days + 1)


def test_a_custom_period_names_both_days() -> None:
    resolved = leaderboards.period_resolve(period="custom", first=date(2026, 12, 1), last=date(2026, 12, 1))
    assert (resolved.start, resolved.end) == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2026, 12, 2, tzinfo=UTC),
    )
    with pytest.raises(ValidationError) as excinfo:
        leaderboards.period_resolve(period="custom", first=date(2026, 12, 2), last=date(2026, 12, 1))
    assert excinfo.value.message_dict == {"to": ["The last day cannot come before the first."]}
    with pytest.raises(ValidationError) as excinfo:
        leaderboards.period_resolve(period="custom")
    assert excinfo.value.message_dict == {
        "from": ["Give the first day of a custom period."],
        "to": ["Give the last day of a custom period."],
    }
    with pytest.raises(ValidationError) as excinfo:
        leaderboards.period_resolve(period="week")
    assert excinfo.value.message_dict == {"period": ["Choose one of: month, quarter, year, custom."]}


def test_team_meters(given: dict[str, Any]) -> None:
    lena, eve, pat = given["lead"], given["employee"], given["admin"]
    december = {"starts_on": date(2026, 12, 1), "ends_on": date(2026, 12, 31)}
    it_goal = leaderboards.team_goal_create(
        actor=lena.user, unit_id=given["it"].pk, title="Thirty thanks", metric="recognitions", target=30, **december
    )
    leaderboards.team_goal_create(
        actor=pat.user, unit_id=given["sales"].pk, title="Sales points", metric="points", target=100, **december
    )
    leaderboards.team_goal_create(
        actor=pat.user,
        unit_id=given["company"].pk,
        title="November",
        metric="points",
        target=1000,
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 11, 30),
    )
    meters = leaderboards.team_goals_for(actor=eve.user)
    # IT (with Helpdesk): Eve's to Sam, Mo's to Sam and Eve, Pat's to Lena: three recognitions.
    # Sales: Eve 20 + 100 and Mo 10 in December; the company in November: Mo's 40.
    assert [(m.goal.title, m.current, m.percent, m.reached) for m in meters] == [
        ("Thirty thanks", 3, 10, False),
        ("Sales points", 130, 100, True),
        ("November", 40, 4, False),
    ]
    on_day = leaderboards.team_goals_for(actor=eve.user, unit_id=given["it"].pk, on=date(2026, 12, 3))
    assert [meter.goal.pk for meter in on_day] == [it_goal.pk]
    assert leaderboards.team_goals_for(actor=eve.user, on=date(2027, 1, 5)) == []


def test_who_sets_a_team_goal(given: dict[str, Any]) -> None:
    lena, mo = given["lead"], given["manager"]
    december = {"starts_on": date(2026, 12, 1), "ends_on": date(2026, 12, 31)}
    with pytest.raises(Forbidden):
        leaderboards.team_goal_create(
            actor=mo.user, unit_id=given["sales"].pk, title="Ours", metric="points", target=1, **december
        )
    with pytest.raises(Forbidden):
        leaderboards.team_goal_create(
            actor=lena.user, unit_id=given["sales"].pk, title="Theirs", metric="points", target=1, **december
        )
    with pytest.raises(ValidationError) as excinfo:
        leaderboards.team_goal_create(
            actor=lena.user,
            unit_id=given["helpdesk"].pk,
            title=" ",
            metric="smiles",
            target=0,
            starts_on=date(2026, 12, 31),
            ends_on=date(2026, 12, 1),
        )
    assert sorted(excinfo.value.message_dict) == ["ends_on", "metric", "target", "title"]
    assert not TeamGoal.objects.exists()
    goal = leaderboards.team_goal_create(
        actor=lena.user, unit_id=given["helpdesk"].pk, title="Helpdesk", metric="points", target=1, **december
    )
    assert (goal.unit_id, goal.created_by_id) == (given["helpdesk"].pk, lena.pk)
