"""Writes one SSDA903 CSV return per collection year, as at its 31 March (spec/data-formats.md §1).

Folder `903_<LA>_<YYYY-YY>/` with one file per table (column sets exactly §1.1, dates dd/mm/YYYY):
- episodes.csv: every episode open at any time in the year (DECOM on or before 31 March, DEC blank or on or
  after 1 April), short breaks included; DEC/REC blank if the episode ended after 31 March.
- header.csv: every child in any table of the return (episodes, or an OC3 row for a care leaver).
- uasc.csv: children in the episodes file who were unaccompanied asylum seekers (DUC = 18th birthday, if passed).
- reviews.csv: reviews held in the year. missing.csv: incidents open at any time in the year, end censored.
- oc2.csv: children looked after continuously for 12 months at 31 March (short breaks excluded).
- oc3.csv: care leavers with a 17th-21st birthday in the year. ad1.csv: children adopted in the year.
- placedadoption.csv: decisions to place for adoption live during the year (decided by 31 March, not reversed
  before 1 April) for children in the episodes file. prevperm.csv: children who started a period of care.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from ..periods import add_years, financial_year_label
from .dates import age_on, birthday, dmy, year_bounds
from .identifiers import upn_or_unknown
from .model import CarePeriod, Child, CLAEpisode, World

COLUMNS = {
    "header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "episodes": (
        "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE",
        "HOME_POST", "PL_POST", "URN",
    ),
    "uasc": ("CHILD", "SEX", "DOB", "DUC"),
    "reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "oc2": (
        "CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK",
        "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED",
    ),
    "oc3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "ad1": ("CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
    "placedadoption": ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
    "prevperm": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
}  # fmt: skip
# The store's table for each file (sources/tables.py), for rows_written.
TABLE_OF = {
    "header": "children",
    "episodes": "cla_episodes",
    "uasc": "uasc",
    "reviews": "cla_reviews",
    "oc2": "oc2",
    "oc3": "oc3",
    "ad1": "ad1",
    "placedadoption": "placed_adoption",
    "prevperm": "prev_perm",
    "missing": "missing",
}


def folder_name(la_code: str, start_year: int) -> str:
    return f"903_{la_code}_{financial_year_label(start_year)}"


def _episode_row(child: Child, ep: CLAEpisode, ref: dt.date) -> list[str]:
    ended = ep.dec is not None and ep.dec <= ref
    return [
        child.id, dmy(ep.decom), ep.rne, ep.ls, ep.cin, ep.place, ep.provider,
        dmy(ep.dec) if ended else "", ep.rec if ended else "", ep.reason_place_change,
        child.home_post, ep.pl_post, ep.urn,
    ]  # fmt: skip


def oc2_row(child: Child, start_year: int, ref: dt.date, seed: int) -> list[str]:
    """Outcomes for a child looked after for 12 months; drawn from the child and year, so stable run to run."""
    rng = random.Random(f"{seed}/{child.id}/{start_year}")
    age = age_on(child.dob, ref)
    sdq, sdq_reason = "", ""
    if 4 <= age <= 16:
        if rng.random() < 0.85:
            sdq = str(min(40, max(0, int(rng.gauss(14, 7)))))
        else:
            sdq_reason = rng.choice(("SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5"))
    misuse = int(age >= 10 and rng.random() < 0.05)
    return [
        child.id,
        dmy(child.dob),
        sdq,
        sdq_reason,
        str(int(rng.random() < 0.04)) if age >= 10 else "",
        str(int(rng.random() < 0.9)) if age < 5 else "",
        str(int(rng.random() < 0.88)),
        str(int(rng.random() < 0.86)) if age >= 1 else "",
        str(int(rng.random() < 0.9)),
        str(misuse),
        str(int(rng.random() < 0.6)) if misuse else "",
        str(int(rng.random() < 0.9)) if misuse else "",
    ]


def _in_year(ep: CLAEpisode, first: dt.date, ref: dt.date) -> bool:
    return ep.decom <= ref and (ep.dec is None or ep.dec >= first)


def write_903(world: World, start_year: int, root: Path) -> tuple[Path, dict[str, int]]:
    """Write the year's 903 CSV folder; returns the folder and the rows each store table will hold."""
    first, ref = year_bounds(start_year)
    tables: dict[str, list[list[str]]] = {name: [] for name in COLUMNS}
    in_header: dict[str, Child] = {}
    oc3_by_child = {}
    for record in world.care_leavers:
        if record.start_year == start_year:
            oc3_by_child[record.child.id] = record
    for child in world.children:
        periods = [p for p in child.periods if p.start <= ref and p.end >= first]
        breaks = child.short_break.episodes if child.short_break is not None else []
        episodes = [ep for p in periods for ep in p.episodes if _in_year(ep, first, ref)]
        episodes += [ep for ep in breaks if _in_year(ep, first, ref)]
        if episodes:
            episodes.sort(key=lambda ep: ep.decom)
            in_header[child.id] = child
            tables["episodes"] += [_episode_row(child, ep, ref) for ep in episodes]
            if child.uasc:
                duc = birthday(child.dob, 18)
                tables["uasc"].append(
                    [child.id, str(child.sex), dmy(child.dob), dmy(duc) if duc <= ref else ""]
                )
            for period in periods:
                _period_rows(world, tables, child, period, start_year, first, ref)
        if child.id in oc3_by_child:
            record = oc3_by_child[child.id]
            in_header[child.id] = child
            tables["oc3"].append([child.id, dmy(child.dob), record.in_touch, record.activ, record.accom])
    for child in sorted(in_header.values(), key=lambda c: c.id):
        _, value = upn_or_unknown(child, world.la_code, ref)
        is_mother = child.mother == 1 and child.mc_dob is not None and child.mc_dob <= ref
        mother = "" if child.mother is None else str(int(is_mother))
        mc_dob = dmy(child.mc_dob) if mother == "1" else ""
        tables["header"].append(
            [child.id, str(child.sex), dmy(child.dob), child.ethnicity, value, mother, mc_dob]
        )
    folder = root / folder_name(world.la_code, start_year)
    folder.mkdir(parents=True, exist_ok=True)
    rows = {}
    for name, columns in COLUMNS.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(tables[name])
        rows[TABLE_OF[name]] = len(tables[name])
    return folder, rows


