"""A never-rated row without a value (an activity indicator, or the rule none) is counted as not rated, as a rated
row without a value is: no row says "data only" for it, so the summaries do not either. An activity row's target
column shows its expected range. Pure: no database."""

from __future__ import annotations

from decimal import Decimal

from indicators.analysis.rag import Rag
from indicators.analysis.rating import Expected
from scorecard.assembly import NOT_SUPPLIED, Scorecard, ScorecardRow, Value, summaries_side_by_side, unrated_words
from scorecard.editions import presentation
from scorecard.editions.snapshot import row_json

from .test_snapshot import OCT, make_row


def rows() -> list[ScorecardRow]:
    """GREEN; rated without a value; data only with and without a value; activity within its range and without a
    value."""
    no_value = Value(OCT, status=NOT_SUPPLIED)
    green = make_row(rag=Rag.GREEN, code="A", pk=1)
    rated_missing = make_row(rag=None, code="B", pk=2, latest=no_value)
    data_only = make_row(rag=None, code="C", pk=3)
    data_only_missing = make_row(rag=None, code="D", pk=4, latest=no_value)
    activity = make_row(rag=None, code="E", pk=5)
    activity_missing = make_row(rag=None, code="F", pk=6, latest=no_value)
    for row in (data_only, data_only_missing):
        row.indicator.rating = "none"
    for row in (activity, activity_missing):
        row.indicator.activity = True
        row.expected_range = (Decimal("60"), Decimal("70"))
    activity.expected = Expected.WITHIN
    return [green, rated_missing, data_only, data_only_missing, activity, activity_missing]


COUNTS = {"RED": 0, "AMBER": 0, "GREEN": 1, "not rated": 3, "data only": 2}


def test_the_live_summary_counts_a_row_without_a_value_as_not_rated() -> None:
    card = Scorecard(unit=rows()[0].unit, as_at=OCT, rows=rows())
    assert card.summary() == COUNTS
    # The rows say so: "no value" for the never-rated rows without one, never "data only".
    assert [unrated_words(row.data_only, row.expected, row.has_value) for row in card.rows[2:]] == [
        "data only",
        "no value",
        "within expected range",
        "no value",
    ]


def test_side_by_side_summaries_count_alike_and_keep_the_same_columns() -> None:
    """The area page's and the approval page's summaries: a unit whose only never-rated row has no value still
    has a "data only" column, at nought."""
    all_rows = rows()
    first = Scorecard(unit=all_rows[0].unit, as_at=OCT, rows=all_rows)
    second = Scorecard(unit=all_rows[0].unit, as_at=OCT, rows=[all_rows[0], all_rows[3]])
    assert summaries_side_by_side([first, second]) == [
        COUNTS,
        {"RED": 0, "AMBER": 0, "GREEN": 1, "not rated": 1, "data only": 0},
    ]


def test_the_published_summary_counts_as_the_live_one() -> None:
    frozen = [row_json(row, 5) for row in rows()]
    assert presentation.summary({"rows": frozen}) == COUNTS
    # A suppressed value is not one members see: a data-only row with one is not rated too.
    data_only = make_row(rag=None, code="C", pk=3, latest=Value(OCT, Decimal("3")))
    data_only.indicator.rating, data_only.indicator.unit = "none", "number"
    suppressed = row_json(data_only, 5)
    assert suppressed["latest"]["suppressed"]
    assert presentation.summary({"rows": [suppressed]}) == {"RED": 0, "AMBER": 0, "GREEN": 0, "not rated": 1}


def test_an_activity_row_prints_its_expected_range_as_its_target() -> None:
    two_sided, at_least, at_most = rows()[4], rows()[4], rows()[4]  # each a row of its own, to one decimal
    at_least.expected_range, at_most.expected_range = (Decimal("60"), None), (None, Decimal("70.55"))
    targets = [presentation.row_view(row_json(row, 5)).target for row in (two_sided, at_least, at_most)]
    assert targets == ["60.0–70.0", "at least 60.0", "at most 70.55"]
    # An activity indicator without a range shows nothing; any other row its target, as before.
    no_range = rows()[4]
    no_range.expected_range = None
    assert presentation.row_view(row_json(no_range, 5)).target == ""
    assert presentation.row_view(row_json(rows()[0], 5)).target == "60.0"
    # A snapshot frozen before the range was kept prints the target there.
    old = {key: value for key, value in row_json(rows()[4], 5).items() if key != "expected_range"}
    assert presentation.row_view(old).target == "60.0"
