"""The service desk part of ``make bench``: InsideOut's desk at scale, and django-helpdesk beside it.

Called by ``tools/bench.py``; every server listens on 127.0.0.1 (ports 8100–8199), every load is
bounded in count and time, and whatever is started is stopped by its pid.

1. Targets (issue 3): a fresh database per engine (SQLite; PostgreSQL with ``--postgres``), a demo
   directory, then ``--servicedesk-requests`` requests with ``--servicedesk-comments`` comments
   (``tools/bench_servicedesk.py load``). Through gunicorn (2 workers): the agent queue page and API,
   the request page and API, the create API; then the sweep when nothing has changed, in a process.
2. Side by side: the same ``--compare-requests`` data set (3 comments a request) in InsideOut and in
   django-helpdesk (its own virtual environment under ``bench-work/``), the same client, the same
   number of client threads, 2 gunicorn workers each: ticket list, ticket page, create, dashboard.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bench
from bench import INSIDEOUT, WORK, Call, Figure, Latencies, insideout_env, log, measure, request, row_figure, run

TOOLS = Path(__file__).resolve().parent
HELPDESK_VERSION = "2.6.1"
HELPDESK_VENV = WORK / "helpdesk-venv"
HELPDESK_PROJECT = TOOLS / "bench_helpdesk"
QUEUES = ("all_open", "unassigned", "mine", "at_risk", "breached", "team")
AGENT = "sam"  # the demo's agent of IT's desk


@dataclass
class Section:
    """One block of results in docs/performance.md."""

    title: str
    figures: list[Figure] = field(default_factory=list)
    rows: list[Latencies] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _json(output: str) -> Any:
    return json.loads(output.strip().splitlines()[-1])


def _timed(
    section: Section, name: str, port: int, plans: list[Any], headers: dict[str, str], options: Any
) -> Latencies:
    bench.measure(f"warm-up {name}", port, plans[:4], headers, threads=2, budget=20)
    log(f"measuring {name}")
    row = measure(name, port, plans, headers, threads=options.threads, budget=options.budget)
    section.rows.append(row)
    log(
        f"{name}: p95 {row.percentile(0.95) * 1000:,.0f} ms, {row.throughput:,.1f}/s, "
        f"{len(row.samples)} answered, {row.failures} failed{' (' + row.first_failure + ')' if row.failures else ''}"
    )
    return row


def _probe(port: int, path: str, headers: dict[str, str]) -> int:
    with contextlib.suppress(OSError):
        return request(port, path, headers)[0]
    return 0


# --- InsideOut ---------------------------------------------------------------------------------------


def insideout_dataset(env: dict[str, str], *, employees: int, requests: int, comments: int) -> dict[str, Any]:
    run([*INSIDEOUT, "migrate", "--no-input", "-v", "0"], env, timeout=600)
    log(f"demo directory: {employees:,} employees, desks and catalogs without requests")
    demo = [*INSIDEOUT, "demo", "--employees", str(employees)]
    try:
        run([*demo, "--requests", "0"], env, timeout=900)
    except SystemExit as exc:  # a demo without service desks: the loader makes its own catalog
        if "--requests" not in str(exc):
            raise
        run(demo, env, timeout=900)
    log(f"loading {requests:,} requests and {comments:,} comments")
    loader = [sys.executable, str(TOOLS / "bench_servicedesk.py")]
    seconds, peak_mb, output = bench.run_measured(
        [*loader, "load", "--requests", str(requests), "--comments", str(comments)], env, timeout=7200
    )
    info: dict[str, Any] = _json(output)
    info["wall"], info["peak_mb"] = round(seconds, 1), round(peak_mb)
    log(f"loaded in {seconds:.0f} s (peak {peak_mb:.0f} MB): {info['rows']}")
    info.update(_json(run([*loader, "info"], env, timeout=600)))
    run([*INSIDEOUT, "collectstatic", "--no-input", "-v", "0"], env, timeout=300)
    return info


def _csrf_of(cookie: str) -> str:
    match = re.search(r"csrftoken=([^;]+)", cookie)
    return match.group(1) if match else ""


def _create_body(info: dict[str, Any], index: int) -> str:
    return json.dumps(
        {
            "request_type": info["request_type"],
            "fields": info["fields"],
            "subject": f"Benchmark request {index}",
            "description": "Created by the benchmark.",
        }
    )


def insideout_measure(
    section: Section, env: dict[str, str], data_dir: Path, info: dict[str, Any], options: Any, *, compare: bool
) -> dict[str, Latencies]:
    """The targets' rows (``compare=False``) or the four side-by-side rows (``compare=True``)."""
    token = run([*INSIDEOUT, "token", "create", "--user", AGENT, "--scope", "write"], env, timeout=120)
    token = token.strip().splitlines()[-1]
    port = bench.free_port()
    count = options.compare_samples if compare else options.requests
    rng = random.Random(11)  # noqa: S311 - spreads pages, not security
    keys = [info["keys"][i % len(info["keys"])] for i in range(count)]
    ids = [info["ids"][i % len(info["ids"])] for i in range(count)]
    found: dict[str, Latencies] = {}
    with bench.gunicorn(env, port, data_dir / "gunicorn.log"):
        cookie = bench.sign_in(port, AGENT)
        page = {"Cookie": cookie, "Accept": "text/html"}
        api = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        queue_pages = [f"/desk/?queue={QUEUES[i % len(QUEUES)]}" for i in range(count)]
        pages = [f"/requests/{key}/" for key in keys]
        posts = [
            [
                Call(
                    "/api/v1/requests",
                    "POST",
                    _create_body(info, i),
                    {"Content-Type": "application/json"},
                    (200, 201),
                )
            ]
            for i in range(count)
        ]
        plans: list[tuple[str, list[Any], dict[str, str], float, str]]
        if compare:
            plans = [
                ("list: agent queue page /desk/?queue=all_open&page=…",
                 [f"/desk/?queue=all_open&page={rng.randint(1, 20)}" for _ in range(count)], page, 0, "list"),
                ("page: request page /requests/<key>/", pages, page, 0, "page"),
                ("create: POST /api/v1/requests", posts, api, 0, "create"),
                ("dashboard: agent workspace /desk/ (queue counts)", ["/desk/"] * count, page, 0, "dashboard"),
            ]  # fmt: skip
        else:
            plans = [
                ("GET /desk/?queue=… (agent queue page)", queue_pages, page, 50.0, "queue page"),
                ("GET /api/v1/requests?queue=… (agent queue API)",
                 [f"/api/v1/requests?queue={QUEUES[i % len(QUEUES)]}" for i in range(count)], api, 50.0, "queue api"),
                ("GET /requests/<key>/ (request page)", pages, page, 50.0, "request page"),
                ("GET /api/v1/requests/<id> (request API)", [f"/api/v1/requests/{key}" for key in ids], api, 50.0,
                 "request api"),
                ("POST /api/v1/requests (create)", posts, api, 100.0, "create"),
            ]  # fmt: skip
        for name, plan, headers, target, short in plans:
            first = plan[0] if isinstance(plan[0], str) else plan[0][0].path
            if not isinstance(plan[0], str):
                status = _probe_call(port, plan[0][0], headers)
            else:
                status = _probe(port, first, headers)
            if status in (0, 404, 405):
                log(f"{name}: not there yet (HTTP {status}); not measured")
                if target:  # a side-by-side row shows up in its ratio instead
                    section.figures.append(
                        Figure(f"{name}, p95", float("inf"), "ms", target, f"not built yet (HTTP {status})", False)
                    )
                continue
            row = _timed(section, name, port, plan, headers, options)
            found[short] = row
            if target:
                section.figures.append(row_figure(name, row, target, options.budget))
    return found


