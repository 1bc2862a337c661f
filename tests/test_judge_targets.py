"""Targets file: the documented example, which target applies on a date, and every validation message."""

from __future__ import annotations

import datetime as dt

import pytest

from csc_scorecard.examples import TARGETS as EXAMPLE_TARGETS
from csc_scorecard.judge.targets import Target, TargetsError, load_targets, parse_targets

D = dt.date
EXAMPLE = EXAMPLE_TARGETS


def problems(text: str, **kwargs) -> list[str]:
    with pytest.raises(TargetsError) as e:
        parse_targets(text, "t.toml", **kwargs)
    return e.value.problems


def test_documented_example_loads_and_picks_the_target_valid_at_the_period_end():
    targets = load_targets(EXAMPLE)
    assert len(targets) == 19
    rr = "re_referrals_12m_pct"
    first = targets.target_for("335", rr, D(2016, 12, 31))
    assert first == Target(
        "335", rr, 22.0, 2.0, D(2016, 4, 1), D(2017, 3, 31),
        "Agreed by the Performance and Improvement Board, March 2016", f"{EXAMPLE}, target 2 ({rr})",
    )  # fmt: skip
    assert targets.target_for("335", rr, D(2017, 3, 31)).value == 22.0  # valid_to is inclusive
    assert targets.target_for("335", rr, D(2017, 4, 1)).value == 20.0
    assert targets.target_for("335", rr, D(2030, 3, 31)).value == 20.0  # open-ended
    assert targets.target_for("335", rr, D(2016, 3, 31)).value == 24.0  # the earlier entry
    assert targets.target_for("335", rr, D(2013, 3, 31)) is None  # before any valid_from
    assert targets.target_for("336", rr, D(2016, 12, 31)) is None  # another LA
    assert targets.target_for("335", "adoption_a1_days", D(2016, 12, 31)).tolerance == 0.0


def test_entry_la_overrides_the_default_and_dates_may_be_quoted_and_tolerance_defaults_to_zero():
    targets = parse_targets(
        'la = "335"\n'
        '[[target]]\nindicator = "cla_missing_pct"\nvalue = 10\nvalid_from = "2016-04-01"\n'
        '[[target]]\nla = "201"\nindicator = "cla_missing_pct"\nvalue = 8.5\ntolerance = 1\nvalid_from = 2016-04-01\n'
    )
    assert targets.target_for("335", "cla_missing_pct", D(2017, 1, 1)).value == 10.0
    assert targets.target_for("335", "cla_missing_pct", D(2017, 1, 1)).tolerance == 0.0
    assert targets.target_for("201", "cla_missing_pct", D(2017, 1, 1)).value == 8.5


def test_every_problem_in_a_file_is_listed_naming_file_entry_field_and_rule():
    text = """
la = "335"
colour = "blue"

[[target]]
indicator = "re_referrals_12m_pct"
value = "22%"
tolerance = -1
valid_from = 2016-04-01T09:00:00
tolerence = 2

[[target]]
la = 335
indicator = "Re-referrals"
valid_from = 2017-04-01
valid_to = 2017-03-31
"""
    assert problems(text) == [
        "t.toml: unknown top-level key 'colour' (allowed: la, and [[target]] tables)",
        "t.toml, target 1 (re_referrals_12m_pct): tolerence = 2: unknown key (allowed: indicator, la, note, "
        "tolerance, valid_from, valid_to, value)",
        "t.toml, target 1 (re_referrals_12m_pct): value = '22%': must be a number (no quotes, no % sign)",
        "t.toml, target 1 (re_referrals_12m_pct): tolerance = -1: must be 0 or more (it is a distance from the "
        "target, in the indicator's unit)",
        "t.toml, target 1 (re_referrals_12m_pct): valid_from = 2016-04-01T09:00:00: must be a "
        "date without a time, like 2016-04-01",
        't.toml, target 2 (Re-referrals): la = 335: must be a 3-digit LA code in quotes, e.g. "335"',
        "t.toml, target 2 (Re-referrals): indicator = 'Re-referrals': required: an indicator id such as "
        "re_referrals_12m_pct",
        "t.toml, target 2 (Re-referrals): value: required: a number",
        "t.toml, target 2 (Re-referrals): valid_to = 2017-03-31: is before valid_from (2017-04-01)",
    ]


def test_missing_la_without_a_default_and_unknown_indicator_against_the_catalogue():
    text = '[[target]]\nindicator = "re_referrals_12m_pct"\nvalue = 22\nvalid_from = 2016-04-01\n'
    assert problems(text) == [
        't.toml, target 1 (re_referrals_12m_pct): la: required (or give a top-level la = "335" for every entry)'
    ]
    text = 'la = "335"\n' + text
    assert problems(text, known_indicators={"cla_count"}) == [
        "t.toml, target 1 (re_referrals_12m_pct): indicator = 're_referrals_12m_pct': not an indicator in the "
        "catalogue"
    ]
    assert len(parse_targets(text, known_indicators={"re_referrals_12m_pct"})) == 1


def test_overlapping_targets_for_the_same_la_and_indicator_are_rejected():
    entry = '[[target]]\nindicator = "cla_missing_pct"\nvalue = {v}\nvalid_from = {f}\n{to}\n'
    text = 'la = "335"\n' + entry.format(v=10, f="2016-04-01", to="valid_to = 2017-03-31")
    text += entry.format(v=9, f="2017-03-31", to="")  # starts on the last day of the first: overlap
    assert problems(text) == [
        "t.toml, target 2 (cla_missing_pct): overlaps target 1 (cla_missing_pct) for LA 335 "
        "(valid 2017-03-31 to open-ended v 2016-04-01 to 2017-03-31): end the earlier one with valid_to"
    ]
    fixed = text.replace("valid_from = 2017-03-31", "valid_from = 2017-04-01")
    assert len(parse_targets(fixed)) == 2


def test_toml_syntax_errors_and_missing_files_name_the_file(tmp_path):
    [problem] = problems('la = "335"\n[[target]\n')
    assert problem.startswith("t.toml: not valid TOML: ") and "line 2" in problem
    with pytest.raises(TargetsError, match=r"nope\.toml: no such targets file"):
        load_targets(tmp_path / "nope.toml")
    assert problems('target = "x"') == ["t.toml: 'target' must be an array of tables, written [[target]]"]
