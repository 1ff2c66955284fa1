"""One error shape for every failure: ``{"detail": "...", "errors": [{"field": ..., "message": ...}]}``."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from django.core import signals
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from insideout.core.errors import Conflict, Forbidden, NotFound

# Django's own logger for failed requests, so its handlers (mail_admins, error trackers) still fire.
request_logger = logging.getLogger("django.request")

View = Callable[..., HttpResponseBase]


def error_body(detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or []}


def _field_of(loc: list[Any] | tuple[Any, ...]) -> str:
    # Ninja locations look like ("body", "payload", "language") or ("query", "page").
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "header", "payload", "form")]
    return ".".join(parts) or "__all__"


def install(api: NinjaAPI) -> None:
    def respond(
        request: HttpRequest, status: int, detail: str, errors: list[dict[str, str]] | None = None
    ) -> HttpResponse:
        return api.create_response(request, error_body(detail, errors), status=status)

    @api.exception_handler(NinjaValidationError)
    def on_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [{"field": _field_of(err.get("loc", ())), "message": str(err.get("msg", ""))} for err in exc.errors]
        return respond(request, 422, "The request is not valid; see errors.", errors)

    @api.exception_handler(DjangoValidationError)
    def on_domain_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = [
                {"field": field, "message": message}
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
        else:
            errors = [{"field": "__all__", "message": message} for message in exc.messages]
        return respond(request, 422, "The request is not valid; see errors.", errors)

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, 401, "Authentication required: send 'Authorization: Bearer <token>'.")
        # RFC 9110 requires the challenge on a 401; Bearer (RFC 6750) never opens a browser dialog.
        response["WWW-Authenticate"] = 'Bearer realm="InsideOut API"'
        return response

    @api.exception_handler(Forbidden)
    def on_forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
        return respond(request, 403, exc.message)

    @api.exception_handler(PermissionDenied)
    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, str(exc) or "You may not do this.")

    @api.exception_handler(NotFound)
    def on_not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
        return respond(request, 404, exc.message)

    @api.exception_handler(Http404)
    def on_http404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, "Not found.")

    @api.exception_handler(Conflict)
    def on_conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        return respond(request, 409, exc.message)

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, exc.status_code, str(exc.message))

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # What Django does for an uncaught exception, minus the HTML page: tell the listeners
        # (and the test client) and log it; the caller learns nothing about the internals.
        signals.got_request_exception.send(sender=None, request=request)
        response = respond(request, 500, "Something went wrong on our side; it has been logged.")
        request_logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exc,
            extra={"status_code": 500, "request": request},
        )
        # Logged once, with the traceback; Django's handler would log the 500 again without it.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response


def json_error(detail: str, status: int, errors: list[dict[str, str]] | None = None) -> HttpResponse:
    """An error in the envelope, for responses made outside an operation (routing, 404, 405)."""
    return HttpResponse(
        json.dumps(error_body(detail, errors)), status=status, content_type="application/json; charset=utf-8"
    )


def enveloped(view: View) -> View:
    """Wrap a view of the API's URLconf so routing failures use the error envelope too.

    Ninja answers an unsupported method with a plain-text 405, and its root view raises
    ``Http404`` for Django's HTML page.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return not_found(request)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = ", ".join(sorted(response["Allow"].split(", ")))
            enveloped_response = json_error(f"{request.method} is not allowed here; use {allowed}.", 405)
            enveloped_response["Allow"] = allowed
            return enveloped_response
        return response

    return wrapper


@csrf_exempt  # answers 404 to every method; a CSRF page would hide that
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any path under the API that names no endpoint."""
    return json_error("Not found: no such endpoint. The list is at openapi.json.", 404)
