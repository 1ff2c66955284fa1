"""Authorization rows of the cooperation endpoints: commitments, needed-by dates, feedback, thanks.

Besides the world's open request of Eve (``employee``, IT-1; see authz_servicedesk),
``world_extend`` files ``REQUESTS_FILED`` more of hers at IT: one with a proposed needed-by date
and Sam's (``agent``) commitment, one that Sam has resolved. It adds Eve's standalone promise to
her manager Mo too. A request's writes follow its visibility (404 to those who do not see it); a
commitment is seen by its two people and by whoever sees its request. The superuser sees every
request but is nobody in the organisation, so a write that needs a person is a 403 for them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from authz import Row, World, roles
from authz_servicedesk_api import NO_WRITE, NOT_SEEN
from django.utils import timezone

from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import services
from insideout.servicedesk.tests.factories import request_create

# The IT requests world_extend files after IT-1 (the portal's rows number the next one).
REQUESTS_FILED = 2
HIDDEN = {role: f"{outcome} unchanged" for role, outcome in NOT_SEEN.items()}


def _later(**delta: float) -> str:
    return (timezone.now() + timedelta(**delta)).isoformat()


def world_extend(org: dict[str, Any]) -> None:
    eve, sam = org["employee"], org["agent"]
    request_type = org["request_type"]
    soon = timezone.now()
    coop = request_create(requester=eve, request_type=request_type, subject="Negotiated laptop")
    # Asked for before any commitment, so it is sooner than the promise: a negotiation.
    org["needed_by"] = services.needed_by_set(
        actor=eve.user, request=coop, needed_by=soon + timedelta(hours=6), reason="The new hire starts today."
    )
    org["commitment"] = services.commitment_create_for_request(
        actor=sam.user, request=coop, due_at=soon + timedelta(days=3)
    )
    org["coop_request"] = coop
    org["resolved_request"] = request_create(requester=eve, request_type=request_type, subject="Done")
    desk_services.request_transition(actor=sam.user, request=org["resolved_request"], status="resolved")
    org["promise"] = services.commitment_create(
        actor=eve.user, to_id=org["manager"].pk, title="The Q3 figures", due_at=soon + timedelta(days=3)
    )


def _on(request_key: str, action: str) -> Any:
    return lambda w: f"/api/v1/requests/{w.org[request_key].pk}/{action}"


def _commitment(key: str, action: str = "") -> Any:
    return lambda w: f"/api/v1/commitments/{w.org[key].pk}" + (f"/{action}" if action else "")


API_ROWS: list[Row] = [
    Row(
        "/api/v1/requests/{request_id}/commitments",
        "POST",
        _on("request", "commitments"),
        {
            **NO_WRITE,
            **HIDDEN,
            "employee": "403 unchanged",
            "agent": "201 changed",
            "lead": "201 changed",
            "superuser": "403 unchanged",
        },
        data=lambda w: {"due_at": _later(days=2), "note": "From the matrix"},
    ),
    Row(
        "/api/v1/commitments",
        "POST",
        lambda w: "/api/v1/commitments",
        {
            **NO_WRITE,
            "outsider": "403 unchanged",
            "employee": "201 changed",
            "manager": "422 unchanged",  # a commitment to oneself
            "agent": "201 changed",
            "lead": "201 changed",
            "admin": "201 changed",
            "superuser": "403 unchanged",
        },
        data=lambda w: {"to": w.org["manager"].pk, "title": "From the matrix", "due_at": _later(days=2)},
    ),
    Row("/api/v1/commitments", "GET", lambda w: "/api/v1/commitments", roles(anonymous="401", others="200")),
    Row(
        "/api/v1/commitments/{commitment_id}",
        "GET",
        _commitment("commitment"),
        roles(anonymous="401", outsider="404", manager="404", admin="404", others="200"),
        label="on a request",
    ),
    Row(
        "/api/v1/commitments/{commitment_id}",
        "GET",
        _commitment("promise"),
        roles(
            anonymous="401", employee="200", employee_read="200", employee_session="200", manager="200", others="404"
        ),
        label="standalone",
    ),  # fmt: skip
    Row(
        "/api/v1/commitments/{commitment_id}/revise",
        "POST",
        _commitment("commitment", "revise"),
        {
            **NO_WRITE,
            **HIDDEN,
            "employee": "403 unchanged",  # the recipient sees it but may not move it
            "agent": "200 changed",
            "lead": "200 changed",
            "superuser": "403 unchanged",
        },
        data=lambda w: {"due_at": _later(days=4), "reason": "Moved by the matrix"},
    ),
    Row(
        "/api/v1/commitments/{commitment_id}/done",
        "POST",
        _commitment("promise", "done"),
        {
            **NO_WRITE,
            "outsider": "404 unchanged",
            "employee": "200 changed",
            "manager": "403 unchanged",  # the recipient
            "agent": "404 unchanged",
            "lead": "404 unchanged",
            "admin": "404 unchanged",
            "superuser": "404 unchanged",
        },
    ),
    Row(
        "/api/v1/requests/{request_id}/needed-by",
        "POST",
        _on("request", "needed-by"),
        {
            **NO_WRITE,
            **HIDDEN,
            "employee": "201 changed",
            "agent": "403 unchanged",
            "lead": "403 unchanged",
            "superuser": "403 unchanged",
        },
        data=lambda w: {"needed_by": _later(hours=5), "reason": "From the matrix"},
    ),
    Row(
        "/api/v1/requests/{request_id}/needed-by/{needed_by_id}/respond",
        "POST",
        lambda w: f"/api/v1/requests/{w.org['coop_request'].pk}/needed-by/{w.org['needed_by'].pk}/respond",
        {
            **NO_WRITE,
            **HIDDEN,
            "employee": "403 unchanged",  # a proposal is the desk's to answer
            "agent": "200 changed",
            "lead": "200 changed",
            "superuser": "403 unchanged",
        },
        data=lambda w: {"action": "accept"},
        label="accept",
    ),
    Row(
        "/api/v1/requests/{request_id}/feedback",
        "POST",
        _on("resolved_request", "feedback"),
        {
            **NO_WRITE,
            **HIDDEN,
            "employee": "201 changed",
            "agent": "403 unchanged",
            "lead": "403 unchanged",
            "superuser": "403 unchanged",
        },
        data=lambda w: {"rating": 4, "comment": "From the matrix"},
    ),
    Row(
        "/api/v1/requests/{request_id}/thanks",
        "POST",
        _on("request", "thanks"),
        {
            **NO_WRITE,
            **HIDDEN,
            "employee": "201 changed",
            "agent": "422 unchanged",  # thanks to oneself
            "lead": "201 changed",
            "superuser": "403 unchanged",
        },
        data=lambda w: {"to": [w.org["agent"].pk], "message": "Thanks from the matrix"},
    ),
]


__all__ = ["API_ROWS", "World", "world_extend"]
