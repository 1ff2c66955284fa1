"""What other contexts get from the directory: plain values, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Roles:
    """Roles derived from the data; nobody maintains them by hand."""

    employee: bool = False
    agent: bool = False  # member of a unit that provides internal services
    lead: bool = False  # lead of at least one unit
    manager: bool = False  # has active reports
    people_ops: bool = False  # member of the people-ops group, or a superuser

    @property
    def names(self) -> list[str]:
        return [name for name in ("employee", "agent", "lead", "manager", "people_ops") if getattr(self, name)]


@dataclass(frozen=True)
class Locale:
    """How a person reads the interface: their language (the profile's, else the HR record's) and zone."""

    language: str
    time_zone: str


@dataclass(frozen=True)
class PersonRef:
    id: int
    user_id: int
    name: str
    email: str
    title: str
    unit_id: int | None
    unit_name: str
    manager_id: int | None
    language: str
    time_zone: str  # the person's IANA zone, for showing times
    preferred_channel: str
    recognition_preference: str
    is_active: bool


@dataclass(frozen=True)
class TokenIdentity:
    user_id: int
    token_id: int
    scope: str
