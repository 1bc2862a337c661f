"""Front door: referrals, re-referrals, NFA, assessments in 45 working days. Every expected value is worked by hand."""

from __future__ import annotations

import pytest

from canonical_rows import LA, Store
from csc_scorecard.catalogue import CatalogueError
from csc_scorecard.periods import parse_period, window

POP_2016 = 66044  # ONS 0-17 mid-2016 for Walsall (reference/ees)


@pytest.fixture
def referrals(tmp_path) -> Store:
    """Four children's referrals across the 2015-16 and 2016-17 returns.

    X: 2015-06-10 and 2016-06-10: exactly 12 months apart, a re-referral (same date a year earlier counts).
    Y: 2015-06-09 and 2016-06-10: 12 months and a day, not a re-referral.
    Z: 2016-05-01 (first) and 2016-08-01 (re-referral, 3 months later).
    W: 2016-02-29 and 2017-02-28: a year before 2017-02-28 is 2016-02-28, and 2016-02-29 is after it: a
       re-referral.
    """
    s = Store(tmp_path)
    rows = [
        ("X", "2015-06-10", "2015-16", "1C", False),
        ("Y", "2015-06-09", "2015-16", "2A", False),
        ("W", "2016-02-29", "2015-16", "6", False),
        ("X", "2016-06-10", "2016-17", "1C", True),
        ("Y", "2016-06-10", "2016-17", "2A", False),
        ("Z", "2016-05-01", "2016-17", "6", True),
        ("Z", "2016-08-01", "2016-17", "3A", False),
        ("W", "2017-02-28", "2016-17", "6", False),
    ]
    for child, date, year, source, nfa in rows:
        s.add(
            "cin_episodes", year, child_id=child, referral_date=date, referral_source=source, referral_nfa=nfa
        )
    # X is 364 days old on 2016-06-10 (under 1); Y turns 4 that day; Z turns 16 on 2016-08-01 (15 on 05-01);
    # W, born 29 February 2008, is 9 on 28 February 2017 (the anniversary of a 29 February is 28 February).
    s.child("X", "2015-06-11", disabilities=["NONE"])
    s.child("Y", "2012-06-10", sex="F", ethnicity="BAFR", disabilities=["AUT", "LD"])
    s.child("Z", "2000-08-01", ethnicity="MWBC")
    s.child("W", "2008-02-29", sex="F", ethnicity="CHNE", disabilities=["NONE"])
    return s


def test_referrals_count_and_each_period_type(referrals):
    # 2016-17: X 06-10, Y 06-10, Z 05-01, Z 08-01, W 2017-02-28 = 5 (each referral counts, not each child).
    assert referrals.result("referrals_count", "2016-17").value == 5.0
    # Year to date at Q1 (Apr-Jun 2016): Z 05-01, X, Y = 3; at Q3 (Apr-Dec): + Z 08-01 = 4.
    assert referrals.result("referrals_count", "2016-17Q1").numerator == 3
    assert referrals.result("referrals_count", "2016-17Q3").numerator == 4
    # Month 2016-06: X and Y.
    assert referrals.result("referrals_count", "2016-06").numerator == 2
    # Rolling 12 months to December 2016 (Jan-Dec 2016): W 02-29, Z 05-01, X, Y, Z 08-01 = 5.
    assert referrals.result("referrals_count", "R12:2016-12").numerator == 5
    # From 1 May to 15 August 2016: Z 05-01, X, Y, Z 08-01 = 4.
    assert referrals.result("referrals_count", window(*_dates("2016-05-01", "2016-08-15"))).numerator == 4
    # 2015-16: X, Y, W = 3.
    assert referrals.result("referrals_count", "2015-16").numerator == 3


def test_window_without_a_return_is_not_covered(referrals):
    # No 2014-15 census is loaded: the figure is unknown, not zero.
    result = referrals.result("referrals_count", "2014-15")
    assert (result.numerator, result.value) == (None, None)
    assert result.notes == "not covered: needs the 2014-15 CIN census"
    # R12 to June 2015 needs both 2014-15 and 2015-16.
    r12 = referrals.result("referrals_count", "R12:2015-06")
    assert (r12.value, r12.notes) == (None, "not covered: needs the 2014-15 CIN census")


