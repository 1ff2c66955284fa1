from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insideout.core.models import Event
from insideout.people import selectors, services
from insideout.people.models import ApiToken, Employee, Profile, Unit, User
from insideout.people.tests.factories import EmployeeFactory, UnitFactory


def _events(employee, event_type=None):
    events = Event.objects.filter(subject_type="people.employee", subject_id=str(employee.pk))
    if event_type:
        events = events.filter(type=event_type)
    return events


@pytest.mark.django_db
def test_employee_create_makes_account_profile_and_joined_event():
    unit = UnitFactory(code="FIN", name="Finance")
    person = services.employee_create(
        username="ana",
        email="Ana.Silva@Example.org",
        first_name="Ana",
        last_name="Silva",
        employee_id="E-1",
        unit=unit,
        title="Accountant",
        country="de",
        subdivision="by",
        time_zone="Europe/Berlin",
        language="DE",
    )
    assert person.user.email == "ana.silva@example.org"
    assert person.user.has_usable_password() is False
    assert (person.country, person.subdivision, person.language) == ("DE", "BY", "de")
    assert person.search_text == "ana silva silva ana | accountant | ana.silva@example.org"
    assert person.sort_name == "silva ana"
    assert Profile.objects.get(employee=person).preferred_channel == "email"
    assert list(_events(person).values_list("type", "payload")) == [
        ("people.employee_joined", {"unit": unit.pk, "manager": None})
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus", "“Mars/Olympus” is not a known time zone, e.g. Europe/Berlin."),
        ("language", "klingon", "“klingon” is not a known language code, e.g. en or de."),
        ("country", "DEU", "“DEU” is not a two-letter country code, e.g. DE."),
    ],
)
def test_employee_create_rejects_bad_values_and_writes_nothing(field, value, message):
    kwargs = {"time_zone": "UTC", "language": "en", "country": "DE", field: value}
    with pytest.raises(ValidationError) as excinfo:
        services.employee_create(
            username="x", email="x@example.org", first_name="X", last_name="Y", employee_id="E-9", **kwargs
        )
    assert excinfo.value.message_dict == {field: [message]}
    assert User.objects.count() == 0
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_employee_create_rejects_a_subdivision_of_another_country():
    with pytest.raises(ValidationError) as excinfo:
        services.employee_create(
            username="x",
            email="x@example.org",
            first_name="X",
            last_name="Y",
            employee_id="E-9",
            country="DE",
            subdivision="CA",
        )
    assert list(excinfo.value.message_dict) == ["subdivision"]
    assert excinfo.value.message_dict["subdivision"][0].startswith("“CA” is not a subdivision of DE")


@pytest.mark.django_db
def test_duplicate_email_is_refused_case_insensitively():
    EmployeeFactory(username="one", email="same@example.org")
    with pytest.raises(ValidationError) as excinfo:
        EmployeeFactory(username="two", email="SAME@example.org")
    assert "Another account already uses this e-mail address." in str(excinfo.value)
    assert Employee.objects.count() == 1


@pytest.mark.django_db
def test_employee_update_records_move_and_other_changes_separately(org):
    person = org["employee"]
    services.employee_update(employee=person, unit=org["it"], title="Analyst", actor=org["admin"].user)
    moved = _events(person, "people.employee_moved_unit").get()
    assert moved.payload == {"from_unit": org["sales"].pk, "to_unit": org["it"].pk}
    assert moved.actor == org["admin"].user
    assert _events(person, "people.employee_updated").get().payload == {"changed": ["title"]}
    person.refresh_from_db()
    assert "analyst" in person.search_text


@pytest.mark.django_db
def test_employee_update_without_changes_records_nothing(org):
    person = org["employee"]
    before = Event.objects.count()
    services.employee_update(employee=person, title=person.title, unit=person.unit)
    assert Event.objects.count() == before


@pytest.mark.django_db
def test_manager_loop_is_refused(org):
    with pytest.raises(ValidationError) as excinfo:
        services.employee_update(employee=org["lead"], manager=org["agent"])
    assert excinfo.value.message_dict == {"manager": ["This manager would make a reporting loop."]}
    org["lead"].refresh_from_db()
    assert org["lead"].manager is None


