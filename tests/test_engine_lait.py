"""The LAIT measures the catalogue added beside the core ids: referral sources, durations of need, conferences by
working days, plan reviews, placements and ceasing reasons at 31 March, UASC, care leavers' activity, children's
health, the CSWW census, and social worker stability. Rows go straight into the canonical tables and every
expected figure is worked by hand in the comments.
"""

from __future__ import annotations

import pytest

from canonical_rows import Store, d

POP_2016 = 66044  # Walsall, ONS 0-17 mid-2016: the population of 2016-17 rates


def triple(store: Store, indicator_id: str, period: str, **kw) -> tuple:
    r = store.result(indicator_id, period, **kw)
    return r.numerator, r.denominator, r.value


def pct(numerator: int, denominator: int) -> tuple:
    return numerator, denominator, pytest.approx(100 * numerator / denominator)


# ---- front door ---------------------------------------------------------------------------------------------


@pytest.fixture
def referrals(tmp_path) -> Store:
    s = Store(tmp_path)
    rows = [
        # child, referral, source, NFA, closure, reason
        ("R1", "2016-05-01", "2A", False, "2016-06-10", "RC8"),  # school; assessed not in need
        ("R2", "2016-06-01", "3E", True, "2016-06-01", "RC8"),  # health (A&E); NFA: not "assessed"
        ("R3", "2016-07-01", "6", False, "2017-04-10", "RC8"),  # police; closed after the window
        ("R4", "2016-08-01", "3A", False, "2016-09-01", "RC9"),  # health (GP); referred to early help
        ("R5", "2016-09-01", "2B", False, "2016-10-01", "RC7"),  # education services, not a school
        ("R6", "2016-10-01", "6", False, None, None),  # police; open
        ("R7", "2015-12-01", "2A", False, "2016-01-05", "RC8"),  # 2015-16
    ]
    for child, referral, source, nfa, closure, reason in rows:
        year = "2017-18" if (closure or "") >= "2017-04-01" else "2016-17"
        s.add("cin_episodes", year, child_id=child, referral_date=referral, referral_source=source,
              referral_nfa=nfa, closure_date=closure, closure_reason=reason)  # fmt: skip
    return s


def test_referrals_assessed_not_in_need(referrals: Store) -> None:
    # 2016-17: six referrals (R1-R6); closed RC8/RC9 by 31 March 2017 and not NFA: R1, R4 (R2 was NFA, R3
    # closed after the window).
    assert triple(referrals, "referrals_assessed_not_in_need_pct", "2016-17") == pct(2, 6)
    # To 30 September: R1-R5, of which R1 (10 June) and R4 (1 September) closed by then.
    assert triple(referrals, "referrals_assessed_not_in_need_pct", "2016-17Q2") == pct(2, 5)


def test_referral_sources(referrals: Store) -> None:
    assert triple(referrals, "referrals_school_pct", "2016-17") == pct(1, 6)  # R1 (2B is not a school)
    assert triple(referrals, "referrals_health_pct", "2016-17") == pct(2, 6)  # R2 3E, R4 3A
    assert triple(referrals, "referrals_police_pct", "2016-17") == pct(2, 6)  # R3, R6


# ---- durations of need ----------------------------------------------------------------------------------------


@pytest.fixture
def need(tmp_path) -> Store:
    s = Store(tmp_path)
    rows = [
        # Open at 31 March 2017 (end - 3 months = 31 Dec 2016, - 6 months = 30 Sep, - 1 year = 31 Mar 2016).
        ("A", "2017-01-15", None, False, None),  # under 3 months
        ("B", "2016-12-31", None, False, None),  # exactly 3 months: 3 to 6
        ("C", "2016-10-01", None, False, None),  # 3 to 6
        ("D", "2016-09-30", None, False, None),  # exactly 6 months: 6 to 12
        ("E", "2016-03-31", None, False, None),  # exactly a year: 1 to 2 years
        ("F", "2015-03-31", None, False, None),  # exactly 2 years: 2 years or more
        ("G", "2017-02-01", None, True, None),  # NFA: not a child in need
        # Closed in 2016-17.
        ("H", "2016-11-01", "2017-03-31", False, "RC1"),  # 5 months: 3 to 6 (and not open at the end)
        ("K1", "2016-01-10", "2016-04-09", False, None),  # a day short of 3 months: under 3
        ("K2", "2016-01-10", "2016-04-10", False, None),  # exactly 3 months: 3 to 6
        ("K3", "2016-02-29", "2016-08-28", False, "RC7"),  # 29 Feb + 6 months = 29 Aug: 3 to 6
        ("K4", "2015-06-01", "2016-05-31", False, None),  # a day short of a year: 6 to 12
        ("K5", "2014-06-01", "2016-06-01", False, None),  # exactly 2 years: 2 years or more
        ("K6", "2015-01-01", "2016-12-31", False, None),  # 1 to 2 years
        ("K7", "2016-04-02", "2016-05-01", True, "RC8"),  # NFA
        # Assessed not in need (closed RC8/RC9 after an assessment): not children in need, as DfE counts.
        ("M1", "2016-02-01", "2016-04-01", False, "RC8"),  # on the window's first day; would be under 3
        ("M2", "2014-12-01", "2017-03-31", False, "RC9"),  # on its last day; would be 2 years or more
    ]
    for child, referral, closure, nfa, reason in rows:
        s.add("cin_episodes", child_id=child, referral_date=referral, closure_date=closure, referral_nfa=nfa,
              closure_reason=reason)  # fmt: skip
    return s


