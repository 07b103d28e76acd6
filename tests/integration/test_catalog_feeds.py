"""The catalog and inventory feeds on the real stack: the small profile's snapshot verifies,
and one targeted mutation per feed converges to what the database projects."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from feeds.values import customer_group_code
from tests.integration.magento_ops import execute
from tests.integration.pipeline import Pipeline

pytestmark = pytest.mark.integration

CATALOG_FEEDS = (
    "productAttributes",
    "categories",
    "categoryPermissions",
    "products",
    "prices",
    "variants",
    "productOverrides",
    "inventoryStockStatus",
)
SPECIAL_PRICE, SPECIAL_FROM, SPECIAL_TO = 78, 79, 80


def scalar(sql: Any, statement: str, *args: object) -> Any:
    rows = execute(sql, statement, *args)
    return rows[0][0] if rows else None


def items(pipeline: Pipeline, feed: str, **match: object) -> list[dict[str, Any]]:
    """The receiver's items of ``feed`` whose fields equal ``match``."""
    return [
        item
        for item in pipeline.receiver.items(feed).values()
        if all(item.get(field) == value for field, value in match.items())
    ]


def epoch(rfc3339: str) -> float:
    return datetime.strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


def test_snapshot_of_every_catalog_feed_verifies(feeds_pipeline: Pipeline) -> None:
    feeds_pipeline.wait_clean(CATALOG_FEEDS, timeout_s=300)
    for feed in CATALOG_FEEDS:
        assert feeds_pipeline.receiver.items(feed), f"{feed}: nothing delivered"


def test_special_price_window_opening_later(feeds_pipeline: Pipeline, sql: Any) -> None:
    # A product in both websites: base runs on Los Angeles time, second on Berlin time.
    product = int(
        scalar(
            sql,
            "SELECT product_id FROM catalog_product_website GROUP BY product_id "
            "HAVING COUNT(*) = 2 ORDER BY product_id LIMIT 1 OFFSET 5",
        )
    )
    sku = scalar(sql, "SELECT sku FROM catalog_product_entity WHERE entity_id = %s", product)
    opens_at = time.time() + 12  # later than the change takes to arrive, and no longer
    wall_clock = datetime.fromtimestamp(opens_at, ZoneInfo("America/Los_Angeles"))
    execute(
        sql,
        "DELETE FROM catalog_product_entity_datetime WHERE entity_id = %s "
        "AND attribute_id IN (%s, %s)",
        product,
        SPECIAL_FROM,
        SPECIAL_TO,
    )
    execute(
        sql,
        "INSERT INTO catalog_product_entity_decimal (attribute_id, store_id, entity_id, value) "
        "VALUES (%s, 0, %s, 1.23) ON DUPLICATE KEY UPDATE value = VALUES(value)",
        SPECIAL_PRICE,
        product,
    )
    execute(
        sql,
        "INSERT INTO catalog_product_entity_datetime (attribute_id, store_id, entity_id, value) "
        "VALUES (%s, 0, %s, %s)",
        SPECIAL_FROM,
        product,
        wall_clock.strftime("%Y-%m-%d %H:%M:%S"),
    )

    # Berlin is hours ahead: that wall-clock time has long passed there.
    def discounted(website: str) -> bool:
        priced = items(feeds_pipeline, "prices", sku=sku, websiteCode=website)
        return bool(priced) and all(item["discounts"] for item in priced)

    feeds_pipeline.wait_until(lambda: discounted("second"), "the discount in Berlin")
    # In Los Angeles the window opens at opens_at: the worker rebuilds the items then.
    feeds_pipeline.wait_until(lambda: discounted("base"), "the window to open", timeout_s=180)
    for item in items(feeds_pipeline, "prices", sku=sku, websiteCode="base"):
        # The fallback item and any group's own: the special price comes first, a number.
        assert item["discounts"][0] == {"code": "special_price", "price": 1.23}
        assert epoch(item["modifiedAt"]) >= int(opens_at), "discount built before the window"
    feeds_pipeline.wait_clean(("prices",))


