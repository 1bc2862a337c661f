"""Published figures per LA and year, read from the reference CSVs shipped in the package.

Every figure the generator calibrates to is looked up here, with where it came from. Years are collection
years given by their start year (2016 = 2016-17 = the year ending 31 March 2017, which the files label 2017).
When a year is not published for the LA, or the value is suppressed, the nearest published year is used
(ties: the earlier year) and the note says so. A count suppressed as a small number (`c`/`x`, 1-5) is the
nearest published value clamped to 1..5.

Sources, by figure (file under `reference/`, column). LAIT comes first where it has the figure: it is what the
scorecard sets the council's figures beside (tests/test_synth_lait.py checks the council against it).
    referrals        ees/cin_c1_referrals_and_rereferrals_2013_to_2025.csv  referral_count
    cin_at31         ees/cin_b1_children_in_need_2013_to_2025.csv           At31_episodes
    cpp_at31         LAIT CPP_Num, else ees/cin_d5_cpp_at_31_march_by_duration_2013_to_2025.csv CPP_At31
    cpp_starts       LAIT CPP_Abuse, else ees/cin_d3_cpp_second_or_subsequent_2013_to_2025.csv CPP_start
    cla_at31/starts/ceased   LAIT LACnum / LACnum_Start / LACceased; else 2015-2017: dfe_sfr_la_underlying SFR
                     CLA/ADM/CEA files; 2019-2020: ees/cla_number_and_rate_per_10k_children_2019_to_2023.csv;
                     2021+: ..._2021_to_2025.csv
    care_leavers_19_21 / 17_18   LAIT NoCareLeavers (19-21); else SFR care leaver files 2015-2017, ees care
                     leaver suitability totals 2021+
    s47, icpc        LAIT Section_47 / ISCP_Conf rates x ONS 0-17 population (mid-year before the 31 March)
    percentages      LAIT ReReferral, CIN_Refferals_NFA, Referrals_AssessedNotNeed, PrevRegCPR, else c1/d3;
                     LAIT Continue_Assess_Comp, CP_conf_15days, CareLeaverAcc, CareLeaverEET
    composition      SFR CLA files (short breaks CLA_stp, UASC, ages, ethnic groups, missing children)
    every LAIT measure  `lait_raw`: the fitting of the council's records to its published shares (synth/fit.py)
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from ..periods import financial_year_label

_EES = "ees/"
_SFR = "dfe_sfr_la_underlying/"
_LAIT_FILES = (
    "lait/lait_bds_csc_long_2016_to_2025.csv",
    "lait/lait_bds_csc_long_2015_only_from_2025-05-28_vintage.csv",
)

# A year's candidates: (raw value, source description). Series: la -> end year -> candidates in precedence.
Series = dict[str, dict[int, list[tuple[str, str]]]]


@dataclass(frozen=True)
class Published:
    """One figure as used: the value (unscaled), where it came from, and what was substituted."""

    name: str
    value: float | None
    source: str
    published_year: str | None  # the collection year the value is from
    note: str


@dataclass(frozen=True)
class LocalAuthority:
    code: str
    name: str
    gss: str
    region: str


def _text(rel: str) -> str:
    return files("csc_scorecard").joinpath("reference", *rel.split("/")).read_text(encoding="utf-8-sig")


def _read(rel: str) -> Iterator[dict[str, str]]:
    return csv.DictReader(_text(rel).splitlines())


@cache
def _la_table(rel: str) -> tuple[dict[str, int], list[list[str]]]:
    """An EES file's column positions and its local-authority rows (other rows skipped before parsing)."""
    lines = _text(rel).splitlines()
    header = next(csv.reader(lines[:1]))
    level = header.index("geographic_level")
    rows = [row for row in csv.reader(line for line in lines[1:] if "Local authority" in line)]
    return {name: i for i, name in enumerate(header)}, [
        row for row in rows if row[level] == "Local authority"
    ]


