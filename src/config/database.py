"""``INSIDEOUT_DATABASE_URL`` to Django's ``DATABASES["default"]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from config.env import EnvError

# Django's SQLite backend with writers queued on a lock file (see its module).
SQLITE_ENGINE = "insideout.core.sqlite"
DJANGO_SQLITE_ENGINE = "django.db.backends.sqlite3"
POSTGRES_ENGINE = "django.db.backends.postgresql"

SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock when a transaction starts, so two writers queue instead of
    # failing with "database is locked" half-way; FULL fsyncs every commit (points are money).
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
        "PRAGMA busy_timeout=20000; PRAGMA cache_size=-32000; PRAGMA temp_store=MEMORY;"
    ),
}


def database_config(
    url: str, *, data_dir: Path, conn_max_age: int = 0, prepare_threshold: int | None = None
) -> dict[str, Any]:
    """The default database: SQLite in ``data_dir`` without a URL, else what the URL names.

    Only SQLite and PostgreSQL are supported; anything else is a configuration error. On
    PostgreSQL, ``prepare_threshold`` (0 or more) binds parameters on the server and prepares a
    statement once a kept connection has run it that many times (ADR 0015); ``None`` leaves
    Django's default, parameters bound in Python and nothing prepared.
    """
    if not url.strip():
        return {
            "ENGINE": SQLITE_ENGINE,
            "NAME": str(data_dir / "insideout.sqlite3"),
            "OPTIONS": dict(SQLITE_OPTIONS),
            # A kept connection keeps its page cache and its parsed schema from one request to the next.
            "CONN_MAX_AGE": conn_max_age,
        }
    try:
        config: dict[str, Any] = dict(
            dj_database_url.parse(url.strip(), conn_max_age=conn_max_age, conn_health_checks=conn_max_age > 0)
        )
    except ValueError as exc:
        raise EnvError(
            f"INSIDEOUT_DATABASE_URL must start with sqlite:/// or postgres://, not {_scheme(url)!r}"
        ) from exc
    if config["ENGINE"] == DJANGO_SQLITE_ENGINE:
        config["ENGINE"] = SQLITE_ENGINE
        if not config.get("NAME") or config["NAME"] == ":memory:":
            raise EnvError("INSIDEOUT_DATABASE_URL must name a SQLite file, e.g. sqlite:////srv/insideout/db.sqlite3")
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
        config["CONN_HEALTH_CHECKS"] = False  # a file has no server to lose
    elif config["ENGINE"] != POSTGRES_ENGINE:
        raise EnvError(f"INSIDEOUT_DATABASE_URL must start with sqlite:/// or postgres://, not {_scheme(url)!r}")
    elif prepare_threshold is not None:
        config["OPTIONS"] = {
            **config.get("OPTIONS", {}),
            "server_side_binding": True,
            "prepare_threshold": prepare_threshold,
        }
    return config


def prepare_threshold_of(value: str) -> int | None:
    """``INSIDEOUT_DATABASE_PREPARE_THRESHOLD``: a whole number of runs, or ``off``."""
    text = value.strip().lower()
    if text in ("off", "none", "false", "no"):
        return None
    try:
        threshold = int(text)
    except ValueError:
        threshold = -1
    if threshold < 0:
        raise EnvError(f"INSIDEOUT_DATABASE_PREPARE_THRESHOLD must be 0 or more, or off, not {value!r}")
    return threshold


def _scheme(url: str) -> str:
    # Only the scheme: the rest may hold a password.
    return url.strip().split(":", 1)[0] + "://"
