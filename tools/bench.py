"""Speed and memory figures for InsideOut; writes ``docs/performance.md`` (``make bench``).

What it does, in fresh data directories under ``bench-work/`` (removed afterwards unless ``--keep``):

1. ``BusinessCalendar.add`` for an 8-hour target, in this process.
2. The directory (``--skip-directory`` leaves it out): ``insideout migrate``, then ``insideout demo
   --employees 100000``: wall time and peak RSS of the demo process (from ``wait4``, so nothing else
   is counted); then gunicorn with 2 workers on a loopback port (8100–8199), a token and a signed-in
   session for ``sam``, and a fixed number of requests per measurement from a few client threads
   (``http.client``, a new connection per request as gunicorn's sync workers close them anyway): p50
   and p95 latency of the API list, the API search and the signed-in search page. Each measurement
   stops dispatching after ``--budget`` seconds.
3. The service desk (``tools/bench_desks.py``): its targets with 1,000,000 requests on SQLite (and on
   PostgreSQL with ``--postgres``), and django-helpdesk side by side on 200,000 requests.
4. Recognition (``tools/bench_recognition.py``, ``--skip-recognition`` leaves it out): 100,000 people
   and 5,000,000 ledger entries; the wall, my points, a give and a redemption through gunicorn, and
   ``insideout ledger verify`` (on PostgreSQL too with ``--postgres``).

The report is rewritten after each part, so a stopped run keeps what it measured; a part that fails
becomes a failed row and the next part still runs.

Usage::

    .venv/bin/python tools/bench.py                      # directory, SQLite targets, side by side: ~40 min
    .venv/bin/python tools/bench.py --skip-directory --postgres    # the service desk on both engines: ~50 min
    .venv/bin/python tools/bench.py --employees 5000 --requests 100 --servicedesk-requests 20000 \
        --compare-requests 20000 --output /tmp/perf.md       # a quick look, a few minutes
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import functools
import http.client
import os
import platform
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from insideout.calendars import BusinessCalendar

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench-work"
OUTPUT = ROOT / "docs" / "performance.md"
INSIDEOUT = [sys.executable, "-m", "insideout"]
HOST = "127.0.0.1"
USERNAME = "sam"
PASSWORD = "insideout"  # the documented demo password
DEMO_TARGET_SECONDS = 120.0
DEMO_TARGET_MEMORY_MB = 1024.0
# Search words over names, titles, e-mails and unit names, in several of the demo's languages.
QUERIES = (
    "anna", "schmidt", "smith", "garcía", "rossi", "nowak", "de vries", "tanaka", "patel", "dubois",
    "analyst", "service desk", "senior engineer", "lena hoffmann", "recruiter", "müller", "kim", "sales",
)  # fmt: skip


@dataclass
class Figure:
    what: str
    value: float
    unit: str
    target: float
    detail: str = ""
    complete: bool = True  # False when some requests failed or were never sent in time
    at_least: bool = False  # the target is a floor (throughput, ratios), not a ceiling

    @property
    def passed(self) -> bool:
        if not self.complete:
            return False
        return self.value >= self.target if self.at_least else self.value <= self.target


@dataclass
class Latencies:
    name: str
    planned: int = 0
    samples: list[float] = field(default_factory=list)
    failures: int = 0
    first_failure: str = ""
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        """Answered requests a second over the row's wall time."""
        return len(self.samples) / self.seconds if self.seconds else 0.0

    @property
    def unsent(self) -> int:
        return self.planned - len(self.samples) - self.failures

    def percentile(self, share: float) -> float:
        ordered = sorted(self.samples)
        if not ordered:
            return float("inf")
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(args: Sequence[str], env: dict[str, str], *, timeout: float) -> str:
    result = subprocess.run(list(args), env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


def run_measured(args: Sequence[str], env: dict[str, str], *, timeout: float) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and output of one child process."""
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(list(args), env=env, stdout=output, stderr=subprocess.STDOUT, text=True)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
                raise SystemExit(f"{' '.join(args)} took longer than {timeout:.0f} s; stopped.")
            time.sleep(0.05)
        seconds = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read()
    if process.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({process.returncode}):\n{text}")
    return seconds, usage.ru_maxrss / 1024, text  # ru_maxrss is in KiB on Linux


PORTS = range(8100, 8200)  # the loopback ports this benchmark may listen on


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return port
    raise SystemExit(f"No free port between {PORTS.start} and {PORTS.stop - 1}.")


def request(
    port: int,
    path: str,
    headers: dict[str, str] | None = None,
    *,
    method: str = "GET",
    body: str | None = None,
    timeout: float = 30.0,
) -> tuple[int, dict[str, list[str]], bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        received: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            received.setdefault(name.lower(), []).append(value)
        return response.status, received, data
    finally:
        connection.close()


def cookies_of(headers: dict[str, list[str]]) -> dict[str, str]:
    jar: dict[str, str] = {}
    for header in headers.get("set-cookie", []):
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def sign_in(port: int, username: str = USERNAME, *, login: str = "/accounts/login/", password: str = PASSWORD) -> str:
    """A session cookie for a user, through the real sign-in form (CSRF included)."""
    status, headers, body = request(port, login)
    if status != 200:
        raise SystemExit(f"GET {login} answered {status}")
    csrf_cookie = cookies_of(headers)["csrftoken"]
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if match is None:
        raise SystemExit("The sign-in form has no CSRF token.")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": password}
    )
    status, headers, _body = request(
        port,
        login,
        {
            "Cookie": f"csrftoken={csrf_cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{HOST}:{port}{login}",
        },
        method="POST",
        body=form,
    )
    session = cookies_of(headers).get("sessionid")
    if status != 302 or not session:
        raise SystemExit(f"Signing in as {username} failed (status {status}).")
    return f"sessionid={session}; csrftoken={csrf_cookie}"


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str],
    port: int,
    log_file: Path,
    *,
    python: str = sys.executable,
    app: str = "config.wsgi:application",
    ready: str = "/accounts/login/",
    cwd: Path | None = None,
) -> Iterator[None]:
    """gunicorn with 2 sync workers on ``port``, until the block ends (then stopped by its pid)."""
    command = [
        python, "-m", "gunicorn", app, "--bind", f"{HOST}:{port}",
        "--workers", "2", "--timeout", "60", "--log-level", "warning",
    ]  # fmt: skip
    with log_file.open("w") as log_output:
        server = subprocess.Popen(command, env=env, stdout=log_output, stderr=subprocess.STDOUT, cwd=cwd)
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    raise SystemExit(f"gunicorn exited with {server.returncode}; see {log_file}")
                with contextlib.suppress(OSError):
                    if request(port, ready)[0] == 200:
                        break
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not answer within 60 s.")
                time.sleep(0.25)
            yield
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=5)


@dataclass(frozen=True)
class Call:
    """One HTTP request of a sample; a sample may need several (a page and the data it loads)."""

    path: str
    method: str = "GET"
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    ok: tuple[int, ...] = (200,)


def row_figure(name: str, row: Latencies, target: float, budget: float) -> Figure:
    """A row's p95 against its target; incomplete when a request failed or was not sent in time."""
    detail = f"p50 {row.percentile(0.5) * 1000:,.0f} ms; {len(row.samples)} of {row.planned} answered"
    if row.failures:
        detail += f", {row.failures} failed (first: {row.first_failure})"
    if row.unsent:
        detail += f", {row.unsent} not sent within {budget:.0f} s"
    complete = not row.failures and not row.unsent
    return Figure(f"{name}, p95", row.percentile(0.95) * 1000, "ms", target, detail, complete)


def measure(
    name: str,
    port: int,
    paths: Sequence[str | Sequence[Call]],
    headers: dict[str, str],
    *,
    threads: int,
    budget: float,
) -> Latencies:
    """Send each planned sample (a path, or a sequence of calls timed together) from ``threads`` threads."""
    result = Latencies(name, planned=len(paths))
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + budget

    def one(plan: str | Sequence[Call]) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        calls = [Call(plan)] if isinstance(plan, str) else list(plan)
        begin = time.perf_counter()
        failure = ""
        for call in calls:
            try:
                # A request may outlive the budget by a few seconds at most: the run stays bounded.
                status, _headers, _body = request(
                    port,
                    call.path,
                    headers | call.headers,
                    method=call.method,
                    body=call.body,
                    timeout=min(30.0, left + 5),
                )
                failure = "" if status in call.ok else f"{call.method} {call.path}: HTTP {status}"
            except OSError as exc:
                failure = f"{call.path}: {exc}"
            if failure:
                break
        elapsed = time.perf_counter() - begin
        with lock:
            if failure:
                result.failures += 1
                result.first_failure = result.first_failure or failure
            else:
                result.samples.append(elapsed)

    with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, paths))
    result.seconds = time.monotonic() - started
    return result


