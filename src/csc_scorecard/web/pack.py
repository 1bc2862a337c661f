"""The report pack a user downloads: the publish stage's own pack (scorecard.xlsx, report.html, report.pdf,
paper.docx) for the Built scorecard the page already shows, sent as one zip."""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..pipeline import Built
from ..publish import write_pack
from ..publish.model import Profile


@dataclass(frozen=True)
class Pack:
    content: bytes
    media_type: str
    suffix: str
    seconds: float


def report_pack(built: Built, profile: Profile, *, report_config: Path | None) -> Pack:
    with tempfile.TemporaryDirectory(prefix="csc-pack-") as folder:
        result = write_pack(built, Path(folder), profile=profile, report_config=report_config)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in result.paths.values():
                archive.write(path, path.name)
    return Pack(buffer.getvalue(), "application/zip", ".zip", result.total_seconds)
