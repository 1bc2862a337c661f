"""Adoption A1/A2 and care leavers' accommodation and activity, worked by hand."""

from __future__ import annotations

import pytest

from canonical_rows import Store
from csc_scorecard.periods import parse_period


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


def test_adoption_a2_counts_only_children_placed_for_adoption(adoptions):
    # AD5: placement order (E1) and a match, but adopted from foster care with no A3-A6 placement: not placed
    # for adoption, so not in A2 (nor A1, which needs the move-in date). A2 stays (212 + 0) / 2.
    adoptions.episode("AD5", "2015-04-01", "S", "C2", "U4", dec="2015-07-01", rec="X1")
    adoptions.episode("AD5", "2015-07-01", "L", "E1", "U4", dec="2017-01-15", rec="E11", year="2016-17")
    adoptions.add("ad1", child_id="AD5", date_match="2016-01-01")
    result = adoptions.result("adoption_a2_days", "2016-17")
    assert (result.numerator, result.denominator, result.value) == (212, 2, 106.0)
    assert adoptions.result("adoption_a1_days", "2016-17").denominator == 3


def test_adoption_withheld_while_a_period_of_care_began_before_the_loaded_returns(tmp_path):
    """A1 and A2 need each adopted child's whole period of care: one whose RNE S episode is older than the
    loaded returns has no start (and its first E1 episode may be in a year not loaded), and leaving it out
    would flatter the mean with the children who waited least. So the figure is withheld until it is loaded.

    A1: in care 1 April 2014 (S), placement order 1 June 2015 (E1), match 1 September 2015 (AD1), adopted
    1 June 2016: A2 = 92 days. B1: same dates but the first loaded episode is the E1 one (RNE L).
    """
    s = Store(tmp_path)
    for child, first_rne in (("A1", "S"), ("B1", None)):
        s.child(child, "2012-01-01")
        if first_rne:
            s.episode(child, "2014-04-01", "S", "C2", "U4", dec="2015-06-01", rec="X1")
        s.episode(child, "2015-06-01", "L", "E1", "U4", dec="2015-10-01", rec="X1")
        s.episode(child, "2015-10-01", "P", "E1", "A4", dec="2016-06-01", rec="E11")
        s.add("ad1", child_id=child, date_int="2015-08-01", date_match="2015-09-01", foster_care=0)
    for indicator_id in ("adoption_a1_days", "adoption_a2_days"):
        result = s.result(indicator_id, "2016-17")
        assert (result.numerator, result.denominator, result.value) == (None, None, None)
        assert result.notes == (
            "withheld: 1 of 2 children adopted in the window entered care before the first loaded SSDA903 "
            "return; load the earlier returns"
        )
    # The drill-through shows which child lacks its history.
    from csc_scorecard.engine import explain

    records = explain(s.con, "adoption_a2_days", parse_period("2016-17")).denominator_records
    assert {r["child_id"]: r["history_missing"] for r in records} == {"A1": 0, "B1": 1}
    # With B1's period of care loaded (in care from 1 April 2014), A2 = (92 + 92) / 2.
    s.episode("B1", "2014-04-01", "S", "C2", "U4", dec="2015-06-01", rec="X1")
    result = s.result("adoption_a2_days", "2016-17")
    assert (result.numerator, result.denominator, result.value) == (184, 2, 92.0)


@pytest.fixture
def suitability(tmp_path) -> Store:
    """19-21 year old care leavers of the 2016-17 return whose accommodation's suitability is or is not known."""
    s = Store(tmp_path)
    rows = [
        # child, IN_TOUCH, ACTIV, ACCOM
        ("S1", "YES", "F2", "U1"),  # suitable
        ("S2", "YES", "G5", "S2"),  # unsuitable
        ("S3", "NO", "0", "0"),  # not in touch: suitability not known, stays in (LAIT CareLeaverAcc)
        ("S4", "YES", "F5", "G1"),  # gone abroad, "suitable": out of the accommodation denominator
        ("S5", "YES", "G5", "H2"),  # deported: out
        ("S6", "YES", "F2", "R1"),  # residence not known: out
        ("S7", "REFU", "0", "0"),  # refused contact: stays in
        ("S8", "YES", "F1", "B1"),  # looked after only under short breaks: out of every care leaver figure
    ]
    for child, in_touch, activ, accom in rows:
        s.child(child, "1996-09-01")  # 20 on 1 September 2016
        s.add("oc3", child_id=child, in_touch=in_touch, activ=activ, accom=accom)
    s.episode("S8", "2013-06-01", "S", "V3", "R1", dec="2013-06-03", rec="E13")
    s.episode("S8", "2013-09-01", "S", "V4", "R1", dec="2014-09-01", rec="E13")
    # S1 was looked after and also had short breaks: not "short breaks only", so in.
    s.episode("S1", "2012-06-01", "S", "V3", "R1", dec="2012-06-03", rec="E13")
    s.episode("S1", "2013-01-01", "S", "C2", "U4", dec="2014-09-01", rec="E8")
    return s