def test_re_referrals_12_months_calendar(referrals):
    # 2016-17 re-referrals: X (exactly 12 months), Z 08-01, W 2017-02-28 = 3 of 5 = 60%. Y (12 months and a day)
    # and Z's first referral are not. X's and Y's earlier referrals are only in the 2015-16 return.
    result = referrals.result("re_referrals_12m_pct", "2016-17")
    assert (result.numerator, result.denominator, result.value) == (3, 5, 60.0)
    # Q1 2016-17 (April-June): X 06-10 of X, Y, Z 05-01: its look-back starts 1 April 2015, in 2015-16: 1 of 3.
    q1 = referrals.result("re_referrals_12m_pct", "2016-17Q1")
    assert (q1.numerator, q1.denominator) == (1, 3)


def test_re_referrals_withheld_in_the_first_loaded_year(referrals):
    # 2015-16 is the first census loaded: its referrals' earlier ones (back to 1 April 2014) would be in the
    # 2014-15 census. Computed without it every 2015-16 referral would look like a first one (0 of 3); the
    # figure is withheld instead, naming the return to load.
    result = referrals.result("re_referrals_12m_pct", "2015-16")
    assert (result.numerator, result.denominator, result.value) == (None, None, None)
    assert (
        result.notes
        == "withheld: needs the 2014-15 CIN census (earlier referrals in the 12 months before each referral)"
    )
    # The referral count needs no look-back: 2015-16 is computed.
    assert referrals.result("referrals_count", "2015-16").value == 3.0
    # A month needs the 12 months before it: March 2016 reaches back to March 2015 (2014-15): withheld;
    # April 2016's look-back (from 1 April 2015) is all in 2015-16: computed.
    assert referrals.result("re_referrals_12m_pct", "2016-03").notes.startswith("withheld: needs the 2014-15")
    assert (
        referrals.result("re_referrals_12m_pct", "2016-04").notes
        == "undefined: no records in the denominator (0 ÷ 0)"
    )
    # R12 to December 2016 (January-December 2016) looks back to January 2015: withheld.
    assert referrals.result("re_referrals_12m_pct", "R12:2016-12").value is None
    # Loading the 2014-15 census (a return with no referrals at all) releases 2015-16: 0 of 3.
    referrals.loaded("cin", "2014-15")
    released = referrals.result("re_referrals_12m_pct", "2015-16")
    assert (released.numerator, released.denominator, released.value, released.notes) == (0, 3, 0.0, "")


def test_referrals_nfa(referrals):
    # 2016-17: X 2016-06-10 and Z 2016-05-01 are NFA: 2 of 5 = 40%.
    result = referrals.result("referrals_nfa_pct", "2016-17")
    assert (result.numerator, result.denominator, result.value) == (2, 5, 40.0)


def test_referrals_rate_uses_mid_year_population(referrals):
    # 5 referrals / 66,044 children x 10,000 = 0.75707...; the window ends in 2016-17, so mid-2016.
    result = referrals.result("referrals_rate", "2016-17")
    assert (result.numerator, result.denominator, result.population_year) == (5, POP_2016, 2016)
    assert result.value == pytest.approx(5 / POP_2016 * 10000)
    assert result.notes == "population mid-2016 (ONS MYE 0-17 (EES))"


def test_referrals_rate_annualised_by_option(referrals):
    # Q1 (1 April - 30 June 2016, 91 days): 3 referrals. Not annualised by default; annualised x 365/91
    # (the year from 1 April 2016 to 1 April 2017 has 365 days).
    plain = referrals.result("referrals_rate", "2016-17Q1")
    assert plain.value == pytest.approx(3 / POP_2016 * 10000)
    annual = referrals.result("referrals_rate", "2016-17Q1", options={"referrals_rate": {"annualise": True}})
    assert annual.value == pytest.approx(3 / POP_2016 * 10000 * 365 / 91)
    assert "annualised (x 4.0110)" in annual.notes


