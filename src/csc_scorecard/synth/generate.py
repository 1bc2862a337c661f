"""`generate()`: one synthetic council's CIN census and SSDA903 returns, and the figures they should give.

    out/cin/CIN_Census_<LA>_<YYYY-YY>.xml      one per collection year
    out/903/903_<LA>_<YYYY-YY>/*.csv           one folder per collection year
    out/ground_truth.json                      indicators, rows written, calibration (target vs achieved)

Deterministic: the same arguments give the same bytes. Three burn-in years are simulated before the first
output year (fewer if the calendar starts sooner) so that stocks and histories are warm.
"""

from __future__ import annotations

import gc
import json
import random
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path

from ..periods import PeriodError, financial_year_label, parse_financial_year
from .calibration import local_authority
from .care import CareBuilder, care_leaver_records
from .dates import year_bounds
from .fit import fit_records
from .journeys import Simulation
from .model import World
from .targets import (
    CALIBRATED,
    YearTargets,
    allowed,
    cla_age_shares,
    ethnic_weights,
    plans_ended_from_flows,
    year_targets,
)
from .truth import care_leaver_counts, indicators
from .write_903 import write_903
from .write_cin import write_cin
from .year_end import CLOSED_MEASURES, OPEN_MEASURES

FIRST_START, LAST_START = 2010, 2029  # the working-day calendar covers 2010-2030
BURN_IN_YEARS = 3
EXACT = ("referrals", "cla_starts")
STOCKS = ("cin_at31", "cpp_at31", "cla_at31")

OPEN_2Y, CLOSED_2Y = OPEN_MEASURES[4], CLOSED_MEASURES[4]


ABOUT = {
    "indicators": "spec/indicators.md ids per collection year (the financial year as the window), computed from "
    "the simulation itself as the loaded returns would show them; rules for each edge in synth/truth.py",
    "values": "counts: value = numerator; *_pct: 100 * numerator / denominator; adoption_a*_days: mean days, "
    "numerator = total days, denominator = children; value null when the denominator is 0",
    "rows_written": "rows per store table (sources/tables.py) that each year's return holds",
    "calibration": "per year: target = published figure x scale; achieved = what the returns give; "
    "tolerance exact / 3% / reported",
}


@dataclass
class SynthResult:
    la_code: str
    la_name: str
    years: list[str]
    seed: int
    scale: float
    out: Path
    cin_files: list[Path] = field(default_factory=list)
    ssda903_dirs: list[Path] = field(default_factory=list)
    ground_truth_path: Path | None = None
    ground_truth: dict = field(default_factory=dict)
    local_files: list[Path] = field(default_factory=list)  # Annex A, local templates, CSWW (local_data=True)
    ssd_dir: Path | None = None  # the SSD extract (ssd_out)

    def summary(self) -> str:
        """What was written, and how close each year came to the published figures it was calibrated to."""
        lines = [
            f"Synthetic {self.la_name} ({self.la_code}), {self.years[0]} to {self.years[-1]}, seed {self.seed}"
            + (f", scale {self.scale:g}" if self.scale != 1 else ""),
            f"  {len(self.cin_files)} CIN census XML file(s) in {self.out / 'cin'}",
            f"  {len(self.ssda903_dirs)} SSDA903 CSV return(s) in {self.out / '903'}",
            f"  ground truth: {self.ground_truth_path}",
            *([f"  SSD extract (CSV) in {self.ssd_dir}"] if self.ssd_dir is not None else []),
            "  calibration (published target / achieved):",
        ]
        for year, figures in self.ground_truth.get("calibration", {}).items():
            parts = [
                f"{name} {f['target']:g}/{f['achieved']:g}" for name, f in figures.items() if "target" in f
            ]
            lines.append(f"    {year}: " + ", ".join(parts))
        return "\n".join(lines)


