"""What recognition tells other contexts and the web layer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PointsSummary:
    """A person's balances as whole points; ``budget`` is None for someone without a spot-award budget."""

    allowance: int
    earned: int
    budget: int | None
