"""Huey tasks of the service desk: the per-minute clock sweep and recomputation after edits."""

from __future__ import annotations

import dataclasses
import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from insideout.servicedesk import services
from insideout.servicedesk.cooperation import agreements

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey has no type hints
def clocks_sweep_task() -> dict[str, int]:
    result = dataclasses.asdict(services.clocks_sweep())
    if any(result.values()):
        logger.info("sweep: %s", ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in result.items()))
    return result


@db_task(retries=3, retry_delay=30)  # type: ignore[untyped-decorator]
def clocks_recompute_task(
    desk_id: int | None = None,
    request_type_id: int | None = None,
    priority: str | None = None,
    agreement_id: int | None = None,
) -> int:
    return services.clocks_recompute(
        desk_id=desk_id, request_type_id=request_type_id, priority=priority, agreement_id=agreement_id
    )


@db_periodic_task(crontab(minute="7"))  # type: ignore[untyped-decorator]
def agreements_sweep_task() -> dict[str, int]:
    """Hourly: reminders before review dates, and agreements past them expire."""
    result = dataclasses.asdict(agreements.agreements_sweep())
    if any(result.values()):
        logger.info("agreements: %(reminded)s reminded, %(expired)s expired", result)
    return result
