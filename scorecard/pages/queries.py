"""What the officer pages fetch: each function runs a fixed number of queries.

The scorecards themselves come from ``scorecard.assembly`` (one fixed set of queries for any
number of units); this module finds the units, months and extras around them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, QuerySet

from districts.models import ReportingUnit, UnitKind
from indicators.analysis import periods
from indicators.analysis.periods import Period
from indicators.models import Indicator, Measurement, MeasurementRevision, ReportedFor, ScorecardMembership, Target
from indicators.models import Scorecard as ScorecardDefinition
from scorecard.assembly import (
    ScorecardData,
    ScorecardRow,
    Value,
    latest_month_with_data,
)


class PageNotFound(Exception):
    """A unit, month or indicator the pages do not have; the message says why (shown with a 404)."""


@dataclass
class UnitChoices:
    """The units a scorecard page can show, for the unit picker: the authority, then each area with its districts."""

    authority: ReportingUnit | None
    areas: list[tuple[ReportingUnit, list[ReportingUnit]]] = field(default_factory=list)
    unassigned: list[ReportingUnit] = field(default_factory=list)  # districts with no area


def unit_choices() -> UnitChoices:
    """One query."""
    units = list(ReportingUnit.objects.exclude(kind=UnitKind.TEAM))
    choices = UnitChoices(authority=next((u for u in units if u.kind == UnitKind.AUTHORITY), None))
    districts = [u for u in units if u.kind == UnitKind.DISTRICT]
    for area in (u for u in units if u.kind == UnitKind.AREA):
        choices.areas.append((area, [d for d in districts if d.area_id == area.pk]))
    choices.unassigned = [d for d in districts if d.area_id is None]
    return choices


def page_unit(slug: str) -> ReportingUnit:
    """The authority, an area, a district or a team (a team's page shows its own indicators)."""
    unit = ReportingUnit.objects.select_related("area").filter(slug=slug).first()
    if unit is None:
        raise PageNotFound(f"There is no scorecard for '{slug}': choose the authority, an area, a district or a team.")
    return unit


def districts_served(team: ReportingUnit) -> list[ReportingUnit]:
    """The districts a team serves (one query)."""
    return list(team.districts_served.all())


def value_unit(slug: str | None) -> ReportingUnit:
    """A unit that holds values (authority, district or team), the authority by default."""
    units = ReportingUnit.objects.holding_values()
    unit = units.filter(slug=slug).first() if slug else units.authority()
    if unit is None:
        raise PageNotFound(f"There is no reporting unit '{slug}'." if slug else "No authority is set up yet.")
    return unit


def months_with_data() -> list[Period]:
    """Every month with an edition (the authority has monthly figures), newest first (one query)."""
    return [periods.month(start.year, start.month) for start in Measurement.objects.edition_months()]


def edition_month(month: str | None) -> Period:
    """The month asked for (``yyyy-mm``) if it has data, else the latest month with data."""
    if month is None:
        latest = latest_month_with_data()
        if latest is None:
            raise PageNotFound("No figures have been uploaded yet.")
        return latest
    try:
        as_at = periods.parse_month(month)
    except ValueError as error:  # a PeriodError, or a date the calendar has not got (year 0)
        raise PageNotFound(str(error)) from None
    if as_at.start not in Measurement.objects.edition_months():
        raise PageNotFound(f"There are no figures for {as_at.start:%B %Y}: choose a month that has data.")
    return as_at


def scorecard_definition(code: str) -> ScorecardDefinition:
    """A scorecard by its code (one query)."""
    definition = ScorecardDefinition.objects.filter(code=code).first()
    if definition is None:
        raise PageNotFound(f"There is no scorecard '{code}': /scorecards/ lists them.")
    return definition


def definition_months(definition: ScorecardDefinition | None) -> list[Period]:
    """The months with data that are the scorecard's editions, newest first (one query); every month with data
    where no scorecard is set up."""
    months = months_with_data()
    return [m for m in months if m.start.month in definition.edition_months] if definition else months


def definition_month(definition: ScorecardDefinition | None, month: str | None, months: list[Period]) -> Period:
    """The edition asked for, if it is one of ``months`` (the scorecard's, with data), else its latest. No query."""
    if month is None:
        if not months:
            raise PageNotFound(
                f"{definition.title} has no edition with figures yet."
                if definition
                else "No figures have been uploaded yet."
            )
        return months[0]
    try:
        as_at = periods.parse_month(month)
    except ValueError as error:  # a PeriodError, or a date the calendar has not got (year 0)
        raise PageNotFound(str(error)) from None
    if as_at not in months:
        if definition is not None and len(definition.edition_months) == 4:
            raise PageNotFound(
                f"{definition.title} has no edition as at {as_at.start:%B %Y} with figures: "
                "choose one of its months (Jun, Sep, Dec or Mar)."
            )
        raise PageNotFound(f"There are no figures for {as_at.start:%B %Y}: choose a month that has data.")
    return as_at


@dataclass(frozen=True)
class IndicatorScorecards:
    """The scorecard the indicator page judges the indicator in, and every scorecard that holds it."""

    judged_in: ScorecardDefinition | None  # None: no scorecard holds it (its own direction method, as printed)
    holding: Sequence[ScorecardDefinition]


def indicator_scorecards(indicator: Indicator, code: str | None) -> IndicatorScorecards:
    """One query. ``code`` (``?scorecard=``): that scorecard, which must hold the indicator; without it the
    default scorecard if it holds the indicator, else the first that does."""
    holds = ScorecardMembership.objects.filter(scorecard=OuterRef("pk"), indicator=indicator)
    everything = list(ScorecardDefinition.objects.annotate(holds=Exists(holds)))  # the default first, then by code
    holding = [definition for definition in everything if definition.holds]
    if not code:
        return IndicatorScorecards(holding[0] if holding else None, holding)
    asked = next((definition for definition in everything if definition.code == code), None)
    if asked is None:
        raise PageNotFound(f"There is no scorecard '{code}': /scorecards/ lists them.")
    if asked not in holding:
        raise PageNotFound(
            f"{indicator.printed_code or indicator.code} is not in {asked.title} ({asked.code}): "
            + (
                f"it is in {', '.join(d.code for d in holding)}."
                if holding
                else "it is in no scorecard (leave out ?scorecard=)."
            )
        )
    return IndicatorScorecards(asked, holding)


def area_districts(area: ReportingUnit) -> list[ReportingUnit]:
    return list(ReportingUnit.objects.districts().filter(area=area))


def compare_units() -> list[ReportingUnit]:
    """The authority and every district (their teams come with them)."""
    return list(ReportingUnit.objects.with_scorecards())


# --- The indicator page -------------------------------------------------------------------


@dataclass
class IndicatorPageData:
    indicator: Indicator
    unit: ReportingUnit
    as_at: Period
    authority: ReportingUnit | None
    peers: list[ReportingUnit]  # the districts or teams that report the indicator
    # The units whose lines and values the page shows in full: the unit itself, or, for a district
    # on an indicator its teams report, the teams serving it (the district has no figures of its own).
    charted: list[ReportingUnit]
    data: ScorecardData
    rows: list[ScorecardRow]  # the latest row of the authority and of every peer
    targets: list[Target]
    revisions: list[MeasurementRevision]
    scorecards: IndicatorScorecards = field(default_factory=lambda: IndicatorScorecards(None, []))

    @property
    def definition(self) -> ScorecardDefinition | None:
        """The scorecard whose trend length and direction method the page uses."""
        return self.scorecards.judged_in

    def series(self, unit: ReportingUnit) -> dict[Period, Value]:
        return self.data.values.get((self.indicator.pk, unit.pk), {})

    @property
    def unit_row(self) -> ScorecardRow:
        """The row of the unit the page is about (always among ``rows``)."""
        return next(row for row in self.rows if row.unit == self.unit)

    @property
    def reports_it(self) -> bool:
        return self.unit == self.authority or self.unit in self.peers

    @property
    def serving_teams(self) -> list[ReportingUnit]:
        """The teams charted in the district's place (empty when the unit reports the indicator itself)."""
        return [] if self.charted == [self.unit] else self.charted

    @property
    def focus_unit(self) -> ReportingUnit:
        """The one unit the SPC chart and targets are about: the unit, or the one team serving it."""
        return self.charted[0] if len(self.charted) == 1 else self.unit

    @property
    def focus_row(self) -> ScorecardRow:
        return next(row for row in self.rows if row.unit == self.focus_unit)

    @property
    def shows_synthetic(self) -> bool:
        """Whether any series the charts can show holds generated history."""
        return any(
            value.synthetic
            for (indicator_id, _), series in self.data.values.items()
            if indicator_id == self.indicator.pk
            for value in series.values()
        )


def peers_of(indicator: Indicator) -> QuerySet[ReportingUnit]:
    """Who reports the indicator below the authority: the districts, one team service, or nobody."""
    units = ReportingUnit.objects.all()
    if indicator.reported_for == ReportedFor.DISTRICT:
        return units.filter(kind=UnitKind.DISTRICT)
    if indicator.reported_for in (ReportedFor.SOCIAL_WORK_TEAMS, ReportedFor.EARLY_HELP_UNITS):
        return units.filter(kind=UnitKind.TEAM, service=indicator.reported_for)
    return units.none()


def indicator_page_data(
    code: str, unit_slug: str | None, month: str | None, scorecard_code: str | None = None
) -> IndicatorPageData:
    """Everything the indicator page shows, in a fixed number of queries, judged as in one scorecard (its trend
    length, direction method and edition months)."""
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise PageNotFound(f"There is no indicator with the code '{code}'.")
    scorecards = indicator_scorecards(indicator, scorecard_code)
    unit = value_unit(unit_slug)
    as_at = definition_month(scorecards.judged_in, month, definition_months(scorecards.judged_in))
    peers = list(peers_of(indicator))
    # A district that does not report the indicator is fetched too: the same query that finds which
    # teams serve the units then finds its teams (no query more).
    data = ScorecardData(
        peers if unit in peers else [*peers, unit], as_at, indicators=[indicator], scorecard=scorecards.judged_in
    )
    shown = ([data.authority] if data.authority else []) + peers
    if unit not in shown:
        shown.append(unit)  # a unit that does not report it: its row says "not supplied"
    teams = [team for team in data.teams_by_district.get(unit.pk, []) if team in peers]
    charted = teams if unit.kind == UnitKind.DISTRICT and unit not in peers and teams else [unit]
    rows = [data.row(indicator, each) for each in shown]
    targets = list(
        Target.objects.filter(indicator=indicator).select_related("unit").order_by("year", "period_start", "unit__name")
    )
    revisions = list(MeasurementRevision.objects.revisions_for(indicator, charted))
    return IndicatorPageData(
        indicator, unit, as_at, data.authority, peers, charted, data, rows, targets, revisions, scorecards
    )


def year_start(first_year: int, indicator: Indicator) -> date:
    month = periods.year_start_month(indicator.frequency_enum)
    return date(first_year, month, 1)
