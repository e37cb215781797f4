"""Rating rules, trend directions, activity ranges and profiled targets: pure, no database.

The council examples are the rules as those councils print them (issue 13): Maidstone rates AMBER
within 10 % of target, Chorley within 5 %, Havering GREEN within 10 % and beyond it AMBER only when
better than the same quarter last year.
"""

from datetime import date
from decimal import Decimal as D

import pytest

from indicators.analysis.direction import Direction, trend_direction
from indicators.analysis.periods import Period, PeriodKind, month, parse_label
from indicators.analysis.rag import Rag, TargetSpec
from indicators.analysis.rating import (
    Expected,
    RatingRule,
    Rule,
    RuleError,
    ToleranceKind,
    check_rule,
    expected_range,
    expected_range_text,
    rate,
    select_target,
)

MAIDSTONE = Rule(RatingRule.TOLERANCE, D(10))
CHORLEY = Rule(RatingRule.TOLERANCE, D(5))
HAVERING = Rule(RatingRule.TOLERANCE_IMPROVING, D(10))


@pytest.mark.parametrize(
    ("value", "polarity", "target", "expected"),
    [
        ("95", "H", "95", Rag.GREEN),
        ("99", "H", "95", Rag.GREEN),
        ("85.5", "H", "95", Rag.AMBER),  # missed by 9.5 = 10 % of 95: still within
        ("85.4", "H", "95", Rag.RED),
        ("10", "L", "10", Rag.GREEN),
        ("11", "L", "10", Rag.AMBER),
        ("11.1", "L", "10", Rag.RED),
        ("85.45", "H", "95", Rag.AMBER),  # rounds to 85.5 at one decimal
    ],
)
def test_maidstone_ten_percent(value: str, polarity: str, target: str, expected: Rag) -> None:
    assert rate(D(value), TargetSpec(D(target)), polarity, 1, MAIDSTONE) is expected


@pytest.mark.parametrize(("value", "expected"), [("80", Rag.GREEN), ("76", Rag.AMBER), ("75.9", Rag.RED)])
def test_chorley_five_percent(value: str, expected: Rag) -> None:
    assert rate(D(value), TargetSpec(D(80)), "H", 1, CHORLEY) is expected


@pytest.mark.parametrize(
    ("value", "last_year", "expected"),
    [
        ("100", None, Rag.GREEN),
        ("91", "95", Rag.GREEN),  # missed, but within 10 %: GREEN under Havering's rule
        ("85", "80", Rag.AMBER),  # beyond 10 %, better than the same quarter last year
        ("85", "90", Rag.RED),  # beyond 10 % and worse
        ("85", "85", Rag.RED),  # no better
        ("85", None, Rag.RED),  # no comparison: not shown to have improved
    ],
)
def test_havering_tolerance_improving(value: str, last_year: str | None, expected: Rag) -> None:
    last = D(last_year) if last_year else None
    assert rate(D(value), TargetSpec(D(100)), "H", 0, HAVERING, same_period_last_year=last) is expected


def test_absolute_tolerance_and_a_lower_is_better_indicator() -> None:
    rule = Rule(RatingRule.TOLERANCE, D(2), ToleranceKind.ABSOLUTE)
    assert rate(D(22), TargetSpec(D(20)), "L", 0, rule) is Rag.AMBER
    assert rate(D(23), TargetSpec(D(20)), "L", 0, rule) is Rag.RED


def test_close_to_target_tolerance_counts_from_the_band() -> None:
    spec = TargetSpec(D(20), band_low=D(18), band_high=D(22))
    assert rate(D(22), spec, "T", 0, MAIDSTONE) is Rag.GREEN
    assert rate(D(24), spec, "T", 0, MAIDSTONE) is Rag.AMBER  # 2 beyond the band, margin 10 % of 20
    assert rate(D(15), spec, "T", 0, MAIDSTONE) is Rag.RED


def test_data_only_is_never_rated_and_floor_is_the_printed_rule() -> None:
    assert rate(D(1), TargetSpec(D(100)), "H", 0, Rule(RatingRule.NONE)) is None
    floor = TargetSpec(D(60), floor=D(50))
    assert rate(D(55), floor, "H", 0) is Rag.AMBER and rate(D(49), floor, "H", 0) is Rag.RED
    assert rate(None, TargetSpec(D(60)), "H", 0, MAIDSTONE) is None
    assert rate(D(60), None, "H", 0, MAIDSTONE) is None