def test_catalog_rule_prices_of_the_websites_day(feeds_pipeline: Pipeline, sql: Any) -> None:
    """The sample's rule rows of each website's local date are catalog_rule discounts; a row
    the indexer writes for today shows at once, and goes when it deletes it."""
    feeds_pipeline.wait_clean(("prices",))
    today = {
        code: datetime.now(ZoneInfo(zone)).date()
        for code, zone in (("base", "America/Los_Angeles"), ("second", "Europe/Berlin"))
    }
    expected = sum(
        int(
            scalar(
                sql,
                "SELECT COUNT(*) FROM catalogrule_product_price r "
                "JOIN store_website w ON w.website_id = r.website_id "
                "JOIN catalog_product_website pw "
                "ON pw.product_id = r.product_id AND pw.website_id = r.website_id "
                "WHERE w.code = %s AND r.rule_date = %s",
                code,
                day,
            )
        )
        for code, day in today.items()
    )
    assert expected > 0, "the sample has no catalog-rule prices for today"
    ruled = [
        d
        for item in feeds_pipeline.receiver.items("prices").values()
        if not item["deleted"]
        for d in item["discounts"]
        if d["code"] == "catalog_rule"
    ]
    assert len(ruled) == expected

    # A product without rules, in base (Los Angeles): the indexer writes General's for today.
    product = int(
        scalar(
            sql,
            "SELECT pw.product_id FROM catalog_product_website pw WHERE pw.website_id = 1 "
            "AND pw.product_id NOT IN (SELECT product_id FROM catalogrule_product_price) "
            "AND pw.product_id NOT IN (SELECT entity_id FROM catalog_product_entity_tier_price) "
            "ORDER BY pw.product_id LIMIT 1 OFFSET 3",
        )
    )
    sku = scalar(sql, "SELECT sku FROM catalog_product_entity WHERE entity_id = %s", product)
    general = customer_group_code(1)
    execute(
        sql,
        "INSERT INTO catalogrule_product_price (rule_date, customer_group_id, product_id, "
        "rule_price, website_id) VALUES (%s, 1, %s, 4.5600, 1)",
        today["base"],
        product,
    )

    def general_item() -> list[dict[str, Any]]:
        return items(
            feeds_pipeline,
            "prices",
            sku=sku,
            websiteCode="base",
            customerGroupCode=general,
            deleted=False,
        )

    feeds_pipeline.wait_until(lambda: bool(general_item()), "General's item with the rule price")
    [item] = general_item()
    assert item["discounts"][-1] == {"code": "catalog_rule", "price": 4.56}
    feeds_pipeline.wait_clean(("prices",))
    execute(sql, "DELETE FROM catalogrule_product_price WHERE product_id = %s", product)
    feeds_pipeline.wait_until(lambda: not general_item(), "General's item gone with its rule")
    feeds_pipeline.wait_clean(("prices",))


def test_tier_price_for_all_groups(feeds_pipeline: Pipeline, sql: Any) -> None:
    product = int(scalar(sql, "SELECT MIN(product_id) + 17 FROM catalog_product_website"))
    sku = scalar(sql, "SELECT sku FROM catalog_product_entity WHERE entity_id = %s", product)
    execute(
        sql,
        "INSERT INTO catalog_product_entity_tier_price (entity_id, all_groups, customer_group_id, "
        "qty, value, website_id) VALUES (%s, 1, 0, 7, 3.33, 0)",
        product,
    )
    feeds_pipeline.wait_clean(("prices",))
    priced = items(feeds_pipeline, "prices", sku=sku, deleted=False)
    websites = int(
        scalar(sql, "SELECT COUNT(*) FROM catalog_product_website WHERE product_id = %s", product)
    )
    # One fallback item per website (customer group "0"), which every group without prices
    # of its own reads; a group's own item copies the fallback's tiers.
    assert len([i for i in priced if i["customerGroupCode"] == "0"]) == websites
    for item in priced:
        assert {"qty": 7, "price": 3.33} in item["tierPrices"]  # JSON numbers on the wire


