"""Published benchmark figures (LAIT, with EES time series where LAIT lacks a year) and statistical neighbours.

All from the package's copy of DfE data (reference/SOURCES.md). Values keep their published suppression
symbols: `c`/`x` suppressed, `z` not applicable, `k` rounds to zero, `-`/`:`/`..` no data; a symbol gives a
NULL value with the symbol alongside, so nothing downstream mistakes "suppressed" for zero.

Years are collection years ("2016-17"); LAIT's `year` 2017 means the year ending 31 March 2017 (2016-17) for
financial year measures, and the census of 30 September 2017 (in collection year 2017-18, as the CSWW census
reader labels it) for workforce measures, whose year type is "Annual (end of Sept)".
"""

from __future__ import annotations

from dataclasses import dataclass

from ..periods import financial_year_label
from ..refdata import read_csv

SYMBOLS = {"c", "x", "z", "k", "-", ":", "..", "u", "low"}

# EES columns standing in for a LAIT measure in years LAIT does not hold (before 2015).
EES_FALLBACKS: dict[str, tuple[str, str]] = {
    "ReReferral": ("ees/cin_c1_referrals_and_rereferrals_2013_to_2025.csv", "rereferral_percent"),
    "CPP_Total_NumRef": ("ees/cin_c1_referrals_and_rereferrals_2013_to_2025.csv", "referral_count"),
    "PrevRegCPR": ("ees/cin_d3_cpp_second_or_subsequent_2013_to_2025.csv", "CPP_subsequent_percent"),
    "CPP_Num": ("ees/cin_d5_cpp_at_31_march_by_duration_2013_to_2025.csv", "CPP_At31"),
}

ENGLAND = "970"
AREAS_CSV = "lait/lait_areas.csv"
NEIGHBOURS_CSV = "statistical_neighbours/statistical_neighbours_long_2021_and_2025.csv"


@dataclass(frozen=True)
class PublishedValue:
    measure_code: str
    year: str  # collection year label, e.g. 2016-17
    area_code: str  # 3-digit LA code, or LAIT 970 England / 980-990 regions
    value: float | None
    symbol: str | None
    source: str


def parse_value(text: str) -> tuple[float | None, str | None]:
    text = (text or "").strip()
    if text.lower() in SYMBOLS or not text:
        return None, text or "-"
    try:
        return float(text), None
    except ValueError:
        return None, text


def _year_label(lait_year: str) -> str:
    return financial_year_label(int(lait_year) - 1)


LAIT_FILES = (
    ("lait/lait_bds_csc_long_2015_only_from_2025-05-28_vintage.csv", "LAIT (2025-05-28 vintage)"),
    ("lait/lait_bds_csc_long_2016_to_2025.csv", "LAIT"),
)


def _region_codes() -> dict[str, str]:
    """EES region names -> LAIT region area codes (LAIT names the London halves "London (Inner)")."""
    # lower-cased: LAIT writes both "Yorkshire and the Humber" and "Yorkshire and The Humber"
    rows = read_csv(AREAS_CSV)
    codes = {r["area_name"].lower(): r["area_code"] for r in rows if r["area_type"] == "Region"}
    codes["inner london"] = codes["london (inner)"]
    codes["outer london"] = codes["london (outer)"]
    return codes


def ees_fallback_values(have: set[tuple[str, str, str]]) -> list[PublishedValue]:
    """EES values for (measure, year, area) that LAIT does not hold."""
    regions = _region_codes()
    out = []
    for measure, (relative, column) in EES_FALLBACKS.items():
        for row in read_csv(relative):
            level = row["geographic_level"]
            area = {"National": ENGLAND, "Local authority": row["old_la_code"]}.get(level)
            if level == "Regional":
                area = regions.get(row["region_name"].lower())
            year = _year_label(row["time_period"])
            if area is None or (measure, year, area) in have:
                continue
            value, symbol = parse_value(row[column])
            out.append(PublishedValue(measure, year, area, value, symbol, f"EES {relative.split('/')[-1]}"))
    return out


@dataclass(frozen=True)
class Area:
    area_code: str
    area_type: str  # National, Region, Local authority
    name: str
    region_code: str | None  # for an LA, its LAIT region area code


def areas() -> list[Area]:
    """Every area; an LA's region is its government office region (London for both London halves)."""
    regions = _region_codes()
    regions["inner london"] = regions["outer london"] = regions["london"]
    return [
        Area(r["area_code"], r["area_type"], r["area_name"], regions.get(r["lait_region"].lower()))
        for r in read_csv(AREAS_CSV)
    ]


@dataclass(frozen=True)
class Neighbour:
    sn_version: str  # "April 2021" or "May 2025"
    la_code: str
    rank: int
    neighbour_code: str
    closeness: str


def statistical_neighbours() -> list[Neighbour]:
    return [
        Neighbour(
            r["sn_version"], r["old_la_code"], int(r["sn_rank"]), r["sn_old_la_code"], r["closeness"].strip()
        )
        for r in read_csv(NEIGHBOURS_CSV)
        if r["list_section"] == "main list" and r["sn_old_la_code"].strip() not in ("", "-")
    ]


def september_measures() -> frozenset[str]:
    """LAIT measures of a year to 30 September (the workforce census): LAIT year Y is collection year Y-(Y+1)."""
    return frozenset(m for m, row in measure_dictionary().items() if "Sept" in row["Year_Type"])


def measure_dictionary() -> dict[str, dict[str, str]]:
    """LAIT's data dictionary rows by measure code (polarity High/Low, year type, title)."""
    return {r["Measure_short"]: r for r in read_csv("lait/lait_data_dictionary_csc_measures.csv")}
