"""Benchmark: what the worker's Prometheus instrumentation costs, on a full sync.

Syncs every feed on a private stack (own ports and state, a fresh stack each time),
alternately with metrics on and off (``FEEDSYNC_METRICS__ENABLED=false``: nothing counted,
nothing served), ``--rounds`` times each, and prints the throughput of each run and the
ratio of the medians. Then one more run with metrics on, sampled by py-spy (``pip install
py-spy``; not a dependency of feedsync; ``--nonblocking``, so the process is not paused
for a sample), gives the share of the worker's busy samples (idle threads left out) whose
stack passes through prometheus-client or streams/metrics.py: the ratio is noisy on a
shared 2-core machine, the share says where a difference can come from. The sampled run
is not counted in the ratio.

    .venv/bin/python bench/metrics_cost.py --profile small
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
from pathlib import Path

from all_feeds import cpu_seconds, receiver_stats, sync  # bench/ is on sys.path when run
from flame import spy_on
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


def full_sync(
    profile: str, timeout_s: float, *, metrics: bool, sample_to: Path | None = None
) -> tuple[int, float, float]:
    """Items delivered, seconds taken and the worker's CPU seconds by one full sync;
    py-spy's samples of the worker written to ``sample_to`` when given. CPU time is what the
    instrumentation can cost; unlike the wall time it does not wait on the other processes
    of a shared box."""
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
        samplers.append(spy_on(pid, raw))

    feeds = [f for f in FEEDS if f in PROJECTIONS]
    try:
        stack, _expected, began = sync(
            settings,
            profile,
            feeds,
            db_path,
            timeout_s,
            before_register=attach if sample_to else None,
        )
        pid = stack.worker.daemon.pid()
        cpu = cpu_seconds(pid) if pid else float("nan")
        for sampler in samplers:
            sampler.send_signal(signal.SIGINT)
            sampler.wait(timeout=120)
        if sample_to:
            shutil.copy(raw, sample_to)
        stats = receiver_stats(db_path)
        items = sum(held for held, _last, _n in stats.values())
        last = max(last for _held, last, _n in stats.values())
        return items, last - began, cpu
    finally:
        clean(settings, say=lambda _l: None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="small")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--timeout-s", type=float, default=3600)
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy run")
    args = parser.parse_args()
    rates: dict[bool, list[float]] = {True: [], False: []}
    cpu_per_k: dict[bool, list[float]] = {True: [], False: []}
    print(f"profile {args.profile}")
    for round_ in range(1, args.rounds + 1):
        for metrics in (True, False):
            items, seconds, cpu = full_sync(args.profile, args.timeout_s, metrics=metrics)
            rates[metrics].append(items / seconds)
            cpu_per_k[metrics].append(1000 * cpu / items)
            print(
                f"round {round_} metrics {'on ' if metrics else 'off'}: {items:,} items "
                f"in {seconds:.1f}s = {items / seconds:,.0f} items/s; worker CPU "
                f"{cpu:.1f}s = {1000 * cpu / items:.2f}s per 1,000 items",
                flush=True,
            )
    on, off = statistics.median(rates[True]), statistics.median(rates[False])
    print(f"median on {on:,.0f} items/s, off {off:,.0f} items/s; on / off = {on / off:.3f}")
    cpu_on, cpu_off = statistics.median(cpu_per_k[True]), statistics.median(cpu_per_k[False])
    print(
        f"median worker CPU per 1,000 items: on {cpu_on:.2f}s, off {cpu_off:.2f}s; "
        f"on / off = {cpu_on / cpu_off:.3f}"
    )
    if args.no_profile:
        return
    with tempfile.TemporaryDirectory() as keep:
        samples = Path(keep) / "worker.pyspy.txt"
        full_sync(args.profile, args.timeout_s, metrics=True, sample_to=samples)
        inside, total = share(samples)
    print(
        f"worker busy samples with metrics on (py-spy, separate run): {total:,}; in the "
        f"instrumentation: {inside:,} = {100 * inside / max(total, 1):.2f} %"
    )


if __name__ == "__main__":
    main()
