"""Run csc-validator-be-903 on one SSDA903 return. Executed by the validators' own python, never imported.

Job (stdin): {"format": "ssda903_csv" | "ssda903_xml", "files": [paths], "collection_year": "2024-25",
"la_gss": "E08000030"}. The CSV files of one return are matched to tables by the validator's own column
sets; a CSV that matches none is left out and named in `files_ignored`.

Result (stdout): validator, version, ruleset (+ ruleset_note when the year has none of its own), counts of
rules run / skipped for want of tables / failed, and `findings`: rule, message, table, child, row (1-based
record of that table), line (of the CSV record, or of the child's element in XML), file, fields.
The 903 validator does not say whether a rule is an error or a query, so `type` is null.
"""

from __future__ import annotations

import csv
import importlib
import importlib.util
import io
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "_runner_common", Path(__file__).with_name("_runner_common.py")
)
common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(common)

DISTRIBUTION = "csc-validator-be-903"


def decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, as councils' systems export both."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def csv_records(text: str) -> tuple[list[str], list[int], list[str | None]]:
    """Header, the line each record starts on and its raw CHILD, skipping blank lines as pandas does."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    lines: list[int] = []
    children: list[str | None] = []
    child_col = None
    last_line = 0
    for row in reader:
        first_line, last_line = last_line + 1, reader.line_num
        if not row:
            continue
        if not header:
            header = [name.strip() for name in row]
            child_col = header.index("CHILD") if "CHILD" in header else None
            continue
        lines.append(first_line)
        children.append(
            row[child_col].strip() or None if child_col is not None and child_col < len(row) else None
        )
    return header, lines, children


def csv_job(paths: list[Path], column_names: dict[str, list[str]]):
    """Upload records for the validator, {table: (file, lines, raw children)} and the files left out."""
    tables = {frozenset(columns): table for table, columns in column_names.items()}
    uploads, located, ignored = [], {}, []
    for path in paths:
        text = decode(path.read_bytes())
        header, lines, children = csv_records(text)
        table = tables.get(frozenset(header))
        if table is None:
            ignored.append(path.name)
            continue
        if table in located:
            raise common.JobError(f"two files hold the {table} table: {located[table][0]} and {path.name}")
        located[table] = (path.name, lines, children)
        # Re-encoded as UTF-8 and named .csv: the validator reads UTF-8 only and tells formats by extension.
        uploads.append(
            {"name": f"{path.stem}.csv", "description": "This year", "file_content": text.encode()}
        )
    if not uploads:
        raise common.JobError("no file has the columns of an SSDA903 table")
    return uploads, located, ignored


def xml_job(path: Path):
    content = common.read_bytes_checked(path)
    root = common.parse_without_namespaces(content, path.name)
    from xml.etree import ElementTree as ET

    upload = {"name": "return.xml", "description": "This year", "file_content": ET.tostring(root)}
    # The validator makes one Header row per element under the root, in order.
    return [upload], common.element_lines(content, (None,))


def findings_from(results: dict, registry: dict, located: dict, child_lines: list[int] | None, xml_name: str):
    import pandas as pd

    findings = []
    for table, frame in results.items():
        if not isinstance(frame, pd.DataFrame):
            continue  # metadata
        flags = [column for column in frame.columns if str(column).startswith("ERR_")]
        if not flags:
            continue
        file_name, lines, raw_children = located.get(table, (xml_name, None, None))
        positions = {label: i for i, label in enumerate(frame.index)}
        ordinals = None
        if child_lines is not None and table != "Header":
            ordinals = common.child_ordinals([common.clean(c) for c in frame["CHILD"]])
        for flag in flags:
            rule = registry.get(flag[4:])
            for label in frame.index[frame[flag].eq(True)]:
                row = positions[label]
                child = common.clean(frame.at[label, "CHILD"])
                line = None
                if lines is not None and len(lines) == len(frame):
                    line = lines[row]
                    child = raw_children[row] or child  # as the council wrote it (the validator upper-cases)
                elif child_lines is not None:
                    ordinal = row if table == "Header" else (ordinals or {}).get(child)
                    if ordinal is not None and ordinal < len(child_lines):
                        line = child_lines[ordinal]
                findings.append(
                    {
                        "rule": flag[4:],
                        "type": None,
                        "message": rule.message if rule else None,
                        "table": table,
                        "child": child,
                        "row": row + 1,
                        "line": line,
                        "file": file_name,
                        "fields": list(rule.affected_fields or []) if rule else [],
                    }
                )
    return findings


def _validator(base: type, metadata: dict, tables: dict, registry: dict):
    """LacValidator.__init__ without its file reading, on tables read (and tidied) here."""
    validator = base.__new__(base)
    validator.dfs, validator.metadata, validator.registry = tables, metadata, registry
    validator.dones, validator.skips, validator.fails = [], [], []
    validator.validate(None)
    return validator


def main(job: dict, _printed: io.StringIO) -> dict:
    from lac_validator import lac_validator
    from lac_validator.config import column_names
    from lac_validator.ingress import read_from_text
    from lac_validator.types import UploadError

    paths = [Path(p) for p in job["files"]]
    start = common.start_year(job["collection_year"])
    ruleset, note = common.choose_ruleset(common.available_rulesets("lac_validator.rules", "lac"), start)
    registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry

    located, ignored, child_lines, xml_name = {}, [], None, None
    if job["format"] == "ssda903_csv":
        uploads, located, ignored = csv_job(paths, column_names)
    else:
        uploads, child_lines = xml_job(paths[0])
        xml_name = paths[0].name
    # collectionYear is the year the collection ends: 2025 for 2024-25 (datastore._process_metadata).
    metadata = {"collectionYear": str(start + 1), "localAuthority": job.get("la_gss") or ""}
    try:
        tables, extras = read_from_text(uploads)
    except UploadError as error:
        raise common.JobError(str(error)) from None
    # From XML every table exists, as an empty frame without columns when the return has none of it; rules
    # then fail on the missing columns. Such a table was not supplied, as with a CSV file not given.
    tables = {name: frame for name, frame in tables.items() if len(frame.columns)}
    validator = _validator(lac_validator.LacValidator, {**metadata, **extras}, tables, registry)
    return {
        "validator": DISTRIBUTION,
        "version": common.package_version(DISTRIBUTION),
        "ruleset": ruleset,
        "ruleset_note": note,
        "collection_year": common.year_label(start),
        "rules_run": len(registry),
        "rules_skipped": sorted(validator.skips),
        "rules_failed": sorted(validator.fails),
        "files_ignored": ignored,
        "findings": findings_from(validator.ds_results, registry, located, child_lines, xml_name),
    }


if __name__ == "__main__":
    common.run(main)
