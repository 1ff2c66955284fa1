import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from insideout.core.models import Event, EventDelivery
from insideout.people import imports, services
from insideout.people.imports import RowError
from insideout.people.models import Employee, Profile, Unit, User

HEADER = (
    "employee_id,email,first_name,last_name,title,unit,manager,location,country,subdivision,time_zone,language,"
    "start_date"
)


def _csv(*rows, header=HEADER):
    return "\n".join([header, *rows]) + "\n"


def _counts():
    return (User.objects.count(), Employee.objects.count(), Profile.objects.count(), Event.objects.count())


def _events(employee):
    return Event.objects.filter(subject_type="people.employee", subject_id=str(employee.pk)).order_by("pk")


def _row(person, **changes):
    """The CSV row that describes ``person`` as they are now, with ``changes``."""
    values = {
        "employee_id": person.employee_id,
        "email": person.user.email,
        "first_name": person.user.first_name,
        "last_name": person.user.last_name,
        "title": person.title,
        "unit": person.unit.code if person.unit else "",
        "manager": person.manager.employee_id if person.manager else "",
        "location": person.location,
        "country": person.country,
        "subdivision": person.subdivision,
        "time_zone": person.time_zone,
        "language": person.language,
        "start_date": person.start_date.isoformat() if person.start_date else "",
    }
    values.update(changes)
    return ",".join(values[name] for name in HEADER.split(","))


def _org_rows(org, **changes_by_key):
    keys = ("lead", "agent", "manager", "employee", "admin")
    return [_row(org[key], **changes_by_key.get(key, {})) for key in keys]


NEW_PEOPLE = (
    "N-1,ana.silva@example.org,Ana,Silva,Accountant,SALES,N-2,Berlin,DE,BE,Europe/Berlin,de,2024-03-01",
    "N-2,Bo.Chen@Example.org,Bo,Chen,Head of finance,SALES,,Berlin,de,,Europe/Berlin,en,",
    "N-3,ana.silva@example.com,Ana,Other,,IT-HD,{mo},,,,UTC,en,",
)


def _new_people(org):
    return _csv(*(row.format(mo=org["manager"].employee_id) for row in NEW_PEOPLE))


@pytest.mark.django_db
def test_good_file_creates_people_with_units_managers_and_profiles(org):
    result = imports.people_import(data=_new_people(org), actor=org["admin"].user)

    assert result.errors == []
    assert (result.rows, result.applied) == (3, True)
    assert result.summary == imports.ImportSummary(created=3)
    ana = Employee.objects.select_related("user", "unit", "manager").get(employee_id="N-1")
    bo = Employee.objects.get(employee_id="N-2")
    other = Employee.objects.get(employee_id="N-3")
    assert (ana.user.username, ana.user.email, ana.user.first_name, ana.user.last_name) == (
        "ana.silva",
        "ana.silva@example.org",
        "Ana",
        "Silva",
    )
    assert (ana.title, ana.unit, ana.manager, ana.location) == ("Accountant", org["sales"], bo, "Berlin")
    assert (ana.country, ana.subdivision, ana.time_zone, ana.language) == ("DE", "BE", "Europe/Berlin", "de")
    assert ana.start_date == datetime.date(2024, 3, 1)
    assert ana.user.has_usable_password() is False
    assert (bo.user.username, bo.user.email, bo.manager, bo.country, bo.start_date) == (
        "bo.chen",
        "bo.chen@example.org",
        None,
        "DE",
        None,
    )
    # The second "ana.silva" gets a number, the manager from the directory is found by id.
    assert (other.user.username, other.unit, other.manager) == ("ana.silva2", org["helpdesk"], org["manager"])
    assert Profile.objects.filter(employee__employee_id__in=["N-1", "N-2", "N-3"]).count() == 3
    assert list(_events(ana).values_list("type", "actor", "payload")) == [
        ("people.employee_joined", org["admin"].user.pk, {"unit": org["sales"].pk, "manager": bo.pk})
    ]


