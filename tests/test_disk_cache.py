"""The checked catalogue and the built queries, kept on disk between commands (disk_cache.py): an entry is made
once, read back the same, never read when someone else could have written it, and never out of date."""

from __future__ import annotations

import datetime as dt
import os
import stat
import textwrap
from pathlib import Path

import pytest

from canonical_rows import Store
from csc_scorecard import disk_cache
from csc_scorecard.catalogue import load_catalogue
from csc_scorecard.catalogue.loader import build_catalogue, catalogue_files
from csc_scorecard.engine import compute
from csc_scorecard.engine.batch import PLANS
from csc_scorecard.periods import parse_period


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CSC_SCORECARD_CACHE_DIR", str(folder))
    return folder


def _maker(value: object) -> tuple[list[int], object]:
    calls: list[int] = []

    def make() -> object:
        calls.append(1)
        return value

    return calls, make


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_entry_is_made_once_then_read_back_private(cache):
    calls, make = _maker({"sql": "SELECT 1", "tables": ("a", "b")})
    first = disk_cache.get("queries", "n1", make)
    second = disk_cache.get("queries", "n1", make)
    assert first == second == {"sql": "SELECT 1", "tables": ("a", "b")}
    assert second is not first  # the second came from the file
    assert len(calls) == 1
    assert _mode(cache / "queries" / "n1.pickle") == 0o600
    assert _mode(cache / "queries") == 0o700
    assert not list((cache / "queries").glob(".*.tmp"))


def test_an_empty_setting_keeps_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("CSC_SCORECARD_CACHE_DIR", "")
    monkeypatch.chdir(tmp_path)
    calls, make = _maker(1)
    assert disk_cache.folder() is None
    assert disk_cache.get("queries", "n1", make) == disk_cache.get("queries", "n1", make) == 1
    assert len(calls) == 2
    assert list(tmp_path.iterdir()) == []


def test_an_entry_others_could_have_written_is_made_again_and_replaced(cache):
    calls, make = _maker("kept")
    disk_cache.get("catalogue", "n1", make)
    entry = cache / "catalogue" / "n1.pickle"
    entry.chmod(0o666)
    assert disk_cache.get("catalogue", "n1", make) == "kept"
    assert len(calls) == 2
    assert _mode(entry) == 0o600


def test_a_damaged_entry_is_made_again(cache):
    calls, make = _maker([1, 2, 3])
    disk_cache.get("queries", "n1", make)
    entry = cache / "queries" / "n1.pickle"
    entry.write_bytes(entry.read_bytes()[:10])
    assert disk_cache.get("queries", "n1", make) == [1, 2, 3]
    assert disk_cache.get("queries", "n1", make) == [1, 2, 3]
    assert len(calls) == 2


def test_only_the_newest_entries_are_kept(cache, monkeypatch):
    monkeypatch.setattr(disk_cache, "KEEP", 3)
    for n in range(5):
        disk_cache.get("queries", f"n{n}", lambda n=n: n)
        os.utime(cache / "queries" / f"n{n}.pickle", (1_000_000 + n, 1_000_000 + n))
    disk_cache.get("queries", "n5", lambda: 5)
    assert sorted(p.stem for p in (cache / "queries").glob("*.pickle")) == ["n3", "n4", "n5"]


def test_the_key_covers_the_code_it_names():
    assert disk_cache.code_digest("engine") != disk_cache.code_digest("engine", "periods.py")
    with pytest.raises(ValueError, match="no engin in the package"):
        disk_cache.code_digest("engin")


def test_the_catalogue_read_back_is_the_catalogue_checked(cache):
    load_catalogue.cache_clear()
    try:
        made = load_catalogue()
        load_catalogue.cache_clear()
        kept = load_catalogue()  # as a new process would: from the file
    finally:
        load_catalogue.cache_clear()
    assert len(list((cache / "catalogue").glob("*.pickle"))) == 1
    assert kept is not made
    assert kept == made == build_catalogue(catalogue_files())
    assert kept.fingerprint and kept.fingerprint == made.fingerprint


LOCAL_FILE = """\
area: front_door
indicators:
  - id: referrals_from_police_pct
    label: Referrals from the police
    unit: percent
    polarity: neutral
    kind: flow
    population: referral
    event_date: referral_date
    numerator: referral_source = '{source}'
    source: local
    description: Referrals in the window from the police.
"""


def test_a_changed_catalogue_file_is_never_answered_from_the_cache(cache, tmp_path):
    """Each 'process' below starts with nothing in memory, as a new command does; the YAML changes between the
    first and the second, and the third reads what the second kept."""
    folder = tmp_path / "mine"
    folder.mkdir()
    store = Store(tmp_path)
    for n, source in enumerate(("6", "6", "2A", "1C")):
        store.add(
            "cin_episodes", child_id=f"C{n}", referral_date=dt.date(2016, 5, 1 + n), referral_source=source
        )

    def new_process() -> tuple[float | None, ...]:
        load_catalogue.cache_clear()
        PLANS.clear()
        (result,) = compute(
            store.con,
            [parse_period("2016-17")],
            ["referrals_from_police_pct"],
            catalogue=load_catalogue(folder),
        )
        return result.numerator, result.denominator, result.value

    try:
        (folder / "local.yaml").write_text(textwrap.dedent(LOCAL_FILE.format(source="6")), encoding="utf-8")
        assert new_process() == (2, 4, 50.0)
        (folder / "local.yaml").write_text(textwrap.dedent(LOCAL_FILE.format(source="2A")), encoding="utf-8")
        assert new_process() == (1, 4, 25.0)
        assert new_process() == (1, 4, 25.0)
    finally:
        load_catalogue.cache_clear()
        PLANS.clear()
    assert len(list((cache / "catalogue").glob("*.pickle"))) == 2
    assert len(list((cache / "queries").glob("*.pickle"))) == 2
