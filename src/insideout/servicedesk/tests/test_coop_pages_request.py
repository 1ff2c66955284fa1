"""The request page's "Promises" part and its actions: committing and moving a promise, the
needed-by negotiation, the rating and the thanks; who may take each step, what bad input shows,
htmx and plain posts, and the page's query count with many versions and notes."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import services
from insideout.servicedesk.cooperation.models import Commitment, Feedback, NeededBy, ThankYou
from insideout.servicedesk.models import Request
from insideout.servicedesk.tests.coop import snapshot
from insideout.servicedesk.tests.factories import request_create

ClientFor = Callable[[Any], Client]
BERLIN = ZoneInfo("Europe/Berlin")  # everyone's zone in the fixtures
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "request-body"}


def _url(request: Request, action: str = "") -> str:
    return f"/requests/{request.key}/" + (f"{action}/" if action else "")


def _local(**ahead: float) -> tuple[str, datetime]:
    """A time ahead of now as a ``datetime-local`` input sends it (Berlin), and the instant it means."""
    when = (timezone.now() + timedelta(**ahead)).astimezone(BERLIN).replace(second=0, microsecond=0)
    return when.strftime("%Y-%m-%dT%H:%M"), when


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def errors_of(response: Any, field_id: str) -> list[str]:
    """The messages shown next to one input (by its id)."""
    match = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', response.content.decode(), re.S)
    return [html_lib.unescape(item) for item in re.findall(r"<li>(.*?)</li>", match.group(1))] if match else []


def _part(response: Any) -> dict[str, Any]:
    return response.context["promises"]  # type: ignore[no-any-return]


@pytest.fixture
def filed(desk: dict[str, Any]) -> Request:
    """Eve's request, assigned to Sam."""
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], subject="Broken screen")
    desk_services.request_assign(actor=desk["lead"].user, request=request, assignee_id=desk["agent"].pk)
    return request


@pytest.fixture
def resolved(desk: dict[str, Any], filed: Request) -> Request:
    """The request with Sam's commitment, a public reply of Lena's, resolved by Sam."""
    services.commitment_create_for_request(
        actor=desk["agent"].user, request=filed, due_at=timezone.now() + timedelta(days=2)
    )
    desk_services.request_comment(actor=desk["lead"].user, request=filed, body="I ordered the screen.")
    desk_services.request_transition(actor=desk["agent"].user, request=filed, status="resolved")
    return filed


# --- what each side sees --------------------------------------------------------------------------


