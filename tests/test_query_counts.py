"""Pinned query counts for the API's reads and the busiest pages (C10): no N+1.

Each URL is requested with the small organisation of the ``org`` fixture (5 people), then again
after 25 more people, sub-units, profiles, events and notifications: the count is exact and the
same both times. When a change adds a query on purpose, raise the pin here and say why in the
commit; when the second number differs from the first, something loops over rows.

A signed-in page costs 5 queries before its view does anything: the session, the user, the
person (for the language), the roles, and the unread count for the navigation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from insideout.notifications import services as notifications
from insideout.people import services
from insideout.people.tests.factories import EmployeeFactory, UnitFactory
from insideout.recognition import awards, catalog, rewards
from insideout.recognition import services as recognition
from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import agreements
from insideout.servicedesk.cooperation import services as coop
from insideout.servicedesk.tests.factories import request_create


def grow(org: dict[str, Any], people: int = 25) -> None:
    """Add people to every kind of list the pages and endpoints show."""
    mo = org["manager"]
    teams = [UnitFactory(parent=org["sales"], name=f"Sales team {n}") for n in range(3)]
    for n in range(people):
        unit = [org["sales"], org["helpdesk"], *teams][n % 5]
        person = EmployeeFactory(unit=unit, manager=mo if n % 2 else org["employee"], title=f"Seller {n}")
        services.profile_update(profile=person.profile, actor=person.user, interests=[f"topic {n}"], about="Hi")
        services.employee_update(employee=person, actor=org["admin"].user, location=f"Floor {n}")
        notifications.notification_send(
            recipient_user_id=mo.user_id, kind="growth", render=lambda n=n: (f"News {n}", "Body")
        )
    for team in teams:
        services.unit_update(unit=team, lead=mo)
    services.profile_update(profile=mo.profile, actor=mo.user, interests=["sailing"])


PAGES: list[tuple[str, Callable[[dict[str, Any]], str], dict[str, str], int]] = [
    # (id, url, extra headers, queries). Paged lists read the page's ids first, then its rows
    # (core.pagination.IdsFirst): one query more, and no join or sort of the skipped rows.
    # The home page's service desk card (servicedesk.facade.summary_for) adds 4: the person's desk
    # standing (person, units led, desks) and the count of their open requests.
    ("home", lambda org: "/", {}, 12),
    ("people", lambda org: "/people/", {}, 8),
    ("people search", lambda org: "/people/?q=sales", {}, 8),
    ("people search, empty q", lambda org: "/people/?q=", {}, 8),
    (
        "people search, htmx results",
        lambda org: "/people/?q=e",
        {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"},
        7,
    ),
    ("people in a unit", lambda org: f"/people/?unit={org['sales'].pk}", {}, 10),
    ("person", lambda org: f"/people/{org['manager'].pk}/", {}, 8),
    ("person card", lambda org: f"/people/{org['manager'].pk}/card/", {}, 5),
    ("units", lambda org: "/units/", {}, 7),  # a single root opens with its children
    ("unit", lambda org: f"/units/{org['sales'].pk}/", {}, 11),
    ("unit children", lambda org: f"/units/{org['company'].pk}/children/", {}, 6),
    ("notifications", lambda org: "/notifications/", {}, 7),
    ("my profile", lambda org: "/me/profile/", {}, 6),
]

API: list[tuple[str, Callable[[dict[str, Any]], str], int]] = [
    # A token request costs 2 queries before the endpoint: the token and its user.
    ("me", lambda org: "/api/v1/me", 4),
    ("my profile", lambda org: "/api/v1/me/profile", 3),
    ("people", lambda org: "/api/v1/people", 6),
    ("people, big page", lambda org: "/api/v1/people?page_size=200", 6),
    ("people in a unit", lambda org: f"/api/v1/people?unit={org['sales'].pk}", 7),
    ("people search", lambda org: "/api/v1/people?q=sales", 6),
    ("person", lambda org: f"/api/v1/people/{org['manager'].pk}", 4),
    ("units", lambda org: "/api/v1/units", 5),
    ("unit", lambda org: f"/api/v1/units/{org['sales'].pk}", 5),
]


def test_page_queries_are_pinned_and_do_not_grow_with_the_data(org, client_for, django_assert_num_queries, subtests):
    # Not empty to begin with: an empty inbox skips its list query.
    notifications.notification_send(recipient_user_id=org["manager"].user_id, kind="hello", render=lambda: ("Hi", ""))
    client = client_for(org["manager"])

    def check(size: str) -> None:
        for name, url, headers, queries in PAGES:
            with subtests.test(f"{name}, {size}"), django_assert_num_queries(queries):
                assert client.get(url(org), **headers).status_code == 200

    check("5 people")
    grow(org)
    check("30 people")


def test_api_queries_are_pinned_and_do_not_grow_with_the_data(org, api, token_for, django_assert_num_queries, subtests):
    token = token_for(org["manager"])
    api("get", "/api/v1/me", token=token)  # the first use stamps last_used_at, once a minute at most

    def check(size: str) -> None:
        for name, url, queries in API:
            with subtests.test(f"{name}, {size}"), django_assert_num_queries(queries):
                assert api("get", url(org), token=token).status_code == 200

    check("5 people")
    grow(org)
    check("30 people")


def test_the_people_list_really_grew(org, api, token_for):
    token = token_for(org["manager"])
    grow(org)

    response = api("get", "/api/v1/people?page_size=200", token=token)

    assert response.json()["count"] == 30
    assert len(response.json()["items"]) == 30


def _agreement_world(desk):
    """Mo leads Sales; IT's agreement with Sales is in force, with one request of Eve's under it."""
    services.unit_update(unit=desk["sales"], lead=desk["manager"])
    today = timezone.localdate()
    terms = agreements.TermsInput(
        services=[desk["service"].pk],
        targets=[agreements.TargetInput(desk["service"].pk, "P2", 60, 480)],
        provider_contact=desk["agent"].pk,
        consumer_contact=desk["employee"].pk,
        starts_on=today,
        review_on=today + timedelta(days=180),
    )
    agreement = agreements.agreement_create(
        actor=desk["lead"].user,
        provider_id=desk["it"].pk,
        consumer_id=desk["sales"].pk,
        title="IT for Sales",
        terms=terms,
        propose=True,
    )
    agreements.agreement_accept(actor=desk["manager"].user, agreement=agreement)
    request_create(requester=desk["employee"], request_type=desk["request_type"], priority="P2")
    return agreement, terms


def _agreements_grow(desk, agreement, terms):
    """More agreements of IT with teams of Sales (Mo leads them), a pending revision with more
    targets, more versions, and more requests, promises and ratings under the agreement."""
    lena, mo, sam, eve = desk["lead"], desk["manager"], desk["agent"], desk["employee"]
    for n in range(6):
        team = UnitFactory(parent=desk["sales"], name=f"Sales team {n}")
        services.unit_update(unit=team, lead=mo)
        contact = EmployeeFactory(unit=team)
        agreements.agreement_create(
            actor=lena.user,
            provider_id=desk["it"].pk,
            consumer_id=team.pk,
            title=f"IT for team {n}",
            terms=replace(terms, consumer_contact=contact.pk),
            propose=n % 2 == 0,
        )
    for reason in ("Tighter P1", "Tighter P3"):
        agreements.agreement_revise(
            actor=lena.user,
            agreement=agreement,
            terms=replace(
                terms,
                targets=[
                    *terms.targets,
                    agreements.TargetInput(desk["service"].pk, "P1", 30, 240),
                    agreements.TargetInput(desk["service"].pk, "P3", 120, 960),
                ],
            ),
            reason=reason,
        )
    for n in range(8):
        request = request_create(requester=eve, request_type=desk["request_type"], priority="P2", subject=f"L{n}")
        coop.commitment_create_for_request(actor=sam.user, request=request, due_at=timezone.now() + timedelta(days=1))
        desk_services.request_transition(actor=sam.user, request=request, status="resolved")
        coop.feedback_give(actor=eve.user, request=request, rating=1 + n % 5, comment="")


def test_agreement_page_queries_are_pinned_and_do_not_grow_with_the_data(
    desk, client_for, django_assert_num_queries, subtests
):
    # The 5 of a signed-in page and the desk standing (3: person, units led, desks), then:
    # the list: the units the caller leads (who sees which), the count, the page's ids, its rows;
    # the page: the units the caller leads (who sees which), the agreement, its versions with their
    # services and targets (3), the units the caller leads again (which sides they sign for: the
    # selector asks once more), the public targets, and the adherence report (5).
    agreement, terms = _agreement_world(desk)
    client = client_for(desk["manager"])
    pages = [
        ("agreements", "/agreements/", 12),
        ("agreements, active", "/agreements/?state=active", 12),
        ("agreement", f"/agreements/{agreement.pk}/", 19),  # the led units read once per request
    ]
    for _name, url, _queries in pages:
        client.get(url)  # warm the per-process calendar cache of the clocks

    def check(size: str) -> None:
        for name, url, queries in pages:
            with subtests.test(f"{name}, {size}"), django_assert_num_queries(queries):
                assert client.get(url).status_code == 200

    check("1 agreement, 1 request")
    _agreements_grow(desk, agreement, terms)
    check("7 agreements, 9 requests, 3 versions")
    assert len(client.get("/agreements/").context["agreements"]) == 7
    assert len(client.get(f"/agreements/{agreement.pk}/").context["timeline"]) == 3


def test_agreement_api_queries_are_pinned_and_do_not_grow_with_the_data(
    desk, api, token_for, django_assert_num_queries, subtests
):
    # The token and its user, the caller's desk standing (3: person, units led, desks) and the
    # paths of the units they lead (who sees which), then: the list: the count, the page's ids,
    # its rows; the agreement: the agreement, its versions with their services and targets (3),
    # and the led paths again (which sides they sign for); the adherence report: the agreement
    # and its 5.
    agreement, terms = _agreement_world(desk)
    token = token_for(desk["manager"])
    api("get", "/api/v1/me", token=token)  # the first use stamps last_used_at
    urls = [
        ("agreements", "/api/v1/agreements", 9),
        ("agreements, active", "/api/v1/agreements?state=active", 9),
        ("agreement", f"/api/v1/agreements/{agreement.pk}", 10),  # the led units read once per request
        ("adherence", f"/api/v1/agreements/{agreement.pk}/adherence", 12),
    ]

    def check(size: str) -> None:
        for name, url, queries in urls:
            with subtests.test(f"{name}, {size}"), django_assert_num_queries(queries):
                assert api("get", url, token=token).status_code == 200

    check("1 agreement, 1 request")
    _agreements_grow(desk, agreement, terms)
    check("7 agreements, 9 requests, 3 versions")


def _recognitions(org, values, rounds: int) -> None:
    """Recognitions of Eve and others by several givers, naming values, with boosts; and Eve's
    points moving every way her history can show (given, received, boosted, redeemed and
    cancelled, a spot award)."""
    eve, mo, sam, lena = org["employee"], org["manager"], org["agent"], org["lead"]
    helpers = [EmployeeFactory(unit=org["sales"]) for _n in range(rounds)]
    for n, helper in enumerate(helpers):
        given = recognition.recognition_give(
            actor=helper.user, to=[eve.pk, sam.pk], message=f"Thanks {n}", values=[v.pk for v in values], points=5
        )
        recognition.recognition_boost(actor=lena.user, recognition=given, points=1)
        recognition.recognition_give(
            actor=eve.user, to=[helper.pk], message=f"Back {n}", values=[values[n % len(values)].pk], points=1
        )
    recognition.recognition_give(actor=mo.user, team_id=org["sales"].pk, message="Team!", values=[values[0].pk])
    mug = catalog.reward_create(actor=org["admin"].user, data=catalog.RewardInput(name="Mug", points_cost=5))
    cancelled = rewards.redemption_create(actor=eve.user, reward_id=mug.pk)
    rewards.redemption_cancel(actor=eve.user, redemption=cancelled)
    rewards.redemption_create(actor=eve.user, reward_id=mug.pk)
    awards.award_create(actor=mo.user, to=eve.pk, points=10 + rounds, reason="Launch")


def test_recognition_page_queries_are_pinned_and_do_not_grow_with_the_data(
    org, client_for, django_assert_num_queries, subtests
):
    # The 5 of a signed-in page, then the person (with their unit) and their accounts for the tabs
    # and the navigation's points (whether Eve has a budget comes from her roles: no query), then:
    # the wall: the values of the filter, the page's ids (one more than the page, to know whether
    # another follows: the wall is never counted), its rows with giver and team, their
    # recipients and values (2) and their boosts; 3 fewer for cards the process keeps already;
    # my points: the count, the page's ids, its entries with transactions and accounts, and what they
    # name: the recognitions with their recipients and values (3), the redemptions, the awards.
    values = [
        catalog.value_create(actor=org["admin"].user, name=name)
        for name in ("Be helpful", "Stay positive", "Be polite")
    ]
    _recognitions(org, values, rounds=1)
    client = client_for(org["employee"])
    pages = [  # (name, url, queries, queries with the cards kept)
        ("wall", "/recognition/", 13, 10),
        ("wall, received", "/recognition/?scope=mine", 13, 10),
        ("wall, by value and my unit", f"/recognition/?value={values[0].pk}&my_unit=on", 13, 10),
        ("my points", "/recognition/points/", 15, 15),
    ]

    def check(size: str) -> None:
        for name, url, queries, kept in pages:
            cache.clear()
            with subtests.test(f"{name}, {size}"), django_assert_num_queries(queries):
                assert client.get(url).status_code == 200
            with subtests.test(f"{name} again, {size}"), django_assert_num_queries(kept):
                assert client.get(url).status_code == 200

    check("4 recognitions")
    _recognitions(org, values, rounds=6)
    check("22 recognitions")
    assert len(client.get("/recognition/").context["cards"]) == 16
    assert len(client.get("/recognition/points/").context["lines"]) == 25
