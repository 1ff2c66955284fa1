"""Who hears of recognition, spot awards and redemptions, and where each notification leads: the
recognition's own page, the award's page (whose buttons decide in one click), my points, my
redemptions."""

from __future__ import annotations

from typing import Any

import pytest

from insideout.notifications.models import Notification
from insideout.people import services as people
from insideout.people.tests.factories import EmployeeFactory
from insideout.recognition import awards, rewards, services
from insideout.recognition.tests.pages import reward_made, snapshot, values_made


def told(kind: str) -> list[tuple[str, str, str, str]]:
    """(who, title, body, url) of every notification of this kind, by recipient."""
    return list(
        Notification.objects.filter(kind=kind)
        .order_by("recipient__username")
        .values_list("recipient__username", "title", "body", "url")
    )


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run the event handlers of what the block commits, as the task queue would after the commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_recognition_s_notifications_open_it_for_those_who_may_see_it(
    org: dict[str, Any], client_for: Any, on_commit: Any
) -> None:
    eve, sam = org["employee"], org["agent"]
    people.profile_update(profile=sam.profile, actor=sam.user, recognition_preference="private")
    values = values_made(org)
    with on_commit():
        recognition = services.recognition_give(
            actor=eve.user, to=[sam.pk], message="The laptop was ready on day one.", values=[values[1].pk], points=20
        )
    url = f"/recognition/{recognition.pk}/"

    assert told("recognition.given") == [("sam", "Eve Employee recognised you", "You received 20 points.", url)]
    assert told("recognition.given_to_report") == [
        ("lena", "Eve Employee recognised Sam Agent", "Someone on your team was recognised.", url)
    ]
    for who in ("agent", "lead", "employee"):
        page = client_for(org[who]).get(url)
        assert page.status_code == 200
        assert "The laptop was ready on day one." in page.content.decode()
    # Private: Mo is not involved, so the page does not exist for him.
    assert client_for(org["manager"]).get(url).status_code == 404


def test_a_boost_leads_to_the_recognition_too(org: dict[str, Any], on_commit: Any) -> None:
    values = values_made(org)
    recognition = services.recognition_give(
        actor=org["employee"].user, to=[org["agent"].pk], message="Thanks", values=[values[0].pk]
    )
    with on_commit():
        services.recognition_boost(actor=org["manager"].user, recognition=recognition, points=5)

    assert told("recognition.boosted") == [
        ("sam", "Mo Manager boosted your recognition", "+5 points for you.", f"/recognition/{recognition.pk}/")
    ]


