"""Test settings: the same settings with speed overrides.

The database is whatever ``INSIDEOUT_DATABASE_URL`` names, so one suite runs on both engines
(``tools/testrun.py`` starts a private PostgreSQL server for the second run). pytest-django
creates the test databases: on SQLite an in-memory one per process, on PostgreSQL
``test_<name>_gw0``, ``test_<name>_gw1``… one per pytest-xdist worker.
"""

import os
from pathlib import Path

# Plain ``pytest`` keeps its files (generated secret key, task queue file) out of the real data.
os.environ.setdefault("INSIDEOUT_DATA_DIR", str(Path(__file__).resolve().parents[3] / "var" / "test"))

from config.database import SQLITE_ENGINE  # noqa: E402
from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run inline when enqueued, which for the event log means when the transaction commits.
HUEY = {**HUEY, "immediate": True}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == SQLITE_ENGINE:  # noqa: F405
    # In memory, whatever file the URL names: fast, and private to each xdist worker.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # noqa: F405
