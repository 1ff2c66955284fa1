"""Authorization rows of the service desk's API operations (world: see authz_servicedesk).

Eve (``employee``) filed the world's request; Sam (``agent``) and Lena (``lead``) work IT's desk,
and only Lena and the superuser administer it. To everyone else the request and the desk do not
exist (404); a catalog item they can see but not change is a 403. A read token or a session
without the CSRF token may not write (403). The superuser administers every desk but is nobody in
the organisation, so what needs a person (filing, replying) is a 403 for them.
"""

from __future__ import annotations

from typing import Any

from authz import Row, World, roles

NOT_SEEN = {"outsider": "404", "manager": "404", "admin": "404"}
NO_WRITE = {"anonymous": "401 unchanged", "employee_read": "403 unchanged", "employee_session": "403 unchanged"}


def _request(w: World, action: str = "") -> str:
    return f"/api/v1/requests/{w.org['request'].pk}" + (f"/{action}" if action else "")


def _desk(w: World, action: str = "") -> str:
    return f"/api/v1/desks/{w.org['desk'].pk}" + (f"/{action}" if action else "")


def _new_request(w: World) -> dict[str, Any]:
    return {"request_type": w.org["request_type"].pk, "subject": "From the matrix", "fields": {"model": "13 inch"}}


def _request_read(action: str) -> Row:
    route = "/api/v1/requests/{request_id}" + (f"/{action}" if action else "")
    return Row(
        route,
        "GET",
        lambda w: _request(w, action),
        roles(anonymous="401", **NOT_SEEN, others="200"),
    )


def _request_staff_write(action: str, data: Any, label: str = "", **outcomes: str) -> Row:
    """A write under the request that only the desk's agents (and admins) may make."""
    expect = {
        **NO_WRITE,
        **{role: f"{outcome} unchanged" for role, outcome in NOT_SEEN.items()},
        "employee": "403 unchanged",
        "agent": "200 changed",
        "lead": "200 changed",
        "superuser": "200 changed",
        **outcomes,
    }
    return Row("/api/v1/requests/{request_id}/" + action, "POST", lambda w: _request(w, action), expect, data, label)


def _admin_write(route: str, method: str, url: Any, data: Any, *, ok: str, hidden: str, label: str = "") -> Row:
    """A change to the catalog or a desk: the lead and the superuser; ``hidden`` is what the
    organisation's other members get (404 when they cannot see the thing, 403 when they can)."""
    members = f"{hidden} unchanged"
    return Row(
        route,
        method,
        url,
        {
            **NO_WRITE,
            "outsider": "404 unchanged",
            "employee": members,
            "manager": members,
            "agent": "403 unchanged",
            "lead": f"{ok} changed",
            "admin": members,
            "superuser": f"{ok} changed",
        },
        data,
        label,
    )


def _staff_read(route: str, url: Any) -> Row:
    return Row(
        route,
        "GET",
        url,
        roles(anonymous="401", agent="200", lead="200", superuser="200", others="404"),
    )


# (route, method, url, body, the admins' outcome, the other members' outcome)
ADMIN_WRITES: list[tuple[str, str, Any, Any, str, str]] = [
    ("/api/v1/desks/{desk_id}", "PATCH", lambda w: _desk(w), lambda w: {"auto_close_days": 3}, "200", "404"),
    (
        "/api/v1/desks/{desk_id}/calendar",
        "PUT",
        lambda w: _desk(w, "calendar"),
        lambda w: {"time_zone": "Europe/Berlin", "week": {"mon": [["08:00", "16:00"]]}},
        "200",
        "404",
    ),
    (
        "/api/v1/desks/{desk_id}/services",
        "POST",
        lambda w: _desk(w, "services"),
        lambda w: {"name": "Phones"},
        "201",
        "404",
    ),
    (
        "/api/v1/services/{service_id}",
        "PATCH",
        lambda w: f"/api/v1/services/{w.org['service'].pk}",
        lambda w: {"description": "Changed by the matrix"},
        "200",
        "403",
    ),
    (
        "/api/v1/services/{service_id}/request-types",
        "POST",
        lambda w: f"/api/v1/services/{w.org['service'].pk}/request-types",
        lambda w: {"name": "Repair"},
        "201",
        "403",
    ),
    (
        "/api/v1/request-types/{request_type_id}",
        "PATCH",
        lambda w: f"/api/v1/request-types/{w.org['request_type'].pk}",
        lambda w: {"description": "Changed by the matrix"},
        "200",
        "403",
    ),
    (
        "/api/v1/request-types/{request_type_id}/standards/{priority}",
        "PUT",
        lambda w: f"/api/v1/request-types/{w.org['request_type'].pk}/standards/P2",
        lambda w: {"first_response_minutes": 60, "resolution_minutes": 480},
        "200",
        "403",
    ),
]

