"""Huey tasks of the service desk: the per-minute clock sweep and recomputation after edits."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from insideout.servicedesk import services

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey has no type hints
def clocks_sweep_task() -> dict[str, int]:
    result = services.clocks_sweep()
    if result.at_risk or result.breached or result.closed or result.commitments_broken:
        logger.info(
            "sweep: %s at risk, %s breached, %s closed, %s commitments broken",
            result.at_risk,
            result.breached,
            result.closed,
            result.commitments_broken,
        )
    return {
        "at_risk": result.at_risk,
        "breached": result.breached,
        "closed": result.closed,
        "commitments_broken": result.commitments_broken,
    }


@db_task(retries=3, retry_delay=30)  # type: ignore[untyped-decorator]
def clocks_recompute_task(
    desk_id: int | None = None, request_type_id: int | None = None, priority: str | None = None
) -> int:
    return services.clocks_recompute(desk_id=desk_id, request_type_id=request_type_id, priority=priority)