def test_episodes_open_at_the_window_end_by_duration(need: Store) -> None:
    # Open at 31 March 2017, NFA left out: A-F = 6.
    assert triple(need, "cin_open_under_3m_pct", "2016-17") == pct(1, 6)  # A
    assert triple(need, "cin_open_3_6m_pct", "2016-17") == pct(2, 6)  # B, C
    assert triple(need, "cin_open_6_12m_pct", "2016-17") == pct(1, 6)  # D
    assert triple(need, "cin_open_1_2y_pct", "2016-17") == pct(1, 6)  # E
    assert triple(need, "cin_open_2y_plus_pct", "2016-17") == pct(1, 6)  # F


def test_episodes_closed_in_the_window_by_duration(need: Store) -> None:
    # Closed in 2016-17, NFA (K7) and assessed not in need (M1, M2) left out: H, K1-K6 = 7. Counting M1 and M2
    # would make it 9.
    assert triple(need, "cin_closed_under_3m_pct", "2016-17") == pct(1, 7)  # K1
    assert triple(need, "cin_closed_3_6m_pct", "2016-17") == pct(3, 7)  # H (RC1), K2, K3 (RC7)
    assert triple(need, "cin_closed_6_12m_pct", "2016-17") == pct(1, 7)  # K4
    assert triple(need, "cin_closed_1_2y_pct", "2016-17") == pct(1, 7)  # K6
    assert triple(need, "cin_closed_2y_plus_pct", "2016-17") == pct(1, 7)  # K5
    # April to June: K1, K2, K4, K5 (K7 NFA; M1, closed RC8 on 1 April, left out).
    assert triple(need, "cin_closed_under_3m_pct", "2016-17Q1") == pct(1, 4)  # K1
    assert triple(need, "cin_closed_2y_plus_pct", "2016-17Q1") == pct(1, 4)  # K5


def test_episode_open_at_the_window_end_counts_though_later_closed_as_not_in_need(need: Store) -> None:
    # Open at 31 December 2016 (closure blank or after it): B, C, D, E, F, H and M2, which a later closure RC9
    # does not take back: the census showed it open then.
    assert triple(need, "cin_open_under_3m_pct", "2016-17Q3") == pct(3, 7)  # B, C, H: after 30 September
    assert triple(need, "cin_open_2y_plus_pct", "2016-17Q3") == pct(1, 7)  # M2: by 31 December 2014


# ---- child protection ----------------------------------------------------------------------------------------


@pytest.fixture
def conferences(tmp_path) -> Store:
    """Enquiries started Monday 6 June 2016 (no bank holiday until August): working day 10 is Monday 20 June,
    11 Tuesday 21, 15 Monday 27, 16 Tuesday 28, 20 Monday 4 July, 21 Tuesday 5 July."""
    s = Store(tmp_path)
    for child, icpc in (("A", "2016-06-20"), ("B", "2016-06-21"), ("C", "2016-06-27"), ("D", "2016-06-28"),
                        ("E", "2016-07-04"), ("F", "2016-07-05"), ("G", None)):  # fmt: skip
        s.add("cin_episodes", child_id=child, referral_date="2016-06-06",
              initial_cpc_date=d(icpc) if icpc else None)  # fmt: skip
        s.add(
            "section47", child_id=child, referral_date="2016-06-06", start_date="2016-06-06", icpc_date=icpc
        )
    # H moved in on a plan from another LA: a conference here with no enquiry.
    s.add("cin_episodes", child_id="H", referral_date="2016-08-20", initial_cpc_date=d("2016-09-01"))
    return s


