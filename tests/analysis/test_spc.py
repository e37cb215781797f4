"""Tests of the XmR / SPC rules.

Two kinds of test:

* translations of NHSRplotthedots 0.2.2's own testthat expectations (the R
  test file is named in a comment on each), and
* hand-built series that put each rule just on and just off its boundary.

Most hand-built series start from BASELINE: mean 11, every moving range 2, so
limits 11 +/- 2.66 x 2 = 5.68 .. 16.32 and near ("2 sigma") lines
11 +/- (2/3 x 2.66) x 2 = 7.4533 .. 14.5467. With ``baseline_points=12`` the
points added after it do not move those lines, so each can be judged by hand.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicators.analysis.spc import (
    MIN_POINTS_FOR_LIMITS,
    NOT_APPLICABLE_REASON,
    assurance_icon,
    in_run,
    mean_moving_range,
    part_of_two_in_three,
    point_type,
    run_ends_one_side,
    spc_applies,
    special_cause_labels,
    trend_ends,
    two_in_three,
    variation_icon,
    xmr,
)

COMMON = "common_cause"
IMPROVEMENT = "special_cause_improvement"
CONCERN = "special_cause_concern"
NEUTRAL_HIGH = "special_cause_neutral_high"
NEUTRAL_LOW = "special_cause_neutral_low"

BASELINE = [12.0, 10.0] * 6  # ends below the mean, so nothing runs on into added points
BASELINE_MEAN = 11.0
BASELINE_LOWER, BASELINE_UPPER = 5.68, 16.32
BASELINE_NEAR_LOWER, BASELINE_NEAR_UPPER = 7.453333, 14.546667  # 11 -/+ 3.546667

# set.seed(123); rnorm(20) in R: the data of test-ptd_spc_standard.R and test-ptd_spc.R.
RNORM_20 = [
    -0.560475646552213, -0.23017748948328, 1.55870831414912, 0.070508391424576,
    0.129287735160946, 1.71506498688328, 0.460916205989202, -1.26506123460653,
    -0.686852851893526, -0.445661970099958, 1.22408179743946, 0.359813827057364,
    0.400771450594052, 0.11068271594512, -0.555841134754075, 1.78691313680308,
    0.497850478229239, -1.96661715662964, 0.701355901563686, -0.472791407727934,
]  # fmt: skip


def after_baseline(*added: float, improvement: str = "increase", **options: object):
    """The chart of BASELINE plus ``added``, its lines fixed on BASELINE."""
    return xmr(BASELINE + list(added), improvement=improvement, baseline_points=12, **options)


def added_types(result) -> tuple[str, ...]:
    return result.point_types[len(BASELINE) :]


def added_labels(result) -> tuple[str, ...]:
    return result.special_cause_types[len(BASELINE) :]


# --- The reference's own expectations ----------------------------------------


def test_limits_match_reference_snapshot():
    # tests/testthat/test-ptd_spc_standard.R "it returns expected values", r1,
    # values from tests/testthat/_snaps/ptd_spc_standard.md
    result = xmr(RNORM_20, improvement="increase")
    assert result.mean == pytest.approx(0.1416238, abs=1e-7)
    assert result.lower_limit == pytest.approx(-3.01138, abs=1e-5)
    assert result.upper_limit == pytest.approx(3.294627, abs=1e-6)
    # _snaps/ptd_spc.md summary: n = 20, common_cause = 20
    assert result.point_types == (COMMON,) * 20


def test_screened_outlier_matches_reference_snapshot():
    # test-ptd_spc_standard.R "it returns expected values", r2: y[15] <- 10, screening on
    values = list(RNORM_20)
    values[14] = 10
    result = xmr(values, improvement="increase")
    assert result.mean == pytest.approx(0.6694159, abs=1e-7)
    assert result.lower_limit == pytest.approx(-2.383666, abs=1e-6)
    assert result.upper_limit == pytest.approx(3.722497, abs=1e-6)
    assert [i for i, kind in enumerate(result.point_types) if kind != COMMON] == [14]
    assert result.special_cause_types[14] == "Above UCL"


def test_unscreened_outlier_matches_reference_snapshot():
    # test-ptd_spc_standard.R "it returns expected values", r3: screen_outliers = FALSE
    values = list(RNORM_20)
    values[14] = 10
    screened = xmr(values, improvement="increase")
    result = xmr(values, improvement="increase", screen_outliers=False)
    assert result.mean == pytest.approx(0.6694159, abs=1e-7)
    assert result.lower_limit == pytest.approx(-4.596625, abs=1e-6)
    assert result.upper_limit == pytest.approx(5.935457, abs=1e-6)
    # "the range when screen_outliers = FALSE is larger"
    assert result.upper_limit - result.lower_limit > screened.upper_limit - screened.lower_limit


def test_baseline_changes_the_limits():
    # test-ptd_spc_standard.R "setting fix_after_n_points changes the calculations";
    # the R test only checks that they differ, the numbers here are hand-calculated:
    # mean of the first 12 values, 2.66 x the mean of their 11 moving ranges.
    whole = xmr(RNORM_20, improvement="increase")
    fixed = xmr(RNORM_20, improvement="increase", baseline_points=12)
    assert fixed.mean == pytest.approx(sum(RNORM_20[:12]) / 12)
    assert fixed.mean == pytest.approx(0.194179339, abs=1e-9)
    assert fixed.lower_limit == pytest.approx(-2.607399815, abs=1e-9)
    assert fixed.upper_limit == pytest.approx(2.995758492, abs=1e-9)
    assert fixed.lower_limit != whole.lower_limit
    assert fixed.upper_limit != whole.upper_limit


def test_rebase_groups_match_reference():
    # test-ptd_spc_standard.R "it sets the rebase_group field": rebase at the 11th point
    result = xmr(RNORM_20, improvement="increase", rebase_at=(10,))
    assert result.groups == (0,) * 10 + (1,) * 10


def test_rebased_halves_match_reference_summary():
    # _snaps/ptd_spc.md, summary of s3 (a facet per 10 points): each group has its
    # own lines, printed to 3 significant figures there.
    result = xmr(RNORM_20, improvement="increase", rebase_at=(10,))
    assert result.means[0] == pytest.approx(0.0746, abs=5e-5)
    assert result.lower_limits[0] == pytest.approx(-2.60, abs=5e-3)
    assert result.upper_limits[0] == pytest.approx(2.75, abs=5e-3)
    assert result.mean == pytest.approx(0.209, abs=5e-4)
    assert result.lower_limit == pytest.approx(-3.28, abs=5e-3)
    assert result.upper_limit == pytest.approx(3.70, abs=5e-3)
    assert result.means[10:] == (result.mean,) * 10
    assert result.point_types == (COMMON,) * 20


def test_deviations_vignette_screened():
    # vignettes/deviations.Rmd: UPL 4.6, mean 1.94, LPL -0.72 and one blue point.
    # By hand: mean 35/18; moving ranges 1,1,1,8,9 and twelve 1s (mean 32/17);
    # 8 and 9 are >= 3.267 x 32/17 = 6.15, so the screened mean moving range is 1.
    values = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    result = xmr(values, improvement="increase")
    assert result.mean == pytest.approx(35 / 18)
    assert result.upper_limit == pytest.approx(35 / 18 + 2.66)
    assert result.lower_limit == pytest.approx(35 / 18 - 2.66)
    assert round(result.upper_limit, 2) == 4.6
    assert round(result.lower_limit, 2) == -0.72
    assert result.point_types == (COMMON,) * 4 + (IMPROVEMENT,) + (COMMON,) * 13


def test_deviations_vignette_unscreened_like_excel():
    # vignettes/deviations.Rmd, screen_outliers = FALSE: UPL 6.95, mean 1.94, LPL -3.06
    values = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    result = xmr(values, improvement="increase", screen_outliers=False)
    assert result.upper_limit == pytest.approx(35 / 18 + 2.66 * 32 / 17)
    assert result.lower_limit == pytest.approx(35 / 18 - 2.66 * 32 / 17)
    assert round(result.upper_limit, 2) == 6.95
    assert round(result.lower_limit, 2) == -3.06
    assert result.point_types == (COMMON,) * 4 + (IMPROVEMENT,) + (COMMON,) * 13


def test_run_one_side_helper_matches_reference():
    # test-ptd_calculate_point_type.R "ptd_seven_point_one_side_mean works as expected"
    assert run_ends_one_side([]) == ()
    assert run_ends_one_side([1] * 6) == (0,) * 6
    assert run_ends_one_side([1] * 6 + [-1]) == (0,) * 7
    assert run_ends_one_side([1] * 8 + [-1]) == (0,) * 6 + (1, 1, 0)
    assert run_ends_one_side([-1] * 8 + [1]) == (0,) * 6 + (1, 1, 0)


def test_part_of_run_helper_matches_reference():
    # test-ptd_calculate_point_type.R "ptd_part_of_seven_trend works as expected"
    assert in_run([]) == ()
    assert in_run([0] * 6) == (False,) * 6
    assert in_run([0] * 6 + [1, 0]) == (True,) * 7 + (False,)
    assert in_run([0] * 7 + [1, 0]) == (False,) + (True,) * 7 + (False,)
    # a falling trend counts too (issue #167)
    assert in_run([0] * 6 + [-1, 0]) == (True,) * 7 + (False,)
    assert in_run([0] * 7 + [-1, 0]) == (False,) + (True,) * 7 + (False,)


def test_trend_helper_matches_reference():
    # test-ptd_calculate_point_type.R "ptd_seven_point_trend works as expected"
    assert trend_ends([]) == ()
    assert trend_ends([1, 2, 3, 4, 5, 6]) == (0,) * 6
    assert trend_ends([1, 2, 3, 3, 4, 5, 6]) == (0,) * 7  # the tie breaks it
    assert trend_ends([1, 2, 3, 4, 5, 6, 7]) == (0,) * 6 + (1,)
    assert trend_ends([2, 1, 2, 3, 4, 5, 6, 7, 3]) == (0,) * 7 + (1, 0)
    assert trend_ends([7, 6, 5, 4, 3, 2, 1]) == (0,) * 6 + (-1,)
    assert trend_ends([2, 7, 6, 5, 4, 3, 2, 1, 3]) == (0,) * 7 + (-1, 0)


def test_two_in_three_helper_matches_reference():
    # test-ptd_calculate_point_type.R "ptd_two_in_three works as expected"
    assert two_in_three([], []) == ()
    everything = (True, True, True)
    assert two_in_three([1, 0, 1], [1, 1, 1]) == everything
    assert two_in_three([0, 1, 1], [1, 1, 1]) == everything
    assert two_in_three([1, 1, 0], [1, 1, 1]) == everything
    assert two_in_three([0, 0, 1, 0, 1, 0, 0], [1] * 7) == (False, False, True, True, True, False, False)
    assert two_in_three([0, 0, 1, 1, 0, 0, 0], [1] * 7) == (False, True, True, True, True, False, False)


def test_two_in_three_helper_needs_one_side_like_reference():
    # test-ptd_calculate_point_type.R "ptd_two_in_three works as expected when
    # points are on opposite sides of the mean" (issue #143)
    assert two_in_three([1, 0, 1], [1, -1, 1]) == (False,) * 3
    assert two_in_three([0, 1, 1], [1, -1, 1]) == (False,) * 3
    assert two_in_three([1, 1, 0], [1, -1, 1]) == (False,) * 3
    assert two_in_three([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1]) == (False,) * 7
    assert two_in_three([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1]) == (False,) * 7


@pytest.mark.parametrize(
    ("close", "expected"),
    [
        ([1, 0, 1], (True, False, True)),
        ([0, 1, 1], (False, True, True)),
        ([1, 1, 0], (True, True, False)),
        ([0, 0, 1, 0, 1, 0, 0], (False, False, True, False, True, False, False)),
        ([1, 0, 0, 1], (False, False, False, False)),
        ([1, 0, 0, 1, 1], (False, False, False, True, True)),
    ],
)
def test_part_of_two_in_three_helper_matches_reference(close, expected):
    # test-ptd_calculate_point_type.R "ptd_part_of_two_in_three works as expected":
    # only the points near a limit are flagged, never the third point of the window.
    sides = [1] * len(close)
    assert part_of_two_in_three(two_in_three(close, sides), close) == expected


def test_label_precedence_matches_reference():
    # test-ptd_calculate_point_type.R "ptd_special_cause_type works as expected":
    # the mocked rule results there are passed in directly here.
    labels = special_cause_labels(
        values=[1, 2, 3, 4, 5, 6, 7, 8],
        sides=[1, 1, 1, 1, -1, -1, -1, -1],
        outside_limits=[0, 0, 0, 0, 0, 1, 1, 0],
        in_trend=[1, 1, 0, 0, 0, 0, 0, 0],
        in_two_in_three=[0, 0, 0, 0, 1, 0, 0, 0],
        in_one_side_run=[0, 0, 1, 1, 0, 0, 0, 0],
    )
    assert labels == (
        "7 Point Trend (Increasing)",
        "7 Point Trend (Increasing)",
        "7 Points Above CL",
        "7 Points Above CL",
        "2 in 3 Below CL",
        "Below LCL",
        "Below LCL",
        "Common Cause",
    )


@pytest.mark.parametrize(
    ("label", "increase", "decrease", "neutral"),
    [
        ("Above UCL", IMPROVEMENT, CONCERN, NEUTRAL_HIGH),
        ("Below LCL", CONCERN, IMPROVEMENT, NEUTRAL_LOW),
        ("7 Point Trend (Increasing)", IMPROVEMENT, CONCERN, NEUTRAL_HIGH),
        ("7 Point Trend (Decreasing)", CONCERN, IMPROVEMENT, NEUTRAL_LOW),
        ("2 in 3 Above CL", IMPROVEMENT, CONCERN, NEUTRAL_HIGH),
        ("7 Points Below CL", CONCERN, IMPROVEMENT, NEUTRAL_LOW),
        ("Common Cause", COMMON, COMMON, COMMON),
    ],
)
def test_point_type_orientation(label, increase, decrease, neutral):
    # R/ptd_calculate_point_type.R ptd_point_type(): above/increasing is +1,
    # below/decreasing -1, multiplied by the improvement direction.
    assert point_type(label, "increase") == increase
    assert point_type(label, "decrease") == decrease
    assert point_type(label, "neutral") == neutral


@pytest.mark.parametrize(
    ("limits", "increase", "decrease"),
    [((1, 3), "fail", "pass"), ((5, 7), "pass", "fail"), ((1, 5), "inconsistent", "inconsistent")],
)
def test_assurance_matches_reference(limits, increase, decrease):
    # test-ptd_calculate_assurance_type.R: lpl/upl of (1, 3), (5, 7), (1, 5), target 4
    lower, upper = limits
    assert assurance_icon(lower, upper, 4, "increase") == increase
    assert assurance_icon(lower, upper, 4, "decrease") == decrease
    # "...when improvement_direction is neutral": no assurance for a number
    assert assurance_icon(lower, upper, 4, "neutral") is None
    # "it returns a column of NA's if there is no target"
    assert assurance_icon(lower, upper, None, "increase") is None


def test_assurance_uses_last_rebase_group():
    # test-ptd_calculate_assurance_type.R "...when rebase": only the last group's
    # limits count. Group 0 (BASELINE) has limits 5.68 .. 16.32; group 1,
    # 20, 30 repeated, has mean 25 and moving range 10, so 25 +/- 26.6.
    values = BASELINE + [20.0, 30.0] * 7
    rebased = xmr(values, improvement="decrease", target=4, rebase_at=(12,))
    assert rebased.lower_limit == pytest.approx(25 - 26.6)
    assert rebased.upper_limit == pytest.approx(25 + 26.6)
    assert rebased.assurance == "inconsistent"
    first_group_only = xmr(BASELINE, improvement="decrease", target=4)
    assert first_group_only.assurance == "fail"


def test_short_group_below_threshold_is_flagged():
    # test-ptd_add_short_group_warnings.R "it warns when a group is shorter than the warning_threshold"
    result = xmr(RNORM_20[:11], improvement="increase")
    assert result.short_groups == (True,) * 11
    assert result.enough_points is False


def test_twelve_points_are_not_enough():
    # test-ptd_add_short_group_warnings.R passes warning_threshold = 12 itself; the
    # 0.2.2 default is getOption("ptd_spc.warning_threshold", 13), so 12 points warn
    # (the deviations vignette and issue #224 show 12-point groups warned).
    assert MIN_POINTS_FOR_LIMITS == 13
    twelve = xmr(RNORM_20[:12], improvement="increase")
    thirteen = xmr(RNORM_20[:13], improvement="increase")
    assert twelve.short_groups == (True,) * 12
    assert twelve.enough_points is False
    assert thirteen.short_groups == (False,) * 13
    assert thirteen.enough_points is True


def test_short_rebase_group_is_flagged_alone():
    # test-ptd_add_short_group_warnings.R "it handles facets and rebase groups":
    # groups of 35, 5, 20 and 20 points; only the group of 5 is short.
    values = [float(i % 4) for i in range(80)]
    result = xmr(values, improvement="increase", rebase_at=(35, 40, 60))
    assert result.groups == (0,) * 35 + (1,) * 5 + (2,) * 20 + (3,) * 20
    assert result.short_groups == (False,) * 35 + (True,) * 5 + (False,) * 40
    assert result.enough_points is True
    no_warnings = xmr(values[:40], improvement="increase", rebase_at=(20,))
    assert no_warnings.short_groups == (False,) * 40


@pytest.mark.parametrize(
    ("last_type", "improvement", "icon"),
    [
        (COMMON, "increase", "common_cause"),
        (NEUTRAL_HIGH, "neutral", "neutral_high"),
        (NEUTRAL_LOW, "neutral", "neutral_low"),
        (IMPROVEMENT, "increase", "improvement_high"),
        (IMPROVEMENT, "decrease", "improvement_low"),
        (CONCERN, "increase", "concern_low"),
        (CONCERN, "decrease", "concern_high"),
    ],
)
def test_variation_icon_mapping(last_type, improvement, icon):
    # R/geom_ptd_icon.R ptd_get_icons(): high/low follow the improvement direction
    assert variation_icon(last_type, improvement) == icon


# --- Limits and screening ------------------------------------------------------


def test_baseline_lines_by_hand():
    result = xmr(BASELINE, improvement="increase")
    assert result.mean == BASELINE_MEAN
    assert result.lower_limit == pytest.approx(BASELINE_LOWER)
    assert result.upper_limit == pytest.approx(BASELINE_UPPER)
    assert result.near_lower_limits[0] == pytest.approx(BASELINE_NEAR_LOWER, abs=1e-6)
    assert result.near_upper_limits[0] == pytest.approx(BASELINE_NEAR_UPPER, abs=1e-6)
    assert result.means == (11.0,) * 12
    assert result.point_types == (COMMON,) * 12


def test_points_after_baseline_do_not_move_lines():
    result = after_baseline(30.0, 40.0)
    assert result.mean == BASELINE_MEAN
    assert result.upper_limit == pytest.approx(BASELINE_UPPER)
    assert result.upper_limits == (result.upper_limit,) * 14


def test_baseline_shorter_than_reference_minimum_is_refused():
    with pytest.raises(ValueError, match="baseline_points must be a whole number of at least 12"):
        xmr(BASELINE, improvement="increase", baseline_points=11)


def test_screening_drops_a_range_equal_to_the_threshold():
    # Moving ranges 748 x 8, 749 and 3267 have mean exactly 1000, so the
    # threshold is 3.267 x 1000 = 3267: the reference keeps only ranges below it.
    ranges = [748] * 8 + [749, 3267]
    values = [0.0]
    for step, moving_range in enumerate(ranges):
        values.append(values[-1] + (moving_range if step % 2 == 0 else -moving_range))
    assert mean_moving_range(values, screen_outliers=False) == 1000
    assert mean_moving_range(values) == pytest.approx(6733 / 9)
    screened = xmr(values, improvement="increase")
    unscreened = xmr(values, improvement="increase", screen_outliers=False)
    assert screened.mean == pytest.approx(1223 / 11)
    assert screened.upper_limit == pytest.approx(1223 / 11 + 2.66 * 6733 / 9)
    assert unscreened.upper_limit == pytest.approx(1223 / 11 + 2660)


def test_screening_changes_whether_a_point_is_flagged():
    # Baseline 0, 40 (x6) then a jump to 240: mean 480/13 = 36.92; moving ranges
    # eleven 40s and 200 (mean 640/12 = 53.33); 200 >= 3.267 x 53.33 = 174.2 is
    # screened out, leaving 40. Lines are fixed on those 13 points, then 160 comes:
    # screened upper limit 36.92 + 2.66 x 40 = 143.3 (160 is above it);
    # unscreened 36.92 + 2.66 x 53.33 = 178.8 (160 is inside).
    values = [0.0, 40.0] * 6 + [240.0, 160.0]
    screened = xmr(values, improvement="increase", baseline_points=13)
    unscreened = xmr(values, improvement="increase", baseline_points=13, screen_outliers=False)
    assert screened.mean == unscreened.mean == pytest.approx(480 / 13)
    assert screened.upper_limit == pytest.approx(480 / 13 + 2.66 * 40)
    assert unscreened.upper_limit == pytest.approx(480 / 13 + 2.66 * 640 / 12)
    assert screened.point_types == (COMMON,) * 12 + (IMPROVEMENT, IMPROVEMENT)
    assert unscreened.point_types == (COMMON,) * 12 + (IMPROVEMENT, COMMON)


def test_flat_series_has_zero_width_limits():
    # All moving ranges 0: the reference's screening drops them all (NaN limits);
    # here the limits collapse onto the mean and every point is common cause.
    result = xmr([5.0] * 13, improvement="increase")
    assert (result.lower_limit, result.mean, result.upper_limit) == (5.0, 5.0, 5.0)
    assert result.point_types == (COMMON,) * 13


# --- Outside the limits -----------------------------------------------------------


def test_point_exactly_on_upper_limit_is_inside():
    upper = xmr(BASELINE, improvement="increase").upper_limit
    assert upper == pytest.approx(16.32)
    assert added_types(after_baseline(upper)) == (COMMON,)
    above = after_baseline(upper + 0.01)
    assert added_labels(above) == ("Above UCL",)
    assert added_types(above) == (IMPROVEMENT,)


def test_point_exactly_on_lower_limit_is_inside():
    lower = xmr(BASELINE, improvement="increase").lower_limit
    assert lower == pytest.approx(5.68)
    assert added_types(after_baseline(lower)) == (COMMON,)
    below = after_baseline(lower - 0.01)
    assert added_labels(below) == ("Below LCL",)
    assert added_types(below) == (CONCERN,)
    assert below.variation == "concern_low"


def test_outside_limits_is_improvement_when_lower_is_better():
    result = after_baseline(5.0, improvement="decrease")
    assert added_types(result) == (IMPROVEMENT,)
    assert result.variation == "improvement_low"


# --- Runs on one side of the mean -------------------------------------------------


def test_seven_points_above_mean_is_a_run():
    result = after_baseline(*[12.0] * 7)
    assert added_labels(result) == ("7 Points Above CL",) * 7
    assert added_types(result) == (IMPROVEMENT,) * 7
    assert result.variation == "improvement_high"


def test_six_points_above_mean_is_not_a_run_of_seven():
    result = after_baseline(*[12.0] * 6)
    assert added_types(result) == (COMMON,) * 6
    assert result.variation == "common_cause"


def test_point_on_the_mean_breaks_a_run():
    result = after_baseline(12.0, 12.0, 12.0, 11.0, 12.0, 12.0, 12.0)
    assert added_types(result) == (COMMON,) * 7


def test_seven_points_below_mean_is_a_concern_when_higher_is_better():
    result = after_baseline(*[9.0] * 7)
    # BASELINE ends with 10, also below the mean: the run is 8 points long.
    assert result.point_types[11:] == (CONCERN,) * 8
    assert result.point_types[10] == COMMON


def test_run_length_six_fires_on_six_points():
    six = after_baseline(*[12.0] * 6, run_length=6)
    assert added_labels(six) == ("6 Points Above CL",) * 6
    # BASELINE's last point, 10, is below the mean and stays out of the run.
    assert six.point_types == (COMMON,) * 12 + (IMPROVEMENT,) * 6
    five = after_baseline(*[12.0] * 5, run_length=6)
    assert added_types(five) == (COMMON,) * 5


def test_run_is_a_concern_when_lower_is_better():
    result = after_baseline(*[12.0] * 6, improvement="decrease", run_length=6)
    assert added_types(result) == (CONCERN,) * 6
    assert result.variation == "concern_high"


# --- Trends -------------------------------------------------------------------


RISING_SEVEN = (9.0, 9.5, 10.0, 10.5, 11.0, 11.5, 12.0)  # starts below BASELINE's last 10


def test_seven_rising_points_are_a_trend_even_below_the_mean():
    # Issue #171: a rising trend is an improvement (higher is better) on both
    # sides of the mean, including the point on the mean.
    result = after_baseline(*RISING_SEVEN)
    assert added_labels(result) == ("7 Point Trend (Increasing)",) * 7
    assert added_types(result) == (IMPROVEMENT,) * 7


def test_a_tie_breaks_a_trend():
    result = after_baseline(9.0, 9.5, 10.0, 10.0, 10.5, 11.0, 11.5)
    assert added_types(result) == (COMMON,) * 7


def test_six_rising_points_are_a_trend_only_with_run_length_six():
    six_rising = RISING_SEVEN[:6]
    assert added_types(after_baseline(*six_rising)) == (COMMON,) * 6
    result = after_baseline(*six_rising, run_length=6)
    assert added_labels(result) == ("6 Point Trend (Increasing)",) * 6
    assert result.point_types == (COMMON,) * 12 + (IMPROVEMENT,) * 6


def test_run_length_six_helpers_count_six_points():
    # As the reference's helpers with 7 replaced by 6, including a run or
    # trend that starts at the very first point.
    assert run_ends_one_side([1] * 6, run_length=6) == (0,) * 5 + (1,)
    assert run_ends_one_side([1] * 5 + [0], run_length=6) == (0,) * 6
    assert trend_ends([1, 2, 3, 4, 5, 6], run_length=6) == (0,) * 5 + (1,)
    assert trend_ends([6, 5, 4, 3, 2, 1, 1], run_length=6) == (0,) * 5 + (-1, 0)
    assert in_run([0] * 5 + [1, 0], run_length=6) == (True,) * 6 + (False,)
    # Rising 10 .. 12.5 from the first point, then 5, 17 (x4): mean 155.5/14,
    # 13 moving ranges summing to 94, so limits 11.107 +/- 19.23 hold every point.
    values = [10, 10.5, 11, 11.5, 12, 12.5] + [5, 17] * 4
    six = xmr(values, improvement="decrease", run_length=6)
    assert six.mean == pytest.approx(155.5 / 14)
    assert six.upper_limit == pytest.approx(155.5 / 14 + 2.66 * 94 / 13)
    assert six.point_types == (CONCERN,) * 6 + (COMMON,) * 8
    assert xmr(values, improvement="decrease").point_types == (COMMON,) * 14


def test_falling_trend_is_flagged():
    # Issue #167: falling trends were missed once.
    falling = (13.0, 12.5, 12.0, 11.5, 11.0, 10.5, 10.0)
    assert added_types(after_baseline(*falling)) == (CONCERN,) * 7
    assert added_types(after_baseline(*falling, improvement="decrease")) == (IMPROVEMENT,) * 7
    assert added_types(after_baseline(*falling, improvement="neutral")) == (NEUTRAL_LOW,) * 7


def test_trend_outranks_two_in_three_and_run():
    # 16, 15.5 and 15 are between the near line (14.55) and the limit (16.32),
    # and all 7 points are above the mean, but they fall: the trend decides.
    result = after_baseline(16.0, 15.5, 15.0, 14.0, 13.0, 12.0, 11.5)
    assert added_labels(result) == ("7 Point Trend (Decreasing)",) * 7
    assert added_types(result) == (CONCERN,) * 7


def test_outside_limits_outranks_trend():
    result = after_baseline(17.0, 15.5, 15.0, 14.0, 13.0, 12.0, 11.5)
    assert added_labels(result) == ("Above UCL",) + ("7 Point Trend (Decreasing)",) * 6
    assert added_types(result) == (IMPROVEMENT,) + (CONCERN,) * 6
    # The last point is above the mean, yet the icon is concern_low: the
    # reference picks high/low from the improvement direction.
    assert result.variation == "concern_low"


def test_neutral_gives_neutral_types():
    result = after_baseline(17.0, 15.5, 15.0, 14.0, 13.0, 12.0, 11.5, improvement="neutral")
    assert added_types(result) == (NEUTRAL_HIGH,) + (NEUTRAL_LOW,) * 6
    assert result.variation == "neutral_low"
    assert after_baseline(5.0, improvement="neutral").variation == "neutral_low"
    assert after_baseline(17.0, improvement="neutral").variation == "neutral_high"


# --- Two in three near a limit ------------------------------------------------------


def test_two_of_three_beyond_near_line_flags_only_those_two():
    result = after_baseline(15.0, 11.5, 15.0)
    assert added_labels(result) == ("2 in 3 Above CL", "Common Cause", "2 in 3 Above CL")
    assert added_types(result) == (IMPROVEMENT, COMMON, IMPROVEMENT)


def test_two_in_three_needs_all_three_on_one_side():
    # Issue #143: the middle point below the mean spoils the window.
    assert added_types(after_baseline(15.0, 10.5, 15.0)) == (COMMON,) * 3
    # A point exactly on the mean is on neither side.
    assert added_types(after_baseline(15.0, 11.0, 15.0)) == (COMMON,) * 3
    # The last two points near the limit, after a point below the mean: the
    # only complete window (10, 15, 15) is not all on one side.
    assert added_types(after_baseline(15.0, 15.0)) == (COMMON,) * 2
    assert added_types(after_baseline(11.5, 15.0, 15.0)) == (COMMON, IMPROVEMENT, IMPROVEMENT)


def test_point_on_near_line_is_not_beyond_it():
    near = xmr(BASELINE, improvement="increase").near_upper_limits[0]
    assert added_types(after_baseline(near, 11.5, near)) == (COMMON,) * 3
    assert added_types(after_baseline(near + 0.01, 11.5, near + 0.01)) == (IMPROVEMENT, COMMON, IMPROVEMENT)


def test_two_in_three_does_not_count_points_outside_limits():
    # As the reference: a point beyond the limit is "outside", not "near".
    result = after_baseline(15.0, 11.5, 17.0)
    assert added_labels(result) == ("Common Cause", "Common Cause", "Above UCL")


def test_two_in_three_below_is_a_concern_when_higher_is_better():
    result = after_baseline(7.0, 10.5, 7.0)
    assert added_labels(result) == ("2 in 3 Below CL", "Common Cause", "2 in 3 Below CL")
    assert added_types(result) == (CONCERN, COMMON, CONCERN)


# --- Rebasing -----------------------------------------------------------------------

# Group A: mean 146/13, its 12 moving ranges sum to 18 (mean 1.5); its last 4 points
# are above its mean. Group B: mean 144/13, moving ranges also mean 1.5; its first 3
# points are above its mean. Together: mean 290/26, 25 moving ranges summing to 36.
GROUP_A = [10.0, 12.0] * 5 + [12.0] * 3
GROUP_B = [12.0, 12.0, 12.0] + [10.0, 12.0] * 4 + [10.0, 10.0]


def test_rebase_gives_each_group_its_own_lines():
    result = xmr(GROUP_A + GROUP_B, improvement="increase", rebase_at=(13,))
    assert result.means == (146 / 13,) * 13 + (144 / 13,) * 13
    assert result.mean == pytest.approx(144 / 13)
    assert result.lower_limit == pytest.approx(144 / 13 - 2.66 * 1.5)
    assert result.upper_limit == pytest.approx(144 / 13 + 2.66 * 1.5)
    assert result.upper_limits[0] == pytest.approx(146 / 13 + 2.66 * 1.5)
    assert result.groups == (0,) * 13 + (1,) * 13
    assert result.enough_points is True


def test_run_does_not_cross_a_rebase():
    # Without the rebase the 4 + 3 points above the mean make a run of 7.
    rebased = xmr(GROUP_A + GROUP_B, improvement="increase", rebase_at=(13,))
    assert rebased.point_types == (COMMON,) * 26
    joined = xmr(GROUP_A + GROUP_B, improvement="increase")
    assert joined.mean == pytest.approx(290 / 26)
    assert joined.upper_limit == pytest.approx(290 / 26 + 2.66 * 36 / 25)
    assert joined.point_types == (COMMON,) * 9 + (IMPROVEMENT,) * 7 + (COMMON,) * 10
    assert xmr(GROUP_A + GROUP_B, improvement="increase", rebase_at=(13,), run_length=6).point_types == (COMMON,) * 26


def test_assurance_follows_the_last_group():
    # Upper limits: last group 144/13 + 3.99 = 15.067; no rebase 290/26 + 3.830 = 14.984.
    rebased = xmr(GROUP_A + GROUP_B, improvement="increase", target=15.02, rebase_at=(13,))
    joined = xmr(GROUP_A + GROUP_B, improvement="increase", target=15.02)
    assert rebased.assurance == "inconsistent"
    assert joined.assurance == "fail"


def test_rebase_index_zero_or_past_the_end_changes_nothing():
    plain = xmr(BASELINE, improvement="increase")
    assert xmr(BASELINE, improvement="increase", rebase_at=(0, 12, 99)) == plain
    with pytest.raises(ValueError, match=r"rebase_at holds indexes of values \(0 or more\)"):
        xmr(BASELINE, improvement="increase", rebase_at=(-1,))


def test_one_point_group_after_rebase_has_no_limits():
    result = xmr([*BASELINE, 30.0], improvement="increase", rebase_at=(12,), target=20)
    assert result.mean == 30.0
    assert (result.lower_limit, result.upper_limit) == (None, None)
    assert result.point_types[-1] == COMMON
    assert result.assurance is None
    assert result.enough_points is False


# --- Too few points -------------------------------------------------------------------


def test_no_points():
    result = xmr([], improvement="increase", target=5)
    assert (result.mean, result.lower_limit, result.upper_limit) == (None, None, None)
    assert result.point_types == ()
    assert result.variation == "common_cause"
    assert result.assurance is None
    assert result.enough_points is False


def test_one_point_has_no_limits():
    result = xmr([5], improvement="increase", target=3)
    assert result.mean == 5.0
    assert (result.lower_limit, result.upper_limit) == (None, None)
    assert result.point_types == (COMMON,)
    assert result.assurance is None


def test_two_points_are_calculated_but_not_enough():
    result = xmr([5, 7], improvement="increase")
    assert result.mean == 6.0
    assert result.lower_limit == pytest.approx(6 - 5.32)
    assert result.upper_limit == pytest.approx(6 + 5.32)
    assert result.enough_points is False


# --- Assurance ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "increase", "decrease"),
    [(17, "fail", "pass"), (5, "pass", "fail"), (11, "inconsistent", "inconsistent")],
)
def test_assurance_against_baseline_limits(target, increase, decrease):
    assert xmr(BASELINE, improvement="increase", target=target).assurance == increase
    assert xmr(BASELINE, improvement="decrease", target=target).assurance == decrease


def test_target_on_a_limit_is_inconsistent():
    upper = xmr(BASELINE, improvement="increase").upper_limit
    assert xmr(BASELINE, improvement="increase", target=upper).assurance == "inconsistent"
    assert xmr(BASELINE, improvement="increase", target=upper + 0.01).assurance == "fail"


def test_no_target_no_assurance():
    assert xmr(BASELINE, improvement="increase").assurance is None


@pytest.mark.parametrize(
    ("band", "expected"),
    [
        ((5, 17), "pass"),
        ((5.68, 16.32), "pass"),  # both limits on the band's edges: still inside
        ((17, 20), "fail"),
        ((0, 5), "fail"),
        ((10, 20), "inconsistent"),
        ((6, 16), "inconsistent"),
    ],
)
def test_neutral_assurance_against_a_band(band, expected):
    # Our extension: the reference gives no assurance for neutral indicators.
    lower, upper = 5.68, 16.32
    assert assurance_icon(lower, upper, band, "neutral") == expected


def test_neutral_assurance_through_xmr():
    assert xmr(BASELINE, improvement="neutral", target=(5, 17)).assurance == "pass"
    assert xmr(BASELINE, improvement="neutral", target=(17, 20)).assurance == "fail"
    assert xmr(BASELINE, improvement="neutral", target=(10, 20)).assurance == "inconsistent"
    assert xmr(BASELINE, improvement="neutral", target=11).assurance is None


def test_band_target_needs_neutral_improvement():
    with pytest.raises(ValueError, match="only meaningful for neutral improvement"):
        xmr(BASELINE, improvement="increase", target=(5, 17))
    with pytest.raises(ValueError, match="low end is above its high end"):
        xmr(BASELINE, improvement="neutral", target=(17, 5))


# --- Inputs ---------------------------------------------------------------------------


def test_decimals_and_ints_are_read_as_floats():
    as_decimals = xmr([Decimal(str(v)) for v in BASELINE], improvement="increase", target=Decimal("17"))
    as_ints = xmr([int(v) for v in BASELINE], improvement="increase", target=17)
    assert as_decimals.values == tuple(BASELINE)
    assert as_decimals.mean == 11.0
    assert as_decimals == as_ints
    assert as_decimals.assurance == "fail"


@pytest.mark.parametrize("improvement", ["up", "higher", "", None])
def test_unknown_improvement_is_refused(improvement):
    with pytest.raises(ValueError, match="improvement must be one of"):
        xmr(BASELINE, improvement=improvement)


def test_bad_values_are_refused():
    with pytest.raises(TypeError):
        xmr([1, "2", 3], improvement="increase")
    with pytest.raises(ValueError, match="Expected a finite number"):
        xmr([1, float("nan"), 3], improvement="increase")
    with pytest.raises(ValueError, match="run_length must be a whole number of at least 2"):
        xmr(BASELINE, improvement="increase", run_length=1)


def test_result_is_frozen():
    result = xmr(BASELINE, improvement="increase")
    with pytest.raises(AttributeError):
        result.mean = 0  # type: ignore[misc]


# --- Where SPC applies ------------------------------------------------------------------


@pytest.mark.parametrize(("data_period", "applies"), [
    ("MS", True), ("Q", True), ("T", True), ("A", True), ("R12M", False), ("YTD", False),
])  # fmt: skip
def test_spc_applies(data_period, applies):
    assert spc_applies(data_period) is applies


def test_spc_applies_refuses_unknown_period():
    with pytest.raises(ValueError, match="Unknown data period"):
        spc_applies("weekly")


def test_not_applicable_reason_explains_overlap():
    assert "overlap" in NOT_APPLICABLE_REASON
    assert "run" in NOT_APPLICABLE_REASON
