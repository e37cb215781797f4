"""Statistical process control (SPC): XmR charts the NHS "Making Data Count" way.

The rules follow the NHS-R Community's reference implementation,
NHSRplotthedots 0.2.2 (its R code in ``R/ptd_spc_standard.R``,
``R/ptd_calculate_point_type.R``, ``R/ptd_calculate_assurance_type.R``,
``R/ptd_add_short_group_warnings.R`` and ``R/geom_ptd_icon.R``):

* Limits, per rebase group: the centre line is the mean of the group's baseline
  (all its points, or its first ``baseline_points``); the moving ranges are
  ``|x[i] - x[i-1]|`` within that baseline; with outlier screening (the
  default) moving ranges ``>= 3.267 x`` their mean are dropped once and the
  mean moving range recomputed; limits are mean +/- 2.66 x mean moving range
  and the near ("2 sigma") lines mean +/- (2/3 x 2.66) x mean moving range.
* Rules, evaluated inside each rebase group (a run or trend never crosses a
  rebase), in this order of precedence for a point's label:
  1. outside the limits (a point exactly on a limit is inside);
  2. part of a trend of ``run_length`` points, each strictly above (or below)
     the one before (a tie breaks the trend); the point is coloured by the
     trend's direction, not by its side of the mean;
  3. one of 2 (or 3) points out of 3 consecutive ones that lie between a near
     line and its limit, all 3 on the same side of the mean (only the points
     beyond the near line are flagged);
  4. part of a run of ``run_length`` points on one side of the mean (a point
     exactly on the mean breaks the run).
* Variation icon: the last point's type, mapped with the improvement direction.
* Assurance icon: the target against the last group's limits.

Pure Python (standard library only), so it can be tested without a database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise

# Limits and icons are only trusted from 13 points. NHSRplotthedots 0.2.2 warns
# on any group with fewer points (``getOption("ptd_spc.warning_threshold", 13)``,
# although its message says "n < 12"); the Making Data Count Excel tools show
# limits and icons from 13 points too.
MIN_POINTS_FOR_LIMITS = 13

# The reference refuses a baseline shorter than this (``fix_after_n_points``).
MIN_BASELINE_POINTS = 12

# Constants of the XmR chart, written as the reference writes them so that the
# floating-point results (and so points sitting exactly on a line) agree.
LIMIT_FACTOR = 2.66
NEAR_LIMIT_FACTOR = 2 * (LIMIT_FACTOR / 3)
# D4 for subgroups of two (3.267, as the reference rounds it): the moving-range chart's upper limit is this many
# mean moving ranges. The screen below drops ranges at or above it; the upload's preview warns of moves above it.
MOVING_RANGE_LIMIT_FACTOR = 3.267

IMPROVEMENTS = ("increase", "decrease", "neutral")


class PointType(StrEnum):
    """What one point shows, oriented by the improvement direction (the reference's point types)."""

    COMMON_CAUSE = "common_cause"
    SPECIAL_CAUSE_IMPROVEMENT = "special_cause_improvement"
    SPECIAL_CAUSE_CONCERN = "special_cause_concern"
    SPECIAL_CAUSE_NEUTRAL_HIGH = "special_cause_neutral_high"
    SPECIAL_CAUSE_NEUTRAL_LOW = "special_cause_neutral_low"


class Variation(StrEnum):
    """The series' variation icon, from its last point (high or low follow the improvement direction)."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    NEUTRAL_HIGH = "neutral_high"
    NEUTRAL_LOW = "neutral_low"


class Assurance(StrEnum):
    """The assurance icon: will the process meet its target?"""

    PASS = "pass"
    FAIL = "fail"
    INCONSISTENT = "inconsistent"


# Data periods whose points are independent enough for the run rules.
SPC_DATA_PERIODS = frozenset({"MS", "Q", "T", "A"})
# Rolling and cumulative periods: each point shares most of its months with its
# neighbours.
NON_SPC_DATA_PERIODS = frozenset({"R12M", "YTD"})
NOT_APPLICABLE_REASON = (
    "SPC is not shown for rolling 12-month or year-to-date figures: each value "
    "overlaps the ones before it, so neighbouring points move together and the "
    "run and trend rules would signal change that is not there."
)

Number = float | int | Decimal
Target = Number | tuple[Number, Number]


def spc_applies(data_period: str) -> bool:
    """Whether SPC can be calculated for an indicator with this data period.

    False for rolling 12 months (``R12M``) and year to date (``YTD``): see
    ``NOT_APPLICABLE_REASON``. True for ``MS``, ``Q``, ``T`` and ``A``.
    """
    if data_period in NON_SPC_DATA_PERIODS:
        return False
    if data_period in SPC_DATA_PERIODS:
        return True
    raise ValueError(f"Unknown data period {data_period!r}")


@dataclass(frozen=True)
class XmrResult:
    """An XmR chart of one series.

    The single-valued fields (``mean``, limits, icons) describe the last rebase
    group: that is what a scorecard shows. The tuples are aligned with the
    input values, each point carrying its own group's lines, for charts.
    """

    values: tuple[float, ...]
    improvement: str
    mean: float | None
    lower_limit: float | None
    upper_limit: float | None
    means: tuple[float | None, ...]
    lower_limits: tuple[float | None, ...]
    upper_limits: tuple[float | None, ...]
    near_lower_limits: tuple[float | None, ...]
    near_upper_limits: tuple[float | None, ...]
    # The rule that flagged each point, as the reference labels it
    # ("Above UCL", "7 Point Trend (Increasing)", "2 in 3 Below CL", ...).
    special_cause_types: tuple[str, ...]
    point_types: tuple[PointType, ...]
    # Rebase group of each point: 0 for the first, 1 after the first rebase...
    groups: tuple[int, ...]
    # True for points in a group shorter than MIN_POINTS_FOR_LIMITS.
    short_groups: tuple[bool, ...]
    variation: Variation
    assurance: Assurance | None
    # The last group has MIN_POINTS_FOR_LIMITS points or more.
    enough_points: bool


@dataclass(frozen=True)
class GroupLines:
    """The centre line and limits of one rebase group."""

    mean: float
    lower_limit: float
    upper_limit: float
    near_lower_limit: float
    near_upper_limit: float


def xmr(
    values: Iterable[Number],
    *,
    improvement: str,
    target: Target | None = None,
    screen_outliers: bool = True,
    run_length: int = 7,
    rebase_at: Iterable[int] = (),
    baseline_points: int | None = None,
) -> XmrResult:
    """Calculate an XmR chart: limits, point types and the two icons.

    ``improvement`` is "increase", "decrease" or "neutral" (T polarity).
    ``target`` is a number, or for "neutral" a ``(low, high)`` band.
    ``screen_outliers=False`` and ``run_length=6`` give the variants of the
    Making Data Count Excel tools. ``rebase_at`` holds the indexes where a new
    group starts (indexes past the end are ignored, as the reference ignores
    rebase dates that are not in the data); ``baseline_points`` fixes each
    group's lines on its first N points (N >= 12, as in the reference).

    Series shorter than MIN_POINTS_FOR_LIMITS are still calculated (see
    ``enough_points``); a group of fewer than 2 points has no limits and its
    points are common cause.
    """
    if improvement not in IMPROVEMENTS:
        raise ValueError(f"improvement must be one of {IMPROVEMENTS}, not {improvement!r}")
    numbers = tuple(_as_float(value) for value in values)
    _check_run_length(run_length)
    _check_baseline_points(baseline_points)
    _check_target(target, improvement)

    means: list[float | None] = []
    lower_limits: list[float | None] = []
    upper_limits: list[float | None] = []
    near_lower_limits: list[float | None] = []
    near_upper_limits: list[float | None] = []
    special_cause_types: list[str] = []
    groups: list[int] = []
    short_groups: list[bool] = []
    last_lines: GroupLines | None = None
    last_group_size = 0

    for group_number, (start, stop) in enumerate(_group_bounds(len(numbers), rebase_at)):
        group_values = numbers[start:stop]
        lines = group_lines(group_values, screen_outliers=screen_outliers, baseline_points=baseline_points)
        size = len(group_values)
        if lines is None:
            # One point: no moving range, so no limits (the reference gives NaN).
            means.extend([group_values[0]] * size)
            for column in (lower_limits, upper_limits, near_lower_limits, near_upper_limits):
                column.extend([None] * size)
            special_cause_types.extend(["Common Cause"] * size)
        else:
            means.extend([lines.mean] * size)
            lower_limits.extend([lines.lower_limit] * size)
            upper_limits.extend([lines.upper_limit] * size)
            near_lower_limits.extend([lines.near_lower_limit] * size)
            near_upper_limits.extend([lines.near_upper_limit] * size)
            special_cause_types.extend(_group_special_cause_types(group_values, lines, run_length))
        groups.extend([group_number] * size)
        short_groups.extend([size < MIN_POINTS_FOR_LIMITS] * size)
        last_lines, last_group_size = lines, size

    point_types = tuple(point_type(label, improvement) for label in special_cause_types)
    return XmrResult(
        values=numbers,
        improvement=improvement,
        mean=means[-1] if means else None,
        lower_limit=last_lines.lower_limit if last_lines else None,
        upper_limit=last_lines.upper_limit if last_lines else None,
        means=tuple(means),
        lower_limits=tuple(lower_limits),
        upper_limits=tuple(upper_limits),
        near_lower_limits=tuple(near_lower_limits),
        near_upper_limits=tuple(near_upper_limits),
        special_cause_types=tuple(special_cause_types),
        point_types=point_types,
        groups=tuple(groups),
        short_groups=tuple(short_groups),
        # An empty series shows no signal.
        variation=variation_icon(point_types[-1], improvement) if point_types else Variation.COMMON_CAUSE,
        assurance=(
            assurance_icon(last_lines.lower_limit, last_lines.upper_limit, target, improvement) if last_lines else None
        ),
        enough_points=last_group_size >= MIN_POINTS_FOR_LIMITS,
    )


# --- Limits -----------------------------------------------------------------


def group_lines(
    values: Sequence[float], *, screen_outliers: bool = True, baseline_points: int | None = None
) -> GroupLines | None:
    """Centre line, limits and near lines of one rebase group (None below 2 points)."""
    if len(values) < 2:
        return None
    baseline = values[:baseline_points] if baseline_points else values
    centre = math.fsum(baseline) / len(baseline)
    average_range = mean_moving_range(baseline, screen_outliers=screen_outliers)
    return GroupLines(
        mean=centre,
        lower_limit=centre - LIMIT_FACTOR * average_range,
        upper_limit=centre + LIMIT_FACTOR * average_range,
        near_lower_limit=centre - NEAR_LIMIT_FACTOR * average_range,
        near_upper_limit=centre + NEAR_LIMIT_FACTOR * average_range,
    )


def mean_moving_range(values: Sequence[float], *, screen_outliers: bool = True) -> float:
    """Mean of |x[i] - x[i-1]|, optionally screened once for outlying ranges.

    Screening keeps the ranges strictly below 3.267 x the first mean, as the
    reference does (``mr < 3.267 * amr``), so a range equal to it is dropped.
    """
    moving_ranges = [abs(current - previous) for previous, current in pairwise(values)]
    if not moving_ranges:
        raise ValueError("A moving range needs at least 2 values")
    average = math.fsum(moving_ranges) / len(moving_ranges)
    # When every range is 0, "< 3.267 x 0" would drop them all and the reference
    # ends with NaN limits; a flat baseline keeps its zero-width limits instead.
    if screen_outliers and average > 0:
        kept = [moving_range for moving_range in moving_ranges if moving_range < MOVING_RANGE_LIMIT_FACTOR * average]
        average = math.fsum(kept) / len(kept)
    return average


# --- Rules ------------------------------------------------------------------


def _sign(number: float) -> int:
    return (number > 0) - (number < 0)


def run_ends_one_side(sides: Sequence[int], run_length: int = 7) -> tuple[int, ...]:
    """1 where a point ends a run of ``run_length`` points on one side of the mean.

    ``sides`` holds -1, 0 or 1 per point (below, on, above the mean); 0 breaks
    a run. As ptd_seven_point_one_side_mean (one pass: a page rates hundreds of series).
    """
    ends = []
    streak, previous = 0, 0
    for side in sides:
        streak = streak + 1 if side != 0 and side == previous else int(side != 0)
        previous = side
        ends.append(int(streak >= run_length))
    return tuple(ends)


def trend_ends(values: Sequence[float], run_length: int = 7) -> tuple[int, ...]:
    """1 (rising) or -1 (falling) where a point ends a trend of ``run_length`` points.

    Every step must be strict: a tie breaks the trend. As ptd_seven_point_trend.
    """
    ends = [0] * len(values)
    streak, previous_step = 0, None
    for index in range(1, len(values)):
        step = _sign(values[index] - values[index - 1])
        streak = streak + 1 if step == previous_step else 1  # steps in a row with this same sign
        previous_step = step
        if streak >= run_length - 1:
            ends[index] = step  # all rising (1) or all falling (-1); all ties give 0
    return tuple(ends)


def in_run(run_ends: Sequence[int], run_length: int = 7) -> tuple[bool, ...]:
    """Whether each point belongs to a run (or trend) ending at it or within the next points.

    As ptd_part_of_seven_trend: point i is in a run if any of points
    i .. i + run_length - 1 ends one.
    """
    flags = [False] * len(run_ends)
    nearest_end = None
    for index in range(len(run_ends) - 1, -1, -1):
        if run_ends[index] != 0:
            nearest_end = index
        flags[index] = nearest_end is not None and nearest_end - index < run_length
    return tuple(flags)


def two_in_three(close_to_limits: Sequence[bool], sides: Sequence[int]) -> tuple[bool, ...]:
    """Whether each point sits in a window of 3 with 2+ points near a limit, all 3 on one side.

    Windows must lie inside the group, and all three points must be on the same
    side of the mean (a point on the mean spoils the window). As ptd_two_in_three.
    """
    count = len(close_to_limits)

    def window_fires(first: int) -> bool:
        if first < 0 or first + 3 > count:
            return False
        window = range(first, first + 3)
        return sum(bool(close_to_limits[i]) for i in window) >= 2 and abs(sum(sides[i] for i in window)) == 3

    return tuple(any(window_fires(first) for first in (index - 2, index - 1, index)) for index in range(count))


def part_of_two_in_three(window_flags: Sequence[bool], close_to_limits: Sequence[bool]) -> tuple[bool, ...]:
    """Only the points beyond a near line are flagged, not the third point of the window."""
    return tuple(bool(flag) and bool(close) for flag, close in zip(window_flags, close_to_limits, strict=True))


def special_cause_labels(
    values: Sequence[float],
    sides: Sequence[int],
    outside_limits: Sequence[bool],
    in_trend: Sequence[bool],
    in_two_in_three: Sequence[bool],
    in_one_side_run: Sequence[bool],
    run_length: int = 7,
) -> tuple[str, ...]:
    """Label each point with the first rule that flags it, as ptd_special_cause_type."""
    count = len(values)
    labels = []
    for index in range(count):
        if outside_limits[index]:
            labels.append("Above UCL" if sides[index] == 1 else "Below LCL")
        elif in_trend[index]:
            # A point shared by two trends takes the step to its right; the last
            # point of a trend takes the step to its left.
            if index + 1 < count and in_trend[index + 1]:
                step = _sign(values[index + 1] - values[index])
            else:
                step = _sign(values[index] - values[index - 1]) if index > 0 else 0
            direction = "Increasing" if step == 1 else "Decreasing"
            labels.append(f"{run_length} Point Trend ({direction})")
        elif in_two_in_three[index]:
            labels.append(f"2 in 3 {_above_or_below(sides[index])} CL")
        elif in_one_side_run[index]:
            labels.append(f"{run_length} Points {_above_or_below(sides[index])} CL")
        else:
            labels.append("Common Cause")
    return tuple(labels)


def _above_or_below(side: int) -> str:
    return "Above" if side > 0 else "Below"


def _group_special_cause_types(values: Sequence[float], lines: GroupLines, run_length: int) -> tuple[str, ...]:
    outside = [value > lines.upper_limit or value < lines.lower_limit for value in values]
    sides = [_sign(value - lines.mean) for value in values]
    close = [
        not out and (value < lines.near_lower_limit or value > lines.near_upper_limit)
        for value, out in zip(values, outside, strict=True)
    ]
    return special_cause_labels(
        values,
        sides,
        outside,
        in_trend=in_run(trend_ends(values, run_length), run_length),
        in_two_in_three=part_of_two_in_three(two_in_three(close, sides), close),
        in_one_side_run=in_run(run_ends_one_side(sides, run_length), run_length),
        run_length=run_length,
    )


# --- Point types and icons --------------------------------------------------


def point_type(special_cause_type: str, improvement: str) -> PointType:
    """The point type of a rule label, oriented by the improvement direction (ptd_point_type)."""
    if "Above" in special_cause_type or "Increasing" in special_cause_type:
        high_or_low = 1
    elif "Below" in special_cause_type or "Decreasing" in special_cause_type:
        high_or_low = -1
    else:
        return PointType.COMMON_CAUSE
    if improvement == "neutral":
        return PointType.SPECIAL_CAUSE_NEUTRAL_HIGH if high_or_low > 0 else PointType.SPECIAL_CAUSE_NEUTRAL_LOW
    good_way = 1 if improvement == "increase" else -1
    return PointType.SPECIAL_CAUSE_IMPROVEMENT if high_or_low == good_way else PointType.SPECIAL_CAUSE_CONCERN


def variation_icon(last_point_type: str, improvement: str) -> Variation:
    """The variation icon of a series from its last point's type.

    As the reference's icon mapping: high or low follows the improvement
    direction (a concern on an "increase" indicator is ``concern_low``), not
    the side of the mean the last point is on.
    """
    if last_point_type == PointType.COMMON_CAUSE:
        return Variation.COMMON_CAUSE
    if last_point_type == PointType.SPECIAL_CAUSE_NEUTRAL_HIGH:
        return Variation.NEUTRAL_HIGH
    if last_point_type == PointType.SPECIAL_CAUSE_NEUTRAL_LOW:
        return Variation.NEUTRAL_LOW
    increasing = improvement == "increase"
    if last_point_type == PointType.SPECIAL_CAUSE_IMPROVEMENT:
        return Variation.IMPROVEMENT_HIGH if increasing else Variation.IMPROVEMENT_LOW
    if last_point_type == PointType.SPECIAL_CAUSE_CONCERN:
        return Variation.CONCERN_LOW if increasing else Variation.CONCERN_HIGH
    raise ValueError(f"Unknown point type {last_point_type!r}")


def assurance_icon(lower_limit: float, upper_limit: float, target: Target | None, improvement: str) -> Assurance | None:
    """Pass, fail or inconsistent: will the process meet its target?

    As ptd_calculate_assurance_type for "increase" and "decrease": a target
    above the upper limit fails (passes when lower is better), below the lower
    limit passes (fails), and otherwise the process hits and misses.

    The reference gives no assurance for "neutral". For T polarity the
    scorecard's target is a green band, so we extend it: pass when the band
    contains both limits, fail when the limits lie wholly outside the band,
    otherwise inconsistent. A neutral indicator with a single-number target
    still has no assurance.
    """
    if target is None:
        return None
    if improvement == "neutral":
        if not isinstance(target, tuple):
            return None
        low, high = (_as_float(bound) for bound in target)
        if lower_limit >= low and upper_limit <= high:
            return Assurance.PASS
        if upper_limit < low or lower_limit > high:
            return Assurance.FAIL
        return Assurance.INCONSISTENT
    goal = _as_float(target)
    increasing = improvement == "increase"
    if goal > upper_limit:
        return Assurance.FAIL if increasing else Assurance.PASS
    if goal < lower_limit:
        return Assurance.PASS if increasing else Assurance.FAIL
    return Assurance.INCONSISTENT


# --- Input checks -----------------------------------------------------------


def _as_float(value: object) -> float:
    # bool is an int, but True is no measurement.
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise TypeError(f"Expected a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"Expected a finite number, not {value!r}")
    return number


def _check_run_length(run_length: int) -> None:
    if isinstance(run_length, bool) or not isinstance(run_length, int) or run_length < 2:
        raise ValueError(f"run_length must be a whole number of at least 2, not {run_length!r}")


def _check_baseline_points(baseline_points: int | None) -> None:
    if baseline_points is None:
        return
    if (
        isinstance(baseline_points, bool)
        or not isinstance(baseline_points, int)
        or baseline_points < MIN_BASELINE_POINTS
    ):
        raise ValueError(
            f"baseline_points must be a whole number of at least {MIN_BASELINE_POINTS}, not {baseline_points!r}"
        )


def _check_target(target: Target | None, improvement: str) -> None:
    if target is None:
        return
    if isinstance(target, tuple):
        if improvement != "neutral":
            raise ValueError("A (low, high) target band is only meaningful for neutral improvement")
        if len(target) != 2:
            raise ValueError(f"A target band is (low, high), not {target!r}")
        low, high = (_as_float(bound) for bound in target)
        if low > high:
            raise ValueError(f"A target band's low end is above its high end: {target!r}")
    else:
        _as_float(target)


def _group_bounds(count: int, rebase_at: Iterable[int]) -> list[tuple[int, int]]:
    """(start, stop) of each rebase group."""
    starts = {0}
    for index in rebase_at:
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise ValueError(f"rebase_at holds indexes of values (0 or more), not {index!r}")
        if index < count:
            starts.add(index)
    if count == 0:
        return []
    ordered = sorted(starts)
    return list(pairwise([*ordered, count]))
