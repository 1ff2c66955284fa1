"""The badges every organisation starts with, earned through the real services and the event log:
promises kept in a row, first responses in time, thank-yous and recognitions, and helping other units.
The seeded thresholds are lowered so that a test stays short; the rules are otherwise as shipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from insideout.notifications.models import Notification
from insideout.recognition import badges, services
from insideout.recognition.models import BadgeAward, BadgeProgress, BadgeRule, Value
from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import services as cooperation
from insideout.servicedesk.tests.factories import request_create

MONDAY_10 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


def lower(badge: str, threshold: int) -> None:
    BadgeRule.objects.filter(badge__name=badge).update(threshold=threshold)


def earned(person: Any) -> list[tuple[str, str]]:
    return list(BadgeAward.objects.filter(employee=person).order_by("pk").values_list("badge__name", "achievement"))


def test_promises_kept_in_a_row(desk: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    sam, eve = desk["agent"], desk["employee"]
    lower("Promise keeper", 2)

    def promise(hours_late: int, step: int) -> None:
        at = MONDAY_10 + timedelta(days=step)
        with django_capture_on_commit_callbacks(execute=True):
            commitment = cooperation.commitment_create(
                actor=sam.user, to_id=eve.pk, title=f"Promise {step}", due_at=at + timedelta(hours=2), now=at
            )
        with django_capture_on_commit_callbacks(execute=True):
            cooperation.commitment_done(actor=sam.user, commitment=commitment, now=at + timedelta(hours=1 + hours_late))

    promise(0, 0)
    promise(5, 1)  # late: broken, the streak starts again
    promise(0, 2)
    assert earned(sam) == []
    promise(0, 3)
    assert earned(sam) == [("Promise keeper", "streak 2")]
    assert Notification.objects.filter(recipient=sam.user, kind=badges.BADGE_AWARDED).count() == 1


def test_first_responses_in_time_in_a_month(desk: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    sam, eve = desk["agent"], desk["employee"]
    lower("First responder", 2)
    with django_capture_on_commit_callbacks(execute=True):
        early = request_create(requester=eve, request_type=desk["request_type"], now=MONDAY_10)
        late = request_create(requester=eve, request_type=desk["request_type"], now=MONDAY_10)
    with django_capture_on_commit_callbacks(execute=True):
        desk_services.request_comment(
            actor=sam.user, request=early, body="On it.", now=MONDAY_10 + timedelta(minutes=30)
        )
    # Four business hours later the sweep finds the other two breached.
    with django_capture_on_commit_callbacks(execute=True):
        desk_services.clocks_sweep(now=MONDAY_10 + timedelta(hours=6))
    with django_capture_on_commit_callbacks(execute=True):
        desk_services.request_comment(
            actor=sam.user, request=late, body="Sorry for the wait.", now=MONDAY_10 + timedelta(hours=7)
        )
    rule = BadgeRule.objects.get(badge__name="First responder")
    assert list(BadgeProgress.objects.filter(rule=rule).values_list("employee_id", "period", "count")) == [
        (sam.pk, "2026-11", 1)
    ]
    assert earned(sam) == []
    fresh = request_create(requester=eve, request_type=desk["request_type"], now=MONDAY_10 + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        desk_services.request_comment(
            actor=sam.user, request=fresh, body="Here.", now=MONDAY_10 + timedelta(days=1, minutes=5)
        )
    assert earned(sam) == [("First responder", "month 2026-11")]


def test_thank_yous_and_recognitions_from_other_units(
    desk: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    sam, eve, mo, lena, pat = desk["agent"], desk["employee"], desk["manager"], desk["lead"], desk["admin"]
    lower("Thanked", 3)
    lower("Silo breaker", 2)
    value = Value.objects.create(name="Be helpful")
    request = request_create(requester=eve, request_type=desk["request_type"])
    desk_services.request_transition(actor=sam.user, request=request, status="resolved")
    with django_capture_on_commit_callbacks(execute=True):
        cooperation.thanks_send(actor=eve.user, request=request, to=[sam.pk], message="You saved my Monday!")
    with django_capture_on_commit_callbacks(execute=True):
        services.recognition_give(actor=mo.user, to=[sam.pk], message="Great help", values=[value.pk])
    assert earned(sam) == []  # two thank-yous, both from Sales
    with django_capture_on_commit_callbacks(execute=True):
        services.recognition_give(actor=lena.user, to=[sam.pk], message="Steady as ever", values=[value.pk])
    # Lena is in IT, above Sam's Helpdesk: another unit.
    assert earned(sam) == [("Thanked", "ever"), ("Silo breaker", "ever")]
    with django_capture_on_commit_callbacks(execute=True):
        services.recognition_give(actor=pat.user, to=[sam.pk], message="Thank you", values=[value.pk])
    assert earned(sam) == [("Thanked", "ever"), ("Silo breaker", "ever")]
    titles = sorted(
        Notification.objects.filter(recipient=sam.user, kind=badges.BADGE_AWARDED).values_list("title", flat=True)
    )
    assert titles == ["You earned the badge Silo breaker", "You earned the badge Thanked"]
