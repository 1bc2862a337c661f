"""The SSD as a source: CSV extracts recognised and checked like every return, mapped onto the canonical tables,
loaded as a snapshot (a newer one replaces the older; the returns keep the days before it), covering windows day
by day, and reconciling with the same council's returns figure for figure."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from csc_scorecard.catalogue import load_catalogue
from csc_scorecard.cli import cli
from csc_scorecard.engine import compute
from csc_scorecard.ingest import LoadOptions, commit, prepare
from csc_scorecard.periods import parse_period
from csc_scorecard.reconcile import reconcile
from csc_scorecard.sources.problems import ReturnRejected
from csc_scorecard.sources.ssd.spec import ssd_tables
from csc_scorecard.store.connection import connect
from store_checks import query, table_checksums

LA = "335"
# What no SSD table holds: the SSDA903's OC3 (care leavers) and OC2 (health of children looked after a year)
NOT_IN_SSD = {i for i in load_catalogue().ids() if i.startswith("care_leavers_")} | {
    "cla_convicted_pct", "cla_dental_check_pct", "cla_health_assessment_pct", "cla_immunisations_pct",
    "cla_sdq_average", "cla_substance_misuse_pct",
}  # fmt: skip
SECOND_PLANS = {"cpp_second_pct", "cpp_second_count"}
# closures: the council's system closed on 1 April the episodes a later return no longer holds (synth/year_end
# _not_carried, from DfE's table B1); the SSD has the closure, the returns count no closure (store/quality.py)
NOT_CARRIED = {f"cin_closed_{band}_pct" for band in ("under_3m", "3_6m", "6_12m", "1_2y", "2y_plus")}


def write_table(
    folder: Path, table: str, rows: list[dict[str, object]], columns: list[str] | None = None
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    fields = columns or list(ssd_tables()[table])
    path = folder / f"{table}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(fields)
        writer.writerows([["" if row.get(f) is None else str(row[f]) for f in fields] for row in rows])
    return path


def small_extract(folder: Path, run: str = "2017-04-01", close_reason: str = "RC7") -> Path:
    """Two children, three referrals, one closed, with the extract's time windows."""
    write_table(
        folder, "ssd_vw_current_time_windows", [{"ssd_run_date": run, "ssd_window_start": "2015-04-01"}]
    )
    write_table(
        folder,
        "ssd_person",
        [
            {"pers_person_id": "C1", "pers_sex": "1", "pers_ethnicity": "WBRI", "pers_dob": "2010-05-01"},
            {
                "pers_person_id": "C2",
                "pers_sex": "Female",
                "pers_ethnicity": "AIND",
                "pers_dob": "2012-01-09 00:00:00.000",
            },
        ],
    )
    write_table(
        folder,
        "ssd_cin_episodes",
        [
            {"cine_referral_id": "R1", "cine_person_id": "C1", "cine_referral_date": "2016-05-03",
             "cine_referral_source_code": "2A", "cine_cin_primary_need_code": "N1", "cine_referral_nfa": "N",
             "cine_close_date": "2016-09-30", "cine_close_reason": close_reason},
            {"cine_referral_id": "R2", "cine_person_id": "C1", "cine_referral_date": "2017-01-10",
             "cine_referral_source_code": "6", "cine_cin_primary_need_code": "N4", "cine_referral_nfa": "N"},
            {"cine_referral_id": "R3", "cine_person_id": "C2", "cine_referral_date": "2017-02-14",
             "cine_referral_source_code": "3A", "cine_cin_primary_need_code": "N1", "cine_referral_nfa": "Y"},
        ],
    )  # fmt: skip
    return folder


def load(paths: list[Path], db: Path):
    return commit(db, prepare(paths, LoadOptions(la=LA)))


# ---- reading and mapping --------------------------------------------------------------------------------------


