"""Rating rules per indicator: how a council turns a value and its target into RED, AMBER or GREEN.

``floor`` is the printed floor-and-target rule (``rag.rag``); ``tolerance`` and ``tolerance_improving`` rate
against a margin around the target (Maidstone 10 %, Chorley 5 %, Havering's "improved on last
year" rule); ``none`` is *data only*: never rated, and counted apart from *not rated* (no target).
Activity indicators are never rated: they are within, above or below an expected range.

Pure Python, no Django. Values are rounded half up to the indicator's decimals before they are judged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from .direction import Direction, direction
from .numbers import display, round_half_up, without_trailing_zeros
from .periods import Period
from .rag import Polarity, Rag, TargetSpec, rag


class RatingRule(StrEnum):
    FLOOR = "floor"
    TOLERANCE = "tolerance"
    TOLERANCE_IMPROVING = "tolerance_improving"
    NONE = "none"  # data only


class ToleranceKind(StrEnum):
    PERCENT = "percent"  # a percentage of the target
    ABSOLUTE = "absolute"  # a margin in the indicator's own unit


class Expected(StrEnum):
    """Where an activity indicator's value falls against its expected range."""

    WITHIN = "within"
    ABOVE = "above"
    BELOW = "below"


EXPECTED_WORDS = {
    Expected.WITHIN: "within expected range",
    Expected.ABOVE: "above expected range",
    Expected.BELOW: "below expected range",
}


class RuleError(ValueError):
    """A rating rule whose settings contradict it (a tolerance on a floor rule, none on a tolerance rule)."""


@dataclass(frozen=True)
class Rule:
    """An indicator's rating rule with its tolerance."""

    rule: RatingRule = RatingRule.FLOOR
    tolerance: Decimal | None = None
    tolerance_kind: ToleranceKind = ToleranceKind.PERCENT

    def margin(self, target: Decimal) -> Decimal:
        """How far from the target a value may miss and still be within the tolerance."""
        if self.tolerance is None:
            return Decimal(0)
        if self.tolerance_kind is ToleranceKind.PERCENT:
            return self.tolerance * abs(target) / 100
        return self.tolerance


FLOOR_RULE = Rule()


def check_rule(
    rule: RatingRule | str, tolerance: Decimal | None, tolerance_kind: ToleranceKind | str = "percent"
) -> Rule:
    """The rule, or RuleError saying in plain words why these settings do not go together."""
    try:
        rule = RatingRule(rule)
    except ValueError:
        raise RuleError(f"'{rule}' is not a rating rule: use floor, tolerance, tolerance_improving or none") from None
    try:
        kind = ToleranceKind(tolerance_kind or ToleranceKind.PERCENT)
    except ValueError:
        raise RuleError(f"'{tolerance_kind}' is not a kind of tolerance: use percent or absolute") from None
    if rule in (RatingRule.TOLERANCE, RatingRule.TOLERANCE_IMPROVING):
        if tolerance is None:
            raise RuleError(f"the {rule.value} rule needs a tolerance (e.g. 10 for 10 %)")
        if tolerance < 0:
            raise RuleError(f"the tolerance {tolerance} is negative")
    elif tolerance is not None:
        raise RuleError(f"a tolerance is only for the tolerance rules, not for the {rule.value} rule")
    return Rule(rule, tolerance, kind)


def _missed_by(value: Decimal, spec: TargetSpec, polarity: Polarity) -> Decimal:
    """How far the value falls short of the target (0 when met), by polarity."""
    if polarity is Polarity.HIGHER:
        return max(spec.target - value, Decimal(0))
    if polarity is Polarity.LOWER:
        return max(value - spec.target, Decimal(0))
    low, high = spec.green_band()
    return max(low - value, value - high, Decimal(0))


def rate(
    value: Decimal | None,
    spec: TargetSpec | None,
    polarity: Polarity | str,
    decimals: int,
    rule: Rule = FLOOR_RULE,
    same_period_last_year: Decimal | None = None,
) -> Rag | None:
    """The rating of a value under the indicator's rule; None when not rated (data only, no value, no target).

    ``same_period_last_year`` is used by ``tolerance_improving`` only: beyond the tolerance a value that
    improved on it is AMBER; one that did not, or cannot be compared, is RED.
    """
    if rule.rule is RatingRule.NONE:
        return None
    if rule.rule is RatingRule.FLOOR:
        return rag(value, spec, polarity, decimals)
    if value is None or spec is None:
        return None
    polarity = Polarity(polarity)
    missed_by = _missed_by(round_half_up(value, decimals), spec, polarity)
    within = missed_by <= rule.margin(spec.target)
    if rule.rule is RatingRule.TOLERANCE:
        if missed_by == 0:
            return Rag.GREEN
        return Rag.AMBER if within else Rag.RED
    # tolerance_improving (Havering): met or within the tolerance is GREEN.
    if within:
        return Rag.GREEN
    improved = direction(value, same_period_last_year, polarity, decimals, spec.target) is Direction.IMPROVED
    return Rag.AMBER if improved else Rag.RED


def expected_range(
    value: Decimal | None, lower: Decimal | None, upper: Decimal | None, decimals: int
) -> Expected | None:
    """Within, above or below an activity indicator's expected range (bounds included); None without a value
    or range."""
    if value is None or (lower is None and upper is None):
        return None
    value = round_half_up(value, decimals)
    if lower is not None and value < lower:
        return Expected.BELOW
    if upper is not None and value > upper:
        return Expected.ABOVE
    return Expected.WITHIN


def expected_range_text(lower: Decimal | None, upper: Decimal | None, decimals: int) -> str:
    """An activity indicator's expected range as printed where a target would stand: "120–180", "at least 120",
    "at most 180"; blank without one. The thresholds as set (a value rounded to ``decimals`` is judged against
    them), at least to ``decimals``."""

    def shown(level: Decimal) -> str:
        rounded = display(level, decimals)
        return rounded if Decimal(rounded.replace(",", "")) == level else format(without_trailing_zeros(level), ",f")

    if lower is not None and upper is not None:
        return f"{shown(lower)}–{shown(upper)}"
    if lower is not None:
        return f"at least {shown(lower)}"
    if upper is not None:
        return f"at most {shown(upper)}"
    return ""


T = TypeVar("T")


def select_target(candidates: Iterable[tuple[Period | None, bool, T]], period: Period) -> T | None:
    """The target that applies to ``period``.

    ``candidates`` are (profiled period or None for the whole year, whether it is this unit's own
    override, target), all for the period's year and applying to the unit. A target profiled for this
    very period comes ahead of the year's; within each, a unit's override comes ahead of the target
    for all units. A target profiled for another period never applies.
    """
    best: tuple[int, int] | None = None
    chosen: T | None = None
    for profiled, own, target in candidates:
        if profiled is not None and profiled != period:
            continue
        rank = (0 if profiled is not None else 1, 0 if own else 1)
        if best is None or rank < best:
            best, chosen = rank, target
    return chosen
