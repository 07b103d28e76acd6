"""Benchmark: full sync of every feed at once, per-feed items, wall time and items/s.

Runs a private stack (own ports and state) on a profile, starts the receiver and one worker,
registers the connector, and waits until the pipeline is done: every feed holds the item
count its verify projection gives, no request came for 15 s, and ``feedsync verify`` is clean
for every feed. Per feed it reports the items held, the time from registration to the feed's
last request, items/s, requests, and what Adobe's published rate (2 requests/s, 100 items per
request, prices 500) gives for the same item count.

    .venv/bin/python bench/all_feeds.py --profile medium [--feeds orders [--alone]]

``--alone`` makes the worker run only the ``--feeds`` given (FEEDSYNC_STREAMS__FEEDS), to
measure a feed's own rate instead of its share of a whole-catalog sync.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from full_sync import peak_rss_mb  # bench/ is on sys.path when run
from private_stack import use_private_stack

from connectors.database import connect
from connectors.debezium import register_connector
from feeds.registry import FEEDS
from feedsync.settings import Settings
from feedsync.stack.orchestrate import Stack, clean, up
from feedsync.verify import project, run
from feedsync.verify.projections import FEEDS as PROJECTIONS

ADOBE_SECONDS_PER_REQUEST = 0.5  # reference/feeds.md: 2 requests/s
ADOBE_BATCH = {"prices": 500}
QUIET_S = 15.0


def receiver_stats(db_path: Path) -> dict[str, tuple[int, float, int]]:
    """feed → (items held, time of the last request, requests)."""
    if not db_path.exists():
        return {}
    with sqlite3.connect(db_path) as db:
        held = dict(db.execute("SELECT feed, COUNT(*) FROM items GROUP BY feed").fetchall())
        requests = db.execute(
            "SELECT feed, MAX(received_at), COUNT(*) FROM requests GROUP BY feed"
        ).fetchall()
    return {feed: (int(held.get(feed, 0)), float(last), int(n)) for feed, last, n in requests}


def wait_synced(
    settings: Settings,
    expected: dict[str, int],
    db_path: Path,
    *,
    began: float,
    timeout_s: float,
) -> None:
    """Wait until every feed holds its count, no request came for QUIET_S, and verify is
    clean: a quiet spell alone can be the worker holding snapshot reads back."""
    while time.time() - began < timeout_s:
        stats = receiver_stats(db_path)
        complete = all(stats.get(f, (0, 0.0, 0))[0] >= n for f, n in expected.items())
        last = max((s[1] for s in stats.values()), default=began)
        quiet = complete and time.time() - last >= QUIET_S
        if quiet and all(run(settings, feed, examples=1).clean for feed in expected):
            return
        time.sleep(1)  # sampling
    raise SystemExit(f"not synced within {timeout_s:.0f}s")


def sync(
    settings: Settings,
    profile: str,
    feeds: list[str],
    db_path: Path,
    timeout_s: float,
    *,
    before_register: Callable[[Stack], None] | None = None,
) -> tuple[Stack, dict[str, int], float]:
    """Start the private stack on ``profile`` with a receiver and a worker, register the
    connector and wait until every feed is synced: the stack, each feed's expected item
    count, and when the connector was registered. ``before_register`` sees the stack
    once the worker runs (to attach a profiler)."""
    up(settings, profile=profile, say=lambda _l: None, register=False, pipeline=False)
    stack = Stack.of(settings)
    with connect(settings) as connection:
        expected = {feed: len(project(connection, feed)) for feed in feeds}
    stack.receiver.start(120)
    stack.worker.start(300)
    if before_register is not None:
        before_register(stack)
    began = time.time()
    register_connector(settings, timeout_s=300)
    wait_synced(settings, expected, db_path, began=began, timeout_s=timeout_s)
    return stack, expected, began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="medium")
    parser.add_argument("--feeds", default=",".join(f for f in FEEDS if f in PROJECTIONS))
    parser.add_argument("--timeout-s", type=float, default=3600)
    parser.add_argument("--alone", action="store_true", help="the worker runs only --feeds")
    args = parser.parse_args()
    feeds = [f for f in args.feeds.split(",") if f]
    if args.alone:
        os.environ["FEEDSYNC_STREAMS__FEEDS"] = ",".join(feeds)
    state_dir = Path(tempfile.mkdtemp(prefix="feedsync-bench-"))
    settings = use_private_stack(state_dir)
    db_path = state_dir / "receiver.sqlite3"
    try:
        stack, expected, began = sync(settings, args.profile, feeds, db_path, args.timeout_s)
        stats = receiver_stats(db_path)
        worker_pid = stack.worker.daemon.pid()
        rss = peak_rss_mb(worker_pid) if worker_pid else float("nan")
        print(
            f"machine   {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}"
        )
        print(
            f"profile   {args.profile}; "
            "times from connector registration to the feed's last request"
        )
        print(f"{'feed':<22}{'items':>9}{'wall s':>9}{'items/s':>9}{'requests':>10}{'Adobe s':>9}")
        for feed in feeds:
            held, last, requests = stats.get(feed, (0, began, 0))
            wall = max(last - began, 1e-9)
            batch = ADOBE_BATCH.get(feed, 100)
            adobe = -(-expected[feed] // batch) * ADOBE_SECONDS_PER_REQUEST
            print(
                f"{feed:<22}{held:>9,}{wall:>9.1f}{held / wall:>9,.0f}{requests:>10,}{adobe:>9.1f}"
            )
        print(f"worker peak RSS {rss:.0f} MiB")
        for feed in feeds:
            print(run(settings, feed, examples=2).render())
    finally:
        clean(settings, say=lambda _l: None)


if __name__ == "__main__":
    main()
