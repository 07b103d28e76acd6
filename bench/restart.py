"""Benchmark: how long a worker killed with SIGKILL takes to deliver a change again.

Syncs every feed on a private stack (own ports and state), then ``--tries`` times: kills
the worker with SIGKILL, renames a product in the database, starts the worker again at
once and times, from the start,

- *ready*: faust reports the worker ready (its consumer group rebalanced, its tables
  restored from their changelogs),
- *delivered*: the receiver holds the renamed product's item with the new name.

The worker's settings come from the environment as usual, so the same command compares
session timeouts and static membership:

    .venv/bin/python bench/restart.py --profile small
    FEEDSYNC_STREAMS__SESSION_TIMEOUT_S=60 .venv/bin/python bench/restart.py
    FEEDSYNC_STREAMS__INSTANCE_ID=bench-1 .venv/bin/python bench/restart.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import orjson
from all_feeds import sync  # bench/ is on sys.path when run
from private_stack import use_private_stack
from results import update_results

from connectors.database import connect
from feeds.registry import FEEDS
from feedsync.settings import Settings
from feedsync.stack.orchestrate import Stack, clean
from feedsync.verify.projections import FEEDS as PROJECTIONS

NAME_ATTRIBUTE = (
    "SELECT attribute_id FROM eav_attribute WHERE entity_type_id = 4 AND attribute_code = 'name'"
)


def a_product(settings: Settings) -> int:
    connection = connect(settings)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT MIN(entity_id) FROM catalog_product_entity")
            (product,) = cursor.fetchone()
    finally:
        connection.close()
    return int(product)


def rename(settings: Settings, product: int, name: str) -> None:
    connection = connect(settings, autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE catalog_product_entity_varchar SET value = %s WHERE entity_id = %s "
                f"AND store_id = 0 AND attribute_id = ({NAME_ATTRIBUTE})",
                (name, product),
            )
    finally:
        connection.close()


def kill_worker(stack: Stack) -> None:
    """SIGKILL the stack's worker and wait until its pid file says it is gone."""
    pid = stack.worker.daemon.pid()
    assert pid is not None, "the worker is not running"
    os.kill(pid, signal.SIGKILL)
    while stack.worker.daemon.pid() is not None:
        time.sleep(0.05)  # polling the pid file, which the daemon clears


def holds_name(db_path: Path, product: int, name: str) -> bool:
    with sqlite3.connect(db_path) as db:
        rows = db.execute("SELECT payload FROM items WHERE feed = 'products'").fetchall()
    for (payload,) in rows:
        item = orjson.loads(payload)
        if item.get("productId") in (product, str(product)) and item.get("name") == name:
            return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="small")
    parser.add_argument("--tries", type=int, default=3)
    parser.add_argument("--timeout-s", type=float, default=3600)
    parser.add_argument(
        "--keep-logs", type=Path, help="copy the stack's logs here before cleaning it"
    )
    args = parser.parse_args()
    state_dir = Path(tempfile.mkdtemp(prefix="feedsync-bench-"))
    settings = use_private_stack(state_dir)
    os.environ["FEEDSYNC_METRICS__PORT"] = "0"  # beside a developer stack's worker
    db_path = state_dir / "receiver.sqlite3"
    feeds = [f for f in FEEDS if f in PROJECTIONS]
    shown = {  # what the caller set (the data dir is the private stack's)
        k: v
        for k, v in os.environ.items()
        if k.startswith("FEEDSYNC_STREAMS__") and k != "FEEDSYNC_STREAMS__DATA_DIR"
    }
    print(f"profile {args.profile}; worker settings {shown or 'defaults'}")
    ready: list[float] = []
    delivered: list[float] = []
    try:
        stack, _expected, _began = sync(settings, args.profile, feeds, db_path, args.timeout_s)
        product = a_product(settings)
        for attempt in range(1, args.tries + 1):
            kill_worker(stack)
            name = f"restart {attempt} {uuid.uuid4().hex[:6]}"
            print(f"try {attempt}: killed; renaming to {name!r} at {time.time():.3f}", flush=True)
            rename(settings, product, name)  # waits in Kafka for the worker
            started = time.monotonic()
            stack.worker.start(600)  # returns once faust reports the worker ready
            ready.append(time.monotonic() - started)
            deadline = time.monotonic() + 600
            while not holds_name(db_path, product, name):
                if time.monotonic() > deadline:
                    raise SystemExit(f"try {attempt}: the rename was not delivered in 600 s")
                time.sleep(0.1)  # sampling
            delivered.append(time.monotonic() - started)
            print(
                f"try {attempt}: ready after {ready[-1]:.1f} s, "
                f"the change delivered after {delivered[-1]:.1f} s",
                flush=True,
            )
    finally:
        if args.keep_logs:
            shutil.copytree(state_dir / "logs", args.keep_logs, dirs_exist_ok=True)
        clean(settings, say=lambda _l: None)
    print(
        f"median: ready {statistics.median(ready):.1f} s, "
        f"delivered {statistics.median(delivered):.1f} s"
    )
    update_results(**{f"resume_s_{args.profile}": round(statistics.median(delivered), 1)})


if __name__ == "__main__":
    main()
