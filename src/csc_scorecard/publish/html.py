"""The committee report as HTML: Jinja2 templates in templates/ (page chrome in layout.html.j2, the report body
as macros in report_sections.html.j2, so the web dashboard can reuse the body in its own chrome).

The same HTML string is written as report.html and handed to WeasyPrint for report.pdf; the stylesheet's
print rules and @page boxes only apply there (the scorecard grid's landscape page among them). The paper's shape,
which indicators are discussed, the grid and the appendix, comes from paper.py, as the Word paper's does.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .charts import Chart
from .model import ReportView, cover_sections
from .paper import GRID_KEY, paper

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html", "j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def css_string(text: str) -> str:
    """A CSS string literal that cannot end the string or the <style> element early."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return f'"{escaped}"'


def stylesheet(report: ReportView) -> str:
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    if report.marking:  # on every printed page, not only in the banners at the top and bottom
        css += (
            f"\n@page {{ @top-center {{ content: {css_string(report.marking)}; "
            'font-family: Arial, "Liberation Sans", Helvetica, sans-serif; font-size: 9pt; '
            "font-weight: bold; color: #942514; } }\n"
        )
    return css


def render_html(report: ReportView, charts: dict[str, Chart]) -> str:
    template = environment().get_template("report.html.j2")
    return template.render(
        report=report,
        sections=cover_sections(report),
        paper=paper(report, charts),
        key_lines=GRID_KEY,
        css=stylesheet(report),
        marking=report.marking,
        page_title=f"{report.title} – {report.council}",
        author=report.council,
        description=f"{report.cover.committee}: {report.title}. {report.note}",
        footer=f"{report.title}. {report.council}. Generated {report.generated.strftime('%-d %B %Y')}. {report.note}",
    )


def write_html(html: str, path: Path) -> Path:
    path.write_text(html, encoding="utf-8")
    return path
