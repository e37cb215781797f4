"""Scorecard assembly: the rows a scorecard shows for units as at an edition month.

One function fetches everything in a fixed number of queries, whatever the
number of indicators, units or periods; the pure rules in
``indicators.analysis`` then rate each row.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q

from districts.models import ReportingUnit, UnitKind
from indicators.analysis import periods
from indicators.analysis.direction import ComparesWith, Direction, direction
from indicators.analysis.periods import Period, PeriodKind
from indicators.analysis.rag import Rag, TargetSpec, rag
from indicators.models import Benchmark, Indicator, Measurement, Status, Target

NOT_SUPPLIED = "not supplied"
NEW_INDICATOR = "new indicator"
NOT_RATED = "not rated"
# Every status a row can carry (the stored ones and the two derived above), as the printed scorecard words it;
# SHORT_STATUS_WORDS: in a trend cell, where the page's key explains them.
STATUS_WORDS = {**{status.value: status.label for status in Status}, NOT_SUPPLIED: "not supplied",
                NEW_INDICATOR: "new indicator"}
SHORT_STATUS_WORDS = {Status.TO_BE_SUPPLIED.value: "tbs", NOT_SUPPLIED: "–", NEW_INDICATOR: "new"}


def status_words(status: str, short: bool = False) -> str:
    """How a status reads (a word the table does not know reads as itself)."""
    return (SHORT_STATUS_WORDS if short else STATUS_WORDS).get(status, status)
# Far enough back for four years of an annual trend, the year before it, and last year's outturn.
HISTORY_YEARS = 6


def trend_length(kind: PeriodKind) -> int:
    """Seven months, or four quarters, terms or years, as printed."""
    return 7 if kind is PeriodKind.MONTH else 4


class Value(NamedTuple):
    """A unit's figure for one period: a value, or a status saying why there is none.

    A named tuple rather than a frozen dataclass: a district's scorecard builds ten thousand of
    them, and a tuple is made in a third of the time.
    """

    period: Period
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    status: str = ""  # a stored status, NOT_SUPPLIED or NEW_INDICATOR
    synthetic: bool = False  # generated demo history, marked wherever it is shown
    footnote: str = ""  # e.g. "Provisional: not yet published by the Ministry of Justice"


@dataclass
class ScorecardRow:
    unit: ReportingUnit
    indicator: Indicator
    period: Period | None  # the edition period; None when the authority has no row at all
    latest: Value | None
    trend: list[Value]
    comparison: Value | None
    dot: Direction | None
    target: TargetSpec | None
    rag: Rag | None
    previous_outturn: Value | None = None
    previous_target: TargetSpec | None = None
    previous_rag: Rag | None = None
    benchmark: Benchmark | None = None
    england: Benchmark | None = None
    # Every value of the edition period's kind up to and including it, oldest first, within the
    # fetched window (HISTORY_YEARS): the series for statistical process control.
    history: list[Value] = field(default_factory=list)

    @property
    def value(self) -> Decimal | None:
        return self.latest.value if self.latest else None

    @property
    def status(self) -> str:
        return self.latest.status if self.latest else NOT_SUPPLIED

    @property
    def rag_bucket(self) -> str:
        return self.rag.value if self.rag else NOT_RATED


@dataclass
class Scorecard:
    unit: ReportingUnit
    as_at: Period
    rows: list[ScorecardRow] = field(default_factory=list)
    teams: list[ReportingUnit] = field(default_factory=list)

    @property
    def shows_synthetic(self) -> bool:
        return any(value.synthetic for row in self.rows for value in row.trend)

    def summary(self) -> dict[str, int]:
        """Counts of RED, AMBER, GREEN and not rated, in that order."""
        counts = Counter(row.rag_bucket for row in self.rows)
        return {bucket: counts.get(bucket, 0) for bucket in (*Rag, NOT_RATED)}


class ScorecardData:
    """Everything the rules need for some units as at a month, fetched in a fixed number of queries."""

    def __init__(self, units: Sequence[ReportingUnit], as_at: Period,
                 indicators: Sequence[Indicator] | None = None) -> None:
        """``indicators``: fetch only these (a page about one indicator); all of them by default."""
        self.as_at = as_at
        self.units = list(units)
        unit_ids = [unit.pk for unit in self.units]
        # Which teams serve which districts (one query) and the authority (one query).
        self.teams_by_district: dict[int, list[ReportingUnit]] = defaultdict(list)
        links = ReportingUnit.districts_served.through.objects.filter(to_reportingunit_id__in=unit_ids).select_related(
            "from_reportingunit"
        ).order_by("from_reportingunit__display_order", "from_reportingunit__name")
        for link in links:
            self.teams_by_district[link.to_reportingunit_id].append(link.from_reportingunit)
        self.authority = ReportingUnit.objects.authority()
        team_ids = {team.pk for teams in self.teams_by_district.values() for team in teams}
        all_unit_ids = set(unit_ids) | team_ids | ({self.authority.pk} if self.authority else set())

        self.indicators = list(Indicator.objects.all()) if indicators is None else list(indicators)
        only_these = {} if indicators is None else {"indicator__in": self.indicators}
        first_year = as_at.start.year - HISTORY_YEARS
        self.targets: dict[tuple[int, int], list[Target]] = defaultdict(list)
        for target in Target.objects.filter(year__gte=first_year, year__lte=as_at.start.year, **only_these):
            self.targets[(target.indicator_id, target.year)].append(target)
        # Each indicator's and comparator's latest benchmark dated on or before the month's end (one
        # query: ascending dates, so the latest overwrites the earlier ones).
        self.benchmarks: dict[tuple[int, str], Benchmark] = {
            (b.indicator_id, b.comparator): b
            for b in Benchmark.objects.filter(as_at__lt=periods.add_months(as_at.start, 1), **only_these)
            .order_by("indicator_id", "comparator", "as_at")
        }
        # Each (indicator, unit) series in period order: the query sorts, and dicts keep that order.
        self.values: dict[tuple[int, int], dict[Period, Value]] = defaultdict(dict)
        measurements = Measurement.objects.filter(
            **only_these,
            unit_id__in=all_unit_ids,
            period_start__gte=date(first_year, 1, 1),
            period_start__lte=as_at.start,
        ).order_by("period_start").values_list("indicator_id", "unit_id", "period_kind", "period_start", "value",
                                               "numerator", "denominator", "status", "synthetic", "footnote")
        # Plain tuples, not model instances: a district's scorecard reads about 10,000 rows, and
        # building a Measurement for each cost ten times the query itself (bench/RESULTS.md).
        period_of: dict[tuple[str, date], Period] = {}
        for indicator_id, unit_id, kind, start, value, numerator, denominator, status, synthetic, footnote \
                in measurements:
            period = period_of.get((kind, start))
            if period is None:
                period = period_of[(kind, start)] = Period(start, PeriodKind(kind))
            self.values[(indicator_id, unit_id)][period] = Value(period, value, numerator, denominator, status,
                                                                 synthetic, footnote)
        self._edition_periods: dict[int, Period | None] = {}

    def target_for(self, indicator: Indicator, year: int, unit: ReportingUnit) -> TargetSpec | None:
        """A unit's override, else the target for all units (or for the authority only)."""
        candidates = [t for t in self.targets.get((indicator.pk, year), []) if t.applies_to_unit(unit)]
        candidates.sort(key=lambda t: t.unit_id is None)  # an override wins
        return candidates[0].spec() if candidates else None

    def edition_period(self, indicator: Indicator) -> Period | None:
        """The period the authority's latest figure is for (every unit's row shows that period)."""
        if self.authority is None:
            return None
        if indicator.pk not in self._edition_periods:  # asked once per row: worked out once per indicator
            reported = self.values.get((indicator.pk, self.authority.pk), {})
            own_kind = periods.KIND_OF_FREQUENCY[indicator.frequency_enum]
            self._edition_periods[indicator.pk] = periods.edition_period(
                self.as_at, (p for p in reported if p.kind is own_kind))
        return self._edition_periods[indicator.pk]

    def row(self, indicator: Indicator, unit: ReportingUnit) -> ScorecardRow:
        series = self.values.get((indicator.pk, unit.pk), {})
        period = self.edition_period(indicator)
        if period is None:
            return ScorecardRow(unit, indicator, None, None, [], None, None, None, None,
                                benchmark=self.benchmarks.get((indicator.pk, Benchmark.Comparator.BENCHMARK)),
                                england=self.benchmarks.get((indicator.pk, Benchmark.Comparator.ENGLAND)))
        authority_series = self.values.get((indicator.pk, self.authority.pk), {}) if self.authority else {}
        first_reported = next((p for p in authority_series if p.kind is period.kind), period)  # in period order

        def value_at(at: Period) -> Value:
            if at in series:
                return series[at]
            return Value(at, status=NEW_INDICATOR if at < first_reported else NOT_SUPPLIED)

        latest = value_at(period)
        trend = [value_at(p) for p in periods.trend(period, trend_length(period.kind))]
        target = self.target_for(indicator, period.year_start_year, unit)
        compares_with = ComparesWith(indicator.dot_compares_with)
        comparison = None
        if compares_with is ComparesWith.PREVIOUS_PERIOD:
            comparison = value_at(periods.previous(period))
        elif compares_with is ComparesWith.SAME_PERIOD_LAST_YEAR:
            comparison = value_at(periods.same_period_last_year(period))
        row = ScorecardRow(
            unit=unit,
            indicator=indicator,
            period=period,
            latest=latest,
            trend=trend,
            comparison=comparison,
            dot=direction(latest.value, comparison.value if comparison else None, indicator.polarity,
                          indicator.decimals, target.target if target else None),
            target=target,
            rag=rag(latest.value, target, indicator.polarity, indicator.decimals),
            benchmark=self.benchmarks.get((indicator.pk, Benchmark.Comparator.BENCHMARK)),
            england=self.benchmarks.get((indicator.pk, Benchmark.Comparator.ENGLAND)),
            history=[value for p, value in series.items() if p.kind is period.kind and p.start <= period.start],
        )
        if indicator.has_outturn:
            last_year = period.year_start_year - 1
            outturn_period = periods.outturn_of(last_year)
            # Where no outturn was uploaded, the value of last year's last period stands in.
            outturn = series.get(outturn_period) or series.get(periods.last_period_of_year(last_year, period.kind))
            row.previous_outturn = outturn
            row.previous_target = self.target_for(indicator, last_year, unit)
            row.previous_rag = rag(outturn.value if outturn else None, row.previous_target, indicator.polarity,
                                   indicator.decimals)
        return row

    def indicators_for(self, unit: ReportingUnit) -> list[Indicator]:
        return [indicator for indicator in self.indicators if indicator.is_reported_for(unit)]

    def scorecard(self, unit: ReportingUnit) -> Scorecard:
        """The authority: its own rows. A district: its rows, then each serving team's rows."""
        teams = self.teams_by_district.get(unit.pk, []) if unit.kind == UnitKind.DISTRICT else []
        card = Scorecard(unit=unit, as_at=self.as_at, teams=teams)
        for shown in (unit, *teams):
            card.rows.extend(self.row(indicator, shown) for indicator in self.indicators_for(shown))
        return card


def build_scorecards(units: Iterable[ReportingUnit], as_at: Period) -> dict[ReportingUnit, Scorecard]:
    """Several units' scorecards as at a month (an area page, the comparison matrix)."""
    units = list(units)
    data = ScorecardData(units, as_at)
    return {unit: data.scorecard(unit) for unit in units}


def build_scorecard(unit: ReportingUnit, as_at: Period) -> Scorecard:
    return build_scorecards([unit], as_at)[unit]


def latest_month_with_data() -> Period | None:
    """The newest month with an edition (the authority has monthly figures): the default edition."""
    latest = Measurement.objects.edition_months().first()
    return periods.month(latest.year, latest.month) if latest else None


def unit_by_name(name: str) -> ReportingUnit:
    """A unit by its name, slug, ONS code or alias (case does not matter)."""
    matches = ReportingUnit.objects.filter(
        Q(name__iexact=name) | Q(slug=name.lower()) | Q(gss_code__iexact=name) | Q(aliases__alias__iexact=name)
    ).distinct()
    return matches.get()
