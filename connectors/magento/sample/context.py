"""What every generation step shares: the profile, the seed, the tables rows go to, and ids.

Determinism rests on two rules kept here: randomness only comes from :meth:`Context.rng`
(seeded from the seed and a section name, never from the clock or process state), and every
date is derived from :data:`EPOCH`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from connectors.magento.sample.model import Table, Update, new_tables
from connectors.magento.sample.profiles import Profile

#: Every generated date is relative to this instant (UTC), never to the wall clock.
EPOCH: Final = datetime(2026, 1, 1)


class Seq:
    """Explicit, deterministic ids for one table."""

    __slots__ = ("value",)

    def __init__(self, first: int = 1) -> None:
        self.value = first - 1

    def next(self) -> int:
        self.value += 1
        return self.value


@dataclass
class Context:
    """The run's inputs and outputs; each step appends rows to :attr:`tables`."""

    profile: Profile
    seed: int
    tables: dict[str, Table] = field(default_factory=new_tables)
    #: Parameterised statements run after the inserts (they touch rows of defaults.sql).
    updates: list[Update] = field(default_factory=list)

    def rng(self, section: str) -> random.Random:
        """The random stream of one section of the generator.

        One generator per section, seeded from (seed, section): changing how one section draws
        numbers leaves the others' rows unchanged. String seeds hash with SHA-512, so they do not
        depend on PYTHONHASHSEED. Not for cryptography.
        """
        return random.Random(f"feedsync:{self.seed}:{section}")  # noqa: S311
