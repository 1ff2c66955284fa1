"""Every check of the project in one command (``make test``).

1. lint: ruff, ruff format, mypy, import-linter contracts, missing migrations. Every step runs,
   even after a failure; the run fails at the end if any did.
2. the test suite on SQLite, in parallel with pytest-xdist;
3. the same suite on a private PostgreSQL server started from Debian's binaries for this run,
   stopped and deleted afterwards, whatever happens. The browser tests run once, in the SQLite
   pass (``--browser-twice`` runs them here too); ``postgres_only`` tests run only here.

Missing system parts (PostgreSQL, Chromium) are announced loudly at the start and in the summary,
never skipped in silence. With every part installed, a skipped test fails the run.

Usage::

    tools/testrun.py                   # everything
    tools/testrun.py --lint-only       # only the lint steps
    tools/testrun.py --sqlite-only     # only the suite on SQLite
    tools/testrun.py --postgres-only   # only the suite on PostgreSQL, browser tests included
    tools/testrun.py -- -k profile -x  # pass the rest to pytest

Only the standard library is used, so this file runs before anything else is importable.
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
PG_GLOB = "/usr/lib/postgresql/*/bin"
PG_USER = "insideout"
PG_DATABASE = "insideout"
MAX_WORKERS = 2
LINT_PATHS = ("src", "tests", "tools", "conftest.py")
BROWSER_ONCE = (
    "The browser tests ran in the SQLite pass and are deselected here (not skipped); "
    "--browser-twice or --postgres-only runs them on PostgreSQL."
)

SKIP_LINE = re.compile(r"^SKIPPED \[(?P<count>\d+)\] (?P<where>.+?): (?P<reason>.*)$")
RESULT_LINE = re.compile(r"^=+ (?P<result>.*\d+ (passed|failed|error|errors|skipped|deselected).*) in [\d.]+s")

_COLOR = sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _paint(text: str, code: str) -> str:
    return f"\033[{code}m{text}\033[0m" if _COLOR else text


def red(text: str) -> str:
    return _paint(text, "1;31")


def green(text: str) -> str:
    return _paint(text, "1;32")


def yellow(text: str) -> str:
    return _paint(text, "1;33")


def bold(text: str) -> str:
    return _paint(text, "1")


def say(text: str = "") -> None:
    print(text, flush=True)


def heading(title: str) -> None:
    say()
    say(bold(f"━━━ {title} " + "━" * max(3, 96 - len(title))))


def banner(lines: Sequence[str]) -> None:
    width = max(len(line) for line in lines) + 4
    say()
    say(yellow("!" * (width + 4)))
    for line in lines:
        say(yellow(f"!!  {line.ljust(width - 4)}  !!"))
    say(yellow("!" * (width + 4)))


def duration(seconds: float) -> str:
    return f"{seconds:.1f}s" if seconds < 60 else f"{int(seconds // 60)}m{seconds % 60:04.1f}s"


@dataclass
class Step:
    name: str
    status: str = "pending"  # pass, fail, skip
    seconds: float = 0.0
    note: str = ""


@dataclass
class Skip:
    where: str
    reason: str
    count: int
    run: str


@dataclass
class Run:
    steps: list[Step] = field(default_factory=list)
    skipped_tests: list[Skip] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (what is skipped, why)

    def step(self, name: str) -> Step:
        step = Step(name)
        self.steps.append(step)
        return step

    @property
    def failed(self) -> bool:
        return any(step.status == "fail" for step in self.steps)


# --- environment -------------------------------------------------------------------------------


def tool(name: str) -> list[str]:
    """A console script of the virtualenv this script runs in, else the one on PATH."""
    candidate = BIN / name
    if candidate.exists():
        return [str(candidate)]
    found = shutil.which(name)
    return [found] if found else [sys.executable, "-m", name.replace("-", "_")]


def base_env(data_dir: Path) -> dict[str, str]:
    """The environment of every child: nothing of the caller's ``INSIDEOUT_*`` leaks into a test."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("INSIDEOUT_")}
    env["INSIDEOUT_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def postgres_bindir() -> Path | None:
    """The newest Debian PostgreSQL, else one on PATH."""

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))

    found = [Path(p) for p in sorted(Path("/").glob(PG_GLOB.lstrip("/"))) if (Path(p) / "pg_ctl").exists()]
    if found:
        return max(found, key=version)
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).parent
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- steps -------------------------------------------------------------------------------------


def run_step(run: Run, name: str, command: list[str], env: dict[str, str]) -> None:
    heading(name)
    say(f"$ {' '.join(command)}")
    step = run.step(name)
    started = time.monotonic()
    try:
        code = subprocess.run(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, check=False).returncode
    except FileNotFoundError as exc:
        code = 127
        say(red(f"cannot run {command[0]}: {exc}"))
    step.seconds = time.monotonic() - started
    step.status = "pass" if code == 0 else "fail"
    step.note = "" if code == 0 else f"exit code {code}"
    say((green("passed") if code == 0 else red(f"FAILED (exit code {code})")) + f" in {duration(step.seconds)}")


