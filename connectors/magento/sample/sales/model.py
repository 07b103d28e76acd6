"""One order as the sales writers see it: lines, lifecycle, buyer, totals; and the sales ids.

An :class:`Order` is planned first (every decision drawn from the random stream) and then
written table by table; amounts are integer cents, formatted only when written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from connectors.magento.sample.catalog import Product
from connectors.magento.sample.context import Seq
from connectors.magento.sample.sales.customers import City, Customer


def tax_bp_of(website_id: int) -> int:
    """Tax rate in basis points: US sales tax in the main website, 19% VAT in the second."""
    return 825 if website_id == 1 else 1900


@dataclass(slots=True, eq=False)  # lines are compared by identity (`line in refunded`)
class Line:
    product: Product  # what the shopper picked: a standalone product or a configurable
    child: Product | None  # the simple chosen for a configurable
    qty: int
    price: int
    discount: int
    tax: int
    item_id: int = 0
    child_item_id: int = 0

    @property
    def simple(self) -> Product:
        """The product that ships: the chosen child of a configurable, else the product."""
        return self.child or self.product


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """What happened to the order after it was placed, and when."""

    fate: str  # pending, holded, canceled, processing, complete or closed
    created: datetime
    invoice_at: datetime
    ship_at: datetime
    refund_at: datetime
    cancel_at: datetime
    updated: datetime


@dataclass(frozen=True, slots=True)
class Buyer:
    """Who the addresses and the payment are for: a customer's details or a guest's."""

    first: str
    last: str
    email: str
    country: str
    city: City
    street: str
    phone: str


@dataclass(slots=True)
class Order:
    order_id: int
    store_id: int
    website_id: int
    store_name: str
    is_virtual: bool
    customer: Customer | None
    coupon: bool
    lines: list[Line]
    life: Lifecycle
    refunded_lines: list[Line]
    method: str
    buyer: Buyer
    # Assigned while writing.
    billing_id: int = 0
    shipping_id: int | None = None
    increment: str = ""

    @property
    def currency(self) -> str:
        return "USD" if self.website_id == 1 else "EUR"

    @property
    def tax_bp(self) -> int:
        return tax_bp_of(self.website_id)

    @property
    def rule_ids(self) -> str | None:
        return "1" if self.coupon else None

    @property
    def card(self) -> bool:
        """Paid by card through a gateway, which records transactions."""
        return self.method == "braintree"

    @property
    def company(self) -> str | None:
        return "Acme Corp" if self.customer and self.customer.group == 2 else None

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def invoiced(self) -> bool:
        return self.life.fate in ("processing", "complete", "closed")

    @property
    def shipped(self) -> bool:
        return not self.is_virtual and self.life.fate in ("complete", "closed")

    @property
    def canceled(self) -> bool:
        return self.life.fate == "canceled"

    @property
    def refund_all(self) -> bool:
        return self.life.fate == "closed"

    @property
    def state(self) -> str:
        return {"pending": "new", "holded": "holded"}.get(self.life.fate, self.life.fate)

    @property
    def status(self) -> str:
        return {"new": "pending"}.get(self.state, self.state)

    # -- totals (cents) --------------------------------------------------------------------------

    @property
    def subtotal(self) -> int:
        return sum(x.price * x.qty for x in self.lines)

    @property
    def discount(self) -> int:
        return sum(x.discount for x in self.lines)

    @property
    def tax(self) -> int:
        return sum(x.tax for x in self.lines)

    @property
    def total_qty(self) -> int:
        return sum(x.qty for x in self.lines)

    @property
    def shipping(self) -> int:
        return 0 if self.is_virtual else 500 * self.total_qty

    @property
    def grand(self) -> int:
        return self.subtotal - self.discount + self.tax + self.shipping

    @property
    def grams(self) -> int:
        return sum(x.simple.grams * x.qty for x in self.lines)

    @property
    def invoiced_cents(self) -> int:
        return self.grand if self.invoiced else 0

    @property
    def canceled_cents(self) -> int:
        return self.grand if self.canceled else 0

    @property
    def refunded_cents(self) -> int:
        cents = sum(x.price * x.qty - x.discount + x.tax for x in self.refunded_lines)
        return cents + self.shipping if self.refund_all else cents


class SalesIds:
    """Id sequences of the sales tables, and Magento-style increment ids per store."""

    def __init__(self) -> None:
        self.item = Seq()
        self.address = Seq()
        self.payment = Seq()
        self.transaction = Seq()
        self.invoice = Seq()
        self.invoice_item = Seq()
        self.shipment = Seq()
        self.shipment_item = Seq()
        self.track = Seq()
        self.creditmemo = Seq()
        self.creditmemo_item = Seq()
        self.reservation = Seq()
        self._increments: dict[tuple[str, int], int] = {}

    def increment(self, entity: str, store_id: int) -> str:
        # Magento's sales sequences are per store, prefixed by the store id except for the
        # default store view: 000000001, 2000000001, ...
        key = (entity, store_id)
        self._increments[key] = self._increments.get(key, 0) + 1
        prefix = "" if store_id == 1 else str(store_id)
        return f"{prefix}{self._increments[key]:09d}"
