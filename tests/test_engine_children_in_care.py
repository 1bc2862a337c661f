"""Children looked after: counts, starts, leavers, placement stability and missing. Hand-worked on small cases."""

from __future__ import annotations

import pytest

from canonical_rows import Store
from csc_scorecard.catalogue import CatalogueError
from csc_scorecard.periods import parse_period

POP_2016 = 66044


@pytest.fixture
def care(tmp_path) -> Store:
    s = Store(tmp_path)
    # A: looked after since January 2016.
    s.episode("A", "2016-01-10", "S", "C2", "U4")
    # B: short breaks only (V3): never looked after in these measures.
    s.episode("B", "2016-04-05", "S", "V3", "R1")
    # C: leaves on 31 March 2017 (not looked after at the end of that day).
    s.episode("C", "2015-09-01", "S", "C2", "U1", dec="2017-03-31", rec="E4A", year="2016-17")
    # D: starts in May 2016, legal status changes in August (X1, new episode RNE L): one child, one start.
    s.episode("D", "2016-05-01", "S", "C1", "U4", dec="2016-08-01", rec="X1")
    s.episode("D", "2016-08-01", "L", "C2", "U4")
    # E: starts in June (V2), goes home in July, starts again in October (C1): counted once, first occasion.
    s.episode("E", "2016-06-01", "S", "V2", "U4", dec="2016-07-01", rec="E4A")
    s.episode("E", "2016-10-01", "S", "C1", "K2", dec="2017-02-01", rec="E13")
    # F: a short break that ended: not a period of care ending.
    s.episode("F", "2016-04-01", "S", "V3", "R1", dec="2016-04-03", rec="E4A")
    # G adopted, H and I special guardianship (E45, and the legacy E43).
    s.episode("G", "2014-01-01", "S", "E1", "A6", dec="2016-11-30", rec="E11", year="2016-17")
    s.episode("H", "2015-01-01", "S", "C2", "U1", dec="2016-12-15", rec="E45", year="2016-17")
    s.episode("I", "2015-02-01", "S", "C2", "U1", dec="2017-01-10", rec="E43", year="2016-17")
    for child in "ABCDEFGHI":
        s.child(child, "2010-06-01")
    return s


def test_cla_count_excludes_short_breaks(care):
    # At 31 March 2017: A and D. B is a short break, C left that day, E, G, H, I have left.
    assert care.result("cla_count", "2016-17").value == 2.0
    # At 30 June 2016 (Q1): A, C, D, E (June episode open), G, H, I = 7.
    assert care.result("cla_count", "2016-17Q1").value == 7.0


def test_cla_rate(care):
    result = care.result("cla_rate", "2016-17")
    assert (result.numerator, result.denominator) == (2, POP_2016)
    assert result.value == pytest.approx(2 / POP_2016 * 10000)


def test_cla_starts_first_occasion_only(care):
    # Starting in 2016-17: D (May) and E (June and October, counted once); B's short break does not count.
    assert care.result("cla_starts_count", "2016-17").value == 2.0
    # E is counted with its first occasion's legal status (V2), not the second (C1).
    groups = care.by_group("cla_starts_count", "2016-17", "legal_status")
    assert {k: v[0] for k, v in groups.items()} == {
        "Interim care order": 1,
        "Voluntary agreement (section 20)": 1,
    }
    # In October 2016 alone, E's second start is the first occasion in that window.
    assert care.result("cla_starts_count", "2016-10").value == 1.0


def test_cla_ceased_adopted_and_sgo(care):
    # Children ceasing in 2016-17: C, E (July and February: once), G, H, I = 5; D's X1 and F's short break
    # do not count.
    assert care.result("cla_ceased_count", "2016-17").value == 5.0
    adopted = care.result("ceased_adopted_pct", "2016-17")
    assert (adopted.numerator, adopted.denominator) == (1, 5)
    assert adopted.value == pytest.approx(20.0)
    # SGO: H (E45) and I (legacy E43).
    assert care.result("ceased_sgo_count", "2016-17").value == 2.0
    # To the end of Q2 (April-September) E has ceased once, in July.
    assert care.result("cla_ceased_count", "2016-17Q2").value == 1.0


