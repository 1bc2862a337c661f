"""Fast repeated weighted choice (random.choices rebuilds its table on every call)."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    def __init__(self, pairs: Iterable[tuple[T, float]]):
        self.items: list[T] = []
        self.cum: list[float] = []
        total = 0.0
        for item, weight in pairs:
            total += weight
            self.items.append(item)
            self.cum.append(total)

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect_right(self.cum, rng.random() * self.cum[-1])]


class Quota:
    """Yes/no decisions that land on a target count of yeses: each is yes with probability (target - yeses so far)
    / decisions left, so the last decisions make up any shortfall. A yes that could not be carried out (no child
    to re-refer) is not counted: call `done()` only for those that were."""

    def __init__(self, target: int, decisions: int):
        self.target = target
        self.left = decisions
        self.yeses = 0

    def want(self, rng: random.Random) -> bool:
        if self.left <= 0:
            return False
        wanted = rng.random() * self.left < self.target - self.yeses
        self.left -= 1
        return wanted

    def done(self) -> None:
        self.yeses += 1


class Shares(Generic[T]):
    """Choices among categories that land on target counts: each pick is drawn in proportion to what each
    category still needs (or, once every target is met, to the targets themselves)."""

    def __init__(self, targets: dict[T, int]):
        self.targets = dict(targets)
        self.taken = dict.fromkeys(targets, 0)

    def pick(self, rng: random.Random) -> T:
        needs = {k: max(0, t - self.taken[k]) for k, t in self.targets.items()}
        weights = needs if any(needs.values()) else {k: max(1, t) for k, t in self.targets.items()}
        r = rng.random() * sum(weights.values())
        for key, weight in weights.items():
            if r < weight:
                self.taken[key] += 1
                return key
            r -= weight
        key = next(iter(weights))
        self.taken[key] += 1
        return key
