"""Direction of travel: the latest value against its comparison value, judged by polarity."""

from __future__ import annotations

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


ARROWS = {Direction.IMPROVED: "↑", Direction.WORSENED: "↓", Direction.SAME: "↔"}


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
