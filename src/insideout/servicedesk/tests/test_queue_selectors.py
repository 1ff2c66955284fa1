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


def test_a_big_desk_offers_my_team_and_whoever_holds_open_work(desk: dict[str, Any], monkeypatch: Any) -> None:
    from insideout.people.tests.factories import EmployeeFactory, UnitFactory

    monkeypatch.setattr(selectors, "AGENTS_LISTED", 3)
    network = UnitFactory(code="IT-NET", name="Network", kind="team", parent=desk["it"])
    busy = EmployeeFactory(username="nia", first_name="Nia", last_name="Net", unit=network)
    idle = [EmployeeFactory(username=f"idle{n}", unit=network) for n in range(3)]
    request = request_create(requester=desk["employee"], request_type=desk["request_type"])
    services.request_assign(actor=desk["lead"].user, request=request, assignee_id=busy.pk)

    offered = selectors.agents_of_desks(desks=[desk["desk"]], employee=desk["agent"])

    # Sam's own team is the helpdesk (only Sam); Nia holds open work; the idle colleagues are left out.
    assert {agent.pk for agent in offered} == {desk["agent"].pk, busy.pk}
    assert not {agent.pk for agent in offered} & {person.pk for person in idle}
    assert len(selectors.agents_of_desks(desks=[desk["desk"]])) == 1  # without a team: the busy ones


def test_automatic_assignment_takes_turns_and_then_the_least_loaded(desk: dict[str, Any]) -> None:
    from insideout.people.tests.factories import EmployeeFactory

    kai = EmployeeFactory(username="kai", unit=desk["helpdesk"])
    rt = desk["request_type"]
    services.request_type_update(actor=desk["lead"].user, request_type=rt, assignment="round_robin")
    turns = [request_create(requester=desk["employee"], request_type=rt).assignee_id for _ in range(4)]
    agents = sorted([desk["lead"].pk, desk["agent"].pk, kai.pk])
    assert turns == [*agents, agents[0]]

    services.request_type_update(actor=desk["lead"].user, request_type=rt, assignment="least_loaded")
    # Everyone holds one open request except the first agent, who holds two: the next goes to the second.
    assert request_create(requester=desk["employee"], request_type=rt).assignee_id == agents[1]


def test_each_process_keeps_a_desks_agent_list_for_a_while_unless_told_not_to(
    desk: dict[str, Any], settings: Any, django_assert_num_queries: Any
) -> None:
    from insideout.people.tests.factories import EmployeeFactory

    first = selectors.agents_of_desks(desks=[desk["desk"]], employee=desk["agent"])
    newcomer = EmployeeFactory(username="newcomer", unit=desk["helpdesk"])
    with django_assert_num_queries(0):
        kept = selectors.agents_of_desks(desks=[desk["desk"]], employee=desk["agent"])
    assert kept == first  # the newcomer shows once the list is read again
    other_team = selectors.agents_of_desks(desks=[desk["desk"]], employee=None)  # kept apart by team
    assert newcomer.pk in {agent.pk for agent in other_team}

    settings.SERVICEDESK_AGENT_LIST_SECONDS = 0
    with django_assert_num_queries(1):
        fresh = selectors.agents_of_desks(desks=[desk["desk"]], employee=desk["agent"])
    assert newcomer.pk in {agent.pk for agent in fresh}
