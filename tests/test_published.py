"""Published benchmarks as loaded into a new store: real values pinned, every LA placed in its region."""

from __future__ import annotations

from pathlib import Path

import pytest

from csc_scorecard.judge.benchmarks import comparators, sn_version_for
from csc_scorecard.store import connect


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    connection = connect(Path(tmp_path_factory.mktemp("published")) / "s.duckdb")
    yield connection
    connection.close()


def values(con, la: str, measure: str, year: str, sn_version: str | None = None) -> dict[str, float | None]:
    return {c.comparator: c.value for c in comparators(con, la, measure, year, sn_version=sn_version)}


def test_every_local_authority_has_a_region(con) -> None:
    assert con.execute(
        "SELECT count(*) FROM areas WHERE area_type = 'Local authority' AND region_code IS NULL"
    ).fetchall() == [(0,)]


def test_walsall_re_referrals_2016_17_as_published(con) -> None:
    got = values(con, "335", "ReReferral", "2016-17", "April 2021")
    assert (got["la"], got["england"], got["region"]) == (21.7, 21.9, 23.4)
    # The means of the neighbours' LAIT values, as in reference/walsall/ (21.39 April 2021, 19.94 May 2025).
    assert got["sn_mean"] == pytest.approx(21.39)
    assert values(con, "335", "ReReferral", "2016-17", "May 2025")["sn_mean"] == pytest.approx(19.94)


def test_london_borough_compares_with_london(con) -> None:
    got = values(con, "202", "ReReferral", "2016-17")
    assert (got["la"], got["region"]) == (9.1, 16.3)


def test_years_before_lait_come_from_ees(con) -> None:
    got = {c.comparator: (c.value, c.label) for c in comparators(con, "335", "ReReferral", "2013-14")}
    assert got["la"] == (26.9, "Walsall 2013-14")
    assert got["england"] == (23.5, "England 2013-14")
    assert got["region"] == (19.3, "West Midlands 2013-14")


def test_in_year_period_uses_latest_published_year_and_says_so(con) -> None:
    labels = [c.label for c in comparators(con, "335", "ReReferral", "2026-27")]
    assert labels[1] == "England 2024-25"


def test_sn_list_in_force_at_period_end() -> None:
    assert sn_version_for("2016-17") == "April 2021"
    assert sn_version_for("2024-25") == "April 2021"  # May 2025 list published after 31 March 2025
    assert sn_version_for("2025-26") == "May 2025"
