"""inventoryStockStatus as pure logic: row changes → product and SKU state → items.

The two projectors run together in ``MemoryPipeline`` (reference store, re-keying and
forwarding exactly as the workers do), so a product's ``@product`` summary reaches its SKU.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from feeds.change import RowChange
from feeds.memory import MemoryPipeline
from feeds.stock import (
    INVENTORY_STOCK_STATUS,
    STOCK_ITEM_PROJECTOR,
    STOCK_PROJECTOR,
)
from feeds.stock_products import decimal_text, stock_product_forwards
from tests.unit.rows import change, delete, insert

Row = dict[str, Any]


def update(table: str, before: Row, after: Row) -> RowChange:
    return change(table, "u", before=before, after=after)


SOURCES = {
    code: {"source_code": code, "name": code, "enabled": 1} for code in ("default", "eu", "us")
}
LINKS = {
    1: {"link_id": 1, "stock_id": 1, "source_code": "default", "priority": 1},
    2: {"link_id": 2, "stock_id": 2, "source_code": "eu", "priority": 1},
    3: {"link_id": 3, "stock_id": 2, "source_code": "us", "priority": 2},
}
PRODUCT = {"entity_id": 7, "sku": "SKU-7", "type_id": "simple"}
STOCK_ITEM = {
    "item_id": 70,
    "product_id": 7,
    "stock_id": 1,
    "qty": "10.0000",
    "manage_stock": 1,
    "use_config_manage_stock": 1,
    "notify_stock_qty": None,
    "use_config_notify_stock_qty": 1,
    "min_qty": "0.0000",
    "use_config_min_qty": 1,
    "backorders": 0,
    "use_config_backorders": 1,
}


def source_item(item_id: int, code: str, quantity: str, status: int = 1, sku: str = "SKU-7") -> Row:
    return {
        "source_item_id": item_id,
        "source_code": code,
        "sku": sku,
        "quantity": quantity,
        "status": status,
    }


def reservation(reservation_id: int, stock_id: int, quantity: str, sku: str = "SKU-7") -> Row:
    return {
        "reservation_id": reservation_id,
        "stock_id": stock_id,
        "sku": sku,
        "quantity": quantity,
    }


def reference_changes() -> list[RowChange]:
    return [
        *(insert("inventory_source", row) for row in SOURCES.values()),
        insert("inventory_stock", {"stock_id": 1, "name": "Default Stock"}),
        insert("inventory_stock", {"stock_id": 2, "name": "EU Stock"}),
        *(insert("inventory_source_stock_link", row) for row in LINKS.values()),
    ]


def catalog_changes() -> list[RowChange]:
    """A product in stock 1 (default: 10) and stock 2 (eu: 5, us: 3)."""
    return [
        insert("catalog_product_entity", PRODUCT),
        insert("cataloginventory_stock_item", STOCK_ITEM),
        insert("inventory_source_item", source_item(1, "default", "10.0000")),
        insert("inventory_source_item", source_item(2, "eu", "5.0000")),
        insert("inventory_source_item", source_item(3, "us", "3.0000")),
    ]


def run(*changes: RowChange) -> MemoryPipeline:
    pipeline = MemoryPipeline([STOCK_ITEM_PROJECTOR, STOCK_PROJECTOR])
    pipeline.feed([*reference_changes(), *changes])
    return pipeline


def items(pipeline: MemoryPipeline) -> dict[tuple[int, str], Row]:
    built = pipeline.items(INVENTORY_STOCK_STATUS.name)
    return {(p["stockId"], p["sku"]): p for p in built.values()}


def test_one_item_per_linked_stock_with_product_and_quantities() -> None:
    changes = catalog_changes()
    built = items(run(*changes))
    assert set(built) == {(1, "SKU-7"), (2, "SKU-7")}
    newest = datetime.fromtimestamp(max(c.ts_ms for c in changes) / 1000, UTC)
    assert built[2, "SKU-7"] == {
        "stockId": 2,
        "sku": "SKU-7",
        "productId": 7,
        "qty": "8.0000",  # eu + us
        "qtyForSale": "8.0000",
        "infiniteStock": False,
        "lowStock": False,
        "isSalable": True,
        "updatedAt": newest.strftime("%Y-%m-%dT%H:%M:%SZ"),  # the newest change's commit
        "deleted": False,
    }
    assert built[1, "SKU-7"]["qty"] == "10.0000"


def test_reservation_placed_then_compensated() -> None:
    pipeline = run(*catalog_changes())
    pipeline.feed([insert("inventory_reservation", reservation(1, 2, "-6.0000"))])
    placed = items(pipeline)
    assert placed[2, "SKU-7"]["qty"] == "8.0000"
    assert placed[2, "SKU-7"]["qtyForSale"] == "2.0000"
    assert placed[1, "SKU-7"]["qtyForSale"] == "10.0000"  # another stock's ledger
    pipeline.feed([insert("inventory_reservation", reservation(2, 2, "6.0000"))])
    assert items(pipeline)[2, "SKU-7"]["qtyForSale"] == "8.0000"


def test_reservations_selling_out_make_the_item_low_and_unsalable() -> None:
    pipeline = run(
        *catalog_changes(), insert("inventory_reservation", reservation(1, 1, "-10.0000"))
    )
    item = items(pipeline)[1, "SKU-7"]
    assert (item["qtyForSale"], item["lowStock"], item["isSalable"]) == ("0.0000", True, False)


def test_a_reread_reservation_counts_once() -> None:
    row = reservation(1, 2, "-6.0000")
    pipeline = run(*catalog_changes(), change("inventory_reservation", "r", after=row))
    pipeline.feed([change("inventory_reservation", "r", after=row)])  # incremental snapshot
    assert items(pipeline)[2, "SKU-7"]["qtyForSale"] == "2.0000"


def test_reservation_arriving_before_the_source_item() -> None:
    pipeline = run(
        insert("inventory_reservation", reservation(1, 1, "-4.0000")),
        insert("catalog_product_entity", PRODUCT),
    )
    assert items(pipeline) == {}  # no source item: the SKU is in no stock yet
    pipeline.feed([insert("inventory_source_item", source_item(1, "default", "10.0000"))])
    item = items(pipeline)[1, "SKU-7"]
    assert (item["qty"], item["qtyForSale"], item["productId"]) == ("10.0000", "6.0000", 7)


def test_disabled_source_is_excluded_from_qty() -> None:
    pipeline = run(*catalog_changes())
    disabled = {**SOURCES["us"], "enabled": 0}
    pipeline.feed([update("inventory_source", SOURCES["us"], disabled)])
    assert items(pipeline)[2, "SKU-7"]["qty"] == "5.0000"
    pipeline.feed([update("inventory_source", SOURCES["eu"], {**SOURCES["eu"], "enabled": 0})])
    item = items(pipeline)[2, "SKU-7"]  # still assigned to the stock, but nothing to sell
    assert (item["qty"], item["isSalable"], item["lowStock"]) == ("0.0000", False, True)


def test_out_of_stock_source_item_is_excluded_from_qty() -> None:
    pipeline = run(*catalog_changes())
    pipeline.feed(
        [
            update(
                "inventory_source_item",
                source_item(1, "default", "10.0000"),
                source_item(1, "default", "10.0000", status=0),
            )
        ]
    )
    item = items(pipeline)[1, "SKU-7"]
    assert (item["qty"], item["isSalable"]) == ("0.0000", False)


def test_source_unlinked_from_stock() -> None:
    pipeline = run(*catalog_changes())
    pipeline.feed([delete("inventory_source_stock_link", LINKS[3])])
    assert items(pipeline)[2, "SKU-7"]["qty"] == "5.0000"
    pipeline.feed([delete("inventory_source_stock_link", LINKS[2])])
    assert set(items(pipeline)) == {(1, "SKU-7")}


def test_deleted_stock_drops_its_items_although_its_links_cascade_unseen() -> None:
    pipeline = run(*catalog_changes())
    pipeline.feed([delete("inventory_stock", {"stock_id": 2, "name": "EU Stock"})])
    assert set(items(pipeline)) == {(1, "SKU-7")}


def test_unmanaged_stock_is_infinite_and_salable() -> None:
    unmanaged = {**STOCK_ITEM, "use_config_manage_stock": 0, "manage_stock": 0}
    pipeline = run(*catalog_changes())
    pipeline.feed(
        [
            update("cataloginventory_stock_item", STOCK_ITEM, unmanaged),
            insert("inventory_reservation", reservation(1, 1, "-10.0000")),
        ]
    )
    item = items(pipeline)[1, "SKU-7"]
    assert (item["infiniteStock"], item["isSalable"], item["lowStock"]) == (True, True, False)
    assert item["qtyForSale"] == "0.0000"


def config(config_id: int, option: str, value: str) -> Row:
    path = f"cataloginventory/item_options/{option}"
    return {"config_id": config_id, "scope": "default", "scope_id": 0, "path": path, "value": value}


def test_configuration_decides_when_the_product_uses_it() -> None:
    unmanaged = config(9, "manage_stock", "0")
    pipeline = run(*catalog_changes(), insert("core_config_data", unmanaged))
    assert items(pipeline)[1, "SKU-7"]["infiniteStock"] is True
    pipeline.feed(
        [
            delete("core_config_data", unmanaged),
            insert("core_config_data", config(10, "notify_stock_qty", "9")),
        ]
    )
    built = items(pipeline)
    assert (built[1, "SKU-7"]["infiniteStock"], built[1, "SKU-7"]["lowStock"]) == (False, False)
    assert built[2, "SKU-7"]["lowStock"] is True  # 8 < 9


def test_own_notify_threshold_is_strictly_below() -> None:
    own = {**STOCK_ITEM, "use_config_notify_stock_qty": 0, "notify_stock_qty": "8.0000"}
    pipeline = run(*catalog_changes(), update("cataloginventory_stock_item", STOCK_ITEM, own))
    built = items(pipeline)
    assert (built[1, "SKU-7"]["lowStock"], built[2, "SKU-7"]["lowStock"]) == (False, False)
    pipeline.feed([insert("inventory_reservation", reservation(1, 2, "-0.5000"))])
    assert items(pipeline)[2, "SKU-7"]["lowStock"] is True


def stock_1_after(*changes: RowChange) -> Row:
    """Stock 1's item (default source: 10, and a reservation of all 10) after ``changes``."""
    sold_out = insert("inventory_reservation", reservation(1, 1, "-10.0000"))
    return items(run(*catalog_changes(), sold_out, *changes))[1, "SKU-7"]


