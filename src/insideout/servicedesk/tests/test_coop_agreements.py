"""Internal service agreements: the lifecycle, who signs, bad input, and requests running under
the agreed targets."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from insideout.core.errors import Conflict, Forbidden
from insideout.core.models import Event
from insideout.people import services as people
from insideout.people.tests.factories import EmployeeFactory
from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import agreement_selectors as selectors
from insideout.servicedesk.cooperation import agreements
from insideout.servicedesk.cooperation.agreements import TargetInput, TermsInput
from insideout.servicedesk.cooperation.models import (
    Agreement,
    AgreementState,
    AgreementTarget,
    AgreementVersion,
    AgreementVersionState,
)
from insideout.servicedesk.models import RequestClock, ServiceStandard
from insideout.servicedesk.services import StandardInput
from insideout.servicedesk.tests.coop import MONDAY_10, kinds_of
from insideout.servicedesk.tests.factories import request_create

TODAY = date(2026, 11, 23)


def _snapshot() -> dict[str, list[dict[str, Any]]]:
    models = (Agreement, AgreementVersion, AgreementTarget, ServiceStandard)
    rows = {model._meta.model_name or "": list(model.objects.order_by("pk").values()) for model in models}
    rows["services"] = list(AgreementVersion.services.through.objects.order_by("pk").values())
    rows["event"] = list(Event.objects.order_by("pk").values("pk", "type"))
    return rows


def _refused(error: type[Exception], call: Any) -> Exception:
    before = _snapshot()
    with pytest.raises(error) as excinfo:
        call()
    assert _snapshot() == before
    return excinfo.value


@pytest.fixture
def sides(desk: dict[str, Any]) -> dict[str, Any]:
    """IT's desk (lead Lena) and Sales (lead Mo), the P2 public standard 4 h / 16 h business time."""
    people.unit_update(unit=desk["sales"], lead=desk["manager"])
    desk_services.standard_set(
        actor=desk["lead"].user,
        request_type=desk["request_type"],
        priority="P2",
        values=StandardInput(first_response_minutes=240, resolution_minutes=960),
    )
    return desk


def terms(d: dict[str, Any], **changes: Any) -> TermsInput:
    values: dict[str, Any] = {
        "services": [d["service"].pk],
        "targets": [TargetInput(d["service"].pk, "P2", 60, 480)],
        "provider_contact": d["agent"].pk,
        "consumer_contact": d["employee"].pk,
        "starts_on": TODAY,
        "review_on": TODAY + timedelta(days=180),
    }
    values.update(changes)
    return TermsInput(**values)


def propose(d: dict[str, Any], **changes: Any) -> Agreement:
    return agreements.agreement_create(
        actor=d["lead"].user,
        provider_id=d["it"].pk,
        consumer_id=d["sales"].pk,
        title="IT for Sales",
        terms=terms(d, **changes),
        propose=True,
        now=MONDAY_10,
    )