def _probe_call(port: int, call: Call, headers: dict[str, str]) -> int:
    with contextlib.suppress(OSError):
        return request(port, call.path, headers | call.headers, method=call.method, body=call.body)[0]
    return 0


def insideout_sweep(section: Section, env: dict[str, str]) -> None:
    output = run([sys.executable, str(TOOLS / "bench_servicedesk.py"), "sweep", "--repeat", "20"], env, timeout=600)
    result = _json(output)
    caught = result["catch_up"]
    detail = (
        f"median of {result['runs']} runs at one instant after a catch-up run ({result['catch_up_ms']:.1f} ms: "
        f"{caught['at_risk']} at risk, {caught['breached']} breached, {caught['closed']} closed); "
        f"slowest {result['max_ms']:.2f} ms"
    )
    log(f"sweep, nothing changed: {result['median_ms']} ms ({detail})")
    section.figures.append(Figure("clocks_sweep(), nothing changed", result["median_ms"], "ms", 200.0, detail))


# --- django-helpdesk ---------------------------------------------------------------------------------


def helpdesk_venv() -> Path:
    python = HELPDESK_VENV / "bin" / "python"
    if not python.exists():
        log(f"creating {HELPDESK_VENV} with django-helpdesk=={HELPDESK_VERSION} from PyPI")
        subprocess.run([sys.executable, "-m", "venv", str(HELPDESK_VENV)], check=True, timeout=300)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"django-helpdesk=={HELPDESK_VERSION}", "gunicorn"],
            check=True,
            timeout=900,
        )
    return python


