"""Promises end to end in Chromium: a needed-by date negotiated into a promise, held up by an
obstacle, moved once, kept, rated and thanked for, and counted in the lead's kept-rate.

Eve files a request for a laptop and says she needs it sooner than the standard allows. Sam (an
agent of IT's desk) cannot make that and proposes another time; Eve accepts it, and it becomes the
request's commitment. The supplier has not shipped the laptop: Sam flags an obstacle waiting on
them, which Eve sees on her request. Sam moves the promise once, with a reason, clears the obstacle
when the laptop arrives and resolves the request in time. Eve rates the service 4 with a comment and
thanks Sam, who finds the thanks among his notifications. Lena, the lead of IT, sees the promise
kept in her desk's figures. Each step is checked with axe-core and kept as a screenshot under
var/test-artifacts/ (``coop-*.png``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import services
from insideout.servicedesk.cooperation.models import Commitment, Feedback, NeededBy, Obstacle, ThankYou
from insideout.servicedesk.models import Request
from insideout.servicedesk.tests.factories import catalog_create, desk_create, request_create

from .support import DESKTOP, PHONE, accessibility_problems, horizontal_scroll_problem, screenshot

pytestmark = pytest.mark.browser

BERLIN = ZoneInfo("Europe/Berlin")  # everyone's zone, and the browser's


def _typed(**ahead: float) -> str:
    """A time ahead of now as a datetime-local input takes it, in Berlin, on the minute."""
    return (timezone.now() + timedelta(**ahead)).astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M")


def _step(page: Page, name: str) -> None:
    screenshot(page, name)
    assert not accessibility_problems(page, name), accessibility_problems(page, name)


def test_a_needed_by_date_becomes_a_promise_that_is_moved_kept_rated_and_thanked(
    page: Page, org: dict[str, Any], sign_in_as: Any
) -> None:
    eve, sam, lena = org["employee"], org["agent"], org["lead"]
    desk = desk_create(unit=org["it"], lead=lena)
    request_type = catalog_create(desk=desk, lead=lena)["request_type"]

    # Eve asks, sooner than the P3 standard (three working days) allows.
    sign_in_as(eve)
    page.goto(f"/services/types/{request_type.pk}/new/")
    page.get_by_label("Subject").fill("Laptop for Ada, who starts tomorrow")
    page.get_by_label("Model").select_option("13 inch")
    page.get_by_label("Needed by (optional)").fill(_typed(days=1))
    page.get_by_label("Why then").fill("Ada starts tomorrow morning.")
    _step(page, "coop-1-request-form-with-a-needed-by-date")
    page.get_by_role("button", name="Send the request").click()
    request = Request.objects.get(request_type=request_type)
    entry = NeededBy.objects.get(request=request)
    assert entry.state == "proposed"
    expect(page.get_by_text("IT is asked to have it done by")).to_be_visible()
    promises = page.locator("section.promises")
    expect(promises.get_by_text("Proposed", exact=True)).to_be_visible()
    expect(promises.get_by_text("Waiting for IT to accept the date or propose another.")).to_be_visible()
    _step(page, "coop-2-requester-waits-for-the-desk")

    # Sam cannot make it and proposes another time.
    sign_in_as(sam)
    page.goto(f"/requests/{request.key}/")
    promises = page.locator("section.promises")
    expect(promises.get_by_role("button", name="Accept")).to_be_visible()
    promises.get_by_label("Propose instead").fill(_typed(days=2))
    _step(page, "coop-3-agent-answers-the-date")
    promises.get_by_role("button", name="Propose this time").click()
    expect(page.get_by_text("the requester is asked.")).to_be_visible()
    entry.refresh_from_db()
    assert entry.state == "countered"

    # Eve accepts the counter-proposal: it becomes the request's commitment.
    sign_in_as(eve)
    page.goto(f"/requests/{request.key}/")
    promises = page.locator("section.promises")
    expect(promises.get_by_text("instead (Sam Agent).")).to_be_visible()
    _step(page, "coop-4-requester-sees-the-counter-proposal")
    promises.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("is now the promise.")).to_be_visible()
    commitment = Commitment.objects.get(request=request)
    assert (commitment.owner, commitment.due_at, commitment.state) == (sam, entry.counter_due_at, "open")
    expect(page.locator("section.promises").get_by_text("Open", exact=True)).to_be_visible()
    _step(page, "coop-5-the-counter-proposal-is-the-promise")

    # The supplier has not shipped the laptop: Sam flags an obstacle waiting on them.
    sign_in_as(sam)
    page.goto(f"/requests/{request.key}/")
    obstacles = page.locator("#obstacles-panel")
    expect(obstacles.get_by_text("Nothing blocks this request.")).to_be_visible()
    obstacles.get_by_text("Flag an obstacle").click()
    obstacles.get_by_label("What is blocking").fill("The supplier has not shipped the laptop yet.")
    obstacles.get_by_label("An outside party").check()
    obstacles.get_by_label("The outside party").fill("The laptop supplier")
    obstacles.get_by_label("Expected new date").fill(_typed(days=3))
    _step(page, "coop-6-agent-flags-an-obstacle")
    obstacles.get_by_role("button", name="Flag the obstacle").click()
    expect(page.get_by_text("The obstacle is flagged; the requester and the watchers are told.")).to_be_visible()
    obstacle = Obstacle.objects.get(request=request)
    assert (obstacle.state, obstacle.waiting_on, obstacle.waiting_on_outside, obstacle.flagged_by) == (
        "open",
        "outside",
        "The laptop supplier",
        sam,
    )
    expect(page.locator("#obstacles-panel li.obstacle-open")).to_contain_text("Waits on The laptop supplier")

    # Eve sees what holds her request up, and nothing to change there.
    sign_in_as(eve)
    page.goto(f"/requests/{request.key}/")
    blocking = page.locator("#obstacles-panel li.obstacle-open")
    expect(blocking.get_by_text("Blocking", exact=True)).to_be_visible()
    expect(blocking.get_by_text("The supplier has not shipped the laptop yet.")).to_be_visible()
    expect(blocking.get_by_text("Waits on The laptop supplier")).to_be_visible()
    expect(blocking.get_by_text("Flagged by Sam Agent")).to_be_visible()
    expect(page.locator("#obstacles-panel").get_by_text("Flag an obstacle")).to_have_count(0)
    expect(page.locator("#obstacles-panel").get_by_text("Resolve this obstacle")).to_have_count(0)
    _step(page, "coop-7-requester-sees-the-obstacle")

    # Sam moves the promise once, with a reason, clears the obstacle when the laptop arrives, and
    # resolves the request well before it is due.
    sign_in_as(sam)
    page.goto(f"/requests/{request.key}/")
    promises = page.locator("section.promises")
    promises.get_by_text("Move it").click()
    promises.get_by_label("New time").fill(_typed(days=4))
    promises.get_by_label("Why it moves").fill("The supplier ships on Thursday.")
    promises.get_by_role("button", name="Move the promise").click()
    expect(page.get_by_text("Moved once, 2 days later in total.")).to_be_visible()
    expect(page.locator("ol.versions").get_by_text("“The supplier ships on Thursday.”")).to_be_visible()
    expect(page.locator("ol.timeline").get_by_text("moved the promise to")).to_be_visible()
    _step(page, "coop-8-agent-moved-the-promise")
    obstacles = page.locator("#obstacles-panel")
    obstacles.get_by_text("Resolve this obstacle").click()
    obstacles.get_by_label("How it was cleared (optional)").fill("The laptop arrived this morning.")
    obstacles.get_by_role("button", name="Resolve").click()
    expect(page.get_by_text("The obstacle is resolved; the requester and the watchers are told.")).to_be_visible()
    resolved = page.locator("#obstacles-panel li.obstacle-resolved")
    expect(resolved.get_by_text("Resolved", exact=True)).to_be_visible()
    expect(resolved).to_contain_text("“The laptop arrived this morning.”")
    obstacle.refresh_from_db()
    assert (obstacle.state, obstacle.resolved_by, obstacle.resolution_note) == (
        "resolved",
        sam,
        "The laptop arrived this morning.",
    )
    _step(page, "coop-9-agent-cleared-the-obstacle")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("section.promises").get_by_text("Kept", exact=True)).to_be_visible()
    commitment.refresh_from_db()
    assert (commitment.state, commitment.moves) == ("kept", 1)

    # Eve rates the service 4 with a comment, and thanks Sam.
    sign_in_as(eve)
    page.goto(f"/requests/{request.key}/")
    promises = page.locator("section.promises")
    promises.get_by_label("4 — Very good").check()
    promises.get_by_label("Comment (optional)").fill("Quick, and Sam told me about the delay in time.")
    _step(page, "coop-10-requester-rates")
    promises.get_by_role("button", name="Send the rating").click()
    expect(page.get_by_text("Thank you for rating")).to_be_visible()
    assert (Feedback.objects.get(request=request).rating, Feedback.objects.get(request=request).comment) == (
        4,
        "Quick, and Sam told me about the delay in time.",
    )
    promises = page.locator("section.promises")
    expect(promises.get_by_label("Sam Agent", exact=True)).to_be_checked()
    promises.get_by_label("Your message").fill("Thank you, Sam: Ada had her laptop on day one!")
    promises.get_by_role("button", name="Say thank you").click()
    expect(page.get_by_text("Your thanks is on its way to Sam Agent.")).to_be_visible()
    assert list(ThankYou.objects.get(request=request).recipients.all()) == [sam]
    _step(page, "coop-11-requester-rated-and-thanked")

    # Sam finds the thanks among his notifications.
    sign_in_as(sam)
    page.goto("/notifications/")
    expect(page.get_by_text("Eve Employee thanks you")).to_be_visible()
    expect(page.get_by_text("Ada had her laptop on day one!")).to_be_visible()
    _step(page, "coop-12-agent-is-thanked")

    # Lena sees the kept promise in her desk's figures.
    sign_in_as(lena)
    page.goto("/desk/")
    page.get_by_role("link", name="Promises and satisfaction").click()
    page.get_by_role("link", name="IT", exact=True).click()
    figures = page.locator("section.figure").first
    expect(figures.get_by_text("100 % kept")).to_be_visible()
    expect(figures.get_by_text("1 of 1 promises kept, 0 broken")).to_be_visible()
    expect(page.get_by_text("4.0 of 5")).to_be_visible()
    _step(page, "coop-13-lead-sees-the-kept-rate")


def test_the_promise_pages_are_accessible_and_fit_a_phone(page: Page, org: dict[str, Any], sign_in_as: Any) -> None:
    """The request page with every part of its promises filled in, my promises and the lead's view,
    at desktop width (axe-core) and at phone width (nothing scrolls sideways)."""
    eve, sam, lena = org["employee"], org["agent"], org["lead"]
    desk = desk_create(unit=org["it"], lead=lena)
    request_type = catalog_create(desk=desk, lead=lena)["request_type"]
    request = request_create(requester=eve, request_type=request_type, subject="A docking station for the new desk")
    desk_services.request_assign(actor=lena.user, request=request, assignee_id=sam.pk)
    entry = services.needed_by_set(
        actor=eve.user, request=request, needed_by=timezone.now() + timedelta(hours=6), reason="The desk arrives today."
    )
    services.needed_by_respond(
        actor=sam.user, request=request, needed_by=entry, action="counter", due_at=timezone.now() + timedelta(days=1)
    )
    services.needed_by_respond(actor=eve.user, request=request, needed_by=entry, action="accept")
    commitment = Commitment.objects.get(request=request)
    services.commitment_revise(
        actor=sam.user,
        commitment=commitment,
        due_at=timezone.now() + timedelta(days=2),
        reason="The docking stations come in a day later than the supplier said.",
    )
    desk_services.request_transition(actor=sam.user, request=request, status="resolved")
    services.thanks_send(actor=eve.user, request=request, to=[sam.pk], message="Thank you for the quick help!")
    services.commitment_create(
        actor=eve.user, to_id=sam.pk, title="Send the room plan", due_at=timezone.now() + timedelta(days=3)
    )
    services.commitment_create(
        actor=sam.user, to_id=eve.pk, title="Lend a spare keyboard", due_at=timezone.now() + timedelta(days=1)
    )
    visits = [
        (eve, f"/requests/{request.key}/", "coop-request-requester"),
        (sam, f"/requests/{request.key}/", "coop-request-agent"),
        (eve, "/promises/", "coop-my-promises"),
        (lena, f"/desk/{desk.pk}/cooperation/", "coop-lead-view"),
        (lena, "/desk/cooperation/", "coop-lead-desks"),
    ]
    problems = []
    for who, url, name in visits:
        sign_in_as(who)
        page.set_viewport_size(DESKTOP)
        page.goto(url)
        screenshot(page, f"desktop-{name}")
        problems.append(accessibility_problems(page, name))
        page.set_viewport_size(PHONE)
        screenshot(page, f"phone-{name}")
        problems.append(horizontal_scroll_problem(page, name))
    problems = [problem for problem in problems if problem]
    assert not problems, "\n\n".join(problems)
