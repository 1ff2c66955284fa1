"""Directory endpoints: me, my profile, people, units.

No ``from __future__ import annotations`` here: ninja's ``@paginate`` wrapper resolves the
endpoint's annotations in its own module, where names such as ``Query`` do not exist.
"""

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from insideout.core.errors import NotFound
from insideout.core.pagination import IdsFirst, Pagination
from insideout.people import selectors, services
from insideout.people.models import Employee, Profile, Unit

router = Router(tags=["people"])

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class PeopleFilters(Schema):
    q: str = Field("", max_length=100, description="Words to find in name, title, e-mail or unit.")
    unit: int | None = Field(None, description="A unit id; includes its sub-units.")


class WorkingHoursSchema(Schema):
    days: list[Weekday] = Field(..., description='Working days, e.g. ["mon", "tue"].')
    start: str = Field(..., pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["09:00"])
    end: str = Field(..., pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["17:00"])


class ProfileOut(Schema):
    preferred_channel: str
    language: str
    communication_style: str
    recognition_preference: str
    interests: list[str]
    working_hours: WorkingHoursSchema | None
    about: str

    @staticmethod
    def resolve_working_hours(obj: Profile) -> dict[str, object] | None:
        return obj.working_hours or None


class ProfilePatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    preferred_channel: Literal["email", "chat", "in_app"] | None = None
    language: str | None = Field(
        None, max_length=10, description="A language code such as en or de; empty for the HR default."
    )
    communication_style: Literal["facts", "stories", "mixed"] | None = None
    recognition_preference: Literal["public", "team", "private"] | None = None
    interests: list[str] | None = Field(None, max_length=15)
    working_hours: WorkingHoursSchema | None = None
    about: str | None = Field(None, max_length=500)


class PersonOut(Schema):
    id: int
    username: str
    name: str
    email: str
    title: str
    unit: int | None
    unit_name: str
    manager: int | None
    manager_name: str
    location: str
    country: str
    time_zone: str
    is_active: bool

    @staticmethod
    def resolve_username(obj: Employee) -> str:
        return obj.user.username

    @staticmethod
    def resolve_email(obj: Employee) -> str:
        return obj.user.email

    @staticmethod
    def resolve_unit(obj: Employee) -> int | None:
        return obj.unit_id

    @staticmethod
    def resolve_unit_name(obj: Employee) -> str:
        return obj.unit.name if obj.unit else ""

    @staticmethod
    def resolve_manager(obj: Employee) -> int | None:
        return obj.manager_id

    @staticmethod
    def resolve_manager_name(obj: Employee) -> str:
        return obj.manager.name if obj.manager else ""


class PersonDetailOut(PersonOut):
    subdivision: str
    language: str
    start_date: str | None
    profile: ProfileOut

    @staticmethod
    def resolve_start_date(obj: Employee) -> str | None:
        return obj.start_date.isoformat() if obj.start_date else None


class MeOut(Schema):
    user_id: int
    username: str
    name: str
    email: str
    roles: list[str]
    person: PersonDetailOut | None


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent: int | None
    lead: int | None
    lead_name: str
    provides_services: bool
    depth: int
    member_count: int

    @staticmethod
    def resolve_parent(obj: Unit) -> int | None:
        return obj.parent_id

    @staticmethod
    def resolve_lead(obj: Unit) -> int | None:
        return obj.lead_id

    @staticmethod
    def resolve_lead_name(obj: Unit) -> str:
        return obj.lead.name if obj.lead else ""


class UnitDetailOut(UnitOut):
    description: str
    path: list[int]
    children: list[int]

    @staticmethod
    def resolve_path(obj: Unit) -> list[int]:
        return [int(part) for part in obj.path.strip("/").split("/") if part]

    @staticmethod
    def resolve_children(obj: Unit) -> list[int]:
        return list(obj.child_ids)  # type: ignore[attr-defined]


def _me_employee(request: HttpRequest) -> Employee:
    employee = selectors.employee_of(request.user)  # type: ignore[arg-type]
    if employee is None:
        raise NotFound("Your account has no person in the directory, so it has no profile.")
    return employee


@router.get("/me", response=MeOut, summary="Who am I")
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    employee = selectors.employee_of(user)  # type: ignore[arg-type]
    return {
        "user_id": user.pk,
        "username": user.get_username(),
        "name": user.get_full_name() or user.get_username(),  # type: ignore[union-attr]
        "email": user.email,  # type: ignore[union-attr]
        "roles": selectors.roles_for(user).names,  # type: ignore[arg-type]
        "person": employee,
    }


@router.get("/me/profile", response=ProfileOut, summary="My profile: how I like to be served and recognised")
def my_profile(request: HttpRequest) -> Profile:
    return _me_employee(request).profile


@router.patch("/me/profile", response=ProfileOut, summary="Change my profile")
def my_profile_update(request: HttpRequest, payload: ProfilePatchIn) -> Profile:
    employee = _me_employee(request)
    changes = payload.model_dump(exclude_unset=True)
    if "working_hours" in changes and changes["working_hours"] is None:
        changes["working_hours"] = {}
    if changes.get("language") is None and "language" in changes:
        changes["language"] = ""
    for field in ("preferred_channel", "communication_style", "recognition_preference", "interests", "about"):
        if field in changes and changes[field] is None:
            changes.pop(field)
    return services.profile_update(profile=employee.profile, actor=request.user, **changes)  # type: ignore[arg-type]


@router.get("/people", response=list[PersonOut], summary="Search people")
@paginate(Pagination)
def people_list(request: HttpRequest, filters: Query[PeopleFilters]) -> object:
    """Active people by family name. ``q`` matches name, title, e-mail or unit; ``unit`` includes
    its sub-units."""
    people = selectors.employee_list_for(actor=request.user, q=filters.q, unit_id=filters.unit)  # type: ignore[arg-type]
    return IdsFirst(people)


@router.get("/people/{person_id}", response=PersonDetailOut, summary="One person, with their profile")
def person_detail(request: HttpRequest, person_id: int) -> Employee:
    return selectors.employee_get_for(actor=request.user, employee_id=person_id)  # type: ignore[arg-type]


@router.get("/units", response=list[UnitOut], summary="All units, parents before children")
@paginate(Pagination, page_size=500)
def units_list(request: HttpRequest) -> object:
    return selectors.unit_list_for(actor=request.user)  # type: ignore[arg-type]


@router.get("/units/{unit_id}", response=UnitDetailOut, summary="One unit")
def unit_detail(request: HttpRequest, unit_id: int) -> Unit:
    return selectors.unit_detail_for(actor=request.user, unit_id=unit_id)  # type: ignore[arg-type]
