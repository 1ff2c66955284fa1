"""The service desk demo's loading: deterministic, bulk, and the command around it."""

from __future__ import annotations

import contextlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insideout.core.models import Event
from insideout.people import demo as people_demo
from insideout.people.models import User
from insideout.servicedesk import clockstore, demo
from insideout.servicedesk.cooperation.demo import AGREEMENT_MODELS
from insideout.servicedesk.cooperation.models import (
    Agreement,
    AgreementTarget,
    AgreementVersion,
    Obstacle,
)
from insideout.servicedesk.models import (
    Comment,
    Desk,
    Request,
    RequestClock,
    RequestType,
    ServiceStandard,
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
        Event.objects.filter(subject_type__in=["servicedesk.request", "servicedesk.agreement"])
        .order_by("pk")
        .values_list("type", "subject_id", "occurred_at", "payload")
    )
    # Agreements, obstacles and agreed standards with their own keys, explicit so that PostgreSQL (whose
    # sequences a rolled-back load does not wind back) gives the same; the catalog by its names.
    agreed = ServiceStandard.objects.filter(agreement_target__isnull=False)
    cooperation = [
        list(rows.order_by("pk").values_list(*fields))
        for rows, fields in (
            (
                Agreement.objects,
                ("pk", "provider__code", "consumer__code", "state", "current_id", "activated_at", "expired_at"),
            ),
            (
                AgreementVersion.objects,
                ("pk", "agreement_id", "number", "state", "starts_on", "review_on", "decided_at"),
            ),
            (AgreementTarget.objects, ("pk", "version_id", "service__name", "priority", "resolution_minutes")),
            (AgreementVersion.services.through.objects, ("pk", "agreementversion_id", "service__name")),
            (Obstacle.objects, ("pk", "request_id", "waiting_on", "waiting_on_request_id", "state", "created_at")),
            (agreed, ("agreement_target_id", "request_type__name", "priority", "based_on__version", "created_at")),
            (Request.objects, ("pk", "agreement_id")),
            (RequestClock.objects, ("pk", "standard__agreement_target_id", "standard__request_type__name")),
        )
    ]
    return requests, comments, events, cooperation


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
    agreements, obstacles, agreed = first[3][0], first[3][4], first[3][5]
    assert (len(agreements), len(obstacles) > 0, len(agreed) > 0) == (6, True, True)


def test_no_requests_gives_desks_and_catalogs_only(db, now):
    result = demo.demo_load(employees=EMPLOYEES, requests=0, seed=SEED, now=now)[1]

    assert (result.desks, result.requests, result.comments) == (8, 0, 0)
    assert Desk.objects.count() == 8
    assert RequestType.objects.count() == 38
    assert Request.objects.count() == RequestClock.objects.count() == 0
    assert Agreement.objects.count() == Obstacle.objects.count() == 0
    assert set(Desk.objects.values_list("next_number", flat=True)) == {1}


COOPERATION_TABLES = ("commitment", "neededby", "feedback", "followup", "thankyou")


def _statements(queries):
    """Statements other than the batches of event rows (bulk_create splits those by the database's limit)
    and the cooperation history's (a small load may draw no rating, say, and skip its statements)."""
    return [
        query["sql"]
        for query in queries
        if not query["sql"].startswith('INSERT INTO "core_event"') and not _cooperation(query["sql"])
    ]


def _cooperation(sql):
    """A statement on a cooperation table: its inserts, its highest key, its sequence."""
    return any(f'"servicedesk_{table}' in sql for table in COOPERATION_TABLES)


@pytest.mark.parametrize("requests", [150, 300])
def test_the_load_writes_in_bulk(db, now, requests):
    """The same statements for twice the requests: nothing is written or read per request."""
    people_demo.demo_load(employees=EMPLOYEES, seed=SEED)
    with CaptureQueriesContext(connection) as queries:
        result = demo.desks_load(requests=requests, seed=SEED, now=now)

    # PostgreSQL also moves the sequences past the explicit keys (SQLite's follow by themselves).
    sequenced = [Request, Comment, RequestClock, Watcher, Obstacle, ServiceStandard, *AGREEMENT_MODELS]
    sequences = connection.ops.sequence_reset_sql(no_style(), sequenced)
    statements = _statements(queries.captured_queries)
    # 205 for the desks and requests (with the obstacles' highest key and insert), 7 for the cooperation
    # history (5 reads, two for the last updates); 13 for the agreements (4 reads, 4 highest keys, 5
    # writes), 2 for the agreed standards (highest key, insert) and 2 for the reminder's adherence report
    # (its other reads are of cooperation tables).
    assert len(statements) == 205 + 7 + 13 + 2 + 2 + len(sequences), "\n".join(sql[:120] for sql in statements)
    cooperation = [query["sql"] for query in queries.captured_queries if _cooperation(query["sql"])]
    # Per kind of row: its highest key, its inserts batched by the database's parameter limit (like
    # the events), its sequence on PostgreSQL; never one per row.
    assert len(cooperation) <= 3 * 7 + result.events / 100
    event_batches = len(queries.captured_queries) - len(statements) - len(cooperation)
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


@pytest.mark.parametrize(("employees", "requests"), [(60, 450), (400, 3000), (100_000, 3000)])
def test_the_default_volume_grows_with_the_organisation_up_to_a_cap(employees, requests):
    assert demo.default_requests(employees) == requests


def test_command_refuses_a_negative_volume_and_changes_nothing(db):
    with pytest.raises(CommandError, match="--requests cannot be negative"):
        call_command("demo", "--employees", str(EMPLOYEES), "--requests", "-1", stdout=StringIO())

    assert User.objects.count() == 0
