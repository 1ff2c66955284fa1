"""Commitments through the services: on requests and between colleagues, revisions, settling by
resolution, by the owner and by the sweep, and every refused input leaving everything as it was."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from insideout.core.errors import Conflict, Forbidden, NotFound
from insideout.core.models import Event
from insideout.notifications.models import Notification
from insideout.people import services as people
from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import selectors, services
from insideout.servicedesk.cooperation.models import Commitment
from insideout.servicedesk.models import Request
from insideout.servicedesk.tests.coop import MONDAY_10, kinds_of, refused
from insideout.servicedesk.tests.factories import request_create

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
def filed(desk: dict[str, Any]) -> Request:
    """Eve's open request, assigned to Sam, filed on Monday at 10:00."""
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    desk_services.request_assign(actor=desk["lead"].user, request=request, assignee_id=desk["agent"].pk, now=MONDAY_10)
    return request


def _commit(desk: dict[str, Any], request: Request, due: datetime, **extra: Any) -> Commitment:
    return services.commitment_create_for_request(
        actor=desk["agent"].user, request=request, due_at=due, now=MONDAY_10, **extra
    )


def _resolve(desk: dict[str, Any], request: Request, at: datetime) -> None:
    desk_services.request_transition(actor=desk["agent"].user, request=request, status="resolved", now=at)


def test_a_request_commitment_resolved_in_time_is_kept(desk: dict[str, Any], filed: Request) -> None:
    commitment = _commit(desk, filed, MONDAY_10 + DAY, note="After the delivery arrives.")

    assert (commitment.owner, commitment.recipient, commitment.state) == (desk["agent"], desk["employee"], "open")
    assert commitment.owner_unit_id == desk["helpdesk"].pk
    assert [(r.number, r.due_at, r.reason) for r in selectors.commitment_revisions(commitment=commitment)] == [
        (1, MONDAY_10 + DAY, "After the delivery arrives.")
    ]
    _resolve(desk, filed, MONDAY_10 + DAY)  # exactly on time still counts

    commitment.refresh_from_db()
    assert (commitment.state, commitment.settled_at) == ("kept", MONDAY_10 + DAY)
    events = Event.objects.filter(subject_type="servicedesk.request", subject_id=str(filed.pk), type__contains="commit")
    assert [event.type for event in events.order_by("pk")] == [
        "servicedesk.commitment_made",
        "servicedesk.commitment_kept",
    ]
    assert events.get(type="servicedesk.commitment_kept").payload["commitment"] == commitment.pk


def test_moved_twice_then_resolved_late_is_broken_with_every_version_kept(desk: dict[str, Any], filed: Request) -> None:
    commitment = _commit(desk, filed, MONDAY_10 + DAY)
    services.commitment_revise(
        actor=desk["agent"].user,
        commitment=commitment,
        due_at=MONDAY_10 + 2 * DAY,
        reason="The supplier is late.",
        now=MONDAY_10 + HOUR,
    )
    # A colleague at the desk may move it too (Lena leads IT).
    services.commitment_revise(
        actor=desk["lead"].user,
        commitment=commitment,
        due_at=MONDAY_10 + 3 * DAY + 6 * HOUR,
        reason="Sam is ill; I take over.",
        now=MONDAY_10 + 2 * HOUR,
    )
    _resolve(desk, filed, MONDAY_10 + 4 * DAY)

    commitment.refresh_from_db()
    assert (commitment.state, commitment.settled_at) == ("broken", MONDAY_10 + 4 * DAY)
    assert commitment.moves == 2
    assert commitment.original_due_at == MONDAY_10 + DAY
    assert commitment.moved_by == 2 * DAY + 6 * HOUR  # "moved twice, 2 days 6 hours later in total"
    revisions = selectors.commitment_revisions(commitment=commitment)
    assert [(r.number, r.due_at, r.reason, r.by) for r in revisions] == [
        (1, MONDAY_10 + DAY, "", desk["agent"]),
        (2, MONDAY_10 + 2 * DAY, "The supplier is late.", desk["agent"]),
        (3, MONDAY_10 + 3 * DAY + 6 * HOUR, "Sam is ill; I take over.", desk["lead"]),
    ]
    revised = Event.objects.filter(type="servicedesk.commitment_revised").order_by("pk").last()
    assert revised is not None
    assert revised.payload["previous_due_at"] == (MONDAY_10 + 2 * DAY).isoformat()
    assert revised.payload["reason"] == "Sam is ill; I take over."


