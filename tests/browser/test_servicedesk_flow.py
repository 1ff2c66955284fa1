"""The service desk end to end in Chromium: a lead publishes, an employee asks, both watch one clock.

Lena (lead of IT) opens IT's desk, gives it a Berlin calendar with a lunch break, publishes the
"Laptops" service with a "New laptop" form and sets the P3 standard. Eve files a request through the
portal; she and Sam (an agent of the desk) see the same clock on their pages, and the API gives the
same deadline. Sam answers, which meets the first-response standard for both of them.
Screenshots of each step are kept under var/test-artifacts/ (``flow-*.png``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from insideout.people import services as people
from insideout.servicedesk.clockview import clock_view, clock_words, instant_words
from insideout.servicedesk.models import Desk, Request, RequestClock, RequestType, Service

from .support import screenshot

pytestmark = pytest.mark.browser

WEEK = "09:00–12:30, 13:30–17:00"


def _lead_publishes(page: Page, org: dict[str, Any]) -> RequestType:
    page.goto("/desks/")
    page.get_by_label("Unit").select_option(label="IT")
    page.get_by_label("Request number prefix").fill("IT")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_label("Country for public holidays").fill("DE")
    page.get_by_label("Subdivision").fill("BE")
    page.get_by_role("button", name="Open the desk").click()
    desk = Desk.objects.get(unit=org["it"])

    page.goto(f"/desks/{desk.pk}/calendar/")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        page.get_by_label(day, exact=True).fill(WEEK)
    page.get_by_role("button", name="Save a new version").click()
    expect(page.get_by_text("version 2").first).to_be_visible()
    screenshot(page, "flow-1-calendar")

    page.goto(f"/desks/{desk.pk}/services/new/")
    page.get_by_label("Name").fill("Laptops")
    page.get_by_label("Description").fill("New laptops, repairs and loans.")
    page.get_by_label("Published: shown in the catalog").check()
    page.get_by_role("button", name="Create the service").click()
    service = Service.objects.get(desk=desk, name="Laptops")

    page.goto(f"/desks/services/{service.pk}/types/new/")
    page.get_by_label("Name", exact=True).fill("New laptop")
    page.get_by_label("Published: people can file it").check()
    row = page.locator("#field-row-0")
    row.get_by_label("Key").fill("model")
    row.get_by_label("Label").fill("Model")
    row.get_by_label("Type").select_option("choice")
    row.get_by_label("Choices").fill("13 inch\n15 inch")
    row.get_by_label("Required").check()
    page.get_by_role("button", name="Create the request type").click()
    request_type = RequestType.objects.get(service=service, name="New laptop")

    page.goto(f"/desks/types/{request_type.pk}/standards/")
    p3 = page.locator("section", has=page.locator("#standard-P3"))
    p3.locator("input[name='P3-first_response_hours']").fill("2")
    p3.locator("input[name='P3-first_response_minutes']").fill("0")
    p3.locator("input[name='P3-resolution_hours']").fill("16")
    p3.locator("input[name='P3-resolution_minutes']").fill("0")
    p3.get_by_role("button", name="Save P3 as a new version").click()
    expect(page.get_by_text("Version 2:").first).to_be_visible()
    screenshot(page, "flow-2-standards")
    return request_type


def _words(request: Request, metric: str, zone: str) -> str:
    clock = RequestClock.objects.get(request=request, metric=metric)
    return clock_words(clock_view(clock), zone=ZoneInfo(zone))


def test_a_lead_publishes_an_employee_asks_and_both_watch_one_clock(
    page: Page, org: dict[str, Any], sign_in_as: Any
) -> None:
    eve, sam, lena = org["employee"], org["agent"], org["lead"]
    people.employee_update(employee=sam, actor=org["admin"].user, time_zone="Europe/Berlin")
    sign_in_as(lena)
    request_type = _lead_publishes(page, org)

    sign_in_as(eve)
    page.goto("/services/")
    page.get_by_role("link", name="Laptops").first.click()
    page.get_by_role("link", name="New laptop").first.click()
    page.get_by_label("Subject").fill("Laptop for Ada, who starts on Monday")
    page.get_by_label("Model").select_option("15 inch")
    screenshot(page, "flow-3-request-form")
    page.get_by_role("button", name="Send the request").click()
    request = Request.objects.get(request_type=request_type)
    expect(page).to_have_url(f"{page.url.split('/requests/')[0]}/requests/{request.key}/")
    first = RequestClock.objects.get(request=request, metric="first_response")
    # The standard Lena set: 2 working hours on the desk's calendar, so the deadline is in desk hours.
    assert first.target_seconds == 2 * 3600
    assert first.calendar_id == Desk.objects.get(pk=request.desk_id).calendar_id
    expect(page.get_by_text(_words(request, "first_response", eve.time_zone))).to_be_visible()
    screenshot(page, "flow-4-requester-sees-the-clock")

    sign_in_as(sam)
    page.goto("/desk/?queue=unassigned")
    expect(page.get_by_text(request.subject)).to_be_visible()
    page.get_by_role("link", name=request.key).click()
    due_for_sam = instant_words(first.due_at, zone=ZoneInfo("Europe/Berlin"))
    expect(page.get_by_text(_words(request, "first_response", "Europe/Berlin"))).to_be_visible()
    assert due_for_sam in _words(request, "first_response", "Europe/Berlin")
    screenshot(page, "flow-5-agent-sees-the-same-clock")

    _token, raw = people.api_token_create(user=eve.user, name="flow")
    clocks = Client().get(f"/api/v1/requests/{request.pk}/clocks", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    api_first = next(clock for clock in clocks if clock["metric"] == "first_response")
    # JSON carries milliseconds.
    due_at = first.due_at.replace(microsecond=first.due_at.microsecond // 1000 * 1000)
    assert datetime.fromisoformat(api_first["due_at"].replace("Z", "+00:00")) == due_at
    assert api_first["words"] == _words(request, "first_response", eve.time_zone)
    assert api_first["target"] == 2 * 3600

    page.get_by_label("Your reply").fill("Ordered; it arrives on Friday.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Ordered; it arrives on Friday.")).to_be_visible()
    met = RequestClock.objects.get(request=request, metric="first_response")
    assert met.state == "met"

    sign_in_as(eve)
    page.goto(f"/requests/{request.key}/")
    expect(page.get_by_text(_words(request, "first_response", eve.time_zone))).to_be_visible()
    expect(page.get_by_text("Ordered; it arrives on Friday.")).to_be_visible()
    screenshot(page, "flow-6-requester-sees-the-answer")
