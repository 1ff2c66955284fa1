"""Authorization rows of the agent workspace and the request page (world: see authz_servicedesk).

Non-agents get a friendly 403 page at ``/desk/`` ("you are not an agent of any service desk").
On a request, everyone who may not see it gets 404; the superuser administers every desk but has
no person, so what needs an author (a reply, watching) is a 403 for them. Every action answers with
a redirect back to the request page: a refused move (a Conflict) is a message there and changes
nothing.
"""

from __future__ import annotations

from typing import Any

from authz import Row, World, roles

PAGE = "/requests/IT-1/"


def _request_url(w: World, action: str = "") -> str:
    return f"/requests/{w.org['request'].key}/" + (f"{action}/" if action else "")


def _assign_to_sam(w: World) -> dict[str, Any]:
    return {"assignee": str(w.org["agent"].pk)}


REQUEST = "requests/<str:prefix>-<int:number>/"
NOT_SEEN = {"outsider": "404", "manager": "404", "admin": "404"}
NOT_SEEN_WRITE = {role: f"{outcome} unchanged" for role, outcome in NOT_SEEN.items()}


def _post_only(action: str) -> Row:
    return Row(
        f"{REQUEST}{action}/",
        "GET",
        lambda w: _request_url(w, action),
        roles(anonymous="login", others="405"),
    )


CHANGED = f"302 {PAGE} changed"


def _write(action: str, data: Any, label: str = "", *, employee: str, superuser: str) -> Row:
    """A POST under the request: agents and the lead act, outsiders see nothing (404)."""
    return Row(
        f"{REQUEST}{action}/",
        "POST",
        lambda w: _request_url(w, action),
        roles(
            anonymous="login unchanged",
            employee=employee,
            agent=CHANGED,
            lead=CHANGED,
            superuser=superuser,
            **NOT_SEEN_WRITE,
        ),
        data=data,
        label=label,
    )


def _staff_write(action: str, data: Any, label: str = "", superuser: str = CHANGED) -> Row:
    """An action only the desk's staff may take: Eve (the requester) is refused."""
    return _write(action, data, label, employee="403 unchanged", superuser=superuser)


def _member_write(action: str, data: Any, label: str = "") -> Row:
    """An action for everyone the request concerns; it needs a person, which the superuser is not."""
    return _write(action, data, label, employee=CHANGED, superuser="403 unchanged")


PAGE_ROWS: list[Row] = [
    Row(
        "desk/",
        "GET",
        lambda w: "/desk/",
        roles(anonymous="login", agent="200", lead="200", superuser="200", others="403"),
    ),
    Row(
        "desk/",
        "GET",
        lambda w: "/desk/?queue=unassigned&priority=P3&q=laptop",
        roles(anonymous="login", agent="200", lead="200", superuser="200", others="403"),
        label="filtered",
    ),
    Row("desk/assign/", "GET", lambda w: "/desk/assign/", roles(anonymous="login", others="405")),
    Row(
        "desk/assign/",
        "POST",
        lambda w: "/desk/assign/",
        roles(
            anonymous="login unchanged",
            agent="302 /desk/?queue=unassigned changed",
            lead="302 /desk/?queue=unassigned changed",
            superuser="302 /desk/?queue=unassigned changed",
            others="403 unchanged",
        ),
        data=lambda w: {"requests": [w.org["request"].pk], "back": "queue=unassigned"} | _assign_to_sam(w),
    ),
    Row(
        REQUEST,
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
    _post_only("reply"),
    _member_write("reply", lambda w: {"body": "A reply from the matrix"}, "public reply"),
    _staff_write(
        "reply",
        lambda w: {"body": "A note from the matrix", "internal": "on"},
        "internal note",
        superuser="403 unchanged",  # a note needs an author, and the superuser is nobody in the organisation
    ),
    _post_only("transition"),
    _write(
        "transition",
        lambda w: {"status": "in_progress"},
        "start work",
        employee=f"302 {PAGE} unchanged",  # new → in progress is not the requester's move: a message
        superuser=CHANGED,
    ),
    _staff_write("transition", lambda w: {"status": "resolved"}, "resolve, an agent's move"),
    _post_only("assign"),
    _staff_write("assign", _assign_to_sam),
    _post_only("priority"),
    _staff_write("priority", lambda w: {"priority": "P1"}),
    _post_only("watch"),
    _member_write("watch", lambda w: {"watch": "1"}),
    Row(
        f"{REQUEST}attachments/<int:attachment_id>/",
        "GET",
        lambda w: _request_url(w, f"attachments/{w.org['attachment'].pk}"),
        roles(anonymous="login", employee="200", agent="200", lead="200", superuser="200", **NOT_SEEN),
        label="the requester's file",
    ),
    Row(
        f"{REQUEST}attachments/<int:attachment_id>/",
        "GET",
        lambda w: _request_url(w, f"attachments/{w.org['note_attachment'].pk}"),
        roles(anonymous="login", employee="404", agent="200", lead="200", superuser="200", **NOT_SEEN),
        label="a file on an internal note",
    ),
]
