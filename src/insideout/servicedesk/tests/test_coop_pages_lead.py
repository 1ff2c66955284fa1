"""The lead's view of a desk: kept-rates of the unit, its team and each person over a period,
broken promises, open follow-ups of low ratings (and closing one), satisfaction; figures checked
against a small hand-built week; who may see it; and its query count."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from insideout.people.tests.factories import EmployeeFactory
from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import services
from insideout.servicedesk.cooperation.models import FollowUp
from insideout.servicedesk.models import Request
from insideout.servicedesk.tests.coop import MONDAY_10, snapshot
from insideout.servicedesk.tests.factories import request_create

ClientFor = Callable[[Any], Client]
# The week of MONDAY_10 (23 to 29 November 2026), in the lead's days (Berlin).
WEEK = "?period=custom&start=2026-11-23&end=2026-11-29"
HOUR = timedelta(hours=1)


def _url(desk: dict[str, Any], query: str = WEEK) -> str:
    return f"/desk/{desk['desk'].pk}/cooperation/{query}"


def _resolved(desk: dict[str, Any], agent: Any, *, due_in: timedelta, rating: int | None = None) -> Request:
    """A request of Eve's, promised by ``agent`` for ``due_in`` after MONDAY_10 and resolved two
    hours after it (so kept when due later than that), perhaps rated."""
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    services.commitment_create_for_request(actor=agent.user, request=request, due_at=MONDAY_10 + due_in, now=MONDAY_10)
    desk_services.request_transition(actor=agent.user, request=request, status="resolved", now=MONDAY_10 + 2 * HOUR)
    if rating is not None:
        services.feedback_give(
            actor=desk["employee"].user, request=request, rating=rating, comment="Hm.", now=MONDAY_10 + 3 * HOUR
        )
    return request


@pytest.fixture
def week(desk: dict[str, Any]) -> dict[str, Any]:
    """Sam (helpdesk, below IT): two promises kept and one broken on requests, and a promise to a
    colleague broken; Lena (IT itself): one kept. Ratings 5, 4 and 2 (the 2 opens a follow-up)."""
    sam, lena = desk["agent"], desk["lead"]
    _resolved(desk, sam, due_in=timedelta(days=1), rating=5)
    _resolved(desk, sam, due_in=timedelta(days=2), rating=4)
    late = _resolved(desk, sam, due_in=HOUR, rating=2)
    _resolved(desk, lena, due_in=timedelta(days=1))
    promise = services.commitment_create(
        actor=sam.user, to_id=desk["manager"].pk, title="Sam's secret", due_at=MONDAY_10 + HOUR, now=MONDAY_10
    )
    services.commitment_done(actor=sam.user, commitment=promise, now=MONDAY_10 + 2 * HOUR)
    return {**desk, "late": late, "follow_up": FollowUp.objects.get(request=late)}


def test_the_lead_sees_the_week_s_figures(week: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(week["lead"]).get(_url(week))

    assert response.status_code == 200
    context = response.context
    # IT with the helpdesk: 3 kept (Sam 2, Lena 1), 2 broken (Sam's late request and his promise).
    assert (context["unit_rate"].kept, context["unit_rate"].broken, context["unit_percent"]) == (3, 2, 60)
    # IT's own team is Lena alone.
    assert (context["team_rate"].kept, context["team_rate"].broken, context["team_percent"]) == (1, 0, 100)
    assert [
        (row.person.name, row.kept_rate.kept, row.kept_rate.broken, percent) for row, percent in context["people"]
    ] == [
        ("Sam Agent", 2, 2, 50),
        ("Lena Lead", 1, 0, 100),
    ]
    assert [row.commitment.request_id for row in context["broken"]] == [None, week["late"].pk]
    satisfaction = context["satisfaction"]
    assert (satisfaction.total, round(satisfaction.average, 2)) == (3, 3.67)
    assert context["ratings"] == [(5, 1, 33), (4, 1, 33), (3, 0, 0), (2, 1, 33), (1, 0, 0)]
    assert [follow_up.pk for follow_up in context["follow_ups"]] == [week["follow_up"].pk]
    page = response.content.decode()
    assert "60 % kept" in page
    assert "3 of 5 promises kept, 2 broken" in page
    assert "3.7 of 5" in page
    assert "Figures for Nov. 23, 2026 to Nov. 29, 2026." in page
    assert "A promise to a colleague, not on a request" in page
    assert "secret" not in page  # only its two people see a promise's title
    assert f'action="/desk/{week["desk"].pk}/cooperation/follow-ups/{week["follow_up"].pk}/done/"' in page


def test_another_period_has_no_figures_and_says_so(week: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(week["lead"]).get(_url(week, "?period=custom&start=2026-11-30&end=2026-12-06"))

    page = response.content.decode()
    assert response.context["unit_rate"].settled == 0
    assert "No promise was kept or broken in this period, so there is no rate." in page
    assert "No ratings in this period." in page
    assert "No promise was broken in this period." in page
    assert "Nobody here settled a promise in this period." in page
    # Follow-ups are open until done, whatever the period.
    assert len(response.context["follow_ups"]) == 1


@pytest.mark.parametrize("period", ["", "?period=this_month", "?period=last_30", "?period=last_90"])
def test_the_rolling_periods_answer(week: dict[str, Any], client_for: ClientFor, period: str) -> None:
    response = client_for(week["lead"]).get(_url(week, period))

    assert response.status_code == 200
    assert response.context["period"].end >= response.context["period"].start


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?period=custom&start=2026-11-29&end=2026-11-23", "end", "The last day comes on or after the first."),
        ("?period=custom&start=2026-11-23", "end", "Give the first and the last day."),
        ("?period=custom&start=2010-01-01&end=2026-11-23", "end", "Choose a period of at most five years."),
        ("?period=custom&start=soon&end=2026-11-23", "start", "Enter a valid date."),
    ],
)
def test_a_wrong_period_is_said_and_this_month_is_shown(
    week: dict[str, Any], client_for: ClientFor, query: str, field: str, message: str
) -> None:
    response = client_for(week["lead"]).get(_url(week, query))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert "That period does not work; the figures below are for this month." in response.content.decode()


@pytest.mark.parametrize(("who", "status"), [("agent", 403), ("employee", 403), ("manager", 403), ("admin", 403)])
def test_only_the_desk_s_admins_see_it(week: dict[str, Any], client_for: ClientFor, who: str, status: int) -> None:
    response = client_for(week[who]).get(_url(week))

    assert response.status_code == status
    assert "Only the desk&#x27;s admins see its promises and satisfaction." in response.content.decode()


def test_a_superuser_sees_it_and_an_unknown_desk_is_404(week: dict[str, Any], client_for: ClientFor) -> None:
    root = get_user_model().objects.create_superuser(username="root", email="root@example.org", password="x")

    assert client_for(root).get(_url(week)).status_code == 200
    assert client_for(week["lead"]).get("/desk/999999/cooperation/").status_code == 404


def test_the_lead_closes_a_follow_up_and_comes_back_to_the_same_period(
    week: dict[str, Any], client_for: ClientFor
) -> None:
    follow_up = week["follow_up"]
    lena = client_for(week["lead"])
    url = f"/desk/{week['desk'].pk}/cooperation/follow-ups/{follow_up.pk}/done/"

    response = lena.post(url, {"period": "custom", "start": "2026-11-23", "end": "2026-11-29"})

    assert (response.status_code, response["Location"]) == (302, _url(week))
    follow_up.refresh_from_db()
    assert follow_up.state == "done"
    shown = lena.get(response["Location"])
    assert [str(message) for message in shown.context["messages"]] == [f"The follow-up of {week['late'].key} is done."]
    assert "No follow-up is open." in shown.content.decode()
    again = lena.post(url, follow=True)
    assert [str(message) for message in again.context["messages"]] == ["This follow-up is already done."]


def test_only_the_lead_it_is_for_closes_a_follow_up(week: dict[str, Any], client_for: ClientFor) -> None:
    root = get_user_model().objects.create_superuser(username="root", email="root@example.org", password="x")
    url = f"/desk/{week['desk'].pk}/cooperation/follow-ups/{week['follow_up'].pk}/done/"
    before = snapshot()

    by_superuser = client_for(root).post(url)
    by_agent = client_for(week["agent"]).post(url)
    unknown = client_for(week["lead"]).post(f"/desk/{week['desk'].pk}/cooperation/follow-ups/999999/done/")

    assert (by_superuser.status_code, by_agent.status_code, unknown.status_code) == (403, 403, 404)
    assert snapshot() == before


def test_the_desks_page_lists_the_desks_i_administer(week: dict[str, Any], client_for: ClientFor) -> None:
    lead_page = client_for(week["lead"]).get("/desk/cooperation/").content.decode()
    agent_page = client_for(week["agent"]).get("/desk/cooperation/").content.decode()

    assert f'href="/desk/{week["desk"].pk}/cooperation/"' in lead_page
    assert "You administer no service desk." in agent_page


def test_leads_find_the_view_from_the_queues_and_the_desk_s_admin_page(
    week: dict[str, Any], client_for: ClientFor
) -> None:
    lena = client_for(week["lead"])

    assert 'href="/desk/cooperation/"' in lena.get("/desk/").content.decode()
    assert f'href="/desk/{week["desk"].pk}/cooperation/"' in lena.get(f"/desks/{week['desk'].pk}/").content.decode()
    assert 'href="/desk/cooperation/"' not in client_for(week["agent"]).get("/desk/").content.decode()


# The 5 of every signed-in page, the desk, the desk standing (3), then per person the counts and
# the people (2), the broken ones (count, ids, rows), the follow-ups (the same three), the unit's
# and the team's kept-rate (the unit's path, then 2 aggregates), the ratings (1), and the unit's
# agreements (the units the caller leads, for who sees which, and the list: 2; each one in force
# adds its adherence, 5, for at most 10 agreements).
@pytest.mark.parametrize("n", [3, 30])
def test_the_view_s_query_count_is_flat(desk: dict[str, Any], client_for: ClientFor, n: int) -> None:
    agents = [EmployeeFactory(unit=desk["helpdesk"]) for _n in range(n)]
    for agent in agents:
        _resolved(desk, agent, due_in=HOUR, rating=1)
    client = client_for(desk["lead"])

    with CaptureQueriesContext(connection) as captured:
        response = client.get(_url(desk))

    assert len(response.context["people"]) == n
    assert len(response.context["broken"]) == min(n, 25)
    assert len(response.context["follow_ups"]) == min(n, 25)
    assert len(captured) == 23, "\n".join(q["sql"][:160] for q in captured.captured_queries)