def own(**settings: Any) -> RowChange:
    return update("cataloginventory_stock_item", STOCK_ITEM, {**STOCK_ITEM, **settings})


def test_backorders_keep_a_sold_out_item_salable() -> None:
    item = stock_1_after()
    assert (item["qtyForSale"], item["isSalable"]) == ("0.0000", False)
    item = stock_1_after(own(use_config_backorders=0, backorders=1, use_config_min_qty=0))
    # Own backorders with the threshold at exactly 0: no limit, as the exporter has it.
    assert (item["isSalable"], item["infiniteStock"]) == (True, True)
    item = stock_1_after(insert("core_config_data", config(11, "backorders", "1")))
    assert (item["isSalable"], item["infiniteStock"]) == (True, True)


def test_a_negative_threshold_sells_down_to_it() -> None:
    backorders = {"use_config_backorders": 0, "backorders": 1, "use_config_min_qty": 0}
    item = stock_1_after(own(**backorders, min_qty="-5.0000"))
    assert (item["isSalable"], item["infiniteStock"]) == (True, False)
    deeper = insert("inventory_reservation", reservation(2, 1, "-5.0000"))  # at -5 now
    item = stock_1_after(own(**backorders, min_qty="-5.0000"), deeper)
    assert (item["qtyForSale"], item["isSalable"]) == ("-5.0000", False)


