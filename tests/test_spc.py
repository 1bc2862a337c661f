"""SPC (Making Data Count XmR): parity fixtures of spec/spc.md, MDC choices, and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from csc_scorecard.judge.spc import (
    COLOURS,
    SpcOptions,
    limits,
    part_of_seven_trend,
    part_of_two_in_three,
    point_colour,
    seven_point_one_side_mean,
    seven_point_trend,
    spc,
    two_in_three,
)

# --- rule vectors: NHSRplotthedots tests/testthat/test-ptd_calculate_point_type.R -------------------------


@pytest.mark.parametrize(
    ("side", "expected"),
    [
        ([], []),
        ([1] * 6, [0] * 6),
        ([1] * 6 + [-1], [0] * 7),
        ([1] * 8 + [-1], [0, 0, 0, 0, 0, 0, 1, 1, 0]),
        ([-1] * 8 + [1], [0, 0, 0, 0, 0, 0, 1, 1, 0]),
        ([-1, *[1] * 8, -1], [0, 0, 0, 0, 0, 0, 0, 1, 1, 0]),
        ([1, *[-1] * 8, 1], [0, 0, 0, 0, 0, 0, 0, 1, 1, 0]),
    ],
)
def test_seven_point_one_side_mean(side: list[int], expected: list[int]) -> None:
    assert seven_point_one_side_mean(side) == expected


def test_a_point_on_the_mean_breaks_a_run() -> None:
    assert seven_point_one_side_mean([1, 1, 1, 0, 1, 1, 1, 1]) == [0] * 8
    assert seven_point_one_side_mean([0] * 7) == [0] * 7  # seven points on the mean are no shift


@pytest.mark.parametrize(
    ("v", "expected"),
    [
        ([], []),
        ([0] * 6, [0] * 6),
        ([0] * 6 + [1, 0], [1] * 7 + [0]),
        ([0] * 7 + [1, 0], [0, *[1] * 7, 0]),
        ([0] * 6 + [-1, 0], [1] * 7 + [0]),
        ([0] * 7 + [-1, 0], [0, *[1] * 7, 0]),
    ],
)
def test_part_of_seven_trend(v: list[int], expected: list[int]) -> None:
    assert part_of_seven_trend(v) == expected


@pytest.mark.parametrize(
    ("y", "expected"),
    [
        ([], []),
        ([1, 2, 3, 4, 5, 6], [0] * 6),
        ([1, 2, 3, 3, 4, 5, 6], [0] * 7),  # c(1:3, 3:6): a repeat breaks the trend (0.2.2)
        ([1, 2, 3, 4, 5, 6, 7], [0, 0, 0, 0, 0, 0, 1]),
        ([2, 1, 2, 3, 4, 5, 6, 7, 3], [0, 0, 0, 0, 0, 0, 0, 1, 0]),  # c(2, 1:7, 3)
        ([7, 6, 5, 4, 3, 2, 1], [0, 0, 0, 0, 0, 0, -1]),
        ([2, 7, 6, 5, 4, 3, 2, 1, 3], [0, 0, 0, 0, 0, 0, 0, -1, 0]),  # c(2, 7:1, 3)
    ],
)
def test_seven_point_trend(y: list[float], expected: list[int]) -> None:
    assert seven_point_trend(y) == expected


def test_trend_repeats_counted_once_when_they_do_not_break() -> None:
    # PR #24's example: a falling run with one repeated value, 8 points for 7 distinct steps.
    y = [1, 0.5, 0, -0.5, -0.5, -1, -1.5, -2]
    assert seven_point_trend(y) == [0] * 8
    assert seven_point_trend(y, repeats_break=False) == [0] * 7 + [-1]
    # c(1:3, 3:6) has only 6 distinct values, so it is no trend under either reading.
    assert seven_point_trend([1, 2, 3, 3, 4, 5, 6], repeats_break=False) == [0] * 7
    values = [0, 9, 0, 9, 0, 9, *y]
    broken = spc(values, "decrease")
    counted = spc(values, "decrease", options=SpcOptions(trend_repeats_break=False))
    assert "trend" not in broken.rule[6:]
    assert counted.rule[6:] == ["trend"] * 8
    assert counted.point_type[6:] == ["special_cause_improvement"] * 8


@pytest.mark.parametrize(
    ("close", "side", "expected"),
    [
        ([], [], []),
        ([0, 0, 0], [0, 0, 0], [0, 0, 0]),
        ([1, 0, 1], [1, 1, 1], [1, 1, 1]),
        ([0, 1, 1], [1, 1, 1], [1, 1, 1]),
        ([1, 1, 0], [1, 1, 1], [1, 1, 1]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 1, 1, 0, 0]),
        ([0, 0, 1, 1, 0, 0, 0], [1] * 7, [0, 1, 1, 1, 1, 0, 0]),
        # points on opposite sides of the mean never fire (issue #143)
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),
        ([0, 1, 1], [1, -1, 1], [0, 0, 0]),
        ([1, 1, 0], [1, -1, 1], [0, 0, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1], [0] * 7),
        ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], [0] * 7),
    ],
)
def test_two_in_three(close: list[int], side: list[int], expected: list[int]) -> None:
    assert two_in_three(close, side) == expected


@pytest.mark.parametrize(
    ("close", "expected"),
    [
        ([], []),
        ([1, 0, 1], [1, 0, 1]),
        ([0, 1, 1], [0, 1, 1]),
        ([1, 1, 0], [1, 1, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [0, 0, 1, 0, 1, 0, 0]),
        ([1, 0, 0, 1], [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [0, 0, 0, 1, 1]),
    ],
)
def test_part_of_two_in_three(close: list[int], expected: list[int]) -> None:
    side = [1] * len(close)
    assert part_of_two_in_three(two_in_three(close, side), close) == expected


# --- limits: tests/testthat/_snaps/ptd_spc_standard.md (set.seed(123); rnorm(20)) -----------------------

RNORM_20 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621,
    -1.26506123, -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272,
    -0.55584113, 1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279140,
]  # fmt: skip


def _r(x: float) -> str:
    """What R prints: 7 significant digits, trailing zeros dropped."""
    return f"{x:.7g}"


@pytest.mark.parametrize(
    ("y15", "screen", "mean", "lpl", "upl"),
    [
        (None, True, "0.1416238", "-3.01138", "3.294627"),
        (10.0, True, "0.6694159", "-2.383666", "3.722497"),
        (10.0, False, "0.6694159", "-4.596625", "5.935457"),
    ],
)
def test_limit_snapshots(y15: float | None, screen: bool, mean: str, lpl: str, upl: str) -> None:
    y = list(RNORM_20)
    if y15 is not None:
        y[14] = y15  # R's y[15]
    result = spc(y, "increase", options=SpcOptions(screen_outliers=screen))
    assert (_r(result.mean[0]), _r(result.lpl[0]), _r(result.upl[0])) == (mean, lpl, upl)
    assert len(set(result.upl)) == 1  # one segment, one set of limits


def test_upper_limit_uses_2_66_not_3_over_d2() -> None:
    lim = limits([0, 1] * 10)
    assert lim.mr_bar == 1
    assert lim.upl == pytest.approx(lim.mean + 2.66)
    assert lim.upper_2s == pytest.approx(lim.mean + 2 * 2.66 / 3)


DEVIATIONS = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]  # vignettes/deviations.Rmd


@pytest.mark.parametrize(("screen", "upl", "lpl"), [(True, "4.60", "-0.72"), (False, "6.95", "-3.06")])
def test_deviations_vignette(screen: bool, upl: str, lpl: str) -> None:
    result = spc(DEVIATIONS, "increase", options=SpcOptions(screen_outliers=screen))
    assert (f"{result.upl[0]:.2f}", f"{result.mean[0]:.2f}", f"{result.lpl[0]:.2f}") == (upl, "1.94", lpl)
    # point 5 is "Above UCL" in both
    assert (result.rule[4], result.direction[4], result.point_type[4]) == (
        "outside",
        1,
        "special_cause_improvement",
    )
    assert [r for i, r in enumerate(result.rule) if i != 4] == [None] * 17


def test_mdc_default_does_not_screen() -> None:
    assert SpcOptions().screen_outliers is False
    assert f"{spc(DEVIATIONS, 'increase').upl[0]:.2f}" == "6.95"


@pytest.mark.parametrize("screen", [True, False])
@pytest.mark.parametrize("includes_outside", [True, False])
def test_close_points_on_opposite_sides_are_common_cause(screen: bool, includes_outside: bool) -> None:
    # test-ptd_spc_standard.R, last test: (1, -1) x 8 with y15 = 5.5 and y16 = -5.5
    y = [1, -1] * 8
    y[14], y[15] = 5.5, -5.5
    opts = SpcOptions(screen_outliers=screen, two_sigma_includes_outside=includes_outside)
    result = spc(y, "increase", options=opts)
    assert result.upper_2s[0] < 5.5 < result.upl[0]  # both are close to (opposite) limits
    assert result.point_type[-2:] == ["common_cause", "common_cause"]


# --- polarity, precedence and conflicts ----------------------------------------------------------------

UP_SHIFT = [0.5, -0.5] * 7 + [1.0, 1.2, 0.9, 1.1, 1.0, 1.2, 0.9]
DOWN_SHIFT = [-v for v in UP_SHIFT]


@pytest.mark.parametrize(
    ("values", "improvement", "point_type", "icon"),
    [
        (UP_SHIFT, "increase", "special_cause_improvement", "improvement_high"),
        (UP_SHIFT, "decrease", "special_cause_concern", "concern_high"),
        (UP_SHIFT, "neutral", "special_cause_neutral_high", "neutral_high"),
        (DOWN_SHIFT, "increase", "special_cause_concern", "concern_low"),
        (DOWN_SHIFT, "decrease", "special_cause_improvement", "improvement_low"),
        (DOWN_SHIFT, "neutral", "special_cause_neutral_low", "neutral_low"),
    ],
)
def test_polarity(values: list[float], improvement: str, point_type: str, icon: str) -> None:
    result = spc(values, improvement)  # type: ignore[arg-type]
    assert result.rule[:14] == [None] * 14
    assert result.rule[14:] == ["shift"] * 7
    assert result.point_type[14:] == [point_type] * 7
    assert result.variation_icon == icon


@pytest.mark.parametrize(
    ("values", "improvement", "sentence"),
    [
        (
            UP_SHIFT,
            "increase",
            "7 points in a row above the mean (rule: shift); improvement because higher is better",
        ),
        (
            UP_SHIFT,
            "decrease",
            "7 points in a row above the mean (rule: shift); concern because lower is better",
        ),
        (
            DOWN_SHIFT,
            "decrease",
            "7 points in a row below the mean (rule: shift); improvement because lower is better",
        ),
        (
            UP_SHIFT,
            "neutral",
            "7 points in a row above the mean (rule: shift); "
            "neither improvement nor concern because no improvement direction is set",
        ),
        (
            [0.5, -0.5] * 10,
            "increase",
            "no special-cause rule fires for the latest point, so the variation is common cause",
        ),
    ],
)
def test_explain(values: list[float], improvement: str, sentence: str) -> None:
    assert spc(values, improvement).explain() == sentence  # type: ignore[arg-type]


def test_explain_outside_trend_and_assurance() -> None:
    assert spc([*DEVIATIONS[:17], 10], "decrease").explain() == (
        "the latest point is above the upper process limit (rule: outside); concern because lower is better"
    )
    falling = [0, 8, 0, 8, 0, 8, 7, 6, 5, 4, 3, 2, 1]
    assert spc(falling, "increase").explain().startswith("7 points in a row falling (rule: trend); concern")
    assert (
        spc([50, 52] * 10, "increase", target=60)
        .explain()
        .endswith("against the target 60 the process always fails")
    )


# A dip below the lower limit that starts a 7-point rise: concern by "outside", improvement by "trend".
DIP = [0.5, -0.5] * 7 + [-6, -2, -1.5, -1, -0.5, 0, 0.4]


@pytest.mark.parametrize(
    ("improvement", "rule", "point_type"),
    [
        ("increase", "trend", "special_cause_improvement"),  # improvement wins the conflict (MDC, #194)
        ("decrease", "outside", "special_cause_improvement"),
        ("neutral", "outside", "special_cause_neutral_low"),  # no conflict: plain precedence
    ],
)
def test_improvement_wins_a_conflict(improvement: str, rule: str, point_type: str) -> None:
    result = spc(DIP, improvement)  # type: ignore[arg-type]
    assert DIP[14] < result.lpl[14]
    assert (result.rule[14], result.point_type[14]) == (rule, point_type)


def test_peak_point_takes_the_run_after_it_when_neutral() -> None:
    values = [0, 8, 0, 8, 0, 8, 1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1]  # peak at index 12, in both trends
    assert spc(values, "neutral").point_type[12] == "special_cause_neutral_low"  # R: step to the next point
    assert spc(values, "increase").point_type[12] == "special_cause_improvement"
    assert spc(values, "decrease").point_type[12] == "special_cause_improvement"
    assert spc(values, "increase").point_type[16:] == ["special_cause_concern"] * 3


def test_outside_takes_precedence_over_shift() -> None:
    values = [0.5, -0.5] * 7 + [1.0, 1.2, 0.9, 1.1, 1.0, 1.2, 9.0]
    result = spc(values, "increase")
    assert result.rule[14:] == ["shift"] * 6 + ["outside"]


# --- the 2-sigma rule: MDC (Nov 2023) vs R 0.2.2 --------------------------------------------------------

TWO_SIGMA = [0, 1] * 7 + [3.5, 5.5, 0.9, 0, 1, 0]


def test_two_sigma_includes_outside_changes_the_flags() -> None:
    mdc = spc(TWO_SIGMA, "increase")
    r_022 = spc(TWO_SIGMA, "increase", options=SpcOptions(two_sigma_includes_outside=False))
    assert mdc.upper_2s[14] < 3.5 < mdc.upl[14] < 5.5
    assert mdc.rule[14:16] == ["two_of_three", "outside"]
    assert mdc.point_type[14] == "special_cause_improvement"
    assert r_022.rule[14:16] == [None, "outside"]
    assert r_022.point_type[14] == "common_cause"
    assert SpcOptions().two_sigma_includes_outside is True


def test_shift_n_is_a_parameter() -> None:
    values = [0.5, -0.5] * 7 + [1.0, 1.2, 0.9, 1.1, 1.0, 1.2, -0.5]
    assert "shift" not in spc(values, "increase").rule
    assert spc(values, "increase", options=SpcOptions(shift_n=6)).rule[14:20] == ["shift"] * 6


# --- assurance -----------------------------------------------------------------------------------------

STABLE = [50, 52] * 10  # mean 51, MR-bar 2: limits 45.68 .. 56.32


@pytest.mark.parametrize(
    ("improvement", "target", "icon"),
    [
        ("increase", 60, "consistent_fail"),
        ("increase", 40, "consistent_pass"),
        ("increase", 51, "inconsistent"),
        ("decrease", 60, "consistent_pass"),
        ("decrease", 40, "consistent_fail"),
        ("decrease", 51, "inconsistent"),
        ("neutral", 60, None),
        ("increase", None, None),
    ],
)
def test_assurance(improvement: str, target: float | None, icon: str | None) -> None:
    result = spc(STABLE, improvement, target=target)  # type: ignore[arg-type]
    assert result.assurance_icon == icon
    assert result.variation_icon == "common_cause"


@pytest.mark.parametrize("improvement", ["increase", "decrease"])
def test_assurance_boundary_is_strict(improvement: str) -> None:
    # R uses strict > and <: a target exactly on a limit is "inconsistent". PowerBI-SPC #116 writes >=,
    # which would make these consistent; we keep R's.
    upl, lpl = spc(STABLE, "increase").upl[-1], spc(STABLE, "increase").lpl[-1]
    for on_limit in (upl, lpl):
        assert spc(STABLE, improvement, target=on_limit).assurance_icon == "inconsistent"  # type: ignore[arg-type]
    above = spc(STABLE, improvement, target=math.nextafter(upl, math.inf)).assurance_icon  # type: ignore[arg-type]
    below = spc(STABLE, improvement, target=math.nextafter(lpl, -math.inf)).assurance_icon  # type: ignore[arg-type]
    if improvement == "increase":
        assert (above, below) == ("consistent_fail", "consistent_pass")
    else:
        assert (above, below) == ("consistent_pass", "consistent_fail")


# --- segments, fixing, too few points ------------------------------------------------------------------

SEG_A = [5, 6, 5, 6, 5, 6, 5, 6, 5, 3, 4, 5, 6]  # ends with a 4-point rise ...
SEG_B = [7, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9]  # ... which continues for 3 points after the rebase


def test_rebase_segments_do_not_cross() -> None:
    whole = spc(SEG_A + SEG_B, "increase")
    rebased = spc(SEG_A + SEG_B, "increase", rebase_at=[13])
    assert whole.rule[9:16] == ["trend"] * 7  # one segment: the 7-point rise is a trend
    assert rebased.rule[9:16] == [None] * 7
    assert rebased.segment == [0] * 13 + [1] * 13
    assert rebased.short_group_warning == [False, False]
    # each segment is exactly what it would be on its own: own mean, own MR-bar, own rules
    a, b = spc(SEG_A, "increase"), spc(SEG_B, "increase")
    for name in ("mean", "upl", "lpl", "upper_2s", "lower_2s", "point_type", "rule"):
        assert getattr(rebased, name) == getattr(a, name) + getattr(b, name), name
    # the jump from the last point of A to the first of B is no moving range of B
    assert limits(SEG_B).mr_bar == pytest.approx((abs(7 - 8) + abs(8 - 9) + 10 * 1) / 12)


def test_rebase_validation() -> None:
    with pytest.raises(ValueError, match="rebase_at"):
        spc(SEG_A, "increase", rebase_at=[13])
    assert spc(SEG_A, "increase", rebase_at=[0]).segment == [0] * 13


def test_fix_after_n_points() -> None:
    values = [0.5, -0.5] * 6 + [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5]
    fixed = spc(values, "increase", options=SpcOptions(fix_after_n_points=12))
    assert fixed.mean == [0.0] * 20
    assert fixed.upl == [pytest.approx(2.66)] * 20
    assert fixed.rule[16:] == ["outside"] * 4
    assert spc(values, "increase").mean[0] == pytest.approx(1.1)  # unfixed: the rise pulls the mean up
    # fixing is per segment
    both = spc(values * 2, "increase", rebase_at=[20], options=SpcOptions(fix_after_n_points=12))
    assert both.mean[20:] == [0.0] * 20
    with pytest.raises(ValueError, match="at least 12"):
        SpcOptions(fix_after_n_points=11)


def test_too_few_points_give_no_icons() -> None:
    short = spc(STABLE[:12], "increase", target=60)
    assert (short.variation_icon, short.assurance_icon, short.short_group_warning) == (None, None, [True])
    assert short.point_type == ["common_cause"] * 12  # trial limits and rules are still computed
    assert short.explain().startswith("only 12 points in the latest segment")
    enough = spc(STABLE[:13], "increase", target=60)
    assert (enough.variation_icon, enough.assurance_icon, enough.short_group_warning) == (
        "common_cause",
        "consistent_fail",
        [False],
    )
    # a fresh rebase segment has trial limits: no icons until it has 13 points of its own
    rebased = spc(STABLE, "increase", target=60, rebase_at=[15])
    assert (rebased.variation_icon, rebased.short_group_warning) == (None, [False, True])


def test_single_point_and_bad_input() -> None:
    one = spc([3.0], "increase")
    assert one.mean == [3.0] and math.isnan(one.upl[0]) and one.point_type == ["common_cause"]
    for bad in ([], [1.0, math.nan]):
        with pytest.raises(ValueError):
            spc(bad, "increase")
    with pytest.raises(ValueError, match="improvement"):
        spc([1.0, 2.0], "up")  # type: ignore[arg-type]


def test_flat_series_is_common_cause_even_when_screening() -> None:
    result = spc([4.0] * 15, "increase", options=SpcOptions(screen_outliers=True))
    assert result.upl == [4.0] * 15 and result.point_type == ["common_cause"] * 15


def test_colours() -> None:
    assert COLOURS == {
        "common_cause": "#a6a6a6",
        "special_cause_improvement": "#00b0f0",
        "special_cause_concern": "#e46c0a",
        "special_cause_neutral": "#490092",
        "target": "#de1b1b",
    }
    assert point_colour("special_cause_neutral_low") == "#490092"
    assert point_colour("special_cause_concern") == "#e46c0a"


# --- properties ----------------------------------------------------------------------------------------

series = st.lists(st.integers(-(10**6), 10**6).map(lambda i: i / 64), min_size=2, max_size=40)


def _close(a: float, b: float, scale: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * (scale + 1))


@given(series, st.booleans())
def test_limits_are_symmetric_about_the_mean(values: list[float], screen: bool) -> None:
    r = spc(values, "increase", options=SpcOptions(screen_outliers=screen))
    scale = abs(r.mean[0]) + r.upl[0] - r.lpl[0]
    for i in range(len(values)):
        assert _close(r.upl[i] - r.mean[i], r.mean[i] - r.lpl[i], scale)
        assert _close(r.upper_2s[i] - r.mean[i], r.mean[i] - r.lower_2s[i], scale)


@given(
    st.lists(st.integers(-1000, 1000), min_size=2, max_size=40), st.integers(-(10**4), 10**4), st.booleans()
)
def test_adding_a_constant_shifts_mean_and_limits_only(values: list[int], c: int, screen: bool) -> None:
    opts = SpcOptions(screen_outliers=screen)
    r, s = spc(values, "increase", options=opts), spc([v + c for v in values], "increase", options=opts)
    lim = limits(values, screen_outliers=screen)
    assert limits([v + c for v in values], screen_outliers=screen).mr_bar == lim.mr_bar  # integer MRs: exact
    scale = abs(lim.mean) + abs(c) + 3 * lim.mr_bar
    for name in ("mean", "upl", "lpl", "upper_2s", "lower_2s"):
        assert all(_close(a + c, b, scale) for a, b in zip(getattr(r, name), getattr(s, name), strict=True))
    # the judgement depends only on positions relative to the lines (skip float near-ties on a limit)
    lines = (lim.upl, lim.lpl, lim.upper_2s, lim.lower_2s)
    assume(all(abs(v - line) > 1e-6 for v in values for line in lines))
    assert (r.point_type, r.rule) == (s.point_type, s.rule)


@given(series, st.floats(0.01, 100))
def test_scaling_scales_mr_bar_and_widths(values: list[float], k: float) -> None:
    base, scaled = limits(values), limits([k * v for v in values])
    assert _close(scaled.mr_bar, k * base.mr_bar, k * (abs(base.mean) + base.mr_bar))
    assert _close(scaled.mean, k * base.mean, k * (abs(base.mean) + base.mr_bar))
    r, s = spc(values, "increase"), spc([k * v for v in values], "increase")
    width = r.upl[0] - r.lpl[0]
    assert _close(s.upl[0] - s.lpl[0], k * width, k * (abs(r.mean[0]) + width))


@given(series, st.integers(-10, 10))
def test_scaling_by_a_power_of_two_is_exact_even_when_screening(values: list[float], e: int) -> None:
    k = 2.0**e
    opts = SpcOptions(screen_outliers=True)
    base, scaled = limits(values, screen_outliers=True), limits([k * v for v in values], screen_outliers=True)
    assert (scaled.mean, scaled.mr_bar) == (k * base.mean, k * base.mr_bar)
    r, s = spc(values, "increase", options=opts), spc([k * v for v in values], "increase", options=opts)
    assert (r.point_type, r.rule) == (s.point_type, s.rule)


# --- strict comparisons, pinned with values exactly on a line ------------------------------------------

BASE_12 = [0.5, -0.5] * 6  # mean 0, MR-bar 1
FIX_12 = SpcOptions(fix_after_n_points=12)  # later points cannot move the lines they are tested against


def test_a_point_exactly_on_a_process_limit_is_not_outside() -> None:
    lim = limits(BASE_12)
    on, beyond = (
        spc([*BASE_12, lim.upl], "increase", options=FIX_12),
        spc([*BASE_12, math.nextafter(lim.upl, math.inf)], "increase", options=FIX_12),
    )
    assert (on.rule[12], beyond.rule[12]) == (None, "outside")
    low = spc([*BASE_12, lim.lpl], "increase", options=FIX_12)
    assert low.rule[12] is None


def test_a_point_exactly_on_the_2_sigma_line_is_not_close() -> None:
    u2 = limits(BASE_12).upper_2s
    on = spc([*BASE_12, u2, 2.0, 0.5], "increase", options=FIX_12)
    beyond = spc([*BASE_12, math.nextafter(u2, math.inf), 2.0, 0.5], "increase", options=FIX_12)
    assert on.rule[12:] == [None, None, None]
    assert beyond.rule[12:] == ["two_of_three", "two_of_three", None]


def test_screening_keeps_only_moving_ranges_strictly_below_3_267_mr_bar() -> None:
    big = 13.37107776261936  # with three MRs of 1, exactly 3.267 * MR-bar in floating point
    assert big == 3.267 * ((big + 3) / 4)
    assert limits([big, 0, 1, 0, 1], screen_outliers=True).mr_bar == 1.0  # the tie is dropped
    assert limits([big, 0, 1, 0, 1]).mr_bar == pytest.approx((big + 3) / 4)
