"""Quartile cut points and SN averages from our own results, on a hand-made results table."""

from __future__ import annotations

import datetime as dt

import pytest

from csc_scorecard.judge.own_benchmarks import (
    compare_with_published,
    own_quartile_cuts,
    own_sn_averages,
    own_values,
)
from csc_scorecard.store import connect

INDICATOR = "re_referrals_12m_pct"
YEAR_END = dt.date(2017, 3, 31)
# Walsall's statistical neighbours (April 2021 list, the one used for 2016-17), by rank.
WALSALL_NEIGHBOURS = ("831", "354", "874", "861", "350", "357", "332", "333", "382", "894")


def _row(la: str, value: float | None, *, period: str = "2016-17", breakdown: str | None = None) -> tuple:
    return (la, INDICATOR, period, dt.date(2016, 4, 1), YEAR_END, breakdown, breakdown and "Male", value)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = connect(tmp_path_factory.mktemp("own") / "s.duckdb")
    rows = [
        _row("335", 30.0),  # Walsall itself
        _row("831", 10.0),  # neighbour 1
        _row("354", 20.0),  # neighbour 2
        _row("874", 70.0),  # neighbour 3
        _row("861", None),  # neighbour 4: no value (0 / 0), left out
        _row("201", 40.0),  # not a neighbour
        _row("202", 50.0),  # not a neighbour
        _row("831", 99.0, breakdown="sex"),  # a breakdown row: not the whole LA
        _row("354", 99.0, period="2015-16"),  # another period
    ]
    con.executemany(
        "INSERT INTO indicator_results VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, NULL, '', [], now(), NULL, NULL)",
        rows,
    )
    yield con
    con.close()


def test_own_values_are_whole_la_values_of_the_period(con) -> None:
    assert own_values(con, INDICATOR, "2016-17") == {
        "201": 40.0, "202": 50.0, "335": 30.0, "354": 20.0, "831": 10.0, "874": 70.0,
    }  # fmt: skip


def test_quartile_cuts_are_r_type_7_over_every_la(con) -> None:
    # Sorted: 10 20 30 40 50 70 (n = 6). h = 5p: p=.25 -> h=1.25 -> 20 + .25*10 = 22.5;
    # p=.5 -> h=2.5 -> 30 + .5*10 = 35; p=.75 -> h=3.75 -> 40 + .75*10 = 47.5.
    cuts, n = own_quartile_cuts(con, INDICATOR, "2016-17")
    assert n == 6
    assert cuts == pytest.approx((10.0, 22.5, 35.0, 47.5, 70.0))
    assert own_quartile_cuts(con, INDICATOR, "2014-15") == (None, 0)


def test_sn_mean_and_median_over_neighbours_with_a_value(con) -> None:
    # Neighbours with values: 10, 20, 70 (861 has none; the rest have no results). Mean 100/3, median 20.
    mean, median = own_sn_averages(con, "335", INDICATOR, "2016-17")
    assert (mean.comparator, mean.n, median.n) == ("sn_mean", 3, 3)
    assert mean.value == pytest.approx(100 / 3)
    assert median.value == 20.0
    assert mean.label == "SN mean (own results, April 2021 list, 3 of 10) 2016-17"
    # None of Cumbria's neighbours (925, 926, 830, ...) has a value: no average, marked as not available.
    (none_mean, _) = own_sn_averages(con, "909", INDICATOR, "2016-17")
    assert (none_mean.value, none_mean.symbol, none_mean.n) == (None, "-", 0)
    with pytest.raises(ValueError, match="choose one of"):
        own_sn_averages(con, "335", INDICATOR, "2016-17", sn_version="2019")


def test_compared_with_the_published_figures_for_the_same_year(con) -> None:
    found = compare_with_published(con, "335", INDICATOR, "2016-17", "ReReferral")
    assert found.published_year == "2016-17"
    assert (found.own_n, found.own_cuts) == (6, pytest.approx((10.0, 22.5, 35.0, 47.5, 70.0)))
    # LAIT ReReferral 2016-17 has a value for all 152 LAs, from 0 to 38.
    assert found.published_n == 152
    assert (found.published_cuts[0], found.published_cuts[4]) == (0.0, 38.0)
    assert [c.comparator for c in found.published_sn] == ["sn_mean", "sn_median"]
    assert [c.comparator for c in found.own_sn] == ["sn_mean", "sn_median"]
    assert found.published_sn[0].label.startswith("SN mean (April 2021 list, ")