def test_conferences_each_counted_once(conferences: Store) -> None:
    # A-F's enquiry conferences (A's episode repeats A's date: one conference), and H's: 7. G had none.
    assert triple(conferences, "icpc_count", "2016-17") == (7, None, 7.0)
    assert triple(conferences, "icpc_rate", "2016-17") == (7, POP_2016, pytest.approx(7 / POP_2016 * 10000))
    # Seven enquiries started (G's too).
    assert triple(conferences, "s47_rate", "2016-17") == (7, POP_2016, pytest.approx(7 / POP_2016 * 10000))


def test_conferences_by_working_days_from_the_enquiry(conferences: Store) -> None:
    assert conferences.result("icpc_within_10wd_count", "2016-17").numerator == 1  # A (10)
    assert conferences.result("icpc_11_15wd_count", "2016-17").numerator == 2  # B (11), C (15)
    assert conferences.result("icpc_16_20wd_count", "2016-17").numerator == 2  # D (16), E (20)
    assert conferences.result("icpc_21wd_plus_count", "2016-17").numerator == 1  # F (21); H had no enquiry


A_REVIEWS = ["2014-03-25", "2014-09-20", "2015-03-20", "2015-09-18", "2016-03-18", "2016-09-15", "2017-03-10"]


@pytest.fixture
def plans(tmp_path) -> Store:
    s = Store(tmp_path)
    rows = [
        # child, start, end, NumberOfPreviousCPP, reviews
        ("A", "2014-01-01", None, 0, A_REVIEWS),
        ("B", "2017-01-15", None, 1, []),
        ("C", "2016-12-31", None, 0, []),
        ("D", "2015-04-01", None, 0, ["2015-07-01", "2016-01-02"]),  # 2nd review due 1 January 2016: late
        ("E", "2015-04-03", None, 0, ["2015-07-01", "2015-12-20", "2016-06-10", "2016-09-30", "2017-04-05"]),
        ("F", "2014-06-15", "2016-06-15", 0, []),
        ("G", "2016-05-01", "2016-08-01", 0, []),
    ]
    for child, start, end, previous, reviews in rows:
        s.add("cp_plans", child_id=child, start_date=start, end_date=end, previous_plans=previous,
              initial_category="NEG", review_dates=[d(r) for r in reviews])  # fmt: skip
    return s


def test_plans_open_for_3_months_and_2_years(plans: Store) -> None:
    # On a plan at 31 March 2017: A, B, C, D, E. Since 31 December 2016 or earlier: A, C (exactly), D, E.
    assert triple(plans, "cpp_open_3m_count", "2016-17") == (4, None, 4.0)
    # More than 729 days counting 31 March 2017: A, and D (1 April 2015: 731 days); E (3 April: 729) is not.
    assert triple(plans, "cpp_2yrs_open_pct", "2016-17") == pct(2, 5)


def test_plans_reviewed_within_timescales(plans: Store) -> None:
    # Of A, C, D, E: A's reviews are each within 6 months and the last (10 March) is recent; C's first review is
    # due on 31 March 2017, not yet overdue; D's second was late; E's last review by the window end was 30
    # September 2016, so the next was overdue from 30 March 2017 (the review of 5 April is after the window).
    assert triple(plans, "cpp_reviewed_on_time_pct", "2016-17") == pct(2, 4)
    assert triple(plans, "cpp_reviewed_on_time_count", "2016-17") == (2, None, 2.0)
    # At 31 December 2016 the plans of 3 months are A, D and E (C starts that day): A and E are on time.
    assert triple(plans, "cpp_reviewed_on_time_pct", "2016-17Q3") == pct(2, 3)


def test_plans_starting_and_ending(plans: Store) -> None:
    # Starting in 2016-17: B (a second plan by NumberOfPreviousCPP), C, G.
    assert triple(plans, "cpp_second_count", "2016-17") == (1, None, 1.0)
    assert triple(plans, "cpp_starts_rate", "2016-17") == (3, POP_2016, pytest.approx(3 / POP_2016 * 10000))
    # Ending: F (15 June 2014 to 15 June 2016, 732 days with the last) and G.
    assert triple(plans, "cpp_ended_rate", "2016-17") == (2, POP_2016, pytest.approx(2 / POP_2016 * 10000))
    assert triple(plans, "cpp_ended_count", "2016-17") == (2, None, 2.0)
    assert triple(plans, "cpp_2yrs_ended_count", "2016-17") == (1, None, 1.0)


