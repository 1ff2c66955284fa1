"""Badges on each person's page: the directory's page loads recognition's fragment, which lists the
person's badges newest first (or says there are none), in a pinned number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from insideout.people import services as people
from insideout.recognition import badges
from insideout.recognition.models import Badge

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_the_person_page_has_a_slot_for_the_badges(org: dict[str, Any], client_for: Any) -> None:
    eve = org["employee"]
    html = client_for(org["agent"]).get(f"/people/{eve.pk}/").content.decode()

    assert f'hx-get="/recognition/people/{eve.pk}/badges/"' in html


def test_the_fragment_lists_the_badges_newest_first(
    org: dict[str, Any], client_for: Any, django_assert_num_queries: Any
) -> None:
    mo, eve = org["manager"], org["employee"]
    above = Badge.objects.get(name="Above and beyond")
    badges.badge_grant(
        actor=mo.user, badge=above, person_id=eve.pk, reason="The Q3 launch", now=NOW - timedelta(days=40)
    )
    badges.badge_grant(actor=mo.user, badge=above, person_id=eve.pk, reason="Year end", now=NOW)
    client = client_for(org["agent"])

    # The 5 of a signed-in page, then the caller's person, the person shown, and the badges with
    # who granted them.
    with django_assert_num_queries(8):
        response = client.get(f"/recognition/people/{eve.pk}/badges/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(award.reason, words) for award, words in rows] == [
        ("Year end", "3 December 2026"),
        ("The Q3 launch", "24 October 2026"),
    ]
    html = response.content.decode()
    assert "Granted by Mo Manager" in html
    assert html.index("Year end") < html.index("The Q3 launch")


def test_a_person_without_badges_gets_a_line_saying_so(org: dict[str, Any], client_for: Any) -> None:
    response = client_for(org["employee"]).get(f"/recognition/people/{org['agent'].pk}/badges/")

    assert response.status_code == 200
    assert "No badges yet." in response.content.decode()


def test_someone_who_left_has_no_badge_fragment(org: dict[str, Any], client_for: Any) -> None:
    sam = org["agent"]
    people.employee_deactivate(employee=sam)

    assert client_for(org["employee"]).get(f"/recognition/people/{sam.pk}/badges/").status_code == 404
    assert "badges-heading" not in client_for(org["employee"]).get(f"/people/{sam.pk}/").content.decode()
