"""The one NinjaAPI instance, mounted at ``/api/v1/``."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI, Swagger

from insideout import __version__
from insideout.api import errors
from insideout.api.auth import auth
from insideout.core.idempotency import idempotent
from insideout.people.api import router as people_router
from insideout.recognition.api import router as recognition_router
from insideout.recognition.badges_api import router as badges_router
from insideout.servicedesk.api import router as servicedesk_router
from insideout.servicedesk.cooperation.agreements_api import router as agreements_router
from insideout.servicedesk.cooperation.api import router as cooperation_router
from insideout.servicedesk.cooperation.obstacles_api import router as obstacles_router


class InsideOutAPI(NinjaAPI):
    """A NinjaAPI whose every URL, even a wrong method or path, answers in the error envelope, and
    whose every write may carry an ``Idempotency-Key`` (``core.idempotency``)."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns: list[URLResolver | URLPattern] = []
        for pattern in super()._get_urls():
            if isinstance(pattern, URLPattern):
                # Inside the envelope: a replayed answer is returned as it was first given, and
                # idempotent() passes reads and writes without the header straight through.
                pattern.callback = errors.enveloped(idempotent(pattern.callback))
            patterns.append(pattern)
        # Last, so it only catches what no endpoint matched.
        patterns.append(re_path(r"^.*$", errors.not_found, name="not-found"))
        return patterns


api = InsideOutAPI(
    title="InsideOut API",
    version="1",
    description=(
        "The REST API of InsideOut. Authenticate with a personal access token: "
        "`Authorization: Bearer <token>` (create one under *My profile → API tokens* or with "
        "`insideout token create`). Errors always look like "
        '`{"detail": "...", "errors": [{"field": "...", "message": "..."}]}`. '
        "Every write (POST, PUT, PATCH, DELETE) may carry an `Idempotency-Key` header (1 to 200 "
        "printable characters, new for each write): a retry with the same key and the same body "
        "returns the first answer with `Idempotent-Replayed: true` and changes nothing twice; the "
        "same key with another body is a 422. Only successful (2xx) answers are kept, for 48 hours; "
        "a refused write may be corrected and sent again with the same key."
    ),
    auth=auth,
    # Swagger UI's default validator badge fetches validator.swagger.io with the schema's
    # address: a request off the network that also tells a third party where the API lives.
    docs=Swagger(settings={"validatorUrl": None}),
    urls_namespace="api",
    openapi_extra={"info": {"x-insideout-version": __version__}},
)
errors.install(api)
api.add_router("", people_router)
api.add_router("", servicedesk_router)
api.add_router("", cooperation_router)
api.add_router("", obstacles_router)
api.add_router("", agreements_router)
api.add_router("", recognition_router)
api.add_router("", badges_router)
