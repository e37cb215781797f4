"""RAG and direction of travel, exactly as the printed rule states them: pure, no database."""

from decimal import Decimal as D

import pytest

from indicators.analysis.direction import Direction, direction
from indicators.analysis.numbers import NumberError, round_half_up, to_decimal
from indicators.analysis.rag import Rag, TargetError, TargetSpec, check_target, rag

HIGHER = TargetSpec(target=D("60"), floor=D("50"))
LOWER = TargetSpec(target=D("25"), floor=D("30"))
SCS13_BAND = TargetSpec(
    target=D("20.0"), band_low=D("17.5"), band_high=D("22.5"), floor_band_low=D("12.5"), floor_band_high=D("27.5")
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("60", Rag.GREEN),
        ("60.04", Rag.GREEN),
        ("59.96", Rag.GREEN),  # 59.96 prints as 60.0
        ("59.94", Rag.AMBER),
        ("50", Rag.AMBER),
        ("49.96", Rag.AMBER),
        ("49.94", Rag.RED),
        ("0", Rag.RED),
    ],
)
def test_higher_is_better(value: str, expected: Rag) -> None:
    assert rag(D(value), HIGHER, "H", 1) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("25", Rag.GREEN), ("24.9", Rag.GREEN), ("25.1", Rag.AMBER), ("30", Rag.AMBER), ("30.1", Rag.RED)],
)
def test_lower_is_better(value: str, expected: Rag) -> None:
    assert rag(D(value), LOWER, "L", 1) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20.0", Rag.GREEN),
        ("17.5", Rag.GREEN),
        ("22.5", Rag.GREEN),
        ("17.45", Rag.GREEN),  # rounds to 17.5
        ("17.44", Rag.AMBER),
        ("22.6", Rag.AMBER),
        ("12.5", Rag.AMBER),
        ("27.5", Rag.AMBER),
        ("12.4", Rag.RED),
        ("27.6", Rag.RED),
    ],
)
def test_close_to_target_bands(value: str, expected: Rag) -> None:
    assert rag(D(value), SCS13_BAND, "T", 1) is expected


def test_target_without_floor_is_green_or_amber_only() -> None:
    spec = TargetSpec(target=D("70.0"))
    assert rag(D("70.0"), spec, "H", 1) is Rag.GREEN
    assert rag(D("1.0"), spec, "H", 1) is Rag.AMBER
    band_only = TargetSpec(target=D("20"), band_low=D("18"), band_high=D("22"))
    assert rag(D("99"), band_only, "T", 1) is Rag.AMBER


def test_floor_equal_to_target_means_no_amber() -> None:
    spec = TargetSpec(target=D("60.0"), floor=D("60.0"))
    assert rag(D("60.0"), spec, "H", 1) is Rag.GREEN
    assert rag(D("59.9"), spec, "H", 1) is Rag.RED


def test_no_target_or_no_value_is_not_rated() -> None:
    assert rag(None, HIGHER, "H", 1) is None
    assert rag(D("50"), None, "H", 1) is None


def test_negative_scores_progress_8() -> None:
    spec = TargetSpec(target=D("-0.60"), floor=D("-0.7"))
    assert rag(D("-0.60"), spec, "H", 2) is Rag.GREEN
    assert rag(D("-0.65"), spec, "H", 2) is Rag.AMBER
    assert rag(D("-0.82"), spec, "H", 2) is Rag.RED


@pytest.mark.parametrize(
    ("spec", "polarity", "message"),
    [
        (TargetSpec(target=D("60"), floor=D("61")), "H", "above the target"),
        (TargetSpec(target=D("25"), floor=D("20")), "L", "below the target"),
        (TargetSpec(target=D("20"), band_low=D("21"), band_high=D("23")), "T", "does not contain the target"),
        (
            TargetSpec(
                target=D("20"), band_low=D("18"), band_high=D("22"), floor_band_low=D("19"), floor_band_high=D("30")
            ),
            "T",
            "does not contain the green band",
        ),
        (TargetSpec(target=D("20"), band_low=D("18"), band_high=D("22")), "H", "bands are for"),
    ],
)
def test_contradictory_targets_are_refused(spec: TargetSpec, polarity: str, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        check_target(spec, polarity)


def test_floor_equal_to_target_is_allowed() -> None:
    check_target(TargetSpec(target=D("60"), floor=D("60")), "H")
    check_target(SCS13_BAND, "T")


@pytest.mark.parametrize(
    ("latest", "previous", "polarity", "expected"),
    [
        ("76.9", "64.0", "H", Direction.IMPROVED),
        ("64.0", "76.9", "H", Direction.WORSENED),
        ("23.0", "23.4", "L", Direction.IMPROVED),
        ("9.1", "7.3", "L", Direction.WORSENED),
        ("10.3", "10.3", "L", Direction.SAME),
        ("10.34", "10.26", "L", Direction.SAME),
    ],  # both print 10.3
)
def test_direction_by_polarity_at_printed_precision(
    latest: str, previous: str, polarity: str, expected: Direction
) -> None:
    assert direction(D(latest), D(previous), polarity, 1) is expected


def test_direction_close_to_target() -> None:
    target = D("20.0")
    assert direction(D("22.1"), D("21.0"), "T", 1, target) is Direction.WORSENED  # SCS13 Oct-24, printed ↓
    assert direction(D("19.0"), D("22.0"), "T", 1, target) is Direction.IMPROVED
    assert direction(D("19.0"), D("21.0"), "T", 1, target) is Direction.SAME  # equal distance
    assert direction(D("19.0"), D("21.0"), "T", 1, None) is None  # no target, no arrow


def test_no_comparison_no_arrow() -> None:
    assert direction(D("1"), None, "H", 1) is None
    assert direction(None, D("1"), "H", 1) is None


def test_numbers_through_their_shortest_text_form() -> None:
    assert to_decimal(78.6) == D("78.6")
    assert str(to_decimal(0.1 + 0.2)) == "0.3"  # what Excel holds and shows: 15 significant digits
    assert to_decimal(" 1,671 ") == D("1671")
    assert to_decimal(-0.12) == D("-0.12")
    assert round_half_up(D("17.45"), 1) == D("17.5")
    assert round_half_up(D("-0.125"), 2) == D("-0.13")
    for bad in ("abc", "nan", "inf", True):
        with pytest.raises(NumberError):
            to_decimal(bad)
