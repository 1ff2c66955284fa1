"""Each signed-in person sees the interface in their own language and times in their own zone."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from insideout.people import facade as people

_SHIPPED = {code for code, _name in settings.LANGUAGES}


class PersonLanguageMiddleware:
    """After authentication: the profile's language, else the HR language, else the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            locale = people.locale_for_user(user_id=user.pk)
            if locale is not None:
                language = locale.language.split("-")[0]
                if language in _SHIPPED:
                    translation.activate(language)
                    request.LANGUAGE_CODE = language
                try:
                    timezone.activate(ZoneInfo(locale.time_zone))
                except (ValueError, KeyError, OSError):
                    timezone.deactivate()
            request.locale = locale  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        response.headers.setdefault("Content-Language", translation.get_language() or settings.LANGUAGE_CODE)
        return response
