"""export_scorecard per scorecard: the members only, their direction method, quarters as editions."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from indicators.models import Indicator, Measurement, ScorecardMembership
from scorecard.export import COLUMNS


def export(*args: str) -> list[dict[str, str]]:
    out = io.StringIO()
    call_command("export_scorecard", *args, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_the_qpr_lists_exactly_its_ticked_indicators_each_with_a_trend_direction(demo: None) -> None:
    rows = export("--scorecard", "QPR", "--area", "Kent", "--period", "Sep-24")
    ticked = set(Indicator.objects.filter(qpr=True).values_list("code", flat=True))
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