def lint(run: Run, data_dir: Path) -> None:
    env = base_env(data_dir)
    paths = [path for path in LINT_PATHS if (ROOT / path).exists()]
    run_step(run, "lint: ruff check", [*tool("ruff"), "check", *paths], env)
    run_step(run, "lint: ruff format --check", [*tool("ruff"), "format", "--check", *paths], env)
    run_step(run, "lint: mypy src", [*tool("mypy"), "src"], env)
    run_step(run, "lint: import contracts", [*tool("lint-imports"), "--no-cache"], env)
    run_step(
        run,
        "lint: makemigrations --check",
        [sys.executable, "-m", "insideout", "makemigrations", "--check", "--dry-run"],
        {**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )


def pytest(run: Run, *, label: str, env: dict[str, str], extra: list[str], marks: str = "") -> None:
    """Run the suite (the tests matching ``marks``); stream its output and keep what the summary needs."""
    name = f"pytest on {label}"
    heading(name)
    workers = max(1, min(MAX_WORKERS, os.cpu_count() or 1))
    # worksteal: the browser tests take seconds each, the rest milliseconds; idle workers take over.
    command = [sys.executable, "-m", "pytest", "-n", str(workers), "--dist", "worksteal", "-rfEs", "--durations=10"]
    if _COLOR:
        command.append("--color=yes")
    if marks and not any(arg == "-m" or arg.startswith("-m") for arg in extra):
        command += ["-m", marks]
    command += extra
    say(f"$ {' '.join(command)}")
    step = run.step(name)
    started = time.monotonic()
    result = ""
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            plain = re.sub(r"\x1b\[[0-9;]*m", "", line.rstrip("\n"))
            skip = SKIP_LINE.match(plain)
            if skip:
                run.skipped_tests.append(
                    Skip(where=skip["where"], reason=skip["reason"], count=int(skip["count"]), run=label)
                )
            found = RESULT_LINE.match(plain)
            if found:
                result = found["result"]
        code = process.wait()
    finally:
        if process.poll() is None:
            # Interrupted: pytest got the same Ctrl+C; give it a moment to tear its databases down.
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    step.seconds = time.monotonic() - started
    # 5: no tests collected (say, a -k that matches nothing on purpose) is not a failure.
    step.status = "pass" if code in (0, 5) else "fail"
    step.note = result or f"exit code {code}"
    say(
        (green("passed") if step.status == "pass" else red(f"FAILED (exit code {code})"))
        + f" in {duration(step.seconds)}"
    )


def _as_postgres_owner(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; the server and its files then belong to "postgres".
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def postgres_server(bindir: Path) -> Iterator[str]:
    """A throw-away server on 127.0.0.1 with superuser ``insideout`` and trust auth; yields its URL."""
    base = Path(tempfile.mkdtemp(prefix="insideout-pg-"))
    data = base / "data"
    log = base / "server.log"
    started = False
    try:
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(base, owner.pw_uid, owner.pw_gid)
        initdb = [
            str(bindir / "initdb"), "-D", str(data), "-U", PG_USER, "--auth=trust",
            "--encoding=UTF8", "--no-locale", "--no-sync",
        ]  # fmt: skip
        subprocess.run(
            _as_postgres_owner(initdb), check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, cwd=base
        )
        port = 0
        for _attempt in range(3):
            port = free_port()
            # Durability is worthless for a database that is deleted in a minute; speed is not.
            options = (
                f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={base} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
            )
            start = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", options, "start"]
            code = subprocess.run(
                _as_postgres_owner(start), check=False, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, cwd=base
            ).returncode
            if code == 0:
                started = True
                break
        if not started:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"
            raise RuntimeError(f"PostgreSQL did not start; its log ends with:\n{tail}")
        subprocess.run(
            [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", PG_USER, PG_DATABASE],
            check=True,
            stdin=subprocess.DEVNULL,
        )
        yield f"postgres://{PG_USER}@127.0.0.1:{port}/{PG_DATABASE}"
    finally:
        if started:
            stop = [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "-t", "60", "stop"]
            subprocess.run(
                _as_postgres_owner(stop), check=False, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, cwd=base
            )
        shutil.rmtree(base, ignore_errors=True)


def postgres_pass(run: Run, bindir: Path, data_dir: Path, extra: list[str], *, browser: bool) -> None:
    heading(f"start a private PostgreSQL server ({bindir})")
    started = time.monotonic()
    try:
        with postgres_server(bindir) as url:
            say(f"{url} ready in {duration(time.monotonic() - started)}")
            env = {
                **base_env(data_dir),
                "DJANGO_SETTINGS_MODULE": "config.settings.test",
                "INSIDEOUT_DATABASE_URL": url,
            }
            if not browser:
                say(BROWSER_ONCE)
            pytest(run, label="PostgreSQL", env=env, extra=extra, marks="" if browser else "not browser")
            heading("stop the PostgreSQL server and delete its files")
    except (RuntimeError, OSError, subprocess.CalledProcessError, KeyError) as exc:
        step = run.step("pytest on PostgreSQL")
        step.status = "fail"
        step.note = f"server did not start: {exc}".splitlines()[0]
        say(red(f"could not start PostgreSQL: {exc}"))


# --- summary -----------------------------------------------------------------------------------


def missing_parts(*, want_postgres: bool, want_browser: bool) -> tuple[list[tuple[str, str]], Path | None]:
    missing: list[tuple[str, str]] = []
    bindir = postgres_bindir() if want_postgres else None
    if want_postgres and bindir is None:
        missing.append(
            (
                "the whole test suite on PostgreSQL",
                f"no PostgreSQL server binaries in {PG_GLOB} (apt-get install postgresql)",
            )
        )
    elif want_postgres and os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            missing.append(("the whole test suite on PostgreSQL", "running as root, and there is no user 'postgres'"))
            bindir = None
    if want_browser and not CHROMIUM.exists():
        missing.append(("the browser tests (Playwright)", f"{CHROMIUM} is missing (apt-get install chromium)"))
    return missing, bindir


def announce_missing(missing: list[tuple[str, str]]) -> None:
    if missing:
        lines = ["NOT EVERYTHING IS TESTED IN THIS RUN:"]
        for what, why in missing:
            lines += [f"  SKIPPED {what}", f"          because {why}"]
        banner(lines)


def summary(run: Run, *, total: float, strict_skips: bool, interrupted: bool = False) -> int:
    heading("summary")
    marks = {"pass": green("PASS"), "fail": red("FAIL"), "skip": yellow("SKIP"), "pending": yellow("----")}
    for step in run.steps:
        say(f"  {marks[step.status]}  {step.name:<34} {duration(step.seconds):>8}  {step.note}")
    if run.skipped_tests:
        count = sum(skip.count for skip in run.skipped_tests)
        say()
        say(yellow(f"Skipped tests ({count}):"))
        for skip in run.skipped_tests:
            say(f"  [{skip.run}] {skip.count} × {skip.where}: {skip.reason}")
    announce_missing(run.missing)
    failed = run.failed
    if strict_skips and run.skipped_tests:
        failed = True
        say(red("With PostgreSQL and Chromium installed nothing may be skipped; the skips above fail the run."))
    say()
    verdict = red("INTERRUPTED") if interrupted else red("FAILED") if failed else green("PASSED")
    say(bold(f"{verdict} in {duration(total)}"))
    return 1 if failed else 0


# --- main --------------------------------------------------------------------------------------


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    own, extra = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--lint-only", action="store_true", help="run only the lint steps")
    only.add_argument("--sqlite-only", action="store_true", help="run only the test suite on SQLite")
    only.add_argument("--postgres-only", action="store_true", help="run only the test suite on PostgreSQL")
    parser.add_argument(
        "--browser-twice",
        action="store_true",
        help="run the browser tests on PostgreSQL too (by default they run once, on SQLite)",
    )
    return parser.parse_args(own), extra


def _terminate(signum: int, _frame: FrameType | None) -> None:
    # SIGTERM (CI cancelling a job) unwinds like Ctrl+C, so the PostgreSQL server is stopped.
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str]) -> int:
    args, extra = parse(argv)
    signal.signal(signal.SIGTERM, _terminate)
    everything = not (args.lint_only or args.sqlite_only or args.postgres_only)
    do_lint = everything or args.lint_only
    do_sqlite = everything or args.sqlite_only
    do_postgres = everything or args.postgres_only

    run = Run()
    run.missing, bindir = missing_parts(want_postgres=do_postgres, want_browser=do_sqlite or do_postgres)
    announce_missing(run.missing)
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="insideout-testrun-"))
    try:
        if do_lint:
            lint(run, work / "lint")
        if do_sqlite:
            env = {**base_env(work / "sqlite"), "DJANGO_SETTINGS_MODULE": "config.settings.test"}
            # Tests that need PostgreSQL run in the PostgreSQL pass: deselected here, not skipped.
            pytest(run, label="SQLite", env=env, extra=extra, marks="not postgres_only")
        if do_postgres:
            if bindir is None:
                step = run.step("pytest on PostgreSQL")
                step.status = "fail" if (args.postgres_only or ci) else "skip"
                step.note = "PostgreSQL is not installed"
            else:
                # The browser tests drive pages whose queries the rest of the suite already runs
                # on PostgreSQL; once, on SQLite, keeps the run short. --postgres-only runs them.
                postgres_pass(run, bindir, work / "postgres", extra, browser=args.postgres_only or args.browser_twice)
    except KeyboardInterrupt:
        for step in run.steps:
            if step.status == "pending":
                step.status, step.note = "fail", "interrupted"
        summary(run, total=time.monotonic() - started, strict_skips=False, interrupted=True)
        return 130
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if ci and run.missing:
        say(red("CI is set: every part must be installed, so the missing parts above fail the run."))
        for step in run.steps:
            if step.status == "skip":
                step.status = "fail"
        run.steps.append(Step("required parts installed", "fail", 0.0, "see the banner"))
    strict = (do_sqlite or do_postgres) and not run.missing
    return summary(run, total=time.monotonic() - started, strict_skips=strict)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
