"""The authorization matrix's vocabulary: roles, rows and the world they run in.

Rows live beside the test (``test_authorization_matrix.py`` for the directory, ``authz_<area>.py``
for each later area), so several areas can grow their rows without touching one long file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from insideout.people.models import ApiToken

PAGE_ROLES = ("anonymous", "outsider", "employee", "manager", "agent", "lead", "admin", "superuser")
API_ROLES = (
    "anonymous",
    "outsider",
    "employee",
    "employee_read",
    "employee_session",
    "manager",
    "agent",
    "lead",
    "admin",
    "superuser",
)
PASSWORD = "correct-horse-battery"
LOGIN_URL = "/accounts/login/"


def roles(**outcomes: str) -> dict[str, str]:
    """Expected outcomes; ``members`` stands for every person of the organisation (employee,
    manager, agent, lead, admin), ``others`` for every role not named."""
    members = outcomes.pop("members", None)
    others = outcomes.pop("others", None)
    people = ("employee", "manager", "agent", "lead", "admin")
    expanded = {**(dict.fromkeys(people, members) if members else {}), **outcomes}
    if others is not None:
        return expanded | {role: others for role in (*PAGE_ROLES, *API_ROLES) if role not in expanded}
    return expanded


@dataclass(frozen=True)
class World:
    org: dict[str, Any]
    eve_token: ApiToken


@dataclass(frozen=True)
class Row:
    route: str  # the URL pattern as Django spells it, so the completeness check can match it
    method: str
    url: Callable[[World], str]
    expect: dict[str, str]
    data: Callable[[World], dict[str, Any]] | None = None
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} /{self.route}" + (f" ({self.label})" if self.label else "")
