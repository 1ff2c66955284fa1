"""Settings come from ``INSIDEOUT_*`` variables: production-ready, documented, and loud when wrong.

Settings are read once per process, so every test that changes a variable runs a fresh
``insideout`` (or Python) process with a clean environment.
"""

import json
import os
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from config.database import SQLITE_OPTIONS, database_config
from config.env import EnvError, env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = ROOT / "src" / "config"

DUMP_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({name: getattr(settings, name) for name in dir(settings) if name.isupper()}, default=str))
"""


def clean_env(**variables):
    """The caller's environment without any ``INSIDEOUT_*`` variable, plus the given ones."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("INSIDEOUT_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.update({f"INSIDEOUT_{name}": value for name, value in variables.items()})
    return env


def insideout(*args, cwd, **variables):
    return subprocess.run(
        [sys.executable, "-m", "insideout", *args],
        cwd=cwd,
        env=clean_env(**variables),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_of(cwd, **variables):
    """Every setting of a fresh process with these variables, as JSON values."""
    done = subprocess.run(
        [sys.executable, "-c", DUMP_SETTINGS],
        cwd=cwd,
        env=clean_env(**variables),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def production(tmp_path, **overrides):
    variables = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "insideout.example.org",
        "HTTPS": "true",
        "DATA_DIR": str(tmp_path / "data"),
    }
    variables.update(overrides)
    return variables


def variables_read_in_config():
    names = set()
    for source in CONFIG_DIR.rglob("*.py"):
        text = source.read_text()
        names |= set(re.findall(r"\benv_[a-z]+\(\s*\"([A-Z0-9_]+)\"", text))
        names |= set(re.findall(r"\bINSIDEOUT_([A-Z0-9_]+)\b", text))
    return {f"INSIDEOUT_{name}" for name in names}


def env_example():
    """Variable → value of every assignment in ``.env.example``."""
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.fullmatch(r"(INSIDEOUT_[A-Z0-9_]+)=(.*)", line.strip())
        if match:
            values[match[1]] = match[2]
    return values


# --- deployment -------------------------------------------------------------------------------


def test_deploy_check_passes_with_production_variables(tmp_path):
    done = insideout("check", "--deploy", "--fail-level", "WARNING", cwd=tmp_path, **production(tmp_path))

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("System check identified no issues")


def test_deploy_check_fails_without_https(tmp_path):
    done = insideout(
        "check", "--deploy", "--fail-level", "WARNING", cwd=tmp_path, **production(tmp_path, HTTPS="false")
    )

    assert done.returncode == 1
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in done.stderr


def test_deploy_check_fails_in_debug_mode(tmp_path):
    done = insideout("check", "--deploy", "--fail-level", "WARNING", cwd=tmp_path, **production(tmp_path, DEBUG="true"))

    assert done.returncode == 1
    assert "security.W018" in done.stderr


# --- the secret key ---------------------------------------------------------------------------


def test_secret_key_is_generated_into_the_data_dir_once_private_and_reused(tmp_path):
    data_dir = tmp_path / "data"

    first = settings_of(tmp_path, DATA_DIR=str(data_dir))["SECRET_KEY"]
    second = settings_of(tmp_path, DATA_DIR=str(data_dir))["SECRET_KEY"]

    key_file = data_dir / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text() == first
    assert len(first) >= 50
    assert second == first
    assert sorted(path.name for path in data_dir.iterdir() if "secret" in path.name) == ["secret_key"]
    assert settings_of(tmp_path, DATA_DIR=str(tmp_path / "other"))["SECRET_KEY"] != first


def test_a_configured_secret_key_wins_and_nothing_is_written(tmp_path):
    key = secrets.token_urlsafe(64)
    data_dir = tmp_path / "data"

    assert settings_of(tmp_path, DATA_DIR=str(data_dir), SECRET_KEY=key)["SECRET_KEY"] == key
    assert not (data_dir / "secret_key").exists()


# --- the database URL ---------------------------------------------------------------------------


def test_no_database_url_means_sqlite_in_the_data_dir(tmp_path):
    assert database_config("", data_dir=tmp_path) == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "insideout.sqlite3"),
        "OPTIONS": SQLITE_OPTIONS,
    }


