"""Recognition's surface for other contexts and the web layer. Returns contracts, never rows."""

from __future__ import annotations

from insideout.people.models import User
from insideout.recognition import selectors
from insideout.recognition.contracts import PointsSummary


def points_for(*, user: User | None) -> PointsSummary | None:
    """The signed-in person's balances (None for someone who is not a member of the organisation)."""
    employee = selectors.member_of(user)
    if employee is None:
        return None
    points = selectors.points_of(employee_id=employee.pk, holder=selectors.budget_holder(user))
    return PointsSummary(allowance=points.allowance, earned=points.earned, budget=points.budget)
