"""Reading published editions: which version, what is still provisional, what changed since.

``is_published`` and ``provisional_keys`` are the interface the officer pages use to mark
figures that members have not seen yet; without a scorecard they mean the default scorecard's editions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from districts.models import ReportingUnit
from indicators.analysis.periods import Frequency, Period, PeriodError, PeriodKind, parse_period
from indicators.models import Measurement, MeasurementRevision
from indicators.models import Scorecard as ScorecardDefinition

from ..assembly import ScorecardRow
from ..models import EditionVersion
from .snapshot import JSON, number_text


def is_published(
    as_at: Period, scorecard: ScorecardDefinition | None = None, now: datetime | None = None
) -> EditionVersion | None:
    """The latest version of the scorecard's edition as at the month (the default scorecard's when None) that
    members can read at ``now``, or None. One query.

    An embargoed version is not published yet in this sense: members have not seen its figures.
    Its snapshot is left unread until asked for: a page served from the cache never needs it.
    """
    return EditionVersion.objects.version_of(as_at, scorecard=scorecard, now=now, snapshot=False)


def scorecard_edition_months(scorecard: ScorecardDefinition) -> list[Period]:
    """The months with figures that are the scorecard's editions (a quarterly one's: Jun, Sep, Dec, Mar), newest
    first. One query."""
    return [
        Period(start, PeriodKind.MONTH)
        for start in Measurement.objects.edition_months()
        if start.month in scorecard.edition_months
    ]


def _latest_figures(latest: JSON | None) -> tuple[str | None, ...]:
    if latest is None:
        return (None, None, None, "not supplied", None)
    return (latest["value"], latest["numerator"], latest["denominator"], latest["status"], latest["period"])


def _row_figures(row: ScorecardRow) -> tuple[str | None, ...]:
    latest = row.latest
    if latest is None:
        return (None, None, None, "not supplied", None)
    return (
        number_text(latest.value),
        number_text(latest.numerator),
        number_text(latest.denominator),
        latest.status,
        latest.period.label,
    )


def provisional_keys(
    as_at: Period,
    rows: Iterable[ScorecardRow],
    version: EditionVersion | None = None,
    units: Iterable[ReportingUnit] | None = None,
    scorecard: ScorecardDefinition | None = None,
) -> set[tuple[int, int]]:
    """The (unit_id, indicator_id) of rows whose latest figures members have not seen as published.

    A row is provisional when the month's edition is unpublished, when the published
    version has no such row, or when its value, numerator, denominator, status or period
    differ from the published ones. ``units``: the scorecards the rows come from (a district's
    holds its teams' rows), so only theirs are read; every unit's by default. ``scorecard``: whose
    edition (the default scorecard's when None; unused when ``version`` is given). Two queries
    (one when ``version`` is given).
    """
    rows = list(rows)
    if version is None:
        version = is_published(as_at, scorecard)
    if version is None:
        return {(row.unit.pk, row.indicator.pk) for row in rows}
    published_units = (
        version.unit_rows.all() if units is None else version.unit_rows.filter(unit_id__in=[unit.pk for unit in units])
    )
    published = {
        (row["unit_id"], row["indicator_id"]): _latest_figures(row["latest"])
        for unit in published_units.values_list("data", flat=True)
        for row in unit["rows"]
    }
    return {
        (row.unit.pk, row.indicator.pk)
        for row in rows
        if published.get((row.unit.pk, row.indicator.pk)) != _row_figures(row)
    }


PeriodKey = tuple[int, int, str, object]  # indicator id, unit id, period kind, period start


def snapshot_keys(snapshot: JSON) -> set[PeriodKey]:
    """Every (indicator, unit, period) whose figure the edition printed: trend, latest, comparison, outturn."""
    keys: set[PeriodKey] = set()
    for unit in snapshot.get("units", []):
        for row in unit["rows"]:
            values = [row["latest"], row["comparison"], row["previous_outturn"], *row["trend"]]
            for value in values:
                if value is None:
                    continue
                try:
                    period = parse_period(value["period"], Frequency(row["frequency"]))
                except PeriodError:  # a label the rules no longer read: nothing to match it with
                    continue
                keys.add((row["indicator_id"], row["unit_id"], period.kind.value, period.start))
    return keys


@dataclass
class Change:
    indicator: str
    name: str
    unit: str
    period: str
    old: str
    new: str
    changed_at: datetime
    changed_by: str
    reason: str


def _figure(value: Decimal | None, status: str) -> str:
    return (number_text(value) or "") if value is not None else (status or "blank")


def changes_since(version: EditionVersion) -> list[Change]:
    """Every revision, made after the version was published, of a figure the edition printed. One query."""
    keys = snapshot_keys(version.document())
    unit_ids = {unit_id for _, unit_id, _, _ in keys}
    revisions = (
        MeasurementRevision.objects.filter(changed_at__gt=version.published_at, measurement__unit_id__in=unit_ids)
        .select_related("measurement__indicator", "measurement__unit", "changed_by")
        .order_by(
            "measurement__indicator__display_order",
            "measurement__unit__display_order",
            "measurement__period_start",
            "changed_at",
            "pk",
        )
    )
    changes = []
    for revision in revisions:
        measurement = revision.measurement
        key = (measurement.indicator_id, measurement.unit_id, measurement.period_kind, measurement.period_start)
        if key not in keys:
            continue
        changes.append(
            Change(
                indicator=measurement.indicator.code,
                name=measurement.indicator.name,
                unit=measurement.unit.name,
                period=Period(measurement.period_start, PeriodKind(measurement.period_kind)).label,
                old=_figure(revision.old_value, revision.old_status),
                new=_figure(revision.new_value, revision.new_status),
                changed_at=revision.changed_at,
                changed_by=revision.changed_by.get_username() if revision.changed_by else "",
                reason=revision.reason,
            )
        )
    return changes