CALENDAR_TARGET_MICROSECONDS = 50.0  # issue 3: at least 20,000 calls a second
CALENDAR_CALLS = 50_000


def calendar_add_microseconds() -> tuple[float, str]:
    """Microseconds per ``BusinessCalendar.add(start, 8 hours)`` on a Berlin office calendar
    (lunch break, German and Berlin public holidays), from 50,000 different starts across a year."""
    office_hours = [("09:00", "12:30"), ("13:30", "17:00")]
    week = dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), office_hours)
    calendar = BusinessCalendar(tz="Europe/Berlin", week=week, country="DE", subdivision="BE")
    rng = random.Random(7)  # noqa: S311 - spreads start times, not security
    first = datetime(2026, 1, 1, tzinfo=UTC)
    starts = [first + timedelta(minutes=rng.randrange(365 * 24 * 60)) for _ in range(CALENDAR_CALLS)]
    eight_hours = timedelta(hours=8)
    began = time.perf_counter()
    for start in starts:
        calendar.add(start, eight_hours)
    per_call = (time.perf_counter() - began) / CALENDAR_CALLS * 1_000_000
    return per_call, f"{1_000_000 / per_call:,.0f} calls/s; target ≥ 20,000 calls/s"


def machine_notes(load_before: tuple[float, float, float]) -> list[str]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        total_kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f", {total_kib / 1024 / 1024:.1f} GiB RAM"
    return [
        f"{os.cpu_count()} CPU ({cpu}){memory}; {platform.system()} {platform.release()}",
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        "load average when the run started: " + ", ".join(f"{value:.2f}" for value in load_before)
        + " (other work on the machine slows every figure)",
    ]  # fmt: skip


