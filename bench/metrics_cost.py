"""Benchmark: what the worker's Prometheus instrumentation costs, sampled from a full sync.

Runs a private stack (own ports and state) on a profile, starts the receiver and one worker,
attaches py-spy (``pip install py-spy``; not a dependency of feedsync) to the worker, syncs
every feed, and counts the worker's busy CPU samples (idle threads left out) whose stack
passes through prometheus-client or streams/metrics.py. That share bounds what turning the
metrics off could win; it is measured on the same run as the throughput it is compared to.

    .venv/bin/python bench/metrics_cost.py --profile small
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from all_feeds import receiver_stats, sync  # bench/ is on sys.path when run
from private_stack import use_private_stack

from feeds.registry import FEEDS
from feedsync.stack.orchestrate import Stack, clean
from feedsync.verify.projections import FEEDS as PROJECTIONS

INSTRUMENTATION = ("prometheus_client", "streams/metrics.py")


def share(raw: Path) -> tuple[int, int]:
    """(samples whose stack passes through the instrumentation, all samples) of a py-spy
    raw (collapsed) file."""
    inside = total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        if any(marker in stack for marker in INSTRUMENTATION):
            inside += int(count)
    return inside, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="small")
    parser.add_argument("--timeout-s", type=float, default=3600)
    args = parser.parse_args()
    feeds = [f for f in FEEDS if f in PROJECTIONS]
    state_dir = Path(tempfile.mkdtemp(prefix="feedsync-bench-"))
    settings = use_private_stack(state_dir)
    os.environ["FEEDSYNC_METRICS__PORT"] = "0"  # beside a developer stack's worker
    db_path = state_dir / "receiver.sqlite3"
    raw = state_dir / "worker.pyspy.txt"
    samplers: list[subprocess.Popen[bytes]] = []

    def attach(stack: Stack) -> None:
        pid = stack.worker.daemon.pid()
        assert pid is not None
        spy = str(Path(sys.executable).with_name("py-spy"))
        command = [spy, "record", "--format", "raw", "--rate", "100", "--pid", str(pid)]
        samplers.append(
            subprocess.Popen(
                [*command, "--output", str(raw)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )

    try:
        _stack, _expected, began = sync(
            settings, args.profile, feeds, db_path, args.timeout_s, before_register=attach
        )
        (sampler,) = samplers
        sampler.send_signal(signal.SIGINT)
        sampler.wait(timeout=120)
        stats = receiver_stats(db_path)
        items = sum(held for held, _last, _n in stats.values())
        last = max(last for _held, last, _n in stats.values())
        inside, total = share(raw)
        print(
            f"machine   {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}; profile {args.profile}"
        )
        print(
            f"full sync: {items:,} items in {last - began:.1f}s = {items / (last - began):,.0f}/s"
        )
        print(
            f"worker busy samples: {total:,}; in the instrumentation: {inside:,} "
            f"= {100 * inside / max(total, 1):.2f} %"
        )
    finally:
        clean(settings, say=lambda _l: None)


if __name__ == "__main__":
    main()