def test_suitable_accommodation_leaves_out_abroad_deported_and_residence_not_known(suitability):
    # Cohort S1-S7 (S8 short breaks only). Accommodation: S1-S7 less S4 (G), S5 (H), S6 (R) = 4; suitable: S1.
    result = suitability.result("care_leavers_19_21_suitable_accom_pct", "2016-17")
    assert (result.numerator, result.denominator, result.value) == (1, 4, 25.0)
    # EET keeps the whole cohort: S1, S4 (F5), S6 (F2) of 7.
    eet = suitability.result("care_leavers_19_21_eet_pct", "2016-17")
    assert (eet.numerator, eet.denominator) == (3, 7)


def test_suitable_accommodation_rule_for_17_18_year_olds(tmp_path):
    # The same rule for the younger group: T1 suitable, T2 abroad (G2: out), T3 not in touch (in): 1 of 2.
    s = Store(tmp_path)
    for child, in_touch, accom in (("T1", "YES", "D1"), ("T2", "YES", "G2"), ("T3", "NO", "0")):
        s.child(child, "1998-09-01")  # 18 on 1 September 2016
        s.add("oc3", child_id=child, in_touch=in_touch, activ="F2", accom=accom)
    result = s.result("care_leavers_17_18_suitable_accom_pct", "2016-17")
    assert (result.numerator, result.denominator, result.value) == (1, 2, 50.0)
    assert s.result("care_leavers_17_18_eet_pct", "2016-17").denominator == 3


def test_suitable_accommodation_reproduces_england_2017(tmp_path):
    """England 2017, care leavers aged 19-21 (SFR50 underlying data, shipped in reference/): 27,010 young
    people, 22,180 in suitable accommodation, 40 gone abroad, 60 deported, 380 residence not known. DfE's
    figure is 22,180 / (27,010 - 480) = 83.6%, published as 84% (LAIT CareLeaverAcc); 22,180 / 27,010 would
    be 82%. A tenth of England's young people, as OC3 rows, give the same 84%."""
    from csc_scorecard.refdata import read_csv

    england = next(
        r
        for r in read_csv("dfe_sfr_la_underlying/SFR50_CareLeavers19to212017.csv")
        if r["geog_l"] == "NATIONAL"
    )
    counts = {k: int(england[k]) // 10 for k in ("CL_All_19to21", "CL_Acc_SUIT19to21", "CL_Acc_GA19to21",
              "CL_Acc_Dep19to21", "CL_Acc_NK19to21")}  # fmt: skip
    assert counts == {"CL_All_19to21": 2701, "CL_Acc_SUIT19to21": 2218, "CL_Acc_GA19to21": 4,
                      "CL_Acc_Dep19to21": 6, "CL_Acc_NK19to21": 38}  # fmt: skip
    accom = (
        ["U1"] * counts["CL_Acc_SUIT19to21"] + ["G2"] * counts["CL_Acc_GA19to21"]
        + ["H2"] * counts["CL_Acc_Dep19to21"] + ["R2"] * counts["CL_Acc_NK19to21"]
    )  # fmt: skip
    accom += ["0"] * (counts["CL_All_19to21"] - len(accom))  # unsuitable or not known: in the denominator
    s = Store(tmp_path)
    s.con.executemany(
        "INSERT INTO children (load_id, la_code, collection_year, src_line, child_id, dob) VALUES (1, '335', '2016-17', ?, ?, DATE '1996-09-01')",
        [(n, f"E{n}") for n in range(len(accom))],
    )
    s.con.executemany(
        "INSERT INTO oc3 (load_id, la_code, collection_year, src_line, child_id, in_touch, activ, accom) VALUES (1, '335', '2016-17', ?, ?, 'YES', 'F2', ?)",
        [(n, f"E{n}", code) for n, code in enumerate(accom)],
    )
    s.loaded("ssda903", "2016-17")
    result = s.result("care_leavers_19_21_suitable_accom_pct", "2016-17")
    assert (result.numerator, result.denominator) == (2218, 2701 - 48)
    assert round(result.value) == 84
    assert round(100 * 2218 / 2701) == 82  # the figure without DfE's rule
