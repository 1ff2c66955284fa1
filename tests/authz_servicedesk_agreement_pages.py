"""Authorization rows of the internal service agreement pages (world: see authz_servicedesk).

``world_extend`` adds the agreement "IT for everyone": IT (led by Lena, ``lead``) provides Laptops
to the whole company, Acme, which has no lead; Lena has proposed it, so IT has accepted and Acme
has not. Every person of the organisation belongs to Acme or to IT, so they all see it; the
account without a person does not (404). Only Lena signs for a side: she alone may open the new
and the revision forms and decide. Accepting again and proposing what is no draft are refusals
the page explains (a redirect with the message); the others who see it get a page that says why
(403), the superuser too, who is nobody in the organisation.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from authz import Row, World, roles
from django.utils import timezone

from insideout.servicedesk.cooperation import agreements
from insideout.servicedesk.cooperation.agreements import TargetInput, TermsInput

DETAIL = "agreements/<int:agreement_id>/"
DENIED = "403 unchanged"
# A decision answers with a relative redirect back to the agreement's page (as the desk admin pages do).
BACK_CHANGED = "302 ../ changed"
BACK_UNCHANGED = "302 ../ unchanged"


def _decision(action: str, lead: str, data: Any = None, label: str = "") -> Row:
    return Row(
        f"{DETAIL}{action}/",
        "POST",
        _url(action),
        roles(anonymous="login unchanged", outsider="404 unchanged", lead=lead, others=DENIED),
        data=data,
        label=label,
    )


def world_extend(org: dict[str, Any]) -> None:
    today = timezone.localdate()
    org["agreement"] = agreements.agreement_create(
        actor=org["lead"].user,
        provider_id=org["it"].pk,
        consumer_id=org["it"].parent_id,
        title="IT for everyone",
        terms=TermsInput(
            services=[org["service"].pk],
            targets=[TargetInput(org["service"].pk, "P2", 60, 480)],
            provider_contact=org["agent"].pk,
            consumer_contact=org["admin"].pk,
            starts_on=today,
            review_on=today + timedelta(days=180),
        ),
        propose=True,
    )


def _url(action: str = "") -> Any:
    return lambda w: f"/agreements/{w.org['agreement'].pk}/" + (f"{action}/" if action else "")


def _terms_form(w: World, **changes: Any) -> dict[str, Any]:
    service = w.org["service"].pk
    today = timezone.localdate()
    values: dict[str, Any] = {
        "title": "IT for everyone",
        "services": [service],
        f"target-{service}-P2-first": "2h",
        f"target-{service}-P2-resolution": "8h",
        "provider_contact": w.org["agent"].pk,
        "consumer_contact": w.org["admin"].pk,
        "starts_on": today.isoformat(),
        "review_on": (today + timedelta(days=90)).isoformat(),
        "remind_days": "14",
        "action": "propose",
    }
    return values | changes


def _post_only(action: str) -> Row:
    return Row(f"{DETAIL}{action}/", "GET", _url(action), roles(anonymous="login", others="405"))


PAGE_ROWS: list[Row] = [
    Row("agreements/", "GET", lambda w: "/agreements/", roles(anonymous="login", others="200")),
    Row("agreements/new/", "GET", lambda w: "/agreements/new/", roles(anonymous="login", lead="200", others="403")),
    Row(
        "agreements/new/",
        "POST",
        lambda w: "/agreements/new/",
        roles(anonymous="login unchanged", lead="200 unchanged", others=DENIED),
        data=lambda w: _terms_form(w, provider=w.org["it"].pk, consumer=w.org["it"].pk),
        label="IT with itself: the form again",
    ),
    Row(DETAIL, "GET", _url(), roles(anonymous="login", outsider="404", others="200")),
    Row(
        f"{DETAIL}revise/",
        "GET",
        _url("revise"),
        roles(anonymous="login", outsider="404", lead="200", others="403"),
    ),
    _decision("revise", BACK_CHANGED, lambda w: _terms_form(w), "other terms replace the proposal"),
    _post_only("propose"),
    _decision("propose", BACK_UNCHANGED, label="nothing to propose: it is proposed already"),
    _post_only("accept"),
    _decision("accept", BACK_UNCHANGED, label="IT has accepted already"),
    _post_only("decline"),
    _decision("decline", BACK_CHANGED, lambda w: {"reason": "From the matrix"}, "Lena withdraws it"),
]
