"""Authorization rows of the internal service agreement endpoints (world: see authz_servicedesk).

They use the agreement the page rows add (``authz_servicedesk_agreement_pages.world_extend``):
"IT for everyone", IT's Laptops for the whole company, Acme, which has no lead. Lena (``lead``)
proposed it, so IT has accepted and Acme has not. Every person of the organisation is in Acme or
below it, so all of them see it; the account without a person does not (404). Only Lena signs for
a side: she writes agreements, revises and withdraws; accepting again and proposing what is no
draft are 409s. Everyone else who sees it gets a 403 for a decision, the superuser too, who sees
every agreement but is nobody in the organisation.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from authz import Row, World, roles
from authz_servicedesk_api import NO_WRITE
from django.utils import timezone

AGREEMENT = "/api/v1/agreements/{agreement_id}"


def _terms(w: World) -> dict[str, Any]:
    today = timezone.localdate()
    service = w.org["service"].pk
    return {
        "services": [service],
        "targets": [{"service": service, "priority": "P2", "first_response_minutes": 60, "resolution_minutes": 480}],
        "provider_contact": w.org["agent"].pk,
        "starts_on": today.isoformat(),
        "review_on": (today + timedelta(days=90)).isoformat(),
    }


def _url(action: str = "") -> Any:
    return lambda w: f"/api/v1/agreements/{w.org['agreement'].pk}" + (f"/{action}" if action else "")


def _decision(action: str, lead: str, data: Any = None, label: str = "") -> Row:
    """A decision on the world's agreement: Lena gets ``lead``; the others who see it a 403."""
    expect = {
        **roles(outsider="404 unchanged", lead=lead, others="403 unchanged"),
        **NO_WRITE,
    }
    return Row(f"{AGREEMENT}/{action}", "POST", _url(action), expect, data=data or (lambda w: {}), label=label)


def _read(route: str, url: Any) -> Row:
    return Row(route, "GET", url, roles(anonymous="401", outsider="404", others="200"))


API_ROWS: list[Row] = [
    # The account without a person sees an empty list.
    Row("/api/v1/agreements", "GET", lambda w: "/api/v1/agreements", roles(anonymous="401", others="200")),
    Row(
        "/api/v1/agreements",
        "POST",
        lambda w: "/api/v1/agreements",
        {**roles(lead="201 changed", others="403 unchanged"), **NO_WRITE},
        data=lambda w: {
            "provider": w.org["it"].pk,
            "consumer": w.org["employee"].unit_id,
            "title": "IT for Sales",
            "consumer_contact": w.org["employee"].pk,
            **_terms(w),
        },
        label="IT for Sales, by IT's lead",
    ),
    _read(AGREEMENT, _url()),
    _read(f"{AGREEMENT}/adherence", _url("adherence")),
    _decision("propose", "409 unchanged", label="nothing to propose: it is proposed already"),
    _decision("accept", "409 unchanged", label="IT has accepted already"),
    _decision("decline", "200 changed", lambda w: {"reason": "From the matrix"}, "Lena withdraws it"),
    _decision(
        "revise",
        "200 changed",
        lambda w: {**_terms(w), "consumer_contact": w.org["admin"].pk, "reason": "From the matrix"},
        "other terms replace the proposal",
    ),
]
