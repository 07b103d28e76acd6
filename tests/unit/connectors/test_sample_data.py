"""Pure tests of the Magento sample-data generator (no database)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from connectors.magento import sample
from connectors.magento.sample import PROFILES, Profile, SampleData, generate
from connectors.magento.sample import load as sample_load
from connectors.magento.sample.fixed_ids import (
    BUNDLE_ATTRIBUTE_IDS,
    DOWNLOADABLE_ATTRIBUTE_IDS,
    MEDIA_ATTRIBUTE_IDS,
)
from feeds.registry import BUILTIN_CAPTURED_TABLES
from tests.unit.connectors.conftest import rows_of

REPO = Path(__file__).resolve().parents[2]


def _digest(data: SampleData) -> str:
    h = hashlib.sha256()
    for name, table in data.tables.items():
        h.update(repr((name, table.columns, table.rows)).encode())
    h.update(repr(data.updates).encode())
    return h.hexdigest()


# -- determinism --------------------------------------------------------------------------------


def test_same_seed_samerows_of(small: SampleData) -> None:
    again = generate("small", 42)
    assert again.tables.keys() == small.tables.keys()
    for name, table in small.tables.items():
        assert again.tables[name].rows == table.rows, name
    assert again.updates == small.updates


def test_different_seed_differentrows_of(small: SampleData) -> None:
    other = generate("small", 43)
    assert _digest(other) != _digest(small)
    # The shape does not depend on the seed, only the content.
    for table in ("catalog_product_entity", "sales_order", "catalog_category_entity"):
        assert len(other.tables[table].rows) == len(small.tables[table].rows)
    assert other.tables["catalog_product_entity_varchar"].rows != (
        small.tables["catalog_product_entity_varchar"].rows
    )


def test_independent_of_hash_seed_and_process() -> None:
    # Set iteration order or str hashing must not leak into the rows: another interpreter with
    # another PYTHONHASHSEED produces the same digest.
    code = (
        "import hashlib\n"
        "from connectors.magento.sample import generate\n"
        "d = generate('tiny', 5)\n"
        "h = hashlib.sha256()\n"
        "for n, t in d.tables.items(): h.update(repr((n, t.columns, t.rows)).encode())\n"
        "h.update(repr(d.updates).encode())\n"
        "print(h.hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == _digest(generate("tiny", 5))


# -- profile shapes -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tiny", "small", "medium"])
def test_profile_shape(name: str, small: SampleData, medium: SampleData) -> None:
    data = {"small": small, "medium": medium}.get(name) or generate(name, 42)
    p = PROFILES[name]
    products = rows_of(data, "catalog_product_entity")
    types = Counter(str(r["type_id"]) for r in products)
    # the profile's products, and a few downloadables (each with samples), bundles and
    # grouped products
    downloadables, bundles = max(2, p.standalone // 50), max(2, p.standalone // 100)
    assert types["downloadable"] == downloadables
    assert types["bundle"] == types["grouped"] == bundles  # as many grouped as bundles
    assert len(products) == p.products + downloadables + 2 * bundles
    sampled = {r["product_id"] for r in rows_of(data, "downloadable_sample")}
    assert sampled == {r["entity_id"] for r in products if r["type_id"] == "downloadable"}
    assert types["configurable"] == p.configurables
    links = rows_of(data, "catalog_product_super_link")
    assert len(links) == p.children == p.configurables * p.children_per_configurable
    per_parent = Counter(r["parent_id"] for r in links)
    assert set(per_parent.values()) == {p.children_per_configurable}
    assert len(per_parent) == p.configurables
    assert types["simple"] + types["virtual"] == p.products - p.configurables
    assert types["virtual"] > 0
    assert len(data.tables["sales_order"].rows) == p.orders
    assert len(data.tables["catalog_category_entity"].rows) == p.categories
    # Store views: the default one (defaults.sql) plus the generated ones.
    assert len(data.tables["store"].rows) + 1 == p.store_views
    assert len(data.tables["customer_group"].rows) == p.extra_customer_groups
    assert len(data.tables["inventory_stock"].rows) + 1 == p.stocks
    assert len(data.tables["inventory_source"].rows) == p.sources
    assert len(data.tables["magento_catalogpermissions"].rows) == p.category_permissions


def test_medium_is_adobes_sizing_example() -> None:
    p = PROFILES["medium"]
    assert (p.products, p.configurables, p.children_per_configurable) == (10_000, 1_000, 8)
    assert (p.categories, p.orders, p.store_views, p.stocks) == (500, 10_000, 4, 5)
    assert 4 + p.extra_customer_groups == 6


def test_small_is_scaled_down() -> None:
    p = PROFILES["small"]
    assert (p.products, p.configurables, p.children_per_configurable) == (1_000, 100, 4)
    assert (p.categories, p.orders) == (50, 500)
    assert 3 <= p.store_views <= 4
    assert p.stocks == 2


def test_invalid_profiles_are_rejected() -> None:
    base = PROFILES["tiny"]
    fields = {f: getattr(base, f) for f in base.__dataclass_fields__}
    with pytest.raises(ValueError, match="standalone"):
        Profile(**{**fields, "configurables": 40})
    with pytest.raises(ValueError, match="store_views"):
        Profile(**{**fields, "store_views": 9})
    with pytest.raises(KeyError):
        generate("huge")


# -- row integrity ------------------------------------------------------------------------------


def test_primary_keys_unique_and_rows_complete(medium: SampleData) -> None:
    for name, table in medium.tables.items():
        width = len(table.columns)
        assert all(len(r) == width for r in table.rows), name
        first = [r[0] for r in table.rows]
        if name not in (
            "catalog_product_website",
            "catalog_product_relation",
            "catalog_product_entity_media_gallery_value_to_entity",
            "inventory_stock_sales_channel",
        ):
            assert len(set(first)) == len(first), f"duplicate ids in {name}"
            assert None not in first, name


def test_references_resolve(medium: SampleData) -> None:
    products = {r[0] for r in medium.tables["catalog_product_entity"].rows}
    categories = {r[0] for r in medium.tables["catalog_category_entity"].rows} | {1, 2}
    orders = {r[0] for r in medium.tables["sales_order"].rows}
    stores = {0, 1} | {r[0] for r in medium.tables["store"].rows}
    for table, column, targets in [
        ("catalog_product_entity_varchar", "entity_id", products),
        ("catalog_product_entity_varchar", "store_id", stores),
        ("catalog_product_entity_int", "entity_id", products),
        ("catalog_product_entity_decimal", "entity_id", products),
        ("catalog_product_super_link", "parent_id", products),
        ("catalog_product_super_link", "product_id", products),
        ("catalog_category_product", "category_id", categories),
        ("catalog_category_product", "product_id", products),
        ("catalog_category_entity", "parent_id", categories),
        ("cataloginventory_stock_item", "product_id", products),
        ("sales_order_item", "order_id", orders),
        ("sales_order_address", "parent_id", orders),
        ("sales_invoice", "order_id", orders),
        ("sales_shipment", "order_id", orders),
        ("sales_creditmemo", "order_id", orders),
        ("magento_catalogpermissions", "category_id", categories),
    ]:
        values = {r[column] for r in rows_of(medium, table)}
        assert values <= targets, f"{table}.{column}"


def test_eav_unique_keys(medium: SampleData) -> None:
    for name in ("varchar", "int", "decimal", "text", "datetime"):
        for entity in ("product", "category"):
            rows = medium.tables[f"catalog_{entity}_entity_{name}"].rows
            keys = {(r[3], r[1], r[2]) for r in rows}  # (entity_id, attribute_id, store_id)
            assert len(keys) == len(rows), f"{entity} {name}"
    tiers = rows_of(medium, "catalog_product_entity_tier_price")
    tier_keys = [
        (r["entity_id"], r["all_groups"], r["customer_group_id"], r["qty"], r["website_id"])
        for r in tiers
    ]
    assert len(set(tier_keys)) == len(tier_keys)


def test_category_tree(medium: SampleData) -> None:
    cats = rows_of(medium, "catalog_category_entity")
    by_id = {r["entity_id"]: r for r in cats}
    for c in cats:
        path = str(c["path"]).split("/")
        assert path[0] == "1"
        assert int(path[-1]) == c["entity_id"]
        assert len(path) - 1 == c["level"]
        assert int(path[-2]) == c["parent_id"]
        descendants = sum(1 for d in cats if str(d["path"]).startswith(f"{c['path']}/"))
        assert c["children_count"] == descendants
    roots = [c for c in cats if c["level"] == 1]
    assert [c["entity_id"] for c in roots] == [3]  # the second website's root
    assert max(int(str(c["level"])) for c in cats) >= 4
    updates = {params[-1]: params[0] for _sql, params in medium.updates}
    assert updates[1] == len(cats) + 1  # everything below the tree root, category 2 included
    assert updates[2] == sum(1 for c in cats if str(c["path"]).startswith("1/2/"))
    # url_path unique within each tree (a store sees one tree).
    url_paths = defaultdict(list)
    for r in rows_of(medium, "catalog_category_entity_varchar"):
        if r["attribute_id"] == 67:
            tree = str(by_id[r["entity_id"]]["path"]).split("/")[1]
            url_paths[tree].append(r["value"])
    for values in url_paths.values():
        assert len(values) == len(set(values))


def test_catalog_variety(small: SampleData) -> None:
    a = sample.PRODUCT_ATTRIBUTE_IDS
    varchar = rows_of(small, "catalog_product_entity_varchar")
    text = rows_of(small, "catalog_product_entity_text")
    # Store-view overrides of names and descriptions.
    assert {r["store_id"] for r in varchar if r["attribute_id"] == a["name"]} >= {0, 2, 3, 4}
    assert {r["store_id"] for r in text if r["attribute_id"] == a["description"]} >= {0, 2, 4}
    # Special prices with from/to windows in the past, present and future.
    dates = rows_of(small, "catalog_product_entity_datetime")
    starts = {r["value"] for r in dates if r["attribute_id"] == a["special_from_date"]}
    assert min(str(s) for s in starts) < "2026-01-01" < max(str(s) for s in starts)
    ends = {str(r["value"]) for r in dates if r["attribute_id"] == a["special_to_date"]}
    assert min(ends) < "2026-01-01"
    # Website-scope price overrides are written for the store views of website 2.
    decimals = rows_of(small, "catalog_product_entity_decimal")
    assert {r["store_id"] for r in decimals if r["attribute_id"] == a["price"]} == {0, 3, 4}
    tiers = rows_of(small, "catalog_product_entity_tier_price")
    assert any(r["all_groups"] == 1 and r["website_id"] == 0 for r in tiers)
    assert any(r["all_groups"] == 0 and r["customer_group_id"] == 2 for r in tiers)
    assert any(r["percentage_value"] is not None for r in tiers)
    assert any(r["website_id"] == 2 for r in tiers)
    # User-defined attributes: selects with per-store option labels, and free text.
    attrs = rows_of(small, "eav_attribute")
    assert all(r["is_user_defined"] == 1 for r in attrs)
    assert {"select", "text", "textarea"} <= {str(r["frontend_input"]) for r in attrs}
    option_stores = {r["store_id"] for r in rows_of(small, "eav_attribute_option_value")}
    assert option_stores >= {0, 2, 4}
    super_attrs = {r["attribute_id"] for r in rows_of(small, "catalog_product_super_attribute")}
    assert a["color"] in super_attrs
    assert len(super_attrs) >= 2


def test_sales_shapes(medium: SampleData) -> None:
    orders = rows_of(medium, "sales_order")
    items = rows_of(medium, "sales_order_item")
    addresses = rows_of(medium, "sales_order_address")
    states = Counter(str(o["state"]) for o in orders)
    assert set(states) >= {"new", "processing", "complete", "closed", "canceled", "holded"}
    shipping = {a["parent_id"] for a in addresses if a["address_type"] == "shipping"}
    billing = {a["parent_id"] for a in addresses if a["address_type"] == "billing"}
    assert billing == {o["entity_id"] for o in orders}
    virtual = {o["entity_id"] for o in orders if o["is_virtual"] == 1}
    assert virtual
    assert not virtual & shipping
    assert shipping == {o["entity_id"] for o in orders} - virtual
    # Configurable lines: a priced parent row plus a zero-priced child pointing at it.
    parents = {i["item_id"]: i for i in items if i["product_type"] == "configurable"}
    children = [i for i in items if i["parent_item_id"] is not None]
    assert parents
    assert len(children) == len(parents)
    for child in children:
        parent = parents[child["parent_item_id"]]
        assert child["price"] == "0.0000"
        assert parent["sku"] == child["sku"]
        options = json.loads(str(parent["product_options"]))
        assert options["simple_sku"] == child["sku"]
        assert options["attributes_info"]
    # Each later step covers a subset of the orders before it.
    invoiced = {r["order_id"] for r in rows_of(medium, "sales_invoice")}
    shipped = {r["order_id"] for r in rows_of(medium, "sales_shipment")}
    refunded = {r["order_id"] for r in rows_of(medium, "sales_creditmemo")}
    assert refunded < invoiced
    assert shipped < invoiced
    assert len(invoiced) < len(orders)
    assert rows_of(medium, "sales_shipment_track")
    assert rows_of(medium, "sales_invoice_item")
    assert rows_of(medium, "sales_creditmemo_item")
    txn_types = {r["txn_type"] for r in rows_of(medium, "sales_payment_transaction")}
    assert txn_types == {"authorization", "capture", "refund", "void"}
    # Increment ids are unique per store, as the (increment_id, store_id) keys require.
    for table in ("sales_order", "sales_invoice", "sales_shipment", "sales_creditmemo"):
        keys = [(r["increment_id"], r["store_id"]) for r in rows_of(medium, table)]
        assert len(keys) == len(set(keys)), table
    # Reservations: order_placed debits, compensations for shipped/canceled orders.
    events = Counter(
        json.loads(str(r["metadata"]))["event_type"]
        for r in rows_of(medium, "inventory_reservation")
    )
    assert set(events) >= {"order_placed", "shipment_created", "order_canceled"}


def test_money_is_consistent(small: SampleData) -> None:
    items: defaultdict[object, int] = defaultdict(int)
    for i in rows_of(small, "sales_order_item"):
        items[i["order_id"]] += int(str(i["row_total"]).replace(".", ""))
    for o in rows_of(small, "sales_order"):
        cents = {
            k: int(str(o[k]).replace(".", ""))
            for k in ("subtotal", "discount_amount", "tax_amount", "shipping_amount", "grand_total")
        }
        assert cents["subtotal"] == items[o["entity_id"]]
        assert cents["grand_total"] == (
            cents["subtotal"]
            + cents["discount_amount"]
            + cents["tax_amount"]
            + cents["shipping_amount"]
        )


def test_msi_shapes(medium: SampleData) -> None:
    links = rows_of(medium, "inventory_source_stock_link")
    assert {r["stock_id"] for r in links} == {2, 3, 4, 5}
    channels = rows_of(medium, "inventory_stock_sales_channel")
    assert channels == [{"type": "website", "code": "second", "stock_id": 2}]
    items = rows_of(medium, "inventory_source_item")
    assert {r["source_code"] for r in items} >= {"default", "eu_warehouse"}
    configurable_skus = {
        r["sku"]
        for r in rows_of(medium, "catalog_product_entity")
        if r["type_id"] == "configurable"
    }
    assert not configurable_skus & {r["sku"] for r in items}


def test_dates_are_fixed_not_the_clock(small: SampleData) -> None:
    for table in ("sales_order", "catalog_product_entity"):
        for r in rows_of(small, table):
            assert "2024-12-01" < str(r["created_at"]) < "2026-01-01"
            assert str(r["updated_at"]) >= str(r["created_at"])
    orders = {r["entity_id"]: r for r in rows_of(small, "sales_order")}
    for table in ("sales_invoice", "sales_shipment", "sales_creditmemo"):
        for r in rows_of(small, table):
            order = orders[r["order_id"]]
            assert str(order["created_at"]) <= str(r["created_at"]) < "2026-01-01", table


# -- files shared with the database side --------------------------------------------------------


def test_attribute_ids_match_defaults_sql() -> None:
    text = sample.DEFAULTS_SQL.read_text(encoding="utf-8")
    block = text.split("INSERT IGNORE INTO `eav_attribute` ", 1)[1].split(";\n", 1)[0]
    found = {
        (int(m[1]), m[2]): int(m[0]) for m in re.findall(r"\((\d+), (\d+), '([a-z_]+)'", block)
    }
    for code, attribute_id in sample.CATEGORY_ATTRIBUTE_IDS.items():
        assert found[(3, code)] == attribute_id, code
    for code, attribute_id in sample.PRODUCT_ATTRIBUTE_IDS.items():
        assert found[(4, code)] == attribute_id, code
    for code, attribute_id in {**MEDIA_ATTRIBUTE_IDS, **DOWNLOADABLE_ATTRIBUTE_IDS}.items():
        assert found[(4, code)] == attribute_id, code
    for code, attribute_id in BUNDLE_ATTRIBUTE_IDS.items():
        assert found[(4, code)] == attribute_id, code
    assert max(found.values()) < 200  # generated user-defined attributes start at 200


def test_schema_covers_generated_tables(medium: SampleData) -> None:
    statements = sample.split_sql(sample.SCHEMA_SQL.read_text(encoding="utf-8"))
    creates = [s for s in statements if s.startswith("CREATE TABLE")]
    names = {re.findall(r"`(\w+)`", s)[0] for s in creates}
    # every table a feed reads, every table the generator writes
    assert set(BUILTIN_CAPTURED_TABLES) <= names
    assert set(medium.tables) <= names
    assert "debezium_signal" in names
    for statement in creates:
        assert "PRIMARY KEY" in statement, statement[:60]
        assert "ENGINE=InnoDB" in statement
    # Foreign keys point at tables created earlier in the file.
    seen: set[str] = set()
    for statement in creates:
        name = re.findall(r"`(\w+)`", statement)[0]
        for target in re.findall(r"REFERENCES `(\w+)`", statement):
            assert target in seen or target == name, f"{name} -> {target}"
        seen.add(name)
    assert "ON DELETE CASCADE" in sample.SCHEMA_SQL.read_text(encoding="utf-8")


def test_split_sql_respects_quotes_and_comments() -> None:
    script = "-- a; comment\nSELECT 'a;b', \"c;d\", 'it''s';\n\nSELECT `x;y` FROM t; -- tail\n"
    assert sample.split_sql(script) == [
        "SELECT 'a;b', \"c;d\", 'it''s'",
        "SELECT `x;y` FROM t",
    ]
    assert len(sample.split_sql(sample.DEFAULTS_SQL.read_text(encoding="utf-8"))) > 20


def test_tsv_escaping() -> None:
    assert sample_load._tsv_field(None) == "\\N"
    assert sample_load._tsv_field(7) == "7"
    assert sample_load._tsv_field("a\tb\nc\\d") == "a\\tb\\nc\\\\d"
    assert sample_load._tsv_field("\\N") == "\\\\N"
