"""No message suggests an option its command does not take, and an option means the same everywhere (issue 14
item 6).

Every "--option" a message mentions is collected: from what each command says when it is used wrongly (run
through the real CLI, below), and from every message in the source that names a command
("csc-scorecard load --db ..."). A bare "--option" must be one of the command's own or a group option (before
the command); one after a named command must be that command's. Readers word their problems for `load` ("pass
--year"); `load-national` and the web upload, which take no such options, say what they take instead.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli

SRC = Path(__file__).parents[1] / "src" / "csc_scorecard"
FIXTURES = Path(__file__).parent / "fixtures" / "returns"
CIN = FIXTURES / "CIN_335_2016-17.xml"
RETURN_903 = FIXTURES / "903_335_2016-17"
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
# A command named in a message, to the end of the mention ("the csc-scorecard command line" is prose, unless
# it is quoted as a command).
NAMED = re.compile(r"(`?)csc-scorecard\s+([^`'\"\n;)]*)")
GROUP_OPTIONS = {
    "--help",
    *(o for p in cli.params for o in (*p.opts, *p.secondary_opts) if o.startswith("--")),
}
A_UPN = "A335732799171"  # a valid UPN (its check letter is right): text holding it must be confirmed


def command(words: list[str]) -> tuple[list[str], click.Command, list[str]]:
    """(the command's path, the command, the words after it) for `csc-scorecard <words>`."""
    found: click.Command = cli
    path: list[str] = []
    words = list(words)
    while words:
        word = words[0]
        if word in GROUP_OPTIONS and not path:
            words = words[1 + (word == "--settings") :]
            continue
        if not isinstance(found, click.Group) or word not in found.commands:
            break
        found, path, words = found.commands[word], [*path, word], words[1:]
    return path, found, words


def options(found: click.Command) -> set[str]:
    return GROUP_OPTIONS | {
        o for p in found.params for o in (*p.opts, *p.secondary_opts) if o.startswith("--")
    }


def foreign_options(text: str, path: list[str] | None) -> list[str]:
    """Each option `text` mentions that its command does not take (the command at `path`, or the one a mention
    names); empty when every one is right. With no `path`, only the options after a named command."""
    wrong = []
    for quoted, mention in NAMED.findall(text):
        named_path, named, rest = command(mention.split())
        if named is cli and rest and not rest[0].startswith(("--", "...")):  # "csc-scorecard --debug ..."
            assert not quoted, f"no such command: csc-scorecard {mention}"
            continue
        wrong += [f"{o} (csc-scorecard {' '.join(named_path)})" for o in OPTION.findall(" ".join(rest))
                  if o not in options(named)]  # fmt: skip
    if path is None:
        return wrong
    own = options(command(path)[1])
    return wrong + [o for o in OPTION.findall(NAMED.sub("", text)) if o not in own]


# --- every message in the source that names a command ---------------------------------------------------------


def _strings(tree: ast.AST) -> list[str]:
    """The text of every string and f-string (with {} for what is filled in), an f-string as a whole."""
    joined = [node for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)]
    parts = {id(v) for node in joined for v in node.values}
    out = ["".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values) for node in joined]
    return out + [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in parts
    ]


def test_every_command_a_message_names_takes_the_options_it_names() -> None:
    mentions = {}
    for module in sorted(SRC.rglob("*.py")):
        for text in _strings(ast.parse(module.read_text(encoding="utf-8"))):
            if NAMED.search(text):
                mentions[f"{module.relative_to(SRC)}: {text.strip()[:80]}"] = foreign_options(text, None)
    assert len(mentions) >= 8, (
        mentions
    )  # the demo's next steps, the store's "load first", the pack's --confirm, ...
    assert {where: wrong for where, wrong in mentions.items() if wrong} == {}