@pytest.mark.django_db
def test_second_identical_import_changes_nothing_and_records_no_events(org):
    data = _csv(*_org_rows(org), *(row.format(mo=org["manager"].employee_id) for row in NEW_PEOPLE))
    first = imports.people_import(data=data)
    assert first.summary == imports.ImportSummary(created=3, unchanged=5)
    counts = _counts()
    stamps = list(Employee.objects.order_by("pk").values_list("updated_at", flat=True))

    second = imports.people_import(data=data)

    assert second.errors == []
    assert second.summary == imports.ImportSummary(unchanged=8)
    assert second.changes == []
    assert _counts() == counts
    assert list(Employee.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


@pytest.mark.django_db
def test_a_changed_unit_and_title_record_a_move_and_an_update(org):
    eve = org["employee"]
    data = _csv(*_org_rows(org, employee={"unit": "IT", "title": "Analyst"}))

    result = imports.people_import(data=data)

    assert result.summary == imports.ImportSummary(updated=1, unchanged=4)
    assert result.changes == [
        imports.PlannedChange(line=5, key=eve.employee_id, action="update", fields=("title", "unit"))
    ]
    eve.refresh_from_db()
    assert (eve.unit, eve.title) == (org["it"], "Analyst")
    assert list(_events(eve).values_list("type", "payload"))[-2:] == [
        ("people.employee_moved_unit", {"from_unit": org["sales"].pk, "to_unit": org["it"].pk}),
        ("people.employee_updated", {"changed": ["title"]}),
    ]


@pytest.mark.django_db
def test_a_changed_manager_and_email_update_the_person_and_the_account(org):
    eve = org["employee"]
    data = _csv(*_org_rows(org, employee={"manager": org["lead"].employee_id, "email": "Eve.New@Example.org"}))

    result = imports.people_import(data=data)

    assert result.summary == imports.ImportSummary(updated=1, unchanged=4)
    eve = Employee.objects.select_related("user").get(pk=eve.pk)
    assert (eve.manager, eve.user.email) == (org["lead"], "eve.new@example.org")
    assert _events(eve).last().payload == {"changed": ["email", "manager"]}


@pytest.mark.django_db
def test_managers_can_be_swapped_in_one_file(org):
    """Mo's report Eve becomes Mo's manager: applied managers first, so no loop on the way."""
    mo, eve = org["manager"], org["employee"]
    data = _csv(*_org_rows(org, manager={"manager": eve.employee_id}, employee={"manager": ""}))

    result = imports.people_import(data=data)

    assert result.errors == []
    mo.refresh_from_db()
    eve.refresh_from_db()
    assert (mo.manager, eve.manager) == (eve, None)


@pytest.mark.django_db
def test_people_missing_from_the_file_are_deactivated_only_when_asked(org):
    data = _csv(*_org_rows(org)[:4])  # Pat (admin) is missing

    without = imports.people_import(data=data)
    assert without.summary == imports.ImportSummary(unchanged=4)
    assert Employee.objects.get(pk=org["admin"].pk).is_active is True

    dry = imports.people_import(data=data, deactivate_missing=True, dry_run=True)
    assert dry.summary == imports.ImportSummary(unchanged=4, deactivated=1)
    assert dry.changes == [imports.PlannedChange(line=0, key=org["admin"].employee_id, action="deactivate")]
    assert Employee.objects.get(pk=org["admin"].pk).is_active is True

    result = imports.people_import(data=data, deactivate_missing=True)
    assert result.summary == imports.ImportSummary(unchanged=4, deactivated=1)
    pat = Employee.objects.select_related("user").get(pk=org["admin"].pk)
    assert (pat.is_active, pat.user.is_active) == (False, False)
    assert _events(pat).last().type == "people.employee_left"
    assert Employee.objects.filter(is_active=False).count() == 1


@pytest.mark.django_db
def test_a_returning_person_is_reactivated_and_active_false_deactivates(org):
    services.employee_deactivate(employee=org["admin"])
    header = HEADER + ",active"
    rows = [row + ",true" for row in _org_rows(org)]
    rows[1] = rows[1][: -len("true")] + "false"  # Sam leaves

    result = imports.people_import(data=_csv(*rows, header=header))

    assert result.summary == imports.ImportSummary(unchanged=3, deactivated=1, reactivated=1)
    assert Employee.objects.get(pk=org["admin"].pk).is_active is True
    assert Employee.objects.get(pk=org["agent"].pk).is_active is False
    assert _events(org["admin"]).last().type == "people.employee_returned"
    assert _events(org["agent"]).last().type == "people.employee_left"


@pytest.mark.django_db
def test_semicolons_a_byte_order_mark_and_an_explicit_username(org):
    data = "\ufeffemployee_id;username;email;first_name;last_name\nN-7;carla;c.diaz@example.org;Carla;Díaz\n"

    result = imports.people_import(data=data.encode("utf-8"))

    assert result.summary == imports.ImportSummary(created=1)
    carla = Employee.objects.select_related("user").get(employee_id="N-7")
    assert (carla.user.username, carla.user.last_name, carla.time_zone, carla.language) == (
        "carla",
        "Díaz",
        "UTC",
        "en",
    )


@pytest.mark.django_db
def test_columns_not_in_the_file_are_left_alone(org):
    eve = org["employee"]
    data = _csv(f"{eve.employee_id},{eve.user.email},Evelyn,Employee", header="employee_id,email,first_name,last_name")

    result = imports.people_import(data=data)

    assert result.summary == imports.ImportSummary(updated=1)
    eve = Employee.objects.select_related("user").get(pk=eve.pk)
    assert (eve.user.first_name, eve.unit, eve.manager, eve.title) == (
        "Evelyn",
        org["sales"],
        org["manager"],
        "Specialist",
    )


BAD_ROWS = [
    ("N-1,,Ana,Silva,,,,,,,UTC,en,", [(2, "email", "This column needs a value.")]),
    (",a@example.org,Ana,Silva,,,,,,,UTC,en,", [(2, "employee_id", "This column needs a value.")]),
    ("N-1,a@example.org,,Silva,,,,,,,UTC,en,", [(2, "first_name", "This column needs a value.")]),
    ("N-1,bob@,Bob,Silva,,,,,,,UTC,en,", [(2, "email", "“bob@” is not a valid e-mail address.")]),
    (
        "N-1,eve@example.org,Ana,Silva,,,,,,,UTC,en,",
        [(2, "email", "“eve@example.org” is already used by another account.")],
    ),
    ("N-1,a@example.org,Ana,Silva,,NOPE,,,,,UTC,en,", [(2, "unit", "No unit has the code “NOPE”.")]),
    (
        "N-1,a@example.org,Ana,Silva,,,N-404,,,,UTC,en,",
        [(2, "manager", "No person has the employee id “N-404”, in this file or in InsideOut.")],
    ),
    ("N-1,a@example.org,Ana,Silva,,,N-1,,,,UTC,en,", [(2, "manager", "A person cannot be their own manager.")]),
    (
        "N-1,a@example.org,Ana,Silva,,,,,,,Mars/Olympus,en,",
        [(2, "time_zone", "“Mars/Olympus” is not a known time zone, e.g. Europe/Berlin.")],
    ),
    (
        "N-1,a@example.org,Ana,Silva,,,,,,,UTC,klingon,",
        [(2, "language", "“klingon” is not a known language code, e.g. en or de.")],
    ),
    (
        "N-1,a@example.org,Ana,Silva,,,,,DEU,,UTC,en,",
        [(2, "country", "“DEU” is not a two-letter country code, e.g. DE.")],
    ),
    ("N-1,a@example.org,Ana,Silva,,,,,,BE,UTC,en,", [(2, "subdivision", "A subdivision needs a country.")]),
    (
        "N-1,a@example.org,Ana,Silva,,,,,,,UTC,en,01.03.2024",
        [(2, "start_date", "“01.03.2024” is not a date like 2024-03-01.")],
    ),
    (
        "N-1,a@example.org,Ana,Silva,,,,,,,UTC,en,2024-02-30",
        [(2, "start_date", "“2024-02-30” is not a date like 2024-03-01.")],
    ),
    (
        "N-1,a@example.org,Ana,Silva,,,,,,,UTC,en",
        [(2, "", "This row has 12 values but the header has 13 columns.")],
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "expected"), BAD_ROWS)
def test_each_kind_of_bad_row_is_reported_and_nothing_is_written(org, row, expected):
    good = "N-9,good@example.org,Good,Row,,SALES,,,,,UTC,en,"
    counts = _counts()

    result = imports.people_import(data=_csv(good, row), actor=org["admin"].user)

    assert result.errors == [RowError(line + 1, column, message) for line, column, message in expected]
    assert result.applied is False
    assert _counts() == counts


@pytest.mark.django_db
def test_a_bad_subdivision_of_a_known_country_is_reported(org):
    result = imports.people_import(data=_csv("N-1,a@example.org,Ana,Silva,,,,,DE,XX,UTC,en,"))

    assert [(error.line, error.column) for error in result.errors] == [(2, "subdivision")]
    assert result.errors[0].message.startswith("“XX” is not a subdivision of DE; known ones: ")


@pytest.mark.django_db
def test_duplicates_within_the_file_name_the_first_line(org):
    data = _csv(
        "N-1,a@example.org,Ana,Silva,,,,,,,UTC,en,",
        "N-2,A@example.org,Bo,Chen,,,,,,,UTC,en,",
        "N-1,c@example.org,Cy,Doe,,,,,,,UTC,en,",
    )
    counts = _counts()

    result = imports.people_import(data=data)

    assert result.errors == [
        RowError(3, "email", "“a@example.org” is also the e-mail address on line 2."),
        RowError(4, "employee_id", "The employee id “N-1” is also on line 2."),
    ]
    assert _counts() == counts


@pytest.mark.django_db
def test_a_reporting_loop_is_reported_on_every_row_in_it(org):
    mo = org["manager"]
    data = _csv(
        "N-1,a@example.org,Ana,Silva,,,N-2,,,,UTC,en,",
        "N-2,b@example.org,Bo,Chen,,,N-1,,,,UTC,en,",
        _row(mo, manager=org["employee"].employee_id),  # Eve reports to Mo already
    )
    counts = _counts()

    result = imports.people_import(data=data)

    eve = org["employee"].employee_id
    assert result.errors == [
        RowError(2, "manager", "This manager would make a reporting loop: N-1 → N-2 → N-1."),
        RowError(3, "manager", "This manager would make a reporting loop: N-2 → N-1 → N-2."),
        RowError(
            4, "manager", f"This manager would make a reporting loop: {mo.employee_id} → {eve} → {mo.employee_id}."
        ),
    ]
    assert _counts() == counts


@pytest.mark.django_db
def test_every_bad_row_of_a_file_is_listed_at_once(org):
    data = _csv(
        "N-1,bob@,Bob,Silva,,NOPE,,,,,UTC,en,",
        "N-2,b@example.org,Bo,Chen,,,,,,,UTC,en,",
        "N-3,c@example.org,Cy,Doe,,,,,,,Nowhere,en,yesterday",
    )

    result = imports.people_import(data=data)

    assert [str(error) for error in result.errors] == [
        "line 2, column email: “bob@” is not a valid e-mail address.",
        "line 2, column unit: No unit has the code “NOPE”.",
        "line 4, column time_zone: “Nowhere” is not a known time zone, e.g. Europe/Berlin.",
        "line 4, column start_date: “yesterday” is not a date like 2024-03-01.",
    ]
    assert Employee.objects.filter(employee_id="N-2").exists() is False


@pytest.mark.django_db
def test_a_missing_required_column_is_reported_once(org):
    data = _csv("N-1,Ana,Silva", "N-2,Bo,Chen", header="employee_id,first_name,last_name")

    result = imports.people_import(data=data)

    assert result.errors == [RowError(1, "email", "The header has no “email” column; it is required.")]


@pytest.mark.django_db
def test_unknown_columns_bad_flags_and_bad_encoding_are_reported(org):
    unknown = imports.people_import(
        data=_csv("N-1,a@example.org,Ana,Silva,x", header="employee_id,email,first_name,last_name,manger")
    )
    assert [(error.line, error.column) for error in unknown.errors] == [(1, "manger")]
    assert unknown.errors[0].message.startswith("This is not a column of this import; the columns are: employee_id")

    flag = imports.people_import(
        data=_csv("N-1,a@example.org,Ana,Silva,maybe", header="employee_id,email,first_name,last_name,active")
    )
    assert flag.errors == [RowError(2, "active", "“maybe” is not true or false.")]

    latin1 = "employee_id,email,first_name,last_name\nN-1,a@example.org,Jörg,Silva\n".encode("latin-1")
    encoding = imports.people_import(data=latin1)
    assert encoding.errors == [RowError(2, "", "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")]
    assert Employee.objects.filter(employee_id="N-1").exists() is False


@pytest.mark.django_db
def test_dry_run_reports_what_would_change_and_writes_nothing(org):
    counts = _counts()

    result = imports.people_import(data=_new_people(org), dry_run=True)

    assert (result.ok, result.applied, result.summary) == (True, False, imports.ImportSummary(created=3))
    assert [(change.line, change.key, change.action) for change in result.changes] == [
        (2, "N-1", "create"),
        (3, "N-2", "create"),
        (4, "N-3", "create"),
    ]
    assert _counts() == counts


@pytest.mark.django_db
def test_command_applies_the_file_and_prints_a_summary(org, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(_new_people(org), encoding="utf-8")
    out = io.StringIO()

    call_command("import_people", str(path), stdout=out)

    assert out.getvalue().splitlines()[-1] == (
        "Imported 3 rows. People created: 3, updated: 0, unchanged: 0, deactivated: 0, reactivated: 0."
    )
    assert Employee.objects.filter(employee_id__in=["N-1", "N-2", "N-3"]).count() == 3


@pytest.mark.django_db
def test_command_dry_run_writes_nothing(org, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(_new_people(org), encoding="utf-8")
    out = io.StringIO()
    counts = _counts()

    call_command("import_people", str(path), "--dry-run", "--deactivate-missing", "-v", "2", stdout=out)

    lines = out.getvalue().splitlines()
    assert "line 2, N-1: create" in lines
    assert f"not in the file, {org['admin'].employee_id}: deactivate" in lines
    assert lines[-1] == (
        "Dry run of 3 rows; nothing was changed. People to create: 3, to update: 0, unchanged: 0, "
        "to deactivate: 5, to reactivate: 0."
    )
    assert _counts() == counts


@pytest.mark.django_db
def test_command_reports_problems_and_exits_with_1(org, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(_csv("N-1,bob@,Bob,Silva,,,,,,,UTC,en,"), encoding="utf-8")
    err = io.StringIO()
    counts = _counts()

    with pytest.raises(CommandError) as excinfo:
        call_command("import_people", str(path), stderr=err, stdout=io.StringIO())

    assert excinfo.value.returncode == 1
    assert str(excinfo.value) == f"1 problem in {path}; nothing was changed."
    assert err.getvalue() == "line 2, column email: “bob@” is not a valid e-mail address.\n"
    assert _counts() == counts


@pytest.mark.django_db
def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_people", str(tmp_path / "nope.csv"))


def _upload(content, name="people.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")


@pytest.mark.django_db
def test_page_dry_run_then_apply_for_people_ops(org, client_for):
    client = client_for(org["admin"])
    page = client.get("/people/import/")
    assert page.status_code == 200
    assert b'<a href="/people/import/">Import</a>' in page.content
    assert page.context["form"]["dry_run"].value() is True

    dry = client.post("/people/import/", {"kind": "people", "dry_run": "on", "file": _upload(_new_people(org))})
    assert dry.status_code == 200
    assert dry.context["result"].summary == imports.ImportSummary(created=3)
    assert "The file is fine: nothing was changed yet" in dry.content.decode()
    assert dry.context["form"]["dry_run"].value() is True
    assert Employee.objects.filter(employee_id__startswith="N-").count() == 0

    applied = client.post("/people/import/", {"kind": "people", "file": _upload(_new_people(org))})
    assert applied.status_code == 200
    assert applied.context["result"].applied is True
    assert "The file was imported" in applied.content.decode()
    assert Employee.objects.filter(employee_id__startswith="N-").count() == 3
    assert Event.objects.filter(type="people.employee_joined", actor=org["admin"].user).count() == 3


@pytest.mark.django_db
def test_page_shows_every_problem_in_a_table_and_writes_nothing(org, client_for):
    counts = _counts()
    data = _csv("N-1,bob@,Bob,Silva,,NOPE,,,,,UTC,en,")

    response = client_for(org["admin"]).post("/people/import/", {"kind": "people", "file": _upload(data)})

    html = response.content.decode()
    assert response.status_code == 200
    assert "2 problems: nothing was changed" in html
    assert response.context["errors"] == [
        RowError(2, "email", "“bob@” is not a valid e-mail address."),
        RowError(2, "unit", "No unit has the code “NOPE”."),
    ]
    assert "<code>email</code></td><td>“bob@” is not a valid e-mail address.</td>" in html
    assert "<code>unit</code></td><td>No unit has the code “NOPE”.</td>" in html
    assert _counts() == counts


@pytest.mark.django_db
def test_page_imports_units(org, client_for):
    data = "code,name,kind,parent\nFIN,Finance,department,ACME\n"

    response = client_for(org["admin"]).post("/people/import/", {"kind": "units", "file": _upload(data, "units.csv")})

    assert response.context["result"].applied is True
    assert Unit.objects.get(code="FIN").parent == org["company"]


@pytest.mark.django_db
def test_page_is_forbidden_to_employees_and_asks_anonymous_to_sign_in(org, client_for):
    counts = _counts()
    employee = client_for(org["employee"])
    assert employee.get("/people/import/").status_code == 403
    assert employee.post("/people/import/", {"kind": "people", "file": _upload(_new_people(org))}).status_code == 403
    assert b'href="/people/import/"' not in employee.get("/people/").content

    anonymous = client_for(None).get("/people/import/")
    assert anonymous.status_code == 302
    assert anonymous.url == "/accounts/login/?next=/people/import/"
    assert _counts() == counts


@pytest.mark.django_db
def test_bulk_services_link_new_managers_and_refuse_reporting_loops(org):
    from django.core.exceptions import ValidationError

    created = services.employee_bulk_create(
        people=[
            {"employee_id": "B-1", "username": "b1", "email": "b1@example.org", "first_name": "B", "last_name": "One"},
            {
                "employee_id": "B-2",
                "username": "b2",
                "email": "b2@example.org",
                "first_name": "B",
                "last_name": "Two",
                "manager": "B-1",
            },
        ]
    )
    assert [person.manager_id for person in created] == [None, created[0].pk]

    mo, eve = org["manager"], org["employee"]  # Eve reports to Mo
    with pytest.raises(ValidationError) as excinfo:
        services.employee_bulk_update(changes=[(mo, {"manager": eve})])
    assert excinfo.value.message_dict == {"0.manager": ["This manager would make a reporting loop."]}
    mo.refresh_from_db()
    assert mo.manager is None


@pytest.mark.django_db
def test_no_notify_records_history_without_running_handlers(org, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(_new_people(org), encoding="utf-8")

    call_command("import_people", str(path), "--no-notify", stdout=io.StringIO())

    joined = Event.objects.filter(
        type="people.employee_joined",
        subject_id__in=[
            str(pk) for pk in Employee.objects.filter(employee_id__startswith="N-").values_list("pk", flat=True)
        ],
    )
    assert joined.count() == 3
    assert joined.filter(dispatched_at__isnull=True).count() == 0
    assert EventDelivery.objects.filter(event__in=joined).count() == 0


@pytest.mark.django_db
def test_new_people_are_announced_to_their_manager(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        imports.people_import(data=_new_people(org))

    other = Employee.objects.get(employee_id="N-3")
    assert (
        EventDelivery.objects.filter(event__type="people.employee_joined", event__subject_id=str(other.pk)).count() == 1
    )


@pytest.mark.django_db
def test_a_new_subdivision_is_checked_against_the_country_the_person_has(org):
    eve = org["employee"]
    services.employee_update(employee=eve, country="DE", subdivision="BE")
    header = "employee_id,email,first_name,last_name,subdivision"
    row = f"{eve.employee_id},{eve.user.email},{eve.user.first_name},{eve.user.last_name}"

    bad = imports.people_import(data=_csv(f"{row},XX", header=header))
    result = imports.people_import(data=_csv(f"{row},by", header=header))

    assert [(error.line, error.column) for error in bad.errors] == [(2, "subdivision")]
    assert result.errors == []
    assert result.summary == imports.ImportSummary(updated=1)
    eve.refresh_from_db()
    assert (eve.country, eve.subdivision) == ("DE", "BY")


@pytest.mark.django_db
def test_existing_people_can_move_to_a_manager_who_is_new_in_the_same_file(org):
    """A routine HR export: a new manager is hired and existing people now report to them."""
    new_manager = "N-9,nina.boss@example.org,Nina,Boss,Head of sales,SALES,,Berlin,DE,BE,Europe/Berlin,en,"
    data = _csv(*_org_rows(org, employee={"manager": "N-9"}), new_manager)

    result = imports.people_import(data=data)

    assert result.errors == []
    eve = Employee.objects.select_related("manager").get(pk=org["employee"].pk)
    assert eve.manager.employee_id == "N-9"


@pytest.mark.django_db
def test_people_ops_cannot_take_over_an_administrators_account(org):
    lead = org["lead"]
    User.objects.filter(pk=lead.user_id).update(is_superuser=True, is_staff=True)
    people_ops = org["admin"].user
    takeover = _csv(*_org_rows(org, lead={"email": "attacker@evil.example"}))
    before = _counts()

    result = imports.people_import(data=takeover, actor=people_ops)

    assert result.errors == [
        RowError(
            2,
            "email",
            f"{lead.employee_id} signs in as an administrator: only a superuser may change the email of that account.",
        )
    ]
    assert User.objects.get(pk=lead.user_id).email == lead.user.email
    assert _counts() == before
    # Leaving them out of a full import would deactivate them: refused too.
    without_lead = _csv(*_org_rows(org)[1:])
    refused = imports.people_import(data=without_lead, actor=people_ops, deactivate_missing=True)
    assert [(error.line, error.column) for error in refused.errors] == [(0, "active")]
    assert Employee.objects.get(pk=lead.pk).is_active is True
    # A superuser, or the command line (no actor), may.
    superuser = User.objects.create_superuser("root", "root@example.org", "correct-horse-battery")
    assert imports.people_import(data=takeover, actor=superuser).errors == []
    assert User.objects.get(pk=lead.user_id).email == "attacker@evil.example"
