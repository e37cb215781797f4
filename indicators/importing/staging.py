"""PostgreSQL: an upload's values in a temporary table, compared with and written to what is stored in a few
set-based statements (instead of one Python object per stored value).

``stage`` COPYs the validated values into ``upload_values`` (dropped when the transaction ends); the other
functions read it. Call them inside one ``transaction.atomic`` block. SQLite takes the portable path in
preview.py and load.py, which gives the same answers.

The preview also keeps what the commit needs (``carry``, a ``Carried``): the new and changed values in their
final form, and where each stored value the file touches lives. The commit then checks that those stored
values are unchanged (nothing written since the preview, by the data version; or ``carried_fingerprint``)
and writes them (``stage_carried``, ``write``), without reading the file again or looking values up by key.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

from indicators.models import Measurement, MeasurementRevision

from .validate import Key, NewValue

FILE_TABLE = "upload_rows"  # the file's values as given
TABLE = "upload_values"  # each beside the value stored now, and whether it changes it
WRITES_TABLE = "upload_writes"  # the commit of carried values: only the new and changed, as upload_values has them
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
                lines.append(
                    f"{position}\t{key.indicator_id}\t{key.unit_id}\t{key.period_kind}\t"
                    f"{key.period_start}\t{_text(item.value)}\t{_text(item.numerator)}\t"
                    f"{_text(item.denominator)}\t{item.status}\t{'t' if item.has_ratio else 'f'}\n"
                )
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
            "   m.id AS stored_id, m.ctid AS stored_ctid, m.value AS old_value, m.numerator AS old_numerator,"
            "   m.denominator AS old_denominator, m.status AS old_status"
            f"   FROM {FILE_TABLE} s LEFT JOIN {MEASUREMENTS} m USING ({KEYS})) joined"
        )
        cursor.execute(f"ANALYZE {TABLE}")


def _stored_hash(stored_id: str, keys: Sequence[str], state: Sequence[str]) -> str:
    """SQL: a 64-bit hash of one stored value (its id, key and state; all NULL but the key when none is stored).

    The preview and both commit paths hash through this, with the same types, so equal rows hash equal."""
    indicator_id, unit_id, period_kind, period_start = keys
    value, numerator, denominator, status = state
    return (
        f"hash_record_extended(ROW({stored_id}::bigint, {indicator_id}::bigint, {unit_id}::bigint,"
        f" {period_kind}::text, {period_start}::date, {value}::numeric, {numerator}::numeric,"
        f" {denominator}::numeric, {status}::text), 0)"
    )


def _seen(total: Decimal | int | None) -> str:
    return f"pg:{total or 0}"


def fingerprint() -> str:
    """A fingerprint of every stored value the staged values touch (and of which are not stored).

    The sum of each value's hash: no sort, and one pass. A changed, added or removed value changes the sum
    (unless 64-bit hashes happen to cancel out)."""
    stored_hash = _stored_hash(
        "stored_id", KEY_COLUMNS, ("old_value", "old_numerator", "old_denominator", "old_status")
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT sum({stored_hash}) FROM {TABLE}")
        return _seen(cursor.fetchone()[0])


@dataclass(frozen=True)
class StoredChange:
    """A staged value that is new (old is None) or differs from the stored one."""

    position: int
    old: tuple[Decimal | None, Decimal | None, Decimal | None, str] | None


def changes() -> list[StoredChange]:
    """The staged values that are new or would change what is stored, with the stored state."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pos, stored_id, old_value, old_numerator, old_denominator, old_status FROM {TABLE}"
            " WHERE changes ORDER BY pos"
        )
        return [
            StoredChange(pos, None if stored_id is None else (value, numerator, denominator, status or ""))
            for pos, stored_id, value, numerator, denominator, status in cursor.fetchall()
        ]


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
        # A plan that does not depend on the measurements table's statistics (which may be missing or stale:
        # right after a bulk load, or with autovacuum off, estimates of a join with it were off by orders of
        # magnitude, and a nested loop over every staged value took minutes):
        # - each series' stored values are read through the key index, one series at a time (a LATERAL
        #   subquery that OFFSET 0 keeps from being merged into a join the planner would cost by statistics);
        # - the file's values replace the stored ones by a sort (DISTINCT ON, the file's first), not by a
        #   correlated NOT EXISTS, so there is no nested loop whose size depends on an estimate.
        cursor.execute(
            f"""
            WITH candidates AS (
                SELECT s.pos, s.changes, s.indicator_id, s.unit_id, s.period_kind, s.period_start, s.value,
                       0 AS source
                FROM {TABLE} s JOIN {TABLE}_series USING (indicator_id, unit_id, period_kind)
                WHERE s.value IS NOT NULL
                UNION ALL
                SELECT NULL, false, x.indicator_id, x.unit_id, x.period_kind, m.period_start, m.value, 1
                FROM {TABLE}_series x CROSS JOIN LATERAL (
                    SELECT period_start, value FROM {MEASUREMENTS}
                    WHERE indicator_id = x.indicator_id AND unit_id = x.unit_id AND period_kind = x.period_kind
                      AND value IS NOT NULL
                    OFFSET 0
                ) m
            ),
            points AS (
                SELECT DISTINCT ON (indicator_id, unit_id, period_kind, period_start) *
                FROM candidates
                ORDER BY indicator_id, unit_id, period_kind, period_start, source
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
        """,
            [min_moves, upper_range_factor],
        )
        return [Jump(pos, move, usual) for pos, move, usual in cursor.fetchall()]