def test_a_reopen_does_not_revive_a_settled_commitment(desk: dict[str, Any], filed: Request) -> None:
    first = _commit(desk, filed, MONDAY_10 + DAY)
    _resolve(desk, filed, MONDAY_10 + HOUR)
    desk_services.request_transition(
        actor=desk["employee"].user, request=filed, status="in_progress", now=MONDAY_10 + 2 * HOUR
    )

    first.refresh_from_db()
    assert first.state == "kept"
    second = services.commitment_create_for_request(
        actor=desk["agent"].user, request=filed, due_at=MONDAY_10 + 2 * DAY, now=MONDAY_10 + 3 * HOUR
    )
    _resolve(desk, filed, MONDAY_10 + 3 * DAY)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.settled_at) == ("kept", MONDAY_10 + HOUR)
    assert second.state == "broken"


def test_the_sweep_breaks_an_overdue_commitment_exactly_once(desk: dict[str, Any], filed: Request) -> None:
    commitment = _commit(desk, filed, MONDAY_10 + HOUR)
    assert desk_services.clocks_sweep(now=MONDAY_10 + HOUR - timedelta(seconds=1)).commitments_broken == 0

    assert desk_services.clocks_sweep(now=MONDAY_10 + 2 * HOUR).commitments_broken == 1
    assert desk_services.clocks_sweep(now=MONDAY_10 + 3 * HOUR).commitments_broken == 0
    _resolve(desk, filed, MONDAY_10 + 4 * HOUR)  # resolving afterwards settles nothing again

    commitment.refresh_from_db()
    assert (commitment.state, commitment.settled_at) == ("broken", MONDAY_10 + HOUR)
    assert Event.objects.filter(type="servicedesk.commitment_broken").count() == 1
    assert not Event.objects.filter(type="servicedesk.commitment_kept").exists()


def test_a_standalone_commitment_done_in_time_is_kept_and_late_is_broken(desk: dict[str, Any]) -> None:
    eve, mo = desk["employee"], desk["manager"]
    on_time = services.commitment_create(
        actor=eve.user, to_id=mo.pk, title="Send the Q3 figures", due_at=MONDAY_10 + DAY, now=MONDAY_10
    )
    late = services.commitment_create(
        actor=eve.user, to_id=mo.pk, title="Book the offsite", due_at=MONDAY_10 + HOUR, now=MONDAY_10
    )

    services.commitment_done(actor=eve.user, commitment=on_time, now=MONDAY_10 + 2 * HOUR)
    services.commitment_done(actor=eve.user, commitment=late, now=MONDAY_10 + 2 * HOUR)

    on_time.refresh_from_db()
    late.refresh_from_db()
    assert (on_time.state, late.state) == ("kept", "broken")
    assert on_time.request is None
    assert (on_time.owner, on_time.recipient, on_time.owner_unit_id) == (eve, mo, desk["sales"].pk)
    made = Event.objects.filter(type="servicedesk.commitment_made").order_by("pk").first()
    assert made is not None
    assert (made.subject_type, made.subject_id) == ("servicedesk.commitment", str(on_time.pk))
    with pytest.raises(Conflict):
        services.commitment_done(actor=eve.user, commitment=on_time, now=MONDAY_10 + 3 * HOUR)


def test_the_sweep_breaks_a_standalone_commitment_too(desk: dict[str, Any]) -> None:
    commitment = services.commitment_create(
        actor=desk["employee"].user, to_id=desk["manager"].pk, title="Call back", due_at=MONDAY_10 + HOUR, now=MONDAY_10
    )
    assert services.commitments_sweep(now=MONDAY_10 + DAY) == 1
    assert services.commitments_sweep(now=MONDAY_10 + 2 * DAY) == 0
    commitment.refresh_from_db()
    assert (commitment.state, commitment.settled_at) == ("broken", MONDAY_10 + HOUR)


# --- refused: each changes nothing -----------------------------------------------------------


