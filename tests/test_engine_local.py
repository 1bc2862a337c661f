"""The local indicators (early help, contacts, statutory visits, workforce, CSWW, youth justice, case audits).

Rows are put straight into the canonical tables (as the loader would leave them) and every expected value is
worked by hand in the comments.
"""

from __future__ import annotations

import datetime as dt

import pytest

from canonical_rows import LA, Store, d
from csc_scorecard.catalogue import CORE_INDICATOR_IDS, CatalogueError, load_catalogue
from csc_scorecard.catalogue.lint import lint_expression
from csc_scorecard.catalogue.loader import build_catalogue
from csc_scorecard.engine.build import results_query
from csc_scorecard.engine.compute import build_requests
from csc_scorecard.engine.explain import explain
from csc_scorecard.periods import parse_period, quarters

LOCAL_IDS = [i for i in load_catalogue().ids() if i not in CORE_INDICATOR_IDS]


def triple(store: Store, indicator_id: str, period: str, **kw) -> tuple:
    r = store.result(indicator_id, period, **kw)
    return r.numerator, r.denominator, r.value


def add(s: Store, table: str, year: str = "2016-17", **values) -> None:
    s.add(table, year, **{k: d(v) if isinstance(v, str) and _is_date(v) else v for k, v in values.items()})


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


# ---- the catalogue ------------------------------------------------------------------------------------


def test_local_ids_are_not_core_ids_and_cover_the_issue() -> None:
    # the local data's, the SSD's case records', the board's assessments completed, the LAIT measures
    assert len(LOCAL_IDS) == 29 + 4 + 1 + 76
    assert not set(LOCAL_IDS) & set(CORE_INDICATOR_IDS)
    catalogue = load_catalogue()
    areas = {i: catalogue.indicator(i).area for i in LOCAL_IDS}
    assert areas["cp_visits_in_timescale_pct"] == "child_protection"
    assert areas["cla_visits_in_timescale_pct"] == "children_in_care"
    assert areas["contacts_to_referral_pct"] == "front_door"
    assert areas["cla_away_pct"] == "children_in_care"  # DfE's measure (LAIT Children_Away), not a core id
    assert {areas[i] for i in LOCAL_IDS} == {
        "front_door", "children_in_need", "child_protection", "children_in_care", "placement_stability",
        "adoption", "care_leavers", "health", "early_help", "workforce", "youth_justice", "quality_assurance",
    }  # fmt: skip


