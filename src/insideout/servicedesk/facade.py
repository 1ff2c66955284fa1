"""The service desk's surface for other contexts and the web layer. Returns contracts, never rows."""

from __future__ import annotations

from insideout.people.models import User
from insideout.servicedesk import selectors
from insideout.servicedesk.contracts import DeskSummary
from insideout.servicedesk.models import OPEN_STATUSES


def summary_for(*, user: User | None) -> DeskSummary:
    access = selectors.access_for(user)
    mine = selectors.request_list_mine(actor=user).filter(status__in=OPEN_STATUSES).count()
    counts = selectors.queue_counts_for(actor=user) if access.staff_desk_ids else {}
    return DeskSummary(
        my_open_requests=mine,
        is_agent=bool(access.agent_desk_ids),
        is_desk_admin=bool(access.admin_desk_ids),
        assigned_to_me=counts.get("mine", 0),
        at_risk_or_breached=counts.get("at_risk", 0) + counts.get("breached", 0),
    )
