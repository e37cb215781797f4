"""The demo data set, loaded once per test session and restored from memory for each test.

Loading it properly (every record through full_clean, then publishing the edition)
takes seconds; restoring the same rows with bulk inserts takes a fraction of that.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction

SNAPSHOT_APPS = ("districts", "indicators", "scorecard")
Snapshot = list[tuple[type[models.Model], list[dict[str, Any]]]]


def _snapshot_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.app_label in SNAPSHOT_APPS
            and not m._meta.proxy and m._meta.label != "scorecard.DataVersion"]  # made by migrate, kept


def capture() -> Snapshot:
    """Every row of the project's own tables, as field values (foreign keys as ids)."""
    return [
        (model, list(model.objects.values(*[field.attname for field in model._meta.concrete_fields])))
        for model in _snapshot_models()
    ]


def restore(snapshot: Snapshot) -> None:
    """Insert the captured rows again, with their keys, then move the id sequences past them."""
    with transaction.atomic():  # foreign keys are checked at commit, so the order of tables does not matter
        for model, rows in snapshot:
            model.objects.bulk_create([model(**row) for row in rows], batch_size=500)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [model for model, _ in snapshot]):
                cursor.execute(statement)
