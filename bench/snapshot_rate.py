"""Benchmark: Debezium's initial snapshot rate (rows/s) on a sample-data profile.

Runs a private stack (own state folder and ports, so a developer stack keeps running),
loads the profile, registers the connector, and times from registration until every
captured row is on Kafka (the sum of the source topics' end offsets reaches the row
count). Also reports the time to a ready stack and the jar cache size.

    .venv/bin/python bench/snapshot_rate.py --profile medium
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition
from private_stack import use_private_stack  # bench/ is on sys.path when run

from connectors.database import connect
from connectors.debezium import register_connector, source_topic
from feeds.registry import CAPTURED_TABLES
from feedsync.settings import Settings
from feedsync.stack.orchestrate import clean, up


def row_counts(settings: Settings) -> dict[str, int]:
    counts = {}
    with connect(settings) as connection, connection.cursor() as cursor:
        for table in CAPTURED_TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM `{table}`")
            counts[table] = int(cursor.fetchone()[0])
    return counts


def records_on_kafka(settings: Settings, consumer: KafkaConsumer) -> int:
    topics = consumer.topics()
    partitions = [
        TopicPartition(source_topic(settings, t), 0)
        for t in CAPTURED_TABLES
        if source_topic(settings, t) in topics
    ]
    return sum(consumer.end_offsets(partitions).values()) if partitions else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="medium")
    args = parser.parse_args()
    state_dir = Path(tempfile.mkdtemp(prefix="feedsync-bench-"))
    settings = use_private_stack(state_dir)
    try:
        began = time.monotonic()
        # Bring everything up except the connector, so the snapshot can be timed alone.
        up(settings, profile=args.profile, say=lambda _line: None, register=False)
        ready = time.monotonic() - began
        expected = row_counts(settings)
        total = sum(expected.values())

        registered = time.monotonic()
        register_connector(settings, timeout_s=300)
        consumer = KafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers)
        deadline = registered + 1800
        seen = 0
        while seen < total and time.monotonic() < deadline:
            seen = records_on_kafka(settings, consumer)
            time.sleep(0.2)  # a benchmark's sampling interval, not synchronisation
        took = time.monotonic() - registered
        consumer.close()
        cores = os.cpu_count()
        print(f"machine      {platform.machine()}, {cores} cores, {platform.python_version()}")
        print(f"profile      {args.profile}: {total:,} rows in {len(expected)} captured tables")
        print(f"stack ready  {ready:.1f}s (data loaded, Kafka + Connect started; jars cached)")
        print(f"snapshot     {seen:,} records in {took:.1f}s = {seen / took:,.0f} rows/s")
        if seen < total:
            print(f"INCOMPLETE: {total - seen:,} rows missing at the deadline")
    finally:
        clean(settings, say=lambda _line: None)


if __name__ == "__main__":
    main()
