"""The everyday journey: sign in, find a colleague, read their card, edit my profile, see the change."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from insideout.people.models import Profile

from .support import screenshot, sign_in_with_form

pytestmark = pytest.mark.browser


def test_find_a_colleague_then_edit_my_profile_and_see_the_change(page, org):
    sign_in_with_form(page, "eve@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Eve")
    screenshot(page, "journey-1-home")

    page.get_by_label("Find a colleague").fill("Sam")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/people/\?q=Sam$"))
    results = page.locator("#results")
    expect(results.get_by_role("row")).to_have_count(2)  # header and Sam
    expect(results.get_by_role("link", name="Sam Agent")).to_be_visible()
    screenshot(page, "journey-2-search")

    results.get_by_role("button", name="How Sam Agent likes to work").click()
    card = page.get_by_role("dialog", name="How Sam Agent likes to work")
    expect(card.get_by_role("heading", name="Sam Agent")).to_be_visible()
    expect(card).to_contain_text("Reach me by")
    screenshot(page, "journey-3-card")
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()

    results.get_by_role("link", name="Sam Agent").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Agent")
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
    expect(page.get_by_role("heading", level=1)).to_have_text("Eve Employee")
    how = page.get_by_role("region", name="How I like to be served and recognised")
    expect(how.locator(".tag")).to_have_text(["cycling", "chess"])
    expect(how).to_contain_text("Within my team")
    expect(how).to_contain_text("Mornings are best for questions.")
    screenshot(page, "journey-6-my-page")

    profile = Profile.objects.get(employee=org["employee"])
    assert (profile.interests, profile.recognition_preference) == (["cycling", "chess"], "team")
