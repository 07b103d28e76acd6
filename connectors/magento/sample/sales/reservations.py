"""MSI's append-only reservation ledger for an order's lines.

A reservation debits the stock when the order is placed (-qty) and is compensated (+qty) when
the order ships, is canceled, or (virtual) is invoiced. Open orders keep their negative rows:
Magento subtracts them from the stock's salable quantity.
"""

from __future__ import annotations

import json

from connectors.magento.sample import fmt
from connectors.magento.sample.inventory import STOCK_OF_WEBSITE
from connectors.magento.sample.model import Table
from connectors.magento.sample.sales.model import Order, SalesIds


def add_reservations(t: dict[str, Table], ids: SalesIds, order: Order) -> None:
    """Reserve each line's simple product in the stock of the order's website."""
    reservations = t["inventory_reservation"]
    stock_id = STOCK_OF_WEBSITE[order.website_id]
    events = ["order_placed"]
    if order.canceled:
        events.append("order_canceled")
    elif order.is_virtual and order.invoiced:
        events.append("invoice_created")
    elif order.life.fate in ("complete", "closed"):
        events.append("shipment_created")
    for event in events:
        sign = -1 if event == "order_placed" else 1
        metadata = json.dumps(
            {
                "event_type": event,
                "object_type": "order",
                "object_id": str(order.order_id),
                "object_increment_id": order.increment,
            },
            separators=(",", ":"),
        )
        for line in order.lines:
            reservations.add(
                ids.reservation.next(),
                stock_id,
                line.simple.sku,
                fmt.qty(sign * line.qty),
                metadata,
            )
