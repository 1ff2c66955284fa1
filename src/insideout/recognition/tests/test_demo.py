"""The recognition demo: it reconciles, fills every documented sign-in's pages, and loads the same each time."""

from __future__ import annotations

import contextlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from insideout.core.models import Event
from insideout.people.models import User
from insideout.recognition import demo, ledger, selectors
from insideout.recognition.models import (
    Award,
    AwardState,
    BadgeAward,
    Boost,
    PointRule,
    Recognition,
    RecognitionRecipient,
    Redemption,
    RedemptionState,
    Reward,
    TeamGoal,
    Value,
    Visibility,
)
from insideout.servicedesk import clockstore
from insideout.servicedesk import demo as servicedesk_demo
from insideout.servicedesk.tests import test_demo_load as desk_demo_tests

EMPLOYEES = 60
REQUESTS = 200
SEED = 7

# The service desk demo's fixtures: calendars cached afresh for every test, and one moment for both loads.
_fresh_calendars = desk_demo_tests._fresh_calendars
now = desk_demo_tests.now


def _load(now):
    servicedesk_demo.demo_load(employees=EMPLOYEES, requests=REQUESTS, seed=SEED, now=now)
    return demo.demo_load(seed=SEED, now=now)


@pytest.fixture
def loaded(db, now):
    return _load(now)


def _user(username):
    return User.objects.get(username=username)


def test_the_ledger_reconciles(loaded):
    result = ledger.ledger_verify()

    assert result.ok, (result.mismatches[:5], result.unbalanced[:5], result.negative[:5])
    assert result.transactions == loaded.transactions > loaded.recognitions


def test_the_seven_values_in_order_and_the_catalog(loaded):
    assert list(Value.objects.order_by("position").values_list("name", flat=True)) == [
        "Stay positive",
        "Honour commitments",
        "Communicate often",
        "Negotiate expectations",
        "Step out of your silo",
        "Be polite",
        "Be helpful",
    ]
    assert all(Value.objects.values_list("description", flat=True))
    rules = {rule.event_type: (rule.points, rule.is_active) for rule in PointRule.objects.all()}
    assert rules == {"servicedesk.thanks_sent": (5, False), "servicedesk.commitment_kept": (5, True)}
    kinds = set(Reward.objects.filter(is_active=True).values_list("kind", flat=True))
    assert kinds == {"merchandise", "gift_card", "experience", "donation"}
    assert 8 <= Reward.objects.filter(is_active=True).count() <= 12
    assert Reward.objects.filter(is_active=True, stock__isnull=False).exists()
    assert Reward.objects.exclude(countries=[]).exists()
    assert (loaded.values, loaded.rewards) == (7, len(demo.REWARDS))


def test_a_lively_wall(loaded):
    visibility = dict(Recognition.objects.values_list("visibility").annotate(n=Count("pk")))
    assert visibility[Visibility.PUBLIC] > max(
        visibility.get(Visibility.TEAM, 0), visibility.get(Visibility.PRIVATE, 0)
    )
    assert selectors.recognition_list_for(actor=_user("alex")).count() == visibility[Visibility.PUBLIC]
    assert Recognition.objects.filter(for_type="servicedesk.request").exists()
    assert Recognition.objects.filter(for_type="servicedesk.commitment").exists()
    assert Boost.objects.count() == loaded.boosts > 0
    assert Recognition.objects.filter(points_total__gt=0).exists()
    assert Recognition.objects.count() == loaded.recognitions >= demo.MIN_RECOGNITIONS
    assert not Recognition.objects.filter(created_at__gt=timezone.now()).exists()


