"""A bad record never stops the stream, and no offset is committed past a good one.

The worker reads a private copy of part of the sample catalog (tests/integration/poison.py)
with poisons planted for every stage: at offset 0 of a fresh app id's topics (faust's
consumer has no committed offset yet: faust-streaming #606's worst case), then between
good records of a running worker. Every good change must reach the receiver, every poison
must be a dead letter naming its stage and coordinates, and the worker must keep running,
stop cleanly and leave every offset committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType

from feedsync.errors import ConfigError
from feedsync.settings import Settings
from feedsync.stack.orchestrate import Stack
from streams.app import create_app
from streams.letters import SOURCE_DLQ, DeadLetter, Stage, dlq_topic
from streams.topology import changelog_topics, ensure_topics
from tests.integration.pipeline import Pipeline, running_pipeline
from tests.integration.poison import (
    Planted,
    PrivateCatalog,
    create_topics,
    item_record,
    read_letters,
    will_retry_letter,
)

pytestmark = pytest.mark.integration

PRODUCTS = 8
PARTITIONS = 2
GARBAGE = b"\x00 not a record \xff"


@pytest.fixture(scope="module")
def poisoned(
    stack: Stack, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Pipeline, PrivateCatalog]]:
    """A worker of a fresh app id started on topics whose first records are poisons."""
    prefix = f"p{uuid.uuid4().hex[:8]}"
    with running_pipeline(
        tmp_path_factory.mktemp("poison"),
        start=False,
        FEEDSYNC_CONNECT__TOPIC_PREFIX=prefix,
        FEEDSYNC_STREAMS__FEEDS="products",
        FEEDSYNC_STREAMS__DLQ_REDRIVE_INTERVAL_S="0.5",
    ) as pipeline:
        catalog = PrivateCatalog.load(settings, pipeline.settings, PRODUCTS)
        app = pipeline.app_id
        first = catalog.products[0]
        # Offset 0 of source topics: a route poison and a reference poison come first.
        for stage, poisons in catalog.poisons(first).items():
            catalog.plant(poisons[:1], stage)
        catalog.publish()
        # Offset 0 of every partition of the entity, items and dead-letter topics.
        entity, items, letters = f"{app}.entity.products", f"{app}.items.products", dlq(app)
        create_topics(pipeline.settings, [entity, items], PARTITIONS)
        create_topics(pipeline.settings, [letters], 1)
        for partition in range(PARTITIONS):
            catalog.plant([(entity, b"1", GARBAGE)], Stage.PROJECT, partition=partition)
            catalog.plant([(items, b"x", GARBAGE)], Stage.DELIVER, partition=partition)
            key, value = item_record(f"HEAD-ITEM-{partition}", "made up")
            catalog.plant([(items, key, value)], partition=partition)
        catalog.plant([(letters, None, GARBAGE)])  # stays in the topic, never re-driven
        catalog.plant([(letters, None, will_retry_letter("HEAD-LETTER", "made up"))])
        pipeline.worker.start()
        yield pipeline, catalog


def dlq(app: str) -> str:
    return dlq_topic("products", app)


def names(pipeline: Pipeline, catalog: PrivateCatalog) -> dict[str, set[str]]:
    """SKU → the names its products items carry at the receiver."""
    held: dict[str, set[str]] = {}
    for payload in pipeline.receiver.items("products").values():
        held.setdefault(str(payload["sku"]), set()).add(str(payload.get("name")))
    return held


def wait_for_names(
    pipeline: Pipeline, catalog: PrivateCatalog, expected: dict[str, str], timeout_s: float = 120
) -> None:
    """Until every SKU named has exactly that name in every item."""
    pipeline.wait_until(
        lambda: all(names(pipeline, catalog).get(sku) == {name} for sku, name in expected.items()),
        f"names at the receiver: {expected}",
        timeout_s=timeout_s,
    )


def letters_by_coordinates(pipeline: Pipeline) -> dict[tuple[str, int, int], DeadLetter]:
    app = pipeline.app_id
    found: dict[tuple[str, int, int], DeadLetter] = {}
    for topic in (dlq_topic(SOURCE_DLQ, app), dlq(app)):
        for _, letter in read_letters(pipeline.settings, topic):
            if letter is None or letter.coordinates is None:
                continue
            for offset in letter.coordinates.offsets:
                place = (letter.coordinates.topic, letter.coordinates.partition, offset)
                found[place] = letter
            if "source" in letter.extra:  # a re-keyed record's letter names its source
                topic_name, partition, offset_text = letter.extra["source"].rsplit(":", 2)
                found.setdefault((topic_name, int(partition), int(offset_text)), letter)
    return found


def wait_for_letters(pipeline: Pipeline, planted: list[Planted], timeout_s: float = 120) -> None:
    """Until each poison planted is a dead letter of the stage that had to catch it."""

    def missing() -> list[Planted]:
        found = letters_by_coordinates(pipeline)
        return [
            p
            for p in planted
            if p.stage is not None
            and p.stage is not Stage.REDRIVE
            and (found.get((p.topic, p.partition, p.offset)) or _NONE).stage is not p.stage
        ]

    pipeline.wait_until(lambda: not missing(), "dead letters for every poison", timeout_s)


class _NoLetter:
    stage = None


_NONE: Any = _NoLetter()


def test_poisons_at_the_head_of_a_fresh_app_id_are_dead_lettered_and_nothing_is_skipped(
    poisoned: tuple[Pipeline, PrivateCatalog],
) -> None:
    pipeline, catalog = poisoned
    originals = {catalog.sku(p): str(catalog.name_row(p)[1]["value"]) for p in catalog.products}
    wait_for_names(pipeline, catalog, originals, timeout_s=180)
    made_up = {f"HEAD-ITEM-{p}": "made up" for p in range(PARTITIONS)} | {"HEAD-LETTER": "made up"}
    wait_for_names(pipeline, catalog, made_up)
    wait_for_letters(pipeline, catalog.planted)
    found = letters_by_coordinates(pipeline)
    head = next(p for p in catalog.planted if p.stage is Stage.ROUTE)
    letter = found[(head.topic, head.partition, head.offset)]
    assert head.offset == 0
    assert letter.error == "MalformedRecord"
    assert letter.raw is not None
    assert letter.coordinates is not None
    assert letter.coordinates.key is not None
    reference = next(p for p in catalog.planted if p.stage is Stage.REFERENCE)
    assert found[(reference.topic, reference.partition, reference.offset)].error == "MalformedRow"
    assert pipeline.worker.process is not None
    assert pipeline.worker.process.poll() is None


def test_poisons_between_good_records_of_a_running_worker(
    poisoned: tuple[Pipeline, PrivateCatalog],
) -> None:
    pipeline, catalog = poisoned
    app = pipeline.app_id
    tag = uuid.uuid4().hex[:6]
    renamed = {p: f"renamed-{tag}-{p}" for p in catalog.products[1:6]}
    good = [catalog.rename(p, name) for p, name in renamed.items()]
    poisons = catalog.poisons(catalog.products[3])
    # good, route, good, reference, good, project (apply), good, project (build), good:
    # the build poison hits the product renamed just before it, in the same batch.
    records = [
        (good[0], None),
        (poisons[Stage.ROUTE][1], Stage.ROUTE),
        (good[1], None),
        (poisons[Stage.REFERENCE][1], Stage.REFERENCE),
        (good[2], None),
        (poisons[Stage.PROJECT][0], Stage.PROJECT),
        (good[3], None),
        (poisons[Stage.PROJECT][1], Stage.PROJECT),
        (good[4], None),
    ]
    for record, stage in records:
        catalog.plant([record], stage)
    item_a, item_b = item_record("MID-A", "made up"), item_record("MID-B", "made up")
    items = f"{app}.items.products"
    pipeline.receiver.set_faults(
        [{"feed": "products", "status": 200, "corrupt_body": True, "times": 1}]
    )
    catalog.plant([(items, *item_a)], partition=0)
    catalog.plant([(items, b"x", GARBAGE)], Stage.DELIVER, partition=0)
    catalog.plant([(items, *item_b)], partition=0)
    catalog.plant([(f"{app}.entity.products", b"2", GARBAGE)], Stage.PROJECT, partition=1)
    catalog.plant([(dlq(app), None, will_retry_letter("MID-LETTER-A", "made up"))])
    catalog.plant([(dlq(app), None, GARBAGE)])
    catalog.plant([(dlq(app), None, will_retry_letter("MID-LETTER-B", "made up"))])

    wait_for_names(pipeline, catalog, {catalog.sku(p): n for p, n in renamed.items()})
    made_up = ("MID-A", "MID-B", "MID-LETTER-A", "MID-LETTER-B")
    wait_for_names(pipeline, catalog, dict.fromkeys(made_up, "made up"))
    wait_for_letters(pipeline, catalog.planted)
    assert pipeline.worker.process is not None
    assert pipeline.worker.process.poll() is None


def test_a_thousand_fuzzed_rows_among_good_ones(
    poisoned: tuple[Pipeline, PrivateCatalog],
) -> None:
    """Valid envelopes with wrong contents through route, reference and project: every one
    is a dead letter of the stage that must catch it; every good change arrives."""
    pipeline, catalog = poisoned
    fuzzed = catalog.fuzzed(1000, seed=606)
    tag = uuid.uuid4().hex[:6]
    last: dict[int, str] = {}
    planted_before = len(catalog.planted)
    for n, (stage, record) in enumerate(fuzzed):
        catalog.plant([record], stage)
        if n % 20 == 0:
            product = catalog.products[(n // 20) % len(catalog.products)]
            last[product] = f"fuzz-{tag}-{n}"
            catalog.plant([catalog.rename(product, last[product])])
    wait_for_names(pipeline, catalog, {catalog.sku(p): name for p, name in last.items()})
    fuzzed_planted = [p for p in catalog.planted[planted_before:] if p.stage is not None]
    assert len(fuzzed_planted) == 1000
    wait_for_letters(pipeline, fuzzed_planted, timeout_s=180)
    assert pipeline.worker.process is not None
    assert pipeline.worker.process.poll() is None


def test_the_worker_stops_cleanly_with_every_offset_committed(
    poisoned: tuple[Pipeline, PrivateCatalog],
) -> None:
    """Runs last: after the poisons, a SIGTERM stops the worker promptly (nothing left
    unacknowledged), and the group's committed offsets reach the end of every topic."""
    pipeline, catalog = poisoned
    app = pipeline.app_id
    worker = pipeline.worker
    assert worker.process is not None
    worker.process.terminate()
    worker.process.wait(timeout=45)
    topics = sorted({p.topic for p in catalog.planted if not p.topic.startswith(f"{app}.dlq.")})
    consumer = KafkaConsumer(bootstrap_servers=pipeline.settings.kafka.bootstrap_servers)
    admin = KafkaAdminClient(bootstrap_servers=pipeline.settings.kafka.bootstrap_servers)
    try:
        partitions = [
            TopicPartition(topic, partition)
            for topic in topics
            for partition in consumer.partitions_for_topic(topic) or ()
        ]
        ends = consumer.end_offsets(partitions)
        committed = {
            tp: meta.offset for tp, meta in admin.list_group_offsets(app).get(app, {}).items()
        }
    finally:
        consumer.close()
        admin.close()
    behind = {
        f"{tp.topic}[{tp.partition}]": (committed.get(tp), end)
        for tp, end in ends.items()
        if end and committed.get(tp) != end
    }
    assert behind == {}, f"committed offsets short of the end: {behind}\n{worker.log_tail()}"