@pytest.fixture
def leaving_twice(tmp_path) -> Store:
    """Children who cease to be looked after twice in 2016-17 (LAIT LACceased: counted once, the last time)."""
    s = Store(tmp_path)
    # J goes home in July (E4A), comes back, and is adopted in March (E11): one child, adopted.
    s.episode("J", "2016-04-10", "S", "V2", "U4", dec="2016-07-01", rec="E4A")
    s.episode("J", "2016-08-01", "S", "C2", "U4", dec="2016-11-01", rec="X1")
    s.episode("J", "2016-11-01", "P", "E1", "A4", dec="2017-03-01", rec="E11")
    # K leaves on a special guardianship order in May (E45), comes back, and goes home in March (E4A): one
    # child, not an SGO (the last occasion wins).
    s.episode("K", "2016-04-02", "S", "C2", "U1", dec="2016-05-20", rec="E45")
    s.episode("K", "2016-09-01", "S", "V2", "U4", dec="2017-03-20", rec="E4A")
    # N leaves twice on the same kind of order: one child, one SGO.
    s.episode("N", "2015-05-01", "S", "C2", "U1", dec="2016-06-01", rec="E45", year="2016-17")
    s.episode("N", "2016-10-01", "S", "C2", "U1", dec="2017-01-05", rec="E46")
    for child in "JKN":
        s.child(child, "2012-06-01")
    return s


def test_ceasing_twice_counts_once_on_the_last_occasion(leaving_twice):
    # Three children, five endings: 3 ceased; adopted J (its last: E11) of 3; SGO N only (K's last is E4A).
    assert leaving_twice.result("cla_ceased_count", "2016-17").value == 3.0
    adopted = leaving_twice.result("ceased_adopted_pct", "2016-17")
    assert (adopted.numerator, adopted.denominator) == (1, 3)
    assert leaving_twice.result("ceased_sgo_count", "2016-17").value == 1.0
    # April-June 2016 (Q1): K (May, E45) and N (June, E45) have ceased once each: 2 ceased, 2 SGOs.
    assert leaving_twice.result("cla_ceased_count", "2016-17Q1").value == 2.0
    assert leaving_twice.result("ceased_sgo_count", "2016-17Q1").value == 2.0
    # Broken down by legal status, J is counted with its last occasion's (E1, placement order).
    groups = leaving_twice.by_group("cla_ceased_count", "2016-17", "legal_status")
    assert sum(v[0] for v in groups.values()) == 3
    assert groups["Placement order granted"][0] == 1
    # The drill-through lists each child once, with the episode of the last occasion.
    from csc_scorecard.engine import explain

    records = explain(leaving_twice.con, "cla_ceased_count", parse_period("2016-17")).numerator_records
    assert sorted((r["child_id"], r["rec"]) for r in records) == [("J", "E11"), ("K", "E4A"), ("N", "E46")]


@pytest.fixture
def placements(tmp_path) -> Store:
    s = Store(tmp_path)
    # P1: in care since 2015, moves in May (P) and September (P): 3 placements in 2016-17.
    s.episode("P1", "2015-01-01", "S", "C2", "U4", dec="2016-05-01", rec="X1", year="2016-17")
    s.episode("P1", "2016-05-01", "P", "C2", "U4", dec="2016-09-01", rec="X1")
    s.episode("P1", "2016-09-01", "P", "C2", "K2")
    # P2: only legal-status and same-carer changes (L, T, U): 1 placement.
    s.episode("P2", "2015-01-01", "S", "C1", "U4", dec="2016-05-01", rec="X1", year="2016-17")
    s.episode("P2", "2016-05-01", "L", "C2", "U4", dec="2016-06-01", rec="X1")
    s.episode("P2", "2016-06-01", "T", "C2", "U5", dec="2016-07-01", rec="X1")
    s.episode("P2", "2016-07-01", "U", "E1", "A5")
    # P3: a carer's holiday (T3) and back to the same foster home (same PLACE, URN and postcode).
    home = {"urn": "XXXXXXX", "pl_post": "WS1 1AA"}
    s.episode("P3", "2015-01-01", "S", "C2", "U4", dec="2016-06-01", rec="X1", year="2016-17", **home)
    s.episode("P3", "2016-06-01", "P", "C2", "T3", dec="2016-06-15", rec="X1")
    s.episode("P3", "2016-06-15", "P", "C2", "U4", **home)
    # P4: starts in the year (S), moves (P), moves with a legal status change (B): 3.
    s.episode("P4", "2016-04-10", "S", "V2", "U4", dec="2016-06-01", rec="X1")
    s.episode("P4", "2016-06-01", "P", "V2", "U5", dec="2016-09-01", rec="X1")
    s.episode("P4", "2016-09-01", "B", "C1", "K2")
    # P5: five placements but leaves before the year end: not in the cohort.
    s.episode("P5", "2016-04-02", "S", "V2", "U4", dec="2016-05-01", rec="X1")
    for n, start in enumerate(("2016-05-01", "2016-06-01", "2016-07-01", "2016-08-01")):
        s.episode("P5", start, "P", "V2", "U4", dec=f"2016-0{5 + n}-20", rec="X1" if n < 3 else "E4A")
    # P6: short breaks, with moves: never in a looked-after measure.
    s.episode("P6", "2016-04-05", "S", "V3", "R1", dec="2016-05-01", rec="X1")
    s.episode("P6", "2016-05-01", "P", "V3", "R1")
    return s


