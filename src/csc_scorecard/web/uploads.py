"""Saving an upload as the analyst chose it: folders kept, zips unpacked, nothing overwritten.

A browser sends each file of a chosen folder with its path inside that folder ("903_335_2016-17/header.csv"),
and a zip holds paths too. The files are saved under one folder at those paths, so that each folder of CSV
files stays one return whose year can be read from the folder's name, as `load` sees folders on disk; a zip
is unpacked into a folder named after it ("903_335_2015-16.zip" -> "903_335_2015-16/"). Two years' 903 files
have the same names, so flattening them let one year overwrite the other.

A path is kept only as plain names below the upload's folder: a zip entry that climbs out of it ("..") is
refused, absolute paths and drive letters become relative, and characters other than letters, digits,
`.`, `_` and `-` become `_`. Two files at the same path are refused rather than one silently replacing the
other. The upload's size limit counts what zips unpack to as well as what was sent.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO, Protocol

from ..private_files import private_folder
from ..sources.problems import Problem, ReturnRejected

SAFE_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")
LOOSE_FILES = "upload"  # the folder for files chosen on their own (a folder return's name, if they make one)
CHUNK = 1 << 20


class Uploaded(Protocol):
    filename: str | None
    file: BinaryIO


class TooLarge(Exception):
    """The upload, or what its zips unpack to, is over the limit."""


def relative_parts(name: str) -> tuple[str, ...] | None:
    """The path a browser or a zip gives, as safe names below the upload's folder; None when it climbs out."""
    parts = [p for p in re.split(r"[/\\]+", name) if p not in ("", ".")]
    if ".." in parts:
        return None
    return tuple(SAFE_CHARACTERS.sub("_", p) for p in parts)


class UploadFolder:
    """One upload's files on disk, at the paths they were chosen with, counting bytes against `limit`."""

    def __init__(self, root: Path, limit_bytes: int):
        self.root, self.limit, self.total = root, limit_bytes, 0
        self.problems: list[Problem] = []
        private_folder(root / LOOSE_FILES)  # children's records: the owner's only

    def add(self, uploaded: Uploaded) -> None:
        name = uploaded.filename or ""
        parts = relative_parts(name)
        if parts is None or not parts:
            self._refuse(name, "a file name that climbs out of its folder ('..')")
            return
        if len(parts) == 1:
            parts = (LOOSE_FILES, *parts)
        if parts[-1].lower().endswith(".zip"):
            self._unzip(name, uploaded.file, (*parts[:-1], parts[-1][:-4]))
        else:
            self._write(name, uploaded.file, parts)

    def rejected(self) -> ReturnRejected | None:
        return ReturnRejected(self.problems) if self.problems else None

    def relative(self, rejected: ReturnRejected) -> ReturnRejected:
        """The problems with each file named as the analyst chose it, not where the server saved it."""
        root = f"{self.root}/"

        def named(file: str) -> str:
            inside = file.removeprefix(root)
            return inside.removeprefix(f"{LOOSE_FILES}/") if inside != file else file

        problems = [Problem(named(p.file), p.location, p.field, p.value, p.rule) for p in rejected.problems]
        return ReturnRejected(problems, rejected.total)

    # --- inside ------------------------------------------------------------------------------------------

    def _write(self, name: str, source: BinaryIO, parts: Iterable[str]) -> None:
        target = self.root.joinpath(*parts)
        if target.exists() or any(p.is_file() for p in target.parents if p != self.root):
            self._refuse(name, "chosen twice: another file was uploaded at the same path")
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            while chunk := source.read(CHUNK):
                self._count(len(chunk))
                out.write(chunk)

    def _unzip(self, name: str, source: BinaryIO, folder: tuple[str, ...]) -> None:
        sent = self.root / ".zips" / f"{len(list(self.root.glob('.zips/*')))}.zip"  # hidden: never a return
        sent.parent.mkdir(exist_ok=True)
        with sent.open("wb") as out:
            while chunk := source.read(CHUNK):
                self._count(len(chunk))
                out.write(chunk)
        try:
            with zipfile.ZipFile(sent) as archive:
                for entry in archive.infolist():
                    if entry.is_dir():
                        continue
                    parts = relative_parts(entry.filename)
                    where = f"{name}: {entry.filename}"
                    if parts is None:
                        self._refuse(where, "a path in the zip that climbs out of its folder ('..')")
                    elif entry.flag_bits & 0x1:
                        self._refuse(where, "encrypted: zip the returns without a password")
                    else:
                        with archive.open(entry) as member:
                            self._write(where, member, (*folder, *parts))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as error:
            self._refuse(name, f"not a zip file that can be read ({error})")
        finally:
            sent.unlink()

    def _count(self, size: int) -> None:
        self.total += size
        if self.total > self.limit:
            raise TooLarge

    def _refuse(self, name: str, rule: str) -> None:
        self.problems.append(Problem(name, "-", "files", None, rule))
