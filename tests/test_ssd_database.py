"""The SSD from a live database: a real PostgreSQL cluster (Debian's server, started for the test) holding the
synthetic council's SSD, loaded through `load --from-db URL --schema S` with the password from the environment
or a 0600 file, gives exactly the canonical tables its CSV extract gives."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli
from csc_scorecard.sources.tables import TABLES
from postgres import PASSWORD, cluster, fill_from_extract
from store_checks import query, table_checksums

LA = "335"
SCHEMA = "ssd_development"


@pytest.fixture(scope="module")
def ssd_in_postgres(tmp_path_factory):
    root = tmp_path_factory.mktemp("ssd_postgres")
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["synth", "--la", LA, "--years", "2015-16:2016-17", "--seed", "3", "--scale", "0.3", "--no-local-data",
         "--out", str(root / "returns"), "--ssd-out", str(root / "ssd")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    extract = root / "ssd" / "ssd_335"
    result = runner.invoke(cli, ["load", str(extract), "--la", LA, "--db", str(root / "csv.duckdb")])
    assert result.exit_code == 0, result.output
    with cluster() as pg:
        counts = fill_from_extract(pg.url, PASSWORD, extract, SCHEMA)
        yield {"root": root, "url": pg.url, "counts": counts}


def _canonical(db) -> dict[str, list[tuple]]:
    """Every canonical table's rows without their lineage (which load, which line)."""
    out = {}
    for spec in TABLES:
        columns = ", ".join(f'"{c}"' for c in spec.column_names)
        out[spec.name] = query(db, f"SELECT {columns} FROM {spec.name} ORDER BY ALL")
    return out


def test_the_database_gives_the_same_canonical_tables_as_the_csv_extract(
    ssd_in_postgres, monkeypatch, tmp_path
):
    monkeypatch.setenv("CSC_SCORECARD_SSD_PASSWORD", PASSWORD)
    db = tmp_path / "db.duckdb"
    result = CliRunner().invoke(
        cli, ["load", "--from-db", ssd_in_postgres["url"], "--schema", SCHEMA, "--la", LA, "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert result.output.startswith(
        f"loaded: SSD snapshot taken 01/04/2017 for 335 Walsall from {ssd_in_postgres['url']} (schema {SCHEMA}), "
        "holding 01/04/2015 to 31/03/2017 (dates from ssd_vw_current_time_windows)"
    )
    assert _canonical(db) == _canonical(ssd_in_postgres["root"] / "csv.duckdb")
    lineage = query(db, "SELECT format, source_name, files FROM loads")[0]
    assert lineage[0] == "ssd_db" and PASSWORD not in lineage[1]
    assert f"{SCHEMA}.ssd_person" in lineage[2] and len(lineage[2]) == len(ssd_in_postgres["counts"])
    again = CliRunner().invoke(
        cli, ["load", "--from-db", ssd_in_postgres["url"], "--schema", SCHEMA, "--la", LA, "--db", str(db)]
    )
    assert again.output.startswith("already loaded: ")


def test_a_0600_password_file_is_read_and_a_wrong_password_is_a_clear_refusal(
    ssd_in_postgres, monkeypatch, tmp_path
):
    monkeypatch.delenv("CSC_SCORECARD_SSD_PASSWORD", raising=False)
    secret = tmp_path / "ssd.password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    secret.chmod(0o600)
    db = tmp_path / "db.duckdb"
    args = ["load", "--from-db", ssd_in_postgres["url"], "--schema", SCHEMA, "--la", LA, "--db", str(db)]
    result = CliRunner().invoke(cli, [*args, "--password-file", str(secret)])
    assert result.exit_code == 0, result.output
    before = table_checksums(db)
    secret.write_text("not the password\n", encoding="utf-8")
    result = CliRunner().invoke(cli, [*args, "--password-file", str(secret)])
    assert result.exit_code == 1
    assert "Nothing was loaded" in result.output and "cannot be read: " in result.output
    assert "not the password" not in result.output
    assert table_checksums(db) == before


def test_a_schema_without_the_ssd_says_so(ssd_in_postgres, monkeypatch, tmp_path):
    monkeypatch.setenv("CSC_SCORECARD_SSD_PASSWORD", PASSWORD)
    result = CliRunner().invoke(
        cli,
        ["load", "--from-db", ssd_in_postgres["url"], "--schema", "public", "--la", LA, "--db", str(tmp_path / "d.duckdb")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert (
        f"database: tables = (blank): no SSD tables (ssd_person, ssd_cin_episodes, ...) in {ssd_in_postgres['url']} (schema public)"
        in result.output
    )
