"""People who chose German see the interface in German once they have signed in."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from insideout.people import services

from .support import screenshot, sign_in_with_form

pytestmark = pytest.mark.browser


def test_profile_language_de_gives_german_navigation_after_sign_in(page, org):
    services.profile_update(profile=org["employee"].profile, language="de")
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    sign_in_with_form(page, "eve@example.org")

    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hallo, Eve")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    with translation.override("de"):  # the service desk's entries, as the German catalogue has them
        portal = [
            gettext("Services"),
            gettext("My requests"),
            gettext("My promises"),
            gettext("Agreements"),
            gettext("Recognition"),
        ]
    expect(nav.get_by_role("link")).to_have_text(
        ["Start", "Personen", "Einheiten", *portal, "Mein Profil", "Benachrichtigungen"]
    )
    expect(nav.get_by_role("button")).to_have_text("Abmelden")
    screenshot(page, "german-home")

    nav.get_by_role("link", name="Mein Profil").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mein Profil")
    expect(page.get_by_role("button", name="Profil speichern")).to_be_visible()
    screenshot(page, "german-my-profile")


def test_people_without_a_language_choice_keep_english(page, org):
    sign_in_with_form(page, "eve@example.org")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="People")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))
