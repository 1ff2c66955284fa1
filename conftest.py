"""Fixtures shared by every context's tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client

from insideout.people import services
from insideout.people.models import Employee, Unit, User
from insideout.people.selectors import PEOPLE_OPS_GROUP
from insideout.people.tests.factories import EmployeeFactory, UnitFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture
def org(db: Any) -> dict[str, Any]:
    """A small organisation: company → IT (provides services) and Sales, with a lead, a manager,
    an agent, a plain employee, and a people-ops admin."""
    company = UnitFactory(code="ACME", name="Acme", kind="company")
    it = UnitFactory(code="IT", name="IT", kind="department", parent=company, provides_services=True)
    helpdesk = UnitFactory(code="IT-HD", name="Helpdesk", kind="team", parent=it, provides_services=True)
    sales = UnitFactory(code="SALES", name="Sales", kind="department", parent=company)
    lead = EmployeeFactory(username="lena", first_name="Lena", last_name="Lead", unit=it, title="Head of IT")
    services.unit_update(unit=it, lead=lead)
    agent = EmployeeFactory(username="sam", first_name="Sam", last_name="Agent", unit=helpdesk, manager=lead)
    manager = EmployeeFactory(username="mo", first_name="Mo", last_name="Manager", unit=sales, title="Sales manager")
    employee = EmployeeFactory(username="eve", first_name="Eve", last_name="Employee", unit=sales, manager=manager)
    admin_person = EmployeeFactory(username="pat", first_name="Pat", last_name="Ops", unit=company, title="People ops")
    # get_or_create: a live_server test flushes the tables, taking the migration-made group with it.
    admin_person.user.groups.add(Group.objects.get_or_create(name=PEOPLE_OPS_GROUP)[0])
    return {
        "company": company,
        "it": it,
        "helpdesk": helpdesk,
        "sales": sales,
        "lead": lead,
        "agent": agent,
        "manager": manager,
        "employee": employee,
        "admin": admin_person,
    }


@pytest.fixture
def desk(org: dict[str, Any]) -> dict[str, Any]:
    """The organisation plus IT's service desk (prefix IT, Berlin calendar with lunch), a
    "Laptops" service and its "New laptop" request type (a required choice ``model``)."""
    from insideout.servicedesk.tests.factories import catalog_create, desk_create

    it_desk = desk_create(unit=org["it"], lead=org["lead"])
    return {**org, "desk": it_desk, **catalog_create(desk=it_desk, lead=org["lead"])}


@pytest.fixture
def client_for() -> Callable[[Employee | User | None], Client]:
    """A browser-like client signed in as the given person (or anonymous for None)."""

    def make(who: Employee | User | None) -> Client:
        client = Client()
        if who is not None:
            user = who.user if isinstance(who, Employee) else who
            client.force_login(user)
        return client

    return make


@pytest.fixture
def token_for() -> Callable[..., str]:
    """A raw API token for the given person, read scope unless asked for write."""

    def make(who: Employee | User, scope: str = "read") -> str:
        user = who.user if isinstance(who, Employee) else who
        _token, raw = services.api_token_create(user=user, name="test", scope=scope)
        return raw

    return make


@pytest.fixture
def api(client: Client) -> Callable[..., Any]:
    """Call the API: ``api("get", "/api/v1/me", token=raw, json={...})``."""

    def call(method: str, path: str, *, token: str | None = None, json: Any = None, **extra: Any) -> Any:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        kwargs: dict[str, Any] = {**headers, **extra}
        if json is not None:
            kwargs["data"] = json
            kwargs["content_type"] = "application/json"
        return getattr(client, method)(path, **kwargs)

    return call


@pytest.fixture
def units(org: dict[str, Any]) -> dict[str, Unit]:
    return {key: value for key, value in org.items() if isinstance(value, Unit)}


def pytest_runtest_setup(item: pytest.Item) -> None:
    """``postgres_only`` tests skip on SQLite (``tools/testrun.py`` deselects them there instead)."""
    if item.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: run tools/testrun.py --postgres-only, or set INSIDEOUT_DATABASE_URL=postgres://…"
        )


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> None:
    """Calendar versions are cached by id per process; a rolled-back test's ids come back in the
    next test (SQLite reuses them) with other hours, so every test starts with an empty cache."""
    from insideout.servicedesk import clockstore

    clockstore._calendar_cached.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """The wall keeps cards by recognition id in the process's cache (``recognition.views.wall``);
    rolled-back ids come back in the next test, so every test starts with an empty cache."""
    from django.core.cache import cache

    cache.clear()
