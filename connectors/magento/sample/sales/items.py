"""Item rows: order items, and the invoice and credit-memo items that copy them.

A configurable line is two order items, as in Magento: the parent row carries the price, the
child's SKU and the chosen options; a zero-priced child row points at it (parent_item_id).
"""

from __future__ import annotations

import json
from typing import Any

from connectors.magento.sample import fmt
from connectors.magento.sample.attributes import Attributes
from connectors.magento.sample.context import Seq
from connectors.magento.sample.model import Table
from connectors.magento.sample.sales.model import Line, Order, SalesIds


def add_order_items(
    t: dict[str, Table], ids: SalesIds, attrs: Attributes, order: Order, line: Line
) -> None:
    """The order item of ``line``, and its child item for a configurable."""
    items = t["sales_order_item"]
    prod, child = line.product, line.child
    simple = line.simple
    tax_bp = order.tax_bp
    row = line.price * line.qty
    unit_tax = fmt.pct_of(line.price, tax_bp)
    q = fmt.qty(line.qty)
    zero = fmt.qty(0)
    invoiced, shipped, canceled = order.invoiced, order.shipped, order.canceled
    refunded = line in order.refunded_lines
    created, updated = fmt.ts(order.life.created), fmt.ts(order.life.updated)
    line.item_id = ids.item.next()
    buy_request: dict[str, Any] = {"qty": line.qty, "product": str(prod.entity_id)}
    options: dict[str, Any] = {"info_buyRequest": buy_request}
    if child is not None:
        buy_request["super_attribute"] = {
            str(aid): str(child.options[aid]) for aid in prod.super_attributes
        }
        options["attributes_info"] = [
            {
                "label": attrs.label.get(aid, ""),
                "value": attrs.option_label[child.options[aid]],
                "option_id": aid,
                "option_value": child.options[aid],
            }
            for aid in prod.super_attributes
        ]
        options["simple_name"] = child.name
        options["simple_sku"] = child.sku
    refunded_cents = row - line.discount + line.tax if refunded else 0
    grams = simple.grams
    items.add(
        line.item_id,
        order.order_id,
        None,
        line.item_id,
        order.store_id,
        created,
        updated,
        prod.entity_id,
        prod.type_id,
        json.dumps(options, separators=(",", ":")),
        fmt.weight(grams),
        int(prod.type_id == "virtual"),
        simple.sku,
        prod.name,
        order.rule_ids,
        q,
        q if invoiced else zero,
        q if shipped else zero,
        q if refunded else zero,
        q if canceled else zero,
        zero,
        fmt.money(line.price),
        fmt.money(line.price),
        fmt.money(line.price),
        fmt.money(line.price),
        fmt.money(line.price + unit_tax),
        fmt.money(line.price + unit_tax),
        fmt.dec(tax_bp, 2, 4),
        fmt.money(line.tax),
        fmt.money(line.tax),
        fmt.dec(1000 if line.discount else 0, 2, 4),
        fmt.money(line.discount),
        fmt.money(line.discount),
        fmt.money(refunded_cents),
        fmt.money(refunded_cents),
        fmt.money(row),
        fmt.money(row),
        fmt.money(row + fmt.pct_of(row, tax_bp)),
        fmt.money(row + fmt.pct_of(row, tax_bp)),
        fmt.weight(grams * line.qty),
        _additional_data(line.item_id),
    )
    if child is None:
        return
    line.child_item_id = ids.item.next()
    child_options = {"info_buyRequest": buy_request}
    items.add(
        line.child_item_id,
        order.order_id,
        line.item_id,
        line.child_item_id,
        order.store_id,
        created,
        updated,
        child.entity_id,
        "simple",
        json.dumps(child_options, separators=(",", ":")),
        fmt.weight(grams),
        0,
        child.sku,
        child.name,
        order.rule_ids,
        q,
        q if invoiced else zero,
        q if shipped else zero,
        q if refunded else zero,
        q if canceled else zero,
        zero,
        fmt.money(0),
        fmt.money(0),
        fmt.money(0),
        fmt.money(0),
        fmt.money(0),
        fmt.money(0),
        fmt.dec(0, 0, 4),
        fmt.money(0),
        fmt.money(0),
        fmt.dec(0, 0, 4),
        fmt.money(0),
        fmt.money(0),
        fmt.money(0),
        fmt.money(0),
        fmt.money(0),
        fmt.money(0),
        fmt.money(0),
        fmt.money(0),
        fmt.weight(grams * line.qty),
        None,
    )


def _additional_data(item_id: int) -> str | None:
    """What a storefront extension kept on a few lines (gift wrap, an engraving), as JSON;
    by id, so that no random draw moves the rest of the data."""
    if item_id % 19:
        return None
    data = {"gift_wrap": "yes", "engraving": f"For order line {item_id}", "wrap_options": [1, 2]}
    return json.dumps(data, separators=(",", ":"))


def add_document_items(table: Table, ids: Seq, parent_id: int, line: Line) -> None:
    """Invoice or credit-memo items for all of ``line``: the priced row, then a zero child row."""
    qty, tax, discount = line.qty, line.tax, line.discount
    row = line.price * qty
    unit_tax = tax // qty
    table.add(
        ids.next(),
        parent_id,
        line.item_id,
        line.product.entity_id,
        line.simple.sku,
        line.product.name,
        fmt.qty(qty),
        fmt.money(line.price),
        fmt.money(line.price),
        fmt.money(row),
        fmt.money(row),
        fmt.money(tax),
        fmt.money(tax),
        fmt.money(discount),
        fmt.money(discount),
        fmt.money(line.price + unit_tax),
        fmt.money(line.price + unit_tax),
        fmt.money(row + tax),
        fmt.money(row + tax),
    )
    if line.child is None:
        return
    zero = fmt.money(0)
    table.add(
        ids.next(),
        parent_id,
        line.child_item_id,
        line.child.entity_id,
        line.child.sku,
        line.child.name,
        fmt.qty(qty),
        *([zero] * 12),  # prices, totals, tax and discount: all on the parent row
    )
