"""The key a page prints says how its rows were judged (scorecard/rag_key.py), and a trend's arrows read as a
trend's: pure functions, no database."""

from __future__ import annotations

from decimal import Decimal

from indicators.analysis.direction import Direction, direction_words
from scorecard.editions.presentation import row_view
from scorecard.rag_key import FLOOR_LINES, Judged, KeyLine, judged_frozen, rag_key


def lines(rows: list[Judged]) -> list[tuple[str, str]]:
    key = rag_key(rows)
    return [(group.heading, f"{line.mark} {line.words}") for group in key.ratings for line in group.lines] + [
        ("", f"{line.mark}: {line.words}") for line in key.unrated
    ]


def test_floor_rows_keep_the_printed_wording_and_nothing_else() -> None:
    key = rag_key([Judged(compares_with="previous period"), Judged(compares_with="same period last year")])
    assert [group.heading for group in key.ratings] == [""]
    assert (
        key.ratings[0].lines
        == FLOOR_LINES
        == [
            KeyLine("RED", "floor standard not achieved"),
            KeyLine("AMBER", "floor achieved but target not met"),
            KeyLine("GREEN", "target achieved"),
        ]
    )
    assert [line.mark for line in key.unrated] == ["blank"]  # no data-only or activity rows: not mentioned
    assert [(line.mark, line.words) for line in key.directions[0].lines] == [
        ("↑", "improved"),
        ("↓", "worsened"),
        ("↔", "same (at the printed precision)"),
    ]
    assert key.directions[0].heading == "Against the previous period or the same period last year"


def test_a_shared_percentage_tolerance_is_named_and_data_only_rows_are_explained() -> None:
    rows = [Judged("tolerance", Decimal("10.000000"), "percent", compares_with="both"), Judged("none")]
    assert lines(rows) == [
        ("", "RED target missed by more than 10 %"),
        ("", "AMBER target missed, but within 10 % of it"),
        ("", "GREEN target met"),
        ("", "blank: not rated (no target for that year and unit, or no value)"),
        ("", "data only: not rated: shown for information (counted apart from not rated)"),
    ]
    assert "floor" not in str(rag_key(rows))


def test_an_absolute_tolerance_is_named_in_the_units_and_mixed_ones_are_not() -> None:
    assert "AMBER target missed, but within 0.5 of it" in str(lines([Judged("tolerance", Decimal("0.5"), "absolute")]))
    mixed = [Judged("tolerance", Decimal("5"), "percent"), Judged("tolerance", Decimal("10"), "percent")]
    assert ("", "AMBER target missed, but within its tolerance of it") in lines(mixed)


def test_several_rules_each_get_a_heading_in_a_fixed_order() -> None:
    rows = [Judged("tolerance_improving", Decimal("10")), Judged()]
    assert lines(rows) == [
        ("Floor and target", "RED floor standard not achieved"),
        ("Floor and target", "AMBER floor achieved but target not met"),
        ("Floor and target", "GREEN target achieved"),
        (
            "Tolerance, then last year",
            "RED target missed by more than 10 %, and no better than the same period last year",
        ),
        (
            "Tolerance, then last year",
            "AMBER target missed by more than 10 %, but better than the same period last year",
        ),
        ("Tolerance, then last year", "GREEN target met, or missed by no more than 10 %"),
        ("", "blank: not rated (no target for that year and unit, or no value)"),
    ]


def test_activity_indicators_alone_have_no_rag_lines() -> None:
    key = rag_key([Judged("none", activity=True)])
    assert key.ratings == [] and [line.mark for line in key.unrated] == ["within / above / below expected range"]


def test_a_trend_reads_improving_worsening_or_no_clear_trend() -> None:
    assert direction_words(Direction.SAME, "trend") == "no clear trend"
    assert direction_words("improved", "trend") == "improving" and direction_words("worsened", "trend") == "worsening"
    assert direction_words(Direction.SAME, "previous period") == "same" and direction_words("improved") == "improved"
    key = rag_key([Judged(compares_with="trend"), Judged(compares_with="none")])
    assert [(line.mark, line.words) for line in key.directions[0].lines] == [
        ("↑", "improving"),
        ("↓", "worsening"),
        ("↔", "no clear trend"),
    ]
    assert key.directions[0].heading.startswith("By the trend")
    assert key.directions[-1].lines == [KeyLine("no arrow", "nothing to compare with, or not judged")]
    assert all(line.css == "dot dot-same" for line in key.directions[0].lines if line.mark == "↔")


def frozen_row(**keys: object) -> dict[str, object]:
    value = {
        "period": "Q2 24-25",
        "value": "5",
        "numerator": None,
        "denominator": None,
        "status": "",
        "suppressed": False,
        "numerator_suppressed": False,
        "denominator_suppressed": False,
    }
    return {
        "printed_code": "X1",
        "name": "X",
        "polarity": "H",
        "data_period": "Q",
        "decimals": 0,
        "trend": [value],
        "period": "Q2 24-25",
        "latest": value,
        "dot": "same",
        "target": None,
        "rag": None,
        "previous_outturn": None,
        "previous_target": None,
        "previous_rag": None,
        "benchmark": None,
        "england": None,
        "indicator_id": 1,
        "section": "S",
        **keys,
    }


def test_a_published_trend_row_reads_no_clear_trend_and_an_older_one_reads_as_before() -> None:
    shown = row_view(frozen_row(compares_with="trend", rating="floor", tolerance=None, tolerance_kind="percent"))
    assert (shown.arrow, shown.dot, shown.by_trend) == ("↔", "no clear trend", True)
    older = row_view(frozen_row())  # frozen before the method was kept
    assert (older.arrow, older.dot, older.by_trend) == ("↔", "same", False)
    assert judged_frozen(frozen_row()) == Judged()  # the floor rule, compared as before
    key = rag_key([judged_frozen(frozen_row())])
    assert key.directions[0].heading == (
        "Against the previous period (or the same period last year where the indicator says so)"
    )
    assert judged_frozen(frozen_row(rating="tolerance", tolerance="10", tolerance_kind="percent")) == Judged(
        "tolerance", Decimal("10"), "percent"
    )
