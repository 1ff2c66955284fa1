"""Internal service agreements under /api/v1/: each endpoint, the whole lifecycle over HTTP, every
refusal in the error envelope with nothing changed, and an adherence report checked against
figures counted by hand.

The adherence fixture: IT's agreement with Sales (P2 agreed at 1 h first response, 8 h resolution,
business time on the Berlin calendar, 09:00–12:30 and 13:30–17:00) is in force from Monday
23 November 2026, 10:00. Times are Berlin's; the period is Monday 23 00:00 to Saturday 28 00:00,
and the desk's sweep runs at its end (before R5).

| request       | made      | first reply | resolved  | resolution due | commitment (due)     | rating | thanks |
| ------------- | --------- | ----------- | --------- | -------------- | -------------------- | ------ | ------ |
| R1 Eve        | Mon 10:00 | Mon 10:30   | Mon 15:00 | Tue 11:00      | kept (Mon 16:00)     | 5      | 1      |
| R2 Eve        | Mon 11:00 | Mon 11:30   | Tue 10:00 | Tue 12:00      | kept (Tue 12:00)     | 4      |        |
| R3 Eve        | Tue 09:00 | Tue 09:30   | Thu 10:00 | Wed 10:00      | broken (Wed 12:00)   | 2      |        |
| R4 Eve        | Fri 16:30 | —           | open      | Mon 30 16:30   | open (Mon 30 12:00)  |        |        |
| R5 Eve        | Mon 30    | Mon 30      | Mon 30    |                |                      | 1      | 1      |
| R6 Pat (Acme) | Wed 10:00 | Wed 10:30   | Wed 11:00 | (public)       |                      | 1      | 1      |

R5 is after the period and R6 is not under the agreement (Pat is not in Sales), so neither counts:
4 requests, 1 open; first response met 3, breached 0, running 1 (R4's is due Mon 30 09:30), rate
3/3 = 1.0; resolution met 2 (after 5 h and 6 h of business time), breached 1 (R3 took 15 h),
running 1, rate 2/3; commitments kept 2, broken 1 (R4's open one does not count), rate 2/3;
ratings 5, 4 and 2: 3 ratings, average 11/3; 1 thank-you.

The default period runs from the agreement's start to now. After a sweep now, R4's clocks and its
promise have passed, and R5 counts too: 5 requests, 1 open; first response met 4, breached 1 (0.8);
resolution met 3, breached 2 (0.6); commitments kept 2, broken 2 (0.5); ratings 5, 4, 2 and 1
(average 3.0); 2 thank-yous.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import agreements
from insideout.servicedesk.cooperation import services as coop
from insideout.servicedesk.cooperation.models import Agreement
from insideout.servicedesk.models import Request
from insideout.servicedesk.tests.coop import MONDAY_10, kinds_of
from insideout.servicedesk.tests.coop import snapshot as coop_snapshot
from insideout.servicedesk.tests.factories import request_create
from insideout.servicedesk.tests.test_coop_agreements import _snapshot as agreement_snapshot
from insideout.servicedesk.tests.test_coop_agreements import propose, sides  # noqa: F401

BERLIN = ZoneInfo("Europe/Berlin")


def _state() -> dict[str, list[dict[str, Any]]]:
    """Every row an agreement call could write: the agreements with their terms, the agreed
    standards, the cooperation rows and the event log."""
    return {**coop_snapshot(), **agreement_snapshot()}


def _today() -> Any:
    return timezone.localdate()


@pytest.fixture
def world(sides: dict[str, Any], token_for: Callable[..., str]) -> dict[str, Any]:  # noqa: F811
    """The ``sides`` of the service tests (Lena leads IT, Mo leads Sales) with a write token each."""
    world = dict(sides)
    world["tokens"] = {
        role: token_for(sides[role], "write") for role in ("employee", "agent", "lead", "manager", "admin")
    }
    world["tokens"]["lead_read"] = token_for(sides["lead"], "read")
    return world


def _call(api: Any, world: dict[str, Any], who: str, method: str, path: str, body: Any = None) -> Any:
    return api(method, f"/api/v1{path}", token=world["tokens"][who], json=body)


def _terms_body(world: dict[str, Any], *, first: int = 60, resolution: int = 480, **changes: Any) -> dict[str, Any]:
    service = world["service"].pk
    return {
        "services": [service],
        "targets": [
            {"service": service, "priority": "P2", "first_response_minutes": first, "resolution_minutes": resolution}
        ],
        "provider_contact": world["agent"].pk,
        "consumer_contact": world["employee"].pk,
        "starts_on": _today().isoformat(),
        "review_on": (_today() + timedelta(days=180)).isoformat(),
        **changes,
    }


def _create_body(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "provider": world["it"].pk,
        "consumer": world["sales"].pk,
        "title": "IT for Sales",
        **_terms_body(world),
        **changes,
    }


def _lena_proposes(api: Any, world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Lena writes "IT for Sales" and proposes it: IT has accepted, Sales has not."""
    response = _call(api, world, "lead", "post", "/agreements", _create_body(world, **changes))
    assert response.status_code == 201, response.json()
    body: dict[str, Any] = response.json()
    return body