def test_an_extract_is_read_by_header_and_mapped_onto_the_canonical_tables(tmp_path):
    report = load([small_extract(tmp_path / "extract")], tmp_path / "s.duckdb")
    assert report.lines()[0] == (
        "loaded: SSD snapshot taken 01/04/2017 for 335 Walsall from extract, holding 01/04/2015 to 31/03/2017 "
        "(dates from ssd_vw_current_time_windows): 5 rows as load 1"
    )
    episodes = query(
        tmp_path / "s.duckdb",
        "SELECT child_id, referral_date, referral_source, primary_need, closure_date, closure_reason, referral_nfa "
        "FROM cin_episodes ORDER BY referral_date",
    )
    assert episodes == [
        ("C1", dt.date(2016, 5, 3), "2A", "N1", dt.date(2016, 9, 30), "RC7", False),
        ("C1", dt.date(2017, 1, 10), "6", "N4", None, None, False),
        ("C2", dt.date(2017, 2, 14), "3A", "N1", None, None, True),
    ]
    children = query(
        tmp_path / "s.duckdb", "SELECT child_id, sex, sex_code, dob, source FROM children ORDER BY 1"
    )
    assert children == [
        ("C1", "M", "1", dt.date(2010, 5, 1), "ssd"),
        ("C2", "F", "Female", dt.date(2012, 1, 9), "ssd"),
    ]
    loads = query(
        tmp_path / "s.duckdb",
        "SELECT kind, format, collection_year, snapshot_taken_at, covers_from, covers_to, files FROM loads",
    )
    assert loads == [
        ("ssd", "ssd_csv", "2016-17", dt.datetime(2017, 4, 1), dt.date(2015, 4, 1), dt.date(2017, 3, 31),
         ["ssd_cin_episodes.csv", "ssd_person.csv", "ssd_vw_current_time_windows.csv"]),
    ]  # fmt: skip


def test_every_problem_is_named_and_nothing_is_loaded(tmp_path):
    db = tmp_path / "s.duckdb"
    load([small_extract(tmp_path / "good")], db)
    before = table_checksums(db)
    folder = small_extract(tmp_path / "bad", run="2017-05-01", close_reason="RC99")
    write_table(
        folder,
        "ssd_cp_plans",
        [{"cppl_cp_plan_id": "P1", "cppl_referral_id": "R9", "cppl_person_id": "C1",
          "cppl_cp_plan_start_date": "31/02/2017", "cppl_cp_plan_initial_category": "Bullying"}],
    )  # fmt: skip
    near = ["miss_table_id", "miss_person_id", "miss_missing_episode_end_date", "miss_missing_rhi_offered",
            "miss_missing_rhi_accepted", "miss_colour"]  # fmt: skip
    write_table(folder, "ssd_missing", [], columns=near)
    with pytest.raises(ReturnRejected) as rejected:
        load([folder], db)
    assert [str(p).replace(f"{folder}/", "") for p in rejected.value.problems] == [
        "ssd_missing.csv: line 1: miss_missing_episode_start_date = (blank): column missing: the header looks like ssd_missing",
        "ssd_missing.csv: line 1: miss_missing_episode_type = (blank): column missing: the header looks like ssd_missing",
        "ssd_missing.csv: line 1: miss_colour = 'miss_colour': not a field of ssd_missing in the SSD data model",
    ]
    write_table(folder, "ssd_missing", [])
    with pytest.raises(ReturnRejected) as rejected:
        load([folder], db)
    assert [str(p).replace(f"{folder}/", "") for p in rejected.value.problems] == [
        "ssd_cin_episodes.csv: line 2: cine_close_reason = 'RC99': not a CIN census ReasonForClosure code",
        "ssd_cp_plans.csv: line 2: cppl_referral_id = 'R9': no referral with this cine_referral_id in ssd_cin_episodes",
        "ssd_cp_plans.csv: line 2: cppl_cp_plan_start_date = '31/02/2017': not a date (YYYY-MM-DD, YYYY-MM-DD hh:mm:ss or dd/mm/YYYY)",
        "ssd_cp_plans.csv: line 2: cppl_cp_plan_initial_category = 'Bullying': not a category of abuse the mapping "
        "knows (EMO, Emotional, Emotional Abuse, MUL, Multiple, NEG, Neglect, PHY, Physical, Physical Abuse, SAB, "
        "Sexual, Sexual Abuse)",
    ]
    assert table_checksums(db) == before