def test_rate_after_the_latest_estimate_falls_back_and_says_so(tmp_path):
    # A 2025-26 window wants mid-2025, which is not published: mid-2024 (the latest) is used and named.
    s = Store(tmp_path)
    s.add("cin_episodes", "2025-26", child_id="A", referral_date="2025-05-01")
    result = s.result("referrals_rate", "2025-26")
    assert result.population_year == 2024
    assert "mid-2024" in result.notes and "mid-2025 is not available" in result.notes
    assert result.value == pytest.approx(1 / result.denominator * 10000)


def test_rate_with_no_population_estimate_says_why(tmp_path):
    # An LA code with no ONS 0-17 estimate at all (999 is not an English LA): the count is known, the rate is
    # not, and the note says which estimate is missing rather than leaving a silent blank.
    s = Store(tmp_path)
    s.add("cin_episodes", la_code="999", child_id="A", referral_date="2016-05-01")
    (result,) = s.results("referrals_rate", "2016-17")
    assert (result.la_code, result.numerator, result.denominator, result.value) == ("999", 1, None, None)
    assert result.notes == "no ONS 0-17 population estimate for LA 999 for mid-2016 or earlier"


def test_referrals_by_age_band_at_the_referral_date(referrals):
    # At each referral date: X 0 (under 1), Y 4, Z 15 then 16, W 9 (29 February birthday reached on 28 Feb).
    groups = referrals.by_group("referrals_count", "2016-17", "age_band")
    assert {k: v[0] for k, v in groups.items()} == {
        "Under 1": 1,
        "1 to 4": 1,
        "5 to 9": 1,
        "10 to 15": 1,
        "16 and over": 1,
    }


def test_referrals_by_child_characteristics(referrals):
    assert {k: v[0] for k, v in referrals.by_group("referrals_count", "2016-17", "sex").items()} == {
        "Male": 3,
        "Female": 2,
    }
    # CHNE is grouped with Other (DfE's "Chinese or other ethnic group").
    groups = referrals.by_group("referrals_count", "2016-17", "ethnicity_group")
    assert {k: v[0] for k, v in groups.items()} == {
        "White": 1,
        "Black": 1,
        "Mixed": 2,
        "Other": 1,
    }
    # X and W: only NONE; Y: AUT and LD; Z: no list.
    assert {k: v[0] for k, v in referrals.by_group("referrals_count", "2016-17", "disability").items()} == {
        "None": 2,
        "Any": 1,
        "Not recorded": 2,
    }
    # Sources: X 1C (individual), Y 2A (schools), Z 6 (police) and 3A (health), W 6 (police).
    groups = referrals.by_group("re_referrals_12m_pct", "2016-17", "referral_source")
    assert groups == {
        "Individual": (1, 1, 100.0),
        "Schools": (0, 1, 0.0),
        "Police": (1, 2, 50.0),
        "Health services": (1, 1, 100.0),
    }


def test_unsupported_breakdown_is_a_clear_error(referrals):
    with pytest.raises(CatalogueError, match="indicator referrals_nfa_pct has no breakdown 'placement_type'"):
        referrals.results("referrals_nfa_pct", "2016-17", breakdown="placement_type")


