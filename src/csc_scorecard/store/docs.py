"""`docs/store.md`, generated from the table specs so it cannot drift: `python -m csc_scorecard.store.docs`."""

from __future__ import annotations

from ..sources.registry import kind_names
from ..sources.tables import TABLES
from .schema import LINEAGE_COLUMNS, SCHEMA_VERSION

HEADER = f"""# The store

Generated from `src/csc_scorecard/sources/tables.py` by `python -m csc_scorecard.store.docs > docs/store.md`;
a test fails when this file is stale. Schema version {SCHEMA_VERSION}.

One DuckDB file. `loads` is the lineage: one row per return loaded (file names, sha256, format, LA, collection
year, how the year was decided, rows per table, when, status `current` or `replaced`, and which load it
replaced or was replaced by). For each table below there is a raw table `raw_<name>` holding every current
load's rows as read, and a canonical table `<name>` holding one row per identity, taken from the return with the
latest collection year (then the latest load). Every row of both carries the lineage columns
{", ".join(f"`{c}`" for c, _ in LINEAGE_COLUMNS)} and `src_line` (the line of the file it came from).
"""


def render_markdown() -> str:
    parts, names = [HEADER], kind_names()
    for spec in TABLES:
        returns = " and ".join(names[r] for r in spec.returns)
        key = ", ".join(("la_code", *spec.key))
        parts.append(f"\n## `{spec.name}`\n\n{spec.description}\n\nFrom: {returns}. Identity: ({key}).\n")
        parts.append("\n| column | type |\n|---|---|\n")
        parts.extend(f"| `{name}` | {typ} |\n" for name, typ in spec.columns)
    return "".join(parts)


if __name__ == "__main__":
    print(render_markdown(), end="")