def parse_years(spec: str) -> list[str]:
    """'2013-14:2016-17' -> ['2013-14', '2014-15', '2015-16', '2016-17']; a single year is allowed."""
    first, _, last = spec.strip().partition(":")
    try:
        start = parse_financial_year(first)
        stop = parse_financial_year(last) if last else start
    except PeriodError as exc:
        raise ValueError(f"{spec!r}: years must look like 2013-14:2016-17 ({exc})") from None
    if stop < start:
        raise ValueError(f"{spec!r}: the last year comes before the first")
    return [financial_year_label(y) for y in range(start, stop + 1)]


def _start_years(years: list[str]) -> list[int]:
    if not years:
        raise ValueError("no collection years given")
    try:
        starts = [parse_financial_year(y) for y in years]
    except PeriodError as exc:
        raise ValueError(str(exc)) from None
    if starts != list(range(starts[0], starts[0] + len(starts))):
        raise ValueError(f"collection years must be contiguous and in order: {years}")
    if starts[0] < FIRST_START or starts[-1] > LAST_START:
        raise ValueError(
            f"collection years must lie within {financial_year_label(FIRST_START)}..{financial_year_label(LAST_START)}"
            " (the working-day calendar)"
        )
    return starts


def _area(la_name: str) -> str:
    """Postcode-like area letters for the council's addresses (invented; only the shape matters)."""
    word = max((w for w in la_name.split() if w.isalpha()), key=len, default="ZZ")
    return word[:2].upper()


def generate(
    la_code: str,
    years: list[str],
    seed: int,
    out: Path,
    scale: float = 1.0,
    *,
    local_data: bool = False,
    ssd_out: Path | None = None,
) -> SynthResult:
    """Simulate the council and write its returns for `years` (contiguous collection years) under `out`.

    `local_data` also writes its Annex A workbooks, local CSV templates and CSWW census (synth/write_local.py),
    with their figures under "local_indicators" in ground_truth.json; the CIN and 903 files are unchanged.
    `ssd_out` also writes the same children as an SSD extract under it (synth/write_ssd.py).
    """
    # Hundreds of thousands of small linked objects: the cyclic collector would rescan them over and over.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _generate(la_code, years, seed, Path(out), scale, local_data, ssd_out)
    finally:
        if collecting:
            gc.enable()


