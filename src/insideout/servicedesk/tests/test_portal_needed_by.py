"""The request form's optional "Needed by" and "Why then": recorded through the needed-by service
with the request, or, when wrong, shown beside the inputs with nothing filed."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from insideout.core.models import Event
from insideout.servicedesk.cooperation.models import NeededBy
from insideout.servicedesk.models import Request

ClientFor = Callable[[Any], Client]
BERLIN = ZoneInfo("Europe/Berlin")


def _url(desk: dict[str, Any]) -> str:
    return f"/services/types/{desk['request_type'].pk}/new/"


def _typed(**ahead: float) -> str:
    return (timezone.now() + timedelta(**ahead)).astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M")


def _form(**changes: str) -> dict[str, str]:
    return {"subject": "A laptop for Ada", "field_model": "13 inch", "priority": "P3", **changes}


def errors_of(response: Any, field: str) -> list[str]:
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', response.content.decode(), re.S)
    return [html_lib.unescape(item) for item in re.findall(r"<li>(.*?)</li>", match.group(1))] if match else []


def test_the_form_offers_the_optional_date_and_reason(desk: dict[str, Any], client_for: ClientFor) -> None:
    page = client_for(desk["employee"]).get(_url(desk)).content.decode()

    assert '<input type="datetime-local" name="needed_by"' in page
    assert "Needed by (optional)" in page
    assert '<textarea name="needed_by_reason"' in page


def test_a_sooner_date_is_filed_with_the_request_and_asks_the_desk(desk: dict[str, Any], client_for: ClientFor) -> None:
    typed = _typed(hours=5)
    client = client_for(desk["employee"])

    response = client.post(_url(desk), _form(needed_by=typed, needed_by_reason="Ada starts at noon."), follow=True)

    request = Request.objects.get()
    entry = NeededBy.objects.get(request=request)
    assert (entry.state, entry.reason, entry.requested_by) == ("proposed", "Ada starts at noon.", desk["employee"])
    assert entry.needed_by.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M") == typed
    when = entry.needed_by.astimezone(BERLIN)
    assert [str(message) for message in response.context["messages"]] == [
        "Your request IT-1 is filed. You can follow it here. "
        f"IT is asked to have it done by {when:%a} {when.day} {when:%b %Y, %H:%M}, or to propose another time."
    ]
    assert Event.objects.filter(type="servicedesk.needed_by_proposed").count() == 1


def test_without_a_date_nothing_is_negotiated(desk: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(desk["employee"]).post(_url(desk), _form())

    assert response.status_code == 302
    assert Request.objects.count() == 1
    assert not NeededBy.objects.exists()


PASSED = "This time has already passed; choose one in the future."
NO_DATE = "Give the date and time you need it by, or leave “Why then” empty."


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"needed_by": "in 5 hours", "needed_by_reason": "Soon"},
            "needed_by",
            "Enter a date and a time, e.g. 2026-11-26 15:00.",
        ),
        ({"needed_by": "2020-01-06T10:00", "needed_by_reason": "Late"}, "needed_by", PASSED),
        (
            {"needed_by": "2099-01-06T10:00", "needed_by_reason": "Far"},
            "needed_by",
            "Choose a time within the next five years.",
        ),
        ({"needed_by": "future", "needed_by_reason": ""}, "needed_by_reason", "Say why you need it by then."),
        ({"needed_by": "", "needed_by_reason": "Soon"}, "needed_by", NO_DATE),
    ],
)
def test_a_wrong_needed_by_date_files_nothing(
    desk: dict[str, Any], client_for: ClientFor, changes: dict[str, str], field: str, message: str
) -> None:
    if changes.get("needed_by") == "future":
        changes = {**changes, "needed_by": _typed(hours=5)}
    events = Event.objects.count()

    response = client_for(desk["employee"]).post(_url(desk), _form(**changes))

    assert response.status_code == 200
    assert errors_of(response, field) == [message]
    assert not Request.objects.exists()
    assert not NeededBy.objects.exists()
    assert Event.objects.count() == events
