"""PostgreSQL: an upload's values in a temporary table, compared with and written to what is stored in a few
set-based statements (instead of one Python object per stored value).

``stage`` COPYs the validated values into ``upload_values`` (dropped when the transaction ends); the other
functions read it. Call them inside one ``transaction.atomic`` block. SQLite takes the portable path in
preview.py and load.py, which gives the same answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection

from indicators.models import Measurement

from .validate import NewValue

TABLE = "upload_values"
KEY_COLUMNS = ("indicator_id", "unit_id", "period_kind", "period_start")
MEASUREMENTS = Measurement._meta.db_table
REVISIONS = "indicators_measurementrevision"

# The value's state after the upload: the wide layout (has_ratio false) keeps the stored numerator and
# denominator. s is the staged row, m the stored one (NULL columns when there is none).
NEW_NUMERATOR = "CASE WHEN s.has_ratio OR m.id IS NULL THEN s.numerator ELSE m.numerator END"
NEW_DENOMINATOR = "CASE WHEN s.has_ratio OR m.id IS NULL THEN s.denominator ELSE m.denominator END"
DIFFERS = (f"(s.value, {NEW_NUMERATOR}, {NEW_DENOMINATOR}, s.status)"
           " IS DISTINCT FROM (m.value, m.numerator, m.denominator, m.status)")
JOINED = f"{TABLE} s LEFT JOIN {MEASUREMENTS} m USING ({', '.join(KEY_COLUMNS)})"


def _copy_text(cell: object) -> str:
    if cell is None:
        return "\\N"
    if isinstance(cell, bool):
        return "t" if cell else "f"
    return str(cell)  # ints, dates, Decimals at the stored scale, and statuses (fixed words, no tabs)


def stage(values: Sequence[NewValue]) -> None:
    """Load the values into the temporary table, each with its position in ``values``."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {TABLE} (pos integer PRIMARY KEY, indicator_id integer NOT NULL,"
            " unit_id integer NOT NULL, period_kind varchar(1) NOT NULL, period_start date NOT NULL,"
            " value numeric, numerator numeric, denominator numeric, status varchar(20) NOT NULL,"
            " has_ratio boolean NOT NULL) ON COMMIT DROP"
        )
        lines = []
        for position, item in enumerate(values):
            key = item.key
            lines.append("\t".join(map(_copy_text, (
                position, key.indicator_id, key.unit_id, key.period_kind, key.period_start, item.value,
                item.numerator, item.denominator, item.status, item.has_ratio))) + "\n")
        with cursor.cursor.copy(f"COPY {TABLE} FROM STDIN") as copy:  # psycopg 3
            for start in range(0, len(lines), 20_000):
                copy.write("".join(lines[start:start + 20_000]))
        # The key lookups below go through the unique index on measurements; planner statistics help it
        # choose the join.
        cursor.execute(f"ANALYZE {TABLE}")


def fingerprint() -> str:
    """A fingerprint of every stored value the staged values touch (and of which are not stored)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT md5(coalesce(string_agg(concat_ws(',', s.indicator_id, s.unit_id, s.period_kind, s.period_start,"
            f" (m.id, m.value, m.numerator, m.denominator, m.status)::text), ';' ORDER BY s.pos), ''))"
            f" FROM {JOINED}"
        )
        return "pg:" + cursor.fetchone()[0]


@dataclass(frozen=True)
class StoredChange:
    """A staged value that is new (old is None) or differs from the stored one."""

    position: int
    old: tuple[Decimal | None, Decimal | None, Decimal | None, str] | None


def changes() -> list[StoredChange]:
    """The staged values that are new or would change what is stored, with the stored state."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT s.pos, m.id, m.value, m.numerator, m.denominator, m.status FROM {JOINED}"
                       f" WHERE m.id IS NULL OR {DIFFERS} ORDER BY s.pos")
        return [StoredChange(pos, None if measurement_id is None else (value, numerator, denominator, status or ""))
                for pos, measurement_id, value, numerator, denominator, status in cursor.fetchall()]


@dataclass(frozen=True)
class Jump:
    position: int
    move: Decimal
    usual: Decimal