def test_variant_unlinked(feeds_pipeline: Pipeline, sql: Any) -> None:
    parent, child = execute(
        sql,
        "SELECT parent_id, product_id FROM catalog_product_super_link "
        "ORDER BY link_id LIMIT 1 OFFSET 9",
    )[0]
    parent_sku, child_sku = (
        scalar(sql, "SELECT sku FROM catalog_product_entity WHERE entity_id = %s", entity)
        for entity in (parent, child)
    )
    feeds_pipeline.wait_clean(("variants",))
    assert items(feeds_pipeline, "variants", parentSku=parent_sku, productSku=child_sku)
    execute(
        sql,
        "DELETE FROM catalog_product_super_link WHERE parent_id = %s AND product_id = %s",
        parent,
        child,
    )
    execute(
        sql,
        "DELETE FROM catalog_product_relation WHERE parent_id = %s AND child_id = %s",
        parent,
        child,
    )
    feeds_pipeline.wait_clean(("variants", "prices"))
    [gone] = items(feeds_pipeline, "variants", parentSku=parent_sku, productSku=child_sku)
    assert gone["deleted"] is True
    for price in items(feeds_pipeline, "prices", sku=child_sku):
        assert parent_sku not in {p["sku"] for p in price["parents"]}


def test_category_moved_under_another_parent(feeds_pipeline: Pipeline, sql: Any) -> None:
    """Magento's move: new parent, the subtree's paths and levels, and url_path rewritten."""
    moved, old_path = execute(
        sql,
        "SELECT c.entity_id, c.path FROM catalog_category_entity c WHERE c.level = 3 AND "
        "EXISTS (SELECT 1 FROM catalog_category_entity d WHERE d.parent_id = c.entity_id) "
        "ORDER BY c.entity_id LIMIT 1",
    )[0]
    root = "/".join(old_path.split("/")[:2])
    target, target_path, target_level = execute(
        sql,
        "SELECT entity_id, path, level FROM catalog_category_entity WHERE level = 2 "
        "AND path LIKE %s AND path NOT LIKE %s ORDER BY entity_id DESC LIMIT 1",
        f"{root}/%",
        f"{'/'.join(old_path.split('/')[:3])}%",
    )[0]
    url_path = int(
        scalar(
            sql,
            "SELECT attribute_id FROM eav_attribute WHERE entity_type_id = 3 "
            "AND attribute_code = 'url_path'",
        )
    )
    old_url = scalar(
        sql,
        "SELECT value FROM catalog_category_entity_varchar WHERE entity_id = %s "
        "AND attribute_id = %s AND store_id = 0",
        moved,
        url_path,
    )
    target_url = scalar(
        sql,
        "SELECT value FROM catalog_category_entity_varchar WHERE "
        "entity_id = %s AND attribute_id = %s AND store_id = 0",
        target,
        url_path,
    )
    new_url = f"{target_url}/{old_url.rsplit('/', 1)[-1]}"
    new_path = f"{target_path}/{moved}"
    sql.begin()
    execute(
        sql,
        "UPDATE catalog_category_entity SET path = CONCAT(%s, SUBSTRING(path, %s)), "
        "level = level + %s WHERE entity_id = %s OR path LIKE %s",
        new_path,
        len(old_path) + 1,
        target_level + 1 - old_path.count("/"),
        moved,
        f"{old_path}/%",
    )
    execute(
        sql, "UPDATE catalog_category_entity SET parent_id = %s WHERE entity_id = %s", target, moved
    )
    execute(
        sql,
        "UPDATE catalog_category_entity_varchar v JOIN catalog_category_entity c "
        "ON c.entity_id = v.entity_id SET v.value = CONCAT(%s, SUBSTRING(v.value, %s)) "
        "WHERE v.attribute_id = %s AND (c.entity_id = %s OR c.path LIKE %s) "
        "AND v.value LIKE %s",
        new_url,
        len(old_url) + 1,
        url_path,
        moved,
        f"{new_path}/%",
        f"{old_url}%",
    )
    sql.commit()

    feeds_pipeline.wait_clean(("categories", "products", "categoryPermissions"))
    before = items(feeds_pipeline, "categories", urlPath=old_url)
    assert before, "no item had the old url path"
    assert all(item["deleted"] for item in before)
    after = [i for i in items(feeds_pipeline, "categories", urlPath=new_url) if not i["deleted"]]
    assert after
    assert {item["path"] for item in after} == {new_path}
    assert {item["parentId"] for item in after} == {str(target)}  # a String upstream


