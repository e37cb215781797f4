"""The demo data set: Kent CYPE Directorate Scorecard, October 2024 (Open Government Licence).

Loading is idempotent (a second run changes nothing) and every record passes the
same model validation the admin uses (``full_clean``), so a bad row is refused
with its file and line, and nothing is half-loaded.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from districts.models import ReportingUnit, TeamService, UnitAlias, UnitKind
from indicators.analysis.benchmarks import BenchmarkDateError, benchmark_as_at
from indicators.analysis.numbers import to_decimal
from indicators.analysis.periods import parse_period, parse_year_label
from indicators.models import Benchmark, Indicator, Measurement, MeasurementRevision, Target

from .editions.publishing import publish_demo_edition

DEMO_DIR = Path(__file__).resolve().parent / "demo_data" / "kent-cype-2024-10"
ATTRIBUTION = (
    "Demo figures: Kent County Council, Children, Young People and Education Directorate Scorecard, "
    "October 2024 (published 9 December 2024), under the Open Government Licence."
)
SERVICES = {label: code for code, label in TeamService.choices}
DEMO_BENCHMARK_SOURCE = "Printed scorecard, October 2024"
CYPE8_PROVISIONAL = ("CYPE8", "Q2 24-25", "Provisional: not yet published by the Ministry of Justice")


class DemoDataError(Exception):
    pass


def read_csv(name: str, directory: Path = DEMO_DIR) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a demo file with their line numbers (the header is line 1)."""
    with open(directory / name, newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            yield line, {key: (value or "").strip() for key, value in row.items()}


def number_or_none(text: str) -> Decimal | None:
    return to_decimal(text) if text else None


def save_validated(instance: models.Model, where: str) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise DemoDataError(f"{where}: {'; '.join(error.messages)}") from None
    instance.save()


def upsert(model: type[models.Model], where: str, lookup: dict[str, Any], values: dict[str, Any]) -> bool:
    """Create or update one record through full_clean; True when something changed."""
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup)
    elif all(getattr(instance, field) == value for field, value in values.items()):
        return False
    for field, value in values.items():
        setattr(instance, field, value)
    save_validated(instance, where)
    return True


def load_geography(directory: Path = DEMO_DIR) -> int:
    changed = 0
    rows = list(read_csv("geography.csv", directory))
    units: dict[str, ReportingUnit] = {}
    # Areas first, so districts can name theirs.
    for order, (line, row) in sorted(enumerate(rows), key=lambda item: item[1][1]["kind"] != "area"):
        where = f"geography.csv line {line}"
        values = {
            "kind": row["kind"],
            "gss_code": row["gss_code"],
            "service": SERVICES.get(row["service"], row["service"]),
            "area": units.get(row["area"]) if row["area"] else None,
            "display_order": order,
        }
        changed += upsert(ReportingUnit, where, {"name": row["unit"]}, values)
        units[row["unit"]] = ReportingUnit.objects.get(name=row["unit"])
    for _line, row in rows:
        if row["kind"] == UnitKind.TEAM and row["covers"]:
            team = units[row["unit"]]
            served = [units[name] for name in row["covers"].split(";")]
            if set(team.districts_served.all()) != set(served):
                team.districts_served.set(served)
                changed += 1
    for line, row in read_csv("aliases.csv", directory):
        changed += upsert(UnitAlias, f"aliases.csv line {line}", {"alias": row["alias"]},
                          {"unit": units[row["unit"]]})
    return changed


def load_indicators(directory: Path = DEMO_DIR) -> int:
    changed = 0
    for order, (line, row) in enumerate(read_csv("indicators.csv", directory)):
        values = {
            "printed_code": row["printed_code"],
            "name": row["name"],
            "section": row["section"],
            "table": row["table"],
            "polarity": row["polarity"],
            "data_period": row["data_period"],
            "frequency": row["frequency"],
            "qpr": row["qpr"] == "1",
            "reported_for": row["reported_for"],
            "unit": row["unit"],
            "decimals": int(row["decimals"]),
            "dot_compares_with": row["dot_compares_with"],
            "definition": row["definition"],
            "source": row["source"],
            "benchmark_label": row["benchmark_label"],
            "england_label": row["england_label"],
            "notes": row["notes"],
            "display_order": order,
        }
        changed += upsert(Indicator, f"indicators.csv line {line}", {"code": row["code"]}, values)
    return changed