# --- what each command says when it is used wrongly -----------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("messages") / "s.duckdb"
    result = CliRunner().invoke(cli, ["load", str(CIN), str(RETURN_903), "--la", "335", "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


def _903_without_its_year(root: Path) -> Path:
    """A 903 return whose file names give two different collection years: the year must be given."""
    folder = root / "returns"
    folder.mkdir(parents=True)
    for f in RETURN_903.iterdir():
        shutil.copy(
            f, folder / f.name.replace(".csv", "_2015-16.csv" if f.name == "header.csv" else "_2016-17.csv")
        )
    return folder


def _national(root: Path) -> Path:
    _903_without_its_year(root / "national" / "335")
    return root / "national"


SCENARIOS = {
    # name: (the command line, given the store and a folder; an option or phrase the output must hold)
    "load: a 903 return without its LA": (lambda db, tmp: ["load", RETURN_903, "--db", db], "--la"),
    "load: a 903 return without its year": (
        lambda db, tmp: ["load", _903_without_its_year(tmp), "--la", "335", "--db", tmp / "new.duckdb"],
        "--year",
    ),
    "load-national: a 903 return without its year": (
        lambda db, tmp: ["load-national", _national(tmp), "--db", tmp / "new.duckdb"],
        "name the return's folder or file with its collection year",
    ),
    "judge: not a period": (lambda db, tmp: ["judge", "--period", "2016-17Q5", "--db", db], "--period"),
    "report: not a period": (
        lambda db, tmp: ["report", "--period", "Q3", "--out", tmp / "pack", "--db", db],
        "--period",
    ),
    "indicators: not a period": (lambda db, tmp: ["indicators", "--period", "Q3", "--db", db], "--from"),
    "indicators: half a window": (lambda db, tmp: ["indicators", "--from", "2016-04-01", "--db", db], "--to"),
    "commentary set: no such indicator": (
        lambda db, tmp: [
            "commentary",
            "set",
            "--indicator",
            "re_referals",
            "--period",
            "2016-17Q3",
            "--text",
            "x",
            "--db",
            db,
        ],
        "--indicator",
    ),
    "commentary set: text holding a UPN": (
        lambda db, tmp: [
            "commentary",
            "set",
            "--indicator",
            "cin_count",
            "--period",
            "2016-17Q3",
            "--text",
            f"See {A_UPN}.",
            "--db",
            db,
        ],
        "--confirm",
    ),
    "commentary add-priority: no such area": (
        lambda db, tmp: [
            "commentary",
            "add-priority",
            "--area",
            "nowhere",
            "--period",
            "2016-17Q3",
            "--text",
            "x",
            "--db",
            db,
        ],
        "--area",
    ),
    "commentary add-achievement: not a period": (
        lambda db, tmp: [
            "commentary",
            "add-achievement",
            "--area",
            "front_door",
            "--period",
            "Q3",
            "--text",
            "x",
            "--db",
            db,
        ],
        "--period",
    ),
    "status: no store": (lambda db, tmp: ["status", "--db", tmp / "none.duckdb"], "csc-scorecard load --db"),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_a_command_used_wrongly_suggests_only_options_it_takes(scenario, store, tmp_path) -> None:
    """Before: `judge --period 2016-17Q5` and the web's period said "or --from/--to" (only `indicators` takes
    a window); `load-national` said "pass --year"; the web upload said "pass --la"."""
    make, expected = SCENARIOS[scenario]
    args = [str(a) for a in make(store, tmp_path)]
    result = CliRunner().invoke(cli, args, env={"COLUMNS": "200"})
    assert expected in result.output, result.output
    path = command(args)[0]
    assert foreign_options(result.output, path) == [], result.output


# --- one option, one meaning ------------------------------------------------------------------------------------


def _commands(group: click.Group = cli, path: tuple[str, ...] = ()):
    for name, found in group.commands.items():
        if isinstance(found, click.Group):
            yield from _commands(found, (*path, name))
        else:
            yield (*path, name), found


def test_every_option_has_help_and_a_shared_option_reads_alike() -> None:
    missing = [f"{' '.join(p)} {o.opts[0]}" for p, c in _commands() for o in c.params
               if isinstance(o, click.Option) and not o.help]  # fmt: skip
    assert missing == []
    la = {" ".join(p): o.help for p, c in _commands() for o in c.params if "--la" in o.opts}
    assert all("its DfE code (335) or name (Walsall)" in text for text in la.values()), la
    assert not any("The LA: " in text.split(": ", 1)[1] for text in la.values() if ": " in text), la
    # the last period an action is reported in: close-action's --period, and update-action's too
    (closing,) = [o.opts for p, c in _commands() for o in c.params if o.name == "closed_period"]
    assert "--period" in closing, closing
