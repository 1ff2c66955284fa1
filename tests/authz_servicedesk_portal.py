"""Authorization rows of the portal (catalog, request form, my requests) (world: see authz_servicedesk).

Every member may browse the catalog and file a request of a service open to everyone; an account
without a person sees an empty catalog, and a request type does not exist for it (404). A
superuser without a person sees the catalog as a desk admin but cannot file (403).
"""

from __future__ import annotations

from authz import Row, World, roles
from authz_servicedesk_coop import REQUESTS_FILED

NEW = "services/types/<int:request_type_id>/new/"


def _new_url(w: World) -> str:
    return f"/services/types/{w.org['request_type'].pk}/new/"


PAGE_ROWS: list[Row] = [
    Row("services/", "GET", lambda w: "/services/", roles(anonymous="login", others="200")),
    Row("services/", "GET", lambda w: "/services/?q=laptop", roles(anonymous="login", others="200"), label="search"),
    Row(
        "services/people/",
        "GET",
        lambda w: "/services/people/?people_q=eve",
        roles(anonymous="login", others="200"),
    ),
    Row(
        "services/<int:service_id>/",
        "GET",
        lambda w: f"/services/{w.org['service'].pk}/",
        roles(anonymous="login", outsider="404", others="200"),
    ),
    Row(NEW, "GET", _new_url, roles(anonymous="login", outsider="404", superuser="403", members="200")),
    Row(
        NEW,
        "POST",
        _new_url,
        roles(
            anonymous="login unchanged",
            outsider="404 unchanged",
            superuser="403 unchanged",
            members=f"302 /requests/IT-{2 + REQUESTS_FILED}/ changed",  # after the cooperation rows' requests
        ),
        data=lambda w: {"subject": "A laptop for Tom", "field_model": "13 inch", "priority": "P3"},
        label="valid",
    ),
    Row(
        NEW,
        "POST",
        _new_url,
        roles(
            anonymous="login unchanged",
            outsider="404 unchanged",
            superuser="403 unchanged",
            members="200 unchanged",
        ),
        data=lambda w: {"subject": "", "field_model": "17 inch"},
        label="invalid",
    ),
    Row("requests/", "GET", lambda w: "/requests/", roles(anonymous="login", others="200")),
    Row(
        "requests/", "GET", lambda w: "/requests/?show=all&page=2", roles(anonymous="login", others="200"), label="all"
    ),
]
