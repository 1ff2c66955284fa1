"""Giving and boosting recognition: points from the allowance, visibility from the recipients'
preferences, fair play, and bad input that moves nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from insideout.core.errors import Conflict, NotFound
from insideout.core.models import Event
from insideout.notifications.models import Notification
from insideout.people import services as people
from insideout.people.tests.factories import EmployeeFactory
from insideout.recognition import ledger, selectors, services
from insideout.recognition.models import Entry, Recognition, RecognitionRecipient, Value

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def values(db: Any) -> list[Value]:
    return [
        Value.objects.create(name="Honour commitments", position=1),
        Value.objects.create(name="Be helpful", position=2),
    ]


def state() -> dict[str, list[Any]]:
    return {
        "recognitions": list(Recognition.objects.values()),
        "recipients": list(RecognitionRecipient.objects.values()),
        "entries": list(Entry.objects.values()),
        "events": list(Event.objects.values_list("type", flat=True)),
    }


def refused(error: type[Exception], call: Any) -> Exception:
    before = state()
    with pytest.raises(error) as excinfo:
        call()
    assert state() == before
    return excinfo.value


def give(org: dict[str, Any], known: list[Value], **changes: Any) -> Recognition:
    arguments: dict[str, Any] = {
        "actor": org["employee"].user,
        "to": [org["agent"].pk],
        "message": "Thank you for setting up my laptop before my first day.",
        "values": [known[0].pk],
        "points": 20,
        "now": NOW,
    }
    arguments.update(changes)
    return services.recognition_give(**arguments)


def test_points_move_from_the_giver_s_allowance_to_the_recipient(
    org: dict[str, Any], values: list[Value], django_capture_on_commit_callbacks: Any
) -> None:
    eve, sam, lena = org["employee"], org["agent"], org["lead"]
    with django_capture_on_commit_callbacks(execute=True):
        recognition = give(org, values, to=[sam.pk], points=20)
    assert recognition.visibility == "public"
    assert recognition.points_total == 20
    assert selectors.points_of(employee_id=eve.pk, now=NOW).allowance == 80
    assert selectors.points_of(employee_id=sam.pk, now=NOW).earned == 20
    assert Notification.objects.get(recipient=sam.user, kind="recognition.given").title == "Eve Employee recognised you"
    # Sam's manager hears of it too.
    assert Notification.objects.filter(recipient=lena.user, kind="recognition.given_to_report").count() == 1
    assert ledger.ledger_verify().ok


def test_a_whole_team_is_recognised_and_the_most_private_preference_wins(
    org: dict[str, Any], values: list[Value]
) -> None:
    sam, lena = org["agent"], org["lead"]
    helpdesk_two = EmployeeFactory(username="hal", unit=org["helpdesk"])
    people.profile_update(profile=helpdesk_two.profile, actor=helpdesk_two.user, recognition_preference="private")
    recognition = give(org, values, actor=lena.user, to=[], team_id=org["helpdesk"].pk, points=5)
    recipients = set(recognition.recipients.values_list("employee_id", flat=True))
    assert recipients == {sam.pk, helpdesk_two.pk}
    assert recognition.visibility == "private"
    assert recognition.points_total == 10
    assert services.visibility_for(["public", "team"]) == "team"
    assert services.visibility_for([]) == "public"


def test_more_points_than_the_allowance_is_a_conflict_and_moves_nothing(
    org: dict[str, Any], values: list[Value]
) -> None:
    give(org, values, points=50)  # Sam gets 50: the pair cap
    before_allowance = selectors.points_of(employee_id=org["employee"].pk, now=NOW).allowance
    error = refused(
        Conflict, lambda: give(org, values, to=[org["manager"].pk, org["lead"].pk, org["admin"].pk], points=20)
    )
    assert "has 50 points left this month; this needs 60" in str(error)
    assert selectors.points_of(employee_id=org["employee"].pk, now=NOW).allowance == before_allowance


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"to": ["self"]}, "to", "cannot recognise yourself"),
        ({"to": []}, "to", "at least one person"),
        ({"to": [999_999]}, "to", "No active person"),
        ({"to": ["x"]}, "to", "by their ids"),
        ({"values": []}, "values", "at least one"),
        ({"values": [999_999]}, "values", "Unknown value"),
        ({"points": -5}, "points", "cannot be negative"),
        ({"points": "ten"}, "points", "whole number"),
        ({"message": "  "}, "message", "required"),
        ({"team_id": 999_999, "to": []}, "team", "No unit"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(
    org: dict[str, Any], values: list[Value], changes: dict[str, Any], field: str, words: str
) -> None:
    if changes.get("to") == ["self"]:
        changes = {**changes, "to": [org["employee"].pk]}
    error = refused(ValidationError, lambda: give(org, values, **changes))
    assert field in error.message_dict  # type: ignore[attr-defined]
    assert words in " ".join(error.message_dict[field])  # type: ignore[attr-defined]


def test_an_inactive_value_is_unknown(org: dict[str, Any], values: list[Value]) -> None:
    Value.objects.filter(pk=values[1].pk).update(is_active=False)
    refused(ValidationError, lambda: give(org, values, values=[values[1].pk]))


def test_one_giver_gives_one_person_at_most_the_monthly_pair_cap(org: dict[str, Any], values: list[Value]) -> None:
    give(org, values, points=30)
    error = refused(ValidationError, lambda: give(org, values, points=30, now=NOW + timedelta(days=1)))
    assert "at most 50 points a month; Sam Agent would get more. Give at most 20 points, or none." in str(error)
    give(org, values, points=20, now=NOW + timedelta(days=1))  # up to the cap is fine
    error = refused(ValidationError, lambda: give(org, values, points=1, now=NOW + timedelta(days=2)))
    assert "Sam Agent already had them from you: recognise without points." in str(error)
    # Only those with no room left are named as having had them all.
    both = refused(ValidationError, lambda: give(org, values, to=[org["agent"].pk, org["lead"].pk], points=5))
    assert "and Sam Agent already had them from you" in str(both)
    give(org, values, points=0, now=NOW + timedelta(days=2))  # recognition without points always is
    # Next month the cap starts again (and the allowance is refilled).
    give(org, values, points=30, now=datetime(2027, 1, 2, 9, 0, tzinfo=UTC))


def test_a_boost_adds_the_booster_s_points_to_each_recipient_of_a_public_recognition(
    org: dict[str, Any], values: list[Value], django_capture_on_commit_callbacks: Any
) -> None:
    sam, mo, eve = org["agent"], org["manager"], org["employee"]
    recognition = give(org, values, to=[sam.pk], points=10)
    with django_capture_on_commit_callbacks(execute=True):
        services.recognition_boost(actor=mo.user, recognition=recognition, points=10, now=NOW)
    recognition.refresh_from_db()
    assert recognition.points_total == 20
    assert selectors.points_of(employee_id=sam.pk, now=NOW).earned == 20
    assert selectors.points_of(employee_id=mo.pk, now=NOW).allowance == 90
    assert Notification.objects.filter(recipient=sam.user, kind="recognition.boosted").count() == 1
    refused(Conflict, lambda: services.recognition_boost(actor=eve.user, recognition=recognition, points=5, now=NOW))
    refused(Conflict, lambda: services.recognition_boost(actor=sam.user, recognition=recognition, points=5, now=NOW))
    refused(
        ValidationError, lambda: services.recognition_boost(actor=mo.user, recognition=recognition, points=0, now=NOW)
    )


def test_a_private_recognition_cannot_be_boosted(org: dict[str, Any], values: list[Value]) -> None:
    sam = org["agent"]
    people.profile_update(profile=sam.profile, actor=sam.user, recognition_preference="private")
    recognition = give(org, values, to=[sam.pk], points=10)
    error = refused(
        Conflict,
        lambda: services.recognition_boost(actor=org["manager"].user, recognition=recognition, points=5, now=NOW),
    )
    assert "Only public recognitions" in str(error)


def test_who_sees_a_recognition(org: dict[str, Any], values: list[Value]) -> None:
    """Public: everyone. Team: the recipients' units. Private: the giver, the recipients and their managers."""
    sam, lena, mo, eve, pat = org["agent"], org["lead"], org["manager"], org["employee"], org["admin"]
    colleague = EmployeeFactory(username="hd2", unit=org["helpdesk"])
    public = give(org, values, to=[sam.pk])
    people.profile_update(profile=sam.profile, actor=sam.user, recognition_preference="team")
    team = give(org, values, to=[sam.pk], points=0)
    people.profile_update(profile=sam.profile, actor=sam.user, recognition_preference="private")
    private = give(org, values, to=[sam.pk], points=0)

    def sees(person: Any) -> set[int]:
        seen = set()
        for recognition in (public, team, private):
            try:
                selectors.recognition_get_for(actor=person.user, recognition_id=recognition.pk)
                seen.add(recognition.pk)
            except NotFound:
                pass
        return seen

    assert sees(eve) == {public.pk, team.pk, private.pk}  # the giver
    assert sees(sam) == {public.pk, team.pk, private.pk}  # the recipient
    assert sees(lena) == {public.pk, team.pk, private.pk}  # Sam's manager
    assert sees(colleague) == {public.pk, team.pk}  # Sam's team
    assert sees(mo) == {public.pk}
    assert sees(pat) == {public.pk}
    wall = selectors.recognition_list_for(actor=mo.user, scope="wall")
    assert list(wall.values_list("pk", flat=True)) == [public.pk]
    assert set(selectors.recognition_list_for(actor=sam.user, scope="mine").values_list("pk", flat=True)) == {
        public.pk,
        team.pk,
        private.pk,
    }
    assert selectors.recognition_list_for(actor=eve.user, scope="given").count() == 3
