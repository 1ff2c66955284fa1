"""Who may do what: every URL of the site and every API operation, for every role.

Each row names one route and method and what every role gets. A row's roles run one after the
other, each inside a savepoint that is rolled back, so one role's allowed write never changes what
the next role sees. For a write (POST, PATCH) the outcome also says whether the tables a user can
change (people, profiles, tokens, units, events, notifications) changed: a denied write must say
``unchanged``.

Two guards keep the table complete: a route of ``config.urls`` that no row covers fails
``test_every_route_of_the_site_has_a_row``, and an API operation without a row fails
``test_every_api_operation_has_a_row``. When you add a route, add its row here.

Outcomes: ``"200"`` (any status, as a number), ``"login"`` (a redirect to the sign-in page that
comes back to the same URL), ``"302 /somewhere/"`` (any other redirect); writes add
``changed`` or ``unchanged``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import authz_recognition_api
import authz_recognition_badges
import authz_recognition_pages
import authz_servicedesk
import authz_servicedesk_agreement_pages
import authz_servicedesk_agreements
import pytest
from authz import API_ROLES, LOGIN_URL, PAGE_ROLES, PASSWORD, Row, World, roles
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from insideout.api.urls import api as ninja_api
from insideout.core.models import Event
from insideout.notifications import services as notifications
from insideout.notifications.models import Notification
from insideout.people import services
from insideout.people.models import ApiToken, Employee, Profile, Unit, User
from insideout.people.selectors import PEOPLE_OPS_GROUP
from insideout.people.tests.factories import EmployeeFactory, UnitFactory
from insideout.servicedesk import models as servicedesk_models
from insideout.servicedesk import services as servicedesk_services
from insideout.servicedesk.tests import factories as servicedesk_factories

# Every service desk table a user can change through a page or the API.
SERVICEDESK_TABLES = {
    model._meta.model_name: model
    for model in (
        servicedesk_models.Desk,
        servicedesk_models.CalendarVersion,
        servicedesk_models.Service,
        servicedesk_models.RequestType,
        servicedesk_models.RequestField,
        servicedesk_models.ServiceStandard,
        servicedesk_models.Request,
        servicedesk_models.RequestClock,
        servicedesk_models.Comment,
        servicedesk_models.Attachment,
        servicedesk_models.Watcher,
        servicedesk_models.Commitment,
        servicedesk_models.CommitmentRevision,
        servicedesk_models.NeededBy,
        servicedesk_models.Feedback,
        servicedesk_models.FollowUp,
        servicedesk_models.ThankYou,
        servicedesk_models.ThankYou.recipients.through,
        servicedesk_models.Obstacle,
        servicedesk_models.Agreement,
        servicedesk_models.AgreementVersion,
        servicedesk_models.AgreementVersion.services.through,
        servicedesk_models.AgreementTarget,
    )
}


def _units_csv() -> dict[str, Any]:
    return {"kind": "units", "file": SimpleUploadedFile("units.csv", b"code,name\nLEGAL,Legal\n", "text/csv")}


def _profile_form() -> dict[str, Any]:
    return {
        "preferred_channel": "chat",
        "language": "",
        "communication_style": "facts",
        "recognition_preference": "team",
        "interests": "chess",
        "about": "Changed by the matrix",
    }


# --- The site: pages, sign-in, the API's own URLs -------------------------------------------

PAGE_ROWS = [
    Row("", "GET", lambda w: "/", roles(anonymous="login", others="200")),
    Row(
        "accounts/login/",
        "GET",
        lambda w: LOGIN_URL,
        roles(anonymous="200", others="302 /"),
    ),
    Row(
        "accounts/login/",
        "POST",
        lambda w: LOGIN_URL,
        roles(anonymous="200 unchanged", others="302 / unchanged"),
        data=lambda w: {"username": "eve", "password": "wrong"},
        label="wrong password",
    ),
    Row("accounts/logout/", "GET", lambda w: "/accounts/logout/", roles(others="405")),
    Row("accounts/logout/", "POST", lambda w: "/accounts/logout/", roles(others="302 /accounts/login/ unchanged")),
    Row(
        "accounts/password/change/",
        "GET",
        lambda w: "/accounts/password/change/",
        roles(anonymous="login", others="200"),
    ),
    Row(
        "accounts/password/change/",
        "POST",
        lambda w: "/accounts/password/change/",
        roles(anonymous="login unchanged", others="200 unchanged"),
        data=lambda w: {"old_password": "wrong", "new_password1": "n3w-Passw0rd!", "new_password2": "n3w-Passw0rd!"},
        label="wrong old password",
    ),
    Row(
        "accounts/password/change/done/",
        "GET",
        lambda w: "/accounts/password/change/done/",
        roles(anonymous="login", others="200"),
    ),
    Row("accounts/password/reset/", "GET", lambda w: "/accounts/password/reset/", roles(others="200")),
    Row(
        "accounts/password/reset/",
        "POST",
        lambda w: "/accounts/password/reset/",
        roles(others="302 /accounts/password/reset/done/ unchanged"),
        data=lambda w: {"email": "eve@example.org"},
    ),
    Row("accounts/password/reset/done/", "GET", lambda w: "/accounts/password/reset/done/", roles(others="200")),
    Row(
        "accounts/password/reset/<uidb64>/<token>/",
        "GET",
        lambda w: "/accounts/password/reset/MQ/not-a-token/",
        roles(others="200"),
        label="invalid link",
    ),
    Row(
        "accounts/password/reset/<uidb64>/<token>/",
        "POST",
        lambda w: "/accounts/password/reset/MQ/not-a-token/",
        roles(others="200 unchanged"),
        data=lambda w: {"new_password1": "n3w-Passw0rd!", "new_password2": "n3w-Passw0rd!"},
        label="invalid link",
    ),
    Row(
        "accounts/password/reset/complete/", "GET", lambda w: "/accounts/password/reset/complete/", roles(others="200")
    ),
    Row("i18n/setlang/", "GET", lambda w: "/i18n/setlang/?next=/units/", roles(others="302 /units/")),
    Row(
        "i18n/setlang/",
        "POST",
        lambda w: "/i18n/setlang/",
        roles(others="302 /units/ unchanged"),
        data=lambda w: {"language": "de", "next": "/units/"},
    ),
    Row("people/", "GET", lambda w: "/people/", roles(anonymous="login", outsider="403", others="200")),
    Row(
        "people/<int:employee_id>/",
        "GET",
        lambda w: f"/people/{w.org['employee'].pk}/",
        roles(anonymous="login", outsider="403", others="200"),
    ),
    Row(
        "people/<int:employee_id>/card/",
        "GET",
        lambda w: f"/people/{w.org['employee'].pk}/card/",
        roles(anonymous="login", outsider="403", others="200"),
    ),
    Row("units/", "GET", lambda w: "/units/", roles(anonymous="login", outsider="403", others="200")),
    Row(
        "units/<int:unit_id>/",
        "GET",
        lambda w: f"/units/{w.org['it'].pk}/",
        roles(anonymous="login", outsider="403", others="200"),
    ),
    Row(
        "units/<int:unit_id>/children/",
        "GET",
        lambda w: f"/units/{w.org['it'].pk}/children/",
        roles(anonymous="login", outsider="403", others="200"),
    ),
    Row(
        "me/profile/",
        "GET",
        lambda w: "/me/profile/",
        roles(anonymous="login", outsider="404", superuser="404", members="200"),
    ),
    Row(
        "me/profile/",
        "POST",
        lambda w: "/me/profile/",
        roles(
            anonymous="login unchanged",
            outsider="404 unchanged",
            superuser="404 unchanged",
            members="302 /me/profile/ changed",
        ),
        data=lambda w: _profile_form(),
    ),
    Row(
        "me/profile/",
        "POST",
        lambda w: "/me/profile/",
        roles(
            anonymous="login unchanged", outsider="404 unchanged", superuser="404 unchanged", members="200 unchanged"
        ),
        data=lambda w: _profile_form() | {"preferred_channel": "fax"},
        label="invalid",
    ),
    Row("me/tokens/", "GET", lambda w: "/me/tokens/", roles(anonymous="login", others="200")),
    Row(
        "me/tokens/",
        "POST",
        lambda w: "/me/tokens/",
        roles(anonymous="login unchanged", others="200 changed"),
        data=lambda w: {"name": "From the matrix", "scope": "write"},
    ),
    Row(
        "me/tokens/<int:token_id>/revoke/",
        "GET",
        lambda w: f"/me/tokens/{w.eve_token.pk}/revoke/",
        roles(anonymous="login", others="405"),
    ),
    Row(
        "me/tokens/<int:token_id>/revoke/",
        "POST",
        lambda w: f"/me/tokens/{w.eve_token.pk}/revoke/",
        roles(anonymous="login unchanged", employee="302 /me/tokens/ changed", others="404 unchanged"),
        data=lambda w: {},
        label="Eve's token",
    ),
    Row(
        "people/import/",
        "GET",
        lambda w: "/people/import/",
        roles(anonymous="login", admin="200", superuser="200", others="403"),
    ),
    Row(
        "people/import/",
        "POST",
        lambda w: "/people/import/",
        roles(anonymous="login unchanged", admin="200 changed", superuser="200 changed", others="403 unchanged"),
        data=lambda w: _units_csv(),
        label="units file, real run",
    ),
    Row("notifications/", "GET", lambda w: "/notifications/", roles(anonymous="login", others="200")),
    Row("notifications/read/", "GET", lambda w: "/notifications/read/", roles(anonymous="login", others="405")),
    Row(
        "notifications/read/",
        "POST",
        lambda w: "/notifications/read/",
        roles(anonymous="login unchanged", others="302 /notifications/ changed"),
        data=lambda w: {},
    ),
    Row("api/v1/openapi.json", "GET", lambda w: "/api/v1/openapi.json", roles(others="200")),
    Row("api/v1/docs", "GET", lambda w: "/api/v1/docs", roles(others="200")),
    Row("api/v1/", "GET", lambda w: "/api/v1/", roles(others="404")),
    Row("api/v1/^.*$", "GET", lambda w: "/api/v1/no-such-endpoint", roles(others="404")),
    Row("api/v1/^.*$", "POST", lambda w: "/api/v1/no-such-endpoint", roles(others="404 unchanged"), data=lambda w: {}),
    # Every admin URL is behind the admin's own staff check; its index stands for all of them.
    Row(
        "admin/",
        "GET",
        lambda w: "/admin/",
        roles(superuser="200", others="302 /admin/login/?next=/admin/"),
    ),
]

# --- The REST API: every operation of the OpenAPI schema -------------------------------------

API_ROWS = [
    Row("/api/v1/me", "GET", lambda w: "/api/v1/me", roles(anonymous="401", others="200")),
    Row(
        "/api/v1/me/profile",
        "GET",
        lambda w: "/api/v1/me/profile",
        roles(anonymous="401", outsider="404", superuser="404", others="200"),
    ),
    Row(
        "/api/v1/me/profile",
        "PATCH",
        lambda w: "/api/v1/me/profile",
        roles(
            anonymous="401 unchanged",
            outsider="404 unchanged",
            employee="200 changed",
            employee_read="403 unchanged",
            employee_session="403 unchanged",
            manager="200 changed",
            agent="200 changed",
            lead="200 changed",
            admin="200 changed",
            superuser="404 unchanged",
        ),
        data=lambda w: {"about": "Changed by the matrix"},
    ),
    Row("/api/v1/people", "GET", lambda w: "/api/v1/people", roles(anonymous="401", outsider="403", others="200")),
    Row(
        "/api/v1/people/{person_id}",
        "GET",
        lambda w: f"/api/v1/people/{w.org['employee'].pk}",
        roles(anonymous="401", outsider="403", others="200"),
    ),
    Row("/api/v1/units", "GET", lambda w: "/api/v1/units", roles(anonymous="401", outsider="403", others="200")),
    Row(
        "/api/v1/units/{unit_id}",
        "GET",
        lambda w: f"/api/v1/units/{w.org['it'].pk}",
        roles(anonymous="401", outsider="403", others="200"),
    ),
]


PAGE_ROWS += authz_servicedesk.PAGE_ROWS
PAGE_ROWS += authz_servicedesk_agreement_pages.PAGE_ROWS
PAGE_ROWS += authz_recognition_pages.PAGE_ROWS
API_ROWS += authz_servicedesk.API_ROWS
API_ROWS += authz_servicedesk_agreements.API_ROWS  # on the agreement of the page rows' world
API_ROWS += authz_recognition_badges.API_ROWS
API_ROWS += authz_recognition_api.API_ROWS  # on the recognitions, redemption and award of the page rows' world


# --- Set-up, and what a request changed ----------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """A small organisation, built once for the module.

    It lives in a transaction rolled back when the module ends; each test runs in a savepoint
    inside it (the ``db`` fixture), and each role's request in one more.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        company = UnitFactory(code="ACME", name="Acme", kind="company")
        it = UnitFactory(code="IT", name="IT", kind="department", parent=company, provides_services=True)
        sales = UnitFactory(code="SALES", name="Sales", kind="department", parent=company)
        manager = EmployeeFactory(username="mo", first_name="Mo", last_name="Manager", unit=sales)
        employee = EmployeeFactory(username="eve", first_name="Eve", last_name="Employee", unit=sales, manager=manager)
        admin = EmployeeFactory(username="pat", first_name="Pat", last_name="Ops", unit=company)
        admin.user.groups.add(Group.objects.get(name=PEOPLE_OPS_GROUP))
        org: dict[str, Any] = {"it": it, "employee": employee, "manager": manager, "admin": admin}
        helpdesk = UnitFactory(code="IT-HD", name="Helpdesk", kind="team", parent=it, provides_services=True)
        org["lead"] = EmployeeFactory(username="lena", first_name="Lena", last_name="Lead", unit=it)
        services.unit_update(unit=it, lead=org["lead"])
        org["agent"] = EmployeeFactory(username="sam", first_name="Sam", last_name="Agent", unit=helpdesk)
        org["desk"] = servicedesk_factories.desk_create(unit=it, lead=org["lead"])
        org.update(servicedesk_factories.catalog_create(desk=org["desk"], lead=org["lead"]))
        org["request"] = servicedesk_factories.request_create(requester=employee, request_type=org["request_type"])
        # A file of Eve's on her request, and one on an internal note of Sam's (the download rows).
        org["attachment"] = servicedesk_services.attachment_add(
            actor=employee.user, request=org["request"], upload=SimpleUploadedFile("photo.png", b"png", "image/png")
        )
        org["note_attachment"] = servicedesk_services.request_comment(
            actor=org["agent"].user,
            request=org["request"],
            body="Checked the warranty.",
            internal=True,
            attachments=[SimpleUploadedFile("invoice.pdf", b"%PDF", "application/pdf")],
        ).attachments.get()
        authz_servicedesk.world_extend(org)  # commitments, negotiations, a resolved request
        authz_servicedesk_agreement_pages.world_extend(org)  # an agreement IT proposed to the company
        authz_recognition_badges.world_extend(org)  # a manual badge Mo granted Eve
        authz_recognition_pages.world_extend(org)  # values, recognitions, a held mug, an award to approve
        # Accounts without a person come from Django's createsuperuser or admin, not a service.
        org["outsider"] = User.objects.create_user(username="olga", email="olga@example.org", password=PASSWORD)
        org["superuser"] = User.objects.create_superuser(username="root", email="root@example.org", password=PASSWORD)
        eve_token, _raw = services.api_token_create(user=employee.user, name="Eve's script")
        world = World(org=org, eve_token=eve_token)
        for role in ("outsider", "superuser", "employee", "manager", "agent", "lead", "admin"):
            notifications.notification_send(
                recipient_user_id=_user(world, role).pk, kind="matrix", render=lambda: ("Something happened", "")
            )
        yield world
        transaction.set_rollback(True)


