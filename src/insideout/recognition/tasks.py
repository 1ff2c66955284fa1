"""Huey tasks of recognition: the nightly verification of the ledger."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

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


@db_task(retries=5, retry_delay=60)  # type: ignore[untyped-decorator]
def redemption_fulfil_task(redemption_id: int) -> str:
    from insideout.recognition import rewards

    return rewards.redemption_fulfil_by_provider(redemption_id=redemption_id)


@db_periodic_task(crontab(minute="*/5"))  # type: ignore[untyped-decorator]
def redemptions_reconcile_task() -> int:
    """Every five minutes: settle the provider orders a crash or an outage left half-way."""
    from insideout.recognition import rewards

    result = rewards.redemptions_reconcile()
    if result.asked:
        logger.info("redemptions: asked the provider about %d, settled %d", result.asked, result.settled)
    return result.settled
