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
from indicators.analysis.direction import ComparesWith, Direction, direction, trend_direction
from indicators.analysis.periods import Period, PeriodKind
from indicators.analysis.rag import Rag, TargetSpec
from indicators.analysis.rating import EXPECTED_WORDS, Expected, RatingRule, expected_range, rate, select_target
from indicators.models import Benchmark, Indicator, Measurement, ScorecardMembership, Status, Target
from indicators.models import Scorecard as ScorecardDefinition

NOT_SUPPLIED = "not supplied"
NEW_INDICATOR = "new indicator"
NOT_RATED = "not rated"  # rated, but no target for that year and unit (or no value)
DATA_ONLY = "data only"  # never rated: the rule is none, or an activity indicator
NO_VALUE = "no value"  # a never-rated row without a value: its value cell says why (not supplied, …)
# Every status a row can carry (the stored ones and the derived above), as the printed scorecard words it;
# SHORT_STATUS_WORDS: in a trend cell, where the page's key explains them.
STATUS_WORDS = {
    **{status.value: status.label for status in Status},
    NOT_SUPPLIED: "not supplied",
    NEW_INDICATOR: "new indicator",
}
SHORT_STATUS_WORDS = {Status.TO_BE_SUPPLIED.value: "tbs", NOT_SUPPLIED: "–", NEW_INDICATOR: "new"}


def unrated_words(data_only: bool, expected: Expected | None, has_value: bool) -> str:
    """What a row without a RAG says: an activity indicator's place against its expected range, "data only"
    (never rated by design), or "not rated" (rated, but no target or no value). Never one for another.

    A never-rated row without a value says "no value", not "data only": the missing value is the news, and
    there is nothing to place against an expected range."""
    if expected is not None:
        return EXPECTED_WORDS[expected]
    if data_only:
        return DATA_ONLY if has_value else NO_VALUE
    return NOT_RATED


def summaries_side_by_side(cards: Iterable[Scorecard]) -> list[dict[str, int]]:
    """Each card's summary with the same buckets, so they line up as a table's columns: "data only" for all
    where any unit has a data-only row (an authority-only indicator gives the authority one and no district)."""
    summaries = [card.summary() for card in cards]
    if any(DATA_ONLY in summary for summary in summaries):
        return [summary | {DATA_ONLY: summary.get(DATA_ONLY, 0)} for summary in summaries]
    return summaries


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
    dot_long: Direction | None = None  # the long arrow (same period last year) where the method is both
    compares_with: str = ComparesWith.PREVIOUS_PERIOD.value  # the direction method that judged ``dot``
    expected: Expected | None = None  # activity indicators: within, above or below the expected range
    expected_range: tuple[Decimal | None, Decimal | None] | None = None

    @property
    def value(self) -> Decimal | None:
        return self.latest.value if self.latest else None

    @property
    def status(self) -> str:
        return self.latest.status if self.latest else NOT_SUPPLIED

    @property
    def has_value(self) -> bool:
        return self.value is not None

    @property
    def rating(self) -> str:
        """The rule that judged the row (floor, tolerance, …); ``none`` for activity indicators."""
        return self.indicator.rule.rule.value

    @property
    def data_only(self) -> bool:
        return self.indicator.rule.rule is RatingRule.NONE

    @property
    def rag_bucket(self) -> str:
        """The summary's count it falls in. A never-rated row without a value is counted as not rated, as a
        rated row without a value is: it says "no value", not "data only"."""
        if self.rag:
            return self.rag.value
        return DATA_ONLY if self.data_only and self.has_value else NOT_RATED


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
        """Counts of RED, AMBER, GREEN and not rated (a row without a value among them), in that order; then data
        only, where there is any."""
        counts = Counter(row.rag_bucket for row in self.rows)
        buckets = (*Rag, NOT_RATED, DATA_ONLY) if counts.get(DATA_ONLY) else (*Rag, NOT_RATED)
        return {bucket: counts.get(bucket, 0) for bucket in buckets}


