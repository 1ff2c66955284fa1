"""What every service desk page shares: the acting user, and domain errors as HTTP answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from insideout.core.errors import Forbidden, NotFound
from insideout.people.models import User

T = TypeVar("T")


def actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def get_or_404(func: Callable[..., T], **kwargs: Any) -> T:
    """Call a ``*_get_for`` selector: NotFound becomes a 404 page, Forbidden a 403 page."""
    try:
        return func(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
