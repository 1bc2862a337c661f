"""The report packs the test_publish_* files check, built once per session from a copy of the synthetic Walsall.

The session's store is read by other tests too, so the packs are built from a copy: the commentary and actions
written here (a formula-injection string, a note quoting a small number) never reach anyone else's store.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from csc_scorecard.examples import TARGETS as EXAMPLE_TARGETS
from csc_scorecard.judge.targets import load_targets
from csc_scorecard.periods import parse_period
from csc_scorecard.pipeline import Built, build
from csc_scorecard.publish import write_pack
from csc_scorecard.publish.pack import PackResult
from csc_scorecard.store import connect
from csc_scorecard.store.commentary import add_action, set_commentary

ROOT = Path(__file__).parents[1]
LA, PERIOD = "335", "2016-17Q3"
INJECTION = '=HYPERLINK("http://example.com/x","Click me")'
# seed 7: a few care leavers aged 17-18 (5 or fewer) not in suitable accommodation, whom the share would reveal
SUPPRESSED_ID = "care_leavers_17_18_suitable_accom_pct"
SMALL_NOTE = "Only 2 young people were not in suitable accommodation; they have since moved."
ACTION = "-Review the 2 placements with the leaving care team"


PERIOD_CODE = re.compile(r"\d{4}-\d{2}Q\d|R12:")  # a period as the store names it: never in a published text


def period_codes(text: str) -> list[str]:
    """Each period code in a text, with what surrounds it (so that a failure shows where it is)."""
    return [text[max(0, m.start() - 60) : m.end() + 60] for m in PERIOD_CODE.finditer(text)]


@dataclass(frozen=True)
class Packs:
    published: PackResult  # with the charts appendix (the default)
    internal: PackResult
    no_charts: PackResult  # published, --charts none
    db: Path  # the copy the packs were built from
    built: Built  # the one scorecard both packs render


_built: dict[str, Packs] = {}


def _copy_store(source: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    shutil.copy2(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copy2(wal, target.with_name(target.name + ".wal"))
    return target


def build_packs(synthetic_council: dict, tmp_path_factory: pytest.TempPathFactory) -> Packs:
    key = str(synthetic_council["db"])
    if key in _built:
        return _built[key]
    root = tmp_path_factory.mktemp("publish")
    db = _copy_store(Path(synthetic_council["db"]), root / "store")
    targets = load_targets(EXAMPLE_TARGETS)
    con = connect(db)
    try:
        now = dt.datetime(2017, 1, 20, 9, 0)
        set_commentary(con, LA, "re_referrals_12m_pct", PERIOD, INJECTION, author="Analyst", now=now)
        set_commentary(con, LA, SUPPRESSED_ID, PERIOD, SMALL_NOTE, author="Analyst", now=now)
        add_action(con, LA, SUPPRESSED_ID, PERIOD, ACTION, owner="Head of Leaving Care", now=now)
        add_action(
            con, LA, "cla_longterm_stability_pct", PERIOD, "Stability meetings for every child at risk of moving",
            owner="Head of Children in Care", due_date=dt.date(2017, 3, 31), now=now,
        )  # fmt: skip
    finally:
        con.close()
    con = connect(db, read_only=True)
    try:
        built = build(con, LA, parse_period(PERIOD), targets=targets)
    finally:
        con.close()
    published = write_pack(built, root / "published")
    internal = write_pack(built, root / "internal", profile="internal")
    no_charts = write_pack(built, root / "no_charts", charts="none")
    _built[key] = Packs(published, internal, no_charts, db, built)
    return _built[key]


def raw_points(built: Built, indicator_id: str) -> dict[str, tuple]:
    """{period: (numerator, denominator, value)} straight from the engine, unrounded and unsuppressed."""
    return {
        r.period: (r.numerator, r.denominator, r.value)
        for r in built.results
        if r.indicator_id == indicator_id and r.breakdown is None
    }


def figure_token(text: str) -> re.Pattern[str]:
    """The figure as a whole token: '2' matches '(2 at' but not '2016-17Q2' or '12'."""
    return re.compile(rf"(?<![\w.,\-]){re.escape(text)}(?![\w%]|[.,]\d)")


def hidden_figures(packs: Packs) -> dict[str, set[str]]:
    """Per indicator, the figures the published view suppresses, as the internal view words them."""
    hidden: dict[str, set[str]] = {}
    for pub, inn in zip(packs.published.view.indicators(), packs.internal.view.indicators(), strict=True):
        assert pub.id == inn.id
        hidden[pub.id] = {
            h_in.value.long
            for h_pub, h_in in zip(pub.history, inn.history, strict=True)
            if h_pub.value.suppressed and h_in.value.value is not None
        } - {  # a figure shown beside it can equal a hidden one: quoting the shown one gives nothing away
            pub.value.long, pub.sn.value.long, pub.england.value.long, pub.region.value.long,
            *(h.value.long for h in pub.history if not h.value.suppressed),
        }  # fmt: skip
    return hidden
