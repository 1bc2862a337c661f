"""The report pack a user downloads: the publish stage's own pack (scorecard.xlsx, report.html, report.pdf,
paper.docx) for the page's LA and period, written from the snapshot and sent as one zip."""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..judge.targets import Targets
from ..publish import write_pack
from ..publish.model import Profile
from .snapshot import Snapshot


@dataclass(frozen=True)
class Pack:
    content: bytes
    media_type: str
    suffix: str
    seconds: float


def report_pack(
    snapshot: Snapshot,
    la_code: str,
    period_code: str,
    profile: Profile,
    *,
    targets: Targets | None,
    report_config: Path | None,
) -> Pack:
    with tempfile.TemporaryDirectory(prefix="csc-pack-") as folder:
        with snapshot.lock:  # the pack builds the scorecard, which saves results into the snapshot
            con = snapshot.cursor()
            try:
                result = write_pack(
                    con,
                    la_code,
                    period_code,
                    Path(folder),
                    profile=profile,
                    targets=targets,
                    report_config=report_config,
                )
            finally:
                con.close()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in result.paths.values():
                archive.write(path, path.name)
    return Pack(buffer.getvalue(), "application/zip", ".zip", result.total_seconds)
