"""Example files shipped with the package: the targets `csc-scorecard demo` rates the synthetic council against
(copy and edit them: docs/targets.md), and the manual measures it declares with fifteen months of their values (README:
Manual measures)."""

from pathlib import Path

TARGETS = Path(__file__).with_name("targets.toml")
MEASURES = Path(__file__).with_name("measures.yaml")
MANUAL_VALUES = Path(__file__).with_name("manual_values.csv")