def test_three_or_more_placements(placements):
    # Looked after at 31 March 2017: P1, P2, P3, P4. Placements: P1 3, P2 1 (L, T, U are the same carer),
    # P3 1 (a temporary placement and the return from it are not moves by default), P4 3. 2 of 4 = 50%.
    result = placements.result("cla_3plus_placements_pct", "2016-17")
    assert (result.numerator, result.denominator, result.value) == (2, 4, 50.0)


TEMPORARY_COUNTED = {"placement_episode": {"temporary_placements_count_as_moves": True}}


def test_three_or_more_placements_counting_temporary_placements(placements):
    # With temporary placements counted, P3 has 3 (foster, T3, back): 3 of 4 = 75%.
    result = placements.result("cla_3plus_placements_pct", "2016-17", options=TEMPORARY_COUNTED)
    assert (result.numerator, result.denominator, result.value) == (3, 4, 75.0)


def test_the_temporary_placement_rule_is_one_setting_for_both_stability_measures(placements):
    # The setting belongs to the population both measures read; it cannot be set for one of them alone.
    for indicator_id in ("cla_3plus_placements_pct", "cla_longterm_stability_pct"):
        with pytest.raises(CatalogueError, match="one setting for every indicator over the population"):
            placements.result(
                indicator_id, "2016-17", options={indicator_id: {"temporary_placements_count_as_moves": True}}
            )


def test_three_or_more_placements_drill_through(placements):
    from csc_scorecard.engine import explain

    explanation = explain(placements.con, "cla_3plus_placements_pct", parse_period("2016-17"))
    counts = {r["child_id"]: r["placements_in_window"] for r in explanation.denominator_records}
    # P5 was looked after in the year (5 placements) but not at its end, so it is not in the denominator.
    assert {k: v for k, v in counts.items() if k != "P5"} == {"P1": 3, "P2": 1, "P3": 1, "P4": 3}
    assert "P5" not in counts
    assert sorted(r["child_id"] for r in explanation.numerator_records) == ["P1", "P4"]


@pytest.fixture
def stability(tmp_path) -> Store:
    """Long-term stability at 31 March 2017: the cohort is under 16, in care since on or before 30 September
    2014 (end less 30 months); the same carer since on or before 31 March 2015 (end less 2 years)."""
    s = Store(tmp_path)

    def care(child: str, dob: str, *episodes: tuple[str, str, str, str]) -> None:
        s.child(child, dob)
        for n, (start, rne, ls, place) in enumerate(episodes):
            last = n == len(episodes) - 1
            ending = {} if last else {"dec": episodes[n + 1][0], "rec": "X1"}
            s.episode(child, start, rne, ls, place, **ending)

    # L1: same carer since January 2014, a legal status change in 2015: stable.
    care("L1", "2005-01-01", ("2014-01-01", "S", "C1", "U4"), ("2015-06-01", "L", "C2", "U4"))
    # L2: in care since exactly end less 30 months; new carer on 1 April 2015 (a day too late): not stable.
    care("L2", "2006-01-01", ("2014-09-30", "S", "C2", "U4"), ("2015-04-01", "P", "C2", "U5"))
    # L3: in care since 1 October 2014, a day short of 30 months: not in the cohort.
    care("L3", "2006-01-01", ("2014-10-01", "S", "C2", "U4"))
    # L4: 16 on 31 March 2017: not in the cohort. L4b: 16 on 1 April 2017, so 15: in, and stable.
    care("L4", "2001-03-31", ("2014-01-01", "S", "C2", "U4"))
    care("L4b", "2001-04-01", ("2014-01-01", "S", "C2", "U4"))
    # L5: placed for adoption with new carers in September 2015 after foster care from June 2013: the
    # adoptive placement and the one before it together last more than 2 years: stable.
    care("L5", "2012-01-01", ("2013-06-01", "S", "C2", "U4"), ("2015-09-01", "P", "E1", "A4"))
    # L6: foster carer from June 2014, another from June 2015, adoptive placement from January 2016: the
    # placement before the adoptive one began after 31 March 2015: not stable.
    care(
        "L6",
        "2012-01-01",
        ("2014-06-01", "S", "C2", "U4"),
        ("2015-06-01", "P", "C2", "U5"),
        ("2016-01-01", "P", "E1", "A4"),
    )
    # L7: placed for adoption with the foster carer (RNE U, same carer) in June 2016: still the carer since 2014.
    care("L7", "2011-01-01", ("2014-01-01", "S", "C2", "U4"), ("2016-06-01", "U", "E1", "A3"))
    return s


