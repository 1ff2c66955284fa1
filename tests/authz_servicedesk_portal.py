"""Authorization rows of the portal (catalog, request form, my requests) (world: see authz_servicedesk)."""

from __future__ import annotations

from authz import Row, roles  # noqa: F401

PAGE_ROWS: list[Row] = []
