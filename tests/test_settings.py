"""Settings come from ``INSIDEOUT_*`` variables: production-ready, documented, and loud when wrong.

The deploy check and the error message are tested in a fresh ``insideout`` process, as an
operator meets them. Everything else runs the settings modules in this process (with
``runpy``, in a private environment and working directory), which is much faster than starting
Django once per case and sees exactly the same code.
"""

import os
import re
import runpy
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import config.env
from config.database import SQLITE_OPTIONS, database_config
from config.env import EnvError, env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = ROOT / "src" / "config"
SETTINGS_MODULES = ("base.py", "email.py", "security.py", "tasks.py")
READERS = ("env_str", "env_bool", "env_int", "env_list", "env_path")


def clean_env(**variables):
    """The caller's environment without ``INSIDEOUT_*`` or ``DJANGO_*`` variables, plus the given ones.

    ``DJANGO_*`` goes too: the browser tests set ``DJANGO_ALLOW_ASYNC_UNSAFE`` in the worker's
    environment, and the deploy check rightly refuses it.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith(("INSIDEOUT_", "DJANGO_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.update({f"INSIDEOUT_{name}": value for name, value in variables.items()})
    return env


def insideout(*args, cwd, **variables):
    return subprocess.run(
        [sys.executable, "-m", "insideout", *args],
        cwd=cwd,
        env=clean_env(**variables),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


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


@pytest.fixture
def load_settings(monkeypatch, tmp_path):
    """Run the settings modules with exactly these variables; returns every name they define."""

    def load(**variables):
        for key in list(os.environ):
            if key.startswith("INSIDEOUT_"):
                monkeypatch.delenv(key)
        for name, value in variables.items():
            monkeypatch.setenv(f"INSIDEOUT_{name}", value)
        monkeypatch.chdir(tmp_path)
        namespace = {}
        for module in SETTINGS_MODULES:
            namespace.update(runpy.run_path(str(CONFIG_DIR / "settings" / module)))
        return namespace

    return load


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


def test_deploy_check_fails_in_debug_mode_or_without_https(tmp_path):
    variables = production(tmp_path, DEBUG="true", HTTPS="false")
    done = insideout("check", "--deploy", "--fail-level", "WARNING", cwd=tmp_path, **variables)

    assert done.returncode == 1
    found = set(re.findall(r"\(security\.(W\d+)\)", done.stderr))
    assert {"W004", "W008", "W012", "W016", "W018"} <= found


def test_production_variables_switch_the_hardening_on(load_settings, tmp_path):
    settings = load_settings(**production(tmp_path))

    assert settings["DEBUG"] is False
    assert settings["ALLOWED_HOSTS"] == ["insideout.example.org"]
    assert (settings["SESSION_COOKIE_SECURE"], settings["CSRF_COOKIE_SECURE"], settings["SECURE_SSL_REDIRECT"]) == (
        True,
        True,
        True,
    )
    assert settings["SECURE_HSTS_SECONDS"] == 31_536_000
    assert settings["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


# --- the secret key ---------------------------------------------------------------------------


def test_secret_key_is_generated_into_the_data_dir_once_private_and_reused(load_settings, tmp_path):
    data_dir = tmp_path / "data"

    first = load_settings(DATA_DIR=str(data_dir))["SECRET_KEY"]
    second = load_settings(DATA_DIR=str(data_dir))["SECRET_KEY"]

    key_file = data_dir / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text() == first
    assert len(first) >= 50
    assert second == first
    assert sorted(path.name for path in data_dir.iterdir() if "secret" in path.name) == ["secret_key"]
    assert load_settings(DATA_DIR=str(tmp_path / "other"))["SECRET_KEY"] != first


def test_a_configured_secret_key_wins_and_nothing_is_written(load_settings, tmp_path):
    key = secrets.token_urlsafe(64)

    assert load_settings(DATA_DIR=str(tmp_path / "data"), SECRET_KEY=key)["SECRET_KEY"] == key
    assert not (tmp_path / "data" / "secret_key").exists()


def test_an_emptied_key_file_is_an_error_not_an_empty_key(load_settings, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "secret_key").write_text("\n")

    with pytest.raises(EnvError, match="secret_key is empty; delete it to generate a new secret key"):
        load_settings(DATA_DIR=str(tmp_path / "data"))


# --- the database URL ---------------------------------------------------------------------------


def test_no_database_url_means_sqlite_in_the_data_dir(tmp_path):
    assert database_config("", data_dir=tmp_path, conn_max_age=60) == {
        "ENGINE": "insideout.core.sqlite",
        "NAME": str(tmp_path / "insideout.sqlite3"),
        "OPTIONS": SQLITE_OPTIONS,
        "CONN_MAX_AGE": 60,
    }


def test_connections_are_kept_for_a_minute_unless_told_otherwise(load_settings, tmp_path):
    kept = load_settings(DATA_DIR=str(tmp_path))["DATABASES"]["default"]
    closed = load_settings(DATA_DIR=str(tmp_path), DATABASE_CONN_MAX_AGE="0")["DATABASES"]["default"]

    assert (kept["CONN_MAX_AGE"], closed["CONN_MAX_AGE"]) == (60, 0)


def test_sqlite_url_names_the_file_and_keeps_the_safe_options(tmp_path):
    config = database_config("sqlite:////srv/insideout/db.sqlite3", data_dir=tmp_path)

    assert config["ENGINE"] == "insideout.core.sqlite"
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


def test_postgres_binds_on_the_server_and_prepares_repeated_statements(load_settings, tmp_path):
    url = "postgres://io@db.example.org/insideout"
    default = load_settings(DATA_DIR=str(tmp_path), DATABASE_URL=url)["DATABASES"]["default"]
    at_once = load_settings(DATA_DIR=str(tmp_path), DATABASE_URL=url, DATABASE_PREPARE_THRESHOLD="0")
    off = load_settings(DATA_DIR=str(tmp_path), DATABASE_URL=url, DATABASE_PREPARE_THRESHOLD="off")

    assert default["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    assert at_once["DATABASES"]["default"]["OPTIONS"]["prepare_threshold"] == 0
    assert "server_side_binding" not in off["DATABASES"]["default"].get("OPTIONS", {})


def test_an_empty_prepare_threshold_means_the_default(load_settings, tmp_path):
    url = "postgres://io@db.example.org/insideout"
    config = load_settings(DATA_DIR=str(tmp_path), DATABASE_URL=url, DATABASE_PREPARE_THRESHOLD=" ")

    assert config["DATABASES"]["default"]["OPTIONS"]["prepare_threshold"] == 5


def test_the_prepare_threshold_leaves_sqlite_alone(load_settings, tmp_path):
    config = load_settings(DATA_DIR=str(tmp_path), DATABASE_PREPARE_THRESHOLD="0")["DATABASES"]["default"]

    assert config["OPTIONS"] == SQLITE_OPTIONS


@pytest.mark.parametrize("value", ["-1", "soon", "5.5"])
def test_a_bad_prepare_threshold_is_refused_by_name(load_settings, tmp_path, value):
    with pytest.raises(EnvError) as raised:
        load_settings(DATA_DIR=str(tmp_path), DATABASE_PREPARE_THRESHOLD=value)

    assert str(raised.value) == (f"INSIDEOUT_DATABASE_PREPARE_THRESHOLD must be 0 or more, or off, not {value!r}")


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


def test_database_url_reaches_the_settings(load_settings, tmp_path):
    postgres = load_settings(
        DATA_DIR=str(tmp_path), DATABASE_URL="postgres://io@127.0.0.1:6543/insideout", DATABASE_CONN_MAX_AGE="30"
    )["DATABASES"]["default"]
    sqlite = load_settings(DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/elsewhere.sqlite3")["DATABASES"][
        "default"
    ]

    assert (postgres["ENGINE"], postgres["HOST"], postgres["PORT"], postgres["NAME"], postgres["CONN_MAX_AGE"]) == (
        "django.db.backends.postgresql",
        "127.0.0.1",
        6543,
        "insideout",
        30,
    )
    assert (sqlite["ENGINE"], sqlite["NAME"]) == ("insideout.core.sqlite", f"{tmp_path}/elsewhere.sqlite3")


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


@pytest.fixture
def variables_and_defaults(load_settings, monkeypatch):
    """Every variable the settings read, with the reader and default they read it with."""
    read = {}

    def recording(reader):
        def record(name, default):
            read[f"INSIDEOUT_{name}"] = (reader, default)
            return reader(name, default)

        return record

    for name in READERS:
        monkeypatch.setattr(config.env, name, recording(getattr(config.env, name)))
    load_settings()
    load_settings(HTTPS="true")  # some are read only when HTTPS is on
    return read


def test_the_variable_scan_finds_what_the_settings_read(variables_and_defaults):
    # Guards the scan itself: if the pattern broke, the documentation tests would pass vacuously.
    assert sorted(variables_and_defaults) == sorted(variables_read_in_config())


def test_every_variable_is_in_the_readme_configuration_table():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\|\s*`(INSIDEOUT_[A-Z0-9_]+)`\s*\|", readme, flags=re.MULTILINE))

    assert sorted(variables_read_in_config() - documented) == []
    assert sorted(documented - variables_read_in_config()) == []


def test_every_variable_is_in_env_example_and_nothing_else():
    assert sorted(env_example()) == sorted(variables_read_in_config())


def test_env_example_shows_the_real_defaults(variables_and_defaults, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # the default data dir is relative to the working directory
    example = env_example()
    differ = {}
    for variable, (reader, default) in variables_and_defaults.items():
        monkeypatch.setenv(variable, example[variable])
        value = reader(variable.removeprefix("INSIDEOUT_"), default)
        if value != default:
            differ[variable] = (example[variable], default)

    assert differ == {}