class ScorecardData:
    """Everything the rules need for some units as at a month, fetched in a fixed number of queries."""

    def __init__(
        self,
        units: Sequence[ReportingUnit],
        as_at: Period,
        indicators: Sequence[Indicator] | None = None,
        scorecard: ScorecardDefinition | None = None,
    ) -> None:
        """``indicators``: fetch only these (a page about one indicator); all of them by default.

        ``scorecard``: only its members in the edition's year, where they sit in it, with its direction
        method and trend length (the same number of queries: the memberships replace the indicators query).
        """
        self.as_at = as_at
        self.definition = scorecard  # the Scorecard model (``self.scorecard(unit)`` builds one unit's)
        self.units = list(units)
        unit_ids = [unit.pk for unit in self.units]
        # Which teams serve which districts (one query) and the authority (one query).
        self.teams_by_district: dict[int, list[ReportingUnit]] = defaultdict(list)
        links = (
            ReportingUnit.districts_served.through.objects.filter(to_reportingunit_id__in=unit_ids)
            .select_related("from_reportingunit")
            .order_by("from_reportingunit__display_order", "from_reportingunit__name")
        )
        for link in links:
            self.teams_by_district[link.to_reportingunit_id].append(link.from_reportingunit)
        self.authority = ReportingUnit.objects.authority()
        team_ids = {team.pk for teams in self.teams_by_district.values() for team in teams}
        all_unit_ids = set(unit_ids) | team_ids | ({self.authority.pk} if self.authority else set())

        if scorecard is not None and indicators is None:
            self.indicators = members_of(scorecard, as_at)
        else:
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
            for b in Benchmark.objects.filter(as_at__lt=periods.add_months(as_at.start, 1), **only_these).order_by(
                "indicator_id", "comparator", "as_at"
            )
        }
        # Each (indicator, unit) series in period order: the query sorts, and dicts keep that order.
        self.values: dict[tuple[int, int], dict[Period, Value]] = defaultdict(dict)
        measurements = (
            Measurement.objects.filter(
                **only_these,
                unit_id__in=all_unit_ids,
                period_start__gte=date(first_year, 1, 1),
                period_start__lte=as_at.start,
            )
            .order_by("period_start")
            .values_list(
                "indicator_id",
                "unit_id",
                "period_kind",
                "period_start",
                "value",
                "numerator",
                "denominator",
                "status",
                "synthetic",
                "footnote",
            )
        )
        # Plain tuples, not model instances: a district's scorecard reads about 10,000 rows, and
        # building a Measurement for each cost ten times the query itself (bench/RESULTS.md).
        period_of: dict[tuple[str, date], Period] = {}
        for (
            indicator_id,
            unit_id,
            kind,
            start,
            value,
            numerator,
            denominator,
            status,
            synthetic,
            footnote,
        ) in measurements:
            period = period_of.get((kind, start))
            if period is None:
                period = period_of[(kind, start)] = Period(start, PeriodKind(kind))
            self.values[(indicator_id, unit_id)][period] = Value(
                period, value, numerator, denominator, status, synthetic, footnote
            )
        self._edition_periods: dict[int, Period | None] = {}

    def _target_row(
        self, indicator: Indicator, year: int, unit: ReportingUnit, period: Period | None, wanted: str
    ) -> Target | None:
        rows = [
            t
            for t in self.targets.get((indicator.pk, year), [])
            if t.applies_to_unit(unit)
            and (
                t.target is not None
                if wanted == "target"
                else t.lower_threshold is not None or t.upper_threshold is not None
            )
        ]
        if period is None:  # the year's own target (charts by year, last year's outturn)
            rows = [t for t in rows if t.period is None]
            rows.sort(key=lambda t: t.unit_id is None)  # an override wins
            return rows[0] if rows else None
        return select_target(((t.period, t.unit_id is not None, t) for t in rows), period)

    def target_for(
        self, indicator: Indicator, year: int, unit: ReportingUnit, period: Period | None = None
    ) -> TargetSpec | None:
        """A unit's override, else the target for all units (or for the authority only).

        With ``period``, a target profiled for that very period comes first (cumulative indicators).
        """
        row = self._target_row(indicator, year, unit, period, "target")
        return row.spec() if row else None

    def expected_range_for(
        self, indicator: Indicator, period: Period, unit: ReportingUnit
    ) -> tuple[Decimal | None, Decimal | None] | None:
        """An activity indicator's expected range for the period (lower, upper), or None."""
        row = self._target_row(indicator, period.year_start_year, unit, period, "range")
        return (row.lower_threshold, row.upper_threshold) if row else None

    def compares_with(self, indicator: Indicator) -> ComparesWith:
        """The scorecard's direction method where it sets one (the QPR: trend), else the indicator's own."""
        if self.definition is not None and self.definition.direction:
            return ComparesWith(self.definition.direction)
        return ComparesWith(indicator.dot_compares_with)

    def trend_length(self, kind: PeriodKind) -> int:
        if self.definition is not None and self.definition.trend_periods:
            return self.definition.trend_periods
        return trend_length(kind)

    def edition_period(self, indicator: Indicator) -> Period | None:
        """The period the authority's latest figure is for (every unit's row shows that period)."""
        if self.authority is None:
            return None
        if indicator.pk not in self._edition_periods:  # asked once per row: worked out once per indicator
            reported = self.values.get((indicator.pk, self.authority.pk), {})
            own_kind = periods.KIND_OF_FREQUENCY[indicator.frequency_enum]
            self._edition_periods[indicator.pk] = periods.edition_period(
                self.as_at, (p for p in reported if p.kind is own_kind)
            )
        return self._edition_periods[indicator.pk]

    def row(self, indicator: Indicator, unit: ReportingUnit) -> ScorecardRow:
        series = self.values.get((indicator.pk, unit.pk), {})
        period = self.edition_period(indicator)
        if period is None:
            return ScorecardRow(
                unit,
                indicator,
                None,
                None,
                [],
                None,
                None,
                None,
                None,
                benchmark=self.benchmarks.get((indicator.pk, Benchmark.Comparator.BENCHMARK)),
                england=self.benchmarks.get((indicator.pk, Benchmark.Comparator.ENGLAND)),
            )
        authority_series = self.values.get((indicator.pk, self.authority.pk), {}) if self.authority else {}
        first_reported = next((p for p in authority_series if p.kind is period.kind), period)  # in period order

        def value_at(at: Period) -> Value:
            if at in series:
                return series[at]
            return Value(at, status=NEW_INDICATOR if at < first_reported else NOT_SUPPLIED)

        latest = value_at(period)
        trend_periods = periods.trend(period, self.trend_length(period.kind))
        trend = [value_at(p) for p in trend_periods]
        target = self.target_for(indicator, period.year_start_year, unit, period)
        compares_with = self.compares_with(indicator)
        rule = indicator.rule
        polarity, decimals = indicator.polarity, indicator.decimals
        year_ago = value_at(periods.same_period_last_year(period))

        def arrow(comparison: Value | None) -> Direction | None:
            return direction(
                latest.value,
                comparison.value if comparison else None,
                polarity,
                decimals,
                target.target if target else None,
            )

        comparison, dot, dot_long = None, None, None
        if compares_with in (ComparesWith.PREVIOUS_PERIOD, ComparesWith.BOTH):
            comparison = value_at(periods.previous(period))
            dot = arrow(comparison)
            if compares_with is ComparesWith.BOTH:
                dot_long = arrow(year_ago)
        elif compares_with is ComparesWith.SAME_PERIOD_LAST_YEAR:
            comparison = year_ago
            dot = arrow(comparison)
        elif compares_with is ComparesWith.TREND:
            # Each period's own target: the distance from it is what a T-polarity trend follows.
            targets = (
                [self.target_for(indicator, p.year_start_year, unit, p) for p in trend_periods]
                if polarity == "T"
                else None
            )
            dot = trend_direction(
                [v.value for v in trend],
                polarity,
                decimals,
                [t.target if t else None for t in targets] if targets is not None else None,
            )
        row = ScorecardRow(
            unit=unit,
            indicator=indicator,
            period=period,
            latest=latest,
            trend=trend,
            comparison=comparison,
            dot=dot,
            target=target,
            rag=rate(latest.value, target, polarity, decimals, rule, same_period_last_year=year_ago.value),
            benchmark=self.benchmarks.get((indicator.pk, Benchmark.Comparator.BENCHMARK)),
            england=self.benchmarks.get((indicator.pk, Benchmark.Comparator.ENGLAND)),
            history=[value for p, value in series.items() if p.kind is period.kind and p.start <= period.start],
            dot_long=dot_long,
            compares_with=compares_with.value,
        )
        if indicator.activity:
            row.expected_range = self.expected_range_for(indicator, period, unit)
            if row.expected_range is not None:
                row.expected = expected_range(latest.value, *row.expected_range, decimals)
        if indicator.has_outturn:
            last_year = period.year_start_year - 1
            outturn_period = periods.outturn_of(last_year)
            # Where no outturn was uploaded, the value of last year's last period stands in.
            outturn = series.get(outturn_period) or series.get(periods.last_period_of_year(last_year, period.kind))
            row.previous_outturn = outturn
            row.previous_target = self.target_for(indicator, last_year, unit)
            before = series.get(periods.outturn_of(last_year - 1))
            row.previous_rag = rate(
                outturn.value if outturn else None,
                row.previous_target,
                polarity,
                decimals,
                rule,
                same_period_last_year=before.value if before else None,
            )
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


