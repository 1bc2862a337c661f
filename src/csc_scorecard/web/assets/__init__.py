"""Front-end assets: npm packages installed at set-up (package.json, package-lock.json beside this file), compiled
into ../static, which is never committed.

    python -m csc_scorecard.web.assets build     # npm ci (if needed), then Sass -> static/app.css and copies

What `build` writes to static/: app.css (GOV.UK Frontend 6.3.0 compiled from Sass with Arial, without the GDS
Transport font faces), govuk-frontend.min.js, htmx.min.js (2.0.11), app.mjs, js-enabled.js, favicon.svg (ours,
no crown), and build.txt (a content hash the pages add to asset URLs so browsers fetch a new build).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).parent
NODE_MODULES = HERE / "node_modules"
STATIC = HERE.parent / "static"
SOURCES = HERE / "src"
COPIES = {
    NODE_MODULES / "govuk-frontend/dist/govuk/govuk-frontend.min.js": "govuk-frontend.min.js",
    NODE_MODULES / "htmx.org/dist/htmx.min.js": "htmx.min.js",
    SOURCES / "app.mjs": "app.mjs",
    SOURCES / "js-enabled.js": "js-enabled.js",
    SOURCES / "favicon.svg": "favicon.svg",
}


BUILT = ("app.css", *COPIES.values(), "build.txt")  # what `build` writes and the pages load


class AssetsError(RuntimeError):
    pass


def missing() -> list[str]:
    """The built files that are not in static/ (an installed package ships them; a checkout builds them)."""
    return [name for name in BUILT if not (STATIC / name).is_file()]


def check_built() -> None:
    """AssetsError, one line, unless every built file is there: the dashboard never runs npm itself."""
    if absent := missing():
        raise AssetsError(
            f"the dashboard's front-end files are not built ({', '.join(absent)} missing from {STATIC}): "
            "run `make setup`, which builds them once with npm (`python -m csc_scorecard.web.assets build`); "
            "serving needs no npm"
        )


def axe_path() -> Path:
    """axe-core's browser script, for the accessibility tests."""
    return NODE_MODULES / "axe-core/axe.min.js"


def install(*, force: bool = False) -> None:
    """npm ci from the lock file (optional packages and install scripts skipped: Sass needs neither)."""
    installed = NODE_MODULES / ".package-lock.json"  # npm's record of what it installed
    lock = HERE / "package-lock.json"
    if not force and installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    if shutil.which("npm") is None:
        raise AssetsError("npm is not installed: install Node.js (Debian: apt-get install nodejs npm)")
    command = ["npm", "ci", "--omit=optional", "--ignore-scripts", "--no-audit", "--no-fund"]
    subprocess.run(command, cwd=HERE, check=True)


def build() -> Path:
    install()
    STATIC.mkdir(exist_ok=True)
    sass = NODE_MODULES / ".bin/sass"
    subprocess.run(
        [str(sass), "--no-source-map", "--style=compressed", "--quiet-deps", f"--load-path={NODE_MODULES}",
         str(SOURCES / "app.scss"), str(STATIC / "app.css")],
        check=True,
    )  # fmt: skip
    for source, name in COPIES.items():
        if not source.exists():
            raise AssetsError(f"{source} is missing: run npm ci in {HERE}")
        shutil.copyfile(source, STATIC / name)
    digest = hashlib.sha256()
    for name in sorted(["app.css", *COPIES.values()]):
        digest.update((STATIC / name).read_bytes())
    (STATIC / "build.txt").write_text(digest.hexdigest()[:12] + "\n", encoding="utf-8")
    return STATIC
