"""The catalogue: the spec's ids, validation with clear errors, the portable-SQL lint, local indicators, docs."""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from canonical_rows import Store
from csc_scorecard.catalogue import CORE_INDICATOR_IDS, CatalogueError, load_catalogue
from csc_scorecard.catalogue.docs import render_markdown
from csc_scorecard.catalogue.lint import lint_catalogue, lint_expression, lint_sql
from csc_scorecard.catalogue.loader import build_catalogue, catalogue_files
from csc_scorecard.engine.build import results_query
from csc_scorecard.engine.compute import build_requests
from csc_scorecard.periods import quarters

DOCS = Path(__file__).resolve().parents[1] / "docs" / "indicators.md"

# spec/indicators.md "Core ids": unit and polarity of each.
SPEC_UNITS = {
    "referrals_count": ("count", "neutral"),
    "referrals_rate": ("rate_per_10k", "neutral"),
    "re_referrals_12m_pct": ("percent", "lower"),
    "referrals_nfa_pct": ("percent", "neutral"),
    "assessments_45wd_pct": ("percent", "higher"),
    "s47_count": ("count", "neutral"),
    "s47_icpc_15wd_pct": ("percent", "higher"),
    "cin_count": ("count", "neutral"),
    "cin_rate": ("rate_per_10k", "neutral"),
    "cpp_count": ("count", "neutral"),
    "cpp_rate": ("rate_per_10k", "neutral"),
    "cpp_starts_count": ("count", "neutral"),
    "cpp_second_pct": ("percent", "lower"),
    "cpp_2yrs_ended_pct": ("percent", "lower"),
    "cla_count": ("count", "neutral"),
    "cla_rate": ("rate_per_10k", "neutral"),
    "cla_starts_count": ("count", "neutral"),
    "cla_ceased_count": ("count", "neutral"),
    "ceased_adopted_pct": ("percent", "higher"),
    "ceased_sgo_count": ("count", "higher"),
    "cla_3plus_placements_pct": ("percent", "lower"),
    "cla_longterm_stability_pct": ("percent", "higher"),
    "adoption_a1_days": ("days", "lower"),
    "adoption_a2_days": ("days", "lower"),
    "care_leavers_19_21_suitable_accom_pct": ("percent", "higher"),
    "care_leavers_19_21_eet_pct": ("percent", "higher"),
    "care_leavers_17_18_suitable_accom_pct": ("percent", "higher"),
    "care_leavers_17_18_eet_pct": ("percent", "higher"),
    "cla_missing_pct": ("percent", "lower"),
}


def test_every_core_id_exists_with_the_spec_unit_and_polarity():
    catalogue = load_catalogue()
    assert set(CORE_INDICATOR_IDS) == set(SPEC_UNITS)
    for indicator_id, (unit, polarity) in SPEC_UNITS.items():
        indicator = catalogue.indicator(indicator_id)
        assert (indicator.unit, indicator.polarity) == (unit, polarity), indicator_id


def test_lait_codes_named_in_the_brief():
    catalogue = load_catalogue()
    expected = {
        "re_referrals_12m_pct": "ReReferral",
        "assessments_45wd_pct": "Continue_Assess_Comp",
        "cin_rate": "CIN",
        "cpp_rate": "CPP_rate",
        "cla_rate": "LAC",
        "cla_3plus_placements_pct": "LACStable_2016on",
        "cla_longterm_stability_pct": "LAC_LongStable%",
        "care_leavers_19_21_suitable_accom_pct": "CareLeaverAcc",
        "care_leavers_19_21_eet_pct": "CareLeaverEET",
        "cpp_second_pct": "PrevRegCPR",
    }
    assert {i: catalogue.indicator(i).lait for i in expected} == expected


def test_the_shipped_catalogue_passes_the_portable_sql_lint():
    assert lint_catalogue(load_catalogue()) == []