def _ref(person: Any) -> dict[str, Any]:
    return {"id": person.pk, "name": person.name}


def _targets(response: Any) -> dict[str, float]:
    return {clock["metric"]: clock["target"] for clock in response.json()["clocks"]}


# --- the endpoints --------------------------------------------------------------------------------


def test_write_and_read_an_agreement_over_the_api(world: dict[str, Any], api: Any) -> None:
    made = _lena_proposes(api, world, note="Laptops within a day.")

    assert made["title"] == "IT for Sales"
    assert (made["state"], made["current"], made["activated_at"], made["expired_at"]) == (
        "proposed",
        None,
        None,
        None,
    )
    assert (made["provider"], made["consumer"]) == (
        {"id": world["it"].pk, "name": "IT"},
        {"id": world["sales"].pk, "name": "Sales"},
    )
    assert (made["my_sides"], made["can_accept"]) == (["provider"], False)
    pending = made["pending"]
    assert pending["proposed_at"] is not None
    assert pending["provider_accepted_at"] == pending["proposed_at"]
    assert {key: value for key, value in pending.items() if not key.endswith("_at")} == {
        "number": 1,
        "state": "proposed",
        "services": [{"id": world["service"].pk, "name": "Laptops"}],
        "targets": [
            {"service": world["service"].pk, "priority": "P2", "first_response_minutes": 60, "resolution_minutes": 480}
        ],
        "provider_contact": _ref(world["agent"]),
        "consumer_contact": _ref(world["employee"]),
        "starts_on": _today().isoformat(),
        "review_on": (_today() + timedelta(days=180)).isoformat(),
        "remind_days": 14,
        "note": "Laptops within a day.",
        "reason": "",
        "proposed_by": _ref(world["lead"]),
        "provider_accepted_by": _ref(world["lead"]),
        "consumer_accepted_by": None,
    }
    assert pending["consumer_accepted_at"] is None

    as_mo = _call(api, world, "manager", "get", f"/agreements/{made['id']}")
    as_eve = _call(api, world, "employee", "get", f"/agreements/{made['id']}")
    assert as_mo.status_code == as_eve.status_code == 200
    assert (as_mo.json()["my_sides"], as_mo.json()["can_accept"]) == (["consumer"], True)
    assert (as_eve.json()["my_sides"], as_eve.json()["can_accept"]) == ([], False)
    assert as_eve.json()["pending"] == pending


