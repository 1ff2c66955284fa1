"""Obstacles through the services: flagging and resolving, who is told, every refused input leaving
everything as it was, and the stored resolution clock under standards that pause and that do not.

Times: Monday 23 November 2026 on IT's Berlin calendar (09:00–12:30, 13:30–17:00, UTC+1).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from insideout.core.errors import Conflict, Forbidden
from insideout.core.models import Event
from insideout.notifications.models import Notification
from insideout.people import services as people_services
from insideout.people.tests.factories import EmployeeFactory, UnitFactory
from insideout.servicedesk import clockstore
from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import selectors, services
from insideout.servicedesk.cooperation.models import Obstacle
from insideout.servicedesk.models import Request, RequestClock
from insideout.servicedesk.tests.coop import MONDAY_10, kinds_of, snapshot
from insideout.servicedesk.tests.factories import catalog_create, desk_create, request_create

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
TUESDAY_10_UTC = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # 11:00 Berlin


def state() -> dict[str, Any]:
    """What an obstacle call could change: the cooperation rows, the events, obstacles, requests, clocks."""
    rows = snapshot()
    rows["obstacle"] = list(Obstacle.objects.order_by("pk").values())
    rows["request"] = list(Request.objects.order_by("pk").values())
    rows["clock"] = list(RequestClock.objects.order_by("pk").values())
    return rows


def refused(error: type[Exception], call: Callable[[], object]) -> Exception:
    before = state()
    with pytest.raises(error) as excinfo:
        call()
    assert state() == before
    return excinfo.value


@pytest.fixture
def filed(desk: dict[str, Any]) -> Request:
    """Eve's request at IT, assigned to Sam, filed on Monday at 10:00 Berlin; Mo watches it."""
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    desk_services.request_assign(actor=desk["lead"].user, request=request, assignee_id=desk["agent"].pk, now=MONDAY_10)
    desk_services.request_watch(actor=desk["employee"].user, request=request, employee_id=desk["manager"].pk)
    return Request.objects.select_related("desk__unit", "request_type").get(pk=request.pk)


@pytest.fixture
def facilities(desk: dict[str, Any]) -> dict[str, Any]:
    """A second desk (Facilities, prefix FM, led by Fay) with an open request of Sam's."""
    unit = UnitFactory(code="FM", name="Facilities", parent=desk["company"], provides_services=True)
    fay = EmployeeFactory(username="fay", first_name="Fay", last_name="Facilities", unit=unit)
    people_services.unit_update(unit=unit, lead=fay)
    fm_desk = desk_create(unit=unit, lead=fay, prefix="FM")
    catalog = catalog_create(desk=fm_desk, lead=fay)
    blocker = request_create(
        requester=desk["agent"], request_type=catalog["request_type"], subject="Power socket", now=MONDAY_10
    )
    return {"lead": fay, "desk": fm_desk, "request": blocker, **catalog}


def _flag(desk: dict[str, Any], request: Request, *, at: datetime = MONDAY_10, **waits: Any) -> Obstacle:
    waits = waits or {"waiting_on_outside": "The supplier"}
    return services.obstacle_flag(
        actor=desk["agent"].user,
        request=request,
        description="The docking stations are out of stock.",
        expected_at=at + 2 * DAY,
        now=at,
        **waits,
    )


def _pausing_standard(desk: dict[str, Any], pause: bool = True) -> None:
    """P3 of "New laptop": 4 h first response, 8 h resolution, on the calendar; obstacles pause or not."""
    desk_services.standard_set(
        actor=desk["lead"].user,
        request_type=desk["request_type"],
        priority="P3",
        values=desk_services.StandardInput(
            first_response_minutes=240, resolution_minutes=480, obstacles_pause_resolution=pause
        ),
    )


def _resolution(request: Request) -> RequestClock:
    return RequestClock.objects.select_related("standard").get(request=request, metric="resolution")


# --- lifecycle -------------------------------------------------------------------------------------


def test_flag_and_resolve_an_obstacle_waiting_on_an_outside_party(desk: dict[str, Any], filed: Request) -> None:
    obstacle = _flag(desk, filed)

    assert (obstacle.state, obstacle.waiting_on, obstacle.waiting_on_outside) == ("open", "outside", "The supplier")
    assert (obstacle.flagged_by, obstacle.expected_at) == (desk["agent"], MONDAY_10 + 2 * DAY)
    services.obstacle_resolve(
        actor=desk["lead"].user, obstacle=obstacle, note="Delivered this morning.", now=MONDAY_10 + HOUR
    )

    obstacle.refresh_from_db()
    assert (obstacle.state, obstacle.resolved_at, obstacle.resolved_by, obstacle.resolution_note) == (
        "resolved",
        MONDAY_10 + HOUR,
        desk["lead"],
        "Delivered this morning.",
    )
    events = Event.objects.filter(subject_id=str(filed.pk), type__contains="obstacle").order_by("pk")
    assert [(event.type, event.payload["obstacle"]) for event in events] == [
        ("servicedesk.obstacle_flagged", obstacle.pk),
        ("servicedesk.obstacle_resolved", obstacle.pk),
    ]
    flagged = events[0].payload
    assert (flagged["waiting_on"], flagged["waiting_on_outside"], flagged["expected_at"]) == (
        "outside",
        "The supplier",
        (MONDAY_10 + 2 * DAY).isoformat(),
    )
    assert (events[1].payload["how"], events[1].payload["note"]) == ("resolved", "Delivered this morning.")


