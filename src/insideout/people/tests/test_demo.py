"""The demo organisation: deterministic, consistent, and its sign-ins have the roles they claim."""

from __future__ import annotations

import contextlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client

from insideout.core.models import Event
from insideout.people import demo, selectors, services, validation
from insideout.people.models import Employee, Profile, Unit, UnitKind, User

EMPLOYEES = 120
SEED = 7
SERVICE_DEPARTMENTS = {
    "IT",
    "Human Resources",
    "Finance",
    "Facilities",
    "Legal",
    "Marketing",
    "Procurement",
    "Security",
}


@pytest.fixture
def demo_org(db):
    return demo.demo_load(employees=EMPLOYEES, seed=SEED)


def _snapshot():
    people = list(
        Employee.objects.order_by("employee_id").values_list(
            "employee_id",
            "user__username",
            "user__first_name",
            "user__last_name",
            "user__email",
            "title",
            "unit__code",
            "manager__user__username",
            "location",
            "time_zone",
            "start_date",
            "is_active",
            "profile__preferred_channel",
            "profile__interests",
            "profile__working_hours",
        )
    )
    units = list(
        Unit.objects.order_by("code").values_list("code", "name", "kind", "parent__code", "lead__user__username")
    )
    return people, units


class _Undo(Exception):
    pass


def test_the_same_seed_builds_the_same_organisation(db):
    with contextlib.suppress(_Undo), transaction.atomic():
        demo.demo_load(employees=EMPLOYEES, seed=SEED)
        first = _snapshot()
        raise _Undo
    assert Employee.objects.count() == 0

    demo.demo_load(employees=EMPLOYEES, seed=SEED)

    assert _snapshot() == first
    assert len(first[0]) == EMPLOYEES


def test_another_seed_builds_other_people(db):
    with contextlib.suppress(_Undo), transaction.atomic():
        demo.demo_load(employees=EMPLOYEES, seed=SEED)
        first = set(Employee.objects.values_list("user__username", flat=True))
        raise _Undo

    demo.demo_load(employees=EMPLOYEES, seed=SEED + 1)

    second = set(Employee.objects.values_list("user__username", flat=True))
    assert first & second == {"admin", "alex", "sam", "lena", "mo"}


def test_result_counts_match_the_database(demo_org):
    assert demo_org.employees == EMPLOYEES == Employee.objects.count() == Profile.objects.count()
    assert demo_org.units == Unit.objects.count()
    assert demo_org.leavers == Employee.objects.filter(is_active=False).count()
    assert demo_org.events == Event.objects.filter(subject_type="people.employee").count()
    assert demo_org.service_departments == 8


def test_service_departments_each_have_a_lead_and_teams(demo_org):
    departments = Unit.objects.filter(kind=UnitKind.DEPARTMENT, provides_services=True).select_related("lead")

    assert {unit.name for unit in departments} == SERVICE_DEPARTMENTS
    for department in departments:
        assert department.lead is not None
        assert department.lead.unit_id == department.pk
        assert department.lead.is_active
        teams = Unit.objects.filter(parent=department)
        assert teams.count() >= 1
        assert set(teams.values_list("provides_services", flat=True)) == {True}
        assert set(teams.values_list("kind", flat=True)) == {UnitKind.TEAM}


def test_the_tree_is_consistent(demo_org):
    units = {unit.pk: unit for unit in Unit.objects.all()}
    kinds_below = {
        None: UnitKind.COMPANY,
        UnitKind.COMPANY: UnitKind.DIVISION,
        UnitKind.DIVISION: UnitKind.DEPARTMENT,
        UnitKind.DEPARTMENT: UnitKind.TEAM,
    }

    for unit in units.values():
        parent = units.get(unit.parent_id) if unit.parent_id else None
        assert unit.path == f"{parent.path if parent else '/'}{unit.pk}/"
        assert unit.depth == (parent.depth + 1 if parent else 0)
        assert unit.kind == kinds_below[parent.kind if parent else None]
        assert unit.lead_id is not None
    assert [unit.code for unit in units.values() if unit.parent_id is None] == [demo.COMPANY_CODE]
    assert Unit.objects.filter(members__isnull=True, kind=UnitKind.TEAM).count() == 0


def test_every_employee_but_the_top_has_a_manager_without_loops(demo_org):
    managers = dict(Employee.objects.values_list("pk", "manager_id"))
    top = [pk for pk, manager in managers.items() if manager is None]

    assert len(top) == 1
    assert Employee.objects.get(pk=top[0]).title == "Chief Executive Officer"
    for pk in managers:
        seen = {pk}
        current = managers[pk]
        while current is not None:
            assert current not in seen
            seen.add(current)
            current = managers[current]
        assert len(seen) <= 5


def test_leads_manage_the_level_below(demo_org):
    for unit in Unit.objects.exclude(kind=UnitKind.COMPANY).select_related("parent", "lead"):
        assert unit.lead.manager_id == unit.parent.lead_id
    for person in Employee.objects.filter(led_units__isnull=True).select_related("unit"):
        assert person.manager_id == person.unit.lead_id


