"""The agreement pages: the list, writing one (its grid of targets and every kind of mistake), its
page for each role, accepting, declining and revising through the pages, the adherence figures, the
line on the request page and the section of the lead's desk view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from insideout.core.models import Event
from insideout.people import services as people
from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import agreements
from insideout.servicedesk.cooperation import services as coop
from insideout.servicedesk.cooperation.agreements import TargetInput, TermsInput
from insideout.servicedesk.cooperation.models import (
    Agreement,
    AgreementState,
    AgreementTarget,
    AgreementVersion,
)
from insideout.servicedesk.services import StandardInput
from insideout.servicedesk.tests.factories import request_create
from insideout.servicedesk.views.agreements_forms import duration_input, parse_duration

ClientFor = Callable[[Any], Client]


def _snapshot() -> dict[str, list[dict[str, Any]]]:
    rows = {
        model._meta.model_name or "": list(model.objects.order_by("pk").values())
        for model in (Agreement, AgreementVersion, AgreementTarget)
    }
    rows["event"] = list(Event.objects.filter(type__startswith="servicedesk.agreement").order_by("pk").values("pk"))
    return rows


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _today() -> Any:
    return timezone.localdate()


@pytest.fixture
def sides(desk: dict[str, Any]) -> dict[str, Any]:
    """IT's desk (lead Lena) and Sales (lead Mo); Laptops' P2 public standard is 4 h / 16 h (as in
    test_coop_agreements, whose fixture dates are fixed; these pages run at today's date)."""
    people.unit_update(unit=desk["sales"], lead=desk["manager"])
    desk_services.standard_set(
        actor=desk["lead"].user,
        request_type=desk["request_type"],
        priority="P2",
        values=StandardInput(first_response_minutes=240, resolution_minutes=960),
    )
    return desk


def _terms(d: dict[str, Any], **changes: Any) -> TermsInput:
    values: dict[str, Any] = {
        "services": [d["service"].pk],
        "targets": [TargetInput(d["service"].pk, "P2", 60, 480)],
        "provider_contact": d["agent"].pk,
        "consumer_contact": d["employee"].pk,
        "starts_on": _today(),
        "review_on": _today() + timedelta(days=180),
    }
    return TermsInput(**(values | changes))


def _proposed(d: dict[str, Any]) -> Agreement:
    """Lena writes "IT for Sales" and proposes it: IT has accepted, Sales has not."""
    return agreements.agreement_create(
        actor=d["lead"].user,
        provider_id=d["it"].pk,
        consumer_id=d["sales"].pk,
        title="IT for Sales",
        terms=_terms(d),
        propose=True,
    )


def _active(d: dict[str, Any]) -> Agreement:
    agreement = _proposed(d)
    agreements.agreement_accept(actor=d["manager"].user, agreement=agreement)
    agreement.refresh_from_db()
    return agreement


def _form(d: dict[str, Any], **changes: Any) -> dict[str, Any]:
    cell = f"target-{d['service'].pk}"
    values: dict[str, Any] = {
        "provider": d["it"].pk,
        "consumer": d["sales"].pk,
        "title": "IT for Sales",
        "services": [d["service"].pk],
        f"{cell}-P2-first": "1h",
        f"{cell}-P2-resolution": "8h",
        "provider_contact": d["agent"].pk,
        "consumer_contact": d["employee"].pk,
        "starts_on": _today().isoformat(),
        "review_on": (_today() + timedelta(days=180)).isoformat(),
        "remind_days": "14",
        "note": "",
        "action": "propose",
    }
    return values | changes


# --- durations ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("4h", 240),
        ("4 h", 240),
        ("4h 30m", 270),
        ("4 h 30 min", 270),
        ("4h30", 270),
        ("1.5h", 90),
        ("1,5 h", 90),
        ("4:30", 270),
        ("90", 90),
        ("90 min", 90),
        ("  45m ", 45),
        ("", None),
    ],
)
def test_a_target_is_read_as_hours_and_minutes(text: str, minutes: int | None) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["soon", "4 days", "h", "1.5", "4h 30h", "-5"])
def test_what_is_no_duration_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="."):
        parse_duration(text)


