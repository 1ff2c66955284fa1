"""What the cooperation tests share: a fixed Monday, the state a refused call must leave alone,
and the notifications a person received."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from insideout.core.models import Event
from insideout.notifications.models import Notification
from insideout.people.models import Employee
from insideout.servicedesk.cooperation.models import (
    Commitment,
    CommitmentRevision,
    Feedback,
    FollowUp,
    NeededBy,
    ThankYou,
)

# Monday 23 November 2026, 10:00 in Berlin (09:00 UTC): the desk is open.
MONDAY_10 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

COOP_TABLES = (Commitment, CommitmentRevision, NeededBy, Feedback, FollowUp, ThankYou)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row a cooperation call could write, and the event log."""
    rows = {model._meta.model_name or "": list(model.objects.order_by("pk").values()) for model in COOP_TABLES}
    rows["thanks_recipients"] = list(ThankYou.recipients.through.objects.order_by("pk").values())
    rows["event"] = list(Event.objects.order_by("pk").values("pk", "type", "payload"))
    return rows


def kinds_of(person: Employee) -> list[str]:
    """The kinds of notification a person has, oldest first."""
    return list(Notification.objects.filter(recipient=person.user).order_by("pk").values_list("kind", flat=True))


def refused(error: type[Exception], call: Callable[[], object]) -> Exception:
    """Run a call that must fail with ``error``; it must leave every row as it was."""
    before = snapshot()
    with pytest.raises(error) as excinfo:
        call()
    assert snapshot() == before
    return excinfo.value
