"""Adoption A1/A2 and care leavers' accommodation and activity, worked by hand."""

from __future__ import annotations

import pytest

from canonical_rows import Store


@pytest.fixture
def adoptions(tmp_path) -> Store:
    s = Store(tmp_path)
    # AD1: in care 1 April 2014, placement order (E1) 1 October 2014, placed for adoption (A6) 1 June 2015,
    # matched 1 May 2015, adopted 30 September 2016.
    # A1 = 1 Apr 2014 -> 1 Jun 2015 = 365 + 61 = 426 days. A2 = 1 Oct 2014 -> 1 May 2015 = 212 days.
    s.episode("AD1", "2014-04-01", "S", "C1", "U4", dec="2014-10-01", rec="X1")
    s.episode("AD1", "2014-10-01", "L", "E1", "U4", dec="2015-06-01", rec="X1")
    s.episode("AD1", "2015-06-01", "P", "E1", "A6", dec="2016-09-30", rec="E11", year="2016-17")
    s.add("ad1", child_id="AD1", date_match="2015-05-01")
    # AD2: in care 10 January 2015, placement order 1 May 2015, matched 1 March 2015 (before the order: 0),
    # placed 1 December 2015, adopted 1 February 2017. A1 = 10 Jan 2015 -> 1 Dec 2015 = 325 days; A2 = 0.
    s.episode("AD2", "2015-01-10", "S", "C2", "U4", dec="2015-05-01", rec="X1")
    s.episode("AD2", "2015-05-01", "L", "E1", "U4", dec="2015-12-01", rec="X1")
    s.episode("AD2", "2015-12-01", "P", "E1", "A6", dec="2017-02-01", rec="E12", year="2016-17")
    s.add("ad1", child_id="AD2", date_match="2015-03-01")
    # AD3: adopted with consent, no placement order: in care 1 March 2015, placed 5 January 2016, adopted
    # 1 December 2016. A1 = 306 days to 1 January + 4 = 310; not in A2 (no court authority).
    s.episode("AD3", "2015-03-01", "S", "C2", "U4", dec="2016-01-05", rec="X1")
    s.episode("AD3", "2016-01-05", "P", "C2", "A3", dec="2016-12-01", rec="E11", year="2016-17")
    s.add("ad1", child_id="AD3", date_match="2015-12-01")
    # AD4: adopted in 2015-16: outside the window.
    s.episode("AD4", "2014-01-01", "S", "E1", "A6", dec="2016-03-15", rec="E11")
    s.add("ad1", child_id="AD4", date_match="2014-06-01")
    return s


def test_adoption_a1(adoptions):
    # (426 + 325 + 310) / 3 = 1061 / 3 = 353.67 days; the denominator is the number of children.
    result = adoptions.result("adoption_a1_days", "2016-17")
    assert (result.numerator, result.denominator) == (1061, 3)
    assert result.value == pytest.approx(1061 / 3)


def test_adoption_a2_match_before_authority_is_zero(adoptions):
    # (212 + 0) / 2 = 106 days; AD3 had no placement order.
    result = adoptions.result("adoption_a2_days", "2016-17")
    assert (result.numerator, result.denominator, result.value) == (212, 2, 106.0)


def test_adoption_with_no_adoptions_is_undefined(adoptions):
    # No adoption in April 2016: 0 children, the mean is undefined (not 0).
    result = adoptions.result("adoption_a1_days", "2016-04")
    assert (result.numerator, result.denominator, result.value) == (0, 0, None)


def test_ceased_adopted_counts_adoptions_among_leavers(adoptions):
    # Periods of care ending in 2016-17: AD1, AD2, AD3, all adopted: 100%.
    assert adoptions.result("ceased_adopted_pct", "2016-17").value == 100.0