def test_a_worker_refuses_an_items_topic_created_with_other_partitions(
    stack: Stack, settings: Settings
) -> None:
    """A producer that auto-created an items topic (one partition) before any worker ran
    would make every status write fail: the worker refuses to start, naming it."""
    app = f"t{uuid.uuid4().hex[:10]}"
    mine = settings.model_copy(
        update={"streams": settings.streams.model_copy(update={"app_id": app, "partitions": 2})}
    )
    create_topics(mine, [f"{app}.items.products"], 1)
    with pytest.raises(ConfigError, match=rf"{app}\.items\.products has 1") as refused:
        ensure_topics(mine)
    assert "FEEDSYNC_STREAMS__PARTITIONS is 2" in refused.value.message


def test_a_worker_creates_its_tables_changelogs_before_faust_starts(
    stack: Stack, settings: Settings
) -> None:
    """Faust creates a table's changelog a moment before its consumer joins the group;
    when the broker's metadata does not show it yet, the consumer takes it for a topic of
    0 partitions for minutes and every write to that table fails. The worker creates them
    first, compacted, with the tables' partition counts."""
    app_id = f"t{uuid.uuid4().hex[:10]}"
    mine = settings.model_copy(
        update={"streams": settings.streams.model_copy(update={"app_id": app_id})}
    )
    wanted = changelog_topics(create_app(mine))
    assert f"{app_id}-feedsync-delivered-changelog" in {name for name, _n, _c in wanted}
    ensure_topics(mine, wanted)
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        described = {
            str(t["name"]): len(t["partitions"])
            for t in admin.describe_topics([name for name, _n, _c in wanted])
        }
        configs = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name) for name, _n, _c in wanted]
        )
    finally:
        admin.close()
    assert described == {name: partitions for name, partitions, _c in wanted}
    policies = {name: c["cleanup.policy"]["value"] for name, c in configs["topic"].items()}
    assert set(policies.values()) == {"compact"}, policies
