"""Run csc-validator-be-cin on one CIN census XML. Executed by the validators' own python, never imported.

Job (stdin): {"format": "cin_xml", "files": [path], "collection_year": "2024-25" or null}. Without a year the
file's Header/CollectionDetails/Year (the year the census ends) chooses the ruleset; the census period itself
always comes from the file's ReferenceDate, as the validator does it.

Result (stdout): as runner_903.py, with `type` "error" or "query" from the rule definitions. Findings that
belong to the whole return (the validator's LA-level and Header rules) have no child, row or line.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import re
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "_runner_common", Path(__file__).with_name("_runner_common.py")
)
common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(common)

DISTRIBUTION = "csc-validator-be-cin"
# Tables with one row per <Child>, in order; other tables' rows are placed by their child's id.
ONE_ROW_PER_CHILD = {"ChildIdentifiers", "ChildCharacteristics"}
_RULE_FAILED = re.compile(r"^Error with rule (\S+): ", re.MULTILINE)


def census_year(root) -> int:
    """Start year of the census from Header/CollectionDetails/Year (2025 -> 2024)."""
    year = (root.findtext("Header/CollectionDetails/Year") or "").strip()
    if not re.fullmatch(r"\d{4}", year):
        raise common.JobError("no collection year given and Header/CollectionDetails/Year is not a year")
    return int(year) - 1


def rule_type(rule) -> str | None:
    kind = getattr(getattr(rule, "rule_type", None), "value", None)
    return kind.lower() if isinstance(kind, str) else None


def child_findings(issues, registry: dict, data: dict, child_lines: list[int], file_name: str) -> list[dict]:
    """One finding per rule and table row (the validator lists each field of a row separately)."""
    ordinals = common.child_ordinals([common.clean(c) for c in data["ChildIdentifiers"]["LAchildID"]])
    grouped: dict[tuple, dict] = {}
    for issue in issues.to_dict("records"):
        table = common.clean(issue.get("tables_affected"))
        row = common.clean(issue.get("row_id"))
        row = int(float(row)) if row is not None else None
        child = common.clean(issue.get("child_id"))
        key = (str(issue["rule_code"]), table, row, child)
        if key not in grouped:
            rule = registry.get(key[0])
            ordinal = row if table in ONE_ROW_PER_CHILD else ordinals.get(child)
            line = child_lines[ordinal] if ordinal is not None and ordinal < len(child_lines) else None
            grouped[key] = {
                "rule": key[0],
                "type": rule_type(rule),
                "message": common.clean(issue.get("rule_description")),
                "table": table,
                "child": child,
                "row": row + 1 if row is not None else None,
                "line": line,
                "file": file_name,
                "fields": [],
            }
        field = common.clean(issue.get("columns_affected"))
        if field and field not in grouped[key]["fields"]:
            grouped[key]["fields"].append(field)
    return list(grouped.values())


def return_findings(validator, registry: dict, file_name: str) -> list[dict]:
    """Rules about the whole return: one finding per rule."""
    la_level = set()
    if len(validator.la_rule_issues):
        la_level = {str(code) for code in validator.la_rule_issues["rule_code"]}
    out, seen = [], set()
    for issue in validator.multichild_issues.to_dict("records"):
        code = str(issue["rule_code"])
        if code in seen:
            continue
        seen.add(code)
        out.append(
            {
                "rule": code,
                "type": rule_type(registry.get(code)),
                "message": common.clean(issue.get("rule_description")),
                "table": None if code in la_level else "Header",
                "child": None,
                "row": None,
                "line": None,
                "file": file_name,
                "fields": [],
            }
        )
    return out


class _Rows:
    """Stands in for a table while XMLtoCSV fills it: keeps the frames it appends, and the columns it reads."""

    def __init__(self, template) -> None:
        self.columns = template.columns
        self.frames = [template]


class _PandasForIngress:
    """pandas, except that concat onto a _Rows collects instead of copying the whole table again."""

    def __init__(self, pandas) -> None:
        self._pandas = pandas

    def __getattr__(self, name: str):
        return getattr(self._pandas, name)

    def concat(self, objs, **kwargs):
        first, *rest = objs
        if isinstance(first, _Rows):
            first.frames.extend(rest)
            return first
        return self._pandas.concat(objs, **kwargs)


def convert_data(root) -> dict:
    """cin_validator.convert_data in linear time, giving the same tables (rows, order, columns, dtypes).

    XMLtoCSV appends each child to each table with pd.concat, copying the table each time: 5,000 children
    take 75 s and 10,000 take 4.5 minutes, while the rules themselves take seconds. Here the appends are
    collected and each table is concatenated once, in the same order.
    """
    import pandas as pd
    from cin_validator import cin_validator, ingress

    base = ingress.XMLtoCSV
    tables = [
        name for name, value in vars(base).items() if isinstance(value, pd.DataFrame) and name != "Header"
    ]

    class LinearXMLtoCSV(base):
        def __init__(self, root) -> None:
            for name in tables:
                setattr(self, name, _Rows(getattr(base, name)))
            super().__init__(root)
            for name in tables:
                setattr(self, name, pd.concat(getattr(self, name).frames, ignore_index=True))

    ingress.pd, cin_validator.XMLtoCSV = _PandasForIngress(pd), LinearXMLtoCSV
    try:
        return cin_validator.convert_data(root)
    finally:
        ingress.pd, cin_validator.XMLtoCSV = pd, base


def main(job: dict, printed: io.StringIO) -> dict:
    from cin_validator import cin_validator

    path = Path(job["files"][0])
    content = common.read_bytes_checked(path)
    root = common.parse_without_namespaces(content, path.name)
    if root.find("Header") is None or root.find("Children") is None:
        raise common.JobError(f"{path.name}: not a CIN census (no Header and Children under {root.tag})")
    given = job.get("collection_year")
    start = common.start_year(given) if given else census_year(root)
    ruleset, note = common.choose_ruleset(common.available_rulesets("cin_validator.rules", "cin"), start)
    registry = importlib.import_module(f"cin_validator.rules.{ruleset}").registry

    data = cin_validator.process_data(convert_data(root))
    identifiers = data["ChildIdentifiers"].copy()  # the validator adds columns to its tables as it goes
    validator = cin_validator.CinValidator(data, registry)
    child_lines = common.element_lines(content, ("Children", "Child"))
    return {
        "validator": DISTRIBUTION,
        "version": common.package_version(DISTRIBUTION),
        "ruleset": ruleset,
        "ruleset_note": note,
        "collection_year": common.year_label(start),
        "rules_run": len(registry),
        "rules_skipped": [],
        "rules_failed": sorted(set(_RULE_FAILED.findall(printed.getvalue()))),
        "files_ignored": [],
        "findings": child_findings(
            validator.full_issue_df, registry, {"ChildIdentifiers": identifiers}, child_lines, path.name
        )
        + return_findings(validator, registry, path.name),
    }


if __name__ == "__main__":
    common.run(main)
