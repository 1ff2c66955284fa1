"""Service desk state built through the real services."""

from __future__ import annotations

from typing import Any

from insideout.people.models import Employee, Unit
from insideout.servicedesk import services
from insideout.servicedesk.models import Desk, Request, RequestType, Service

BERLIN_WEEK = {day: [["09:00", "12:30"], ["13:30", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def desk_create(
    *, unit: Unit, lead: Employee, prefix: str = "IT", time_zone: str = "Europe/Berlin", week: Any = None
) -> Desk:
    """A desk for ``unit`` (whose lead is ``lead``) on a Berlin calendar with a lunch break."""
    desk = services.desk_create(actor=lead.user, unit=unit, prefix=prefix, time_zone=time_zone)
    services.calendar_update(
        actor=lead.user, desk=desk, time_zone=time_zone, week=week or BERLIN_WEEK, country="DE", subdivision="BE"
    )
    desk.refresh_from_db()
    return desk


def catalog_create(*, desk: Desk, lead: Employee, assignment: str = "manual") -> dict[str, Any]:
    """A service with one request type whose form has a required choice and an optional date."""
    service = services.service_create(
        actor=lead.user, desk=desk, name="Laptops", description="New laptops, repairs and loans.", owner=lead
    )
    request_type = services.request_type_create(
        actor=lead.user,
        service=service,
        name="New laptop",
        description="Ask for a laptop for a new or current colleague.",
        assignment=assignment,
        fields=[
            {"key": "model", "label": "Model", "type": "choice", "required": True, "choices": ["13 inch", "15 inch"]},
            {"key": "needed_on", "label": "Needed on", "type": "date"},
        ],
    )
    return {"service": service, "request_type": request_type}


def request_create(
    *, requester: Employee, request_type: RequestType, subject: str = "Laptop for a new colleague", **extra: Any
) -> Request:
    fields = extra.pop("fields", {"model": "13 inch"})
    return services.request_create(
        actor=requester.user, request_type=request_type, subject=subject, fields=fields, **extra
    )


__all__ = ["BERLIN_WEEK", "Service", "catalog_create", "desk_create", "request_create"]
