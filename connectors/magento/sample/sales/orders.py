"""Orders: which store sells what to whom, then every sales row of each order.

Each order is planned (:mod:`.plan`) and then written document by document, in the order
Magento creates them: addresses and items, the order, the payment, the invoice, shipments, the
credit memo, and the stock reservations. All of it draws from the "orders" random stream,
except the orders' ``protect_code`` (the secret in a tracking popup's URL), drawn from the
"protect_codes" stream so that every other value is what it was before the column was written.
"""

from __future__ import annotations

import random

from connectors.magento.sample import fmt
from connectors.magento.sample.attributes import Attributes
from connectors.magento.sample.catalog import Catalog, Product
from connectors.magento.sample.context import Context
from connectors.magento.sample.model import Table
from connectors.magento.sample.sales.customers import add_customer_rows, make_customers
from connectors.magento.sample.sales.documents import add_creditmemo, add_invoice, add_shipments
from connectors.magento.sample.sales.items import add_order_items
from connectors.magento.sample.sales.model import Order, SalesIds
from connectors.magento.sample.sales.payment import add_payment
from connectors.magento.sample.sales.plan import plan_order
from connectors.magento.sample.sales.reservations import add_reservations
from connectors.magento.sample.scopes import Scopes

# Share of the orders each store view takes (the profile may have only the first three).
_STORE_WEIGHTS = {1: 0.55, 2: 0.15, 3: 0.2, 4: 0.1}


