"""Queue reads at their edges: accounts without a team, and counts that read open requests only."""

from __future__ import annotations

from typing import Any

from insideout.people.models import User
from insideout.servicedesk import selectors, services
from insideout.servicedesk.tests.factories import request_create


def test_an_account_without_a_unit_has_an_empty_team_queue(desk: dict[str, Any]) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"])
    services.request_assign(actor=desk["lead"].user, request=request, assignee_id=desk["agent"].pk)
    root = User.objects.create_superuser(username="root", email="root@example.org", password="x")  # noqa: S106

    assert list(selectors.request_queue_for(actor=root, queue="team")) == []
    assert [r.key for r in selectors.request_queue_for(actor=root, queue="all_open")] == ["IT-1"]
    assert [r.key for r in selectors.request_queue_for(actor=desk["agent"].user, queue="team")] == ["IT-1"]


def test_counts_leave_out_finished_requests(desk: dict[str, Any]) -> None:
    done = request_create(requester=desk["employee"], request_type=desk["request_type"], subject="Done")
    request_create(requester=desk["employee"], request_type=desk["request_type"], subject="Open")
    services.request_transition(actor=desk["agent"].user, request=done, status="resolved")

    counts = selectors.queue_counts_for(actor=desk["agent"].user)

    assert (counts["all_open"], counts["unassigned"], counts["waiting"], counts["mine"]) == (1, 1, 0, 0)
