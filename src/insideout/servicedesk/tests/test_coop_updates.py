"""Keeping people informed: the request's last-update clock kept by the services, the sweep's nudge
and silence (each once per interval, nothing when nothing changed), recomputation after an edit, and
the clock in words.

The update standard here is 8 business hours on IT's Berlin calendar (09:00–12:30, 13:30–17:00):
from Monday 10:00 Berlin the update is due Tuesday 11:00, the nudge comes at 6 business hours,
Monday 17:00.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insideout.core.models import Event
from insideout.notifications.models import Notification
from insideout.servicedesk import services as desk_services
from insideout.servicedesk.clockview import update_view, update_words
from insideout.servicedesk.cooperation import services
from insideout.servicedesk.models import Request
from insideout.servicedesk.tests.coop import MONDAY_10, kinds_of
from insideout.servicedesk.tests.factories import request_create

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
EVERY = 8 * 60
BERLIN_MONDAY_17 = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
BERLIN_TUESDAY_11 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
MONDAY_11 = MONDAY_10 + HOUR  # 11:00 Berlin
# From Monday 11:00 Berlin: 5 business hours on Monday, 3 on Tuesday → Tuesday 12:00 Berlin.
DUE_FROM_11 = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


def _clock(request: Request) -> tuple[datetime | None, datetime | None, datetime | None]:
    row = Request.objects.values_list("last_update_at", "update_due_at", "update_alarm_at").get(pk=request.pk)
    return row[0], row[1], row[2]


@pytest.fixture
def informed(desk: dict[str, Any]) -> dict[str, Any]:
    """IT's "New laptop" with an update standard of 8 business hours, and Eve's request of Monday 10:00
    assigned to Sam."""
    desk_services.request_type_update(
        actor=desk["lead"].user, request_type=desk["request_type"], update_every_minutes=EVERY
    )
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    desk_services.request_assign(actor=desk["lead"].user, request=request, assignee_id=desk["agent"].pk, now=MONDAY_10)
    found = desk_services.selectors.request_get_for(actor=desk["agent"].user, request_id=request.pk)
    return {**desk, "filed": found}


def test_a_new_request_owes_its_first_update_one_interval_after_it_was_opened(informed: dict[str, Any]) -> None:
    assert _clock(informed["filed"]) == (None, BERLIN_TUESDAY_11, BERLIN_MONDAY_17)


def test_without_an_update_standard_nothing_is_due(desk: dict[str, Any]) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    desk_services.request_comment(actor=desk["agent"].user, request=request, body="On it.", now=MONDAY_11)

    assert _clock(request) == (MONDAY_11, None, None)


def _reply(w: dict[str, Any]) -> object:
    return desk_services.request_comment(actor=w["agent"].user, request=w["filed"], body="On it.", now=MONDAY_11)


def _commit(w: dict[str, Any]) -> object:
    return services.commitment_create_for_request(
        actor=w["agent"].user, request=w["filed"], due_at=MONDAY_10 + 2 * DAY, now=MONDAY_11
    )


def _revise(w: dict[str, Any]) -> object:
    commitment = services.commitment_create_for_request(
        actor=w["agent"].user, request=w["filed"], due_at=MONDAY_10 + 2 * DAY, now=MONDAY_10
    )
    return services.commitment_revise(
        actor=w["agent"].user, commitment=commitment, due_at=MONDAY_10 + 3 * DAY, reason="Later.", now=MONDAY_11
    )


def _flag(w: dict[str, Any], at: datetime = MONDAY_11) -> Any:
    return services.obstacle_flag(
        actor=w["agent"].user,
        request=w["filed"],
        description="Out of stock.",
        expected_at=MONDAY_10 + 2 * DAY,
        waiting_on_outside="The supplier",
        now=at,
    )


def _clear(w: dict[str, Any]) -> object:
    return services.obstacle_resolve(actor=w["agent"].user, obstacle=_flag(w, MONDAY_10), now=MONDAY_11)


def _wait(w: dict[str, Any]) -> object:
    return desk_services.request_transition(
        actor=w["agent"].user, request=w["filed"], status="waiting_on_requester", now=MONDAY_11
    )


@pytest.mark.parametrize(
    "update",
    [_reply, _commit, _revise, _flag, _clear, _wait],
    ids=["agent_reply", "commitment_made", "commitment_moved", "obstacle_flagged", "obstacle_resolved", "status"],
)
def test_each_public_update_restarts_the_interval(informed: dict[str, Any], update: Callable[..., object]) -> None:
    update(informed)

    # Nudged after 6 of the 8 business hours: Tuesday 10:00 Berlin.
    assert _clock(informed["filed"]) == (MONDAY_11, DUE_FROM_11, datetime(2026, 11, 24, 9, 0, tzinfo=UTC))


def _note(w: dict[str, Any]) -> object:
    return desk_services.request_comment(
        actor=w["agent"].user, request=w["filed"], body="Checked.", internal=True, now=MONDAY_11
    )


def _requester_reply(w: dict[str, Any]) -> object:
    return desk_services.request_comment(actor=w["employee"].user, request=w["filed"], body="Any news?", now=MONDAY_11)


def _priority(w: dict[str, Any]) -> object:
    return desk_services.request_priority_set(actor=w["agent"].user, request=w["filed"], priority="P2", now=MONDAY_11)


def _assign(w: dict[str, Any]) -> object:
    return desk_services.request_assign(actor=w["agent"].user, request=w["filed"], assignee_id=None, now=MONDAY_11)


@pytest.mark.parametrize(
    "change", [_note, _requester_reply, _priority, _assign], ids=["internal_note", "requester", "priority", "assign"]
)
def test_other_changes_are_no_public_update(informed: dict[str, Any], change: Callable[..., object]) -> None:
    change(informed)

    assert _clock(informed["filed"]) == (None, BERLIN_TUESDAY_11, BERLIN_MONDAY_17)


def test_a_finished_request_owes_nothing_and_a_reopened_one_counts_from_the_reopening(
    informed: dict[str, Any],
) -> None:
    filed = informed["filed"]
    desk_services.request_transition(actor=informed["agent"].user, request=filed, status="resolved", now=MONDAY_10)
    assert _clock(filed) == (MONDAY_10, None, None)

    # Eve's reply reopens it at 11:00: not an update by the desk, but the next one is owed from then.
    desk_services.request_comment(actor=informed["employee"].user, request=filed, body="Still broken.", now=MONDAY_11)
    assert _clock(filed)[0:2] == (MONDAY_10, DUE_FROM_11)


# --- the sweep -------------------------------------------------------------------------------------


def test_the_sweep_nudges_once_then_tells_the_lead_once(
    informed: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    filed, sam, lena = informed["filed"], informed["agent"], informed["lead"]
    assert desk_services.clocks_sweep(now=BERLIN_MONDAY_17 - timedelta(seconds=1)).updates_nudged == 0

    with django_capture_on_commit_callbacks(execute=True):
        first = desk_services.clocks_sweep(now=BERLIN_MONDAY_17)
    again = desk_services.clocks_sweep(now=BERLIN_MONDAY_17 + HOUR)
    assert (first.updates_nudged, first.silences, again.updates_nudged, again.silences) == (1, 0, 0, 0)
    assert _clock(filed)[2] == BERLIN_TUESDAY_11  # the silence comes next
    with django_capture_on_commit_callbacks(execute=True):
        late = desk_services.clocks_sweep(now=BERLIN_TUESDAY_11)
    after = desk_services.clocks_sweep(now=BERLIN_TUESDAY_11 + DAY)
    assert (late.updates_nudged, late.silences, after.silences) == (0, 1, 0)
    assert _clock(filed) == (None, BERLIN_TUESDAY_11, None)

    events = Event.objects.filter(subject_id=str(filed.pk), type__startswith="servicedesk.update_").order_by("pk")
    assert [(event.type, event.occurred_at) for event in events] == [
        ("servicedesk.update_due_soon", BERLIN_MONDAY_17),
        ("servicedesk.update_overdue", BERLIN_TUESDAY_11),
    ]
    assert events[0].payload == {"due_at": BERLIN_TUESDAY_11.isoformat(), "last_update_at": None}
    assert [kind for kind in kinds_of(sam) if "update" in kind] == ["servicedesk.update_due_soon"]
    assert [kind for kind in kinds_of(lena) if "update" in kind] == ["servicedesk.update_overdue"]
    nudge = Notification.objects.get(recipient=sam.user, kind="servicedesk.update_due_soon")
    assert nudge.title == "IT-1: a public update is due by Tue 24 Nov 2026, 11:00"
    silence = Notification.objects.get(recipient=lena.user, kind="servicedesk.update_overdue")
    assert silence.title == "IT-1 has gone silent"
    assert silence.body == (
        "The requester of “Laptop for a new colleague” has had no public update yet; "
        "one was due by Tue 24 Nov 2026, 11:00."
    )


def test_an_update_after_the_nudge_starts_a_new_interval(informed: dict[str, Any]) -> None:
    filed = informed["filed"]
    desk_services.clocks_sweep(now=BERLIN_MONDAY_17)
    tuesday_9 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 09:00 Berlin
    desk_services.request_comment(actor=informed["agent"].user, request=filed, body="Tomorrow.", now=tuesday_9)

    # From Tuesday 09:00 Berlin: 7 business hours that day, so due Wednesday 10:00; nudged after 6,
    # at 16:00 on Tuesday.
    nudge = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    assert _clock(filed) == (tuesday_9, datetime(2026, 11, 25, 9, 0, tzinfo=UTC), nudge)
    assert desk_services.clocks_sweep(now=BERLIN_TUESDAY_11).silences == 0
    assert desk_services.clocks_sweep(now=nudge).updates_nudged == 1


def test_a_sweep_that_comes_after_the_due_time_skips_the_nudge(informed: dict[str, Any]) -> None:
    result = desk_services.clocks_sweep(now=BERLIN_TUESDAY_11 + HOUR)

    assert (result.updates_nudged, result.silences) == (0, 1)
    assert list(Event.objects.filter(type__startswith="servicedesk.update_").values_list("type", flat=True)) == [
        "servicedesk.update_overdue"
    ]


def test_a_sweep_with_nothing_to_say_is_one_index_probe(informed: dict[str, Any]) -> None:
    with CaptureQueriesContext(connection) as captured:
        assert services.updates_sweep(now=BERLIN_MONDAY_17 - HOUR) == (0, 0)

    assert len(captured) == 1
    assert "update_alarm_at" in captured.captured_queries[0]["sql"]


def test_the_whole_sweep_with_nothing_to_do_reads_five_indexes(informed: dict[str, Any]) -> None:
    with CaptureQueriesContext(connection) as captured:
        desk_services.clocks_sweep(now=MONDAY_10)

    # Breaches, at-risk warnings, auto-close, overdue commitments, update alarms.
    assert len(captured) == 5


# --- recomputation after an edit -------------------------------------------------------------------


def test_setting_changing_and_removing_the_standard_recompute_open_requests(
    desk: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    done = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    desk_services.request_transition(actor=desk["agent"].user, request=done, status="resolved", now=MONDAY_10)
    desk_services.request_comment(actor=desk["agent"].user, request=request, body="Looking.", now=MONDAY_11)
    assert _clock(request) == (MONDAY_11, None, None)

    with django_capture_on_commit_callbacks(execute=True):
        desk_services.request_type_update(
            actor=desk["lead"].user, request_type=desk["request_type"], update_every_minutes=EVERY
        )
    assert _clock(request) == (MONDAY_11, DUE_FROM_11, datetime(2026, 11, 24, 9, 0, tzinfo=UTC))  # nudge Tue 10:00
    assert _clock(done)[1:] == (None, None)

    with django_capture_on_commit_callbacks(execute=True):
        desk_services.request_type_update(
            actor=desk["lead"].user, request_type=desk["request_type"], update_every_minutes=2 * 60
        )
    # Two business hours from Monday 11:00 Berlin: 1.5 before the lunch break, then 14:00.
    assert _clock(request)[1] == datetime(2026, 11, 23, 13, 0, tzinfo=UTC)

    with django_capture_on_commit_callbacks(execute=True):
        desk_services.request_type_update(
            actor=desk["lead"].user, request_type=desk["request_type"], update_every_minutes=None
        )
    assert _clock(request) == (MONDAY_11, None, None)


def test_a_recompute_does_not_nudge_twice(informed: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    desk_services.clocks_sweep(now=BERLIN_MONDAY_17)
    with django_capture_on_commit_callbacks(execute=True):
        desk_services.request_type_update(
            actor=informed["lead"].user, request_type=informed["request_type"], update_every_minutes=EVERY + 60
        )

    # 9 business hours from Monday 10:00: Tuesday 12:00 Berlin; the nudge was given, the silence is next.
    due = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
    assert _clock(informed["filed"]) == (None, due, due)
    assert desk_services.clocks_sweep(now=BERLIN_MONDAY_17 + HOUR).updates_nudged == 0


@pytest.mark.parametrize("minutes", [59, 30 * 8 * 60 + 1, 0, -60])
def test_the_interval_is_between_one_business_hour_and_thirty_business_days(desk: dict[str, Any], minutes: int) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        desk_services.request_type_update(
            actor=desk["lead"].user, request_type=desk["request_type"], update_every_minutes=minutes
        )

    assert excinfo.value.message_dict == {
        "update_every_minutes": [
            "Choose an interval between 1 business hour and 30 business days "
            "(60 to 14,400 business minutes), or no update standard."
        ]
    }
    desk["request_type"].refresh_from_db()
    assert desk["request_type"].update_every_minutes is None


# --- in words --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "words"),
    [
        (MONDAY_11, "last update just now; next update due in 8 working hours — Tue 12:00"),
        (
            datetime(2026, 11, 24, 10, 0, tzinfo=UTC),  # Tuesday 11:00 Berlin: 5 + 2 business hours
            "last update 7 working hours ago; next update due in 1 working hour — Tue 12:00",
        ),
        (
            # Thursday 11:00 Berlin: 21 business hours since, 13 of them (4 + 7 + 2) past the due time.
            datetime(2026, 11, 26, 10, 0, tzinfo=UTC),
            "last update 3 working days ago; update overdue by 13 working hours — was due Tue 12:00",
        ),
    ],
    ids=["just_now", "due_later", "silent"],
)
def test_the_last_update_in_words(informed: dict[str, Any], now: datetime, words: str) -> None:
    from django.utils import timezone

    _reply(informed)
    found = desk_services.selectors.request_get_for(actor=informed["agent"].user, request_id=informed["filed"].pk)

    with timezone.override("Europe/Berlin"):
        assert update_words(update_view(found, now=now), now=now) == words


def test_a_request_without_updates_says_so(desk: dict[str, Any]) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    found = desk_services.selectors.request_get_for(actor=desk["agent"].user, request_id=request.pk)

    assert update_words(update_view(found, now=MONDAY_11), now=MONDAY_11) == "no public update yet"