@pytest.mark.parametrize("indicator_id", CORE_INDICATOR_IDS)
def test_built_queries_are_portable(indicator_id):
    # The whole query, macros expanded, passes the lint and writes in the Spark dialect.
    catalogue = load_catalogue()
    request = build_requests(catalogue, quarters("2016-17Q1", "2016-17Q2"), [indicator_id], None, None, {})[0]
    query = results_query(catalogue, request)
    assert lint_expression(query) == []
    assert "SELECT" in query.sql(dialect="spark")


@pytest.mark.parametrize(
    ("sql", "rule"),
    [
        ("SELECT la_code, count(*) AS n FROM referrals GROUP BY ALL", "group_by_all"),
        ("SELECT * FROM a ASOF JOIN b ON a.d >= b.d", "asof"),
        ("SELECT * FROM a QUALIFY row_number() OVER (ORDER BY d) = 1", "qualify"),
        ("date_sub('year', dob, referral_date)", "date_sub"),
        ("date_diff('year', dob, referral_date)", "calendar_date_diff"),
        ("datediff('month', start_date, end_date) >= 24", "calendar_date_diff"),
        ("end_date >= start_date + INTERVAL 2 YEAR", "interval"),
        ("date_trunc('month', referral_date)", "date_trunc"),
        ("numerator / denominator", "ratio_not_double"),
        ("100.0 * numerator / denominator", "ratio_not_double"),
        ("days // 7", "integer_division"),
        ("working_days(start_date)", "macro_arguments"),
        ("referral_date >", "parse"),
    ],
)
def test_lint_refuses_non_portable_sql(sql, rule):
    assert rule in {found for found, _ in lint_sql(sql)}


def test_lint_accepts_the_portable_forms():
    for sql in (
        "CAST(numerator AS DOUBLE) / denominator",
        "age_in_years(dob, :period_end) < 16",
        "days_between(start_date, end_date)",
        "end_date >= add_years(start_date, 2)",
    ):
        assert lint_sql(sql) == [], sql


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


LOCAL_FILE = textwrap.dedent(
    """\
    area: front_door
    indicators:
      - id: referrals_from_police_pct
        label: Referrals from the police
        unit: percent
        polarity: neutral
        kind: flow
        population: referral
        event_date: referral_date
        numerator: referral_source = '6'
        source: local
        description: Referrals in the window from the police (ReferralSource 6).
"""
)


QUOTE = """source: local
    quotes:
      - rule: the rule
        file: lait/lait_data_dictionary_csc_measures.csv
        measure: {measure}
        text: {text}"""


def _problems(tmp_path: Path, text: str) -> str:
    path = _write(tmp_path, "local.yaml", text)
    with pytest.raises(CatalogueError) as caught:
        build_catalogue([*catalogue_files(), path])
    return str(caught.value)