@pytest.mark.parametrize(
    ("username", "roles", "unit_code"),
    [
        ("admin", ["employee", "agent", "people_ops"], "HR-PO"),
        ("alex", ["employee"], "SAL-ES"),
        ("sam", ["employee", "agent"], "IT-SD"),
        ("lena", ["employee", "agent", "lead", "manager"], "IT"),
        ("mo", ["employee", "lead", "manager"], "SAL-ES"),
    ],
)
def test_named_sign_ins_have_their_roles_and_password(demo_org, username, roles, unit_code):
    user = User.objects.get(username=username)

    assert selectors.roles_for(user).names == roles
    assert user.employee.unit.code == unit_code
    assert user.email == f"{user.first_name}.{user.last_name}@{demo.DOMAIN}".lower()
    assert Client().login(username=username, password=demo.DEMO_PASSWORD) is True


def test_named_sign_ins_relate_to_each_other(demo_org):
    people = {e.user.username: e for e in Employee.objects.filter(user__username__in=["alex", "mo", "lena", "sam"])}

    assert people["alex"].manager == people["mo"]
    assert Unit.objects.get(code="IT").lead == people["lena"]
    assert people["sam"].manager.manager == people["lena"]
    assert people["sam"].unit.name == "Service Desk"


def test_admin_is_a_superuser_in_people_ops(demo_org):
    admin = User.objects.get(username="admin")

    assert admin.is_superuser is True
    assert admin.is_staff is True
    assert list(admin.groups.values_list("name", flat=True)) == [selectors.PEOPLE_OPS_GROUP]
    assert User.objects.filter(is_superuser=True).count() == 1


def test_sign_ins_report_the_data(demo_org):
    sign_ins = {sign_in.username: sign_in for sign_in in demo.sign_ins()}

    assert list(sign_ins) == ["admin", "alex", "sam", "lena", "mo"]
    assert sign_ins["lena"].roles == ("employee", "agent", "lead", "manager")
    assert sign_ins["lena"].title == "Head of IT"
    assert sign_ins["sam"].unit == "Service Desk"


def test_all_accounts_share_one_password_hash(demo_org):
    assert User.objects.values("password").distinct().count() == 1


def test_places_are_valid_and_consistent(demo_org):
    by_city = {location.city: location for location in demo.LOCATIONS}
    places = set(Employee.objects.values_list("location", "country", "subdivision", "time_zone", "language"))

    assert len(places) >= 5
    for city, country, subdivision, time_zone, language in places:
        location = by_city[city]
        assert (country, subdivision, time_zone, language) == (
            location.country,
            location.subdivision,
            location.time_zone,
            location.language,
        )
        assert validation.clean_country(country) == country
        assert validation.clean_subdivision(subdivision, country=country) == subdivision
        assert validation.clean_time_zone(time_zone) == time_zone
        assert validation.clean_language(language) == language


def test_every_catalogue_location_is_valid():
    for location in demo.LOCATIONS:
        assert validation.clean_subdivision(location.subdivision, country=location.country) == location.subdivision
        assert validation.clean_time_zone(location.time_zone) == location.time_zone
        assert validation.clean_language(location.language) == location.language


def test_names_come_from_the_locale_of_each_persons_office(demo_org):
    locale_of = {location.city: location.locale for location in demo.LOCATIONS}
    named = {person.username for person in demo.NAMED}
    people = Employee.objects.exclude(user__username__in=named).select_related("user")

    for person in people:
        pools = demo.name_pools(SEED, locale_of[person.location])
        firsts = {display for sex in "fm" for display, _ascii in pools[sex][0]}
        lasts = {display for sex in "fm" for display, _ascii in pools[sex][1]}
        assert person.user.first_name in firsts
        assert person.user.last_name in lasts
    assert people.values("location").distinct().count() >= 3


def test_japanese_names_come_with_their_romanization():
    firsts, lasts = demo.name_pools(SEED, "ja_JP")["f"]

    for display, romanized in [*firsts, *lasts]:
        assert not display.isascii()
        assert romanized.isascii()
        assert demo.ascii_slug(romanized) == romanized.lower()


def test_user_names_are_ascii_and_unique():
    handles = demo.UniqueHandles(taken={"lena.hoffmann"})

    assert handles.claim("Łukasz", "Wróbel") == "lukasz.wrobel"
    assert handles.claim("Lena", "Hoffmann") == "lena.hoffmann2"
    assert handles.claim("Lena", "Hoffmann") == "lena.hoffmann3"
    assert handles.claim("José María", "de la Fuente") == "josemaria.delafuente"
    assert handles.claim("Anne-Sophie", "O'Neill") == "anne-sophie.oneill"


def test_derived_columns_match_the_services(demo_org):
    for person in Employee.objects.select_related("user"):
        user = person.user
        assert person.search_text == services.search_text_for(
            first_name=user.first_name, last_name=user.last_name, email=user.email, title=person.title
        )
        assert person.sort_name == services.sort_name_for(first_name=user.first_name, last_name=user.last_name)