@pytest.fixture
def assessments(tmp_path) -> Store:
    """Assessments authorised in 2016-17 and April 2017.

    From Monday 14 November 2016 the working days after the start are: 12 to 30 Nov, 2 on 1-2 Dec (14),
    5-23 Dec (29), then 26 and 27 Dec (Boxing Day, Christmas substitute) are bank holidays, 28-30 Dec (32),
    2 Jan 2017 is a bank holiday, 3-6 Jan (36), 9-13 Jan (41), 16-19 Jan (45), 20 Jan (46).
    From Monday 20 February 2017: 21 Feb-13 Apr is 38 working days, 14 Apr (Good Friday) and 17 Apr (Easter
    Monday) are holidays, 18-21 Apr (42), 24-26 Apr (45), 27 Apr (46).
    Saturday 1 October 2016 rolls forward to Monday 3 October: 4-7 Oct (4) ... 28 Nov-2 Dec (44), 5 Dec (45);
    counted from the Saturday itself it would be 46.
    """
    s = Store(tmp_path)
    rows = [
        ("A", "2016-11-14", "2017-01-19", "2016-17"),  # 45: within
        ("B", "2016-11-14", "2017-01-20", "2016-17"),  # 46: not within
        ("C", "2016-06-01", "2016-06-01", "2016-17"),  # same day: 0
        ("D", "2016-10-01", "2016-12-05", "2016-17"),  # Saturday start: 45
        ("E", "2017-03-01", None, "2016-17"),  # not authorised: not counted
        ("F", "2016-02-01", "2016-03-31", "2015-16"),  # authorised in 2015-16
        ("G", "2017-02-20", "2017-04-26", "2017-18"),  # across Easter: 45
        ("H", "2017-02-20", "2017-04-27", "2017-18"),  # across Easter: 46
    ]
    for child, start, authorised, year in rows:
        s.add(
            "cin_episodes", year, child_id=child, referral_date=start, referral_source="5A", primary_need="N1"
        )
        s.add(
            "assessments",
            year,
            child_id=child,
            referral_date=start,
            start_date=start,
            authorised_date=authorised,
        )
    return s


def test_assessments_45_working_days_across_christmas(assessments):
    # 2016-17: A (45), B (46), C (0), D (45): 3 of 4 within 45 working days = 75%.
    result = assessments.result("assessments_45wd_pct", "2016-17")
    assert (result.numerator, result.denominator, result.value) == (3, 4, 75.0)


def test_assessments_45_working_days_across_easter(assessments):
    # April 2017: G (45) within, H (46) not: 50%.
    result = assessments.result("assessments_45wd_pct", "2017-04")
    assert (result.numerator, result.denominator, result.value) == (1, 2, 50.0)


def test_assessments_completed_are_those_authorised_in_the_window(assessments):
    # 2016-17: A, B, C and D authorised (E not yet, F in 2015-16); April 2017: G and H; March 2017: none;
    # April to December 2016 (2016-17Q3): C (June) and D (December), A and B being authorised in January.
    for period, count in (("2016-17", 4), ("2017-04", 2), ("2017-03", 0), ("2016-17Q3", 2)):
        assert assessments.result("assessments_count", period).value == count, period


def test_assessment_durations_in_drill_through(assessments):
    from csc_scorecard.engine import explain

    explanation = explain(assessments.con, "assessments_45wd_pct", parse_period("2016-17"), LA)
    durations = {r["child_id"]: r["working_days_to_authorisation"] for r in explanation.denominator_records}
    assert durations == {"A": 45, "B": 46, "C": 0, "D": 45}
    assert sorted(r["child_id"] for r in explanation.numerator_records) == ["A", "C", "D"]
    assert all(r["load_id"] == 1 and r["src_line"] > 0 for r in explanation.denominator_records)
    assert "ref_calendar" in explanation.sql and "working_day_number" in explanation.sql
    assert (explanation.results[0].numerator, explanation.results[0].denominator) == (3, 4)


def test_every_la_in_the_store_is_computed_unless_restricted(referrals):
    referrals.add("cin_episodes", "2016-17", la_code="384", child_id="Q", referral_date="2016-07-01")
    both = referrals.results("referrals_count", "2016-17")
    assert {(r.la_code, r.numerator) for r in both} == {("335", 5), ("384", 1)}
    only = referrals.results("referrals_count", "2016-17", la_codes=["384"])
    assert [(r.la_code, r.numerator) for r in only] == [("384", 1)]


def _dates(start: str, end: str):
    from canonical_rows import d

    return d(start), d(end)