def test_the_list_shows_what_the_caller_may_see_with_its_filters(world: dict[str, Any], api: Any) -> None:
    proposed = _lena_proposes(api, world)
    # Lena leads IT, and so signs for both sides of an agreement with the Helpdesk below it.
    helpdesk = _call(
        api,
        world,
        "lead",
        "post",
        "/agreements",
        _create_body(
            world, consumer=world["helpdesk"].pk, title="IT for the Helpdesk", consumer_contact=world["agent"].pk
        ),
    ).json()
    assert (helpdesk["state"], helpdesk["current"]["number"], helpdesk["my_sides"]) == (
        "active",
        1,
        ["provider", "consumer"],
    )

    def titles(who: str, query: str = "") -> list[str]:
        response = _call(api, world, who, "get", f"/agreements{query}")
        assert response.status_code == 200, response.json()
        assert response.json()["count"] == len(response.json()["items"])
        return [item["title"] for item in response.json()["items"]]

    assert titles("lead") == ["IT for the Helpdesk", "IT for Sales"]  # live ones first: active, then proposed
    assert titles("agent") == ["IT for the Helpdesk", "IT for Sales"]  # the Helpdesk is below IT
    assert titles("employee") == titles("manager") == ["IT for Sales"]
    assert titles("admin") == []  # Pat is in Acme, above both: neither side's member nor lead
    assert titles("lead", "?state=proposed") == ["IT for Sales"]
    assert titles("lead", f"?unit={world['helpdesk'].pk}") == ["IT for the Helpdesk"]
    assert titles("lead", f"?unit={world['sales'].pk}&state=active") == []
    item = _call(api, world, "employee", "get", "/agreements").json()["items"][0]
    assert item == {
        "id": proposed["id"],
        "title": "IT for Sales",
        "state": "proposed",
        "provider": {"id": world["it"].pk, "name": "IT"},
        "consumer": {"id": world["sales"].pk, "name": "Sales"},
        "starts_on": None,
        "review_on": None,
        "activated_at": None,
        "expired_at": None,
    }
    active = _call(api, world, "agent", "get", "/agreements?state=active").json()["items"][0]
    assert (active["starts_on"], active["activated_at"] is not None) == (_today().isoformat(), True)


