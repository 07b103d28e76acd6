"""Benchmark: what the worker's Prometheus instrumentation costs, on a full sync.

Syncs every feed twice on a private stack (own ports and state, a fresh stack each time),
once with metrics on and once off (``FEEDSYNC_METRICS__ENABLED=false``: nothing counted,
nothing served), and prints the throughput of each and their ratio. During the run with
metrics on, py-spy (``pip install py-spy``; not a dependency of feedsync) samples the
worker, and the share of its busy samples (idle threads left out) whose stack passes
through prometheus-client or streams/metrics.py is printed beside: the ratio is noisy on a
shared 2-core machine, the share says where the difference can come from.

    .venv/bin/python bench/metrics_cost.py --profile small
"""

from __future__ import annotations

import argparse
import os
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


def full_sync(profile: str, timeout_s: float, *, metrics: bool) -> tuple[int, float, Path]:
    """Items delivered and seconds taken by one full sync; the py-spy file (metrics on)."""
    state_dir = Path(tempfile.mkdtemp(prefix="feedsync-bench-"))
    settings = use_private_stack(state_dir)
    os.environ["FEEDSYNC_METRICS__PORT"] = "0"  # beside a developer stack's worker
    os.environ["FEEDSYNC_METRICS__ENABLED"] = "true" if metrics else "false"
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

    feeds = [f for f in FEEDS if f in PROJECTIONS]
    try:
        _stack, _expected, began = sync(
            settings,
            profile,
            feeds,
            db_path,
            timeout_s,
            before_register=attach if metrics else None,
        )
        for sampler in samplers:
            sampler.send_signal(signal.SIGINT)
            sampler.wait(timeout=120)
        stats = receiver_stats(db_path)
        items = sum(held for held, _last, _n in stats.values())
        last = max(last for _held, last, _n in stats.values())
        return items, last - began, raw
    finally:
        clean(settings, say=lambda _l: None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="small")
    parser.add_argument("--timeout-s", type=float, default=3600)
    args = parser.parse_args()
    on_items, on_s, raw = full_sync(args.profile, args.timeout_s, metrics=True)
    off_items, off_s, _ = full_sync(args.profile, args.timeout_s, metrics=False)
    on_rate, off_rate = on_items / on_s, off_items / off_s
    print(f"profile {args.profile}")
    print(f"metrics on : {on_items:,} items in {on_s:.1f}s = {on_rate:,.0f} items/s")
    print(f"metrics off: {off_items:,} items in {off_s:.1f}s = {off_rate:,.0f} items/s")
    print(f"on / off throughput: {on_rate / off_rate:.3f}")
    inside, total = share(raw)
    print(
        f"worker busy samples with metrics on: {total:,}; in the instrumentation: "
        f"{inside:,} = {100 * inside / max(total, 1):.2f} %"
    )


if __name__ == "__main__":
    main()
