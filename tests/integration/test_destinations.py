"""Several destinations for one feed (issue #15), on the real stack.

The pipeline's worker projects products and delivers them to the primary receiver; a
destination's worker (``feedsync worker --destination NAME``) delivers the same items
topic to a receiver of its own, under its own consumer group, status and dead letters.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from connectors.debezium import source_topic
from feeds.registry import CAPTURED_TABLES
from feedsync.settings import Settings, destination_app_id
from feedsync.stack.orchestrate import Stack
from feedsync.stack.pipeline import FEEDSYNC
from feedsync.verify import run
from tests.integration.pipeline import Pipeline, Worker, converged_pipeline
from tests.integration.receiver import Receiver, free_port, running_receiver

pytestmark = pytest.mark.integration

FEEDS = ("products",)
RENAMES = 10
RATE = 2  # requests a second: Adobe's ingestion's
OUTAGE_S = 40  # the failing destination's: its worker's start and the renames fit in it


@pytest.fixture(scope="module")
def pipeline(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    with converged_pipeline(tmp_path_factory.mktemp("destinations"), FEEDS) as converged:
        yield converged


@contextmanager
def destination(
    pipeline: Pipeline, tmp_path: Path, name: str, receiver: Receiver, **settings: str
) -> Iterator[Worker]:
    """A worker of destination ``name`` delivering products to ``receiver``; ``settings``
    are the destination's (``FEEDSYNC_DELIVERY__DESTINATIONS__<NAME>__<KEY>``)."""
    prefix = f"FEEDSYNC_DELIVERY__DESTINATIONS__{name.upper()}__"
    env = {
        **pipeline.worker.env,
        f"{prefix}ENDPOINT_BASE": f"{receiver.url}/feeds",
        f"{prefix}INCLUDE": ",".join(FEEDS),
        # as the primary's in tests: a long outage ends in will-retry dead letters, re-driven
        f"{prefix}DEFAULTS__RETRY_BUDGET_S": "8",
        f"{prefix}DEFAULTS__RETRY_ATTEMPTS": "60",
        **{f"{prefix}{key.upper()}": value for key, value in settings.items()},
    }
    worker = Worker(env=env, log_path=tmp_path / f"worker-{name}.log", args=("--destination", name))
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


