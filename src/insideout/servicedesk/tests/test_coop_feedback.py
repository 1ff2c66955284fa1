"""Feedback and thanks through the services: the request for a rating on resolution, one rating per
request, follow-ups on low ratings, thank-you notes to helpers and their managers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from insideout.core.errors import Conflict, Forbidden, NotFound
from insideout.core.models import Event
from insideout.notifications.models import Notification
from insideout.people import services as people
from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import services
from insideout.servicedesk.cooperation.models import FollowUp
from insideout.servicedesk.models import Request
from insideout.servicedesk.tests.coop import MONDAY_10, kinds_of, refused
from insideout.servicedesk.tests.factories import catalog_create, desk_create, request_create

LATER = MONDAY_10 + timedelta(hours=2)


@pytest.fixture
def resolved(desk: dict[str, Any], django_capture_on_commit_callbacks: Any) -> Request:
    """Eve's request, handled by Sam and resolved on Monday at noon (the handlers have run)."""
    with django_capture_on_commit_callbacks(execute=True):
        request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
        desk_services.request_assign(
            actor=desk["lead"].user, request=request, assignee_id=desk["agent"].pk, now=MONDAY_10
        )
        desk_services.request_transition(actor=desk["agent"].user, request=request, status="resolved", now=LATER)
    return request


def _rate(desk: dict[str, Any], request: Request, rating: Any, comment: str = "") -> Any:
    return services.feedback_give(actor=desk["employee"].user, request=request, rating=rating, comment=comment)


def test_a_resolved_request_asks_its_requester_for_a_rating(desk: dict[str, Any], resolved: Request) -> None:
    asked = Notification.objects.get(recipient=desk["employee"].user, kind="servicedesk.feedback_asked")
    assert asked.title == "How did IT do with IT-1?"
    assert "from 1 to 5" in asked.body
    assert asked.url == "/requests/IT-1/"
    assert "servicedesk.feedback_asked" not in kinds_of(desk["agent"])


def test_a_good_rating_is_recorded_once_and_opens_no_follow_up(desk: dict[str, Any], resolved: Request) -> None:
    feedback = _rate(desk, resolved, 4, "  Quick and friendly.  ")

    assert (feedback.rating, feedback.comment, feedback.by) == (4, "Quick and friendly.", desk["employee"])
    event = Event.objects.get(type="servicedesk.feedback_given")
    assert event.payload == {
        "feedback": feedback.pk,
        "rating": 4,
        "comment": "Quick and friendly.",
        "assignee": desk["agent"].pk,
    }
    assert not FollowUp.objects.exists()
    error = refused(Conflict, lambda: _rate(desk, resolved, 5))
    assert str(error) == "IT-1 has already been rated."


def test_a_reopened_and_resolved_request_is_not_asked_again_once_rated(
    desk: dict[str, Any], resolved: Request, django_capture_on_commit_callbacks: Any
) -> None:
    _rate(desk, resolved, 5)
    with django_capture_on_commit_callbacks(execute=True):
        desk_services.request_transition(actor=desk["employee"].user, request=resolved, status="in_progress")
        desk_services.request_transition(actor=desk["agent"].user, request=resolved, status="resolved")
    assert kinds_of(desk["employee"]).count("servicedesk.feedback_asked") == 1


