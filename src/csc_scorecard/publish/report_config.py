"""The cover texts of a committee report and the indicators it reports in words (its headline set), from a
per-report YAML file with sensible defaults (docs/report.md).

Every text may use the placeholders {council}, {la_name}, {period} (2016-17Q3), {period_short}
(Quarter 3 2016-17), {period_label} (with its dates), {committee} and {meeting_date}; any other braces are left as they are, so a stray "{" in a text never breaks a report.
Unknown keys are refused, so a misspelt heading is reported rather than silently replaced by its default; so are
headline ids that are not indicators of the scorecard (check_headline: the CLI checks them against the catalogue
before any work, write_pack against the scorecard it is given).
The `slides` section holds the council's template colours for slides.pptx.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

HEX_COLOUR = re.compile(r"#?([0-9A-Fa-f]{6})")
PLACEHOLDER = re.compile(r"\{(council|la_name|period|period_short|period_label|committee|meeting_date)\}")


# The indicators Walsall's scrutiny report for Quarter 3 2016-17 discusses in words (shared/examples), as
# catalogue ids: front door and early help, children in need, child protection, children in care, adoption,
# care leavers, youth justice, workforce (the local quarterly template, not the annual CSWW census) and audits.
WALSALL_HEADLINE: tuple[str, ...] = (
    "early_help_contacts_count",
    "early_help_assessments_count",
    "early_help_positive_closure_pct",
    "referrals_rate",
    "referrals_nfa_pct",
    "re_referrals_12m_pct",
    "assessments_45wd_pct",
    "cin_rate",
    "cpp_rate",
    "cpp_second_pct",
    "cla_rate",
    "cla_starts_count",
    "cla_longterm_stability_pct",
    "cla_3plus_placements_pct",
    "adoption_a1_days",
    "adoption_a2_days",
    "care_leavers_19_21_suitable_accom_pct",
    "care_leavers_19_21_eet_pct",
    "yj_first_time_entrants_rate",
    "yj_reoffending_pct",
    "sw_agency_rate_pct",
    "sw_vacancy_rate_pct",
    "caseload_average",
    "case_audits_good_pct",
)


# The scorecard grid's rows by default (report.yaml `grid`): a council scorecard's measures, Walsall's kinds (the
# statutory core, early help, workforce, youth justice, audits, visits and caseloads), not every LAIT measure the
# catalogue can compute, which the spreadsheet and the dashboard show. Manual measures are always in the grid, and
# so is any indicator the report discusses.
SCORECARD_GRID: tuple[str, ...] = (
    "referrals_count", "referrals_rate", "re_referrals_12m_pct", "referrals_nfa_pct", "assessments_count",
    "assessments_45wd_pct", "cin_count", "cin_rate", "s47_count", "s47_icpc_15wd_pct", "cpp_count", "cpp_rate",
    "cpp_starts_count", "cpp_second_pct", "cpp_2yrs_ended_pct", "cla_count", "cla_rate", "cla_starts_count",
    "cla_ceased_count", "ceased_sgo_count", "cla_3plus_placements_pct", "cla_longterm_stability_pct",
    "cla_missing_pct", "cla_away_pct", "ceased_adopted_pct", "adoption_a1_days", "adoption_a2_days",
    "care_leavers_19_21_suitable_accom_pct", "care_leavers_19_21_eet_pct", "care_leavers_17_18_suitable_accom_pct",
    "care_leavers_17_18_eet_pct", "early_help_contacts_count", "early_help_assessments_count",
    "early_help_closures_count", "early_help_positive_closure_pct", "early_help_step_ups_count",
    "early_help_step_up_pct", "sw_agency_rate_pct", "sw_vacancy_rate_pct", "sw_turnover_rate_pct",
    "caseload_average", "caseload_over_promise_count", "caseload_over_promise_pct", "csww_agency_rate_pct",
    "csww_vacancy_rate_pct", "csww_turnover_rate_pct", "csww_caseload_average", "yj_first_time_entrants_count",
    "yj_first_time_entrants_rate", "yj_reoffending_pct", "yj_reoffences_per_reoffender", "yj_custody_rate",
    "case_audits_count", "case_audits_good_pct", "case_audits_inadequate_pct", "ssd_cp_visits_in_timescale_pct",
    "ssd_cla_visits_in_timescale_pct", "ssd_caseload_average", "ssd_caseload_over_promise_pct", "contacts_count",
    "contacts_to_referral_pct", "cp_visits_in_timescale_pct", "cla_visits_in_timescale_pct",
)  # fmt: skip


class ReportConfigError(ValueError):
    """A report YAML that cannot be used; the message names the file and every bad key."""


class ContactOfficer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "Performance and Intelligence Team"
    job_title: str = "Children's Services"
    email: str | None = None
    phone: str | None = None


class SlideColours(BaseModel):
    """The council's template colours for the slides, as hex: "#1F3A5F" (stored as "1F3A5F")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    primary: str = "1F3A5F"  # title slide, title bars, table headings
    secondary: str = "6B7C93"  # tile outlines, chart caption rule
    accent: str = "C8A13A"  # the rule under each title bar

    @field_validator("primary", "secondary", "accent", mode="before")
    @classmethod
    def _hex(cls, value: object) -> str:
        if value is None:  # `primary: #1F3A5F` unquoted: YAML reads everything after # as a comment
            raise ValueError(
                'no colour given: quote it, as in "#1F3A5F" (YAML reads an unquoted # as a comment)'
            )
        match = HEX_COLOUR.fullmatch(value.strip()) if isinstance(value, str) else None
        if match is None:
            raise ValueError('expected a hex colour of six digits, as in "#1F3A5F"')
        return match.group(1).upper()


class ReportConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    council: str | None = None  # None: "<LA name> Council"
    committee: str = "Children's Services Overview and Scrutiny Committee"
    meeting_date: dt.date | None = None
    agenda_item: str | None = None
    title: str = "Children's Services performance: {period_short}"
    report_of: str = "Executive Director of Children's Services"
    portfolio: str | None = "Portfolio Holder for Children's Services"
    wards: str = "All"
    key_decision: bool = False
    executive_summary: str | None = None  # None: drafted from the scorecard (RAG and trend counts)
    reason_for_scrutiny: str = (
        "The Committee monitors the performance of Children's Services each quarter. This report sets out "
        "performance for {period_label} against local targets, the council's own trend, its statistical "
        "neighbours and England, so that members can question officers on areas of concern."
    )
    recommendations: list[str] = Field(
        default_factory=lambda: [
            "That the Committee notes the performance of Children's Services for {period_label}.",
            "That the Committee identifies any areas of performance on which it wishes to receive further "
            "information or a more detailed report at a future meeting.",
        ]
    )
    background_papers: list[str] = Field(
        default_factory=lambda: [
            "Children's Services performance scorecard (scorecard.xlsx)",
            "Presentation of the scorecard (slides.pptx)",
        ]
    )
    resource_and_legal_considerations: str = (
        "There are no direct resource or legal implications arising from this report. The council has "
        "statutory duties under the Children Act 1989 and the Children Act 2004, and the measures reported "
        "here show how well those duties are being met."
    )
    citizen_impact: str = (
        "Good performance in Children's Services means that children and young people are safeguarded and "
        "supported to achieve good outcomes."
    )
    environmental_impact: str = "There are no environmental impacts arising from this report."
    performance_management: str = (
        "Performance is reviewed monthly by the Performance and Improvement Board and quarterly by this "
        "Committee. Each indicator is judged against its target, its own trend (including statistical process "
        "control), statistical neighbours and England."
    )
    equality_implications: str = (
        "The services measured here are for vulnerable children and young people. Figures based on 1 to 5 "
        "children are suppressed in the published report so that no child can be identified."
    )
    consultation: str = "This report has been prepared with the Children's Services management team."
    contact_officer: ContactOfficer = Field(default_factory=ContactOfficer)
    slides: SlideColours = Field(default_factory=SlideColours)
    headline: list[str] = Field(default_factory=lambda: list(WALSALL_HEADLINE))
    # The background paper's grid: these ids (with manual measures and those the report discusses), or "all".
    grid: list[str] | Literal["all"] = Field(default_factory=lambda: list(SCORECARD_GRID))

    @field_validator("headline", "grid")
    @classmethod
    def _listed_once(cls, ids: list[str] | str) -> list[str] | str:
        if isinstance(ids, str):
            return ids
        if repeated := sorted({i for i in ids if ids.count(i) > 1}):
            raise ValueError(f"listed more than once: {', '.join(repeated)}")
        return ids

    def resolved(self, values: Mapping[str, str]) -> ReportConfig:
        """A copy with the placeholders filled in every text (the contact officer included)."""

        def fill(text: str) -> str:
            return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)

        data = self.model_dump()
        for key, value in data.items():
            if isinstance(value, str):
                data[key] = fill(value)
            elif isinstance(value, list):
                data[key] = [fill(v) for v in value]
        data["contact_officer"] = {
            k: fill(v) if isinstance(v, str) else v for k, v in data["contact_officer"].items()
        }
        return ReportConfig.model_validate(data)


def load_report_config(path: Path | None) -> ReportConfig:
    """The report's cover texts; None (or an empty file) gives the defaults."""
    if path is None:
        return ReportConfig()
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportConfigError(f"{path}: no such report configuration file") from None
    except yaml.YAMLError as error:
        raise ReportConfigError(f"{path}: not valid YAML ({error})") from None
    if raw is None:
        return ReportConfig()
    if not isinstance(raw, dict):
        raise ReportConfigError(f"{path}: expected a mapping of keys to texts, found {type(raw).__name__}")
    try:
        return ReportConfig.model_validate(raw)
    except ValidationError as error:
        problems = [f"{path}: {'.'.join(str(p) for p in e['loc'])}: {_problem(e)}" for e in error.errors()]
        raise ReportConfigError("\n".join(problems)) from None


def check_headline(config: ReportConfig, known: Collection[str], source: Path | None = None) -> None:
    """Refuse headline (and grid) ids that are not among `known` (the catalogue's, or the scorecard's), naming
    each one. The default grid is not checked: a council's catalogue may lack some of its measures."""
    lists = {"headline": config.headline}
    if config.grid != "all" and config.grid != list(SCORECARD_GRID):
        lists["grid"] = config.grid
    for key, ids in lists.items():
        if unknown := [i for i in ids if i not in known]:
            raise ReportConfigError(
                f"{source or 'report configuration'}: {key}: unknown indicator id{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(unknown)} (csc-scorecard catalogue lists the ids)"
            )


def _problem(error: dict) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key (the keys are listed in docs/report.md)"
    if error["type"] == "value_error":  # our own validators' messages, without pydantic's "Value error, "
        return f"{error['ctx']['error']} (value {error.get('input')!r})"
    return f"{error['msg']} (value {error.get('input')!r})"
