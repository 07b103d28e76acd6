"""The whole pipeline on the real stack: snapshot, changes, faults, crashes → verify clean."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from kafka import KafkaProducer

from connectors.database import connect
from connectors.debezium import source_topic
from feedsync.settings import Settings
from streams.letters import DeadLetter, DeadLetterStatus, dlq_topic
from tests.integration.kafka_tools import read_until
from tests.integration.pipeline import Pipeline

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pipeline(feeds_pipeline: Pipeline) -> Pipeline:
    """The session's worker and receiver of every feed (conftest.py): one full sync of the
    small profile serves these tests too. Each test leaves its faults cleared and the worker
    running, converged."""
    feeds_pipeline.wait_clean()  # the snapshot of the small profile, end to end
    return feeds_pipeline


@pytest.fixture
def sql(settings: Settings) -> Iterator[Any]:
    connection = connect(settings, autocommit=True)
    try:
        yield connection
    finally:
        connection.close()


def execute(sql: Any, statement: str, *args: object) -> Any:
    with sql.cursor() as cursor:
        cursor.execute(statement, args)
        return cursor.fetchall()


def scalar(sql: Any, statement: str, *args: object) -> Any:
    rows = execute(sql, statement, *args)
    return rows[0][0] if rows else None


def attribute_id(sql: Any, code: str) -> int:
    return int(
        scalar(
            sql,
            "SELECT attribute_id FROM eav_attribute WHERE entity_type_id = 4 "
            "AND attribute_code = %s",
            code,
        )
    )


def a_product(
    sql: Any, *, websites: int = 1, offset: int = 0, excluding: tuple[int, ...] = (0,)
) -> int:
    """A sample product linked to at least ``websites`` websites, not one of ``excluding``."""
    marks = ", ".join(["%s"] * len(excluding))
    return int(
        scalar(
            sql,
            "SELECT product_id FROM catalog_product_website "
            f"WHERE product_id NOT IN ({marks}) GROUP BY product_id "
            "HAVING COUNT(*) >= %s ORDER BY product_id LIMIT 1 OFFSET %s",
            *excluding,
            websites,
            offset,
        )
    )


def test_snapshot_converges_for_every_feed(pipeline: Pipeline) -> None:
    pipeline.wait_clean()


def test_store_view_updates_unassignment_relabel_and_delete_converge(
    pipeline: Pipeline, sql: Any
) -> None:
    name = attribute_id(sql, "name")
    product = a_product(sql, offset=3)
    # The product's last store view: a store-view override that shows in one of its items.
    second_store = int(
        scalar(
            sql,
            "SELECT MAX(s.store_id) FROM store s JOIN catalog_product_website w "
            "ON w.website_id = s.website_id WHERE w.product_id = %s AND s.store_id > 0",
            product,
        )
    )
    tag = uuid.uuid4().hex[:6]
    execute(
        sql,
        "UPDATE catalog_product_entity_varchar SET value = %s WHERE entity_id = %s "
        "AND attribute_id = %s AND store_id = 0",
        f"default-{tag}",
        product,
        name,
    )
    execute(
        sql,
        "INSERT INTO catalog_product_entity_varchar (attribute_id, store_id, entity_id, "
        "value) VALUES (%s, %s, %s, %s) ON DUPLICATE KEY UPDATE value = VALUES(value)",
        name,
        second_store,
        product,
        f"view-{tag}",
    )
    multi = a_product(sql, websites=2, offset=1, excluding=(product,))
    execute(
        sql,
        "DELETE FROM catalog_product_website WHERE product_id = %s "
        "ORDER BY website_id DESC LIMIT 1",
        multi,
    )
    option = scalar(
        sql,
        "SELECT v.value_id FROM eav_attribute_option_value v JOIN "
        "eav_attribute_option o USING (option_id) JOIN eav_attribute a "
        "USING (attribute_id) WHERE a.attribute_code = 'color' AND v.store_id = 0 "
        "LIMIT 1",
    )
    execute(
        sql,
        "UPDATE eav_attribute_option_value SET value = %s WHERE value_id = %s",
        f"Colour {tag}",
        option,
    )
    doomed = a_product(sql, offset=7, excluding=(product, multi))
    execute(sql, "DELETE FROM catalog_product_entity WHERE entity_id = %s", doomed)

    pipeline.wait_clean()

    items = pipeline.receiver.items("products")
    deleted = [i for i in items.values() if i.get("deleted") and i.get("productId") is None]
    assert deleted, "the deleted product's items were not sent as deleted"
    assert any(i.get("name") == f"view-{tag}" for i in items.values())


def test_malformed_source_record_is_dead_lettered_and_the_stream_goes_on(
    pipeline: Pipeline, settings: Settings, sql: Any
) -> None:
    topic = source_topic(settings, "store_website")
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers)
    producer.send(topic, key=b'{"website_id":1}', value=b"{not json").get(timeout=30)
    producer.close()

    def planted(seen: list[Any]) -> list[DeadLetter]:
        # the worker is shared: its source letters may hold earlier tests' too
        letters = (DeadLetter.from_record(r.raw) for r in seen if r.raw is not None)
        return [letter for letter in letters if letter.raw == b"{not json"]

    records = read_until(
        settings,
        dlq_topic("source", pipeline.app_id),
        lambda seen: bool(planted(seen)),
        timeout_s=120,
    )
    [letter] = planted(records)
    assert letter.coordinates is not None
    assert letter.coordinates.topic == topic
    assert "not JSON" in letter.message

    execute(
        sql,
        "UPDATE store_website SET name = %s WHERE website_id = 1",
        f"Main {uuid.uuid4().hex[:4]}",
    )
    pipeline.wait_clean()


def test_503_for_20_seconds_then_recovery_loses_nothing(
    pipeline: Pipeline, settings: Settings, sql: Any
) -> None:
    pipeline.receiver.set_faults([{"status": 503, "duration_s": 20}])
    began = time.time()
    renamed = a_product(sql, offset=11)
    _rename(sql, renamed)

    pipeline.wait_clean()

    statuses = _statuses_since(pipeline, began)
    assert 503 in statuses, "the fault window was never hit"
    assert statuses[-1] == 200
    # The 8 s retry budget ran out inside the 20 s outage: the batch became a will-retry
    # dead letter, and the re-drive delivered it (verify is clean).
    letters = _dead_letters(settings, pipeline, "products")
    assert any(
        letter.status is DeadLetterStatus.WILL_RETRY
        and renamed in {item.payload.get("productId") for item in letter.items}
        for letter in letters
    )


def test_429_retry_after_is_waited_out(pipeline: Pipeline, sql: Any) -> None:
    pipeline.receiver.set_faults(
        [{"status": 429, "retry_after": "3", "times": 1, "feed": "products"}]
    )
    began = time.time()
    _rename(sql, a_product(sql, offset=13))
    pipeline.wait_clean()

    with sqlite3.connect(pipeline.receiver.db_path) as db:
        rows = list(
            db.execute(
                "SELECT received_at, status FROM requests WHERE feed = 'products' AND "
                "received_at >= ? ORDER BY seq",
                (began,),
            )
        )
    first_429 = next(i for i, (_, status) in enumerate(rows) if status == 429)
    assert rows[first_429 + 1][0] - rows[first_429][0] >= 3.0


def test_400_becomes_a_dead_letter_and_later_items_flow(
    pipeline: Pipeline, settings: Settings, sql: Any
) -> None:
    rejected = a_product(sql, offset=17)
    # Every batch holding one of the product's items is refused: the batch is bisected
    # until only that product's items are parked, each alone.
    pipeline.receiver.set_faults(
        [{"status": 400, "feed": "products", "match": {"productId": rejected}}]
    )
    _rename(sql, rejected)

    def rejected_letters(seen: list[Any]) -> list[DeadLetter]:
        letters = [DeadLetter.from_record(r.raw) for r in seen if r.raw]
        return [
            letter
            for letter in letters
            if letter.status is DeadLetterStatus.NEEDS_ATTENTION
            and rejected in {item.payload.get("productId") for item in letter.items}
        ]

    records = read_until(
        settings,
        dlq_topic("products", pipeline.app_id),
        lambda seen: bool(rejected_letters(seen)),
        timeout_s=120,
    )
    letters = rejected_letters(records)
    for letter in letters:
        assert letter.http_status == 400
        assert "fault injection" in letter.response_excerpt
        assert [item.payload["productId"] for item in letter.items] == [rejected]

    pipeline.receiver.set_faults([])  # the endpoint is fixed, and the item changes:
    _rename(sql, rejected)  # it is sent again
    _rename(sql, a_product(sql, offset=19))
    pipeline.wait_clean()


def test_sigkill_mid_stream_converges_with_stable_idempotency_keys(
    pipeline: Pipeline, sql: Any
) -> None:
    for offset in range(20, 60):
        _rename(sql, a_product(sql, offset=offset))
    pipeline.worker.kill()
    for offset in range(60, 80):
        _rename(sql, a_product(sql, offset=offset))
    pipeline.worker.start()

    pipeline.wait_clean()

    stats = pipeline.receiver.stats()
    assert stats["duplicates_with_new_key"] == 0, stats
    assert stats["keys_reused_for_other_content"] == 0, stats
    assert stats["older_after_newer"] == 0, stats


def _rename(sql: Any, product: int) -> None:
    execute(
        sql,
        "UPDATE catalog_product_entity_varchar SET value = %s WHERE entity_id = %s "
        "AND attribute_id = (SELECT attribute_id FROM eav_attribute WHERE "
        "entity_type_id = 4 AND attribute_code = 'name') AND store_id = 0",
        f"renamed {uuid.uuid4().hex[:8]}",
        product,
    )


def _dead_letters(settings: Settings, pipeline: Pipeline, feed: str) -> list[DeadLetter]:
    topic = dlq_topic(feed, pipeline.app_id)
    records = read_until(settings, topic, lambda seen: len(seen) >= 1, timeout_s=60)
    return [DeadLetter.from_record(r.raw) for r in records if r.raw]


def _statuses_since(pipeline: Pipeline, since: float) -> list[int]:
    with sqlite3.connect(pipeline.receiver.db_path) as db:
        return [
            row[0]
            for row in db.execute(
                "SELECT status FROM requests WHERE received_at >= ? ORDER BY seq", (since,)
            )
        ]