API_ROWS: list[Row] = [
    # The catalog: every member sees what they may request; the outsider sees an empty list.
    Row("/api/v1/services", "GET", lambda w: "/api/v1/services", roles(anonymous="401", others="200")),
    Row(
        "/api/v1/services/{service_id}",
        "GET",
        lambda w: f"/api/v1/services/{w.org['service'].pk}",
        roles(anonymous="401", outsider="404", others="200"),
    ),
    Row(
        "/api/v1/services/{service_id}/request-types",
        "GET",
        lambda w: f"/api/v1/services/{w.org['service'].pk}/request-types",
        roles(anonymous="401", outsider="404", others="200"),
    ),
    # Requests.
    Row(
        "/api/v1/requests",
        "POST",
        lambda w: "/api/v1/requests",
        {
            **NO_WRITE,
            "outsider": "422 unchanged",  # no person, so no request type is theirs to file
            "employee": "201 changed",
            "manager": "201 changed",
            "agent": "201 changed",
            "lead": "201 changed",
            "admin": "201 changed",
            "superuser": "403 unchanged",
        },
        data=_new_request,
    ),
    Row("/api/v1/requests", "GET", lambda w: "/api/v1/requests", roles(anonymous="401", others="200"), label="mine"),
    Row(
        "/api/v1/requests",
        "GET",
        lambda w: "/api/v1/requests?queue=all_open",
        roles(anonymous="401", agent="200", lead="200", superuser="200", others="403"),
        label="a queue",
    ),
    _request_read(""),
    _request_read("clocks"),
    _request_read("comments"),
    _request_read("history"),
    Row(
        "/api/v1/requests/{request_id}/comments",
        "POST",
        lambda w: _request(w, "comments"),
        {
            **NO_WRITE,
            **{role: f"{outcome} unchanged" for role, outcome in NOT_SEEN.items()},
            "employee": "201 changed",
            "agent": "201 changed",
            "lead": "201 changed",
            "superuser": "403 unchanged",  # a reply needs an author
        },
        data=lambda w: {"body": "A reply from the matrix"},
        label="public reply",
    ),
    Row(
        "/api/v1/requests/{request_id}/comments",
        "POST",
        lambda w: _request(w, "comments"),
        {
            **NO_WRITE,
            **{role: f"{outcome} unchanged" for role, outcome in NOT_SEEN.items()},
            "employee": "403 unchanged",
            "agent": "201 changed",
            "lead": "201 changed",
            "superuser": "403 unchanged",
        },
        data=lambda w: {"body": "A note from the matrix", "internal": True},
        label="internal note",
    ),
    _request_staff_write(
        "transition",
        lambda w: {"status": "in_progress"},
        "start work",
        employee="409 unchanged",  # the requester may reopen, but not start a new request
    ),
    _request_staff_write("transition", lambda w: {"status": "resolved"}, "resolve, an agent's move"),
    _request_staff_write("assign", lambda w: {"assignee": w.org["agent"].pk}),
    _request_staff_write("priority", lambda w: {"priority": "P1"}),
    # Administration: desks are seen by their staff only; the catalog by everyone it is offered to.
    Row("/api/v1/desks", "GET", lambda w: "/api/v1/desks", roles(anonymous="401", others="200")),
    _staff_read("/api/v1/desks/{desk_id}", lambda w: _desk(w)),
    _staff_read("/api/v1/desks/{desk_id}/calendar", lambda w: _desk(w, "calendar")),
    Row(
        "/api/v1/request-types/{request_type_id}/standards",
        "GET",
        lambda w: f"/api/v1/request-types/{w.org['request_type'].pk}/standards",
        roles(anonymous="401", outsider="404", others="200"),
    ),
    *(
        _admin_write(route, method, url, data, ok=ok, hidden=hidden)
        for route, method, url, data, ok, hidden in ADMIN_WRITES
    ),
]
