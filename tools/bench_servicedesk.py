"""The service desk's benchmark data and its sweep timing (run by ``tools/bench.py``).

``load`` fills a database that already holds a demo directory (``insideout demo``) with desks, a
catalog (through the real services) and then, in raw bulk inserts, requests with their history
events, their two stored clocks and their comments. Each request gets a made-up but consistent
history (opened, first response, status changes); its clock rows come from the real replay
(``clockstore.replay``) of that history, and its queue fields (``next_due_at``, ``sla_flag``) from
``clockstore.flags_for``, as the services would have written them. Warnings the sweep would already
have sent are marked as sent, so right after the load the sweep has nothing to do. Same ``--seed``,
same data, relative to the load's own "now".

``sweep`` times ``services.clocks_sweep()`` against that database: one catch-up run, then
repeated runs at the same instant, when nothing has changed.

Usage (with ``INSIDEOUT_DATA_DIR`` / ``INSIDEOUT_DATABASE_URL`` naming the database)::

    .venv/bin/python tools/bench_servicedesk.py load --requests 200000 --comments 600000
    .venv/bin/python tools/bench_servicedesk.py sweep
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench_data import COMMENTS, DESK_SHARES, OPEN_SHARE, PRIORITY_SHARES, SPAN, SUBJECTS, comment_count, weighted  # noqa: E402

CATALOG = {  # unit code: services and their request types
    "IT": {"Laptops and devices": ["New laptop", "Broken device"], "Accounts": ["Access request", "Password"]},
    "HR": {"Contracts": ["Contract change", "Certificate"], "Leave": ["Leave question"]},
    "FIN": {"Expenses": ["Expense claim", "Card limit"]},
}
PRIORITIES = tuple(zip(("P1", "P2", "P3", "P4"), PRIORITY_SHARES, strict=True))


def _setup() -> None:
    import django

    django.setup()


def _naive(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None)


def catalog() -> list[dict[str, Any]]:
    """Desks with their request types, standards and agents.

    Desks and catalogs the demo made (``insideout demo --requests 0``) are used as they are; a desk
    that is missing, or has no request type with a standard for every priority, gets a small catalog
    through the real services.
    """
    from insideout.people.models import Unit, User
    from insideout.servicedesk import selectors, services
    from insideout.servicedesk.models import Desk, RequestType, ServiceStandard

    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        raise SystemExit("No superuser: load the demo directory first (insideout demo).")

    def usable(desk: Desk) -> list[tuple[RequestType, dict[str, ServiceStandard]]]:
        found = []
        for request_type in RequestType.objects.filter(service__desk=desk, is_active=True, service__is_active=True):
            standards = {
                standard.priority: standard
                for standard in ServiceStandard.objects.filter(request_type=request_type, is_current=True)
            }
            if len(standards) == len(PRIORITIES):
                found.append((request_type, standards))
        return found

    desks = []
    for code, share in DESK_SHARES:
        unit = Unit.objects.filter(code=code, provides_services=True).first()
        if unit is None:
            continue
        desk = Desk.objects.filter(unit=unit).first() or services.desk_create(
            actor=admin, unit=unit, prefix=code, time_zone="Europe/Berlin", country="DE"
        )
        types = usable(desk)
        if not types:
            for position, (service_name, type_names) in enumerate(CATALOG[code].items()):
                service = desk.services.filter(name=service_name).first() or services.service_create(
                    actor=admin, desk=desk, name=service_name, position=position
                )
                for type_position, type_name in enumerate(type_names):
                    if not service.request_types.filter(name=type_name).exists():
                        services.request_type_create(
                            actor=admin, service=service, name=type_name, position=type_position
                        )
            types = usable(desk)
        agents = list(selectors.desk_agents(desk=desk).values_list("pk", flat=True))
        desks.append({"desk": desk, "share": share, "types": types, "agents": agents})
    if not desks:
        raise SystemExit("The directory has none of the service-providing units IT, HR, FIN.")
    return desks


def load(requests: int, comments: int, seed: int) -> dict[str, Any]:
    _setup()
    from bench_rows import Table, analyze, next_id, reset_sequences
    from django.db import connection, transaction

    from insideout.core.models import Event
    from insideout.core.text import markdown_to_html
    from insideout.people.models import Employee
    from insideout.servicedesk import clockstore
    from insideout.servicedesk.clocks import HistoryEntry
    from insideout.servicedesk.models import Comment, Desk, Metric, Request, RequestClock

    started = time.monotonic()
    rng = random.Random(seed)  # noqa: S311 - made-up data, not security
    now = datetime.now(UTC).replace(microsecond=0)
    desks = catalog()
    people = list(Employee.objects.filter(is_active=True).order_by("pk").values_list("pk", "user_id"))
    user_of = dict(people)
    requesters = [pk for pk, _user in people]
    comment_html = [markdown_to_html(text) for text in COMMENTS]

    request_table = Table(
        Request,
        ["id", "desk_id", "number", "request_type_id", "requester_id", "assignee_id", "priority", "status",
         "subject", "description", "description_html", "field_values", "created_at", "updated_at",
         "first_responded_at", "resolved_at", "closed_at", "next_due_at", "sla_flag"],
    )  # fmt: skip
    clock_table = Table(
        RequestClock,
        ["id", "request_id", "metric", "standard_id", "calendar_id", "target_seconds", "state", "running",
         "elapsed_seconds", "computed_at", "due_at", "at_risk_at", "met_at", "breached_at",
         "at_risk_notified_at", "breach_notified_at"],
    )  # fmt: skip
    event_table = Table(
        Event,
        ["id", "type", "occurred_at", "actor_id", "subject_type", "subject_id", "payload", "dispatched_at"],
    )
    comment_table = Table(Comment, ["id", "request_id", "author_id", "body", "body_html", "internal", "created_at"])
    ids = {
        "request": next_id(Request),
        "clock": next_id(RequestClock),
        "event": next_id(Event),
        "comment": next_id(Comment),
    }
    numbers = {entry["desk"].pk: entry["desk"].next_number for entry in desks}
    comments_per_request = comments / max(1, requests)
    buffers: dict[str, list[tuple[Any, ...]]] = {"request": [], "clock": [], "event": [], "comment": []}
    counts = dict.fromkeys(buffers, 0)
    tables = {"request": request_table, "clock": clock_table, "event": event_table, "comment": comment_table}
    first_open = int(requests * (1 - OPEN_SHARE))
    step = SPAN / max(1, requests)
    oldest = now - SPAN

    def flush(force: bool = False) -> None:
        for name in ("request", "clock", "event", "comment"):  # parents first
            if buffers[name] and (force or len(buffers[name]) >= 50_000):
                counts[name] += tables[name].insert(buffers[name])
                buffers[name].clear()

    def event(kind: str, at: datetime, actor: int | None, request_id: int, payload: dict[str, Any]) -> None:
        naive = _naive(at)
        buffers["event"].append(
            event_table.row(
                [ids["event"], kind, naive, actor, clockstore.SUBJECT_TYPE, str(request_id), payload, naive]
            )
        )
        ids["event"] += 1

    with transaction.atomic():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -200000")
        for index in range(requests):
            entry = weighted(rng, [(desk, desk["share"]) for desk in desks])
            desk = entry["desk"]
            request_type, standards = rng.choice(entry["types"])
            priority = weighted(rng, PRIORITIES)
            standard = standards[priority]
            created = oldest + step * index + timedelta(seconds=rng.randrange(60))
            requester = rng.choice(requesters)
            agents = entry["agents"] or [requester]
            assignee = rng.choice(agents)
            request_id = ids["request"]
            ids["request"] += 1
            number = numbers[desk.pk]
            numbers[desk.pk] += 1
            first_target = timedelta(minutes=standard.first_response_minutes)
            resolution_target = timedelta(minutes=standard.resolution_minutes)
            history = [HistoryEntry(at=created, kind="opened")]
            event(clockstore.REQUEST_OPENED, created, user_of.get(requester), request_id,
                  {"number": f"{desk.prefix}-{number}", "priority": priority, "status": "new"})  # fmt: skip
            is_open = index >= first_open
            status = "closed"
            if is_open:
                status = weighted(rng, [("new", 0.3), ("in_progress", 0.5), ("waiting_on_requester", 0.2)])
                if status == "new" and rng.random() < 0.4:
                    assignee = None
            responded = resolved = closed = None
            end = now
            if status != "new":
                responded = created + first_target * rng.uniform(0.05, 2.0)
                if is_open and responded >= now:
                    responded = created + (now - created) * rng.uniform(0.1, 0.9)
                history += [
                    HistoryEntry(at=responded, kind="first_response"),
                    HistoryEntry(at=responded, kind="status", status="in_progress"),
                ]
                agent_user = user_of.get(assignee) if assignee else None
                event(clockstore.REQUEST_FIRST_RESPONSE, responded, agent_user, request_id, {"by": "comment"})
                event(clockstore.REQUEST_STATUS_CHANGED, responded, agent_user, request_id,
                      {"from": "new", "to": "in_progress"})  # fmt: skip
                if status == "waiting_on_requester":
                    asked = responded + (now - responded) * rng.uniform(0.1, 0.9)
                    history.append(HistoryEntry(at=asked, kind="status", status=status))
                    event(clockstore.REQUEST_STATUS_CHANGED, asked, agent_user, request_id,
                          {"from": "in_progress", "to": status})  # fmt: skip
                if status == "closed":
                    resolved = responded + resolution_target * rng.uniform(0.2, 2.5)
                    closed = resolved + timedelta(days=7)
                    end = closed
                    history += [
                        HistoryEntry(at=resolved, kind="status", status="resolved"),
                        HistoryEntry(at=closed, kind="status", status="closed"),
                    ]
                    event(clockstore.REQUEST_STATUS_CHANGED, resolved, agent_user, request_id,
                          {"from": "in_progress", "to": "resolved"})  # fmt: skip
                    event(clockstore.REQUEST_STATUS_CHANGED, closed, None, request_id,
                          {"from": "resolved", "to": "closed", "reason": "auto_closed"})  # fmt: skip
            clocks = []
            calendar_id = desk.calendar_id if standard.business_hours else None
            for metric, target in ((Metric.FIRST_RESPONSE, first_target), (Metric.RESOLUTION, resolution_target)):
                state = clockstore.replay(
                    metric=metric, standard=standard, calendar_id=calendar_id, history=history, now=now
                )
                clock = RequestClock(metric=metric, standard=standard, calendar_id=calendar_id)
                clockstore._apply(clock, state, now)  # noqa: SLF001 - the services' own projection
                # What the sweep has already told: every threshold passed before now.
                at_risk_told = clock.at_risk_at if clock.at_risk_at and clock.at_risk_at <= now else None
                breach_told = clock.due_at if clock.running and clock.due_at and clock.due_at <= now else None
                if breach_told:
                    clock.state, clock.breached_at = "breached", clock.breached_at or clock.due_at
                    at_risk_told = at_risk_told or breach_told
                clocks.append(clock)
                buffers["clock"].append(
                    clock_table.row(
                        [
                            ids["clock"],
                            request_id,
                            metric,
                            standard.pk,
                            calendar_id,
                            int(target.total_seconds()),
                            clock.state,
                            clock.running,
                            clock.elapsed_seconds,
                            _naive(now),
                            _naive(clock.due_at),
                            _naive(clock.at_risk_at),
                            _naive(clock.met_at),
                            _naive(clock.breached_at),
                            _naive(at_risk_told),
                            _naive(breach_told),
                        ]
                    )  # fmt: skip
                )
                ids["clock"] += 1
            next_due, flag = clockstore.flags_for(status=status, clocks=clocks, now=now)
            subject = SUBJECTS[index % len(SUBJECTS)]
            description = f"{subject}. Request {index} of the benchmark's data set."
            count = comment_count(rng, comments_per_request)
            last = created
            for position in range(count):
                at = created + (end - created) * ((position + 1) / (count + 1))
                by_agent = status != "new" and position % 2 == 0 and assignee is not None
                body = rng.randrange(len(COMMENTS))
                buffers["comment"].append(
                    comment_table.row(
                        [
                            ids["comment"],
                            request_id,
                            assignee if by_agent else requester,
                            COMMENTS[body],
                            comment_html[body],
                            by_agent and position % 4 == 2,
                            _naive(at),
                        ]
                    )  # fmt: skip
                )
                ids["comment"] += 1
                last = max(last, at)
            buffers["request"].append(
                request_table.row(
                    [
                        request_id,
                        desk.pk,
                        number,
                        request_type.pk,
                        requester,
                        assignee,
                        priority,
                        status,
                        subject,
                        description,
                        f"<p>{description}</p>",
                        {},
                        _naive(created),
                        _naive(max(last, closed or last)),
                        _naive(responded),
                        _naive(resolved),
                        _naive(closed),
                        _naive(next_due),
                        flag,
                    ]
                )  # fmt: skip
            )
            if len(buffers["event"]) >= 100_000:
                flush(force=True)
        flush(force=True)
        for desk_id, next_number in numbers.items():
            Desk.objects.filter(pk=desk_id).update(next_number=next_number)
        reset_sequences(Request, RequestClock, Event, Comment)
    analyze()
    return {
        "seconds": round(time.monotonic() - started, 1),
        "now": now.isoformat(),
        "rows": counts,
        "open": requests - first_open,
        "desks": {entry["desk"].prefix: numbers[entry["desk"].pk] - 1 for entry in desks},
        "vendor": connection.vendor,
    }


def sweep(repeat: int) -> dict[str, Any]:
    _setup()
    from django.db import connection, reset_queries

    from insideout.servicedesk import services

    now = datetime.now(UTC)
    began = time.perf_counter()
    first = services.clocks_sweep(now=now)
    catch_up = time.perf_counter() - began
    samples = []
    for _round in range(repeat):
        reset_queries()
        began = time.perf_counter()
        result = services.clocks_sweep(now=now)
        samples.append(time.perf_counter() - began)
        if result.at_risk or result.breached or result.closed:
            raise SystemExit(f"The sweep found work on a repeated run: {result}")
    samples.sort()
    return {
        "catch_up_ms": round(catch_up * 1000, 2),
        "catch_up": {"at_risk": first.at_risk, "breached": first.breached, "closed": first.closed},
        "median_ms": round(samples[len(samples) // 2] * 1000, 3),
        "max_ms": round(samples[-1] * 1000, 3),
        "runs": repeat,
        "vendor": connection.vendor,
    }


def info(count: int, seed: int) -> dict[str, Any]:
    """Keys of IT requests spread over all its numbers (for the request page), and a type to file."""
    _setup()
    from insideout.people.models import Employee
    from insideout.servicedesk.models import Desk, Request, RequestType

    rng = random.Random(seed)  # noqa: S311 - spreads pages, not security
    desk = Desk.objects.select_related("unit").get(unit__code="IT")  # the benchmark's agent works there
    numbers = [rng.randint(1, desk.next_number - 1) for _ in range(count)]
    keys = [f"{desk.prefix}-{number}" for number in numbers]
    id_of = dict(Request.objects.filter(desk=desk, number__in=numbers).values_list("number", "pk"))
    # A type the agent may file whose required fields can go in JSON (no file field), and values for them.
    agent = Employee.objects.filter(user__username="sam").values_list("pk", flat=True).first()
    request_type, fields = None, {}
    for candidate in RequestType.objects.filter(service__desk=desk, is_active=True, service__is_active=True).order_by(
        "pk"
    ):
        required = list(candidate.fields.filter(required=True))
        if any(spec.type == "file" for spec in required):
            continue
        sample = {
            "text": "Benchmark",
            "long_text": "Made by the benchmark.",
            "date": "2026-12-31",
            "number": 1,
            "person": agent,
        }
        request_type = candidate.pk
        fields = {
            spec.key: (spec.choices[0] if spec.type == "choice" else spec.choices[:1])
            if spec.type in ("choice", "multi_choice")
            else sample[spec.type]
            for spec in required
        }
        break
    return {"keys": keys, "ids": [id_of[number] for number in numbers], "request_type": request_type, "fields": fields}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    loading = commands.add_parser("load")
    loading.add_argument("--requests", type=int, default=200_000)
    loading.add_argument("--comments", type=int, default=600_000)
    loading.add_argument("--seed", type=int, default=3)
    sweeping = commands.add_parser("sweep")
    sweeping.add_argument("--repeat", type=int, default=20)
    picking = commands.add_parser("info")
    picking.add_argument("--count", type=int, default=300)
    picking.add_argument("--seed", type=int, default=5)
    options = parser.parse_args(argv)
    if options.command == "load":
        print(json.dumps(load(options.requests, options.comments, options.seed)))
    elif options.command == "sweep":
        print(json.dumps(sweep(options.repeat)))
    else:
        print(json.dumps(info(options.count, options.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
