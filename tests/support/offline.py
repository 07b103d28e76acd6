"""Offline parity check: the stream projectors, run in memory over the real source topics,
against verify's SQL projection of the same database.

A development tool, not part of the pipeline: it reads every captured table's Debezium
topic from the beginning (in binlog order), folds the changes through the reference store
and the projectors exactly as the workers would (re-key, apply, forward, build), and
compares the items with ``feedsync.verify.projections.project``. It needs Kafka, Connect
and MariaDB running (``feedsync stack up --no-pipeline``), but no worker or receiver.

    python -m tests.support.offline --feed prices \
        [--projector feeds.prices:PRICE_PROJECTOR] [--reference-feed mod:OBJ] \
        [--projection mod:OBJ] [--examples 10]

``--projector``/``--reference-feed``/``--projection`` add objects not yet in the registries
(``feeds.registry``, ``feedsync.verify.projections.FEEDS``); a projector given here replaces
a registered one with the same entity.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Iterable, Iterator
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from connectors.database import connect
from connectors.debezium import source_topic
from feeds.change import RowChange
from feeds.item import item_id
from feeds.memory import MemoryPipeline
from feeds.projector import EntityProjector, ReferenceFeed
from feeds.registry import CAPTURED_TABLES, PROJECTORS, REFERENCE_FEEDS
from feedsync.settings import Settings
from feedsync.verify.compare import Report, compare
from feedsync.verify.projections import FEEDS as PROJECTIONS
from feedsync.verify.projections import FeedProjection
from streams.decode import MalformedRecord, decode


def source_changes(settings: Settings) -> list[RowChange]:
    """Every change of every captured table, ordered by binlog position (stable per topic)."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers, enable_auto_commit=False
    )
    try:
        partitions = [TopicPartition(source_topic(settings, t), 0) for t in CAPTURED_TABLES]
        known = consumer.topics()
        partitions = [p for p in partitions if p.topic in known]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        changes: list[RowChange] = []
        for partition in partitions:
            while consumer.position(partition) < ends[partition]:
                for records in consumer.poll(timeout_ms=1000, max_records=5000).values():
                    for record in records:
                        try:
                            change = decode(record.key, record.value)
                        except MalformedRecord:  # the pipeline tests plant some on purpose
                            continue
                        if change is not None:
                            changes.append(change)
    finally:
        consumer.close()
    return sorted(changes, key=lambda c: c.position.version)  # sorted() is stable


def parity(
    settings: Settings,
    feed: str,
    *,
    projectors: Iterable[EntityProjector] = (),
    reference_feeds: Iterable[ReferenceFeed] = (),
    projection: FeedProjection | None = None,
    examples: int = 10,
) -> Report:
    by_entity = {p.entity: p for p in (*PROJECTORS, *projectors)}
    by_feed = {r.feed.name: r for r in (*REFERENCE_FEEDS, *reference_feeds)}
    pipeline = MemoryPipeline(by_entity.values(), by_feed.values())
    pipeline.feed(source_changes(settings))
    received = pipeline.items(feed)
    projection = projection or PROJECTIONS[feed]
    connection = connect(settings)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET time_zone = '+00:00'")
            payloads = projection.build(cursor)
    finally:
        connection.close()
    expected = {item_id([p[f] for f in projection.identity]): p for p in payloads}
    return compare(expected, received, feed=feed, identity=projection.identity, examples=examples)


def _load(spec: str) -> Any:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def main(argv: Iterator[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feed", required=True)
    parser.add_argument("--projector", action="append", default=[])
    parser.add_argument("--reference-feed", action="append", default=[])
    parser.add_argument("--projection")
    parser.add_argument("--examples", type=int, default=10)
    args = parser.parse_args(list(argv) if argv is not None else None)
    report = parity(
        Settings(),
        args.feed,
        projectors=[_load(s) for s in args.projector],
        reference_feeds=[_load(s) for s in args.reference_feed],
        projection=_load(args.projection) if args.projection else None,
        examples=args.examples,
    )
    print(report.render())
    raise SystemExit(0 if report.clean else 1)


if __name__ == "__main__":
    main()
