"""The rewards catalog and my redemptions: what a person may redeem, redeeming after a confirmation,
the refusals (balance, stock, country, quantity) that move nothing, cancelling, and pictures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from insideout.people import services as people
from insideout.recognition import catalog, rewards, selectors
from insideout.recognition.models import Redemption
from insideout.recognition.tests.pages import messages_of, png_bytes, reward_made, snapshot
from insideout.recognition.tests.test_rewards import fund


@pytest.fixture
def shop(org: dict[str, Any], settings: Any, tmp_path: Path) -> dict[str, Any]:
    """A mug (50 points, 2 in stock, at most 1 a person), a voucher for Austria only, a lunch Eve
    cannot afford; Eve (in Germany) has 120 points."""
    settings.MEDIA_ROOT = tmp_path
    people.employee_update(employee=org["employee"], country="DE")
    picture = SimpleUploadedFile("mug.png", png_bytes(), "image/png")
    mug = reward_made(org, name="Mug", points_cost=50, stock=2, per_person_limit=1, picture=picture)
    voucher = reward_made(org, name="Voucher", points_cost=30, countries=["AT"], kind="gift_card")
    lunch = reward_made(org, name="Team lunch", points_cost=400, kind="experience")
    fund(org["employee"], 120)
    return {**org, "mug": mug, "voucher": voucher, "lunch": lunch}


def _offers(response: Any) -> dict[str, Any]:
    return {offer.reward.name: offer for offer in response.context["offers"]}


def test_the_catalog_says_what_each_person_may_redeem(shop: dict[str, Any], client_for: Any) -> None:
    response = client_for(shop["employee"]).get("/recognition/rewards/")
    html = response.content.decode()
    offers = _offers(response)

    assert list(offers) == ["Voucher", "Mug", "Team lunch"]
    assert offers["Mug"].can_redeem
    assert not offers["Voucher"].available_here
    assert offers["Team lunch"].short_by == 280
    assert "Not available in your country." in html
    assert "You need 280 more points." in html
    assert "2 left" in html
    assert "At most 1 per person; you have 0." in html
    assert f'src="/recognition/rewards/{shop["mug"].pk}/picture/"' in html
    assert "You have <strong>120</strong> points to spend." in html


def test_redeeming_asks_first_then_holds_the_points(shop: dict[str, Any], client_for: Any) -> None:
    eve = client_for(shop["employee"])
    mug = shop["mug"]

    asked = eve.get(f"/recognition/rewards/{mug.pk}/redeem/?quantity=1")
    done = eve.post(f"/recognition/rewards/{mug.pk}/redeem/", {"quantity": "1"}, follow=True)

    assert "It costs <strong>50 points</strong>; you have 120." in asked.content.decode()
    assert "70 are left after." in asked.content.decode()
    assert Redemption.objects.count() == 1  # only the POST redeems
    assert done.redirect_chain == [("/recognition/rewards/#my-redemptions", 302)]
    assert messages_of(done) == [
        "You redeemed Mug for 50 points. They are held until people-ops send it; you can follow it under "
        "My redemptions."
    ]
    redemption = Redemption.objects.get()
    assert (redemption.employee, redemption.state, redemption.points) == (shop["employee"], "held", 50)
    assert selectors.points_of(employee_id=shop["employee"].pk).earned == 70
    assert list(done.context["redemptions"]) == [redemption]
    assert "Points held, being fulfilled" in done.content.decode()
    assert _offers(done)["Mug"].limit_reached


@pytest.mark.parametrize(
    ("reward", "quantity", "message"),
    [
        pytest.param("lunch", "1", "The balance has 120 points; this needs 400.", id="beyond-the-balance"),
        pytest.param("mug", "2", "You can redeem Mug at most 1 times; you already have 0.", id="beyond-the-limit"),
        pytest.param(
            "voucher", "1", "Voucher is not available in your country; it is offered in AT.", id="not-in-my-country"
        ),
        pytest.param("mug", "0", "Redeem between 1 and 100 at a time.", id="no-quantity"),
    ],
)
def test_a_refused_redemption_says_why_and_moves_nothing(
    shop: dict[str, Any], client_for: Any, reward: str, quantity: str, message: str
) -> None:
    before = snapshot()

    response = client_for(shop["employee"]).post(
        f"/recognition/rewards/{shop[reward].pk}/redeem/", {"quantity": quantity}
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_a_refused_redemption_keeps_the_quantity_asked_for(shop: dict[str, Any], client_for: Any) -> None:
    """The page after a refusal asks again for what was asked, not for one (which a second click
    would have redeemed instead)."""
    response = client_for(shop["employee"]).post(f"/recognition/rewards/{shop['mug'].pk}/redeem/", {"quantity": "2"})
    page = response.content.decode()

    assert "You can redeem Mug at most 1 times" in page
    assert '<input type="hidden" name="quantity" value="2">' in page
    assert "2 × Mug" in page


def test_out_of_stock_is_refused(shop: dict[str, Any], client_for: Any) -> None:
    catalog.reward_update(
        actor=shop["admin"].user,
        reward=shop["mug"],
        data=catalog.RewardInput(name="Mug", points_cost=50, stock=0),
    )
    before = snapshot()

    response = client_for(shop["employee"]).post(f"/recognition/rewards/{shop['mug'].pk}/redeem/", {"quantity": "1"})

    assert "Only 0 of Mug are left in stock." in response.content.decode()
    assert snapshot() == before


def test_a_reward_out_of_the_catalog_cannot_be_redeemed(shop: dict[str, Any], client_for: Any) -> None:
    catalog.reward_update(
        actor=shop["admin"].user,
        reward=shop["lunch"],
        data=catalog.RewardInput(name="Team lunch", points_cost=400, is_active=False),
    )

    response = client_for(shop["employee"]).get(f"/recognition/rewards/{shop['lunch'].pk}/redeem/")

    assert response.status_code == 404


def test_cancelling_a_held_redemption_gives_the_points_back(shop: dict[str, Any], client_for: Any) -> None:
    redemption = rewards.redemption_create(actor=shop["employee"].user, reward_id=shop["mug"].pk)

    response = client_for(shop["employee"]).post(
        f"/recognition/redemptions/{redemption.pk}/cancel/", {"note": "Changed my mind"}, follow=True
    )

    assert messages_of(response) == ["Mug is cancelled; 50 points are back on your balance."]
    redemption.refresh_from_db()
    assert (redemption.state, redemption.note) == ("cancelled", "Changed my mind")
    assert selectors.points_of(employee_id=shop["employee"].pk).earned == 120


def test_nobody_cancels_another_persons_redemption_here(shop: dict[str, Any], client_for: Any) -> None:
    redemption = rewards.redemption_create(actor=shop["employee"].user, reward_id=shop["mug"].pk)
    before = snapshot()

    by_sam = client_for(shop["agent"]).post(f"/recognition/redemptions/{redemption.pk}/cancel/")
    by_pat = client_for(shop["admin"]).post(f"/recognition/redemptions/{redemption.pk}/cancel/")

    assert (by_sam.status_code, by_pat.status_code) == (404, 404)  # people-ops cancel from the queue
    assert snapshot() == before


def test_cancelling_twice_says_it_is_cancelled_already(shop: dict[str, Any], client_for: Any) -> None:
    redemption = rewards.redemption_create(actor=shop["employee"].user, reward_id=shop["mug"].pk)
    eve = client_for(shop["employee"])
    eve.post(f"/recognition/redemptions/{redemption.pk}/cancel/", follow=True)

    again = eve.post(f"/recognition/redemptions/{redemption.pk}/cancel/", follow=True)

    assert messages_of(again) == ["This redemption is already cancelled; its points were returned."]


def test_a_picture_is_served_as_an_image_to_members(shop: dict[str, Any], client_for: Any) -> None:
    response = client_for(shop["employee"]).get(f"/recognition/rewards/{shop['mug'].pk}/picture/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png_bytes()  # type: ignore[attr-defined]


def test_no_picture_is_a_404(shop: dict[str, Any], client_for: Any) -> None:
    response = client_for(shop["employee"]).get(f"/recognition/rewards/{shop['voucher'].pk}/picture/")

    assert response.status_code == 404
