"""`validate`: run the DfE validators on returns and summarise their findings by rule and by child.

Each return runs in its own process of the validators' isolated environment (runner_903.py, runner_cin.py),
with a time limit. A return the validator cannot take (wrong year given, unreadable tables, a crash) is
reported with its reason and the others still run.

A finding is one rule failing on one row of one table (or on the whole return, with no child). The
validators list each field of a row separately; here the fields of a row are one finding.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from .. import refdata
from ..ingest import LoadOptions
from ..sources.detect import discover
from ..sources.problems import ReturnRejected
from ..sources.registry import Candidate
from . import environment

DEFAULT_TIMEOUT = 1800.0  # seconds per return; a CIN census of 10,000 children takes about a minute
TOP_CHILDREN = 20
RUNNERS = {"cin_xml": "runner_cin.py", "ssda903_csv": "runner_903.py", "ssda903_xml": "runner_903.py"}
FORMAT_LABELS = {"cin_xml": "CIN census XML", "ssda903_csv": "SSDA903 CSV", "ssda903_xml": "SSDA903 XML"}
_YEAR = re.compile(r"(?<!\d)(\d{4})[-_](\d{2})(?!\d)")
_TOKEN = re.compile(r"[^0-9]+")


@dataclass(frozen=True)
class Finding:
    return_name: str
    validator: str  # "903" or "CIN"
    rule: str
    rule_type: str | None  # "error" / "query"; None where the validator does not say (903)
    message: str | None
    table: str | None
    child: str | None  # None: a finding about the whole return
    row: int | None  # record of that table, from 1
    line: int | None  # line of the CSV record, or of the child's element in XML
    file: str | None
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReturnRun:
    name: str
    format: str
    files: tuple[str, ...]
    validator: str | None = None  # distribution and version, e.g. "csc-validator-be-903 0.1.17"
    ruleset: str | None = None
    ruleset_note: str | None = None
    collection_year: str | None = None
    rules_run: int = 0
    rules_skipped: tuple[str, ...] = ()  # 903: the tables a rule needs were not supplied
    rules_failed: tuple[str, ...] = ()  # the rule raised an error inside the validator
    files_ignored: tuple[str, ...] = ()
    findings: int = 0
    seconds: float = 0.0
    error: str | None = None  # set when the return could not be validated


@dataclass(frozen=True)
class RuleSummary:
    validator: str
    rule: str
    rule_type: str | None
    message: str | None
    count: int
    children: int  # distinct children affected


@dataclass(frozen=True)
class ChildSummary:
    child: str
    count: int
    rules: tuple[str, ...]  # rule codes, most frequent first
    returns: tuple[str, ...]


@dataclass
class ValidationReport:
    runs: list[ReturnRun]
    findings: list[Finding]
    skipped: list[Path] = field(default_factory=list)  # files in folders that are not returns

    @property
    def by_rule(self) -> list[RuleSummary]:
        return summarise_rules(self.findings)

    @property
    def by_child(self) -> list[ChildSummary]:
        return summarise_children(self.findings)

    @property
    def failed(self) -> list[ReturnRun]:
        return [run for run in self.runs if run.error]


def validate(
    paths: list[Path],
    *,
    la: str | None,
    year: str | None,
    timeout: float = DEFAULT_TIMEOUT,
    venv: Path | None = None,
) -> ValidationReport:
    """Run the matching DfE validator on every return found under `paths`.

    `la` (3-digit DfE code) and `year` ("2024-25") apply to every return; without them a 903 return's LA
    and year come from its folder or file name (903_335_2024-25), a CIN census's year from its header.
    Raises environment.ValidatorsMissing before anything runs if the validators are not set up, and
    sources.problems.ReturnRejected for files that are not returns.
    """
    problems = LoadOptions(la=la, year=year).problems()  # the caller's mistake: say so before anything runs
    if problems:
        raise ReturnRejected(problems)
    python = environment.find_python(venv)
    candidates, skipped = discover(paths)
    runs: list[ReturnRun] = []
    findings: list[Finding] = []
    for candidate in candidates:
        run, found = _run_one(python, candidate, la=la, year=year, timeout=timeout)
        runs.append(run)
        findings.extend(found)
    return ValidationReport(runs, findings, skipped)


def _run_one(
    python: Path, candidate: Candidate, *, la: str | None, year: str | None, timeout: float
) -> tuple[ReturnRun, list[Finding]]:
    files = tuple(str(path.resolve()) for path in candidate.files)  # the runner works in a scratch folder
    base = ReturnRun(candidate.name, candidate.format, tuple(Path(f).name for f in files))
    try:
        job = _job(candidate, files, la=la, year=year)
    except ValueError as error:
        return replace(base, error=str(error)), []
    started = time.monotonic()
    # -I: none of our environment (PYTHONPATH, user site) leaks into theirs. A scratch working folder, as
    # parts of the validators write log files where they run.
    with tempfile.TemporaryDirectory(prefix="csc-validate-") as scratch:
        try:
            done = subprocess.run(
                [str(python), "-I", str(Path(__file__).with_name(RUNNERS[candidate.format]))],
                input=json.dumps(job),
                capture_output=True,
                encoding="utf-8",  # whatever the locale; the JSON is ASCII, a traceback may not be
                errors="replace",
                timeout=timeout,
                cwd=scratch,
            )
        except subprocess.TimeoutExpired:
            return replace(base, error=f"the validator took longer than {timeout:.0f} s and was stopped"), []
    seconds = round(time.monotonic() - started, 1)
    result = _parse(done)
    if "error" in result:
        return replace(base, error=result["error"], seconds=seconds), []
    validator = "CIN" if candidate.format == "cin_xml" else "903"
    found = [
        Finding(
            return_name=candidate.name,
            validator=validator,
            rule=str(item["rule"]),
            rule_type=item.get("type"),
            message=item.get("message"),
            table=item.get("table"),
            child=item.get("child"),
            row=item.get("row"),
            line=item.get("line"),
            file=item.get("file"),
            fields=tuple(item.get("fields") or ()),
        )
        for item in result["findings"]
    ]
    run = replace(
        base,
        validator=f"{result['validator']} {result['version']}",
        ruleset=result["ruleset"],
        ruleset_note=result.get("ruleset_note"),
        collection_year=result.get("collection_year"),
        rules_run=result["rules_run"],
        rules_skipped=tuple(result.get("rules_skipped", ())),
        rules_failed=tuple(result.get("rules_failed", ())),
        files_ignored=tuple(result.get("files_ignored", ())),
        findings=len(found),
        seconds=seconds,
    )
    return run, found


def _parse(done: subprocess.CompletedProcess) -> dict:
    """The runner's JSON, or an error naming its last line on stderr (never the whole traceback)."""
    try:
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"the validator stopped (exit code {done.returncode}): {last}"}
    if done.returncode and "error" not in result:
        return {"error": f"the validator stopped (exit code {done.returncode})"}
    return result