def _read_la_rows(rel: str, columns: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    positions, rows = _la_table(rel)
    index = [positions[c] for c in columns]
    for row in rows:
        yield tuple(row[i] for i in index)


def _add(series: Series, la: str, end_year: int, raw: str, source: str) -> None:
    series.setdefault(la, {}).setdefault(end_year, []).append((raw.strip(), source))


@cache
def local_authorities() -> dict[str, LocalAuthority]:
    """Every 3-digit LA code used 2013-2025 (la_codes/la_master_2013_to_2025.csv)."""
    return {
        r["old_la_code"]: LocalAuthority(r["old_la_code"], r["la_name"], r["new_la_code"], r["region_name"])
        for r in _read("la_codes/la_master_2013_to_2025.csv")
    }


def local_authority(code: str) -> LocalAuthority:
    las = local_authorities()
    code = str(code).strip()
    if code not in las:
        raise ValueError(
            f"unknown LA code {code!r}: use a 3-digit DfE code from "
            f"reference/la_codes/la_master_2013_to_2025.csv (e.g. 335 Walsall, 926 Norfolk)"
        )
    return las[code]


@cache
def _ees(file: str, column: str, category: tuple[str, str] | None = None) -> Series:
    """An EES LA-level column; `category` = (column, value) filters long files."""
    series: Series = {}
    source = f"{_EES}{file} {column}"
    wanted = ("old_la_code", "time_period", column) + ((category[0],) if category else ())
    for row in _read_la_rows(_EES + file, wanted):
        if category and row[3] != category[1]:
            continue
        _add(series, row[0], int(row[1]), row[2], source)
    return series


@cache
def _lait() -> dict[tuple[str, str], dict[int, str]]:
    """LAIT long values keyed (measure, area code) -> year -> raw value (as published: '21', '2.5', 'c')."""
    out: dict[tuple[str, str], dict[int, str]] = defaultdict(dict)
    for rel in _LAIT_FILES:
        lines = _text(rel).splitlines()
        if lines[0] != "measure_code,year,area_code,value":
            raise ValueError(f"{rel}: unexpected header {lines[0]!r}")
        for line in lines[1:]:
            if line.startswith('"'):  # a measure code with a comma in it (CPP_Total_Rateper10,000)
                measure, year, area, value = next(csv.reader([line]))
            else:
                measure, year, area, value = line.split(",", 3)
            out[(measure, area)].setdefault(int(year), value.strip('"'))
    return dict(out)


def lait_raw(measure: str, la_code: str, start_year: int) -> str | None:
    """The LA's LAIT value of a measure for the collection year starting `start_year`, as published (None when
    LAIT has no row). A workforce measure's year is its census's: LAIT 2017 is the census of September 2017,
    in collection year 2017-18."""
    years = _lait().get((measure, la_code), {})
    return years.get(start_year if measure in _september_measures() else start_year + 1)


# EES series that stand in for a LAIT measure in a year LAIT does not hold (as the published benchmarks do).
EES_FALLBACK = {
    "CPP_Total_NumRef": "referrals",
    "ReReferral": "rereferral_pct",
    "PrevRegCPR": "cpp_second_pct",
    "CPP_Num": "cpp_at31",
}


def lait_published(measure: str, la_code: str, start_year: int) -> str | None:
    """The LA's published value of a LAIT measure for the year as printed: LAIT's, or for a year LAIT does not
    hold, EES's where the scorecard's benchmarks take it from EES (sources/published.EES_FALLBACKS)."""
    raw = lait_raw(measure, la_code, start_year)
    if (raw is None or _number(raw) is None) and measure in EES_FALLBACK:
        candidates = _series(EES_FALLBACK[measure]).get(la_code, {}).get(start_year + 1, [])
        raw = next((value for value, _ in candidates if _number(value) is not None), raw)
    return raw


@cache
def _september_measures() -> frozenset[str]:
    rows = csv.DictReader(_text("lait/lait_data_dictionary_csc_measures.csv").splitlines())
    return frozenset(r["Measure_short"].strip() for r in rows if "Sept" in r["Year_Type"])


# Whole numbers every one a multiple of 5 in at least this many areas were rounded: by chance, 1 in 5**100.
ROUNDED_FROM = 100


@cache
def _rounded_to_5() -> frozenset[tuple[str, int]]:
    """(measure, LAIT year) whose published whole numbers are every one a multiple of 5, in ROUNDED_FROM areas
    or more: DfE rounded them to the nearest 5 that year (as it did looked-after children's counts up to
    2016-17)."""
    values: dict[tuple[str, int], list[int]] = defaultdict(list)
    for (measure, _), years in _lait().items():
        for year, raw in years.items():
            if raw.isdigit():
                values[(measure, year)].append(int(raw))
    return frozenset(k for k, v in values.items() if len(v) >= ROUNDED_FROM and all(n % 5 == 0 for n in v))


def lait_rounding(measure: str, start_year: int) -> int:
    """The unit DfE rounded a LAIT measure's published values to in the collection year starting `start_year`,
    as its published values show: 5 where they were rounded to the nearest 5 (15 stands for 13 to 17), else 1."""
    year = start_year if measure in _september_measures() else start_year + 1
    return 5 if (measure, year) in _rounded_to_5() else 1


@cache
def _lait_series(measure: str) -> Series:
    series: Series = {}
    for (code, area), years in _lait().items():
        if code == measure:
            for year, raw in years.items():
                _add(series, area, year, raw, f"lait/lait_bds_csc_long_*.csv {measure}")
    return series


@cache
def _sfr(file: str, column: str, end_year: int) -> Series:
    series: Series = {}
    for r in _read(_SFR + file):
        if r["geog_l"] == "LA":
            _add(series, r["geog_c"], end_year, r[column], f"{_SFR}{file} {column}")
    return series


def _merge(*parts: Series) -> Series:
    """Candidates from several sources, in the order given (earlier = preferred for the same year)."""
    merged: Series = {}
    for part in parts:
        for la, years in part.items():
            for year, candidates in years.items():
                merged.setdefault(la, {}).setdefault(year, []).extend(candidates)
    return merged


def _cla_ees(label_2019: str, label_2021: str) -> Series:
    old = _ees(
        "cla_number_and_rate_per_10k_children_2019_to_2023.csv", "number", ("population_count", label_2019)
    )
    old = {la: {y: c for y, c in ys.items() if y <= 2020} for la, ys in old.items()}
    new = _ees(
        "cla_number_and_rate_per_10k_children_2021_to_2025.csv",
        "children_count",
        ("population_type", label_2021),
    )
    return _merge(new, old)


def cin_not_carried(la_code: str, start_year: int) -> int | None:
    """Episodes DfE's table B1 had open at the year's start (its previous 31 March) that the year's return no
    longer holds: the previous At31 less this year's episodes at any point less those started (councils
    back-date closures or delete episodes after submitting). None where B1 lacks a figure."""

    def number(column: str, end_year: int) -> float | None:
        found = _first_numeric(
            _ees("cin_b1_children_in_need_2013_to_2025.csv", column).get(la_code, {}).get(end_year, [])
        )
        return None if found is None else found[0]

    before = number("At31_episodes", start_year)
    anypoint, started = (
        number("Anypoint_episodes", start_year + 1),
        number("Started_episodes", start_year + 1),
    )
    if before is None or anypoint is None or started is None:
        return None
    return max(0, round(before - (anypoint - started)))


@cache
def _series(name: str) -> Series:
    """Every figure's candidates by LA and year ending 31 March."""
    if name == "referrals":
        return _ees("cin_c1_referrals_and_rereferrals_2013_to_2025.csv", "referral_count")
    if name == "cin_at31":
        return _ees("cin_b1_children_in_need_2013_to_2025.csv", "At31_episodes")
    if name == "cpp_at31":
        return _merge(
            _lait_series("CPP_Num"), _ees("cin_d5_cpp_at_31_march_by_duration_2013_to_2025.csv", "CPP_At31")
        )
    if name == "cpp_starts":
        return _merge(
            _lait_series("CPP_Abuse"), _ees("cin_d3_cpp_second_or_subsequent_2013_to_2025.csv", "CPP_start")
        )
    if name in ("rereferral_pct", "nfa_pct", "not_in_need_pct"):
        column, measure = {
            "rereferral_pct": ("rereferral_percent", "ReReferral"),
            "nfa_pct": ("no_further_action_percent", "CIN_Refferals_NFA"),
            "not_in_need_pct": ("not_in_need_percent", "Referrals_AssessedNotNeed"),
        }[name]
        return _merge(
            _lait_series(measure), _ees("cin_c1_referrals_and_rereferrals_2013_to_2025.csv", column)
        )
    if name == "cpp_second_pct":
        return _merge(
            _lait_series("PrevRegCPR"),
            _ees("cin_d3_cpp_second_or_subsequent_2013_to_2025.csv", "CPP_subsequent_percent"),
        )
    if name == "cla_at31":
        return _merge(
            _lait_series("LACnum"),
            _sfr("SFR34_CLA2015.csv", "CLA_Mar2015", 2015),
            _sfr("SFR41_CLA2016.csv", "CLA_Mar2016", 2016),
            _sfr("SFR50_CLA2017.csv", "CLA_Mar2017", 2017),
            _cla_ees(
                "Children looked after at 31 March each year", "Children looked after on 31 March each year"
            ),
        )
    if name == "cla_starts":
        label = "Children starting to be looked after each year"
        return _merge(
            _lait_series("LACnum_Start"),
            # SFR34's header says 2014 but the data are the year ending 31 March 2015 (SOURCES.md).
            _sfr("SFR34_ADM2015.csv", "CLA_started2014", 2015),
            _sfr("SFR41_ADM2016.csv", "CLA_started2016", 2016),
            _sfr("SFR50_ADM2017.csv", "CLA_started2017", 2017),
            _cla_ees(label, label),
        )
    if name == "cla_ceased":
        label = "Children ceasing to be looked after each year"
        return _merge(
            _lait_series("LACceased"),
            _sfr("SFR34_CEA2015.csv", "CLA_cease", 2015),
            _sfr("SFR41_CEA2016.csv", "CLA_cease", 2016),
            _sfr("SFR50_CEA2017.csv", "CLA_cease2017", 2017),
            _cla_ees(label, label),
        )
    if name == "care_leavers_19_21":
        return _merge(
            _lait_series("NoCareLeavers"),
            _sfr("SFR34_FormerCareLeavers2015.csv", "All_aged1920&21", 2015),
            _sfr("SFR41_CareLeavers2016.csv", "All_aged1920&21", 2016),
            _sfr("SFR50_CareLeavers19to212017.csv", "CL_All_19to21", 2017),
            _care_leavers_ees("19 to 21 years"),
        )
    if name == "care_leavers_17_18":
        return _merge(
            _sfr("SFR41_CareLeavers2016.csv", "All_aged17&18", 2016),
            _sfr("SFR50_CareLeavers17182017.csv", "CL_All_17&18", 2017),
            _care_leavers_ees("17 to 18 years"),
        )
    lait_names = {
        "s47_rate": "Section_47",
        "icpc_rate": "ISCP_Conf",
        "assess_45wd_pct": "Continue_Assess_Comp",
        "icpc_15wd_pct": "CP_conf_15days",
        "care_leaver_accom_pct": "CareLeaverAcc",
        "care_leaver_eet_pct": "CareLeaverEET",
    }
    if name in lait_names:
        return _lait_series(lait_names[name])
    if name == "population":
        # time_period is the mid-year; the year ending 31 March Y uses mid-(Y-1), so key it by Y.
        pop = _ees("ons_mye_children_0_to_17_by_la_2012_to_2024.csv", "population_estimate")
        return {la: {y + 1: c for y, c in ys.items()} for la, ys in pop.items()}
    sfr_cla = {"short_breaks": "CLA_stp{y}", "cla_during_year": "CLA_{y}", "uasc_at31": "CLA_UASC"}
    if name in sfr_cla:
        return _merge(
            *(
                _sfr(f, sfr_cla[name].format(y=y), y)
                for f, y in (
                    ("SFR34_CLA2015.csv", 2015),
                    ("SFR41_CLA2016.csv", 2016),
                    ("SFR50_CLA2017.csv", 2017),
                )
            )
        )
    if name == "missing_children":
        return _merge(
            _sfr("SFR34_Missing2015.csv", "CLA_MissDuringYear", 2015),
            _sfr("SFR41_Missing2016.csv", "CLA_MissDuringYear", 2016),
            _sfr("SFR50_Missing_2017.csv", "Miss_Miss_DuringYear", 2017),
        )
    if name.startswith("cla_share_"):  # cla_share_<SFR column suffix>, e.g. cla_share_U1, cla_share_White
        column = "CLA_" + name.removeprefix("cla_share_")
        return _merge(
            *(
                _sfr(f, column, y)
                for f, y in (
                    ("SFR34_CLA2015.csv", 2015),
                    ("SFR41_CLA2016.csv", 2016),
                    ("SFR50_CLA2017.csv", 2017),
                )
            )
        )
    raise KeyError(f"no published series {name!r}")


def _care_leavers_ees(age_band: str) -> Series:
    series: Series = {}
    file = "la_care_leavers_accommodation_suitability_2021_to_2025.csv"
    columns = ("old_la_code", "time_period", "care_leaver_count", "care_leaver_age", "breakdown")
    for la, year, count, age, breakdown in _read_la_rows(_EES + file, columns):
        if age == age_band and breakdown == "Suitability total":
            _add(series, la, int(year), count, f"{_EES}{file} total")
    return series


def _number(raw: str) -> float | None:
    try:
        return float(raw)
    except ValueError:
        return None


def _is_small(raw: str, source: str) -> bool:
    """A count suppressed because it is small (1-5): `c` anywhere; `x` in the SFR files (where EES uses `x`
    for 'not available')."""
    return raw == "c" or (raw == "x" and source.startswith(_SFR))


def _first_numeric(candidates: list[tuple[str, str]]) -> tuple[float, str] | None:
    for raw, source in candidates:
        value = _number(raw)
        if value is not None:
            return value, source
    return None


def published(name: str, la_code: str, start_year: int, *, count: bool = True) -> Published:
    """The figure for the collection year starting `start_year`, with nearest-year substitution."""
    years = _series(name).get(la_code, {})
    end_year = start_year + 1
    label = financial_year_label(start_year)
    own = years.get(end_year, [])
    for raw, source in own:
        value = _number(raw)
        if value is not None:
            return Published(name, value, source, label, "")
    suppressed_small = count and any(_is_small(raw, source) for raw, source in own)
    numeric = sorted(
        (abs(y - end_year), y, first[0], first[1])
        for y, candidates in years.items()
        if (first := _first_numeric(candidates)) is not None
    )
    if not numeric:
        if suppressed_small:
            return Published(
                name, 3.0, own[0][1], None, f"{label} suppressed (1-5) and no year published: 3 used"
            )
        return Published(name, None, "", None, f"{label}: not published for LA {la_code} in any year")
    _, year, value, source = numeric[0]
    used = financial_year_label(year - 1)
    if suppressed_small:
        clamped = min(5.0, max(1.0, value))
        return Published(
            name,
            clamped,
            source,
            used,
            f"{label} suppressed (1-5): nearest published {used} ({value:g}) clamped to 1-5",
        )
    why = f"published as {own[0][0]!r}" if own else "not published"
    return Published(name, value, source, used, f"{label} {why}: nearest published year {used} used")
