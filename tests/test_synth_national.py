"""Many LAs in one store: a national synthetic set (here two small LAs), loaded LA by LA, computed all at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csc_scorecard.engine import compute
from csc_scorecard.periods import parse_period
from csc_scorecard.store import connect
from csc_scorecard.synth.national import (
    generate_national,
    la_seed,
    load_national,
    national_folders,
    national_la_codes,
)

YEARS = ["2015-16", "2016-17"]
SMALL_LAS = ["201", "857"]  # City of London and Rutland: the smallest councils, so the test stays quick
CHECKED = ("referrals_count", "cin_count", "cla_count", "cla_starts_count", "s47_count")


def test_the_2016_17_list_has_152_las() -> None:
    codes = national_la_codes()
    assert len(codes) == len(set(codes)) == 152
    assert {"201", "335", "857", "926"} <= set(codes)
    assert "420" in codes  # Isles of Scilly reported separately in 2016-17


def test_per_la_seeds_are_stable_and_distinct() -> None:
    assert la_seed(1, "335") == la_seed(1, "335")
    seeds = {la_seed(1, code) for code in national_la_codes()}
    assert len(seeds) == 152
    assert la_seed(2, "335") != la_seed(1, "335")


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("national")
    results = generate_national(YEARS, 5, root / "returns", la_codes=SMALL_LAS, workers=2)
    db = root / "national.duckdb"
    reports = load_national(root / "returns", db)
    return {"root": root, "results": results, "reports": reports, "db": db}


def test_each_la_written_in_its_own_folder_with_its_own_seed(national: dict) -> None:
    results = national["results"]
    assert [r.la_code for r in results] == SMALL_LAS
    assert [r.seed for r in results] == [la_seed(5, code) for code in SMALL_LAS]
    assert [code for code, _ in national_folders(national["root"] / "returns")] == SMALL_LAS
    for result in results:
        assert result.out == national["root"] / "returns" / result.la_code
        assert [p.name for p in result.ssda903_dirs] == [f"903_{result.la_code}_{y}" for y in YEARS]


def test_an_la_is_the_same_whichever_others_are_generated_with_it(national: dict, tmp_path: Path) -> None:
    (alone,) = generate_national(YEARS, 5, tmp_path, la_codes=["857"])
    together = national["root"] / "returns" / "857"
    for path in sorted(alone.out.rglob("*.*")):
        assert path.read_bytes() == (together / path.relative_to(alone.out)).read_bytes(), path


def test_every_la_loaded_as_itself(national: dict) -> None:
    assert len(national["reports"]) == 2
    con = connect(national["db"], read_only=True)
    try:
        loads = con.execute(
            "SELECT la_code, kind, collection_year FROM loads WHERE status = 'current' ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()
    assert loads == [(la, kind, year) for la in SMALL_LAS for kind in ("cin", "ssda903") for year in YEARS]


def test_indicators_for_all_las_at_once_equal_each_las_ground_truth(national: dict) -> None:
    con = connect(national["db"])
    try:
        results = compute(con, [parse_period(y) for y in YEARS], list(CHECKED))
    finally:
        con.close()
    assert {r.la_code for r in results} == set(SMALL_LAS)
    for result in national["results"]:
        truth = json.loads(result.ground_truth_path.read_text(encoding="utf-8"))["indicators"]
        for r in (r for r in results if r.la_code == result.la_code):
            assert r.numerator == truth[r.period][r.indicator_id]["numerator"], (r.la_code, r.indicator_id)


def test_unknown_las_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not in the 2016-17 list of 152 LAs"):
        generate_national(YEARS, 1, tmp_path, la_codes=["335", "999"])
    with pytest.raises(FileNotFoundError, match="no LA folders"):
        load_national(tmp_path, tmp_path / "s.duckdb")