def members_of(scorecard: ScorecardDefinition, as_at: Period) -> list[Indicator]:
    """A scorecard's indicators in the edition's (financial) year, in its order, placed in its sections and
    tables (one query). The instances are the assembly's own, so placing them changes nothing stored."""
    memberships = (
        ScorecardMembership.objects.in_year(as_at.year_start_year)
        .filter(scorecard=scorecard)
        .select_related("indicator")
        .order_by("order", "indicator__code")
    )
    placed = []
    for membership in memberships:
        indicator = membership.indicator
        indicator.section, indicator.table, indicator.display_order = (
            membership.section,
            membership.table,
            membership.order,
        )
        placed.append(indicator)
    return placed


def default_scorecard() -> ScorecardDefinition | None:
    """The scorecard today's URLs show (one query)."""
    return ScorecardDefinition.objects.filter(is_default=True).first()


def build_scorecards(
    units: Iterable[ReportingUnit], as_at: Period, scorecard: ScorecardDefinition | None = None
) -> dict[ReportingUnit, Scorecard]:
    """Several units' scorecards as at a month (an area page, the comparison matrix).

    Without ``scorecard``, every indicator (as the pages have always shown them).
    """
    units = list(units)
    data = ScorecardData(units, as_at, scorecard=scorecard)
    return {unit: data.scorecard(unit) for unit in units}


def build_scorecard(unit: ReportingUnit, as_at: Period, scorecard: ScorecardDefinition | None = None) -> Scorecard:
    return build_scorecards([unit], as_at, scorecard)[unit]


def latest_month_with_data() -> Period | None:
    """The newest month with an edition (the authority has monthly figures): the default edition."""
    latest = Measurement.objects.latest_edition_month()
    return periods.month(latest.year, latest.month) if latest else None


def unit_by_name(name: str) -> ReportingUnit:
    """A unit by its name, slug, ONS code or alias (case does not matter)."""
    matches = ReportingUnit.objects.filter(
        Q(name__iexact=name) | Q(slug=name.lower()) | Q(gss_code__iexact=name) | Q(aliases__alias__iexact=name)
    ).distinct()
    return matches.get()
