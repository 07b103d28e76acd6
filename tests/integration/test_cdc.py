"""Debezium on the real stack: snapshot, row changes, signals, and restart without loss."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from connectors.debezium import register_connector, request_incremental_snapshot, source_topic
from feedsync.settings import Settings
from feedsync.stack.orchestrate import Stack
from tests.integration.kafka_tools import Record, end_offset, read_until

pytestmark = pytest.mark.integration


def _scalar(db: Any, sql: str, *args: object) -> Any:
    with db.cursor() as cursor:
        cursor.execute(sql, args)
        row = cursor.fetchone()
    return row[0] if row else None


def _new_product(db: Any) -> tuple[int, str]:
    sku = f"test-{uuid.uuid4().hex[:12]}"
    with db.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalog_product_entity (attribute_set_id, type_id, sku) "
            "VALUES (4, 'simple', %s)",
            (sku,),
        )
        return int(cursor.lastrowid), sku


@pytest.mark.parametrize(
    ("table", "key", "loaded"),
    [
        ("store_website", "website_id", "TRUE"),
        ("store", "store_id", "TRUE"),
        ("customer_group", "customer_group_id", "TRUE"),
        # Tests add products named test-*; the rest were there before the connector.
        ("catalog_product_entity", "entity_id", "sku NOT LIKE 'test-%'"),
        ("sales_order", "entity_id", "TRUE"),
    ],
)
def test_existing_rows_arrive_as_snapshot_reads(
    stack: Stack, settings: Settings, db: Any, table: str, key: str, loaded: str
) -> None:
    ids = {row[0] for row in _rows(db, f"SELECT {key} FROM {table} WHERE {loaded}")}
    assert ids, f"the sample data left {table} empty"

    records = read_until(
        settings,
        source_topic(settings, table),
        lambda seen: ids <= {r.key[key] for r in seen if r.key and r.op == "r"},
        timeout_s=180,
    )

    snapshot = [r for r in records if r.op == "r"]
    assert {r.key[key] for r in snapshot if r.key} >= ids
    first = snapshot[0].value
    assert first is not None
    assert first["before"] is None
    assert first["source"]["snapshot"] in {
        "true",
        "first",
        "first_in_data_collection",
        "last",
        "last_in_data_collection",
        "incremental",
    }
    assert first["source"]["table"] == table
    assert first["after"][key] in ids


def test_insert_update_delete_arrive_with_before_and_after(
    stack: Stack, settings: Settings, db: Any
) -> None:
    topic = source_topic(settings, "catalog_product_entity_varchar")
    name_id = _scalar(
        db,
        "SELECT attribute_id FROM eav_attribute WHERE entity_type_id = 4 "
        "AND attribute_code = 'name'",
    )
    product_id, _sku = _new_product(db)
    start = end_offset(settings, topic)

    with db.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalog_product_entity_varchar (attribute_id, store_id, entity_id, value) "
            "VALUES (%s, 1, %s, 'first name')",
            (name_id, product_id),
        )
        value_id = cursor.lastrowid
        cursor.execute(
            "UPDATE catalog_product_entity_varchar SET value = 'second name' WHERE value_id = %s",
            (value_id,),
        )
        cursor.execute(
            "DELETE FROM catalog_product_entity_varchar WHERE value_id = %s", (value_id,)
        )

    def mine(records: list[Record]) -> list[Record]:
        return [r for r in records if r.key == {"value_id": value_id}]

    records = mine(read_until(settings, topic, lambda seen: len(mine(seen)) >= 4, start=start))

    create, update, delete, tombstone = records[:4]
    assert create.op == "c"
    assert create.value is not None
    assert create.value["before"] is None
    assert create.value["after"]["value"] == "first name"
    assert create.value["after"]["entity_id"] == product_id
    assert update.op == "u"
    assert update.value is not None
    assert update.value["before"]["value"] == "first name"
    assert update.value["after"]["value"] == "second name"
    assert delete.op == "d"
    assert delete.value is not None
    assert delete.value["before"]["value"] == "second name"
    assert delete.value["after"] is None
    assert tombstone.value is None


def test_product_delete_is_followed_by_its_tombstone(
    stack: Stack, settings: Settings, db: Any
) -> None:
    topic = source_topic(settings, "catalog_product_entity")
    product_id, sku = _new_product(db)
    start = end_offset(settings, topic)

    with db.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_product_entity WHERE entity_id = %s", (product_id,))

    def mine(records: list[Record]) -> list[Record]:
        return [r for r in records if r.key == {"entity_id": product_id} and r.op != "c"]

    delete, tombstone = mine(
        read_until(settings, topic, lambda seen: len(mine(seen)) >= 2, start=start)
    )[:2]
    assert delete.op == "d"
    assert delete.value is not None
    assert delete.value["before"]["sku"] == sku
    assert tombstone.value is None
    assert tombstone.offset == delete.offset + 1


def test_signal_row_triggers_an_incremental_snapshot_of_one_table(
    stack: Stack, settings: Settings, db: Any
) -> None:
    wanted = source_topic(settings, "customer_group")
    other = source_topic(settings, "store_website")
    groups = {row[0] for row in _rows(db, "SELECT customer_group_id FROM customer_group")}
    start, other_start = end_offset(settings, wanted), end_offset(settings, other)

    request_incremental_snapshot(db, settings, ["customer_group"])

    def incremental(records: list[Record]) -> set[int]:
        return {
            r.key["customer_group_id"]
            for r in records
            if r.key and r.value and r.op == "r" and r.value["source"]["snapshot"] == "incremental"
        }

    read_until(settings, wanted, lambda seen: incremental(seen) >= groups, start=start)
    assert end_offset(settings, other) == other_start, "a table that was not asked for moved"


def test_connect_restart_resumes_without_loss_duplicates_or_resnapshot(
    stack: Stack, settings: Settings, db: Any
) -> None:
    topic = source_topic(settings, "catalog_product_entity")
    start = end_offset(settings, topic)

    assert stack.connect.stop(), "Kafka Connect was not running"
    created = [_new_product(db) for _ in range(5)]
    with db.cursor() as cursor:
        cursor.execute(
            "UPDATE catalog_product_entity SET has_options = 1 WHERE entity_id = %s",
            (created[0][0],),
        )
    stack.connect.start(settings.stack.start_timeout_s)
    register_connector(settings, timeout_s=settings.stack.start_timeout_s)
    # A change made after the restart: once it is read, everything before it has been.
    sentinel, _ = _new_product(db)

    records = read_until(
        settings,
        topic,
        lambda seen: any(r.key == {"entity_id": sentinel} for r in seen),
        start=start,
    )

    assert [r for r in records if r.op == "r"] == [], "Debezium re-snapshotted after restart"
    ours = {pid for pid, _ in created} | {sentinel}
    by_change: dict[tuple[int, str | None], int] = {}
    for record in records:
        if record.key is None or record.key["entity_id"] not in ours:
            continue  # changes made by earlier tests may still be arriving
        change = (record.key["entity_id"], record.op)
        by_change[change] = by_change.get(change, 0) + 1
    expected = {(pid, "c") for pid, _ in created} | {(created[0][0], "u"), (sentinel, "c")}
    assert set(by_change) == expected
    assert all(count == 1 for count in by_change.values()), by_change


def _rows(db: Any, sql: str) -> list[tuple[Any, ...]]:
    with db.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())
