"""What the agreement pages show, built from rows already read (no query, but in the last one).

- :func:`terms_view`: a version of the terms as a table, each service's P1–P4 agreed targets beside
  the public ones, and for a pending proposal what differs from the terms in force;
- :func:`version_steps`: the timeline of the versions, who proposed and who accepted when;
- :func:`adherence_view`: the adherence report as the page and the lead's desk view show it, with
  its one-line summary;
- :func:`unit_agreements`: a unit's agreements with that line each, for the lead's desk view.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insideout.people.models import Employee, Unit, User
from insideout.servicedesk.cooperation import agreement_selectors as selectors
from insideout.servicedesk.cooperation.agreement_selectors import CONSUMER, PROVIDER, Adherence
from insideout.servicedesk.cooperation.models import Agreement, AgreementVersion, AgreementVersionState
from insideout.servicedesk.cooperation.selectors import Satisfaction
from insideout.servicedesk.models import Metric, Priority, Service
from insideout.servicedesk.views.manage import duration_text

ONE_GO = timedelta(minutes=1)

# The terms a revision may change, as the page names them.
TERM_NAMES = ("provider_contact", "consumer_contact", "starts_on", "review_on", "remind_days", "note")


def percent(rate: float | None) -> int | None:
    """A share as a whole percentage (None stays None: nothing to divide)."""
    return None if rate is None else round(rate * 100)


# --- terms ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetRow:
    priority: str
    label: str
    agreed_first: str  # empty: this priority keeps the public standard
    agreed_resolution: str
    public_first: str  # empty: the service has no public standard for this priority
    public_resolution: str
    changed: bool  # differs from the terms in force

    @property
    def pairs(self) -> list[tuple[str, str, str]]:
        """(column, agreed, public) for first response and resolution."""
        return [
            (_("First response within"), self.agreed_first, self.public_first),
            (_("Resolution within"), self.agreed_resolution, self.public_resolution),
        ]


@dataclass(frozen=True)
class ServiceTerms:
    service: Service
    rows: list[TargetRow]
    new: bool  # not covered by the terms in force


@dataclass(frozen=True)
class TermsView:
    version: AgreementVersion
    services: list[ServiceTerms]
    dropped: list[Service]  # covered by the terms in force, not by these
    changed: frozenset[str] = field(default_factory=frozenset)  # names of TERM_NAMES that differ

    @property
    def has_changes(self) -> bool:
        return bool(self.changed or self.dropped or any(s.new or any(r.changed for r in s.rows) for s in self.services))


def _targets(version: AgreementVersion) -> dict[tuple[int, str], tuple[int, int]]:
    return {
        (target.service_id, target.priority): (target.first_response_minutes, target.resolution_minutes)
        for target in version.targets.all()
    }


def _words(minutes: tuple[int, int] | None) -> tuple[str, str]:
    return (duration_text(minutes[0]), duration_text(minutes[1])) if minutes else ("", "")


def terms_view(
    version: AgreementVersion,
    *,
    public: Mapping[tuple[int, str], tuple[int, int]],
    against: AgreementVersion | None = None,
) -> TermsView:
    """A version's terms by service (by name) and priority; ``against`` the terms in force marks
    what a pending proposal changes. Reads the version's prefetched services and targets."""
    agreed = _targets(version)
    before = _targets(against) if against is not None else None
    before_services = {service.pk for service in against.services.all()} if against is not None else set()
    services = sorted(version.services.all(), key=lambda service: (service.name, service.pk))
    rows = []
    for service in services:
        new = against is not None and service.pk not in before_services
        targets = []
        for priority in Priority.values:
            key = (service.pk, priority)
            first, resolution = _words(agreed.get(key))
            public_first, public_resolution = _words(public.get(key))
            changed = before is not None and not new and agreed.get(key) != before.get(key)
            targets.append(
                TargetRow(
                    priority=priority,
                    label=str(Priority(priority).label),
                    agreed_first=first,
                    agreed_resolution=resolution,
                    public_first=public_first,
                    public_resolution=public_resolution,
                    changed=changed,
                )
            )
        rows.append(ServiceTerms(service=service, rows=targets, new=new))
    if against is None:
        return TermsView(version=version, services=rows, dropped=[])
    covered = {service.pk for service in services}
    dropped = sorted(
        (service for service in against.services.all() if service.pk not in covered),
        key=lambda service: (service.name, service.pk),
    )
    differs = frozenset(
        name
        for name in TERM_NAMES
        if getattr(version, f"{name}_id" if name.endswith("contact") else name)
        != getattr(against, f"{name}_id" if name.endswith("contact") else name)
    )
    return TermsView(version=version, services=rows, dropped=dropped, changed=differs)


def public_services(versions: Sequence[AgreementVersion | None]) -> list[Service]:
    """The services of the given versions, once each: whose public targets the page shows."""
    seen: dict[int, Service] = {}
    for version in versions:
        if version is not None:
            for service in version.services.all():
                seen.setdefault(service.pk, service)
    return list(seen.values())


# --- who decides, and the timeline ----------------------------------------------------------------


def side_units(agreement: Agreement) -> dict[str, Unit]:
    return {PROVIDER: agreement.provider, CONSUMER: agreement.consumer}


def waiting_sides(version: AgreementVersion) -> list[str]:
    """The sides that have not accepted the version yet, provider first."""
    return [side for side in (PROVIDER, CONSUMER) if getattr(version, f"{side}_accepted_at") is None]


