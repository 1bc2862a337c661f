"""Enough history, or no figure: a council with only two years of returns loaded (synthetic, 2015-16 and 2016-17).

Re-referrals need the CIN census of the year before the window; long-term stability the SSDA903 returns from 30
months before its end. With 2015-16 as the first year loaded, the engine withholds what those years would hold,
names the return to load, agrees with the generator's own truth for every core figure, and `status` says
from which year each area can be computed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli

YEARS = ("2015-16", "2016-17")


def run(*args: str | Path) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": "2000"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("two_years")
    returns, db = root / "returns", root / "scorecard.duckdb"
    run(
        "synth", "--la", "335", "--years", ":".join(YEARS), "--seed", "3", "--no-local-data", "--out", returns
    )
    run("load", returns, "--la", "335", "--db", db)
    truth = json.loads((returns / "ground_truth.json").read_text(encoding="utf-8"))["indicators"]
    text = run("indicators", "--db", db, "--format", "csv", *(a for y in YEARS for a in ("--period", y)))
    rows = {
        (r["indicator_id"], r["period"]): r for r in csv.DictReader(text.splitlines()) if not r["breakdown"]
    }
    return {"db": db, "truth": truth, "rows": rows}


def test_re_referrals_of_the_first_year_are_withheld_naming_the_census_to_load(two_years: dict) -> None:
    first = two_years["rows"][("re_referrals_12m_pct", "2015-16")]
    assert (first["numerator"], first["denominator"], first["value"]) == ("", "", "")
    assert first["notes"] == (
        "withheld: needs the 2014-15 CIN census (earlier referrals in the 12 months before each referral)"
    )
    second = two_years["rows"][("re_referrals_12m_pct", "2016-17")]
    assert second["value"] and second["notes"] == ""
    # Referrals themselves need no look-back: the first year is computed.
    assert two_years["rows"][("referrals_count", "2015-16")]["value"]


def test_long_term_stability_needs_30_months_of_903_before_the_window_end(two_years: dict) -> None:
    rows = two_years["rows"]
    reason = "(who was looked after, and with which carer, from 30 months before the window end)"
    # 31 March 2016 less 30 months is 30 September 2013; 31 March 2017 less 30 months, 30 September 2014.
    assert rows[("cla_longterm_stability_pct", "2015-16")]["notes"] == (
        f"withheld: needs the 2013-14 and 2014-15 SSDA903 returns {reason}"
    )
    assert rows[("cla_longterm_stability_pct", "2016-17")]["notes"] == (
        f"withheld: needs the 2014-15 SSDA903 return {reason}"
    )
    assert rows[("cla_longterm_stability_pct", "2016-17")]["value"] == ""


@pytest.mark.parametrize("year", YEARS)
def test_every_core_figure_equals_the_generators_truth(two_years: dict, year: str) -> None:
    """The truth withholds by the same rules, implemented apart (synth/truth.py), from the simulation."""
    for indicator_id, expected in two_years["truth"][year].items():
        got = two_years["rows"][(indicator_id, year)]
        numbers = tuple(float(got[k]) if got[k] else None for k in ("numerator", "denominator"))
        assert numbers == (expected["numerator"], expected["denominator"]), (indicator_id, year, got["notes"])


def test_status_lists_the_first_year_each_area_can_be_computed(two_years: dict) -> None:
    out = " ".join(run("status", "--db", two_years["db"]).split())
    assert "First year each area can be computed (LA 335)" in out
    assert "│ front_door │ 2015-16 │ re_referrals_12m_pct from 2016-17 │" in out
    assert "│ children_in_need │ 2015-16 │" in out
    assert (  # LAIT's count (LACStableNum) beside the percentage: one reason, named once
        "cla_longterm_stability_pct, cla_longterm_stability_count: withheld: needs the 2014-15 SSDA903 return"
        in out
    )
    assert (
        "adoption_a1_days, adoption_a2_days: withheld while children adopted in the window entered care"
        in out
    )
    assert "no early help templates loaded" in out
