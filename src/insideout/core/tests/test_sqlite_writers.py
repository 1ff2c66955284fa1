"""SQLite writers queue on the lock file (``insideout.core.sqlite``): a second write transaction
starts only after the first commits or rolls back, from another connection of the same process as
from another process; one that waits longer than its timeout fails with "database is locked" and
writes nothing. On a SQLite file of its own, with connections of their own: the in-memory test
database has a single writer."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.utils import OperationalError

from insideout.core.sqlite.base import DatabaseWrapper

# What ``config/database.py`` sets for SQLite (the project never imports its deployment config);
# SQLite's own busy timeout is far longer than the tests', so a refusal is the lock file's.
OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=20000;",
}


def _wrapper(path: Path, *, timeout: float = 20) -> DatabaseWrapper:
    settings = {
        "ENGINE": "insideout.core.sqlite",
        "NAME": str(path),
        "OPTIONS": {**OPTIONS, "timeout": timeout},
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TIME_ZONE": None,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }
    wrapper = DatabaseWrapper(settings, alias=f"writers-{id(settings)}")
    wrapper.inc_thread_sharing()  # the tests hand connections to threads
    return wrapper


def _begin(wrapper: DatabaseWrapper) -> None:
    """What ``transaction.atomic()`` does first on SQLite."""
    wrapper.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def _end(wrapper: DatabaseWrapper, *, commit: bool = True) -> None:
    wrapper.commit() if commit else wrapper.rollback()
    wrapper.set_autocommit(True)


def _rows(path: Path) -> list[Any]:
    reader = _wrapper(path)
    with reader.cursor() as cursor:
        cursor.execute("SELECT who FROM log ORDER BY rowid")
        rows = [row[0] for row in cursor.fetchall()]
    reader.close()
    return rows


@pytest.fixture
def database(tmp_path: Path, django_db_blocker: Any) -> Iterator[Path]:
    """A SQLite file with a table; the test's own connections to it are not the test database's."""
    path = tmp_path / "writers.sqlite3"
    with django_db_blocker.unblock():
        setup = _wrapper(path)
        with setup.cursor() as cursor:
            cursor.execute("CREATE TABLE log (who TEXT)")
        setup.close()
        yield path


def _second_writer(path: Path, order: list[str], errors: list[BaseException], **options: Any) -> threading.Thread:
    def write() -> None:
        second = _wrapper(path, **options)
        try:
            _begin(second)
            order.append("second began")
            with second.cursor() as cursor:
                cursor.execute("INSERT INTO log VALUES ('second')")
            _end(second)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            errors.append(exc)
        finally:
            second.close()

    return threading.Thread(target=write)


@pytest.mark.parametrize("first_ends", ["commit", "rollback", "close"])
def test_a_second_writer_begins_only_when_the_first_ends(database: Path, first_ends: str) -> None:
    first = _wrapper(database)
    _begin(first)
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO log VALUES ('first')")
    order: list[str] = []
    errors: list[BaseException] = []
    second = _second_writer(database, order, errors)
    second.start()
    second.join(timeout=0.3)
    assert second.is_alive()  # waiting for the lock
    assert order == []

    order.append(f"first {first_ends}")
    if first_ends == "close":
        first.close()
    else:
        _end(first, commit=first_ends == "commit")
        first.close()
    second.join(timeout=10)

    assert errors == []
    assert order == [f"first {first_ends}", "second began"]
    assert _rows(database) == (["first", "second"] if first_ends == "commit" else ["second"])


def test_a_writer_that_waits_too_long_is_told_the_database_is_locked_and_writes_nothing(database: Path) -> None:
    first = _wrapper(database)
    _begin(first)
    order: list[str] = []
    errors: list[BaseException] = []
    second = _second_writer(database, order, errors, timeout=0.2)
    second.start()
    second.join(timeout=10)
    _end(first)
    first.close()

    assert order == []
    assert len(errors) == 1
    assert isinstance(errors[0], OperationalError)
    assert "database is locked" in str(errors[0])
    assert _rows(database) == []


def test_a_writer_in_another_process_waits_too(database: Path) -> None:
    first = _wrapper(database)
    _begin(first)
    script = (
        "import sys, time; sys.path.insert(0, 'src');"
        "import django; from django.conf import settings; settings.configure(); django.setup();"
        "from insideout.core.tests.test_sqlite_writers import _wrapper, _begin, _end; from pathlib import Path;"
        f"w = _wrapper(Path({str(database)!r}), timeout=0.3); t = time.monotonic()\n"
        "try:\n    _begin(w)\nexcept Exception as exc:\n    print('refused', type(exc).__name__)\n"
        "else:\n    print('began'); _end(w)\n"
    )
    root = Path(__file__).resolve().parents[4]
    refused = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=root, timeout=60, check=False
    )
    _end(first)
    first.close()
    began = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=root, timeout=60, check=False
    )

    assert refused.stdout.strip() == "refused OperationalError", refused.stderr[-2000:]
    assert began.stdout.strip() == "began", began.stderr[-2000:]


def test_writers_queue_on_the_lock_file_beside_the_database(database: Path) -> None:
    """Whoever holds ``<database>.writer-lock`` holds every writer back, SQLite's lock untouched."""
    holder = os.open(f"{database}.writer-lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    order: list[str] = []
    errors: list[BaseException] = []
    second = _second_writer(database, order, errors)
    second.start()
    second.join(timeout=0.3)
    assert second.is_alive()
    assert order == []

    fcntl.flock(holder, fcntl.LOCK_UN)
    os.close(holder)
    second.join(timeout=10)
    assert (errors, order, _rows(database)) == ([], ["second began"], ["second"])