def analyse_measurements() -> None:
    """ANALYZE the measurements table (PostgreSQL; elsewhere nothing): after a bulk load, so plans fit its size."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {MEASUREMENTS}")


class ChangedMeanwhile(Exception):
    """A stored value changed between the check and the write: by a writer that takes no month lock."""


def write(
    *, now: datetime, user_id: int | None, upload_id: int | None, reason: str, carried: bool = False
) -> tuple[int, int]:
    """Write the staged values: a revision for each changed value (its old and new state), then the changed
    values (updated where they are stored, by ctid) and the new ones (the unchanged are not touched).
    Returns (new, changed).

    ``carried``: write the carried values (stage_carried) rather than those ``stage`` staged. Raises
    ChangedMeanwhile, writing nothing, if a value was changed or stored since it was compared.
    """
    other_columns, other_defaults = _other_columns(now)
    changes = WRITES_TABLE if carried else f"(SELECT * FROM {TABLE} WHERE changes)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {REVISIONS} (measurement_id, old_value, old_numerator, old_denominator, old_status,"
            " new_value, new_numerator, new_denominator, new_status, changed_at, changed_by_id, reason, upload_id)"
            " SELECT stored_id, old_value, old_numerator, old_denominator, old_status,"
            " value, numerator, denominator, status, %s, %s, %s, %s"
            f" FROM {changes} AS c WHERE stored_id IS NOT NULL ORDER BY pos",
            [now, user_id, reason, upload_id],
        )
        changed = cursor.rowcount
        # By ctid: no index lookup. A row updated since it was compared has moved, so it is not found here
        # (even when this waits for the other writer): then the counts differ, and nothing is written. The id
        # too: a table rewritten since (VACUUM FULL, CLUSTER: no write, so no new data version) may hold
        # another value at that ctid.
        cursor.execute(
            f"UPDATE {MEASUREMENTS} m SET value = c.value, numerator = c.numerator, denominator = c.denominator,"
            f" status = c.status, updated_at = %s FROM {changes} AS c"
            " WHERE m.ctid = c.stored_ctid AND m.id = c.stored_id",
            [now],
        )
        if cursor.rowcount != changed:
            raise ChangedMeanwhile(
                f"{changed - cursor.rowcount} of the values this file changes were changed by "
                "someone else while it was being written. Nothing was written: run it again."
            )
        columns = [*KEY_COLUMNS, "value", "numerator", "denominator", "status", "updated_at", *other_columns]
        cursor.execute(
            f"INSERT INTO {MEASUREMENTS} ({', '.join(columns)})"
            f" SELECT {KEYS}, value, numerator, denominator, status, %s{', %s' * len(other_columns)}"
            f" FROM {changes} AS c WHERE stored_id IS NULL ORDER BY pos ON CONFLICT ({KEYS}) DO NOTHING",
            [now, *other_defaults],
        )
        new = cursor.rowcount
        cursor.execute(f"SELECT count(*) FROM {changes} AS c WHERE stored_id IS NULL")
        expected_new = cursor.fetchone()[0]
        if new != expected_new:
            raise ChangedMeanwhile(
                f"{expected_new - new} of the values this file adds were stored by someone else "
                "while it was being written. Nothing was written: run it again."
            )
    return new, changed


def _other_columns(now: datetime) -> tuple[list[str], list[Any]]:
    """Measurement's other columns (synthetic, footnote, any added later) at their defaults, for new rows."""
    written = {*KEY_COLUMNS, "value", "numerator", "denominator", "status", "updated_at"}
    columns: list[str] = []
    defaults: list[Any] = []
    for field in Measurement._meta.concrete_fields:
        if field.primary_key or field.column is None or field.column in written:
            continue
        columns.append(field.column)
        automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        defaults.append(now if automatic else field.get_default())
    return columns, defaults


def month_locks(keys: Iterable[Key]) -> list[str]:
    """The advisory locks (load.lock_months) for the months of these values, in the order to take them."""
    periods = {(key.period_kind, key.period_start) for key in keys}  # few distinct, however many values
    return sorted({f"scorecard.measurements:{kind}:{start:%Y-%m}" for kind, start in periods})


# --- the preview's values, carried to the commit -------------------------------------------------------

# upload_writes, and the carried writes' COPY text: a new or changed value (stored_id NULL when new), in its
# state after the upload, with the stored state it replaces.
WRITE_COLUMNS = (
    *KEY_COLUMNS,
    "value",
    "numerator",
    "denominator",
    "status",
    "stored_id",
    "stored_ctid",
    "old_value",
    "old_numerator",
    "old_denominator",
    "old_status",
)