def test_long_term_stability(stability):
    # Cohort: L1, L2, L4b, L5, L6, L7 = 6; stable: L1, L4b, L5, L7 = 4. 4 of 6 = 66.7%.
    result = stability.result("cla_longterm_stability_pct", "2016-17")
    assert (result.numerator, result.denominator) == (4, 6)
    assert result.value == pytest.approx(400 / 6)


@pytest.fixture
def missing(tmp_path) -> Store:
    s = Store(tmp_path)
    s.episode("M1", "2016-01-01", "S", "C2", "U4")
    s.add("missing", child_id="M1", missing="M", mis_start="2016-07-01", mis_end="2016-07-02")
    s.add("missing", child_id="M1", missing="M", mis_start="2016-09-01", mis_end="2016-09-02")
    s.episode("M2", "2016-01-01", "S", "C2", "U4")
    s.add("missing", child_id="M2", missing="A", mis_start="2016-07-01")  # away, not missing
    s.episode("M3", "2016-01-01", "S", "C2", "U4")
    # M3: missing from 20 to 31 March 2016, back before the year began: not in 2016-17.
    s.add("missing", "2015-16", child_id="M3", missing="M", mis_start="2016-03-20", mis_end="2016-03-31")
    # M4: looked after until 1 April 2016, so during the year; never missing.
    s.episode("M4", "2015-06-01", "S", "C2", "U4", dec="2016-04-01", rec="E4A", year="2016-17")
    # M5: short breaks only, missing in the year.
    s.episode("M5", "2016-04-01", "S", "V3", "R1")
    s.add("missing", child_id="M5", missing="M", mis_start="2016-05-01")
    # M6: left on 31 March 2016: not looked after during 2016-17.
    s.episode("M6", "2015-06-01", "S", "C2", "U4", dec="2016-03-31", rec="E4A")
    # M7: missing from 30 March 2016, found on 1 April: an incident carried over into 2016-17 (LAIT
    # Children_missing), so missing in it. M8: missing since 2 March 2016 and not back (no MIS_END): open
    # throughout. M9: away from 28 March to 2 April 2016: carried over, away.
    s.episode("M7", "2015-05-01", "S", "C2", "U4", year="2016-17")
    s.add("missing", "2015-16", child_id="M7", missing="M", mis_start="2016-03-30", mis_end="2016-04-01")
    s.episode("M8", "2015-05-01", "S", "C2", "U4", year="2016-17")
    s.add("missing", "2016-17", child_id="M8", missing="M", mis_start="2016-03-02")
    s.episode("M9", "2015-05-01", "S", "C2", "U4", year="2016-17")
    s.add("missing", "2016-17", child_id="M9", missing="A", mis_start="2016-03-28", mis_end="2016-04-02")
    for child in ("M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8", "M9"):
        s.child(child, "2004-05-01")
    return s


