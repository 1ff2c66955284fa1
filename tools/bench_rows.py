"""Raw bulk inserts for the benchmark's data generators, on SQLite and PostgreSQL.

Django's ORM is far too slow for millions of rows; this writes plain tuples in one transaction:
``executemany`` on SQLite, ``COPY … FROM STDIN`` on PostgreSQL. Columns come from the model's own
metadata, so a generator names fields, never table layouts. Only Django is imported, so the
django-helpdesk project (in its own virtual environment) uses it too.

Datetimes are naive UTC throughout (the connection's time zone is UTC on both databases).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models


def _converter(field: models.Field[Any, Any], vendor: str) -> Callable[[Any], Any]:
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if vendor == "sqlite" and isinstance(field, models.DateTimeField):
        return lambda value: None if value is None else str(value)
    return lambda value: value


class Table:
    """Rows for one model: give each row as a dict of field names; unnamed fields take their default."""

    def __init__(self, model: type[models.Model], names: Sequence[str]) -> None:
        self.model = model
        self.vendor = connection.vendor
        # Generated columns are the database's to fill.
        fields = [field for field in model._meta.concrete_fields if not isinstance(field, models.GeneratedField)]
        by_name = {field.name: field for field in fields} | {field.attname: field for field in fields}
        self.names = list(names)
        self.named = [by_name[name] for name in self.names]
        taken = {field.attname for field in self.named}
        self.constants: list[tuple[models.Field[Any, Any], Any]] = []
        for field in fields:
            if field.attname in taken or (field.primary_key and isinstance(field, models.AutoField)):
                continue
            if field.has_default() and callable(field.default):
                raise ValueError(f"{model.__name__}.{field.name} has a computed default; give it explicitly")
            value = field.get_default() if field.has_default() else (None if field.null else "")
            self.constants.append((field, _converter(field, self.vendor)(value) if value is not None else None))
        self.converters = [_converter(field, self.vendor) for field in self.named]
        self.columns = [str(field.column) for field in self.named] + [str(field.column) for field, _ in self.constants]
        self.tail = tuple(value for _, value in self.constants)

    def row(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """One row, its values in the order of ``names``."""
        return (
            tuple(
                None if value is None else convert(value)
                for convert, value in zip(self.converters, values, strict=True)
            )
            + self.tail
        )

    def insert(self, rows: Iterable[tuple[Any, ...]]) -> int:
        table = connection.ops.quote_name(str(self.model._meta.db_table))
        columns = ", ".join(connection.ops.quote_name(column) for column in self.columns)
        count = 0
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if self.vendor == "postgresql":
                with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            else:
                marks = ", ".join("?" * len(self.columns))
                batch: list[tuple[Any, ...]] = []
                for row in rows:
                    batch.append(row)
                    if len(batch) >= 20_000:
                        raw.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)  # noqa: S608
                        count += len(batch)
                        batch.clear()
                if batch:
                    raw.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)  # noqa: S608
                    count += len(batch)
        return count


def next_id(model: type[models.Model]) -> int:
    last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return int(last or 0) + 1


def reset_sequences(*models_: type[models.Model]) -> None:
    """After explicit ids on PostgreSQL, move the id sequences past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models_)):
            cursor.execute(statement)


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
