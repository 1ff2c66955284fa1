"""The HRIS import: CSV files of people and of units, checked as a whole and applied all or nothing.

Each import has two steps.

* **Check** (:func:`people_import_check`, :func:`units_import_check`): read the file, clean every
  value with the rules of :mod:`insideout.people.validation`, and resolve units, managers and
  leads with a few bulk queries (never one per row). It collects *every* problem with its line
  and column, and plans what would change. It writes nothing, so it is also the dry run.
* **Apply** (:func:`people_import`, :func:`units_import`): check again inside one transaction and
  carry out the plan through the services, so an imported change records the same events as a
  change made by hand. A row that changes nothing calls no service and records no event, which
  makes a second identical import a no-op. Any problem rolls the whole file back.

Columns that are not in the file are left alone on existing rows and take their defaults on new
ones; a column that is there but empty means "no value" (no unit, no manager, …).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insideout.people import services, validation
from insideout.people.models import Employee, Unit, UnitKind, User

Progress = Callable[[int, int], None]

PEOPLE_REQUIRED_COLUMNS = ("employee_id", "email", "first_name", "last_name")
# The HR-owned fields the services change, plus the account name and the leaver flag.
PEOPLE_OPTIONAL_COLUMNS = ("username", *services.EMPLOYEE_FIELDS, "active")
UNITS_REQUIRED_COLUMNS = ("code", "name")
UNITS_OPTIONAL_COLUMNS = ("kind", "parent", "provides_services", "lead")

DEFAULT_TIME_ZONE = "UTC"
DEFAULT_LANGUAGE = "en"

_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NOT_IN_USERNAME = re.compile(r"[^\w.@+-]")
_PROGRESS_EVERY = 500

# Longest value each text column takes; from the models, so the import and the forms agree.
_MAX_LENGTH: dict[str, int] = {
    "employee_id": Employee._meta.get_field("employee_id").max_length or 64,
    "username": User._meta.get_field("username").max_length or 150,
    "email": User._meta.get_field("email").max_length or 254,
    "first_name": User._meta.get_field("first_name").max_length or 150,
    "last_name": User._meta.get_field("last_name").max_length or 150,
    "title": Employee._meta.get_field("title").max_length or 200,
    "location": Employee._meta.get_field("location").max_length or 200,
    "subdivision": Employee._meta.get_field("subdivision").max_length or 10,
    "code": Unit._meta.get_field("code").max_length or 40,
    "name": Unit._meta.get_field("name").max_length or 200,
}


# --- Results -----------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class RowError:
    """One problem: the file's line (1 is the header; 0 the whole file), the column (empty for the whole row)."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.line:
            return self.message
        if self.column:
            return _("line %(line)d, column %(column)s: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportSummary:
    """How many rows were (or, in a dry run, would be) created, updated, … ``updated`` and
    ``reactivated``/``deactivated`` are counted separately; ``unchanged`` rows had neither."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    reactivated: int = 0

    @property
    def changes(self) -> int:
        return self.created + self.updated + self.deactivated + self.reactivated


@dataclass(frozen=True)
class PlannedChange:
    """What the import does to one person or unit; ``line`` is 0 for people not in the file."""

    line: int
    key: str
    action: str  # "create", "update", "deactivate", "reactivate"
    fields: tuple[str, ...] = ()


@dataclass
class ImportResult:
    kind: str  # "people" or "units"
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    summary: ImportSummary = field(default_factory=ImportSummary)
    changes: list[PlannedChange] = field(default_factory=list)
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def applied(self) -> bool:
        return self.ok and not self.dry_run


class _Rollback(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(str(error))
        self.error = error


# --- Reading the file --------------------------------------------------------------------


@dataclass
class _Table:
    columns: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]
    errors: list[RowError]


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _Rollback(
            RowError(line, "", _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."))
        ) from exc


def _delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_table(data: bytes | str, *, required: Sequence[str], optional: Sequence[str]) -> _Table:
    """Parse a CSV file with a header row. Pure: no database.

    Problems with the header stop the reading (there is no sense in checking rows against the
    wrong columns); problems with the shape of a row are reported and the row is left out.
    """
    try:
        text = _decode(data)
    except _Rollback as exc:
        return _Table((), [], [exc.error])
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        return _Table(
            (),
            [],
            [
                RowError(
                    1,
                    "",
                    _("The first line must name the columns, e.g. %(columns)s.") % {"columns": ", ".join(required)},
                )
            ],
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    errors: list[RowError] = []
    try:
        header = [name.strip().lower() for name in next(reader)]
    except csv.Error as exc:
        return _Table((), [], [RowError(1, "", _("The header cannot be read: %(error)s.") % {"error": exc})])
    known = (*required, *optional)
    seen: set[str] = set()
    for name in header:
        if name in seen:
            errors.append(RowError(1, name, _("This column appears twice in the header.")))
        elif name not in known:
            errors.append(
                RowError(
                    1,
                    name,
                    _("This is not a column of this import; the columns are: %(known)s.") % {"known": ", ".join(known)},
                )
            )
        seen.add(name)
    for name in required:
        if name not in seen:
            errors.append(
                RowError(1, name, _("The header has no “%(column)s” column; it is required.") % {"column": name})
            )
    if errors:
        return _Table(tuple(header), [], errors)

    rows: list[tuple[int, dict[str, str]]] = []
    last_line = reader.line_num
    while True:
        line = last_line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(reader.line_num, "", _("This line cannot be read: %(error)s.") % {"error": exc}))
            break
        last_line = reader.line_num
        if not any(value.strip() for value in record):
            continue
        if len(record) != len(header):
            errors.append(
                RowError(
                    line,
                    "",
                    _("This row has %(count)d values but the header has %(expected)d columns.")
                    % {"count": len(record), "expected": len(header)},
                )
            )
            continue
        rows.append((line, {name: value.strip() for name, value in zip(header, record, strict=True)}))
    return _Table(tuple(header), rows, errors)


# --- Shared cleaning ---------------------------------------------------------------------


class _Cleaner:
    """Collects the problems of one row, column by column."""

    def __init__(self, line: int, raw: Mapping[str, str], errors: list[RowError]) -> None:
        self.line = line
        self.raw = raw
        self.errors = errors
        self.ok = True

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.line, column, message))
        self.ok = False

    def has(self, column: str) -> bool:
        return column in self.raw

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.raw.get(column, "")
        if not value and required:
            self.error(column, _("This column needs a value."))
            return ""
        limit = _MAX_LENGTH.get(column)
        if limit is not None and len(value) > limit:
            self.error(
                column,
                _("This value has %(length)d characters; at most %(max)d fit.") % {"length": len(value), "max": limit},
            )
            return ""
        return value

    def check(self, column: str, clean: Callable[[str], Any], value: str) -> Any:
        try:
            return clean(value)
        except ValidationError as exc:
            self.error(column, " ".join(exc.messages))
            return None

    def flag(self, column: str, *, default: bool) -> bool:
        value = self.raw.get(column, "").lower()
        if not value:
            return default
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        self.error(column, _("“%(value)s” is not true or false.") % {"value": self.raw[column]})
        return default


def _cycles(parent_of: Mapping[str, str | None]) -> dict[str, list[str]]:
    """Every key on a loop of ``parent_of``, with its loop written out (``[A, B, A]``)."""
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    on_loop: dict[str, list[str]] = {}
    for start in parent_of:
        if start in state:
            continue
        path: list[str] = []
        node: str | None = start
        while node is not None and node not in state:
            state[node] = 1
            path.append(node)
            node = parent_of.get(node)
        if node is not None and state[node] == 1:
            loop = path[path.index(node) :]
            for member in loop:
                at = loop.index(member)
                on_loop[member] = [*loop[at:], *loop[:at], member]
        for walked in path:
            state[walked] = 2
    return on_loop


def _depths(parent_of: Mapping[str, str | None], keys: Iterable[str]) -> dict[str, int]:
    """Distance from the root for each of ``keys`` (the graph has no loops by now)."""
    depth: dict[str, int] = {}
    for start in keys:
        path: list[str] = []
        node: str | None = start
        while node is not None and node not in depth and node not in path:
            path.append(node)
            node = parent_of.get(node)
        base = depth.get(node, -1) if node is not None else -1
        for walked in reversed(path):
            base += 1
            depth[walked] = base
    return depth


def _in_file_order(errors: list[RowError], columns: Sequence[str]) -> list[RowError]:
    """By line, and within a line in the order of the columns."""
    position = {name: index for index, name in enumerate(columns)}
    return sorted(errors, key=lambda error: (error.line, position.get(error.column, -1)))


def _loop_text(loop: Sequence[str]) -> str:
    return " → ".join(loop)


# --- People ------------------------------------------------------------------------------


class _ExistingPerson(NamedTuple):
    pk: int
    employee_id: str
    user_id: int
    username: str
    email: str
    first_name: str
    last_name: str
    title: str
    unit_id: int | None
    manager_id: int | None
    location: str
    country: str
    subdivision: str
    time_zone: str
    language: str
    start_date: date | None
    is_active: bool


_EXISTING_PERSON_FIELDS = (
    "pk",
    "employee_id",
    "user_id",
    "user__username",
    "user__email",
    "user__first_name",
    "user__last_name",
    "title",
    "unit_id",
    "manager_id",
    "location",
    "country",
    "subdivision",
    "time_zone",
    "language",
    "start_date",
    "is_active",
)


@dataclass
class _PersonRow:
    line: int
    employee_id: str
    values: dict[str, Any]  # service keyword -> cleaned value; unit is a code, manager an employee id
    active: bool
    ok: bool
    existing: _ExistingPerson | None = None


@dataclass
class _PersonAction:
    line: int
    employee_id: str
    create: bool
    values: dict[str, Any]  # everything for a create, only what changes for an update
    activate: bool | None  # True: reactivate, False: deactivate, None: leave


@dataclass
class _PeoplePlan:
    result: ImportResult
    actions: list[_PersonAction]
    leavers: list[str]  # employee ids to deactivate because they are missing from the file


def _clean_person_row(line: int, raw: Mapping[str, str], errors: list[RowError]) -> _PersonRow:
    row = _Cleaner(line, raw, errors)
    employee_id = row.text("employee_id", required=True)
    values: dict[str, Any] = {}
    email = row.text("email", required=True)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            row.error("email", _("“%(value)s” is not a valid e-mail address.") % {"value": email})
        else:
            values["email"] = email.lower()
    values["first_name"] = row.text("first_name", required=True)
    values["last_name"] = row.text("last_name")
    if row.has("username") and raw["username"]:
        username = row.text("username")
        if username:
            try:
                UnicodeUsernameValidator()(username)
            except ValidationError:
                row.error(
                    "username",
                    _("“%(value)s” is not a valid username: use letters, digits and @ . + - _ only.")
                    % {"value": username},
                )
            else:
                values["username"] = username
    for column in ("title", "location", "unit", "manager"):
        if row.has(column):
            values[column] = row.text(column)
    if row.has("country"):
        values["country"] = row.check("country", validation.clean_country, raw["country"])
    if row.has("subdivision"):
        # Checked against the country later, when the existing person's country is known.
        values["subdivision"] = row.text("subdivision").upper()
    if row.has("time_zone"):
        values["time_zone"] = row.check("time_zone", validation.clean_time_zone, raw["time_zone"] or DEFAULT_TIME_ZONE)
    if row.has("language"):
        values["language"] = row.check("language", validation.clean_language, raw["language"] or DEFAULT_LANGUAGE)
    if row.has("start_date"):
        values["start_date"] = _clean_date(row, raw["start_date"])
    active = row.flag("active", default=True)
    return _PersonRow(line=line, employee_id=employee_id, values=values, active=active, ok=row.ok)


def _clean_date(row: _Cleaner, value: str) -> date | None:
    if not value:
        return None
    try:
        if not _ISO_DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        row.error("start_date", _("“%(value)s” is not a date like 2024-03-01.") % {"value": value})
        return None


def _username_base(email: str) -> str:
    local = _NOT_IN_USERNAME.sub("", email.split("@", 1)[0])
    return (local or "user")[: _MAX_LENGTH["username"] - 8]


def people_import_check(
    data: bytes | str, *, deactivate_missing: bool = False, actor: User | None = None
) -> _PeoplePlan:
    """Check a people file against the directory and plan the changes; writes nothing.

    ``actor`` is who imports through the page; the command line (no actor) is trusted like a
    superuser.
    """
    table = read_table(data, required=PEOPLE_REQUIRED_COLUMNS, optional=PEOPLE_OPTIONAL_COLUMNS)
    result = ImportResult(kind="people", rows=len(table.rows), errors=list(table.errors))
    plan = _PeoplePlan(result=result, actions=[], leavers=[])
    if not table.columns or any(error.line == 1 for error in table.errors):
        return plan
    errors = result.errors
    rows = [_clean_person_row(line, raw, errors) for line, raw in table.rows]

    # Three queries for the whole file: the people, the accounts and the units there are.
    existing = {
        person.employee_id: person
        for person in (_ExistingPerson(*values) for values in Employee.objects.values_list(*_EXISTING_PERSON_FIELDS))
    }
    id_by_pk = {person.pk: person.employee_id for person in existing.values()}
    accounts = list(User.objects.values_list("pk", "username", "email"))
    user_by_email = {email.lower(): pk for pk, _username, email in accounts if email}
    user_by_username = {username.casefold(): pk for pk, username, _email in accounts}
    unit_code_by_pk = dict(Unit.objects.values_list("pk", "code"))
    unit_codes = set(unit_code_by_pk.values())

    # Duplicates within the file, and which person each row is.
    first_line_of: dict[str, int] = {}
    email_line: dict[str, int] = {}
    username_line: dict[str, int] = {}
    for row in rows:
        if row.employee_id:
            if row.employee_id in first_line_of:
                _row_error(
                    row,
                    errors,
                    "employee_id",
                    _("The employee id “%(value)s” is also on line %(line)d.")
                    % {"value": row.employee_id, "line": first_line_of[row.employee_id]},
                )
                continue
            first_line_of[row.employee_id] = row.line
            row.existing = existing.get(row.employee_id)
        own_user = row.existing.user_id if row.existing else None
        email = row.values.get("email")
        if email:
            if email in email_line:
                _row_error(
                    row,
                    errors,
                    "email",
                    _("“%(value)s” is also the e-mail address on line %(line)d.")
                    % {"value": email, "line": email_line[email]},
                )
            else:
                email_line[email] = row.line
                if user_by_email.get(email, own_user) != own_user:
                    _row_error(
                        row, errors, "email", _("“%(value)s” is already used by another account.") % {"value": email}
                    )
        username = row.values.get("username")
        if username:
            key = username.casefold()
            if key in username_line:
                _row_error(
                    row,
                    errors,
                    "username",
                    _("The username “%(value)s” is also on line %(line)d.")
                    % {"value": username, "line": username_line[key]},
                )
            else:
                username_line[key] = row.line
                if user_by_username.get(key, own_user) != own_user:
                    _row_error(
                        row,
                        errors,
                        "username",
                        _("The username “%(value)s” is already used by another account.") % {"value": username},
                    )

    # References: units by code, managers by employee id (in the file or already known).
    known_ids = set(existing) | set(first_line_of)
    manager_of: dict[str, str | None] = {
        person.employee_id: id_by_pk.get(person.manager_id) if person.manager_id else None
        for person in existing.values()
    }
    for row in rows:
        if first_line_of.get(row.employee_id) != row.line:
            continue
        code = row.values.get("unit")
        if code and code not in unit_codes:
            _row_error(row, errors, "unit", _("No unit has the code “%(value)s”.") % {"value": code})
        if "manager" in row.values:
            manager = row.values["manager"] or None
            if manager is not None and manager == row.employee_id:
                _row_error(row, errors, "manager", _("A person cannot be their own manager."))
            elif manager is not None and manager not in known_ids:
                _row_error(
                    row,
                    errors,
                    "manager",
                    _("No person has the employee id “%(value)s”, in this file or in InsideOut.") % {"value": manager},
                )
            else:
                manager_of[row.employee_id] = manager
        if "subdivision" in row.values:
            country = row.values.get("country", row.existing.country if row.existing else "")
            if country is not None:  # None: the country is wrong, reported already
                subdivision = row.values["subdivision"]
                try:
                    row.values["subdivision"] = validation.clean_subdivision(subdivision, country=country)
                except ValidationError as exc:
                    _row_error(row, errors, "subdivision", " ".join(exc.messages))
    loops = _cycles(manager_of)
    for row in rows:
        if row.employee_id in loops and first_line_of.get(row.employee_id) == row.line and "manager" in row.values:
            _row_error(
                row,
                errors,
                "manager",
                _("This manager would make a reporting loop: %(loop)s.") % {"loop": _loop_text(loops[row.employee_id])},
            )

    if errors:
        result.errors = _in_file_order(errors, table.columns)
        return plan

    # Usernames for new people: the e-mail's local part, made unique.
    taken = set(user_by_username) | set(username_line)
    next_number: dict[str, int] = {}
    for row in rows:
        if row.existing is None and not row.values.get("username"):
            base = _username_base(row.values["email"])
            candidate, number = base, next_number.get(base.casefold(), 1)
            while candidate.casefold() in taken:
                number += 1
                candidate = f"{base}{number}"
            next_number[base.casefold()] = number
            taken.add(candidate.casefold())
            row.values["username"] = candidate

    plan.actions = _plan_people(
        rows, result.summary, id_by_pk=id_by_pk, unit_code_by_pk=unit_code_by_pk, manager_of=manager_of
    )
    changes_in_file_order = sorted(plan.actions, key=lambda action: action.line)
    result.changes = [
        PlannedChange(
            line=action.line,
            key=action.employee_id,
            action="create" if action.create else "update" if action.values else _activation(action.activate),
            fields=tuple(sorted(action.values)) if not action.create else (),
        )
        for action in changes_in_file_order
    ]
    if deactivate_missing:
        plan.leavers = sorted(
            person.employee_id
            for person in existing.values()
            if person.is_active and person.employee_id not in first_line_of
        )
        result.summary.deactivated += len(plan.leavers)
        result.changes.extend(PlannedChange(line=0, key=leaver, action="deactivate") for leaver in plan.leavers)
    refused = _privileged_changes(plan, actor=actor)
    if refused:
        result.errors = refused
    return plan


def _privileged_changes(plan: _PeoplePlan, *, actor: User | None) -> list[RowError]:
    """Changes to an administrator's sign-in that only a superuser may make.

    People-ops may import people, but a new e-mail address on a superuser's record would let them
    take the account over through a password reset, and deactivating one would lock it out.
    """
    if actor is None or actor.is_superuser:
        return []
    privileged = set(
        Employee.objects.filter(Q(user__is_staff=True) | Q(user__is_superuser=True)).values_list(
            "employee_id", flat=True
        )
    )
    message = _(
        "%(employee_id)s signs in as an administrator: only a superuser may change the %(column)s of that account."
    )
    refused: list[RowError] = []
    for action in plan.actions:
        if action.create or action.employee_id not in privileged:
            continue
        touched: list[str] = [column for column in ("email", "username") if column in action.values]
        if action.activate is not None:
            touched.append("active")
        refused.extend(
            RowError(action.line, column, message % {"employee_id": action.employee_id, "column": column})
            for column in touched
        )
    refused.extend(
        RowError(0, "active", message % {"employee_id": employee_id, "column": "active"})
        for employee_id in plan.leavers
        if employee_id in privileged
    )
    return refused


def _activation(activate: bool | None) -> str:
    return "reactivate" if activate else "deactivate"


def _row_error(row: _PersonRow | _UnitRow, errors: list[RowError], column: str, message: str) -> None:
    errors.append(RowError(row.line, column, message))
    row.ok = False


def _plan_people(
    rows: list[_PersonRow],
    summary: ImportSummary,
    *,
    id_by_pk: Mapping[int, str],
    unit_code_by_pk: Mapping[int, str],
    manager_of: Mapping[str, str | None],
) -> list[_PersonAction]:
    """What to do for each row; managers come before the people they manage."""
    depth = _depths(manager_of, (row.employee_id for row in rows))
    actions: list[_PersonAction] = []
    for row in sorted(rows, key=lambda row: (depth.get(row.employee_id, 0), row.line)):
        current = row.existing
        if current is None:
            summary.created += 1
            if not row.active:
                summary.deactivated += 1
            actions.append(
                _PersonAction(
                    line=row.line,
                    employee_id=row.employee_id,
                    create=True,
                    values=row.values,
                    activate=None if row.active else False,
                )
            )
            continue
        changes: dict[str, Any] = {}
        for name, value in row.values.items():
            if name == "unit":
                old: Any = unit_code_by_pk.get(current.unit_id) if current.unit_id else None
                value = value or None
            elif name == "manager":
                old = id_by_pk.get(current.manager_id) if current.manager_id else None
                value = value or None
            else:
                old = getattr(current, name)
            if old != value:
                changes[name] = value
        activate = None if row.active == current.is_active else row.active
        if changes:
            summary.updated += 1
        if activate is True:
            summary.reactivated += 1
        elif activate is False:
            summary.deactivated += 1
        if not changes and activate is None:
            summary.unchanged += 1
            continue
        actions.append(
            _PersonAction(line=row.line, employee_id=row.employee_id, create=False, values=changes, activate=activate)
        )
    return actions


def people_import(
    *,
    data: bytes | str,
    actor: User | None = None,
    deactivate_missing: bool = False,
    dry_run: bool = False,
    notify: bool = True,
    progress: Progress | None = None,
) -> ImportResult:
    """Check a people file and, unless it is a dry run or has problems, apply it in one transaction.

    With ``notify=False`` the events are history only: nobody is told that people joined or moved
    (for the first load of an organisation).
    """
    if dry_run:
        return people_import_check(data, deactivate_missing=deactivate_missing, actor=actor).result
    try:
        with transaction.atomic():
            plan = people_import_check(data, deactivate_missing=deactivate_missing, actor=actor)
            if plan.result.ok:
                _apply_people(plan, actor=actor, notify=notify, progress=progress)
    except _Rollback as exc:
        return ImportResult(kind="people", rows=plan.result.rows, errors=[exc.error], dry_run=False)
    plan.result.dry_run = False
    return plan.result


def _apply_people(plan: _PeoplePlan, *, actor: User | None, notify: bool, progress: Progress | None) -> None:
    """Carry out the plan with the directory's bulk services: a few queries per thousand rows,
    and the same events as changes made one by one."""
    units = Unit.objects.in_bulk(field_name="code")
    new = [action for action in plan.actions if action.create]
    new_ids = {action.employee_id for action in new}
    wanted = {action.employee_id for action in plan.actions if not action.create}
    wanted |= {action.values["manager"] for action in plan.actions if action.values.get("manager")} - new_ids
    wanted |= set(plan.leavers)
    people: dict[str, Employee] = {}
    ids = sorted(wanted)
    for start in range(0, len(ids), 500):
        people.update(
            Employee.objects.select_related("user").in_bulk(ids[start : start + 500], field_name="employee_id")
        )
    total = len(plan.actions) + len(plan.leavers)

    def resolve(values: Mapping[str, Any]) -> dict[str, Any]:
        resolved = dict(values)
        if "unit" in resolved:
            resolved["unit"] = units[resolved["unit"]] if resolved["unit"] else None
        if "manager" in resolved:
            manager = resolved["manager"]
            # Before the creates, a manager who is new in this file is still only an employee id
            # (employee_bulk_create links them up); afterwards every manager is in ``people``.
            resolved["manager"] = people.get(manager, manager) if manager else None
        return resolved

    def step(lines: Sequence[int], call: Callable[[], list[Employee]]) -> list[Employee]:
        try:
            return call()
        except ValidationError as exc:
            raise _Rollback(_bulk_service_error(exc, lines)) from exc
        except IntegrityError as exc:
            raise _Rollback(RowError(0, "", _("The database refused the file: %(error)s") % {"error": exc})) from exc

    # New people first (managers before the people they manage: the plan is in that order).
    drafts = [{"employee_id": action.employee_id, **resolve(action.values)} for action in new]
    created = step(
        [a.line for a in new], lambda: services.employee_bulk_create(people=drafts, actor=actor, dispatch=notify)
    )
    people.update({employee.employee_id: employee for employee in created})
    if progress and new:
        progress(len(new), total)

    updates = [action for action in plan.actions if not action.create and action.values]
    pairs = [(people[action.employee_id], resolve(action.values)) for action in updates]
    step([a.line for a in updates], lambda: services.employee_bulk_update(changes=pairs, actor=actor, dispatch=notify))

    back = [people[action.employee_id] for action in plan.actions if action.activate is True]
    services.employee_bulk_reactivate(employees=back, actor=actor, dispatch=notify)
    leaving = [people[action.employee_id] for action in plan.actions if action.activate is False]
    leaving += [people[employee_id] for employee_id in plan.leavers]
    services.employee_bulk_deactivate(employees=leaving, actor=actor, dispatch=notify)
    if progress:
        progress(total, total)


def _bulk_service_error(exc: ValidationError, lines: Sequence[int]) -> RowError:
    """A bulk service's refusal (keys like ``"3.time_zone"``), reported on its row."""
    key, messages = next(iter(exc.message_dict.items()))
    index, _dot, column = key.partition(".")
    line = lines[int(index)] if index.isdigit() and int(index) < len(lines) else 0
    return RowError(line, "" if column == "__all__" else column, " ".join(messages))


def _service_error(line: int, exc: ValidationError, *, default_column: str) -> RowError:
    """A service's refusal, which the check should have caught: report it on the row."""
    if hasattr(exc, "error_dict"):
        column, messages = next(iter(exc.message_dict.items()))
        return RowError(line, "" if column == "__all__" else column, " ".join(messages))
    return RowError(line, default_column, " ".join(exc.messages))


# --- Units -------------------------------------------------------------------------------


class _ExistingUnit(NamedTuple):
    pk: int
    code: str
    name: str
    kind: str
    parent_code: str | None
    provides_services: bool
    lead_employee_id: str | None


@dataclass
class _UnitRow:
    line: int
    code: str
    values: dict[str, Any]  # parent is a code, lead an employee id
    ok: bool
    existing: _ExistingUnit | None = None


@dataclass
class _UnitAction:
    line: int
    code: str
    create: bool
    values: dict[str, Any]


@dataclass
class _UnitsPlan:
    result: ImportResult
    actions: list[_UnitAction]


def _clean_unit_row(line: int, raw: Mapping[str, str], errors: list[RowError]) -> _UnitRow:
    row = _Cleaner(line, raw, errors)
    code = row.text("code", required=True)
    values: dict[str, Any] = {"name": row.text("name", required=True)}
    if row.has("kind"):
        kind = raw["kind"].lower() or UnitKind.TEAM.value
        if kind not in UnitKind.values:
            row.error(
                "kind",
                _("“%(value)s” is not a kind of unit; use one of: %(kinds)s.")
                % {"value": raw["kind"], "kinds": ", ".join(UnitKind.values)},
            )
        values["kind"] = kind
    if row.has("parent"):
        values["parent"] = raw["parent"]
    if row.has("provides_services"):
        values["provides_services"] = row.flag("provides_services", default=False)
    if row.has("lead"):
        values["lead"] = raw["lead"]
    return _UnitRow(line=line, code=code, values=values, ok=row.ok)


def units_import_check(data: bytes | str) -> _UnitsPlan:
    """Check a units file against the directory and plan the changes; writes nothing."""
    table = read_table(data, required=UNITS_REQUIRED_COLUMNS, optional=UNITS_OPTIONAL_COLUMNS)
    result = ImportResult(kind="units", rows=len(table.rows), errors=list(table.errors))
    plan = _UnitsPlan(result=result, actions=[])
    if not table.columns or any(error.line == 1 for error in table.errors):
        return plan
    errors = result.errors
    rows = [_clean_unit_row(line, raw, errors) for line, raw in table.rows]

    existing = {
        unit.code: unit
        for unit in (
            _ExistingUnit(*values)
            for values in Unit.objects.values_list(
                "pk", "code", "name", "kind", "parent__code", "provides_services", "lead__employee_id"
            )
        )
    }
    employee_ids = set(Employee.objects.values_list("employee_id", flat=True))

    first_line_of: dict[str, int] = {}
    for row in rows:
        if not row.code:
            continue
        if row.code in first_line_of:
            _row_error(
                row,
                errors,
                "code",
                _("The code “%(value)s” is also on line %(line)d.")
                % {"value": row.code, "line": first_line_of[row.code]},
            )
            continue
        first_line_of[row.code] = row.line
        row.existing = existing.get(row.code)

    known_codes = set(existing) | set(first_line_of)
    parent_of: dict[str, str | None] = {unit.code: unit.parent_code for unit in existing.values()}
    for row in rows:
        if first_line_of.get(row.code) != row.line:
            continue
        if "parent" in row.values:
            parent = row.values["parent"] or None
            if parent is not None and parent == row.code:
                _row_error(row, errors, "parent", _("A unit cannot be its own parent."))
            elif parent is not None and parent not in known_codes:
                _row_error(
                    row,
                    errors,
                    "parent",
                    _("No unit has the code “%(value)s”, in this file or in InsideOut.") % {"value": parent},
                )
            else:
                parent_of[row.code] = parent
        lead = row.values.get("lead")
        if lead and lead not in employee_ids:
            _row_error(row, errors, "lead", _("No person has the employee id “%(value)s”.") % {"value": lead})
    loops = _cycles(parent_of)
    for row in rows:
        if row.code in loops and first_line_of.get(row.code) == row.line and "parent" in row.values:
            _row_error(
                row,
                errors,
                "parent",
                _("This parent would make a loop of units: %(loop)s.") % {"loop": _loop_text(loops[row.code])},
            )
    if errors:
        result.errors = _in_file_order(errors, table.columns)
        return plan

    depth = _depths(parent_of, first_line_of)
    summary = result.summary
    for row in sorted(rows, key=lambda row: (depth.get(row.code, 0), row.line)):
        values = {name: (value or None) if name in ("parent", "lead") else value for name, value in row.values.items()}
        if row.existing is None:
            summary.created += 1
            plan.actions.append(_UnitAction(line=row.line, code=row.code, create=True, values=values))
            result.changes.append(PlannedChange(line=row.line, key=row.code, action="create"))
            continue
        current = {
            "name": row.existing.name,
            "kind": row.existing.kind,
            "parent": row.existing.parent_code,
            "provides_services": row.existing.provides_services,
            "lead": row.existing.lead_employee_id,
        }
        changes = {name: value for name, value in values.items() if current[name] != value}
        if changes:
            summary.updated += 1
            plan.actions.append(_UnitAction(line=row.line, code=row.code, create=False, values=changes))
            result.changes.append(
                PlannedChange(line=row.line, key=row.code, action="update", fields=tuple(sorted(changes)))
            )
        else:
            summary.unchanged += 1
    result.changes.sort(key=lambda change: change.line)
    return plan


def units_import(
    *,
    data: bytes | str,
    actor: User | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Check a units file and, unless it is a dry run or has problems, apply it in one transaction."""
    if dry_run:
        return units_import_check(data).result
    try:
        with transaction.atomic():
            plan = units_import_check(data)
            if plan.result.ok:
                _apply_units(plan, actor=actor, progress=progress)
    except _Rollback as exc:
        return ImportResult(kind="units", rows=plan.result.rows, errors=[exc.error], dry_run=False)
    plan.result.dry_run = False
    return plan.result


def _apply_units(plan: _UnitsPlan, *, actor: User | None, progress: Progress | None) -> None:
    leads = {action.values["lead"] for action in plan.actions if action.values.get("lead")}
    people = Employee.objects.in_bulk(sorted(leads), field_name="employee_id") if leads else {}
    for done, action in enumerate(plan.actions, start=1):
        values = dict(action.values)
        # Fresh rows each time: moving a unit rewrites the paths of everything below it.
        if values.get("parent"):
            values["parent"] = Unit.objects.get(code=values["parent"])
        if values.get("lead"):
            values["lead"] = people[values["lead"]]
        try:
            if action.create:
                services.unit_create(code=action.code, actor=actor, **values)
            else:
                services.unit_update(
                    unit=Unit.objects.select_related("parent").get(code=action.code), actor=actor, **values
                )
        except ValidationError as exc:
            raise _Rollback(_service_error(action.line, exc, default_column="")) from exc
        if progress and done % _PROGRESS_EVERY == 0:
            progress(done, len(plan.actions))
    if progress:
        progress(len(plan.actions), len(plan.actions))


def summary_text(result: ImportResult) -> str:
    """One or two sentences for the command's output and the page's message."""
    counts = result.summary
    values = {
        "created": counts.created,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "deactivated": counts.deactivated,
        "reactivated": counts.reactivated,
    }
    if result.dry_run:
        rows = ngettext(
            "Dry run of %(rows)d row; nothing was changed.",
            "Dry run of %(rows)d rows; nothing was changed.",
            result.rows,
        )
        if result.kind == "units":
            counts_text = _("Units to create: %(created)d, to update: %(updated)d, unchanged: %(unchanged)d.")
        else:
            counts_text = _(
                "People to create: %(created)d, to update: %(updated)d, unchanged: %(unchanged)d, "
                "to deactivate: %(deactivated)d, to reactivate: %(reactivated)d."
            )
    else:
        rows = ngettext("Imported %(rows)d row.", "Imported %(rows)d rows.", result.rows)
        if result.kind == "units":
            counts_text = _("Units created: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d.")
        else:
            counts_text = _(
                "People created: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d, "
                "deactivated: %(deactivated)d, reactivated: %(reactivated)d."
            )
    return f"{rows % {'rows': result.rows}} {counts_text % values}"


def change_text(change: PlannedChange) -> str:
    """One planned change as text, e.g. ``line 5, E-17: update title, unit``."""
    where = _("line %(line)d") % {"line": change.line} if change.line else _("not in the file")
    actions = {
        "create": _("create"),
        "update": _("update"),
        "deactivate": _("deactivate"),
        "reactivate": _("reactivate"),
    }
    text = f"{where}, {change.key}: {actions[change.action]}"
    return f"{text} {', '.join(change.fields)}" if change.fields else text
