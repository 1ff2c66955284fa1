"""Django's SQLite backend, with writers queued on a lock file instead of SQLite's busy wait.

A write transaction starts with ``BEGIN IMMEDIATE`` (``config/database.py``), which takes SQLite's
write lock or, when another connection holds it, waits. SQLite's own wait sleeps on a fixed
schedule (1, 2, 5, 10, 15, 20, 25… ms) and tries again at each step, so a writer often sleeps on
long after the lock came free: with two clients giving recognition at once, a give whose own work
took 13 ms waited up to 60 ms more, and the wait grew with every client.

So every write transaction first takes an exclusive ``flock`` on ``<database>.writer-lock``, which
the one holding it gives back at its commit or rollback. A writer that finds it taken tries again
within a millisecond, whichever process or thread holds it (each connection opens the file itself,
so two connections of one process exclude each other too); after the connection's ``timeout``
(20 s by default) it gives up with "database is locked", as SQLite would. SQLite's own lock stays
the guarantee: this only shortens the wait for it. Writes outside a transaction (autocommit) do
not take the file lock and wait as SQLite does; they are single short statements. An in-memory
database (the tests') has a single writer and no file, so none of this applies to it.
"""

from __future__ import annotations

import fcntl
import os
import time
from typing import Any

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

FIRST_RETRY = 0.0001  # seconds; doubled on each try up to LAST_RETRY
LAST_RETRY = 0.001


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writer_file: int | None = None
        self._writer_pid = 0
        self._writing = False

    def _writer_lock_path(self) -> str | None:
        return None if self.is_in_memory_db() else f"{self.settings_dict['NAME']}.writer-lock"

    def _take_writer_lock(self) -> None:
        path = self._writer_lock_path()
        if path is None or self._writing:
            return
        if self._writer_file is None or self._writer_pid != os.getpid():
            # A process forked with an open file would share its lock with the parent: open anew.
            self._writer_file = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            self._writer_pid = os.getpid()
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        deadline = time.monotonic() + timeout
        delay = FIRST_RETRY
        while True:
            try:
                fcntl.flock(self._writer_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OperationalError(
                        f"database is locked: another writer held it for more than {timeout:g} s"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, LAST_RETRY)
            else:
                self._writing = True
                return

    def _give_writer_lock(self) -> None:
        if self._writing and self._writer_file is not None:
            self._writing = False
            fcntl.flock(self._writer_file, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self) -> None:
        self._take_writer_lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # not in the stubs
        except BaseException:
            self._give_writer_lock()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # not in the stubs
        finally:
            self._give_writer_lock()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # not in the stubs
        finally:
            self._give_writer_lock()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # not in the stubs
        finally:
            self._give_writer_lock()
            if self._writer_file is not None and self._writer_pid == os.getpid():
                os.close(self._writer_file)
            self._writer_file = None
