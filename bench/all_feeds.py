"""Benchmark: full sync of every feed at once, per-feed items, wall time and items/s.

Runs a private stack (own ports and state) on a profile, starts the receiver and one worker,
registers the connector, and waits until the pipeline is done: every feed holds the item
count its verify projection gives, no request came for 15 s, and ``feedsync verify`` is clean
for every feed. Per feed it reports the items held, the time from registration to the feed's
last request, items/s, requests, and what Adobe's published rate (2 requests/s, 100 items per
request, prices 500) gives for the same item count.

    .venv/bin/python bench/all_feeds.py --profile medium [--feeds orders [--alone]]

``--alone`` makes the worker run only the ``--feeds`` given (FEEDSYNC_STREAMS__FEEDS), to
measure a feed's own rate instead of its share of a whole-catalog sync. ``--workers N``
starts N worker processes of the one app id (the stack's own and N - 1 more, each with its
own static member id), all ready before the connector is registered, and reports each one's
peak RSS and CPU time. ``--sample-to FILE`` samples the first worker with py-spy from
registration to the end of the sync and prints the summary of ``bench/flame.py``.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from flame import spy_on, summarise  # bench/ is on sys.path when run
from full_sync import peak_rss_mb
from private_stack import use_private_stack
from results import load_results, update_results

from connectors.database import connect
from connectors.debezium import register_connector
from feeds.registry import FEEDS
from feedsync.settings import Settings
from feedsync.stack.orchestrate import Stack, clean, up
from feedsync.stack.pipeline import FEEDSYNC, WORKER_READY
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


@contextmanager
def extra_workers(count: int, log_dir: Path, *, timeout_s: float = 300) -> Iterator[list[int]]:
    """``count`` more worker processes of the private stack's app id, each ready (joined
    and restored) before this yields their pids; stopped on the way out."""
    processes: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        for index in range(2, count + 2):
            log_path = log_dir / f"worker-{index}.log"
            env = {
                **os.environ,
                "FEEDSYNC_STREAMS__INSTANCE_ID": f"bench-worker-{index}",
                "FEEDSYNC_METRICS__PORT": "0",  # one port each
            }
            with log_path.open("ab") as log:
                process = subprocess.Popen([FEEDSYNC, "worker"], env=env, stdout=log, stderr=log)
            processes.append((process, log_path))
        deadline = time.monotonic() + timeout_s
        for process, log_path in processes:
            while WORKER_READY not in log_path.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"worker not ready: see {log_path}")
                time.sleep(0.5)  # polling for readiness under a deadline
        yield [process.pid for process, _ in processes]
    finally:
        for process, _ in processes:
            process.terminate()
        for process, _ in processes:
            process.wait(timeout=60)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    once the worker runs (to attach a profiler or start more workers)."""
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
    parser.add_argument("--workers", type=int, default=1, help="worker processes, one app id")
    parser.add_argument(
        "--sample-to", type=Path, help="py-spy the (first) worker into this raw file, summarised"
    )
    args = parser.parse_args()
    feeds = [f for f in args.feeds.split(",") if f]
    if args.alone:
        os.environ["FEEDSYNC_STREAMS__FEEDS"] = ",".join(feeds)
    state_dir = Path(tempfile.mkdtemp(prefix="feedsync-bench-"))
    settings = use_private_stack(state_dir)
    db_path = state_dir / "receiver.sqlite3"
    with ExitStack() as workers:
        extra_pids: list[int] = []

        samplers: list[subprocess.Popen[bytes]] = []

        def before_register(stack: Stack) -> None:  # more workers, and the sampler
            extra_pids.extend(workers.enter_context(extra_workers(args.workers - 1, state_dir)))
            pid = stack.worker.daemon.pid()
            if args.sample_to and pid:
                samplers.append(spy_on(pid, args.sample_to))

        try:
            stack, expected, began = sync(
                settings,
                args.profile,
                feeds,
                db_path,
                args.timeout_s,
                before_register=before_register,
            )
            pids = [pid for pid in [stack.worker.daemon.pid(), *extra_pids] if pid]
            for sampler in samplers:
                sampler.send_signal(signal.SIGINT)
                sampler.wait(timeout=120)
            figures = report(
                args.profile,
                settings=settings,
                expected=expected,
                began=began,
                db_path=db_path,
                pids=pids,
            )
            if args.profile == "medium":
                record_results(args, figures)
            if args.sample_to:
                print(summarise(args.sample_to))
        finally:
            workers.close()
            clean(settings, say=lambda _l: None)


def report(
    profile: str,
    *,
    settings: Settings,
    expected: dict[str, int],
    began: float,
    db_path: Path,
    pids: list[int],
) -> dict[str, float]:
    """Print the per-feed table, each worker's peak RSS and CPU time, and verify's reports;
    return the run's headline figures."""
    stats = receiver_stats(db_path)
    python = platform.python_version()
    print(f"machine   {platform.machine()}, {os.cpu_count()} cores, Python {python}")
    print(f"profile   {profile}; times from connector registration to the feed's last request")
    print(f"{'feed':<22}{'items':>9}{'wall s':>9}{'items/s':>9}{'requests':>10}{'Adobe s':>9}")
    last_request = began
    for feed, count in expected.items():
        held, last, requests = stats.get(feed, (0, began, 0))
        last_request = max(last_request, last)
        wall = max(last - began, 1e-9)
        batch = ADOBE_BATCH.get(feed, 100)
        adobe = -(-count // batch) * ADOBE_SECONDS_PER_REQUEST
        print(f"{feed:<22}{held:>9,}{wall:>9.1f}{held / wall:>9,.0f}{requests:>10,}{adobe:>9.1f}")
    rss = [peak_rss_mb(pid) for pid in pids]
    cpu = [cpu_seconds(pid) for pid in pids]
    for index, (pid_rss, pid_cpu) in enumerate(zip(rss, cpu, strict=True), start=1):
        print(f"worker {index}: peak RSS {pid_rss:.0f} MiB, CPU {pid_cpu:.1f} s")
    for feed in expected:
        print(run(settings, feed, examples=2).render())
    return {"wall_s": last_request - began, "max_rss_mib": max(rss), "cpu_s": sum(cpu)}


def record_results(args: argparse.Namespace, figures: dict[str, float]) -> None:
    """The headline figures of a medium run, under the keys issue #13 names."""
    wall = round(figures["wall_s"], 1)
    feeds = args.feeds.split(",")
    if args.alone and feeds == ["products"]:
        update_results(products_alone_s=wall)
    elif args.alone and feeds == ["orders"]:
        update_results(orders_alone_s=wall)
    elif not args.alone and args.workers == 1:
        update_results(
            full_sync_all_feeds_s=wall, worker_rss_mib_medium=round(figures["max_rss_mib"])
        )
    elif not args.alone:
        one = load_results().get("full_sync_all_feeds_s")
        update_results(**{f"full_sync_all_feeds_{args.workers}_workers_s": wall})
        if isinstance(one, (int, float)):
            speedup = round(one / wall, 2)
            update_results(**{f"scale_out_{args.workers}_workers_speedup": speedup})


if __name__ == "__main__":
    main()