def test_assessment_factors_in_json_are_read_explicitly_and_unknown_ones_named(tmp_path):
    folder = small_extract(tmp_path / "extract")
    write_table(
        folder,
        "ssd_cin_assessments",
        [{"cina_assessment_id": f"A{n}", "cina_person_id": child, "cina_referral_id": ref,
          "cina_assessment_start_date": start, "cina_assessment_auth_date": "2017-03-01"}
         for n, (child, ref, start) in enumerate(
             [("C1", "R1", "2016-05-04"), ("C1", "R2", "2017-01-11"), ("C2", "R3", "2017-02-15")], start=1)],
    )  # fmt: skip
    factors = {"A1": '["1c", "2B"]', "A2": '{"3A": "Y", "4A": "N", "21": "Yes"}', "A3": "6A; 8B"}
    write_table(
        folder,
        "ssd_assessment_factors",
        [{"cinf_table_id": f"F{k}", "cinf_assessment_id": k, "cinf_assessment_factors_json": v}
         for k, v in factors.items()],
    )  # fmt: skip
    db = tmp_path / "s.duckdb"
    load([folder], db)
    assert query(db, "SELECT child_id, start_date, factors FROM assessments ORDER BY 2") == [
        ("C1", dt.date(2016, 5, 4), ["1C", "2B"]),
        ("C1", dt.date(2017, 1, 11), ["3A", "21"]),
        ("C2", dt.date(2017, 2, 15), ["6A", "8B"]),
    ]
    before = table_checksums(db)
    factors = {"A1": '["1C", "99Z"]', "A2": '["3A", ', "A3": "6A"}
    write_table(
        folder,
        "ssd_assessment_factors",
        [{"cinf_table_id": f"F{k}", "cinf_assessment_id": k, "cinf_assessment_factors_json": v}
         for k, v in factors.items()],
    )  # fmt: skip
    with pytest.raises(ReturnRejected) as rejected:
        load([folder], db)
    assert [str(p).replace(f"{folder}/", "") for p in rejected.value.problems] == [
        'ssd_assessment_factors.csv: line 2: cinf_assessment_factors_json = \'["1C", "99Z"]\': not CIN census '
        "AssessmentFactors code(s): 99Z",
        "ssd_assessment_factors.csv: line 3: cinf_assessment_factors_json = '[\"3A\",': not valid JSON",
    ]
    assert table_checksums(db) == before


def test_a_table_that_needs_another_says_so(tmp_path):
    folder = tmp_path / "extract"
    small_extract(folder)
    write_table(folder, "ssd_cla_episodes", [])
    with pytest.raises(ReturnRejected) as rejected:
        load([folder], tmp_path / "s.duckdb")
    assert [str(p).replace(f"{folder.parent}/", "") for p in rejected.value.problems] == [
        "extract: extract: ssd_cla_placement = (blank): missing: ssd_cla_episodes (ssd_cla_episodes.csv) needs it "
        "in the same extract for the store's cla_episodes",
        "extract: extract: ssd_legal_status = (blank): missing: ssd_cla_episodes (ssd_cla_episodes.csv) needs it "
        "in the same extract for the store's cla_episodes",
    ]


def test_several_previous_permanence_rows_of_a_child_keep_the_last_and_the_report_says_so(tmp_path):
    folder = small_extract(tmp_path / "extract")
    write_table(
        folder,
        "ssd_cla_previous_permanence",
        [{"lapp_table_id": "PP1", "lapp_person_id": "C1", "lapp_previous_permanence_option": "Z1"},
         {"lapp_table_id": "PP2", "lapp_person_id": "C2", "lapp_previous_permanence_option": "P2",
          "lapp_previous_permanence_order_date": "zz/05/2012"},
         {"lapp_table_id": "PP3", "lapp_person_id": "C1", "lapp_previous_permanence_option": "P1",
          "lapp_previous_permanence_la": "E08000030"}],
    )  # fmt: skip
    report = load([folder], tmp_path / "s.duckdb")
    assert report.outcomes[0].notes == (
        "ssd_cla_previous_permanence.csv: 1 child has more than one previous permanence row; the last of each is "
        "kept (the store holds one per child, as the 903's PrevPerm does)",
    )
    assert query(
        tmp_path / "s.duckdb",
        "SELECT child_id, prev_perm, la_perm, date_perm, src_line FROM prev_perm ORDER BY 1",
    ) == [
        ("C1", "P1", "E08000030", None, 4),
        ("C2", "P2", None, "zz/05/2012", 3),
    ]


