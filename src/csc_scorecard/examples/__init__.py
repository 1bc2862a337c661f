"""Example files shipped with the package: the targets `csc-scorecard demo` rates the synthetic council against
(copy and edit them: docs/targets.md)."""

from pathlib import Path

TARGETS = Path(__file__).with_name("targets.toml")
