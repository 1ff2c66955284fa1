"""The recognition wall: who sees which recognitions, its tabs and filters, its empty states, the
boost button (with and without htmx), and the navigation's points."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from insideout.people import services as people
from insideout.people.models import User
from insideout.recognition import selectors, services
from insideout.recognition.models import Boost
from insideout.recognition.tests.pages import messages_of, snapshot, values_made


@pytest.fixture
def wall(org: dict[str, Any]) -> dict[str, Any]:
    """Eve recognised Sam (public, 20 points); Sam recognised Mo (private: Mo prefers it); Lena
    recognised Eve without points."""
    values = values_made(org)
    eve, sam, mo, lena = org["employee"], org["agent"], org["manager"], org["lead"]
    people.profile_update(profile=mo.profile, recognition_preference="private")
    laptop = services.recognition_give(
        actor=eve.user, to=[sam.pk], message="Thanks for the laptop!", values=[values[0].pk], points=20
    )
    quiet = services.recognition_give(actor=sam.user, to=[mo.pk], message="Thanks, quietly.", values=[values[1].pk])
    figures = services.recognition_give(
        actor=lena.user, to=[eve.pk], message="Great figures.", values=[values[1].pk, values[2].pk]
    )
    return {**org, "values": values, "laptop": laptop, "quiet": quiet, "figures": figures}


def _messages(response: Any) -> list[str]:
    return [card.recognition.message for card in response.context["cards"]]


def test_anonymous_visitors_are_sent_to_sign_in(client_for: Any, db: None) -> None:
    response = client_for(None).get("/recognition/")

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/recognition/")


def test_the_wall_shows_public_recognitions_newest_first_to_everyone(wall: dict[str, Any], client_for: Any) -> None:
    for who in ("employee", "agent", "manager", "lead", "admin"):
        response = client_for(wall[who]).get("/recognition/")

        assert response.status_code == 200
        assert _messages(response) == ["Great figures.", "Thanks for the laptop!"], who


def test_a_card_names_the_giver_the_recipients_the_values_and_the_points(wall: dict[str, Any], client_for: Any) -> None:
    response = client_for(wall["lead"]).get("/recognition/")
    html = response.content.decode()

    card = response.context["cards"][1]
    giver, recipients = card.recognition.giver, card.recipients
    assert (giver.pk, giver.name) == (wall["employee"].pk, wall["employee"].name)
    assert [(person.pk, person.name) for person in recipients] == [(wall["agent"].pk, wall["agent"].name)]
    assert card.points_each == 20
    assert [value.name for value in card.values] == ["Honour commitments"]
    assert "Thanks for the laptop!" in html
    assert "20 points each" in html
    assert '<span class="tag">Honour commitments</span>' in html


def test_received_and_given_show_mine_private_ones_too(wall: dict[str, Any], client_for: Any) -> None:
    mo, sam = client_for(wall["manager"]), client_for(wall["agent"])

    assert _messages(mo.get("/recognition/?scope=mine")) == ["Thanks, quietly."]
    assert _messages(mo.get("/recognition/?scope=given")) == []
    assert _messages(sam.get("/recognition/?scope=given")) == ["Thanks, quietly."]
    assert _messages(sam.get("/recognition/?scope=mine")) == ["Thanks for the laptop!"]
    assert "Private" in mo.get("/recognition/?scope=mine").content.decode()


def test_filters_by_value_person_and_my_unit(wall: dict[str, Any], client_for: Any) -> None:
    eve = client_for(wall["employee"])
    helpful, silo = wall["values"][1], wall["values"][2]

    assert _messages(eve.get(f"/recognition/?value={silo.pk}")) == ["Great figures."]
    assert _messages(eve.get(f"/recognition/?value={helpful.pk}")) == ["Great figures."]
    assert _messages(eve.get(f"/recognition/?person={wall['agent'].pk}")) == ["Thanks for the laptop!"]
    # Eve is in Sales: the one recognising her is of her unit, Sam's (Helpdesk) is not.
    assert _messages(eve.get("/recognition/?my_unit=on")) == ["Great figures."]
    filtered = eve.get(f"/recognition/?my_unit=on&value={wall['values'][0].pk}")
    assert _messages(filtered) == []
    assert "No recognition matches these filters." in filtered.content.decode()


def test_a_filter_without_javascript_finds_the_people_typed(wall: dict[str, Any], client_for: Any) -> None:
    response = client_for(wall["employee"]).get("/recognition/?person_q=sam")

    assert response.context["filter_people"] == [wall["agent"]]
    assert f'<option value="{wall["agent"].pk}">Sam Agent</option>' in response.content.decode()


@pytest.mark.parametrize(
    ("scope", "words"),
    [
        pytest.param("", "The wall is empty so far.", id="wall"),
        pytest.param("mine", "Nobody has recognised you yet.", id="received"),
        pytest.param("given", "You have not recognised anyone yet.", id="given"),
    ],
)
def test_empty_states_say_what_to_do(org: dict[str, Any], client_for: Any, scope: str, words: str) -> None:
    response = client_for(org["employee"]).get(f"/recognition/?scope={scope}")

    assert response.context["cards"] == []
    assert words in response.content.decode()


def test_an_account_without_a_person_sees_an_explanation(wall: dict[str, Any], client_for: Any) -> None:
    outsider = User.objects.create_user(username="olga", password="x")  # noqa: S106 - a test account

    response = client_for(outsider).get("/recognition/")

    assert response.status_code == 200
    assert response.context["cards"] == []
    assert "Your account is not linked to a person of the organisation" in response.content.decode()


def test_others_may_boost_a_public_recognition_but_not_their_own(wall: dict[str, Any], client_for: Any) -> None:
    cards = {who: client_for(wall[who]).get("/recognition/").context["cards"] for who in ("lead", "agent")}

    laptop = [card for card in cards["lead"] if card.recognition.pk == wall["laptop"].pk][0]
    assert (laptop.can_boost, laptop.boost_points) == (True, 10)
    assert [card.can_boost for card in cards["agent"]] == [True, False]  # Sam received the laptop one


def test_a_boost_through_the_page_moves_points_and_comes_back_with_a_message(
    wall: dict[str, Any], client_for: Any
) -> None:
    lena = client_for(wall["lead"])
    laptop = wall["laptop"]

    response = lena.post(
        f"/recognition/{laptop.pk}/boost/", {"points": 10, "next": "/recognition/?scope=given"}, follow=True
    )

    assert response.redirect_chain == [("/recognition/?scope=given", 302)]
    assert messages_of(response) == ["You boosted the recognition of Sam Agent: +10 points each."]
    boost = Boost.objects.get(recognition=laptop)
    assert (boost.giver, boost.points) == (wall["lead"], 10)
    assert selectors.points_of(employee_id=wall["agent"].pk).earned == 30
    assert selectors.points_of(employee_id=wall["lead"].pk).allowance == 90


def test_a_boost_by_htmx_answers_the_card_and_the_navigation_points(wall: dict[str, Any], client_for: Any) -> None:
    laptop = wall["laptop"]

    response = client_for(wall["lead"]).post(f"/recognition/{laptop.pk}/boost/", {"points": 10}, HTTP_HX_REQUEST="true")
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count(f'id="recognition-{laptop.pk}"') == 1
    assert "1 boost: +10 each" in html
    assert "You boosted it" in html
    assert "You boosted the recognition of Sam Agent: +10 points each." in html
    assert '<span id="nav-points" class="nav-points" hx-swap-oob="true">' in html


def test_a_refused_boost_says_why_and_moves_nothing(wall: dict[str, Any], client_for: Any) -> None:
    sam = client_for(wall["agent"])
    before = snapshot()

    own = sam.post(f"/recognition/{wall['laptop'].pk}/boost/", {"points": 10}, follow=True)
    negative = client_for(wall["lead"]).post(f"/recognition/{wall['laptop'].pk}/boost/", {"points": -5}, follow=True)

    assert messages_of(own) == ["You are part of this recognition; boost someone else's."]
    assert messages_of(negative) == ["Points cannot be negative."]
    assert snapshot() == before


def test_a_recognition_one_may_not_see_cannot_be_boosted(wall: dict[str, Any], client_for: Any) -> None:
    before = snapshot()

    response = client_for(wall["lead"]).post(f"/recognition/{wall['quiet'].pk}/boost/", {"points": 10})

    assert response.status_code == 404
    assert snapshot() == before


def test_the_navigation_links_the_wall_and_loads_the_points_after_the_page(
    wall: dict[str, Any], client_for: Any
) -> None:
    sam = client_for(wall["agent"])

    home = sam.get("/").content.decode()
    points = sam.get("/recognition/points/nav/").content.decode()
    on_the_wall = sam.get("/recognition/").content.decode()

    assert '<a href="/recognition/" >Recognition</a>' in home
    assert 'hx-get="/recognition/points/nav/" hx-trigger="load"' in home
    assert "★ 20" in points
    assert "20 points to spend, 100 to give this month" in points
    assert 'hx-get="/recognition/points/nav/"' not in on_the_wall  # the wall has them already
    assert "★ 20" in on_the_wall


def test_the_navigation_points_are_empty_for_an_account_without_a_person(db: None, client_for: Any) -> None:
    outsider = User.objects.create_user(username="olga", password="x")  # noqa: S106 - a test account

    response = client_for(outsider).get("/recognition/points/nav/")

    assert (response.status_code, response.content) == (200, b"")


def test_the_wall_pages_without_counting_and_says_when_a_page_is_past_the_end(
    org: dict[str, Any], client_for: Any
) -> None:
    values = values_made(org)
    for number in range(23):
        services.recognition_give(
            actor=org["employee"].user, to=[org["agent"].pk], message=f"Thanks #{number}", values=[values[0].pk]
        )
    client = client_for(org["lead"])

    first = client.get("/recognition/")
    second = client.get("/recognition/?page=2")
    beyond = client.get("/recognition/?page=9")
    nonsense = client.get("/recognition/?page=abc")

    assert _messages(first)[0] == "Thanks #22"
    assert len(first.context["cards"]) == 20
    assert _messages(second) == ["Thanks #2", "Thanks #1", "Thanks #0"]
    assert (first.context["page"].has_next, second.context["page"].has_next) == (True, False)
    first_html, second_html = first.content.decode(), second.content.decode()
    assert "Page 1" in first_html
    assert "of " not in first_html.split('class="pager"')[1].split("</nav>")[0]
    assert 'href="?page=2"' in first_html
    assert 'href="?page=1"' in second_html
    assert beyond.status_code == 200
    assert beyond.context["cards"] == []
    assert "There are no more recognitions here." in beyond.content.decode()
    assert _messages(nonsense) == _messages(first)


def test_the_wall_costs_the_same_queries_with_one_card_and_with_a_full_page(
    wall: dict[str, Any], client_for: Any, django_assert_num_queries: Any
) -> None:
    """Session, account, language, person, values, the page's ids, the roles, the points, the
    boosts, the unread notifications: 10, however many cards; 3 more (the cards' recipients, values
    and rows) for cards the process has not kept yet."""
    client, one_value = client_for(wall["manager"]), f"/recognition/?value={wall['values'][0].pk}"
    client.get(one_value)  # the first visit notes the session
    cache.clear()
    with django_assert_num_queries(13):
        cold = client.get(one_value)
    with django_assert_num_queries(10):
        one = client.get(one_value)
    assert [card.body for card in one.context["cards"]] == [card.body for card in cold.context["cards"]]
    assert len(one.context["cards"]) == 1

    eve, sam, lena = wall["employee"], wall["agent"], wall["lead"]
    for i in range(25):
        services.recognition_give(actor=eve.user, to=[sam.pk, lena.pk][: 1 + i % 2], message=f"Thanks {i}.",
                                  values=[wall["values"][i % 3].pk])  # fmt: skip
    with django_assert_num_queries(13):
        client.get("/recognition/")
    with django_assert_num_queries(10):
        full = client.get("/recognition/")
    assert len(full.context["cards"]) == 20


def test_kept_cards_are_kept_by_language_and_not_at_all_when_switched_off(
    wall: dict[str, Any], client_for: Any, settings: Any, django_assert_num_queries: Any
) -> None:
    english = client_for(wall["manager"])
    english.get("/recognition/")
    people.profile_update(profile=wall["lead"].profile, language="de")
    german = client_for(wall["lead"]).get("/recognition/").content.decode()
    assert "So arbeitet Eve Employee gern" in german
    assert "likes to work" not in german
    assert "How Eve Employee likes to work" in english.get("/recognition/").content.decode()

    settings.RECOGNITION_CARD_CACHE_SECONDS = 0
    cache.clear()
    english.get("/recognition/")
    with django_assert_num_queries(13):
        english.get("/recognition/")