def test_reservation_placed_then_compensated(feeds_pipeline: Pipeline, sql: Any) -> None:
    feeds_pipeline.wait_clean(("inventoryStockStatus",))
    salable = [
        i
        for i in feeds_pipeline.receiver.items("inventoryStockStatus").values()
        if not i["deleted"] and i["isSalable"]
    ]
    item = sorted(salable, key=lambda i: (i["stockId"], i["sku"]))[3]
    stock, sku, before = item["stockId"], item["sku"], item["qtyForSale"]

    def qty_for_sale() -> Decimal:
        [now] = items(feeds_pipeline, "inventoryStockStatus", stockId=stock, sku=sku)
        return Decimal(str(now["qtyForSale"]))  # a JSON number on the wire

    order = uuid.uuid4().hex[:8]
    execute(
        sql,
        "INSERT INTO inventory_reservation (stock_id, sku, quantity, metadata) "
        "VALUES (%s, %s, -2, %s)",
        stock,
        sku,
        f'{{"event_type":"order_placed","object_id":"{order}"}}',
    )
    feeds_pipeline.wait_until(lambda: qty_for_sale() == Decimal(str(before)) - 2, "reserved")
    feeds_pipeline.wait_clean(("inventoryStockStatus",))
    execute(
        sql,
        "INSERT INTO inventory_reservation (stock_id, sku, quantity, metadata) "
        "VALUES (%s, %s, 2, %s)",
        stock,
        sku,
        f'{{"event_type":"order_canceled","object_id":"{order}"}}',
    )
    feeds_pipeline.wait_until(lambda: qty_for_sale() == Decimal(str(before)), "compensated")
    feeds_pipeline.wait_clean(("inventoryStockStatus",))


def test_backorders_keep_a_sold_out_product_salable(feeds_pipeline: Pipeline, sql: Any) -> None:
    feeds_pipeline.wait_clean(("inventoryStockStatus",))
    # The sample's sold-out products on backorder with their own threshold at 0: no limit,
    # salable at qty 0 (feeds/stock.py; connectors/magento/sample/inventory.py).
    unlimited = {
        row[0]
        for row in execute(
            sql,
            "SELECT p.sku FROM cataloginventory_stock_item item "
            "JOIN catalog_product_entity p ON p.entity_id = item.product_id "
            "JOIN inventory_source_item si ON si.sku = p.sku AND si.source_code = 'default' "
            "WHERE item.use_config_backorders = 0 AND item.backorders = 1 "
            "AND item.use_config_min_qty = 0 AND item.min_qty = 0",
        )
    }
    assert unlimited
    stock_1_items = items(feeds_pipeline, "inventoryStockStatus", stockId="1", deleted=False)
    infinite = [i for i in stock_1_items if i["infiniteStock"]]
    assert {i["sku"] for i in infinite} == unlimited
    assert all(i["isSalable"] and Decimal(str(i["qtyForSale"])) <= 0 for i in infinite)

    # A product on the default stock alone, managed and without settings of its own.
    product, sku = execute(
        sql,
        "SELECT p.entity_id, p.sku FROM catalog_product_entity p "
        "JOIN cataloginventory_stock_item item ON item.product_id = p.entity_id "
        "JOIN inventory_source_item si ON si.sku = p.sku AND si.source_code = 'default' "
        "WHERE item.use_config_backorders = 1 AND item.use_config_min_qty = 1 "
        "AND item.use_config_manage_stock = 1 AND si.quantity > 0 AND si.status = 1 "
        "AND p.type_id = 'simple' ORDER BY p.entity_id LIMIT 1",
    )[0]

    def stock_1() -> dict[str, Any]:
        [item] = items(feeds_pipeline, "inventoryStockStatus", stockId="1", sku=sku)
        return item

    first = stock_1()
    order = uuid.uuid4().hex[:8]
    execute(
        sql,
        "INSERT INTO inventory_reservation (stock_id, sku, quantity, metadata) "
        "VALUES (1, %s, %s, %s)",
        sku,
        -Decimal(str(first["qtyForSale"])),
        f'{{"event_type":"order_placed","object_id":"{order}"}}',
    )
    feeds_pipeline.wait_until(lambda: stock_1()["isSalable"] is False, "sold out")
    sold_out = stock_1()
    assert Decimal(str(sold_out["qtyForSale"])) == 0
    assert sold_out["updatedAt"] >= first["updatedAt"]
    execute(
        sql,
        "UPDATE cataloginventory_stock_item SET backorders = 1, use_config_backorders = 0, "
        "min_qty = 0, use_config_min_qty = 0 WHERE product_id = %s AND stock_id = 1",
        product,
    )
    feeds_pipeline.wait_until(lambda: stock_1()["isSalable"] is True, "salable on backorder")
    assert stock_1()["infiniteStock"] is True
    feeds_pipeline.wait_clean(("inventoryStockStatus",))
    execute(
        sql,
        "UPDATE cataloginventory_stock_item SET min_qty = -3 WHERE product_id = %s "
        "AND stock_id = 1",
        product,
    )
    feeds_pipeline.wait_until(lambda: stock_1()["infiniteStock"] is False, "a limit again")
    assert stock_1()["isSalable"] is True  # 0 > -3
    feeds_pipeline.wait_clean(("inventoryStockStatus",))