def test_every_documented_person_has_something_to_see(loaded):
    for username in ("admin", "alex", "sam", "lena", "mo"):
        person = _user(username).employee
        assert RecognitionRecipient.objects.filter(employee=person).exists(), username
        assert Recognition.objects.filter(giver=person).exists(), username
    assert selectors.points_of(employee_id=_user("sam").employee.pk).earned > 0
    assert Redemption.objects.filter(employee__user__username="alex").exists()
    assert (
        BadgeAward.objects.filter(employee__user__username__in=["sam", "alex"], granted_by__isnull=False).count() == 2
    )
    assert TeamGoal.objects.count() == loaded.team_goals == 2


def test_spot_awards_paid_waiting_and_rejected(loaded):
    states = set(Award.objects.values_list("state", flat=True))
    assert states == {AwardState.PAID, AwardState.PENDING, AwardState.REJECTED}
    # mo's large award to alex waits for mo's manager; the Service Desk Manager's to sam for lena.
    mo, lena, admin = _user("mo"), _user("lena"), _user("admin")
    assert Award.objects.filter(giver=mo.employee, recipient__user__username="alex", state=AwardState.PENDING).exists()
    assert selectors.awards_waiting_for(actor=lena).filter(recipient__user__username="sam").exists()
    assert selectors.awards_waiting_for(actor=admin).count() == Award.objects.filter(state=AwardState.PENDING).count()


def test_redemptions_in_every_state(loaded):
    states = set(Redemption.objects.values_list("state", flat=True))
    assert states == {RedemptionState.HELD, RedemptionState.ISSUED, RedemptionState.CANCELLED}
    assert selectors.redemptions_held().exists()
    assert all(Redemption.objects.filter(state=RedemptionState.ISSUED).values_list("note", flat=True))


def test_the_events_are_history_only(loaded):
    assert not Event.objects.filter(type__startswith="recognition.", dispatched_at__isnull=True).exists()


class _Undo(Exception):
    pass


def _snapshot():
    recognitions = list(
        Recognition.objects.order_by("created_at", "giver__user__username", "message").values_list(
            "giver__user__username", "message", "visibility", "for_type", "for_id", "for_label", "points_total"
        )
    )
    awards = list(
        Award.objects.order_by("created_at", "giver__user__username").values_list(
            "giver__user__username", "recipient__user__username", "points", "state", "reason"
        )
    )
    redemptions = list(
        Redemption.objects.order_by("created_at", "employee__user__username").values_list(
            "employee__user__username", "reward__name", "state", "note"
        )
    )
    return recognitions, awards, redemptions, Boost.objects.count(), BadgeAward.objects.count()


def test_the_same_seed_and_moment_give_the_same_recognition(db, now):
    with contextlib.suppress(_Undo), transaction.atomic():
        _load(now)
        first = _snapshot()
        raise _Undo
    assert Recognition.objects.count() == 0
    clockstore._calendar_cached.cache_clear()

    _load(now)

    assert _snapshot() == first


def test_a_second_load_is_refused_and_changes_nothing(loaded, now):
    before = Recognition.objects.count(), Value.objects.count(), Reward.objects.count()

    with pytest.raises(demo.DemoError, match="Recognition has values, recognitions or rewards already"):
        demo.demo_load(seed=SEED, now=now)

    assert (Recognition.objects.count(), Value.objects.count(), Reward.objects.count()) == before


@pytest.mark.parametrize(("employees", "recognitions"), [(60, 60), (400, 160), (100_000, demo.MAX_RECOGNITIONS)])
def test_the_volume_grows_with_the_organisation_up_to_a_cap(employees, recognitions):
    assert demo.default_recognitions(employees) == recognitions


def test_the_command_loads_recognition_and_the_ledger_verifies(db):
    out = StringIO()

    call_command("demo", "--employees", str(EMPLOYEES), "--requests", "120", "--seed", str(SEED), stdout=out)
    verify = StringIO()
    call_command("ledger", "verify", stdout=verify)

    assert "Loaded 7 values, 11 rewards, " in out.getvalue()
    assert "  recognition history " in out.getvalue()
    assert "The ledger reconciles" in verify.getvalue()