def load_targets(directory: Path = DEMO_DIR) -> int:
    indicators = {i.code: i for i in Indicator.objects.all()}
    changed = 0
    for line, row in read_csv("targets.csv", directory):
        where = f"targets.csv line {line}"
        year = parse_year_label(row["year"])
        if year is None or row["indicator"] not in indicators:
            raise DemoDataError(f"{where}: unknown indicator or year")
        values = {
            "applies_to": row["applies_to"],
            "target": to_decimal(row["target"]),
            "floor": number_or_none(row["floor"]),
            "band_low": number_or_none(row["band_low"]),
            "band_high": number_or_none(row["band_high"]),
            "floor_band_low": number_or_none(row["floor_band_low"]),
            "floor_band_high": number_or_none(row["floor_band_high"]),
            "source": row["source"],
        }
        changed += upsert(Target, where, {"indicator": indicators[row["indicator"]], "year": year, "unit": None},
                          values)
    return changed


def load_benchmarks(directory: Path = DEMO_DIR) -> int:
    indicators = {i.code: i for i in Indicator.objects.all()}
    changed = 0
    for line, row in read_csv("benchmarks.csv", directory):
        where = f"benchmarks.csv line {line}"
        indicator = indicators[row["indicator"]]
        try:
            as_at = benchmark_as_at(row["label"], indicator.frequency)
        except BenchmarkDateError as error:
            raise DemoDataError(f"{where}: {error}") from None
        changed += upsert(
            Benchmark,
            where,
            {"indicator": indicator, "comparator": row["comparator"], "as_at": as_at},
            {"label": row["label"], "value": to_decimal(row["value"]), "source": DEMO_BENCHMARK_SOURCE},
        )
    return changed


def load_footnotes() -> int:
    """The printed scorecard marks CYPE8's latest quarter as not yet published by the Ministry of Justice."""
    quarter = parse_period(CYPE8_PROVISIONAL[1], "quarterly")
    return (Measurement.objects.for_period(quarter).filter(indicator__code=CYPE8_PROVISIONAL[0])
            .exclude(footnote=CYPE8_PROVISIONAL[2]).update(footnote=CYPE8_PROVISIONAL[2]))


def load_measurements(directory: Path = DEMO_DIR) -> int:
    """The shipped values. A value that differs from what is stored is revised, never overwritten silently."""
    indicators = {i.code: i for i in Indicator.objects.all()}
    units = {u.name: u for u in ReportingUnit.objects.all()}
    existing = {
        (m.indicator_id, m.unit_id, m.period_kind, m.period_start): m for m in Measurement.objects.all()
    }
    now = timezone.now()
    new: list[Measurement] = []
    revised: list[Measurement] = []
    revisions: list[MeasurementRevision] = []
    for line, row in read_csv("measurements.csv", directory):
        where = f"measurements.csv line {line}"
        indicator, unit = indicators.get(row["indicator"]), units.get(row["area"])
        if indicator is None or unit is None:
            raise DemoDataError(f"{where}: unknown indicator {row['indicator']!r} or area {row['area']!r}")
        period = parse_period(row["period"], indicator.frequency)
        values = {
            "value": number_or_none(row["value"]),
            "numerator": number_or_none(row["numerator"]),
            "denominator": number_or_none(row["denominator"]),
            "status": row["status"],
        }
        key = (indicator.pk, unit.pk, period.kind.value, period.start)
        measurement = existing.get(key)
        if measurement is None:
            measurement = Measurement(indicator=indicator, unit=unit, period_kind=period.kind.value,
                                      period_start=period.start)
            new.append(measurement)
        elif all(getattr(measurement, field) == value for field, value in values.items()):
            continue
        else:
            revisions.append(MeasurementRevision(
                measurement=measurement, changed_at=now, reason="demo data reloaded",
                old_value=measurement.value, old_numerator=measurement.numerator,
                old_denominator=measurement.denominator, old_status=measurement.status,
                new_value=values["value"], new_numerator=values["numerator"],
                new_denominator=values["denominator"], new_status=row["status"],
            ))
            revised.append(measurement)
        for field, value in values.items():
            setattr(measurement, field, value)
        measurement.updated_at = now  # bulk_update does not apply auto_now
        existing[key] = measurement
        try:
            # Field and model rules as in the admin; the key's uniqueness was checked just above
            # against what is stored (and the database constraint backs it), so skip a query a row.
            measurement.full_clean(exclude=["indicator", "unit"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise DemoDataError(f"{where}: {'; '.join(error.messages)}") from None
    Measurement.objects.bulk_create(new)
    Measurement.objects.bulk_update(revised, ["value", "numerator", "denominator", "status", "updated_at"])
    MeasurementRevision.objects.bulk_create(revisions)
    return len(new) + len(revised)


@transaction.atomic
def load_demo(directory: Path = DEMO_DIR) -> dict[str, int]:
    """Load every demo file; all or nothing. Returns how many records each step changed."""
    return {
        "units": load_geography(directory),
        "indicators": load_indicators(directory),
        "targets": load_targets(directory),
        "benchmarks": load_benchmarks(directory),
        "measurements": load_measurements(directory),
        "footnotes": load_footnotes(),
        # The October 2024 edition with its commentary, published once, as members first see it.
        "edition": publish_demo_edition(),
    }
