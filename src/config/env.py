"""Typed reads of ``INSIDEOUT_*`` environment variables.

Every setting of the project comes through here, so that the README's configuration table,
``.env.example`` and the code can be checked against each other (see ``tests/test_settings.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PREFIX = "INSIDEOUT_"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class EnvError(ImproperlyConfigured):
    """A variable is set to a value that cannot be used; the message names it and what it expects."""


def _raw(name: str) -> str | None:
    return os.environ.get(PREFIX + name)


def env_str(name: str, default: str) -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise EnvError(f"{PREFIX}{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise EnvError(f"{PREFIX}{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    value = _raw(name)
    return (Path(value) if value else default).expanduser().resolve()
