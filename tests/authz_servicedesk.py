"""Authorization rows of the service desk: its pages and its API operations.

The world (see ``test_authorization_matrix.world``) has IT's desk (prefix IT) with the service
"Laptops" and its request type "New laptop", and one open request, ``w.org["request"]``, filed by
the employee (Eve). Lena (``lead``) leads IT, so she administers the desk; Sam (``agent``) works
in IT's helpdesk team, so he is an agent of the desk. The manager (Mo) and people-ops (Pat) have
no standing with the desk: to them the request does not exist (404).

Rows live in one module per area: ``authz_servicedesk_portal``, ``_workspace``, ``_manage`` (pages),
``_api`` and ``_coop`` (the cooperation endpoints, whose extra objects ``world_extend`` adds). Add a
row there for every new route or operation.
"""

from __future__ import annotations

import authz_servicedesk_api
import authz_servicedesk_coop
import authz_servicedesk_coop_pages
import authz_servicedesk_manage
import authz_servicedesk_obstacles
import authz_servicedesk_portal
import authz_servicedesk_workspace

PAGE_ROWS = [
    *authz_servicedesk_portal.PAGE_ROWS,
    *authz_servicedesk_workspace.PAGE_ROWS,
    *authz_servicedesk_manage.PAGE_ROWS,
    *authz_servicedesk_obstacles.PAGE_ROWS,
    *authz_servicedesk_coop_pages.PAGE_ROWS,
]
API_ROWS = [*authz_servicedesk_api.API_ROWS, *authz_servicedesk_coop.API_ROWS, *authz_servicedesk_obstacles.API_ROWS]
world_extend = authz_servicedesk_obstacles.world_extend  # the cooperation objects, then an obstacle
