"""The directory's surface for other contexts. Returns contracts, never ORM rows."""

from __future__ import annotations

from insideout.people import selectors
from insideout.people.contracts import Locale, PersonRef, Roles, TokenIdentity
from insideout.people.models import Employee, Profile, Unit, User
from insideout.people.services import token_digest


def _ref(employee: Employee) -> PersonRef:
    profile: Profile | None = getattr(employee, "profile", None)
    return PersonRef(
        id=employee.pk,
        user_id=employee.user_id,
        name=employee.name,
        email=employee.user.email,
        title=employee.title,
        unit_id=employee.unit_id,
        unit_name=employee.unit.name if employee.unit else "",
        manager_id=employee.manager_id,
        language=(profile.language if profile and profile.language else employee.language),
        time_zone=employee.time_zone or "UTC",
        preferred_channel=profile.preferred_channel if profile else "email",
        recognition_preference=profile.recognition_preference if profile else "public",
        is_active=employee.is_active,
    )


def person_get(*, employee_id: int) -> PersonRef | None:
    """The person with this employee id (primary key), active or not."""
    employee = selectors.person_ref_queryset().filter(pk=employee_id).first()
    return _ref(employee) if employee else None


def person_for_user(*, user_id: int) -> PersonRef | None:
    employee = selectors.person_ref_queryset().filter(user_id=user_id).first()
    return _ref(employee) if employee else None


def locale_for_user(*, user_id: int) -> Locale | None:
    """The language and zone of the user's person, for every page: three columns in one query,
    not the person's wide rows."""
    row = Employee.objects.filter(user_id=user_id).values_list("language", "time_zone", "profile__language").first()
    if row is None:
        return None
    language, time_zone, chosen = row
    return Locale(language=chosen or language, time_zone=time_zone or "UTC")


def unit_lead(*, unit_id: int) -> PersonRef | None:
    employee = selectors.person_ref_queryset().filter(led_units__pk=unit_id).first()
    return _ref(employee) if employee else None


def unit_name(*, unit_id: int) -> str:
    return Unit.objects.filter(pk=unit_id).values_list("name", flat=True).first() or ""


def roles_of(*, user: User) -> Roles:
    return selectors.roles_for(user)


def token_authenticate(*, raw_token: str) -> TokenIdentity | None:
    """The identity behind a raw bearer token, or None when it is unknown, expired or revoked."""
    token = selectors.api_token_authenticate(digest=token_digest(raw_token))
    if token is None:
        return None
    return TokenIdentity(user_id=token.user_id, token_id=token.pk, scope=token.scope)


def people_ops_members() -> list[PersonRef]:
    """The active people in the people-ops group, by name (for whom a decision falls to people-ops)."""
    employees = selectors.person_ref_queryset().filter(
        is_active=True, user__is_active=True, user__groups__name=selectors.PEOPLE_OPS_GROUP
    )
    return [_ref(employee) for employee in employees.order_by("sort_name", "pk").distinct()]
