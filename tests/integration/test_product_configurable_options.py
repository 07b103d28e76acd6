"""Configurable products' entries of optionsV2 on the real stack (issue #14): the snapshot
carries an entry per super attribute and store view and a value per option an enabled child
selects; a swatch's new color reaches every configurable showing it; a child disabled in
one store view takes its option away there only, and only where no other enabled child
selects it; each converging to what verify projects. On the shared ``feeds_pipeline``."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest

from tests.integration.magento_ops import execute
from tests.integration.pipeline import Pipeline
from tests.integration.test_product_media_urls import FEEDS, of_product

pytestmark = pytest.mark.integration

STATUS = 95  # defaults.sql
# A child's status in a store view (its own row there, else store 0's).
_STATUS_IN = "IF(ss.value_id IS NULL, sd.value, ss.value) "
_STATUS_JOINS = (
    "LEFT JOIN catalog_product_entity_int sd ON sd.entity_id = sl.product_id "
    f"AND sd.attribute_id = {STATUS} AND sd.store_id = 0 "
    "LEFT JOIN catalog_product_entity_int ss ON ss.entity_id = sl.product_id "
    f"AND ss.attribute_id = {STATUS} AND ss.store_id = s.store_id "
)

_ENABLED = _STATUS_JOINS + "WHERE " + _STATUS_IN + "<> 2 "
# A configurable's children with the option each selects of each super attribute (store 0).
_SELECTED = (
    "FROM catalog_product_super_link sl "
    "JOIN catalog_product_entity p ON p.entity_id = sl.parent_id "
    "AND p.type_id = 'configurable' "
    "JOIN catalog_product_super_attribute sa ON sa.product_id = sl.parent_id "
    "JOIN catalog_product_entity_int ci ON ci.entity_id = sl.product_id "
    "AND ci.attribute_id = sa.attribute_id AND ci.store_id = 0 "
    "JOIN eav_attribute_option ao ON ao.option_id = ci.value "
    "AND ao.attribute_id = sa.attribute_id "
    "JOIN catalog_product_website w ON w.product_id = sl.parent_id "
)


def uid(attribute_id: int, option_id: int) -> str:
    return base64.b64encode(f"configurable/{attribute_id}/{option_id}".encode()).decode()


def configurable(items: dict[str, Any]) -> dict[str, list[str]]:
    """store view → the value ids of the item's configurable entries."""
    return {
        view: [
            v["id"] for o in item["optionsV2"] if o["type"] == "configurable" for v in o["values"]
        ]
        for view, item in items.items()
    }


def test_the_snapshot_carries_every_configurable_option(feeds_pipeline: Pipeline, sql: Any) -> None:
    feeds_pipeline.wait_clean(FEEDS, timeout_s=300)
    items = [i for i in feeds_pipeline.receiver.items("products").values() if not i["deleted"]]
    entries = [o for i in items for o in i["optionsV2"] if o["type"] == "configurable"]
    ((expected_entries,),) = execute(
        sql,
        "SELECT COUNT(*) FROM catalog_product_super_attribute sa "
        "JOIN catalog_product_entity p ON p.entity_id = sa.product_id "
        "AND p.type_id = 'configurable' "
        "JOIN catalog_eav_attribute c ON c.attribute_id = sa.attribute_id "
        "JOIN catalog_product_website w ON w.product_id = p.entity_id "
        "JOIN store s ON s.website_id = w.website_id AND s.store_id > 0",
    )
    ((expected_values,),) = execute(
        sql,
        "SELECT COUNT(DISTINCT sl.parent_id, s.store_id, ao.option_id) "
        + _SELECTED
        + "JOIN store s ON s.website_id = w.website_id AND s.store_id > 0 "
        + _ENABLED,
    )
    assert expected_entries > 0
    assert len(entries) == expected_entries
    assert sum(len(o["values"]) for o in entries) == expected_values
    kinds = {o["id"]: o["swatchType"] for o in entries}
    assert '"swatch_input_type":"visual"' in kinds["color"]
    assert '"swatch_input_type":"text"' in kinds["size"]
    values = [v for o in entries for v in o["values"]]
    assert any(v["colorHex"] for v in values)
    assert any(v["imageUrl"] and "/attribute/swatch/" in v["imageUrl"] for v in values)
    for item in items:
        own = [o["sortOrder"] for o in item["optionsV2"] if o["type"] == "configurable"]
        assert own == sorted(own)


