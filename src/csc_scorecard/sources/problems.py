"""What was wrong with a return, said so that an analyst can find and fix it.

Every problem names the file, where in it (line, or element path and line), the field, the value and the
rule broken. Readers collect problems rather than stop at the first, so one run shows everything to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_SHOWN = 25


@dataclass(frozen=True)
class Problem:
    file: str
    location: str  # "line 12", or "Child[3]/CINdetails[1]/CINreferralDate (line 40)"
    field: str
    value: str | None
    rule: str

    def __str__(self) -> str:
        value = "(blank)" if self.value in (None, "") else repr(self.value)
        return f"{self.file}: {self.location}: {self.field} = {value}: {self.rule}"


class ReturnRejected(Exception):
    """A return (or a set of them) failed its load checks; nothing was stored."""

    def __init__(self, problems: list[Problem], total: int | None = None):
        self.problems = problems
        self.total = total if total is not None else len(problems)
        super().__init__(self.summary())

    def summary(self) -> str:
        lines = [str(p) for p in self.problems[:MAX_SHOWN]]
        if self.total > len(lines):
            lines.append(f"... and {self.total - len(lines)} more problems")
        return "\n".join(lines)


@dataclass
class Problems:
    """Collects problems for one file; `raise_if_any` ends the read when there were some."""

    file: str
    items: list[Problem] = field(default_factory=list)
    total: int = 0
    cap: int = 200

    def add(self, location: str, field_name: str, value: str | None, rule: str) -> None:
        self.total += 1
        if len(self.items) < self.cap:
            self.items.append(Problem(self.file, location, field_name, value, rule))

    def fatal(self, location: str, field_name: str, value: str | None, rule: str) -> ReturnRejected:
        """A problem after which the file cannot be read further."""
        self.add(location, field_name, value, rule)
        return ReturnRejected(self.items, self.total)

    def raise_if_any(self) -> None:
        if self.total:
            raise ReturnRejected(self.items, self.total)
