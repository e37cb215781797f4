"""RAG ratings, exactly as the printed scorecard defines them.

RED = floor standard not achieved; AMBER = floor achieved but target not met;
GREEN = target achieved. Values are rounded half up to the indicator's
precision before they are judged.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .numbers import round_half_up


class Polarity(StrEnum):
    HIGHER = "H"  # higher is better
    LOWER = "L"  # lower is better
    TARGET = "T"  # close to target is best


class Rag(StrEnum):
    RED = "RED"
    AMBER = "AMBER"
    GREEN = "GREEN"


# Worst first: the order pages and the pack sort ratings in; anything not rated comes after them.
RAG_ORDER = (Rag.RED, Rag.AMBER, Rag.GREEN)


def rag_rank(rating: str | None) -> int:
    """A rating's place in RAG_ORDER (0 for RED); one past the end for no rating or any other word."""
    return RAG_ORDER.index(Rag(rating)) if rating in RAG_ORDER else len(RAG_ORDER)


class TargetError(ValueError):
    """A target whose floor or band contradicts it."""


@dataclass(frozen=True)
class TargetSpec:
    """A year's target for an indicator (and unit), with its floor or bands."""

    target: Decimal
    floor: Decimal | None = None
    band_low: Decimal | None = None  # T polarity: the green band
    band_high: Decimal | None = None
    floor_band_low: Decimal | None = None  # T polarity: the amber band
    floor_band_high: Decimal | None = None

    def green_band(self) -> tuple[Decimal, Decimal]:
        """A T-polarity target with no band is met only on the target itself."""
        return (
            self.band_low if self.band_low is not None else self.target,
            self.band_high if self.band_high is not None else self.target,
        )

    def floor_band(self) -> tuple[Decimal, Decimal] | None:
        if self.floor_band_low is None and self.floor_band_high is None:
            return None
        low, high = self.green_band()
        return (
            self.floor_band_low if self.floor_band_low is not None else low,
            self.floor_band_high if self.floor_band_high is not None else high,
        )


def check_target(spec: TargetSpec, polarity: Polarity | str) -> None:
    """Refuse a floor on the wrong side of its target (equal is allowed) or a band that excludes it."""
    polarity = Polarity(polarity)
    if polarity is Polarity.HIGHER and spec.floor is not None and spec.floor > spec.target:
        raise TargetError(f"the floor {spec.floor} is above the target {spec.target}, but higher is better")
    if polarity is Polarity.LOWER and spec.floor is not None and spec.floor < spec.target:
        raise TargetError(f"the floor {spec.floor} is below the target {spec.target}, but lower is better")
    if polarity is not Polarity.TARGET:
        if any(v is not None for v in (spec.band_low, spec.band_high, spec.floor_band_low, spec.floor_band_high)):
            raise TargetError("bands are for close-to-target (T) indicators only; use a floor")
        return
    if spec.floor is not None:
        raise TargetError("a close-to-target (T) indicator takes a floor band, not a floor")
    low, high = spec.green_band()
    if low > high:
        raise TargetError(f"the green band {low}–{high} runs backwards")
    if not low <= spec.target <= high:
        raise TargetError(f"the green band {low}–{high} does not contain the target {spec.target}")
    if (floor_band := spec.floor_band()) is not None:
        floor_low, floor_high = floor_band
        if not (floor_low <= low and high <= floor_high):
            raise TargetError(f"the floor band {floor_low}–{floor_high} does not contain the green band {low}–{high}")


def rag(value: Decimal | None, spec: TargetSpec | None, polarity: Polarity | str, decimals: int) -> Rag | None:
    """The rating of a value; None is *not rated* (no value, or no target for that year and unit)."""
    if value is None or spec is None:
        return None
    polarity = Polarity(polarity)
    value = round_half_up(value, decimals)
    if polarity is Polarity.TARGET:
        low, high = spec.green_band()
        if low <= value <= high:
            return Rag.GREEN
        floor_band = spec.floor_band()
        if floor_band is None or floor_band[0] <= value <= floor_band[1]:
            return Rag.AMBER
        return Rag.RED
    better_or_equal: Callable[[Decimal, Decimal], bool] = operator.ge if polarity is Polarity.HIGHER else operator.le
    if better_or_equal(value, spec.target):
        return Rag.GREEN
    if spec.floor is None or better_or_equal(value, spec.floor):
        return Rag.AMBER
    return Rag.RED
