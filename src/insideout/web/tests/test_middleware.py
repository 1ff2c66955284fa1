"""Each signed-in person's language and time zone are active while their request is served."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone, translation

from insideout.people import services
from insideout.people.models import Profile
from insideout.web.middleware import PersonLanguageMiddleware


def _seen(user: Any) -> tuple[str, str, str]:
    seen: dict[str, str] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen["zone"] = timezone.get_current_timezone_name()
        seen["language"] = translation.get_language() or ""
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = user
    with translation.override("en"):
        response = PersonLanguageMiddleware(view)(request)
    return seen["zone"], seen["language"], response.headers["Content-Language"]


def test_the_persons_zone_and_language_are_active_and_the_zone_is_reset_afterwards(org: dict[str, Any]) -> None:
    eve = org["employee"]
    services.employee_update(employee=eve, actor=org["admin"].user, time_zone="America/New_York", language="de")

    assert _seen(eve.user) == ("America/New_York", "de", "de")
    assert timezone.get_current_timezone_name() == "UTC"


def test_an_account_without_a_person_keeps_the_default_zone(org: dict[str, Any]) -> None:
    assert _seen(AnonymousUser()) == ("UTC", "en", "en")


def test_the_language_chosen_in_the_profile_wins_over_the_hr_records_in_one_query(
    org: dict[str, Any], django_assert_num_queries: Any
) -> None:
    eve = org["employee"]
    services.employee_update(employee=eve, actor=org["admin"].user, time_zone="Europe/Berlin", language="en")
    Profile.objects.update_or_create(employee=eve, defaults={"language": "de"})

    with django_assert_num_queries(1):
        assert _seen(eve.user) == ("Europe/Berlin", "de", "de")
