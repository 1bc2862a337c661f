"""The committee report as PDF: the report's HTML through WeasyPrint, tagged as PDF/UA-1 (headings, tables
and figures with their alt text in the structure tree, document language and title set), A4 with page numbers
from the stylesheet's @page margin boxes.
"""

from __future__ import annotations

from pathlib import Path

from weasyprint import HTML

PDF_VARIANT = "pdf/ua-1"


def write_pdf(html: str, path: Path, *, base_url: Path | None = None) -> Path:
    document = HTML(string=html, base_url=str(base_url or path.parent))
    document.write_pdf(str(path), pdf_variant=PDF_VARIANT)
    return path