def test_a_low_rating_opens_a_follow_up_for_the_unit_s_lead(
    desk: dict[str, Any], resolved: Request, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        feedback = _rate(desk, resolved, 2, "Nobody told me anything.")

    follow_up = FollowUp.objects.get()
    assert (follow_up.request, follow_up.feedback, follow_up.lead, follow_up.state) == (
        resolved,
        feedback,
        desk["lead"],
        "open",
    )
    told = Notification.objects.get(recipient=desk["lead"].user, kind="servicedesk.follow_up")
    assert told.title == "IT-1 was rated 2 of 5"
    assert "“Nobody told me anything.”" in told.body

    refused(Forbidden, lambda: services.follow_up_complete(actor=desk["agent"].user, follow_up=follow_up))
    services.follow_up_complete(actor=desk["lead"].user, follow_up=follow_up, now=LATER)
    follow_up.refresh_from_db()
    assert (follow_up.state, follow_up.done_at) == ("done", LATER)
    refused(Conflict, lambda: services.follow_up_complete(actor=desk["lead"].user, follow_up=follow_up))


def test_a_team_without_a_lead_sends_its_follow_up_to_the_lead_above(desk: dict[str, Any]) -> None:
    people.unit_update(unit=desk["helpdesk"], lead=desk["lead"])  # to open the desk
    team_desk = desk_create(unit=desk["helpdesk"], lead=desk["lead"], prefix="HD")
    people.unit_update(unit=desk["helpdesk"], lead=None)
    catalog = catalog_create(desk=team_desk, lead=desk["lead"])
    request = request_create(requester=desk["employee"], request_type=catalog["request_type"])
    desk_services.request_transition(actor=desk["agent"].user, request=request, status="resolved")

    _rate(desk, request, 1)

    assert FollowUp.objects.get().lead == desk["lead"]  # Helpdesk has no lead; IT's answers


@pytest.mark.parametrize("rating", [0, 6, -1, True], ids=["zero_case", "six_case", "negative_case", "bool_case"])
def test_a_rating_outside_1_to_5_isrefused(desk: dict[str, Any], resolved: Request, rating: Any) -> None:
    error = refused(ValidationError, lambda: _rate(desk, resolved, rating))
    assert isinstance(error, ValidationError)
    assert error.message_dict == {"rating": ["Rate from 1 (poor) to 5 (excellent)."]}


def test_only_the_requester_rates_and_only_a_resolved_request(desk: dict[str, Any], resolved: Request) -> None:
    refused(Forbidden, lambda: services.feedback_give(actor=desk["agent"].user, request=resolved, rating=5, comment=""))
    open_request = request_create(requester=desk["employee"], request_type=desk["request_type"])
    error = refused(Conflict, lambda: _rate(desk, open_request, 5))
    assert str(error) == "IT-2 is not resolved yet; rate it once it is."


def test_a_closed_request_can_still_be_rated(desk: dict[str, Any], resolved: Request) -> None:
    desk_services.request_transition(actor=desk["employee"].user, request=resolved, status="closed")
    assert _rate(desk, resolved, 3).rating == 3


# --- thanks ----------------------------------------------------------------------------------


def _thank(who: Any, request: Request, to: list[int], message: str = "Thank you for the quick help!") -> Any:
    return services.thanks_send(actor=who.user, request=request, to=to, message=message, now=LATER)


def test_thanks_reach_each_helper_and_their_manager(
    desk: dict[str, Any], resolved: Request, django_capture_on_commit_callbacks: Any
) -> None:
    eve, sam, lena = desk["employee"], desk["agent"], desk["lead"]
    with django_capture_on_commit_callbacks(execute=True):
        thanks = _thank(eve, resolved, [sam.pk, sam.pk])  # named twice, thanked once

    assert list(thanks.recipients.all()) == [sam]
    event = Event.objects.get(type="servicedesk.thanks_sent")
    assert (event.subject_type, event.subject_id, event.actor) == ("servicedesk.request", str(resolved.pk), eve.user)
    assert event.payload == {
        "thanks": thanks.pk,
        "giver": eve.pk,
        "recipients": [sam.pk],
        "request": resolved.pk,
        "message": "Thank you for the quick help!",
    }
    to_sam = Notification.objects.get(recipient=sam.user, kind="servicedesk.thanks")
    assert to_sam.title == "Eve Employee thanks you"
    assert "“Thank you for the quick help!”" in to_sam.body
    to_lena = Notification.objects.get(recipient=lena.user, kind="servicedesk.thanks_to_report")  # Sam's manager
    assert to_lena.title == "Eve Employee thanked Sam Agent"


def test_a_manager_thanked_with_their_report_hears_it_once(
    desk: dict[str, Any], resolved: Request, django_capture_on_commit_callbacks: Any
) -> None:
    sam, lena = desk["agent"], desk["lead"]
    with django_capture_on_commit_callbacks(execute=True):
        _thank(desk["employee"], resolved, [sam.pk, lena.pk])
    assert kinds_of(lena)[-1:] == ["servicedesk.thanks"]
    assert "servicedesk.thanks_to_report" not in kinds_of(lena)


def test_anyone_who_sees_the_request_may_thank_others_may_not(desk: dict[str, Any], resolved: Request) -> None:
    assert _thank(desk["lead"], resolved, [desk["agent"].pk]).giver == desk["lead"]
    refused(NotFound, lambda: _thank(desk["manager"], resolved, [desk["agent"].pk]))


def test_thanks_to_oneself_to_unknown_people_or_without_a_message_arerefused(
    desk: dict[str, Any], resolved: Request
) -> None:
    eve, sam = desk["employee"], desk["agent"]

    error = refused(ValidationError, lambda: _thank(eve, resolved, [sam.pk, eve.pk]))
    assert isinstance(error, ValidationError)
    assert error.message_dict == {"to": ["You cannot thank yourself."]}
    error = refused(ValidationError, lambda: _thank(eve, resolved, [sam.pk, 999_998, 999_999]))
    assert isinstance(error, ValidationError)
    assert error.message_dict == {"to": ["No active person has the id(s) 999998, 999999."]}
    error = refused(ValidationError, lambda: _thank(eve, resolved, [], message="  "))
    assert isinstance(error, ValidationError)
    assert error.message_dict == {"to": ["Name at least one person to thank."], "message": ["This field is required."]}
    error = refused(ValidationError, lambda: _thank(eve, resolved, list(range(1, 30))))
    assert isinstance(error, ValidationError)
    assert error.message_dict == {"to": ["Thank at most 20 people at once."]}
