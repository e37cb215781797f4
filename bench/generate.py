"""Synthetic data for the benchmark: units, indicators, targets and ten years of values.

Small tables go through the ORM (bulk_create); the values go through PostgreSQL COPY
(psycopg 3 ``cursor.copy``), which is the only way to write millions of rows in seconds.
The data is deterministic (a seeded generator), so two runs measure the same thing.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from districts.models import ReportingUnit, TeamService, UnitKind
from indicators.analysis.periods import Frequency, PeriodKind, add_months, month
from indicators.models import Benchmark, Indicator, Measurement, ReportedFor, Scorecard, ScorecardMembership, Target

AS_AT = date(2024, 10, 1)  # the edition month the benchmark reads (the last generated month)
YEARS = 10
AREAS = 4
BENCHMARK_AS_AT = date(2023, 4, 1)  # the year the benchmarks' labels name


@dataclass(frozen=True)
class Size:
    name: str
    districts: int
    teams: int
    indicators: int

    @property
    def spec(self) -> str:
        """Identifies the generated data: a database holding another spec is generated again."""
        return f"v3 {self.name} d={self.districts} t={self.teams} i={self.indicators} y={YEARS} as_at={AS_AT}"


SIZES = {
    "kent": Size("kent", districts=12, teams=28, indicators=60),
    "region": Size("region", districts=150, teams=300, indicators=100),
    "national": Size("national", districts=400, teams=800, indicators=200),
}

# Indicator mix, by position in a cycle of 20: how often each frequency and level occurs.
FREQUENCY_CYCLE = [Frequency.MONTHLY] * 16 + [Frequency.QUARTERLY] * 2 + [Frequency.TERMLY, Frequency.ANNUAL]
REPORTED_FOR_CYCLE = (
    [ReportedFor.DISTRICT] * 10
    + [ReportedFor.SOCIAL_WORK_TEAMS] * 4
    + [ReportedFor.EARLY_HELP_UNITS] * 4
    + [ReportedFor.AUTHORITY] * 2
)
POLARITY_CYCLE = ["H", "L", "H", "T", "L"]
DATA_PERIOD = {Frequency.MONTHLY: "MS", Frequency.QUARTERLY: "Q", Frequency.TERMLY: "T", Frequency.ANNUAL: "A"}


def period_starts(frequency: Frequency) -> list[tuple[str, date]]:
    """(period kind, start) of every period in the ten years up to AS_AT, plus the outturns."""
    first = add_months(AS_AT, -12 * YEARS + 1)
    months = [add_months(first, n) for n in range(12 * YEARS)]
    if frequency is Frequency.MONTHLY:
        starts = [(PeriodKind.MONTH.value, m) for m in months]
    elif frequency is Frequency.QUARTERLY:
        starts = [(PeriodKind.QUARTER.value, m) for m in months if m.month in (1, 4, 7, 10)]
    elif frequency is Frequency.TERMLY:
        starts = [(PeriodKind.TERM.value, m) for m in months if m.month in (1, 4, 9)]
    else:
        starts = [(PeriodKind.YEAR.value, m) for m in months if m.month == 9]
    if frequency in (Frequency.MONTHLY, Frequency.QUARTERLY):
        # Each complete financial year's outturn.
        starts += [
            (PeriodKind.OUTTURN.value, date(year, 4, 1))
            for year in range(first.year, AS_AT.year)
            if date(year + 1, 3, 1) <= AS_AT and date(year, 4, 1) >= first
        ]
    return starts


def reset() -> None:
    """Empty every table the generator fills (and what hangs off them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE districts_reportingunit, indicators_indicator, indicators_upload, scorecard_edition, "
            "indicators_scorecard CASCADE"
        )


