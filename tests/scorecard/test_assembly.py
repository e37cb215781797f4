"""The scorecard assembly: the shapes of real geography, targets by unit, and a fixed number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from districts.models import ReportingUnit, TeamService, UnitKind
from indicators.analysis.periods import parse_month
from indicators.analysis.rag import Rag
from indicators.models import Indicator, Measurement, Target
from scorecard.assembly import NEW_INDICATOR, NOT_SUPPLIED, build_scorecard, build_scorecards

pytestmark = pytest.mark.django_db
OCTOBER = parse_month("Oct-24")


def unit(name: str) -> ReportingUnit:
    return ReportingUnit.objects.get(name=name)


def value(indicator: str, unit_name: str, period_start: date, number: str, kind: str = "M") -> Measurement:
    return Measurement.objects.create(
        indicator=Indicator.objects.get(code=indicator),
        unit=unit(unit_name),
        period_kind=kind,
        period_start=period_start,
        value=Decimal(number),
    )


def test_a_team_that_serves_two_districts_appears_on_both(demo: None) -> None:
    value("SCS03", "Sevenoaks North & Tonbridge and Malling CSWT", date(2024, 10, 1), "21.0")
    cards = build_scorecards([unit("Sevenoaks"), unit("Tonbridge and Malling")], OCTOBER)
    for card in cards.values():
        rows = [
            r
            for r in card.rows
            if r.unit.name == "Sevenoaks North & Tonbridge and Malling CSWT" and r.indicator.code == "SCS03"
        ]
        assert len(rows) == 1 and rows[0].value == Decimal("21.0") and rows[0].rag is Rag.GREEN


def test_a_district_with_two_social_work_teams_shows_both_blocks(demo: None) -> None:
    card = build_scorecard(unit("Swale"), OCTOBER)
    assert [team.name for team in card.teams] == ["Swale Central CSWT", "Swale EHU", "Swale Island & Rural CSWT"]
    social_work = {r.unit.name for r in card.rows if r.indicator.reported_for == TeamService.SOCIAL_WORK}
    assert social_work == {"Swale Central CSWT", "Swale Island & Rural CSWT"}
    assert not any(r.unit.kind == UnitKind.TEAM and r.indicator.reported_for == "district" for r in card.rows)


def test_the_authority_shows_its_own_values_only(demo: None) -> None:
    card = build_scorecard(unit("Kent"), OCTOBER)
    assert {r.unit.name for r in card.rows} == {"Kent"}
    assert len(card.rows) == Indicator.objects.count()


def test_a_target_for_the_authority_only_does_not_rate_districts(demo: None) -> None:
    kent = {r.indicator.code: r for r in build_scorecard(unit("Kent"), OCTOBER).rows}
    dover = {r.indicator.code: r for r in build_scorecard(unit("Dover"), OCTOBER).rows}
    assert Target.objects.get(indicator__code="EH43", year=2024).applies_to == Target.AppliesTo.AUTHORITY
    assert kent["EH43"].rag is Rag.GREEN
    assert dover["EH43"].value is not None and dover["EH43"].target is None and dover["EH43"].rag is None


def test_a_target_overridden_for_one_unit(demo: None) -> None:
    Target.objects.create(
        indicator=Indicator.objects.get(code="APP17"),
        year=2024,
        unit=unit("Dover"),
        target=Decimal("55"),
        floor=Decimal("50"),
    )
    dover = {r.indicator.code: r for r in build_scorecard(unit("Dover"), OCTOBER).rows}
    ashford = {r.indicator.code: r for r in build_scorecard(unit("Ashford"), OCTOBER).rows}
    assert dover["APP17"].target.target == Decimal("55") and dover["APP17"].rag is Rag.GREEN  # 58.3 >= 55
    assert ashford["APP17"].target.target == Decimal("60")


def test_missing_values_are_not_supplied_and_earlier_periods_of_a_new_indicator_are_new(demo: None) -> None:
    indicator = Indicator.objects.create(
        code="NEW1",
        name="A new measure",
        section="Education",
        table="Education Monthly",
        polarity="H",
        data_period="MS",
        frequency="monthly",
        reported_for="district",
        unit="percent",
        decimals=1,
    )
    value("NEW1", "Kent", date(2024, 9, 1), "50")
    value("NEW1", "Kent", date(2024, 10, 1), "52")
    value("NEW1", "Dover", date(2024, 10, 1), "40")
    row = next(r for r in build_scorecard(unit("Dover"), OCTOBER).rows if r.indicator == indicator)
    assert [v.status for v in row.trend] == [NEW_INDICATOR] * 5 + [NOT_SUPPLIED, ""]
    assert row.dot is None  # September was not supplied: no arrow


def test_summary_counts_every_bucket(demo: None) -> None:
    card = build_scorecard(unit("Kent"), OCTOBER)
    summary = card.summary()
    assert list(summary) == ["RED", "AMBER", "GREEN", "not rated"]
    assert sum(summary.values()) == len(card.rows)
    assert summary["not rated"] == sum(1 for r in card.rows if r.rag is None)


def test_an_earlier_edition_uses_its_own_latest_period(demo: None) -> None:
    row = next(r for r in build_scorecard(unit("Kent"), parse_month("Jun-24")).rows if r.indicator.code == "APP17")
    assert row.period.label == "Jun-24" and row.value == Decimal("30.8")
    assert [v.period.label for v in row.trend][-1] == "Jun-24"


def count_queries(units: list[ReportingUnit]) -> int:
    with CaptureQueriesContext(connection) as context:
        build_scorecards(units, OCTOBER)
    return len(context.captured_queries)


def test_the_query_count_is_fixed(demo: None) -> None:
    kent, dover = unit("Kent"), unit("Dover")
    baseline = count_queries([kent])
    assert count_queries([dover]) == baseline
    assert count_queries([unit("Sevenoaks")]) == baseline  # no data at all
    assert count_queries(list(ReportingUnit.objects.districts())) == baseline
    # Double the indicators, each with values and targets: still the same number of queries.
    for indicator in list(Indicator.objects.all()):
        copy = Indicator.objects.get(pk=indicator.pk)
        copy.pk, copy.code = None, indicator.code + "-copy"
        copy.save()
        Target.objects.create(indicator=copy, year=2024, target=Decimal("1"))
        Measurement.objects.create(
            indicator=copy, unit=kent, period_kind="M", period_start=date(2024, 10, 1), value=Decimal("1")
        )
    assert Indicator.objects.count() == 118
    assert count_queries([kent]) == baseline
    assert count_queries([dover]) == baseline
