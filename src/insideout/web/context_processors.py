from __future__ import annotations

from django.http import HttpRequest

from insideout.notifications import facade as notifications
from insideout.people import facade as people


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "me": getattr(request, "person", None),
        "my_roles": people.roles_of(user=user),
        "unread_notifications": notifications.unread_count(user_id=user.pk),
    }
