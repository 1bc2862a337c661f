"""Reference data shipped with the package (real published figures; see reference/SOURCES.md).

Everything here is read from the package's own copy, so an installed csc-scorecard never needs ../shared.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

REFERENCE = files("csc_scorecard").joinpath("reference")
POPULATION_CSV = "ees/ons_mye_children_0_to_17_by_la_2012_to_2024.csv"


def reference_path(relative: str) -> Path:
    """A shipped reference file as a filesystem path (the package is installed as files, not zipped)."""
    return Path(str(REFERENCE.joinpath(relative)))


def read_csv(relative: str) -> list[dict[str, str]]:
    """Rows of a shipped reference CSV (UTF-8, BOM tolerated)."""
    text = REFERENCE.joinpath(relative).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(text.splitlines()))


@dataclass(frozen=True)
class LocalAuthority:
    code: str  # 3-digit DfE code, e.g. 335
    gss_code: str  # e.g. E08000030
    name: str
    region_code: str
    region_name: str
    first_year: int  # first year ending 31 March in which it reported
    last_year: int


@cache
def local_authorities() -> dict[str, LocalAuthority]:
    return {
        row["old_la_code"]: LocalAuthority(
            row["old_la_code"],
            row["new_la_code"],
            row["la_name"],
            row["region_code"],
            row["region_name"],
            int(row["first_year_ending_31_march"]),
            int(row["last_year_ending_31_march"]),
        )
        for row in read_csv("la_codes/la_master_2013_to_2025.csv")
    }


def local_authority(code: str) -> LocalAuthority:
    try:
        return local_authorities()[str(code).strip()]
    except KeyError:
        raise ValueError(
            f"{code!r} is not an English local authority code (3 digits, e.g. 335 for Walsall)"
        ) from None


def find_local_authority(text: str) -> LocalAuthority:
    """An English LA by its DfE code (335), its ONS code (E08000030) or its name (Walsall, any case); a
    ValueError names close matches otherwise."""
    wanted = " ".join(str(text).split()).casefold()
    las = local_authorities().values()
    for la in las:
        if wanted in (la.code, la.gss_code.casefold(), la.name.casefold()):
            return la
    close = sorted(la.name for la in las if wanted and wanted in la.name.casefold())
    hint = (
        f"; did you mean {', '.join(close[:5])}?"
        if close
        else " (a 3-digit DfE code such as 335, or a name such as Walsall)"
    )
    raise ValueError(f"{text!r} is not an English local authority{hint}")


@cache
def population_0_17() -> dict[tuple[str, int], int]:
    """ONS mid-year estimates of children aged 0-17, {(la_code, mid_year): population}."""
    out: dict[tuple[str, int], int] = {}
    for row in read_csv(POPULATION_CSV):
        if row["geographic_level"] == "Local authority" and row["population_estimate"].isdigit():
            out[(row["old_la_code"], int(row["time_period"]))] = int(row["population_estimate"])
    return out


def population_rows(override_csv: Path | None = None) -> list[tuple[str, int, int, str]]:
    """(la_code, mid_year, population, source) rows; an override CSV (la_code, mid_year, population) wins."""
    rows = {key: (pop, "ONS MYE 0-17 (EES)") for key, pop in population_0_17().items()}
    if override_csv is not None:
        with override_csv.open(encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                rows[(row["la_code"].strip(), int(row["mid_year"]))] = (
                    int(row["population"]),
                    f"local override ({override_csv.name})",
                )
    return [(la, year, pop, source) for (la, year), (pop, source) in sorted(rows.items())]
