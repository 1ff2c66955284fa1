"""The service desk demo: desks and catalogs for every service unit, and requests whose stored clocks
and rows are exactly what the history they were written with gives."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from insideout.core.models import Event
from insideout.people.models import Employee, Unit, UnitKind
from insideout.servicedesk import clockstore, demo, selectors, services
from insideout.servicedesk.cooperation import agreement_selectors, agreements
from insideout.servicedesk.cooperation import events as cooperation_events
from insideout.servicedesk.cooperation.models import (
    Agreement,
    Commitment,
    Feedback,
    FollowUp,
    NeededBy,
    Obstacle,
    ThankYou,
)
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
    revised = ServiceStandard.objects.filter(version=2, agreement_target__isnull=True).select_related("request_type")
    lena = _employee("lena")

    assert sorted((s.request_type.name, s.priority) for s in revised) == [
        ("Password or MFA reset", "P2"),
        ("Software problem", "P3"),
    ]
    for standard in revised:
        old = ServiceStandard.objects.get(
            request_type=standard.request_type, priority=standard.priority, version=1, agreement_target__isnull=True
        )
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
    waiting = Request.objects.filter(status=Status.WAITING_ON_REQUESTER)
    # Paused while waiting on the requester, or by an open obstacle where the standard says so (ADR 0011).
    blocked = RequestClock.objects.filter(
        metric="resolution", standard__obstacles_pause_resolution=True, request__obstacles__state="open"
    ).exclude(request__status=Status.WAITING_ON_REQUESTER)
    assert states[("resolution", "paused")] == waiting.count() + blocked.distinct().count()
    assert waiting.count() > 0
    assert blocked.filter(state="paused").exists()
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
    # Expiries and review reminders were the sweep's, at their time; none is due now.
    assert agreements.agreements_sweep(now=now) == agreements.AgreementSweep(reminded=0, expired=0)


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


def _agreements():
    return {
        agreement.title: agreement
        for agreement in Agreement.objects.select_related("provider", "consumer", "current").order_by("pk")
    }


def _history(agreement):
    return [
        (event.type.removeprefix("servicedesk.agreement_"), event.actor_id)
        for event in Event.objects.filter(subject_type="servicedesk.agreement", subject_id=str(agreement.pk)).order_by(
            "occurred_at", "pk"
        )
    ]


def test_agreements_between_pairs_of_units_are_in_every_state_with_their_history(db, loaded, now):
    agreements_by_title = _agreements()
    leads = {
        agreement.title: (agreement.provider.lead.user_id, agreement.consumer.lead.user_id)
        for agreement in Agreement.objects.select_related("provider__lead", "consumer__lead")
    }

    assert {title: (a.provider.code, a.consumer.code, a.state) for title, a in agreements_by_title.items()} == {
        "IT support for Sales": ("IT", "SAL", "active"),
        "People services for Engineering": ("HR", "ENG", "active"),
        "Workplace services for Finance": ("FAC", "FIN", "active"),
        "IT support for the plants": ("IT", "MFG", "expired"),
        "Contract reviews for Sales": ("LEG", "SAL", "proposed"),
        "Design support for Product": ("MKT", "PRD", "draft"),
    }
    versions = {
        title: [(v.number, v.state) for v in agreement_selectors.versions_of(agreement=a)[::-1]]
        for title, a in agreements_by_title.items()
    }
    assert versions == {
        "IT support for Sales": [(1, "accepted")],
        "People services for Engineering": [(1, "superseded"), (2, "accepted")],
        "Workplace services for Finance": [(1, "accepted"), (2, "proposed")],
        "IT support for the plants": [(1, "accepted")],
        "Contract reviews for Sales": [(1, "proposed")],
        "Design support for Product": [(1, "draft")],
    }
    it_sales, hr_eng, fac_fin, plants, legal, design = agreements_by_title.values()
    provider, consumer = leads[it_sales.title]
    assert _history(it_sales) == [
        ("created", provider),
        ("proposed", provider),
        ("accepted", consumer),
        ("activated", consumer),
    ]
    provider, consumer = leads[hr_eng.title]
    assert _history(hr_eng) == [
        ("created", consumer),
        ("proposed", consumer),
        ("accepted", provider),
        ("activated", provider),
        ("proposed", provider),  # the revision
        ("accepted", consumer),
        ("activated", consumer),
    ]
    provider, consumer = leads[fac_fin.title]
    assert _history(fac_fin)[-1] == ("proposed", consumer)  # a revision waiting for Facilities
    pending = agreement_selectors.pending_of(agreement=fac_fin)
    assert pending.consumer_accepted_by.user_id == consumer
    assert (pending.provider_accepted_at, pending.reason != "") == (None, True)
    assert _history(plants)[-2:] == [("review_due", None), ("expired", None)]
    assert plants.current.review_on < plants.expired_at.date() <= now.date()
    assert plants.reminded_for == plants.current.review_on
    assert _history(legal) == [("created", leads[legal.title][0]), ("proposed", leads[legal.title][0])]
    assert _history(design) == [("created", leads[design.title][1])]
    for agreement in agreements_by_title.values():
        last = Event.objects.filter(subject_type="servicedesk.agreement", subject_id=str(agreement.pk))
        assert agreement.updated_at == last.latest("occurred_at").occurred_at
    for agreement in (it_sales, hr_eng, fac_fin):
        version = agreement.current
        # Accepted by both leads, in force today, and with tighter targets than the public standards.
        assert (version.provider_accepted_by.user_id, version.consumer_accepted_by.user_id) == leads[agreement.title]
        assert version.starts_on <= now.date() <= version.review_on - timedelta(days=version.remind_days)
        assert agreement.reminded_for is None
        public = agreement_selectors.public_targets(services=list(version.services.all()))
        targets = list(version.targets.all())
        assert targets
        for target in targets:
            first, resolution = public[(target.service_id, target.priority)]
            assert (target.first_response_minutes, target.resolution_minutes) < (first, resolution)
            assert target.resolution_minutes < resolution


def _runs_under(agreement, request):
    """Whether ``request`` was made under ``agreement``, by the rule of ADR 0012, from the versions'
    history: someone of the consuming unit, a covered service, while the terms were in force."""
    person = request.on_behalf_of or request.requester
    if request.desk.unit_id != agreement.provider_id or not person.unit.path.startswith(agreement.consumer.path):
        return False
    accepted = list(
        agreement.versions.filter(decided_at__isnull=False).exclude(state="declined").order_by("decided_at")
    )
    in_force = [version for version in accepted if version.decided_at <= request.created_at]
    if not in_force or (agreement.expired_at is not None and request.created_at >= agreement.expired_at):
        return False
    version = in_force[-1]
    day = timezone.localdate(request.created_at)
    return (
        version.starts_on <= day <= version.review_on
        and version.services.filter(pk=request.request_type.service_id).exists()
    )


def test_requests_from_the_consuming_units_run_under_their_agreements(db, loaded):
    requests = list(
        Request.objects.select_related("desk", "request_type", "requester__unit", "on_behalf_of__unit").order_by("pk")
    )
    linked = Counter()
    for agreement in _agreements().values():
        expected = {request.pk for request in requests if _runs_under(agreement, request)}
        actual = set(Request.objects.filter(agreement=agreement).values_list("pk", flat=True))
        assert actual == expected, agreement.title
        linked[agreement.state] += len(actual)
    assert linked["active"] > 0
    assert (linked["draft"], linked["proposed"]) == (0, 0)
    assert Request.objects.filter(agreement__isnull=False).count() == sum(linked.values())
    opened = Event.objects.filter(type="servicedesk.request_opened", payload__agreement__isnull=False)
    assert sorted(int(event.subject_id) for event in opened) == sorted(
        Request.objects.filter(agreement__isnull=False).values_list("pk", flat=True)
    )


def test_clocks_under_an_agreement_run_under_agreed_standards_with_its_targets(db, loaded):
    clocks = RequestClock.objects.filter(request__agreement__isnull=False).select_related(
        "request__request_type", "standard__agreement_target__version", "standard__based_on"
    )
    agreed = [clock for clock in clocks if clock.standard.agreement_target_id is not None]

    assert agreed
    assert not RequestClock.objects.filter(
        request__agreement__isnull=True, standard__agreement_target__isnull=False
    ).exists()
    for clock in agreed:
        standard, target, request = clock.standard, clock.standard.agreement_target, clock.request
        public = standard.based_on
        assert target.version.agreement_id == request.agreement_id
        assert (target.service_id, target.priority) == (request.request_type.service_id, request.priority)
        assert (standard.first_response_minutes, standard.resolution_minutes) == (
            target.first_response_minutes,
            target.resolution_minutes,
        )
        assert clock.target_seconds == 60 * (
            standard.first_response_minutes if clock.metric == "first_response" else standard.resolution_minutes
        )
        # The public version's other rules, as agreement_selectors.standard_for writes an agreed standard.
        assert public.agreement_target_id is None
        assert (standard.is_current, standard.request_type_id, standard.priority, standard.version) == (
            False,
            public.request_type_id,
            public.priority,
            public.version,
        )
        assert (standard.business_hours, standard.at_risk_percent, standard.pausing_statuses) == (
            public.business_hours,
            public.at_risk_percent,
            public.pausing_statuses,
        )
        assert standard.obstacles_pause_resolution == public.obstacles_pause_resolution
    # The services would bind an open request's running clocks to the same rows.
    for request in Request.objects.filter(agreement__isnull=False, status__in=OPEN_STATUSES):
        expected = agreement_selectors.standard_for(request=request)
        for clock in RequestClock.objects.filter(request=request, met_at__isnull=True):
            assert clock.standard_id == expected.pk
    assert ServiceStandard.objects.filter(agreement_target__isnull=False).count() == len(
        {clock.standard_id for clock in agreed}
    )
    # Every agreed target is tighter than what the request would have had.
    assert all(clock.standard.resolution_minutes < clock.standard.based_on.resolution_minutes for clock in agreed)


def test_adherence_of_an_active_agreement_has_figures(db, loaded, now):
    it_sales = _agreements()["IT support for Sales"]

    report = agreement_selectors.adherence_of(agreement=it_sales, start=it_sales.activated_at, end=now)

    requests = Request.objects.filter(agreement=it_sales)
    assert report.requests == requests.count() > 0
    assert report.open_requests == requests.filter(status__in=OPEN_STATUSES).count()
    assert [metric.metric for metric in report.metrics] == ["first_response", "resolution"]
    for metric in report.metrics:
        assert metric.met + metric.breached + metric.running == report.requests
        assert metric.finished > 0
        assert 0 <= metric.rate <= 1
    payload = agreements.adherence_payload(report)
    assert payload["requests"] == report.requests
    # The reminder before the expired agreement's review date carried its report of that time.
    plants = _agreements()["IT support for the plants"]
    reminder = Event.objects.get(type=agreements.AGREEMENT_REVIEW_DUE, subject_id=str(plants.pk))
    report = agreement_selectors.adherence_of(agreement=plants, start=plants.activated_at, end=reminder.occurred_at)
    assert reminder.payload["report"] == agreements.adherence_payload(report)


def test_obstacles_are_flagged_and_resolved_some_wait_on_other_desks_requests(db, loaded):
    obstacles = list(
        Obstacle.objects.select_related("request__desk", "waiting_on_request__desk").order_by("created_at", "pk")
    )
    kinds = Counter((obstacle.state, obstacle.waiting_on) for obstacle in obstacles)

    assert kinds[("resolved", "outside")] > 0
    assert kinds[("open", "outside")] > 0
    assert kinds[("open", "request")] > 0
    for obstacle in obstacles:
        request = obstacle.request
        flagged = Event.objects.get(type="servicedesk.obstacle_flagged", payload__obstacle=obstacle.pk)
        assert (flagged.subject_id, flagged.occurred_at) == (str(request.pk), obstacle.created_at)
        assert flagged.actor_id == obstacle.flagged_by.user_id
        assert flagged.payload["waiting_on"] == obstacle.waiting_on
        assert selectors.access_for(obstacle.flagged_by.user).is_agent(request.desk_id)
        assert obstacle.expected_at > obstacle.created_at
        assert request.created_at < obstacle.created_at
        resolved = Event.objects.filter(type="servicedesk.obstacle_resolved", payload__obstacle=obstacle.pk)
        if obstacle.state == "open":
            assert request.status in OPEN_STATUSES  # nothing blocks a finished request
            assert not resolved.exists()
        else:
            event = resolved.get()
            assert (event.occurred_at, event.payload["note"]) == (obstacle.resolved_at, obstacle.resolution_note)
            assert event.actor_id == (obstacle.resolved_by.user_id if obstacle.resolved_by else None)
        if obstacle.waiting_on == "request":
            waited = obstacle.waiting_on_request
            # Filed by the agent who flags it, at another desk, and open when it was flagged.
            assert (waited.desk_id != request.desk_id, waited.requester_id) == (True, obstacle.flagged_by_id)
            assert flagged.payload["waiting_on_key"] == waited.key
            assert waited.created_at <= obstacle.created_at
            if obstacle.state == "open":
                assert waited.status in OPEN_STATUSES
            else:
                assert obstacle.resolved_at > waited.resolved_at or waited.status in OPEN_STATUSES
        # Flagging and resolving are public updates.
        assert request.last_update_at >= (obstacle.resolved_at or obstacle.created_at)


def test_the_desk_whose_request_blocks_others_sees_them(db, loaded):
    waiting = Obstacle.objects.filter(state="open", waiting_on="request").select_related("waiting_on_request__desk")

    assert waiting.exists()
    for obstacle in waiting:
        desk = obstacle.waiting_on_request.desk
        agent = Employee.objects.filter(pk__in=selectors.desk_agents(desk=desk)).order_by("pk").first()
        queue = selectors.request_queue_for(actor=agent.user, queue="blocking_others")
        assert obstacle.waiting_on_request in list(queue)
        assert selectors.queue_counts_for(actor=agent.user)["blocking_others"] >= 1
    # sam's open request waits on the laptops he ordered at Procurement; alex's on an outside party.
    sam, alex = _employee("sam"), _employee("alex")
    assert waiting.filter(request__assignee=sam, waiting_on_request__requester=sam).exists()
    assert Obstacle.objects.filter(state="open", waiting_on="outside", request__requester=alex).exists()
