"""The dashboard's front-end files (GOV.UK Frontend compiled with Arial, htmx) are built once at set-up with npm
and ship inside the package, so `serve` from an installed package needs no npm; without them it refuses to
start in one line rather than serving pages with no styles (issue 14 item 7)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from fnmatch import fnmatch
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli
from csc_scorecard.web import assets
from web_support import free_port, wait_until_serving

ROOT = Path(__file__).parents[1]


def test_serve_refuses_to_start_without_the_built_files(monkeypatch, tmp_path) -> None:
    """Without the check, uvicorn started and served unstyled pages, with a warning in its log at most."""
    monkeypatch.setattr(assets, "STATIC", tmp_path / "static")
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "s.duckdb"), "--port", "0"])
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert line.startswith("Error: the dashboard's front-end files are not built (app.css, ")
    assert "run `make setup`" in line and "serving needs no npm" in line


def test_the_package_data_takes_every_built_file() -> None:
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["csc_scorecard"]
    for name in assets.BUILT:
        assert any(fnmatch(f"web/static/{name}", pattern) for pattern in globs), name


def test_make_setup_and_make_demo_build_the_assets() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("setup", "demo", "serve"):
        prerequisites = re.search(rf"^{target}:(.*)$", makefile, re.MULTILINE)[1].split()
        assert "assets" in prerequisites, (target, prerequisites)


SERVE = """
import sys
from pathlib import Path
import csc_scorecard
from csc_scorecard.config import load_settings
from csc_scorecard.web import serve
print(csc_scorecard.__file__, flush=True)
serve(load_settings(db=Path(sys.argv[1]), env={}).web, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


@pytest.mark.slow
def test_serve_runs_from_the_built_wheel_with_no_npm_on_the_path(synthetic_council, tmp_path) -> None:
    if assets.missing():
        pytest.skip("the assets are not built here (make setup)")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True, text=True,
    )  # fmt: skip
    if built.returncode != 0:
        pytest.skip(f"pip could not build the wheel here: {built.stderr.strip().splitlines()[-1:]}")
    (wheel,) = (tmp_path / "dist").glob("csc_scorecard-*.whl")
    installed = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(installed)  # what pip install puts in site-packages
    assert (installed / "csc_scorecard/web/static/app.css").is_file()
    port = free_port()
    env = {"PATH": str(tmp_path / "no-npm-here"), "PYTHONPATH": str(installed), "HOME": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(synthetic_council["db"]), str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
    )  # fmt: skip
    try:
        assert server.stdout.readline().strip() == str(installed / "csc_scorecard" / "__init__.py")
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base, server)
        css = httpx.get(f"{base}/static/app.css")
        assert css.status_code == 200 and ".govuk-template" in css.text
    finally:
        server.terminate()
        server.wait(timeout=10)