def test_a_second_open_commitment_on_a_request_is_a_conflict_pointing_to_revise(
    desk: dict[str, Any], filed: Request
) -> None:
    first = _commit(desk, filed, MONDAY_10 + DAY)
    error = refused(Conflict, lambda: _commit(desk, filed, MONDAY_10 + 2 * DAY))
    assert f"({first.pk})" in str(error)
    assert "revise" in str(error)


@pytest.mark.parametrize(
    ("due", "message"),
    [
        pytest.param(MONDAY_10 - HOUR, "already passed", id="past_case"),
        pytest.param(MONDAY_10, "already passed", id="now_case"),
        pytest.param(datetime(2026, 11, 24, 15, 0), "time zone", id="naive_case"),  # noqa: DTZ001 - the point
        pytest.param(MONDAY_10 + timedelta(days=6 * 366), "five years", id="far_case"),
    ],
)
def test_a_due_time_that_is_past_naive_or_absurd_isrefused(
    desk: dict[str, Any], filed: Request, due: datetime, message: str
) -> None:
    error = refused(ValidationError, lambda: _commit(desk, filed, due))
    assert isinstance(error, ValidationError)
    assert list(error.message_dict) == ["due_at"]
    assert message in error.message_dict["due_at"][0]


def test_only_the_desk_commits_on_a_request_and_only_while_it_is_open(desk: dict[str, Any], filed: Request) -> None:
    refused(
        Forbidden,
        lambda: services.commitment_create_for_request(
            actor=desk["employee"].user, request=filed, due_at=MONDAY_10 + DAY, now=MONDAY_10
        ),
    )
    _resolve(desk, filed, MONDAY_10 + HOUR)
    error = refused(Conflict, lambda: _commit(desk, filed, MONDAY_10 + DAY))
    assert "resolved" in str(error)


def test_a_revision_needs_a_reason_a_new_time_and_the_owner(desk: dict[str, Any], filed: Request) -> None:
    commitment = _commit(desk, filed, MONDAY_10 + DAY)

    def revise(who: Any, due: datetime, reason: str) -> Any:
        return lambda: services.commitment_revise(
            actor=who.user, commitment=commitment, due_at=due, reason=reason, now=MONDAY_10
        )

    error = refused(ValidationError, revise(desk["agent"], MONDAY_10 + 2 * DAY, "   "))
    assert isinstance(error, ValidationError)
    assert error.message_dict == {"reason": ["This field is required."]}
    error = refused(ValidationError, revise(desk["agent"], MONDAY_10 + DAY, "Same"))
    assert isinstance(error, ValidationError)
    assert list(error.message_dict) == ["due_at"]
    error = refused(ValidationError, revise(desk["agent"], MONDAY_10 - DAY, ""))
    assert isinstance(error, ValidationError)
    assert set(error.message_dict) == {"due_at", "reason"}
    refused(Forbidden, revise(desk["employee"], MONDAY_10 + 2 * DAY, "I want it later"))
    _resolve(desk, filed, MONDAY_10 + HOUR)
    refused(Conflict, revise(desk["agent"], MONDAY_10 + 2 * DAY, "Too late to move"))


def test_standalone_commitments_refuse_oneself_unknown_people_and_no_title(desk: dict[str, Any]) -> None:
    eve = desk["employee"]

    def create(to_id: int, title: str) -> Any:
        return lambda: services.commitment_create(
            actor=eve.user, to_id=to_id, title=title, due_at=MONDAY_10 + DAY, now=MONDAY_10
        )

    error = refused(ValidationError, create(eve.pk, "Tidy up"))
    assert isinstance(error, ValidationError)
    assert error.message_dict == {"to": ["A commitment is made to someone else, not to oneself."]}
    error = refused(ValidationError, create(999_999, ""))
    assert isinstance(error, ValidationError)
    assert error.message_dict == {"to": ["No active person has the id 999999."], "title": ["This field is required."]}


def test_only_the_owner_marks_done_and_a_request_commitment_waits_for_resolution(
    desk: dict[str, Any], filed: Request
) -> None:
    on_request = _commit(desk, filed, MONDAY_10 + DAY)
    standalone = services.commitment_create(
        actor=desk["employee"].user, to_id=desk["manager"].pk, title="Call back", due_at=MONDAY_10 + DAY, now=MONDAY_10
    )
    refused(Conflict, lambda: services.commitment_done(actor=desk["agent"].user, commitment=on_request))
    refused(Forbidden, lambda: services.commitment_done(actor=desk["manager"].user, commitment=standalone))


