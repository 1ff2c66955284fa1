"""Authorization rows of the service desk's API operations (world: see authz_servicedesk)."""

from __future__ import annotations

from authz import Row, roles  # noqa: F401

API_ROWS: list[Row] = []
