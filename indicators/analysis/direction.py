"""Direction of travel: the latest value against its comparison value, judged by polarity."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum

from .numbers import round_half_up
from .rag import Polarity


class Direction(StrEnum):
    IMPROVED = "improved"
    WORSENED = "worsened"
    SAME = "same"


class ComparesWith(StrEnum):
    PREVIOUS_PERIOD = "previous period"
    SAME_PERIOD_LAST_YEAR = "same period last year"
    NONE = "none"
    BOTH = "both"  # a short arrow (previous period) and a long one (same period last year)
    TREND = "trend"  # a least-squares slope over the charted periods


TREND_MIN_POINTS = 6  # fewer points say nothing about a trend
TREND_SIGNIFICANCE = 0.05  # two-sided p-value of the slope
TREND_WORDS = {"improved": "improving trend", "worsened": "worsening trend", "same": "no clear trend"}


ARROWS = {Direction.IMPROVED: "↑", Direction.WORSENED: "↓", Direction.SAME: "↔"}
# A trend is read as a movement, not a comparison: "improving", "worsening" or "no clear trend" (exported as
# improved/worsened/same all the same).
TREND_DIRECTION_WORDS = {
    Direction.IMPROVED: "improving",
    Direction.WORSENED: "worsening",
    Direction.SAME: "no clear trend",
}


def direction_words(dot: Direction | str, compares_with: str = "") -> str:
    """How an arrow reads to people: its method's words (a trend's "no clear trend"), else improved, worsened or
    same. ``compares_with`` blank (a row frozen before it was kept): as a comparison."""
    dot = Direction(dot)
    if compares_with == ComparesWith.TREND.value:
        return TREND_DIRECTION_WORDS[dot]
    return dot.value


def direction(
    latest: Decimal | None,
    comparison: Decimal | None,
    polarity: Polarity | str,
    decimals: int,
    target: Decimal | None = None,
) -> Direction | None:
    """Improved, worsened or the same; None when there is nothing to compare.

    Both values are rounded to the printed precision first, so a change that does
    not show in print is *same*. For T polarity, closer to ``target`` (the latest
    period's) is better; without a target there is no arrow.
    """
    if latest is None or comparison is None:
        return None
    polarity = Polarity(polarity)
    latest, comparison = round_half_up(latest, decimals), round_half_up(comparison, decimals)
    if polarity is Polarity.TARGET:
        if target is None:
            return None
        # Distances from the target: smaller is better, like a lower-is-better value.
        latest, comparison = abs(latest - target), abs(comparison - target)
        polarity = Polarity.LOWER
    if latest == comparison:
        return Direction.SAME
    improved = latest > comparison if polarity is Polarity.HIGHER else latest < comparison
    return Direction.IMPROVED if improved else Direction.WORSENED


def trend_direction(
    values: Sequence[Decimal | None],
    polarity: Polarity | str,
    decimals: int,
    targets: Sequence[Decimal | None] | None = None,
) -> Direction | None:
    """Improving or worsening when the least-squares slope over ``values`` (oldest first, one per
    period; None for a period without a value) is significant (two-sided p < 0.05), else *same*
    ("no clear trend"). None with fewer than six values.

    For T polarity the series is each value's distance from ``targets`` (aligned with ``values``; a
    period without a target drops out), so a falling distance is improving.
    """
    from scipy.stats import linregress  # imported here: the rest of the analysis package needs no scipy

    polarity = Polarity(polarity)
    points: list[tuple[float, float]] = []
    for index, value in enumerate(values):
        if value is None:
            continue
        rounded = round_half_up(value, decimals)
        if polarity is Polarity.TARGET:
            target = targets[index] if targets is not None and index < len(targets) else None
            if target is None:
                continue
            rounded = abs(rounded - target)
        points.append((float(index), float(rounded)))
    if len(points) < TREND_MIN_POINTS:
        return None
    xs, ys = zip(*points, strict=True)
    if len(set(ys)) == 1:
        return Direction.SAME  # a flat line: no trend (linregress gives no p-value for it)
    result = linregress(xs, ys)
    if math.isnan(result.pvalue) or result.pvalue >= TREND_SIGNIFICANCE or result.slope == 0:
        return Direction.SAME
    rising = result.slope > 0
    better = rising if polarity is Polarity.HIGHER else not rising  # L and T (distance): lower is better
    return Direction.IMPROVED if better else Direction.WORSENED
