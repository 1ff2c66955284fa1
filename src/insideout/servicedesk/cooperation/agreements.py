"""Write use-cases of internal service agreements (ADR 0012). Each is atomic, checks who may do
it, and records its events.

The life of an agreement: a lead of either unit writes it (``draft``) and proposes it to the
other side (``proposed``); proposing counts as the proposer's side accepting. When the other
side's lead accepts too it is ``active``: requests from the consuming unit created from its start
date to its review date run under its targets. Either lead may propose a revision at any time; the
accepted terms stay in force until both accept the revision, and open requests then follow it.
Either side may decline (or withdraw) a pending proposal. Past its review date the sweep marks it
``expired`` (new requests run under the public standards again); an accepted revision with a new
review date brings it back. Before the review date both sides get a reminder with the adherence
report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from insideout.core.errors import Conflict, Forbidden
from insideout.core.events import event_record
from insideout.core.text import as_id, clean_text
from insideout.people.models import Employee, Unit, User
from insideout.servicedesk import selectors as desk_selectors
from insideout.servicedesk.cooperation import agreement_selectors as selectors
from insideout.servicedesk.cooperation.models import (
    Agreement,
    AgreementState,
    AgreementTarget,
    AgreementVersion,
    AgreementVersionState,
)
from insideout.servicedesk.models import Desk, Priority, Service

AGREEMENT_CREATED = "servicedesk.agreement_created"
AGREEMENT_DRAFT_CHANGED = "servicedesk.agreement_draft_changed"  # a draft rewritten, still a draft
AGREEMENT_PROPOSED = "servicedesk.agreement_proposed"
AGREEMENT_ACCEPTED = "servicedesk.agreement_accepted"  # one side
AGREEMENT_ACTIVATED = "servicedesk.agreement_activated"  # both sides: these terms are in force
AGREEMENT_DECLINED = "servicedesk.agreement_declined"
AGREEMENT_REVIEW_DUE = "servicedesk.agreement_review_due"
AGREEMENT_EXPIRED = "servicedesk.agreement_expired"

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_MINUTES = 500_000
MAX_YEARS_AHEAD = 5
MAX_REMIND_DAYS = 365


@dataclass(frozen=True)
class TargetInput:
    service: int
    priority: str
    first_response_minutes: int
    resolution_minutes: int


@dataclass(frozen=True)
class TermsInput:
    """What an agreement promises: the services, their agreed targets, a contact per side, and dates."""

    services: Sequence[int]
    provider_contact: int | None
    consumer_contact: int | None
    starts_on: date | None
    review_on: date | None
    targets: Sequence[TargetInput] = field(default_factory=tuple)
    remind_days: int = 14
    note: str = ""


# --- helpers -------------------------------------------------------------------------------------


def _today(now: datetime) -> date:
    return timezone.localdate(now)


def _signer(actor: User | None) -> Employee:
    employee = desk_selectors.access_for(actor).employee
    if employee is None:
        raise Forbidden(_("Only members of the organisation can do this."))
    return employee


def _record(agreement: Agreement, event_type: str, actor: User | None, at: datetime, **payload: Any) -> None:
    event_record(
        type=event_type,
        subject=agreement,
        actor=actor,
        payload={"agreement": agreement.pk, "title": agreement.title, **payload},
        occurred_at=at,
    )


def _contact(value: object, *, unit: Unit, name: str, errors: dict[str, list[str]]) -> Employee | None:
    if value is None or value == "":
        errors[name] = [_("Name a contact at %(unit)s.") % {"unit": unit.name}]
        return None
    person_id = as_id(value)
    person = (
        Employee.objects.select_related("unit").filter(pk=person_id, is_active=True).first()
        if person_id is not None
        else None
    )
    if person is None:
        errors[name] = [_("No active person has this id.")]
        return None
    if person.unit is None or not person.unit.path.startswith(unit.path):
        errors[name] = [
            _("%(person)s is not a member of %(unit)s or a unit below it.") % {"person": person.name, "unit": unit.name}
        ]
        return None
    return person


def _terms_check(
    terms: TermsInput, *, provider: Unit, consumer: Unit, now: datetime, errors: dict[str, list[str]]
) -> tuple[list[Service], Employee | None, Employee | None, str]:
    """Validate the terms against the two units; every wrong field gets its message in ``errors``."""
    desk = Desk.objects.filter(unit=provider).first()
    services: list[Service] = []
    wanted = [as_id(value) for value in terms.services]
    if not wanted:
        errors["services"] = [_("Choose at least one service the agreement covers.")]
    elif desk is None:
        errors["services"] = [_("%(unit)s has no service desk.") % {"unit": provider.name}]
    elif any(value is None for value in wanted):
        errors["services"] = [_("Give services by their ids.")]
    else:
        ids = [value for value in wanted if value is not None]
        found = {service.pk: service for service in Service.objects.filter(desk=desk, pk__in=ids)}
        missing = [str(value) for value in wanted if value not in found]
        if missing:
            errors["services"] = [
                _("Not services of %(unit)s: %(ids)s.") % {"unit": provider.name, "ids": ", ".join(missing)}
            ]
        services = [found[value] for value in dict.fromkeys(ids) if value in found]
    covered = {service.pk for service in services}
    seen: set[tuple[int, str]] = set()
    for index, target in enumerate(terms.targets):
        prefix = f"targets.{index}"
        if as_id(target.service) not in covered:
            errors[f"{prefix}.service"] = [_("Give targets only for services the agreement covers.")]
        if target.priority not in Priority.values:
            errors[f"{prefix}.priority"] = [_("Choose one of P1, P2, P3 and P4.")]
        key = (target.service, target.priority)
        if key in seen:
            errors[f"{prefix}.priority"] = [_("This service already has a target for this priority.")]
        seen.add(key)
        minutes_ok = True
        for name in ("first_response_minutes", "resolution_minutes"):
            value = getattr(target, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MINUTES:
                errors[f"{prefix}.{name}"] = [_("Enter whole minutes between 1 and 500,000.")]
                minutes_ok = False
        if minutes_ok and target.first_response_minutes > target.resolution_minutes:
            errors[f"{prefix}.first_response_minutes"] = [_("The first response cannot be due after the resolution.")]
    provider_contact = _contact(terms.provider_contact, unit=provider, name="provider_contact", errors=errors)
    consumer_contact = _contact(terms.consumer_contact, unit=consumer, name="consumer_contact", errors=errors)
    today = _today(now)
    if not isinstance(terms.starts_on, date):
        errors["starts_on"] = [_("Give the start date, e.g. 2027-01-01.")]
    if not isinstance(terms.review_on, date):
        errors["review_on"] = [_("Give the review date, e.g. 2027-06-30.")]
    elif terms.review_on < today:
        errors["review_on"] = [_("The review date has passed; choose today or a later day.")]
    elif terms.review_on > today.replace(year=today.year + MAX_YEARS_AHEAD):
        errors["review_on"] = [_("Choose a review date within the next five years.")]
    elif isinstance(terms.starts_on, date) and terms.review_on <= terms.starts_on:
        errors["review_on"] = [_("The review date comes after the start date.")]
    remind = terms.remind_days
    if isinstance(remind, bool) or not isinstance(remind, int) or not 0 <= remind <= MAX_REMIND_DAYS:
        errors["remind_days"] = [_("Enter a number of days between 0 and 365.")]
    note = ""
    try:
        note = clean_text(terms.note, field="note", required=False, limit=MAX_TEXT)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    return services, provider_contact, consumer_contact, note


def _version_write(
    agreement: Agreement,
    terms: TermsInput,
    *,
    services: list[Service],
    provider_contact: Employee,
    consumer_contact: Employee,
    note: str,
    reason: str,
    by: Employee,
    now: datetime,
    version: AgreementVersion | None = None,
) -> AgreementVersion:
    """Write a new version of the terms (or rewrite a draft one) with its services and targets."""
    if version is None:
        last = agreement.versions.order_by("-number").values_list("number", flat=True).first() or 0
        version = AgreementVersion(agreement=agreement, number=last + 1, created_by=by, created_at=now)
    version.provider_contact = provider_contact
    version.consumer_contact = consumer_contact
    version.starts_on = terms.starts_on  # type: ignore[assignment]  # checked by _terms_check
    version.review_on = terms.review_on  # type: ignore[assignment]
    version.remind_days = terms.remind_days
    version.note = note
    version.reason = reason
    version.save()
    version.services.set(services)
    version.targets.all().delete()
    AgreementTarget.objects.bulk_create(
        AgreementTarget(
            version=version,
            service_id=target.service,
            priority=target.priority,
            first_response_minutes=target.first_response_minutes,
            resolution_minutes=target.resolution_minutes,
        )
        for target in terms.targets
    )
    return version


def _sign(version: AgreementVersion, sides: Iterable[str], by: Employee, now: datetime) -> list[str]:
    """Record the acceptance of each side not yet recorded; returns the sides newly accepted."""
    signed = []
    for side in sides:
        if getattr(version, f"{side}_accepted_at") is None:
            setattr(version, f"{side}_accepted_by", by)
            setattr(version, f"{side}_accepted_at", now)
            signed.append(side)
    return signed


def _terms_payload(version: AgreementVersion) -> dict[str, Any]:
    return {
        "version": version.number,
        "starts_on": version.starts_on.isoformat(),
        "review_on": version.review_on.isoformat(),
    }


def _locked(agreement: Agreement) -> Agreement:
    """The agreement's state, read again under a row lock so concurrent decisions wait (PostgreSQL;
    SQLite's write lock is already held by the transaction)."""
    state, current_id = (
        Agreement.objects.select_for_update().filter(pk=agreement.pk).values_list("state", "current_id").get()
    )
    agreement.state = state
    agreement.current_id = current_id
    return agreement


