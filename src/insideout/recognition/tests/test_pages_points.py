"""My points: both balances (and the budget of those who have one), what earned points are worth,
and the ledger's history in the person's words, newest first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

from insideout.core.events import event_record
from insideout.recognition import awards, catalog, ledger, rewards, rules, services
from insideout.recognition.tests.pages import reward_made, values_made
from insideout.recognition.tests.test_rewards import fund


def _history(org: dict[str, Any]) -> None:
    """Eve's month: last month's allowance expires, Lena recognises her, she recognises Sam, Mo
    boosts Lena's recognition, a rule grants her points for a thank-you, she redeems a mug and cancels it, and Mo
    gives her a spot award."""
    eve, sam, mo, lena = org["employee"], org["agent"], org["manager"], org["lead"]
    known = values_made(org)
    ledger.allowance_refresh(owner_id=eve.pk, now=timezone.now() - timedelta(days=40))
    from_lena = services.recognition_give(
        actor=lena.user, to=[eve.pk], message="Great figures.", values=[known[0].pk], points=20
    )
    services.recognition_give(actor=eve.user, to=[sam.pk], message="Thanks!", values=[known[1].pk], points=10)
    services.recognition_boost(actor=mo.user, recognition=from_lena, points=10)
    catalog.point_rule_set(actor=org["admin"].user, event_type="servicedesk.thanks_sent", points=30, is_active=True)
    rules.grant_points_by_rule(
        event_record(type="servicedesk.thanks_sent", subject=sam, actor=sam.user, payload={"recipients": [eve.pk]})
    )
    fund(eve, 50)  # for the mug
    mug = reward_made(org, name="Mug", points_cost=50)
    redemption = rewards.redemption_create(actor=eve.user, reward_id=mug.pk)
    rewards.redemption_cancel(actor=eve.user, redemption=redemption)
    awards.award_create(actor=mo.user, to=eve.pk, points=50, reason="The Q3 launch")


def test_my_points_show_both_balances_and_what_they_are_worth(org: dict[str, Any], client_for: Any) -> None:
    _history(org)

    response = client_for(org["employee"]).get("/recognition/points/")
    html = response.content.decode()

    points = response.context["points"]
    assert (points.allowance, points.earned, points.budget) == (90, 160, None)
    assert "Worth 16.00 EUR in rewards." in html
    assert "Spot-award budget" not in html


def test_the_history_says_each_movement_in_words_newest_first(org: dict[str, Any], client_for: Any) -> None:
    _history(org)
    now = timezone.localtime()
    earlier = (now - timedelta(days=40)).date()  # the month of the allowance that expires

    lines = client_for(org["employee"]).get("/recognition/points/").context["lines"]

    assert [(line.words, line.balance, line.amount) for line in lines] == [
        ("Spot award from Mo Manager", "Earned", 50),
        ("Cancelled, points back: Mug", "Earned", 50),
        ("Redeemed: Mug", "Earned", -50),
        ("Points by rule", "Earned", 50),
        ("Points by rule: A thank-you on a request (to each person thanked)", "Earned", 30),
        ("Boost from Mo Manager", "Earned", 10),
        ("You recognised Sam Agent", "Allowance", -10),
        (f"Refill for {date_format(now, 'F Y')}", "Allowance", 100),
        (f"Expired: unused allowance of {date_format(earlier, 'F Y')}", "Allowance", -100),
        ("Recognition from Lena Lead", "Earned", 20),
        (f"Refill for {date_format(earlier, 'F Y')}", "Allowance", 100),
    ]


def test_a_manager_sees_the_budget_and_the_awards_given_from_it(org: dict[str, Any], client_for: Any) -> None:
    _history(org)

    response = client_for(org["manager"]).get("/recognition/points/")

    assert response.context["points"].budget == 450
    assert "Give a spot award" in response.content.decode()
    assert [line.words for line in response.context["lines"]][:2] == [
        "Spot award to Eve Employee",
        f"Budget for {date_format(timezone.localtime(), 'F Y')}",
    ]


def test_a_pending_award_and_its_rejection_read_as_such(org: dict[str, Any], client_for: Any) -> None:
    award = awards.award_create(actor=org["manager"].user, to=org["employee"].pk, points=300, reason="Big one")
    awards.award_reject(actor=org["admin"].user, award=award, note="Too big")

    lines = client_for(org["manager"]).get("/recognition/points/").context["lines"]

    assert [line.words for line in lines][:2] == [
        "Spot award to Eve Employee not approved, points back",
        "Spot award to Eve Employee, held for approval",
    ]


def test_the_history_pages_and_starts_empty(org: dict[str, Any], client_for: Any) -> None:
    eve = client_for(org["employee"])
    empty = eve.get("/recognition/points/")
    for _n in range(30):
        fund(org["employee"], 1)

    first, second = eve.get("/recognition/points/"), eve.get("/recognition/points/?page=2")

    assert "Nothing has moved yet." in empty.content.decode()
    assert (len(first.context["lines"]), len(second.context["lines"])) == (25, 5)
    assert "Page 1 of 2" in first.content.decode()
