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

from districts.models import ReportingUnit, TeamService
from indicators.analysis.numbers import to_decimal
from indicators.analysis.periods import parse_period
from indicators.importing.definitions import import_path
from indicators.models import Indicator, Measurement, MeasurementRevision

from .editions.publishing import publish_demo_edition

DEMO_DIR = Path(__file__).resolve().parent / "demo_data" / "kent-cype-2024-10"
ATTRIBUTION = (
    "Demo figures: Kent County Council, Children, Young People and Education Directorate Scorecard, "
    "October 2024 (published 9 December 2024), under the Open Government Licence."
)
SERVICES = {label: code for code, label in TeamService.choices}
DEMO_REASON = "demo data loaded (load_demo)"
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
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup)
    elif all(getattr(instance, field) == value for field, value in values.items()):
        return False
    for field, value in values.items():
        setattr(instance, field, value)
    save_validated(instance, where)
    return True


def load_definitions(directory: Path = DEMO_DIR) -> dict[str, int]:
    """The scorecards, geography, aliases, indicators, targets and benchmarks, through ``import_definitions``
    (the path any council's MI team uses). Returns how many records of each kind were added or changed."""
    # All or nothing: an error keeps nothing. The shipped set is the starting point, so it writes no history.
    report = import_path(directory, reason=DEMO_REASON, commit=True, history=False)
    if not report.ok:
        raise DemoDataError("; ".join(
            f"{issue.sheet} line {issue.row}: {issue.message}" if issue.row else str(issue) for issue in report.errors))
    return {what: sum(hows.values()) for what, hows in report.plain_counts().items()}


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
                new_denominator=values["denominator"], new_status=values["status"],
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
    definitions = load_definitions(directory)
    return {
        "scorecards": definitions.get("scorecards", 0),
        "units": definitions.get("units", 0) + definitions.get("aliases", 0),
        "indicators": definitions.get("indicators", 0),
        "memberships": definitions.get("memberships", 0),
        "targets": definitions.get("targets", 0),
        "benchmarks": definitions.get("benchmarks", 0),
        "measurements": load_measurements(directory),
        "footnotes": load_footnotes(),
        # The October 2024 edition with its commentary, published once, as members first see it.
        "edition": publish_demo_edition(),
    }
