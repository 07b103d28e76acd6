"""Benchmark: resync by topic replay, and Debezium's incremental snapshot, on a profile.

Runs a private stack (own ports and state), syncs every feed (as bench/all_feeds.py), then
times the operator's commands against the running worker:

- ``feedsync resync --feed products --force`` and ``--feed all --force``: every item read
  from the compacted items topics and sent again through the worker's delivery path, until
  every item has a new status (the command's own ``elapsed_s``);
- an incremental snapshot of the product tables (``request_incremental_snapshot``, the
  signal table): rows captured per second, from the signal's insert until the tables'
  source topics grew by their row counts.

    .venv/bin/python bench/resync_rate.py --profile medium
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from all_feeds import sync  # bench/ is on sys.path when run
from kafka import KafkaConsumer, TopicPartition
from private_stack import use_private_stack

from connectors.database import connect
from connectors.debezium import request_incremental_snapshot, source_topic
from feeds.registry import FEEDS
from feedsync.settings import Settings
from feedsync.stack.orchestrate import clean
from feedsync.stack.pipeline import FEEDSYNC
from feedsync.verify.projections import FEEDS as PROJECTIONS

SNAPSHOT_TABLES = (
    "catalog_product_entity",
    "catalog_product_entity_varchar",
    "catalog_product_entity_int",
    "catalog_product_entity_decimal",
)


def resync(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [FEEDSYNC, "resync", "--json", *args], capture_output=True, check=False, timeout=3600
    )
    if done.returncode not in (0, 1):  # 1: some items not confirmed, which the report shows
        raise SystemExit(f"resync failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def source_ends(settings: Settings, tables: tuple[str, ...]) -> int:
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        partitions = [TopicPartition(source_topic(settings, t), 0) for t in tables]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


def incremental_snapshot(settings: Settings, timeout_s: float) -> tuple[int, float]:
    """Rows captured and seconds taken by an incremental snapshot of SNAPSHOT_TABLES."""
    with connect(settings, autocommit=True) as connection:
        with connection.cursor() as cursor:
            rows = 0
            for table in SNAPSHOT_TABLES:
                cursor.execute(f"SELECT COUNT(*) FROM `{table}`")
                rows += int(cursor.fetchone()[0])
        before = source_ends(settings, SNAPSHOT_TABLES)
        began = time.monotonic()
        request_incremental_snapshot(connection, settings, list(SNAPSHOT_TABLES))
    while source_ends(settings, SNAPSHOT_TABLES) - before < rows:
        if time.monotonic() - began > timeout_s:
            raise SystemExit(f"incremental snapshot not done within {timeout_s:.0f}s")
        time.sleep(0.5)  # sampling
    return rows, time.monotonic() - began


def compare_estimate(db_path: Path) -> None:
    """``feedsync estimate`` against the items the full sync left at the receiver."""
    done = subprocess.run(
        [FEEDSYNC, "estimate", "--json"], capture_output=True, check=True, timeout=600
    )
    report = json.loads(done.stdout)
    with sqlite3.connect(db_path) as db:
        held = dict(db.execute("SELECT feed, COUNT(*) FROM items WHERE deleted = 0 GROUP BY feed"))
    for feed in report["feeds"]:
        name, estimated = feed["feed"], feed["items"]
        delivered = held.get(name, 0)
        off = 100 * abs(estimated - delivered) / max(delivered, 1)
        print(f"estimate {name:<22}{estimated:>9,} delivered {delivered:>9,} ({off:.2f} % off)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="medium")
    parser.add_argument("--timeout-s", type=float, default=3600)
    args = parser.parse_args()
    feeds = [f for f in FEEDS if f in PROJECTIONS]
    state_dir = Path(tempfile.mkdtemp(prefix="feedsync-bench-"))
    settings = use_private_stack(state_dir)
    db_path = state_dir / "receiver.sqlite3"
    try:
        _stack, _expected, began = sync(settings, args.profile, feeds, db_path, args.timeout_s)
        print(
            f"machine   {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}; profile {args.profile}; "
            f"synced in {time.time() - began:.0f}s"
        )
        compare_estimate(db_path)
        for label, chosen in (("products", "products"), ("products", "products"), ("all", "all")):
            result = resync("--feed", chosen, "--force")
            items = sum(f["to_send"] for f in result["feeds"])
            unconfirmed = sum(f["unconfirmed"] for f in result["feeds"])
            elapsed = float(result["elapsed_s"])
            print(
                f"resync --feed {label} --force: {items:,} items in {elapsed:.1f}s = "
                f"{items / elapsed:,.0f} items/s (unconfirmed {unconfirmed})"
            )
        rows, seconds = incremental_snapshot(settings, args.timeout_s)
        print(
            f"incremental snapshot of {', '.join(SNAPSHOT_TABLES)}: {rows:,} rows in "
            f"{seconds:.1f}s = {rows / seconds:,.0f} rows/s"
        )
    finally:
        clean(settings, say=lambda _l: None)


if __name__ == "__main__":
    main()
