"""Idempotent writes: a write sent again with the same ``Idempotency-Key`` header returns the first
answer and changes nothing twice.

The wrapped view runs inside one transaction together with the record of its answer. A retry that
arrives after the first has committed finds the record and gets its answer. Two copies racing each
other: on SQLite the second waits for the first's write lock and then finds the record; on
PostgreSQL both may run, but the second's record collides with the first's on the unique
``(owner, key)`` index, which rolls the second's whole transaction back (its points included) before
it answers with the first's answer. Only successful answers (2xx) are kept: a refused write may be
corrected and sent again with the same key. Records are kept for ``IDEMPOTENCY_KEEP_HOURS``.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from insideout.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY = 200
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REPLAYED = "Idempotent-Replayed"

View = Callable[..., HttpResponseBase]


def _error(message: str, status: int) -> JsonResponse:
    # The API's envelope (insideout.api.errors), written here so core does not import the API.
    return JsonResponse(
        {"detail": message, "errors": [{"field": "Idempotency-Key", "message": message}]}, status=status
    )


def _owner(request: HttpRequest) -> str | None:
    """Who is writing: their bearer token, else their session's user; None for nobody."""
    authorization = request.headers.get("Authorization", "")
    if authorization:
        return hashlib.sha256(authorization.encode()).hexdigest()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return hashlib.sha256(f"user:{user.pk}".encode()).hexdigest()
    return None


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        return _error(
            "This Idempotency-Key was already used for a different request; use a new key for a new write.", 422
        )
    response = HttpResponse(bytes(record.body), status=record.status_code, content_type=record.content_type)
    response[REPLAYED] = "true"
    return response


def idempotent(view: View) -> View:
    """Wrap a view so writes with an ``Idempotency-Key`` header happen at most once per key."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        key = request.headers.get(HEADER)
        if request.method not in UNSAFE or key is None:
            return view(request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY or not key.isprintable():
            return _error(f"An Idempotency-Key is 1 to {MAX_KEY} printable characters.", 422)
        owner = _owner(request)
        if owner is None:
            return view(request, *args, **kwargs)  # the view answers 401
        fingerprint = _fingerprint(request)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
                if record is not None:
                    return _replay(record, fingerprint)
                response = view(request, *args, **kwargs)
                if 200 <= response.status_code < 300 and isinstance(response, HttpResponse):
                    IdempotencyRecord.objects.create(
                        owner=owner,
                        key=key,
                        fingerprint=fingerprint,
                        status_code=response.status_code,
                        content_type=response.get("Content-Type", "application/json"),
                        body=response.content,
                    )
                return response
        except IntegrityError:
            # A concurrent copy committed first; this one's changes are rolled back with the insert.
            record = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
            if record is None:
                raise
            return _replay(record, fingerprint)

    return wrapper


def idempotency_purge(*, now: Any = None) -> int:
    """Forget the answers older than ``IDEMPOTENCY_KEEP_HOURS``; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=int(settings.IDEMPOTENCY_KEEP_HOURS))
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
