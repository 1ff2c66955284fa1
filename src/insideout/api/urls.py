"""The one NinjaAPI instance, mounted at ``/api/v1/``."""

from __future__ import annotations

from ninja import NinjaAPI

from insideout import __version__
from insideout.api import errors
from insideout.api.auth import auth
from insideout.people.api import router as people_router

api = NinjaAPI(
    title="InsideOut API",
    version="1",
    description=(
        "The REST API of InsideOut. Authenticate with a personal access token: "
        "`Authorization: Bearer <token>` (create one under *My profile → API tokens* or with "
        "`insideout token create`). Errors always look like "
        '`{"detail": "...", "errors": [{"field": "...", "message": "..."}]}`.'
    ),
    auth=auth,
    urls_namespace="api",
    openapi_extra={"info": {"x-insideout-version": __version__}},
)
errors.install(api)
api.add_router("", people_router)
