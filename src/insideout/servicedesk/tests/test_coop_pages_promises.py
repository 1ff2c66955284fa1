"""The "my promises" page: what I promised and what was promised to me, in order and in pages;
promising a colleague something; marking a promise done; who may, bad input, htmx, query count."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insideout.people.tests.factories import EmployeeFactory
from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import services
from insideout.servicedesk.cooperation.models import Commitment
from insideout.servicedesk.tests.coop import snapshot
from insideout.servicedesk.tests.factories import request_create

ClientFor = Callable[[Any], Client]
BERLIN = ZoneInfo("Europe/Berlin")
URL = "/promises/"


def _promise(by: Any, to: Any, title: str, **ahead: float) -> Commitment:
    return services.commitment_create(
        actor=by.user, to_id=to.pk, title=title, due_at=timezone.now() + timedelta(**ahead)
    )


def _typed(**ahead: float) -> str:
    return (timezone.now() + timedelta(**ahead)).astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M")


def errors_of(response: Any, field: str) -> list[str]:
    match = re.search(rf'<ul class="errorlist" id="promise-{field}_error">(.*?)</ul>', response.content.decode(), re.S)
    return [html_lib.unescape(item) for item in re.findall(r"<li>(.*?)</li>", match.group(1))] if match else []


def _titles(rows: list[Any]) -> list[str]:
    return [row.commitment.title or row.commitment.request.subject for row in rows]


def test_my_promises_come_open_first_by_due_then_settled_latest_first(
    desk: dict[str, Any], client_for: ClientFor
) -> None:
    eve, mo, sam = desk["employee"], desk["manager"], desk["agent"]
    later = _promise(eve, mo, "The Q3 figures", days=5)
    _promise(eve, mo, "The budget draft", days=2)
    done_first = _promise(eve, sam, "Feedback on the laptop", days=9)
    done_last = _promise(eve, mo, "The slides", days=8)
    services.commitment_done(actor=eve.user, commitment=done_first)
    services.commitment_done(actor=eve.user, commitment=done_last)
    request = request_create(requester=eve, request_type=desk["request_type"], subject="A new laptop")
    services.commitment_create_for_request(actor=sam.user, request=request, due_at=timezone.now() + timedelta(days=1))

    response = client_for(eve).get(URL)

    assert response.status_code == 200
    assert _titles(response.context["made"]) == [
        "The budget draft",
        "The Q3 figures",
        "The slides",
        "Feedback on the laptop",
    ]
    assert [row.state_label for row in response.context["made"]] == ["Open", "Open", "Kept", "Kept"]
    assert _titles(response.context["to_me"]) == ["A new laptop"]
    page = response.content.decode()
    assert f'href="/requests/{request.key}/"' in page
    assert page.count(">Mark done<") == 2  # the two open standalone ones
    assert f'action="/promises/{later.pk}/done/"' in page
    assert f'action="/promises/{done_first.pk}/done/"' not in page


def test_a_new_person_sees_empty_states_and_the_form(desk: dict[str, Any], client_for: ClientFor) -> None:
    page = client_for(desk["manager"]).get(URL).content.decode()

    assert "You have not promised anything yet." in page
    assert "Nobody has promised you anything yet." in page
    assert "Promise a colleague something" in page
    assert 'type="datetime-local" name="due_at"' in page


def test_an_account_without_a_person_has_no_promises_and_cannot_make_one(
    desk: dict[str, Any], client_for: ClientFor
) -> None:
    root = get_user_model().objects.create_superuser(username="root", email="root@example.org", password="x")
    before = snapshot()

    page = client_for(root).get(URL)
    made = client_for(root).post(URL, {"to": desk["manager"].pk, "title": "X", "due_at": _typed(days=1)})

    assert "Your account is not linked to a person" in page.content.decode()
    assert "Promise a colleague something" not in page.content.decode()
    assert made.status_code == 403
    assert snapshot() == before


def test_promising_a_colleague_tells_them_and_lists_it(desk: dict[str, Any], client_for: ClientFor) -> None:
    typed = _typed(days=3)
    eve = client_for(desk["employee"])

    response = eve.post(
        URL, {"to": desk["manager"].pk, "title": "The Q3 figures", "due_at": typed, "note": "From the ledger"}
    )

    assert (response.status_code, response["Location"]) == (302, URL)
    commitment = Commitment.objects.get()
    assert (commitment.owner, commitment.recipient, commitment.title, commitment.note) == (
        desk["employee"],
        desk["manager"],
        "The Q3 figures",
        "From the ledger",
    )
    assert commitment.due_at.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M") == typed
    due = commitment.due_at.astimezone(BERLIN)
    followed = eve.get(URL)
    assert [str(message) for message in followed.context["messages"]] == [
        f"You promised Mo Manager “The Q3 figures” by {due:%a} {due.day} {due:%b %Y, %H:%M}; they are told."
    ]
    assert _titles(client_for(desk["manager"]).get(URL).context["to_me"]) == ["The Q3 figures"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"to": ""}, "to", "Choose the person you promise it to."),
        ({"to": "me"}, "to", "A commitment is made to someone else, not to oneself."),
        ({"to": "999999"}, "to", "No active person has the id 999999."),
        ({"to": "Mo"}, "to", "Choose the person you promise it to."),
        ({"title": " "}, "title", "This field is required."),
        ({"due_at": "2020-01-06T10:00"}, "due_at", "This time has already passed; choose one in the future."),
        ({"due_at": ""}, "due_at", "This field is required."),
    ],
)
def test_a_wrong_promise_is_shown_by_its_input_and_nothing_changes(
    desk: dict[str, Any], client_for: ClientFor, changes: dict[str, str], field: str, message: str
) -> None:
    data = {"to": str(desk["manager"].pk), "title": "The Q3 figures", "due_at": _typed(days=3), **changes}
    if data["to"] == "me":
        data["to"] = str(desk["employee"].pk)
    before = snapshot()

    response = client_for(desk["employee"]).post(URL, data)

    assert response.status_code == 200
    assert errors_of(response, field) == [message]
    assert snapshot() == before


def test_marking_done_on_time_keeps_the_promise(desk: dict[str, Any], client_for: ClientFor) -> None:
    promise = _promise(desk["employee"], desk["manager"], "The Q3 figures", days=2)

    response = client_for(desk["employee"]).post(f"/promises/{promise.pk}/done/", follow=True)

    promise.refresh_from_db()
    assert promise.state == "kept"
    assert [str(message) for message in response.context["messages"]] == [
        "“The Q3 figures” is done, on time: a promise kept."
    ]


def test_only_the_maker_marks_done_and_a_request_s_promise_is_not_marked(
    desk: dict[str, Any], client_for: ClientFor
) -> None:
    promise = _promise(desk["employee"], desk["manager"], "The Q3 figures", days=2)
    request = request_create(requester=desk["employee"], request_type=desk["request_type"])
    on_request = services.commitment_create_for_request(
        actor=desk["agent"].user, request=request, due_at=timezone.now() + timedelta(days=1)
    )
    before = snapshot()

    by_recipient = client_for(desk["manager"]).post(f"/promises/{promise.pk}/done/")
    by_stranger = client_for(desk["lead"]).post(f"/promises/{promise.pk}/done/")
    on_a_request = client_for(desk["agent"]).post(f"/promises/{on_request.pk}/done/", follow=True)
    unknown = client_for(desk["employee"]).post("/promises/999999/done/")

    assert (by_recipient.status_code, by_stranger.status_code, unknown.status_code) == (403, 404, 404)
    assert [str(message) for message in on_a_request.context["messages"]] == [
        "A commitment on a request is kept or broken when the request is resolved."
    ]
    assert snapshot() == before


def test_htmx_mark_done_swaps_the_body(desk: dict[str, Any], client_for: ClientFor) -> None:
    promise = _promise(desk["employee"], desk["manager"], "The Q3 figures", days=2)

    response = client_for(desk["employee"]).post(
        f"/promises/{promise.pk}/done/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="promises-body", follow=True
    )

    page = response.content.decode()
    assert page.lstrip().startswith('<div id="promises-body"')
    assert "<html" not in page
    assert "a promise kept." in page


def test_htmx_promise_with_an_error_answers_with_the_body(desk: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(desk["employee"]).post(
        URL,
        {"to": desk["manager"].pk, "title": "", "due_at": _typed(days=1)},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="promises-body",
    )

    assert "<html" not in response.content.decode()
    assert errors_of(response, "title") == ["This field is required."]


def test_long_lists_come_in_pages_of_25(desk: dict[str, Any], client_for: ClientFor) -> None:
    for n in range(27):
        _promise(desk["employee"], desk["manager"], f"Promise {n:02}", days=1 + n)

    first = client_for(desk["employee"]).get(URL)
    second = client_for(desk["employee"]).get(f"{URL}?page=2")

    assert len(first.context["made"]) == 25
    assert _titles(second.context["made"]) == ["Promise 25", "Promise 26"]
    assert "Page 1 of 2" in first.content.decode()


# The 5 of every signed-in page, the desk standing (3), the people to offer, and for each list
# its count, its page of ids and those rows (3 × 2).
@pytest.mark.parametrize("n", [3, 30])
def test_the_page_s_query_count_is_flat(desk: dict[str, Any], client_for: ClientFor, n: int) -> None:
    eve = desk["employee"]
    others = [EmployeeFactory(unit=desk["sales"]) for _n in range(3)]
    for step in range(n):
        other = others[step % 3]
        _promise(eve, other, f"Mine {step}", days=1 + step)
        _promise(other, eve, f"Theirs {step}", days=1 + step)
    request = request_create(requester=eve, request_type=desk["request_type"])
    services.commitment_create_for_request(
        actor=desk["agent"].user, request=request, due_at=timezone.now() + timedelta(days=1)
    )
    desk_services.request_comment(actor=desk["agent"].user, request=request, body="On it.")
    client = client_for(eve)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)

    assert response.status_code == 200
    assert len(response.context["to_me"]) == min(n + 1, 25)
    assert len(captured) == 15, "\n".join(q["sql"][:160] for q in captured.captured_queries)