@pytest.mark.parametrize("indicator_id", LOCAL_IDS)
def test_local_queries_are_portable(indicator_id: str) -> None:
    catalogue = load_catalogue()
    request = build_requests(catalogue, quarters("2016-17Q1", "2016-17Q2"), [indicator_id], None, None, {})[0]
    query = results_query(catalogue, request)
    assert lint_expression(query) == []
    assert "SELECT" in query.sql(dialect="spark")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("unit: count\nweight: x", "weight is only allowed for units percent and average"),
        ("unit: percent\nvalue: x", "a weighted percent needs both value (numerator quantity) and weight"),
        ("unit: average", "value (the quantity for each row) is required for unit average"),
        ("unit: rate_per_10k\nvalue: x", "value is only allowed for units count, days, average"),
    ],
)
def test_value_and_weight_are_checked_by_unit(tmp_path, extra: str, message: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(
        "area: workforce\npopulations:\n  p:\n    description: d\n    sql: SELECT la_code, child_id, load_id, "
        "src_line, d, x FROM case_audits\nindicators:\n  - id: t\n    label: T\n    polarity: neutral\n"
        "    kind: flow\n    population: p\n    event_date: d\n    source: s\n    description: d\n"
        + "".join(f"    {line}\n" for line in extra.splitlines())
    )
    with pytest.raises(CatalogueError) as info:
        build_catalogue([path])
    assert message in str(info.value)


# ---- early help ---------------------------------------------------------------------------------------


@pytest.fixture
def early_help(tmp_path) -> Store:
    s = Store(tmp_path)
    for child, day, year in (("A", "2016-04-04", "2016-17"), ("B", "2016-06-30", "2016-17"),
                             ("C", "2017-03-31", "2016-17"), ("A", "2016-03-31", "2015-16")):  # fmt: skip
        add(s, "eh_contacts", year, child_id=child, contact_date=day, contact_source="2A")
    add(s, "eh_assessments", child_id="A", start_date="2016-04-10", assessment_tool="EHA", team="North")
    add(
        s,
        "eh_assessments",
        child_id="B",
        start_date="2016-07-01",
        assessment_tool="FAMILY_STAR",
        team="South",
    )
    add(s, "eh_assessments", "2017-18", child_id="C", start_date="2017-04-01", assessment_tool="EHA")
    for child, closed, outcome, year in (
        ("A", "2016-10-01", "OUTCOMES_MET", "2016-17"), ("B", "2016-11-15", "STEP_UP", "2016-17"),
        ("D", "2017-01-10", "STEP_DOWN", "2016-17"), ("E", "2017-03-31", "DISENGAGED", "2016-17"),
        ("F", "2016-03-31", "MOVED_AWAY", "2015-16"),
    ):  # fmt: skip
        add(s, "eh_closures", year, child_id=child, episode_start_date="2016-01-01", closure_date=closed,
            closure_outcome=outcome)  # fmt: skip
    return s


def test_early_help_counts(early_help: Store) -> None:
    # Contacts in 2016-17: A 04-04, B 06-30, C 2017-03-31 = 3 (A's 2016-03-31 contact is 2015-16); Q1: A, B = 2.
    assert early_help.result("early_help_contacts_count", "2016-17").value == 3
    assert early_help.result("early_help_contacts_count", "2016-17Q1").value == 2
    # Assessments started in 2016-17: A and B (C's starts on 1 April 2017).
    assert early_help.result("early_help_assessments_count", "2016-17").value == 2
    assert early_help.by_group("early_help_assessments_count", "2016-17", "assessment_tool") == {
        "Early help assessment": (1, None, 1.0), "Family Star": (1, None, 1.0),
    }  # fmt: skip
    assert early_help.result("early_help_closures_count", "2016-17").value == 4


def test_early_help_outcomes(early_help: Store) -> None:
    # 2016-17 closures: A outcomes met, B step-up, D step-down, E disengaged. Positive: A and D = 2 of 4.
    assert triple(early_help, "early_help_positive_closure_pct", "2016-17") == (2, 4, 50.0)
    assert triple(early_help, "early_help_step_ups_count", "2016-17") == (1, None, 1.0)
    assert triple(early_help, "early_help_step_up_pct", "2016-17") == (1, 4, 25.0)
    # 2015-16: only F (moved away): nothing positive.
    assert triple(early_help, "early_help_positive_closure_pct", "2015-16") == (0, 1, 0.0)


# ---- contacts (Annex A lists 1 and 3) ------------------------------------------------------------------


@pytest.fixture
def contacts(tmp_path) -> Store:
    s = Store(tmp_path)
    for child, day in (("X", "2016-05-02"), ("Y", "2016-05-02"), ("Z", "2016-06-10"), ("W", "2016-12-30")):
        add(
            s,
            "annex_a_contacts",
            child_id=child,
            contact_date=day,
            contact_source="6",
            as_at_date="2017-03-31",
        )
    # X same day; Y 8 days later; Z the day before its contact; W 7 days later (2016-12-30 + 7 = 2017-01-06).
    for child, day in (("X", "2016-05-02"), ("Y", "2016-05-10"), ("Z", "2016-06-09"), ("W", "2017-01-06")):
        add(s, "annex_a_referrals", child_id=child, referral_date=day, as_at_date="2017-03-31")
    return s


def test_contacts_and_conversion_to_referral(contacts: Store) -> None:
    assert contacts.result("contacts_count", "2016-17").value == 4
    # Within 7 days (the default): X (0 days) and W (7 days) = 2 of 4.
    assert triple(contacts, "contacts_to_referral_pct", "2016-17") == (2, 4, 50.0)
    # 8 days lets Y in; 0 days keeps only X. Z's referral came before the contact: never.
    opts = {"contacts_to_referral_pct": {"referral_within_days": 8}}
    assert triple(contacts, "contacts_to_referral_pct", "2016-17", options=opts) == (3, 4, 75.0)
    opts = {"contacts_to_referral_pct": {"referral_within_days": 0}}
    assert triple(contacts, "contacts_to_referral_pct", "2016-17", options=opts) == (1, 4, 25.0)
    assert contacts.by_group("contacts_count", "2016-17", "referral_source") == {"Police": (4, None, 4.0)}


# ---- statutory visits (Annex A lists 7 and 8) ----------------------------------------------------------


@pytest.fixture
def visits(tmp_path) -> Store:
    s = Store(tmp_path)
    march = "2017-03-31"
    cp = [
        # child, plan start, last visit, end. Working days to Friday 31 March 2017:
        ("P1", "2017-01-03", "2017-03-17", None),  # 20-24 and 27-31 March: 10 working days: in time
        ("P2", "2017-01-03", "2017-03-16", None),  # 11: late
        ("P3", "2017-03-27", None, None),  # no visit yet, plan started Monday 27th: 4 days: in time
        ("P4", "2016-10-01", None, None),  # never visited since the plan began in October: late
        ("P5", "2016-06-01", "2017-01-20", "2017-02-01"),  # plan ended before the snapshot: not counted
        ("P6", "2016-06-01", "2016-05-20", None),  # last visit before this plan: counts from its start: late
    ]
    for child, start, visit, end in cp:
        add(s, "annex_a_child_protection", child_id=child, start_date=start, last_visit_date=visit,
            end_date=end, as_at_date=march, allocated_team="Team A" if child in ("P1", "P2") else "Team B")  # fmt: skip
    # An earlier snapshot (30 September 2016), in force until the March one.
    add(s, "annex_a_child_protection", child_id="Q1", start_date="2016-08-01", last_visit_date="2016-09-30",
        as_at_date="2016-09-30")  # fmt: skip
    add(s, "annex_a_child_protection", child_id="Q2", start_date="2016-08-01", last_visit_date="2016-08-15",
        as_at_date="2016-09-30")  # fmt: skip
    cla = [
        ("K1", "2015-01-01", "2017-02-17", "C2", None),  # 42 days before 31 March: in time
        ("K2", "2015-01-01", "2017-02-16", "C2", None),  # 43 days: late
        ("K3", "2017-03-01", None, "V2", None),  # in care 30 days, not yet visited: in time
        ("K4", "2016-01-01", "2016-06-01", "V3", None),  # short breaks: excluded
        ("K5", "2015-01-01", "2017-01-01", "C2", "2017-03-31"),  # ceased on the snapshot day: excluded
    ]
    for child, start, visit, ls, ceased in cla:
        add(s, "annex_a_children_in_care", child_id=child, start_date=start, last_visit_date=visit,
            legal_status=ls, ceased_date=ceased, as_at_date=march)  # fmt: skip
    return s


def test_cp_visits_within_10_working_days(visits: Store) -> None:
    # P1 and P3 of P1, P2, P3, P4, P6 = 2 of 5.
    assert triple(visits, "cp_visits_in_timescale_pct", "2016-17") == (2, 5, 40.0)
    opts = {"cp_visits_in_timescale_pct": {"cp_visit_working_days": 11}}
    assert triple(visits, "cp_visits_in_timescale_pct", "2016-17", options=opts) == (3, 5, 60.0)
    assert visits.by_group("cp_visits_in_timescale_pct", "2016-17", "team") == {
        "Team A": (1, 2, 50.0), "Team B": (1, 3, pytest.approx(100 / 3)),
    }  # fmt: skip


def test_the_snapshot_in_force_at_the_window_end_is_used(visits: Store) -> None:
    # September and December 2016 both end while the 30 September snapshot is the latest: Q1 in time, Q2 not.
    assert triple(visits, "cp_visits_in_timescale_pct", "2016-09") == (1, 2, 50.0)
    assert triple(visits, "cp_visits_in_timescale_pct", "2016-12") == (1, 2, 50.0)
    # August ends before any snapshot: no children, no value.
    assert triple(visits, "cp_visits_in_timescale_pct", "2016-08") == (0, 0, None)


def test_cla_visits_within_six_weeks(visits: Store) -> None:
    # K1 and K3 of K1, K2, K3 (K4 short breaks, K5 ceased) = 2 of 3.
    assert triple(visits, "cla_visits_in_timescale_pct", "2016-17") == (2, 3, pytest.approx(200 / 3))
    opts = {"cla_visits_in_timescale_pct": {"cla_visit_days": 43}}
    assert triple(visits, "cla_visits_in_timescale_pct", "2016-17", options=opts) == (3, 3, 100.0)


# ---- workforce template ---------------------------------------------------------------------------------


@pytest.fixture
def workforce(tmp_path) -> Store:
    s = Store(tmp_path)
    cic, sg = ("Children in Care", "CHILDREN_IN_CARE"), ("Safeguarding", "SAFEGUARDING")
    spells = [
        # worker, (team, type), role, asye, agency, fte, start, end
        ("W1", cic, "SOCIAL_WORKER", False, False, 1.0, "2015-01-01", None),
        ("W2", cic, "SOCIAL_WORKER", True, False, 0.8, "2016-09-01", "2017-08-31"),
        ("W3", cic, "SOCIAL_WORKER", False, True, 1.0, "2016-06-01", None),
        ("W4", sg, "SENIOR_PRACTITIONER", False, False, 0.5, "2014-01-01", "2016-11-30"),  # leaves
        ("W5", sg, "SOCIAL_WORKER", False, False, 1.0, "2015-05-01", "2016-12-31"),  # moves team 2 days later
        ("W5", cic, "SOCIAL_WORKER", False, False, 1.0, "2017-01-02", None),
        ("W6", sg, "SOCIAL_WORKER", False, False, 0.8, "2016-01-01", "2016-07-31"),  # leaves for an agency
        ("W6", sg, "SOCIAL_WORKER", False, True, 1.0, "2016-08-01", None),
        ("W7", sg, "TEAM_MANAGER", False, False, 1.0, "2010-01-01", None),
        ("W8", ("Care Leavers", "CARE_LEAVERS"), "PERSONAL_ADVISER", False, False, 1.0, "2015-01-01", None),
    ]
    for worker, (team, team_type), role, asye, agency, fte, start, end in spells:
        add(s, "sw_workers", worker_id=worker, team=team, team_type=team_type, role=role, asye=asye,
            agency=agency, fte=fte, start_date=start, end_date=end)  # fmt: skip
    for team, day, funded in (
        (cic[0], "2015-04-01", 5.0),
        (sg[0], "2015-04-01", 4.0),
        (sg[0], "2017-01-01", 3.0),
    ):
        add(s, "sw_establishment", team=team, effective_date=day, funded_fte=funded)
    for worker, cases in (("W1", 16), ("W2", 15), ("W3", 19), ("W5", 21), ("W6", 22), ("W7", 0), ("WX", 10)):
        add(s, "sw_caseloads", worker_id=worker, snapshot_date="2017-03-31", cases=cases)
    add(s, "sw_caseloads", worker_id="W1", snapshot_date="2017-02-28", cases=99)  # not the latest snapshot
    return s


def test_agency_rate_on_fte(workforce: Store) -> None:
    # In post on 31 March 2017 (social work roles): W1 1.0, W2 0.8, W3 1.0 (agency), W5 1.0, W6 1.0 (agency),
    # W7 1.0 = 5.8 FTE, of which agency 2.0: 34.48%. W4 has left; W8 is a personal adviser.
    assert triple(workforce, "sw_agency_rate_pct", "2016-17") == (
        2.0,
        pytest.approx(5.8),
        pytest.approx(200 / 5.8),
    )
    groups = workforce.by_group("sw_agency_rate_pct", "2016-17", "team")
    # Children in Care: W1, W2, W3, W5 = 3.8, agency 1.0. Safeguarding: W6 (agency) and W7 = 2.0, agency 1.0.
    assert groups["Children in Care"] == (1.0, pytest.approx(3.8), pytest.approx(100 / 3.8))
    assert groups["Safeguarding"] == (1.0, 2.0, 50.0)


def test_vacancy_rate_against_the_establishment(workforce: Store) -> None:
    # 31 March 2017: Children in Care funded 5, LA-employed 2.8 (W1, W2, W5): 2.2 vacant. Safeguarding funded 3
    # (from January), LA-employed 1.0 (W7): 2 vacant. 4.2 / (4.2 + 3.8) = 52.5%.
    assert triple(workforce, "sw_vacancy_rate_pct", "2016-17") == (
        pytest.approx(4.2),
        pytest.approx(8.0),
        pytest.approx(52.5),
    )
    # 31 December 2016: CiC funded 5, LA 1.8 (W1, W2): 3.2. Safeguarding funded 4, LA 1.0 (W7; W5's spell ended
    # that day): 3. 6.2 / (6.2 + 2.8) = 68.9%.
    assert triple(workforce, "sw_vacancy_rate_pct", "2016-12") == (
        pytest.approx(6.2),
        pytest.approx(9.0),
        pytest.approx(620 / 9),
    )


def test_turnover_counts_leavers_not_moves(workforce: Store) -> None:
    # Leavers in 2016-17: W4 0.5 (30 November) and W6 0.8 (31 July, then agency) = 1.3. W5's spell ending on
    # 31 December is a move (the next starts 2 days later). LA-employed in post on 31 March: W1, W2, W5, W7 = 3.8.
    assert triple(workforce, "sw_turnover_rate_pct", "2016-17") == (
        pytest.approx(1.3),
        pytest.approx(3.8),
        pytest.approx(130 / 3.8),
    )
    # April to June 2016: nobody left.
    assert workforce.result("sw_turnover_rate_pct", "2016-17Q1").value == 0.0


def test_average_caseload_and_the_promise(workforce: Store) -> None:
    # Latest snapshot in 2016-17 is 31 March (W1's 99 in February is not used). Case holders (cases > 0): W1 16,
    # W2 15, W3 19, W5 21, W6 22, WX 10 (not in the workers table: 1 FTE) = 103 cases over 5.8 FTE.
    assert triple(workforce, "caseload_average", "2016-17") == (
        103,
        pytest.approx(5.8),
        pytest.approx(103 / 5.8),
    )
    groups = workforce.by_group("caseload_average", "2016-17", "team")
    assert groups["Children in Care"] == (71, pytest.approx(3.8), pytest.approx(71 / 3.8))
    assert groups["Unknown"] == (10, 1.0, 10.0)
    # Promises (pro rata): W1 CiC 15 (16 over), W2 ASYE 15 x 0.8 = 12 (15 over), W3 CiC 15 (19 over), W5 CiC 15
    # (21 over), W6 safeguarding 20 (22 over), WX other 20 (10 not) = 5 of 6.
    assert triple(workforce, "caseload_over_promise_count", "2016-17") == (5, None, 5.0)
    assert triple(workforce, "caseload_over_promise_pct", "2016-17") == (5, 6, pytest.approx(500 / 6))
    opts = {"caseload_over_promise_pct": {"caseload_promise_pro_rata": False}}  # W2 15 is not over 15
    assert triple(workforce, "caseload_over_promise_pct", "2016-17", options=opts) == (
        4,
        6,
        pytest.approx(400 / 6),
    )
    opts = {
        "caseload_over_promise_count": {"caseload_promise_children_in_care": 20}
    }  # W5 21 and W6 22 and W2
    assert triple(workforce, "caseload_over_promise_count", "2016-17", options=opts) == (3, None, 3.0)


def test_caseloads_count_social_workers_only(workforce: Store) -> None:
    # W8, a personal adviser, and W9 (role OTHER) hold cases on 31 March: roles the workforce template does not
    # count, and not children and family social workers (LAIT Work_Force_AvgNumCase_SW). The average stays
    # 103 cases over 5.8 FTE, and neither is over or under a promise.
    add(workforce, "sw_workers", worker_id="W9", team="Safeguarding", team_type="SAFEGUARDING", role="OTHER",
        asye=False, agency=False, fte=1.0, start_date="2016-01-01", end_date=None)  # fmt: skip
    add(workforce, "sw_caseloads", worker_id="W8", snapshot_date="2017-03-31", cases=12)
    add(workforce, "sw_caseloads", worker_id="W9", snapshot_date="2017-03-31", cases=30)
    assert triple(workforce, "caseload_average", "2016-17") == (
        103,
        pytest.approx(5.8),
        pytest.approx(103 / 5.8),
    )
    assert triple(workforce, "caseload_over_promise_pct", "2016-17") == (5, 6, pytest.approx(500 / 6))


def test_a_caseload_over_part_time_workers_is_the_same_whatever_order_their_fte_is_added(tmp_path) -> None:
    # Three case holders of 0.1, 0.2 and 0.3 FTE with 1 case each: 3 cases over 0.6 FTE = 5. As doubles,
    # 0.1 + 0.2 + 0.3 is 0.6000000000000001 and 0.3 + 0.2 + 0.1 is 0.6, so the figure hung on the order the
    # threads added them (a real council's 135.5 FTE came out as 135.49999999999994 in some runs: 135 or 136).
    for order in ((0.1, 0.2, 0.3), (0.3, 0.2, 0.1)):
        s = Store(tmp_path / str(order[0]))
        for n, fte in enumerate(order):
            add(s, "sw_workers", worker_id=f"P{n}", team="Safeguarding", team_type="SAFEGUARDING",
                role="SOCIAL_WORKER", asye=False, agency=False, fte=fte, start_date="2016-01-01", end_date=None)  # fmt: skip
            add(s, "sw_caseloads", worker_id=f"P{n}", snapshot_date="2017-03-31", cases=1)
        assert triple(s, "caseload_average", "2016-17") == (3, 0.6, 5.0)


def test_explain_shows_each_workers_value_and_weight(workforce: Store) -> None:
    explanation = explain(workforce.con, "caseload_average", parse_period("2016-17"), LA)
    shown = {r["worker_id"]: (r["value"], r["weight"]) for r in explanation.numerator_records}
    assert shown["W2"] == (15, 0.8) and shown["WX"] == (10, 1.0) and len(shown) == 6


# ---- CSWW census -------------------------------------------------------------------------------------


@pytest.fixture
def census(tmp_path) -> Store:
    s = Store(tmp_path)
    ref = "2016-09-30"
    add(s, "csww_vacancies", reference_date=ref, vacancies_fte=1.5, agency_cover_fte=1.0)
    workers = [
        # swe, agency, fte, fte30, cases30, start, end
        ("SW01", False, 1.0, 1.0, 18, "2012-01-01", None),
        ("SW02", False, 0.5, 0.5, 9, "2015-01-01", None),
        ("SW03", False, 1.0, 0.9, None, "2014-01-01", "2016-05-31"),  # left in the census year
        ("SW04", True, 1.0, 1.0, 21, "2016-02-01", None),
        ("SW05", False, 1.0, None, None, "2010-04-01", None),  # a manager, no cases
        ("SW06", False, 0.6, None, None, "2013-01-01", "2015-08-31"),  # left before the census year
        ("SW07", False, 1.0, None, None, "2011-01-01", "2016-09-30"),  # left on census day: a leaver
    ]
    for swe, agency, fte, fte30, cases, start, end in workers:
        add(s, "csww_workers", swe_no=swe, agency=agency, fte=fte, fte30=fte30, cases30=cases,
            role_start_date=start, role_end_date=end, reference_date=ref)  # fmt: skip
    add(s, "csww_vacancies", "2015-16", reference_date="2015-09-30", vacancies_fte=0.0)
    add(s, "csww_workers", "2015-16", swe_no="SW01", agency=False, fte=1.0, fte30=1.0, cases30=12,
        role_start_date="2012-01-01", reference_date="2015-09-30")  # fmt: skip
    return s


def test_csww_rates(census: Store) -> None:
    # In post on 30 September 2016: SW01 1.0, SW02 0.5, SW04 1.0 (agency), SW05 1.0 = 3.5; agency 1.0.
    assert triple(census, "csww_agency_rate_pct", "2016-17") == (1.0, 3.5, pytest.approx(100 / 3.5))
    # Vacancies 1.5 / (1.5 + LA-employed 2.5) = 37.5%.
    assert triple(census, "csww_vacancy_rate_pct", "2016-17") == (1.5, 4.0, 37.5)
    # Leavers SW03 1.0 and SW07 1.0 (not SW06, before the year) / LA-employed in post 2.5 = 80%.
    assert triple(census, "csww_turnover_rate_pct", "2016-17") == (2.0, 2.5, 80.0)
    # With FTE30 for leavers: SW03 0.9 + SW07 1.0 (no FTE30: FTE) = 1.9 / 2.5 = 76%.
    opts = {"csww_turnover_rate_pct": {"leavers_use_fte30": True}}
    assert triple(census, "csww_turnover_rate_pct", "2016-17", options=opts) == (
        pytest.approx(1.9),
        2.5,
        pytest.approx(76.0),
    )
    # Cases30 18 + 9 + 21 = 48 over FTE30 1 + 0.5 + 1 = 2.5: 19.2.
    assert triple(census, "csww_caseload_average", "2016-17") == (48, 2.5, pytest.approx(19.2))
    # 2015-16 uses the census of 30 September 2015: one worker, 12 cases.
    assert triple(census, "csww_caseload_average", "2015-16") == (12, 1.0, 12.0)
    assert triple(census, "csww_vacancy_rate_pct", "2015-16") == (0.0, 1.0, 0.0)


# ---- youth justice ---------------------------------------------------------------------------------------


@pytest.fixture
def youth(tmp_path) -> Store:
    s = Store(tmp_path)
    rows = [
        ("2016-06-30", 25000, 14, 40, 14, 50, 1),
        ("2016-09-30", 25000, 12, 38, 12, 41, 0),
        ("2016-12-31", 25000, 15, 42, 16, 60, 2),
        ("2017-03-31", 25100, 11, None, None, None, 1),
    ]
    for end, pop, fte, cohort, reoffenders, reoffences, custody in rows:
        add(s, "youth_justice", quarter_end=end, population_10_17=pop, first_time_entrants=fte,
            reoffending_cohort=cohort, reoffenders=reoffenders, reoffences=reoffences, custodial_sentences=custody)  # fmt: skip
    return s


def test_youth_justice_year(youth: Store) -> None:
    # 14 + 12 + 15 + 11 = 52 first-time entrants; over 25,100 / 100,000 (the latest quarter's population).
    assert triple(youth, "yj_first_time_entrants_count", "2016-17") == (52, None, 52.0)
    assert triple(youth, "yj_first_time_entrants_rate", "2016-17") == (
        52,
        pytest.approx(0.251),
        pytest.approx(52 / 0.251),
    )
    # Reoffending over the three quarters that give it: (14 + 12 + 16) / (40 + 38 + 42) = 42 / 120 = 35%.
    assert triple(youth, "yj_reoffending_pct", "2016-17") == (42, 120, 35.0)
    # (50 + 41 + 60) / 42 = 151 / 42 reoffences per reoffender.
    assert triple(youth, "yj_reoffences_per_reoffender", "2016-17") == (151, 42, pytest.approx(151 / 42))
    # 1 + 0 + 2 + 1 = 4 custodial sentences per 25.1 thousand: 0.159.
    assert triple(youth, "yj_custody_rate", "2016-17") == (4, pytest.approx(25.1), pytest.approx(4 / 25.1))


def test_youth_justice_year_to_date_and_a_month_without_a_quarter_end(youth: Store) -> None:
    # April-September: the June and September quarters: 26 entrants over 0.25 hundred thousand.
    assert triple(youth, "yj_first_time_entrants_rate", "2016-17Q2") == (
        26,
        pytest.approx(0.25),
        pytest.approx(104.0),
    )
    assert triple(youth, "yj_custody_rate", "2016-17Q2") == (1, pytest.approx(25.0), pytest.approx(0.04))
    # August 2016 holds no quarter end: no entrants, and no rate.
    assert triple(youth, "yj_first_time_entrants_count", "2016-08") == (0, None, 0.0)
    assert triple(youth, "yj_first_time_entrants_rate", "2016-08") == (0, 0, None)


# ---- case audits ------------------------------------------------------------------------------------------


@pytest.fixture
def audits(tmp_path) -> Store:
    s = Store(tmp_path)
    rows = [
        ("A1", "2016-05-12", "Children in Care", "GOOD", "2016-17"),
        ("A2", "2016-07-26", "Safeguarding", "REQUIRES_IMPROVEMENT", "2016-17"),
        ("A3", "2016-10-14", "Front Door", "OUTSTANDING", "2016-17"),
        ("A4", "2017-02-02", "Safeguarding", "INADEQUATE", "2016-17"),
        ("A5", "2016-03-20", "Front Door", "GOOD", "2015-16"),
    ]
    for audit, day, team, grade, year in rows:
        add(
            s,
            "case_audits",
            year,
            audit_id=audit,
            audit_date=day,
            team=team,
            grade=grade,
            themes=["Planning"],
        )
    return s


def test_case_audit_grades(audits: Store) -> None:
    assert audits.result("case_audits_count", "2016-17").value == 4
    # Good or better: A1 (good) and A3 (outstanding) = 2 of 4. Inadequate: A4 = 1 of 4.
    assert triple(audits, "case_audits_good_pct", "2016-17") == (2, 4, 50.0)
    assert triple(audits, "case_audits_inadequate_pct", "2016-17") == (1, 4, 25.0)
    assert audits.by_group("case_audits_inadequate_pct", "2016-17", "team") == {
        "Children in Care": (0, 1, 0.0), "Front Door": (0, 1, 0.0), "Safeguarding": (1, 2, 50.0),
    }  # fmt: skip
    assert audits.by_group("case_audits_count", "2016-17", "audit_grade")["Requires improvement"] == (
        1,
        None,
        1.0,
    )
    # 2015-16: A5 only, good.
    assert triple(audits, "case_audits_good_pct", "2015-16") == (1, 1, 100.0)