def _figure_lines(figures: Sequence[Figure]) -> list[str]:
    lines = ["| what | figure | target | result |", "| --- | --- | --- | --- |"]
    for figure in figures:
        value = f"{figure.value:,.1f} {figure.unit}" if figure.value != float("inf") else "not measured"
        detail = f" ({figure.detail})" if figure.detail else ""
        bound = "≥" if figure.at_least else "≤"
        lines.append(
            f"| {figure.what} | {value}{detail} | {bound} {figure.target:,.0f} {figure.unit} | "
            f"{'pass' if figure.passed else '**fail**'} |"
        )
    return lines


def _latency_lines(rows: Sequence[Latencies]) -> list[str]:
    lines = [
        "| request | answered | failed | not sent in time | p50 | p95 | throughput | wall |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row.name} | {len(row.samples)} | {row.failures} | {row.unsent} | "
            f"{row.percentile(0.5) * 1000:,.0f} ms | {row.percentile(0.95) * 1000:,.0f} ms | "
            f"{row.throughput:,.1f}/s | {row.seconds:.1f} s |"
        )
    return lines


def write_report(
    output: Path,
    figures: list[Figure],
    latencies: list[Latencies],
    notes: list[str],
    options: argparse.Namespace,
    sections: Sequence[Any] = (),
) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Performance",
        "",
        f"Measured {stamp} by `make bench` (`tools/bench.py`); SQLite unless a heading says PostgreSQL. "
        "The machine is shared: see the load average under Machine.",
        "",
        "## Directory and business calendar",
        "",
        *_figure_lines(figures),
    ]
    if latencies:
        lines += ["", *_latency_lines(latencies)]
    if options.skip_directory:
        lines += [
            "",
            "The directory rows (demo load, people API and search page) were not measured in this run "
            "(`--skip-directory`); the last run that measured them is in this file's git history.",
        ]
    for section in sections:
        lines += ["", f"## {section.title}", "", *_figure_lines(section.figures)]
        if section.rows:
            lines += ["", *_latency_lines(section.rows)]
        if section.notes:
            lines += ["", *[f"- {note}" for note in section.notes]]
    lines += [
        "",
        "## How it was measured",
        "",
        f"- Demo load: `insideout migrate` then `insideout demo --employees {options.employees}` in a fresh data "
        "directory; wall time of the command and the peak resident memory of its process."
        + (" (Skipped in this run: `--skip-directory`.)" if options.skip_directory else ""),
        f"- Requests: gunicorn, 2 sync workers on 127.0.0.1; {options.requests} requests per row from "
        f"{options.threads} client threads, a new connection each, after a short warm-up; each row stops "
        f"after {options.budget:.0f} s. The API rows use a token from `insideout token create --user "
        f"{USERNAME}`; the page rows sign in as `{USERNAME}` through the sign-in form. Pages are spread over "
        f"the whole directory; searches cycle through {len(QUERIES)} words and names (e.g. "
        f"{', '.join(QUERIES[:4])}).",
        f"- Business calendar: {CALENDAR_CALLS:,} calls of `BusinessCalendar.add(start, 8 hours)` in one process "
        "on a Berlin office calendar (09:00–17:00 with a lunch break, German and Berlin holidays), starts "
        "spread over 2026.",
        "- Service desk data (`tools/bench_servicedesk.py load`): a demo directory of "
        f"{options.servicedesk_employees:,} people, desks for IT, HR and Finance (70/20/10 % of the requests) "
        "with 7 request types and their default standards, created through the services; then raw bulk "
        "inserts in one transaction (`executemany` on SQLite, `COPY` on PostgreSQL): requests spread over two "
        "years, the newest 3 % still open (new, in progress, waiting), each with its history events (opened, "
        "first response, status changes), its two clock rows from the real replay of that history "
        "(`clockstore.replay`) and its queue fields from `clockstore.flags_for`, and its comments; warnings the "
        "sweep would have sent are marked as sent. Deterministic for a seed, relative to the load's time.",
        "- Service desk rows: signed in as `sam` (page rows) or with his write token (API rows); he is an agent "
        "of IT's desk. Request pages are spread over all of IT's request numbers. Queue rows cycle through "
        "the queues all open, unassigned, mine, at risk, breached and team. A route that is not built yet "
        "answers 404 and is reported as not measured.",
        "- Sweep: `services.clocks_sweep()` in one process against the big database: one catch-up run "
        "(whatever became due since the load), then 20 runs at the same instant, when nothing has changed; "
        "the median is the figure.",
        f"- Side by side: the same {options.compare_requests:,} requests with 3 comments each in InsideOut and in "
        "django-helpdesk (PyPI, its own virtual environment under `bench-work/helpdesk-venv`, a minimal project "
        "in `tools/bench_helpdesk/` with `HELPDESK_STAFF_ONLY_TICKET_OWNERS=True`, no teams, the same SQLite "
        "settings as InsideOut: WAL, IMMEDIATE transactions, synchronous=FULL), three queues as the three "
        f"desks, the same client with {options.threads} threads, {options.compare_samples} requests per row, "
        "2 gunicorn workers each, a signed-in staff agent. Compared: list = InsideOut's agent queue page "
        "(pages 1–20 of all open requests) vs django-helpdesk's ticket list page plus the JSON request its "
        "table loads (one sample = both, as a browser needs both); page = the request page vs the ticket "
        "page; create = InsideOut's create API vs django-helpdesk's staff ticket form (POST, redirect); "
        "dashboard = InsideOut's workspace `/desk/` (queue counts and the first page) vs `/dashboard/`. "
        "The ratio is InsideOut's throughput (answered requests a second) over django-helpdesk's.",
        "- Recognition data (`tools/bench_recognition.py load`): a demo organisation of "
        f"{options.recognition_employees:,} people (`insideout demo --requests 0`, which writes its own few hundred "
        "recognitions through the services), then raw bulk inserts in one transaction until the journal holds "
        f"{options.recognition_entries:,} entries: twelve months in which givers' allowances expire and are refilled "
        "as `ledger.monthly_refresh` does it, recognitions to one to three colleagues (85 % public, 10 % team, "
        "5 % private; one or two values) move points from the giver's allowance to the recipients' earned points, "
        "and 3 % of them are followed by a redemption (held, then settled). Balances are kept as the entries are "
        "written, so `insideout ledger verify` reconciles. Ten givers and ten redeemers (points by a grant) get "
        "write tokens. Rows: the wall signed in as `sam` (pages 1–5), `GET /api/v1/me/points` with the twenty "
        "tokens in turn, a give of 1 point to a random colleague with one value, a redemption of a 10-point "
        "reward; then the wall time of the `insideout ledger verify` command (Django's start included).",
        "- Latency includes queueing: more client threads than workers, as when several people use the site. "
        "A row passes only when every request was answered within the budget.",
        "- The demo target comes from the product brief; the service desk targets from issue 3, the recognition "
        "targets from issue 5; the directory's "
        "memory and latency targets are the project's own working limits for one small machine.",
        "",
        "## Machine",
        "",
        *[f"- {note}" for note in notes],
        "",
        "## Reproduce",
        "",
        "```sh",
        "make bench            # or: .venv/bin/python tools/bench.py",
        ".venv/bin/python tools/bench.py --skip-directory --postgres       # what this file shows",
        ".venv/bin/python tools/bench.py --skip-directory --servicedesk-requests 200000 --skip-helpdesk",
        ".venv/bin/python tools/bench.py --skip-directory --skip-servicedesk --skip-helpdesk --postgres  # recognition",
        "```",
        "",
        "Options: `--skip-directory` (no 100,000-people directory rows), `--skip-servicedesk` (no targets), "
        "`--skip-helpdesk` (no side-by-side run), `--postgres` (the targets on a private PostgreSQL server as "
        "`make test` starts one), `--servicedesk-requests N` (default 1,000,000), `--servicedesk-comments N` "
        "(default 3 a request), `--compare-requests N` (default 200,000), `--compare-samples N`, "
        "`--requests N` and `--budget S` per row, `--keep` (keep the data under `bench-work/`), "
        "`--skip-recognition` (no recognition targets), `--recognition-entries N` (default 5,000,000), "
        "`--recognition-employees N` (default 100,000).",
        "",
        "The demo load by hand, in a scratch data directory:",
        "",
        "```sh",
        "export INSIDEOUT_DATA_DIR=$(mktemp -d)",
        ".venv/bin/insideout migrate --no-input -v 0",
        f"/usr/bin/time -v .venv/bin/insideout demo --employees {options.employees}",
        "```",
        "",
        "The service desk data and the sweep by hand, in another scratch data directory:",
        "",
        "```sh",
        "export INSIDEOUT_DATA_DIR=$(mktemp -d)",
        ".venv/bin/insideout migrate --no-input -v 0",
        f".venv/bin/insideout demo --employees {options.servicedesk_employees} --requests 0",
        ".venv/bin/python tools/bench_servicedesk.py load --requests 1000000 --comments 3000000",
        ".venv/bin/python tools/bench_servicedesk.py sweep",
        "```",
        "",
        "The recognition data and the ledger check by hand, in a third:",
        "",
        "```sh",
        "export INSIDEOUT_DATA_DIR=$(mktemp -d)",
        ".venv/bin/insideout migrate --no-input -v 0",
        f".venv/bin/insideout demo --employees {options.recognition_employees} --requests 0",
        f".venv/bin/python tools/bench_recognition.py load --entries {options.recognition_entries}",
        "time .venv/bin/insideout ledger verify",
        "```",
        "",
    ]
    output.write_text("\n".join(lines))