@pytest.mark.django_db
def test_deactivate_keeps_history_blocks_sign_in_and_revokes_tokens(org, token_for):
    person = org["employee"]
    token_for(person)
    services.employee_deactivate(employee=person)
    person.refresh_from_db()
    assert person.is_active is False
    assert person.user.is_active is False
    assert ApiToken.objects.filter(user=person.user, revoked_at__isnull=True).count() == 0
    assert Employee.objects.filter(pk=person.pk).exists()
    assert [e.type for e in _events(person).order_by("pk")] == ["people.employee_joined", "people.employee_left"]
    assert person not in selectors.employee_list_for(actor=org["manager"].user)
    services.employee_reactivate(employee=person)
    person.refresh_from_db()
    assert person.user.is_active is True


@pytest.mark.django_db
def test_unit_move_rewrites_the_whole_subtree(org):
    team = UnitFactory(code="IT-HD-NIGHT", name="Night shift", parent=org["helpdesk"])
    services.unit_update(unit=org["helpdesk"], parent=org["sales"])
    team.refresh_from_db()
    helpdesk = Unit.objects.get(pk=org["helpdesk"].pk)
    assert helpdesk.path == f"/{org['company'].pk}/{org['sales'].pk}/{helpdesk.pk}/"
    assert team.path == f"{helpdesk.path}{team.pk}/"
    assert (helpdesk.depth, team.depth) == (2, 3)
    people_in_sales = selectors.employee_list_for(actor=org["employee"].user, unit_id=org["sales"].pk)
    assert org["agent"] in people_in_sales


@pytest.mark.django_db
def test_unit_cannot_move_below_itself(org):
    with pytest.raises(ValidationError) as excinfo:
        services.unit_update(unit=org["it"], parent=org["helpdesk"])
    assert excinfo.value.message_dict == {"parent": ["A unit cannot move below itself or one of its sub-units."]}
    assert Unit.objects.get(pk=org["it"].pk).parent_id == org["company"].pk


@pytest.mark.django_db
def test_profile_update_cleans_values_and_records_changed_fields(org):
    profile = org["employee"].profile
    services.profile_update(
        profile=profile,
        actor=org["employee"].user,
        interests=["  Chess ", "chess", "Trail  running"],
        working_hours={"days": ["fri", "mon"], "start": "08:30", "end": "16:30"},
        communication_style="facts",
    )
    profile.refresh_from_db()
    assert profile.interests == ["Chess", "Trail running"]
    assert profile.working_hours == {"days": ["mon", "fri"], "start": "08:30", "end": "16:30"}
    event = _events(org["employee"], "people.profile_changed").get()
    assert event.payload == {"changed": ["communication_style", "interests", "working_hours"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"interests": ["x" * 41]}, "interests", "“xxxxxxxxxxxxxxxxxxxx…” is longer than 40 characters."),
        ({"interests": [f"t{i}" for i in range(16)]}, "interests", "At most 15 interests, please."),
        (
            {"working_hours": {"days": ["mon"], "start": "17:00", "end": "09:00"}},
            "working_hours",
            "Working hours must end after they start.",
        ),
        (
            {"working_hours": {"days": ["someday"], "start": "09:00", "end": "17:00"}},
            "working_hours",
            "Working days must be among: mon, tue, wed, thu, fri, sat, sun.",
        ),
        (
            {"working_hours": {"days": [], "start": "09:00", "end": "17:00"}},
            "working_hours",
            "Pick at least one working day.",
        ),
        (
            {"working_hours": {"days": ["mon"], "start": "9", "end": "17:00"}},
            "working_hours",
            "Start and end must be times like 09:00.",
        ),
        ({"language": "zz"}, "language", "“zz” is not a known language code, e.g. en or de."),
    ],
)
def test_profile_update_rejects_bad_values_and_changes_nothing(org, changes, field, message):
    profile = org["employee"].profile
    before = Event.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.profile_update(profile=profile, **changes)
    assert excinfo.value.message_dict == {field: [message]}
    profile.refresh_from_db()
    assert (profile.interests, profile.working_hours, profile.language) == ([], {}, "")
    assert Event.objects.count() == before


@pytest.mark.django_db
def test_profile_choice_fields_are_validated(org):
    with pytest.raises(ValidationError) as excinfo:
        services.profile_update(profile=org["employee"].profile, preferred_channel="pigeon")
    assert list(excinfo.value.message_dict) == ["preferred_channel"]


@pytest.mark.django_db
def test_api_token_is_stored_hashed_and_can_be_revoked(org):
    token, raw = services.api_token_create(user=org["agent"].user, name="ci", scope="write")
    assert raw.startswith("io_")
    assert raw not in (token.digest, token.prefix)
    assert token.digest == services.token_digest(raw)
    assert selectors.api_token_authenticate(digest=token.digest) == token
    services.api_token_revoke(token=token)
    assert selectors.api_token_authenticate(digest=token.digest) is None


