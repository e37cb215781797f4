"""export_scorecard per scorecard: the members only, their direction method, quarters as editions."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from indicators.models import Indicator, Measurement, ScorecardMembership
from scorecard.export import COLUMNS
from tests.kent import qpr_ticked_codes


def export(*args: str) -> list[dict[str, str]]:
    out = io.StringIO()
    call_command("export_scorecard", *args, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_the_qpr_lists_exactly_its_ticked_indicators_each_with_a_trend_direction(demo: None) -> None:
    rows = export("--scorecard", "QPR", "--area", "Kent", "--period", "Sep-24")
    ticked = qpr_ticked_codes()  # the shipped file's old qpr column: membership of the QPR
    assert ticked and {row["indicator"] for row in rows} == ticked and len(rows) == len(ticked)
    assert all(row["dot"] in ("improved", "worsened", "same") for row in rows), rows
    assert {row["rating"] for row in rows} == {"floor"} and all(row["dot_long"] == "" for row in rows)


def test_a_trend_needs_six_periods(demo: None) -> None:
    """At Aug-24 the QPR's monthly indicators have five months of 2024-25 (Apr–Aug): too few for a trend."""
    rows = export("--scorecard", "QPR", "--area", "Kent", "--period", "Aug-24")
    assert rows and all(row["dot"] == "" for row in rows)


def test_the_default_scorecard_is_the_one_without_a_code_and_a_quarter_is_its_last_month(demo: None) -> None:
    plain = export("--area", "Kent", "--period", "Sep-24")
    assert plain == export("--scorecard", "CYPE", "--area", "Kent", "--period", "Q2 24-25")
    assert len(plain) == Indicator.objects.count()
    assert list(plain[0]) == list(COLUMNS) and list(COLUMNS)[-3:] == ["dot_long", "rating", "expected"]


def test_an_indicator_that_left_a_scorecard_keeps_its_values(demo: None) -> None:
    membership = ScorecardMembership.objects.get(scorecard__code="CYPE", indicator__code="APP17")
    membership.to_year = 2023
    membership.save()
    assert "APP17" not in {row["indicator"] for row in export("--area", "Kent", "--period", "Oct-24")}
    assert "APP17" in {row["indicator"] for row in export("--area", "Kent", "--period", "Mar-24")}
    assert Measurement.objects.filter(indicator__code="APP17").exists()


def test_an_unknown_scorecard_or_period_is_refused(demo: None) -> None:
    with pytest.raises(CommandError, match="no scorecard 'NEET'"):
        export("--scorecard", "NEET", "--area", "Kent", "--period", "Oct-24")
    with pytest.raises(CommandError, match="neither a month"):
        export("--area", "Kent", "--period", "Summer 23-24")


def test_both_arrows_activity_ranges_and_data_only(db: None, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A council's own set: the short and long arrows, an activity indicator's range, never rated."""
    from datetime import date
    from decimal import Decimal

    from districts.models import ReportingUnit
    from indicators.importing.definitions import import_path
    from tests.importing.test_definitions import good_set

    assert import_path(good_set(tmp_path / "defs"), "set-up", commit=True).ok
    shire = ReportingUnit.objects.get(name="Shire Borough")
    for code, values in {
        "CT1": [("2023-07-01", "50"), ("2024-04-01", "18"), ("2024-07-01", "52")],
        "FT1": [("2024-04-01", "150"), ("2024-07-01", "250")],
    }.items():
        for start, value in values:
            Measurement.objects.create(
                indicator=Indicator.objects.get(code=code),
                unit=shire,
                period_kind="Q",
                period_start=date.fromisoformat(start),
                value=Decimal(value),
            )
    rows = {row["indicator"]: row for row in export("--area", "Shire Borough", "--period", "Q2 24-25")}
    # CT1: 52 against 96 is beyond 10 %: RED; up on last quarter (18) and on the same quarter last year (50).
    assert (rows["CT1"]["rag"], rows["CT1"]["dot"], rows["CT1"]["dot_long"]) == ("RED", "improved", "improved")
    assert rows["CT1"]["rating"] == "tolerance" and rows["CT1"]["expected"] == ""
    # FT1: an activity indicator above its range (100–200): never rated, and its trend needs six points.
    assert (rows["FT1"]["expected"], rows["FT1"]["rag"], rows["FT1"]["rating"], rows["FT1"]["dot"]) == (
        "above",
        "",
        "none",
        "",
    )
    q1 = {row["indicator"]: row for row in export("--area", "Shire Borough", "--period", "Q1 24-25")}
    # Q1 is profiled (19): 18 is within 10 % of it (1.9), so AMBER, though far from the year's 96.
    assert (q1["CT1"]["target"], q1["CT1"]["rag"], q1["FT1"]["expected"]) == ("19.0", "AMBER", "within")


def test_a_scorecards_query_count_is_fixed(demo: None) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from districts.models import ReportingUnit
    from indicators.analysis.periods import parse_month
    from indicators.models import Scorecard
    from scorecard.assembly import build_scorecards

    qpr, cype = Scorecard.objects.get(code="QPR"), Scorecard.objects.get(code="CYPE")
    counts = []
    for scorecard, units in ((None, ["Kent"]), (qpr, ["Kent"]), (cype, ["Kent"]), (cype, ["Dover", "Swale"])):
        with CaptureQueriesContext(connection) as context:
            build_scorecards(ReportingUnit.objects.filter(name__in=units), parse_month("Sep-24"), scorecard)
        counts.append(len(context.captured_queries))
    assert len(set(counts)) == 1, counts
