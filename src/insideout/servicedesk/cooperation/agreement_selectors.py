"""Reads of internal service agreements: who sees and signs them, which agreement and standard a
request runs under, and adherence.

An agreement is seen by the members of both units and of the units below them, by the leads of
either unit or of a unit above it (they sign for their side), and by superusers. Everyone else gets
NotFound, as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from insideout.core.errors import NotFound
from insideout.core.text import MAX_ID
from insideout.people.models import Employee, Unit, User
from insideout.servicedesk import selectors as desk_selectors
from insideout.servicedesk.cooperation.models import (
    Agreement,
    AgreementState,
    AgreementTarget,
    AgreementVersion,
    AgreementVersionState,
    Commitment,
    CommitmentState,
    Feedback,
    ThankYou,
)
from insideout.servicedesk.cooperation.selectors import RATINGS, KeptRate, Satisfaction
from insideout.servicedesk.models import OPEN_STATUSES, Metric, Request, RequestClock, Service, ServiceStandard, Status

PROVIDER = "provider"
CONSUMER = "consumer"


def _ancestor_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


# --- who ----------------------------------------------------------------------------------------


def led_unit_paths(*, employee: Employee | None) -> list[str]:
    """The paths of the units this person leads; they sign for those units and every unit below.
    Read once per person object (the caller's comes from ``access_for``, cached for the request)."""
    if employee is None:
        return []
    cached: list[str] | None = getattr(employee, "_led_unit_paths", None)
    if cached is None:
        cached = list(Unit.objects.filter(lead=employee).values_list("path", flat=True))
        employee._led_unit_paths = cached  # type: ignore[attr-defined]
    return cached


def signs_for(*, employee: Employee | None, unit: Unit, led_paths: list[str] | None = None) -> bool:
    """Whether this person leads the unit or a unit above it."""
    paths = led_unit_paths(employee=employee) if led_paths is None else led_paths
    return any(unit.path.startswith(path) for path in paths)


def sides_of(*, actor: User | None, agreement: Agreement) -> set[str]:
    """For which sides of the agreement the caller signs: ``provider``, ``consumer``, both or none."""
    employee = desk_selectors.access_for(actor).employee
    paths = led_unit_paths(employee=employee)
    sides = set()
    if signs_for(employee=employee, unit=agreement.provider, led_paths=paths):
        sides.add(PROVIDER)
    if signs_for(employee=employee, unit=agreement.consumer, led_paths=paths):
        sides.add(CONSUMER)
    return sides


def _visible(actor: User | None) -> Q | None:
    """The agreements the caller may see, as a filter; None means all of them."""
    if actor is not None and actor.is_authenticated and actor.is_superuser:
        return None
    access = desk_selectors.access_for(actor)
    if access.employee is None:
        return Q(pk__in=[])
    ancestors = _ancestor_ids(access.unit_path)
    query = Q(provider_id__in=ancestors) | Q(consumer_id__in=ancestors)
    for path in led_unit_paths(employee=access.employee):
        query |= Q(provider__path__startswith=path) | Q(consumer__path__startswith=path)
    return query


def _agreement_base() -> QuerySet[Agreement]:
    return Agreement.objects.select_related(
        "provider__desk",
        "consumer",
        "current__provider_contact__user",
        "current__consumer_contact__user",
    )


def agreement_list_for(*, actor: User | None, state: str = "", unit_id: int | None = None) -> QuerySet[Agreement]:
    """The agreements the caller may see, live ones first, then by title."""
    agreements = _agreement_base()
    visible = _visible(actor)
    if visible is not None:
        agreements = agreements.filter(visible)
    if state:
        agreements = agreements.filter(state=state)
    if unit_id is not None:
        agreements = agreements.filter(Q(provider_id=unit_id) | Q(consumer_id=unit_id))
    return agreements.order_by("state", "title", "pk")


def agreement_get_for(*, actor: User | None, agreement_id: int) -> Agreement:
    if not 0 < agreement_id <= MAX_ID:
        raise NotFound(_("No agreement with this id."))
    visible = _visible(actor)
    agreements = _agreement_base().filter(pk=agreement_id)
    if visible is not None:
        agreements = agreements.filter(visible)
    agreement = agreements.first()
    if agreement is None:
        raise NotFound(_("No agreement with this id."))
    return agreement


def versions_of(*, agreement: Agreement) -> list[AgreementVersion]:
    """Every version of the terms, newest first, with their services and targets (three queries)."""
    return list(
        agreement.versions.select_related(
            "provider_contact__user",
            "consumer_contact__user",
            "proposed_by__user",
            "provider_accepted_by__user",
            "consumer_accepted_by__user",
        )
        .prefetch_related("services", "targets")
        .order_by("-number")
    )


SIDES = (PROVIDER, CONSUMER)
PENDING_STATES = (AgreementVersionState.DRAFT, AgreementVersionState.PROPOSED)


@dataclass(frozen=True)
class Standing:
    """An agreement as one caller sees it: every version (newest first), the terms in force, the
    version waiting to be proposed or accepted, the sides the caller signs for, and which of those
    still have to accept the waiting proposal."""

    versions: list[AgreementVersion]
    current: AgreementVersion | None
    pending: AgreementVersion | None
    sides: frozenset[str]
    to_accept: tuple[str, ...]  # the caller's sides that have not accepted the proposal yet

    @property
    def proposed(self) -> bool:
        return self.pending is not None and self.pending.state == AgreementVersionState.PROPOSED

    @property
    def waiting_sides(self) -> tuple[str, ...]:
        """All sides the proposal waits for, the provider first."""
        if not self.proposed or self.pending is None:
            return ()
        return tuple(side for side in SIDES if getattr(self.pending, f"{side}_accepted_at") is None)


def standing_of(*, actor: User | None, agreement: Agreement) -> Standing:
    """The agreement's versions and the caller's part in it (three queries, plus one for the units
    the caller leads when not read yet in this request)."""
    versions = versions_of(agreement=agreement)
    current = next((version for version in versions if version.pk == agreement.current_id), None)
    pending = next((version for version in versions if version.state in PENDING_STATES), None)
    sides = frozenset(sides_of(actor=actor, agreement=agreement))
    to_accept: tuple[str, ...] = ()
    if pending is not None and pending.state == AgreementVersionState.PROPOSED:
        to_accept = tuple(side for side in SIDES if side in sides and getattr(pending, f"{side}_accepted_at") is None)
    return Standing(versions=versions, current=current, pending=pending, sides=sides, to_accept=to_accept)


def pending_of(*, agreement: Agreement) -> AgreementVersion | None:
    """The version waiting to be proposed or accepted, if any."""
    return (
        agreement.versions.filter(state__in=[AgreementVersionState.DRAFT, AgreementVersionState.PROPOSED])
        .select_related("provider_contact__user", "consumer_contact__user", "proposed_by__user")
        .prefetch_related("services", "targets")
        .first()
    )


# --- which agreement and standard a request runs under ------------------------------------------


def agreement_for_new_request(*, provider_unit_id: int, for_unit: Unit | None, service_id: int, on: date) -> int | None:
    """The agreement a new request from ``for_unit`` to the provider's service runs under on that
    day: an active one with the unit or a unit above it that covers the service and has started and
    not passed its review date. The nearest unit's wins. One query."""
    if for_unit is None:
        return None
    ancestors = _ancestor_ids(for_unit.path) or [for_unit.pk]
    return (
        Agreement.objects.filter(
            provider_id=provider_unit_id,
            consumer_id__in=ancestors,
            state=AgreementState.ACTIVE,
            current__services=service_id,
            current__starts_on__lte=on,
            current__review_on__gte=on,
        )
        .order_by("-consumer__depth")
        .values_list("pk", flat=True)
        .first()
    )


def standard_for(*, request: Request) -> ServiceStandard | None:
    """The standard a request runs under: its agreement's for the service and priority when there is
    one, else the current public standard (None when neither exists).

    An agreed standard is the public one with the agreed targets; it is written the first time a
    request needs it, and again after the public standard or the agreement changes.
    """
    public = ServiceStandard.objects.filter(
        request_type_id=request.request_type_id, priority=request.priority, is_current=True
    ).first()
    if request.agreement_id is None:
        return public
    target = AgreementTarget.objects.filter(
        version_id=Subquery(Agreement.objects.filter(pk=request.agreement_id).values("current_id")[:1]),
        service__request_types=request.request_type_id,
        priority=request.priority,
    ).first()
    if target is None:
        return public
    agreed = ServiceStandard.objects.filter(
        agreement_target=target, request_type_id=request.request_type_id, based_on=public
    ).first()
    if agreed is not None:
        return agreed
    agreed = agreed_standard(target=target, request_type_id=request.request_type_id, public=public)
    try:
        with transaction.atomic():
            agreed.save()
    except IntegrityError:  # written by a concurrent request a moment ago
        return ServiceStandard.objects.get(
            agreement_target=target, request_type_id=request.request_type_id, based_on=public
        )
    return agreed


def agreed_standard(
    *, target: AgreementTarget, request_type_id: int, public: ServiceStandard | None
) -> ServiceStandard:
    """An unsaved agreed standard: the agreement's targets, every other rule from the public
    standard it is based on (or the defaults when the request type has none)."""
    agreed = ServiceStandard(
        request_type_id=request_type_id,
        priority=target.priority,
        version=public.version if public is not None else 0,
        is_current=False,
        first_response_minutes=target.first_response_minutes,
        resolution_minutes=target.resolution_minutes,
        agreement_target=target,
        based_on=public,
    )
    if public is not None:
        agreed.business_hours = public.business_hours
        agreed.at_risk_percent = public.at_risk_percent
        agreed.pausing_statuses = public.pausing_statuses
        agreed.obstacles_pause_resolution = public.obstacles_pause_resolution
    else:
        agreed.pausing_statuses = [Status.WAITING_ON_REQUESTER.value]
    return agreed


def public_targets(*, services: list[Service]) -> dict[tuple[int, str], tuple[int, int]]:
    """The tightest current public targets per service and priority over its request types, for
    comparing an agreement's targets with what everyone else gets: (first response, resolution)."""
    result: dict[tuple[int, str], tuple[int, int]] = {}
    rows = ServiceStandard.objects.filter(
        request_type__service__in=services, is_current=True, request_type__is_active=True
    ).values_list("request_type__service_id", "priority", "first_response_minutes", "resolution_minutes")
    for service_id, priority, first, resolution in rows:
        key = (service_id, priority)
        if key in result:
            first = min(first, result[key][0])
            resolution = min(resolution, result[key][1])
        result[key] = (first, resolution)
    return result


# --- adherence ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricAdherence:
    """One metric over an agreement's requests: finished in time, late, and still counting."""

    metric: str
    met: int
    breached: int
    running: int

    @property
    def finished(self) -> int:
        return self.met + self.breached

    @property
    def rate(self) -> float | None:
        """Share met of the clocks that have an outcome: met / (met + breached)."""
        return self.met / self.finished if self.finished else None


@dataclass(frozen=True)
class Adherence:
    """How an agreement was kept over [start, end): requests made under it in the period, each
    metric's outcome, the commitments on those requests, and their ratings."""

    start: datetime
    end: datetime
    requests: int
    open_requests: int
    metrics: tuple[MetricAdherence, ...]
    commitments: KeptRate
    satisfaction: Satisfaction
    thanks: int


def adherence_of(*, agreement: Agreement, start: datetime, end: datetime) -> Adherence:
    """Adherence to the agreement for its requests created in [start, end); five queries.

    A clock is met when it stopped in time, breached when its deadline passed (whether or not it has
    stopped since), and running otherwise. Commitments count once settled; ratings whenever given.
    """
    requests = Request.objects.filter(agreement=agreement, created_at__gte=start, created_at__lt=end)
    counts = requests.aggregate(total=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_STATUSES)))
    clocks = (
        RequestClock.objects.filter(request__in=requests.values("pk"))
        .values("metric")
        .annotate(
            met=Count("pk", filter=Q(met_at__isnull=False, breached_at__isnull=True)),
            breached=Count("pk", filter=Q(breached_at__isnull=False)),
            running=Count("pk", filter=Q(met_at__isnull=True, breached_at__isnull=True)),
        )
    )
    by_metric: dict[str, tuple[int, int, int]] = {
        row["metric"]: (int(row["met"]), int(row["breached"]), int(row["running"])) for row in clocks
    }
    metrics = tuple(MetricAdherence(metric, *by_metric.get(metric, (0, 0, 0))) for metric in Metric.values)
    promised = Commitment.objects.filter(request__in=requests.values("pk")).aggregate(
        kept=Count("pk", filter=Q(state=CommitmentState.KEPT)),
        broken=Count("pk", filter=Q(state=CommitmentState.BROKEN)),
    )
    ratings = dict.fromkeys(RATINGS, 0)
    for row in (
        Feedback.objects.filter(request__in=requests.values("pk"))
        .values("rating")
        .annotate(n=Count("pk"))
        .order_by("rating")
    ):
        ratings[row["rating"]] = row["n"]
    thanks = ThankYou.objects.filter(request__in=requests.values("pk")).count()
    return Adherence(
        start=start,
        end=end,
        requests=int(counts["total"] or 0),
        open_requests=int(counts["open"] or 0),
        metrics=metrics,
        commitments=KeptRate(kept=int(promised["kept"] or 0), broken=int(promised["broken"] or 0)),
        satisfaction=Satisfaction(counts=ratings),
        thanks=thanks,
    )
