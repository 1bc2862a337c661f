"""Rows out to the terminal: CSV, JSON or a table. Values are unrounded in CSV/JSON; tables are for reading."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table

FORMATS = ("table", "csv", "json")


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return int(value)  # exact, and "3" reads better than "3.0" for a count
    return value


def to_csv(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_plain(row.get(c)) for c in columns])
    return buffer.getvalue()


def to_json(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    return json.dumps([{c: row.get(c) for c in columns} for row in rows], indent=2, default=str)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(_plain(value))


def print_rows(
    console: Console, columns: Sequence[str], rows: Sequence[dict[str, Any]], fmt: str, title: str = ""
) -> None:
    if fmt == "csv":
        click.echo(to_csv(columns, rows), nl=False)
    elif fmt == "json":
        click.echo(to_json(columns, rows))
    else:
        table = Table(title=title or None)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(_cell(row.get(c)) for c in columns))
        console.print(table)
