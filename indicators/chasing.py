"""What has not been supplied for a month: every indicator and unit with no value for its edition
period (or the status "to be supplied"), with the indicator's lead officer. Four queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from districts.models import ReportingUnit, UnitKind

from .analysis import periods
from .analysis.periods import Period, PeriodKind
from .models import Indicator, Measurement, Status


@dataclass(frozen=True)
class Missing:
    indicator: Indicator
    unit: ReportingUnit
    period: Period | None  # None: the authority has reported no period of it at all
    why: str  # "no value" or "to be supplied"

    @property
    def owner(self) -> str:
        officer = self.indicator.lead_officer
        return (officer.get_full_name() or officer.get_username()) if officer else ""


def to_be_supplied(month: Period) -> list[Missing]:
    """For each indicator, its edition period as at ``month`` (the authority's latest on or before
    it); then every unit that reports it with no row, or "to be supplied", for that period."""
    indicators = list(Indicator.objects.select_related("lead_officer"))
    units = list(ReportingUnit.objects.exclude(kind=UnitKind.AREA).order_by("display_order", "name"))
    authority = next((u for u in units if u.kind == UnitKind.AUTHORITY), None)
    if authority is None:
        return []
    reported: dict[int, list[Period]] = defaultdict(list)
    for indicator_id, kind, start in (
        Measurement.objects.filter(unit=authority, period_start__lte=month.start)
        .exclude(period_kind=PeriodKind.OUTTURN.value)
        .values_list("indicator_id", "period_kind", "period_start")
    ):
        reported[indicator_id].append(Period(start, PeriodKind(kind)))
    edition: dict[int, Period | None] = {}
    for indicator in indicators:
        own_kind = periods.KIND_OF_FREQUENCY[indicator.frequency_enum]
        edition[indicator.pk] = periods.edition_period(month, (p for p in reported[indicator.pk] if p.kind is own_kind))
    starts: set[date] = {p.start for p in edition.values() if p is not None}
    found: dict[tuple[int, int], str] = {}
    for indicator_id, unit_id, kind, start, stored_status in Measurement.objects.filter(
        period_start__in=starts
    ).values_list("indicator_id", "unit_id", "period_kind", "period_start", "status"):
        period = edition.get(indicator_id)
        if period is not None and period.kind.value == kind and period.start == start:
            found[(indicator_id, unit_id)] = stored_status
    missing = []
    for indicator in indicators:
        period = edition[indicator.pk]
        for unit in units:
            if not indicator.is_reported_for(unit):
                continue
            status = found.get((indicator.pk, unit.pk)) if period is not None else None
            if period is not None and status is not None and status != Status.TO_BE_SUPPLIED:
                continue
            why = "to be supplied" if status == Status.TO_BE_SUPPLIED else "no value"
            missing.append(Missing(indicator, unit, period, why))
    return missing


def latest_month() -> Period | None:
    """The latest edition month (the authority's newest monthly figure): the pages' default, never the
    clock. One query."""
    latest = Measurement.objects.latest_edition_month()
    return periods.month(latest.year, latest.month) if latest else None


CSV_COLUMNS = ("indicator", "name", "area", "period", "why", "lead_officer")


def csv_rows(missing: list[Missing]) -> list[list[str]]:
    """The chasing list as spreadsheet rows, header first (written formula-safe by indicators.spreadsheets)."""
    return [
        list(CSV_COLUMNS),
        *(
            [
                item.indicator.code,
                item.indicator.name,
                item.unit.name,
                item.period.label if item.period else "",
                item.why,
                item.owner,
            ]
            for item in missing
        ),
    ]
