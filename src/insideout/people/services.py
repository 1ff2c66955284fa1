"""Write use-cases of the directory. Each is atomic and records its events."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insideout.core.events import event_record
from insideout.people import validation
from insideout.people.models import ApiToken, Employee, Profile, TokenScope, Unit, UnitKind, User

# Event types this context publishes.
EMPLOYEE_JOINED = "people.employee_joined"
EMPLOYEE_MOVED_UNIT = "people.employee_moved_unit"
EMPLOYEE_UPDATED = "people.employee_updated"
EMPLOYEE_LEFT = "people.employee_left"
EMPLOYEE_RETURNED = "people.employee_returned"
PROFILE_CHANGED = "people.profile_changed"

TOKEN_PREFIX = "io_"

PROFILE_FIELDS = (
    "preferred_channel",
    "language",
    "communication_style",
    "recognition_preference",
    "interests",
    "working_hours",
    "about",
)
# HR-owned fields of an employee (what the HRIS import and people-ops may change).
EMPLOYEE_FIELDS = (
    "title",
    "unit",
    "manager",
    "location",
    "country",
    "subdivision",
    "time_zone",
    "language",
    "start_date",
)
USER_FIELDS = ("username", "email", "first_name", "last_name")


def search_text_for(*, first_name: str, last_name: str, email: str, title: str) -> str:
    return " ".join(f"{first_name} {last_name} {last_name} {first_name} | {title} | {email}".lower().split())[:600]


def sort_name_for(*, first_name: str, last_name: str) -> str:
    return f"{last_name} {first_name}".strip().lower()[:200]


# --- Units -------------------------------------------------------------------------------


def _unit_path(unit: Unit) -> tuple[str, int]:
    if unit.parent is None:
        return f"/{unit.pk}/", 0
    return f"{unit.parent.path}{unit.pk}/", unit.parent.depth + 1


@transaction.atomic
def unit_create(
    *,
    code: str,
    name: str,
    kind: str = UnitKind.TEAM,
    parent: Unit | None = None,
    lead: Employee | None = None,
    provides_services: bool = False,
    description: str = "",
    actor: User | None = None,
) -> Unit:
    """Add a unit below ``parent`` (or as a root)."""
    unit = Unit(
        code=code.strip(),
        name=name.strip(),
        kind=kind,
        parent=parent,
        lead=lead,
        provides_services=provides_services,
        description=description,
    )
    unit.full_clean(exclude=["path", "depth"])
    unit.save()
    unit.path, unit.depth = _unit_path(unit)
    unit.save(update_fields=["path", "depth"])
    event_record(type="people.unit_created", subject=unit, actor=actor, payload={"code": unit.code})
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, actor: User | None = None, **changes: Any) -> Unit:
    """Change a unit; moving it under another parent moves its whole subtree."""
    allowed = {"code", "name", "kind", "parent", "lead", "provides_services", "description"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unit_update does not change {sorted(unknown)}")
    new_parent = changes.get("parent", unit.parent)
    if "parent" in changes and new_parent is not None and new_parent.path.startswith(unit.path) and unit.path:
        raise ValidationError({"parent": _("A unit cannot move below itself or one of its sub-units.")})
    old_path = unit.path
    for field, value in changes.items():
        setattr(unit, field, value)
    unit.full_clean(exclude=["path", "depth"])
    unit.path, unit.depth = _unit_path(unit)
    unit.save()
    if unit.path != old_path and old_path:
        depth_shift = unit.depth - (old_path.count("/") - 2)
        for descendant in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
            descendant.path = unit.path + descendant.path[len(old_path) :]
            descendant.depth += depth_shift
            descendant.save(update_fields=["path", "depth"])
    event_record(
        type="people.unit_updated",
        subject=unit,
        actor=actor,
        payload={"changed": sorted(changes)},
    )
    return unit


# --- Employees ---------------------------------------------------------------------------


def _clean_employee_values(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned = dict(values)
    checks: list[tuple[str, Any]] = [
        ("time_zone", validation.clean_time_zone),
        ("language", validation.clean_language),
        ("country", validation.clean_country),
    ]
    for field, check in checks:
        if field in cleaned and cleaned[field] is not None:
            try:
                cleaned[field] = check(cleaned[field])
            except ValidationError as exc:
                errors[field] = exc.messages
    if "subdivision" in cleaned:
        try:
            cleaned["subdivision"] = validation.clean_subdivision(
                cleaned["subdivision"] or "", country=cleaned.get("country") or ""
            )
        except ValidationError as exc:
            errors["subdivision"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_manager(employee: Employee, manager: Employee | None) -> None:
    """Refuse a manager chain that loops back to the employee."""
    seen = {employee.pk}
    current = manager
    while current is not None:
        if current.pk in seen:
            raise ValidationError({"manager": _("This manager would make a reporting loop.")})
        seen.add(current.pk)
        current = current.manager


@transaction.atomic
def employee_create(
    *,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    employee_id: str,
    actor: User | None = None,
    password: str | None = None,
    title: str = "",
    unit: Unit | None = None,
    manager: Employee | None = None,
    location: str = "",
    country: str = "",
    subdivision: str = "",
    time_zone: str = "UTC",
    language: str = "en",
    start_date: date | None = None,
) -> Employee:
    """Create a person with a sign-in account and an empty profile.

    Without a password the account can sign in only after a password reset by e-mail.
    """
    values = _clean_employee_values(
        {"time_zone": time_zone, "language": language, "country": country, "subdivision": subdivision}
    )
    user = User(username=username.strip(), email=email.strip().lower(), first_name=first_name, last_name=last_name)
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    employee = Employee(
        user=user,
        employee_id=employee_id.strip(),
        title=title,
        unit=unit,
        manager=manager,
        location=location,
        start_date=start_date,
        search_text=search_text_for(first_name=first_name, last_name=last_name, email=user.email, title=title),
        sort_name=sort_name_for(first_name=first_name, last_name=last_name),
        **values,
    )
    employee.full_clean(exclude=["user"])
    employee.save()
    Profile.objects.create(employee=employee)
    event_record(
        type=EMPLOYEE_JOINED,
        subject=employee,
        actor=actor,
        payload={"unit": unit.pk if unit else None, "manager": manager.pk if manager else None},
    )
    return employee


@transaction.atomic
def employee_update(*, employee: Employee, actor: User | None = None, **changes: Any) -> Employee:
    """Change HR-owned fields of a person (and the name and e-mail of their account).

    Records ``people.employee_moved_unit`` when the unit changes and
    ``people.employee_updated`` for anything else that changed.
    """
    unknown = set(changes) - set(EMPLOYEE_FIELDS) - set(USER_FIELDS)
    if unknown:
        raise ValueError(f"employee_update does not change {sorted(unknown)}")
    changes = _clean_employee_values(changes)
    if "manager" in changes:
        _check_manager(employee, changes["manager"])
    user = employee.user
    old_unit_id = employee.unit_id
    changed: list[str] = []
    for field, value in changes.items():
        target = user if field in USER_FIELDS else employee
        if field == "email":
            value = value.strip().lower()
        if getattr(target, field) != value:
            setattr(target, field, value)
            changed.append(field)
    if not changed:
        return employee
    if any(field in USER_FIELDS for field in changed):
        user.full_clean()
        user.save()
    employee.search_text = search_text_for(
        first_name=user.first_name, last_name=user.last_name, email=user.email, title=employee.title
    )
    employee.sort_name = sort_name_for(first_name=user.first_name, last_name=user.last_name)
    employee.full_clean(exclude=["user"])
    employee.save()
    if "unit" in changed:
        event_record(
            type=EMPLOYEE_MOVED_UNIT,
            subject=employee,
            actor=actor,
            payload={"from_unit": old_unit_id, "to_unit": employee.unit_id},
        )
    other = [field for field in changed if field != "unit"]
    if other:
        event_record(type=EMPLOYEE_UPDATED, subject=employee, actor=actor, payload={"changed": sorted(other)})
    return employee


@transaction.atomic
def employee_deactivate(*, employee: Employee, actor: User | None = None, at: datetime | None = None) -> Employee:
    """A leaver: no sign-in, out of lists; their history and records stay."""
    if not employee.is_active:
        return employee
    employee.is_active = False
    employee.deactivated_at = at or timezone.now()
    employee.save(update_fields=["is_active", "deactivated_at", "updated_at"])
    User.objects.filter(pk=employee.user_id).update(is_active=False)
    employee.user.is_active = False
    ApiToken.objects.filter(user_id=employee.user_id, revoked_at__isnull=True).update(revoked_at=employee.deactivated_at)
    event_record(type=EMPLOYEE_LEFT, subject=employee, actor=actor, payload={})
    return employee


@transaction.atomic
def employee_reactivate(*, employee: Employee, actor: User | None = None) -> Employee:
    if employee.is_active:
        return employee
    employee.is_active = True
    employee.deactivated_at = None
    employee.save(update_fields=["is_active", "deactivated_at", "updated_at"])
    User.objects.filter(pk=employee.user_id).update(is_active=True)
    employee.user.is_active = True
    event_record(type=EMPLOYEE_RETURNED, subject=employee, actor=actor, payload={})
    return employee


# --- Profiles ----------------------------------------------------------------------------


@transaction.atomic
def profile_update(*, profile: Profile, actor: User | None = None, **changes: Any) -> Profile:
    """Change how a person likes to be served and recognised; unchanged values record nothing."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"profile_update does not change {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    cleaners = {
        "language": lambda v: validation.clean_language(v or "", allow_blank=True),
        "interests": validation.clean_interests,
        "working_hours": validation.clean_working_hours,
    }
    for field, clean in cleaners.items():
        if field in changes:
            try:
                changes[field] = clean(changes[field])
            except ValidationError as exc:
                errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)
    changed = [field for field, value in changes.items() if getattr(profile, field) != value]
    if not changed:
        return profile
    for field in changed:
        setattr(profile, field, changes[field])
    profile.full_clean(exclude=["employee"])
    profile.save()
    event_record(
        type=PROFILE_CHANGED,
        subject=profile.employee,
        actor=actor,
        payload={"changed": sorted(changed)},
    )
    return profile


# --- API tokens --------------------------------------------------------------------------


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    scope: str = TokenScope.READ,
    expires_at: datetime | None = None,
    actor: User | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token; returns the row and the raw token, which is never stored or shown again."""
    if not user.is_active:
        raise ValidationError({"user": _("Tokens can only be issued to active accounts.")})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip() or _("API token"),
        digest=token_digest(raw),
        prefix=raw[:10],
        scope=scope,
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    event_record(
        type="people.api_token_created",
        subject=token,
        actor=actor or user,
        payload={"scope": scope, "user": user.pk},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        event_record(type="people.api_token_revoked", subject=token, actor=actor, payload={"user": token.user_id})
    return token
