"""The request page and its actions: what requester and agent see, each action, files, query counts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insideout.people import services as people_services
from insideout.people.tests.factories import EmployeeFactory
from insideout.servicedesk import selectors, services
from insideout.servicedesk.cooperation import services as cooperation
from insideout.servicedesk.models import Attachment, Comment, Request, Watcher
from insideout.servicedesk.tests.factories import request_create

ClientFor = Callable[[Any], Client]


def _url(request: Request, action: str = "") -> str:
    return f"/requests/{request.key}/" + (f"{action}/" if action else "")


def _state(request: Request) -> dict[str, Any]:
    fresh = Request.objects.get(pk=request.pk)
    return {
        "status": fresh.status,
        "assignee": fresh.assignee_id,
        "priority": fresh.priority,
        "comments": Comment.objects.filter(request=request).count(),
        "watchers": Watcher.objects.filter(request=request).count(),
    }


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def filed(desk: dict[str, Any]) -> dict[str, Any]:
    """Eve's request with a public reply and an internal note from Sam."""
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], subject="Broken screen")
    services.request_comment(actor=desk["agent"].user, request=request, body="Which model is it?")
    services.request_comment(actor=desk["agent"].user, request=request, body="Warranty ends in May.", internal=True)
    return {**desk, "request": request}