def unit_names(agreement: Agreement, sides: Sequence[str]) -> str:
    units = side_units(agreement)
    return _(" and ").join(units[side].name for side in sides)


@dataclass(frozen=True)
class Step:
    at: datetime
    words: str
    person: Employee | None = None


@dataclass(frozen=True)
class VersionSteps:
    version: AgreementVersion
    state_label: str
    steps: list[Step]
    in_force: bool


def version_steps(agreement: Agreement, versions: Sequence[AgreementVersion]) -> list[VersionSteps]:
    """Each version (newest first) with what happened to it, in order."""
    units = side_units(agreement)
    result = []
    for version in versions:
        # Written and proposed in one go: the proposal says it all.
        proposed_at_once = version.proposed_at is not None and version.proposed_at - version.created_at < ONE_GO
        steps = [] if proposed_at_once else [Step(version.created_at, _("written"))]
        if version.proposed_at is not None:
            steps.append(Step(version.proposed_at, _("proposed by"), version.proposed_by))
        for side in (PROVIDER, CONSUMER):
            accepted_at = getattr(version, f"{side}_accepted_at")
            if accepted_at is not None:
                words = _("accepted for %(unit)s by") % {"unit": units[side].name}
                steps.append(Step(accepted_at, words, getattr(version, f"{side}_accepted_by")))
        if version.decided_at is not None:
            both = version.provider_accepted_at is not None and version.consumer_accepted_at is not None
            if version.state == AgreementVersionState.DECLINED:
                steps.append(Step(version.decided_at, _("declined")))
            elif both:
                steps.append(Step(version.decided_at, _("in force: both sides accepted")))
            else:
                steps.append(Step(version.decided_at, _("replaced by a newer proposal")))
        steps.sort(key=lambda step: step.at)
        result.append(
            VersionSteps(
                version=version,
                state_label=str(version.get_state_display()),
                steps=steps,
                in_force=version.pk == agreement.current_id,
            )
        )
    return result


# --- adherence ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricRow:
    metric: str
    label: str
    met: int
    breached: int
    running: int
    percent: int | None


@dataclass(frozen=True)
class AdherenceView:
    report: Adherence
    metrics: list[MetricRow]
    kept_percent: int | None
    ratings: list[tuple[int, int, int]]  # (rating, count, share in %), 5 first
    words: str


def rating_rows(satisfaction: Satisfaction) -> list[tuple[int, int, int]]:
    """The ratings as (rating, count, share in %), the best first."""
    total = satisfaction.total
    return [
        (rating, count, round(100 * count / total) if total else 0)
        for rating, count in sorted(satisfaction.counts.items(), reverse=True)
    ]


METRIC_MET: dict[str, Callable[[], str]] = {
    Metric.FIRST_RESPONSE: lambda: _("first response met %(percent)d %%"),
    Metric.RESOLUTION: lambda: _("resolution met %(percent)d %%"),
}


def adherence_words(report: Adherence) -> str:
    """One line: "12 requests; first response met 92 %, resolution met 90 %; 4.3 of 5 from 7 ratings"."""
    if not report.requests:
        return _("No request ran under it in this period.")
    parts = [ngettext("%(n)d request", "%(n)d requests", report.requests) % {"n": report.requests}]
    met = [
        METRIC_MET[metric.metric]() % {"percent": percent(metric.rate)}
        for metric in report.metrics
        if metric.rate is not None and metric.metric in METRIC_MET
    ]
    if met:
        parts.append(", ".join(met))
    kept = percent(report.commitments.rate)
    if kept is not None:
        parts.append(_("%(percent)d %% of promises kept") % {"percent": kept})
    satisfaction = report.satisfaction
    if satisfaction.average is not None:
        parts.append(
            ngettext(
                "%(average)s of 5 from %(n)d rating",
                "%(average)s of 5 from %(n)d ratings",
                satisfaction.total,
            )
            % {"average": number_format(round(satisfaction.average, 1), 1), "n": satisfaction.total}
        )
    return "; ".join(parts)


def adherence_view(report: Adherence) -> AdherenceView:
    return AdherenceView(
        report=report,
        metrics=[
            MetricRow(
                metric=metric.metric,
                label=str(Metric(metric.metric).label),
                met=metric.met,
                breached=metric.breached,
                running=metric.running,
                percent=percent(metric.rate),
            )
            for metric in report.metrics
        ],
        kept_percent=percent(report.commitments.rate),
        ratings=rating_rows(report.satisfaction),
        words=adherence_words(report),
    )


# --- a lead's desk view ---------------------------------------------------------------------------


def unit_agreements(*, actor: User, unit: Unit, start: datetime, end: datetime, limit: int = 10) -> list[Any]:
    """A unit's agreements (as provider or consumer) for a lead's desk view, with each one's
    adherence over [start, end) in a line; at most ``limit`` (five queries each)."""
    rows = []
    for agreement in selectors.agreement_list_for(actor=actor, unit_id=unit.pk)[:limit]:
        report = (
            adherence_view(selectors.adherence_of(agreement=agreement, start=start, end=end))
            if agreement.activated_at is not None
            else None
        )
        other = agreement.consumer if agreement.provider_id == unit.pk else agreement.provider
        rows.append({"agreement": agreement, "other": other, "adherence": report})
    return rows