def test_a_draft_is_proposed_by_the_other_side_and_accepted(
    world: dict[str, Any], api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    draft = _lena_proposes(api, world, propose=False)
    assert (draft["state"], draft["pending"]["state"], draft["pending"]["proposed_at"]) == ("draft", "draft", None)
    assert kinds_of(world["manager"]) == []

    with django_capture_on_commit_callbacks(execute=True):
        proposed = _call(api, world, "manager", "post", f"/agreements/{draft['id']}/propose")
    assert proposed.status_code == 200, proposed.json()
    assert (proposed.json()["state"], proposed.json()["pending"]["proposed_by"]) == ("proposed", _ref(world["manager"]))
    assert proposed.json()["pending"]["consumer_accepted_by"] == _ref(world["manager"])
    assert "servicedesk.agreement_proposed" in kinds_of(world["lead"])

    accepted = _call(api, world, "lead", "post", f"/agreements/{draft['id']}/accept")
    assert accepted.status_code == 200, accepted.json()
    assert (accepted.json()["state"], accepted.json()["current"]["state"], accepted.json()["pending"]) == (
        "active",
        "accepted",
        None,
    )


# --- the lifecycle ------------------------------------------------------------------------------


def test_the_whole_lifecycle_over_the_api(
    world: dict[str, Any], api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        made = _lena_proposes(api, world)
    aid = made["id"]
    assert "servicedesk.agreement_proposed" in kinds_of(world["manager"])

    with django_capture_on_commit_callbacks(execute=True):
        accepted = _call(api, world, "manager", "post", f"/agreements/{aid}/accept")
    assert accepted.status_code == 200, accepted.json()
    body = accepted.json()
    assert (body["state"], body["current"]["number"], body["pending"], body["can_accept"]) == ("active", 1, None, False)
    assert body["current"]["consumer_accepted_by"] == _ref(world["manager"])
    assert body["activated_at"] is not None
    assert "servicedesk.agreement_activated" in kinds_of(world["lead"])

    # Eve's request runs under the agreed targets: 1 h and 8 h instead of the public 4 h and 16 h.
    filed = _call(
        api,
        world,
        "employee",
        "post",
        "/requests",
        {
            "request_type": world["request_type"].pk,
            "subject": "A laptop",
            "priority": "P2",
            "fields": {"model": "13 inch"},
        },
    )
    assert filed.status_code == 201, filed.json()
    assert _targets(filed) == {"first_response": 3600.0, "resolution": 28800.0}
    assert all(clock["business_hours"] for clock in filed.json()["clocks"])
    assert Request.objects.get(pk=filed.json()["id"]).agreement_id == aid

    # Mo proposes tighter targets; the accepted ones stay in force until IT accepts.
    tighter = _terms_body(world, first=30, resolution=240, reason="Quarter end")
    revised = _call(api, world, "manager", "post", f"/agreements/{aid}/revise", tighter)
    assert revised.status_code == 200, revised.json()
    body = revised.json()
    assert (body["state"], body["current"]["number"], body["pending"]["number"], body["pending"]["state"]) == (
        "active",
        1,
        2,
        "proposed",
    )
    assert (body["pending"]["reason"], body["pending"]["consumer_accepted_by"]) == (
        "Quarter end",
        _ref(world["manager"]),
    )
    assert body["can_accept"] is False
    assert _call(api, world, "lead", "get", f"/agreements/{aid}").json()["can_accept"] is True

    with django_capture_on_commit_callbacks(execute=True):
        declined = _call(api, world, "lead", "post", f"/agreements/{aid}/decline", {"reason": "Not before January."})
    assert declined.status_code == 200, declined.json()
    assert (declined.json()["state"], declined.json()["current"]["number"], declined.json()["pending"]) == (
        "active",
        1,
        None,
    )
    assert "servicedesk.agreement_declined" in kinds_of(world["manager"])

    middle = _terms_body(world, first=45, resolution=360, reason="A middle way", title="IT for Sales, 2027")
    again = _call(api, world, "lead", "post", f"/agreements/{aid}/revise", middle)
    assert again.status_code == 200, again.json()
    assert (again.json()["title"], again.json()["pending"]["number"]) == ("IT for Sales, 2027", 3)
    assert again.json()["pending"]["provider_accepted_by"] == _ref(world["lead"])

    with django_capture_on_commit_callbacks(execute=True):
        final = _call(api, world, "manager", "post", f"/agreements/{aid}/accept")
    assert final.status_code == 200, final.json()
    assert (final.json()["current"]["number"], final.json()["current"]["targets"][0]["resolution_minutes"]) == (3, 360)
    assert final.json()["pending"] is None
    # The open request follows the terms now in force.
    request = _call(api, world, "employee", "get", f"/requests/{filed.json()['id']}")
    assert _targets(request) == {"first_response": 2700.0, "resolution": 21600.0}


# --- refusals -------------------------------------------------------------------------------------


def _bad_create(world: dict[str, Any], case: str) -> dict[str, Any]:
    service = world["service"].pk
    target = {"service": service, "priority": "P2", "first_response_minutes": 60, "resolution_minutes": 480}
    changes: dict[str, dict[str, Any]] = {
        "consumer": {"consumer": world["it"].pk},  # a unit and itself
        "unknown_consumer": {"consumer": 999_999},
        "provider": {"provider": 999_999},
        "title": {"title": "   "},
        "services": {"services": [], "targets": []},
        "targets.0.priority": {"targets": [{**target, "priority": "P9"}]},
        "targets.0.first_response_minutes": {"targets": [{**target, "first_response_minutes": 500}]},
        "targets.0.resolution_minutes": {"targets": [{**target, "resolution_minutes": 10**9}]},
        "targets.0.service": {"targets": [{**target, "service": 999_999}]},
        "consumer_contact": {"consumer_contact": world["agent"].pk},  # not in Sales
        "review_on": {"review_on": (_today() - timedelta(days=1)).isoformat()},
        "review_before_start": {
            "starts_on": (_today() + timedelta(days=10)).isoformat(),
            "review_on": (_today() + timedelta(days=5)).isoformat(),
        },
        "review_on_no_date": {"review_on": "next summer"},
        "remind_days": {"remind_days": -1},
        "colour": {"colour": "red"},
    }
    return _create_body(world, **changes[case])


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("consumer", "consumer", "An agreement is between two different units; choose another consuming unit."),
        ("unknown_consumer", "consumer", "No unit has this id."),
        ("provider", "provider", "No unit has this id."),
        ("title", "title", "This field is required."),
        ("services", "services", "Choose at least one service the agreement covers."),
        ("targets.0.priority", "targets.0.priority", "Input should be 'P1', 'P2', 'P3' or 'P4'"),
        (
            "targets.0.first_response_minutes",
            "targets.0.first_response_minutes",
            "The first response cannot be due after the resolution.",
        ),
        ("targets.0.resolution_minutes", "targets.0.resolution_minutes", "Enter whole minutes between 1 and 500,000."),
        ("targets.0.service", "targets.0.service", "Give targets only for services the agreement covers."),
        ("consumer_contact", "consumer_contact", "Sam Agent is not a member of Sales or a unit below it."),
        ("review_on", "review_on", "The review date has passed; choose today or a later day."),
        ("review_before_start", "review_on", "The review date comes after the start date."),
        ("review_on_no_date", "review_on", "Input should be a valid date"),
        ("remind_days", "remind_days", "Enter a number of days between 0 and 365."),
        ("colour", "colour", "Extra inputs are not permitted"),
    ],
    ids=lambda value: f"{value}_case" if isinstance(value, str) and " " not in value else "",
)
def test_bad_input_is_a_422_naming_the_field_and_changes_nothing(
    world: dict[str, Any], api: Any, case: str, field: str, message: str
) -> None:
    body = _bad_create(world, case)
    before = _state()

    response = _call(api, world, "lead", "post", "/agreements", body)

    assert response.status_code == 422, response.json()
    errors = response.json()["errors"]
    assert [error["field"] for error in errors] == [field]
    assert errors[0]["message"].startswith(message)
    assert _state() == before