def _side_names(agreement: Agreement, sides: Iterable[str]) -> str:
    units = {selectors.PROVIDER: agreement.provider.name, selectors.CONSUMER: agreement.consumer.name}
    return _(" and ").join(units[side] for side in sides)


# --- writing and proposing -------------------------------------------------------------------------


@transaction.atomic
def agreement_create(
    *,
    actor: User | None,
    provider_id: object,
    consumer_id: object,
    title: str,
    terms: TermsInput,
    propose: bool = False,
    now: datetime | None = None,
) -> Agreement:
    """A lead of either unit writes an agreement; ``propose=True`` proposes it to the other side at once."""
    now = now or timezone.now()
    by = _signer(actor)
    errors: dict[str, list[str]] = {}
    units = {unit.pk: unit for unit in Unit.objects.filter(pk__in=[as_id(provider_id), as_id(consumer_id)])}
    provider = units.get(as_id(provider_id))  # type: ignore[arg-type]
    consumer = units.get(as_id(consumer_id))  # type: ignore[arg-type]
    if provider is None:
        errors["provider"] = [_("No unit has this id.")]
    elif not Desk.objects.filter(unit=provider).exists():
        errors["provider"] = [_("%(unit)s has no service desk to agree on.") % {"unit": provider.name}]
    if consumer is None:
        errors["consumer"] = [_("No unit has this id.")]
    elif provider is not None and consumer.pk == provider.pk:
        errors["consumer"] = [_("An agreement is between two different units; choose another consuming unit.")]
    try:
        title = clean_text(title, field="title", required=True, limit=MAX_TITLE)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if provider is None or consumer is None or "consumer" in errors:
        raise ValidationError(errors)
    paths = selectors.led_unit_paths(employee=by)
    sides = [
        side
        for side, unit in ((selectors.PROVIDER, provider), (selectors.CONSUMER, consumer))
        if selectors.signs_for(employee=by, unit=unit, led_paths=paths)
    ]
    if not sides:
        raise Forbidden(
            _("Only the lead of %(provider)s or of %(consumer)s can write an agreement between them.")
            % {"provider": provider.name, "consumer": consumer.name}
        )
    services, provider_contact, consumer_contact, note = _terms_check(
        terms, provider=provider, consumer=consumer, now=now, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    assert provider_contact is not None
    assert consumer_contact is not None
    agreement = Agreement(provider=provider, consumer=consumer, title=title, created_at=now)
    try:
        with transaction.atomic():
            agreement.save()
    except IntegrityError as exc:
        raise Conflict(
            _("%(provider)s and %(consumer)s already have an agreement that is not expired; revise that one.")
            % {"provider": provider.name, "consumer": consumer.name}
        ) from exc
    version = _version_write(
        agreement,
        terms,
        services=services,
        provider_contact=provider_contact,
        consumer_contact=consumer_contact,
        note=note,
        reason="",
        by=by,
        now=now,
    )
    _record(
        agreement, AGREEMENT_CREATED, actor, now, provider=provider.pk, consumer=consumer.pk, **_terms_payload(version)
    )
    if propose:
        _propose(agreement, version, actor=actor, by=by, sides=sides, now=now)
    return agreement


def _propose(
    agreement: Agreement,
    version: AgreementVersion,
    *,
    actor: User | None,
    by: Employee,
    sides: Sequence[str],
    now: datetime,
) -> None:
    version.state = AgreementVersionState.PROPOSED
    version.proposed_by = by
    version.proposed_at = now
    signed = _sign(version, sides, by, now)
    version.save()
    if agreement.current_id is None:
        agreement.state = AgreementState.PROPOSED
        agreement.save(update_fields=["state", "updated_at"])
    _record(
        agreement,
        AGREEMENT_PROPOSED,
        actor,
        now,
        sides=signed,
        revision=agreement.current_id is not None,
        **_terms_payload(version),
    )
    if version.provider_accepted_at is not None and version.consumer_accepted_at is not None:
        _activate(agreement, version, actor=actor, now=now)  # one lead signs for both units


def _sides_required(actor: User | None, agreement: Agreement) -> list[str]:
    sides = sorted(selectors.sides_of(actor=actor, agreement=agreement))
    if not sides:
        raise Forbidden(
            _("Only the leads of %(provider)s and %(consumer)s decide on this agreement.")
            % {"provider": agreement.provider.name, "consumer": agreement.consumer.name}
        )
    return sides


@transaction.atomic
def agreement_propose(*, actor: User | None, agreement: Agreement, now: datetime | None = None) -> AgreementVersion:
    """Send the draft to the other side; the proposer's side accepts it by proposing."""
    now = now or timezone.now()
    by = _signer(actor)
    sides = _sides_required(actor, agreement)
    _locked(agreement)
    version = selectors.pending_of(agreement=agreement)
    if version is None or version.state != AgreementVersionState.DRAFT:
        raise Conflict(
            _("There is no draft to propose; this agreement is %(state)s.")
            % {"state": agreement.get_state_display().lower()}
        )
    if version.review_on < _today(now):
        raise Conflict(_("The draft's review date has passed; revise the draft with a new date first."))
    _propose(agreement, version, actor=actor, by=by, sides=sides, now=now)
    return version


@transaction.atomic
def agreement_revise(
    *,
    actor: User | None,
    agreement: Agreement,
    terms: TermsInput,
    reason: str = "",
    title: str | None = None,
    propose: bool = True,
    now: datetime | None = None,
) -> AgreementVersion:
    """Propose new terms. A draft is rewritten in place (and stays a draft unless ``propose``); a
    pending proposal is replaced by the new one; otherwise a revision is proposed and the accepted
    terms stay in force until both sides accept it. A revision of accepted terms needs a reason."""
    now = now or timezone.now()
    by = _signer(actor)
    sides = _sides_required(actor, agreement)
    _locked(agreement)
    errors: dict[str, list[str]] = {}
    services, provider_contact, consumer_contact, note = _terms_check(
        terms, provider=agreement.provider, consumer=agreement.consumer, now=now, errors=errors
    )
    try:
        reason = clean_text(reason, field="reason", required=agreement.current_id is not None, limit=MAX_TEXT)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if title is not None:
        try:
            agreement.title = clean_text(title, field="title", required=True, limit=MAX_TITLE)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    assert provider_contact is not None
    assert consumer_contact is not None
    pending = selectors.pending_of(agreement=agreement)
    rewrite = pending if pending is not None and pending.state == AgreementVersionState.DRAFT else None
    if pending is not None and rewrite is None:
        pending.state = AgreementVersionState.SUPERSEDED  # a proposal replaced before anyone accepted it
        pending.decided_at = now
        pending.save(update_fields=["state", "decided_at"])
    version = _version_write(
        agreement,
        terms,
        services=services,
        provider_contact=provider_contact,
        consumer_contact=consumer_contact,
        note=note,
        reason=reason,
        by=by,
        now=now,
        version=rewrite,
    )
    if title is not None:
        agreement.save(update_fields=["title", "updated_at"])
    if propose or pending is not None and rewrite is None:
        _propose(agreement, version, actor=actor, by=by, sides=sides, now=now)
    else:
        _record(agreement, AGREEMENT_DRAFT_CHANGED, actor, now, **_terms_payload(version))
    return version


# --- deciding --------------------------------------------------------------------------------------


@transaction.atomic
def agreement_accept(*, actor: User | None, agreement: Agreement, now: datetime | None = None) -> AgreementVersion:
    """A lead accepts the proposed terms for their side; when both sides have, they are in force."""
    now = now or timezone.now()
    by = _signer(actor)
    sides = _sides_required(actor, agreement)
    _locked(agreement)
    version = selectors.pending_of(agreement=agreement)
    if version is None or version.state != AgreementVersionState.PROPOSED:
        raise Conflict(
            _("There is nothing to accept: no proposal is waiting on this agreement (it is %(state)s).")
            % {"state": agreement.get_state_display().lower()}
        )
    if version.review_on < _today(now):
        raise Conflict(_("The proposal's review date has passed; propose a revision with a new date."))
    signed = _sign(version, sides, by, now)
    if not signed:
        waiting = [
            side for side in (selectors.PROVIDER, selectors.CONSUMER) if getattr(version, f"{side}_accepted_at") is None
        ]
        raise Conflict(
            _("Your side has already accepted; the agreement waits for %(unit)s.")
            % {"unit": _side_names(agreement, waiting)}
        )
    version.save()
    _record(agreement, AGREEMENT_ACCEPTED, actor, now, sides=signed, **_terms_payload(version))
    if version.provider_accepted_at is not None and version.consumer_accepted_at is not None:
        _activate(agreement, version, actor=actor, now=now)
    return version


def _activate(agreement: Agreement, version: AgreementVersion, *, actor: User | None, now: datetime) -> None:
    previous_id = agreement.current_id
    if previous_id is not None:
        AgreementVersion.objects.filter(pk=previous_id).update(state=AgreementVersionState.SUPERSEDED)
    version.state = AgreementVersionState.ACCEPTED
    version.decided_at = now
    version.save(update_fields=["state", "decided_at"])
    agreement.current = version
    agreement.state = AgreementState.ACTIVE
    agreement.activated_at = agreement.activated_at or now
    agreement.expired_at = None
    if agreement.reminded_for != version.review_on:
        agreement.reminded_for = None
    agreement.save(update_fields=["current", "state", "activated_at", "expired_at", "reminded_for", "updated_at"])
    _record(agreement, AGREEMENT_ACTIVATED, actor, now, revision=previous_id is not None, **_terms_payload(version))
    if previous_id is not None:
        _recompute_later(agreement_id=agreement.pk)


def _recompute_later(**scope: Any) -> None:
    # Local import: the tasks import the services, which import this module.
    from insideout.servicedesk.tasks import clocks_recompute_task

    transaction.on_commit(lambda: clocks_recompute_task(**scope))


@transaction.atomic
def agreement_decline(
    *, actor: User | None, agreement: Agreement, reason: str = "", now: datetime | None = None
) -> AgreementVersion:
    """Decline the proposal waiting on the agreement (or, from the proposing side, withdraw it).

    A first proposal goes back to being a draft; a declined revision leaves the accepted terms in force.
    """
    now = now or timezone.now()
    _signer(actor)
    sides = _sides_required(actor, agreement)
    _locked(agreement)
    reason = clean_text(reason, field="reason", required=False, limit=MAX_TEXT)
    version = selectors.pending_of(agreement=agreement)
    if version is None or version.state != AgreementVersionState.PROPOSED:
        raise Conflict(_("There is no proposal to decline on this agreement."))
    if agreement.current_id is None:
        version.state = AgreementVersionState.DRAFT
        version.provider_accepted_at = version.consumer_accepted_at = None
        version.provider_accepted_by = version.consumer_accepted_by = None
        version.proposed_at = None
        version.save()
        agreement.state = AgreementState.DRAFT
        agreement.save(update_fields=["state", "updated_at"])
    else:
        version.state = AgreementVersionState.DECLINED
        version.decided_at = now
        version.save(update_fields=["state", "decided_at"])
    _record(agreement, AGREEMENT_DECLINED, actor, now, sides=sides, reason=reason, version=version.number)
    return version


# --- the sweep ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementSweep:
    reminded: int
    expired: int


def agreements_sweep(*, now: datetime | None = None, batch: int = 200) -> AgreementSweep:
    """Remind both sides before each active agreement's review date (once per date, with the
    adherence report) and expire those past it. Reads only active agreements (an index probe)."""
    now = now or timezone.now()
    today = _today(now)
    reminded = expired = 0
    for agreement_id in (
        Agreement.objects.filter(state=AgreementState.ACTIVE, current__review_on__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    ):
        expired += _expire(agreement_id, now)
    candidates = (
        Agreement.objects.filter(state=AgreementState.ACTIVE)
        .select_related("current")
        .exclude(reminded_for=F("current__review_on"))
        .order_by("pk")[:batch]
    )
    for agreement in candidates:
        version = agreement.current
        assert version is not None
        if version.review_on - timedelta(days=version.remind_days) <= today:
            reminded += _remind(agreement.pk, now)
    return AgreementSweep(reminded=reminded, expired=expired)


@transaction.atomic
def _expire(agreement_id: int, now: datetime) -> int:
    agreement = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("current", "provider", "consumer")
        .get(pk=agreement_id)
    )
    if (
        agreement.state != AgreementState.ACTIVE
        or agreement.current is None
        or agreement.current.review_on >= _today(now)
    ):
        return 0
    agreement.state = AgreementState.EXPIRED
    agreement.expired_at = now
    agreement.save(update_fields=["state", "expired_at", "updated_at"])
    _record(agreement, AGREEMENT_EXPIRED, None, now, **_terms_payload(agreement.current))
    return 1


@transaction.atomic
def _remind(agreement_id: int, now: datetime) -> int:
    agreement = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("current", "provider", "consumer")
        .get(pk=agreement_id)
    )
    version = agreement.current
    if agreement.state != AgreementState.ACTIVE or version is None or agreement.reminded_for == version.review_on:
        return 0
    start = agreement.activated_at or agreement.created_at
    report = selectors.adherence_of(agreement=agreement, start=start, end=now)
    agreement.reminded_for = version.review_on
    agreement.save(update_fields=["reminded_for", "updated_at"])
    _record(agreement, AGREEMENT_REVIEW_DUE, None, now, report=adherence_payload(report), **_terms_payload(version))
    return 1


def adherence_payload(report: selectors.Adherence) -> dict[str, Any]:
    """The adherence report as plain data: the API's answer and the reminder's attachment."""
    return {
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "requests": report.requests,
        "open_requests": report.open_requests,
        "metrics": [
            {
                "metric": metric.metric,
                "met": metric.met,
                "breached": metric.breached,
                "running": metric.running,
                "met_rate": metric.rate,
            }
            for metric in report.metrics
        ],
        "commitments": {
            "kept": report.commitments.kept,
            "broken": report.commitments.broken,
            "kept_rate": report.commitments.rate,
        },
        "satisfaction": {
            "ratings": report.satisfaction.total,
            "average": report.satisfaction.average,
            "counts": {str(rating): n for rating, n in report.satisfaction.counts.items()},
        },
        "thanks": report.thanks,
    }
