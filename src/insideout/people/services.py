"""Write use-cases of the directory. Each is atomic and records its events."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insideout.core.events import event_record, events_record_bulk, subject_of
from insideout.core.locks import serialize
from insideout.core.models import Event
from insideout.people import search, validation
from insideout.people.models import ApiToken, Employee, Profile, SearchToken, TokenScope, Unit, UnitKind, User

# Event types this context publishes.
EMPLOYEE_JOINED = "people.employee_joined"
EMPLOYEE_MOVED_UNIT = "people.employee_moved_unit"
EMPLOYEE_UPDATED = "people.employee_updated"
EMPLOYEE_LEFT = "people.employee_left"
EMPLOYEE_RETURNED = "people.employee_returned"
PROFILE_CHANGED = "people.profile_changed"

TOKEN_PREFIX = "io_"

# Names of the structures whose changes run one at a time (see core.locks.serialize).
REPORTING_LINES = "people.reporting_lines"
UNIT_TREE = "people.unit_tree"

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


def search_tokens_rebuild(*, employee_ids: Iterable[int]) -> int:
    """Rewrite the search words of these people from their search text and unit name.

    Runs in the caller's transaction; written with ``executemany`` so the demo and full imports
    of 100,000 people stay fast. Returns how many words were written.
    """
    table = connection.ops.quote_name(SearchToken._meta.db_table)
    written = 0
    ids = list(employee_ids)
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        rows = Employee.objects.filter(pk__in=chunk).values_list("pk", "search_text", "unit__name")
        pairs = search.unique_tokens((pk, search.tokens_for(text, unit_name or "")) for pk, text, unit_name in rows)
        SearchToken.objects.filter(employee_id__in=chunk).delete()
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} (employee_id, token) VALUES (%s, %s)", pairs)  # noqa: S608
        written += len(pairs)
    return written


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
    if "parent" in changes:
        serialize(UNIT_TREE)
        # Fresh paths: the objects in memory may predate another move that just committed.
        paths = dict(Unit.objects.filter(pk__in=[unit.pk, getattr(new_parent, "pk", None)]).values_list("pk", "path"))
        unit.path = paths.get(unit.pk, unit.path)
        if new_parent is not None:
            new_parent.path = paths.get(new_parent.pk, new_parent.path)
            new_parent.depth = new_parent.path.count("/") - 2
        if new_parent is not None and unit.path and new_parent.path.startswith(unit.path):
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
    if "name" in changes:
        search_tokens_rebuild(employee_ids=Employee.objects.filter(unit=unit).values_list("pk", flat=True))
    event_record(
        type="people.unit_updated",
        subject=unit,
        actor=actor,
        payload={"changed": sorted(changes)},
    )
    return unit


# --- Employees ---------------------------------------------------------------------------


def _clean_employee_values(values: dict[str, Any], *, current_country: str = "") -> dict[str, Any]:
    """Check HR values; a subdivision is checked against the new country or, without one, the
    person's current country."""
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
                cleaned["subdivision"] or "", country=cleaned.get("country", current_country) or ""
            )
        except ValidationError as exc:
            errors["subdivision"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def manager_loop_check(employee: Employee, manager: Employee | None) -> None:
    """Refuse a manager chain that loops back to the employee.

    The chain is read from the database, not from objects in memory that may be stale; services
    call this after :func:`serialize` so that two concurrent changes cannot each pass the check
    and make a loop together.
    """
    seen = {employee.pk}
    current_id = manager.pk if manager is not None else None
    while current_id is not None:
        if current_id in seen:
            raise ValidationError({"manager": _("This manager would make a reporting loop.")})
        seen.add(current_id)
        current_id = Employee.objects.filter(pk=current_id).values_list("manager_id", flat=True).first()


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
    search_tokens_rebuild(employee_ids=[employee.pk])
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
    if "country" in changes and "subdivision" not in changes:
        # A new country must still fit the subdivision the person has (BY is not in FR).
        changes["subdivision"] = employee.subdivision
    changes = _clean_employee_values(changes, current_country=employee.country)
    if "manager" in changes:
        serialize(REPORTING_LINES)
        manager_loop_check(employee, changes["manager"])
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
        user.save(update_fields=[field for field in changed if field in USER_FIELDS])
    employee.search_text = search_text_for(
        first_name=user.first_name, last_name=user.last_name, email=user.email, title=employee.title
    )
    employee.sort_name = sort_name_for(first_name=user.first_name, last_name=user.last_name)
    employee.full_clean(exclude=["user"])
    # Only the changed columns: a concurrent deactivation must not be undone by this older copy.
    employee.save(
        update_fields=[field for field in changed if field not in USER_FIELDS]
        + ["search_text", "sort_name", "updated_at"]
    )
    if set(changed) & {"first_name", "last_name", "email", "title", "unit"}:
        search_tokens_rebuild(employee_ids=[employee.pk])
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
    ApiToken.objects.filter(user_id=employee.user_id, revoked_at__isnull=True).update(
        revoked_at=employee.deactivated_at
    )
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
    cleaners: dict[str, Callable[[Any], Any]] = {
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


# --- Many people at once (the HRIS import) -----------------------------------------------

_BULK_BATCH = 1000


def _bulk_error(index: int, exc: ValidationError) -> ValidationError:
    """Name the row of a bulk call in each error key: ``"3.time_zone"``."""
    if hasattr(exc, "error_dict"):
        return ValidationError({f"{index}.{field}": messages for field, messages in exc.message_dict.items()})
    return ValidationError({f"{index}.__all__": exc.messages})


@transaction.atomic
def employee_bulk_create(
    *, people: Sequence[Mapping[str, Any]], actor: User | None = None, dispatch: bool = True
) -> list[Employee]:
    """Create many people at once, with what :func:`employee_create` does for one.

    Each mapping holds ``employee_create``'s keyword arguments except ``password`` (the accounts
    sign in after a password reset). ``manager`` is an existing person or, for a person created
    earlier in the same list, their ``employee_id``.
    Every row is cleaned and validated field by field; uniqueness (username, e-mail, employee id)
    is not queried row by row: the caller checks it in bulk and the database's constraints
    enforce it. Records one ``people.employee_joined`` per person, as ``employee_create`` does.

    Every bulk service takes ``dispatch``: ``False`` records the events as history only, so no
    handler runs (no "has joined" notifications when an organisation is loaded for the first time).
    """
    users: list[User] = []
    employees: list[Employee] = []
    by_employee_id: dict[str, Employee] = {}
    for index, row in enumerate(people):
        try:
            manager = row.get("manager")
            if isinstance(manager, str):
                if manager not in by_employee_id:
                    raise ValidationError({"manager": _("The manager must come before the people they manage.")})
                manager = by_employee_id[manager]
            values = _clean_employee_values(
                {
                    "time_zone": row.get("time_zone", "UTC"),
                    "language": row.get("language", "en"),
                    "country": row.get("country", ""),
                    "subdivision": row.get("subdivision", ""),
                }
            )
            first_name, last_name = row["first_name"], row["last_name"]
            user = User(
                username=row["username"].strip(),
                email=row["email"].strip().lower(),
                first_name=first_name,
                last_name=last_name,
            )
            user.set_unusable_password()
            user.full_clean(validate_unique=False, validate_constraints=False)
            title = row.get("title", "")
            employee = Employee(
                user=user,
                employee_id=row["employee_id"].strip(),
                title=title,
                unit=row.get("unit"),
                manager=manager,
                location=row.get("location", ""),
                start_date=row.get("start_date"),
                search_text=search_text_for(first_name=first_name, last_name=last_name, email=user.email, title=title),
                sort_name=sort_name_for(first_name=first_name, last_name=last_name),
                **values,
            )
            employee.full_clean(exclude=["user", "unit", "manager"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise _bulk_error(index, exc) from exc
        users.append(user)
        employees.append(employee)
        by_employee_id[employee.employee_id] = employee
    User.objects.bulk_create(users, batch_size=_BULK_BATCH)
    # In waves: a person whose manager is new in this list waits until the manager has a key.
    wave: list[Employee] = []
    in_wave: set[int] = set()
    for employee in employees:
        manager = employee.manager
        if manager is not None and manager.pk is None and id(manager) in in_wave:
            Employee.objects.bulk_create(wave, batch_size=_BULK_BATCH)
            wave, in_wave = [], set()
        wave.append(employee)
        in_wave.add(id(employee))
    Employee.objects.bulk_create(wave, batch_size=_BULK_BATCH)
    Profile.objects.bulk_create([Profile(employee=employee) for employee in employees], batch_size=_BULK_BATCH)
    search_tokens_rebuild(employee_ids=[employee.pk for employee in employees])
    now = timezone.now()
    events_record_bulk(
        [
            _bulk_event(
                EMPLOYEE_JOINED, employee, actor, {"unit": employee.unit_id, "manager": employee.manager_id}, now
            )
            for employee in employees
        ],
        dispatch=dispatch,
    )
    return employees


def _update_many(objects: Sequence[Employee] | Sequence[User], fields: Sequence[str]) -> None:
    """Write ``fields`` of each object with one prepared ``UPDATE … WHERE id = %s`` run for all.

    Django's ``bulk_update`` builds a ``CASE WHEN`` per field and row, which costs seconds per
    thousand rows; ``executemany`` of one statement costs milliseconds.
    """
    if not objects:
        return
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns: list[models.Field[Any, Any]] = []
    for name in fields:
        column = model._meta.get_field(name)
        if not isinstance(column, models.Field) or not column.column:
            raise ValueError(f"{name} is not a column of {model.__name__}")
        columns.append(column)
    pk_column = model._meta.pk.column if model._meta.pk is not None else None
    if not pk_column:
        raise ValueError(f"{model.__name__} has no primary key column")
    # Only quoted names from the model's metadata go into the text; the values are parameters.
    sql = "UPDATE {table} SET {assignments} WHERE {pk} = %s".format(  # noqa: S608
        table=quote(model._meta.db_table),
        assignments=", ".join(f"{quote(column.column)} = %s" for column in columns),  # type: ignore[arg-type]
        pk=quote(pk_column),
    )
    rows = [
        [column.get_db_prep_save(getattr(obj, column.attname), connection) for column in columns] + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BULK_BATCH):
            cursor.executemany(sql, rows[start : start + _BULK_BATCH])


def _bulk_event(type_: str, employee: Employee, actor: User | None, payload: dict[str, Any], at: datetime) -> Event:
    return Event(
        type=type_,
        subject_type=subject_of(employee)[0],
        subject_id=str(employee.pk),
        actor_id=actor.pk if actor is not None and actor.pk else None,
        payload=payload,
        occurred_at=at,
    )


def _check_managers_bulk(new_managers: Mapping[int, int | None]) -> int | None:
    """The first person (primary key) whose new manager chain loops back to them, if any."""
    manager_of: dict[int, int | None] = dict(Employee.objects.values_list("pk", "manager_id"))
    manager_of.update(new_managers)
    for start in new_managers:
        seen = {start}
        current = manager_of.get(start)
        while current is not None and current not in seen:
            seen.add(current)
            current = manager_of.get(current)
        if current == start:
            return start
    return None


@transaction.atomic
def employee_bulk_update(
    *, changes: Sequence[tuple[Employee, Mapping[str, Any]]], actor: User | None = None, dispatch: bool = True
) -> list[Employee]:
    """Change many people at once, with what :func:`employee_update` does for one.

    ``changes`` pairs each person (loaded with their ``user``) with the fields to change. Values
    are cleaned per row and reporting loops are checked over the whole directory at once; as in
    :func:`employee_bulk_create`, uniqueness is left to the caller's bulk check and the database.
    Records the same ``people.employee_moved_unit`` / ``people.employee_updated`` events.
    Returns the people that changed.
    """
    now = timezone.now()
    changed_people: list[tuple[Employee, list[str], int | None]] = []
    new_managers: dict[int, int | None] = {}
    for index, (employee, values) in enumerate(changes):
        unknown = set(values) - set(EMPLOYEE_FIELDS) - set(USER_FIELDS)
        if unknown:
            raise ValueError(f"employee_bulk_update does not change {sorted(unknown)}")
        to_clean = dict(values)
        if "subdivision" in to_clean and "country" not in to_clean:
            to_clean["country"] = employee.country  # a subdivision is checked against the person's country
        try:
            cleaned = _clean_employee_values(to_clean)
        except ValidationError as exc:
            raise _bulk_error(index, exc) from exc
        values = {field: cleaned[field] for field in values}
        user = employee.user
        old_unit_id = employee.unit_id
        changed: list[str] = []
        for field, value in values.items():
            target: Any = user if field in USER_FIELDS else employee
            if field == "email":
                value = value.strip().lower()
            if field in ("unit", "manager"):
                differs = getattr(employee, f"{field}_id") != (value.pk if value is not None else None)
            else:
                differs = getattr(target, field) != value
            if differs:
                setattr(target, field, value)
                changed.append(field)
        if not changed:
            continue
        if "manager" in changed:
            if employee.manager_id == employee.pk:
                raise _bulk_error(index, ValidationError({"manager": _("A person cannot be their own manager.")}))
            new_managers[employee.pk] = employee.manager_id
        employee.search_text = search_text_for(
            first_name=user.first_name, last_name=user.last_name, email=user.email, title=employee.title
        )
        employee.sort_name = sort_name_for(first_name=user.first_name, last_name=user.last_name)
        employee.updated_at = now
        try:
            if any(field in USER_FIELDS for field in changed):
                user.full_clean(validate_unique=False, validate_constraints=False)
            employee.full_clean(exclude=["user", "unit", "manager"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise _bulk_error(index, exc) from exc
        changed_people.append((employee, changed, old_unit_id))
    if new_managers:
        serialize(REPORTING_LINES)
        looping = _check_managers_bulk(new_managers)
        if looping is not None:
            index = next(i for i, (employee, _values) in enumerate(changes) if employee.pk == looping)
            raise _bulk_error(index, ValidationError({"manager": _("This manager would make a reporting loop.")}))
    user_fields = sorted({field for _e, changed, _u in changed_people for field in changed if field in USER_FIELDS})
    employee_fields = sorted(
        {field for _e, changed, _u in changed_people for field in changed if field not in USER_FIELDS}
        | {"search_text", "sort_name", "updated_at"}
    )
    if user_fields:
        _update_many(
            [employee.user for employee, changed, _u in changed_people if set(changed) & set(USER_FIELDS)], user_fields
        )
    _update_many([employee for employee, _c, _u in changed_people], employee_fields)
    search_tokens_rebuild(employee_ids=[employee.pk for employee, _c, _u in changed_people])
    events: list[Event] = []
    for employee, changed, old_unit_id in changed_people:
        if "unit" in changed:
            payload = {"from_unit": old_unit_id, "to_unit": employee.unit_id}
            events.append(_bulk_event(EMPLOYEE_MOVED_UNIT, employee, actor, payload, now))
        other = [field for field in changed if field != "unit"]
        if other:
            events.append(_bulk_event(EMPLOYEE_UPDATED, employee, actor, {"changed": sorted(other)}, now))
    events_record_bulk(events, dispatch=dispatch)
    return [employee for employee, _c, _u in changed_people]


@transaction.atomic
def employee_bulk_deactivate(
    *, employees: Sequence[Employee], actor: User | None = None, at: datetime | None = None, dispatch: bool = True
) -> list[Employee]:
    """Leavers, many at once, as :func:`employee_deactivate`; returns those who were active."""
    at = at or timezone.now()
    leaving = [employee for employee in employees if employee.is_active]
    for start in range(0, len(leaving), _BULK_BATCH):
        batch = leaving[start : start + _BULK_BATCH]
        Employee.objects.filter(pk__in=[e.pk for e in batch]).update(is_active=False, deactivated_at=at, updated_at=at)
        User.objects.filter(pk__in=[e.user_id for e in batch]).update(is_active=False)
        ApiToken.objects.filter(user_id__in=[e.user_id for e in batch], revoked_at__isnull=True).update(revoked_at=at)
    for employee in leaving:
        employee.is_active = False
        employee.deactivated_at = at
        employee.user.is_active = False
    events_record_bulk([_bulk_event(EMPLOYEE_LEFT, employee, actor, {}, at) for employee in leaving], dispatch=dispatch)
    return leaving


@transaction.atomic
def employee_bulk_reactivate(
    *, employees: Sequence[Employee], actor: User | None = None, dispatch: bool = True
) -> list[Employee]:
    """People who are back, many at once, as :func:`employee_reactivate`; returns those who were inactive."""
    now = timezone.now()
    returning = [employee for employee in employees if not employee.is_active]
    for start in range(0, len(returning), _BULK_BATCH):
        batch = returning[start : start + _BULK_BATCH]
        Employee.objects.filter(pk__in=[e.pk for e in batch]).update(
            is_active=True, deactivated_at=None, updated_at=now
        )
        User.objects.filter(pk__in=[e.user_id for e in batch]).update(is_active=True)
    for employee in returning:
        employee.is_active = True
        employee.deactivated_at = None
        employee.user.is_active = True
    events_record_bulk(
        [_bulk_event(EMPLOYEE_RETURNED, employee, actor, {}, now) for employee in returning], dispatch=dispatch
    )
    return returning
