"""The documents that follow an order: invoice, shipments with tracking, credit memo.

Each is written only when the order's lifecycle reached it (invoiced, shipped, refunded), is
dated from the order's :class:`~connectors.magento.sample.sales.model.Lifecycle`, and is
numbered by its own per-store increment sequence.
"""

from __future__ import annotations

import random
import string
from datetime import timedelta

from connectors.magento.sample import fmt
from connectors.magento.sample.context import EPOCH
from connectors.magento.sample.model import Table
from connectors.magento.sample.sales.items import add_document_items
from connectors.magento.sample.sales.model import Order, SalesIds
from connectors.magento.sample.vocabulary import CARRIERS


def add_invoice(t: dict[str, Table], ids: SalesIds, order: Order, txn: str) -> int:
    """Invoice the whole order at once; return the invoice id."""
    invoice_id = ids.invoice.next()
    subtotal, tax, shipping, discount = order.subtotal, order.tax, order.shipping, order.discount
    currency = order.currency
    at = fmt.ts(order.life.invoice_at)
    t["sales_invoice"].add(
        invoice_id,
        order.order_id,
        ids.increment("invoice", order.store_id),
        order.store_id,
        2,
        fmt.money(order.grand),
        fmt.money(order.grand),
        fmt.money(subtotal),
        fmt.money(subtotal),
        fmt.money(subtotal + tax),
        fmt.money(tax),
        fmt.money(tax),
        fmt.money(shipping),
        fmt.money(shipping),
        fmt.money(shipping),
        fmt.money(-discount),
        fmt.money(-discount),
        fmt.qty(order.total_qty),
        currency,
        currency,
        currency,
        currency,
        f"{txn}-capture" if order.card else None,
        order.billing_id,
        order.shipping_id,
        int(bool(order.refunded_lines)),
        1,
        0,
        at,
        at,
    )
    for line in order.lines:
        add_document_items(t["sales_invoice_item"], ids.invoice_item, invoice_id, line)
    return invoice_id


def add_shipments(t: dict[str, Table], rng: random.Random, ids: SalesIds, order: Order) -> None:
    """Ship the order in one parcel, or sometimes two, each with zero to two tracking numbers."""
    lines = order.lines
    # Usually one parcel; sometimes the order leaves in two (split across shipments).
    groups = [lines]
    if len(lines) >= 2 and rng.random() < 0.15:
        half = len(lines) // 2
        groups = [lines[:half], lines[half:]]
    customer = order.customer
    for n, group in enumerate(groups):
        at = min(order.life.ship_at + timedelta(days=n), EPOCH - timedelta(seconds=60))
        shipment_id = ids.shipment.next()
        qty = sum(x.qty for x in group)
        grams = sum(x.simple.grams * x.qty for x in group)
        t["sales_shipment"].add(
            shipment_id,
            order.order_id,
            ids.increment("shipment", order.store_id),
            order.store_id,
            customer.entity_id if customer else None,
            None,
            fmt.qty(qty),
            fmt.weight(grams),
            order.shipping_id,
            order.billing_id,
            1,
            fmt.ts(at),
            fmt.ts(at),
        )
        for line in group:
            simple = line.simple
            t["sales_shipment_item"].add(
                ids.shipment_item.next(),
                shipment_id,
                line.item_id,
                line.product.entity_id,
                simple.sku,
                line.product.name,
                fmt.qty(line.qty),
                fmt.money(line.price),
                fmt.weight(simple.grams),
                fmt.money(line.price * line.qty),
            )
        tracks = rng.choices((0, 1, 2), (10, 85, 5))[0]
        for _ in range(tracks):
            carrier, title = rng.choice(CARRIERS)
            number = (
                "1Z" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=16))
                if carrier == "ups"
                else str(rng.randint(10**11, 10**12 - 1))
            )
            t["sales_shipment_track"].add(
                ids.track.next(),
                shipment_id,
                order.order_id,
                carrier,
                title,
                number,
                fmt.qty(qty),
                fmt.weight(grams),
                fmt.ts(at),
                fmt.ts(at),
            )


def add_creditmemo(
    t: dict[str, Table], ids: SalesIds, order: Order, invoice_id: int | None, txn: str
) -> None:
    """Refund the refunded lines (and, for a closed order, the shipping) in one credit memo."""
    refunded = order.refunded_lines
    refund_shipping = order.shipping if order.refund_all else 0
    sub = sum(x.price * x.qty for x in refunded)
    disc = sum(x.discount for x in refunded)
    rtax = sum(x.tax for x in refunded)
    memo_id = ids.creditmemo.next()
    total = sub - disc + rtax + refund_shipping
    currency = order.currency
    at = fmt.ts(order.life.refund_at)
    t["sales_creditmemo"].add(
        memo_id,
        order.order_id,
        invoice_id,
        ids.increment("creditmemo", order.store_id),
        order.store_id,
        2,
        None,
        fmt.money(total),
        fmt.money(total),
        fmt.money(sub),
        fmt.money(sub),
        fmt.money(rtax),
        fmt.money(rtax),
        fmt.money(refund_shipping),
        fmt.money(refund_shipping),
        fmt.money(0),
        fmt.money(-disc),
        fmt.money(-disc),
        fmt.money(0),
        fmt.money(0),
        fmt.money(0),
        fmt.money(0),
        fmt.money(0),
        fmt.money(0),
        currency,
        currency,
        currency,
        currency,
        f"{txn}-refund" if order.card else None,
        order.billing_id,
        order.shipping_id,
        at,
        at,
    )
    for line in refunded:
        add_document_items(t["sales_creditmemo_item"], ids.creditmemo_item, memo_id, line)