def _active(world: dict[str, Any]) -> Agreement:
    """IT for Sales in force since Monday 23 November 2026, 10:00 (Berlin)."""
    agreement = propose(world)
    agreements.agreement_accept(actor=world["manager"].user, agreement=agreement, now=MONDAY_10)
    return agreement


@pytest.mark.parametrize(
    ("who", "method", "action", "body", "status", "field", "detail"),
    [
        pytest.param("lead", "post", "revise", {"reason": ""}, 422, "reason", None, id="revision_without_reason_case"),
        pytest.param("lead", "post", "revise", {"review_on": "2026-11-01"}, 422, "review_on", None,
                     id="revision_review_passed_case"),
        pytest.param("lead", "post", "revise", {"provider": 1}, 422, "provider", None, id="revision_of_parties_case"),
        pytest.param("lead", "post", "accept", None, 409, None,
                     "There is nothing to accept: no proposal is waiting on this agreement (it is active).",
                     id="nothing_to_accept_case"),
        pytest.param("lead", "post", "propose", None, 409, None,
                     "There is no draft to propose; this agreement is active.", id="no_draft_case"),
        pytest.param("manager", "post", "decline", {}, 409, None, "There is no proposal to decline on this agreement.",
                     id="nothing_to_decline_case"),
        pytest.param("employee", "post", "accept", None, 403, None,
                     "Only the leads of IT and Sales decide on this agreement.", id="member_accepts_case"),
        pytest.param("agent", "post", "revise", {"reason": "x"}, 403, None,
                     "Only the leads of IT and Sales decide on this agreement.", id="agent_revises_case"),
        pytest.param("lead_read", "post", "decline", {}, 403, None, None, id="read_token_case"),
        pytest.param("admin", "get", "", None, 404, None, "No agreement with this id.", id="unseen_detail_case"),
        pytest.param("admin", "get", "adherence", None, 404, None, None, id="unseen_adherence_case"),
        pytest.param("admin", "post", "accept", None, 404, None, None, id="unseen_accept_case"),
        pytest.param("lead", "get", "adherence?from=2026-11-23T10:00:00", None, 422, "from",
                     "Input should have timezone", id="naive_from_case"),
        pytest.param("lead", "get", "adherence?to=soon", None, 422, "to", None, id="unparsable_to_case"),
        pytest.param("lead", "get", "adherence?from=2026-11-24T00:00:00Z&to=2026-11-24T00:00:00Z", None, 422, "to",
                     "The end of the period comes after its start.", id="empty_period_case"),
        pytest.param("lead", "get", "adherence?from=2099-01-01T00:00:00Z", None, 422, "from", None,
                     id="from_after_now_case"),
    ],
)  # fmt: skip
def test_every_refusal_is_in_the_envelope_and_changes_nothing(
    world: dict[str, Any],
    api: Any,
    who: str,
    method: str,
    action: str,
    body: dict[str, Any] | None,
    status: int,
    field: str | None,
    detail: str | None,
) -> None:
    agreement = _active(world)
    if body is not None and method == "post" and action == "revise":
        body = {**_terms_body(world), "reason": "New terms", **body}
    before = _state()

    response = _call(api, world, who, method, f"/agreements/{agreement.pk}/{action}".rstrip("/"), body)

    assert response.status_code == status, response.json()
    assert set(response.json()) == {"detail", "errors"}
    if field is not None:
        assert [error["field"] for error in response.json()["errors"]] == [field]
    if detail is not None:
        said = [response.json()["detail"], *(error["message"] for error in response.json()["errors"])]
        assert any(detail in words for words in said), said
    assert _state() == before