def test_an_open_request_without_promises_offers_each_side_its_step(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    agent_page = client_for(desk["agent"]).get(_url(filed))
    requester_page = client_for(desk["employee"]).get(_url(filed))

    assert sorted(key for key in _part(agent_page) if key.endswith("_form")) == ["commit_form"]
    assert sorted(key for key in _part(requester_page) if key.endswith("_form")) == ["needed_by_form"]
    agent_html = agent_page.content.decode()
    assert "Nobody has committed to a date yet." in agent_html
    assert 'type="datetime-local" name="due_at"' in agent_html
    assert "Say when you need it" in requester_page.content.decode()
    assert "Commit to a date" not in requester_page.content.decode()


def test_a_watcher_sees_the_promise_but_no_forms(desk: dict[str, Any], filed: Request, client_for: ClientFor) -> None:
    desk_services.request_watch(actor=desk["employee"].user, request=filed, employee_id=desk["manager"].pk, watch=True)
    services.commitment_create_for_request(
        actor=desk["agent"].user, request=filed, due_at=timezone.now() + timedelta(days=2)
    )

    response = client_for(desk["manager"]).get(_url(filed))

    assert [key for key in _part(response) if key.endswith("_form")] == []
    assert _part(response)["promise"].state_label == "Open"
    assert "Sam Agent promised it for" in response.content.decode()


def test_a_superuser_without_a_person_sees_the_promises_but_no_forms(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    root = get_user_model().objects.create_superuser(username="root", email="root@example.org", password="x")
    services.needed_by_set(
        actor=desk["employee"].user, request=filed, needed_by=timezone.now() + timedelta(hours=5), reason="Today"
    )

    response = client_for(root).get(_url(filed))

    assert response.status_code == 200
    assert [key for key in _part(response) if key.endswith("_form")] == []
    assert _part(response)["negotiation"]["state_label"] == "Proposed"


# --- committing and moving ----------------------------------------------------------------------------


def test_an_agent_commits_and_the_requester_sees_it_in_words_and_her_zone(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    typed, when = _local(days=3, hours=2)

    response = client_for(desk["agent"]).post(_url(filed, "commit"), {"due_at": typed, "note": "Parts are here."})

    assert response.status_code == 302
    assert response["Location"] == _url(filed)
    commitment = Commitment.objects.get(request=filed)
    assert (commitment.owner, commitment.due_at, commitment.note, commitment.state) == (
        desk["agent"],
        when,
        "Parts are here.",
        "open",
    )
    page = client_for(desk["employee"]).get(_url(filed))
    html = page.content.decode()
    assert f"{when:%a} {when.day} {when:%b %Y, %H:%M}" in html
    assert _part(page)["promise"].due_words == "due in 3 days"
    assert _part(page)["promise"].moves_words == "not moved"
    assert '<span class="pill promise-open">Open</span>' in html
    assert "First promised by Sam Agent" in html
    assert "“Parts are here.”" in html


def test_the_commit_message_names_the_time_and_the_requester(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    typed, when = _local(days=1)

    response = client_for(desk["agent"]).post(_url(filed, "commit"), {"due_at": typed}, follow=True)

    assert _messages(response) == [f"You committed to {when:%a} {when.day} {when:%b %Y, %H:%M}; Eve Employee is told."]
    assert "revise_form" in _part(response)
    assert "commit_form" not in _part(response)


@pytest.mark.parametrize(
    ("due_at", "message"),
    [
        ("", "This field is required."),
        ("next Tuesday", "Enter a date and a time, e.g. 2026-11-26 15:00."),
        ("2020-01-06T10:00", "This time has already passed; choose one in the future."),
        ("2099-01-06T10:00", "Choose a time within the next five years."),
    ],
)
def test_a_wrong_time_is_shown_by_its_input_and_nothing_changes(
    desk: dict[str, Any], filed: Request, client_for: ClientFor, due_at: str, message: str
) -> None:
    before = snapshot()

    response = client_for(desk["agent"]).post(_url(filed, "commit"), {"due_at": due_at})

    assert response.status_code == 200
    assert errors_of(response, "commit-due_at") == [message]
    assert "Nothing was saved yet" in response.content.decode()
    assert snapshot() == before


def test_the_requester_may_not_commit(desk: dict[str, Any], filed: Request, client_for: ClientFor) -> None:
    before = snapshot()

    response = client_for(desk["employee"]).post(_url(filed, "commit"), {"due_at": _local(days=2)[0]})

    assert response.status_code == 403
    assert snapshot() == before


def test_committing_twice_is_a_message_and_changes_nothing(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    client = client_for(desk["agent"])
    client.post(_url(filed, "commit"), {"due_at": _local(days=2)[0]})
    before = snapshot()

    response = client.post(_url(filed, "commit"), {"due_at": _local(days=3)[0]}, follow=True)

    assert _messages(response)[-1].startswith(f"{filed.key} already has an open commitment")
    assert snapshot() == before


def test_moving_a_promise_keeps_every_version_and_says_how_far_it_moved(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    first = timezone.now() + timedelta(days=2)
    commitment = services.commitment_create_for_request(actor=desk["agent"].user, request=filed, due_at=first)
    typed, when = _local(days=4)

    response = client_for(desk["lead"]).post(
        _url(filed, "commitment/revise"),
        {"commitment": commitment.pk, "due_at": typed, "reason": "The supplier is late. <b>Sorry</b>"},
        follow=True,
    )

    commitment.refresh_from_db()
    assert (commitment.due_at, commitment.moves) == (when, 1)
    assert _messages(response) == [
        f"The promise now says {when:%a} {when.day} {when:%b %Y, %H:%M}; Eve Employee is told why."
    ]
    page = client_for(desk["employee"]).get(_url(filed))
    assert _part(page)["promise"].moves_words == "moved once, 2 days later in total"
    html = page.content.decode()
    assert "Moved 1" not in html
    assert "Moved once, 2 days later in total." in html
    assert "Moved by Lena Lead" in html
    assert "because: “The supplier is late. &lt;b&gt;Sorry&lt;/b&gt;”" in html
    assert [version.number for version in _part(page)["promise"].versions] == [1, 2]


def test_moving_without_a_reason_is_refused_by_its_input(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    commitment = services.commitment_create_for_request(
        actor=desk["agent"].user, request=filed, due_at=timezone.now() + timedelta(days=2)
    )
    before = snapshot()

    response = client_for(desk["agent"]).post(
        _url(filed, "commitment/revise"), {"commitment": commitment.pk, "due_at": _local(days=4)[0], "reason": " "}
    )

    assert response.status_code == 200
    assert errors_of(response, "revise-reason") == ["This field is required."]
    assert '<details class="promise-move" open>' in response.content.decode()
    assert snapshot() == before


def test_a_commitment_of_another_request_is_not_found(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    other = request_create(requester=desk["manager"], request_type=desk["request_type"])
    theirs = services.commitment_create_for_request(
        actor=desk["agent"].user, request=other, due_at=timezone.now() + timedelta(days=2)
    )
    before = snapshot()

    response = client_for(desk["agent"]).post(
        _url(filed, "commitment/revise"), {"commitment": theirs.pk, "due_at": _local(days=4)[0], "reason": "Because"}
    )

    assert response.status_code == 404
    assert snapshot() == before


def test_htmx_commit_swaps_the_body_with_the_message(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    response = client_for(desk["agent"]).post(_url(filed, "commit"), {"due_at": _local(days=2)[0]}, follow=True, **HTMX)

    page = response.content.decode()
    assert page.lstrip().startswith('<div id="request-body"')
    assert "<html" not in page
    assert "You committed to" in page
    assert Commitment.objects.filter(request=filed).count() == 1


def test_htmx_commit_with_an_error_answers_with_the_body_and_the_error(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    before = snapshot()

    response = client_for(desk["agent"]).post(_url(filed, "commit"), {"due_at": "2020-01-06T10:00"}, **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert errors_of(response, "commit-due_at") == ["This time has already passed; choose one in the future."]
    assert 'value="2020-01-06T10:00"' in page
    assert snapshot() == before


# --- needed-by and negotiation --------------------------------------------------------------------------


def test_a_sooner_date_is_negotiated_counter_proposed_and_accepted(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    eve, sam = client_for(desk["employee"]), client_for(desk["agent"])
    needed, needed_at = _local(hours=5)

    asked = eve.post(_url(filed, "needed-by"), {"needed_by": needed, "reason": "Ada starts today."}, follow=True)

    entry = NeededBy.objects.get(request=filed)
    assert (entry.state, entry.needed_by) == ("proposed", needed_at)
    assert _messages(asked) == [
        f"IT is asked to have it done by {needed_at:%a} {needed_at.day} {needed_at:%b %Y, %H:%M}, "
        "or to propose another time."
    ]
    assert _part(asked)["negotiation"]["turn"] == ""
    assert _part(asked)["negotiation"]["can_withdraw"] is True
    assert "needed_by_form" not in _part(asked)  # one negotiation at a time

    agent_page = sam.get(_url(filed))
    assert _part(agent_page)["negotiation"]["turn"] == "agent"
    assert "Accept " in agent_page.content.decode()
    counter, counter_at = _local(days=1)
    countered = sam.post(
        _url(filed, f"needed-by/{entry.pk}/respond"), {"action": "counter", "due_at": counter}, follow=True
    )
    assert _messages(countered) == [
        f"You proposed {counter_at:%a} {counter_at.day} {counter_at:%b %Y, %H:%M}; the requester is asked."
    ]

    requester_page = eve.get(_url(filed))
    assert _part(requester_page)["negotiation"]["turn"] == "requester"
    assert (
        f"IT proposed <strong>{counter_at:%a} {counter_at.day} {counter_at:%b %Y, %H:%M}</strong> instead (Sam Agent)."
        in requester_page.content.decode()
    )
    accepted = eve.post(_url(filed, f"needed-by/{entry.pk}/respond"), {"action": "accept"}, follow=True)

    entry.refresh_from_db()
    commitment = Commitment.objects.get(request=filed)
    assert (entry.state, entry.commitment, commitment.due_at, commitment.owner) == (
        "accepted",
        commitment,
        counter_at,
        desk["agent"],
    )
    assert _messages(accepted)[-1] == (
        f"Accepted: {counter_at:%a} {counter_at.day} {counter_at:%b %Y, %H:%M} is now the promise."
    )
    assert "Agreed: it became the request's commitment." in html_lib.unescape(accepted.content.decode())
    assert "needed_by_form" in _part(accepted)


def test_the_history_says_each_step_in_words(desk: dict[str, Any], filed: Request, client_for: ClientFor) -> None:
    _typed, needed_at = _local(hours=5)
    _typed, counter_at = _local(days=1)
    _typed, moved_at = _local(days=2)
    entry = services.needed_by_set(actor=desk["employee"].user, request=filed, needed_by=needed_at, reason="Today")
    services.needed_by_respond(
        actor=desk["agent"].user, request=filed, needed_by=entry, action="counter", due_at=counter_at
    )
    services.needed_by_respond(actor=desk["employee"].user, request=filed, needed_by=entry, action="accept")
    services.commitment_revise(
        actor=desk["agent"].user, commitment=Commitment.objects.get(), due_at=moved_at, reason="Parts are late."
    )

    response = client_for(desk["employee"]).get(_url(filed))

    def said(when: datetime) -> str:
        local = when.astimezone(BERLIN)
        return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"

    texts = [(item["person"].name, item["text"]) for item in response.context["timeline"] if item.get("text")]
    assert texts[-5:] == [
        ("Eve Employee", f"needs it by {said(needed_at)}, sooner than promised: “Today”"),
        ("Sam Agent", f"proposed {said(counter_at)} instead"),
        ("Eve Employee", f"the agreed time became the promise: done by {said(counter_at)}"),
        ("Eve Employee", f"accepted {said(counter_at)}"),
        ("Sam Agent", f"moved the promise to {said(moved_at)}: “Parts are late.”"),
    ]


def test_an_agent_accepts_the_date_and_it_becomes_the_promise(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    needed, needed_at = _local(hours=6)
    entry = services.needed_by_set(actor=desk["employee"].user, request=filed, needed_by=needed_at, reason="Today")

    response = client_for(desk["agent"]).post(
        _url(filed, f"needed-by/{entry.pk}/respond"), {"action": "accept"}, **HTMX, follow=True
    )

    assert "<html" not in response.content.decode()
    assert Commitment.objects.get(request=filed).due_at == needed_at
    assert NeededBy.objects.get(pk=entry.pk).state == "accepted"


def test_a_date_within_the_standard_is_only_noted(desk: dict[str, Any], filed: Request, client_for: ClientFor) -> None:
    needed, needed_at = _local(days=30)

    response = client_for(desk["employee"]).post(
        _url(filed, "needed-by"), {"needed_by": needed, "reason": "No hurry."}, follow=True
    )

    assert NeededBy.objects.get(request=filed).state == "within_standard"
    assert _messages(response) == [
        f"Noted: {needed_at:%a} {needed_at.day} {needed_at:%b %Y, %H:%M} is within what IT already promises."
    ]
    assert "The standard already allows it: nothing to negotiate." in response.content.decode()


def test_the_requester_withdraws_and_the_agent_may_not(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    entry = services.needed_by_set(
        actor=desk["employee"].user, request=filed, needed_by=timezone.now() + timedelta(hours=5), reason="Today"
    )
    before = snapshot()

    refused = client_for(desk["agent"]).post(_url(filed, f"needed-by/{entry.pk}/respond"), {"action": "withdraw"})

    assert refused.status_code == 403
    assert snapshot() == before
    withdrawn = client_for(desk["employee"]).post(
        _url(filed, f"needed-by/{entry.pk}/respond"), {"action": "withdraw"}, follow=True
    )
    assert _messages(withdrawn) == ["Your date is withdrawn."]
    assert NeededBy.objects.get(pk=entry.pk).state == "withdrawn"


def test_a_counter_proposal_needs_a_time(desk: dict[str, Any], filed: Request, client_for: ClientFor) -> None:
    entry = services.needed_by_set(
        actor=desk["employee"].user, request=filed, needed_by=timezone.now() + timedelta(hours=5), reason="Today"
    )
    before = snapshot()

    response = client_for(desk["agent"]).post(_url(filed, f"needed-by/{entry.pk}/respond"), {"action": "counter"})

    assert response.status_code == 200
    assert errors_of(response, "respond-due_at") == ["Choose the time you can offer."]
    assert snapshot() == before


PASSED = "This time has already passed; choose one in the future."


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"needed_by": "2020-01-06T10:00", "reason": "Late"}, "needed-needed_by", PASSED),
        ({"needed_by": "", "reason": "Soon"}, "needed-needed_by", "This field is required."),
        ({"reason": ""}, "needed-reason", "This field is required."),
    ],
)
def test_a_wrong_needed_by_date_is_shown_by_its_input(
    desk: dict[str, Any], filed: Request, client_for: ClientFor, data: dict[str, str], field: str, message: str
) -> None:
    before = snapshot()
    posted = {"needed_by": _local(hours=5)[0], **data}

    response = client_for(desk["employee"]).post(_url(filed, "needed-by"), posted)

    assert response.status_code == 200
    assert errors_of(response, field) == [message]
    assert snapshot() == before


def test_an_agent_may_not_say_when_the_requester_needs_it(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    before = snapshot()

    response = client_for(desk["agent"]).post(
        _url(filed, "needed-by"), {"needed_by": _local(hours=5)[0], "reason": "I say so"}
    )

    assert response.status_code == 403
    assert snapshot() == before


def test_an_unknown_needed_by_date_is_404(desk: dict[str, Any], filed: Request, client_for: ClientFor) -> None:
    response = client_for(desk["agent"]).post(_url(filed, "needed-by/999999/respond"), {"action": "accept"})

    assert response.status_code == 404


# --- rating and thanks ------------------------------------------------------------------------------------


def test_once_resolved_the_requester_rates_and_sees_the_rating(
    desk: dict[str, Any], resolved: Request, client_for: ClientFor
) -> None:
    eve = client_for(desk["employee"])
    page = eve.get(_url(resolved))
    assert "feedback_form" in _part(page)
    html = page.content.decode()
    assert '<input type="radio" name="rating" value="4" id="rating-rating_3"' in html
    assert "4 — Very good" in html

    response = eve.post(_url(resolved, "feedback"), {"rating": "4", "comment": "Quick and kind."}, follow=True)

    feedback = Feedback.objects.get(request=resolved)
    assert (feedback.rating, feedback.comment) == (4, "Quick and kind.")
    assert _messages(response) == ["Thank you for rating IT-1."]
    assert "feedback_form" not in _part(response)
    shown = " ".join(response.content.decode().split())
    assert "Eve Employee rated the service <strong>4 of 5</strong> (Very good)" in shown
    agent_page = client_for(desk["agent"]).get(_url(resolved)).content.decode()
    assert "“Quick and kind.”" in agent_page


def test_rating_twice_is_a_message_and_changes_nothing(
    desk: dict[str, Any], resolved: Request, client_for: ClientFor
) -> None:
    services.feedback_give(actor=desk["employee"].user, request=resolved, rating=5)
    before = snapshot()

    response = client_for(desk["employee"]).post(_url(resolved, "feedback"), {"rating": "1"}, follow=True)

    assert _messages(response) == ["IT-1 has already been rated."]
    assert snapshot() == before


@pytest.mark.parametrize("rating", ["", "0", "6", "five"])
def test_a_rating_outside_1_to_5_is_refused_by_its_input(
    desk: dict[str, Any], resolved: Request, client_for: ClientFor, rating: str
) -> None:
    before = snapshot()

    response = client_for(desk["employee"]).post(_url(resolved, "feedback"), {"rating": rating})

    assert response.status_code == 200
    assert errors_of(response, "rating-rating") == ["Rate from 1 (poor) to 5 (excellent)."]
    assert snapshot() == before


def test_an_agent_may_not_rate_and_an_open_request_cannot_be_rated(
    desk: dict[str, Any], filed: Request, resolved: Request, client_for: ClientFor
) -> None:
    before = snapshot()

    by_agent = client_for(desk["agent"]).post(_url(resolved, "feedback"), {"rating": "5"})

    assert by_agent.status_code == 403
    open_one = request_create(requester=desk["employee"], request_type=desk["request_type"])
    early = client_for(desk["employee"]).post(_url(open_one, "feedback"), {"rating": "5"}, follow=True)
    assert _messages(early) == ["IT-2 is not resolved yet; rate it once it is."]
    assert _part(early)["rating_part"] is False
    assert Feedback.objects.count() == 0
    assert {key: value for key, value in snapshot().items() if key != "event"} == {
        key: value for key, value in before.items() if key != "event"
    }


def test_the_thanks_form_offers_the_people_who_helped_and_sends_thanks(
    desk: dict[str, Any], resolved: Request, client_for: ClientFor
) -> None:
    eve = client_for(desk["employee"])
    page = eve.get(_url(resolved))
    form = _part(page)["thanks_form"]
    # The assignee and commitment's owner (Sam) and Lena, who replied publicly; by last name.
    assert [label for _value, label in form.fields["to"].choices] == ["Sam Agent", "Lena Lead"]
    assert form.initial["to"] == [desk["agent"].pk, desk["lead"].pk]

    response = eve.post(
        _url(resolved, "thanks"), {"to": [desk["agent"].pk], "message": "You saved my week!"}, follow=True
    )

    thanks = ThankYou.objects.get(request=resolved)
    assert (thanks.giver, list(thanks.recipients.all()), thanks.message) == (
        desk["employee"],
        [desk["agent"]],
        "You saved my week!",
    )
    assert _messages(response) == ["Your thanks is on its way to Sam Agent."]
    assert "Eve Employee thanked Sam Agent" in response.content.decode()


def test_an_agent_is_not_offered_to_thank_themselves(
    desk: dict[str, Any], resolved: Request, client_for: ClientFor
) -> None:
    form = _part(client_for(desk["agent"]).get(_url(resolved)))["thanks_form"]

    assert [label for _value, label in form.fields["to"].choices] == ["Lena Lead"]


def test_with_nobody_else_to_thank_there_is_no_form_and_a_post_is_a_message(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    desk_services.request_transition(actor=desk["agent"].user, request=filed, status="resolved")
    sam = client_for(desk["agent"])
    before = snapshot()

    response = sam.post(_url(filed, "thanks"), {"to": [desk["agent"].pk], "message": "Me!"}, follow=True)

    assert "thanks_form" not in _part(response)
    assert _messages(response) == ["Nobody else helped with IT-1, so there is nobody to thank."]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"message": "Thanks"}, "thanks-to", "Choose at least one person to thank."),
        ({"to": ["999999"], "message": "Thanks"}, "thanks-to", "Choose among the people who helped."),
        ({"to": ["agent"], "message": "  "}, "thanks-message", "This field is required."),
    ],
)
def test_wrong_thanks_are_shown_by_their_input(
    desk: dict[str, Any],
    resolved: Request,
    client_for: ClientFor,
    data: dict[str, Any],
    field: str,
    message: str,
) -> None:
    data = {**data, "to": [str(desk["agent"].pk) if value == "agent" else value for value in data.get("to", [])]}
    before = snapshot()

    response = client_for(desk["employee"]).post(_url(resolved, "thanks"), data)

    assert response.status_code == 200
    assert errors_of(response, field) == [message]
    assert snapshot() == before


def test_an_open_request_has_no_rating_or_thanks_forms(
    desk: dict[str, Any], filed: Request, client_for: ClientFor
) -> None:
    part = _part(client_for(desk["employee"]).get(_url(filed)))

    assert "feedback_form" not in part
    assert "thanks_form" not in part


def test_someone_who_does_not_see_the_request_gets_404_and_nothing_changes(
    desk: dict[str, Any], resolved: Request, client_for: ClientFor
) -> None:
    before = snapshot()

    responses = [
        client_for(desk["manager"]).post(_url(resolved, action), data)
        for action, data in (
            ("commit", {"due_at": _local(days=2)[0]}),
            ("feedback", {"rating": "5"}),
            ("thanks", {"to": [desk["agent"].pk], "message": "Hi"}),
        )
    ]

    assert [response.status_code for response in responses] == [404, 404, 404]
    assert snapshot() == before


# --- query counts ---------------------------------------------------------------------------------------


def _grow(desk: dict[str, Any], request: Request, n: int) -> None:
    """A commitment moved ``n`` times, and ``n`` thank-you notes, on a resolved request."""
    commitment = services.commitment_create_for_request(
        actor=desk["agent"].user, request=request, due_at=timezone.now() + timedelta(days=1)
    )
    for step in range(n):
        services.commitment_revise(
            actor=desk["agent"].user,
            commitment=commitment,
            due_at=timezone.now() + timedelta(days=2, hours=step),
            reason=f"Step {step}",
        )
    desk_services.request_transition(actor=desk["agent"].user, request=request, status="resolved")
    services.feedback_give(actor=desk["employee"].user, request=request, rating=4)
    for step in range(n):
        services.thanks_send(
            actor=desk["employee"].user, request=request, to=[desk["agent"].pk, desk["lead"].pk], message=f"#{step}"
        )


# The request page's own queries (see test_workspace_request), and the promises' on a resolved
# request: the commitment and its versions, the thanks and the people thanked, and the helpers the
# thanks form offers; no needed-by date or rating is read, as ``request_parts`` says it has none.
@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize(("who", "queries"), [("agent", 24), ("employee", 23)])
def test_the_promises_part_does_not_grow_with_versions_or_thanks(
    desk: dict[str, Any], filed: Request, client_for: ClientFor, n: int, who: str, queries: int
) -> None:
    _grow(desk, filed, n)
    client = client_for(desk[who])
    client.get(_url(filed))  # warms the calendar cache, as a running server has

    with CaptureQueriesContext(connection) as captured:
        response = client.get(_url(filed))

    assert response.status_code == 200
    assert len(_part(response)["promise"].versions) == n + 1
    assert len(_part(response)["thanks"]) == n
    assert len(captured) == queries, "\n".join(q["sql"][:160] for q in captured.captured_queries)
