from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.http import HttpRequest

from insideout.notifications import facade as notifications
from insideout.people import facade as people
from insideout.people.contracts import Roles


def navigation(request: HttpRequest) -> dict[str, object]:
    """Whether the signed-in account is a person's (``me``), their roles and their unread count,
    for the navigation.

    Roles and the count are callables, which templates call on first use; memoised, so a
    fragment that never shows the navigation (an htmx partial) costs no query for them.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    user_id: int = user.pk

    @cache
    def my_roles() -> Roles:
        return people.roles_of(user=user)

    @cache
    def unread_notifications() -> int:
        return notifications.unread_count(user_id=user_id)

    lazy: dict[str, Callable[[], object]] = {"my_roles": my_roles, "unread_notifications": unread_notifications}
    # The language middleware read the person's locale already: a person's account has one.
    return {"me": getattr(request, "locale", None) is not None, **lazy}