def test_a_local_indicator_is_yaml_only(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    _write(folder, "local.yaml", LOCAL_FILE)
    catalogue = build_catalogue(catalogue_files([folder]))
    store = Store(tmp_path)
    for n, source in enumerate(("6", "6", "2A", "1C")):
        store.add(
            "cin_episodes", child_id=f"C{n}", referral_date=dt.date(2016, 5, 1 + n), referral_source=source
        )
    from csc_scorecard.engine import compute
    from csc_scorecard.periods import parse_period

    (result,) = compute(
        store.con, [parse_period("2016-17")], ["referrals_from_police_pct"], catalogue=catalogue
    )
    assert (result.numerator, result.denominator, result.value) == (2, 4, 50.0)


def test_yaml_syntax_error_names_the_file_and_line(tmp_path):
    message = _problems(tmp_path, "indicators:\n  - id: x\n    label: [unclosed\n")
    assert message.startswith("local.yaml: line 4, column 1: not valid YAML: expected ',' or ']'")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("unit: percent", "unit: ratio"),
            "local.yaml: indicator referrals_from_police_pct: unit: Input should be",
        ),
        (("population: referral", "population: referals"), "population 'referals' is not declared"),
        (("event_date: referral_date", "event_date: referred_on"), "has no column(s) ['referred_on']"),
        (("referral_source = '6'", "referral_source = :source"), "unknown placeholder(s) ['source']"),
        (
            ("referral_source = '6'", "referral_sauce = '6'"),
            "numerator: population referral has no column(s)",
        ),
        (("referral_source = '6'", "count(*) / 2"), "ratio_not_double"),
        (("kind: flow", "kind: stock"), "a stock indicator is taken at the window end: use open_at_end"),
        (
            ("source: local", "source: local\n    lait: NoSuchCode"),
            "lait 'NoSuchCode' is not a Measure_short",
        ),
        (
            ("source: local", "source: local\n    breakdowns: [shoe_size]"),
            "breakdown 'shoe_size' is not declared",
        ),
        (("source: local", "source: local\n    colour: red"), "colour: Extra inputs are not permitted"),
        (
            ("id: referrals_from_police_pct", "id: referrals_count"),
            "indicator referrals_count is already declared",
        ),
        (
            (
                "source: local",
                QUOTE.format(measure="ReReferral", text="within 6 months of a previous referral"),
            ),
            "quote for rule 'the rule': LAIT ReReferral does not say 'within 6 months of a previous referral'",
        ),
        (
            ("source: local", QUOTE.format(measure="NoSuchCode", text="anything")),
            "quote: measure 'NoSuchCode' is not a Measure_short",
        ),
        (
            ("source: local", "source: local\n    history: {months: -1, reason: why}"),
            "history.months: Input should be greater than or equal to 0",
        ),
        (
            (
                "source: local",
                "source: local\n    history: {complete_when: referral_sauce IS NOT NULL, reason: why}",
            ),
            "complete_when: population referral has no column(s) ['referral_sauce']",
        ),
    ],
)
def test_bad_entries_give_clear_errors(tmp_path, change, expected):
    old, new = change
    message = _problems(tmp_path, LOCAL_FILE.replace(old, new))
    assert expected in message
    assert "local.yaml" in message


def test_a_population_cannot_read_the_window_directly(tmp_path):
    text = """\
        populations:
          recent:
            description: referrals near the window end
            sql: SELECT la_code, child_id, load_id, src_line FROM cin_episodes WHERE referral_date > :period_end
    """
    assert (
        "local.yaml: population recent: uses [':period_end']: a population cannot see the window"
        in _problems(tmp_path, text)
    )


def test_quotes_are_checked_word_for_word_against_the_shipped_file(tmp_path):
    # A sentence the LAIT dictionary prints, however the YAML wraps it, passes; the catalogue's own quotes do.
    text = (
        "Percentage of referrals to children's\n          social care within 12 months of a previous referral"
    )
    path = _write(
        tmp_path,
        "local.yaml",
        LOCAL_FILE.replace("source: local", QUOTE.format(measure="ReReferral", text=">\n          " + text)),
    )
    assert "referrals_from_police_pct" in build_catalogue([*catalogue_files(), path]).indicators
    quoted = [i for i in load_catalogue().indicators.values() if i.quotes]
    assert {"CareLeaverAcc", "CPPlans2yrs", "Children_missing", "Children_Away", "LACceased", "%_of LAC Adopted",
            "LAC_ceased_SGO", "CIN_Refferals_NFA", "Work_Force_AvgNumCase_SW"} <= {
        q.measure for i in quoted for q in i.quotes
    }  # fmt: skip


def test_a_population_setting_is_not_redeclared_by_an_indicator(tmp_path):
    text = """\
        area: children_in_care
        indicators:
          - id: my_stability_pct
            label: mine
            unit: percent
            polarity: higher
            kind: stock
            population: placement_episode
            open_at_end: {start: decom, end: dec}
            numerator: new_carer
            source: local
            description: mine
            options:
              temporary_placements_count_as_moves: {default: true, description: mine}
    """
    assert (
        "indicator my_stability_pct: option temporary_placements_count_as_moves is a setting of population "
        "placement_episode: remove it from the indicator" in _problems(tmp_path, text)
    )