def test_contacts_and_early_help_come_month_by_month_and_an_unknown_source_is_named(tmp_path):
    folder = small_extract(tmp_path / "extract")
    write_table(
        folder,
        "ssd_contacts",
        [{"cont_contact_id": "K1", "cont_person_id": "C1", "cont_contact_date": "2017-01-09 10:30:00.000",
          "cont_contact_source_code": "2A"},
         {"cont_contact_id": "K2", "cont_person_id": "C1", "cont_contact_date": "2017-02-20",
          "cont_contact_source_code": "6"},
         {"cont_contact_id": "K3", "cont_person_id": "X9", "cont_contact_date": "2017-02-21",
          "cont_contact_source_code": "3a"}],
    )  # fmt: skip
    write_table(
        folder,
        "ssd_early_help_episodes",
        [{"earl_episode_id": "E1", "earl_person_id": "C2", "earl_episode_start_date": "2016-11-01",
          "earl_episode_end_date": "2017-02-01", "earl_episode_organisation": "Family Hub East"}],
    )  # fmt: skip
    db = tmp_path / "s.duckdb"
    load([folder], db)
    assert query(
        db, "SELECT child_id, contact_date, contact_source, as_at_date FROM annex_a_contacts ORDER BY 2"
    ) == [
        ("C1", dt.date(2017, 1, 9), "2A", None),
        ("C1", dt.date(2017, 2, 20), "6", None),
        ("X9", dt.date(2017, 2, 21), "3A", None),
    ]
    assert query(db, "SELECT child_id, start_date, completed_date, organisation FROM annex_a_early_help") == [
        ("C2", dt.date(2016, 11, 1), dt.date(2017, 2, 1), "Family Hub East")
    ]
    con = connect(db, read_only=True)
    try:
        periods = [parse_period(c) for c in ("2017-01", "2017-02", "2017-03", "2016-17Q4")]
        results = compute(con, periods, ["contacts_count", "contacts_to_referral_pct"], la_codes=[LA])
    finally:
        con.close()
    # contacts month by month; the referrals of Annex A list 3 are not the SSD's, so no conversion rate is listed
    assert {r.indicator_id for r in results} == {"contacts_count"}
    assert {r.period: r.value for r in results if r.indicator_id == "contacts_count"} == {
        "2017-01": 1, "2017-02": 2, "2017-03": 0, "2016-17Q4": 3,
    }  # fmt: skip
    before = table_checksums(db)
    write_table(
        folder,
        "ssd_contacts",
        [{"cont_contact_id": "K1", "cont_person_id": "C1", "cont_contact_date": "2017-01-09",
          "cont_contact_source_code": "Police"},
         {"cont_contact_id": "K2", "cont_person_id": "C1", "cont_contact_date": "2017-01-09 16:00:00",
          "cont_contact_source_code": "2A"}],
    )  # fmt: skip
    with pytest.raises(ReturnRejected) as rejected:
        load([folder], db)
    assert [str(p).replace(f"{folder}/", "") for p in rejected.value.problems] == [
        "ssd_contacts.csv: line 2: cont_contact_source_code = 'Police': not a CIN census ReferralSource code",
        "ssd_contacts.csv: line 3: child_id, contact_date = 'C1, 2017-01-09': the same child_id and contact_date "
        "as line 2: the store's annex_a_contacts holds one row for each",
    ]
    assert table_checksums(db) == before


# ---- teams, workers and visits: what no return holds ------------------------------------------------------------


def teams_extract(folder: Path) -> Path:
    """The small extract, with C1 on a child protection plan from 16/01/2017 visited on 20/01 and 20/03/2017;
    C1 allocated to W1 (team T1, half time) until 05/03/2017 and then to W2 (T2, FTE not given), C2 to W1 from
    14/02/2017."""
    small_extract(folder)
    write_table(
        folder,
        "ssd_cp_plans",
        [{"cppl_cp_plan_id": "P1", "cppl_referral_id": "R2", "cppl_person_id": "C1",
          "cppl_cp_plan_start_date": "2017-01-16", "cppl_cp_plan_initial_category": "NEG"}],
    )  # fmt: skip
    write_table(
        folder,
        "ssd_cp_visits",
        [{"cppv_cp_visit_id": "V1", "cppv_person_id": "C1", "cppv_cp_plan_id": "P1", "cppv_cp_visit_date": "2017-01-20",
          "cppv_cp_visit_seen": "Y", "cppv_cp_visit_seen_alone": "N"},
         {"cppv_cp_visit_id": "V2", "cppv_person_id": "C1", "cppv_cp_plan_id": "P1", "cppv_cp_visit_date": "2017-03-20",
          "cppv_cp_visit_seen": "Y", "cppv_cp_visit_seen_alone": "Y"}],
    )  # fmt: skip
    write_table(folder, "ssd_cla_visits", [])
    write_table(
        folder,
        "ssd_involvements",
        [{"invo_involvements_id": "I1", "invo_person_id": "C1", "invo_professional_id": "W1", "invo_professional_team": "T1",
          "invo_involvement_start_date": "2016-05-03", "invo_involvement_end_date": "2017-03-05"},
         {"invo_involvements_id": "I2", "invo_person_id": "C1", "invo_professional_id": "W2", "invo_professional_team": "T2",
          "invo_involvement_start_date": "2017-03-06"},
         {"invo_involvements_id": "I3", "invo_person_id": "C2", "invo_professional_id": "W1", "invo_professional_team": "T1",
          "invo_involvement_start_date": "2017-02-14"}],
    )  # fmt: skip
    write_table(
        folder,
        "ssd_professionals",
        [{"prof_professional_id": "W1", "prof_professional_name": "Ann Able", "prof_full_time_equivalency": "0.5"},
         {"prof_professional_id": "W2", "prof_professional_name": "Bob Baker"}],
    )  # fmt: skip
    write_table(
        folder,
        "ssd_department",
        [{"dept_team_id": "T1", "dept_team_name": "Assessment North"},
         {"dept_team_id": "T2", "dept_team_name": "Child Protection South"}],
    )  # fmt: skip
    return folder