def test_a_positive_threshold_stops_sales_above_zero() -> None:
    threshold = own(use_config_min_qty=0, min_qty="8.0000")
    built = items(run(*catalog_changes(), threshold))
    assert (built[1, "SKU-7"]["isSalable"], built[2, "SKU-7"]["isSalable"]) == (True, False)
    by_config = insert("core_config_data", config(12, "min_qty", "9"))
    built = items(run(*catalog_changes(), by_config))
    assert (built[1, "SKU-7"]["isSalable"], built[2, "SKU-7"]["isSalable"]) == (True, False)
    # Backorders allowed, threshold above 0: the threshold still applies.
    item = stock_1_after(own(use_config_backorders=0, backorders=1), by_config)
    assert (item["isSalable"], item["infiniteStock"]) == (True, False)


def test_an_out_of_stock_source_item_is_not_sold_on_backorder() -> None:
    out = update(
        "inventory_source_item",
        source_item(1, "default", "10.0000"),
        source_item(1, "default", "10.0000", status=0),
    )
    backorders = own(use_config_backorders=0, backorders=1, min_qty="-5.0000", use_config_min_qty=0)
    assert stock_1_after(backorders, out)["isSalable"] is False


def test_sku_renamed_moves_the_product_to_the_new_sku() -> None:
    pipeline = run(*catalog_changes())
    renamed = {**PRODUCT, "sku": "SKU-7B"}
    pipeline.feed([update("catalog_product_entity", PRODUCT, renamed)])
    assert {key: item["productId"] for key, item in items(pipeline).items()} == {
        (1, "SKU-7"): None,  # MSI has not moved the source items yet
        (2, "SKU-7"): None,
    }
    pipeline.feed(
        [
            update("inventory_source_item", before, {**before, "sku": "SKU-7B"})
            for before in (
                source_item(1, "default", "10.0000"),
                source_item(2, "eu", "5.0000"),
                source_item(3, "us", "3.0000"),
            )
        ]
    )
    built = items(pipeline)
    assert set(built) == {(1, "SKU-7B"), (2, "SKU-7B")}
    assert built[2, "SKU-7B"]["productId"] == 7
    assert built[2, "SKU-7B"]["qty"] == "8.0000"
    assert "SKU-7" not in pipeline.states["stock"]  # nothing of the old SKU is left