def _units(size: Size) -> tuple[ReportingUnit, list[ReportingUnit], list[ReportingUnit]]:
    authority = ReportingUnit(name="Benchshire", kind=UnitKind.AUTHORITY, gss_code="E10000099")
    areas = [ReportingUnit(name=f"Bench Area {n}", kind=UnitKind.AREA, display_order=n) for n in range(1, AREAS + 1)]
    for unit in [authority, *areas]:
        unit.slug = slugify(unit.name)
    ReportingUnit.objects.bulk_create([authority, *areas])
    districts = [
        ReportingUnit(
            name=f"District {n:03d}",
            slug=f"district-{n:03d}",
            kind=UnitKind.DISTRICT,
            area=areas[n % AREAS],
            display_order=n,
        )
        for n in range(1, size.districts + 1)
    ]
    ReportingUnit.objects.bulk_create(districts)
    teams = []
    for n in range(1, size.teams + 1):
        service = TeamService.SOCIAL_WORK if n % 2 else TeamService.EARLY_HELP
        word = "Social Work Team" if service is TeamService.SOCIAL_WORK else "Early Help Unit"
        teams.append(
            ReportingUnit(
                name=f"{word} {n:03d}",
                slug=slugify(f"{word} {n:03d}"),
                kind=UnitKind.TEAM,
                service=service,
                display_order=n,
            )
        )
    ReportingUnit.objects.bulk_create(teams)
    # Each team serves one district; every fifth serves the next one too (teams straddle districts).
    Link = ReportingUnit.districts_served.through
    links = []
    for n, team in enumerate(teams):
        served = {(n // 2) % size.districts}
        if n % 5 == 0:
            served.add((n // 2 + 1) % size.districts)
        links += [Link(from_reportingunit_id=team.pk, to_reportingunit_id=districts[d].pk) for d in served]
    Link.objects.bulk_create(links)
    return authority, districts, teams


def _indicators(size: Size) -> list[Indicator]:
    indicators = []
    for n in range(size.indicators):
        frequency = FREQUENCY_CYCLE[n % len(FREQUENCY_CYCLE)]
        indicators.append(
            Indicator(
                code=f"BI{n + 1:03d}",
                printed_code=f"BI{n + 1}",
                name=f"Benchmark indicator {n + 1}",
                section=f"Section {n % 6 + 1}",
                table=f"Table {n % 12 + 1}",
                polarity=POLARITY_CYCLE[n % len(POLARITY_CYCLE)],
                data_period=DATA_PERIOD[frequency],
                frequency=frequency.value,
                reported_for=REPORTED_FOR_CYCLE[(n * 7) % len(REPORTED_FOR_CYCLE)],
                unit="percent",
                decimals=1,
                dot_compares_with="same period last year" if frequency is Frequency.TERMLY else "previous period",
                display_order=n,
            )
        )
    created = Indicator.objects.bulk_create(indicators)
    # One monthly scorecard holding every indicator, as imported definitions would give: editions belong to one.
    scorecard = Scorecard.objects.create(
        code="BENCH", title="Benchmark scorecard", organisation="Benchshire Council", is_default=True
    )
    ScorecardMembership.objects.bulk_create(
        ScorecardMembership(
            scorecard=scorecard, indicator=indicator, section=indicator.section, table=indicator.table, order=n
        )
        for n, indicator in enumerate(created)
    )
    return created


def _targets(indicators: list[Indicator]) -> None:
    targets, benchmarks = [], []
    for indicator in indicators:
        for year in range(AS_AT.year - YEARS, AS_AT.year + 1):
            if indicator.polarity == "H":
                spec = {"target": 60, "floor": 50}
            elif indicator.polarity == "L":
                spec = {"target": 40, "floor": 50}
            else:
                spec = {"target": 50, "band_low": 45, "band_high": 55, "floor_band_low": 40, "floor_band_high": 60}
            targets.append(Target(indicator=indicator, year=year, **spec))
        benchmarks += [
            Benchmark(
                indicator=indicator,
                comparator=Benchmark.Comparator.BENCHMARK,
                label="Stat neighbours 2023",
                value=51,
                as_at=BENCHMARK_AS_AT,
            ),
            Benchmark(
                indicator=indicator,
                comparator=Benchmark.Comparator.ENGLAND,
                label="England 2023",
                value=49,
                as_at=BENCHMARK_AS_AT,
            ),
        ]
    Target.objects.bulk_create(targets)
    Benchmark.objects.bulk_create(benchmarks)


def copy_text(value: object) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def measurement_columns() -> tuple[list[str], list[str]]:
    """Measurement's columns for COPY: the ones generated here first, then every other (at its default)."""
    generated = ["indicator_id", "unit_id", "period_kind", "period_start", "value", "status"]
    now = timezone.now()
    rest: list[str] = []
    defaults: list[str] = []
    for field in Measurement._meta.concrete_fields:
        if field.primary_key or field.column is None or field.column in generated:
            continue
        rest.append(field.column)
        default = (
            now if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) else field.get_default()
        )
        defaults.append(copy_text(default))
    return generated + rest, defaults


def _value_lines(
    authority: ReportingUnit,
    districts: list[ReportingUnit],
    teams: list[ReportingUnit],
    indicators: list[Indicator],
    tail: str,
) -> Iterator[str]:
    """COPY text lines: indicator, unit, kind, start, value, status, then ``tail`` (the other columns)."""
    rng = random.Random(20241009)
    for indicator in indicators:
        units = [authority]
        if indicator.reported_for == ReportedFor.DISTRICT:
            units += districts
        elif indicator.reported_for != ReportedFor.AUTHORITY:
            units += [team for team in teams if team.service == indicator.reported_for]
        starts = [(kind, start.isoformat()) for kind, start in period_starts(Frequency(indicator.frequency))]
        for unit in units:
            level = rng.uniform(35, 65)
            for kind, start in starts:
                if rng.random() < 0.01:  # a few missing values, as in real returns
                    yield f"{indicator.pk}\t{unit.pk}\t{kind}\t{start}\t\\N\tto be supplied{tail}"
                else:
                    value = round(level + rng.uniform(-8, 8), 1)
                    yield f"{indicator.pk}\t{unit.pk}\t{kind}\t{start}\t{value}\t{tail}"


def copy_lines(sql: str, lines: Iterator[str], chunk_rows: int = 20_000) -> int:
    """Write text-format lines through COPY, in chunks; returns the number of rows."""
    rows = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        chunk: list[str] = []
        for line in lines:
            chunk.append(line)
            if len(chunk) >= chunk_rows:
                copy.write("".join(chunk))
                rows += len(chunk)
                chunk = []
        if chunk:
            copy.write("".join(chunk))
            rows += len(chunk)
    return rows


def generate(size: Size) -> dict[str, int]:
    """Replace the benchmark database's contents with data of this size; returns the counts."""
    with transaction.atomic():
        reset()
        authority, districts, teams = _units(size)
        indicators = _indicators(size)
        _targets(indicators)
        columns, defaults = measurement_columns()
        tail = "".join(f"\t{default}" for default in defaults) + "\n"
        values = copy_lines(
            f"COPY {Measurement._meta.db_table} ({', '.join(columns)}) FROM STDIN",
            _value_lines(authority, districts, teams, indicators, tail),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    publish()
    return {
        "units": 1 + AREAS + len(districts) + len(teams),
        "districts": len(districts),
        "teams": len(teams),
        "indicators": len(indicators),
        "values": values,
    }


def publish() -> None:
    """Approve and publish the AS_AT edition, as a council would before committee: officer pages then
    compare every row with what members were shown (the provisional marks)."""
    from scorecard.editions.approval import approve, cards_and_figures
    from scorecard.editions.publishing import publish_edition, units_in_edition

    as_at = month(AS_AT.year, AS_AT.month)
    _, fingerprint = cards_and_figures(units_in_edition(), as_at)
    approve(as_at, fingerprint, None)
    publish_edition(as_at)
