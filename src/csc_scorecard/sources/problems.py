"""What was wrong with a return, said so that an analyst can find and fix it.

Every problem names the file, where in it (line, or element path and line), the field, the value and the
rule broken. Readers collect problems rather than stop at the first, so one run shows everything to fix.

Every problem is counted, however many there are; only the first few of each rule are kept to be listed
(a return with 8,000 bad dates and one bad code lists a few dates and the code, and says 8,001).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

MAX_SHOWN = 25  # lines a summary lists at most
SHOWN_PER_RULE = 3  # problems a summary lists of each rule, when they do not all fit
KEPT_PER_RULE = 20  # problems kept of each rule (for the upload page's table), within the cap

RuleKey = tuple[str, str]  # (field, rule): what one kind of problem is


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

    @property
    def key(self) -> RuleKey:
        return (self.field, self.rule)


class ReturnRejected(Exception):
    """A return (or a set of them) failed its load checks; nothing was stored.

    `problems` are those kept to be listed; `total` counts every one found and `counts` every one per rule."""

    def __init__(
        self, problems: list[Problem], total: int | None = None, counts: dict[RuleKey, int] | None = None
    ):
        self.problems = problems
        self.counts = dict(counts) if counts is not None else dict(Counter(p.key for p in problems))
        self.total = total if total is not None else max(len(problems), sum(self.counts.values()))
        super().__init__(self.summary())

    def __reduce__(self):  # a worker process sends it whole: its arguments, not its message
        return (type(self), (self.problems, self.total, self.counts))

    @classmethod
    def merged(cls, rejections: Iterable[ReturnRejected]) -> ReturnRejected:
        problems: list[Problem] = []
        counts: Counter[RuleKey] = Counter()
        total = 0
        for rejected in rejections:
            problems.extend(rejected.problems)
            counts.update(rejected.counts)
            total += rejected.total
        return cls(problems, total, dict(counts))

    def summary(self) -> str:
        if self.total <= MAX_SHOWN and len(self.problems) == self.total:
            return "\n".join(str(p) for p in self.problems)
        return "\n".join(self._by_rule())

    def _by_rule(self) -> list[str]:
        """The first few problems of each rule, in the order the rules were first met, each rule's count."""
        groups: dict[RuleKey, list[Problem]] = {}
        for problem in self.problems:
            groups.setdefault(problem.key, []).append(problem)
        lines: list[str] = []
        listed = 0
        for key, kept in groups.items():
            if len(lines) >= MAX_SHOWN:
                break
            shown = kept[:SHOWN_PER_RULE]
            lines.extend(str(p) for p in shown)
            listed += len(shown)
            more = max(self.counts.get(key, len(kept)), len(kept)) - len(shown)
            if more:
                lines.append(f"  ... and {more:,} more like this ({key[0]}: {key[1]})")
                listed += more
        if self.total > listed:
            lines.append(f"... and {self.total - listed:,} more problems")
        return lines


@dataclass
class Problems:
    """Collects problems for one file; `raise_if_any` ends the read when there were some.

    Every problem is counted (`total`, `counts` per rule); at most `cap` are kept, and at most KEPT_PER_RULE
    of any one rule, so that one rule broken on every row does not hide the others."""

    file: str
    items: list[Problem] = field(default_factory=list)
    total: int = 0
    cap: int = 200
    counts: Counter[RuleKey] = field(default_factory=Counter)

    def add(self, location: str, field_name: str, value: str | None, rule: str) -> None:
        self.total += 1
        key = (field_name, rule)
        self.counts[key] += 1
        if len(self.items) < self.cap and self.counts[key] <= KEPT_PER_RULE:
            self.items.append(Problem(self.file, location, field_name, value, rule))

    def rejected(self) -> ReturnRejected:
        return ReturnRejected(self.items, self.total, dict(self.counts))

    def fatal(self, location: str, field_name: str, value: str | None, rule: str) -> ReturnRejected:
        """A problem after which the file cannot be read further."""
        self.add(location, field_name, value, rule)
        return self.rejected()

    def raise_if_any(self) -> None:
        if self.total:
            raise self.rejected()


def raise_all(sets: Iterable[Problems]) -> None:
    """The problems of several files of one return (a folder's tables), if there are any."""
    found = [problems.rejected() for problems in sets if problems.total]
    if found:
        raise ReturnRejected.merged(found)


__all__ = ["MAX_SHOWN", "Problem", "Problems", "ReturnRejected", "raise_all"]