@pytest.fixture
def leavers(tmp_path) -> Store:
    """OC3 records in the 2016-17 return (1 April 2016 to 31 March 2017) and the birthday each is about."""
    s = Store(tmp_path)
    rows = [
        # child, dob, IN_TOUCH, ACTIV, ACCOM
        ("CL1", "1997-04-01", "YES", "F1", "B1"),  # 19 on 1 April 2016 (the window's first day)
        ("CL2", "1996-03-31", "YES", "F4", "S2"),  # 21 on 31 March 2017 (its last day)
        ("CL3", "1995-03-31", "YES", "F1", "B1"),  # 22 in the year: outside both cohorts
        ("CL4", "1996-02-29", "NO", "0", "0"),  # 21 on 28 February 2017; not in touch: stays in
        ("CL5", "1997-06-01", "DIED", "0", "0"),  # died: excluded
        ("CL6", "1997-07-01", "RHOM", "0", "0"),  # returned home: excluded
        ("CL7", "1997-08-01", "YES", "F1", "B1"),  # care taken over by another LA (final REC E3): excluded
        ("CL8", "1999-01-15", "YES", "P5", "D1"),  # 18 on 15 January 2017
        ("CL9", "1999-04-01", "YES", "F5", "E2"),  # 17 on 1 April 2016 (18 only in 2017-18)
    ]
    for child, dob, in_touch, activ, accom in rows:
        s.child(child, dob)
        s.add("oc3", child_id=child, in_touch=in_touch, activ=activ, accom=accom)
    s.episode("CL7", "2014-01-01", "S", "C2", "U4", dec="2015-08-01", rec="E3")
    s.episode("CL1", "2014-01-01", "S", "C2", "U4", dec="2015-04-01", rec="E8")
    return s


def test_care_leavers_19_to_21(leavers):
    # Cohort: CL1, CL2, CL4 (3). Suitable accommodation (ACCOM ending in 1): CL1. EET: CL1 (F1), CL2 (F4).
    accommodation = leavers.result("care_leavers_19_21_suitable_accom_pct", "2016-17")
    assert (accommodation.numerator, accommodation.denominator) == (1, 3)
    assert accommodation.value == pytest.approx(100 / 3)
    activity = leavers.result("care_leavers_19_21_eet_pct", "2016-17")
    assert (activity.numerator, activity.denominator) == (2, 3)


def test_care_leavers_17_to_18(leavers):
    # Cohort: CL8 (18th birthday) and CL9 (17th). Suitable: CL8 (D1); CL9's E2 is unsuitable. EET: both.
    accommodation = leavers.result("care_leavers_17_18_suitable_accom_pct", "2016-17")
    assert (accommodation.numerator, accommodation.denominator, accommodation.value) == (1, 2, 50.0)
    activity = leavers.result("care_leavers_17_18_eet_pct", "2016-17")
    assert (activity.numerator, activity.denominator, activity.value) == (2, 2, 100.0)


def test_care_leaver_birthdays_at_window_boundaries(leavers):
    # Q1 (April-June 2016): only CL1's 19th birthday (1 April). CL2's falls on the last day of the year.
    q1 = leavers.result("care_leavers_19_21_suitable_accom_pct", "2016-17Q1")
    assert (q1.numerator, q1.denominator) == (1, 1)
    march = leavers.result("care_leavers_19_21_eet_pct", "2017-03")
    assert (march.numerator, march.denominator) == (1, 1)  # CL2, 31 March 2017, F4
    # The 29 February birthday falls on 28 February 2017: in February's window, not March's.
    february = leavers.result("care_leavers_19_21_suitable_accom_pct", "2017-02")
    assert (february.numerator, february.denominator, february.value) == (0, 1, 0.0)


def test_adoption_a2_needs_the_period_of_care_loaded(tmp_path):
    """A child whose RNE S episode is older than the loaded returns is left out of A2 as of A1: its first E1
    episode may be in a year that was not loaded. Found by the reconciliation with the synthetic council.

    A1: in care 1 April 2014 (S), placement order 1 June 2015 (E1), match 1 September 2015 (AD1), adopted
    1 June 2016: A2 = 92 days. B1: same dates but the first loaded episode is the E1 one (RNE L): left out.
    """
    s = Store(tmp_path)
    for child, first_rne in (("A1", "S"), ("B1", None)):
        s.child(child, "2012-01-01")
        if first_rne:
            s.episode(child, "2014-04-01", "S", "C2", "U4", dec="2015-06-01", rec="X1")
        s.episode(child, "2015-06-01", "L", "E1", "U4", dec="2015-10-01", rec="X1")
        s.episode(child, "2015-10-01", "P", "E1", "A4", dec="2016-06-01", rec="E11")
        s.add("ad1", child_id=child, date_int="2015-08-01", date_match="2015-09-01", foster_care=0)
    result = s.result("adoption_a2_days", "2016-17")
    assert (result.numerator, result.denominator, result.value) == (92, 1, 92.0)