def _generate(
    la_code: str,
    years: list[str],
    seed: int,
    out: Path,
    scale: float,
    local_data: bool = False,
    ssd_out: Path | None = None,
) -> SynthResult:
    la = local_authority(la_code)
    starts = _start_years(years)
    if not scale > 0:
        raise ValueError(f"scale must be positive, not {scale}")
    burn_in = min(BURN_IN_YEARS, starts[0] - FIRST_START)
    simulated = list(range(starts[0] - burn_in, starts[-1] + 1))
    targets = {y: year_targets(la.code, y, scale) for y in [simulated[0] - 1, *simulated]}
    _stocks_from_flows(targets)
    plans_ended_from_flows(targets, la.code)
    _durations_from_next_year(targets)
    tight = _two_years_within_reach(targets)
    _not_carried_where_short_of_old(targets)
    area = _area(la.name)
    sim = Simulation(
        la.code,
        targets,
        simulated,
        random.Random(f"{seed}:{la.code}:journeys"),
        ethnic_weights(la.code),
        cla_age_shares(la.code),
        area,
    )
    sim.history_from = year_bounds(starts[0])[0]
    sim.reopen_in = tight
    sim.run()
    _, horizon = year_bounds(starts[-1])
    builder = CareBuilder(
        random.Random(f"{seed}:{la.code}:care"),
        area,
        horizon,
        {y: targets[y].missing_share for y in simulated},
    )
    for period in sim.periods:
        builder.build(period)
    for breaks in sim.short_breaks:
        builder.build_short_breaks(breaks)
    leavers = care_leaver_records(
        sim.children, starts, random.Random(f"{seed}:{la.code}:leavers"), {y: targets[y].pct for y in starts}
    )
    world = World(la.code, la.name, seed, starts, sim.children, sim.periods, sim.short_breaks, leavers)
    world.next_carer = builder.carers
    fit_records(world, targets, random.Random(f"{seed}:{la.code}:fit"))

    result = SynthResult(la.code, la.name, [financial_year_label(y) for y in starts], seed, scale, out)
    rows_written = {}
    for year in starts:
        cin_path, cin_rows = write_cin(world, year, out / "cin")
        folder, ssda_rows = write_903(world, year, out / "903")
        result.cin_files.append(cin_path)
        result.ssda903_dirs.append(folder)
        rows_written[financial_year_label(year)] = {"cin": cin_rows, "ssda903": ssda_rows}
    figures = indicators(world)
    truth = {
        "la_code": la.code,
        "la_name": la.name,
        "years": result.years,
        "seed": seed,
        "scale": scale,
        "burn_in_years": burn_in,
        "about": ABOUT,
        "indicators": figures,
        "rows_written": rows_written,
        "calibration": _calibration(world, targets, figures),
    }
    if local_data:  # a hook only: everything local lives in write_local.py and local_truth.py
        from .local_truth import local_indicators
        from .write_local import write_local

        local = write_local(world, out, seed, scale)
        result.local_files = local.files
        truth["local_indicators"] = local_indicators(local)
    if ssd_out is not None:  # a hook only: the snapshot lives in write_ssd.py
        from .write_ssd import write_ssd

        result.ssd_dir, _ = write_ssd(world, Path(ssd_out), seed, local_data)
    result.ground_truth = truth
    result.ground_truth_path = out / "ground_truth.json"
    result.ground_truth_path.write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    return result


def _stocks_from_flows(targets: dict[int, YearTargets]) -> None:
    """A year whose children looked after at 31 March are not published (the nearest year's stand in) gets the
    number the next year's published flows need: its stock, less the children who started, plus those who
    ceased. Otherwise a stand-in stock and the next year's published flows could not all be met."""
    years = sorted(targets)
    for year, after in reversed(list(pairwise(years))):
        if targets[year].published["cla_at31"].published_year != financial_year_label(year):
            later = targets[after]
            targets[year].cla_at31 = max(0, later.cla_at31 - later.cla_starts + later.cla_ceased)


def _durations_from_next_year(targets: dict[int, YearTargets]) -> None:
    """A year whose children in need at 31 March by duration are not published (the nearest year's shares stand
    in) gets as many open a year or more as the next year's published durations use up: each is, a year later,
    still open (then 2 years or more) or closed after a year or more, and about half of the next year's closures
    after 1 to 2 years come from them (the others were under a year old then). The younger bands keep their
    proportions. Otherwise a stand-in stock and the next year's published durations could not all be met."""
    years = sorted(targets)
    for year, after in reversed(list(pairwise(years))):
        t, later = targets[year], targets[after]
        if (
            set(OPEN_MEASURES) & t.lait_this_year
            or not {*OPEN_MEASURES, *CLOSED_MEASURES} <= later.lait_this_year
        ):
            continue
        shares = [t.lait.get(m) for m in OPEN_MEASURES]
        if any(s is None for s in shares) or not t.cin_at31:
            continue
        # episodes ending as DfE counts them: no referral ended in no further action or assessed not in need
        not_in_need = later.lait_share("Referrals_AssessedNotNeed") or 0.0
        episodes = later.referrals * (1 - later.pct["nfa_pct"] / 100 - not_in_need)
        closures = t.cin_at31 + episodes - later.cin_at31
        year_or_more = (
            later.lait["CINTime2more"] * later.cin_at31
            + (later.lait["CINCease2more"] + 0.5 * later.lait["CINCease1-2"]) * max(0.0, closures)
        ) / t.cin_at31
        total, old = sum(shares), shares[3] + shares[4]  # type: ignore[arg-type]
        new = min(year_or_more, 0.95 * total)
        if not old or old >= total:
            continue
        young = (total - new) / (total - old)
        fitted = [s * young for s in shares[:3]] + [s * new / old for s in shares[3:]]  # type: ignore[operator]
        t.lait = {**t.lait, **dict(zip(OPEN_MEASURES, fitted, strict=True))}


