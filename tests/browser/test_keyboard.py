"""Keyboard only: reach a person's card button with Tab, open it with Enter, close it with Escape."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FOCUSED_CLASS = "document.activeElement && document.activeElement.className"


def test_card_opens_with_enter_and_closes_with_escape(page, org, sign_in_as):
    sign_in_as(org["employee"])
    page.goto("/people/?q=sam")
    toggle = page.get_by_role("button", name="How Sam Agent likes to work")

    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_CLASS) == "card-toggle":
            break
    expect(toggle).to_be_focused()

    page.keyboard.press("Enter")
    card = page.get_by_role("dialog", name="How Sam Agent likes to work")
    expect(card).to_be_visible()
    expect(card.get_by_role("heading", name="Sam Agent")).to_be_visible()
    page.keyboard.press("Tab")  # the open card comes next in the tab order
    expect(card.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Tab")
    expect(card.get_by_role("link", name="Open the full page")).to_be_focused()

    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    expect(toggle).to_be_focused()

    page.keyboard.press("Enter")  # opens again, without loading it again
    expect(card.get_by_role("heading", name="Sam Agent")).to_be_visible()


def test_skip_link_is_the_first_stop_and_moves_to_the_content(page, org, sign_in_as):
    sign_in_as(org["employee"])
    page.goto("/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")

    expect(page.locator("main")).to_be_focused()


def test_card_close_button_gives_focus_back(page, org, sign_in_as):
    sign_in_as(org["employee"])
    page.goto("/people/?q=sam")
    toggle = page.get_by_role("button", name="How Sam Agent likes to work")
    toggle.focus()
    page.keyboard.press("Enter")
    card = page.get_by_role("dialog", name="How Sam Agent likes to work")
    expect(card.get_by_role("heading", name="Sam Agent")).to_be_visible()

    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(card).to_be_hidden()
    expect(toggle).to_be_focused()
