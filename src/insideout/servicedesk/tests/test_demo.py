"""The service desk demo: desks and catalogs for every service unit, and requests whose stored clocks
and rows are exactly what the history they were written with gives."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from insideout.core.models import Event
from insideout.people.models import Employee, Unit, UnitKind
from insideout.servicedesk import clockstore, demo, selectors, services
from insideout.servicedesk.cooperation import events as cooperation_events
from insideout.servicedesk.cooperation.models import Commitment, Feedback, FollowUp, NeededBy, ThankYou
from insideout.servicedesk.models import (
    OPEN_STATUSES,
    Comment,
    Desk,
    Request,
    RequestClock,
    RequestField,
    RequestType,
    Service,
    ServiceStandard,
    SlaFlag,
    Status,
    Watcher,
)

# The same small organisation, and the autouse fixture that forgets cached calendar versions.
from insideout.servicedesk.tests.test_demo_load import EMPLOYEES, REQUESTS, SEED, _fresh_calendars  # noqa: F401

COOPERATION_EVENTS = {
    value for name, value in vars(cooperation_events).items() if name.isupper() and isinstance(value, str)
}


@pytest.fixture(scope="module")
def now():
    # A fixed instant: the demo's history is drawn relative to it, so the same seed gives the same
    # requests whatever the time of the run (a Wednesday morning in Europe).
    return datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, now):
    """One load for the whole module, in a transaction rolled back at its end (like TestCase.setUpTestData);
    each test runs in a savepoint inside it, so what a test writes is undone after it."""
    with django_db_blocker.unblock():
        clockstore._calendar_cached.cache_clear()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield demo.demo_load(employees=EMPLOYEES, requests=REQUESTS, seed=SEED, now=now)[1]
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            clockstore._calendar_cached.cache_clear()


def _employee(username):
    return Employee.objects.select_related("user").get(user__username=username)


def test_every_service_department_gets_a_desk_with_a_catalog_and_standards(db, loaded):
    departments = Unit.objects.filter(kind=UnitKind.DEPARTMENT, provides_services=True)
    desks = Desk.objects.select_related("unit", "calendar")

    assert sorted(desk.unit.code for desk in desks) == sorted(departments.values_list("code", flat=True))
    assert sorted(desk.prefix for desk in desks) == ["FAC", "FIN", "HR", "IT", "LEG", "MKT", "PRC", "SEC"]
    assert (loaded.desks, loaded.services, loaded.request_types) == (8, Service.objects.count(), 38)
    for desk in desks:
        assert desk.services.count() >= 1
        types = RequestType.objects.filter(service__desk=desk)
        assert types.count() >= 2
        for request_type in types:
            standards = ServiceStandard.objects.filter(request_type=request_type, is_current=True)
            assert sorted(standards.values_list("priority", flat=True)) == ["P1", "P2", "P3", "P4"]
            assert all(standard.pausing_statuses == ["waiting_on_requester"] for standard in standards)
            for standard in standards:
                assert standard.first_response_minutes < standard.resolution_minutes
        assert desk.calendar.version == 1
        assert desk.calendar_versions.count() == 1


def test_calendars_differ_in_zone_and_country_with_lunch_breaks_holidays_and_closures(db, loaded):
    calendars = {desk.prefix: desk.calendar for desk in Desk.objects.select_related("calendar")}

    assert len({calendar.time_zone for calendar in calendars.values()}) == 7
    assert len({calendar.country for calendar in calendars.values()}) == 7
    assert (calendars["FAC"].country, calendars["FAC"].subdivision) == ("DE", "HH")
    assert (calendars["IT"].time_zone, calendars["IT"].country, calendars["IT"].subdivision) == (
        "Europe/Berlin",
        "DE",
        "BE",
    )
    assert calendars["IT"].week["mon"] == [["08:00", "12:30"], ["13:30", "18:00"]]
    assert calendars["HR"].week["mon"] == [["09:00", "17:30"]]
    assert "sat" not in calendars["IT"].week
    assert calendars["PRC"].week["fri"] == [["08:00", "15:00"]]
    assert sum(1 for calendar in calendars.values() if calendar.holidays) == 4
    assert sum(1 for calendar in calendars.values() if calendar.closures) == 3
    for calendar in calendars.values():
        # Stored as the calendar service cleans them.
        _calendar, values = services.calendar_validate(
            time_zone=calendar.time_zone,
            week=calendar.week,
            country=calendar.country,
            subdivision=calendar.subdivision,
            holidays=calendar.holidays,
            closures=calendar.closures,
        )
        assert values["holidays"] == calendar.holidays
        assert values["closures"] == calendar.closures


def test_forms_use_every_kind_of_field_but_files_and_every_assignment_rule(db, loaded):
    kinds = set(RequestField.objects.values_list("type", flat=True))

    assert kinds == {"text", "long_text", "choice", "multi_choice", "date", "number", "person"}
    assert set(RequestType.objects.values_list("assignment", flat=True)) == {"manual", "round_robin", "least_loaded"}
    assert RequestField.objects.filter(required=True).count() > 0
    assert RequestField.objects.filter(required=False).count() > 0


def test_revised_standards_bind_open_clocks_and_keep_finished_ones(db, loaded):
    revised = ServiceStandard.objects.filter(version=2).select_related("request_type")
    lena = _employee("lena")

    assert sorted((s.request_type.name, s.priority) for s in revised) == [
        ("Password or MFA reset", "P2"),
        ("Software problem", "P3"),
    ]
    for standard in revised:
        old = ServiceStandard.objects.get(request_type=standard.request_type, priority=standard.priority, version=1)
        assert (old.is_current, standard.is_current, standard.created_by_id) == (False, True, lena.user_id)
        assert standard.resolution_minutes < old.resolution_minutes
        changed = Event.objects.get(type="servicedesk.standard_changed", payload__standard=standard.pk)
        assert (changed.occurred_at, changed.payload["version"]) == (standard.created_at, 2)
        clocks = RequestClock.objects.filter(
            request__request_type=standard.request_type, request__priority=standard.priority
        )
        # Filed before the revision and finished by then: the old version; filed after it: the new one.
        assert clocks.filter(standard=old, request__created_at__gte=standard.created_at).count() == 0
        assert clocks.filter(standard=standard, request__created_at__gte=standard.created_at).count() > 0
        assert clocks.filter(standard=old, met_at__lt=standard.created_at).count() > 0
        assert clocks.filter(standard=standard, met_at__lt=standard.created_at).count() == 0


def test_urgent_requests_count_around_the_clock_at_some_desks(db, loaded):
    around_the_clock = ServiceStandard.objects.filter(business_hours=False)

    assert set(around_the_clock.values_list("request_type__service__desk__prefix", flat=True)) == {"IT", "FAC", "SEC"}
    assert set(around_the_clock.values_list("priority", flat=True)) == {"P1"}


def test_requests_exist_in_every_status_and_are_numbered_per_desk(db, loaded):
    statuses = Counter(Request.objects.values_list("status", flat=True))

    assert set(statuses) == set(Status.values)
    assert loaded.requests == REQUESTS == Request.objects.count()
    assert statuses[Status.CLOSED] > REQUESTS / 2
    for desk in Desk.objects.all():
        numbers = sorted(desk.requests.values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
        assert desk.next_number == len(numbers) + 1
    assert loaded.comments == Comment.objects.count()
    assert loaded.events == Event.objects.filter(subject_type__startswith="servicedesk.").count()


def test_replaying_each_history_reproduces_its_stored_clocks_and_queue_fields(db, loaded, now):
    checked = 0
    for request in Request.objects.select_related("desk").order_by("pk"):
        history = clockstore.history_of(request.pk)
        clocks = list(RequestClock.objects.filter(request=request).select_related("standard").order_by("metric"))
        assert [clock.metric for clock in clocks] == ["first_response", "resolution"]
        for clock in clocks:
            assert clock.standard.priority == request.priority
            assert clock.standard.request_type_id == request.request_type_id
            assert clock.calendar_id == (request.desk.calendar_id if clock.standard.business_hours else None)
            assert clock.computed_at == now
            state = clockstore.replay(
                metric=clock.metric,
                standard=clock.standard,
                calendar_id=clock.calendar_id,
                history=history,
                now=clock.computed_at,
            )
            assert (
                clock.state,
                clock.running,
                clock.elapsed_seconds,
                clock.due_at,
                clock.at_risk_at,
                clock.met_at,
                clock.breached_at,
            ) == (
                state.state,
                not state.paused and state.met_at is None,
                state.elapsed.total_seconds(),
                state.due_at,
                state.at_risk_at,
                state.met_at,
                state.breached_at,
            )
            checked += 1
        assert clockstore.flags_for(status=request.status, clocks=clocks, now=now) == (
            request.next_due_at,
            request.sla_flag,
        )
    assert checked == 2 * REQUESTS


def test_request_rows_agree_with_their_history(db, loaded):
    for request in Request.objects.select_related("desk").order_by("pk"):
        events = list(
            Event.objects.filter(subject_type="servicedesk.request", subject_id=str(request.pk)).order_by(
                "occurred_at", "pk"
            )
        )
        opened = events[0]
        assert (opened.type, opened.payload["number"], opened.occurred_at) == (
            "servicedesk.request_opened",
            request.key,
            request.created_at,
        )
        statuses = [event for event in events if event.type == "servicedesk.request_status_changed"]
        assert request.status == (statuses[-1].payload["to"] if statuses else Status.NEW)
        previous = Status.NEW
        for event in statuses:
            assert event.payload["from"] == previous
            assert event.payload["to"] in services.AGENT_TRANSITIONS[previous] | services.REQUESTER_TRANSITIONS.get(
                previous, frozenset()
            )
            previous = event.payload["to"]
        first = [event.occurred_at for event in events if event.type == "servicedesk.request_first_response"]
        assert request.first_responded_at == (first[0] if first else None)
        assert len(first) <= 1
        comments = [event.payload["comment"] for event in events if event.type == "servicedesk.request_commented"]
        assert comments == list(request.comments.order_by("created_at", "pk").values_list("pk", flat=True))
        assigned = [event.payload["to"] for event in events if event.type == "servicedesk.request_assigned"]
        assert request.assignee_id == (assigned[-1] if assigned else None)
        if request.status == Status.RESOLVED:
            assert request.auto_close_at == services._auto_close_at(request.desk, request.resolved_at)
        else:
            assert request.auto_close_at is None
        assert (request.closed_at is not None) == (request.status == Status.CLOSED)
        # The request's own changes (a rating or a thank-you comes after it and changes nothing on it).
        own = [event for event in events if "clock_" not in event.type and event.type not in COOPERATION_EVENTS]
        assert all(event.occurred_at <= request.updated_at for event in own)
    assert Event.objects.filter(dispatched_at__isnull=True).count() == 0


def test_most_clocks_are_met_some_breached_some_paused_some_reopened(db, loaded):
    states = Counter(RequestClock.objects.values_list("metric", "state"))
    met, breached = states[("resolution", "met")], states[("resolution", "breached")]

    assert met > 3 * breached > 0
    assert states[("first_response", "met")] > 3 * states[("first_response", "breached")] > 0
    assert states[("resolution", "paused")] == Request.objects.filter(status=Status.WAITING_ON_REQUESTER).count() > 0
    resumed = Event.objects.filter(
        type="servicedesk.request_status_changed",
        payload__reason="requester_replied",
        payload__from="waiting_on_requester",
    )
    reopened = Event.objects.filter(
        type="servicedesk.request_status_changed", payload__from="resolved", payload__to="in_progress"
    )
    assert resumed.count() > 10
    assert reopened.count() > 0
    assert Event.objects.filter(type="servicedesk.request_status_changed", payload__reason="auto_closed").count() > 0
    assert Comment.objects.filter(internal=True).count() > 0
    assert Watcher.objects.count() > 0
    assert Request.objects.filter(status__in=OPEN_STATUSES, assignee__isnull=True).count() > 0


def test_a_sweep_right_after_the_load_has_nothing_old_to_announce(db, loaded, now):
    assert services.clocks_sweep(now=now) == services.SweepResult(at_risk=0, breached=0, closed=0)


def test_demo_accounts_have_their_stories(db, loaded):
    alex, sam, lena = _employee("alex"), _employee("sam"), _employee("lena")
    it_desk = Desk.objects.get(prefix="IT")

    alex_statuses = set(Request.objects.filter(requester=alex).values_list("status", flat=True))
    assert alex_statuses == set(Status.values)
    assert Request.objects.filter(requester=alex, status__in=OPEN_STATUSES, sla_flag=SlaFlag.BREACHED).exists()
    sam_open = Request.objects.filter(assignee=sam, status__in=OPEN_STATUSES)
    assert {SlaFlag.AT_RISK, SlaFlag.BREACHED, SlaFlag.NONE} <= set(sam_open.values_list("sla_flag", flat=True))
    assert set(sam_open.values_list("desk__prefix", flat=True)) == {"IT"}
    assert selectors.access_for(lena.user).is_admin(it_desk.pk)
    assert selectors.access_for(sam.user).is_agent(it_desk.pk)
    assert not selectors.access_for(alex.user).is_agent(it_desk.pk)
    mine = selectors.request_queue_for(actor=sam.user, queue="mine")
    assert mine.count() == sam_open.count()
    assert selectors.queue_counts_for(actor=sam.user)["breached"] > 0


def test_refuses_a_database_with_desks_and_changes_nothing(db, loaded, now):
    with pytest.raises(demo.DemoError, match="Service desks exist already"):
        demo.desks_load(requests=10, seed=SEED, now=now)

    assert Request.objects.count() == REQUESTS


def test_the_open_work_is_spread_over_recent_weeks(db, loaded, now):
    open_requests = Request.objects.filter(status__in=OPEN_STATUSES)

    assert open_requests.count() > 0
    assert all(request.created_at > now - timedelta(days=60) for request in open_requests)
    assert Request.objects.filter(created_at__lt=now - timedelta(days=365)).count() > 0
    assert Request.objects.filter(created_at__gte=now).count() == 0


def test_the_history_has_promises_mostly_kept_negotiations_ratings_and_thanks(db, loaded):
    states = Counter(Commitment.objects.values_list("state", flat=True))
    assert states["kept"] > 2 * states["broken"] > 0
    assert Commitment.objects.filter(request__isnull=True).exists()  # promises between colleagues too
    assert Commitment.objects.filter(moves__gt=0).exists()
    for commitment in Commitment.objects.filter(request__isnull=False).exclude(state="open").select_related("request"):
        # Kept: resolved by the promised time; broken: at the promised time, by the sweep.
        if commitment.state == "kept":
            assert commitment.settled_at == commitment.request.resolved_at <= commitment.due_at
        else:
            assert commitment.settled_at == commitment.due_at
        assert commitment.revisions.count() == commitment.moves + 1
    assert set(NeededBy.objects.values_list("state", flat=True)) <= {"accepted", "withdrawn"}
    assert NeededBy.objects.filter(state="accepted", commitment__isnull=False).exists()
    ratings = Counter(Feedback.objects.values_list("rating", flat=True))
    assert ratings[5] + ratings[4] > 3 * (ratings[1] + ratings[2]) > 0
    assert FollowUp.objects.count() == ratings[1] + ratings[2]
    assert not Feedback.objects.exclude(request__status__in=["resolved", "closed"]).exists()
    assert ThankYou.objects.exists()
    for thanks in ThankYou.objects.select_related("request")[:20]:
        assert thanks.created_at > thanks.request.resolved_at
        assert list(thanks.recipients.values_list("pk", flat=True)) == [thanks.request.assignee_id]
    made = Event.objects.filter(type="servicedesk.commitment_made").count()
    assert made == Commitment.objects.count()