def test_profiles_vary_and_are_valid(demo_org):
    profiles = list(Profile.objects.all())

    assert {p.preferred_channel for p in profiles} == {"email", "chat", "in_app"}
    assert {p.communication_style for p in profiles} == {"facts", "stories", "mixed"}
    assert {p.recognition_preference for p in profiles} == {"public", "team", "private"}
    assert {p.language for p in profiles} == {"", "en"}
    assert any(p.interests for p in profiles)
    assert any(not p.interests for p in profiles)
    assert any(p.working_hours for p in profiles)
    assert any(not p.working_hours for p in profiles)
    for profile in profiles:
        assert validation.clean_working_hours(profile.working_hours) == profile.working_hours
        assert validation.clean_interests(profile.interests) == profile.interests


def test_leavers_are_deactivated_with_their_history(demo_org):
    leavers = Employee.objects.filter(is_active=False).select_related("user")

    assert demo_org.leavers >= 1
    for person in leavers:
        assert person.user.is_active is False
        assert person.deactivated_at is not None
        assert person.deactivated_at.date() > person.start_date
        assert not Unit.objects.filter(lead=person).exists()
        assert list(
            Event.objects.filter(subject_type="people.employee", subject_id=str(person.pk))
            .order_by("occurred_at")
            .values_list("type", flat=True)
        ) == [services.EMPLOYEE_JOINED, services.EMPLOYEE_LEFT]


def test_everyone_has_a_joined_event_in_their_history(demo_org):
    joined = Event.objects.filter(type=services.EMPLOYEE_JOINED)

    assert joined.count() == EMPLOYEES
    assert joined.filter(dispatched_at__isnull=True).count() == 0
    lena = Employee.objects.get(user__username="lena")
    history = selectors.employee_history(employee=lena)
    assert [event.type for event in history] == [services.EMPLOYEE_JOINED]
    assert history[0].payload == {"unit": lena.unit_id, "manager": lena.manager_id}


def test_usernames_and_emails_are_unique(demo_org):
    emails = list(User.objects.values_list("email", flat=True))

    assert len({email.lower() for email in emails}) == EMPLOYEES
    assert all(email.isascii() and email.endswith(f"@{demo.DOMAIN}") for email in emails)


def test_refuses_a_directory_with_people(demo_org):
    with pytest.raises(demo.NotEmpty):
        demo.demo_load(employees=EMPLOYEES, seed=SEED)

    assert Employee.objects.count() == EMPLOYEES


def test_command_loads_and_prints_the_sign_ins(db):
    out = StringIO()

    call_command("demo", "--employees", str(EMPLOYEES), "--seed", str(SEED), stdout=out)

    output = out.getvalue()
    assert Employee.objects.count() == EMPLOYEES
    assert f"  people {EMPLOYEES}/{EMPLOYEES}\n" in output
    assert f"Loaded {EMPLOYEES} people" in output
    assert "password 'insideout'" in output
    assert "  lena   Lena Hoffmann <lena.hoffmann@aurora.example>, Head of IT, IT:" in output


def test_command_if_empty_does_not_duplicate(db):
    call_command("demo", "--employees", str(EMPLOYEES), "--if-empty", stdout=StringIO())
    out = StringIO()

    call_command("demo", "--employees", "200", "--if-empty", stdout=out)

    assert Employee.objects.count() == EMPLOYEES
    assert out.getvalue().startswith(
        f"The directory already has {EMPLOYEES} people and {Unit.objects.count()} units; the demo was not loaded.\n"
    )
    assert "  sam    Sam Patel <sam.patel@aurora.example>" in out.getvalue()


def test_command_without_if_empty_refuses_a_directory_with_people(demo_org):
    with pytest.raises(CommandError) as exc:
        call_command("demo", "--employees", str(EMPLOYEES), stdout=StringIO())

    assert str(exc.value) == (
        f"The directory already has {EMPLOYEES} people and {demo_org.units} units; nothing was changed. "
        "Use --if-empty to keep them (and print the demo sign-ins), or empty the database first with "
        "'insideout flush' to load a fresh demo."
    )
    assert exc.value.returncode == 1
    assert Employee.objects.count() == EMPLOYEES


def test_command_refuses_too_few_employees(db):
    with pytest.raises(CommandError, match=f"at least {demo.MIN_EMPLOYEES}"):
        call_command("demo", "--employees", "10", stdout=StringIO())

    assert Employee.objects.count() == 0


def test_rows_added_after_the_demo_get_fresh_keys(demo_org):
    company = Unit.objects.get(code=demo.COMPANY_CODE)

    unit = services.unit_create(code="NEW", name="New unit", parent=company)
    person = services.employee_create(
        username="newbie", email="newbie@example.org", first_name="New", last_name="Person", employee_id="N1"
    )

    assert unit.pk == demo_org.units + 1
    assert person.pk == EMPLOYEES + 1
    assert person.user.pk == EMPLOYEES + 1