# ---- children in care -----------------------------------------------------------------------------------------


@pytest.fixture
def looked_after(tmp_path) -> Store:
    s = Store(tmp_path)
    rows = [
        # child, start, RNE, LS, PLACE, end, REC
        ("L1", "2016-05-01", "S", "V2", "U4", None, None),
        ("L2", "2016-06-01", "S", "C2", "K2", None, None),
        ("L3", "2015-01-01", "S", "C2", "H5", None, None),
        ("L4", "2016-07-01", "S", "C2", "R1", None, None),
        ("L5", "2014-01-01", "S", "C2", "P3", None, None),
        ("L6", "2014-01-01", "S", "C2", "Z1", None, None),
        ("L7", "2014-01-01", "S", "C2", "P1", None, None),
        ("L8", "2014-01-01", "S", "E1", "A4", None, None),
        ("L9", "2016-04-10", "S", "V3", "U6", None, None),  # short breaks: left out
        ("L10", "2014-01-01", "S", "C2", "U4", "2017-03-31", "E4A"),  # ceased on the last day
    ]
    for child, start, rne, ls, place, end, rec in rows:
        s.episode(child, start, rne, ls, place, dec=end, rec=rec)
    s.add("uasc", child_id="L1", duc=d("2017-04-01"))  # UASC until after the window
    s.add("uasc", child_id="L2", duc=d("2017-03-31"))  # no longer UASC on 31 March 2017
    s.add("uasc", child_id="L3", duc=None)
    return s


def test_placements_at_the_window_end(looked_after: Store) -> None:
    # Looked after at 31 March 2017: L1-L8 (L9 short breaks, L10 ceased that day).
    assert triple(looked_after, "cla_foster_pct", "2016-17") == pct(1, 8)  # L1 U4
    assert triple(looked_after, "cla_homes_pct", "2016-17") == pct(1, 8)  # L2 K2
    assert triple(looked_after, "cla_independent_living_pct", "2016-17") == pct(1, 8)  # L3 H5
    assert triple(looked_after, "cla_other_residential_pct", "2016-17") == pct(2, 8)  # L4 R1, L5 P3
    assert triple(looked_after, "cla_other_placements_pct", "2016-17") == pct(1, 8)  # L6 Z1
    assert triple(looked_after, "cla_placed_with_parents_pct", "2016-17") == pct(1, 8)  # L7 P1; L8 A4 in none


def test_unaccompanied_asylum_seeking_children(looked_after: Store) -> None:
    # UASC on 31 March 2017: L1 (status ends 1 April) and L3; not L2 (ended 31 March).
    assert triple(looked_after, "uasc_count", "2016-17") == (2, None, 2.0)
    assert triple(looked_after, "uasc_pct", "2016-17") == pct(2, 8)
    # Starting in 2016-17 (L9 is short breaks): L1, L2 (both UASC when they started), L4.
    assert triple(looked_after, "uasc_starts_pct", "2016-17") == pct(2, 3)
    assert triple(looked_after, "cla_starts_rate", "2016-17") == (
        3,
        POP_2016,
        pytest.approx(3 / POP_2016 * 1e4),
    )


@pytest.fixture
def leavers(tmp_path) -> Store:
    s = Store(tmp_path)
    for child, rec in (("X1", "E4A"), ("X2", "E4B"), ("X3", "E41"), ("X4", "E45"), ("X5", "E46"), ("X6", "E11"),
                       ("X7", "E12"), ("X8", "E11")):  # fmt: skip
        s.episode(child, "2015-06-01", "S", "C2", "U4", dec="2016-10-01", rec=rec, year="2016-17")
    # X9 goes home (E4A) in May, comes back in June and leaves to relatives (E13) in September: counted once, E13.
    s.episode("X9", "2015-06-01", "S", "C2", "U4", dec="2016-05-01", rec="E4A", year="2016-17")
    s.episode("X9", "2016-06-01", "S", "C2", "U4", dec="2016-09-01", rec="E13")
    return s