def jumps(upper_range_factor: Decimal, min_moves: int) -> list[Jump]:
    """Staged values, new or changed, whose move from the period before is far outside their series' usual
    movement: the mean of the series' other moves, the file's values standing in for stored ones.

    As preview.jump_warnings does in Python: outturns and blanks are not points; every other move of the
    series (at least ``min_moves`` of them) makes the usual movement.
    """
    sql = f"""
        WITH given AS (
            SELECT s.pos, s.indicator_id, s.unit_id, s.period_kind, s.period_start, s.value,
                   (m.id IS NULL OR {DIFFERS}) AS touched
            FROM {JOINED}
            WHERE s.value IS NOT NULL AND s.period_kind <> 'O'
        ),
        series AS (SELECT DISTINCT indicator_id, unit_id, period_kind FROM given WHERE touched),
        points AS (
            SELECT g.pos, g.touched, g.indicator_id, g.unit_id, g.period_kind, g.period_start, g.value
            FROM given g JOIN series USING (indicator_id, unit_id, period_kind)
            UNION ALL
            SELECT NULL, false, m.indicator_id, m.unit_id, m.period_kind, m.period_start, m.value
            FROM {MEASUREMENTS} m JOIN series USING (indicator_id, unit_id, period_kind)
            WHERE m.value IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM given g WHERE (g.indicator_id, g.unit_id, g.period_kind, g.period_start)
                                          = (m.indicator_id, m.unit_id, m.period_kind, m.period_start))
        ),
        moves AS (
            SELECT pos, touched, indicator_id, unit_id, period_kind,
                   abs(value - lag(value) OVER (PARTITION BY indicator_id, unit_id, period_kind
                                                ORDER BY period_start)) AS move
            FROM points
        ),
        totals AS (
            SELECT pos, touched, move,
                   sum(move) OVER series_moves AS total, count(move) OVER series_moves AS moves
            FROM moves
            WINDOW series_moves AS (PARTITION BY indicator_id, unit_id, period_kind)
        )
        SELECT pos, move, (total - move) / (moves - 1) AS usual
        FROM totals
        WHERE touched AND move IS NOT NULL AND moves - 1 >= %s AND total - move > 0
          AND move > %s * (total - move) / (moves - 1)
        ORDER BY pos
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [min_moves, upper_range_factor])
        return [Jump(pos, move, usual) for pos, move, usual in cursor.fetchall()]


def write(*, now: datetime, user_id: int | None, upload_id: int | None, reason: str) -> tuple[int, int]:
    """Write the staged values: a revision for each changed value (its old and new state), then every new or
    changed value in one upsert. Returns (new, changed)."""
    other_columns, other_defaults = _other_columns(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {REVISIONS} (measurement_id, old_value, old_numerator, old_denominator, old_status,"
            " new_value, new_numerator, new_denominator, new_status, changed_at, changed_by_id, reason, upload_id)"
            f" SELECT m.id, m.value, m.numerator, m.denominator, m.status,"
            f" s.value, {NEW_NUMERATOR}, {NEW_DENOMINATOR}, s.status, %s, %s, %s, %s"
            f" FROM {TABLE} s JOIN {MEASUREMENTS} m USING ({', '.join(KEY_COLUMNS)})"
            f" WHERE {DIFFERS} ORDER BY s.pos",
            [now, user_id, reason, upload_id],
        )
        changed = cursor.rowcount
        # Only the new and changed rows are written: an unchanged row is neither inserted nor updated.
        columns = [*KEY_COLUMNS, "value", "numerator", "denominator", "status", "updated_at", *other_columns]
        placeholders = ", ".join(["%s"] * len(other_columns))
        cursor.execute(
            f"INSERT INTO {MEASUREMENTS} ({', '.join(columns)})"
            f" SELECT s.indicator_id, s.unit_id, s.period_kind, s.period_start, s.value, {NEW_NUMERATOR},"
            f" {NEW_DENOMINATOR}, s.status, %s{', ' + placeholders if placeholders else ''}"
            f" FROM {JOINED} WHERE m.id IS NULL OR {DIFFERS} ORDER BY s.pos"
            " ON CONFLICT (indicator_id, unit_id, period_kind, period_start) DO UPDATE SET"
            " value = EXCLUDED.value, numerator = EXCLUDED.numerator, denominator = EXCLUDED.denominator,"
            " status = EXCLUDED.status, updated_at = EXCLUDED.updated_at",
            [now, *other_defaults],
        )
        written = cursor.rowcount
    return written - changed, changed


def _other_columns(now: datetime) -> tuple[list[str], list[object]]:
    """Measurement's other columns (synthetic, footnote, any added later) at their defaults, for new rows."""
    written = {*KEY_COLUMNS, "value", "numerator", "denominator", "status", "updated_at"}
    columns, defaults = [], []
    for field in Measurement._meta.concrete_fields:
        if field.primary_key or field.column in written:
            continue
        columns.append(field.column)
        automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        defaults.append(now if automatic else field.get_default())
    return columns, defaults
