"""Serialising changes to shared structures (trees, reporting lines) across processes."""

from __future__ import annotations

from django.db import connection


def serialize(name: str) -> None:
    """Make every transaction that calls this with the same ``name`` run after the others.

    Call it inside ``transaction.atomic`` before reading what a structural check depends on (a
    reporting chain, a unit's place in the tree). On PostgreSQL it takes a transaction-scoped
    advisory lock; on SQLite every write transaction already starts with the database's write lock
    (``transaction_mode="IMMEDIATE"``), so there is nothing more to take.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
