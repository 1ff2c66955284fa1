"""Authorization rows of the agent workspace and the request page (world: see authz_servicedesk)."""

from __future__ import annotations

from authz import Row, roles

PAGE_ROWS: list[Row] = [
    Row(
        "requests/<str:prefix>-<int:number>/",
        "GET",
        lambda w: f"/requests/{w.org['request'].key}/",
        roles(
            anonymous="login",
            outsider="404",
            employee="200",
            manager="404",
            agent="200",
            lead="200",
            admin="404",
            superuser="200",
        ),
    ),
]