def test_missing_from_care(missing):
    # Looked after during 2016-17 (short breaks excluded): M1, M2, M3, M4, M7, M8, M9 = 7; missing in it:
    # M1, M7 (carried over, back on the first day) and M8 (still missing) = 3 of 7.
    result = missing.result("cla_missing_pct", "2016-17")
    assert (result.numerator, result.denominator) == (3, 7)
    assert result.value == pytest.approx(300 / 7)
    # In 2015-16 M3 (20-31 March), M7 and M8 were missing (M9 away). Looked after in it: M1, M2, M3 (from
    # January 2016), M4, M6, M7, M8, M9 = 8; M5 starts in 2016-17.
    earlier = missing.result("cla_missing_pct", "2015-16")
    assert (earlier.numerator, earlier.denominator) == (3, 8)


def test_missing_incident_carried_over_counts_in_a_later_window(missing):
    # May 2016: M8's incident (since 2 March, not ended) is open in it; M7's ended on 1 April.
    result = missing.result("cla_missing_pct", "2016-05")
    assert result.numerator == 1


def test_away_without_authorisation(missing):
    # Away (MISSING = A) in 2016-17: M2 (July) and M9 (carried over from 28 March) = 2 of 7.
    result = missing.result("cla_away_pct", "2016-17")
    assert (result.numerator, result.denominator) == (2, 7)


def test_missing_from_care_with_short_breaks(missing):
    # Counting short breaks adds M5, who went missing: 4 of 8. The setting is the population's, so it is the
    # same for missing and away (M5 was never away: 2 of 8).
    options = {"cla_during_window": {"exclude_short_breaks": False}}
    result = missing.result("cla_missing_pct", "2016-17", options=options)
    assert (result.numerator, result.denominator, result.value) == (4, 8, 50.0)
    away = missing.result("cla_away_pct", "2016-17", options=options)
    assert (away.numerator, away.denominator) == (2, 8)


def test_long_term_stability_temporary_placement_and_care_before_the_loaded_returns(tmp_path):
    """Found by the reconciliation with the synthetic council's ground truth (seed 7, child 3350003983).

    At 31 March 2017 (end less 2 years = 31 March 2015; end less 30 months = 30 September 2014):
    - T1: with one foster carer since 2013, a T4 respite on 1 February 2016 (RNE P) and back on 3 February
      (RNE T, same carer): the respite does not start a new carer, so stable.
    - T2: the same but the return is coded RNE P to the same PLACE/URN/postcode: still the same carer, stable.
    - T3: care began before the loaded returns (first loaded episode an RNE L in October 2012), placed for
      adoption with new carers in December 2016 (RNE P, A6); the placement before it is known only to have
      begun by October 2012, which is on or before 31 March 2015, so stable under the adoption rule.
    - T4: a real move (RNE P to new carers) in June 2015: not stable.
    4 in the cohort, 3 stable.
    """
    s = Store(tmp_path)

    def care(child: str, *episodes: tuple) -> None:
        s.child(child, "2008-01-01")
        for n, (start, rne, ls, place, post) in enumerate(episodes):
            ending = {} if n == len(episodes) - 1 else {"dec": episodes[n + 1][0], "rec": "X1"}
            s.episode(child, start, rne, ls, place, pl_post=post, **ending)

    care("T1", ("2013-08-11", "S", "C2", "U4", "WA6 1"), ("2016-02-01", "P", "C2", "T4", "WA20 6"),
         ("2016-02-03", "T", "C2", "U4", "WA6 1"))  # fmt: skip
    care("T2", ("2013-08-11", "S", "C2", "U4", "WA6 1"), ("2016-02-01", "P", "C2", "T4", "WA20 6"),
         ("2016-02-03", "P", "C2", "U4", "WA6 1"))  # fmt: skip
    care("T3", ("2012-10-22", "L", "C1", "U6", "WA6 1"), ("2013-08-11", "T", "C2", "U4", "WA6 1"),
         ("2016-12-18", "P", "E1", "A6", "DY19 8"))  # fmt: skip
    care("T4", ("2013-08-11", "S", "C2", "U4", "WA6 1"), ("2015-06-01", "P", "C2", "U4", "B1 1"))
    s.loaded("ssda903", "2014-15")  # each return from 30 months before 31 March 2017 is loaded
    result = s.result("cla_longterm_stability_pct", "2016-17")
    assert (result.numerator, result.denominator) == (3, 4)
    # The one temporary-placement setting, counted: T1's respite and T2's return are new carers (in February
    # 2016, within the 2 years): T3 alone is stable.
    counted = s.result("cla_longterm_stability_pct", "2016-17", options=TEMPORARY_COUNTED)
    assert (counted.numerator, counted.denominator) == (1, 4)
