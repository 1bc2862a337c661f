"""Data quality (issue 12 items 3, 5, 6): each rule flags the record that breaks it and not the one on its boundary;
open records a later return no longer carries stop counting when its year begins; a child's row does not depend on
the order returns were loaded in, and every conflict is listed; figures leave out the records they would distort.

Returns go in through the real loader (load_returns: raw tables, lineage, canonical rebuild) from hand-made rows.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest

from csc_scorecard.engine import compute, explain
from csc_scorecard.periods import parse_period
from csc_scorecard.sources.model import ParsedReturn
from csc_scorecard.sources.tables import TABLES_BY_NAME, new_buffers
from csc_scorecard.store import connect
from csc_scorecard.store.load import load_returns
from csc_scorecard.store.quality import RULES, flags

LA = "335"
_DATES = {c for spec in TABLES_BY_NAME.values() for c, t in spec.columns if t == "DATE"}


def _row(values: dict[str, Any]) -> dict[str, Any]:
    return {
        k: dt.date.fromisoformat(v) if k in _DATES and isinstance(v, str) else v for k, v in values.items()
    }


def a_return(kind: str, year: str, tables: dict[str, list[dict[str, Any]]], name: str = "") -> ParsedReturn:
    """A return as a reader would hand it over: the tables given (a CIN census holds all of its own)."""
    buffers = new_buffers(kind)
    held = set(buffers) if kind == "cin" else {"children", *tables}
    line = 0
    for table, rows in tables.items():
        for values in rows:
            line += 1
            buffers[table].append(line, _row(values))
    name = name or f"{kind}_{year}"
    return ParsedReturn(
        kind, f"{kind}_test", name, [Path(name)], f"{name}-{line}-{sorted(held)}", LA, year, "header",
        {t: b.to_arrow() for t, b in buffers.items() if t in held},
    )  # fmt: skip


def child(child_id: str, dob: str = "2010-01-01", sex: str = "M", source: str = "cin") -> dict[str, Any]:
    return {
        "child_id": child_id,
        "dob": dob,
        "sex": sex,
        "sex_code": sex,
        "ethnicity": "WBRI",
        "source": source,
    }


def cin_episode(child_id: str, referred: str, closed: str | None = None, nfa: bool = False) -> dict[str, Any]:
    return {"child_id": child_id, "referral_date": referred, "closure_date": closed, "referral_nfa": nfa}


def episode(child_id: str, decom: str, dec: str | None = None, rec: str | None = None) -> dict[str, Any]:
    return {
        "child_id": child_id,
        "decom": decom,
        "dec": dec,
        "rec": rec,
        "rne": "S",
        "ls": "C2",
        "place": "U4",
    }


@pytest.fixture
def store(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = connect(tmp_path / "s.duckdb")
    yield con
    con.close()


def flagged(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None, str, str]]:
    return [(f.rule, f.child_id, f.record, f.detail) for f in flags(con, LA)]


def result(con: duckdb.DuckDBPyConnection, indicator: str, period: str, **kw: Any):
    (found,) = [r for r in compute(con, [parse_period(period)], [indicator], **kw) if r.breakdown is None]
    return found


# ---- the rules, each at its boundary -------------------------------------------------------------------------------


def test_an_end_before_a_start_is_flagged_and_the_same_day_is_not(store) -> None:
    census = a_return("cin", "2016-17", {
        "children": [child("A"), child("B"), child("C", dob="2017-04-01"), child("D", dob="2017-03-31")],
        "cin_episodes": [cin_episode("A", "2016-05-02", "2016-05-01"), cin_episode("B", "2016-05-02", "2016-05-02")],
        "assessments": [
            {"child_id": "A", "referral_date": "2016-05-02", "start_date": "2016-05-10", "authorised_date": "2016-05-05"},
            {"child_id": "B", "referral_date": "2016-05-02", "start_date": "2016-05-10", "authorised_date": "2016-05-10"},
        ],
        "section47": [
            {"child_id": "A", "referral_date": "2016-05-02", "start_date": "2016-06-01", "icpc_date": "2016-05-31"},
            {"child_id": "B", "referral_date": "2016-05-02", "start_date": "2016-06-01", "icpc_date": "2016-06-01"},
        ],
        "cp_plans": [
            {"child_id": "A", "referral_date": "2016-05-02", "start_date": "2016-07-01", "end_date": "2016-06-30"},
            {"child_id": "B", "referral_date": "2016-05-02", "start_date": "2016-07-01", "end_date": "2016-07-01"},
        ],
    })  # fmt: skip
    looked_after = a_return("ssda903", "2016-17", {
        "children": [child("L1", source="ssda903"), child("L2", source="ssda903")],
        "cla_episodes": [episode("L1", "2016-08-02", "2016-08-01", "E13"), episode("L2", "2016-08-02", "2016-08-02", "E13")],
        "missing": [
            {"child_id": "L1", "missing": "M", "mis_start": "2016-09-02", "mis_end": "2016-09-01"},
            {"child_id": "L2", "missing": "M", "mis_start": "2016-09-02", "mis_end": "2016-09-02"},
        ],
    })  # fmt: skip
    load_returns(store, [census, looked_after])
    assert flagged(store) == sorted(
        [
            (
                "assessment_authorised_before_start",
                "A",
                "assessment started 10/05/2016 (referral 02/05/2016)",
                "authorised 05/05/2016, before it started",
            ),
            (
                "cin_episode_closed_before_referral",
                "A",
                "episode referred 02/05/2016",
                "closed 01/05/2016, before the referral",
            ),
            (
                "cp_plan_ends_before_start",
                "A",
                "plan started 01/07/2016",
                "ended 30/06/2016, before it started",
            ),
            (
                "dob_after_year_end",
                "C",
                "child",
                "born 01/04/2017, after the end of the 2016-17 return's year",
            ),
            (
                "s47_conference_before_start",
                "A",
                "section 47 started 01/06/2016 (referral 02/05/2016)",
                "initial conference 31/05/2016, before the enquiry started",
            ),
            (
                "cla_episode_ends_before_start",
                "L1",
                "episode started 02/08/2016",
                "ceased 01/08/2016, before it started",
            ),
            (
                "missing_ends_before_start",
                "L1",
                "incident (M) started 02/09/2016",
                "ended 01/09/2016, before it started",
            ),
        ]
    )
    assert {(f.rule, f.dfe_rule) for f in flags(store, LA)} >= {
        ("assessment_authorised_before_start", "CIN 8608"), ("cla_episode_ends_before_start", "903 356"),
    }  # fmt: skip


def test_overlaps_follow_the_validators_tests(store) -> None:
    census = a_return("cin", "2016-17", {
        "children": [child(c) for c in "ABCDE"],
        "cin_episodes": [
            # A: the second starts the day the first closes (not an overlap: 8820 compares with <).
            cin_episode("A", "2016-04-10", "2016-06-01"), cin_episode("A", "2016-06-01", "2016-07-01"),
            # B: the second starts the day before the first closes.
            cin_episode("B", "2016-04-10", "2016-06-01"), cin_episode("B", "2016-05-31", "2016-07-01"),
            # C: the first is open; D: the first is an open referral with no further action (8820 leaves it).
            cin_episode("C", "2016-04-10"), cin_episode("C", "2016-08-01", "2016-09-01"),
            cin_episode("D", "2016-04-10", nfa=True), cin_episode("D", "2016-08-01", "2016-09-01"),
        ],
        "cp_plans": [
            # E: a plan starting the day another ends overlaps it (8940 compares with <=); the next day does not.
            {"child_id": "E", "referral_date": "2016-04-10", "start_date": "2016-05-01", "end_date": "2016-06-01"},
            {"child_id": "E", "referral_date": "2016-04-10", "start_date": "2016-06-01", "end_date": "2016-07-01"},
            {"child_id": "E", "referral_date": "2016-04-10", "start_date": "2016-07-02", "end_date": "2016-08-01"},
        ],
    })  # fmt: skip
    looked_after = a_return("ssda903", "2016-17", {
        "children": [child("L1", source="ssda903"), child("L2", source="ssda903")],
        # L1: the second starts before the first ceased; the third on the day the second ceased (not 501).
        "cla_episodes": [
            episode("L1", "2016-04-01", "2016-05-10", "X1"), episode("L1", "2016-05-09", "2016-06-10", "X1"),
            episode("L1", "2016-06-10", "2016-07-01", "E13"),
        ],
        # L2: the second starts while the first is open; the third on the day the second ended (not 574).
        "missing": [
            {"child_id": "L2", "missing": "M", "mis_start": "2016-05-01", "mis_end": None},
            {"child_id": "L2", "missing": "A", "mis_start": "2016-05-03", "mis_end": "2016-05-04"},
            {"child_id": "L2", "missing": "M", "mis_start": "2016-05-04", "mis_end": "2016-05-05"},
        ],
    })  # fmt: skip
    load_returns(store, [census, looked_after])
    assert flagged(store) == sorted([
        ("cin_episodes_overlap", "B", "episode referred 31/05/2016", "starts while the episode referred 10/04/2016 is open"),
        ("cin_episodes_overlap", "C", "episode referred 01/08/2016", "starts while the episode referred 10/04/2016 is open"),
        ("cp_plans_overlap", "E", "plan started 01/06/2016", "starts while the plan started 01/05/2016 is open"),
        ("cla_episodes_overlap", "L1", "episode started 09/05/2016", "starts before the previous episode ceased on 10/05/2016"),
        # Sorted by end (the open one by its start), the open incident comes first and the one after it overlaps.
        ("missing_overlap", "L2", "incident (A) started 03/05/2016", "starts while the previous incident has no end"),
    ])  # fmt: skip


def test_of_two_incidents_with_the_same_days_the_later_line_is_flagged(store) -> None:
    # Sorted by their days alone the two tie, and which one a load named depended on the order rows came back.
    looked_after = a_return("ssda903", "2016-17", {
        "children": [child("L3", source="ssda903")],
        "missing": [
            {"child_id": "L3", "missing": "M", "mis_start": "2016-05-10", "mis_end": "2016-05-11"},
            {"child_id": "L3", "missing": "A", "mis_start": "2016-05-10", "mis_end": "2016-05-11"},
        ],
    })  # fmt: skip
    load_returns(store, [looked_after])
    assert flagged(store) == [
        ("missing_overlap", "L3", "incident (A) started 10/05/2016", "starts before the previous incident ended on 11/05/2016"),
    ]  # fmt: skip


# ---- open records a later return no longer carries ------------------------------------------------------------------


def test_an_open_cin_episode_the_next_census_does_not_carry_is_open_until_its_year_begins(store) -> None:
    earlier = a_return("cin", "2015-16", {
        "children": [child("A"), child("B"), child("C")],
        "cin_episodes": [
            cin_episode("A", "2015-06-01"),  # open on 31 March 2016, and gone from the 2016-17 census
            cin_episode("B", "2015-07-01", "2016-03-31"),  # closed: no later census needs to carry it
            cin_episode("C", "2015-08-01"),  # open, and carried
        ],
        "cp_plans": [{"child_id": "A", "referral_date": "2015-06-01", "start_date": "2015-07-01"}],
    })  # fmt: skip
    load_returns(store, [earlier])
    assert result(store, "cin_count", "2015-16").numerator == 2
    assert store.execute(
        "SELECT count(*) FROM cin_episodes WHERE not_carried_from IS NOT NULL"
    ).fetchall() == [(0,)]

    later = a_return("cin", "2016-17", {
        "children": [child("C"), child("D")],
        "cin_episodes": [cin_episode("C", "2015-08-01"), cin_episode("D", "2016-05-01")],
    })  # fmt: skip
    load_returns(store, [later])
    assert store.execute(
        "SELECT child_id, not_carried_from FROM cin_episodes WHERE not_carried_from IS NOT NULL"
    ).fetchall() == [("A", dt.date(2016, 4, 1))]
    # The earlier census decides its own year; the later one decides from 1 April 2016 (today A stayed open).
    assert result(store, "cin_count", "2015-16").numerator == 2
    assert result(store, "cin_count", "2016-17Q1").numerator == 2  # C and D on 30 June 2016, not A
    assert result(store, "cin_count", "2016-17").numerator == 2
    assert result(store, "cpp_count", "2015-16").numerator == 1
    assert result(store, "cpp_count", "2016-17").numerator == 0  # the 2016-17 census has no plan for A
    # the episodes open by duration count the same episodes as cin_count: at 31 March 2016 A (10 months) and C
    # (8 months), both 6 to 12 months; at 31 March 2017 C (1 year 8 months) and D (11 months), not A, which would
    # have been 1 to 2 years
    for indicator, period, counts in (
        ("cin_open_6_12m_pct", "2015-16", (2, 2)),
        ("cin_open_1_2y_pct", "2016-17", (1, 2)),
        ("cin_open_under_3m_pct", "2016-17Q1", (1, 2)),  # D (2 months) of C and D on 30 June 2016
    ):
        found = result(store, indicator, period)
        assert (found.numerator, found.denominator) == counts, indicator
    assert flagged(store) == [
        ("cin_episode_not_carried", "A", "CIN episode referred 01/06/2015",
         "open at the end of the 2015-16 CIN census, not in the 2016-17 CIN census: not counted open from 01/04/2016"),
        ("cp_plan_not_carried", "A", "child protection plan started 01/07/2015",
         "open at the end of the 2015-16 CIN census, not in the 2016-17 CIN census: not counted open from 01/04/2016"),
    ]  # fmt: skip


def test_a_903_episode_the_next_return_does_not_carry_stops_being_looked_after(store) -> None:
    earlier = a_return("ssda903", "2015-16", {
        "children": [child("L1", "2005-01-01", source="ssda903"), child("L2", "2005-01-01", source="ssda903")],
        "cla_episodes": [episode("L1", "2015-05-01"), episode("L2", "2015-06-01")],
    })  # fmt: skip
    later = a_return("ssda903", "2016-17", {
        "children": [child("L2", "2005-01-01", source="ssda903")],
        "cla_episodes": [episode("L2", "2015-06-01", "2016-10-01", "E13")],
    })  # fmt: skip
    load_returns(store, [earlier, later])
    assert result(store, "cla_count", "2015-16").numerator == 2
    assert result(store, "cla_count", "2016-17Q1").numerator == 1  # L2 only: L1's episode is not in 2016-17's
    during = result(store, "cla_missing_pct", "2016-17")
    assert during.denominator == 1  # looked after at any time in 2016-17: L2 only
    assert [(f.rule, f.child_id) for f in flags(store, LA)] == [("cla_episode_not_carried", "L1")]


def test_a_later_return_without_the_table_decides_nothing(store) -> None:
    earlier = a_return("ssda903", "2015-16", {
        "children": [child("L1", source="ssda903")], "cla_episodes": [episode("L1", "2015-05-01")],
    })  # fmt: skip
    only_header = a_return("ssda903", "2016-17", {"children": [child("L1", source="ssda903")]})
    load_returns(store, [earlier, only_header])
    assert store.execute("SELECT not_carried_from FROM cla_episodes").fetchall() == [(None,)]
    assert flagged(store) == []


# ---- a child's facts from more than one return ---------------------------------------------------------------------


def test_a_childs_row_does_not_depend_on_load_order_and_every_conflict_is_listed(tmp_path: Path) -> None:
    def returns() -> tuple[ParsedReturn, ParsedReturn]:
        census = a_return("cin", "2016-17", {
            "children": [child("X", "2009-05-01", "F"), child("Y", "2008-01-01", "U"), child("Z", "2007-01-01", "M")],
            "cin_episodes": [cin_episode("X", "2016-05-01"), cin_episode("Y", "2016-05-01"), cin_episode("Z", "2016-05-01")],
        })  # fmt: skip
        looked_after = a_return("ssda903", "2016-17", {
            # X: another date of birth and sex; Y: sex U in the census is no conflict; Z: the same.
            "children": [child("X", "2009-01-05", "M", "ssda903"), child("Y", "2008-01-01", "M", "ssda903"),
                         child("Z", "2007-01-01", "M", "ssda903")],
            "cla_episodes": [episode("X", "2016-06-01"), episode("Y", "2016-06-01"), episode("Z", "2016-06-01")],
        })  # fmt: skip
        return census, looked_after

    outcomes = {}
    for order in ("cin first", "903 first"):
        con = connect(tmp_path / f"{order}.duckdb")
        census, looked_after = returns()
        for one in (census, looked_after) if order == "cin first" else (looked_after, census):
            load_returns(con, [one])
        by_sex = compute(con, [parse_period("2016-17")], ["cin_count"], breakdown="sex")
        outcomes[order] = (
            con.execute("SELECT child_id, dob, sex, source FROM children ORDER BY 1").fetchall(),
            sorted((r.breakdown_value, r.numerator) for r in by_sex),
            flagged(con),
        )
        con.close()
    assert outcomes["cin first"] == outcomes["903 first"]
    rows, by_sex, listed = outcomes["cin first"]
    assert rows[0] == ("X", dt.date(2009, 1, 5), "M", "ssda903")  # the same year's SSDA903 row
    assert ("Male", 3) in by_sex
    assert listed == [
        ("dob_differs", "X", "child", "date of birth differs: 01/05/2009 in the 2016-17 CIN census, 05/01/2009 in "
         "the 2016-17 SSDA903; the store uses the 2016-17 SSDA903's"),
        ("sex_differs", "X", "child", "sex differs: F in the 2016-17 CIN census, M in the 2016-17 SSDA903; the store "
         "uses the 2016-17 SSDA903's"),
    ]  # fmt: skip


def test_a_later_years_return_wins_over_the_same_years_order(store) -> None:
    old = a_return("ssda903", "2015-16", {"children": [child("X", "2009-01-05", "M", "ssda903")],
                                          "cla_episodes": [episode("X", "2015-06-01")]})  # fmt: skip
    new = a_return("cin", "2016-17", {"children": [child("X", "2009-05-01", "F")],
                                      "cin_episodes": [cin_episode("X", "2016-05-01")]})  # fmt: skip
    load_returns(store, [new, old])
    assert store.execute("SELECT dob, sex, source FROM children").fetchall() == [
        (dt.date(2009, 5, 1), "F", "cin")
    ]


# ---- figures leave out the records they would distort ---------------------------------------------------------------


def test_an_assessment_authorised_before_it_started_is_left_out_and_counted_in_the_notes(store) -> None:
    census = a_return("cin", "2016-17", {
        "children": [child("A"), child("B"), child("C", sex="F")],
        "cin_episodes": [cin_episode(c, "2016-05-02") for c in "ABC"],
        "assessments": [
            # A: 2 working days; B: authorised 5 days before it started (today "within 45 days"); C: 46 working days.
            {"child_id": "A", "referral_date": "2016-05-02", "start_date": "2016-05-03", "authorised_date": "2016-05-05"},
            {"child_id": "B", "referral_date": "2016-05-02", "start_date": "2016-05-10", "authorised_date": "2016-05-05"},
            {"child_id": "C", "referral_date": "2016-05-02", "start_date": "2016-05-03", "authorised_date": "2016-07-07"},
        ],
    })  # fmt: skip
    load_returns(store, [census])
    found = result(store, "assessments_45wd_pct", "2016-17")
    assert (found.numerator, found.denominator, found.value) == (1, 2, 50.0)
    assert found.notes == (
        "left out: 1 record with an assessment authorised before it started (DfE CIN 8608); "
        "csc-scorecard quality lists them"
    )
    by_sex = {r.breakdown_value: r for r in compute(store, [parse_period("2016-17")], ["assessments_45wd_pct"],
                                                    breakdown="sex")}  # fmt: skip
    male = by_sex["Male"]
    assert (male.numerator, male.denominator) == (1, 1) and male.notes.startswith("left out: 1 record")
    assert (by_sex["Female"].numerator, by_sex["Female"].denominator, by_sex["Female"].notes) == (0, 1, "")
    # The drill-through lists what the figure counts: not B, which `csc-scorecard quality` lists.
    explained = explain(store, "assessments_45wd_pct", parse_period("2016-17"), LA)
    assert [r["child_id"] for r in explained.numerator_records] == ["A"]
    assert sorted(r["child_id"] for r in explained.denominator_records) == ["A", "C"]
    # The first quarter (to 30 June) holds A and the left-out B: C was authorised in July.
    quarter = result(store, "assessments_45wd_pct", "2016-17Q1")
    assert (quarter.numerator, quarter.denominator, quarter.notes[:20]) == (1, 1, "left out: 1 record w")


def test_conferences_and_plans_out_of_order_are_left_out_of_their_figures(store) -> None:
    census = a_return("cin", "2016-17", {
        "children": [child("A"), child("B")],
        "cin_episodes": [cin_episode("A", "2014-05-02"), cin_episode("B", "2016-05-02")],
        "section47": [
            {"child_id": "B", "referral_date": "2016-05-02", "start_date": "2016-06-01", "icpc_date": "2016-06-03"},
            {"child_id": "B", "referral_date": "2016-05-02", "start_date": "2016-06-10", "icpc_date": "2016-06-09"},
        ],
        "cp_plans": [
            # A: 2 years and more (730 days counting the last); B: ended before it started.
            {"child_id": "A", "referral_date": "2014-05-02", "start_date": "2014-06-01", "end_date": "2016-05-31"},
            {"child_id": "B", "referral_date": "2016-05-02", "start_date": "2016-09-01", "end_date": "2016-08-01"},
        ],
    })  # fmt: skip
    load_returns(store, [census])
    conferences = result(store, "s47_icpc_15wd_pct", "2016-17")
    assert (conferences.numerator, conferences.denominator) == (1, 1)
    assert "left out: 1 record with an initial child protection conference before its section 47 enquiry" in (
        conferences.notes
    )
    plans = result(store, "cpp_2yrs_ended_pct", "2016-17")
    assert (plans.numerator, plans.denominator, plans.value) == (1, 1, 100.0)
    assert "a child protection plan ending before it started (DfE CIN 8925)" in plans.notes


def test_every_rule_a_figure_leaves_out_is_known_and_flags_rows_of_what_the_figure_counts() -> None:
    from csc_scorecard.catalogue import load_catalogue
    from csc_scorecard.store.quality import all_rules

    catalogue = load_catalogue()
    rules = {rule.id: rule for rule in all_rules()}
    leaving = catalogue.leaving_out()
    assert set(leaving) == {"assessment_authorised_before_start", "s47_conference_before_start",
                            "cp_plan_ends_before_start"}  # fmt: skip
    for rule_id, indicators in leaving.items():
        for indicator_id in indicators:
            population = catalogue.definition(indicator_id).population or ""
            assert rules[rule_id].table in catalogue.source_tables(population), (rule_id, indicator_id)


# ---- a store derived by other code --------------------------------------------------------------------------------


def test_a_store_derived_by_earlier_code_is_rebuilt_on_its_next_writable_open(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    con = connect(db)
    load_returns(con, [a_return("cin", "2016-17", {
        "children": [child("A")], "cin_episodes": [cin_episode("A", "2016-05-02", "2016-05-01")],
    })])  # fmt: skip
    # As an earlier csc-scorecard left it: no flags, and another fingerprint.
    con.execute("DELETE FROM quality_flags")
    con.execute("UPDATE derived_data SET fingerprint = 'earlier'")
    con.close()
    con = connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM quality_flags").fetchall() == [(0,)]  # reading changes nothing
    con.close()
    con = connect(db)
    assert [f.rule for f in flags(con, LA)] == ["cin_episode_closed_before_referral"]
    con.close()


# ---- DfE's rule numbers ------------------------------------------------------------------------------------------


def test_the_dfe_rule_numbers_are_the_validators_own() -> None:
    """Each rule's DfE number is a rule of csc-validator-be-cin or -903 (when `make validators` has set them up)."""
    from csc_scorecard.validators.environment import ValidatorsMissing, find_python

    try:
        python = find_python(None)
    except ValidatorsMissing:
        pytest.skip("the DfE validators are not set up on this machine (make validators)")
    listing = subprocess.run(
        [str(python), "-I", "-c",
         "import importlib\n"
         "for package, ruleset in (('cin_validator', 'cin2022_23'), ('lac_validator', 'lac2022_23')):\n"
         "    for code in importlib.import_module(f'{package}.rules.{ruleset}').registry:\n"
         "        print(package[:3], code)"],
        capture_output=True, text=True, check=True, timeout=600,
    ).stdout.split("\n")  # fmt: skip
    known = {("CIN" if line.startswith("cin") else "903") + " " + line.split()[1] for line in listing if line}
    numbers = {part.strip() for rule in RULES if rule.dfe for part in rule.dfe.split(",")}
    assert numbers and numbers <= known, numbers - known