def test_conflicts_are_409s_that_change_nothing(world: dict[str, Any], api: Any) -> None:
    made = _lena_proposes(api, world)
    before = _state()

    second = _call(api, world, "lead", "post", "/agreements", _create_body(world, title="IT for Sales again"))
    twice = _call(api, world, "lead", "post", f"/agreements/{made['id']}/accept")
    unknown = _call(api, world, "lead", "get", "/agreements/999999")
    huge = _call(api, world, "lead", "get", "/agreements/99999999999999999999")

    assert (second.status_code, second.json()["detail"]) == (
        409,
        "IT and Sales already have an agreement that is not expired; revise that one.",
    )
    assert (twice.status_code, twice.json()["detail"]) == (
        409,
        "Your side has already accepted; the agreement waits for Sales.",
    )
    assert (unknown.status_code, huge.status_code) == (404, 404)
    assert _state() == before

    accepted = _call(api, world, "manager", "post", f"/agreements/{made['id']}/accept")
    after = _state()
    again = _call(api, world, "manager", "post", f"/agreements/{made['id']}/accept")
    assert (accepted.status_code, again.status_code) == (200, 409)
    assert _state() == after


def test_someone_who_leads_neither_unit_may_not_write_one(world: dict[str, Any], api: Any) -> None:
    before = _state()

    eve = _call(api, world, "employee", "post", "/agreements", _create_body(world))
    read_only = _call(api, world, "lead_read", "post", "/agreements", _create_body(world))

    assert (eve.status_code, eve.json()["detail"]) == (
        403,
        "Only the lead of IT or of Sales can write an agreement between them.",
    )
    assert read_only.status_code == 403
    assert _state() == before


# --- adherence ------------------------------------------------------------------------------------


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BERLIN)


def _handled(
    world: dict[str, Any],
    *,
    who: str = "employee",
    made: datetime,
    reply: datetime | None = None,
    resolved: datetime | None = None,
    promised: datetime | None = None,
    rating: int | None = None,
    thanks: bool = False,
) -> Request:
    """A P2 request of ``who`` that Sam answers, promises and resolves at the given times."""
    requester, sam = world[who], world["agent"]
    request = request_create(
        requester=requester,
        request_type=world["request_type"],
        priority="P2",
        subject=f"Laptop {made:%a %H:%M}",
        now=made,
    )
    if promised is not None:
        coop.commitment_create_for_request(
            actor=sam.user, request=request, due_at=promised, now=made + timedelta(minutes=1)
        )
    if reply is not None:
        desk_services.request_comment(actor=sam.user, request=request, body="On it.", now=reply)
    if resolved is not None:
        desk_services.request_transition(actor=sam.user, request=request, status="resolved", now=resolved)
    if rating is not None:
        assert resolved is not None
        coop.feedback_give(actor=requester.user, request=request, rating=rating, now=resolved + timedelta(minutes=30))
    if thanks:
        assert resolved is not None
        coop.thanks_send(
            actor=requester.user, request=request, to=[sam.pk], message="Thank you!", now=resolved + timedelta(hours=1)
        )
    return request