def test_ceasing_reasons(leavers: Store) -> None:
    # Ceased in 2016-17: X1-X9, each once on the last occasion.
    assert triple(leavers, "cla_ceased_rate", "2016-17") == (9, POP_2016, pytest.approx(9 / POP_2016 * 1e4))
    assert triple(leavers, "ceased_home_care_plan_pct", "2016-17") == pct(1, 9)  # X1 (not X9's first)
    assert triple(leavers, "ceased_home_not_care_plan_pct", "2016-17") == pct(1, 9)  # X2
    assert triple(leavers, "ceased_cao_pct", "2016-17") == pct(1, 9)  # X3
    assert triple(leavers, "ceased_sgo_pct", "2016-17") == pct(2, 9)  # X4, X5
    assert triple(leavers, "ceased_adopted_count", "2016-17") == (3, None, 3.0)  # X6, X7, X8
    assert triple(leavers, "adopted_unopposed_count", "2016-17") == (2, None, 2.0)  # E11: X6, X8
    assert triple(leavers, "adopted_unopposed_pct", "2016-17") == pct(2, 3)


def test_special_guardians_from_2018_19(tmp_path) -> None:
    s = Store(tmp_path)
    for child, rec in (("G1", "E45"), ("G2", "E45"), ("G3", "E46"), ("G4", "E48"), ("G5", "E4A")):
        s.episode(child, "2017-06-01", "S", "C2", "U1", dec="2018-10-01", rec=rec, year="2018-19")
    s.loaded("ssda903", "2017-18")
    # Of the 4 special guardianship orders: E45 2, E46 1, E47 none.
    assert triple(s, "sgo_former_foster_carer_relative_pct", "2018-19") == pct(2, 4)
    assert triple(s, "sgo_former_foster_carer_other_pct", "2018-19") == pct(1, 4)
    assert triple(s, "sgo_carer_relative_pct", "2018-19") == pct(0, 4)
    # 2017-18's return gave E43/E44: who the special guardian was is not collected.
    assert s.result("sgo_carer_relative_pct", "2017-18").notes == (
        "not collected in 2017-18: the returns hold the special guardian (REC E45 to E48) from 2018-19"
    )


def test_social_workers_in_the_year(tmp_path) -> None:
    s = Store(tmp_path)
    for child in ("S1", "S2", "S3"):
        s.episode(child, "2022-01-01", "S", "C2", "U4", year="2023-24")
    social_workers = [
        ("S1", "A", "2023-01-01", "2023-06-01"),  # A, B and A again: 2 social workers
        ("S1", "B", "2023-06-01", "2023-09-01"),
        ("S1", "A", "2023-09-01", None),
        ("S2", "A", "2023-04-01", "2023-05-01"),  # A, B, C: 3
        ("S2", "B", "2023-05-01", "2024-03-31"),
        ("S2", "C", "2024-03-31", None),
        ("S3", "D", "2023-01-01", "2023-03-31"),  # ended before the window: not counted
        ("S3", "E", "2023-03-31", "2023-12-01"),
        ("S3", "F", "2023-12-01", None),
    ]
    for child, worker, start, end in social_workers:
        s.add("sw_episodes", "2023-24", child_id=child, sw_id=worker, sw_decom=d(start),
              sw_dec=d(end) if end else None)  # fmt: skip
    assert triple(s, "cla_3plus_social_workers_pct", "2023-24") == pct(1, 3)  # S2


# ---- placement stability counts ---------------------------------------------------------------------------


def test_stability_counts_are_the_percentages_numerators(tmp_path) -> None:
    s = Store(tmp_path)
    s.child("P1", "2008-01-01")
    s.episode("P1", "2015-01-01", "S", "C2", "U4", dec="2016-05-01", rec="X1", year="2016-17")
    s.episode("P1", "2016-05-01", "P", "C2", "U6", dec="2016-09-01", rec="X1")
    s.episode("P1", "2016-09-01", "P", "C2", "U4")
    s.child("P2", "2008-01-01")  # in care and with the same carer since 2013: stable
    s.episode("P2", "2013-01-01", "S", "C2", "U4", year="2016-17")
    for year in ("2014-15", "2015-16"):
        s.loaded("ssda903", year)
    three = s.result("cla_3plus_placements_pct", "2016-17")
    assert triple(s, "cla_3plus_placements_count", "2016-17") == (three.numerator, None, 1.0)  # P1
    stable = s.result("cla_longterm_stability_pct", "2016-17")
    assert (stable.numerator, stable.denominator) == (1, 1)  # P2 (P1 has been in care only since 2015)
    assert triple(s, "cla_longterm_stability_count", "2016-17") == (1, None, 1.0)