def _job(candidate: Candidate, files: tuple[str, ...], *, la: str | None, year: str | None) -> dict:
    names = [candidate.name, *(Path(f).parent.name for f in files)]
    # A census states its own year in its header (the runner reads it); a 903 return's is in its name.
    collection_year = year if candidate.format == "cin_xml" else year or _year_in(names)
    if candidate.format != "cin_xml" and not collection_year:
        raise ValueError("collection year not known: give --year, or name the folder like 903_335_2024-25")
    la_code = la or _la_in(names)
    if candidate.format != "cin_xml" and not la_code:
        # The 903 rules on placement location compare placement postcodes with the council's own area.
        raise ValueError("local authority not known: give --la, or name the folder like 903_335_2024-25")
    return {
        "format": candidate.format,
        "files": list(files),
        "collection_year": collection_year,
        "la_gss": refdata.local_authority(la_code).gss_code if la_code else None,
    }


def _year_in(names: list[str]) -> str | None:
    for name in names:
        match = _YEAR.search(name)
        if match and (int(match.group(1)) + 1) % 100 == int(match.group(2)):
            return f"{match.group(1)}-{match.group(2)}"
    return None


def _la_in(names: list[str]) -> str | None:
    """A 3-digit LA code standing alone in a name (903_335_2024-25 -> 335); none if ambiguous."""
    known = refdata.local_authorities()
    for name in names:
        codes = {token for token in _TOKEN.split(name) if len(token) == 3 and token in known}
        if len(codes) == 1:
            return codes.pop()
    return None


def summarise_rules(findings: list[Finding]) -> list[RuleSummary]:
    """Most findings first; children counts distinct child ids within each validator."""
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[(finding.validator, finding.rule)].append(finding)
    out = [
        RuleSummary(
            validator=validator,
            rule=rule,
            rule_type=items[0].rule_type,
            message=next((f.message for f in items if f.message), None),
            count=len(items),
            children=len({f.child for f in items if f.child is not None}),
        )
        for (validator, rule), items in groups.items()
    ]
    return sorted(out, key=lambda s: (-s.count, s.validator, _rule_key(s.rule)))


