"""What the benchmark's two data sets share, so InsideOut and django-helpdesk get the same shape.

Standard library only: imported by ``bench_servicedesk.py`` (InsideOut's environment) and by
``bench_helpdesk/hd_load.py`` (django-helpdesk's).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

OPEN_SHARE = 0.03  # the newest 3 % are still open
SPAN = timedelta(days=730)  # requests spread over the last two years
DESK_SHARES = (("IT", 0.7), ("HR", 0.2), ("FIN", 0.1))
PRIORITY_SHARES = (0.02, 0.10, 0.60, 0.28)  # P1 … P4
SUBJECTS = (
    "Cannot sign in since this morning", "Screen flickers after the update", "Need access to the finance share",
    "Keyboard keys stick", "VPN drops every few minutes", "Please change my working hours",
    "Salary certificate for a flat rental", "Expense claim for the Lisbon trip", "New starter next Monday",
    "Printer on floor 3 prints blank pages", "Mailbox is full", "Question about parental leave",
)  # fmt: skip
COMMENTS = (
    "Thanks, I will look into it today.", "Could you send a screenshot of the error?",
    "Restarted the service; please try again.", "It works again, thank you!",
    "I have ordered the part; it should arrive on **Thursday**.", "Still the same problem after the restart.",
    "Forwarded to the second level team.", "Please check the attached steps:\n\n1. Sign out\n2. Sign in again",
)  # fmt: skip


def weighted(rng: random.Random, choices: Sequence[tuple[Any, float]]) -> Any:
    """One of ``choices`` (value, share) at random, by share."""
    point, total = rng.random(), 0.0
    for value, weight in choices:
        total += weight
        if point < total:
            return value
    return choices[-1][0]


def comment_count(rng: random.Random, per_request: float) -> int:
    """Whole comments for one request, ``per_request`` on average."""
    return int(per_request) + (1 if rng.random() < per_request % 1 else 0)
