"""The demo organisation (``insideout demo``) in the browser: the everyday journey of a demo
person, and the pages that only look like themselves with a realistic amount of data (a
paged people list, a deep unit tree, a lead with a team)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from insideout.people import demo
from insideout.people.models import Profile, User

from .support import PHONE, accessibility_problems, horizontal_scroll_problem, screenshot, sign_in_with_form

pytestmark = pytest.mark.browser

DEMO_EMPLOYEES = 60


@pytest.fixture
def demo_people(live_server) -> dict[str, User]:
    """A small demo organisation; its documented sign-ins by username."""
    demo.demo_load(employees=DEMO_EMPLOYEES)
    return {user.username: user for user in User.objects.filter(username__in=["admin", "alex", "sam", "lena", "mo"])}


def test_demo_person_finds_a_colleague_then_edits_their_profile_and_sees_the_change(page, demo_people):
    sign_in_with_form(page, "alex", demo.DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Alex")
    screenshot(page, "journey-1-home")

    page.get_by_label("Find a colleague").fill("Sam Patel")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/people/\?q=Sam\+Patel$"))
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Sam Patel", exact=True)).to_be_visible()
    screenshot(page, "journey-2-search")

    results.get_by_role("button", name="How Sam Patel likes to work").click()
    card = page.get_by_role("dialog", name="How Sam Patel likes to work")
    expect(card.get_by_role("heading", name="Sam Patel")).to_be_visible()
    expect(card).to_contain_text("Service Desk Analyst")
    screenshot(page, "journey-3-card")
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()

    results.get_by_role("link", name="Sam Patel", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Patel")
    expect(page.get_by_role("link", name="Edit my profile")).to_have_count(0)
    screenshot(page, "journey-4-person")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My profile").click()
    page.get_by_label("Interests beyond the job").fill("cycling, chess")
    page.get_by_role("radio", name="Within my team").check()
    page.get_by_label("Anything else colleagues should know?").fill("Mornings are best for questions.")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_role("status")).to_have_text("Your profile is saved.")
    expect(page.get_by_label("Interests beyond the job")).to_have_value("cycling, chess")
    screenshot(page, "journey-5-profile-saved")

    page.get_by_role("link", name="See my page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alex Morgan")
    how = page.get_by_role("region", name="How I like to be served and recognised")
    expect(how.locator(".tag")).to_have_text(["cycling", "chess"])
    expect(how).to_contain_text("Within my team")
    expect(how).to_contain_text("Mornings are best for questions.")
    screenshot(page, "journey-6-my-page")

    profile = Profile.objects.get(employee__user=demo_people["alex"])
    assert (profile.interests, profile.recognition_preference) == (["cycling", "chess"], "team")


def _people(page: Page, sign_in: Callable[[str], None]) -> None:
    sign_in("alex")
    page.goto("/people/")
    expect(page.get_by_role("navigation", name="Pages")).to_contain_text("Page 1 of 3")


def _people_last_page(page: Page, sign_in: Callable[[str], None]) -> None:
    sign_in("alex")
    page.goto("/people/?page=3")
    expect(page.get_by_role("link", name="Previous")).to_be_visible()


def _units(page: Page, sign_in: Callable[[str], None]) -> None:
    sign_in("alex")
    page.goto("/units/")
    page.get_by_role("button", name="Sub-units of Technology & Workplace").click()
    page.get_by_role("button", name="Sub-units of IT", exact=True).click()
    expect(page.get_by_role("link", name="Service Desk")).to_be_visible()


def _department(page: Page, sign_in: Callable[[str], None]) -> None:
    sign_in("alex")
    page.goto("/units/")
    page.get_by_role("button", name="Sub-units of Technology & Workplace").click()
    page.get_by_role("link", name="IT", exact=True).click()
    expect(page.get_by_role("heading", name="Sub-units")).to_be_visible()


def _lead_home(page: Page, sign_in: Callable[[str], None]) -> None:
    sign_in("mo")
    page.goto("/")
    expect(page.get_by_role("heading", name="My team")).to_be_visible()


def _lead_home_german(page: Page, sign_in: Callable[[str], None]) -> None:
    sign_in("lena")  # her HR record says German
    page.goto("/")
    expect(page.get_by_role("heading", name="Mein Team")).to_be_visible()


def _lead_page(page: Page, sign_in: Callable[[str], None]) -> None:
    sign_in("alex")
    page.goto("/people/?q=Lena+Hoffmann")
    page.get_by_role("link", name="Lena Hoffmann", exact=True).click()
    expect(page.get_by_role("heading", name="Reports")).to_be_visible()


DEMO_PAGES: dict[str, Callable[[Page, Callable[[str], None]], None]] = {
    "demo-people": _people,
    "demo-people-last-page": _people_last_page,
    "demo-units": _units,
    "demo-department": _department,
    "demo-lead-home": _lead_home,
    "demo-lead-home-german": _lead_home_german,
    "demo-lead-page": _lead_page,
}


@pytest.mark.parametrize("name", list(DEMO_PAGES))
def test_demo_page_is_accessible_and_fits_a_phone(name, page, demo_people, sign_in_as: Callable[[Any], None]):
    DEMO_PAGES[name](page, lambda username: sign_in_as(demo_people[username]))

    screenshot(page, f"desktop-{name}")
    problems = [accessibility_problems(page, name)]
    page.set_viewport_size(PHONE)
    screenshot(page, f"phone-{name}")
    problems.append(horizontal_scroll_problem(page, name))

    problems = [problem for problem in problems if problem]
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)
