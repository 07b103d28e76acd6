"""Benchmark: what the route and project hops could reach beneath faust's streams (#13).

``docs/proposals/batched-hops.md`` proposes running the hot hops on batches beneath
faust's per-event streams. This measures their ceilings without faust, on the profile's
snapshot in Kafka: the route (decode a source record, find the entities it belongs to,
re-key it onto their topics) and the project hop's own work. One process reads every
source topic from its start in each mode (``--modes``), one after the other, on a
private stack where nothing else runs:

1. **bare**: aiokafka ``getmany`` and ``orjson.loads`` (the ceiling, as ``speed.py``'s);
2. **route, a future per record**: ``getmany``, feedsync's ``decode`` and ``targets`` and
   ``dump_change``, every output handed to aiokafka's producer (``send``: one future per
   record; the worker's client batching, 5 ms linger and 256 KiB batches);
3. **route, batches**: the same, the outputs appended to one aiokafka batch per target
   partition (``create_batch`` / ``send_batch``), all awaited once per fetch.

4. **route and project, in memory**: the same decode and ``targets``, reference rows
   applied to an in-memory reference store, every change folded into its entity
   (``Projection.step``, no build), its peers told once per fetch
   (``Projection.forwards``, folded in turn), every entity touched by a fetch encoded with
   orjson as its state record would be; after the last fetch (the snapshot's end) every
   entity built once (``Projection.rebuild``) and its items encoded. No Kafka on the way
   out: the project hop's own Python work, its ceiling on one core.

Outputs go to scratch topics ``bench-route.<entity>`` with the worker's partition count.
No offsets are committed and no dead letters are written, so these are ceilings for the
hop's own work, not a pipeline: the worker's whole pipeline is ``speed.py``'s replay.

    .venv/bin/python bench/route_ceiling.py --profile medium
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from kafka import KafkaConsumer
from kafka.admin import NewTopic
from private_stack import use_private_stack
from snapshot_rate import records_on_kafka, row_counts
from speed import bare, read_all

from connectors.debezium import register_connector
from feeds.engine import EntityRecord, Projection, targets
from feeds.item import FeedItem
from feeds.reference import REFERENCE_TABLES, Reference, apply_reference
from feeds.registry import select
from feedsync.brokers import admin_client
from feedsync.settings import Settings
from feedsync.stack.orchestrate import clean, up
from streams.codec import dump_change
from streams.decode import decode

SCRATCH = "bench-route"
FETCH_BYTES = 4 * 1024 * 1024  # per partition: fetches of up to 10,000 records


def routed(projectors: Any, records: list[Any]) -> list[tuple[str, bytes, bytes]]:
    """The route's outputs of some source records: (entity, key, value) per target."""
    out: list[tuple[str, bytes, bytes]] = []
    for record in records:
        change = decode(record.key, record.value)
        if change is None:
            continue
        forwards = list(targets(projectors, change))
        if forwards:
            value = dump_change(change)
            out += [(f.entity, f.key.encode(), value) for f in forwards]
    return out


class InMemoryProject:
    """The project stage's folds, forwards and builds over in-memory records."""

    def __init__(self, partitions: int) -> None:
        selection = select()
        self.partitions = partitions
        self.store: dict[str, Any] = {}
        reference = Reference(self.store)
        running = frozenset(selection.feeds)
        self.projectors = selection.projectors
        self.projections = {p.entity: Projection(p, reference, running) for p in self.projectors}
        self.records: dict[tuple[str, str], EntityRecord | None] = {}
        self.items = 0

    async def fetch(self, records: list[Any]) -> int:
        """One fetch: fold, tell the peers once, encode the records touched."""
        told: dict[tuple[str, str], Any] = {}
        queue = []
        for record in records:
            change = decode(record.key, record.value)
            if change is None:
                continue
            if change.table in REFERENCE_TABLES:
                apply_reference(self.store, change)
            queue += list(targets(self.projectors, change))
        while queue:
            for forward in queue:
                self._fold(forward.entity, forward.key, forward.change, told)
            queue = []
            for (entity, key), before in told.items():
                now = self._state(self.records.get((entity, key)))
                if now is not before:
                    queue += self.projections[entity].forwards(key, before, now)
                    told[(entity, key)] = now
        for entity, key in told:
            record = self.records.get((entity, key))
            if record is not None:
                orjson.dumps(record.to_json(), option=orjson.OPT_NON_STR_KEYS)
        return 0

    def _fold(self, entity: str, key: str, change: Any, told: dict[Any, Any]) -> None:
        record = self.records.get((entity, key))
        told.setdefault((entity, key), self._state(record))
        step = self.projections[entity].step(
            key, record, change, partition=hash(key) % self.partitions, build=False, forward=False
        )
        self.records[(entity, key)] = step.record

    def build_all(self) -> None:
        for (entity, _key), record in self.records.items():
            if record is None or record.tombstone:
                continue
            for emit in self.projections[entity].rebuild(record).emits:
                item = FeedItem(emit.feed.name, emit.item_id, emit.payload, emit.version)
                item.to_record()  # the items record the worker would produce
                self.items += 1

    @staticmethod
    def _state(record: EntityRecord | None) -> Any:
        return None if record is None or record.tombstone else record.state