def test_sqlite_url_names_the_file_and_keeps_the_safe_options(tmp_path):
    config = database_config("sqlite:////srv/insideout/db.sqlite3", data_dir=tmp_path)

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/srv/insideout/db.sqlite3"
    assert config["OPTIONS"] == SQLITE_OPTIONS
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_postgres_url_parses(tmp_path, scheme):
    config = database_config(
        f"{scheme}://io:s%40cret@db.example.org:5433/insideout?sslmode=require", data_dir=tmp_path, conn_max_age=60
    )

    assert {key: config[key] for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")} == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "insideout",
        "USER": "io",
        "PASSWORD": "s@cret",
        "HOST": "db.example.org",
        "PORT": 5433,
        "OPTIONS": {"sslmode": "require"},
    }
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "mysql://io:hunter2@db/insideout",
            "INSIDEOUT_DATABASE_URL must start with sqlite:/// or postgres://, not 'mysql://'",
        ),
        (
            "nosuch://io:hunter2@db/insideout",
            "INSIDEOUT_DATABASE_URL must start with sqlite:/// or postgres://, not 'nosuch://'",
        ),
        ("sqlite://", "INSIDEOUT_DATABASE_URL must name a SQLite file, e.g. sqlite:////srv/insideout/db.sqlite3"),
    ],
)
def test_unusable_database_urls_are_refused_without_echoing_the_password(tmp_path, url, message):
    with pytest.raises(EnvError) as raised:
        database_config(url, data_dir=tmp_path)

    assert str(raised.value) == message
    assert "hunter2" not in str(raised.value)


def test_database_url_reaches_the_settings(tmp_path):
    databases = settings_of(tmp_path, DATA_DIR=str(tmp_path), DATABASE_URL="postgres://io@127.0.0.1:6543/insideout")[
        "DATABASES"
    ]

    assert databases["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert (databases["default"]["HOST"], databases["default"]["PORT"], databases["default"]["NAME"]) == (
        "127.0.0.1",
        6543,
        "insideout",
    )


# --- mistakes are reported in one clear line ----------------------------------------------------------


def test_a_bad_value_stops_the_program_with_a_clear_message(tmp_path):
    done = insideout("check", cwd=tmp_path, DATA_DIR=str(tmp_path), DEBUG="maybe")

    assert done.returncode == 1
    assert done.stderr == "InsideOut configuration error: INSIDEOUT_DEBUG must be true or false, not 'maybe'\n"
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("read", "value", "message"),
    [
        (env_bool, "maybe", "INSIDEOUT_SAMPLE must be true or false, not 'maybe'"),
        (env_bool, "2", "INSIDEOUT_SAMPLE must be true or false, not '2'"),
        (env_int, "smtp", "INSIDEOUT_SAMPLE must be a whole number, not 'smtp'"),
        (env_int, "2.5", "INSIDEOUT_SAMPLE must be a whole number, not '2.5'"),
    ],
)
def test_bad_values_name_the_variable_and_what_it_expects(monkeypatch, read, value, message):
    monkeypatch.setenv("INSIDEOUT_SAMPLE", value)

    with pytest.raises(EnvError) as raised:
        read("SAMPLE", 0)

    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("True", True), (" YES ", True), ("on", True)]
    + [("0", False), ("false", False), ("Off", False), ("no", False), ("", False)],
)
def test_boolean_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("INSIDEOUT_SAMPLE", value)

    assert env_bool("SAMPLE", not expected) is expected


def test_unset_variables_take_their_defaults(monkeypatch):
    monkeypatch.delenv("INSIDEOUT_SAMPLE", raising=False)

    assert (env_bool("SAMPLE", True), env_int("SAMPLE", 7), env_list("SAMPLE", ["a"]), env_str("SAMPLE", "x")) == (
        True,
        7,
        ["a"],
        "x",
    )


def test_lists_are_comma_separated_and_trimmed(monkeypatch):
    monkeypatch.setenv("INSIDEOUT_SAMPLE", " insideout.example.org, ,localhost ")

    assert env_list("SAMPLE", []) == ["insideout.example.org", "localhost"]


# --- documentation ----------------------------------------------------------------------------


def test_the_variable_scan_finds_the_variables():
    # Guards the scan itself: if the pattern broke, the documentation tests would pass vacuously.
    assert {"INSIDEOUT_DEBUG", "INSIDEOUT_DATA_DIR", "INSIDEOUT_DATABASE_URL", "INSIDEOUT_EMAIL_PORT"} <= (
        variables_read_in_config()
    )


def test_every_variable_is_in_the_readme_configuration_table():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\|\s*`(INSIDEOUT_[A-Z0-9_]+)`\s*\|", readme, flags=re.MULTILINE))

    assert sorted(variables_read_in_config() - documented) == []
    assert sorted(documented - variables_read_in_config()) == []


def test_every_variable_is_in_env_example_and_nothing_else():
    assert sorted(env_example()) == sorted(variables_read_in_config())


def test_env_example_shows_the_real_defaults(tmp_path):
    """Loading every value of ``.env.example`` changes no setting at all."""
    defaults = settings_of(tmp_path)
    example = settings_of(tmp_path, **{name.removeprefix("INSIDEOUT_"): value for name, value in env_example().items()})

    assert {name: value for name, value in example.items() if defaults.get(name) != value} == {}
    assert sorted(set(defaults) ^ set(example)) == []
