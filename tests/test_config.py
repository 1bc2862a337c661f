"""Settings in one place (config.py): file, then environment, then arguments; every one documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli
from csc_scorecard.config import SETTINGS, SettingsError, load_settings, render_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_settings_from_file_then_environment_then_arguments(tmp_path):
    toml = tmp_path / "council.toml"
    toml.write_text(
        '[store]\ndb = "from-file.duckdb"\n[scorecard]\nla = "335"\ntargets = "targets.toml"\n'
        '[spark]\nmaster = "spark://cluster:7077"\n'
        "[web]\nsession_hours = 4\nhttps = true\n"
        '[web.oidc]\nmetadata_url = "https://idp.example/meta"\nclient_id = "abc"\nclient_secret = "s3"\n'
        'analyst_values = ["Analysts"]\n',
        encoding="utf-8",
    )
    env = {"CSC_SCORECARD_WEB_SESSION_HOURS": "2", "CSC_SCORECARD_OIDC_DEFAULT_ROLE": "viewer"}
    settings = load_settings(toml, env=env, db=Path("argument.duckdb"))
    assert settings.db == settings.web.db == Path("argument.duckdb")
    assert settings.la_code == settings.web.la_code == "335"
    assert settings.targets == settings.web.targets == Path("targets.toml")
    assert settings.spark.master == "spark://cluster:7077" and settings.spark.shuffle_partitions == 8
    web = settings.web
    assert web.session_hours == 2.0 and web.https is True
    assert web.state_path == Path("argument.web.sqlite")
    assert web.oidc.analyst_values == ("Analysts",) and web.oidc.default_role == "viewer"


def test_the_settings_file_can_come_from_the_environment(tmp_path):
    toml = tmp_path / "council.toml"
    toml.write_text('[store]\ndb = "elsewhere.duckdb"\n', encoding="utf-8")
    assert load_settings(env={"CSC_SCORECARD_SETTINGS": str(toml)}).db == Path("elsewhere.duckdb")
    assert load_settings(env={}).db == Path("scorecard.duckdb")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"CSC_SCORECARD_WEB_HTTPS": "maybe"},
            "CSC_SCORECARD_WEB_HTTPS: https = 'maybe': expected true or false",
        ),
        (
            {"CSC_SCORECARD_WEB_SESSION_HOURS": "eight"},
            "CSC_SCORECARD_WEB_SESSION_HOURS: session_hours = 'eight'",
        ),
        (
            {"CSC_SCORECARD_SPARK_SHUFFLE_PARTITIONS": "many"},
            "CSC_SCORECARD_SPARK_SHUFFLE_PARTITIONS: shuffle_partitions = 'many'",
        ),
        (
            {"CSC_SCORECARD_OIDC_CLIENT_ID": "abc"},
            "environment: OIDC needs metadata_url, client_secret as well",
        ),
        ({"CSC_SCORECARD_LA": "33"}, "la_code '33': a 3-digit DfE LA code"),
        (
            {"CSC_SCORECARD_WEB_BOARD_LANDING": "viewer, board"},
            "board_landing: board: roles are viewer, manager, analyst and admin",
        ),
    ],
)
def test_bad_settings_say_where_and_what(env, message):
    with pytest.raises(SettingsError, match=re.escape(message)):
        load_settings(env=env)


def test_the_board_landing_roles_from_the_environment_or_the_file(tmp_path):
    assert load_settings(env={"CSC_SCORECARD_WEB_BOARD_LANDING": "viewer, admin"}).web.board_landing == (
        "viewer",
        "admin",
    )
    file = tmp_path / "settings.toml"
    file.write_text('[web]\nboard_landing = ["analyst"]\n', encoding="utf-8")
    assert load_settings(file, env={}).web.board_landing == ("analyst",)
    assert load_settings(env={}).web.board_landing == ()


def test_a_misplaced_or_misspelt_setting_is_refused(tmp_path):
    toml = tmp_path / "council.toml"
    toml.write_text('[web]\ndb = "x.duckdb"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"unknown setting 'db' in \[web\] \(settings there: state,"):
        load_settings(toml, env={})
    toml.write_text('[stor]\ndb = "x.duckdb"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="unknown table"):
        load_settings(toml, env={})


def test_the_cli_reads_the_settings_file(tmp_path):
    """`--settings` before the command sets the store every command uses unless --db is given."""
    toml = tmp_path / "council.toml"
    db = tmp_path / "from-settings.duckdb"
    toml.write_text(f'[store]\ndb = "{db}"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--settings", str(toml), "status"])
    assert result.exit_code != 0 and f"no store at {db}" in result.output
    toml.write_text("[store]\nbd = 1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--settings", str(toml), "status"])
    assert result.exit_code == 2 and "unknown setting 'bd' in [store]" in result.output


def test_every_setting_is_documented_and_the_page_is_current():
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), (
        "docs/settings.md is stale: python -m csc_scorecard.config > docs/settings.md"
    )
    assert len({s.env for s in SETTINGS}) == len(SETTINGS)