# ---- care leavers ------------------------------------------------------------------------------------------


@pytest.fixture
def care_leavers(tmp_path) -> Store:
    s = Store(tmp_path)
    rows = [
        # child, IN_TOUCH, ACTIV, ACCOM; each 20 on 1 September 2016
        ("Y1", "YES", "F1", "U1"),  # higher education, suitable
        ("Y2", "YES", "P1", "S2"),  # higher education, unsuitable
        ("Y3", "YES", "G5", "D1"),  # NEET
        ("Y4", "YES", "G4", "G1"),  # NEET, abroad: suitability not known
        ("Y5", "NO", "0", "0"),  # not in touch, activity not known
        ("Y6", "NO", "F2", "B1"),  # not in touch, but a third party told the council: in education
        ("Y7", "DIED", "0", "0"),  # left out
        ("Y8", "REFU", "0", "0"),  # refuses contact: not "not in touch"
    ]
    for child, in_touch, activ, accom in rows:
        s.child(child, "1996-09-01")
        s.add("oc3", child_id=child, in_touch=in_touch, activ=activ, accom=accom)
    return s


def test_care_leavers_activity(care_leavers: Store) -> None:
    # The 19-21 cohort: Y1-Y6 and Y8 (Y7 died).
    assert triple(care_leavers, "care_leavers_19_21_count", "2016-17") == (7, None, 7.0)
    assert triple(care_leavers, "care_leavers_19_21_he_pct", "2016-17") == pct(2, 7)  # Y1, Y2
    assert triple(care_leavers, "care_leavers_19_21_he_count", "2016-17") == (2, None, 2.0)
    assert triple(care_leavers, "care_leavers_19_21_neet_pct", "2016-17") == pct(2, 7)  # Y3, Y4
    assert triple(care_leavers, "care_leavers_19_21_not_in_touch_pct", "2016-17") == pct(1, 7)  # Y5
    assert triple(care_leavers, "care_leavers_19_21_eet_count", "2016-17") == (3, None, 3.0)  # Y1, Y2, Y6
    # Suitable: Y1 U1, Y3 D1, Y6 B1 (Y4 is abroad: out of the percentage, and so of its numerator).
    assert triple(care_leavers, "care_leavers_19_21_suitable_accom_count", "2016-17") == (3, None, 3.0)


def test_staying_put(tmp_path) -> None:
    s = Store(tmp_path)
    rows = [
        # child, date of birth, last episode's end and placement, ACCOM
        ("Z1", "1998-06-10", "2016-06-10", "U4", "Z1"),  # left foster care on their 18th birthday, stayed
        ("Z2", "1997-07-01", "2015-07-01", "U6", "D1"),  # 19 in the year; left foster care at 18, moved on
        ("Z3", "1998-08-01", "2016-07-31", "U4", "Z1"),  # left the day before their 18th birthday
        ("Z4", "1998-09-01", "2016-09-01", "K2", "Z1"),  # left a children's home
    ]
    for child, dob, end, place, accom in rows:
        s.child(child, dob)
        s.episode(child, "2012-01-01", "S", "C2", place, dec=end, rec="E17", year="2016-17")
        s.add("oc3", child_id=child, in_touch="YES", activ="F2", accom=accom)
    assert triple(s, "care_leavers_staying_put_pct", "2016-17") == pct(1, 2)  # Z1 of Z1, Z2


# ---- health --------------------------------------------------------------------------------------------------


@pytest.fixture
def outcomes(tmp_path) -> Store:
    s = Store(tmp_path)
    rows = [
        # child, date of birth, health assessment, immunisations, teeth, SDQ, convicted, substance misuse
        ("O1", "2010-01-01", 1, 1, 1, 12, None, 0),
        ("O2", "2003-05-01", 0, 1, 0, 20, 1, 1),
        ("O3", "2006-04-01", 1, 0, 1, None, 0, 0),  # 10 on 1 April 2016
        ("O4", "2015-06-01", 1, 1, None, None, None, 0),
    ]
    for child, dob, health, imms, teeth, sdq, convicted, misuse in rows:
        s.child(child, dob)
        s.add("oc2", child_id=child, health_assessment=health, immunisations=imms, teeth_check=teeth,
              sdq_score=sdq, convicted=convicted, substance_misuse=misuse)  # fmt: skip
    s.add("oc2", "2015-16", child_id="O1", health_assessment=0, immunisations=1, teeth_check=1)
    return s


