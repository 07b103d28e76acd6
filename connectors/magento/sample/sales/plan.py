"""Planning one order: every decision about it, drawn from the "orders" random stream.

The draws happen in a fixed order (lines, lifecycle, refunds, payment method, buyer); the
writers that follow draw only for details of their own rows (IPs, card numbers, parcels).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from connectors.magento.sample import fmt
from connectors.magento.sample.catalog import Catalog, Product
from connectors.magento.sample.context import EPOCH
from connectors.magento.sample.sales.customers import Customer
from connectors.magento.sample.sales.model import Buyer, Lifecycle, Line, Order, tax_bp_of
from connectors.magento.sample.vocabulary import (
    CITIES,
    FIRST_NAMES,
    LAST_NAMES,
    PAYMENT_TITLES,
    STREETS,
)


def plan_order(
    rng: random.Random,
    catalog: Catalog,
    *,
    order_id: int,
    store_id: int,
    website_id: int,
    store_name: str,
    picks: list[Product],
    is_virtual: bool,
    customer: Customer | None,
) -> Order:
    """Decide the lines, the lifecycle, the refunds, the payment method and the buyer."""
    created = EPOCH - timedelta(seconds=rng.randint(2 * 3600, 365 * 86_400))
    coupon = rng.random() < 0.2
    lines = _lines(
        rng, catalog, picks, website_id=website_id, tax_bp=tax_bp_of(website_id), coupon=coupon
    )
    life, partial = _lifecycle(rng, created, is_virtual=is_virtual)
    refund_all = life.fate == "closed"
    refunded_lines = lines if refund_all else [rng.choice(lines)] if partial else []
    method = rng.choices(list(PAYMENT_TITLES), (35, 15, 10, 40))[0]
    return Order(
        order_id=order_id,
        store_id=store_id,
        website_id=website_id,
        store_name=store_name,
        is_virtual=is_virtual,
        customer=customer,
        coupon=coupon,
        lines=lines,
        life=life,
        refunded_lines=refunded_lines,
        method=method,
        buyer=_buyer(rng, order_id, website_id, customer),
    )


def _lines(
    rng: random.Random,
    catalog: Catalog,
    picks: list[Product],
    *,
    website_id: int,
    tax_bp: int,
    coupon: bool,
) -> list[Line]:
    """One line per picked product: a child for a configurable, a quantity, amounts."""
    lines: list[Line] = []
    for prod in picks:
        child = None
        if prod.type_id == "configurable":
            child = catalog.by_id[rng.choice(prod.child_ids)]
        priced = child or prod
        price = priced.price if website_id == 1 else priced.price_w2
        qty = rng.choices((1, 2, 3), (70, 20, 10))[0]
        row = price * qty
        discount = fmt.pct_of(row, 1000) if coupon else 0
        lines.append(Line(prod, child, qty, price, discount, fmt.pct_of(row - discount, tax_bp)))
    return lines


def _lifecycle(
    rng: random.Random, created: datetime, *, is_virtual: bool
) -> tuple[Lifecycle, bool]:
    """What happened to the order after it was placed, and whether part of it was refunded."""
    roll = rng.random()
    fate = (
        "pending"
        if roll < 0.12
        else "holded"
        if roll < 0.15
        else "canceled"
        if roll < 0.22
        else "processing"
        if roll < 0.40
        else "closed"
        if roll < 0.48
        else "complete"
    )
    if created > EPOCH - timedelta(days=3) and fate in ("complete", "closed"):
        fate = "processing"  # too recent to have shipped
    shipped = not is_virtual and fate in ("complete", "closed")
    if is_virtual and fate == "processing":
        fate = "complete"  # nothing to ship: an invoiced virtual order is complete
    refund_all = fate == "closed"
    partial = fate == "complete" and rng.random() < 0.08
    # Event times follow the order; clamping them (monotonically) below the epoch keeps every
    # document in the past without reordering the lifecycle.
    cap = EPOCH - timedelta(seconds=60)
    invoice_at = created + timedelta(seconds=rng.randint(30, 2 * 86_400))
    ship_at = invoice_at + timedelta(seconds=rng.randint(3600, 4 * 86_400))
    refund_at = (ship_at if shipped else invoice_at) + timedelta(days=rng.randint(3, 20))
    cancel_at = created + timedelta(seconds=rng.randint(600, 3 * 86_400))
    invoice_at, ship_at, refund_at, cancel_at = (
        min(x, cap) for x in (invoice_at, ship_at, refund_at, cancel_at)
    )
    updated = {
        "pending": created,
        "holded": cancel_at,
        "canceled": cancel_at,
        "processing": invoice_at,
    }.get(fate, refund_at if (refund_all or partial) else ship_at if shipped else invoice_at)
    life = Lifecycle(fate, created, invoice_at, ship_at, refund_at, cancel_at, updated)
    return life, partial


def _buyer(rng: random.Random, order_id: int, website_id: int, customer: Customer | None) -> Buyer:
    """The customer's details, or a made-up guest's."""
    first = customer.first if customer else rng.choice(FIRST_NAMES)
    last_name = customer.last if customer else rng.choice(LAST_NAMES)
    email = customer.email if customer else f"guest.{fmt.slug(first)}.{order_id}@example.org"
    if customer:
        country, city = customer.country, customer.city
        street = customer.street
    else:
        country = "US" if website_id == 1 else rng.choice(("DE", "FR", "GB"))
        city = rng.choice(CITIES[country])
        street = f"{rng.randint(1, 999)} {rng.choice(STREETS)}"
    if rng.random() < 0.15:
        street += f"\nApt {rng.randint(1, 40)}"  # multi-line street, newline-separated
    phone = f"+{rng.randint(1, 49)}-555-{rng.randint(100_0000, 999_9999)}"
    return Buyer(first, last_name, email, country, city, street, phone)
