"""The synthetic council end to end: what the generator says it wrote is what the store holds, and the engine's
annual figures equal the generator's own ground truth (an independent implementation of every definition).
"""

from __future__ import annotations

import json

import pytest

from conftest import SYNTH_YEARS
from csc_scorecard.catalogue import load_catalogue
from csc_scorecard.engine import compute
from csc_scorecard.engine.coverage import returns_read
from csc_scorecard.periods import parse_period
from csc_scorecard.store import connect
from csc_scorecard.synth.truth import INDICATOR_IDS
from store_checks import query


def test_every_return_loaded_with_the_rows_the_generator_wrote(synthetic_council: dict) -> None:
    db, truth = synthetic_council["db"], synthetic_council["truth"]
    loads = query(
        db, "SELECT kind, collection_year, row_counts FROM loads WHERE status = 'current' ORDER BY 1, 2"
    )
    assert [(k, y) for k, y, _ in loads] == [("cin", y) for y in SYNTH_YEARS] + [
        ("ssda903", y) for y in SYNTH_YEARS
    ]
    for kind, year, row_counts in loads:
        written = {t: n for t, n in truth["rows_written"][year][kind].items() if n}
        loaded = {t: n for t, n in json.loads(row_counts).items() if n}
        assert loaded == written, (kind, year)


def test_episodes_repeated_across_years_are_one_canonical_row(synthetic_council: dict) -> None:
    db = synthetic_council["db"]
    raw, canonical = query(
        db, "SELECT (SELECT count(*) FROM raw_cin_episodes), (SELECT count(*) FROM cin_episodes)"
    )[0]
    assert raw > canonical  # open episodes appear in the next year's return too
    distinct = query(db, "SELECT count(DISTINCT (la_code, child_id, referral_date)) FROM raw_cin_episodes")[
        0
    ][0]
    assert canonical == distinct
    # Each canonical row is the latest return's version of that episode.
    stale = query(
        db,
        """
        SELECT count(*) FROM cin_episodes c JOIN raw_cin_episodes r USING (la_code, child_id, referral_date)
        WHERE r.collection_year > c.collection_year
        """,
    )[0][0]
    assert stale == 0


def test_a_child_has_one_episode_of_need_at_a_time_and_care_may_move_to_a_new_one(
    synthetic_council: dict,
) -> None:
    # "a child should not have more than one episode of need at any point in time" (LAIT data dictionary); one may
    # close the day the next opens
    db = synthetic_council["db"]
    overlapping = query(
        db,
        """
        SELECT count(*) FROM cin_episodes a JOIN cin_episodes b USING (la_code, child_id)
        WHERE a.referral_date < b.referral_date AND (a.closure_date IS NULL OR a.closure_date > b.referral_date)
        """,
    )[0][0]
    assert overlapping == 0
    # Walsall 2016-17's durations leave too few places for episodes 2 years old: the episodes of children in care
    # that care would hold past their second anniversary close (RC7) the day another opens, the child still
    # looked after (synth/journeys.Simulation._reopen); in no other year
    reopened = query(
        db,
        """
        SELECT year(a.closure_date - INTERVAL 3 MONTH), count(*)
        FROM cin_episodes a JOIN cin_episodes b USING (la_code, child_id)
        WHERE b.referral_date = a.closure_date AND a.closure_reason = 'RC7' AND EXISTS (
            SELECT 1 FROM cla_episodes c WHERE c.child_id = a.child_id AND c.decom < a.closure_date
            AND (c.dec IS NULL OR c.dec > a.closure_date))
        GROUP BY 1
        """,
    )
    assert [year for year, _ in reopened] == [2016]
    assert reopened[0][1] > 100  # 116 of children in care (and 9 of short breaks, not looked after)


def test_reloading_the_whole_council_is_a_no_op(synthetic_council: dict) -> None:
    from click.testing import CliRunner

    from csc_scorecard.cli import cli
    from store_checks import table_checksums

    before = table_checksums(synthetic_council["db"])
    result = CliRunner().invoke(
        cli, ["load", str(synthetic_council["returns"]), "--la", "335", "--db", str(synthetic_council["db"])]
    )
    assert result.exit_code == 0
    assert result.output.count("already loaded") == 8
    assert table_checksums(synthetic_council["db"]) == before


@pytest.fixture(scope="module")
def engine_figures(synthetic_council: dict) -> dict[tuple[str, str], object]:
    con = connect(synthetic_council["db"])
    try:
        results = compute(con, [parse_period(y) for y in SYNTH_YEARS], la_codes=["335"])
    finally:
        con.close()
    return {(r.indicator_id, r.period): r for r in results}


def _from_the_returns() -> list[str]:
    """Every indicator the CIN census and the SSDA903 alone give (the ground truth's province)."""
    catalogue = load_catalogue()
    return [i for i in catalogue.ids() if set(returns_read(catalogue, catalogue.definition(i))) <= RETURNS]


RETURNS = {"cin", "ssda903"}
TRUTH_IDS = list(INDICATOR_IDS)


def test_the_ground_truth_covers_every_indicator_the_returns_give() -> None:
    assert sorted(TRUTH_IDS) == sorted(_from_the_returns())


@pytest.mark.parametrize("year", SYNTH_YEARS)
@pytest.mark.parametrize("indicator_id", TRUTH_IDS)
def test_annual_figures_equal_the_generators_ground_truth(
    indicator_id: str, year: str, synthetic_council: dict, engine_figures: dict
) -> None:
    expected = synthetic_council["truth"]["indicators"][year][indicator_id]
    got = engine_figures[(indicator_id, year)]
    assert (got.numerator, got.denominator) == (expected["numerator"], expected["denominator"]), got.notes
    if expected["value"] is None:
        assert got.value is None
    else:
        assert got.value == pytest.approx(expected["value"])