def helpdesk_env(data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("INSIDEOUT_")}
    env.update(
        {
            "HELPDESK_BENCH_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "hd_settings",
            "PYTHONPATH": str(HELPDESK_PROJECT),
        }
    )
    return env


def helpdesk_measure(section: Section, data_dir: Path, options: Any) -> dict[str, Latencies]:
    python = str(helpdesk_venv())
    env = helpdesk_env(data_dir)
    run([python, "-m", "django", "migrate", "-v", "0"], env, timeout=600)
    run([python, "-m", "django", "collectstatic", "--no-input", "-v", "0"], env, timeout=300)
    requests, comments = options.compare_requests, options.compare_requests * 3
    log(f"django-helpdesk: loading {requests:,} tickets and {comments:,} follow-ups")
    info = _json(
        run(
            [python, str(HELPDESK_PROJECT / "hd_load.py"), "--tickets", str(requests), "--followups", str(comments)],
            env,
            timeout=3600,
        )
    )
    section.notes.append(f"django-helpdesk data: {info['rows']} loaded in {info['seconds']:.0f} s")
    port = bench.free_port()
    count = options.compare_samples
    rng = random.Random(11)  # noqa: S311
    found: dict[str, Latencies] = {}
    app = "django.core.wsgi:get_wsgi_application()"
    with bench.gunicorn(env, port, data_dir / "gunicorn.log", python=python, app=app, ready="/login/"):
        cookie = bench.sign_in(port, "agent", login="/login/", password="insideout")
        headers = {"Cookie": cookie, "Accept": "text/html"}
        status, _headers, body = request(port, "/tickets/", headers)
        match = re.search(rb"datatables_ticket_list/([A-Za-z0-9_=-]+)", body)
        if status != 200 or match is None:
            raise SystemExit(f"django-helpdesk's ticket list answered {status} without its data URL")
        data = f"/datatables_ticket_list/{match.group(1).decode()}"
        csrf = _csrf_of(cookie)
        form = {"Content-Type": "application/x-www-form-urlencoded"}

        def create(index: int) -> list[Call]:
            fields = {
                "csrfmiddlewaretoken": csrf, "queue": "1", "title": f"Benchmark ticket {index}",
                "body": "Created by the benchmark.", "description": "Created by the benchmark.",
                "submitter_email": "eve@example.com", "priority": "3", "assigned_to": "",
            }  # fmt: skip
            return [Call("/tickets/submit/", "POST", urllib.parse.urlencode(fields), form, (302,))]

        plans: list[tuple[str, list[Any], str]] = [
            ("list: /tickets/ and its data (datatables_ticket_list)",
             [[Call("/tickets/"), Call(f"{data}?draw=1&start={25 * rng.randint(0, 19)}&length=25")]
              for _ in range(count)], "list"),
            ("page: /tickets/<id>/", [f"/tickets/{rng.randint(1, requests)}/" for _ in range(count)], "page"),
            ("create: POST /tickets/submit/", [create(i) for i in range(count)], "create"),
            ("dashboard: /dashboard/", ["/dashboard/"] * count, "dashboard"),
        ]  # fmt: skip
        for name, plan, short in plans:
            found[short] = _timed(section, name, port, plan, headers, options)
    return found


# --- the run -----------------------------------------------------------------------------------------


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """A private PostgreSQL server as ``make test`` starts one (tools/testrun.py), on a bench port."""
    import testrun

    bindir = testrun.postgres_bindir()
    if bindir is None:
        raise SystemExit("--postgres: no PostgreSQL server binaries (pg_ctl, initdb) on this machine.")
    testrun.free_port = bench.free_port  # the server listens on one of the bench's ports
    with testrun.postgres_server(bindir) as url:
        yield url


def targets(options: argparse.Namespace, engine: str) -> Section:
    section = Section(f"Service desk targets on {engine}")
    data_dir = Path(tempfile.mkdtemp(prefix=f"desk-{engine.lower()}-", dir=WORK))
    try:
        with postgres() if engine == "PostgreSQL" else contextlib.nullcontext("") as url:
            env = insideout_env(data_dir, url)
            info = insideout_dataset(
                env,
                employees=options.servicedesk_employees,
                requests=options.servicedesk_requests,
                comments=options.servicedesk_comments,
            )
            section.figures.append(
                Figure(
                    f"data load, {options.servicedesk_requests:,} requests and {options.servicedesk_comments:,} "
                    "comments",
                    info["wall"],
                    "s",
                    options.load_target,
                    f"{info['rows']['event']:,} events and {info['rows']['clock']:,} clocks too; peak "
                    f"{info['peak_mb']} MB; {info['open']:,} open",
                )
            )
            insideout_measure(section, env, data_dir, info, options, compare=False)
            insideout_sweep(section, env)
    finally:
        if not options.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    return section


