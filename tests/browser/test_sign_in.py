"""Signing in with the e-mail address or the username, a wrong password, signing out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .support import sign_in_with_form

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("identifier", ["eve@example.org", "EVE@Example.org", "eve"])
def test_sign_in_with_email_or_username(page, org, identifier):
    sign_in_with_form(page, identifier)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Eve")


def test_wrong_password_shows_an_error_and_keeps_the_identifier(page, org):
    sign_in_with_form(page, "eve@example.org", "wrong-horse-battery")

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("alert")).to_have_text(
        "The e-mail address or username and the password do not match. Check both and try again."
    )
    expect(page.get_by_label("E-mail or username")).to_have_value("eve@example.org")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)


def test_sign_in_returns_to_the_page_asked_for(page, org):
    page.goto(f"/units/{org['it'].pk}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))

    page.get_by_label("E-mail or username").fill("eve")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(rf"/units/{org['it'].pk}/$"))


def test_sign_out_ends_the_session(page, org):
    sign_in_with_form(page, "eve")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Eve")

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.goto("/people/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/people/$"))
