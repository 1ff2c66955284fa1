"""Authorization rows of obstacles: the request page's panel actions and the obstacle endpoints.

``world_extend`` adds, after the cooperation rows' objects (authz_servicedesk_coop), an open obstacle
that Sam (``agent``) flagged on Eve's request IT-1. Only the desk's agents (Sam, and Lena who leads
IT) flag and resolve; Eve sees the obstacles but may not change them (403); whoever does not see the
request gets 404; the superuser, who is nobody in the organisation, may not flag or resolve (403).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import authz_servicedesk_coop
from authz import Row, World, roles
from authz_servicedesk_api import NO_WRITE, NOT_SEEN
from authz_servicedesk_workspace import NOT_SEEN_WRITE, REQUEST
from django.utils import timezone

from insideout.servicedesk.cooperation import services

BERLIN = ZoneInfo("Europe/Berlin")  # the world's people's zone; a datetime-local input is read in it
HIDDEN = {role: f"{outcome} unchanged" for role, outcome in NOT_SEEN.items()}
BACK = "302 /requests/IT-1/ changed"


def world_extend(org: dict[str, Any]) -> None:
    authz_servicedesk_coop.world_extend(org)
    org["obstacle"] = services.obstacle_flag(
        actor=org["agent"].user,
        request=org["request"],
        description="The docking stations are out of stock.",
        expected_at=timezone.now() + timedelta(days=2),
        waiting_on_outside="The supplier",
    )


def _typed(**ahead: float) -> str:
    return (timezone.now() + timedelta(**ahead)).astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M")


def _flag_form(w: World) -> dict[str, str]:
    return {
        "obstacle-description": "From the matrix",
        "obstacle-waiting_on": "outside",
        "obstacle-waiting_on_outside": "The matrix",
        "obstacle-expected_at": _typed(days=3),
    }


def _page(action: str) -> Any:
    return lambda w: f"/requests/{w.org['request'].key}/{action}"


def _resolve_page(w: World) -> str:
    return f"/requests/{w.org['request'].key}/obstacles/{w.org['obstacle'].pk}/resolve/"


# A page action of the desk's agents: Sam and Lena change it, Eve and the superuser may not (403).
AGENTS_WRITE = roles(
    anonymous="login unchanged",
    employee="403 unchanged",
    agent=BACK,
    lead=BACK,
    superuser="403 unchanged",
    **NOT_SEEN_WRITE,
)
FLAG = f"{REQUEST}obstacles/"
RESOLVE = f"{REQUEST}obstacles/<int:obstacle_id>/resolve/"

PAGE_ROWS: list[Row] = [
    Row(FLAG, "GET", _page("obstacles/"), roles(anonymous="login", others="405")),
    Row(FLAG, "POST", _page("obstacles/"), AGENTS_WRITE, data=_flag_form),
    Row(RESOLVE, "GET", _resolve_page, roles(anonymous="login", others="405")),
    Row(RESOLVE, "POST", _resolve_page, AGENTS_WRITE, data=lambda w: {"note": "Cleared by the matrix"}),
]


def _api(w: World, action: str = "obstacles") -> str:
    return f"/api/v1/requests/{w.org['request'].pk}/{action}"


def _agents_write(status: str) -> dict[str, str]:
    """An API write of the desk's agents: Sam and Lena get ``status``; Eve and the superuser a 403."""
    changed = f"{status} changed"
    return {
        **NO_WRITE,
        **HIDDEN,
        "employee": "403 unchanged",
        "agent": changed,
        "lead": changed,
        "superuser": "403 unchanged",
    }


API_ROWS: list[Row] = [
    Row(
        "/api/v1/requests/{request_id}/obstacles",
        "POST",
        _api,
        _agents_write("201"),
        data=lambda w: {
            "description": "From the matrix",
            "waiting_on": {"person": w.org["manager"].pk},
            "expected_at": (timezone.now() + timedelta(days=3)).isoformat(),
        },
    ),
    Row(
        "/api/v1/requests/{request_id}/obstacles",
        "GET",
        _api,
        roles(anonymous="401", **NOT_SEEN, others="200"),
    ),
    Row(
        "/api/v1/obstacles/{obstacle_id}/resolve",
        "POST",
        lambda w: f"/api/v1/obstacles/{w.org['obstacle'].pk}/resolve",
        _agents_write("200"),
        data=lambda w: {"note": "Cleared by the matrix"},
    ),
]
