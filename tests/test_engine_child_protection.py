"""Children in need and child protection: S47, ICPC timeliness, CIN and CP stocks, plan starts and endings."""

from __future__ import annotations

import pytest

from canonical_rows import Store, d
from csc_scorecard.periods import window

POP_2016 = 66044


@pytest.fixture
def section47(tmp_path) -> Store:
    """S47 enquiries. From Monday 12 December 2016: 13-16 Dec (4), 19-23 Dec (9), 26-27 Dec holidays,
    28-30 Dec (12), 2 Jan holiday, 3 Jan (13), 4 Jan (14), 5 Jan (15), 6 Jan (16).
    From Sunday 20 March 2016 (rolled to Monday 21 March): 22-24 Mar (3), 25 Mar Good Friday and 28 Mar Easter
    Monday are holidays, 29 Mar-1 Apr (7), 4-5 Apr (9)."""
    s = Store(tmp_path)
    rows = [
        ("A", "2016-12-12", "2017-01-05"),  # conference on working day 15: within
        ("B", "2016-12-12", "2017-01-06"),  # working day 16: not within
        ("C", "2016-06-01", None),  # no conference (not required)
        ("D", "2016-03-20", "2016-04-05"),  # started in 2015-16, conference in 2016-17 after 9 working days
    ]
    for child, start, icpc in rows:
        s.add("cin_episodes", child_id=child, referral_date=start, referral_source="6")
        s.add("section47", child_id=child, referral_date=start, start_date=start, icpc_date=icpc)
    return s


def test_s47_count(section47):
    # Started in 2016-17: A, B, C (D started in March 2016).
    assert section47.result("s47_count", "2016-17").numerator == 3


def test_s47_icpc_within_15_working_days(section47):
    # Conferences held in 2016-17: A (15, within), B (16), D (9, within): 2 of 3.
    result = section47.result("s47_icpc_15wd_pct", "2016-17")
    assert (result.numerator, result.denominator) == (2, 3)
    assert result.value == pytest.approx(200 / 3)


@pytest.fixture
def episodes(tmp_path) -> Store:
    s = Store(tmp_path)
    rows = [
        ("A", "2016-01-01", None, False),  # open at 31 March 2017
        ("B", "2016-05-01", "2017-03-31", False),  # closed on the last day: not open at it
        ("C", "2016-05-01", "2017-04-01", False),  # closed the day after: open
        ("D", "2016-07-01", None, False),  # two open episodes: one child
        ("D", "2016-08-01", None, False),
        ("E", "2017-04-01", None, False),  # referred after the window
        (
            "F",
            "2016-06-01",
            None,
            True,
        ),  # open, from a referral marked NFA: not in need (LAIT CIN_Refferals_NFA)
        ("G", "2016-12-01", "2016-12-20", False, "RC8"),  # assessed not in need, closed: not open
        (
            "H",
            "2017-01-10",
            "2017-05-02",
            False,
            "RC8",
        ),  # open at 31 March 2017; a later return closes it RC8
    ]
    for child, referral, closure, nfa, *reason in rows:
        year = "2017-18" if max(referral, closure or "") >= "2017-04-01" else "2016-17"
        s.add(
            "cin_episodes",
            year,
            child_id=child,
            referral_date=referral,
            closure_date=closure,
            referral_nfa=nfa,
            closure_reason=reason[0] if reason else None,
        )
    return s


def test_cin_count_at_the_window_end(episodes):
    # 31 March 2017: A, C, D (once), H = 4. F's referral ended in no further action: not a child in need. G was
    # assessed not in need and closed. H was open: the 2016-17 census showed it open, as DfE counted it.
    assert episodes.result("cin_count", "2016-17").value == 4.0
    # 30 September 2016 (end of Q2): A, B, C, D = 4 (F left out).
    assert episodes.result("cin_count", "2016-17Q2").value == 4.0
    # 10 December 2016: G is open, not yet assessed not in need: A, B, C, D, G = 5.
    assert episodes.result("cin_count", window(d("2016-12-01"), d("2016-12-10"))).value == 5.0


def test_cin_count_nfa_option(episodes):
    # Counting open NFA episodes too, as the option allows, brings F back: 5.
    result = episodes.result("cin_count", "2016-17", options={"cin_count": {"exclude_nfa_referrals": False}})
    assert result.value == 5.0


def test_cin_rate(episodes):
    result = episodes.result("cin_rate", "2016-17")
    assert (result.numerator, result.denominator) == (4, POP_2016)
    assert result.value == pytest.approx(4 / POP_2016 * 10000)


