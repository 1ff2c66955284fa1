"""Authorization rows of the desk admin pages: catalog, calendar and standards editors (see authz_servicedesk)."""

from __future__ import annotations

from authz import Row, roles  # noqa: F401

PAGE_ROWS: list[Row] = []
