"""RAG against target and tolerance: every rule, both polarities, neutral, missing target, display rounding."""

from __future__ import annotations

import datetime as dt

import pytest

from csc_scorecard.judge.indicator import IndicatorMeta
from csc_scorecard.judge.rag import rag
from csc_scorecard.judge.targets import Target

LOWER = IndicatorMeta("re_referrals_12m_pct", "Re-referrals", "Front door", "percent", "lower", "flow")
HIGHER = IndicatorMeta(
    "assessments_45wd_pct", "Assessments in 45 days", "Front door", "percent", "higher", "flow"
)
NEUTRAL = IndicatorMeta("referrals_nfa_pct", "Referrals with NFA", "Front door", "percent", "neutral", "flow")
DAYS = IndicatorMeta("adoption_a1_days", "A1", "Adoption", "days", "lower", "flow")


def target(value: float, tolerance: float) -> Target:
    return Target("335", "x", value, tolerance, dt.date(2016, 4, 1), None)


@pytest.mark.parametrize(
    ("meta", "value", "tolerance", "status", "rule"),
    [
        (LOWER, 21.7, 2.0, "green", "Green: 21.7% is at or below the target 22.0% (lower is better)"),
        (LOWER, 22.0, 2.0, "green", "Green: 22.0% is at or below the target 22.0% (lower is better)"),
        # 22.04 is shown as 22.0%, and judged as shown
        (LOWER, 22.04, 2.0, "green", "Green: 22.0% is at or below the target 22.0% (lower is better)"),
        # 22.05 rounds half up to 22.1%
        (LOWER, 22.05, 2.0, "amber",
         "Amber: 22.1% is above the target 22.0% but within the tolerance of 2.0 percentage points (up to 24.0%) "
         "(lower is better)"),
        (LOWER, 24.0, 2.0, "amber",
         "Amber: 24.0% is above the target 22.0% but within the tolerance of 2.0 percentage points (up to 24.0%) "
         "(lower is better)"),
        (LOWER, 24.1, 2.0, "red",
         "Red: 24.1% is above the target 22.0% by more than the tolerance of 2.0 percentage points (24.0%) "
         "(lower is better)"),
        (LOWER, 22.1, 0.0, "red", "Red: 22.1% is above the target 22.0%, and no tolerance is set (lower is better)"),
        (HIGHER, 85.0, 5.0, "green", "Green: 85.0% is at or above the target 85.0% (higher is better)"),
        (HIGHER, 91.2, 5.0, "green", "Green: 91.2% is at or above the target 85.0% (higher is better)"),
        (HIGHER, 80.0, 5.0, "amber",
         "Amber: 80.0% is below the target 85.0% but within the tolerance of 5.0 percentage points (down to 80.0%) "
         "(higher is better)"),
        (HIGHER, 79.9, 5.0, "red",
         "Red: 79.9% is below the target 85.0% by more than the tolerance of 5.0 percentage points (80.0%) "
         "(higher is better)"),
        (DAYS, 440.4, 20, "amber",
         "Amber: 440 days is above the target 426 days but within the tolerance of 20 days (up to 446 days) "
         "(lower is better)"),
        (DAYS, 446.6, 20, "red",
         "Red: 447 days is above the target 426 days by more than the tolerance of 20 days (446 days) "
         "(lower is better)"),
    ],
)  # fmt: skip
def test_rag_rules(meta, value, tolerance, status, rule):
    t = target(426 if meta is DAYS else 85.0 if meta is HIGHER else 22.0, tolerance)
    result = rag(meta, value, t)
    assert (result.status, result.rule) == (status, rule)
    assert result.target is t


def test_neutral_missing_target_and_missing_value_give_no_rag_and_say_why():
    t = target(22.0, 2.0)
    neutral = rag(NEUTRAL, 21.7, t)
    assert neutral.status is None
    assert neutral.rule == (
        "No RAG: Referrals with NFA is neutral (neither higher nor lower is better), so no target applies"
    )
    assert rag(LOWER, 21.7, None).rule == "No RAG: no target set"
    assert rag(LOWER, 21.7, None).status is None
    assert rag(LOWER, None, t).rule == "No RAG: there is no value for this period"
