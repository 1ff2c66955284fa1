"""Needed-by dates and their negotiation through the services: within the standard, accepted,
countered and accepted, withdrawn; who may take which step; and what each refusal leaves alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from insideout.core.errors import Conflict, Forbidden
from insideout.core.models import Event
from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import selectors, services
from insideout.servicedesk.cooperation.models import Commitment, NeededBy
from insideout.servicedesk.models import Request
from insideout.servicedesk.tests.coop import MONDAY_10, kinds_of, refused
from insideout.servicedesk.tests.factories import request_create

# The P3 resolution standard (24 business hours, 7 a day) of a request filed on Monday at 10:00
# in Berlin runs out on Thursday at 14:00 there.
RESOLUTION_DUE = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
WEDNESDAY_NOON = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
FRIDAY_NOON = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)
TUESDAY_NOON = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
LATER = MONDAY_10 + timedelta(hours=1)


@pytest.fixture
def filed(desk: dict[str, Any]) -> Request:
    return request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)


def _ask(desk: dict[str, Any], request: Request, when: datetime, reason: str = "The new hire starts then.") -> NeededBy:
    return services.needed_by_set(
        actor=desk["employee"].user, request=request, needed_by=when, reason=reason, now=MONDAY_10
    )


def _respond(who: Any, request: Request, entry: NeededBy, action: str, due: datetime | None = None) -> NeededBy:
    return services.needed_by_respond(
        actor=who.user, request=request, needed_by=entry, action=action, due_at=due, now=LATER
    )


def _types(request: Request) -> list[str]:
    return list(
        Event.objects.filter(subject_id=str(request.pk), type__startswith="servicedesk.needed_by")
        .order_by("pk")
        .values_list("type", flat=True)
    )


def test_a_date_the_standard_already_allows_is_noted_without_negotiation(desk: dict[str, Any], filed: Request) -> None:
    entry = _ask(desk, filed, FRIDAY_NOON)

    assert (entry.state, entry.promised_at) == ("within_standard", RESOLUTION_DUE)
    assert selectors.needed_by_negotiating(request=filed) is None
    assert _types(filed) == ["servicedesk.needed_by_noted"]
    # Nothing to answer.
    with pytest.raises(Conflict):
        _respond(desk["agent"], filed, entry, "accept")


def test_a_sooner_date_accepted_by_the_desk_becomes_the_assignee_s_commitment(
    desk: dict[str, Any], filed: Request, django_capture_on_commit_callbacks: Any
) -> None:
    desk_services.request_assign(actor=desk["lead"].user, request=filed, assignee_id=desk["agent"].pk, now=MONDAY_10)
    with django_capture_on_commit_callbacks(execute=True):
        entry = _ask(desk, filed, WEDNESDAY_NOON)
    assert (entry.state, entry.promised_at) == ("proposed", RESOLUTION_DUE)

    with django_capture_on_commit_callbacks(execute=True):
        entry = _respond(desk["lead"], filed, entry, "accept")  # the lead answers; Sam is assigned

    commitment = Commitment.objects.get(request=filed)
    assert (entry.state, entry.responded_by, entry.commitment) == ("accepted", desk["lead"], commitment)
    assert (commitment.owner, commitment.recipient, commitment.due_at) == (
        desk["agent"],
        desk["employee"],
        WEDNESDAY_NOON,
    )
    assert commitment.note == "The new hire starts then."
    assert _types(filed) == ["servicedesk.needed_by_proposed", "servicedesk.needed_by_accepted"]
    assert "servicedesk.needed_by_proposed" in kinds_of(desk["agent"])  # the assignee is asked
    assert "servicedesk.needed_by_proposed" not in kinds_of(desk["lead"])
    assert "servicedesk.needed_by_accepted" in kinds_of(desk["employee"])
    assert "servicedesk.commitment_made" in kinds_of(desk["employee"])


def test_a_counter_proposal_accepted_by_the_requester_becomes_the_commitment(
    desk: dict[str, Any], filed: Request, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        entry = _ask(desk, filed, TUESDAY_NOON)
    # Unassigned: every agent of the desk is asked.
    assert "servicedesk.needed_by_proposed" in kinds_of(desk["agent"])
    assert "servicedesk.needed_by_proposed" in kinds_of(desk["lead"])

    with django_capture_on_commit_callbacks(execute=True):
        entry = _respond(desk["agent"], filed, entry, "counter", WEDNESDAY_NOON)
    assert (entry.state, entry.counter_due_at, entry.responded_by) == ("countered", WEDNESDAY_NOON, desk["agent"])
    assert "servicedesk.needed_by_countered" in kinds_of(desk["employee"])

    with django_capture_on_commit_callbacks(execute=True):
        entry = _respond(desk["employee"], filed, entry, "accept")

    commitment = Commitment.objects.get(request=filed)
    assert entry.state == "accepted"
    # Nobody is assigned: the agent who made the counter-proposal owns the promise.
    assert (commitment.owner, commitment.due_at) == (desk["agent"], WEDNESDAY_NOON)
    assert _types(filed) == [
        "servicedesk.needed_by_proposed",
        "servicedesk.needed_by_countered",
        "servicedesk.needed_by_accepted",
    ]
    assert kinds_of(desk["agent"]).count("servicedesk.needed_by_accepted") == 1


def test_accepting_a_date_moves_an_open_commitment_with_the_reason(desk: dict[str, Any], filed: Request) -> None:
    commitment = services.commitment_create_for_request(
        actor=desk["agent"].user, request=filed, due_at=FRIDAY_NOON, now=MONDAY_10
    )
    entry = _ask(desk, filed, WEDNESDAY_NOON, reason="The board meets on Thursday.")
    assert entry.promised_at == FRIDAY_NOON  # compared with the commitment, not the clock

    _respond(desk["agent"], filed, entry, "accept")

    commitment.refresh_from_db()
    assert (commitment.due_at, commitment.moves, commitment.original_due_at) == (WEDNESDAY_NOON, 1, FRIDAY_NOON)
    assert [r.reason for r in selectors.commitment_revisions(commitment=commitment)] == [
        "",
        "The board meets on Thursday.",
    ]
    assert Commitment.objects.filter(request=filed).count() == 1


@pytest.mark.parametrize("countered", [False, True], ids=["proposed_case", "countered_case"])
def test_the_requester_may_withdraw_and_the_desk_hears_it(
    desk: dict[str, Any], filed: Request, countered: bool, django_capture_on_commit_callbacks: Any
) -> None:
    entry = _ask(desk, filed, TUESDAY_NOON)
    if countered:
        entry = _respond(desk["agent"], filed, entry, "counter", WEDNESDAY_NOON)
    with django_capture_on_commit_callbacks(execute=True):
        entry = _respond(desk["employee"], filed, entry, "withdraw")

    assert entry.state == "withdrawn"
    assert not Commitment.objects.exists()
    assert "servicedesk.needed_by_withdrawn" in kinds_of(desk["agent"])
    # Withdrawn ends the negotiation: a new date may be given.
    assert _ask(desk, filed, WEDNESDAY_NOON).state == "proposed"


# --- refused: each changes nothing -----------------------------------------------------------


def test_only_the_requester_gives_a_date_once_at_a_time_on_an_open_request(
    desk: dict[str, Any], filed: Request
) -> None:
    refused(
        Forbidden,
        lambda: services.needed_by_set(
            actor=desk["agent"].user, request=filed, needed_by=TUESDAY_NOON, reason="x", now=MONDAY_10
        ),
    )
    error = refused(ValidationError, lambda: _ask(desk, filed, MONDAY_10 - timedelta(hours=1), reason=" "))
    assert isinstance(error, ValidationError)
    assert set(error.message_dict) == {"needed_by", "reason"}
    _ask(desk, filed, TUESDAY_NOON)
    error = refused(Conflict, lambda: _ask(desk, filed, WEDNESDAY_NOON))
    assert "negotiated" in str(error)
    desk_services.request_transition(actor=desk["agent"].user, request=filed, status="resolved", now=LATER)
    other = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    desk_services.request_transition(actor=desk["agent"].user, request=other, status="resolved", now=LATER)
    refused(Conflict, lambda: _ask(desk, other, WEDNESDAY_NOON))


def test_each_side_answers_only_on_its_turn(desk: dict[str, Any], filed: Request) -> None:
    entry = _ask(desk, filed, TUESDAY_NOON)
    eve, sam, mo = desk["employee"], desk["agent"], desk["manager"]

    refused(Forbidden, lambda: _respond(eve, filed, entry, "accept"))  # the desk's turn
    refused(Forbidden, lambda: _respond(eve, filed, entry, "counter", WEDNESDAY_NOON))
    refused(Forbidden, lambda: _respond(sam, filed, entry, "withdraw"))
    refused(Forbidden, lambda: _respond(mo, filed, entry, "accept"))
    error = refused(ValidationError, lambda: _respond(sam, filed, entry, "counter"))
    assert isinstance(error, ValidationError)
    assert list(error.message_dict) == ["due_at"]
    refused(ValidationError, lambda: _respond(sam, filed, entry, "accept", WEDNESDAY_NOON))
    refused(ValidationError, lambda: _respond(sam, filed, entry, "postpone"))

    entry = _respond(sam, filed, entry, "counter", WEDNESDAY_NOON)
    refused(Forbidden, lambda: _respond(sam, filed, entry, "accept"))  # now the requester's turn
    refused(Conflict, lambda: _respond(eve, filed, entry, "counter", FRIDAY_NOON))
    entry = _respond(eve, filed, entry, "accept")
    refused(Conflict, lambda: _respond(eve, filed, entry, "withdraw"))
