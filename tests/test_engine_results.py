"""The engine's plumbing: the results table, adapters, options and the batch over every indicator."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlglot import exp

from canonical_rows import LA, Store
from csc_scorecard.catalogue import CORE_INDICATOR_IDS, CatalogueError, load_catalogue
from csc_scorecard.engine import ADAPTERS, adapter_for, batch, compute, read_results, save_results
from csc_scorecard.engine.adapters.duckdb import DuckDBAdapter
from csc_scorecard.engine.batch import batch_trees
from csc_scorecard.engine.build import population_ctes
from csc_scorecard.engine.compute import build_requests, run_requests
from csc_scorecard.engine.coverage import coverage
from csc_scorecard.engine.manual import catalogue_for
from csc_scorecard.periods import parse_period, quarters
from csc_scorecard.store.status import SnapshotCover


@pytest.fixture
def store(tmp_path) -> Store:
    s = Store(tmp_path)
    s.add("cin_episodes", "2016-17", load_id=7, child_id="A", referral_date="2016-05-01")
    s.add("cin_episodes", "2016-17", load_id=8, child_id="B", referral_date="2016-11-01", referral_nfa=True)
    s.add("cin_episodes", "2015-16", load_id=5, child_id="A", referral_date="2015-12-01")
    s.child("A", "2010-01-01")
    s.child("B", "2016-01-01", sex="F")
    return s


def test_results_are_saved_and_replaced(store):
    periods = [parse_period("2016-17Q2"), parse_period("2016-17")]
    first = compute(store.con, periods, ["referrals_count", "referrals_nfa_pct"])
    assert save_results(store.con, first, dt.datetime(2026, 1, 1)) == 4
    assert save_results(store.con, first) == 4  # the same series again replaces, never duplicates
    stored = read_results(store.con, "referrals_nfa_pct")
    assert [(r.period, r.numerator, r.denominator, r.value) for r in stored] == [
        ("2016-17Q2", 0, 1, 0.0),
        ("2016-17", 1, 2, 50.0),
    ]
    assert stored[1].load_ids == (7, 8)
    assert read_results(store.con) == sorted(first, key=lambda r: (r.indicator_id, r.period_end))


def test_breakdown_series_are_replaced_whole(store):
    by_sex = compute(store.con, [parse_period("2016-17")], ["referrals_count"], breakdown="sex")
    save_results(store.con, by_sex)
    save_results(store.con, [r for r in by_sex if r.breakdown_value == "Male"])
    stored = read_results(store.con, "referrals_count")
    assert [(r.breakdown, r.breakdown_value, r.numerator) for r in stored] == [("sex", "Male", 1)]


def test_load_ids_name_the_loads_counted(store):
    # 2016-17 re-referrals: A's 2016-05-01 referral looks back to the 2015-16 return (load 5), but the
    # referrals counted came from loads 7 and 8.
    result = store.result("re_referrals_12m_pct", "2016-17")
    assert (result.numerator, result.denominator, result.load_ids) == (1, 2, (7, 8))


def test_a_breakdown_without_ids_runs_every_indicator_that_allows_it(store):
    results = compute(store.con, [parse_period("2016-17")], breakdown="disability", la_codes=[LA])
    ids = {r.indicator_id for r in results}
    assert "referrals_count" in ids and "cla_count" not in ids
    with pytest.raises(CatalogueError, match="no breakdown 'shoe_size'"):
        compute(store.con, [parse_period("2016-17")], breakdown="shoe_size")


def test_options_are_checked(store):
    period = [parse_period("2016-17")]
    with pytest.raises(CatalogueError, match="indicator referrals_rate has no option 'annualize'"):
        compute(store.con, period, ["referrals_rate"], options={"referrals_rate": {"annualize": True}})
    with pytest.raises(CatalogueError, match="option annualise takes bool, got 'yes'"):
        compute(store.con, period, ["referrals_rate"], options={"referrals_rate": {"annualise": "yes"}})
    with pytest.raises(CatalogueError, match="options given for unknown indicator"):
        compute(store.con, period, options={"referals_rate": {}})


def test_every_core_indicator_runs_for_sixteen_quarters(store):
    results = compute(store.con, quarters("2013-14Q1", "2016-17Q4"), la_codes=[LA])
    # Only the CIN tables have rows, so the indicators over CIN tables report: 16 quarters each.
    by_indicator: dict[str, int] = {}
    for r in results:
        by_indicator[r.indicator_id] = by_indicator.get(r.indicator_id, 0) + 1
    cin_core = {
        i for i in CORE_INDICATOR_IDS if not i.startswith(("cla_", "ceased_", "adoption_", "care_leavers_"))
    }
    assert cin_core <= set(by_indicator)  # every core indicator over the CIN census, and none over the 903
    assert not {i for i in by_indicator if i.startswith(("cla_", "ceased_", "adoption_", "care_leavers_"))}
    assert by_indicator["referrals_count"] == 16
    covered = [r for r in results if r.indicator_id == "referrals_count" and r.value is not None]
    assert [r.period for r in covered] == [f"{y}Q{q}" for y in ("2015-16", "2016-17") for q in (1, 2, 3, 4)]


def test_adapter_registry(store):
    assert ADAPTERS["duckdb"] is DuckDBAdapter
    adapter = adapter_for(store.con)
    assert isinstance(adapter, DuckDBAdapter) and adapter_for(adapter) is adapter
    with pytest.raises(ValueError, match="no engine adapter for postgres"):
        adapter_for(store.con, "postgres")


class _NoDistinctArrays(DuckDBAdapter):
    """DuckDB told it cannot aggregate DISTINCT into an array: the engine de-duplicates load ids itself."""

    SUPPORTS_ARRAY_AGG_DISTINCT = False


class _PerChildFirst(DuckDBAdapter):
    """DuckDB told that several COUNT(DISTINCT ...) are dear (as on Spark): children are counted per child first."""

    CHEAP_DISTINCT_AGGREGATES = False


class _NoCorrelatedSubqueries(DuckDBAdapter):
    SUPPORTS_CORRELATED_SCALAR_SUBQUERIES = False


def test_capability_flags(store):
    store.add("cin_episodes", "2016-17", load_id=7, child_id="C", referral_date="2016-06-01")
    (result,) = compute(_NoDistinctArrays(store.con), [parse_period("2016-17")], ["referrals_count"])
    assert (result.numerator, result.load_ids) == (3, (7, 8))
    with pytest.raises(NotImplementedError, match="SUPPORTS_CORRELATED_SCALAR_SUBQUERIES"):
        _NoCorrelatedSubqueries(store.con)


def test_children_counted_per_child_first_are_the_same(store):
    store.add("cin_episodes", "2016-17", load_id=7, child_id="A", referral_date="2016-09-01")
    store.add(
        "cin_episodes", "2016-17", load_id=7, child_id="C", referral_date="2016-10-01", referral_nfa=True
    )
    year = [parse_period("2016-17")]
    # Open at the year's end: A's three referrals (one child counted once), B's and C's (both NFA: not counted);
    # the loads are those of every open referral (no denominator filter).
    (cin,) = compute(_PerChildFirst(store.con), year, ["cin_count"])
    assert (cin.numerator, cin.load_ids) == (1, (5, 7, 8))
    periods = quarters("2015-16Q3", "2016-17Q4")
    every = compute(_PerChildFirst(store.con), periods, la_codes=[LA])
    assert len(every) > 200 and every == compute(store.con, periods, la_codes=[LA])


def test_a_slot_counting_children_and_records_counts_each_its_own_way(store):
    """Measures over one population and window share a slot whatever they count: where one counts children
    (the rows grouped per child first), a measure counting records still counts each record."""
    catalogue = catalogue_for(store.con)
    (cin,) = build_requests(catalogue, [parse_period("2016-17")], ["cin_count"], None, None, {})
    twin = cin.indicator.model_copy(update={"id": "cin_records", "count": "records"})
    records = dataclasses.replace(cin, indicator=twin)
    # Open at the year's end: A's two referrals (not NFA: counted) and B's (NFA); one child counted, two records.
    for adapter in (adapter_for(store.con), _PerChildFirst(store.con)):
        children, counted = run_requests(adapter, catalogue, [cin, records])
        assert (children.numerator, counted.numerator) == (1, 2)
        assert children.load_ids == counted.load_ids == (5, 7, 8)


def test_the_catalogue_runs_in_queries_of_a_few_slots_each_population_in_one(store, monkeypatch):
    """DuckDB plans one large query more slowly than several small ones (engine/batch.py SLOTS_PER_QUERY), but a
    population split between two queries would be computed twice."""
    catalogue = catalogue_for(store.con)
    requests = [
        r
        for r in build_requests(catalogue, quarters("2015-16Q1", "2016-17Q4"), None, None, None, {})
        if r.indicator.manual is None
    ]

    def populations() -> list[set[str]]:
        trees = batch_trees(catalogue, requests, filtered=False)
        return [
            {cte.alias for cte in tree.find_all(exp.CTE)} & set(catalogue.populations) for tree, _ in trees
        ]

    split = populations()
    monkeypatch.setattr(batch, "SLOTS_PER_QUERY", 10_000)
    whole = populations()  # as few queries as the catalogue's CTE names allow
    assert len(split) >= 3 * len(whole)
    assert sum(map(len, split)) == sum(map(len, whole))  # no population written more often than before


def test_every_event_date_the_catalogue_counts_by_is_a_date(store):
    """A flow slot joins its rows to the windows' days on the event's date (engine/batch.py _by_day), which holds
    only for a DATE: a TIMESTAMP with a time of day would match no day, where a range on the window kept it."""
    catalogue = catalogue_for(store.con)
    adapter = adapter_for(store.con)
    requests = build_requests(catalogue, [parse_period("2016-17")], None, None, None, {})
    by_day = [
        r
        for r in requests
        if r.indicator.event_date and not catalogue.population(r.indicator.population or "").per_period
    ]
    assert len(by_day) > 20  # every flow indicator of the catalogue, not none by a broken filter
    for request in by_day:
        query = exp.select(request.indicator.event_date).from_(request.indicator.population)
        for name, cte in population_ctes(catalogue, request):
            query = query.with_(name, as_=cte)
        ((_, kind, *_),) = store.con.execute("DESCRIBE " + adapter.sql(query)).fetchall()
        assert kind == "DATE", f"{request.indicator.id}: {request.indicator.event_date} is {kind}"


@pytest.fixture
def spans(tmp_path) -> Store:
    """Referrals of one census year, each child's spans chosen for a boundary (quarter ends 30 June, 30
    September, 31 December 2016 and 31 March 2017)."""
    s = Store(tmp_path)
    rows = [
        ("A", "2016-04-10", "2016-06-30", False),  # closed on the Q1 end: not open at it...
        ("A", "2016-06-30", None, False),  # ...but the next starts that day: open at every end
        ("B", "2016-04-20", "2016-09-30", False),  # closed on the Q2 end: open at Q1 only
        ("C", "2016-05-01", None, False),  # open-ended: every end
        ("D", "2016-04-01", "2016-12-31", False),  # overlapping: contains the next, reaches the third
        ("D", "2016-05-01", "2016-10-01", False),
        ("D", "2016-09-01", None, False),
        ("E", "2016-08-01", "2016-11-01", False),  # two starting the same day: Q2 on, once
        ("E", "2016-08-01", None, False),
        ("F", "2016-04-01", None, True),  # NFA and open throughout: open, not counted...
        ("F", "2016-07-01", "2016-12-01", False),  # ...but counted at Q2 by this one, which it covers
        ("G", "2016-04-01", "2016-10-15", False),  # counted at Q1 and Q2; then only its NFA referral is open
        ("G", "2016-05-01", None, True),
        ("H", "2016-04-05", "2016-04-01", False),  # closed before it started: never open
        ("H", "2016-04-20", "2016-07-15", False),  # open at Q1 only
    ]
    for child, referral, closure, nfa in rows:
        s.add("cin_episodes", child_id=child, referral_date=referral, closure_date=closure, referral_nfa=nfa)
        s.child(child, "2010-01-01", sex="F" if child in "ACEG" else "M")
    return s


def test_children_open_at_each_window_end_counted_once_from_their_spans(spans):
    """A stock of children is counted from each child's spans trimmed in start order (engine/batch.py
    _span_columns), not by grouping the rows per child: hand-worked at each quarter end, every child once, on
    both of the engine's ways of counting children, and the same as the breakdown's groups (counted per child)."""
    catalogue = catalogue_for(spans.con)
    periods = [*quarters("2016-17Q1", "2016-17Q4"), parse_period("2016-17")]
    (cin,) = build_requests(catalogue, periods, ["cin_count"], None, None, {})
    # Open (denominator) and counted (numerator: not NFA) children: a twin of cin_count with a denominator.
    twin = cin.indicator.model_copy(update={"id": "cin_share", "unit": "percent", "denominator": "TRUE"})
    share = dataclasses.replace(cin, indicator=twin)
    for requests, spanned in (
        ([cin, share], True),
        (build_requests(catalogue, periods, ["cin_count"], "sex", None, {}), False),
    ):
        ((tree, _),) = batch_trees(catalogue, requests, filtered=False)
        assert (
            batch.SPAN_START in tree.sql()
        ) is spanned  # a breakdown counts per child (it may differ by row)
    counted = {"2016-17Q1": 6, "2016-17Q2": 6, "2016-17Q3": 4, "2016-17Q4": 4, "2016-17": 4}
    open_ = {"2016-17Q1": 7, "2016-17Q2": 6, "2016-17Q3": 6, "2016-17Q4": 6, "2016-17": 6}
    for adapter in (adapter_for(spans.con), _PerChildFirst(spans.con)):
        results = run_requests(adapter, catalogue, [cin, share])
        assert {r.period: r.numerator for r in results if r.indicator_id == "cin_count"} == counted
        assert {r.period: (r.numerator, r.denominator) for r in results if r.indicator_id == "cin_share"} == {
            p: (counted[p], open_[p]) for p in counted
        }
    everyone = compute(
        spans.con, periods, ["cin_count"], options={"cin_count": {"exclude_nfa_referrals": False}}
    )
    assert {r.period: r.numerator for r in everyone} == open_
    by_sex = compute(spans.con, periods, ["cin_count"], breakdown="sex")
    for period, total in counted.items():
        assert sum(r.numerator for r in by_sex if r.period == period) == total


def test_loads_of_children_counted_per_child_are_those_of_their_measures_rows(tmp_path):
    """Where children are counted per child (a breakdown: the path Spark takes), the loads are collected apart
    from the counts (engine/batch.py _per_child_then_loads): those of every row of a measure without a
    denominator, of its denominator's rows with one; hand-worked, the same on both ways of counting."""
    s = Store(tmp_path)
    for child, load, nfa, sex in [
        ("A", 1, False, "F"),
        ("A", 2, True, "F"),
        ("B", 3, True, "M"),
        ("C", 4, False, "M"),
    ]:
        s.add("cin_episodes", load_id=load, child_id=child, referral_date="2016-05-01", referral_nfa=nfa)
        s.child(child, "2010-01-01", sex=sex)
    s.add(
        "cin_episodes", load_id=4, child_id="C", referral_date="2016-06-01"
    )  # a child's second row, one load
    catalogue = catalogue_for(s.con)
    year = [parse_period("2016-17")]
    (cin,) = build_requests(catalogue, year, ["cin_count"], "sex", None, {})
    twin = cin.indicator.model_copy(
        update={"id": "cin_share", "unit": "percent", "denominator": "NOT coalesce(referral_nfa, FALSE)"}
    )
    share = dataclasses.replace(cin, indicator=twin)
    for adapter in (adapter_for(s.con), _PerChildFirst(s.con)):
        results = run_requests(adapter, catalogue, [cin, share])
        got = {(r.indicator_id, r.breakdown_value): (r.numerator, r.denominator, r.load_ids) for r in results}
        assert got == {
            ("cin_count", "Female"): (1, None, (1, 2)),
            ("cin_count", "Male"): (1, None, (3, 4)),
            ("cin_share", "Female"): (1, 1, (1,)),
            ("cin_share", "Male"): (1, 1, (4,)),
        }


