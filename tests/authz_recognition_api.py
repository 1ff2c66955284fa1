"""Authorization rows of the recognition endpoints (recognition/api.py; world: see
test_authorization_matrix).

They use what ``authz_recognition_pages.world_extend`` adds: Eve's public recognition of Sam with 20
points, Lena's of Eve with 40, a mug of 20 points that Eve has redeemed once (held, so 20 of her
points are left), and Mo's spot award of 300 points to Eve, which waits for people-ops (Mo has no
manager). Only members of the organisation take part: the account without a person and the
superuser, who is nobody in the organisation, get a 403 for everything but what people-ops do by
id (the superuser is people-ops). Mo and Lena have spot-award budgets; Eve and Sam have earned
points to redeem, the others none (409). A redemption is seen by its person and people-ops, an
award by its giver, recipient and people-ops: 404 for everyone else. ``TABLES`` are the
recognition rows the matrix compares before and after every write.
"""

from __future__ import annotations

from typing import Any

from authz import Row, World, roles
from authz_servicedesk_api import NO_WRITE
from django.db.models import Model

from insideout.recognition import models

NOBODY = "403 unchanged"
READ = roles(anonymous="401", outsider="403", superuser="403", others="200")

TABLES: dict[str, type[Model]] = {
    f"recognition.{model._meta.model_name}": model
    for model in (
        models.Value,
        models.Account,
        models.LedgerTransaction,
        models.Entry,
        models.Recognition,
        models.Recognition.values.through,
        models.RecognitionRecipient,
        models.Boost,
        models.Reward,
        models.Redemption,
        models.Award,
        models.Award.values.through,
        models.PointRule,
    )
}


def _read(route: str, url: Any = None, label: str = "") -> Row:
    return Row(route, "GET", url or (lambda w: route), READ, label=label)


def _write(route: str, url: Any, data: Any, label: str = "", **outcomes: str) -> Row:
    return Row(route, "POST", url, {**roles(**outcomes), **NO_WRITE}, data=data, label=label)


def _of(kind: str, suffix: str = "") -> Any:
    return lambda w: f"/api/v1/{kind}s/{w.org[kind].pk}" + (f"/{suffix}" if suffix else "")


def _give(w: World) -> dict[str, Any]:
    return {"to": [w.org["agent"].pk], "message": "From the matrix", "values": [w.org["rec_values"][0].pk], "points": 5}


# Eve's redemption: she and people-ops (Pat, the superuser) see it.
REDEMPTION_SEEN = {"employee": "200", "employee_read": "200", "employee_session": "200", "admin": "200"}
# Mo's award to Eve: people-ops decide; Mo and Eve see it but may not.
AWARD_DECISION = {"admin": "200 changed", "superuser": "200 changed", "manager": "403 unchanged"}

API_ROWS: list[Row] = [
    _read("/api/v1/values"),
    _read("/api/v1/recognitions"),
    _read("/api/v1/recognitions/{recognition_id}", _of("recognition")),
    _read("/api/v1/me/points"),
    _read("/api/v1/me/ledger"),
    _read("/api/v1/rewards"),
    _read("/api/v1/redemptions"),
    Row(
        "/api/v1/redemptions",
        "GET",
        lambda w: "/api/v1/redemptions?mine=false",
        roles(anonymous="401", admin="200", superuser="200", others="403"),
        label="everyone's",
    ),
    Row(
        "/api/v1/redemptions/{redemption_id}",
        "GET",
        _of("redemption"),
        {**roles(anonymous="401", superuser="200", others="404"), **REDEMPTION_SEEN},
        label="Eve's",
    ),
    _read("/api/v1/awards"),
    _write(
        "/api/v1/recognitions",
        lambda w: "/api/v1/recognitions",
        _give,
        "Sam, 5 points",
        outsider=NOBODY,
        superuser=NOBODY,
        agent="422 unchanged",  # himself
        others="201 changed",
    ),
    _write(
        "/api/v1/recognitions/{recognition_id}/boost",
        _of("recognition", "boost"),
        lambda w: {"points": 5},
        "Eve's recognition of Sam",
        outsider=NOBODY,
        superuser=NOBODY,
        employee="409 unchanged",  # the giver
        agent="409 unchanged",  # the recipient
        others="200 changed",
    ),
    _write(
        "/api/v1/redemptions",
        lambda w: "/api/v1/redemptions",
        lambda w: {"reward": w.org["reward"].pk},
        "the 20-point mug",
        outsider=NOBODY,
        superuser=NOBODY,
        employee="201 changed",
        agent="201 changed",
        others="409 unchanged",  # no earned points
    ),
    _write(
        "/api/v1/redemptions/{redemption_id}/fulfil",
        _of("redemption", "fulfil"),
        lambda w: {"note": "From the matrix"},
        "Eve's",
        employee="403 unchanged",
        admin="200 changed",
        superuser="200 changed",
        others="404 unchanged",
    ),
    _write(
        "/api/v1/redemptions/{redemption_id}/cancel",
        _of("redemption", "cancel"),
        lambda w: {"reason": "From the matrix"},
        "Eve's",
        employee="200 changed",
        admin="200 changed",
        superuser="200 changed",
        others="404 unchanged",
    ),
    _write(
        "/api/v1/awards",
        lambda w: "/api/v1/awards",
        lambda w: {"to": w.org["agent"].pk, "points": 50, "reason": "From the matrix"},
        "50 points to Sam",
        manager="201 changed",
        lead="201 changed",
        others="403 unchanged",  # no budget, or nobody in the organisation
    ),
    _write(
        "/api/v1/awards/{award_id}/approve",
        _of("award", "approve"),
        lambda w: {"note": "From the matrix"},
        "Mo's award to Eve",
        employee="403 unchanged",
        others="404 unchanged",
        **AWARD_DECISION,
    ),
    _write(
        "/api/v1/awards/{award_id}/reject",
        _of("award", "reject"),
        lambda w: {"note": "From the matrix"},
        "Mo's award to Eve",
        employee="403 unchanged",
        others="404 unchanged",
        **AWARD_DECISION,
    ),
]