def test_visits_and_caseloads_by_month_team_and_worker_are_worked_by_hand(tmp_path):
    db = tmp_path / "s.duckdb"
    load([teams_extract(tmp_path / "extract")], db)
    months = [parse_period("2017-02"), parse_period("2017-03")]
    con = connect(db, read_only=True)
    try:

        def figures(ids, breakdown=None, options=None):
            return {
                (r.indicator_id, r.period, r.breakdown_value): (r.numerator, r.denominator, r.value)
                for r in compute(con, months, ids, breakdown, la_codes=[LA], options=options)
            }

        visits = figures(["ssd_cp_visits_in_timescale_pct"])
        by_team = figures(["ssd_cp_visits_in_timescale_pct", "cpp_count"], "allocated_team")
        by_worker = figures(["cpp_count"], "allocated_worker")
        promise = {"ssd_caseload_over_promise_pct": {"caseload_promise": 1}}
        caseloads = figures(["ssd_caseload_average", "ssd_caseload_over_promise_pct"], options=promise)
        caseloads_by_team = figures(["ssd_caseload_average"], "team")
    finally:
        con.close()
    # 28/02: the last visit (20/01) was 27 working days before; 31/03: the last (20/03) 9 working days before
    assert visits[("ssd_cp_visits_in_timescale_pct", "2017-02", None)][:2] == (0, 1)
    assert visits[("ssd_cp_visits_in_timescale_pct", "2017-03", None)][:2] == (1, 1)
    # the plan counts in the team of the worker C1 was allocated to at each month's end
    assert {k: v[0] for k, v in by_team.items() if k[0] == "cpp_count" and v[0]} == {
        ("cpp_count", "2017-02", "Assessment North"): 1,
        ("cpp_count", "2017-03", "Child Protection South"): 1,
    }
    assert by_team[("ssd_cp_visits_in_timescale_pct", "2017-03", "Child Protection South")][:2] == (1, 1)
    assert {k[2] for k, v in by_worker.items() if v[0]} == {"Ann Able (W1)", "Bob Baker (W2)"}
    # 28/02: W1 holds C1 and C2 on half time; 31/03: W1 holds C2 (half time), W2 C1 (full time, as not given)
    assert caseloads[("ssd_caseload_average", "2017-02", None)][2] == pytest.approx(2 / 0.5)
    assert caseloads[("ssd_caseload_average", "2017-03", None)][2] == pytest.approx(2 / 1.5)
    # a promise of 1 child per FTE: W1 is above it both months (2 > 0.5, 1 > 0.5), W2 is not (1 = 1)
    assert caseloads[("ssd_caseload_over_promise_pct", "2017-02", None)][:2] == (1, 1)
    assert caseloads[("ssd_caseload_over_promise_pct", "2017-03", None)][:2] == (1, 2)
    assert caseloads_by_team[("ssd_caseload_average", "2017-03", "Assessment North")][2] == pytest.approx(2.0)
    assert caseloads_by_team[("ssd_caseload_average", "2017-03", "Child Protection South")][
        2
    ] == pytest.approx(1.0)


def test_indicators_only_a_snapshot_gives_are_not_listed_for_a_council_with_returns_only(tmp_path):
    db = tmp_path / "s.duckdb"
    load([small_extract(tmp_path / "extract")], db)
    con = connect(db, read_only=True)
    try:
        results = compute(
            con, [parse_period("2017-03")], ["ssd_caseload_average", "referrals_count"], la_codes=[LA]
        )
    finally:
        con.close()
    # the extract holds no involvements: no caseload row at all, rather than a gap asking for a return
    assert [r.indicator_id for r in results] == ["referrals_count"]