@pytest.mark.parametrize("minutes", [45, 60, 270, 960, 1441])
def test_a_target_shown_for_editing_reads_back_the_same(minutes: int) -> None:
    assert parse_duration(duration_input(minutes)) == minutes


# --- the list ---------------------------------------------------------------------------------------


def test_the_list_shows_each_member_the_agreements_of_their_units(sides: dict[str, Any], client_for: ClientFor) -> None:
    agreement = _proposed(sides)
    link = f'<a href="/agreements/{agreement.pk}/">IT for Sales</a>'

    lena = client_for(sides["lead"]).get("/agreements/")
    eve = client_for(sides["employee"]).get("/agreements/")
    sam = client_for(sides["agent"]).get("/agreements/")
    pat = client_for(sides["admin"]).get("/agreements/")

    assert link in lena.content.decode()
    assert 'href="/agreements/new/"' in lena.content.decode()
    assert link in eve.content.decode()
    assert 'href="/agreements/new/"' not in eve.content.decode()  # Eve leads no unit
    assert link in sam.content.decode()
    assert list(pat.context["agreements"]) == []  # Pat's unit is neither side
    assert "The lead of a unit writes one" in pat.content.decode()


def test_the_list_filters_by_state_and_says_so_when_nothing_is_left(
    sides: dict[str, Any], client_for: ClientFor
) -> None:
    _proposed(sides)
    client = client_for(sides["manager"])

    proposed = client.get("/agreements/?state=proposed")
    active = client.get("/agreements/?state=active")

    assert [a.title for a in proposed.context["agreements"]] == ["IT for Sales"]
    assert list(active.context["agreements"]) == []
    assert "No agreement you may see is in this state." in active.content.decode()


def test_a_lead_without_agreements_is_told_how_to_start_one(sides: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(sides["manager"]).get("/agreements/")

    assert response.status_code == 200
    assert "Start one with “New agreement”" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(sides: dict[str, Any], client_for: ClientFor) -> None:
    agreement = _proposed(sides)

    for url in ("/agreements/", "/agreements/new/", f"/agreements/{agreement.pk}/"):
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


# --- writing one -------------------------------------------------------------------------------------


def test_the_new_form_offers_the_lead_s_desk_with_its_services_and_public_targets(
    sides: dict[str, Any], client_for: ClientFor
) -> None:
    response = client_for(sides["lead"]).get("/agreements/new/")

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].initial["provider"] == sides["it"].pk  # Lena leads IT, which has the desk
    assert f'name="services" value="{sides["service"].pk}"' in page
    assert f'name="target-{sides["service"].pk}-P2-first"' in page
    assert "public: 4 h" in page
    assert "public: 16 h" in page
    assert ">Save draft</button>" in page
    assert ">Propose</button>" in page