def test_health_of_children_looked_after_for_a_year(outcomes: Store) -> None:
    assert triple(outcomes, "cla_health_assessment_pct", "2016-17") == pct(3, 4)  # O1, O3, O4
    assert triple(outcomes, "cla_immunisations_pct", "2016-17") == pct(3, 4)  # O1, O2, O4
    assert triple(outcomes, "cla_dental_check_pct", "2016-17") == pct(2, 4)  # O1, O3 (O4 not recorded)
    assert triple(outcomes, "cla_substance_misuse_pct", "2016-17") == pct(1, 4)  # O2
    assert triple(outcomes, "cla_convicted_pct", "2016-17") == pct(1, 2)  # aged 10 or over: O2, O3
    assert triple(outcomes, "cla_sdq_average", "2016-17") == (32, 2, 16.0)  # (12 + 20) / 2


def test_a_quarter_takes_the_last_31_march(outcomes: Store, tmp_path) -> None:
    # To 31 December 2016 the latest 31 March is 2016's: 2015-16's records (O1, no assessment).
    assert triple(outcomes, "cla_health_assessment_pct", "2016-17Q3") == pct(0, 1)
    only = Store(tmp_path / "only")
    only.child("O1", "2010-01-01")
    only.add("oc2", child_id="O1", health_assessment=1)
    assert only.result("cla_health_assessment_pct", "2016-17Q3").notes.startswith(
        "withheld: needs the 2015-16 SSDA903 return"
    )


# ---- the CSWW census -----------------------------------------------------------------------------------------


@pytest.fixture
def census(tmp_path) -> Store:
    s = Store(tmp_path)
    ref = d("2016-09-30")
    workers = [
        # swe, agency, fte, OrgRole, start, end, Cases30
        ("W1", False, 1.0, "5", "2010-01-01", None, 20),
        ("W2", False, 0.5, "6", "2016-01-01", None, 0),  # started in the census year
        ("W3", False, 1.0, "4", "2012-01-01", "2016-05-01", None),  # left in the census year
        ("W4", False, 0.8, "5", "2015-11-01", "2016-06-01", None),  # started and left in the year: neither
        ("W5", True, 1.0, "5", "2016-03-01", None, 15),  # agency
        ("W6", True, 0.6, "5", "2014-01-01", None, 10),  # agency
    ]
    for swe, agency, fte, role, start, end, cases in workers:
        s.add("csww_workers", swe_no=swe, agency=agency, fte=fte, fte30=fte if cases else None, org_role=role,
              role_start_date=d(start), role_end_date=d(end) if end else None, cases30=cases,
              reference_date=ref)  # fmt: skip
    s.add("csww_vacancies", reference_date=ref, vacancies_fte=2.0, agency_cover_fte=1.2)
    return s


def test_csww_census_measures(census: Store) -> None:
    # Employed by the council and in post on 30 September 2016: W1 1.0 and W2 0.5.
    assert triple(census, "csww_social_workers_fte", "2016-17") == (1.5, None, 1.5)
    assert triple(census, "csww_starters_fte", "2016-17") == (0.5, None, 0.5)  # W2
    assert triple(census, "csww_leavers_fte", "2016-17") == (1.0, None, 1.0)  # W3 (W4 is neither)
    assert triple(census, "csww_turnover_rate_pct", "2016-17") == (1.0, 1.5, pytest.approx(100 / 1.5))
    assert triple(census, "csww_cases_held_count", "2016-17") == (45, None, 45.0)  # 20 + 15 + 10
    # Agency covering vacancies 1.2 of agency FTE 1.6; of vacancies 2.0.
    assert triple(census, "csww_agency_covering_vacancies_pct", "2016-17") == (1.2, 1.6, pytest.approx(75.0))
    assert triple(census, "csww_vacancies_covered_pct", "2016-17") == (1.2, 2.0, pytest.approx(60.0))
    # Of the council's 1.5 FTE in post: case holder W1 1.0, qualified without cases W2 0.5.
    assert triple(census, "csww_caseholders_pct", "2016-17") == (1.0, 1.5, pytest.approx(100 / 1.5))
    assert triple(census, "csww_qualified_no_cases_pct", "2016-17") == (0.5, 1.5, pytest.approx(50 / 1.5))