# ---- snapshots ----------------------------------------------------------------------------------------------------


def test_a_newer_snapshot_replaces_the_older_and_an_older_one_is_refused(tmp_path):
    db = tmp_path / "s.duckdb"
    load([small_extract(tmp_path / "april")], db)
    newer = small_extract(tmp_path / "may", run="2017-05-01")
    write_table(newer, "ssd_person", [{"pers_person_id": "C1", "pers_sex": "M", "pers_ethnicity": "WBRI"}])
    report = load([newer], db)
    assert report.outcomes[0].action == "replaced load 1"
    assert query(db, "SELECT load_id, status, replaced_by FROM loads ORDER BY 1") == [
        (1, "replaced", 2),
        (2, "current", None),
    ]
    assert query(db, "SELECT count(*), max(load_id) FROM children") == [(1, 2)]
    before = table_checksums(db)
    with pytest.raises(ReturnRejected) as rejected:
        load([small_extract(tmp_path / "march", run="2017-03-01")], db)
    assert str(rejected.value.problems[0]) == (
        "march: -: snapshot = '01/03/2017': older than the snapshot already loaded for LA 335 (load 2, taken "
        "01/05/2017): only a newer snapshot replaces it"
    )
    assert table_checksums(db) == before


def test_a_snapshot_covers_the_months_it_holds_and_no_later(tmp_path):
    db = tmp_path / "s.duckdb"
    load([small_extract(tmp_path / "extract")], db)
    con = connect(db, read_only=True)
    try:
        periods = [parse_period(c) for c in ("2017-02", "2017-03", "2017-04", "R12:2017-03", "2016-17Q3")]
        results = {r.period: r for r in compute(con, periods, ["referrals_count"], la_codes=[LA])}
    finally:
        con.close()
    assert results["2017-02"].value == 1
    assert results["2017-03"].value == 0
    assert results["R12:2017-03"].value == 3
    assert results["2016-17Q3"].value == 1
    assert results["2017-04"].value is None
    assert results["2017-04"].notes == "not covered: needs the 2017-18 CIN census"