def test_both_leads_accept_and_requests_from_the_consumer_run_under_the_agreed_targets(
    sides: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        agreement = propose(sides)
    assert agreement.state == AgreementState.PROPOSED
    version = selectors.pending_of(agreement=agreement)
    assert version is not None
    assert version.provider_accepted_at == MONDAY_10
    assert version.consumer_accepted_at is None
    assert "servicedesk.agreement_proposed" in kinds_of(sides["manager"])

    # Before the consumer accepts, Sales' requests run under the public standard.
    before = request_create(
        requester=sides["employee"], request_type=sides["request_type"], priority="P2", now=MONDAY_10
    )
    assert before.agreement_id is None

    with django_capture_on_commit_callbacks(execute=True):
        agreements.agreement_accept(actor=sides["manager"].user, agreement=agreement, now=MONDAY_10)
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.ACTIVE
    assert agreement.current_id == version.pk
    assert "servicedesk.agreement_activated" in kinds_of(sides["lead"])

    under = request_create(
        requester=sides["employee"], request_type=sides["request_type"], priority="P2", now=MONDAY_10
    )
    assert under.agreement_id == agreement.pk
    clocks = {clock.metric: clock for clock in RequestClock.objects.filter(request=under).select_related("standard")}
    assert clocks["first_response"].target_seconds == 60 * 60
    assert clocks["resolution"].target_seconds == 480 * 60
    agreed = clocks["resolution"].standard
    assert agreed.agreement_target is not None
    assert not agreed.is_current
    assert agreed.business_hours
    # A priority without an agreed target keeps the public standard but counts for the agreement.
    p3 = request_create(requester=sides["employee"], request_type=sides["request_type"], priority="P3", now=MONDAY_10)
    assert p3.agreement_id == agreement.pk
    assert RequestClock.objects.get(request=p3, metric="resolution").standard.is_current
    # Someone from another unit (IT's own agent) gets the public standard.
    other = request_create(requester=sides["admin"], request_type=sides["request_type"], priority="P2", now=MONDAY_10)
    assert other.agreement_id is None
    assert RequestClock.objects.get(request=other, metric="resolution").target_seconds == 960 * 60


def test_a_public_standard_edit_keeps_agreed_targets_and_follows_its_other_rules(sides: dict[str, Any]) -> None:
    agreement = propose(sides)
    agreements.agreement_accept(actor=sides["manager"].user, agreement=agreement, now=MONDAY_10)
    request = request_create(
        requester=sides["employee"], request_type=sides["request_type"], priority="P2", now=MONDAY_10
    )
    desk_services.standard_set(
        actor=sides["lead"].user,
        request_type=sides["request_type"],
        priority="P2",
        values=StandardInput(first_response_minutes=120, resolution_minutes=600, business_hours=False),
    )
    desk_services.clocks_recompute(request_type_id=sides["request_type"].pk)
    clock = RequestClock.objects.select_related("standard").get(request=request, metric="resolution")
    assert clock.target_seconds == 480 * 60
    assert clock.calendar_id is None
    assert not clock.standard.business_hours
    assert clock.standard.based_on is not None


def test_a_revision_applies_once_both_accept_and_open_requests_follow(sides: dict[str, Any]) -> None:
    agreement = propose(sides)
    agreements.agreement_accept(actor=sides["manager"].user, agreement=agreement, now=MONDAY_10)
    request = request_create(
        requester=sides["employee"], request_type=sides["request_type"], priority="P2", now=MONDAY_10
    )
    revised = terms(sides, targets=[TargetInput(sides["service"].pk, "P2", 30, 240)])
    _refused(
        ValidationError,
        lambda: agreements.agreement_revise(
            actor=sides["manager"].user, agreement=agreement, terms=revised, now=MONDAY_10
        ),
    )
    version = agreements.agreement_revise(
        actor=sides["manager"].user, agreement=agreement, terms=revised, reason="Quarter end", now=MONDAY_10
    )
    assert version.state == AgreementVersionState.PROPOSED
    assert version.consumer_accepted_at is not None
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.ACTIVE
    assert agreement.current_id != version.pk
    assert RequestClock.objects.get(request=request, metric="resolution").target_seconds == 480 * 60
    agreements.agreement_accept(actor=sides["lead"].user, agreement=agreement, now=MONDAY_10)
    desk_services.clocks_recompute(agreement_id=agreement.pk)
    agreement.refresh_from_db()
    assert agreement.current_id == version.pk
    assert AgreementVersion.objects.get(agreement=agreement, number=1).state == AgreementVersionState.SUPERSEDED
    assert RequestClock.objects.get(request=request, metric="resolution").target_seconds == 240 * 60


def test_declining_a_first_proposal_makes_it_a_draft_again(
    sides: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    agreement = propose(sides)
    with django_capture_on_commit_callbacks(execute=True):
        agreements.agreement_decline(actor=sides["manager"].user, agreement=agreement, reason="Too soon", now=MONDAY_10)
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.DRAFT
    version = selectors.pending_of(agreement=agreement)
    assert version is not None
    assert version.state == AgreementVersionState.DRAFT
    assert version.provider_accepted_at is None
    assert "servicedesk.agreement_declined" in kinds_of(sides["lead"])
    agreements.agreement_propose(actor=sides["manager"].user, agreement=agreement, now=MONDAY_10)
    agreements.agreement_accept(actor=sides["lead"].user, agreement=agreement, now=MONDAY_10)
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.ACTIVE


def test_who_may_write_and_accept(sides: dict[str, Any]) -> None:
    # Eve is in Sales but leads nothing.
    _refused(
        Forbidden,
        lambda: agreements.agreement_create(
            actor=sides["employee"].user,
            provider_id=sides["it"].pk,
            consumer_id=sides["sales"].pk,
            title="x",
            terms=terms(sides),
            now=MONDAY_10,
        ),
    )
    agreement = propose(sides)
    _refused(
        Forbidden, lambda: agreements.agreement_accept(actor=sides["agent"].user, agreement=agreement, now=MONDAY_10)
    )
    error = _refused(
        Conflict, lambda: agreements.agreement_accept(actor=sides["lead"].user, agreement=agreement, now=MONDAY_10)
    )
    assert "Sales" in str(error)


def test_bad_input_changes_nothing(sides: dict[str, Any]) -> None:
    def create(**changes: Any) -> Any:
        consumer = changes.pop("consumer", sides["sales"].pk)
        return lambda: agreements.agreement_create(
            actor=sides["lead"].user,
            provider_id=sides["it"].pk,
            consumer_id=consumer,
            title="IT for Sales",
            terms=terms(sides, **changes),
            now=MONDAY_10,
        )

    error = _refused(ValidationError, create(consumer=sides["it"].pk))
    assert "two different units" in str(error)
    cases = {
        "services": {"services": []},
        "review_on": {"review_on": TODAY - timedelta(days=1)},
        "targets.0.first_response_minutes": {"targets": [TargetInput(sides["service"].pk, "P2", 500, 480)]},
        "targets.0.priority": {"targets": [TargetInput(sides["service"].pk, "P9", 5, 10)]},
        "consumer_contact": {"consumer_contact": sides["agent"].pk},  # not in Sales
        "provider_contact": {"provider_contact": None},
        "remind_days": {"remind_days": -1},
    }
    for name, changes in cases.items():
        error = _refused(ValidationError, create(**changes))
        assert name in error.message_dict, (name, error.message_dict)  # type: ignore[attr-defined]
    error = _refused(ValidationError, create(starts_on=TODAY + timedelta(days=10), review_on=TODAY + timedelta(days=5)))
    assert "review_on" in error.message_dict  # type: ignore[attr-defined]
    propose(sides)
    _refused(Conflict, create())  # a second live agreement between the same two units


def test_the_sweep_reminds_once_with_the_report_and_expires_after_the_review_date(
    sides: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    agreement = propose(sides, review_on=TODAY + timedelta(days=20), remind_days=14)
    agreements.agreement_accept(actor=sides["manager"].user, agreement=agreement, now=MONDAY_10)
    assert agreements.agreements_sweep(now=MONDAY_10) == agreements.AgreementSweep(reminded=0, expired=0)
    six_days_later = MONDAY_10 + timedelta(days=6)
    with django_capture_on_commit_callbacks(execute=True):
        assert agreements.agreements_sweep(now=six_days_later).reminded == 1
    assert agreements.agreements_sweep(now=six_days_later + timedelta(hours=1)).reminded == 0
    assert kinds_of(sides["lead"]).count("servicedesk.agreement_review_due") == 1
    event = Event.objects.get(type="servicedesk.agreement_review_due")
    assert event.payload["report"]["requests"] == 0
    after = MONDAY_10 + timedelta(days=21)
    assert agreements.agreements_sweep(now=after).expired == 1
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.EXPIRED
    late = request_create(requester=sides["employee"], request_type=sides["request_type"], priority="P2", now=after)
    assert late.agreement_id is None


def test_one_lead_above_both_units_signs_for_both_by_proposing(sides: dict[str, Any]) -> None:
    ceo = EmployeeFactory(username="cee", first_name="Cee", last_name="Eo", unit=sides["company"])
    people.unit_update(unit=sides["company"], lead=ceo)
    agreement = agreements.agreement_create(
        actor=ceo.user,
        provider_id=sides["it"].pk,
        consumer_id=sides["sales"].pk,
        title="IT for Sales",
        terms=terms(sides),
        propose=True,
        now=MONDAY_10,
    )
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.ACTIVE
    assert selectors.sides_of(actor=ceo.user, agreement=agreement) == {"provider", "consumer"}


def test_rewriting_a_draft_is_an_event_too(sides: dict[str, Any]) -> None:
    agreement = agreements.agreement_create(
        actor=sides["lead"].user,
        provider_id=sides["it"].pk,
        consumer_id=sides["sales"].pk,
        title="IT for Sales",
        terms=terms(sides),
        now=MONDAY_10,
    )
    agreements.agreement_revise(
        actor=sides["lead"].user,
        agreement=agreement,
        terms=terms(sides, remind_days=7),
        propose=False,
        now=MONDAY_10,
    )
    assert agreement.versions.get().remind_days == 7
    assert list(Event.objects.filter(subject_type="servicedesk.agreement").values_list("type", flat=True)) == [
        "servicedesk.agreement_created",
        "servicedesk.agreement_draft_changed",
    ]