def test_a_swatch_color_reaches_every_configurable_showing_it(
    feeds_pipeline: Pipeline, sql: Any
) -> None:
    # A color at store 0 that no store view overrides, selected by children of several parents.
    [(option_id, attribute_id, swatch_id)] = execute(
        sql,
        "SELECT o.option_id, o.attribute_id, w.swatch_id FROM eav_attribute_option_swatch w "
        "JOIN eav_attribute_option o ON o.option_id = w.option_id "
        "JOIN catalog_product_entity_int ci ON ci.value = o.option_id AND ci.store_id = 0 "
        "AND ci.attribute_id = o.attribute_id "
        "JOIN catalog_product_super_link sl ON sl.product_id = ci.entity_id "
        "WHERE w.store_id = 0 AND w.type = 1 AND NOT EXISTS (SELECT 1 FROM "
        "eav_attribute_option_swatch v WHERE v.option_id = o.option_id AND v.store_id > 0) "
        "GROUP BY o.option_id, o.attribute_id, w.swatch_id "
        "ORDER BY COUNT(DISTINCT sl.parent_id) DESC, o.option_id LIMIT 1",
    )
    feeds_pipeline.wait_clean(FEEDS, timeout_s=300)
    value_id = uid(attribute_id, option_id)

    def shown() -> list[str | None]:
        return [
            v["colorHex"]
            for item in feeds_pipeline.receiver.items("products").values()
            if not item["deleted"]
            for o in item["optionsV2"]
            if o["type"] == "configurable"
            for v in o["values"]
            if v["id"] == value_id
        ]

    before = shown()
    assert len(before) > 1
    color = f"#{uuid.uuid4().hex[:6]}"
    execute(
        sql,
        "UPDATE eav_attribute_option_swatch SET value = %s WHERE swatch_id = %s",
        color,
        swatch_id,
    )
    feeds_pipeline.wait_until(
        lambda: shown() == [color] * len(before), "the new color in every configurable"
    )
    feeds_pipeline.wait_clean(FEEDS)


def _shared(attribute: str, value: str) -> str:
    """SQL: another child of the parent, enabled in the store view, selects ``value`` of
    ``attribute``."""
    return (
        "EXISTS (SELECT 1 FROM catalog_product_super_link o "
        "JOIN catalog_product_entity_int ov ON ov.entity_id = o.product_id "
        f"AND ov.attribute_id = {attribute} AND ov.store_id = 0 AND ov.value = {value} "
        "WHERE o.parent_id = sl.parent_id AND o.product_id <> sl.product_id "
        "AND COALESCE((SELECT os.value FROM catalog_product_entity_int os "
        f"WHERE os.entity_id = o.product_id AND os.attribute_id = {STATUS} "
        "AND os.store_id = s.store_id), (SELECT od.value FROM catalog_product_entity_int od "
        f"WHERE od.entity_id = o.product_id AND od.attribute_id = {STATUS} "
        "AND od.store_id = 0)) <> 2)"
    )


# The child's option of the attribute is its own; every option of the child is another's too.
_ALONE = "NOT " + _shared("sa.attribute_id", "ci.value")
_SHARED = (
    "NOT EXISTS (SELECT 1 FROM catalog_product_super_attribute n "
    "JOIN catalog_product_entity_int nv ON nv.entity_id = sl.product_id "
    "AND nv.attribute_id = n.attribute_id AND nv.store_id = 0 "
    f"WHERE n.product_id = sl.parent_id AND NOT {_shared('n.attribute_id', 'nv.value')})"
)


def _child(sql: Any, condition: str, store_id: int) -> tuple[str, int, int, int]:
    """(parent sku, child id, attribute id, option id) of the first child enabled in the
    store view that meets ``condition``, with the option it selects of one super attribute."""
    [row] = execute(
        sql,
        "SELECT p.sku, sl.product_id, sa.attribute_id, ci.value "
        + _SELECTED
        + "JOIN store s ON s.store_id = %s AND s.website_id = w.website_id "
        + _ENABLED
        + f"AND {condition} "
        "ORDER BY sl.parent_id, sa.position, sa.attribute_id, sl.product_id LIMIT 1",
        store_id,
    )
    return str(row[0]), int(row[1]), int(row[2]), int(row[3])


def test_a_child_disabled_in_one_store_view(feeds_pipeline: Pipeline, sql: Any) -> None:
    """Disabled in one store view: the parent of a child whose option no other enabled child
    selects loses it there; the parent of a child whose every option another enabled child
    selects (a color x size family) keeps them all; every other store view keeps them."""
    [(store_id, view)] = execute(sql, "SELECT store_id, code FROM store WHERE store_id = 1")
    alone_sku, alone, attribute_id, option_id = _child(sql, _ALONE, store_id)
    shared_sku, shared, *_ = _child(sql, _SHARED, store_id)
    feeds_pipeline.wait_clean(FEEDS, timeout_s=300)
    alone_before = configurable(of_product(feeds_pipeline, alone_sku))
    shared_before = configurable(of_product(feeds_pipeline, shared_sku))
    value_id = uid(attribute_id, option_id)
    assert value_id in alone_before[view]
    for child in (alone, shared):
        execute(
            sql,
            "INSERT INTO catalog_product_entity_int (attribute_id, store_id, entity_id, value) "
            "VALUES (%s, %s, %s, 2) ON DUPLICATE KEY UPDATE value = 2",
            STATUS,
            store_id,
            child,
        )
    expected = {**alone_before, view: [v for v in alone_before[view] if v != value_id]}
    feeds_pipeline.wait_until(
        lambda: configurable(of_product(feeds_pipeline, alone_sku)) == expected,
        "the child's option gone from that store view only",
    )
    feeds_pipeline.wait_clean(FEEDS)
    assert configurable(of_product(feeds_pipeline, shared_sku)) == shared_before
