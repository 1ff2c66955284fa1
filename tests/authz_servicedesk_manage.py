"""Authorization rows of the desk admin pages: catalog, calendar and standards editors (see authz_servicedesk).

Only the desk's admins work here: Lena (``lead``, she leads IT) and the superuser. Everyone else
who is signed in gets 403 on a desk's pages (the desks list itself answers everyone, with an empty
state). A save answers with a relative redirect to the same page (``./``); creating something
redirects to the new thing's page, whose id the matrix cannot know, so those rows send invalid
input (the form again, nothing changed) and the test files check the happy paths.
"""

from __future__ import annotations

from typing import Any

from authz import Row, World, roles

DESK = "desks/<int:desk_id>/"
SERVICE = "desks/services/<int:service_id>/"
TYPE = "desks/types/<int:request_type_id>/"
ADMINS_SEE = roles(anonymous="login", lead="200", superuser="200", others="403")
SAVED = roles(anonymous="login unchanged", lead="302 ./ changed", superuser="302 ./ changed", others="403 unchanged")
REFUSED = roles(anonymous="login unchanged", lead="200 unchanged", superuser="200 unchanged", others="403 unchanged")


def _desk(w: World, suffix: str = "") -> str:
    return f"/desks/{w.org['desk'].pk}/{suffix}"


def _service(w: World, suffix: str = "") -> str:
    return f"/desks/services/{w.org['service'].pk}/{suffix}"


def _type(w: World, suffix: str = "") -> str:
    return f"/desks/types/{w.org['request_type'].pk}/{suffix}"


def _calendar(w: World) -> dict[str, Any]:
    week = {f"week_{day}": "09:00–12:30, 13:30–17:00" for day in ("mon", "tue", "wed", "thu", "fri")}
    return {"time_zone": "Europe/Berlin", "country": "DE", "subdivision": "BE", **week, "week_sat": "10:00–14:00"}


def _service_form(w: World, name: str) -> dict[str, Any]:
    return {"name": name, "description": "", "owner": "", "audience": "everyone", "is_active": "on", "position": "0"}


def _type_form(w: World, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "description": "",
        "default_priority": "P3",
        "assignment": "manual",
        "is_active": "on",
        "position": "0",
        "fields-TOTAL_FORMS": "1",
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "50",
        "fields-0-key": "model",
        "fields-0-label": "Model",
        "fields-0-type": "choice",
        "fields-0-required": "on",
        "fields-0-choices": "13 inch\n15 inch\n17 inch",
        "fields-0-ORDER": "1",
    }


def _standard(w: World) -> dict[str, Any]:
    return {
        "priority": "P2",
        "P2-first_response_hours": "1",
        "P2-first_response_minutes": "30",
        "P2-resolution_hours": "6",
        "P2-resolution_minutes": "0",
        "P2-business_hours": "1",
        "P2-at_risk_percent": "20",
        "P2-pausing_statuses": ["waiting_on_requester"],
    }


PAGE_ROWS: list[Row] = [
    Row("desks/", "GET", lambda w: "/desks/", roles(anonymous="login", others="200")),
    Row(
        "desks/",
        "POST",
        lambda w: "/desks/",
        # Only the superuser has a unit to open a desk for (the helpdesk team); Lena's IT has one.
        roles(anonymous="login unchanged", superuser="200 unchanged", others="403 unchanged"),
        data=lambda w: {"unit": w.org["agent"].unit_id, "number_prefix": "it", "time_zone": "UTC"},
        label="a prefix already taken",
    ),
    Row(DESK, "GET", _desk, ADMINS_SEE),
    Row(DESK, "POST", _desk, SAVED, data=lambda w: {"number_prefix": "IT", "auto_close_days": "9"}),
    Row(DESK, "POST", _desk, REFUSED, data=lambda w: {"number_prefix": "IT", "auto_close_days": "0"}, label="invalid"),
    Row(f"{DESK}calendar/", "GET", lambda w: _desk(w, "calendar/"), ADMINS_SEE),
    Row(f"{DESK}calendar/", "POST", lambda w: _desk(w, "calendar/"), SAVED, data=_calendar),
    Row(
        f"{DESK}calendar/",
        "POST",
        lambda w: _desk(w, "calendar/"),
        REFUSED,
        data=lambda w: _calendar(w) | {"week_mon": "09:00–13:00, 12:00–17:00"},
        label="overlapping hours",
    ),
    Row(
        f"{DESK}calendar/preview/",
        "GET",
        lambda w: _desk(w, "calendar/preview/?time_zone=Europe/Berlin&week_mon=09:00-17:00&country=DE"),
        ADMINS_SEE,
    ),
    Row(f"{DESK}services/new/", "GET", lambda w: _desk(w, "services/new/"), ADMINS_SEE),
    Row(
        f"{DESK}services/new/",
        "POST",
        lambda w: _desk(w, "services/new/"),
        REFUSED,
        data=lambda w: _service_form(w, "laptops"),
        label="a name already taken",
    ),
    Row(SERVICE, "GET", _service, ADMINS_SEE),
    Row(SERVICE, "POST", _service, SAVED, data=lambda w: _service_form(w, "Laptops and docks")),
    Row(f"{SERVICE}types/new/", "GET", lambda w: _service(w, "types/new/"), ADMINS_SEE),
    Row(
        f"{SERVICE}types/new/",
        "POST",
        lambda w: _service(w, "types/new/"),
        REFUSED,
        data=lambda w: _type_form(w, "new LAPTOP"),
        label="a name already taken",
    ),
    Row(TYPE, "GET", _type, ADMINS_SEE),
    Row(TYPE, "POST", _type, SAVED, data=lambda w: _type_form(w, "New laptop")),
    Row(f"{TYPE}standards/", "GET", lambda w: _type(w, "standards/"), ADMINS_SEE),
    Row(f"{TYPE}standards/", "POST", lambda w: _type(w, "standards/"), SAVED, data=_standard),
]
