"""The orders' applied taxes: ``sales_order_tax`` and ``sales_order_tax_item``.

Magento records, for every tax rate applied to an order, one ``sales_order_tax`` row (its
code, title, percent and amounts) and that rate's share of each taxed line
(``taxable_item_type`` ``product``, on the priced line: a configurable's parent, not its
child) and of the shipping (``shipping``, no item) in ``sales_order_tax_item``. The sample
charges one rate per website (US sales tax, 19% VAT) and no tax on shipping, so the rows are
read off the amounts the orders step wrote: the rate's amount is the order's tax, each line's
share is the line's tax. Nothing is drawn; this step only appends rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from connectors.magento.sample.context import Context, Seq
from connectors.magento.sample.model import Row, Table, Value

#: (code, title) of the one rate each base currency's website applies.
RATES: Final = {
    "USD": ("US-*-*-Sales Tax", "US Sales Tax"),
    "EUR": ("EU-*-*-VAT", "VAT"),
}


def _of(table: Table, row: Row, column: str) -> Value:
    return row[table.columns.index(column)]


def _amount(value: Value) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def add_order_taxes(ctx: Context) -> None:
    """One tax row per taxed order, with a tax item per taxed line (and per taxed shipping)."""
    orders, items = ctx.tables["sales_order"], ctx.tables["sales_order_item"]
    taxes, tax_items = ctx.tables["sales_order_tax"], ctx.tables["sales_order_tax_item"]
    lines: dict[Value, list[Row]] = {}
    for item in items.rows:
        if _amount(_of(items, item, "base_tax_amount")) > 0:
            lines.setdefault(_of(items, item, "order_id"), []).append(item)
    tax_ids, tax_item_ids = Seq(), Seq()
    for order in orders.rows:
        order_id = _of(orders, order, "entity_id")
        taxed = lines.get(order_id, [])
        shipping_tax = _amount(_of(orders, order, "base_shipping_tax_amount"))
        if not taxed and shipping_tax <= 0:
            continue
        code, title = RATES[str(_of(orders, order, "base_currency_code"))]
        percent = _of(items, taxed[0], "tax_percent") if taxed else None
        tax_id = tax_ids.next()
        base = _of(orders, order, "base_tax_amount")
        taxes.add(
            tax_id,
            order_id,
            code,
            title,
            percent,
            _of(orders, order, "tax_amount"),
            0,
            0,
            base,
            0,
            base,
        )
        for item in taxed:
            amount, base_amount = (
                _of(items, item, "tax_amount"),
                _of(items, item, "base_tax_amount"),
            )
            tax_items.add(
                tax_item_ids.next(),
                tax_id,
                _of(items, item, "item_id"),
                _of(items, item, "tax_percent"),
                amount,
                base_amount,
                amount,
                base_amount,
                None,
                "product",
            )
        if shipping_tax > 0:
            tax_items.add(
                tax_item_ids.next(),
                tax_id,
                None,
                percent,
                _of(orders, order, "shipping_tax_amount"),
                _of(orders, order, "base_shipping_tax_amount"),
                _of(orders, order, "shipping_tax_amount"),
                _of(orders, order, "base_shipping_tax_amount"),
                None,
                "shipping",
            )
