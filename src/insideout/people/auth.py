"""Sign-in with either the username or the e-mail address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from insideout.people.models import User


class EmailOrUsernameBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if not username or not password:
            return None
        identifier = username.strip()
        user = User.objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier)).order_by("pk").first()
        if user is None:
            # Same work as a real check, so response time does not reveal which accounts exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
