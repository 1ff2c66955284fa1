"""Who is calling: a personal access token (``Authorization: Bearer …``) or a signed-in session.

Tokens are tried first. A session is ambient authority (the browser attaches the cookie to any
request, even one a hostile page starts), so a write made with the session alone must carry the
CSRF token, exactly like a form post.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from insideout.core.errors import Forbidden
from insideout.people import facade as people

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _check_scope(request: HttpRequest, scope: str) -> None:
    if request.method in WRITE_METHODS and scope != "write":
        raise Forbidden("This token is read-only; create one with the write scope to change data.")


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        # Parsed here rather than by HttpBearer, which logs the whole header (a credential) in DEBUG.
        scheme, _, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        identity = people.token_authenticate(raw_token=token)
        if identity is None:
            return None
        # The facade has already refused tokens of deactivated accounts; checked again because
        # this is the row the request will act as.
        user = get_user_model().objects.filter(pk=identity.user_id, is_active=True).first()
        if user is None:
            return None
        request.user = user
        request.token_scope = identity.scope  # type: ignore[attr-defined]
        _check_scope(request, identity.scope)
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session, for the interactive docs and the pages' own scripts; CSRF-checked."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            # No session: not this scheme's call, so a token client gets a 401, not a CSRF 403.
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header with a session-authenticated write.")
        return self.authenticate(request, request.COOKIES.get(self.param_name))

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        request.token_scope = "write"  # type: ignore[attr-defined]
        return request.user


auth = [TokenAuth(), SessionAuth()]