def insideout_env(data_dir: Path, database_url: str = "") -> dict[str, str]:
    """The environment of InsideOut's commands and server on a scratch database (SQLite unless a URL)."""
    env = {key: value for key, value in os.environ.items() if key != "INSIDEOUT_DATABASE_URL"}
    env.update(
        {
            "INSIDEOUT_DATA_DIR": str(data_dir),
            "INSIDEOUT_DEBUG": "false",
            "INSIDEOUT_HTTPS": "false",
            "INSIDEOUT_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    if database_url:
        env["INSIDEOUT_DATABASE_URL"] = database_url
    return env


def directory_rows(options: argparse.Namespace, figures: list[Figure], latencies: list[Latencies]) -> None:
    """The directory's figures: the 100,000-people demo load and the people API and search page."""
    data_dir = Path(tempfile.mkdtemp(prefix="run-", dir=WORK))
    env = insideout_env(data_dir)
    try:
        log(f"data directory {data_dir}")
        run([*INSIDEOUT, "migrate", "--no-input", "-v", "0"], env, timeout=300)
        log(f"loading the demo: {options.employees:,} employees")
        seconds, peak_mb, _output = run_measured(
            [*INSIDEOUT, "demo", "--employees", str(options.employees)], env, timeout=600
        )
        log(f"demo loaded in {seconds:.1f} s, peak RSS {peak_mb:.0f} MB")
        figures.append(
            Figure(f"demo load, {options.employees:,} employees", seconds, "s", DEMO_TARGET_SECONDS, "wall time")
        )
        figures.append(Figure("demo load, peak memory", peak_mb, "MB", DEMO_TARGET_MEMORY_MB, "max RSS"))
        token = run([*INSIDEOUT, "token", "create", "--user", USERNAME], env, timeout=120).strip().splitlines()[-1]
        run([*INSIDEOUT, "collectstatic", "--no-input", "-v", "0"], env, timeout=300)

        port = free_port()
        with gunicorn(env, port, data_dir / "gunicorn.log"):
            log(f"gunicorn answers on port {port}")
            api_headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            page_headers = {"Cookie": sign_in(port), "Accept": "text/html"}
            rng = random.Random(1)  # noqa: S311 - spreads pages, not security
            last_page = max(1, options.employees // 50)
            queries = [urllib.parse.quote(QUERIES[i % len(QUERIES)]) for i in range(options.requests)]
            plans = [
                (
                    "GET /api/v1/people?page=…",
                    [f"/api/v1/people?page={rng.randint(1, last_page)}" for _ in range(options.requests)],
                    api_headers,
                    500.0,
                ),
                ("GET /api/v1/people?q=…", [f"/api/v1/people?q={q}" for q in queries], api_headers, 1000.0),
                ("GET /people/?q=… (signed in)", [f"/people/?q={q}" for q in queries], page_headers, 1000.0),
            ]
            for name, paths, headers, target in plans:
                measure(f"warm-up {name}", port, paths[:4], headers, threads=2, budget=20)
                log(f"measuring {name}")
                row = measure(name, port, paths, headers, threads=options.threads, budget=options.budget)
                latencies.append(row)
                figure = row_figure(name, row, target, options.budget)
                figures.append(figure)
                log(f"{name}: p95 {figure.value:,.0f} ms, {figure.detail}")
    finally:
        if not options.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    import bench_desks  # noqa: PLC0415 - it imports this module
    import bench_recognition  # noqa: PLC0415 - it imports this module

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="requests per measurement")
    parser.add_argument("--threads", type=int, default=4, help="concurrent client threads")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds at most per measurement")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--keep", action="store_true", help="keep the data directories under bench-work/")
    parser.add_argument("--skip-directory", action="store_true", help="no directory (people) rows")
    bench_desks.add_options(parser)
    bench_recognition.add_options(parser)
    options = parser.parse_args(argv)

    load_before = os.getloadavg()
    WORK.mkdir(exist_ok=True)
    figures: list[Figure] = []
    latencies: list[Latencies] = []
    per_call, detail = calendar_add_microseconds()
    log(f"BusinessCalendar.add, 8 hours: {per_call:.1f} µs per call ({detail})")
    figures.append(Figure("BusinessCalendar.add, 8-hour target", per_call, "µs", CALENDAR_TARGET_MICROSECONDS, detail))
    if not options.skip_directory:
        try:
            directory_rows(options, figures, latencies)
        except SystemExit as exc:
            log(f"the directory rows stopped: {exc}")
            figures.append(Figure("directory rows ran to the end", 0, "", 1, str(exc).splitlines()[0][:300], False))

    def report(sections: list[Any], *, final: bool = False) -> None:
        notes = machine_notes(load_before)
        moment = "ended" if final else "wrote this (the run goes on)"
        notes.append(f"load average when the run {moment}: " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
        write_report(options.output, figures, latencies, notes, options, sections)
        log(f"wrote {options.output}")

    engines = ("SQLite", "PostgreSQL") if options.postgres else ("SQLite",)
    recognition = [
        (f"Recognition targets on {engine}", functools.partial(bench_recognition.run_part, options, engine))
        for engine in ([] if options.skip_recognition else engines)
    ]
    sections = bench_desks.run_all(options, report, recognition)
    report(sections, final=True)
    failed = [figure.what for figure in figures if not figure.passed]
    failed += [figure.what for section in sections for figure in section.figures if not figure.passed]
    if failed:
        log("missed targets: " + "; ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
