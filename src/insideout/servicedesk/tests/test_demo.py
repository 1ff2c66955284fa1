"""The service desk demo: desks and catalogs for every service unit, and requests whose stored clocks
and rows are exactly what the history they were written with gives."""

from __future__ import annotations

import contextlib
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insideout.core.models import Event
from insideout.people import demo as people_demo
from insideout.people.models import Employee, Unit, UnitKind, User
from insideout.servicedesk import clockstore, demo, selectors, services
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

EMPLOYEES = 60
REQUESTS = 200
SEED = 7


@pytest.fixture(autouse=True)
def _fresh_calendars():
    # Calendar versions are cached by id; a rolled-back test may have used the same ids for others.
    clockstore._calendar_cached.cache_clear()
    yield
    clockstore._calendar_cached.cache_clear()


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def loaded(db, now):
    return demo.demo_load(employees=EMPLOYEES, requests=REQUESTS, seed=SEED, now=now)[1]


def _employee(username):
    return Employee.objects.select_related("user").get(user__username=username)


def test_every_service_department_gets_a_desk_with_a_catalog_and_standards(loaded):
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


def test_calendars_differ_in_zone_and_country_with_lunch_breaks_holidays_and_closures(loaded):
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


def test_forms_use_every_kind_of_field_but_files_and_every_assignment_rule(loaded):
    kinds = set(RequestField.objects.values_list("type", flat=True))

    assert kinds == {"text", "long_text", "choice", "multi_choice", "date", "number", "person"}
    assert set(RequestType.objects.values_list("assignment", flat=True)) == {"manual", "round_robin", "least_loaded"}
    assert RequestField.objects.filter(required=True).count() > 0
    assert RequestField.objects.filter(required=False).count() > 0


def test_urgent_requests_count_around_the_clock_at_some_desks(loaded):
    around_the_clock = ServiceStandard.objects.filter(business_hours=False)

    assert set(around_the_clock.values_list("request_type__service__desk__prefix", flat=True)) == {"IT", "FAC", "SEC"}
    assert set(around_the_clock.values_list("priority", flat=True)) == {"P1"}


def test_requests_exist_in_every_status_and_are_numbered_per_desk(loaded):
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


def test_replaying_each_history_reproduces_its_stored_clocks_and_queue_fields(loaded, now):
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


def test_request_rows_agree_with_their_history(loaded):
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
        assert all(event.occurred_at <= request.updated_at for event in events if "clock_" not in event.type)
    assert Event.objects.filter(dispatched_at__isnull=True).count() == 0


def test_most_clocks_are_met_some_breached_some_paused_some_reopened(loaded):
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


def test_a_sweep_right_after_the_load_has_nothing_old_to_announce(loaded, now):
    assert services.clocks_sweep(now=now) == services.SweepResult(at_risk=0, breached=0, closed=0)


def test_demo_accounts_have_their_stories(loaded):
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


def _snapshot():
    requests = list(
        Request.objects.order_by("pk").values_list(
            "desk__prefix",
            "number",
            "requester__user__username",
            "assignee__user__username",
            "priority",
            "status",
            "subject",
            "field_values",
            "created_at",
            "next_due_at",
            "sla_flag",
        )
    )
    comments = list(Comment.objects.order_by("pk").values_list("request__number", "author__user__username", "body"))
    events = list(
        Event.objects.filter(subject_type="servicedesk.request")
        .order_by("pk")
        .values_list("type", "occurred_at", "payload")
    )
    return requests, comments, events


class _Undo(Exception):
    pass


def test_the_same_seed_and_moment_give_the_same_requests(db, now):
    with contextlib.suppress(_Undo), transaction.atomic():
        demo.demo_load(employees=EMPLOYEES, requests=REQUESTS, seed=SEED, now=now)
        first = _snapshot()
        raise _Undo
    assert Request.objects.count() == 0
    clockstore._calendar_cached.cache_clear()

    demo.demo_load(employees=EMPLOYEES, requests=REQUESTS, seed=SEED, now=now)

    assert _snapshot() == first
    assert len(first[0]) == REQUESTS


def test_no_requests_gives_desks_and_catalogs_only(db, now):
    result = demo.demo_load(employees=EMPLOYEES, requests=0, seed=SEED, now=now)[1]

    assert (result.desks, result.requests, result.comments) == (8, 0, 0)
    assert Desk.objects.count() == 8
    assert RequestType.objects.count() == 38
    assert Request.objects.count() == RequestClock.objects.count() == 0
    assert set(Desk.objects.values_list("next_number", flat=True)) == {1}


def test_refuses_a_database_with_desks_and_changes_nothing(loaded, now):
    with pytest.raises(demo.DemoError, match="Service desks exist already"):
        demo.desks_load(requests=10, seed=SEED, now=now)

    assert Request.objects.count() == REQUESTS


def _statements(queries):
    """Statements other than the batches of event rows (bulk_create splits those by the database's limit)."""
    return [query["sql"] for query in queries if not query["sql"].startswith('INSERT INTO "core_event"')]


@pytest.mark.parametrize("requests", [150, 300])
def test_the_load_writes_in_bulk(db, now, requests):
    """The same statements for twice the requests: nothing is written or read per request."""
    people_demo.demo_load(employees=EMPLOYEES, seed=SEED)
    with CaptureQueriesContext(connection) as queries:
        result = demo.desks_load(requests=requests, seed=SEED, now=now)

    assert len(_statements(queries.captured_queries)) == 217
    event_batches = len(queries.captured_queries) - len(_statements(queries.captured_queries))
    assert event_batches <= result.events / 100


def test_command_loads_people_and_desks_and_prints_progress(db):
    out = StringIO()

    call_command("demo", "--employees", str(EMPLOYEES), "--requests", "120", "--seed", str(SEED), stdout=out)

    output = out.getvalue()
    assert "Loading a demo organisation of 60 people and 120 service requests (seed 7)…\n" in output
    assert "  desks 8/8\n" in output
    assert "  requests 120/120\n" in output
    assert "Loaded 8 service desks (23 services, 38 request types) and 120 requests with " in output
    assert Request.objects.count() == 120
    assert User.objects.filter(username="sam").exists()


def test_command_with_people_but_no_desks_loads_nothing(db):
    people_demo.demo_load(employees=EMPLOYEES, seed=SEED)
    out = StringIO()

    call_command("demo", "--employees", str(EMPLOYEES), "--if-empty", stdout=out)

    assert out.getvalue().startswith(f"The directory already has {EMPLOYEES} people")
    assert Desk.objects.count() == 0


def test_the_open_work_is_spread_over_recent_weeks(loaded, now):
    open_requests = Request.objects.filter(status__in=OPEN_STATUSES)

    assert open_requests.count() > 0
    assert all(request.created_at > now - timedelta(days=60) for request in open_requests)
    assert Request.objects.filter(created_at__lt=now - timedelta(days=365)).count() > 0
    assert Request.objects.filter(created_at__gte=now).count() == 0
