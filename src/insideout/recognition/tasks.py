"""Huey tasks of recognition: the nightly verification of the ledger."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from insideout.recognition import ledger

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="3", minute="17"))  # type: ignore[untyped-decorator]  # huey has no type hints
def ledger_verify_task() -> bool:
    """Every night: recompute every balance from the journal; a mismatch is logged as an error."""
    result = ledger.ledger_verify()
    if not result.ok:
        logger.error(
            "ledger verification failed: %d balance mismatches, %d unbalanced transactions, %d negative balances",
            len(result.mismatches),
            len(result.unbalanced),
            len(result.negative),
        )
    return result.ok