def test_commitments_are_seen_by_their_two_people_and_the_request_s_viewers(
    desk: dict[str, Any], filed: Request
) -> None:
    on_request = _commit(desk, filed, MONDAY_10 + DAY)
    standalone = services.commitment_create(
        actor=desk["employee"].user, to_id=desk["manager"].pk, title="Call back", due_at=MONDAY_10 + DAY, now=MONDAY_10
    )

    for who in ("agent", "employee", "lead"):
        assert selectors.commitment_get_for(actor=desk[who].user, commitment_id=on_request.pk) == on_request
    for who in ("employee", "manager"):
        assert selectors.commitment_get_for(actor=desk[who].user, commitment_id=standalone.pk) == standalone
    for who, commitment in (("manager", on_request), ("admin", on_request), ("agent", standalone)):
        with pytest.raises(NotFound):
            selectors.commitment_get_for(actor=desk[who].user, commitment_id=commitment.pk)
    with pytest.raises(NotFound):
        selectors.commitment_get_for(actor=desk["employee"].user, commitment_id=10**30)

    def listed(who: str, **flags: Any) -> list[int]:
        return [c.pk for c in selectors.commitment_list_for(actor=desk[who].user, **flags)]

    assert listed("employee") == [on_request.pk, standalone.pk]
    assert listed("employee", mine=True) == [standalone.pk]
    assert listed("employee", to_me=True) == [on_request.pk]
    assert listed("agent", mine=True, state="open") == [on_request.pk]
    assert listed("agent", mine=True, state="kept") == []


# --- notifications ---------------------------------------------------------------------------


def test_the_recipient_hears_of_each_step_and_the_owner_of_a_broken_promise(
    desk: dict[str, Any], filed: Request, django_capture_on_commit_callbacks: Any
) -> None:
    eve, sam = desk["employee"], desk["agent"]
    with django_capture_on_commit_callbacks(execute=True):
        commitment = _commit(desk, filed, MONDAY_10 + HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        services.commitment_revise(
            actor=sam.user,
            commitment=commitment,
            due_at=MONDAY_10 + 2 * HOUR,
            reason="Stuck in a meeting.",
            now=MONDAY_10,
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.commitments_sweep(now=MONDAY_10 + DAY)

    assert [kind for kind in kinds_of(eve) if "commitment" in kind] == [
        "servicedesk.commitment_made",
        "servicedesk.commitment_revised",
        "servicedesk.commitment_broken",
    ]
    assert [kind for kind in kinds_of(sam) if "commitment" in kind] == ["servicedesk.commitment_broken"]
    made = Notification.objects.get(recipient=eve.user, kind="servicedesk.commitment_made")
    # Eve is in Berlin: 11:00 UTC is 12:00 there.
    assert made.title == "Sam Agent commits to Mon 23 Nov 2026, 11:00"
    assert made.body == "Sam Agent will have “Laptop for a new colleague” done by Mon 23 Nov 2026, 11:00."
    assert made.url == f"/requests/IT-{filed.number}/"
    revised = Notification.objects.get(recipient=eve.user, kind="servicedesk.commitment_revised")
    assert "Stuck in a meeting." in revised.body
    assert "instead of Mon 23 Nov 2026, 11:00" in revised.body


def test_a_notification_is_written_in_the_recipient_s_language(
    desk: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    mo = desk["manager"]
    people.profile_update(profile=mo.profile, actor=mo.user, language="de")
    with django_capture_on_commit_callbacks(execute=True):
        services.commitment_create(
            actor=desk["employee"].user, to_id=mo.pk, title="Die Q3-Zahlen", due_at=MONDAY_10 + DAY, now=MONDAY_10
        )
    told = Notification.objects.get(recipient=mo.user, kind="servicedesk.commitment_made")
    assert told.title == "Eve Employee sagt Di 24 Nov 2026, 10:00 zu"
    assert told.body == "Eve Employee erledigt „Die Q3-Zahlen“ bis Di 24 Nov 2026, 10:00."
