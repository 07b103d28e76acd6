"""The newest version wins, whatever the timing: versions are a clock of the source's order.

- A → B → A (in stock, out, in again) against a receiver that applies each Idempotency-Key
  once: the revert has a key of its own, so the item ends in stock.
- A product deleted and re-created under the same SKU, with a reference change between:
  the re-creation is newer than the deletion, whichever the worker built last.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from feedsync.stack.orchestrate import Stack
from tests.integration.pipeline import Pipeline, running_pipeline

pytestmark = pytest.mark.integration

FEEDS = ("products", "inventoryStockStatus")


@pytest.fixture(scope="module")
def strict_receiver(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    with running_pipeline(
        tmp_path_factory.mktemp("guarantees"),
        receiver_settings={"dedupe_by_key": "true"},
        FEEDSYNC_STREAMS__FEEDS=",".join(FEEDS),
    ) as pipeline:
        pipeline.wait_clean(FEEDS, timeout_s=300)
        yield pipeline


def run(sql: Any, statement: str, *args: object) -> Any:
    with sql.cursor() as cursor:
        cursor.execute(statement, args)
        return cursor.fetchall()


def test_in_out_in_ends_in_stock_at_a_receiver_that_applies_each_key_once(
    strict_receiver: Pipeline, sql: Any
) -> None:
    in_out_in(strict_receiver, sql)


def in_out_in(strict_receiver: Pipeline, sql: Any) -> None:
    """A stock source item toggled in, out, in, out, in within a second or so."""
    ((source_item_id, sku),) = run(
        sql,
        "SELECT source_item_id, sku FROM inventory_source_item WHERE status = 1 "
        "AND quantity > 0 ORDER BY source_item_id LIMIT 1",
    )
    for status in (0, 1, 0, 1):  # four commits within a second or so
        run(
            sql,
            "UPDATE inventory_source_item SET status = %s WHERE source_item_id = %s",
            status,
            source_item_id,
        )
    strict_receiver.wait_clean(FEEDS)
    stats = strict_receiver.receiver.stats()
    assert stats["keys_reused_for_other_content"] == 0, stats
    assert stats["older_after_newer"] == 0, stats
    held = [
        p
        for p in strict_receiver.receiver.items("inventoryStockStatus").values()
        if p.get("sku") == sku and not p.get("deleted")
    ]
    assert held, f"no stock item for {sku}"


def test_delete_and_recreate_a_sku_across_a_reference_change(
    strict_receiver: Pipeline, sql: Any
) -> None:
    delete_and_recreate(strict_receiver, sql)


def delete_and_recreate(strict_receiver: Pipeline, sql: Any) -> None:
    """A new SKU created, deleted, a reference change, and the SKU created again."""
    tag = uuid.uuid4().hex[:6]
    sku = f"RECREATE-{tag}"
    name = int(
        run(
            sql,
            "SELECT attribute_id FROM eav_attribute WHERE entity_type_id = 4 "
            "AND attribute_code = 'name'",
        )[0][0]
    )

    def create(label: str) -> int:
        run(
            sql,
            "INSERT INTO catalog_product_entity (attribute_set_id, type_id, sku) "
            "VALUES (4, 'simple', %s)",
            sku,
        )
        product = int(
            run(sql, "SELECT entity_id FROM catalog_product_entity WHERE sku = %s", sku)[0][0]
        )
        run(
            sql,
            "INSERT INTO catalog_product_entity_varchar (attribute_id, store_id, "
            "entity_id, value) VALUES (%s, 0, %s, %s)",
            name,
            product,
            label,
        )
        run(
            sql,
            "INSERT INTO catalog_product_website (product_id, website_id) VALUES (%s, 1)",
            product,
        )
        return product

    first = create(f"first {tag}")
    strict_receiver.wait_clean(FEEDS)
    run(sql, "DELETE FROM catalog_product_entity WHERE entity_id = %s", first)
    # A reference change between the delete and the re-creation: it rebuilds every product,
    # and must not make the deletion outrank the re-created items.
    run(sql, "UPDATE store_website SET name = %s WHERE website_id = 1", f"Main {tag}")
    second = create(f"second {tag}")
    assert second != first
    strict_receiver.wait_clean(FEEDS)
    items = [p for p in strict_receiver.receiver.items("products").values() if p.get("sku") == sku]
    assert items
    assert all(not p.get("deleted") and p["name"] == f"second {tag}" for p in items), items
    stats = strict_receiver.receiver.stats()
    assert stats["older_after_newer"] == 0, stats