@pytest.fixture
def kept(world: dict[str, Any]) -> dict[str, Any]:
    """The table of the module docstring, built through the services."""
    world["agreement"] = _active(world)
    r1 = _handled(
        world,
        made=_at(23, 10),
        reply=_at(23, 10, 30),
        resolved=_at(23, 15),
        promised=_at(23, 16),
        rating=5,
        thanks=True,
    )
    r2 = _handled(world, made=_at(23, 11), reply=_at(23, 11, 30), resolved=_at(24, 10), promised=_at(24, 12), rating=4)
    r3 = _handled(world, made=_at(24, 9), reply=_at(24, 9, 30), resolved=_at(26, 10), promised=_at(25, 12), rating=2)
    r4 = _handled(world, made=_at(27, 16, 30), promised=_at(30, 12))
    desk_services.clocks_sweep(now=_at(28, 0))
    r5 = _handled(world, made=_at(30, 10), reply=_at(30, 10, 15), resolved=_at(30, 11), rating=1, thanks=True)
    r6 = _handled(
        world, who="admin", made=_at(25, 10), reply=_at(25, 10, 30), resolved=_at(25, 11), rating=1, thanks=True
    )
    assert [r.agreement_id for r in (r1, r2, r3, r4, r5, r6)] == [world["agreement"].pk] * 5 + [None]
    return world


def _metrics(report: dict[str, Any]) -> dict[str, tuple[int, int, int, Any]]:
    return {row["metric"]: (row["met"], row["breached"], row["running"], row["met_rate"]) for row in report["metrics"]}


def test_adherence_over_a_period_matches_the_figures_counted_by_hand(kept: dict[str, Any], api: Any) -> None:
    start, end = _at(23, 0), _at(28, 0)
    query = f"from={start.isoformat()}&to={end.isoformat()}".replace("+", "%2B")

    response = _call(api, kept, "employee", "get", f"/agreements/{kept['agreement'].pk}/adherence?{query}")

    assert response.status_code == 200, response.json()
    report = response.json()
    assert (datetime.fromisoformat(report["from"]), datetime.fromisoformat(report["to"])) == (start, end)
    assert (report["requests"], report["open_requests"]) == (4, 1)
    assert _metrics(report) == {
        "first_response": (3, 0, 1, 1.0),
        "resolution": (2, 1, 1, pytest.approx(2 / 3)),
    }
    assert report["commitments"] == {"kept": 2, "broken": 1, "kept_rate": pytest.approx(2 / 3)}
    assert report["satisfaction"] == {
        "ratings": 3,
        "average": pytest.approx(11 / 3),
        "counts": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1},
    }
    assert report["thanks"] == 1


def test_adherence_by_default_runs_from_the_start_to_now(kept: dict[str, Any], api: Any) -> None:
    desk_services.clocks_sweep()
    before = timezone.now()

    report = _call(api, kept, "manager", "get", f"/agreements/{kept['agreement'].pk}/adherence").json()

    assert datetime.fromisoformat(report["from"]) == MONDAY_10
    assert before <= datetime.fromisoformat(report["to"]) <= timezone.now()
    assert (report["requests"], report["open_requests"]) == (5, 1)
    assert _metrics(report) == {"first_response": (4, 1, 0, 0.8), "resolution": (3, 2, 0, 0.6)}
    assert report["commitments"] == {"kept": 2, "broken": 2, "kept_rate": 0.5}
    assert report["satisfaction"] == {
        "ratings": 4,
        "average": 3.0,
        "counts": {"1": 1, "2": 1, "3": 0, "4": 1, "5": 1},
    }
    assert report["thanks"] == 2
