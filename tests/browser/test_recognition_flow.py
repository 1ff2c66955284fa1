"""Recognition end to end in Chromium: people-ops set up a value and a reward, a colleague is
recognised with points (the allowance line following along), boosted by someone else, and spends
the points on the reward, which people-ops issue.

Pat (people-ops) adds the value "Be helpful" and a mug of 40 points on the admin pages. Eve finds
Sam in the give form, ticks the value, writes why, gives him 30 points and sees before sending
what that leaves her and who will see it; the recognition is on the wall. Lena boosts it by 10
with one click (htmx swaps the card and her points in the navigation). Sam, now with 40 points,
redeems the mug after the confirmation; the points are held. Pat marks it issued with a tracking
note, which Sam finds under My redemptions. Each step is checked with axe-core and kept as a
screenshot under var/test-artifacts/ (``recognition-*.png``).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from insideout.recognition import selectors
from insideout.recognition.models import Recognition, Redemption, Reward, Value

from .support import PHONE, accessibility_problems, horizontal_scroll_problem, screenshot

pytestmark = pytest.mark.browser


def _step(page: Page, name: str) -> None:
    screenshot(page, name)
    assert not accessibility_problems(page, name), accessibility_problems(page, name)


def test_a_recognition_with_points_is_boosted_and_spent_on_a_reward(
    page: Page, org: dict[str, Any], sign_in_as: Any
) -> None:
    pat, eve, sam, lena = org["admin"], org["employee"], org["agent"], org["lead"]

    # Pat adds a value and a reward.
    sign_in_as(pat)
    page.goto("/recognition/manage/")
    page.get_by_label("Name").fill("Be helpful")
    page.get_by_label("What it looks like (optional)").fill("Go the extra step for the person in front of you.")
    page.get_by_role("button", name="Add the value").click()
    expect(page.get_by_text("“Be helpful” is one of the values now.")).to_be_visible()
    _step(page, "recognition-1-people-ops-add-a-value")
    page.get_by_role("link", name="Rewards catalog").click()
    page.get_by_role("link", name="New reward").first.click()
    page.get_by_label("Name", exact=True).fill("InsideOut mug")
    page.get_by_label("Points", exact=True).fill("40")
    page.get_by_label("In stock (optional)").fill("3")
    _step(page, "recognition-2-people-ops-add-a-reward")
    page.get_by_role("button", name="Save the reward").click()
    expect(page.get_by_text("“InsideOut mug” is saved in the catalog.")).to_be_visible()
    assert list(Reward.objects.values_list("name", "points_cost", "stock")) == [("InsideOut mug", 40, 3)]

    # Eve recognises Sam with 30 points; the allowance line follows as she fills in the form.
    sign_in_as(eve)
    page.goto("/recognition/give/")
    page.get_by_label("Find people by name or e-mail").fill("sam")
    people = page.locator("#people-list")
    people.get_by_label("Sam Agent").check()
    page.get_by_label("Be helpful").check()
    page.get_by_label("Your message").fill("Sam set up my laptop before my first customer call. Thank you!")
    page.get_by_label("Points to each person").fill("30")
    summary = page.locator("#give-summary")
    expect(summary).to_contain_text("You have 100 points left this month; this gives 30 to Sam Agent.")
    expect(summary).to_contain_text("Public: it goes on the wall")
    _step(page, "recognition-3-give-with-the-live-allowance")
    page.get_by_role("button", name="Send the recognition").click()
    expect(page.get_by_text("You recognised Sam Agent and gave 30 points from your allowance.")).to_be_visible()
    card = page.locator("article.recognition-card").first
    expect(card).to_contain_text("Sam set up my laptop before my first customer call.")
    expect(card).to_contain_text("30 points each")
    _step(page, "recognition-4-the-wall")
    recognition = Recognition.objects.get()
    assert [row.employee for row in recognition.recipients.all()] == [sam]
    assert list(recognition.values.all()) == [Value.objects.get(name="Be helpful")]

    # Lena boosts it; the card and her points in the navigation change in place.
    sign_in_as(lena)
    page.goto("/recognition/")
    expect(page.locator("#nav-points")).to_contain_text("★ 0")
    page.locator("article.recognition-card").first.get_by_role("button", name="Boost +10").click()
    card = page.locator("article.recognition-card").first
    expect(card).to_contain_text("You boosted the recognition of Sam Agent: +10 points each.")
    expect(card).to_contain_text("1 boost: +10 each")
    expect(card.get_by_role("button", name="Boost +10")).to_be_visible()  # she may boost again
    _step(page, "recognition-5-boosted")
    assert selectors.points_of(employee_id=lena.pk).allowance == 90

    # Sam spends his 40 points on the mug.
    sign_in_as(sam)
    page.goto("/recognition/points/")
    expect(page.locator("#nav-points")).to_contain_text("★ 40")
    expect(page.get_by_text("Recognition from Eve Employee")).to_be_visible()
    expect(page.get_by_text("Boost from Lena Lead")).to_be_visible()
    _step(page, "recognition-6-my-points")
    page.locator(".section-tabs").get_by_role("link", name="Rewards").click()
    mug = page.locator("li.reward", has_text="InsideOut mug")
    expect(mug).to_contain_text("3 left")
    mug.get_by_role("button", name="Redeem…").click()
    expect(page.get_by_text("It costs 40 points; you have 40.")).to_be_visible()
    _step(page, "recognition-7-redeem-confirm")
    page.get_by_role("button", name="Redeem", exact=True).click()
    expect(page.get_by_text("You redeemed InsideOut mug for 40 points.")).to_be_visible()
    redemptions = page.locator("section.my-redemptions")
    expect(redemptions).to_contain_text("Points held, being fulfilled")
    _step(page, "recognition-8-redeemed")
    redemption = Redemption.objects.get()
    assert (redemption.employee, redemption.state, redemption.points) == (sam, "held", 40)

    # Pat issues it with a tracking note; Sam finds it.
    sign_in_as(pat)
    page.goto("/recognition/manage/fulfilment/")
    page.get_by_label("Code or tracking note").fill("Parcel DE-4711")
    _step(page, "recognition-9-fulfilment-queue")
    page.get_by_role("button", name="Mark issued").click()
    expect(page.get_by_text("InsideOut mug for Sam Agent is issued; they are told.")).to_be_visible()
    sign_in_as(sam)
    page.goto("/recognition/rewards/")
    redemptions = page.locator("section.my-redemptions")
    expect(redemptions).to_contain_text("Issued")
    expect(redemptions).to_contain_text("Parcel DE-4711")
    _step(page, "recognition-10-issued")
    redemption.refresh_from_db()
    assert (redemption.state, redemption.note) == ("issued", "Parcel DE-4711")
    assert selectors.points_of(employee_id=sam.pk).earned == 0

    # The wall and the form fit a phone.
    page.set_viewport_size(PHONE)
    for url, name in (("/recognition/", "wall"), ("/recognition/give/", "give"), ("/recognition/rewards/", "rewards")):
        page.goto(url)
        screenshot(page, f"recognition-phone-{name}")
        assert not horizontal_scroll_problem(page, name), horizontal_scroll_problem(page, name)
