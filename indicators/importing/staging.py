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

from indicators.models import Measurement, MeasurementRevision

from .validate import NewValue

FILE_TABLE = "upload_rows"  # the file's values as given
TABLE = "upload_values"  # each beside the value stored now, and whether it changes it
KEY_COLUMNS = ("indicator_id", "unit_id", "period_kind", "period_start")
KEYS = ", ".join(KEY_COLUMNS)
MEASUREMENTS = Measurement._meta.db_table
REVISIONS = MeasurementRevision._meta.db_table
CHUNK_ROWS = 20_000


def _text(cell: object) -> str:
    return "\\N" if cell is None else str(cell)  # Decimals at the stored scale; statuses are fixed words


def stage(values: Sequence[NewValue]) -> None:
    """COPY the values into a temporary table, then join them once with what is stored.

    ``upload_values`` holds, for each value (by its position in ``values``): the new state (the wide layout
    keeping the stored numerator and denominator), the stored one (NULLs when none is stored), and
    ``changes``: new, or different from what is stored. Call it after taking the month locks.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FILE_TABLE}, {TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {FILE_TABLE} (pos integer NOT NULL, indicator_id integer NOT NULL,"
            " unit_id integer NOT NULL, period_kind varchar(1) NOT NULL, period_start date NOT NULL,"
            " value numeric, numerator numeric, denominator numeric, status varchar(20) NOT NULL,"
            " has_ratio boolean NOT NULL) ON COMMIT DROP"
        )
        with cursor.cursor.copy(f"COPY {FILE_TABLE} FROM STDIN") as copy:  # psycopg 3
            lines = []
            for position, item in enumerate(values):
                key = item.key
                lines.append(f"{position}\t{key.indicator_id}\t{key.unit_id}\t{key.period_kind}\t"
                             f"{key.period_start}\t{_text(item.value)}\t{_text(item.numerator)}\t"
                             f"{_text(item.denominator)}\t{item.status}\t{'t' if item.has_ratio else 'f'}\n")
                if len(lines) == CHUNK_ROWS:
                    copy.write("".join(lines))
                    lines = []
            copy.write("".join(lines))
        cursor.execute(f"ANALYZE {FILE_TABLE}")
        keep_ratio = "s.has_ratio OR m.id IS NULL"
        cursor.execute(
            f"CREATE TEMPORARY TABLE {TABLE} ON COMMIT DROP AS"
            f" SELECT *, stored_id IS NULL OR (value, numerator, denominator, status)"
            "   IS DISTINCT FROM (old_value, old_numerator, old_denominator, old_status) AS changes"
            f" FROM (SELECT s.pos, {', '.join('s.' + c for c in KEY_COLUMNS)}, s.value,"
            f"   CASE WHEN {keep_ratio} THEN s.numerator ELSE m.numerator END AS numerator,"
            f"   CASE WHEN {keep_ratio} THEN s.denominator ELSE m.denominator END AS denominator, s.status,"
            "   m.id AS stored_id, m.value AS old_value, m.numerator AS old_numerator,"
            "   m.denominator AS old_denominator, m.status AS old_status"
            f"   FROM {FILE_TABLE} s LEFT JOIN {MEASUREMENTS} m USING ({KEYS})) joined"
        )
        cursor.execute(f"ANALYZE {TABLE}")


def fingerprint() -> str:
    """A fingerprint of every stored value the staged values touch (and of which are not stored)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT md5(coalesce(string_agg(concat_ws(',', {KEYS},"
            " (stored_id, old_value, old_numerator, old_denominator, old_status)::text), ';' ORDER BY pos), ''))"
            f" FROM {TABLE}"
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
        cursor.execute(f"SELECT pos, stored_id, old_value, old_numerator, old_denominator, old_status FROM {TABLE}"
                       " WHERE changes ORDER BY pos")
        return [StoredChange(pos, None if stored_id is None else (value, numerator, denominator, status or ""))
                for pos, stored_id, value, numerator, denominator, status in cursor.fetchall()]


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
    with connection.cursor() as cursor:
        # An analysed temporary table rather than a CTE, so the planner knows how many series there are.
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}_series")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {TABLE}_series ON COMMIT DROP AS SELECT DISTINCT indicator_id, unit_id,"
            f" period_kind FROM {TABLE} WHERE changes AND value IS NOT NULL AND period_kind <> 'O'"
        )
        cursor.execute(f"ANALYZE {TABLE}_series")
        cursor.execute(f"""
            WITH points AS (
                SELECT s.pos, s.changes, s.indicator_id, s.unit_id, s.period_kind, s.period_start, s.value
                FROM {TABLE} s JOIN {TABLE}_series USING (indicator_id, unit_id, period_kind)
                WHERE s.value IS NOT NULL
                UNION ALL
                SELECT NULL, false, m.indicator_id, m.unit_id, m.period_kind, m.period_start, m.value
                FROM {TABLE}_series x JOIN {MEASUREMENTS} m USING (indicator_id, unit_id, period_kind)
                WHERE m.value IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM {TABLE} s
                    WHERE ({', '.join('s.' + c for c in KEY_COLUMNS)}) = ({', '.join('m.' + c for c in KEY_COLUMNS)})
                      AND s.value IS NOT NULL)
            ),
            moves AS (
                SELECT pos, changes, indicator_id, unit_id, period_kind,
                       abs(value - lag(value) OVER (PARTITION BY indicator_id, unit_id, period_kind
                                                    ORDER BY period_start)) AS move
                FROM points
            ),
            totals AS (
                SELECT pos, changes, move,
                       sum(move) OVER series_moves AS total, count(move) OVER series_moves AS moves
                FROM moves
                WINDOW series_moves AS (PARTITION BY indicator_id, unit_id, period_kind)
            )
            SELECT pos, move, (total - move) / (moves - 1) AS usual
            FROM totals
            WHERE changes AND move IS NOT NULL AND moves - 1 >= %s AND total - move > 0
              AND move > %s * (total - move) / (moves - 1)
            ORDER BY pos
        """, [min_moves, upper_range_factor])
        return [Jump(pos, move, usual) for pos, move, usual in cursor.fetchall()]


def write(*, now: datetime, user_id: int | None, upload_id: int | None, reason: str) -> tuple[int, int]:
    """Write the staged values: a revision for each changed value (its old and new state), then the new and
    changed values in one upsert (the unchanged are not touched). Returns (new, changed)."""
    other_columns, other_defaults = _other_columns(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {REVISIONS} (measurement_id, old_value, old_numerator, old_denominator, old_status,"
            " new_value, new_numerator, new_denominator, new_status, changed_at, changed_by_id, reason, upload_id)"
            " SELECT stored_id, old_value, old_numerator, old_denominator, old_status,"
            " value, numerator, denominator, status, %s, %s, %s, %s"
            f" FROM {TABLE} WHERE changes AND stored_id IS NOT NULL ORDER BY pos",
            [now, user_id, reason, upload_id],
        )
        changed = cursor.rowcount
        columns = [*KEY_COLUMNS, "value", "numerator", "denominator", "status", "updated_at", *other_columns]
        cursor.execute(
            f"INSERT INTO {MEASUREMENTS} ({', '.join(columns)})"
            f" SELECT {KEYS}, value, numerator, denominator, status, %s{', %s' * len(other_columns)}"
            f" FROM {TABLE} WHERE changes ORDER BY pos"
            f" ON CONFLICT ({KEYS}) DO UPDATE SET value = EXCLUDED.value, numerator = EXCLUDED.numerator,"
            " denominator = EXCLUDED.denominator, status = EXCLUDED.status, updated_at = EXCLUDED.updated_at",
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