def test_load_from_a_url_with_a_password_is_refused_before_connecting(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["load", "--from-db", "postgresql+psycopg://analyst:s3cret@localhost:1/ssd", "--la", LA,
         "--db", str(tmp_path / "s.duckdb")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "s3cret" not in result.output
    assert "holds a password: leave it out, and give it in CSC_SCORECARD_SSD_PASSWORD" in result.output
    assert not (tmp_path / "s.duckdb").exists()


def test_a_password_file_others_can_read_is_refused(tmp_path, monkeypatch):
    from csc_scorecard.sources.ssd.database import password_from

    monkeypatch.delenv("CSC_SCORECARD_SSD_PASSWORD", raising=False)
    secret = tmp_path / "password"
    secret.write_text("s3cret\n", encoding="utf-8")
    secret.chmod(0o644)
    with pytest.raises(ReturnRejected) as rejected:
        password_from(secret)
    assert "others can read it: it must be readable by its owner only (chmod 600)" in str(rejected.value)
    secret.chmod(0o600)
    assert password_from(secret) == "s3cret"
    monkeypatch.setenv("CSC_SCORECARD_SSD_PASSWORD", "from-the-environment")
    assert password_from(secret) == "from-the-environment"


# ---- the synthetic council: the same children as returns and as an SSD ---------------------------------------------


@pytest.fixture(scope="session")
def council_with_ssd(tmp_path_factory) -> dict:
    """Walsall 2013-14 to 2016-17 (seed 7): its returns in one store, its SSD in another, both in a third."""
    root = tmp_path_factory.mktemp("ssd_walsall")
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["synth", "--la", LA, "--years", "2013-14:2016-17", "--seed", "7", "--no-local-data",
         "--out", str(root / "returns"), "--ssd-out", str(root / "ssd")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    folder = root / "ssd" / "ssd_335"
    for db, paths in (
        ("returns", [root / "returns"]),
        ("ssd", [folder]),
        ("both", [root / "returns", folder]),
    ):
        result = runner.invoke(
            cli, ["load", *map(str, paths), "--la", LA, "--db", str(root / f"{db}.duckdb")]
        )
        assert result.exit_code == 0, result.output
    return {"root": root, "extract": folder, **{k: root / f"{k}.duckdb" for k in ("returns", "ssd", "both")}}


@pytest.mark.slow
def test_every_core_indicator_from_the_ssd_equals_the_returns_for_every_year_and_quarter(council_with_ssd):
    returns, ssd = (connect(council_with_ssd[k], read_only=True) for k in ("returns", "ssd"))
    try:
        found = reconcile(returns, ssd, LA)
        given = [
            r for r in compute(returns, found.periods, la_codes=[LA])
            if r.numerator is not None and r.indicator_id not in NOT_IN_SSD | SECOND_PLANS
        ]  # fmt: skip
        not_carried = returns.execute(
            "SELECT not_carried_from FROM cin_episodes WHERE not_carried_from IS NOT NULL"
            " AND NOT coalesce(referral_nfa, FALSE)"
        ).fetchall()
    finally:
        returns.close()
        ssd.close()
    assert len(found.periods) == 16  # four years and their quarters
    # Every figure agrees but two kinds, each for its own reason (docs/ssd.md):
    differing = {d.indicator_id for d in found.differences}
    assert differing <= NOT_IN_SSD | SECOND_PLANS | NOT_CARRIED
    # closures: the SSD has just the episodes the returns no longer carry from a day in the window more
    assert not_carried and {d.indicator_id for d in found.differences} & NOT_CARRIED
    for d in (d for d in found.differences if d.indicator_id in NOT_CARRIED):
        assert d.returns is not None and d.ssd is not None
        dropped = sum(1 for (day,) in not_carried if d.period.start <= day <= d.period.end)
        assert dropped and d.ssd.denominator - d.returns.denominator == dropped
    closures_differ = {
        (d.indicator_id, d.period.code) for d in found.differences if d.indicator_id in NOT_CARRIED
    }
    given = [r for r in given if (r.indicator_id, r.period) not in closures_differ]
    # care leavers and their health: the SSD holds no OC3 or OC2 year, so it gives no figure at all
    for d in found.differences:
        if d.indicator_id in NOT_IN_SSD:
            assert d.kind == "the SSD does not cover it"
    # second plans: the SSD counts only the plans its timeframe holds; the children it misses all had a plan
    # before it (NumberOfPreviousCPP in the returns), and it never finds one the returns do not
    for d in (d for d in found.differences if d.indicator_id == "cpp_second_pct"):
        assert d.returns is not None and d.ssd is not None
        assert d.ssd.denominator == d.returns.denominator and d.ssd.numerator < d.returns.numerator
        assert d.only_in_ssd == ()
    for d in (d for d in found.differences if d.indicator_id == "cpp_second_count"):
        assert d.ssd.numerator < d.returns.numerator and d.only_in_ssd == ()
    # every other figure the returns give (every indicator of the CIN census and the 903, every window), the SSD
    # gives the same
    assert found.agreed == len(given) and len({r.indicator_id for r in given}) > 26


@pytest.mark.slow
def test_a_store_holding_both_gives_the_snapshots_figures_from_its_first_day(council_with_ssd):
    both, ssd = (connect(council_with_ssd[k], read_only=True) for k in ("both", "ssd"))
    try:
        periods = [parse_period(c) for c in ("2013-14", "2015-16Q2", "2016-12", "R12:2017-03")]
        ids = [
            "referrals_count",
            "cin_count",
            "cpp_count",
            "cla_count",
            "cla_missing_pct",
            "assessments_45wd_pct",
        ]
        a = {(r.indicator_id, r.period): r.value for r in compute(both, periods, ids, la_codes=[LA])}
        b = {(r.indicator_id, r.period): r.value for r in compute(ssd, periods, ids, la_codes=[LA])}
        older = both.execute(
            "SELECT count(*) FROM cin_episodes AS e JOIN loads AS l USING (load_id) WHERE l.kind <> 'ssd'"
        ).fetchall()[0][0]
    finally:
        both.close()
        ssd.close()
    assert a == b
    assert older == 0  # every return's episode from the snapshot's first day on is the snapshot's


@pytest.mark.slow
def test_the_reconcile_command_lists_the_children_behind_each_difference(council_with_ssd):
    result = CliRunner().invoke(
        cli,
        ["reconcile", str(council_with_ssd["root"] / "returns"), "--la", LA, "--ssd", str(council_with_ssd["extract"]),
         "--period", "2016-17", "--children", "3"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("LA 335: ") and "agree" in lines[0]
    second = next(i for i, line in enumerate(lines) if line.startswith("cpp_second_pct 2016-17:"))
    assert lines[second + 1].startswith("  counted from the returns only (")
    assert any(line.startswith("care_leavers_19_21_eet_pct 2016-17: returns ") for line in lines)


def test_the_ssd_writer_holds_the_same_children_as_the_returns(council_with_ssd):
    rows = query(
        council_with_ssd["ssd"],
        "SELECT (SELECT count(*) FROM cla_episodes), (SELECT count(*) FROM allocations), "
        "(SELECT count(DISTINCT worker_id) FROM allocations), (SELECT count(*) FROM teams)",
    )[0]
    returns = query(council_with_ssd["returns"], "SELECT count(*) FROM cla_episodes")[0][0]
    assert rows[0] == returns
    assert rows[1] > 0 and rows[2] > 10 and rows[3] == 6
    counts = json.loads(query(council_with_ssd["ssd"], "SELECT row_counts FROM loads")[0][0])
    assert counts["statutory_visits"] > 0


def test_sql_server_goes_through_the_same_reader_with_its_own_dialect(monkeypatch):
    """No SQL Server here (docs/ssd.md says what is not tested): the URL of the worked example makes a pymssql
    engine, with the Windows account as its user and the password from the environment."""
    from csc_scorecard.sources.ssd.database import _engine

    monkeypatch.setenv("CSC_SCORECARD_SSD_PASSWORD", "from-the-environment")
    engine = _engine("mssql+pymssql://CSC\\svc_scorecard@sql01:1433/ReportingDB", None)
    assert (engine.dialect.name, engine.dialect.driver) == ("mssql", "pymssql")
    assert engine.url.username == "CSC\\svc_scorecard" and engine.url.password == "from-the-environment"
    assert "from-the-environment" not in repr(engine.url)


@pytest.fixture(scope="module")
def council_with_local_data(tmp_path_factory) -> Path:
    """Walsall 2015-16 and 2016-17 at a fifth of its size, with the local data (Annex A), and its SSD."""
    root = tmp_path_factory.mktemp("ssd_local")
    result = CliRunner().invoke(
        cli,
        ["synth", "--la", LA, "--years", "2015-16:2016-17", "--seed", "4", "--scale", "0.2",
         "--out", str(root / "returns"), "--ssd-out", str(root / "ssd")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return root


def test_the_ssd_writer_gives_the_annex_a_contacts_with_the_local_data(council_with_local_data, tmp_path):
    root = council_with_local_data
    load([root / "returns" / "annex_a"], tmp_path / "annex_a.duckdb")
    load([root / "ssd" / "ssd_335"], tmp_path / "ssd.duckdb")
    periods = [parse_period(c) for c in ("2016-17", "2016-17Q1", "2016-05", "2017-03")]
    figures = []
    for db in ("annex_a", "ssd"):
        con = connect(tmp_path / f"{db}.duckdb", read_only=True)
        try:
            figures.append(
                {r.period: r.value for r in compute(con, periods, ["contacts_count"], la_codes=[LA])}
            )
        finally:
            con.close()
    assert figures[0] == figures[1]
    assert figures[1]["2016-17"] > 100 and None not in figures[1].values()


def test_the_demo_shows_the_last_months_from_the_ssd_as_the_returns_give_them(
    council_with_local_data, tmp_path
):
    from rich.console import Console

    from csc_scorecard.demo import SSD_MONTHLY_IDS, show_ssd_route

    root = council_with_local_data
    console = Console(record=True, width=200)
    shown = show_ssd_route(console, root / "ssd" / "ssd_335", tmp_path / "ssd.duckdb", LA, "2016-17")
    text = console.export_text()
    months = ("2017-01", "2017-02", "2017-03")
    assert set(shown) == {(i, m) for i in SSD_MONTHLY_IDS for m in months}
    assert all(shown[(i, m)] is not None for i in SSD_MONTHLY_IDS for m in months)
    assert "January 2017" in text and "Children allocated per worker" in text
    assert "Safeguarding and Family Support North" in text  # caseloads by team, and never a worker
    assert "(W" not in text and "Social Worker" not in text
    # the same months from the returns (the CIN census, the 903 and Annex A): the same figures
    load([root / "returns"], tmp_path / "returns.duckdb")
    con = connect(tmp_path / "returns.duckdb", read_only=True)
    try:
        common = ["referrals_count", "contacts_count", "cpp_count", "cla_count"]
        given = compute(con, [parse_period(m) for m in months], common, la_codes=[LA])
    finally:
        con.close()
    assert {(r.indicator_id, r.period): r.value for r in given} == {
        k: v for k, v in shown.items() if k[0] in common
    }
