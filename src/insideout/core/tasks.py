"""Huey tasks of the event log."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from insideout.core.events import deliver_events, redeliver_pending


@db_task(retries=3, retry_delay=10)  # type: ignore[untyped-decorator]  # huey has no type hints
def events_deliver_task(event_ids: list[int]) -> int:
    return deliver_events(event_ids)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def events_redeliver_task() -> int:
    # Batch: 500 events a minute at most; a backlog drains over several runs.
    return redeliver_pending()


@db_periodic_task(crontab(minute="23"))  # type: ignore[untyped-decorator]
def idempotency_purge_task() -> int:
    """Hourly: forget the answers to idempotent writes once they are older than the retention."""
    from insideout.core.idempotency import idempotency_purge

    return idempotency_purge()