def test_category_permission_revoked_for_one_customer_group(
    feeds_pipeline: Pipeline, sql: Any
) -> None:
    category = int(
        scalar(
            sql,
            "SELECT c.entity_id FROM catalog_category_entity c WHERE c.level = 2 "
            "AND c.path LIKE '1/2/%%' AND EXISTS (SELECT 1 FROM catalog_category_product p "
            "WHERE p.category_id = c.entity_id) AND NOT EXISTS (SELECT 1 FROM "
            "magento_catalogpermissions m WHERE m.category_id = c.entity_id) "
            "ORDER BY c.entity_id LIMIT 1",
        )
    )
    execute(
        sql,
        "INSERT INTO magento_catalogpermissions (category_id, website_id, customer_group_id, "
        "grant_catalog_category_view, grant_catalog_product_price, grant_checkout_items) "
        "VALUES (%s, 1, 1, -2, -2, -2)",
        category,
    )
    feeds_pipeline.wait_clean(("categoryPermissions", "productOverrides"))
    [revoked] = items(
        feeds_pipeline,
        "categoryPermissions",
        categoryId=str(category),
        websiteCode="base",
        customerGroupCode=customer_group_code(1),  # General, by the exporter's code
    )
    assert revoked["permission"]["displayCategory"] == "DENY"
    others = items(feeds_pipeline, "categoryPermissions", categoryId=str(category))
    assert all(i["customerGroupCode"] == customer_group_code(1) or i["deleted"] for i in others)


def test_attribute_made_filterable(feeds_pipeline: Pipeline, sql: Any) -> None:
    attribute, code = execute(
        sql,
        "SELECT a.attribute_id, a.attribute_code FROM eav_attribute a JOIN "
        "catalog_eav_attribute c USING (attribute_id) WHERE a.entity_type_id = 4 "
        "AND c.is_filterable = 0 ORDER BY a.attribute_id LIMIT 1",
    )[0]
    execute(
        sql, "UPDATE catalog_eav_attribute SET is_filterable = 1 WHERE attribute_id = %s", attribute
    )
    feeds_pipeline.wait_clean(("productAttributes",))
    exported = items(feeds_pipeline, "productAttributes", attributeCode=code)
    stores = int(scalar(sql, "SELECT COUNT(*) FROM store WHERE store_id > 0"))
    assert len(exported) == stores
    assert all(item["filterable"] is True for item in exported)
