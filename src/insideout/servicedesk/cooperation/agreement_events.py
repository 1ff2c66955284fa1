"""Who hears about internal service agreements: a proposal reaches the other side's lead and
contact, an acceptance the other side, terms in force and expiry both sides, and the review
reminder both sides with the adherence report in the message.

Handlers run after the commit, at least once; the notifications context keeps a person from
hearing about the same event twice, nobody is told about their own action, and leavers hear nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from insideout.core.events import handles
from insideout.core.models import Event
from insideout.people.models import Employee
from insideout.servicedesk.cooperation.agreement_selectors import CONSUMER, PROVIDER
from insideout.servicedesk.cooperation.agreements import (
    AGREEMENT_ACCEPTED,
    AGREEMENT_ACTIVATED,
    AGREEMENT_DECLINED,
    AGREEMENT_EXPIRED,
    AGREEMENT_PROPOSED,
    AGREEMENT_REVIEW_DUE,
)
from insideout.servicedesk.cooperation.events import _tell
from insideout.servicedesk.cooperation.models import Agreement, AgreementVersion
from insideout.servicedesk.cooperation.selectors import lead_of


def _agreement_of(event: Event) -> Agreement | None:
    if event.subject_type != "servicedesk.agreement":
        return None
    return Agreement.objects.select_related("provider", "consumer").filter(pk=int(event.subject_id)).first()


def _version_of(agreement: Agreement, event: Event) -> AgreementVersion | None:
    number = event.payload.get("version")
    if not isinstance(number, int):
        return None
    return (
        agreement.versions.select_related("provider_contact__user", "consumer_contact__user", "proposed_by__user")
        .filter(number=number)
        .first()
    )


def _side(agreement: Agreement, version: AgreementVersion | None, side: str) -> list[Employee | None]:
    """The lead (the nearest one above when the unit has none) and the named contact of one side."""
    unit = agreement.provider if side == PROVIDER else agreement.consumer
    contact = None
    if version is not None:
        contact = version.provider_contact if side == PROVIDER else version.consumer_contact
    return [lead_of(unit=unit), contact]


def _others(agreement: Agreement, version: AgreementVersion | None, sides: object) -> list[Employee | None]:
    """Both sides but those that acted (``sides`` from the event)."""
    acted = set(sides) if isinstance(sides, list) else set()
    people: list[Employee | None] = []
    for side in (PROVIDER, CONSUMER):
        if side not in acted:
            people.extend(_side(agreement, version, side))
    return people


def _both(agreement: Agreement, version: AgreementVersion | None) -> list[Employee | None]:
    return [*_side(agreement, version, PROVIDER), *_side(agreement, version, CONSUMER)]


def _values(agreement: Agreement, event: Event) -> dict[str, Any]:
    return {
        "title": agreement.title,
        "provider": agreement.provider.name,
        "consumer": agreement.consumer.name,
        "review": _LazyDate(event.payload.get("review_on")),
        "starts": _LazyDate(event.payload.get("starts_on")),
        "reason": event.payload.get("reason", "") or _("none given"),
    }


_MESSAGES: dict[str, tuple[str, str]] = {
    AGREEMENT_PROPOSED: (
        gettext_noop("Agreement proposed: %(title)s"),
        gettext_noop(
            "%(provider)s and %(consumer)s: new terms for “%(title)s” wait for your side's acceptance "
            "(from %(starts)s, review on %(review)s)."
        ),
    ),
    AGREEMENT_ACCEPTED: (
        gettext_noop("Agreement accepted by the other side: %(title)s"),
        gettext_noop("The terms of “%(title)s” are accepted by the other side; they wait for yours."),
    ),
    AGREEMENT_ACTIVATED: (
        gettext_noop("Agreement in force: %(title)s"),
        gettext_noop(
            "Both %(provider)s and %(consumer)s accepted “%(title)s”. Requests from %(consumer)s run under "
            "its targets from %(starts)s until the review on %(review)s."
        ),
    ),
    AGREEMENT_DECLINED: (
        gettext_noop("Agreement proposal declined: %(title)s"),
        gettext_noop("The proposed terms of “%(title)s” were declined or withdrawn. The reason: %(reason)s"),
    ),
    AGREEMENT_EXPIRED: (
        gettext_noop("Agreement expired: %(title)s"),
        gettext_noop(
            "“%(title)s” passed its review date %(review)s without new terms. New requests from %(consumer)s "
            "run under the public standards until a revision is accepted."
        ),
    ),
}


@handles(AGREEMENT_PROPOSED, AGREEMENT_ACCEPTED, AGREEMENT_ACTIVATED, AGREEMENT_DECLINED, AGREEMENT_EXPIRED)
def tell_about_agreement(event: Event) -> None:
    agreement = _agreement_of(event)
    if agreement is None:
        return
    version = _version_of(agreement, event)
    if event.type in (AGREEMENT_PROPOSED, AGREEMENT_ACCEPTED):
        audience = _others(agreement, version, event.payload.get("sides"))
    elif event.type == AGREEMENT_DECLINED and version is not None and version.proposed_by is not None:
        audience = [version.proposed_by, *_both(agreement, version)]
    else:
        audience = _both(agreement, version)
    title, body = _MESSAGES[event.type]
    _tell(
        event,
        audience,
        event.type,
        title,
        body,
        _values(agreement, event),
        url=reverse("servicedesk:agreement", args=[agreement.pk]),
    )


def _percent(value: object) -> str:
    return f"{value * 100:.0f} %" if isinstance(value, int | float) else "–"


def report_words(report: dict[str, Any]) -> str:
    """The adherence report in a few lines of text, in the current language (for the reminder)."""
    lines = [
        _("Requests under the agreement: %(n)s (%(open)s open).")
        % {"n": report.get("requests", 0), "open": report.get("open_requests", 0)}
    ]
    names = {"first_response": _("First response"), "resolution": _("Resolution")}
    for metric in report.get("metrics", []):
        lines.append(
            _("%(metric)s: %(met)s met, %(breached)s breached, %(running)s running (%(rate)s met).")
            % {
                "metric": names.get(metric.get("metric"), metric.get("metric")),
                "met": metric.get("met", 0),
                "breached": metric.get("breached", 0),
                "running": metric.get("running", 0),
                "rate": _percent(metric.get("met_rate")),
            }
        )
    promised = report.get("commitments", {})
    lines.append(
        _("Commitments: %(kept)s kept, %(broken)s broken (%(rate)s kept).")
        % {
            "kept": promised.get("kept", 0),
            "broken": promised.get("broken", 0),
            "rate": _percent(promised.get("kept_rate")),
        }
    )
    satisfaction = report.get("satisfaction", {})
    average = satisfaction.get("average")
    lines.append(
        _("Satisfaction: %(n)s ratings, average %(average)s of 5; %(thanks)s thank-you notes.")
        % {
            "n": satisfaction.get("ratings", 0),
            "average": f"{average:.1f}" if isinstance(average, int | float) else "–",
            "thanks": report.get("thanks", 0),
        }
    )
    return "\n".join(lines)


@handles(AGREEMENT_REVIEW_DUE)
def remind_of_review(event: Event) -> None:
    """Both sides hear that the review date is near, with the adherence report since the start."""
    agreement = _agreement_of(event)
    if agreement is None or agreement.current_id is None:
        return
    version = AgreementVersion.objects.select_related("provider_contact__user", "consumer_contact__user").get(
        pk=agreement.current_id
    )
    report = event.payload.get("report") or {}
    # The report is rendered inside each recipient's render, so in their language.
    _tell(
        event,
        _both(agreement, version),
        event.type,
        gettext_noop("Agreement review on %(review)s: %(title)s"),
        gettext_noop(
            "“%(title)s” between %(provider)s and %(consumer)s is due for review on %(review)s. "
            "How it has been kept so far:\n%(report)s"
        ),
        {**_values(agreement, event), "report": _LazyReport(report)},
        url=reverse("servicedesk:agreement", args=[agreement.pk]),
    )


class _LazyReport:
    """The report's words, rendered when the message is formatted (in the recipient's language)."""

    def __init__(self, report: dict[str, Any]) -> None:
        self.report = report

    def __str__(self) -> str:
        return report_words(self.report)


class _LazyDate:
    """A day from the event's payload, written when the message is formatted (in the recipient's language)."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __str__(self) -> str:
        if not isinstance(self.value, str):
            return ""
        try:
            return date_format(date.fromisoformat(self.value), "j M Y")
        except ValueError:
            return self.value
