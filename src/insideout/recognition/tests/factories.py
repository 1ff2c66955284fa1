"""Helpers the recognition tests share."""

from __future__ import annotations

from typing import Any

from insideout.recognition import ledger
from insideout.recognition.models import AccountKind


def fund(person: Any, points: int) -> None:
    """Give a person earned points straight from the organisation, as a rule grant would."""
    ledger.ledger_post(
        kind="grant",
        movements=[
            (ledger.account_for(kind=AccountKind.ISSUANCE), -points),
            (ledger.account_for(kind=AccountKind.EARNED, owner_id=person.pk), points),
        ],
    )
