"""Authorization rows of the cooperation pages (world: see authz_servicedesk and authz_servicedesk_coop).

On a request: agents commit to IT-1 and move the promise of IT-2 (Sam's, on Eve's request); Eve
says when she needs IT-1, rates IT-3 (resolved) and thanks Sam on IT-2; the desk answers IT-2's
proposed date. Whoever does not see the request gets 404; the superuser, who is nobody in the
organisation, may not make or answer promises (403). ``/promises/`` answers everyone signed in;
only the maker marks a promise done. A desk's cooperation figures are for its admins (Lena and
the superuser); closing a follow-up is the lead's, and the matrix, whose world has no low rating,
asks for one that does not exist: the test file checks the happy path.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from authz import Row, World, roles
from authz_servicedesk_workspace import NOT_SEEN_WRITE, REQUEST
from django.utils import timezone

BERLIN = ZoneInfo("Europe/Berlin")  # the world's people's zone; a datetime-local input is read in it


def _typed(**ahead: float) -> str:
    return (timezone.now() + timedelta(**ahead)).astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M")


def _on(key: str, action: str) -> Any:
    return lambda w: f"/requests/{w.org[key].key}/{action}/"


def _back(number: int) -> str:
    return f"302 /requests/IT-{number}/ changed"


def _post_only(action: str, key: str = "request") -> Row:
    return Row(f"{REQUEST}{action}/", "GET", _on(key, action), roles(anonymous="login", others="405"))


def _desk_url(w: World, suffix: str = "") -> str:
    return f"/desk/{w.org['desk'].pk}/cooperation/{suffix}"


NOBODY = "403 unchanged"  # the superuser: no person, so no promise
DENIED = "403 unchanged"
FOLLOW_UP = "desk/<int:desk_id>/cooperation/follow-ups/<int:follow_up_id>/done/"
RESPOND = "needed-by/<int:needed_by_id>/respond"

PAGE_ROWS: list[Row] = [
    _post_only("commit"),
    Row(
        f"{REQUEST}commit/",
        "POST",
        _on("request", "commit"),
        roles(
            anonymous="login unchanged",
            employee=DENIED,
            agent=_back(1),
            lead=_back(1),
            superuser=NOBODY,
            **NOT_SEEN_WRITE,
        ),
        data=lambda w: {"due_at": _typed(days=2), "note": "From the matrix"},
    ),
    _post_only("commitment/revise", "coop_request"),
    Row(
        f"{REQUEST}commitment/revise/",
        "POST",
        _on("coop_request", "commitment/revise"),
        roles(
            anonymous="login unchanged",
            employee=DENIED,  # the requester sees the promise but may not move it
            agent=_back(2),
            lead=_back(2),
            superuser=NOBODY,
            **NOT_SEEN_WRITE,
        ),
        data=lambda w: {"commitment": w.org["commitment"].pk, "due_at": _typed(days=4), "reason": "The matrix"},
    ),
    _post_only("needed-by"),
    Row(
        f"{REQUEST}needed-by/",
        "POST",
        _on("request", "needed-by"),
        roles(
            anonymous="login unchanged",
            employee=_back(1),
            agent=DENIED,
            lead=DENIED,
            superuser=NOBODY,
            **NOT_SEEN_WRITE,
        ),
        data=lambda w: {"needed_by": _typed(hours=5), "reason": "From the matrix"},
    ),
    Row(
        f"{REQUEST}{RESPOND}/",
        "GET",
        lambda w: f"/requests/{w.org['coop_request'].key}/needed-by/{w.org['needed_by'].pk}/respond/",
        roles(anonymous="login", others="405"),
    ),
    Row(
        f"{REQUEST}{RESPOND}/",
        "POST",
        lambda w: f"/requests/{w.org['coop_request'].key}/needed-by/{w.org['needed_by'].pk}/respond/",
        roles(
            anonymous="login unchanged",
            employee=DENIED,  # a proposal is the desk's to answer
            agent=_back(2),
            lead=_back(2),
            superuser=NOBODY,
            **NOT_SEEN_WRITE,
        ),
        data=lambda w: {"action": "accept"},
        label="accept",
    ),
    _post_only("feedback", "resolved_request"),
    Row(
        f"{REQUEST}feedback/",
        "POST",
        _on("resolved_request", "feedback"),
        roles(
            anonymous="login unchanged",
            employee=_back(3),
            agent=DENIED,
            lead=DENIED,
            superuser=NOBODY,
            **NOT_SEEN_WRITE,
        ),
        data=lambda w: {"rating": "4", "comment": "From the matrix"},
    ),
    _post_only("thanks", "coop_request"),
    Row(
        f"{REQUEST}thanks/",
        "POST",
        _on("coop_request", "thanks"),
        roles(
            anonymous="login unchanged",
            employee=_back(2),
            agent="302 /requests/IT-2/ unchanged",  # Sam is the only helper: nobody for him to thank
            lead=_back(2),
            superuser=NOBODY,
            **NOT_SEEN_WRITE,
        ),
        data=lambda w: {"to": [w.org["agent"].pk], "message": "Thanks from the matrix"},
        label="Sam, who committed",
    ),
    Row("promises/", "GET", lambda w: "/promises/", roles(anonymous="login", others="200")),
    Row(
        "promises/",
        "POST",
        lambda w: "/promises/",
        roles(
            anonymous="login unchanged",
            outsider=NOBODY,
            superuser=NOBODY,
            manager="200 unchanged",  # a promise to oneself: the form again
            others="302 /promises/ changed",
        ),
        data=lambda w: {"to": w.org["manager"].pk, "title": "From the matrix", "due_at": _typed(days=2)},
    ),
    Row(
        "promises/<int:commitment_id>/done/",
        "GET",
        lambda w: f"/promises/{w.org['promise'].pk}/done/",
        roles(anonymous="login", others="405"),
    ),
    Row(
        "promises/<int:commitment_id>/done/",
        "POST",
        lambda w: f"/promises/{w.org['promise'].pk}/done/",
        roles(
            anonymous="login unchanged",
            employee="302 /promises/ changed",
            manager=DENIED,  # the person it is promised to
            others="404 unchanged",
        ),
        label="Eve's promise to Mo",
    ),
    Row("desk/cooperation/", "GET", lambda w: "/desk/cooperation/", roles(anonymous="login", others="200")),
    Row(
        "desk/<int:desk_id>/cooperation/",
        "GET",
        lambda w: _desk_url(w, "?period=last_90"),
        roles(anonymous="login", lead="200", superuser="200", others="403"),
    ),
    Row(FOLLOW_UP, "GET", lambda w: _desk_url(w, "follow-ups/1/done/"), roles(anonymous="login", others="405")),
    Row(
        FOLLOW_UP,
        "POST",
        lambda w: _desk_url(w, "follow-ups/999999/done/"),
        roles(anonymous="login unchanged", lead="404 unchanged", superuser="404 unchanged", others="403 unchanged"),
        label="no such follow-up",
    ),
]