def test_changing_the_provider_shows_its_services_without_judging_the_form(
    sides: dict[str, Any], client_for: ClientFor
) -> None:
    before = _snapshot()
    data = {"provider": sides["it"].pk, "title": "", "refresh": "1", "consumer_contact": sides["employee"].pk}

    response = client_for(sides["manager"]).post("/agreements/new/", data, HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert response.status_code == 200
    assert f'name="services" value="{sides["service"].pk}"' in page
    assert 'class="errorlist"' not in page
    assert response.context["form"].initial["consumer_contact"] == str(sides["employee"].pk)
    assert _snapshot() == before


def test_the_lead_proposes_an_agreement_through_the_form(sides: dict[str, Any], client_for: ClientFor) -> None:
    data = _form(
        sides,
        **{f"target-{sides['service'].pk}-P1-first": "30", f"target-{sides['service'].pk}-P1-resolution": "4h 30m"},
    )

    response = client_for(sides["lead"]).post("/agreements/new/", data, follow=True)

    agreement = Agreement.objects.get()
    version = agreement.versions.get()
    assert response.redirect_chain == [(f"/agreements/{agreement.pk}/", 302)]
    assert (agreement.title, agreement.state, version.state) == ("IT for Sales", "proposed", "proposed")
    assert sorted(version.targets.values_list("priority", "first_response_minutes", "resolution_minutes")) == [
        ("P1", 30, 270),
        ("P2", 60, 480),
    ]
    assert version.provider_accepted_by == sides["lead"]
    assert _messages(response) == ["“IT for Sales” is proposed to Sales; it is in force once they accept."]


def test_save_draft_keeps_it_a_draft(sides: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(sides["manager"]).post("/agreements/new/", _form(sides, action="draft"), follow=True)

    agreement = Agreement.objects.get()
    assert (agreement.state, agreement.versions.get().state) == ("draft", "draft")
    assert _messages(response) == ["The draft “IT for Sales” is saved. Propose it to the other side when it is ready."]
    assert ">Propose</button>" in response.content.decode()


def test_an_agreement_of_a_unit_with_itself_is_refused_at_the_consumer(
    sides: dict[str, Any], client_for: ClientFor
) -> None:
    before = _snapshot()

    response = client_for(sides["lead"]).post("/agreements/new/", _form(sides, consumer=sides["it"].pk))

    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors["consumer"] == ["An agreement is between two different units; choose another consuming unit."]
    assert "Nothing was saved yet." in response.content.decode()
    assert _snapshot() == before


def test_the_service_s_messages_appear_at_their_grid_cells_and_fields(
    sides: dict[str, Any], client_for: ClientFor
) -> None:
    cell = f"target-{sides['service'].pk}"
    before = _snapshot()
    data = _form(
        sides,
        **{f"{cell}-P2-first": "9h", f"{cell}-P2-resolution": "1h"},
        provider_contact=sides["employee"].pk,  # Eve is in Sales, not IT
        review_on=(_today() - timedelta(days=1)).isoformat(),
    )

    response = client_for(sides["lead"]).post("/agreements/new/", data)

    errors = response.context["form"].errors
    assert errors[f"{cell}-P2-first"] == ["The first response cannot be due after the resolution."]
    assert errors["provider_contact"] == ["Eve Employee is not a member of IT or a unit below it."]
    assert errors["review_on"] == ["The review date has passed; choose today or a later day."]
    assert f'id="id_{cell}-P2-first_error"' in response.content.decode()
    assert _snapshot() == before


def test_the_form_s_own_checks_come_first_and_save_nothing(sides: dict[str, Any], client_for: ClientFor) -> None:
    cell = f"target-{sides['service'].pk}"
    before = _snapshot()
    data = _form(sides, **{f"{cell}-P2-first": "soon", f"{cell}-P3-first": "2h", f"{cell}-P4-resolution": "9999h"})

    response = client_for(sides["lead"]).post("/agreements/new/", data)

    errors = response.context["form"].errors
    assert errors[f"{cell}-P2-first"] == ["Write a duration such as 4h, 4h 30m or 90 (minutes)."]
    assert errors[f"{cell}-P3-resolution"] == [
        "Give both targets for this priority, or leave both empty to keep the public standard."
    ]
    assert errors[f"{cell}-P4-resolution"] == ["Give a target between 1 minute and 8,333 hours."]
    assert _snapshot() == before


def test_targets_of_a_service_not_ticked_are_not_dropped_silently(sides: dict[str, Any], client_for: ClientFor) -> None:
    cell = f"target-{sides['service'].pk}"
    data = _form(sides, services=[])

    response = client_for(sides["lead"]).post("/agreements/new/", data)

    errors = response.context["form"].errors
    assert errors[f"{cell}-P2-first"] == ["Tick Laptops above to agree this target, or clear it."]
    assert Agreement.objects.count() == 0


def test_a_second_agreement_between_the_same_units_is_refused_with_the_reason(
    sides: dict[str, Any], client_for: ClientFor
) -> None:
    _proposed(sides)
    before = _snapshot()

    response = client_for(sides["manager"]).post("/agreements/new/", _form(sides))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "IT and Sales already have an agreement that is not expired; revise that one."
    ]
    assert _snapshot() == before


def test_someone_who_leads_no_unit_may_not_write_one(sides: dict[str, Any], client_for: ClientFor) -> None:
    before = _snapshot()

    page = client_for(sides["employee"]).get("/agreements/new/")
    post = client_for(sides["employee"]).post("/agreements/new/", _form(sides))

    assert (page.status_code, post.status_code) == (403, 403)
    assert "Only unit leads write agreements" in page.content.decode()
    assert _snapshot() == before


# --- the page, for each role ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("lead", ["Withdraw the proposal", "Propose other terms", "You sign for IT."], ["Accept for"]),
        ("manager", ["Accept for Sales", "Decline the proposal", "You sign for Sales."], ["Withdraw"]),
        ("employee", ["A proposal waits for acceptance", "It waits for Sales."], ["/accept/", "/decline/", "You sign"]),
        ("agent", ["A proposal waits for acceptance"], ["/accept/", "/decline/", "Propose other terms"]),
    ],
)
def test_the_page_offers_each_role_what_it_may_do(
    sides: dict[str, Any], client_for: ClientFor, who: str, shown: list[str], hidden: list[str]
) -> None:
    agreement = _proposed(sides)

    response = client_for(sides[who]).get(f"/agreements/{agreement.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert [text for text in shown if text not in page] == []
    assert [text for text in hidden if text in page] == []


def test_an_outsider_gets_404(sides: dict[str, Any], client_for: ClientFor) -> None:
    agreement = _proposed(sides)

    assert client_for(sides["admin"]).get(f"/agreements/{agreement.pk}/").status_code == 404
    assert client_for(sides["admin"]).post(f"/agreements/{agreement.pk}/accept/").status_code == 404
    assert client_for(sides["lead"]).get("/agreements/999999/").status_code == 404


def test_the_page_shows_the_parties_terms_and_contacts(sides: dict[str, Any], client_for: ClientFor) -> None:
    agreement = _active(sides)

    response = client_for(sides["employee"]).get(f"/agreements/{agreement.pk}/")

    page = response.content.decode()
    terms = response.context["current_terms"]
    p2 = next(row for row in terms.services[0].rows if row.priority == "P2")
    assert (p2.agreed_first, p2.agreed_resolution, p2.public_first, p2.public_resolution) == (
        "1 h",
        "8 h",
        "4 h",
        "16 h",
    )
    assert '<span class="pill agreement-active">Active</span>' in page
    assert "<strong>1 h</strong>" in page
    assert "(public: 4 h)" in page
    assert "Sam Agent" in page
    assert "Eve Employee" in page
    assert "accepted for Sales by" in page


# --- deciding through the pages -------------------------------------------------------------------


def test_the_consumer_lead_accepts_and_the_agreement_is_in_force(sides: dict[str, Any], client_for: ClientFor) -> None:
    agreement = _proposed(sides)

    response = client_for(sides["manager"]).post(f"/agreements/{agreement.pk}/accept/", follow=True)

    agreement.refresh_from_db()
    assert response.redirect_chain == [("../", 302)]
    assert response.request["PATH_INFO"] == f"/agreements/{agreement.pk}/"
    assert agreement.state == AgreementState.ACTIVE
    assert _messages(response) == ["“IT for Sales” is in force: requests from Sales run under its targets."]


def test_accepting_twice_says_who_it_waits_for(sides: dict[str, Any], client_for: ClientFor) -> None:
    agreement = _proposed(sides)
    before = _snapshot()

    response = client_for(sides["lead"]).post(f"/agreements/{agreement.pk}/accept/", follow=True)

    assert _messages(response) == ["Your side has already accepted; the agreement waits for Sales."]
    assert _snapshot() == before


def test_a_member_who_signs_for_no_side_may_not_decide(sides: dict[str, Any], client_for: ClientFor) -> None:
    agreement = _proposed(sides)
    before = _snapshot()

    for action in ("accept", "decline", "propose"):
        response = client_for(sides["employee"]).post(f"/agreements/{agreement.pk}/{action}/")
        assert response.status_code == 403
        assert "Only the leads of IT and Sales decide on this agreement." in response.content.decode()
    assert _snapshot() == before


def test_the_consumer_declines_with_a_reason_and_it_is_a_draft_again(
    sides: dict[str, Any], client_for: ClientFor
) -> None:
    agreement = _proposed(sides)

    response = client_for(sides["manager"]).post(
        f"/agreements/{agreement.pk}/decline/", {"reason": "P2 in one hour is too much"}, follow=True
    )

    agreement.refresh_from_db()
    assert agreement.state == AgreementState.DRAFT
    assert _messages(response) == [
        "The proposal is declined; the agreement is a draft again, and the other side is told."
    ]
    declined = Event.objects.get(type=agreements.AGREEMENT_DECLINED)
    assert declined.payload["reason"] == "P2 in one hour is too much"


def test_the_proposer_withdraws_and_proposes_again(sides: dict[str, Any], client_for: ClientFor) -> None:
    agreement = _proposed(sides)
    lena = client_for(sides["lead"])

    withdrawn = lena.post(f"/agreements/{agreement.pk}/decline/", follow=True)
    page = lena.get(f"/agreements/{agreement.pk}/").content.decode()
    proposed = lena.post(f"/agreements/{agreement.pk}/propose/", follow=True)

    agreement.refresh_from_db()
    assert _messages(withdrawn) == ["Your proposal is withdrawn; the agreement is a draft again."]
    assert "A draft, not proposed yet" in page
    assert "Edit the draft" in page
    assert _messages(proposed) == ["“IT for Sales” is proposed to Sales; it is in force once they accept."]
    assert agreement.state == AgreementState.PROPOSED


def test_a_revision_is_proposed_shown_with_its_changes_and_accepted(
    sides: dict[str, Any], client_for: ClientFor
) -> None:
    agreement = _active(sides)
    cell = f"target-{sides['service'].pk}"
    lena = client_for(sides["lead"])

    form_page = lena.get(f"/agreements/{agreement.pk}/revise/")
    no_reason = lena.post(f"/agreements/{agreement.pk}/revise/", _form(sides, **{f"{cell}-P2-first": "2h"}))
    revised = lena.post(
        f"/agreements/{agreement.pk}/revise/",
        _form(sides, **{f"{cell}-P2-first": "2h"}, reason="The helpdesk is smaller now"),
        follow=True,
    )
    page = client_for(sides["manager"]).get(f"/agreements/{agreement.pk}/")

    assert form_page.context["form"].initial[f"{cell}-P2-first"] == "1h"
    assert form_page.context["form"].initial[f"{cell}-P2-resolution"] == "8h"
    assert no_reason.context["form"].errors["reason"] == [
        "Say why the terms change; both sides read it with the proposal."
    ]
    assert _messages(revised) == [
        "The revision of “IT for Sales” is proposed to Sales; the terms in force stay until they accept."
    ]
    pending = page.context["pending_terms"]
    changed = [(row.priority, row.agreed_first) for row in pending.services[0].rows if row.changed]
    assert changed == [("P2", "2 h")]
    assert pending.changed == frozenset()
    assert "A revision waits for acceptance" in page.content.decode()
    assert "The helpdesk is smaller now" in page.content.decode()
    assert '<tr class="changed">' in page.content.decode()

    accepted = client_for(sides["manager"]).post(f"/agreements/{agreement.pk}/accept/", follow=True)

    agreement.refresh_from_db()
    assert agreement.current.number == 2
    assert agreement.current.targets.get().first_response_minutes == 120
    assert _messages(accepted) == ["“IT for Sales” is in force: requests from Sales run under its targets."]


def test_only_those_who_sign_may_open_the_revision_form(sides: dict[str, Any], client_for: ClientFor) -> None:
    agreement = _active(sides)

    response = client_for(sides["agent"]).get(f"/agreements/{agreement.pk}/revise/")

    assert response.status_code == 403
    assert "Only the leads of IT and Sales change this agreement" in response.content.decode()


# --- adherence, the request page and the lead's view ------------------------------------------------


@pytest.fixture
def kept(sides: dict[str, Any]) -> dict[str, Any]:
    """An active agreement and two of Eve's P2 requests under it: one resolved in time with a kept
    promise, rated 5 and thanked for; one still open."""
    agreement = _active(sides)
    sam, eve = sides["agent"], sides["employee"]
    done = request_create(requester=eve, request_type=sides["request_type"], priority="P2")
    request_create(requester=eve, request_type=sides["request_type"], priority="P2", subject="Second")
    desk_services.request_assign(actor=sam.user, request=done, assignee_id=sam.pk)
    coop.commitment_create_for_request(actor=sam.user, request=done, due_at=timezone.now() + timedelta(days=1))
    desk_services.request_comment(actor=sam.user, request=done, body="On it.", internal=False)
    desk_services.request_transition(actor=sam.user, request=done, status="resolved")
    coop.feedback_give(actor=eve.user, request=done, rating=5, comment="Fast!")
    coop.thanks_send(actor=eve.user, request=done, to=[sam.pk], message="Thank you")
    return {**sides, "agreement": agreement, "done": done}


def test_the_page_shows_how_the_agreement_is_kept(kept: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(kept["manager"]).get(f"/agreements/{kept['agreement'].pk}/")

    adherence = response.context["adherence"]
    report = adherence.report
    page = response.content.decode()
    assert (report.requests, report.open_requests, report.thanks) == (2, 1, 1)
    assert [(m.metric, m.met, m.breached, m.running, m.percent) for m in adherence.metrics] == [
        ("first_response", 1, 0, 1, 100),
        ("resolution", 1, 0, 1, 100),
    ]
    assert (report.commitments.kept, report.commitments.broken, adherence.kept_percent) == (1, 0, 100)
    assert (report.satisfaction.total, report.satisfaction.average) == (1, 5.0)
    assert adherence.words == (
        "2 requests; first response met 100 %, resolution met 100 %; 100 % of promises kept; 5.0 of 5 from 1 rating"
    )
    assert "<strong>2 requests; first response met 100 %" in page
    assert "100 % kept" in page
    assert "5.0 of 5" in page
    assert "1 still open" in page


def test_a_period_before_the_requests_shows_none(kept: dict[str, Any], client_for: ClientFor) -> None:
    long_ago = (_today() - timedelta(days=30)).isoformat()
    query = f"?start={long_ago}&end={long_ago}"

    response = client_for(kept["lead"]).get(f"/agreements/{kept['agreement'].pk}/{query}")

    assert response.context["adherence"].report.requests == 0
    assert response.context["adherence"].words == "No request ran under it in this period."


def test_a_period_that_ends_before_it_starts_falls_back_and_says_so(
    kept: dict[str, Any], client_for: ClientFor
) -> None:
    query = f"?start={_today().isoformat()}&end={(_today() - timedelta(days=3)).isoformat()}"

    response = client_for(kept["lead"]).get(f"/agreements/{kept['agreement'].pk}/{query}")

    assert response.context["adherence"].report.requests == 2
    assert "That period does not work" in response.content.decode()


def test_the_request_page_names_the_agreement_it_runs_under(kept: dict[str, Any], client_for: ClientFor) -> None:
    agreement = kept["agreement"]
    other = request_create(requester=kept["admin"], request_type=kept["request_type"], priority="P2")

    under = client_for(kept["employee"]).get(f"/requests/{kept['done'].key}/").content.decode()
    outside = client_for(kept["admin"]).get(f"/requests/{other.key}/").content.decode()

    assert f'Runs under the agreement <a href="/agreements/{agreement.pk}/">IT for Sales</a>.' in under
    assert "Runs under the agreement" not in outside


def test_the_lead_s_desk_view_lists_the_unit_s_agreements_with_their_adherence(
    kept: dict[str, Any], client_for: ClientFor
) -> None:
    response = client_for(kept["lead"]).get(f"/desk/{kept['desk'].pk}/cooperation/?period=last_30")

    page = response.content.decode()
    (row,) = response.context["agreements"]
    assert row["agreement"] == kept["agreement"]
    assert row["other"] == kept["sales"]
    assert f'<a href="/agreements/{kept["agreement"].pk}/">IT for Sales</a>' in page
    assert "2 requests; first response met 100 %" in page
    assert "5.0 of 5" in page  # satisfaction, in the desk's figures and the agreement's line
