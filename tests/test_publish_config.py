"""The per-report YAML: defaults, the documented example, placeholders and clear errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from csc_scorecard.catalogue import load_catalogue
from csc_scorecard.publish.report_config import (
    WALSALL_HEADLINE,
    ReportConfig,
    ReportConfigError,
    SlideColours,
    check_headline,
    load_report_config,
)

EXAMPLE = Path(__file__).parents[1] / "docs" / "examples" / "report.yaml"
DOC = Path(__file__).parents[1] / "docs" / "report.md"


def test_no_file_gives_the_defaults():
    config = load_report_config(None)
    assert config == ReportConfig()
    assert config.committee == "Children's Services Overview and Scrutiny Committee"
    assert config.executive_summary is None  # drafted from the scorecard
    assert len(config.recommendations) == 2


def test_the_documented_example_loads(tmp_path):
    config = load_report_config(EXAMPLE)
    assert config.meeting_date == dt.date(2017, 2, 16)
    assert config.agenda_item == "7"
    assert config.contact_officer.email == "performance@example.gov.uk"
    filled = config.resolved({"la_name": "Walsall", "period_short": "Quarter 3 2016-17"})
    assert (
        filled.recommendations[0]
        == "That the Committee notes the performance of Children's Services for Quarter 3 2016-17."
    )
    assert filled.executive_summary.split("\n\n")[0] == (
        "This report sets out how Children's Services in Walsall performed in {period_label}."
    )  # an unknown value leaves its placeholder as written


def test_every_key_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for key in ReportConfig.model_fields:
        assert f"`{key}`" in text, key


def test_placeholders_fill_only_known_names():
    config = ReportConfig(title="{council} {period} {unknown} {", consultation="With {la_name}.")
    filled = config.resolved({"council": "Walsall Council", "period": "2016-17Q3", "la_name": "Walsall"})
    assert filled.title == "Walsall Council 2016-17Q3 {unknown} {"
    assert filled.consultation == "With Walsall."


def test_unknown_and_bad_keys_are_named(tmp_path):
    path = tmp_path / "report.yaml"
    path.write_text("comittee: Scrutiny\nmeeting_date: next week\n", encoding="utf-8")
    with pytest.raises(ReportConfigError) as error:
        load_report_config(path)
    lines = sorted(str(error.value).splitlines())
    assert lines[0] == f"{path}: comittee: unknown key (the keys are listed in docs/report.md)"
    assert (
        lines[1].startswith(f"{path}: meeting_date: Input should be a valid date")
        and "'next week'" in lines[1]
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", "expected a mapping of keys to texts, found list"),
        ("title: [unclosed\n", "not valid YAML"),
    ],
)
def test_files_that_are_not_a_mapping_are_refused(tmp_path, text, message):
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReportConfigError, match=message):
        load_report_config(path)


def test_missing_file_and_empty_file(tmp_path):
    with pytest.raises(ReportConfigError, match="no such report configuration file"):
        load_report_config(tmp_path / "nope.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert load_report_config(empty) == ReportConfig()


def test_slide_colours_default_and_load_from_hex(tmp_path):
    assert ReportConfig().slides == SlideColours(primary="1F3A5F", secondary="6B7C93", accent="C8A13A")
    path = tmp_path / "report.yaml"
    path.write_text('slides:\n  primary: "#0a5c36"\n  accent: E4A11B\n', encoding="utf-8")
    slides = load_report_config(path).slides
    assert (slides.primary, slides.secondary, slides.accent) == ("0A5C36", "6B7C93", "E4A11B")
    assert load_report_config(EXAMPLE).slides == SlideColours(
        primary="003A5D", secondary="7A8B99", accent="E0A526"
    )


def test_a_bad_colour_names_its_key(tmp_path):
    path = tmp_path / "report.yaml"
    path.write_text("slides:\n  primary: #0a5c36\n  secondary: navy\n  accent: '#12345'\n  tertiary: '#000000'\n",
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(ReportConfigError) as error:
        load_report_config(path)
    assert sorted(str(error.value).splitlines()) == [
        f"{path}: slides.accent: expected a hex colour of six digits, as in \"#1F3A5F\" (value '#12345')",
        f'{path}: slides.primary: no colour given: quote it, as in "#1F3A5F" (YAML reads an unquoted # as a '
        "comment) (value None)",
        f"{path}: slides.secondary: expected a hex colour of six digits, as in \"#1F3A5F\" (value 'navy')",
        f"{path}: slides.tertiary: unknown key (the keys are listed in docs/report.md)",
    ]


def test_the_default_headline_set_is_walsalls_and_every_id_is_in_the_catalogue():
    headline = ReportConfig().headline
    assert headline == list(WALSALL_HEADLINE) and len(headline) == 24
    check_headline(ReportConfig(), load_catalogue().indicators)  # no unknown id
    areas = {load_catalogue().indicator(i).area for i in headline}
    assert areas == {
        "front_door", "early_help", "children_in_need", "child_protection", "children_in_care",
        "placement_stability", "adoption", "care_leavers", "youth_justice", "workforce", "quality_assurance",
    }  # fmt: skip
    example = load_report_config(EXAMPLE).headline
    assert example and set(example) < set(headline)


def test_a_headline_id_listed_twice_and_one_not_in_the_catalogue_are_refused(tmp_path):
    path = tmp_path / "report.yaml"
    path.write_text("headline: [cin_rate, cpp_rate, cin_rate]\n", encoding="utf-8")
    with pytest.raises(ReportConfigError) as error:
        load_report_config(path)
    assert str(error.value).startswith(f"{path}: headline: listed more than once: cin_rate")
    path.write_text("headline: [cin_rate, cla_stability]\n", encoding="utf-8")
    config = load_report_config(path)  # the file is well formed; the ids are checked against the catalogue
    with pytest.raises(ReportConfigError, match="headline: unknown indicator id cla_stability "):
        check_headline(config, load_catalogue().indicators, path)