@pytest.fixture
def plans(tmp_path) -> Store:
    s = Store(tmp_path)
    rows = [
        # child, start, end, NumberOfPreviousCPP, category, year. C's earlier plan is only in the 2014-15 return.
        ("C", "2014-05-01", "2015-01-01", 0, "NEG", "2014-15"),
        ("E1", "2014-06-15", "2016-06-15", 0, "EMO", "2016-17"),  # exactly 2 calendar years: 732 days
        ("E2", "2014-06-16", "2016-06-15", 0, "EMO", "2016-17"),  # 2 years less a day: 731 days
        ("A", "2016-01-10", None, 0, "NEG", "2016-17"),
        ("B", "2016-06-01", "2017-03-31", 1, "PHY", "2016-17"),  # second plan by NumberOfPreviousCPP
        ("C", "2017-03-31", None, 0, "SAB", "2016-17"),  # second plan by the earlier plan
        ("D", "2016-05-01", None, None, "NEG", "2016-17"),  # D's first plan
        ("D", "2016-07-01", None, None, "MUL", "2016-17"),  # D's second (overlapping) plan
    ]
    for child, start, end, previous, category, year in rows:
        s.add(
            "cp_plans",
            year,
            child_id=child,
            start_date=start,
            end_date=end,
            previous_plans=previous,
            initial_category=category,
        )
    return s


def test_cpp_count_and_rate(plans):
    # At 31 March 2017: A, C (started that day), D (two open plans, one child). B ended on that day.
    assert plans.result("cpp_count", "2016-17").value == 3.0
    rate = plans.result("cpp_rate", "2016-17")
    assert rate.value == pytest.approx(3 / POP_2016 * 10000)


def test_cpp_starts(plans):
    # Starting in 2016-17: B, C 2017-03-31, D twice = 4 plans.
    assert plans.result("cpp_starts_count", "2016-17").numerator == 4
    # By initial category: PHY (B), SAB (C), NEG and MUL (D).
    groups = plans.by_group("cpp_starts_count", "2016-17", "category_of_abuse")
    assert {k: v[0] for k, v in groups.items()} == {
        "Physical abuse": 1,
        "Sexual abuse": 1,
        "Neglect": 1,
        "Multiple": 1,
    }


def test_cpp_second_or_subsequent(plans):
    # B (NumberOfPreviousCPP 1), C (a 2014 plan), D's second: 3 of 4 = 75%. D's first is not.
    result = plans.result("cpp_second_pct", "2016-17")
    assert (result.numerator, result.denominator, result.value) == (3, 4, 75.0)


def test_cpp_lasting_two_years_is_more_than_729_days(plans):
    # Ending in 2016-17: E1 (732 days counting the day it ended), E2 (731: a day short of two calendar years,
    # but more than 729 days, as LAIT CPPlans2yrs counts), B (304): 2 of 3.
    result = plans.result("cpp_2yrs_ended_pct", "2016-17")
    assert (result.numerator, result.denominator) == (2, 3)
    assert result.value == pytest.approx(200 / 3)


def test_cpp_two_years_boundary_729_and_730_days(tmp_path):
    # From 1 April 2015: to 29 March 2017 is 729 days with the day of cessation (not more than 729: no); to 30
    # March 2017, 730 (yes).
    s = Store(tmp_path)
    s.add("cp_plans", child_id="P729", start_date="2015-04-01", end_date="2017-03-29")
    s.add("cp_plans", child_id="P730", start_date="2015-04-01", end_date="2017-03-30")
    result = s.result("cpp_2yrs_ended_pct", "2016-17")
    assert (result.numerator, result.denominator, result.value) == (1, 2, 50.0)


def test_cpp_two_years_from_29_february(tmp_path):
    # From 29 February 2016: to 27 February 2018 is 730 days with the day of cessation (counts, though short of
    # the 28 February anniversary); to 26 February 2018, 729 (does not).
    s = Store(tmp_path)
    s.add("cp_plans", "2017-18", child_id="L", start_date="2016-02-29", end_date="2018-02-27")
    s.add("cp_plans", "2017-18", child_id="M", start_date="2016-02-29", end_date="2018-02-26")
    result = s.result("cpp_2yrs_ended_pct", window(d("2018-02-01"), d("2018-03-31")))
    assert (result.numerator, result.denominator, result.value) == (1, 2, 50.0)


def test_a_cin_census_with_no_plans_gives_zero_not_a_gap(tmp_path):
    # A 2016-17 CIN census with referrals but no child protection plan at all: no plans is 0, for the count,
    # the rate and the starts; a percentage of no plans is undefined, and says so. 2015-16 is not loaded.
    s = Store(tmp_path)
    s.add("cin_episodes", child_id="A", referral_date="2016-05-01")
    for indicator_id in ("cpp_count", "cpp_rate", "cpp_starts_count"):
        result = s.result(indicator_id, "2016-17")
        assert (result.numerator, result.value) == (0, 0.0), indicator_id
    second = s.result("cpp_second_pct", "2016-17")
    assert (second.numerator, second.denominator, second.value) == (0, 0, None)
    assert second.notes == "undefined: no records in the denominator (0 ÷ 0)"
    gap = s.result("cpp_count", "2015-16")
    assert (gap.value, gap.notes) == (None, "not covered: needs the 2015-16 CIN census")
