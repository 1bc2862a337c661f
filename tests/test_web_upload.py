"""Uploading returns through the dashboard keeps folders (issue 17 item 3): a browser sends each file of a chosen
folder with its path in it, a zip holds paths, and two years' SSDA903 files have the same names. Each return
is reported as `load` reports it (loaded, replaced, already loaded) or refused with its problems, named as the
analyst chose them.

The app runs in-process (Starlette's TestClient) on a store of its own, loaded only through these uploads."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from csc_scorecard.store.connection import connect
from csc_scorecard.web import create_app
from store_checks import query
from web_support import make_site, session_cookie

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

YEARS = ("2015-16", "2016-17")


@pytest.fixture
def client_and_site(tmp_path):
    empty = tmp_path / "empty.duckdb"
    connect(empty).close()
    site = make_site(tmp_path / "site", empty)
    with TestClient(create_app(site.settings), follow_redirects=False) as client:
        yield client, site


def folder_files(returns: Path, year: str, prefix: str = "") -> list[tuple[str, tuple[str, bytes, str]]]:
    """A year's 903 folder as a browser sends a chosen folder: each file with its path inside the folder."""
    folder = returns / "903" / f"903_335_{year}"
    return [
        ("files", (f"{prefix}{folder.name}/{f.name}", f.read_bytes(), "text/csv"))
        for f in sorted(folder.iterdir())
    ]


def zipped(returns: Path, *years: str, inside: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for year in years:
            for f in sorted((returns / "903" / f"903_335_{year}").iterdir()):
                archive.write(f, f"{inside}903_335_{year}/{f.name}")
    return out.getvalue()


def upload(client: TestClient, site, files: list, la: str = "335"):
    return client.post("/upload", headers=session_cookie(site, "analyst"), files=files, data={"la": la})


def report_lines(page: str) -> list[str]:
    found = re.search(r'<ul class="govuk-list govuk-list--bullet" id="load-report">(.*?)</ul>', page, re.S)
    return [re.sub(r"\s+", " ", li).strip() for li in re.findall(r"<li>(.*?)</li>", found[1], re.S)]


def loaded_years(site) -> list[tuple]:
    return query(site.db, "SELECT collection_year, source_name FROM loads ORDER BY 1")


def test_two_years_of_903_files_with_the_same_names_load_as_two_returns(synthetic_council, client_and_site):
    """Without the fix the files were saved by name alone: 2016-17's header.csv overwrote 2015-16's, one
    return of mixed files was loaded and a year silently dropped."""
    client, site = client_and_site
    files = [f for year in YEARS for f in folder_files(synthetic_council["returns"], year, "returns/")]
    response = upload(client, site, files)
    assert response.status_code == 200, response.text
    lines = report_lines(response.text)
    assert [line.split(": ")[0] for line in lines] == ["loaded", "loaded"]
    for line, year in zip(lines, YEARS, strict=True):
        assert f"SSDA903 {year} for 335 Walsall from 903_335_{year}" in line
        assert line.endswith("(year taken from folder name)")
    assert loaded_years(site) == [(year, f"903_335_{year}") for year in YEARS]


def test_a_zip_of_year_folders_loads_each_year_and_reports_each_return(synthetic_council, client_and_site):
    """Without the fix a zip was saved as a file that is not a return: 'no returns found', nothing loaded.
    Then the same zip again is already loaded, and a changed year replaces the one loaded."""
    client, site = client_and_site
    returns = synthetic_council["returns"]
    archive = zipped(returns, *YEARS, inside="903/")
    response = upload(client, site, [("files", ("903 returns.zip", archive, "application/zip"))])
    assert response.status_code == 200, response.text
    assert [line.split(": ")[0] for line in report_lines(response.text)] == ["loaded", "loaded"]
    assert loaded_years(site) == [(year, f"903_335_{year}") for year in YEARS]

    again = upload(client, site, [("files", ("903 returns.zip", archive, "application/zip"))])
    assert [line.split(": ")[0] for line in report_lines(again.text)] == ["already loaded"] * 2

    changed = folder_files(returns, "2016-17")
    name, (path, content, kind) = changed[0]
    changed[0] = (name, (path, content.replace(b"\n", b"\r\n"), kind))  # the same rows, a new file
    replaced = upload(client, site, changed)
    (line,) = report_lines(replaced.text)
    assert line.startswith("replaced load 2: SSDA903 2016-17 for 335 Walsall from 903_335_2016-17")


def test_a_refused_return_is_named_as_chosen_and_nothing_is_loaded(synthetic_council, client_and_site):
    """Without the fix the problem named the server's own temporary path (…/uploads/<token>/header.csv), with
    nothing to say which year's header.csv was wrong."""
    client, site = client_and_site
    files = [f for year in YEARS for f in folder_files(synthetic_council["returns"], year)]
    i = next(i for i, (_, (path, _, _)) in enumerate(files) if path == "903_335_2016-17/header.csv")
    files[i] = ("files", ("903_335_2016-17/header.csv", b"CHILD,SEX,DOB\nX1,9,not a date\n", "text/csv"))
    response = upload(client, site, files)
    assert response.status_code == 400
    assert "Nothing was loaded" in response.text
    cells = re.findall(r'<td class="govuk-table__cell">([^<]*)</td>', response.text)
    assert "903_335_2016-17/header.csv" in cells
    assert "/uploads/" not in response.text
    assert loaded_years(site) == []


@pytest.mark.parametrize(
    ("files", "refused"),
    [
        ([("a.zip", "zip", "../../outside.csv")], "a.zip: ../../outside.csv"),
        ([("year/header.csv", "csv", ""), ("year/header.csv", "csv", "")], "year/header.csv"),
    ],
    ids=["a zip entry that climbs out", "the same path twice"],
)
def test_a_path_that_climbs_out_or_is_chosen_twice_is_refused(client_and_site, tmp_path, files, refused):
    client, site = client_and_site
    sent = []
    for name, kind, entry in files:
        if kind == "zip":
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w") as archive:
                archive.writestr(entry, "CHILD,SEX\n1,1\n")
            sent.append(("files", (name, out.getvalue(), "application/zip")))
        else:
            sent.append(("files", (name, b"CHILD,SEX\n1,1\n", "text/csv")))
    response = upload(client, site, sent)
    assert response.status_code == 400
    assert refused in response.text
    assert not list(tmp_path.rglob("outside.csv"))
    assert loaded_years(site) == []


def test_a_problem_says_what_the_form_takes_not_the_command_lines_options(synthetic_council, client_and_site):
    """A 903 return carries no LA code. Before: the page said "pass --la", an option of `load` that the upload
    form does not have."""
    client, site = client_and_site
    response = upload(client, site, folder_files(synthetic_council["returns"], "2016-17"), la="")
    assert response.status_code == 400
    assert 'carries no LA code: fill in "LA code" with the 3-digit DfE code' in response.text.replace(
        "&#34;", '"'
    )
    assert not re.search(r"--(la|year)\b", response.text)