def ops(worker: Worker, *args: str) -> Any:
    """A ``feedsync`` command with the worker's settings: its JSON report."""
    done = subprocess.run(
        [FEEDSYNC, *args, "--json"],
        env=worker.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr  # 1: a report that says unhealthy
    return json.loads(done.stdout)


def dashboard_overview(worker: Worker, name: str) -> Any:
    """``feedsync dashboard --destination name``'s first overview."""
    port = free_port()
    command = [FEEDSYNC, "dashboard", "--destination", name, "--port", str(port)]
    process = subprocess.Popen(
        command, env=worker.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/overview", timeout=30)
                if response.status_code == 200:
                    return response.json()
            except httpx.HTTPError:
                pass
            time.sleep(0.5)  # polling a condition under a deadline
        raise AssertionError("the destination's dashboard never answered")
    finally:
        process.terminate()
        process.wait(timeout=30)


def seen_by(pipeline: Pipeline, receiver: Receiver) -> Settings:
    """The pipeline's settings with ``receiver`` as the one verify reads."""
    port = int(receiver.url.rsplit(":", 1)[1])
    return pipeline.settings.model_copy(
        update={"receiver": pipeline.settings.receiver.model_copy(update={"port": port})}
    )


def wait_clean_at(pipeline: Pipeline, receiver: Receiver, worker: Worker, timeout_s: float) -> None:
    settings = seen_by(pipeline, receiver)
    deadline = time.monotonic() + timeout_s
    report = None
    while time.monotonic() < deadline:
        report = run(settings, "products", examples=3)
        if report.clean:
            return
        time.sleep(1)  # polling a condition under a deadline
    rendered = report.render() if report else "no report"
    raise AssertionError(f"not clean at {receiver.url}:\n{rendered}\n{worker.log_tail()}")


def source_end_offsets(settings: Settings) -> dict[str, int]:
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        partitions = [TopicPartition(source_topic(settings, t), 0) for t in CAPTURED_TABLES]
        return {tp.topic: int(n) for tp, n in consumer.end_offsets(partitions).items()}
    finally:
        consumer.close()


def committed_topics(settings: Settings, group: str) -> dict[str, int]:
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        offsets = admin.list_group_offsets(group).get(group, {})
    finally:
        admin.close()
    found: dict[str, int] = {}
    for tp, meta in offsets.items():
        found[tp.topic] = found.get(tp.topic, 0) + max(int(meta.offset), 0)
    return found


def test_a_destination_added_later_gets_every_item_from_the_items_topic(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    before = source_end_offsets(pipeline.settings)
    with (
        running_receiver(tmp_path) as late,
        destination(pipeline, tmp_path, "late", late, rate_limit_per_s=str(RATE)) as worker,
    ):
        wait_clean_at(pipeline, late, worker, timeout_s=240)
        items = late.items("products")
        assert len(items) == len(pipeline.receiver.items("products"))
        # A resync of one destination sends to it alone.
        sku = next(item["sku"] for item in items.values() if not item.get("deleted"))
        began = time.time()
        ops(
            worker,
            "resync",
            "--destination",
            "late",
            "--feed",
            "products",
            "--by-ids",
            sku,
            "--force",
        )
        assert late.received_since("products", began)
        assert not pipeline.receiver.received_since("products", began)
        # The dashboard of a destination shows its app and its deliveries.
        overview = dashboard_overview(worker, "late")
        assert overview["app"] == destination_app_id(pipeline.app_id, "late")
        assert overview["endpoint"] == f"{late.url}/feeds"
        (products,) = overview["status"]["feeds"]  # the destination's feeds only
        assert products["feed"] == "products"
        assert products["states"].get("delivered", 0) > 0, products
    # Its rate limit held: a second's worth at once, then RATE a second (the receiver's
    # clock; without the limit the ~35 requests of the sync go out within a second or two).
    with sqlite3.connect(late.db_path) as db:
        times = [row[0] for row in db.execute("SELECT received_at FROM requests ORDER BY 1")]
    span = times[-1] - times[0]
    assert len(times) > 10 * RATE, len(times)
    assert len(times) <= RATE + RATE * span + 1, f"{len(times)} requests in {span:.1f} s"
    # No database read: Debezium wrote no source record meanwhile (no snapshot asked), and
    # the destination's group consumed the items topic and its own topics, no source.
    assert source_end_offsets(pipeline.settings) == before
    group = destination_app_id(pipeline.app_id, "late")
    consumed = committed_topics(pipeline.settings, group)
    items_topic = f"{pipeline.app_id}.items.products"
    assert consumed.get(items_topic, 0) > 0, consumed
    assert all(t == items_topic or t.startswith(f"{group}") for t in consumed), consumed


def renamed(sql: Any, count: int, tag: str, skip: int = 0) -> dict[str, float]:
    """Rename ``count`` products (store 0, after the first ``skip``), half a second apart:
    new name -> commit time."""
    marks: dict[str, float] = {}
    with sql.cursor() as cursor:
        cursor.execute(  # products in a website, named at store 0 only
            "SELECT v.entity_id FROM catalog_product_entity_varchar v JOIN eav_attribute a "
            "ON a.attribute_id = v.attribute_id AND a.attribute_code = 'name' "
            "AND a.entity_type_id = 4 WHERE v.store_id = 0 AND EXISTS (SELECT 1 FROM "
            "catalog_product_website w WHERE w.product_id = v.entity_id) AND NOT EXISTS "
            "(SELECT 1 FROM catalog_product_entity_varchar o WHERE o.entity_id = v.entity_id "
            "AND o.attribute_id = v.attribute_id AND o.store_id <> 0) "
            "ORDER BY v.entity_id LIMIT %s OFFSET %s",
            (count, skip),
        )
        products = [row[0] for row in cursor.fetchall()]
    for n, product in enumerate(products):
        name = f"Destination {tag} {n} {uuid.uuid4().hex[:6]}"
        with sql.cursor() as cursor:
            cursor.execute(
                "UPDATE catalog_product_entity_varchar v JOIN eav_attribute a "
                "ON a.attribute_id = v.attribute_id AND a.attribute_code = 'name' "
                "AND a.entity_type_id = 4 SET v.value = %s "
                "WHERE v.entity_id = %s AND v.store_id = 0",
                (name, product),
            )
        marks[name] = time.time()  # autocommit: committed when execute returns
        time.sleep(0.5)  # the pace of the changes, not a synchronisation
    return marks


def latencies(receiver: Receiver, marks: dict[str, float]) -> dict[str, float]:
    """Seconds from each name's commit to the receiver storing an item with it (its clock)."""
    found: dict[str, float] = {}
    with sqlite3.connect(receiver.db_path) as db:
        rows = db.execute(
            "SELECT payload, received_at FROM items WHERE feed = 'products'"
        ).fetchall()
    for payload, received_at in rows:
        name = json.loads(payload).get("name")
        if name in marks:
            latency = float(received_at) - marks[name]
            found[name] = min(found.get(name, latency), latency)
    return found


def test_a_failing_destination_holds_no_other_back_and_catches_up(
    pipeline: Pipeline, sql: Any, tmp_path: Path
) -> None:
    with running_receiver(tmp_path) as failing:
        failing.set_faults([{"status": 503, "duration_s": OUTAGE_S}])
        outage_began = time.monotonic()
        with destination(pipeline, tmp_path, "failing", failing) as worker:
            pipeline.wait_until(
                lambda: failing.stats()["requests"].get("products:503", 0) > 0,
                "the failing destination's worker sending (and being refused)",
                120,
            )
            during = renamed(sql, RENAMES, "during")
            pipeline.wait_until(
                lambda: len(latencies(pipeline.receiver, during)) == RENAMES,
                "every rename at the primary while the other destination fails",
            )
            assert time.monotonic() - outage_began < OUTAGE_S, "the outage ended too soon to tell"
            assert failing.stats()["requests"].get("products:200", 0) == 0
            while_failing = latencies(pipeline.receiver, during)
            wait_clean_at(pipeline, failing, worker, timeout_s=300)

            after = renamed(sql, RENAMES, "after", skip=RENAMES)
            pipeline.wait_until(
                lambda: len(latencies(pipeline.receiver, after)) == RENAMES,
                "every rename at the primary once both destinations are healthy",
            )
            both_healthy = latencies(pipeline.receiver, after)
            wait_clean_at(pipeline, failing, worker, timeout_s=120)
            pipeline.wait_clean(FEEDS)
            status = ops(worker, "status", "--destination", "failing", "--feed", "products")
            letters = ops(
                worker, "dlq", "list", "--destination", "failing", "--feed", "products", "--all"
            )
            primary_letters = ops(worker, "dlq", "list", "--feed", "products", "--all")
    products = status["feeds"][0]
    assert products["feed"] == "products"
    assert products["states"].get("delivered", 0) > 0, status
    # The outage's batches became the failing destination's dead letters, re-driven once it
    # answered; the primary's dead-letter topic holds none.
    assert letters["letters"], letters
    assert letters["redrive"]["products"]["total"]["answered"] > 0, letters
    assert not primary_letters["letters"], primary_letters
    figures = {
        "while the other fails": sorted(while_failing.values()),
        "both healthy": sorted(both_healthy.values()),
    }
    for what, values in figures.items():
        print(
            f"primary's commit-to-receiver latency {what}: p50 "
            f"{statistics.median(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"
        )
