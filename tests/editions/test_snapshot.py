"""Freezing rows and printing them for members: pure rules, no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from districts.models import ReportingUnit, UnitKind
from indicators.analysis.direction import Direction
from indicators.analysis.periods import month
from indicators.analysis.rag import Rag, TargetSpec
from indicators.analysis.rating import Expected
from indicators.models import Indicator, Status
from scorecard.assembly import NOT_SUPPLIED, ScorecardRow, Value
from scorecard.editions import presentation
from scorecard.editions.snapshot import has_data, number_text, row_json, suppression

OCT, SEP = month(2024, 10), month(2024, 9)


def make_row(
    unit_of_measure: str = "percent",
    latest: Value | None = None,
    rag: Rag | None = Rag.RED,
    dot: Direction | None = Direction.IMPROVED,
    section: str = "Education",
    code: str = "APP17",
    pk: int = 1,
) -> ScorecardRow:
    indicator = Indicator(
        pk=pk,
        code=code,
        printed_code=code,
        name=f"Indicator {code}",
        section=section,
        table="Education Monthly",
        polarity="H",
        data_period="MS",
        frequency="monthly",
        reported_for="district",
        unit=unit_of_measure,
        decimals=1,
    )
    unit = ReportingUnit(pk=7, name="Dartford", slug="dartford", kind=UnitKind.DISTRICT)
    latest = latest or Value(OCT, Decimal("66.700000"), Decimal("6"), Decimal("9"))
    return ScorecardRow(
        unit=unit,
        indicator=indicator,
        period=OCT,
        latest=latest,
        trend=[Value(SEP, Decimal("64.0")), latest],
        comparison=Value(SEP, Decimal("64.0")),
        dot=dot,
        target=TargetSpec(Decimal("60"), Decimal("50")),
        rag=rag,
    )


@pytest.mark.parametrize(
    ("stored", "text"),
    [
        (Decimal("76.900000"), "76.9"),
        (Decimal("100.000000"), "100"),
        (Decimal("-0.120000"), "-0.12"),
        (Decimal("0.000000"), "0"),
        (None, None),
    ],
)
def test_numbers_are_frozen_exactly_without_the_storage_scale(stored: Decimal | None, text: str | None) -> None:
    assert number_text(stored) == text


@pytest.mark.parametrize(
    ("value", "is_count", "expected"),
    [
        (Value(OCT, Decimal("4")), True, (True, False, False)),  # a small count
        (Value(OCT, Decimal("5")), True, (False, False, False)),  # at the threshold: shown
        (Value(OCT, Decimal("4.5")), False, (False, False, False)),  # a small rate is not a count
        (Value(OCT, Decimal("75"), Decimal("3"), Decimal("4")), False, (True, True, True)),
        (Value(OCT, Decimal("10"), Decimal("3"), Decimal("30")), False, (True, True, False)),  # rate hidden too
        (Value(OCT, None, status=Status.SUPPRESSED), False, (True, True, True)),  # uploaded as suppressed
        (Value(OCT, None, status=NOT_SUPPLIED), True, (False, False, False)),
    ],
)
def test_suppression_decisions(value: Value, is_count: bool, expected: tuple[bool, bool, bool]) -> None:
    assert suppression(value, is_count, threshold=5) == expected


def test_a_suppressed_value_prints_c_and_no_rag_or_arrow() -> None:
    row = row_json(make_row("number", Value(OCT, Decimal("3"))), threshold=5)
    assert row["latest"]["suppressed"] and row["rag"] == "RED"  # the rules' rating is kept, not shown
    shown = presentation.row_view(row)
    assert (shown.value, shown.rag, shown.arrow, shown.suppressed) == ("[c]", None, "", True)


def test_the_threshold_is_the_one_given_at_publication() -> None:
    row = make_row("number", Value(OCT, Decimal("7")))
    assert not row_json(row, threshold=5)["latest"]["suppressed"]
    assert row_json(row, threshold=10)["latest"]["suppressed"]


def test_an_unsuppressed_row_prints_its_figures_rag_and_arrow() -> None:
    shown = presentation.row_view(row_json(make_row(), threshold=5))
    assert (shown.value, shown.fraction, shown.rag, shown.arrow, shown.target) == ("66.7", "6 / 9", "RED", "↑", "60.0")


def test_a_small_numerator_is_hidden_with_its_rate() -> None:
    shown = presentation.row_view(row_json(make_row(latest=Value(OCT, Decimal("50"), Decimal("2"), Decimal("4"))), 5))
    assert (shown.value, shown.fraction, shown.rag) == ("[c]", "[c] / [c]", None)


def test_numbers_print_with_separators_and_round_half_up() -> None:
    assert presentation.format_number("1671", 0) == "1,671"
    assert presentation.format_number("17.45", 1) == "17.5"
    assert presentation.plain_number("476.5") == "476.5"


def test_a_unit_with_only_missing_rows_has_no_data() -> None:
    missing = row_json(make_row(latest=Value(OCT, status=NOT_SUPPLIED)), 5)
    assert not has_data([missing])
    assert has_data([missing, row_json(make_row(), 5)])


def test_commentary_is_grouped_by_service_red_first() -> None:
    rows = [
        row_json(make_row(rag=Rag.GREEN, code="A", pk=1, section="Education"), 5),
        row_json(make_row(rag=Rag.AMBER, code="B", pk=2, section="Education"), 5),
        row_json(make_row(rag=Rag.RED, code="C", pk=3, section="Education"), 5),
        row_json(make_row(rag=Rag.RED, code="D", pk=4, section="Social care"), 5),
    ]
    unit = {"id": 7, "name": "Dartford", "slug": "dartford", "kind": "district", "has_data": True, "rows": rows}
    snapshot = {
        "units": [unit],
        "commentary": [
            {"indicator_id": pk, "code": code, "unit_id": 7, "unit": "Dartford", "text": f"about {code}", "author": ""}
            for pk, code in ((4, "D"), (1, "A"), (2, "B"), (3, "C"))
        ]
        + [{"indicator_id": 1, "code": "A", "unit_id": 99, "unit": "Dover", "text": "elsewhere", "author": ""}],
    }
    shown = presentation.commentary(snapshot, unit)
    assert [(item.section, item.code, item.rag) for item in shown] == [
        ("Education", "C", "RED"),
        ("Education", "B", "AMBER"),
        ("Education", "A", "GREEN"),
        ("Social care", "D", "RED"),
    ]


def test_tables_put_the_latest_in_its_own_column() -> None:
    unit = {
        "id": 7,
        "name": "Dartford",
        "slug": "dartford",
        "kind": "district",
        "has_data": True,
        "rows": [row_json(make_row(), 5)],
    }
    (table,) = presentation.tables(unit)
    assert (table.trend_labels, table.latest_label) == (["Sep-24"], "Oct-24")
    assert [cell.text for cell in table.rows[0].trend] == ["64.0"]


def test_the_snapshot_freezes_the_long_arrow_the_expected_range_and_the_rule() -> None:
    row = make_row(rag=None)
    row.indicator.activity, row.expected, row.dot_long = True, Expected.ABOVE, Direction.WORSENED
    frozen = row_json(row, 5)
    assert (frozen["dot_long"], frozen["expected"], frozen["rating"]) == ("worsened", "above", "none")
    assert row_json(make_row(), 5)["rating"] == "floor"


def test_members_see_data_only_and_expected_rows_as_such_counted_apart_from_not_rated() -> None:
    rated, no_target = make_row(rag=Rag.GREEN, code="A", pk=1), make_row(rag=None, code="B", pk=2)
    data_only = make_row(rag=None, code="C", pk=3)
    data_only.indicator.rating = "none"
    activity = make_row(rag=None, code="D", pk=4)
    activity.indicator.activity, activity.expected = True, Expected.WITHIN
    both = make_row(code="E", pk=5)
    both.dot_long = Direction.WORSENED
    rows = [row_json(row, 5) for row in (rated, no_target, data_only, activity, both)]
    shown = {view.code: view for view in map(presentation.row_view, rows)}
    assert (shown["A"].rating_text, shown["B"].rating_text) == ("", "")
    assert shown["C"].rating_text == "data only"
    assert shown["D"].rating_text == "within expected range"
    assert (shown["E"].arrow_long, shown["E"].dot_long, shown["A"].dot_long) == ("↓", "worsened", "")
    assert presentation.summary({"rows": rows}) == {"RED": 1, "AMBER": 0, "GREEN": 1, "not rated": 1, "data only": 2}
    # Without data-only rows the summary is as it always was; snapshots frozen before the keys read the same.
    old = [
        {key: value for key, value in row.items() if key not in ("dot_long", "expected", "rating")} for row in rows[:2]
    ]
    assert presentation.summary({"rows": old}) == {"RED": 0, "AMBER": 0, "GREEN": 1, "not rated": 1}
    assert presentation.row_view(old[1]).rating_text == ""