def test_product_deleted_withdraws_its_summary() -> None:
    pipeline = run(*catalog_changes())
    pipeline.feed([delete("catalog_product_entity", PRODUCT)])  # the stock item cascades
    assert pipeline.states["stock_products"] == {}
    assert all(item["productId"] is None for item in items(pipeline).values())
    lone = run(insert("catalog_product_entity", PRODUCT))
    assert "SKU-7" in lone.states["stock"]
    lone.feed([delete("catalog_product_entity", PRODUCT)])
    assert lone.states["stock"] == {}  # nothing left of the SKU: its state goes


def test_deleting_the_last_source_item_deletes_the_items() -> None:
    pipeline = run(*catalog_changes()[2:])
    assert set(items(pipeline)) == {(1, "SKU-7"), (2, "SKU-7")}
    mark = len(pipeline.emitted)
    pipeline.feed(
        delete("inventory_source_item", row)
        for row in (source_item(1, "default", "10.0000"), source_item(2, "eu", "5.0000"))
    )
    emit = [e.payload for e in pipeline.emitted[mark:]]
    assert [p for p in emit if p["deleted"]] == [{"stockId": 1, "sku": "SKU-7", "deleted": True}]
    assert set(items(pipeline)) == {(2, "SKU-7")}
    mark = len(pipeline.emitted)
    pipeline.feed([delete("inventory_source_item", source_item(3, "us", "3.0000"))])
    assert "SKU-7" not in pipeline.states["stock"]  # the SKU's state goes
    assert [e.payload for e in pipeline.emitted[mark:]] == [
        {"stockId": 2, "sku": "SKU-7", "deleted": True}
    ]
    assert items(pipeline) == {}


def test_summary_is_forwarded_only_when_it_changes() -> None:
    pipeline = run(*catalog_changes())
    before = pipeline.states["stock_products"]["7"]
    same = update("cataloginventory_stock_item", STOCK_ITEM, {**STOCK_ITEM, "qty": "2.0000"})
    after = STOCK_ITEM_PROJECTOR.apply(before, same)
    assert stock_product_forwards(before, after, "7") == []
    changed = update("catalog_product_entity", PRODUCT, {**PRODUCT, "sku": "SKU-8"})
    forwards = stock_product_forwards(before, STOCK_ITEM_PROJECTOR.apply(before, changed), "7")
    assert [(f.key, f.change.op) for f in forwards] == [("SKU-7", "d"), ("SKU-8", "u")]
    assert forwards[1].change.position == changed.position  # versions keep growing


def test_items_do_not_depend_on_arrival_order() -> None:
    changes = [
        insert("inventory_reservation", reservation(1, 2, "-1.5000")),
        insert(
            "cataloginventory_stock_item",
            {**STOCK_ITEM, "use_config_notify_stock_qty": 0, "notify_stock_qty": "4.0000"},
        ),
        insert("catalog_product_entity", PRODUCT),
        insert("inventory_source_item", source_item(2, "eu", "5.0000")),
        insert("inventory_source_item", source_item(3, "us", "3.0000", status=0)),
    ]
    expected = items(run(*changes))
    item = expected[2, "SKU-7"]
    assert (item["qtyForSale"], item["productId"], item["lowStock"]) == ("3.5000", 7, True)
    for order in itertools.permutations(changes):
        assert items(run(*order)) == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [("-1.0000", "-1.0000"), ("0", "0.0000"), ("-0.00001", "0.0000"), ("12.5", "12.5000")],
)
def test_quantities_print_with_four_decimals(value: str, text: str) -> None:
    assert decimal_text(Decimal(value)) == text