def test_a_population_setting_its_sql_does_not_read_is_an_error(tmp_path):
    text = """\
        populations:
          mine:
            description: mine
            options:
              unused: {default: true, description: never read}
            sql: SELECT la_code, child_id, load_id, src_line FROM cin_episodes
    """
    assert "population mine: option(s) ['unused'] are declared but its SQL does not read them" in _problems(
        tmp_path, text
    )


TWO_WITHS = """\
    area: front_door
    populations:
      first_referral:
        description: each child's first referral
        sql: |
          WITH firsts AS (SELECT r.child_id, min(r.referral_date) AS referral_date FROM cin_episodes AS r
                          GROUP BY r.child_id)
          SELECT r.la_code, r.child_id, r.referral_date, r.load_id, r.src_line
          FROM cin_episodes AS r JOIN firsts AS f ON f.child_id = r.child_id AND f.referral_date = r.referral_date
      first_referral_police:
        description: first referrals from the police
        sql: |
          WITH firsts AS (SELECT f.child_id FROM first_referral AS f)
          SELECT r.la_code, r.child_id, r.referral_date, r.load_id, r.src_line
          FROM first_referral AS r WHERE r.child_id IN (SELECT f.child_id FROM firsts AS f)
    indicators:
      - id: first_referrals_police_count
        label: First referrals from the police
        unit: count
        polarity: neutral
        kind: flow
        population: first_referral_police
        event_date: referral_date
        source: local
        description: First referrals from the police.
"""


def test_lint_refuses_a_cte_name_used_twice_in_one_query(tmp_path):
    """DuckDB scopes a WITH inside a population to it; Spark gets them all at the top of one query."""
    message = _problems(tmp_path, TWO_WITHS)
    assert message == (
        "local.yaml: indicator first_referrals_police_count: duplicate_cte: its query defines the CTE 'firsts' "
        "2 times (a WITH in population first_referral; a WITH in population first_referral_police); Spark takes "
        "every WITH to the top of the query and refuses a repeated name: rename one"
    )
    # A WITH may not take an engine CTE's name either, nor a store table's.
    assert "defines the CTE 'scoped' 2 times (the engine; a WITH in population first_referral)" in _problems(
        tmp_path, TWO_WITHS.replace("firsts", "scoped", 2)
    )
    assert (
        "local.yaml: population first_referral: sql: cte_hides_table: the WITH 'children' has a store table's "
        "name" in _problems(tmp_path, TWO_WITHS.replace("firsts", "children", 2))
    )
    renamed = TWO_WITHS.replace("WITH firsts AS (SELECT f.", "WITH mine AS (SELECT f.").replace(
        "FROM firsts AS f)", "FROM mine AS f)"
    )
    catalogue = build_catalogue([*catalogue_files(), _write(tmp_path, "local.yaml", renamed)])
    assert lint_catalogue(catalogue) == []
    assert "first_referrals_police_count" in catalogue.ids()


def test_unknown_indicator_is_a_clear_error():
    with pytest.raises(CatalogueError, match="no indicator 'referals_count' in the catalogue"):
        load_catalogue().indicator("referals_count")


def test_docs_are_current():
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), (
        "docs/indicators.md is stale: regenerate it with "
        "`.venv/bin/python -m csc_scorecard.catalogue.docs > docs/indicators.md`"
    )


def test_docs_cover_every_indicator_option_and_breakdown():
    text = render_markdown()
    catalogue = load_catalogue()
    for indicator in catalogue.indicators.values():
        assert f"### `{indicator.id}`" in text
        for option in indicator.options:
            assert f"`{option}`" in text
    for name in catalogue.breakdowns:
        assert f"`{name}`" in text