def test_coverage_is_each_las_own_where_las_share_their_gaps():
    """LAs with the same years loaded of the returns read (and the same snapshot) share their gaps; one with
    other years, or a snapshot, has its own. Re-referrals need the window's CIN census and the year before
    (12 months before each referral), worked by hand."""
    catalogue = load_catalogue()
    indicator = catalogue.definition("re_referrals_12m_pct")
    periods = [parse_period("2016-17Q1"), parse_period("2015-16Q1")]
    loaded = {
        "A": {"cin": frozenset({2015, 2016})},
        "B": {"cin": frozenset({2016})},
        "C": {"cin": frozenset({2016, 2015}), "ssda903": frozenset({2016})},  # as A: no 903 is read
        "D": {"ssda903": frozenset({2016})},  # no CIN census: not listed
        "E": {"cin": frozenset({2016})},  # as B, but its snapshot holds April 2015 to June 2016
    }
    snapshot = SnapshotCover(9, frozenset({"cin_episodes"}), dt.date(2015, 4, 1), dt.date(2016, 6, 30))
    rows = coverage(catalogue, indicator, periods, loaded, {"E": snapshot})
    why = "(earlier referrals in the 12 months before each referral)"
    assert [(r.la_code, r.period_id, r.gap and r.gap.note()) for r in rows] == [
        ("A", 0, None),
        ("A", 1, f"withheld: needs the 2014-15 CIN census {why}"),
        ("B", 0, f"withheld: needs the 2015-16 CIN census {why}"),
        ("B", 1, f"not covered: needs the 2014-15 and 2015-16 CIN censuses {why}"),
        ("C", 0, None),
        ("C", 1, f"withheld: needs the 2014-15 CIN census {why}"),
        ("E", 0, None),
        ("E", 1, f"withheld: needs the 2014-15 CIN census {why}"),
    ]
