"""The store on its own: migrations, lineage, idempotent and replacing loads, latest-return-wins merge."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from csc_scorecard.sources.model import ParsedReturn
from csc_scorecard.sources.tables import new_buffers
from csc_scorecard.store import connect
from csc_scorecard.store.load import load_returns
from csc_scorecard.store.schema import SCHEMA_VERSION, migrate
from store_checks import query, table_checksums

D = dt.date


def cin_return(year: str, sha: str, episodes: list[tuple[str, dt.date, dt.date | None]]) -> ParsedReturn:
    """A CIN return holding the given (child, referral date, closure date) episodes."""
    buffers = new_buffers("cin")
    for line, (child, referral, closure) in enumerate(episodes, start=10):
        buffers["children"].append(line, {"child_id": child, "sex": "F", "source": "cin"})
        buffers["cin_episodes"].append(
            line,
            {"child_id": child, "referral_date": referral, "closure_date": closure, "referral_nfa": False},
        )
    return ParsedReturn(
        "cin", "cin_xml", f"cin_{year}.xml", [Path(f"cin_{year}.xml")], sha, "335", year, "header",
        {name: buf.to_arrow() for name, buf in buffers.items()},
    )  # fmt: skip


def load(db: Path, *returns: ParsedReturn) -> list[str]:
    con = connect(db)
    try:
        return [o.action for o in load_returns(con, list(returns))]
    finally:
        con.close()


def test_new_store_is_at_current_schema_and_migrating_again_is_a_no_op(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    con = connect(db)
    assert migrate(con) == SCHEMA_VERSION
    con.close()
    before = table_checksums(db)
    connect(db).close()
    assert table_checksums(db) == before
    assert query(db, "SELECT max(version) FROM schema_version") == [(SCHEMA_VERSION,)]


def test_episode_in_two_returns_is_one_canonical_row_from_the_later_return(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    # A referral open at 31 March 2016 appears in 2015-16 (no closure yet) and closed in 2016-17.
    load(db, cin_return("2015-16", "a", [("C1", D(2016, 1, 5), None), ("C2", D(2015, 6, 1), D(2015, 7, 1))]))
    load(db, cin_return("2016-17", "b", [("C1", D(2016, 1, 5), D(2016, 9, 30))]))
    rows = query(
        db,
        "SELECT child_id, referral_date, closure_date, collection_year, load_id FROM cin_episodes ORDER BY 1",
    )
    assert rows == [
        ("C1", D(2016, 1, 5), D(2016, 9, 30), "2016-17", 2),
        ("C2", D(2015, 6, 1), D(2015, 7, 1), "2015-16", 1),
    ]
    assert query(db, "SELECT count(*) FROM raw_cin_episodes") == [(3,)]
    assert query(db, "SELECT count(*) FROM referrals") == [(2,)]


def test_order_of_loading_does_not_matter_latest_year_wins(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    load(db, cin_return("2016-17", "b", [("C1", D(2016, 1, 5), D(2016, 9, 30))]))
    load(db, cin_return("2015-16", "a", [("C1", D(2016, 1, 5), None)]))
    assert query(db, "SELECT closure_date, collection_year FROM cin_episodes") == [
        (D(2016, 9, 30), "2016-17")
    ]


def test_identical_return_again_is_a_no_op(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    first = cin_return("2016-17", "same", [("C1", D(2016, 5, 1), None)])
    assert load(db, first) == ["loaded"]
    before = table_checksums(db)
    assert load(db, first) == ["already loaded"]
    assert table_checksums(db) == before


def test_new_version_of_a_return_replaces_the_old_and_lineage_records_it(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    load(db, cin_return("2016-17", "v1", [("C1", D(2016, 5, 1), None), ("C2", D(2016, 6, 1), None)]))
    assert load(db, cin_return("2016-17", "v2", [("C1", D(2016, 5, 1), D(2016, 8, 1))])) == [
        "replaced load 1"
    ]
    assert query(db, "SELECT child_id, closure_date, load_id FROM cin_episodes") == [("C1", D(2016, 8, 1), 2)]
    assert query(db, "SELECT load_id, status, replaces, replaced_by FROM loads ORDER BY 1") == [
        (1, "replaced", None, 2),
        (2, "current", 1, None),
    ]
    assert query(db, "SELECT DISTINCT load_id FROM raw_cin_episodes") == [(2,)]


def test_a_failure_inside_the_transaction_leaves_the_store_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    load(db, cin_return("2015-16", "a", [("C1", D(2016, 1, 5), None)]))
    before = table_checksums(db)
    good = cin_return("2016-17", "b", [("C9", D(2016, 5, 1), None)])
    broken = cin_return("2017-18", "c", [("C8", D(2017, 5, 1), None)])
    broken.tables["no_such_table"] = broken.tables["children"]
    with pytest.raises(KeyError):
        load(db, good, broken)
    assert table_checksums(db) == before


def test_docs_store_md_is_current() -> None:
    from csc_scorecard.store.docs import render_markdown

    committed = (Path(__file__).parent.parent / "docs" / "store.md").read_text(encoding="utf-8")
    assert committed == render_markdown(), (
        "docs/store.md is stale: run .venv/bin/python -m csc_scorecard.store.docs > docs/store.md"
    )