def test_requester_sees_replies_and_history_but_no_internal_note(filed: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(filed["employee"]).get(_url(filed["request"]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Broken screen" in page
    assert "Which model is it?" in page
    assert "Warranty ends in May." not in page
    assert "Internal note" not in page
    assert "How Eve Employee likes to be served" not in page
    assert [item.get("text") for item in response.context["timeline"]] == [
        "opened the request",
        "first response given",
        None,
    ]
    assert response.context["moves"] == []
    assert 'name="assignee"' not in page
    assert 'name="internal"' not in page


def test_agent_sees_notes_profile_and_actions(filed: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(filed["agent"]).get(_url(filed["request"]))

    page = response.content.decode()
    assert "Warranty ends in May." in page
    assert "How Eve Employee likes to be served" in page
    assert "Reach me by" in page
    assert [comment.body for comment in (i["comment"] for i in response.context["timeline"] if "comment" in i)] == [
        "Which model is it?",
        "Warranty ends in May.",
    ]
    assert response.context["moves"] == [
        ("in_progress", "Start work"),
        ("waiting_on_requester", "Wait on requester"),
        ("resolved", "Resolve"),
    ]
    assert 'name="internal"' in page
    assert "Assign to me" in page
    assert [clock.metric for clock in response.context["clocks"]] == ["first_response", "resolution"]
    assert "first response met" in page
    assert "resolution due in" in page


def test_waiting_request_offers_the_agent_start_and_resolve(desk: dict[str, Any], client_for: ClientFor) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"])
    services.request_transition(actor=desk["agent"].user, request=request, status="waiting_on_requester")

    response = client_for(desk["agent"]).get(_url(request))

    assert response.context["moves"] == [("in_progress", "Start work"), ("resolved", "Resolve")]
    assert "first response paused" in response.content.decode()


def test_outsider_gets_404_for_the_page_and_every_action(filed: dict[str, Any], client_for: ClientFor) -> None:
    before = _state(filed["request"])
    client = client_for(filed["manager"])

    assert client.get(_url(filed["request"])).status_code == 404
    for action, data in [
        ("reply", {"body": "Hi"}),
        ("transition", {"status": "in_progress"}),
        ("assign", {"assignee": "none"}),
        ("priority", {"priority": "P1"}),
        ("watch", {"watch": "1"}),
    ]:
        assert client.post(_url(filed["request"], action), data).status_code == 404
    assert _state(filed["request"]) == before


def test_requester_replies(filed: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(filed["employee"]).post(
        _url(filed["request"], "reply"), {"body": "The 13 inch one."}, follow=True
    )

    assert response.redirect_chain == [(_url(filed["request"]), 302)]
    assert _messages(response) == ["Your reply is sent."]
    last = Comment.objects.filter(request=filed["request"]).order_by("-pk").first()
    assert (last.body, last.internal, last.author_id) == ("The 13 inch one.", False, filed["employee"].pk)


def test_agent_adds_an_internal_note_with_a_file(filed: dict[str, Any], client_for: ClientFor) -> None:
    upload = SimpleUploadedFile("notes.txt", b"serial 42", content_type="text/plain")

    response = client_for(filed["agent"]).post(
        _url(filed["request"], "reply"), {"body": "Ordered a spare.", "internal": "on", "attachments": [upload]}
    )

    assert response.status_code == 302
    note = Comment.objects.filter(request=filed["request"]).order_by("-pk").first()
    assert (note.body, note.internal) == ("Ordered a spare.", True)
    assert [a.name for a in Attachment.objects.filter(comment=note)] == ["notes.txt"]


def test_requester_cannot_add_an_internal_note(filed: dict[str, Any], client_for: ClientFor) -> None:
    before = _state(filed["request"])

    response = client_for(filed["employee"]).post(_url(filed["request"], "reply"), {"body": "Sneaky", "internal": "on"})

    assert response.status_code == 403
    assert _state(filed["request"]) == before


def test_empty_reply_shows_the_error_next_to_the_field(filed: dict[str, Any], client_for: ClientFor) -> None:
    before = _state(filed["request"])

    response = client_for(filed["employee"]).post(_url(filed["request"], "reply"), {"body": "   "})

    assert response.status_code == 200
    assert response.context["reply_form"].errors == {"body": ["This field is required."]}
    assert 'id="body-errors"' in response.content.decode()
    assert _state(filed["request"]) == before


def test_reply_with_a_forbidden_file_type_keeps_the_text(filed: dict[str, Any], client_for: ClientFor) -> None:
    before = _state(filed["request"])
    upload = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")

    response = client_for(filed["employee"]).post(
        _url(filed["request"], "reply"), {"body": "See attached", "attachments": [upload]}
    )

    assert response.status_code == 200
    assert (
        response.context["reply_form"]
        .non_field_errors()[0]
        .startswith("“run.exe”: files of this type cannot be attached.")
    )
    assert "See attached</textarea>" in response.content.decode()
    assert _state(filed["request"]) == before


def test_reply_to_a_closed_request_is_refused_with_a_message(filed: dict[str, Any], client_for: ClientFor) -> None:
    agent = filed["agent"].user
    services.request_transition(actor=agent, request=filed["request"], status="resolved")
    services.request_transition(actor=agent, request=filed["request"], status="closed")
    before = _state(filed["request"])

    response = client_for(filed["employee"]).post(_url(filed["request"], "reply"), {"body": "Again?"}, follow=True)

    assert _messages(response) == ["This request is closed; open a new one and mention IT-1."]
    assert _state(filed["request"]) == before


def test_agent_moves_the_request(filed: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(filed["agent"]).post(
        _url(filed["request"], "transition"), {"status": "waiting_on_requester"}, follow=True
    )

    assert _messages(response) == ["The request is now waiting on requester."]
    assert _state(filed["request"])["status"] == "waiting_on_requester"


def test_impossible_move_is_a_message_and_changes_nothing(filed: dict[str, Any], client_for: ClientFor) -> None:
    before = _state(filed["request"])

    response = client_for(filed["employee"]).post(
        _url(filed["request"], "transition"), {"status": "closed"}, follow=True
    )

    assert _messages(response) == ["A request that is new cannot become closed."]
    assert _state(filed["request"]) == before


def test_requester_cannot_make_an_agent_only_move(filed: dict[str, Any], client_for: ClientFor) -> None:
    before = _state(filed["request"])

    response = client_for(filed["employee"]).post(_url(filed["request"], "transition"), {"status": "resolved"})

    assert response.status_code == 403
    assert _state(filed["request"]) == before


def test_requester_reopens_or_closes_a_resolved_request(filed: dict[str, Any], client_for: ClientFor) -> None:
    services.request_transition(actor=filed["agent"].user, request=filed["request"], status="resolved")
    client = client_for(filed["employee"])

    assert client.get(_url(filed["request"])).context["moves"] == [("in_progress", "Reopen"), ("closed", "Close")]
    response = client.post(_url(filed["request"], "transition"), {"status": "in_progress"}, follow=True)

    assert _messages(response) == ["The request is now in progress."]
    assert _state(filed["request"])["status"] == "in_progress"


def test_agent_assigns_to_self_and_to_nobody(filed: dict[str, Any], client_for: ClientFor) -> None:
    client = client_for(filed["agent"])

    response = client.post(_url(filed["request"], "assign"), {"assignee": "me"}, follow=True)
    assert _messages(response) == ["The assignment is saved."]
    assert _state(filed["request"])["assignee"] == filed["agent"].pk

    client.post(_url(filed["request"], "assign"), {"assignee": "none"})
    assert _state(filed["request"])["assignee"] is None


def test_assigning_someone_outside_the_desk_is_a_message(filed: dict[str, Any], client_for: ClientFor) -> None:
    before = _state(filed["request"])

    response = client_for(filed["agent"]).post(
        _url(filed["request"], "assign"), {"assignee": str(filed["manager"].pk)}, follow=True
    )

    assert _messages(response) == ["Choose an active agent of IT."]
    assert _state(filed["request"]) == before


def test_requester_cannot_assign_or_change_priority(filed: dict[str, Any], client_for: ClientFor) -> None:
    before = _state(filed["request"])
    client = client_for(filed["employee"])

    assert client.post(_url(filed["request"], "assign"), {"assignee": "none"}).status_code == 403
    assert client.post(_url(filed["request"], "priority"), {"priority": "P1"}).status_code == 403
    assert _state(filed["request"]) == before


def test_agent_changes_the_priority(filed: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(filed["agent"]).post(_url(filed["request"], "priority"), {"priority": "P1"}, follow=True)

    assert _messages(response) == ["The priority is now P1 — critical."]
    assert _state(filed["request"])["priority"] == "P1"


def test_unknown_priority_is_a_message(filed: dict[str, Any], client_for: ClientFor) -> None:
    before = _state(filed["request"])

    response = client_for(filed["agent"]).post(_url(filed["request"], "priority"), {"priority": "P9"}, follow=True)

    assert _messages(response) == ["Choose one of: P1, P2, P3, P4."]
    assert _state(filed["request"]) == before


def test_watch_and_unwatch(filed: dict[str, Any], client_for: ClientFor) -> None:
    client = client_for(filed["agent"])

    response = client.post(_url(filed["request"], "watch"), {"watch": "1"}, follow=True)
    assert _messages(response) == ["You are watching this request."]
    assert [watcher.pk for watcher in response.context["watchers"]] == [filed["agent"].pk]
    assert response.context["watching"] is True

    response = client.post(_url(filed["request"], "watch"), {"watch": "0"}, follow=True)
    assert _messages(response) == ["You no longer watch this request."]
    assert response.context["watchers"] == []


def test_a_watcher_sees_the_page_and_may_reply(filed: dict[str, Any], client_for: ClientFor) -> None:
    services.request_watch(
        actor=filed["employee"].user, request=filed["request"], employee_id=filed["manager"].pk, watch=True
    )

    response = client_for(filed["manager"]).get(_url(filed["request"]))

    assert response.status_code == 200
    assert response.context["can_reply"] is True
    assert "Warranty ends in May." not in response.content.decode()


def test_htmx_action_swaps_the_body_with_its_message(filed: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(filed["agent"]).post(
        _url(filed["request"], "priority"),
        {"priority": "P2"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="request-body",
        follow=True,
    )

    page = response.content.decode()
    assert page.startswith('\n<div id="request-body"') or page.lstrip().startswith('<div id="request-body"')
    assert "<html" not in page
    assert "The priority is now P2 — high." in page


def test_field_values_are_shown_by_type(desk: dict[str, Any], client_for: ClientFor) -> None:
    services.request_type_update(
        actor=desk["lead"].user,
        request_type=desk["request_type"],
        fields=[
            {"key": "model", "label": "Model", "type": "choice", "choices": ["13 inch", "15 inch"]},
            {"key": "needed_on", "label": "Needed on", "type": "date"},
            {"key": "extras", "label": "Extras", "type": "multi_choice", "choices": ["Dock", "Mouse", "Bag"]},
            {"key": "for_whom", "label": "For whom", "type": "person"},
            {"key": "why", "label": "Why", "type": "long_text"},
            {"key": "quote", "label": "Quote", "type": "file"},
        ],
    )
    request = request_create(
        requester=desk["employee"],
        request_type=desk["request_type"],
        fields={
            "model": "15 inch",
            "needed_on": "2027-01-04",
            "extras": ["Bag", "Dock"],
            "for_whom": desk["manager"].pk,
            "why": "New hire\nstarts Monday",
        },
        files={"quote": SimpleUploadedFile("quote.pdf", b"%PDF-1.4", content_type="application/pdf")},
        on_behalf_of_id=desk["manager"].pk,
    )

    response = client_for(desk["agent"]).get(_url(request))

    page = response.content.decode()
    assert [(row["label"], str(row["value"])) for row in response.context["fields"]] == [
        ("Model", "15 inch"),
        ("Needed on", "2027-01-04"),
        ("Extras", "Dock, Bag"),
        ("For whom", str(desk["manager"].pk)),
        ("Why", "New hire\nstarts Monday"),
        ("Quote", "quote.pdf"),
    ]
    quote = Attachment.objects.get(request=request)
    assert page.count(f'<a href="/requests/{request.key}/attachments/{quote.pk}/" download>quote.pdf</a>') == 1
    assert response.context["files"] == []
    assert "Jan. 4, 2027" in page
    assert "New hire<br>starts Monday" in page
    assert page.count(f'href="/people/{desk["manager"].pk}/"') == 2  # for whom, and on behalf of


def test_history_names_the_people_in_it(filed: dict[str, Any], client_for: ClientFor) -> None:
    services.request_assign(actor=filed["lead"].user, request=filed["request"], assignee_id=filed["agent"].pk)
    services.request_watch(
        actor=filed["agent"].user, request=filed["request"], employee_id=filed["lead"].pk, watch=True
    )

    response = client_for(filed["employee"]).get(_url(filed["request"]))

    assert [(item["person"].name, item["text"]) for item in response.context["timeline"] if "text" in item] == [
        ("Eve Employee", "opened the request"),
        ("Sam Agent", "first response given"),
        ("Lena Lead", "assigned it to Sam Agent"),
        ("Sam Agent", "added Lena Lead as a watcher"),
    ]


def test_times_are_shown_in_the_viewer_s_zone(desk: dict[str, Any], client_for: ClientFor) -> None:
    # Monday 23 November 2026, 10:00 in Berlin: first response (P3, 4 working hours) due 15:00 Berlin.
    request = request_create(
        requester=desk["employee"], request_type=desk["request_type"], now=datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    )
    people_services.employee_update(employee=desk["agent"], actor=desk["admin"].user, time_zone="America/New_York")

    berlin = client_for(desk["lead"]).get(_url(request)).content.decode()
    new_york = client_for(desk["agent"]).get(_url(request)).content.decode()

    assert "(due Nov. 23, 2026, 3 p.m.)" in berlin
    assert "(due Nov. 23, 2026, 9 a.m.)" in new_york


def test_htmx_reply_with_an_error_answers_with_the_body_and_the_error(
    filed: dict[str, Any], client_for: ClientFor
) -> None:
    before = _state(filed["request"])

    response = client_for(filed["agent"]).post(
        _url(filed["request"], "reply"),
        {"body": "", "internal": "on"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="request-body",
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert '<ul class="errorlist" id="body-errors"><li>This field is required.</li></ul>' in page
    assert 'name="internal" id="id_internal" checked' in page
    assert _state(filed["request"]) == before


# --- files ------------------------------------------------------------------------------------------


@pytest.fixture
def files(filed: dict[str, Any]) -> dict[str, Any]:
    public = services.attachment_add(
        actor=filed["employee"].user,
        request=filed["request"],
        upload=SimpleUploadedFile('screen "1".png', b"\x89PNG data", content_type="image/png"),
    )
    note = services.request_comment(
        actor=filed["agent"].user,
        request=filed["request"],
        body="Invoice attached.",
        internal=True,
        attachments=[SimpleUploadedFile("invoice.pdf", b"%PDF-1.4", content_type="application/pdf")],
    )
    return {**filed, "public": public, "internal": note.attachments.get()}


def _file_url(request: Request, attachment: Attachment) -> str:
    return f"/requests/{request.key}/attachments/{attachment.pk}/"


def test_files_download_for_those_who_see_the_request(files: dict[str, Any], client_for: ClientFor) -> None:
    for who in ("employee", "agent"):
        response = client_for(files[who]).get(_file_url(files["request"], files["public"]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"\x89PNG data"
        assert response["Content-Disposition"] == 'attachment; filename="screen_1.png"'
        assert response["Content-Type"] == "application/octet-stream"
    assert client_for(files["manager"]).get(_file_url(files["request"], files["public"])).status_code == 404
    assert client_for(None).get(_file_url(files["request"], files["public"])).status_code == 302


def test_internal_note_files_are_for_agents_only(files: dict[str, Any], client_for: ClientFor) -> None:
    assert client_for(files["agent"]).get(_file_url(files["request"], files["internal"])).status_code == 200
    assert client_for(files["employee"]).get(_file_url(files["request"], files["internal"])).status_code == 404


def test_a_file_of_another_request_is_not_found_here(files: dict[str, Any], client_for: ClientFor) -> None:
    other = request_create(requester=files["employee"], request_type=files["request_type"])

    response = client_for(files["employee"]).get(_file_url(other, files["public"]))

    assert response.status_code == 404


def test_page_links_the_files_it_may_show(files: dict[str, Any], client_for: ClientFor) -> None:
    requester_page = client_for(files["employee"]).get(_url(files["request"])).content.decode()
    agent_page = client_for(files["agent"]).get(_url(files["request"])).content.decode()

    assert _file_url(files["request"], files["public"]) in requester_page
    assert _file_url(files["request"], files["internal"]) not in requester_page
    assert _file_url(files["request"], files["internal"]) in agent_page


# --- query counts -----------------------------------------------------------------------------------


def _grow(desk: dict[str, Any], request: Request, replies: int) -> None:
    helpers = [EmployeeFactory(unit=desk["helpdesk"]) for _n in range(3)]
    for n in range(replies):
        author = helpers[n % 3]
        services.request_comment(actor=author.user, request=request, body=f"Reply {n}", internal=n % 2 == 0)
        services.request_assign(actor=desk["agent"].user, request=request, assignee_id=author.pk)
    services.request_watch(actor=desk["agent"].user, request=request, employee_id=helpers[0].pk, watch=True)


# The 5 of every signed-in page, the desk standing (3), the request (its id by key, the row, its people),
# clocks, comments and their files, history, the form's fields, the people named, watchers, the
# request's own files, its promises (the newest commitment, needed-by date, rating and thanks) and
# its obstacles (for an agent also what waits on this request and the people the obstacle form
# offers); an agent also reads the requester's profile (and the desk's agents, which the process
# keeps after the first page).
@pytest.mark.parametrize("replies", [3, 30])
@pytest.mark.parametrize(("who", "queries"), [("agent", 22), ("employee", 20)])
def test_request_page_query_count_is_flat(
    desk: dict[str, Any], client_for: ClientFor, replies: int, who: str, queries: int
) -> None:
    request = request_create(
        requester=desk["employee"],
        request_type=desk["request_type"],
        attachments=[SimpleUploadedFile("a.txt", b"a", content_type="text/plain")],
    )
    _grow(desk, request, replies)
    client = client_for(desk[who])
    client.get(_url(request))  # warms the calendar cache, as a running server has

    with CaptureQueriesContext(connection) as captured:
        response = client.get(_url(request))

    assert response.status_code == 200
    assert len(captured) == queries, "\n".join(q["sql"][:160] for q in captured.captured_queries)


def test_the_request_page_reads_only_the_parts_a_request_has(desk: dict[str, Any]) -> None:
    """``request_parts`` says in one statement which optional parts exist; each turns true with the
    first row of its kind, of this request only."""
    bare = request_create(requester=desk["employee"], request_type=desk["request_type"], subject="Bare")
    full = request_create(
        requester=desk["employee"],
        request_type=desk["request_type"],
        subject="Full",
        attachments=[SimpleUploadedFile("a.txt", b"a", content_type="text/plain")],
    )
    agent = desk["agent"].user
    services.request_watch(actor=agent, request=full)
    soon = timezone.now() + timedelta(days=3)
    cooperation.commitment_create_for_request(actor=agent, request=full, due_at=soon)
    cooperation.obstacle_flag(
        actor=agent, request=bare, description="Waits on the full one", expected_at=soon, waiting_on_request=full.pk
    )

    nothing = selectors.RequestParts(**dict.fromkeys(selectors.EVERY_PART.__dataclass_fields__, False))
    assert selectors.request_parts(request=full) == dataclasses.replace(
        nothing, commitments=True, waited_on=True, files=True, watchers=True
    )
    assert selectors.request_parts(request=bare) == dataclasses.replace(nothing, obstacles=True)
