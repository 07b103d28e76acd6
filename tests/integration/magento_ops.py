"""What Magento writes to the sales tables when an order is placed, invoiced, shipped and
refunded: the row changes the tests feed the real stack, one transaction per step.

Only the columns the orders feed reads are written; the rest keep their defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


def execute(sql: Any, statement: str, *args: object) -> Any:
    with sql.cursor() as cursor:
        cursor.execute(statement, args)
        return cursor.fetchall()


def insert(sql: Any, table: str, **row: object) -> int:
    columns = ", ".join(f"`{c}`" for c in row)
    marks = ", ".join(["%s"] * len(row))
    with sql.cursor() as cursor:
        cursor.execute(f"INSERT INTO `{table}` ({columns}) VALUES ({marks})", tuple(row.values()))
        return int(cursor.lastrowid)


@dataclass(frozen=True)
class Line:
    sku: str
    price: Decimal
    qty: int = 1
    configurable_child_sku: str | None = None  # a configurable line: parent row + child row


@dataclass
class PlacedOrder:
    order_id: int
    increment_id: str
    item_ids: list[int]  # the lines' (parent) item ids, in line order
    lines: list[Line]


def place_order(
    sql: Any, lines: list[Line], *, virtual: bool = False, store_id: int = 1
) -> PlacedOrder:
    """An order with a billing address, a shipping address unless virtual, and a payment."""
    subtotal = sum((line.price * line.qty for line in lines), Decimal(0))
    shipping = Decimal(0) if virtual else Decimal(5) * sum(line.qty for line in lines)
    next_id = execute(sql, "SELECT COALESCE(MAX(entity_id), 0) + 1 FROM sales_order")[0][0]
    increment = f"T{int(next_id):09d}"
    sql.begin()
    order_id = insert(
        sql,
        "sales_order",
        increment_id=increment,
        state="new",
        status="pending",
        store_id=store_id,
        customer_email="shopper@example.com",
        customer_firstname="Ada",
        customer_lastname="Lovelace",
        customer_is_guest=1,
        is_virtual=int(virtual),
        base_currency_code="USD",
        order_currency_code="USD",
        subtotal=subtotal,
        base_subtotal=subtotal,
        shipping_amount=shipping,
        base_shipping_amount=shipping,
        grand_total=subtotal + shipping,
        base_grand_total=subtotal + shipping,
        total_qty_ordered=sum(line.qty for line in lines),
        shipping_method=None if virtual else "flatrate_flatrate",
        shipping_description=None if virtual else "Flat Rate - Fixed",
        created_at="2026-11-28 10:00:00",
        updated_at="2026-11-28 10:00:00",
    )
    item_ids = []
    for line in lines:
        item_id = insert(
            sql,
            "sales_order_item",
            order_id=order_id,
            store_id=store_id,
            sku=line.sku,
            name=f"Item {line.sku}",
            product_type="configurable" if line.configurable_child_sku else "simple",
            is_virtual=int(virtual),
            qty_ordered=line.qty,
            price=line.price,
            base_price=line.price,
            row_total=line.price * line.qty,
            base_row_total=line.price * line.qty,
            row_total_incl_tax=line.price * line.qty,  # no tax here
            base_row_total_incl_tax=line.price * line.qty,
        )
        item_ids.append(item_id)
        if line.configurable_child_sku:
            insert(
                sql,
                "sales_order_item",
                order_id=order_id,
                parent_item_id=item_id,
                store_id=store_id,
                sku=line.configurable_child_sku,
                name=f"Item {line.configurable_child_sku}",
                product_type="simple",
                qty_ordered=line.qty,
                price=0,
                base_price=0,
            )
    address = {
        "parent_id": order_id,
        "firstname": "Ada",
        "lastname": "Lovelace",
        "street": "12 Analytical Row",
        "city": "London",
        "postcode": "EC1A 1BB",
        "country_id": "GB",
        "telephone": "+44 20 7946 0000",
        "email": "shopper@example.com",
    }
    insert(sql, "sales_order_address", address_type="billing", **address)
    if not virtual:
        insert(sql, "sales_order_address", address_type="shipping", **address)
    insert(
        sql,
        "sales_order_payment",
        parent_id=order_id,
        method="checkmo",
        amount_ordered=subtotal + shipping,
        base_amount_ordered=subtotal + shipping,
    )
    sql.commit()
    return PlacedOrder(order_id, increment, item_ids, lines)


def invoice(sql: Any, order: PlacedOrder) -> int:
    """Invoice every line in full; the order moves to processing."""
    total = sum((line.price * line.qty for line in order.lines), Decimal(0))
    sql.begin()
    invoice_id = insert(
        sql,
        "sales_invoice",
        order_id=order.order_id,
        increment_id=f"I{order.increment_id}",
        store_id=1,
        state=2,
        grand_total=total,
        base_grand_total=total,
        subtotal=total,
        base_subtotal=total,
        created_at="2026-11-28 11:00:00",
        updated_at="2026-11-28 11:00:00",
    )
    for item_id, line in zip(order.item_ids, order.lines, strict=True):
        insert(
            sql,
            "sales_invoice_item",
            parent_id=invoice_id,
            order_item_id=item_id,
            sku=line.sku,
            qty=line.qty,
            price=line.price,
            row_total=line.price * line.qty,
        )
        execute(
            sql,
            "UPDATE sales_order_item SET qty_invoiced = qty_ordered WHERE item_id = %s",
            item_id,
        )
    execute(
        sql,
        "UPDATE sales_order SET state = 'processing', status = 'processing', total_invoiced = %s, "
        "base_total_invoiced = %s, total_paid = %s, base_total_paid = %s WHERE entity_id = %s",
        total,
        total,
        total,
        total,
        order.order_id,
    )
    sql.commit()
    return invoice_id


def ship(sql: Any, order: PlacedOrder, *, track_number: str) -> int:
    """Ship every line with one tracking number."""
    sql.begin()
    shipment_id = insert(
        sql,
        "sales_shipment",
        order_id=order.order_id,
        increment_id=f"S{order.increment_id}",
        store_id=1,
        total_qty=sum(line.qty for line in order.lines),
        created_at="2026-11-28 12:00:00",
        updated_at="2026-11-28 12:00:00",
    )
    for item_id, line in zip(order.item_ids, order.lines, strict=True):
        insert(
            sql,
            "sales_shipment_item",
            parent_id=shipment_id,
            order_item_id=item_id,
            sku=line.sku,
            qty=line.qty,
        )
        execute(
            sql, "UPDATE sales_order_item SET qty_shipped = qty_ordered WHERE item_id = %s", item_id
        )
    insert(
        sql,
        "sales_shipment_track",
        parent_id=shipment_id,
        order_id=order.order_id,
        carrier_code="ups",
        title="United Parcel Service",
        track_number=track_number,
        created_at="2026-11-28 12:00:00",
        updated_at="2026-11-28 12:00:00",
    )
    execute(
        sql,
        "UPDATE sales_order SET state = 'complete', status = 'complete' WHERE entity_id = %s",
        order.order_id,
    )
    sql.commit()
    return shipment_id


def refund_first_line(sql: Any, order: PlacedOrder, *, adjustment: Decimal) -> int:
    """A credit memo for the first line only, with a positive adjustment."""
    line, item_id = order.lines[0], order.item_ids[0]
    total = line.price * line.qty + adjustment
    sql.begin()
    memo_id = insert(
        sql,
        "sales_creditmemo",
        order_id=order.order_id,
        increment_id=f"C{order.increment_id}",
        store_id=1,
        state=2,
        grand_total=total,
        base_grand_total=total,
        subtotal=line.price * line.qty,
        base_subtotal=line.price * line.qty,
        adjustment=adjustment,
        base_adjustment=adjustment,
        adjustment_positive=adjustment,
        base_adjustment_positive=adjustment,
        order_currency_code="USD",
        base_currency_code="USD",
        created_at="2026-11-28 13:00:00",
        updated_at="2026-11-28 13:00:00",
    )
    insert(
        sql,
        "sales_creditmemo_item",
        parent_id=memo_id,
        order_item_id=item_id,
        sku=line.sku,
        qty=line.qty,
        price=line.price,
        base_price=line.price,
        row_total=line.price * line.qty,
        base_row_total=line.price * line.qty,
    )
    execute(
        sql, "UPDATE sales_order_item SET qty_refunded = qty_ordered WHERE item_id = %s", item_id
    )
    execute(
        sql,
        "UPDATE sales_order SET state = 'closed', status = 'closed', total_refunded = %s "
        "WHERE entity_id = %s",
        total,
        order.order_id,
    )
    sql.commit()
    return memo_id


def _set_item_qty(sql: Any, column: str, item_id: int) -> None:
    """The line is invoiced/shipped/refunded in full."""
    execute(sql, f"UPDATE sales_order_item SET {column} = qty_ordered WHERE item_id = %s", item_id)