def test_an_obstacle_can_wait_on_a_person_or_another_unit_s_request(
    desk: dict[str, Any], filed: Request, facilities: dict[str, Any]
) -> None:
    on_person = _flag(desk, filed, waiting_on_person=desk["manager"].pk)
    on_request = _flag(desk, filed, waiting_on_request=facilities["request"].pk)

    assert (on_person.waiting_on, on_person.waiting_on_person) == ("person", desk["manager"])
    assert (on_request.waiting_on, on_request.waiting_on_request_id) == ("request", facilities["request"].pk)
    assert (
        Event.objects.get(type="servicedesk.obstacle_flagged", payload__obstacle=on_request.pk).payload[
            "waiting_on_key"
        ]
        == "FM-1"
    )
    listed = selectors.obstacles_of(request=filed)
    assert [obstacle.pk for obstacle in listed] == [on_request.pk, on_person.pk]  # newest first
    assert [o.request.key for o in selectors.obstacles_waiting_on(request=facilities["request"])] == ["IT-1"]


def test_resolving_the_request_resolves_its_open_obstacles(desk: dict[str, Any], filed: Request) -> None:
    open_one = _flag(desk, filed)
    done = _flag(desk, filed, waiting_on_person=desk["lead"].pk)
    services.obstacle_resolve(actor=desk["agent"].user, obstacle=done, now=MONDAY_10 + HOUR)

    desk_services.request_transition(
        actor=desk["agent"].user, request=filed, status="resolved", now=MONDAY_10 + 2 * HOUR
    )

    open_one.refresh_from_db()
    assert (open_one.state, open_one.resolved_at, open_one.resolved_by) == (
        "resolved",
        MONDAY_10 + 2 * HOUR,
        desk["agent"],
    )
    cleared = Event.objects.filter(type="servicedesk.obstacle_resolved").order_by("pk")
    assert [event.payload["how"] for event in cleared] == ["resolved", "request_resolved"]
    # Reopening brings nothing back.
    desk_services.request_transition(
        actor=desk["employee"].user, request=filed, status="in_progress", now=MONDAY_10 + 3 * HOUR
    )
    assert Obstacle.objects.filter(state="open").count() == 0


# --- who hears of it -------------------------------------------------------------------------------