# ---- LAIT: every measure computed, shown as published, or excluded with a reason --------------------------------


def test_every_lait_measure_is_computed_published_or_excluded_with_a_reason():
    from csc_scorecard.catalogue.lait import LAIT_EXCLUDED, lait_coverage

    coverage = lait_coverage(load_catalogue())
    assert coverage.missing == (), (
        f"LAIT measures the catalogue neither computes nor shows: {coverage.missing}"
    )
    assert coverage.unknown == ()
    assert all(reason.strip() for reason in LAIT_EXCLUDED.values())
    assert not set(LAIT_EXCLUDED) & (set(coverage.computed) | set(coverage.published))
    # The dictionary's 107 measures, each in exactly one place.
    assert len(coverage.computed) + len(coverage.published) + len(coverage.excluded) == 107
    assert coverage.published == {
        "CareApplications": "care_applications_rate",
        "LACDistance": "cla_placed_20_miles_pct",
        "Number_Foster_Places(New)": "foster_places_count",
        "Number_Foster_Places_Filled(New)": "foster_places_filled_count",
        "Stability_School": "cla_school_moves_pct",
    }


def test_a_lait_measure_left_out_is_reported(tmp_path):
    from csc_scorecard.catalogue.lait import lait_coverage

    catalogue = load_catalogue()
    without = dict(catalogue.indicators)
    del without["icpc_rate"]
    shrunk = replace(catalogue, indicators=without)
    assert lait_coverage(shrunk).missing == ("ISCP_Conf",)
    assert lait_coverage(shrunk, {"ISCP_Conf": "withdrawn"}).missing == ()
    assert lait_coverage(shrunk, {"ISCP_Conf": "withdrawn", "Made_Up": "typo"}).unknown == ("Made_Up",)


PUBLISHED_FILE = """\
    area: children_in_care
    published:
      - id: my_published_pct
        label: Mine
        unit: percent
        polarity: lower
        kind: stock
        lait: {lait}
        source: DfE
        description: mine
        reason: no return holds it
"""


def test_a_published_measure_names_a_lait_measure_no_indicator_computes(tmp_path):
    alone = build_catalogue([_write(tmp_path, "alone.yaml", PUBLISHED_FILE.format(lait="CareApplications"))])
    assert alone.published["my_published_pct"].area == "children_in_care"
    assert alone.indicators == {}  # the engine never sees it
    assert "local.yaml: published my_published_pct: lait 'Made_Up' is not a Measure_short" in _problems(
        tmp_path, PUBLISHED_FILE.format(lait="Made_Up")
    )
    assert "LAIT ReReferral is computed by an indicator: it cannot also be published only" in _problems(
        tmp_path, PUBLISHED_FILE.format(lait="ReReferral")
    )
    assert "LAIT CareApplications is shown by published care_applications_rate too" in _problems(
        tmp_path, PUBLISHED_FILE.format(lait="CareApplications")
    )
    clash = PUBLISHED_FILE.format(lait="CareApplications").replace("my_published_pct", "cla_count")
    assert "published cla_count is also an indicator's id" in _problems(tmp_path, clash)


def test_a_field_the_returns_did_not_collect_withholds_the_window(tmp_path):
    # Social worker episodes are in the SSDA903 from 2023-24: a 2022-23 window is "not collected", whatever
    # is loaded; 2023-24 is computed.
    store = Store(tmp_path)
    for year in ("2022-23", "2023-24"):
        store.loaded("ssda903", year)
    old = store.result("cla_3plus_social_workers_pct", "2022-23")
    assert (old.numerator, old.value) == (None, None)
    assert old.notes == (
        "not collected in 2022-23: the returns hold social worker episodes (SSDA903 SWEpisodes) from 2023-24"
    )
    assert store.result("cla_3plus_social_workers_pct", "2023-24").notes.startswith("undefined")