def _user(world: World, role: str) -> User:
    who = world.org[role]
    return who if isinstance(who, User) else who.user


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row a user could change through the site or the API."""
    tables = {"user": User, "employee": Employee, "profile": Profile, "unit": Unit, "token": ApiToken}
    rows = {name: list(model.objects.order_by("pk").values()) for name, model in tables.items()}
    rows["event"] = list(Event.objects.order_by("pk").values("pk", "type", "subject_type", "subject_id", "payload"))
    rows["notification"] = list(Notification.objects.order_by("pk").values("pk", "recipient_id", "read_at"))
    for name, model in {**SERVICEDESK_TABLES, **authz_recognition_api.TABLES}.items():
        rows[name] = list(model.objects.order_by("pk").values())
    return rows


def outcome(response: Any, url: str) -> str:
    if response.status_code in (301, 302):
        location = response["Location"]
        if location == f"{LOGIN_URL}?next={quote(url, safe='/')}":
            return "login"
        return f"302 {location}"
    return str(response.status_code)


def send(client: Client, row: Row, world: World, **headers: Any) -> tuple[str, bool]:
    """Send the row's request as ``client``; returns the outcome and whether anything changed.

    Rolled back afterwards, so every role starts from the same data.
    """
    url = row.url(world)
    reading = row.method == "GET"
    with transaction.atomic():
        before = {} if reading else snapshot()
        kwargs: dict[str, Any] = dict(headers)
        if row.data is not None:
            data = row.data(world)
            if row.route.startswith("/api/"):
                kwargs.update(data=data, content_type="application/json")
            else:
                kwargs.update(data=data)
        response = getattr(client, row.method.lower())(url, **kwargs)
        changed = False if reading else snapshot() != before
        transaction.set_rollback(True)
    return outcome(response, url), changed


def _describe(result: str, changed: bool, row: Row) -> str:
    if row.method == "GET":
        return result
    return f"{result} {'changed' if changed else 'unchanged'}"


# --- The matrix -----------------------------------------------------------------------------


@pytest.mark.parametrize("row", [pytest.param(row, id=row.id) for row in PAGE_ROWS])
def test_page_matrix(db: None, world: World, row: Row) -> None:
    clients = {role: Client() for role in PAGE_ROLES}
    for role in PAGE_ROLES[1:]:
        clients[role].force_login(_user(world, role))
    actual = {role: _describe(*send(client, row, world), row) for role, client in clients.items()}

    assert actual == {role: row.expect[role] for role in PAGE_ROLES}


@pytest.mark.parametrize("row", [pytest.param(row, id=row.id) for row in API_ROWS])
def test_api_matrix(db: None, world: World, row: Row) -> None:
    tokens = {
        "outsider": services.api_token_create(user=_user(world, "outsider"), name="m", scope="write")[1],
        "employee": services.api_token_create(user=_user(world, "employee"), name="m", scope="write")[1],
        "employee_read": services.api_token_create(user=_user(world, "employee"), name="m", scope="read")[1],
        "manager": services.api_token_create(user=_user(world, "manager"), name="m", scope="write")[1],
        "agent": services.api_token_create(user=_user(world, "agent"), name="m", scope="write")[1],
        "lead": services.api_token_create(user=_user(world, "lead"), name="m", scope="write")[1],
        "admin": services.api_token_create(user=_user(world, "admin"), name="m", scope="write")[1],
        "superuser": services.api_token_create(user=_user(world, "superuser"), name="m", scope="write")[1],
    }
    for raw in tokens.values():
        # The first use stamps last_used_at; done here so the matrix compares only real changes.
        Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    # A browser session without the CSRF token: how a hostile page's request would arrive.
    session = Client(enforce_csrf_checks=True)
    session.force_login(_user(world, "employee"))
    callers = {
        "anonymous": (Client(), {}),
        "employee_session": (session, {}),
        **{role: (Client(), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}) for role, raw in tokens.items()},
    }
    actual = {role: _describe(*send(client, row, world, **headers), row) for role, (client, headers) in callers.items()}

    assert actual == {role: row.expect[role] for role in API_ROLES}


# --- Completeness: a new route or operation must get a row -----------------------------------


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        else:
            yield route


def test_every_route_of_the_site_has_a_row() -> None:
    site = {route for route in _routes(get_resolver("config.urls").url_patterns) if not route.startswith("admin/")}
    covered = {row.route for row in PAGE_ROWS} | {
        row.route.lstrip("/").replace("{", "<").replace("}", ">") for row in API_ROWS
    }

    assert site - covered == set(), "routes without a row in the authorization matrix: add them to PAGE_ROWS"
    assert covered - site - {"admin/"} == set(), "rows for routes that no longer exist: remove them"


def test_every_api_operation_has_a_row() -> None:
    paths = ninja_api.get_openapi_schema()["paths"]
    operations = {(method.upper(), path) for path, methods in paths.items() for method in methods}

    assert operations == {(row.method, row.route) for row in API_ROWS}