async def run_mode(settings: Settings, mode: str, partitions: int) -> dict[str, float]:
    if mode == "project":
        project = InMemoryProject(partitions)
        records, _outputs, seconds = await read_all(
            settings, project.fetch, fetch_bytes=FETCH_BYTES
        )
        began = time.perf_counter()
        project.build_all()
        seconds += time.perf_counter() - began
        return {"records": records, "outputs": project.items, "seconds": seconds}
    if mode == "bare":
        records, outputs, seconds = await read_all(settings, bare, fetch_bytes=FETCH_BYTES)
        return {"records": records, "outputs": outputs, "seconds": seconds}
    projectors = select().projectors
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        linger_ms=5,
        max_batch_size=256 * 1024,
        acks="all",
    )
    await producer.start()
    partitioner = DefaultPartitioner()
    every = list(range(partitions))

    async def per_record(records: list[Any]) -> int:
        out = routed(projectors, records)
        futures = [
            await producer.send(f"{SCRATCH}.{entity}", value, key=key) for entity, key, value in out
        ]
        await asyncio.gather(*futures)
        return len(out)

    async def batched(records: list[Any]) -> int:
        out = routed(projectors, records)
        batches: dict[tuple[str, int], Any] = {}
        full: list[tuple[Any, str, int]] = []
        for entity, key, value in out:
            partition = partitioner(key, every, every)
            target = (f"{SCRATCH}.{entity}", partition)
            batch = batches.get(target)
            if batch is None:
                batch = batches[target] = producer.create_batch()
            if batch.append(key=key, value=value, timestamp=None) is None:
                batch.close()
                full.append((batch, *target))
                batch = batches[target] = producer.create_batch()
                batch.append(key=key, value=value, timestamp=None)
        for (topic, partition), batch in batches.items():
            batch.close()
            full.append((batch, topic, partition))
        sent = [await producer.send_batch(b, t, partition=p) for b, t, p in full]
        await asyncio.gather(*sent)
        return len(out)

    try:
        handle = per_record if mode == "per-record" else batched
        records, outputs, seconds = await read_all(settings, handle, fetch_bytes=FETCH_BYTES)
    finally:
        await producer.stop()
    return {"records": records, "outputs": outputs, "seconds": seconds}


def scratch_topics(settings: Settings, partitions: int) -> None:
    entities = {p.entity for p in select().projectors}
    with admin_client(settings.kafka) as admin:
        admin.create_topics([NewTopic(f"{SCRATCH}.{e}", partitions, 1) for e in sorted(entities)])


def wait_for_snapshot(settings: Settings, timeout_s: float) -> int:
    """Register the connector and wait until Kafka holds a record per captured row."""
    rows = sum(row_counts(settings).values())
    register_connector(settings, timeout_s=300)
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        deadline = time.monotonic() + timeout_s
        while records_on_kafka(settings, consumer) < rows:
            if time.monotonic() > deadline:
                raise SystemExit(f"the snapshot did not reach {rows} records in Kafka")
            time.sleep(1)  # sampling the end offsets under a deadline
    finally:
        consumer.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="medium")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--modes", default="bare,per-record,batches,project")
    args = parser.parse_args()
    settings = use_private_stack(Path(tempfile.mkdtemp(prefix="feedsync-route-")))
    partitions = settings.streams.partitions
    results: dict[str, list[dict[str, float]]] = defaultdict(list)
    try:
        up(settings, profile=args.profile, say=lambda _l: None, register=False, pipeline=False)
        rows = wait_for_snapshot(settings, 1800)
        scratch_topics(settings, partitions)
        for _round in range(args.rounds):
            for mode in args.modes.split(","):
                results[mode].append(asyncio.run(run_mode(settings, mode, partitions)))
    finally:
        clean(settings, say=lambda _l: None)
    print(
        f"profile {args.profile}: {rows:,} captured rows; entity topics of {partitions} "
        "partitions; each mode read every source topic from its start"
    )
    print(f"{'mode':<12}{'records':>10}{'outputs':>10}{'seconds':>9}{'records/s':>11}")
    for mode, runs in results.items():
        for run in runs:
            rate = run["records"] / run["seconds"]
            print(
                f"{mode:<12}{run['records']:>10,.0f}{run['outputs']:>10,.0f}"
                f"{run['seconds']:>9.1f}{rate:>11,.0f}"
            )


if __name__ == "__main__":
    main()
