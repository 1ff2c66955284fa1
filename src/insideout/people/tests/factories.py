"""Factories that build directory state through the real services."""

from __future__ import annotations

from typing import Any

import factory

from insideout.people import services
from insideout.people.models import Employee, Unit, UnitKind


class UnitFactory(factory.Factory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = UnitKind.TEAM
    parent = None
    provides_services = False

    @classmethod
    def _create(cls, model_class: type[Unit], *args: Any, **kwargs: Any) -> Unit:
        return services.unit_create(**kwargs)


class EmployeeFactory(factory.Factory):
    class Meta:
        model = Employee

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    employee_id = factory.Sequence(lambda n: f"E{n:06d}")
    password = "correct-horse-battery"  # noqa: S105 - test accounts only
    title = "Specialist"
    unit = None
    manager = None
    time_zone = "Europe/Berlin"
    language = "en"

    @classmethod
    def _create(cls, model_class: type[Employee], *args: Any, **kwargs: Any) -> Employee:
        return services.employee_create(**kwargs)