def _closures(before: YearTargets, t: YearTargets) -> float:
    """Episodes closing in the year as DfE counts them: without the referrals ending in no further action or
    assessed as not in need."""
    not_in_need = t.lait_share("Referrals_AssessedNotNeed") or 0.0
    started = t.referrals * (1 - t.pct["nfa_pct"] / 100 - not_in_need)
    return max(0.0, before.cin_at31 + started - t.cin_at31)


def two_year_room(before: YearTargets, t: YearTargets) -> float | None:
    """How many episodes under 2 years old at the year's start the published durations let pass their second
    anniversary in it: every episode 2 years or more old then is, at its end, still open (2 years or more) or
    closed after 2 years or more, and the published shares of those leave this many places over (negative: too
    few even for the older ones). None where a share is not published."""
    old_before, old_after, closed_old = (
        before.lait_share(OPEN_2Y),
        t.lait_share(OPEN_2Y),
        t.lait_share(CLOSED_2Y),
    )
    if old_before is None or old_after is None or closed_old is None:
        return None
    return closed_old * _closures(before, t) + old_after * t.cin_at31 - old_before * before.cin_at31


def one_year_room(before: YearTargets, t: YearTargets) -> float | None:
    """The same for the episodes a year or more old at the year's start: each is, at its end, open 2 years or
    more or closed after a year or more (lait_consistency.cin_one_year_old). None where a share is not
    published."""
    year_old = [before.lait_share(m) for m in OPEN_MEASURES[3:]]
    places = [t.lait_share(OPEN_2Y), *(t.lait_share(m) for m in CLOSED_MEASURES[3:])]
    if any(s is None for s in [*year_old, *places]):
        return None
    closed = (places[1] + places[2]) * _closures(before, t)  # type: ignore[operator]
    return closed + places[0] * t.cin_at31 - sum(year_old) * before.cin_at31  # type: ignore[operator,arg-type]


def _two_years_within_reach(targets: dict[int, YearTargets]) -> frozenset[int]:
    """Where a year's published durations leave the episodes open 2 years or more at its start too few places
    (`two_year_room`), the share open 2 years or more and the number open move within their tolerances, lower at
    its start and higher at its end (`_towards_fewer_old`: fewer old episodes, more places for them), the
    younger bands keeping their proportions. Only where that makes room for the older episodes, a year and two
    years old (`one_year_room`): not where the year's durations cannot be met anyway (Norfolk 2016-17,
    lait_consistency). Only years whose durations are all published, both ends. Returns the years changed, in
    which the simulation re-opens care's episodes (Simulation.reopen_in)."""
    years = sorted(targets)
    tight = set()
    for year, after in pairwise(years):
        t, later = targets[year], targets[after]
        if not (
            {*OPEN_MEASURES, *CLOSED_MEASURES} <= later.lait_this_year
            and set(OPEN_MEASURES) <= t.lait_this_year
        ):
            continue
        room = two_year_room(t, later)
        if room is None or room >= 0:
            continue
        moved = _towards_fewer_old(t, -1), _towards_fewer_old(later, 1)
        if (two_year_room(*moved) or 0.0) < 0 or (one_year_room(*moved) or 0.0) < 0:
            continue
        targets[year], targets[after] = moved
        tight.add(after)
    return frozenset(tight)


