"""Authorization rows of the badge endpoints (recognition/badges_api.py; world: see
test_authorization_matrix).

``world_extend`` grants Eve (``employee``) the manual badge *Above and beyond*, from Mo, her manager.
Every person of the organisation reads the catalog, anyone's badges, the leaderboards and the team
meters; the account without a person and the superuser, who is nobody in the organisation, get a
403. Only Mo and people-ops (Pat) may grant Eve a badge or sign her certificate: Lena leads IT, not
Sales, and nobody honours themselves.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from authz import Row, World, roles
from authz_servicedesk_api import NO_WRITE
from django.utils import timezone

from insideout.recognition import badges
from insideout.recognition.models import Badge

READ = roles(anonymous="401", outsider="403", superuser="403", others="200")


def world_extend(org: dict[str, Any]) -> None:
    org["badge"] = Badge.objects.get(name="Above and beyond")
    org["badge_award"] = badges.badge_grant(
        actor=org["manager"].user,
        badge=org["badge"],
        person_id=org["employee"].pk,
        reason="Closed the Q4 deal",
        now=timezone.now() - timedelta(days=1),
    )


def _eve(w: World) -> int:
    return int(w.org["employee"].pk)


def _honour(result: str) -> dict[str, str]:
    """Mo and Pat get ``result``; every other caller is refused and nothing changes."""
    return {**roles(manager=result, admin=result, others="403 unchanged"), **NO_WRITE}


API_ROWS: list[Row] = [
    Row("/api/v1/badges", "GET", lambda w: "/api/v1/badges", READ),
    Row("/api/v1/people/{person_id}/badges", "GET", lambda w: f"/api/v1/people/{_eve(w)}/badges", READ),
    Row(
        "/api/v1/badges/{badge_id}/grant",
        "POST",
        lambda w: f"/api/v1/badges/{w.org['badge'].pk}/grant",
        _honour("201 changed"),
        data=lambda w: {"person": _eve(w), "reason": "From the matrix"},
        label="Above and beyond to Eve, a day after the first",
    ),
    Row("/api/v1/leaderboards", "GET", lambda w: "/api/v1/leaderboards", READ),
    Row("/api/v1/team-goals", "GET", lambda w: "/api/v1/team-goals", READ),
    Row(
        "/api/v1/people/{person_id}/certificates",
        "POST",
        lambda w: f"/api/v1/people/{_eve(w)}/certificates",
        _honour("200 unchanged"),
        data=lambda w: {"award": w.org["badge_award"].pk},
        label="Eve's certificate as a PDF",
    ),
]
