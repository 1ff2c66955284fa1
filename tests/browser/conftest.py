"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

One browser per test session (so one per xdist worker) and a fresh context per test. The live
server uses a transactional database; ``django_db_serialized_rollback`` brings back what the
migrations created (the people-ops group) after each test's flush.

Playwright's sync API runs test code in a greenlet with its own context variables, so the test
sees a different ``connections["default"]`` wrapper from the one the database was created
with, and that wrapper lacks the serialized migration data Django restores from. The data is
read once before the browser starts and handed to the wrapper the tests use.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from insideout.people.models import Employee, User

from .support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, DESKTOP

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls there
# unless told that this is deliberate.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def _migration_data(django_db_setup: None) -> dict[str, str]:
    """What the migrations wrote, serialized by the test-database setup, per database alias."""
    return {
        alias: connections[alias]._test_serialized_contents  # type: ignore[attr-defined]
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }


@pytest.fixture
def _restorable_database(_migration_data: dict[str, str]) -> None:
    for alias, contents in _migration_data.items():
        connections[alias]._test_serialized_contents = contents  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def chromium(_migration_data: dict[str, str]) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM}: apt-get install chromium")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _live_database(_restorable_database: None, live_server: Any, django_db_serialized_rollback: None) -> None:
    """Every browser test talks to the live server; the flushed database gets the migrations' rows back."""


@pytest.fixture
def context(chromium: Browser, live_server: Any) -> Iterator[BrowserContext]:
    ctx = chromium.new_context(base_url=live_server.url, viewport=DESKTOP, locale="en-GB", timezone_id="Europe/Berlin")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def sign_in_as(context: BrowserContext, live_server: Any) -> Callable[[Employee | User], None]:
    """Give the browser a session for this person (or account) without going through the sign-in form."""

    def sign_in(who: Employee | User) -> None:
        client = Client()
        client.force_login(who.user if isinstance(who, Employee) else who)
        session = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])

    return sign_in
