import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from insideout.core.models import Event
from insideout.people import imports
from insideout.people.imports import RowError
from insideout.people.models import Unit

HEADER = "code,name,kind,parent,provides_services,lead"


def _csv(*rows, header=HEADER):
    return "\n".join([header, *rows]) + "\n"


def _counts():
    return (Unit.objects.count(), Event.objects.count())


def _org_rows(org):
    lena = org["lead"].employee_id
    return [
        "ACME,Acme,company,,false,",
        f"IT,IT,department,ACME,true,{lena}",
        "IT-HD,Helpdesk,team,IT,true,",
        "SALES,Sales,department,ACME,false,",
    ]


@pytest.mark.django_db
def test_good_file_creates_units_below_parents_that_come_later(org):
    data = _csv(
        "FIN-AP,Accounts payable,team,FIN,false,",
        f"FIN,Finance,department,ACME,TRUE,{org['manager'].employee_id}",
        "OPS,Operations,division,,no,",
    )

    result = imports.units_import(data=data, actor=org["admin"].user)

    assert result.errors == []
    assert result.summary == imports.ImportSummary(created=3)
    fin = Unit.objects.get(code="FIN")
    team = Unit.objects.get(code="FIN-AP")
    ops = Unit.objects.get(code="OPS")
    assert (fin.name, fin.kind, fin.parent, fin.provides_services, fin.lead) == (
        "Finance",
        "department",
        org["company"],
        True,
        org["manager"],
    )
    assert (team.parent, team.path, team.depth) == (fin, f"{fin.path}{team.pk}/", 2)
    assert (ops.parent, ops.kind, ops.path) == (None, "division", f"/{ops.pk}/")
    assert Event.objects.filter(type="people.unit_created", actor=org["admin"].user).count() == 3


@pytest.mark.django_db
def test_second_identical_import_changes_nothing(org):
    data = _csv(*_org_rows(org), "FIN,Finance,department,ACME,false,")
    first = imports.units_import(data=data)
    assert first.summary == imports.ImportSummary(created=1, unchanged=4)
    counts = _counts()

    second = imports.units_import(data=data)

    assert second.summary == imports.ImportSummary(unchanged=5)
    assert _counts() == counts


@pytest.mark.django_db
def test_moving_a_unit_moves_its_subtree_and_records_what_changed(org):
    rows = _org_rows(org)
    rows[1] = "IT,Information technology,department,SALES,true,"  # renamed, moved, no lead

    result = imports.units_import(data=_csv(*rows))

    assert result.summary == imports.ImportSummary(updated=1, unchanged=3)
    assert result.changes == [
        imports.PlannedChange(line=3, key="IT", action="update", fields=("lead", "name", "parent"))
    ]
    it = Unit.objects.get(code="IT")
    helpdesk = Unit.objects.get(code="IT-HD")
    sales = org["sales"]
    assert (it.name, it.parent, it.lead, it.path) == ("Information technology", sales, None, f"{sales.path}{it.pk}/")
    assert (helpdesk.path, helpdesk.depth) == (f"{it.path}{helpdesk.pk}/", 3)
    assert Event.objects.filter(type="people.unit_updated").last().payload == {"changed": ["lead", "name", "parent"]}


@pytest.mark.django_db
def test_a_parent_and_child_can_swap_places_in_one_file(org):
    rows = _org_rows(org)
    rows[1] = "IT,IT,department,IT-HD,true,"
    rows[2] = "IT-HD,Helpdesk,team,ACME,true,"

    result = imports.units_import(data=_csv(*rows))

    assert result.errors == []
    it, helpdesk = Unit.objects.get(code="IT"), Unit.objects.get(code="IT-HD")
    company = org["company"]
    assert (helpdesk.parent, helpdesk.path) == (company, f"{company.path}{helpdesk.pk}/")
    assert (it.parent, it.path, it.depth) == (helpdesk, f"{helpdesk.path}{it.pk}/", 2)


BAD_ROWS = [
    (",Nameless,team,,false,", [(3, "code", "This column needs a value.")]),
    ("X,,team,,false,", [(3, "name", "This column needs a value.")]),
    (
        "X,X,squad,,false,",
        [(3, "kind", "“squad” is not a kind of unit; use one of: company, division, department, team.")],
    ),
    ("X,X,team,NOPE,false,", [(3, "parent", "No unit has the code “NOPE”, in this file or in InsideOut.")]),
    ("X,X,team,X,false,", [(3, "parent", "A unit cannot be its own parent.")]),
    ("X,X,team,,perhaps,", [(3, "provides_services", "“perhaps” is not true or false.")]),
    ("X,X,team,,false,N-404", [(3, "lead", "No person has the employee id “N-404”.")]),
    ("GOOD,Again,team,,false,", [(3, "code", "The code “GOOD” is also on line 2.")]),
    ("X,X,team", [(3, "", "This row has 3 values but the header has 6 columns.")]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "expected"), BAD_ROWS)
def test_each_kind_of_bad_row_is_reported_and_nothing_is_written(org, row, expected):
    counts = _counts()

    result = imports.units_import(data=_csv("GOOD,Good,team,ACME,false,", row))

    assert result.errors == [RowError(*error) for error in expected]
    assert _counts() == counts


@pytest.mark.django_db
def test_a_loop_of_parents_is_reported_on_each_row_in_it(org):
    data = _csv("A,A,team,B,false,", "B,B,team,IT-HD,false,", "IT,IT,department,A,true,")
    counts = _counts()

    result = imports.units_import(data=data)

    assert result.errors == [
        RowError(2, "parent", "This parent would make a loop of units: A → B → IT-HD → IT → A."),
        RowError(3, "parent", "This parent would make a loop of units: B → IT-HD → IT → A → B."),
        RowError(4, "parent", "This parent would make a loop of units: IT → A → B → IT-HD → IT."),
    ]
    assert _counts() == counts


@pytest.mark.django_db
def test_a_missing_required_column_is_reported_once(org):
    result = imports.units_import(data=_csv("A,team", "B,team", header="code,kind"))

    assert result.errors == [RowError(1, "name", "The header has no “name” column; it is required.")]


@pytest.mark.django_db
def test_command_applies_reports_and_dry_runs(org, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(_csv("FIN,Finance,department,ACME,false,"), encoding="utf-8")
    out = io.StringIO()

    call_command("import_units", str(path), "--dry-run", stdout=out)
    assert out.getvalue().splitlines()[-1] == (
        "Dry run of 1 row; nothing was changed. Units to create: 1, to update: 0, unchanged: 0."
    )
    assert Unit.objects.filter(code="FIN").exists() is False

    call_command("import_units", str(path), stdout=out)
    assert out.getvalue().splitlines()[-1] == "Imported 1 row. Units created: 1, updated: 0, unchanged: 0."
    assert Unit.objects.get(code="FIN").parent == org["company"]


@pytest.mark.django_db
def test_command_reports_problems_and_exits_with_1(org, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(_csv("FIN,Finance,department,NOPE,false,"), encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError) as excinfo:
        call_command("import_units", str(path), stderr=err, stdout=io.StringIO())

    assert excinfo.value.returncode == 1
    assert err.getvalue() == "line 2, column parent: No unit has the code “NOPE”, in this file or in InsideOut.\n"
    assert Unit.objects.filter(code="FIN").exists() is False
