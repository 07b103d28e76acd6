"""Sync progress in the worker's log: when a feed starts catching up, how far it is, and when
it is done, with counts and time.

A feed is syncing while its items topic has records this worker has not committed past
(its backlog). Every sample (streams/app.py) compares what the feed's sender has answered
for since the catch-up began (delivered or unchanged: the metrics' counters) with what is
still waiting, and logs ``i/n`` at most every ``every_s``; a backlog back at zero ends the
catch-up with its count and duration. A full sync, a resync and a burst of changes all
read the same way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = ["SyncProgress"]

log = logging.getLogger("feedsync.progress")


@dataclass
class _CatchUp:
    began: float
    answered_before: float
    logged_at: float


@dataclass
class SyncProgress:
    """``answered()``: per feed, the items its endpoint answered for so far (counters)."""

    items_topics: Mapping[str, str]  # feed -> its items topic
    answered: Callable[[], Mapping[str, float]]
    every_s: float = 10.0
    clock: Callable[[], float] = time.monotonic
    catching_up: dict[str, _CatchUp] = field(default_factory=dict)

    def sample(self, lag: Mapping[str, int]) -> None:
        now = self.clock()
        counts = self.answered()
        for feed, topic in self.items_topics.items():
            backlog = lag.get(topic, 0)
            answered = counts.get(feed, 0.0)
            run = self.catching_up.get(feed)
            if run is None:
                if backlog > 0:
                    self.catching_up[feed] = _CatchUp(now, answered, now)
                    log.info(
                        "%s: sync started, %d items waiting",
                        feed,
                        backlog,
                        extra=_extra(feed, "started", backlog),
                    )
                continue
            done = int(answered - run.answered_before)
            if backlog == 0:
                del self.catching_up[feed]
                took = now - run.began
                log.info(
                    "%s: sync done, %d items in %.1fs",
                    feed,
                    done,
                    took,
                    extra={**_extra(feed, "done", done), "elapsed": round(took, 1)},
                )
            elif now - run.logged_at >= self.every_s:
                run.logged_at = now
                log.info(
                    "%s: sync progress %d/%d items",
                    feed,
                    done,
                    done + backlog,
                    extra=_extra(feed, "progress", done),
                )


def _extra(feed: str, status: str, items: int) -> dict[str, object]:
    return {"feed": feed, "operation": "sync", "status": status, "items": items}