def test_the_requester_and_the_watchers_are_told_at_once(
    desk: dict[str, Any], filed: Request, facilities: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    eve, mo, sam = desk["employee"], desk["manager"], desk["agent"]
    with django_capture_on_commit_callbacks(execute=True):
        obstacle = _flag(desk, filed, waiting_on_request=facilities["request"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.obstacle_resolve(actor=sam.user, obstacle=obstacle, note="The socket works.", now=MONDAY_10 + HOUR)

    for person in (eve, mo):
        assert [kind for kind in kinds_of(person) if "obstacle" in kind] == [
            "servicedesk.obstacle_flagged",
            "servicedesk.obstacle_resolved",
        ]
    assert [kind for kind in kinds_of(sam) if "obstacle" in kind] == []  # the actor hears nothing
    told = Notification.objects.get(recipient=eve.user, kind="servicedesk.obstacle_flagged")
    # Eve is in Berlin: Wednesday 09:00 UTC is 10:00 there.
    assert told.title == "IT-1 is held up until Wed 25 Nov 2026, 10:00"
    assert told.body == (
        "IT is held up with “Laptop for a new colleague”: The docking stations are out of stock. "
        "It waits on FM-1, and IT now expects to go on by Wed 25 Nov 2026, 10:00."
    )
    assert told.url == "/requests/IT-1/"
    resolved = Notification.objects.get(recipient=mo.user, kind="servicedesk.obstacle_resolved")
    assert resolved.title == "IT-1 is moving again"
    assert resolved.body == (
        "IT has cleared what held up “Laptop for a new colleague” (The docking stations are out of stock.). "
        "The socket works."
    )


def test_the_person_or_the_desk_waited_on_hears_of_it(
    desk: dict[str, Any], filed: Request, facilities: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    fay, mo, lena = facilities["lead"], desk["manager"], desk["lead"]
    with django_capture_on_commit_callbacks(execute=True):
        _flag(desk, filed, waiting_on_request=facilities["request"].pk)
    told = Notification.objects.get(recipient=fay.user, kind="servicedesk.obstacle_blocking_others")
    assert told.title == "FM-1 is blocking IT-1"
    assert told.url == "/requests/FM-1/"
    assert "“Blocking others” queue" in told.body
    assert "servicedesk.obstacle_blocking_others" not in kinds_of(lena)  # IT's own lead is not the blocker

    second = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    with django_capture_on_commit_callbacks(execute=True):
        _flag(desk, second, waiting_on_person=mo.pk)
    waits = Notification.objects.get(recipient=mo.user, kind="servicedesk.obstacle_waits_on_you")
    assert waits.title == "IT-2 waits on you"
    assert waits.body.startswith("IT is held up with “Laptop for a new colleague” and waits on you:")


def test_nobody_hears_of_obstacles_the_resolution_cleared(
    desk: dict[str, Any], filed: Request, django_capture_on_commit_callbacks: Any
) -> None:
    _flag(desk, filed)
    with django_capture_on_commit_callbacks(execute=True):
        desk_services.request_transition(
            actor=desk["agent"].user, request=filed, status="resolved", now=MONDAY_10 + HOUR
        )

    assert "servicedesk.obstacle_resolved" not in kinds_of(desk["employee"])


# --- refusals ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"expected_at": MONDAY_10 - HOUR}, "expected_at", "This time has already passed; choose one in the future."),
        ({"description": "  "}, "description", "This field is required."),
        (
            {"waiting_on_outside": None},
            "waiting_on",
            "Say what it waits on: one person, one request, or an outside party.",
        ),
        (
            {"waiting_on_person": 1, "waiting_on_outside": "The bank"},
            "waiting_on",
            "Say what it waits on: one person, one request, or an outside party.",
        ),
        (
            {"waiting_on_outside": None, "waiting_on_person": 999_999},
            "waiting_on",
            "No active person has the id 999999.",
        ),
        (
            {"waiting_on_outside": None, "waiting_on_request": 999_999},
            "waiting_on",
            "No request you can see has the id 999999.",
        ),
        ({"waiting_on_outside": "x" * 201}, "waiting_on", "Enter at most 200 characters."),
    ],
    ids=[
        "in_the_past",
        "no_description",
        "waits_on_nothing",
        "waits_on_two",
        "unknown_person",
        "unknown_request",
        "long",
    ],
)
def test_bad_input_is_a_clear_validation_error_that_changes_nothing(
    desk: dict[str, Any], filed: Request, changes: dict[str, Any], field: str, message: str
) -> None:
    arguments = {
        "description": "Out of stock.",
        "expected_at": MONDAY_10 + DAY,
        "waiting_on_outside": "The supplier",
        **changes,
    }
    error = refused(
        ValidationError,
        lambda: services.obstacle_flag(actor=desk["agent"].user, request=filed, now=MONDAY_10, **arguments),
    )

    assert error.message_dict == {field: [message]}  # type: ignore[attr-defined]


def test_a_request_cannot_wait_on_itself(desk: dict[str, Any], filed: Request) -> None:
    error = refused(ValidationError, lambda: _flag(desk, filed, waiting_on_request=filed.pk))

    assert error.message_dict == {"waiting_on": ["A request cannot wait on itself."]}  # type: ignore[attr-defined]


def test_a_request_the_agent_cannot_see_is_unknown(
    desk: dict[str, Any], filed: Request, facilities: dict[str, Any]
) -> None:
    hidden = request_create(requester=facilities["lead"], request_type=facilities["request_type"], subject="Hidden")

    error = refused(ValidationError, lambda: _flag(desk, filed, waiting_on_request=hidden.pk))

    assert error.message_dict == {  # type: ignore[attr-defined]
        "waiting_on": [f"No request you can see has the id {hidden.pk}."]
    }


def test_a_finished_request_is_nothing_to_wait_on(desk: dict[str, Any], filed: Request) -> None:
    other = request_create(requester=desk["employee"], request_type=desk["request_type"], subject="Done")
    desk_services.request_transition(actor=desk["agent"].user, request=other, status="resolved")

    error = refused(ValidationError, lambda: _flag(desk, filed, waiting_on_request=other.pk))

    assert error.message_dict == {  # type: ignore[attr-defined]
        "waiting_on": ["IT-2 is resolved already; there is nothing to wait for."]
    }


def test_only_the_desk_s_agents_flag_and_resolve(desk: dict[str, Any], filed: Request) -> None:
    obstacle = _flag(desk, filed)
    for person in ("employee", "manager"):
        who = desk[person]
        flag = refused(
            Forbidden,
            lambda who=who: services.obstacle_flag(
                actor=who.user, request=filed, description="x", expected_at=MONDAY_10 + DAY, waiting_on_outside="y"
            ),
        )
        assert str(flag) == "Only agents of IT can flag an obstacle on this request."
        resolve = refused(Forbidden, lambda who=who: services.obstacle_resolve(actor=who.user, obstacle=obstacle))
        assert str(resolve) == "Only agents of IT can resolve an obstacle on this request."


def test_resolving_twice_is_a_conflict(desk: dict[str, Any], filed: Request) -> None:
    obstacle = _flag(desk, filed)
    services.obstacle_resolve(actor=desk["agent"].user, obstacle=obstacle, now=MONDAY_10 + HOUR)

    error = refused(Conflict, lambda: services.obstacle_resolve(actor=desk["agent"].user, obstacle=obstacle))

    assert str(error) == "This obstacle is already resolved."


def test_a_finished_request_takes_no_obstacle(desk: dict[str, Any], filed: Request) -> None:
    desk_services.request_transition(actor=desk["agent"].user, request=filed, status="resolved", now=MONDAY_10)

    error = refused(Conflict, lambda: _flag(desk, filed, at=MONDAY_10 + HOUR))

    assert str(error) == "IT-1 is resolved; this is only possible while it is open."


# --- the stored clock ------------------------------------------------------------------------------


def _replayed(request: Request, clock: RequestClock, now: datetime) -> Any:
    return clockstore.replay(
        metric="resolution",
        standard=clock.standard,
        calendar_id=clock.calendar_id,
        history=clockstore.history_of(request.pk),
        now=now,
    )


def test_under_a_pausing_standard_two_business_hours_of_obstacle_move_the_deadline(desk: dict[str, Any]) -> None:
    _pausing_standard(desk)
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    # 8 business hours from Monday 10:00 Berlin (2.5 before lunch, 3.5 after): Tuesday 11:00.
    assert _resolution(request).due_at == TUESDAY_10_UTC
    flag_at = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)  # 13:30 Berlin, after lunch
    obstacle = _flag(desk, request, at=flag_at)

    paused = _resolution(request)
    assert (paused.state, paused.running, paused.due_at, paused.elapsed_seconds) == ("paused", False, None, 2.5 * 3600)
    request.refresh_from_db()
    assert request.next_due_at == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # the first response's, still running
    services.obstacle_resolve(actor=desk["agent"].user, obstacle=obstacle, now=flag_at + 2 * HOUR)  # 15:30

    resumed = _resolution(request)
    # Two business hours later: Tuesday 14:00 Berlin (Tuesday's lunch hour does not count).
    assert (resumed.state, resumed.due_at) == ("running", datetime(2026, 11, 24, 13, 0, tzinfo=UTC))
    # The replay of the history gives the stored clock exactly.
    replayed = _replayed(request, resumed, flag_at + 2 * HOUR)
    assert (replayed.state, replayed.due_at, replayed.elapsed.total_seconds(), replayed.at_risk_at) == (
        resumed.state,
        resumed.due_at,
        resumed.elapsed_seconds,
        resumed.at_risk_at,
    )


def test_under_a_standard_that_does_not_pause_the_internal_customer_still_waits(desk: dict[str, Any]) -> None:
    _pausing_standard(desk, pause=False)
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    flag_at = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)

    obstacle = _flag(desk, request, at=flag_at)
    assert (_resolution(request).state, _resolution(request).due_at) == ("running", TUESDAY_10_UTC)
    services.obstacle_resolve(actor=desk["agent"].user, obstacle=obstacle, now=flag_at + 2 * HOUR)

    clock = _resolution(request)
    assert (clock.state, clock.due_at) == ("running", TUESDAY_10_UTC)
    assert _replayed(request, clock, flag_at + 2 * HOUR).due_at == TUESDAY_10_UTC


def test_recomputing_after_a_standard_edit_takes_up_its_obstacle_rule(
    desk: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _pausing_standard(desk, pause=False)
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    flag_at = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)
    obstacle = _flag(desk, request, at=flag_at)
    services.obstacle_resolve(actor=desk["agent"].user, obstacle=obstacle, now=flag_at + 2 * HOUR)
    assert _resolution(request).due_at == TUESDAY_10_UTC

    with django_capture_on_commit_callbacks(execute=True):
        _pausing_standard(desk, pause=True)  # recomputes the open clocks (a task, run at once)

    clock = _resolution(request)
    assert clock.standard.obstacles_pause_resolution is True
    # The history is replayed under the new version: the past obstacle now paused it.
    assert clock.due_at == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