def summarise_children(findings: list[Finding]) -> list[ChildSummary]:
    """Children with any finding, most findings first (findings about the whole return are left out)."""
    rules: dict[str, Counter] = defaultdict(Counter)
    returns: dict[str, set[str]] = defaultdict(set)
    for finding in findings:
        if finding.child is not None:
            rules[finding.child][finding.rule] += 1
            returns[finding.child].add(finding.return_name)
    out = [
        ChildSummary(
            child=child,
            count=sum(counter.values()),
            rules=tuple(
                code for code, _ in sorted(counter.items(), key=lambda kv: (-kv[1], _rule_key(kv[0])))
            ),
            returns=tuple(sorted(returns[child])),
        )
        for child, counter in rules.items()
    ]
    return sorted(out, key=lambda s: (-s.count, s.child))


def _rule_key(code: str) -> tuple[int, str]:
    digits = re.match(r"\d+", code)
    return (int(digits.group()) if digits else sys.maxsize, code)


def render_text(report: ValidationReport, *, top: int = TOP_CHILDREN, width: int = 70) -> str:
    """The terminal summary: each return, then counts by rule, then the children with most findings."""
    lines = [f"DfE validators: {len(report.runs)} return(s) checked, {len(report.findings)} finding(s)", ""]
    for run in report.runs:
        lines.extend(_render_run(run))
    if report.skipped:
        lines.append(f"Not returns, left out: {', '.join(p.name for p in report.skipped)}")
    if not report.findings:
        return "\n".join([*lines, "", "No findings."])
    rules = report.by_rule
    lines += ["", f"Findings by rule ({len(rules)} rules)"]
    table = [("Validator", "Rule", "Type", "Findings", "Children", "Message")]
    table += [
        (s.validator, s.rule, s.rule_type or "-", str(s.count), str(s.children), _cut(s.message or "", width))
        for s in rules
    ]
    lines += _columns(table, right={3, 4})
    children = report.by_child
    if children:
        lines += ["", f"Children with the most findings ({min(top, len(children))} of {len(children)})"]
        table = [("Child", "Findings", "Rules")]
        table += [(c.child, str(c.count), _cut(", ".join(c.rules), width)) for c in children[:top]]
        lines += _columns(table, right={1})
    return "\n".join(lines)


def _render_run(run: ReturnRun) -> list[str]:
    head = f"{run.name} ({FORMAT_LABELS.get(run.format, run.format)}, {len(run.files)} file(s))"
    if run.error:
        return [f"{head}: NOT VALIDATED: {run.error}"]
    out = [
        f"{head}: {run.validator}, ruleset {run.ruleset} for {run.collection_year}, {run.rules_run} rules, "
        f"{run.findings} finding(s), {run.seconds:.1f} s"
    ]
    if run.ruleset_note:
        out.append(f"  note: {run.ruleset_note}")
    if run.rules_skipped:
        out.append(f"  {len(run.rules_skipped)} rules not run: the tables they need were not supplied")
    if run.rules_failed:
        out.append(f"  rules that failed inside the validator (not checked): {', '.join(run.rules_failed)}")
    if run.files_ignored:
        out.append(f"  not SSDA903 tables, left out: {', '.join(run.files_ignored)}")
    return out


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _columns(rows: list[tuple[str, ...]], right: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  " + "  ".join(cells).rstrip())
    return out


FINDING_COLUMNS = ("return", "validator", "rule", "type", "message", "table", "child", "row", "line", "file",
                   "fields")  # fmt: skip


def to_csv(report: ValidationReport, table: str = "findings") -> str:
    """One table as CSV text: 'findings' (one row each), 'rules' (by rule) or 'children' (by child)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if table == "findings":
        writer.writerow(FINDING_COLUMNS)
        for f in report.findings:
            writer.writerow(
                (f.return_name, f.validator, f.rule, f.rule_type, f.message, f.table, f.child, f.row, f.line,
                 f.file, ";".join(f.fields))
            )  # fmt: skip
    elif table == "rules":
        writer.writerow(("validator", "rule", "type", "message", "findings", "children"))
        for s in report.by_rule:
            writer.writerow((s.validator, s.rule, s.rule_type, s.message, s.count, s.children))
    elif table == "children":
        writer.writerow(("child", "findings", "rules", "returns"))
        for c in report.by_child:
            writer.writerow((c.child, c.count, ";".join(c.rules), ";".join(c.returns)))
    else:
        raise ValueError(f"{table!r}: choose findings, rules or children")
    return buffer.getvalue()


def to_json(report: ValidationReport) -> str:
    """Everything: the runs, both summaries and every finding."""
    return json.dumps(
        {
            "returns": [asdict(run) for run in report.runs],
            "by_rule": [asdict(s) for s in report.by_rule],
            "by_child": [asdict(c) for c in report.by_child],
            "findings": [asdict(f) for f in report.findings],
            "skipped": [str(p) for p in report.skipped],
        },
        indent=2,
    )
