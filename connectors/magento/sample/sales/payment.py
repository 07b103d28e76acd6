"""The order's payment and, for card payments, the gateway's transactions.

Card payments (Braintree) leave a chain of transactions, each pointing at its parent:
authorization, then capture (invoiced) and refund, or void (canceled). Offline methods
(check, bank transfer, purchase order) record none.
"""

from __future__ import annotations

import json
import random
import string

from connectors.magento.sample import fmt
from connectors.magento.sample.model import Table
from connectors.magento.sample.sales.model import Order, SalesIds
from connectors.magento.sample.vocabulary import CC_TYPES, PAYMENT_TITLES


def add_payment(t: dict[str, Table], rng: random.Random, ids: SalesIds, order: Order) -> str:
    """Write the payment and its transactions; return the gateway's transaction id.

    Invoices and credit memos of card orders refer to it. It is drawn for every order, card or
    not: skipping the draw would change every later row drawn from the stream.
    """
    payment_id = ids.payment.next()
    card = order.card
    txn = "".join(rng.choices(string.ascii_lowercase + string.digits, k=8))
    last_txn = _transactions(t, ids, order, payment_id, txn) if card else None
    info: dict[str, str] = {"method_title": PAYMENT_TITLES[order.method]}
    if card:
        info["cc_type"] = rng.choice(CC_TYPES)
    grand, shipping = order.grand, order.shipping
    invoiced_cents, refunded_cents = order.invoiced_cents, order.refunded_cents
    canceled_cents = order.canceled_cents
    t["sales_order_payment"].add(
        payment_id,
        order.order_id,
        order.method,
        fmt.money(grand),
        fmt.money(grand),
        fmt.money(grand) if card else None,
        fmt.money(grand) if card else None,
        fmt.money(invoiced_cents) if order.invoiced else None,
        fmt.money(invoiced_cents) if order.invoiced else None,
        fmt.money(refunded_cents) if refunded_cents else None,
        fmt.money(refunded_cents) if refunded_cents else None,
        fmt.money(canceled_cents) if canceled_cents else None,
        fmt.money(canceled_cents) if canceled_cents else None,
        # What the gateway captured and refunded online: a card's, never an offline method's.
        fmt.money(invoiced_cents) if card and order.invoiced else None,
        fmt.money(refunded_cents) if card and refunded_cents else None,
        fmt.money(shipping),
        fmt.money(shipping),
        last_txn,
        f"PO-{order.order_id:06d}" if order.method == "purchaseorder" else None,
        info.get("cc_type"),
        f"{rng.randint(0, 9999):04d}" if card else None,
        str(rng.randint(1, 12)) if card else None,
        str(rng.randint(2026, 2031)) if card else None,
        f"{order.buyer.first} {order.buyer.last}" if card else None,
        json.dumps(info, separators=(",", ":")),
    )
    return txn


def _transactions(
    t: dict[str, Table], ids: SalesIds, order: Order, payment_id: int, txn: str
) -> str:
    """Write the card payment's transaction chain; return the last transaction's id."""
    transactions = t["sales_payment_transaction"]
    life = order.life
    auth_id = ids.transaction.next()
    transactions.add(
        auth_id,
        None,
        order.order_id,
        payment_id,
        txn,
        None,
        "authorization",
        int(order.invoiced or order.canceled_cents > 0),
        fmt.ts(life.created),
    )
    last_txn = txn
    if order.invoiced:
        capture_id = ids.transaction.next()
        last_txn = f"{txn}-capture"
        transactions.add(
            capture_id,
            auth_id,
            order.order_id,
            payment_id,
            last_txn,
            txn,
            "capture",
            int(order.refund_all),
            fmt.ts(life.invoice_at),
        )
        if order.refunded_lines:
            refund_txn = f"{txn}-refund"
            transactions.add(
                ids.transaction.next(),
                capture_id,
                order.order_id,
                payment_id,
                refund_txn,
                last_txn,
                "refund",
                1,
                fmt.ts(life.refund_at),
            )
            last_txn = refund_txn
    elif order.canceled_cents:
        void_txn = f"{txn}-void"
        transactions.add(
            ids.transaction.next(),
            auth_id,
            order.order_id,
            payment_id,
            void_txn,
            txn,
            "void",
            1,
            fmt.ts(life.cancel_at),
        )
        last_txn = void_txn
    return last_txn
