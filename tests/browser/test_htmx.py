"""The parts htmx drives: the unit tree loads branches on demand, people search updates as you type."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_unit_tree_loads_a_branch_when_opened_then_opens_a_unit_page(page, org, sign_in_as):
    sign_in_as(org["employee"])
    page.goto("/units/")
    # The single company at the top arrives open, so the first level shows without a click.
    acme = page.get_by_role("button", name="Sub-units of Acme")
    expect(acme).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Sales")).to_be_visible()
    it = page.get_by_role("button", name="Sub-units of IT")
    expect(it).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Helpdesk")).to_have_count(0)

    with page.expect_response(re.compile(rf"/units/{org['it'].pk}/children/$")):
        it.click()

    expect(it).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Helpdesk")).to_be_visible()

    it.click()  # closing hides the branch without asking the server again
    expect(it).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Helpdesk")).to_be_hidden()
    it.click()
    expect(page.get_by_role("link", name="Helpdesk")).to_be_visible()
    acme.click()
    expect(page.get_by_role("link", name="Sales")).to_be_hidden()
    acme.click()

    page.get_by_role("link", name="Helpdesk").click()
    expect(page).to_have_url(re.compile(rf"/units/{org['helpdesk'].pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Helpdesk")
    breadcrumbs = page.get_by_role("navigation", name="Breadcrumbs")
    expect(breadcrumbs.get_by_role("link")).to_have_text(["Units", "Acme", "IT"])
    expect(page.get_by_role("table").get_by_role("link", name="Sam Agent")).to_be_visible()


def test_people_search_updates_the_results_while_typing(page, org, sign_in_as):
    sign_in_as(org["employee"])
    page.goto("/people/")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(5)
    expect(page.get_by_role("status")).to_have_text("5 people")
    # A full page load would drop this marker; htmx swaps only the results.
    page.evaluate("window.stillTheSamePage = true")

    page.get_by_label("Search by name, title, e-mail or unit").press_sequentially("lena", delay=40)

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Lena Lead")
    # Screen readers hear the new count from the status line that stays in place, not the whole table.
    expect(page.get_by_role("status")).to_have_text("1 person")
    expect(page).to_have_url(re.compile(r"/people/\?q=lena$"))
    assert page.evaluate("window.stillTheSamePage") is True

    page.get_by_label("Search by name, title, e-mail or unit").fill("sales")
    expect(rows).to_have_count(2)
    expect(rows).to_contain_text(["Eve Employee", "Mo Manager"])

    page.get_by_label("Search by name, title, e-mail or unit").fill("zzz")
    expect(page.locator("#results")).to_contain_text("Nobody matches “zzz”.")
    expect(rows).to_have_count(0)
    expect(page.get_by_role("status")).to_have_text("0 people")
    assert page.evaluate("window.stillTheSamePage") is True
