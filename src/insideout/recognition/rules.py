"""Points by rule: when an event of another context happens, each person it names may get points
from the organisation (``PointRule``, off by default). The handler runs at least once; the
transaction's reference (the event and the person) makes a second run grant nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from insideout.core.events import handles
from insideout.core.models import Event
from insideout.people.models import Employee
from insideout.recognition import ledger
from insideout.recognition.models import AccountKind, PointRule


def _ids(*names: str) -> Callable[[dict[str, Any]], list[int]]:
    def people(payload: dict[str, Any]) -> list[int]:
        found: list[int] = []
        for name in names:
            value = payload.get(name)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, int) and not isinstance(item, bool):
                    found.append(item)
        return found

    return people


# The events a rule can use, what to call them, and whom each one names. Learning's completions join
# when learning exists.
RULE_EVENTS: dict[str, tuple[Any, Callable[[dict[str, Any]], list[int]]]] = {
    "servicedesk.thanks_sent": (_("A thank-you on a request (to each person thanked)"), _ids("recipients")),
    "servicedesk.commitment_kept": (_("A commitment kept (to the person who kept it)"), _ids("owner")),
    "learning.module_completed": (_("A learning module completed (to the learner)"), _ids("learner")),
}


@handles(*RULE_EVENTS)
def grant_points_by_rule(event: Event) -> None:
    rule = PointRule.objects.filter(event_type=event.type, is_active=True, points__gt=0).first()
    if rule is None:
        return
    _label, people_of = RULE_EVENTS[event.type]
    ids = people_of(event.payload)
    active = set(Employee.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
    for person_id in dict.fromkeys(ids):
        if person_id not in active:
            continue
        with transaction.atomic():
            ledger.ledger_post_once(
                reference=f"rule:{event.pk}:{person_id}",
                kind="grant",
                movements=[
                    (ledger.account_for(kind=AccountKind.ISSUANCE), -rule.points),
                    (ledger.account_for(kind=AccountKind.EARNED, owner_id=person_id), rule.points),
                ],
                memo=f"{event.type} {event.subject_type}:{event.subject_id}"[:300],
                subject=(event.subject_type, event.subject_id),
                occurred_at=event.occurred_at,
            )