def test_the_giver_s_manager_decides_in_one_click_from_the_notification(
    org: dict[str, Any], client_for: Any, on_commit: Any
) -> None:
    """Mo's manager is Lena: she is asked, people-ops are not; she opens the award's page from the
    notification and approves it with one POST; Mo hears of it, and Eve that she is paid."""
    mo, eve, lena = org["manager"], org["employee"], org["lead"]
    people.employee_update(employee=mo, manager=lena)
    with on_commit():
        award = awards.award_create(actor=mo.user, to=eve.pk, points=300, reason="The Q3 launch")
    page_url = f"/recognition/awards/{award.pk}/"

    assert told(awards.AWARD_REQUESTED) == []
    assert told("recognition.award_to_decide") == [
        (
            "lena",
            "Mo Manager asks you to approve a spot award to Eve Employee",
            "300 points for Eve Employee: The Q3 launch",
            page_url,
        )
    ]
    before = snapshot()
    page = client_for(lena).get(page_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'action="/recognition/awards/{award.pk}/approve/"' in html
    assert f'action="/recognition/awards/{award.pk}/reject/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert snapshot() == before  # opening the page decides nothing

    with on_commit():
        response = client_for(lena).post(f"{page_url}approve/", {"next": page_url})
    assert (response.status_code, response["Location"]) == (302, page_url)
    award.refresh_from_db()
    assert award.state == "paid"
    assert told(awards.AWARD_APPROVED) == [
        (
            "mo",
            "Lena Lead approved your spot award to Eve Employee",
            "Eve Employee receives the 300 points.",
            "/recognition/approvals/#given-heading",
        )
    ]
    assert told("recognition.award_paid") == [
        ("eve", "Mo Manager gave you a spot award", "300 points for you: The Q3 launch", "/recognition/points/")
    ]
    decided = client_for(lena).get(page_url).content.decode()
    assert "/approve/" not in decided
    assert "Decided by Lena Lead" in decided


def test_without_a_manager_people_ops_are_asked_and_the_giver_hears_of_a_rejection(
    org: dict[str, Any], client_for: Any, on_commit: Any
) -> None:
    mo, eve = org["manager"], org["employee"]
    ops = EmployeeFactory(username="quinn", first_name="Quinn", last_name="Ops", unit=org["company"])
    ops.user.groups.add(org["admin"].user.groups.get())
    with on_commit():
        award = awards.award_create(actor=mo.user, to=eve.pk, points=300, reason="The launch")
    url = f"/recognition/awards/{award.pk}/"

    assert [(who, link) for who, _title, _body, link in told("recognition.award_to_decide")] == [
        ("pat", url),
        ("quinn", url),
    ]
    with on_commit():
        client_for(org["admin"]).post(f"{url}reject/", {"note": "Not this quarter"})
    assert told(awards.AWARD_REJECTED) == [
        (
            "mo",
            "Pat Ops rejected your spot award to Eve Employee",
            "The 300 points are back in your budget. Pat Ops wrote: Not this quarter",
            "/recognition/approvals/#given-heading",
        )
    ]
    assert told("recognition.award_paid") == []


def test_only_who_may_decide_opens_an_award_s_page(org: dict[str, Any], client_for: Any) -> None:
    award = awards.award_create(actor=org["manager"].user, to=org["employee"].pk, points=300, reason="The launch")
    url = f"/recognition/awards/{award.pk}/"

    statuses = {who: client_for(org[who]).get(url).status_code for who in ("admin", "manager", "employee", "agent")}

    # People-ops decide; the giver and the recipient are involved but may not; Sam is not involved.
    assert statuses == {"admin": 200, "manager": 403, "employee": 403, "agent": 404}
    assert client_for(org["admin"]).get("/recognition/awards/999999/").status_code == 404


def test_an_award_paid_at_once_reaches_the_recipient(org: dict[str, Any], on_commit: Any) -> None:
    with on_commit():
        awards.award_create(actor=org["manager"].user, to=org["employee"].pk, points=1, reason="Coffee run")

    assert told("recognition.award_paid") == [
        ("eve", "Mo Manager gave you a spot award", "1 point for you: Coffee run", "/recognition/points/")
    ]
    assert told("recognition.award_to_decide") == []


def test_a_redemption_s_person_hears_when_it_is_issued_or_cancelled(org: dict[str, Any], on_commit: Any) -> None:
    eve, pat = org["employee"], org["admin"]
    values = values_made(org)
    services.recognition_give(
        actor=org["manager"].user, to=[eve.pk], message="Thanks", values=[values[0].pk], points=50
    )
    mug = reward_made(org, points_cost=10)
    first, second, third = (rewards.redemption_create(actor=eve.user, reward_id=mug.pk) for _n in range(3))
    with on_commit():
        rewards.redemption_fulfil(actor=pat.user, redemption=first, note="Code MUG-42")
        rewards.redemption_cancel(actor=pat.user, redemption=second, reason="Out of mugs")
        rewards.redemption_cancel(actor=eve.user, redemption=third)  # her own: nothing to tell her

    mine = "/recognition/rewards/#my-redemptions"
    assert told(rewards.REDEMPTION_ISSUED) == [
        ("eve", "Your reward is ready: Mug", "Your code or tracking note: Code MUG-42", mine)
    ]
    assert told(rewards.REDEMPTION_CANCELLED) == [
        ("eve", "Your redemption of Mug was cancelled", "The points are back on your balance. Why: Out of mugs", mine)
    ]


def test_an_e_mail_notification_carries_the_link(
    org: dict[str, Any], on_commit: Any, mailoutbox: list[Any], settings: Any
) -> None:
    settings.SITE_URL = "https://insideout.example.org"
    people.profile_update(profile=org["agent"].profile, actor=org["agent"].user, preferred_channel="email")
    values = values_made(org)
    with on_commit():
        recognition = services.recognition_give(
            actor=org["employee"].user, to=[org["agent"].pk], message="Thanks", values=[values[0].pk]
        )

    [mail] = [message for message in mailoutbox if message.to == [org["agent"].user.email]]
    assert mail.body.endswith(f"https://insideout.example.org/recognition/{recognition.pk}/")
