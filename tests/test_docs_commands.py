"""Docs are tests: every command the README's command table lists, and every `csc-scorecard ...` example in the
README and docs/*.md, names a command that exists and only options that command takes; each command answers
--help. A documented command that answers "No such command" fails here, not in front of a new user."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli

ROOT = Path(__file__).parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
SPAN = re.compile(r"`([^`\n]+)`")
FENCE = re.compile(r"^```.*?$(.*?)^```", re.MULTILINE | re.DOTALL)
PREFIX = re.compile(r"(?:^|[\s(])(?:\.venv/bin/)?csc-scorecard\s+(?=[a-z-])")


def _command_table() -> list[str]:
    """The first cell of each row of README's command table (each backticked command in it)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("| command | what it does |", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    return [span for row in rows for span in SPAN.findall(row.split(" | ", 1)[0])]


def _examples() -> list[tuple[str, str]]:
    """(where, command line after `csc-scorecard`) for every example in inline code and code blocks."""
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        blocks = [line for block in FENCE.findall(text) for line in block.splitlines()]
        spans = SPAN.findall(FENCE.sub("", text))
        for snippet in [*blocks, *spans]:
            for part in re.split(r";|&&|\|\|", snippet.split(" #", 1)[0]):
                match = PREFIX.search(part)
                if match:
                    found.append((doc.relative_to(ROOT).as_posix(), part[match.end() :].strip()))
    return found


def _resolve(words: list[str]) -> list[tuple[list[str], click.Command, list[str]]]:
    """[(command path, command, the remaining words)]: one per alternative of `a/b/c` subcommand lists."""
    command: click.Command = cli
    path: list[str] = []
    skip = False
    for i, word in enumerate(words):
        if skip:
            skip = False
            continue
        if isinstance(command, click.Group) and word.startswith("--") and path == []:
            option = next((p for p in cli.params if word.split("=")[0] in p.opts), None)
            assert option is not None, f"csc-scorecard has no option {word} before the command"
            skip = "=" not in word and not getattr(option, "is_flag", False)
            continue
        if not isinstance(command, click.Group) or word.startswith("-"):
            return [(path, command, words[i:])]
        if "/" in word:
            return [
                out
                for alternative in word.split("/")
                for out in _resolve([*path, alternative, *words[i + 1 :]])
            ]
        found = command.commands.get(word)
        if found is None:
            raise AssertionError(f"no such command: csc-scorecard {' '.join([*path, word])}")
        command, path = found, [*path, word]
    return [(path, command, [])]


def _options(words: list[str]) -> list[str]:
    names = []
    for word in words:
        word = word.strip("[](),")
        if word.startswith("--") and len(word) > 2:
            names.append(word.split("=", 1)[0])
    return names


def _check(line: str) -> list[tuple[list[str], click.Command]]:
    words = shlex.split(line.replace("\\|", "|").replace("...", " "), posix=True)
    if not words:
        return []
    resolved = _resolve(words)
    for path, command, rest in resolved:
        assert not isinstance(command, click.Group) or not rest, (
            f"csc-scorecard {' '.join(path)}: needs a subcommand"
        )
        known = {name for param in command.params for name in param.opts + param.secondary_opts}
        unknown = [o for o in _options(rest) if o not in known | {"--help", "--version"}]
        assert not unknown, f"csc-scorecard {' '.join(path)} has no option {', '.join(unknown)}"
    return [(path, command) for path, command, _ in resolved]


TABLE = _command_table()
EXAMPLES = _examples()


def test_the_readme_lists_every_command_and_the_docs_give_examples():
    assert len(TABLE) >= 15 and len(EXAMPLES) >= 15
    documented = {" ".join(path) for line in TABLE for path, _ in _check(line)}
    commands = {name for name, c in cli.commands.items() if not isinstance(c, click.Group)}
    groups = {
        f"{g} {name}" for g, c in cli.commands.items() if isinstance(c, click.Group) for name in c.commands
    }
    missing = sorted((commands | groups) - documented - {"users list"})  # `users list` is in docs/web.md
    assert not missing, f"commands the README's table does not list: {missing}"


@pytest.mark.parametrize("line", TABLE)
def test_every_command_in_the_readme_table_exists(line):
    _check(line)


@pytest.mark.parametrize(("where", "line"), EXAMPLES, ids=[f"{w}: {line[:50]}" for w, line in EXAMPLES])
def test_every_documented_example_names_real_commands_and_options(where, line):
    _check(line)


def test_every_command_answers_help():
    runner = CliRunner()
    paths = [[name] for name in cli.commands] + [
        [g, name] for g, c in cli.commands.items() if isinstance(c, click.Group) for name in c.commands
    ]
    for path in paths:
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, f"csc-scorecard {' '.join(path)} --help: {result.output}"
        assert "Usage: " in result.output


def test_the_check_fails_on_a_made_up_command_or_option():
    with pytest.raises(AssertionError, match="no such command: csc-scorecard reprot"):
        _check("reprot --period 2016-17Q3")
    with pytest.raises(AssertionError, match="has no option --colour"):
        _check("judge --period 2016-17Q3 --colour")
    with pytest.raises(AssertionError, match="no such command: csc-scorecard commentary delete"):
        _check("commentary set/delete --la 335")
