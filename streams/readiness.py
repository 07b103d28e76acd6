"""Whether a worker is ready: it owns partitions and its consumer makes progress.

Answered on ``GET /ready`` beside ``/metrics`` (streams/metrics.py), for a Kubernetes
readiness probe: a worker that is restoring its tables, has no partitions, or sits on a
backlog it does not move is taken out of a rollout's count until it moves again.

The worker samples its consumer's lag every few seconds (streams/app.py ``sample_lag``,
through ``metrics.set_lag``), and each sample is ``observe``d with a count of the work
done so far (records taken in, items answered or dead-lettered). Progress is that count
going up, or a topic's lag going down (its committed offset moved on); a lag of 0 counts
as progress too, so a burst after a quiet spell is not taken for a stall. The lag alone
cannot tell progress under load: it grows while records arrive faster than they go,
though the worker is working.

Pure state and a clock: the unit tests drive it with a fake one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["PROGRESS_WINDOW_S", "Readiness", "Verdict"]

# How long a worker with a backlog may go without progress and still be ready. A full
# sync's builds and a large batch's retries run for tens of seconds without committing,
# and the kubelet's own failure threshold adds to it; two minutes of nothing is a stall.
PROGRESS_WINDOW_S = 120.0


@dataclass(frozen=True)
class Verdict:
    """Ready or not, and why, in words an operator reads in ``kubectl describe``."""

    ready: bool
    reason: str


class Readiness:
    """One worker's readiness: ``observe`` is called on the event loop with each lag
    sample, ``verdict`` from the HTTP server's threads; a lock keeps the two apart."""

    def __init__(
        self,
        window_s: float = PROGRESS_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window_s = window_s
        self._clock = clock
        self._lock = threading.Lock()
        self._first_sampled_at: float | None = None
        self._sampled_at: float | None = None
        self._assigned = False
        self._lag: dict[str, int] = {}
        self._work = 0.0
        self._progress_at: float | None = None

    def observe(self, lag: Mapping[str, int], *, assigned: bool, work: float) -> None:
        """A lag sample: records behind per topic of the stages that must keep moving,
        whether the consumer owns any partition at all, and the work count so far."""
        now = self._clock()
        with self._lock:
            sampled_before = self._sampled_at is not None
            lag_fell = any(
                records < self._lag[topic] for topic, records in lag.items() if topic in self._lag
            )
            moved = sampled_before and (work > self._work or lag_fell)
            if assigned and (moved or sum(lag.values()) == 0):
                self._progress_at = now
            if self._first_sampled_at is None:
                self._first_sampled_at = now
            self._sampled_at = now
            self._assigned = assigned
            self._lag = dict(lag)
            self._work = work

    def verdict(self) -> Verdict:
        """Ready when the worker owns partitions and has nothing to catch up on or has
        progressed within the window; else why not."""
        now = self._clock()
        with self._lock:
            if self._sampled_at is None or self._first_sampled_at is None:
                return Verdict(False, "starting: the consumer's lag was not sampled yet")
            age = now - self._sampled_at
            if age > self.window_s:
                # The sample runs on the event loop: a loop that stopped turning stops it.
                return Verdict(
                    False,
                    f"the consumer's lag was last sampled {age:.0f} s ago (event loop stalled?)",
                )
            if not self._assigned:
                return Verdict(False, "no partitions assigned yet")
            behind = {topic: records for topic, records in self._lag.items() if records > 0}
            if not behind:
                return Verdict(True, "caught up")
            where = _where(behind)
            if self._progress_at is not None and now - self._progress_at <= self.window_s:
                return Verdict(True, f"{where}, progressing")
            if self._progress_at is None:
                since = now - self._first_sampled_at
                return Verdict(False, f"{where} and no progress seen yet ({since:.0f} s)")
            return Verdict(False, f"{where} and no progress for {now - self._progress_at:.0f} s")


def _where(behind: Mapping[str, int]) -> str:
    """The backlog in a few words: its size and the topic holding most of it."""
    total = sum(behind.values())
    topic, most = max(behind.items(), key=lambda entry: (entry[1], entry[0]))
    if len(behind) == 1:
        return f"lag {total} on {topic}"
    return f"lag {total} on {len(behind)} topics (most on {topic}: {most})"