def side_by_side(options: argparse.Namespace) -> Section:
    section = Section(f"Side by side with django-helpdesk {HELPDESK_VERSION}, {options.compare_requests:,} requests")
    data_dir = Path(tempfile.mkdtemp(prefix="compare-", dir=WORK))
    try:
        (data_dir / "insideout").mkdir()
        (data_dir / "helpdesk").mkdir()
        env = insideout_env(data_dir / "insideout")
        info = insideout_dataset(
            env,
            employees=options.servicedesk_employees,
            requests=options.compare_requests,
            comments=options.compare_requests * 3,
        )
        ours = insideout_measure(section, env, data_dir / "insideout", info, options, compare=True)
        theirs = helpdesk_measure(section, data_dir / "helpdesk", options)
        for short, floor in (("list", 10.0), ("page", 10.0), ("create", 10.0), ("dashboard", 20.0)):
            mine, other = ours.get(short), theirs.get(short)
            if mine is None or other is None or not other.throughput:
                section.figures.append(
                    Figure(
                        f"{short}: InsideOut ÷ django-helpdesk throughput",
                        0.0,
                        "×",
                        floor,
                        "not measured on both",
                        False,
                        at_least=True,
                    )  # fmt: skip
                )
                continue
            detail = (
                f"{mine.throughput:,.1f}/s vs {other.throughput:,.1f}/s; p95 {mine.percentile(0.95) * 1000:,.0f} ms "
                f"vs {other.percentile(0.95) * 1000:,.0f} ms (p95 ratio "
                f"{other.percentile(0.95) / max(mine.percentile(0.95), 1e-9):,.1f}×)"
            )
            if other.failures or other.unsent:  # its throughput counts only what it answered: a ceiling
                detail += f"; django-helpdesk left {other.failures + other.unsent} of {other.planned} unanswered"
            complete = not mine.failures and not mine.unsent
            section.figures.append(
                Figure(
                    f"{short}: InsideOut ÷ django-helpdesk throughput",
                    mine.throughput / other.throughput,
                    "×",
                    floor,
                    detail,
                    complete,
                    at_least=True,
                )
            )
    finally:
        if not options.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    return section


def add_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("service desk")
    group.add_argument("--servicedesk-requests", type=int, default=1_000_000, help="requests for the targets")
    group.add_argument("--servicedesk-comments", type=int, default=None, help="comments (default: 3 a request)")
    group.add_argument("--servicedesk-employees", type=int, default=20_000, help="size of the desk's directory")
    group.add_argument("--compare-requests", type=int, default=200_000, help="requests in the side-by-side set")
    group.add_argument("--compare-samples", type=int, default=120, help="requests per side-by-side row")
    group.add_argument("--load-target", type=float, default=1800.0, help="seconds the data load may take")
    group.add_argument("--postgres", action="store_true", help="also measure the targets on PostgreSQL")
    group.add_argument("--skip-servicedesk", action="store_true", help="no service desk targets")
    group.add_argument("--skip-helpdesk", action="store_true", help="no side-by-side run with django-helpdesk")


def run_all(
    options: argparse.Namespace,
    done: Callable[[list[Section]], None],
    more: Sequence[tuple[str, Callable[[], Section]]] = (),
) -> list[Section]:
    """Every section in turn, then ``more`` (other areas' parts); ``done`` is called after each, so a
    stopped run keeps what it measured.

    A part that fails (a command, a server) becomes a failed row of its own; the next part still runs.
    """
    if options.servicedesk_comments is None:
        options.servicedesk_comments = options.servicedesk_requests * 3
    parts: list[tuple[str, Callable[[], Section]]] = []
    if not options.skip_servicedesk:
        parts.append(("Service desk targets on SQLite", lambda: targets(options, "SQLite")))
    if not options.skip_helpdesk:
        parts.append(("Side by side with django-helpdesk", lambda: side_by_side(options)))
    if options.postgres and not options.skip_servicedesk:  # last: the longest part
        parts.append(("Service desk targets on PostgreSQL", lambda: targets(options, "PostgreSQL")))
    parts += more
    sections: list[Section] = []
    for title, part in parts:
        try:
            sections.append(part())
        except (SystemExit, OSError, subprocess.SubprocessError, RuntimeError) as exc:
            log(f"{title} stopped: {exc}")
            reason = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
            sections.append(Section(title, [Figure("the part ran to the end", 0, "", 1, reason, False)]))
        done(sections)
    return sections
