"""On PostgreSQL the test run uses the deployment's database options (ADR 0015): parameters are
bound by the server, and a statement a connection has run more than five times is prepared there,
so its next runs are neither parsed nor planned again."""

from __future__ import annotations

import pytest
from django.db import connection

from insideout.people.models import Unit

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_statement_run_often_is_prepared_with_its_parameters_apart():
    for code in ("A", "B", "C", "D", "E", "F", "G"):
        list(Unit.objects.filter(code=f"PREPARED-{code}", path="/0/").values_list("pk", flat=True))

    where = '"people_unit"."code" = $1 AND "people_unit"."path" = $2'
    unit_statements = [text for text in _prepared_statements() if where in text]

    assert len(unit_statements) == 1
    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is True


def test_a_statement_run_once_is_not_prepared():
    list(Unit.objects.filter(description="only once", depth=99).values_list("pk", flat=True))

    where = '"people_unit"."description" = $1 AND "people_unit"."depth" = $2'
    assert not [text for text in _prepared_statements() if where in text]