@pytest.mark.django_db
def test_expired_token_does_not_authenticate(org):
    token, _raw = services.api_token_create(
        user=org["agent"].user, name="old", expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert selectors.api_token_authenticate(digest=token.digest) is None


@pytest.mark.django_db
def test_roles_derive_from_the_data(org):
    assert selectors.roles_for(org["employee"].user).names == ["employee"]
    assert selectors.roles_for(org["agent"].user).names == ["employee", "agent"]
    assert selectors.roles_for(org["lead"].user).names == ["employee", "agent", "lead", "manager"]
    assert selectors.roles_for(org["manager"].user).names == ["employee", "manager"]
    assert selectors.roles_for(org["admin"].user).names == ["employee", "people_ops"]


@pytest.mark.django_db
def test_search_matches_every_word_in_name_title_email_or_unit(org):
    actor = org["employee"].user
    assert list(selectors.employee_list_for(actor=actor, q="lena lead")) == [org["lead"]]
    assert list(selectors.employee_list_for(actor=actor, q="SALES manager")) == [org["manager"]]
    assert list(selectors.employee_list_for(actor=actor, q="helpdesk")) == [org["agent"]]
    assert set(selectors.employee_list_for(actor=actor, unit_id=org["it"].pk)) == {org["lead"], org["agent"]}


@pytest.mark.django_db
def test_a_subdivision_alone_is_checked_against_the_current_country():
    person = EmployeeFactory(country="DE", subdivision="BE")
    services.employee_update(employee=person, subdivision="by")
    person.refresh_from_db()
    assert (person.country, person.subdivision) == ("DE", "BY")


@pytest.mark.django_db
def test_a_new_country_must_fit_the_current_subdivision():
    person = EmployeeFactory(country="DE", subdivision="BY")
    with pytest.raises(ValidationError) as excinfo:
        services.employee_update(employee=person, country="FR")
    assert list(excinfo.value.message_dict) == ["subdivision"]
    person.refresh_from_db()
    assert (person.country, person.subdivision) == ("DE", "BY")
    services.employee_update(employee=person, country="FR", subdivision="")
    person.refresh_from_db()
    assert (person.country, person.subdivision) == ("FR", "")


@pytest.mark.django_db
def test_an_update_from_an_old_copy_does_not_undo_a_deactivation(org):
    stale = Employee.objects.select_related("user").get(pk=org["employee"].pk)
    services.employee_deactivate(employee=Employee.objects.select_related("user").get(pk=stale.pk))
    services.employee_update(employee=stale, title="Analyst")
    fresh = Employee.objects.select_related("user").get(pk=stale.pk)
    assert (fresh.title, fresh.is_active, fresh.user.is_active) == ("Analyst", False, False)


@pytest.mark.django_db
def test_a_unit_move_checks_fresh_paths_not_stale_copies(org):
    company = org["company"]
    a = UnitFactory(code="A", name="A", parent=company)
    b = UnitFactory(code="B", name="B", parent=company)
    stale_a, stale_b = Unit.objects.get(pk=a.pk), Unit.objects.get(pk=b.pk)
    services.unit_update(unit=Unit.objects.get(pk=b.pk), parent=Unit.objects.get(pk=a.pk))
    with pytest.raises(ValidationError) as excinfo:
        services.unit_update(unit=stale_a, parent=stale_b)
    assert list(excinfo.value.message_dict) == ["parent"]
    assert Unit.objects.get(pk=a.pk).parent_id == company.pk


@pytest.mark.django_db
def test_a_manager_change_checks_the_chain_in_the_database_not_stale_copies(org):
    a, b = EmployeeFactory(), EmployeeFactory()
    stale_a, stale_b = Employee.objects.get(pk=a.pk), Employee.objects.get(pk=b.pk)
    services.employee_update(employee=Employee.objects.select_related("user").get(pk=b.pk), manager=a)
    with pytest.raises(ValidationError):
        services.employee_update(employee=stale_a, manager=stale_b)
    assert Employee.objects.get(pk=a.pk).manager_id is None


@pytest.mark.django_db
def test_structural_changes_take_the_advisory_lock_on_postgresql(org):
    with CaptureQueriesContext(connection) as queries:
        services.employee_update(employee=org["employee"], manager=org["lead"])
        services.unit_update(unit=org["helpdesk"], parent=org["sales"])
    locks = [q["sql"] for q in queries.captured_queries if "pg_advisory_xact_lock" in q["sql"]]
    assert len(locks) == (2 if connection.vendor == "postgresql" else 0)
