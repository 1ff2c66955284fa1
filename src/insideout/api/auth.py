"""Who is calling: a personal access token (``Authorization: Bearer …``) or a signed-in session."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from insideout.core.errors import Forbidden
from insideout.people import facade as people

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _check_scope(request: HttpRequest, scope: str) -> None:
    if request.method in WRITE_METHODS and scope != "write":
        raise Forbidden("This token is read-only; create one with the write scope to change data.")


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        identity = people.token_authenticate(raw_token=token)
        if identity is None:
            return None
        user = get_user_model().objects.filter(pk=identity.user_id, is_active=True).first()
        if user is None:
            return None
        request.user = user
        request.token_scope = identity.scope  # type: ignore[attr-defined]
        _check_scope(request, identity.scope)
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session, for the interactive docs; CSRF-checked like any form post."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            request.token_scope = "write"  # type: ignore[attr-defined]
            return user
        return None


auth = [TokenAuth(), SessionAuth()]
