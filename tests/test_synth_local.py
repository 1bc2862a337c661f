"""The synthetic council's local data (synth/write_local.py): the same children, teams and workers as its CIN
and 903 returns; loadable as written; and its ground truth (an independent implementation) equal to the engine's
figure for every local indicator and year.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli
from csc_scorecard.engine import compute
from csc_scorecard.periods import parse_period
from csc_scorecard.store import connect
from csc_scorecard.synth import generate
from store_checks import query

YEARS = ["2015-16", "2016-17"]


def _bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("local_council")
    result = generate("335", YEARS, seed=5, out=root / "returns", scale=0.15, local_data=True)
    db = root / "s.duckdb"
    outcome = CliRunner().invoke(cli, ["load", str(root / "returns"), "--la", "335", "--db", str(db)])
    assert outcome.exit_code == 0, outcome.output
    return {"result": result, "root": root, "db": db, "truth": result.ground_truth["local_indicators"]}


def test_layout_and_the_statutory_files_are_unchanged(council: dict, tmp_path: Path) -> None:
    result = council["result"]
    names = sorted(str(p.relative_to(result.out)) for p in result.local_files)
    assert names == sorted(
        [f"annex_a/Annex_A_335_{y}-03-31.xlsx" for y in ("2016", "2017")]
        + [f"csww/CSWW_335_{y}.xml" for y in ("2015", "2016")]
        + [
            f"local/local_{y}/{n}.csv"
            for y in YEARS
            for n in (
                "early_help_contacts", "early_help_assessments", "early_help_closures", "workforce_workers",
                "workforce_caseloads", "workforce_establishment", "youth_justice", "case_audits",
            )
        ]
    )  # fmt: skip
    plain = generate("335", YEARS, seed=5, out=tmp_path / "plain", scale=0.15)
    with_local, without = _bytes(result.out), _bytes(plain.out)
    assert {k: v for k, v in with_local.items() if k in without and k != "ground_truth.json"} == {
        k: v for k, v in without.items() if k != "ground_truth.json"
    }
    truth_plain = json.loads((plain.out / "ground_truth.json").read_text())
    assert {k: v for k, v in result.ground_truth.items() if k != "local_indicators"} == truth_plain


def test_same_seed_same_local_bytes(council: dict, tmp_path: Path) -> None:
    again = generate("335", YEARS, seed=5, out=tmp_path / "again", scale=0.15, local_data=True)
    first = council["result"]
    assert {str(p.relative_to(first.out)): p.read_bytes() for p in first.local_files} == {
        str(p.relative_to(again.out)): p.read_bytes() for p in again.local_files
    }


def test_every_local_return_loads(council: dict) -> None:
    kinds = query(council["db"], "SELECT kind, count(*) FROM loads GROUP BY kind ORDER BY kind")
    assert kinds == [
        ("annex_a", 2), ("case_audits", 2), ("cin", 2), ("csww", 2), ("early_help", 2), ("ssda903", 2),
        ("workforce", 2), ("youth_justice", 2),
    ]  # fmt: skip


def test_children_and_workers_are_the_same_across_sources(council: dict) -> None:
    db = council["db"]
    # Every child in Annex A lists 3-8 is a child of the CIN census or the 903.
    for table in ("annex_a_referrals", "annex_a_assessments", "annex_a_section47", "annex_a_cin",
                  "annex_a_child_protection", "annex_a_children_in_care"):  # fmt: skip
        orphans = query(db, f"SELECT count(*) FROM {table} a WHERE NOT EXISTS "
                            "(SELECT 1 FROM children c WHERE c.child_id = a.child_id)")  # fmt: skip
        assert orphans == [(0,)], table
    # Every allocated worker and every caseload is a worker of the workforce template.
    unknown = query(db, "SELECT count(*) FROM sw_caseloads k WHERE NOT EXISTS "
                        "(SELECT 1 FROM sw_workers w WHERE w.worker_id = k.worker_id)")  # fmt: skip
    assert unknown == [(0,)]
    allocated = query(db, "SELECT count(*) FROM annex_a_child_protection p WHERE p.allocated_worker <> 'Unallocated' "
                          "AND NOT EXISTS (SELECT 1 FROM sw_workers w WHERE w.worker_id = p.allocated_worker)")  # fmt: skip
    assert allocated == [(0,)]
    # Early help step-ups end on the day the child was referred to social care.
    unmatched = query(db, "SELECT count(*) FROM eh_closures e WHERE e.closure_outcome = 'STEP_UP' AND NOT EXISTS "
                          "(SELECT 1 FROM cin_episodes r WHERE r.child_id = e.child_id AND r.referral_date = e.closure_date)")  # fmt: skip
    assert unmatched == [(0,)]
    # A CP plan's children on the Annex A snapshot are the CIN census's children on a plan on 31 March.
    annex = query(
        db,
        "SELECT count(*) FROM annex_a_child_protection WHERE as_at_date = DATE '2017-03-31' AND end_date IS NULL",
    )
    census = query(db, "SELECT count(*) FROM cp_plans WHERE start_date <= DATE '2017-03-31' "
                       "AND (end_date IS NULL OR end_date > DATE '2017-03-31')")  # fmt: skip
    assert annex == census


@pytest.fixture(scope="module")
def engine_figures(council: dict) -> dict:
    con = connect(council["db"])
    try:
        ids = sorted(next(iter(council["truth"].values())))
        results = compute(con, [parse_period(y) for y in YEARS], ids, la_codes=["335"])
    finally:
        con.close()
    return {(r.indicator_id, r.period): r for r in results}


LOCAL_TRUTH_IDS = sorted(
    [
        "early_help_contacts_count",
        "early_help_assessments_count",
        "early_help_closures_count",
        "early_help_positive_closure_pct",
        "early_help_step_ups_count",
        "early_help_step_up_pct",
        "contacts_count",
        "contacts_to_referral_pct",
        "cp_visits_in_timescale_pct",
        "cla_visits_in_timescale_pct",
        "sw_agency_rate_pct",
        "sw_vacancy_rate_pct",
        "sw_turnover_rate_pct",
        "caseload_average",
        "caseload_over_promise_count",
        "caseload_over_promise_pct",
        "csww_agency_rate_pct",
        "csww_vacancy_rate_pct",
        "csww_turnover_rate_pct",
        "csww_caseload_average",
        "csww_social_workers_fte",
        "csww_starters_fte",
        "csww_leavers_fte",
        "csww_cases_held_count",
        "csww_agency_covering_vacancies_pct",
        "csww_vacancies_covered_pct",
        "csww_caseholders_pct",
        "csww_qualified_no_cases_pct",
        "yj_first_time_entrants_count",
        "yj_first_time_entrants_rate",
        "yj_reoffending_pct",
        "yj_reoffences_per_reoffender",
        "yj_custody_rate",
        "case_audits_count",
        "case_audits_good_pct",
        "case_audits_inadequate_pct",
    ]
)


def test_the_ground_truth_covers_every_local_indicator(council: dict) -> None:
    from csc_scorecard.catalogue import CORE_INDICATOR_IDS, load_catalogue
    from csc_scorecard.engine.coverage import needs_snapshot
    from csc_scorecard.synth.truth import INDICATOR_IDS

    # Local: neither a core id nor one the returns' own truth covers (cla_away_pct, from the 903), nor one only an
    # SSD snapshot gives (statutory visits and caseloads from case records: tests/test_ssd.py).
    catalogue = load_catalogue()
    from_ssd = {i for i in catalogue.ids() if needs_snapshot(catalogue, catalogue.definition(i))}
    local = {i for i in catalogue.ids() if i not in CORE_INDICATOR_IDS} - set(INDICATOR_IDS) - from_ssd
    assert set(LOCAL_TRUTH_IDS) == local
    for year in YEARS:
        assert set(council["truth"][year]) == local


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("indicator_id", LOCAL_TRUTH_IDS)
def test_engine_equals_the_generators_ground_truth(
    indicator_id: str, year: str, council: dict, engine_figures: dict
) -> None:
    expected = council["truth"][year][indicator_id]
    got = engine_figures[(indicator_id, year)]
    assert got.numerator == pytest.approx(expected["numerator"]), got.notes
    if expected["denominator"] is None:
        assert got.denominator is None
    else:
        assert got.denominator == pytest.approx(expected["denominator"])
    if expected["value"] is None:
        assert got.value is None
    else:
        assert got.value == pytest.approx(expected["value"])


def test_figures_are_plausible(council: dict) -> None:
    latest = council["truth"]["2016-17"]
    assert 5 <= latest["sw_agency_rate_pct"]["value"] <= 40
    assert 10 <= latest["caseload_average"]["value"] <= 30
    assert 20 <= latest["contacts_to_referral_pct"]["value"] <= 60
    assert 70 <= latest["cp_visits_in_timescale_pct"]["value"] <= 100
    assert latest["early_help_step_ups_count"]["value"] > 0


def test_template_csvs_have_their_documented_headers(council: dict) -> None:
    from csc_scorecard.sources.local_csv import classify_header

    for path in council["result"].local_files:
        if path.suffix == ".csv":
            with path.open(encoding="utf-8") as handle:
                header = next(csv.reader(handle))
            found = classify_header(header)
            assert found.exact and found.template.name == path.stem, path
