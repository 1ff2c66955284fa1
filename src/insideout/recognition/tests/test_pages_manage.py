"""People-ops' pages: only for people-ops; values (add, edit, reorder, switch off), points rules,
the rewards catalog with pictures, the fulfilment queue, the fair-play report and the payroll export."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from insideout.people.models import User
from insideout.recognition import rewards, selectors, services
from insideout.recognition.models import PointRule, Redemption, Reward, Value
from insideout.recognition.tests.pages import messages_of, png_bytes, reward_made, snapshot, values_made
from insideout.recognition.tests.test_rewards import fund

PAGES = [
    "/recognition/manage/",
    "/recognition/manage/rewards/",
    "/recognition/manage/rewards/new/",
    "/recognition/manage/fulfilment/",
    "/recognition/manage/fairness/",
    "/recognition/manage/payroll/",
    "/recognition/manage/payroll/csv/",
]


@pytest.mark.parametrize("url", PAGES)
def test_only_people_ops_open_the_admin_pages(org: dict[str, Any], client_for: Any, url: str) -> None:
    superuser = User.objects.create_superuser(username="root", email="root@example.org", password="x")  # noqa: S106

    codes = {who: client_for(org[who]).get(url).status_code for who in ("employee", "manager", "agent", "lead")}

    assert codes == dict.fromkeys(codes, 403)
    assert client_for(org["admin"]).get(url).status_code == 200
    assert client_for(superuser).get(url).status_code == 200
    assert "Only people-ops manage recognition" in client_for(org["lead"]).get(url).content.decode()


def test_a_value_is_added_and_a_name_twice_is_refused(org: dict[str, Any], client_for: Any) -> None:
    pat = client_for(org["admin"])

    added = pat.post("/recognition/manage/values/new/", {"name": "Be polite", "description": "Always."}, follow=True)
    twice = pat.post("/recognition/manage/values/new/", {"name": "be polite"})

    assert messages_of(added) == ["“Be polite” is one of the values now."]
    assert list(Value.objects.values_list("name", "description", "position")) == [("Be polite", "Always.", 1)]
    assert twice.context["value_form"].errors["name"] == ["There is a value of this name already."]
    assert Value.objects.count() == 1


def test_a_value_is_edited_and_switched_off(org: dict[str, Any], client_for: Any) -> None:
    value = values_made(org)[0]

    page = client_for(org["admin"]).get(f"/recognition/manage/values/{value.pk}/")
    response = client_for(org["admin"]).post(
        f"/recognition/manage/values/{value.pk}/", {"name": "Keep promises", "description": ""}, follow=True
    )

    assert page.context["form"].initial["name"] == "Honour commitments"
    assert messages_of(response) == ["“Keep promises” is saved."]
    value.refresh_from_db()
    assert (value.name, value.is_active) == ("Keep promises", False)
    assert value not in selectors.values_active()


def test_values_move_up_and_down(org: dict[str, Any], client_for: Any) -> None:
    first, second, third = values_made(org)
    pat = client_for(org["admin"])

    pat.post(f"/recognition/manage/values/{third.pk}/move/", {"direction": "up"})
    pat.post(f"/recognition/manage/values/{first.pk}/move/", {"direction": "down"})

    assert list(selectors.values_all()) == [third, first, second]


def test_a_points_rule_is_switched_on_and_off(org: dict[str, Any], client_for: Any) -> None:
    pat = client_for(org["admin"])
    on = {"event_type": "servicedesk.thanks_sent", "points": "5", "is_active": "on"}

    switched_on = pat.post("/recognition/manage/rules/", on, follow=True)
    zero = pat.post("/recognition/manage/rules/", on | {"points": "0"})
    unknown = pat.post("/recognition/manage/rules/", on | {"event_type": "nothing.happened"}, follow=True)

    assert messages_of(switched_on) == ["On: A thank-you on a request (to each person thanked), 5 points."]
    assert list(PointRule.objects.values_list("event_type", "points", "is_active")) == [
        ("servicedesk.thanks_sent", 5, True)
    ]
    assert "A rule that is on grants at least 1 point." in zero.content.decode()
    assert messages_of(unknown) == ["Points can be granted only for the events listed."]
    off = pat.post("/recognition/manage/rules/", {"event_type": "servicedesk.thanks_sent", "points": "5"}, follow=True)
    assert messages_of(off) == ["Off: A thank-you on a request (to each person thanked)."]
    assert PointRule.objects.get().is_active is False


def _reward_form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Mug",
        "kind": "merchandise",
        "points_cost": "50",
        "stock": "10",
        "per_person_limit": "",
        "countries": "de, at",
        "provider": "",
        "provider_sku": "",
        "position": "0",
        "is_active": "on",
        "description": "A mug.",
    }
    data.update(changes)
    return data


def test_a_reward_is_added_with_its_picture(
    org: dict[str, Any], client_for: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    picture = SimpleUploadedFile("mug.png", png_bytes(), "image/png")

    response = client_for(org["admin"]).post(
        "/recognition/manage/rewards/new/", _reward_form(picture=picture), follow=True
    )

    assert messages_of(response) == ["“Mug” is saved in the catalog."]
    reward = Reward.objects.get()
    assert (reward.points_cost, reward.stock, reward.countries, reward.is_active) == (50, 10, ["DE", "AT"], True)
    assert reward.picture.name.endswith("mug.png")
    assert Path(reward.picture.path).read_bytes() == png_bytes()
    assert list(response.context["rewards"]) == [reward]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param(
            {"picture": SimpleUploadedFile("mug.svg", b"<svg/>")},
            "picture",
            "“mug.svg”: choose a PNG, JPEG, GIF or WebP picture.",
            id="svg",
        ),
        pytest.param(
            {"picture": SimpleUploadedFile("mug.png", b"GIF89a not a png")},
            "picture",
            "“mug.png” is not the picture its name says.",
            id="not-what-it-says",
        ),
        pytest.param(
            {"picture": SimpleUploadedFile("mug.png", b"\x89PNG\r\n\x1a\n" + b"0" * 2_000_001)},
            "picture",
            "“mug.png” is larger than 2 MB.",
            id="too-large",
        ),
        pytest.param(
            {"countries": "Germany"},
            "countries",
            "Give countries as two-letter codes, e.g. DE, AT; not GERMANY.",
            id="country",
        ),
        pytest.param(
            {"provider": "acme"},
            "provider",
            "Select a valid choice. acme is not one of the available choices.",
            id="provider",
        ),
        pytest.param({"points_cost": "0"}, "points_cost", "At least 1 point.", id="free"),
        pytest.param({"stock": "-1"}, "stock", "Ensure this value is greater than or equal to 0.", id="negative-stock"),
    ],
)
def test_reward_mistakes_come_back_at_their_inputs(
    org: dict[str, Any],
    client_for: Any,
    settings: Any,
    tmp_path: Path,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    before = snapshot()

    response = client_for(org["admin"]).post("/recognition/manage/rewards/new/", _reward_form(**changes))

    assert response.context["form"].errors[field] == [message]
    assert snapshot() == before
    assert list(tmp_path.iterdir()) == []


def test_a_reward_is_edited_and_its_picture_removed(
    org: dict[str, Any], client_for: Any, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    mug = reward_made(org, picture=SimpleUploadedFile("mug.png", png_bytes()))
    stored = Path(mug.picture.path)

    with_picture = client_for(org["admin"]).get(f"/recognition/manage/rewards/{mug.pk}/")
    with django_capture_on_commit_callbacks(execute=True):  # the old file goes once the change is committed
        response = client_for(org["admin"]).post(
            f"/recognition/manage/rewards/{mug.pk}/",
            _reward_form(name="Big mug", points_cost="80", stock="", remove_picture="on", is_active=""),
            follow=True,
        )

    assert "Remove the picture" in with_picture.content.decode()
    mug.refresh_from_db()
    assert (mug.name, mug.points_cost, mug.stock, bool(mug.picture), mug.is_active) == (
        "Big mug",
        80,
        None,
        False,
        False,
    )
    assert "Out of the catalog" in response.content.decode()
    assert mug not in selectors.rewards_in_catalog()
    assert not stored.exists()


@pytest.fixture
def queue(org: dict[str, Any]) -> dict[str, Any]:
    mug = reward_made(org, name="Mug", points_cost=50, stock=5)
    fund(org["employee"], 200)
    first = rewards.redemption_create(actor=org["employee"].user, reward_id=mug.pk)
    second = rewards.redemption_create(actor=org["employee"].user, reward_id=mug.pk, quantity=2)
    return {**org, "mug": mug, "first": first, "second": second}


def test_the_fulfilment_queue_lists_held_redemptions_oldest_first(queue: dict[str, Any], client_for: Any) -> None:
    response = client_for(queue["admin"]).get("/recognition/manage/fulfilment/")

    assert list(response.context["redemptions"]) == [queue["first"], queue["second"]]
    assert "2 × Mug" in response.content.decode()


def test_people_ops_issue_with_a_code_or_cancel(queue: dict[str, Any], client_for: Any) -> None:
    pat = client_for(queue["admin"])

    issued = pat.post(
        f"/recognition/manage/redemptions/{queue['first'].pk}/issue/", {"note": "Tracking DE-123"}, follow=True
    )
    cancelled = pat.post(
        f"/recognition/manage/redemptions/{queue['second'].pk}/cancel/", {"note": "Out of blue mugs"}, follow=True
    )

    assert messages_of(issued) == ["Mug for Eve Employee is issued; they are told."]
    assert messages_of(cancelled) == ["Mug for Eve Employee is cancelled; the points are back."]
    states = dict(Redemption.objects.values_list("pk", "state"))
    assert states == {queue["first"].pk: "issued", queue["second"].pk: "cancelled"}
    assert Redemption.objects.get(pk=queue["first"].pk).note == "Tracking DE-123"
    assert selectors.points_of(employee_id=queue["employee"].pk).earned == 150
    assert list(cancelled.context["redemptions"]) == []
    mine = client_for(queue["employee"]).get("/recognition/rewards/").content.decode()
    assert "Tracking DE-123" in mine


def test_only_people_ops_decide_in_the_queue(queue: dict[str, Any], client_for: Any) -> None:
    before = snapshot()

    response = client_for(queue["employee"]).post(f"/recognition/manage/redemptions/{queue['first'].pk}/issue/")

    assert response.status_code == 403
    assert snapshot() == before


def test_the_fair_play_report_names_the_people_of_a_ring(org: dict[str, Any], client_for: Any) -> None:
    known = values_made(org)
    eve, sam = org["employee"], org["agent"]
    services.recognition_give(actor=eve.user, to=[sam.pk], message="Thanks", values=[known[0].pk], points=40)
    services.recognition_give(actor=sam.user, to=[eve.pk], message="Thanks", values=[known[0].pk], points=40)
    today = timezone.localdate()

    response = client_for(org["admin"]).get("/recognition/manage/fairness/")
    earlier = client_for(org["admin"]).get(
        f"/recognition/manage/fairness/?start={today - timedelta(days=60)}&end={today - timedelta(days=40)}"
    )

    (ring,) = response.context["rings"]
    assert (ring["people"], ring["points"]) == ([sam, eve], 80)
    assert [(a["giver"], a["recipient"], a["points"], a["percent"]) for a in ring["arrows"]] == [
        (sam, eve, 40, 100),
        (eve, sam, 40, 100),
    ]
    assert "40 points, 100 % of all the giver gave" in response.content.decode()
    assert earlier.context["rings"] == []
    assert "No reciprocal rings in this period." in earlier.content.decode()


def test_the_payroll_export_downloads_a_months_issued_rewards(queue: dict[str, Any], client_for: Any) -> None:
    rewards.redemption_fulfil(actor=queue["admin"].user, redemption=queue["first"], note="done")
    month = timezone.localdate().strftime("%Y-%m")
    pat = client_for(queue["admin"])

    page = pat.get(f"/recognition/manage/payroll/?month={month}")
    csv = pat.get(f"/recognition/manage/payroll/csv/?month={month}")

    assert page.context["rows"][0][:2] == ("Eve Employee", queue["employee"].employee_id)
    assert "5.00 EUR" in page.content.decode()
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv["Content-Disposition"] == f'attachment; filename="recognition-payroll-{month}.csv"'
    assert csv.content.decode().splitlines() == [
        "name,employee_id,month,value,currency",
        f"Eve Employee,{queue['employee'].employee_id},{month},5.00,EUR",
    ]


def test_the_payroll_page_shows_last_month_by_default(org: dict[str, Any], client_for: Any) -> None:
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)

    response = client_for(org["admin"]).get("/recognition/manage/payroll/")

    assert response.context["month"] == last_month
    assert "No rewards were issued in" in response.content.decode()
