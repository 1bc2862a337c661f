"""The data page's quality findings: the records the store's quality rules flagged (store/quality.py), counted
by rule and collection year, and listed. The listing is child-level: the data page is for analysts only, and
each view of it is written to the access log."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import duckdb

from ..catalogue import load_catalogue
from ..store.quality import flags, listed

RECORDS_SHOWN = 200  # on the page; the CSV download has them all


@dataclass(frozen=True)
class Finding:
    what: str  # the rule in words
    rule: str
    dfe_rule: str | None
    collection_year: str
    records: int
    left_out_of: str  # indicator ids, space-separated


@dataclass(frozen=True)
class Quality:
    findings: list[Finding]  # per rule and year
    records: list[dict[str, object]]  # every flagged record, as `csc-scorecard quality` lists it

    @property
    def shown(self) -> list[dict[str, object]]:
        return self.records[:RECORDS_SHOWN]


def quality(con: duckdb.DuckDBPyConnection, la_code: str) -> Quality:
    records = listed(flags(con, la_code), load_catalogue().leaving_out())
    counts = Counter((str(r["rule"]), str(r["collection_year"])) for r in records)
    example = {(str(r["rule"]), str(r["collection_year"])): r for r in records}
    findings = []
    for (rule, year), n in counts.items():
        r = example[(rule, year)]
        dfe = str(r["dfe_rule"]) if r["dfe_rule"] else None
        findings.append(Finding(str(r["what"]), rule, dfe, year, n, str(r["left_out_of"])))
    return Quality(sorted(findings, key=lambda f: (f.what, f.collection_year)), records)
