"""Benchmark: does a failing destination hold the primary back? (issue #15)

On a private stack (own ports and state) one worker projects the products feed and
delivers it to the primary receiver; a destination's worker (``feedsync worker
--destination other``) delivers the same items topic to a second receiver. Then, three
phases of ``--renames`` product renames at ``--rate`` a second each, the primary's latency
(commit → the receiver storing the item, its own clock) measured per rename:

1. *alone*: the destination's worker not running;
2. *beside a healthy destination*: both workers running, the second caught up;
3. *beside a failing destination*: the second receiver answers 503 to every request.

After phase 3 the fault ends and the bench times how long the destination takes to hold
every rename (its dead letters re-driven). Run::

    .venv/bin/python bench/destinations.py --profile small
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import orjson
from all_feeds import sync  # bench/ is on sys.path when run
from private_stack import use_private_stack

from connectors.database import connect
from feedsync.settings import Settings, load_settings
from feedsync.stack.orchestrate import clean
from feedsync.stack.pipeline import FEEDSYNC, WorkerProcess

OTHER_PORT = 18901
NAME = "SELECT attribute_id FROM eav_attribute WHERE entity_type_id = 4 AND attribute_code = 'name'"


def renameable(settings: Settings, count: int) -> list[int]:
    """Products in a website whose name is set at store 0 only (a rename changes items)."""
    with connect(settings) as connection, connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v.entity_id FROM catalog_product_entity_varchar v WHERE v.store_id = 0 "
            f"AND v.attribute_id = ({NAME}) AND EXISTS (SELECT 1 FROM catalog_product_website w "
            "WHERE w.product_id = v.entity_id) AND NOT EXISTS (SELECT 1 FROM "
            "catalog_product_entity_varchar o WHERE o.entity_id = v.entity_id AND "
            "o.attribute_id = v.attribute_id AND o.store_id <> 0) ORDER BY v.entity_id LIMIT %s",
            (count,),
        )
        return [int(row[0]) for row in cursor.fetchall()]


def renames(settings: Settings, products: list[int], rate: float, tag: str) -> dict[str, float]:
    """Rename each product, ``rate`` a second: new name -> commit time."""
    marks: dict[str, float] = {}
    connection = connect(settings, autocommit=True)
    try:
        for n, product in enumerate(products):
            name = f"bench {tag} {n} {uuid.uuid4().hex[:6]}"
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE catalog_product_entity_varchar SET value = %s WHERE entity_id = %s "
                    f"AND store_id = 0 AND attribute_id = ({NAME})",
                    (name, product),
                )
            marks[name] = time.time()
            time.sleep(1 / rate)  # the pace of the changes
    finally:
        connection.close()
    return marks


def latencies(db_path: Path, marks: dict[str, float]) -> dict[str, float]:
    found: dict[str, float] = {}
    with sqlite3.connect(db_path) as db:
        rows = db.execute("SELECT payload, received_at FROM items WHERE feed = 'products'")
        for payload, received_at in rows.fetchall():
            name = orjson.loads(payload).get("name")
            if name in marks:
                latency = float(received_at) - marks[name]
                found[name] = min(found.get(name, latency), latency)
    return found


def wait_for(db_path: Path, marks: dict[str, float], timeout_s: float) -> dict[str, float]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = latencies(db_path, marks)
        if len(found) == len(marks):
            return found
        time.sleep(0.2)  # sampling
    raise SystemExit(f"{len(marks) - len(latencies(db_path, marks))} renames never arrived")


def summary(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p90, p99 = ms[int(0.9 * (len(ms) - 1))], ms[int(0.99 * (len(ms) - 1))]
    return (
        f"p50 {statistics.median(ms):.0f} ms, p90 {p90:.0f} ms, p99 {p99:.0f} ms, "
        f"max {ms[-1]:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="small")
    parser.add_argument("--renames", type=int, default=100)
    parser.add_argument("--rate", type=float, default=5.0)
    args = parser.parse_args()
    state_dir = Path(tempfile.mkdtemp(prefix="feedsync-bench-"))
    os.environ["FEEDSYNC_STREAMS__FEEDS"] = "products"
    os.environ["FEEDSYNC_METRICS__PORT"] = "0"
    destination = "FEEDSYNC_DELIVERY__DESTINATIONS__OTHER__"
    os.environ[f"{destination}ENDPOINT_BASE"] = f"http://127.0.0.1:{OTHER_PORT}/feeds"
    os.environ[f"{destination}DEFAULTS__RETRY_BUDGET_S"] = "8"  # letters within the outage
    os.environ["FEEDSYNC_STREAMS__DLQ_REDRIVE_INTERVAL_S"] = "5"
    use_private_stack(state_dir)
    settings = load_settings()
    primary_db, other_db = state_dir / "receiver.sqlite3", state_dir / "other.sqlite3"
    other_env = {
        **os.environ,
        "FEEDSYNC_RECEIVER__PORT": str(OTHER_PORT),
        "FEEDSYNC_RECEIVER__DB_PATH": str(other_db),
    }
    log = (state_dir / "other-receiver.log").open("ab")
    other = subprocess.Popen([FEEDSYNC, "receive"], env=other_env, stdout=log, stderr=log)
    try:
        stack, _expected, _began = sync(settings, args.profile, ["products"], primary_db, 1800)
        products = renameable(settings, 3 * args.renames)
        phases = [products[i * args.renames : (i + 1) * args.renames] for i in range(3)]
        alone = wait_for(primary_db, renames(settings, phases[0], args.rate, "alone"), 300)
        print(f"alone: {summary(list(alone.values()))}", flush=True)

        worker = WorkerProcess(settings, stack.layout, "other")
        worker.start(300)
        began = time.monotonic()
        wait_for(other_db, alone, 600)
        print(f"the destination caught up with the primary in {time.monotonic() - began:.1f} s")
        healthy = wait_for(primary_db, renames(settings, phases[1], args.rate, "healthy"), 300)
        print(f"beside a healthy destination: {summary(list(healthy.values()))}", flush=True)

        outage_s = args.renames / args.rate + 30
        faults = [{"status": 503, "duration_s": outage_s}]
        httpx.put(f"http://127.0.0.1:{OTHER_PORT}/_faults", json=faults, timeout=10)
        outage_began = time.monotonic()
        marks = renames(settings, phases[2], args.rate, "failing")
        failing = wait_for(primary_db, marks, 300)
        print(f"beside a failing destination: {summary(list(failing.values()))}", flush=True)
        refused = len(latencies(other_db, marks))
        print(f"the failing destination held {refused} of {len(marks)} renames meanwhile")
        wait_for(other_db, marks, 900)
        caught_up = time.monotonic() - outage_began - outage_s
        print(f"it held every rename {caught_up:.1f} s after the outage ended")
        worker.stop()
    finally:
        other.terminate()
        other.wait(timeout=30)
        clean(settings, say=lambda _l: None)


if __name__ == "__main__":
    main()