@dataclass(frozen=True)
class Carried:
    """What a PostgreSQL preview keeps (Upload.carried) so the commit need not parse and check the file again.

    The commit may use it while ``definitions`` still matches the catalogue (validate.current_definitions)
    and what the preview saw is still stored (the data version has not moved, or ``carried_fingerprint``
    still matches the preview's): then the file checks to the same values, and the same values are new or
    changed, as at the preview.
    """

    definitions: str  # the catalogue the values were checked against
    months: list[str]  # the month locks to take (month_locks)
    values: int  # how many values the file gives
    # Where each stored value the file touches lives: its row's ctid, as a PostgreSQL tid[] literal. A row
    # updated or deleted since leaves its ctid (a new version gets a new one), so finding the same values at
    # the same ctids proves them unchanged, with no lookup by key.
    seen: str
    writes: bytes  # COPY text of WRITE_COLUMNS (and pos first): the new and changed values, in file order
    # data_version() before the preview read anything: while it has not moved, nothing was written since.
    data_version: list[object] | None = None

    def pack(self) -> bytes:
        header = json.dumps(
            {
                "definitions": self.definitions,
                "months": self.months,
                "values": self.values,
                "data_version": self.data_version,
            }
        )
        return zlib.compress(b"\n".join([header.encode(), self.seen.encode(), self.writes]), 1)

    @classmethod
    def unpack(cls, packed: bytes) -> Carried:
        header, seen, writes = zlib.decompress(packed).split(b"\n", 2)
        fields = json.loads(header)
        return cls(
            fields["definitions"], fields["months"], fields["values"], seen.decode(), writes, fields.get("data_version")
        )


def data_version() -> list[object] | None:
    """The data version now (database triggers move it on every write to a table the scorecard reads,
    measurements included), or None when the measurements table has no such trigger.

    The version belongs to the app above this one (it watches every app's tables), so its reader is named
    by a setting, DATA_VERSION_READER, rather than imported: imports run scorecard → indicators only.
    """
    reader: Callable[[str], Sequence[object] | None] = import_string(settings.DATA_VERSION_READER)
    version = reader(MEASUREMENTS)
    return list(version) if version is not None else None


def carry(*, definitions: str, months: list[str], values: int, version: list[object] | None) -> Carried:
    """At the preview, after ``stage``: what the commit needs, from upload_values. ``version``: data_version()
    before the preview read anything."""
    with connection.cursor() as cursor:
        # In ctid order, so the commit reads the table's pages in order.
        cursor.execute(
            f"SELECT coalesce(array_agg(stored_ctid ORDER BY stored_ctid), '{{}}')::text FROM {TABLE}"
            " WHERE stored_ctid IS NOT NULL"
        )
        seen = cursor.fetchone()[0]
        with cursor.cursor.copy(
            f"COPY (SELECT pos, {', '.join(WRITE_COLUMNS)} FROM {TABLE} WHERE changes ORDER BY pos) TO STDOUT"
        ) as copy:
            writes = b"".join(bytes(chunk) for chunk in copy)
    return Carried(definitions, months, values, seen, writes, version)


def stage_carried(carried: Carried) -> None:
    """COPY the carried new and changed values into upload_writes (dropped when the transaction ends)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {WRITES_TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {WRITES_TABLE} (pos integer NOT NULL, indicator_id integer NOT NULL,"
            " unit_id integer NOT NULL, period_kind varchar(1) NOT NULL, period_start date NOT NULL,"
            " value numeric, numerator numeric, denominator numeric, status varchar(20) NOT NULL,"
            " stored_id bigint, stored_ctid tid, old_value numeric, old_numerator numeric, old_denominator numeric,"
            " old_status varchar(20)) ON COMMIT DROP"
        )
        with cursor.cursor.copy(f"COPY {WRITES_TABLE} (pos, {', '.join(WRITE_COLUMNS)}) FROM STDIN") as copy:
            copy.write(carried.writes)


def carried_fingerprint(carried: Carried) -> str:
    """``fingerprint`` as it is now, for the carried values (after stage_carried): the stored values at the
    preview's ctids, and whatever is now stored under the keys that were new."""
    at_ctids = _stored_hash(
        "m.id", [f"m.{column}" for column in KEY_COLUMNS], ("m.value", "m.numerator", "m.denominator", "m.status")
    )
    under_new_keys = _stored_hash(
        "m.id", [f"w.{column}" for column in KEY_COLUMNS], ("m.value", "m.numerator", "m.denominator", "m.status")
    )
    with connection.cursor() as cursor:
        # The ctids through a subquery: the planner then cannot count them, and reads each row where it lives
        # (a TID scan) rather than choosing to read the whole table.
        cursor.execute(
            f"SELECT coalesce((SELECT sum({at_ctids}) FROM {MEASUREMENTS} m WHERE m.ctid = ANY((SELECT %s)::tid[])),"
            " 0)"
            f" + coalesce((SELECT sum({under_new_keys}) FROM {WRITES_TABLE} w"
            f" LEFT JOIN {MEASUREMENTS} m USING ({KEYS}) WHERE w.stored_id IS NULL), 0)",
            [carried.seen],
        )
        return _seen(cursor.fetchone()[0])