def _period_rows(
    world: World,
    tables: dict[str, list[list[str]]],
    child: Child,
    period: CarePeriod,
    start_year: int,
    first: dt.date,
    ref: dt.date,
) -> None:
    dob = dmy(child.dob)
    for day, code in period.reviews:
        if first <= day <= ref:
            tables["reviews"].append([child.id, dob, dmy(day), code])
    for kind, start, end in period.missing:
        if start <= ref and end >= first:
            tables["missing"].append([child.id, dob, kind, dmy(start), dmy(end) if end <= ref else ""])
    if period.start <= add_years(ref, -1) and period.end > ref:
        row = world.oc2.get((child.id, start_year)) or oc2_row(child, start_year, ref, world.seed)
        tables["oc2"].append(row)
    if first <= period.start <= ref:
        perm, la_perm, when = period.prev_perm
        tables["prevperm"].append([child.id, dob, perm, la_perm, when])
    adoption = period.adoption
    if (
        adoption is not None
        and adoption.decision <= ref
        and (adoption.ceased is None or adoption.ceased >= first)
    ):
        ceased = adoption.ceased if adoption.ceased is not None and adoption.ceased <= ref else None
        tables["placedadoption"].append(
            [child.id, dob, dmy(adoption.decision), dmy(ceased), adoption.ceased_reason if ceased else ""]
        )
    if period.rec in ("E11", "E12") and first <= period.end <= ref and adoption is not None:
        tables["ad1"].append(
            [
                child.id, dob, dmy(adoption.decision), dmy(adoption.match), str(adoption.foster_care),
                adoption.nb_adoptr, adoption.sex_adoptr, adoption.ls_adoptr,
            ]
        )  # fmt: skip
