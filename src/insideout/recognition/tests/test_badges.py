"""The badge rules engine on synthetic event streams: streaks broken and resumed, rolling windows at
their edges, calendar months, distinct keys, conditions, the same event delivered twice, and an
achievement never awarded twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from insideout.core.errors import Forbidden
from insideout.core.events import deliver_events
from insideout.core.models import Event, EventDelivery
from insideout.notifications.models import Notification
from insideout.people.models import Employee
from insideout.people.tests.factories import EmployeeFactory
from insideout.recognition import badges
from insideout.recognition.models import Badge, BadgeAward, BadgeProgress, BadgeRule, BadgeWindow

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
KEPT, BROKEN = "servicedesk.commitment_kept", "servicedesk.commitment_broken"
THANKS = "servicedesk.thanks_sent"
FIRST_RESPONSE = "servicedesk.request_first_response"


def happen(kind: str, at: datetime, *, subject: str = "1", actor: Any = None, **payload: Any) -> Event:
    """An event as another context would record it (the engine reads only the event)."""
    return Event.objects.create(
        type=kind,
        subject_type="servicedesk.request",
        subject_id=subject,
        actor=actor,
        payload=payload,
        occurred_at=at,
    )


def count(event: Event) -> list[BadgeAward]:
    return badges.badges_evaluate(event=event)


def badge_with(org: dict[str, Any], name: str = "Test badge", **rule: Any) -> Badge:
    pat = org["admin"]  # people-ops
    badge = badges.badge_create(actor=pat.user, name=name, icon="🧪")
    badges.badge_rule_create(actor=pat.user, badge=badge, **rule)
    return badge


def achievements(badge: Badge, person: Employee) -> list[str]:
    return list(
        BadgeAward.objects.filter(badge=badge, employee=person).order_by("pk").values_list("achievement", flat=True)
    )


def test_a_streak_is_broken_and_resumed(org: dict[str, Any]) -> None:
    sam, eve = org["agent"], org["employee"]
    badge = badge_with(org, event_type=KEPT, counted_for="owner", threshold=3, window="streak", breaks_on=BROKEN)
    stream = [KEPT, KEPT, BROKEN, KEPT, KEPT]
    for step, kind in enumerate(stream):
        count(happen(kind, T0 + timedelta(hours=step), owner=sam.pk))
    assert achievements(badge, sam) == []
    count(happen(BROKEN, T0 + timedelta(hours=5), owner=eve.pk))  # someone else's broken promise
    awarded = count(happen(KEPT, T0 + timedelta(hours=6), owner=sam.pk))
    assert [award.achievement for award in awarded] == ["streak 2"]
    count(happen(KEPT, T0 + timedelta(hours=7), owner=sam.pk))  # the 4th in a row: the same streak
    assert achievements(badge, sam) == ["streak 2"]
    progress = BadgeProgress.objects.get(rule__badge=badge, employee=sam)
    assert (progress.run, progress.count) == (2, 4)
    count(happen(BROKEN, T0 + timedelta(hours=8), owner=sam.pk))
    count(happen(BROKEN, T0 + timedelta(hours=9), owner=sam.pk))  # a second break in a row starts nothing new
    for step in range(3):
        count(happen(KEPT, T0 + timedelta(hours=10 + step), owner=sam.pk))
    assert achievements(badge, sam) == ["streak 2", "streak 3"]


def test_a_rolling_window_counts_less_than_its_days(org: dict[str, Any]) -> None:
    sam = org["agent"]
    badge = badge_with(org, event_type=KEPT, counted_for="owner", threshold=3, window="days", window_days=7)
    for offset in (timedelta(0), timedelta(days=6), timedelta(days=7)):
        count(happen(KEPT, T0 + offset, owner=sam.pk))
    # The first and the third are exactly 7 days apart: not within 7 days.
    assert achievements(badge, sam) == []
    awarded = count(happen(KEPT, T0 + timedelta(days=13) - timedelta(seconds=1), owner=sam.pk))
    assert [award.achievement for award in awarded] == ["days 2026-12-16"]
    progress = BadgeProgress.objects.get(rule__badge=badge, employee=sam)
    assert (progress.count, progress.keys) == (0, [])  # a new window starts after the award


def test_a_month_window_counts_each_calendar_month(org: dict[str, Any]) -> None:
    sam = org["agent"]
    badge = badge_with(org, event_type=KEPT, counted_for="owner", threshold=2, window="month")
    count(happen(KEPT, datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC), owner=sam.pk))
    count(happen(KEPT, datetime(2026, 12, 1, 0, 0, tzinfo=UTC), owner=sam.pk))
    assert achievements(badge, sam) == []
    count(happen(KEPT, datetime(2026, 12, 31, 23, 0, tzinfo=UTC), owner=sam.pk))
    count(happen(KEPT, datetime(2026, 12, 31, 23, 30, tzinfo=UTC), owner=sam.pk))  # a third in December
    count(happen(KEPT, datetime(2027, 1, 1, 0, 0, tzinfo=UTC), owner=sam.pk))
    count(happen(KEPT, datetime(2027, 1, 2, 0, 0, tzinfo=UTC), owner=sam.pk))
    assert achievements(badge, sam) == ["month 2026-12", "month 2027-01"]
    assert sorted(BadgeProgress.objects.filter(employee=sam, rule__badge=badge).values_list("period", "count")) == [
        ("2026-11", 1),
        ("2026-12", 3),
        ("2027-01", 2),
    ]


def test_distinct_units_count_once_each_and_not_ones_own(org: dict[str, Any]) -> None:
    sam, eve, mo, lena = org["agent"], org["employee"], org["manager"], org["lead"]
    teammate = EmployeeFactory(username="hal", unit=org["helpdesk"])  # Sam's own unit
    badge = badge_with(
        org,
        event_type=THANKS,
        also_counts=["recognition.given"],
        counted_for="recipients",
        distinct_on="giver_other_unit",
        threshold=3,
    )
    count(happen(THANKS, T0, giver=eve.pk, recipients=[sam.pk]))  # Sales
    count(happen("recognition.given", T0, giver=mo.pk, recipients=[sam.pk]))  # Sales again
    count(happen(THANKS, T0, giver=teammate.pk, recipients=[sam.pk]))  # his own unit: not out of the silo
    count(happen(THANKS, T0, giver=lena.pk, recipients=[sam.pk]))  # IT
    assert achievements(badge, sam) == []
    assert BadgeProgress.objects.get(rule__badge=badge, employee=sam).keys == [org["sales"].pk, org["it"].pk]
    count(happen("recognition.given", T0, giver=org["admin"].pk, recipients=[sam.pk, eve.pk]))  # Acme
    assert achievements(badge, sam) == ["ever"]
    assert achievements(badge, eve) == []  # Eve has one unit (Acme) so far


def test_distinct_payload_values(org: dict[str, Any]) -> None:
    sam = org["agent"]
    badge = badge_with(org, event_type=KEPT, counted_for="owner", distinct_on="payload.request", threshold=2)
    count(happen(KEPT, T0, owner=sam.pk, request=7))
    count(happen(KEPT, T0, owner=sam.pk, request=7))
    count(happen(KEPT, T0, owner=sam.pk, request=None))  # a standalone commitment names no request
    assert achievements(badge, sam) == []
    count(happen(KEPT, T0, owner=sam.pk, request=8))
    assert achievements(badge, sam) == ["ever"]


def test_a_condition_on_the_payload(org: dict[str, Any]) -> None:
    sam = org["agent"]
    badge = badge_with(
        org, event_type=FIRST_RESPONSE, counted_for="actor", condition={"payload.by": "reply"}, threshold=2
    )
    count(happen(FIRST_RESPONSE, T0, actor=sam.user, by="reply"))
    count(happen(FIRST_RESPONSE, T0, actor=sam.user, by="resolved"))
    count(happen(FIRST_RESPONSE, T0, actor=None, by="reply"))  # nobody to count it for
    assert BadgeProgress.objects.get(rule__badge=badge, employee=sam).count == 1
    count(happen(FIRST_RESPONSE, T0, actor=sam.user, by="reply"))
    assert achievements(badge, sam) == ["ever"]


def test_a_first_response_counts_when_the_clock_had_not_breached(org: dict[str, Any]) -> None:
    sam = org["agent"]
    badge = badge_with(
        org, event_type=FIRST_RESPONSE, counted_for="actor", condition={"first_response_in_time": True}, threshold=9
    )
    # Request 1: answered in time. Request 2: its first-response clock breached first. Request 3:
    # only its resolution clock breached. Request 4: the event says itself that it was late.
    happen("servicedesk.clock_breached", T0, subject="2", metric="first_response")
    happen("servicedesk.clock_breached", T0, subject="3", metric="resolution")
    for subject, extra in (("1", {}), ("2", {}), ("3", {}), ("4", {"met": False}), ("5", {"met": True})):
        count(happen(FIRST_RESPONSE, T0 + timedelta(hours=1), subject=subject, actor=sam.user, by="reply", **extra))
    assert BadgeProgress.objects.get(rule__badge=badge, employee=sam).count == 3  # 1, 3 and 5


def test_the_same_event_counts_once(org: dict[str, Any]) -> None:
    sam = org["agent"]
    badge = badge_with(org, event_type=KEPT, counted_for="owner", threshold=3)
    event = happen(KEPT, T0, owner=sam.pk)
    count(event)
    count(event)
    assert BadgeProgress.objects.get(rule__badge=badge, employee=sam).count == 1
    # Through the event log: delivered, its delivery log forgotten, delivered again.
    second = happen(KEPT, T0, owner=sam.pk)
    deliver_events([second.pk])
    EventDelivery.objects.filter(event=second).delete()
    Event.objects.filter(pk=second.pk).update(dispatched_at=None)
    deliver_events([second.pk])
    assert BadgeProgress.objects.get(rule__badge=badge, employee=sam).count == 2


def test_an_achievement_is_never_awarded_twice(org: dict[str, Any]) -> None:
    sam = org["agent"]
    badge = badge_with(org, event_type=KEPT, counted_for="owner", threshold=2)
    for step in range(5):
        count(happen(KEPT, T0 + timedelta(minutes=step), owner=sam.pk))
    assert achievements(badge, sam) == ["ever"]
    # Even with its progress lost and counted up again, the database refuses a second "ever".
    BadgeProgress.objects.filter(rule__badge=badge).delete()
    for step in range(2):
        assert count(happen(KEPT, T0 + timedelta(hours=1, minutes=step), owner=sam.pk)) == []
    assert achievements(badge, sam) == ["ever"]
    assert Event.objects.filter(type=badges.BADGE_AWARDED, payload__badge=badge.pk).count() == 1


def test_rules_and_badges_out_of_use_count_nothing(org: dict[str, Any]) -> None:
    sam = org["agent"]
    layer = Badge.objects.get(name="Layer by layer")  # its rule waits for learning's events
    for step in range(6):
        count(happen("learning.module_completed", T0 + timedelta(hours=step), learner=sam.pk))
    assert not BadgeProgress.objects.filter(rule__badge=layer).exists()
    badge = badge_with(org, event_type=KEPT, counted_for="owner", threshold=1)
    Badge.objects.filter(pk=badge.pk).update(is_active=False)
    count(happen(KEPT, T0, owner=sam.pk))
    assert achievements(badge, sam) == []


def test_leavers_earn_nothing(org: dict[str, Any]) -> None:
    sam = org["agent"]
    badge = badge_with(org, event_type=KEPT, counted_for="owner", threshold=1)
    Employee.objects.filter(pk=sam.pk).update(is_active=False)
    count(happen(KEPT, T0, owner=sam.pk))
    assert achievements(badge, sam) == []


def test_the_person_hears_of_their_badge(org: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    sam = org["agent"]
    badge = badge_with(org, event_type=KEPT, counted_for="owner", threshold=1)
    Badge.objects.filter(pk=badge.pk).update(description="Kept a promise.")
    with django_capture_on_commit_callbacks(execute=True):
        count(happen(KEPT, T0, owner=sam.pk))
    notification = Notification.objects.get(recipient=sam.user, kind=badges.BADGE_AWARDED)
    assert (notification.title, notification.body) == ("You earned the badge Test badge", "Kept a promise.")
    assert notification.url == f"/people/{sam.pk}/#badges"  # their page, at its badges


@pytest.mark.parametrize(
    ("rule", "field", "message"),
    [
        (
            {"event_type": "servicedesk.request_opened", "counted_for": "owner", "threshold": 1},
            "event_type",
            "Badges cannot count servicedesk.request_opened; choose one of: servicedesk.commitment_kept,",
        ),
        (
            {"event_type": KEPT, "counted_for": "recipients", "threshold": 1},
            "counted_for",
            "servicedesk.commitment_kept names nobody as recipients; it names: owner.",
        ),
        (
            {"event_type": KEPT, "also_counts": ["servicedesk.nothing"], "counted_for": "owner", "threshold": 1},
            "also_counts",
            "Badges cannot count servicedesk.nothing;",
        ),
        (
            {"event_type": KEPT, "counted_for": "owner", "threshold": 1, "breaks_on": BROKEN},
            "breaks_on",
            "Only a streak is ended by an event.",
        ),
        (
            {"event_type": KEPT, "counted_for": "owner", "threshold": 1, "window": "streak"},
            "breaks_on",
            "Name the event that ends a streak;",
        ),
        (
            {"event_type": KEPT, "counted_for": "owner", "threshold": 1, "window": "days"},
            "window_days",
            "Give the window in days, from 1 to 366.",
        ),
        (
            {"event_type": KEPT, "counted_for": "owner", "threshold": 0},
            "threshold",
            "Give a whole number from 1 to 10000.",
        ),
        (
            {"event_type": KEPT, "counted_for": "owner", "threshold": 1, "condition": {"mood": "good"}},
            "condition",
            "Unknown key mood: use payload.<field> or one of first_response_in_time, giver_unit, giver_other_unit.",
        ),
        (
            {"event_type": KEPT, "counted_for": "owner", "threshold": 1, "condition": {"first_response_in_time": True}},
            "condition",
            "first_response_in_time cannot be read from servicedesk.commitment_kept.",
        ),
        (
            {"event_type": KEPT, "counted_for": "owner", "threshold": 1, "condition": {"payload.to": [1, 2]}},
            "condition",
            "Compare payload.to with a single value.",
        ),
        (
            {"event_type": KEPT, "counted_for": "owner", "threshold": 1, "distinct_on": "giver_unit"},
            "distinct_on",
            "giver_unit cannot be read from servicedesk.commitment_kept.",
        ),
    ],
    ids=[
        "unknown_event_case",
        "unknown_person_case",
        "unknown_extra_event_case",
        "break_without_streak_case",
        "streak_without_break_case",
        "days_without_days_case",
        "zero_threshold_case",
        "unknown_key_case",
        "key_of_another_event_case",
        "list_value_case",
        "distinct_key_of_another_event_case",
    ],
)
def test_a_rule_the_engine_cannot_use_is_refused(
    org: dict[str, Any], rule: dict[str, Any], field: str, message: str
) -> None:
    pat = org["admin"]
    badge = badges.badge_create(actor=pat.user, name="Refused")
    with pytest.raises(ValidationError) as excinfo:
        badges.badge_rule_create(actor=pat.user, badge=badge, **rule)
    assert list(excinfo.value.message_dict) == [field]
    assert excinfo.value.message_dict[field][0].startswith(message)
    assert not BadgeRule.objects.filter(badge=badge).exists()


def test_only_people_ops_manage_badges(org: dict[str, Any]) -> None:
    mo = org["manager"]
    before = Badge.objects.count()
    with pytest.raises(Forbidden):
        badges.badge_create(actor=mo.user, name="My own badge")
    badge = Badge.objects.get(name="Thanked")
    with pytest.raises(Forbidden):
        badges.badge_rule_create(actor=mo.user, badge=badge, event_type=KEPT, counted_for="owner", threshold=1)
    assert Badge.objects.count() == before
    assert BadgeRule.objects.filter(badge=badge).count() == 1


def test_the_catalog_describes_its_rules_in_words(org: dict[str, Any]) -> None:
    words = {
        badge.name: [badges.rule_in_words(rule) for rule in badge.rules.all()]
        for badge in badges.badge_catalog(actor=org["employee"].user)
    }
    assert words == {
        "Promise keeper": ["20 × commitments kept in a row (a commitment broken starts again)"],
        "First responder": ["50 × first responses within the first-response standard in one calendar month"],
        "Thanked": ["10 × thank-yous received or recognitions received"],
        "Layer by layer": ["5 × learning modules completed within 14 days (not in use yet)"],
        "Silo breaker": ["5 × thank-yous received or recognitions received, each from a different unit than one's own"],
        "Above and beyond": [],
    }


def test_every_event_that_may_end_a_streak_has_its_own_phrase() -> None:
    # A missing one would fall back to the event's raw type name in the rule's words.
    assert set(badges._STREAK_BREAKS) == set(badges.BADGE_EVENTS)


def test_a_rule_s_words_join_whole_phrases(org: dict[str, Any]) -> None:
    rule = BadgeRule(
        event_type="servicedesk.thanks_sent",
        counted_for="recipients",
        threshold=3,
        condition={"payload.by": "reply"},
        distinct_on="payload.request",
        window=BadgeWindow.DAYS,
        window_days=1,
        is_active=False,
    )

    assert badges.rule_in_words(rule) == (
        "3 × thank-yous received, where by is reply, each with a different request within 1 day (not in use yet)"
    )