def _not_carried_where_short_of_old(targets: dict[int, YearTargets]) -> None:
    """A return leaves out the episodes B1 shows its council dropped (`YearTargets.not_carried`) only where the
    year's durations need it: where the published shares leave more places for episodes passing their second
    anniversary in the year (`two_year_room`) than there were episodes a year to 2 years old at its start.
    There the synthetic council's one continuous history closes more episodes than DfE counted (Walsall
    2015-16: 1,665 against 1,495), mostly under 2 years old, and its share closed after 2 years or more falls
    short; left out of the return, those are neither open nor closed in the year, as DfE and the store count
    them. Elsewhere every return carries every episode. Where it is needed, the episodes a year old or more at
    the year's start are short too (the doc's "Walsall 2015-16"): the year before's shares open a year to 2 years
    and 2 years or more, and its number open, move 0.7 of their tolerances higher (`_more_year_old`; 0.6 and 0.7
    meet every Walsall figure with seed 7, 0.9 puts 2014-15's younger bands outside)."""
    for year, after in pairwise(sorted(targets)):
        before, t = targets[year], targets[after]
        room, year_old = two_year_room(before, t), before.lait_share(OPEN_MEASURES[3])
        if room is None or year_old is None or room <= year_old * before.cin_at31:
            targets[after] = replace(t, not_carried=0)
        else:
            targets[year] = _more_year_old(before, 0.7)


def _more_year_old(t: YearTargets, by: float) -> YearTargets:
    """The shares open a year to 2 years and 2 years or more, and the number open, `by` of their tolerances
    higher, the younger bands keeping their proportions."""
    shares = [t.lait[m] for m in OPEN_MEASURES]
    older = [s + by * allowed(s, count=False) for s in shares[3:]]
    rest = (sum(shares) - sum(older)) / sum(shares[:3])
    fitted = [s * rest for s in shares[:3]] + older
    return replace(
        t,
        lait={**t.lait, **dict(zip(OPEN_MEASURES, fitted, strict=True))},
        cin_at31=round(t.cin_at31 + by * allowed(t.cin_at31, count=True)),
    )


def _towards_fewer_old(t: YearTargets, sign: int) -> YearTargets:
    """The share open 2 years or more and the number open moved by `sign` (-1 the year before, +1 the year after)
    within their tolerances: 0.9 of them, but the share after only 0.6, since the episodes held open by care, a
    plan or short breaks already fill much of it and the fit cannot close them (with 0.9, seeds 2, 3 and 5 put
    it outside; with 0.6 seeds 1 and 4 to 7 meet every 2016-17 figure of Walsall's)."""
    shares = [t.lait[m] for m in OPEN_MEASURES]
    old = shares[4]
    new = old + sign * (0.6 if sign > 0 else 0.9) * allowed(old, count=False)
    rest = (sum(shares) - new) / (sum(shares) - old)
    fitted = [s * rest for s in shares[:4]] + [new]
    return replace(
        t,
        lait={**t.lait, **dict(zip(OPEN_MEASURES, fitted, strict=True))},
        cin_at31=round(t.cin_at31 + sign * 0.9 * allowed(t.cin_at31, count=True)),
    )


def _calibration(world: World, targets: dict, figures: dict) -> dict:
    """Per year and figure: the target (published x scale), what the returns give, and where it came from."""
    out = {}
    for year in world.years:
        label = financial_year_label(year)
        t = targets[year]
        leavers = care_leaver_counts(world, year)
        entries = {}
        for name, indicator in CALIBRATED.items():
            target = getattr(t, name)
            achieved = leavers[name] if name in leavers else figures[label][indicator]["value"]
            pub = t.published[name]
            entries[name] = {
                "target": target,
                "achieved": achieved,
                "difference_pct": None if not target else round((achieved - target) / target * 100, 2),
                "tolerance": "exact" if name in EXACT else "3%" if name in STOCKS else "reported",
                "achieved_by": indicator,
                "published_value": pub.value,
                "published_year": pub.published_year,
                "source": pub.source,
                "note": pub.note,
            }
        out[label] = entries
    return out
