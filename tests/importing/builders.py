"""Test files for uploads, generated at test time: plausible October 2024 data for the six districts
the shipped data set lacks, and their teams, in both layouts and both formats."""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook

from districts.models import ReportingUnit
from indicators.analysis.numbers import round_half_up
from indicators.analysis.periods import Period, PeriodKind
from indicators.importing.validate import reported_for_unit
from indicators.models import Indicator, Measurement

SIX_DISTRICTS = ("Sevenoaks", "Swale", "Thanet", "Maidstone", "Tonbridge and Malling", "Tunbridge Wells")
LONG_HEADER = ["indicator", "area", "period", "value", "numerator", "denominator", "status"]


@dataclass(frozen=True)
class Row:
    indicator: Indicator
    unit: ReportingUnit
    period: Period
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    status: str = ""


def six_units() -> list[ReportingUnit]:
    """The six districts and every team that serves one of them."""
    districts = list(ReportingUnit.objects.filter(name__in=SIX_DISTRICTS))
    teams = ReportingUnit.objects.filter(districts_served__in=districts).distinct()
    return [*districts, *teams]


def kent_series() -> dict[int, dict[Period, Decimal | None]]:
    """Kent's stored values by indicator: the periods and scale the generated data follow."""
    series: dict[int, dict[Period, Decimal | None]] = defaultdict(dict)
    for m in Measurement.objects.filter(unit__kind="authority"):
        series[m.indicator_id][m.period] = m.value
    return series


def generate_rows(seed: int = 2024) -> list[Row]:
    """For each unit and indicator it reports, a value for every period Kent has (Apr–Oct, the
    2023-24 outturn, earlier years and terms): near Kent's own, sometimes the same as the period
    before (so some arrows are 'same'), now and then a status instead."""
    rng = random.Random(seed)
    kent = kent_series()
    rows: list[Row] = []
    for unit in six_units():
        for indicator in Indicator.objects.all():
            if not reported_for_unit(indicator, unit) or indicator.pk not in kent:
                continue
            previous: Decimal | None = None
            for period in sorted(kent[indicator.pk]):
                base = kent[indicator.pk][period]
                if base is None or rng.random() < 0.04:
                    rows.append(Row(indicator, unit, period, None, status=rng.choice(["N/A", "to be supplied"])))
                    continue
                if previous is not None and period.kind is not PeriodKind.OUTTURN and rng.random() < 0.15:
                    value = previous
                else:
                    factor = Decimal(str(round(rng.uniform(0.75, 1.25), 3)))
                    value = round_half_up(base * factor, indicator.decimals)
                    if indicator.unit == "percent":
                        value = min(value, Decimal(100))
                numerator = denominator = None
                if indicator.unit == "percent" and period.kind is PeriodKind.MONTH and period.start.month == 10:
                    denominator = Decimal(rng.randint(40, 900))
                    numerator = round_half_up(value * denominator / 100, 0)
                    value = round_half_up(numerator / denominator * 100, indicator.decimals)
                rows.append(Row(indicator, unit, period, value, numerator, denominator))
                if period.kind is not PeriodKind.OUTTURN:
                    previous = value
    return rows


def expected_values(rows: list[Row]) -> dict[tuple[str, str], dict[Period, Decimal | None]]:
    by_series: dict[tuple[str, str], dict[Period, Decimal | None]] = defaultdict(dict)
    for row in rows:
        by_series[(row.indicator.code, row.unit.name)][row.period] = row.value
    return by_series


def text(number: Decimal | None) -> str:
    return "" if number is None else f"{number:f}"


def long_csv(rows: list[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(LONG_HEADER)
    for r in rows:
        writer.writerow(
            [
                r.indicator.code,
                r.unit.name,
                r.period.label,
                text(r.value),
                text(r.numerator),
                text(r.denominator),
                r.status,
            ]
        )
    return buffer.getvalue().encode()


def _number_cell(number: Decimal | None) -> float | int | None:
    if number is None:
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def _period_cell(period: Period) -> str | datetime:
    """October's months as real date cells (as Excel often has them); other periods as labels."""
    if period.kind is PeriodKind.MONTH and period.start.month == 10:
        return datetime(period.start.year, period.start.month, 1)
    return period.label


def long_xlsx(rows: list[Row]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "values"
    sheet.append(LONG_HEADER)
    for r in rows:
        sheet.append(
            [
                r.indicator.code,
                r.unit.name,
                _period_cell(r.period),
                _number_cell(r.value),
                _number_cell(r.numerator),
                _number_cell(r.denominator),
                r.status or None,
            ]
        )
    return _save(workbook)


def _wide_tables(rows: list[Row]) -> dict[str, tuple[list[Period], dict[tuple[str, str], dict[Period, Row]]]]:
    tables: dict[str, tuple[set[Period], dict[tuple[str, str], dict[Period, Row]]]] = {}
    for r in rows:
        columns, body = tables.setdefault(r.indicator.frequency, (set(), defaultdict(dict)))
        columns.add(r.period)
        body[(r.indicator.code, r.unit.name)][r.period] = r
    return {name: (sorted(columns), body) for name, (columns, body) in tables.items()}


def _wide_cell(row: Row | None) -> object:
    if row is None:
        return None
    return row.status if row.value is None else _number_cell(row.value)


def wide_xlsx(rows: list[Row]) -> bytes:
    """One sheet per frequency, as MI spreadsheets are."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, (columns, body) in _wide_tables(rows).items():
        sheet = workbook.create_sheet(name)
        sheet.append(["indicator", "area", *(_period_cell(p) for p in columns)])
        for (code, area), cells in body.items():
            sheet.append([code, area, *(_wide_cell(cells.get(p)) for p in columns)])
    return _save(workbook)


def wide_csv(rows: list[Row]) -> bytes:
    """A wide CSV is one sheet: every frequency's columns side by side, year labels shared."""
    tables = _wide_tables(rows)
    labels: list[str] = []
    for columns, _ in tables.values():
        labels.extend(p.label for p in columns if p.label not in labels)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["indicator", "area", *labels])
    for _columns, body in tables.values():
        for (code, area), cells in body.items():
            by_label = {p.label: r for p, r in cells.items()}
            cell_texts = []
            for label in labels:
                r = by_label.get(label)
                cell_texts.append("" if r is None else (r.status if r.value is None else text(r.value)))
            writer.writerow([code, area, *cell_texts])
    return buffer.getvalue().encode()


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


BUILDERS = {
    ("long", "csv"): long_csv,
    ("long", "xlsx"): long_xlsx,
    ("wide", "csv"): wide_csv,
    ("wide", "xlsx"): wide_xlsx,
}


def measurements_snapshot() -> list[tuple]:
    """Every stored value and revision, to show a failed upload changed nothing."""
    values = list(
        Measurement.objects.order_by("pk").values_list(
            "pk",
            "indicator_id",
            "unit_id",
            "period_kind",
            "period_start",
            "value",
            "numerator",
            "denominator",
            "status",
        )
    )
    from indicators.models import MeasurementRevision

    return [values, MeasurementRevision.objects.count()]