def add_orders(ctx: Context, scopes: Scopes, attrs: Attributes, catalog: Catalog) -> None:
    """Write the profile's orders with their documents, from a pool of customers."""
    rng = ctx.rng("orders")
    codes = ctx.rng("protect_codes")
    p = ctx.profile
    stores = list(scopes.stores)
    weights = [_STORE_WEIGHTS[s[0]] for s in stores]
    website_of = {s[0]: s[2] for s in stores}
    group_name = {1: "Main Website Store", 2: "Second Website Store"}
    website_name = {1: "Main Website", 2: "Second Website"}
    store_name = {s[0]: f"{website_name[s[2]]}\n{group_name[s[3]]}\n{s[4]}" for s in stores}
    # Catalog per website: the lines a shopper can put in a cart.
    shelves: dict[int, tuple[list[Product], list[Product]]] = {}
    for website_id in (1, 2):
        physical = [
            x
            for x in catalog.products
            if website_id in x.websites and x.parent_id is None and x.type_id != "virtual"
        ]
        virtual = [
            x for x in catalog.products if website_id in x.websites and x.type_id == "virtual"
        ]
        shelves[website_id] = (physical, virtual)
    customers = make_customers(rng, scopes, max(20, p.orders // 4))
    add_customer_rows(ctx.tables, scopes, customers)
    ids = SalesIds()
    for order_id in range(1, p.orders + 1):
        store_id = rng.choices([s[0] for s in stores], weights)[0]
        website_id = website_of[store_id]
        physical, virtual = shelves[website_id]
        is_virtual = bool(virtual) and rng.random() < 0.05
        pool = virtual if is_virtual else physical
        n_lines = min(len(pool), rng.choices((1, 2, 3, 4, 5), (45, 30, 15, 6, 4))[0])
        picks = rng.sample(pool, n_lines)
        customer = None if rng.random() < 0.3 else rng.choice(customers[website_id])
        order = plan_order(
            rng,
            catalog,
            order_id=order_id,
            store_id=store_id,
            website_id=website_id,
            store_name=store_name[store_id],
            picks=picks,
            is_virtual=is_virtual,
            customer=customer,
        )
        _write(ctx.tables, rng, ids, attrs, order, code=protect_code(codes))


def protect_code(rng: random.Random) -> str:
    """A random 32-hex-digit code, as Magento gives each order when it is first saved."""
    return f"{rng.getrandbits(128):032x}"


def _write(
    t: dict[str, Table],
    rng: random.Random,
    ids: SalesIds,
    attrs: Attributes,
    order: Order,
    *,
    code: str,
) -> None:
    """Every row of one planned order, in the order the documents' draws were made."""
    _addresses(t, rng, ids, order)
    for line in order.lines:
        add_order_items(t, ids, attrs, order, line)
    order.increment = ids.increment("order", order.store_id)
    _order_row(t, rng, order, code)
    txn = add_payment(t, rng, ids, order)
    invoice_id = add_invoice(t, ids, order, txn) if order.invoiced else None
    if order.shipped:
        add_shipments(t, rng, ids, order)
    if order.refunded_lines:
        add_creditmemo(t, ids, order, invoice_id, txn)
    add_reservations(t, ids, order)


def _addresses(t: dict[str, Table], rng: random.Random, ids: SalesIds, order: Order) -> None:
    """Billing always, shipping unless the order is virtual."""
    order.billing_id = ids.address.next()
    addresses = [(order.billing_id, "billing")]
    if not order.is_virtual:
        order.shipping_id = ids.address.next()
        addresses.append((order.shipping_id, "shipping"))
    customer, buyer, company = order.customer, order.buyer, order.company
    for address_id, kind in addresses:
        t["sales_order_address"].add(
            address_id,
            order.order_id,
            kind,
            customer.entity_id if customer else None,
            customer.address_id if customer else None,
            buyer.first,
            buyer.last,
            company,
            buyer.street,
            buyer.city[0],
            buyer.city[3],
            buyer.city[2],
            buyer.city[1],
            buyer.country,
            buyer.phone,
            buyer.email,
            f"DE{rng.randint(10**8, 10**9 - 1)}" if company and buyer.country == "DE" else None,
        )


def _order_row(t: dict[str, Table], rng: random.Random, order: Order, code: str) -> None:
    customer, buyer, currency = order.customer, order.buyer, order.currency
    subtotal, discount, tax = order.subtotal, order.discount, order.tax
    shipping, grand = order.shipping, order.grand
    invoiced_cents, refunded_cents = order.invoiced_cents, order.refunded_cents
    card = order.card
    t["sales_order"].add(
        order.order_id,
        order.increment,
        order.state,
        order.status,
        order.store_id,
        order.store_name,
        customer.entity_id if customer else None,
        customer.group if customer else 0,
        int(customer is None),
        buyer.email,
        buyer.first,
        buyer.last,
        order.order_id,
        order.billing_id,
        order.shipping_id,
        int(order.is_virtual),
        currency,
        currency,
        currency,
        currency,
        "1.0000",
        "1.0000",
        fmt.money(subtotal),
        fmt.money(subtotal),
        fmt.money(subtotal + sum(fmt.pct_of(x.price * x.qty, order.tax_bp) for x in order.lines)),
        fmt.money(tax),
        fmt.money(tax),
        fmt.money(-discount),
        fmt.money(-discount),
        fmt.money(shipping),
        fmt.money(shipping),
        fmt.money(0),
        fmt.money(0),
        fmt.money(shipping),
        fmt.money(grand),
        fmt.money(grand),
        fmt.qty(order.total_qty),
        len(order.lines),
        fmt.money(invoiced_cents),
        fmt.money(invoiced_cents),
        fmt.money(invoiced_cents),
        fmt.money(invoiced_cents),
        fmt.money(refunded_cents),
        fmt.money(refunded_cents),
        fmt.money(refunded_cents if not card else 0),
        fmt.money(refunded_cents if card else 0),
        fmt.money(order.canceled_cents),
        fmt.money(0 if order.invoiced or order.canceled_cents else grand),
        fmt.weight(order.grams),
        None if order.is_virtual else "flatrate_flatrate",
        None if order.is_virtual else "Flat Rate - Fixed",
        "SAVE10" if order.coupon else None,
        order.rule_ids,
        f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "Please leave at the back door." if rng.random() < 0.03 else None,
        fmt.ts(order.life.created),
        fmt.ts(order.life.updated),
        code,
    )