@pytest.mark.parametrize(
    ("rule", "tolerance", "kind", "message"),
    [
        ("floor", D(10), "percent", "only for the tolerance rules"),
        ("none", D(10), "", "only for the tolerance rules"),
        ("tolerance", None, "percent", "needs a tolerance"),
        ("tolerance", D(-1), "percent", "negative"),
        ("tolerance", D(1), "fraction", "not a kind of tolerance"),
        ("strict", None, "percent", "not a rating rule"),
    ],
)
def test_contradictory_rule_settings_are_refused(rule: str, tolerance: D | None, kind: str, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        check_rule(rule, tolerance, kind)


def test_check_rule_accepts_a_good_rule() -> None:
    assert check_rule("tolerance", D(10), "") == MAIDSTONE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("50", Expected.WITHIN),
        ("40", Expected.WITHIN),
        ("60", Expected.WITHIN),
        ("39.9", Expected.BELOW),
        ("60.04", Expected.WITHIN),
        ("60.05", Expected.ABOVE),
    ],
)
def test_activity_expected_range(value: str, expected: Expected) -> None:
    assert expected_range(D(value), D(40), D(60), 1) is expected


def test_activity_range_with_one_bound_or_none() -> None:
    assert expected_range(D(5), D(10), None, 0) is Expected.BELOW
    assert expected_range(D(500), D(10), None, 0) is Expected.WITHIN
    assert expected_range(D(5), None, None, 0) is None
    assert expected_range(None, D(1), D(2), 0) is None


def test_an_expected_range_reads_as_printed_where_a_target_would_stand() -> None:
    assert expected_range_text(D("120.000000"), D("180"), 0) == "120–180"
    assert expected_range_text(D(1200), None, 0) == "at least 1,200"
    assert expected_range_text(None, D(180), 1) == "at most 180.0"
    assert expected_range_text(D("10.25"), D("10.5"), 1) == "10.25–10.5"  # the thresholds as set, not rounded
    assert expected_range_text(None, None, 0) == ""


RISING = [D(v) for v in ("10", "11", "12.5", "13", "14.2", "15", "16")]
NOISE = [D(v) for v in ("10", "14", "9", "13", "10", "14", "11")]


def test_a_significant_rising_trend_improves_higher_is_better_and_worsens_lower_is_better() -> None:
    assert trend_direction(RISING, "H", 1) is Direction.IMPROVED
    assert trend_direction(RISING, "L", 1) is Direction.WORSENED
    assert trend_direction(list(reversed(RISING)), "H", 1) is Direction.WORSENED


def test_noise_or_a_flat_line_is_no_clear_trend() -> None:
    assert trend_direction(NOISE, "H", 0) is Direction.SAME
    assert trend_direction([D(5)] * 8, "H", 0) is Direction.SAME


def test_a_trend_needs_six_points() -> None:
    assert trend_direction(RISING[:5], "H", 1) is None
    assert trend_direction([*RISING[:5], None, None], "H", 1) is None  # gaps do not count
    assert trend_direction([*RISING[:3], None, *RISING[3:]], "H", 1) is Direction.IMPROVED


def test_close_to_target_trends_on_the_distance_from_target() -> None:
    closing_in = [D(v) for v in ("30", "28", "26", "25", "23", "22", "21")]  # towards a target of 20
    assert trend_direction(closing_in, "T", 0, [D(20)] * 7) is Direction.IMPROVED
    assert trend_direction(closing_in, "T", 0, [D(40)] * 7) is Direction.WORSENED
    assert trend_direction(closing_in, "T", 0, None) is None  # no target, no trend


Q1 = parse_label("Q1 22-23")
Q2 = parse_label("Q2 22-23")


def test_a_target_profiled_for_the_period_comes_ahead_of_the_years() -> None:
    candidates: list[tuple[Period | None, bool, str]] = [
        (None, False, "year 96"),
        (Q1, False, "Q1 19"),
        (Q2, False, "Q2 55"),
    ]
    assert select_target(candidates, Q1) == "Q1 19"
    assert select_target(candidates, Q2) == "Q2 55"
    assert select_target(candidates, parse_label("Q4 22-23")) == "year 96"
    assert select_target([(Q2, False, "Q2 55")], Q1) is None


def test_a_units_override_comes_ahead_within_the_same_profile() -> None:
    october = month(2024, 10)
    candidates = [(None, False, "all"), (None, True, "override"), (october, False, "October")]
    assert select_target(candidates, october) == "October"
    assert select_target(candidates, month(2024, 11)) == "override"
    assert Period(date(2024, 10, 1), PeriodKind.MONTH) == october
