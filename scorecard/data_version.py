"""The data version: a number that moves whenever anything the scorecard pages show is written.

Database triggers on every table of the districts, indicators and scorecard apps (except the
uploaded files, the audit trail and the version itself) move it, whatever does the writing: the ORM, the
admin, the upload's COPY and INSERT … SELECT, raw SQL. Anything keyed on it (the page cache)
is therefore correct across uploads, edits and publications without each write path having to
remember to say so.

The triggers are (re)installed after every ``migrate`` (post_migrate), from the models as they
are then: a new model is watched without anyone writing a migration for it, and SQLite, which
drops a table's triggers when a migration rebuilds the table, gets them back.

PostgreSQL: one ``BEFORE … FOR EACH STATEMENT`` trigger per table, so a writing transaction takes
the version row's lock before any row lock (two writers queue instead of deadlocking).
SQLite: row triggers (it has no statement triggers); it serialises writers anyway.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.apps import apps
from django.db import connections, models
from django.utils import timezone

WATCHED_APPS = ("districts", "indicators", "scorecard")
# Written while a file is only being checked, or beside every action (the audit trail, which no cached page
# shows): bumping the version for them would empty the cache for nothing, and would make an upload's preview
# look stale to its own commit. The version's own table must not watch itself.
NOT_WATCHED = {
    "indicators.Upload",
    "indicators.TargetUpload",
    "indicators.DefinitionUpload",
    "indicators.AuditEvent",
    "scorecard.DataVersion",
}
TRIGGER = "scorecard_data_version"
FUNCTION = "scorecard_bump_data_version"
VERSION_ID = 1
VENDORS = ("postgresql", "sqlite")  # the databases the triggers are written for


class Version(NamedTuple):
    number: int
    changed_at: str  # with the number, tells a restored database's version from the one before the restore


def watched_tables() -> list[str]:
    """The tables whose writes move the version (many-to-many tables included)."""
    tables = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if (
            meta.app_label in WATCHED_APPS
            and not meta.proxy
            and not meta.abstract
            and meta.managed
            and model._meta.label not in NOT_WATCHED
        ):
            tables.append(meta.db_table)
    return sorted(set(tables))


def version_table() -> str:
    return apps.get_model("scorecard", "DataVersion")._meta.db_table


def _postgresql_statements(tables: list[str]) -> list[str]:
    statements = [
        f"""CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE {version_table()} SET number = number + 1, changed_at = clock_timestamp()::text
                WHERE id = {VERSION_ID};
                RETURN NULL;
            END $$""",
    ]
    for table in tables:
        statements += [
            f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"',
            f'CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}"'
            f" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
        ]
    return statements


def _sqlite_statements(tables: list[str]) -> list[str]:
    bump = (
        f"UPDATE {version_table()} SET number = number + 1,"
        f" changed_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = {VERSION_ID};"
    )
    statements = []
    for table in tables:
        for event in ("INSERT", "UPDATE", "DELETE"):
            name = f"{TRIGGER}_{table}_{event.lower()}"
            statements += [
                f'DROP TRIGGER IF EXISTS "{name}"',
                f'CREATE TRIGGER "{name}" AFTER {event} ON "{table}" BEGIN {bump} END',
            ]
    return statements


def install_triggers(using: str = "default", **kwargs: Any) -> None:
    """Create the version row if missing and (re)create the triggers. Idempotent."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if version_table() not in existing:
        return  # scorecard's migrations have not run yet (a partial migrate)
    tables = [table for table in watched_tables() if table in existing]
    if connection.vendor == "postgresql":
        statements = _postgresql_statements(tables)
    elif connection.vendor == "sqlite":
        statements = _sqlite_statements(tables)
    else:  # no trigger support written for it: no version, so nothing is cached
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {version_table()} (id, number, changed_at) SELECT %s, 0, ''"
            f" WHERE NOT EXISTS (SELECT 1 FROM {version_table()} WHERE id = %s)",
            [VERSION_ID, VERSION_ID],
        )
        for statement in statements:
            cursor.execute(statement)


def current_if_watched(table: str, using: str = "default") -> Version | None:
    """The version now, or None when ``table`` has no enabled trigger to move it (PostgreSQL, where a trigger
    can be dropped or disabled): a version that does not move with the table would prove nothing about it.
    The upload reads it through settings.DATA_VERSION_READER."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s"
                " AND tgenabled <> 'D')",
                [table, TRIGGER],
            )
            row = cursor.fetchone()
        if not (row and row[0]):
            return None
    return current(using)


def current(using: str = "default") -> Version | None:
    """The version now (one query); None on a database without the triggers.

    Read it BEFORE reading the data you key on it: a write that commits in between then leaves
    what you built under the old number, which nobody asks for again.
    """
    if connections[using].vendor not in VENDORS:
        return None
    model: type[models.Model] = apps.get_model("scorecard", "DataVersion")
    versions = model._default_manager.using(using).filter(pk=VERSION_ID).values_list("number", "changed_at")
    row = versions.first()
    if row is None:  # emptied (a test database's flush): again, stamped so it differs from any earlier one
        model._default_manager.using(using).bulk_create(
            [model(pk=VERSION_ID, number=0, changed_at=timezone.now().isoformat())], ignore_conflicts=True
        )
        row = versions.first()
    return Version(*row) if row else None
