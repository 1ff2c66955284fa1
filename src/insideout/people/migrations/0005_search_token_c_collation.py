"""Search words compare byte by byte on PostgreSQL, as they already do on SQLite.

People search asks for ``token >= "ann" AND token < "ano"``: exactly the words starting with "ann"
only in code-point order. A language collation (en_US.UTF-8, de_DE…) orders by other rules, so the
column and its index use the "C" collation. SQLite compares bytes (BINARY) by default.
"""

from django.db import migrations


def to_c_collation(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE people_searchtoken ALTER COLUMN token TYPE varchar(40) COLLATE "C"')


def to_default_collation(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE people_searchtoken ALTER COLUMN token TYPE varchar(40) COLLATE \"default\"")


class Migration(migrations.Migration):
    dependencies = [("people", "0004_search_tokens")]

    operations = [migrations.RunPython(to_c_collation, to_default_collation)]
