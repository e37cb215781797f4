"""The demo data set, loaded once per test session and restored from memory for each test.

Loading it properly (every record through full_clean, then publishing the edition)
takes seconds. Restoring goes below the ORM: the rows are captured once as the values the
database stores (each field's own conversion, done once), then written back with one
executemany per table. Building two thousand model instances and converting every field
again for each test cost more than half a second a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction

SNAPSHOT_APPS = ("districts", "indicators", "scorecard")


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    insert: str  # INSERT INTO "table" ("column", ...) VALUES (%s, ...)
    rows: list[tuple[Any, ...]]  # as the database stores them (get_db_prep_save)


Snapshot = list[Table]


def _snapshot_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in SNAPSHOT_APPS and not m._meta.proxy and m._meta.label != "scorecard.DataVersion"
    ]  # made by migrate, kept


def capture() -> Snapshot:
    """Every row of the project's own tables, converted once to what the database stores."""
    quote = connection.ops.quote_name
    snapshot = []
    for model in _snapshot_models():
        fields = model._meta.concrete_fields
        rows = [
            tuple(field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True))
            for row in model._default_manager.values_list(*[field.attname for field in fields])
        ]
        insert = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
            f" VALUES ({', '.join(['%s'] * len(fields))})"
        )
        snapshot.append(Table(model, insert, rows))
    return snapshot


def restore(snapshot: Snapshot) -> None:
    """Insert the captured rows again, with their keys, then move the id sequences past them."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Foreign keys are checked at commit, so the order of tables does not matter.
        for table in snapshot:
            if table.rows:
                cursor.executemany(table.insert, table.rows)
        for statement in connection.ops.sequence_reset_sql(no_style(), [table.model for table in snapshot]):
            cursor.execute(statement)
