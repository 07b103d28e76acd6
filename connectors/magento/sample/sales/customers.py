"""The customers orders belong to.

Orders refer to customers by id and copy their name, group and address, which is all the
sales feeds read; ``customer_entity`` holds a row per customer so that the id is a real
foreign key (a customer's delete nulls its orders' ``customer_id``). Customers draw from the
"orders" stream, before the first order; their rows draw nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from connectors.magento.sample import fmt
from connectors.magento.sample.context import EPOCH
from connectors.magento.sample.model import Table
from connectors.magento.sample.scopes import Scopes
from connectors.magento.sample.vocabulary import CITIES, FIRST_NAMES, LAST_NAMES, STREETS

#: (city, postcode, region_id, region)
City = tuple[str, str, int | None, str | None]


@dataclass(slots=True)
class Customer:
    entity_id: int
    first: str
    last: str
    email: str
    group: int
    country: str
    city: City
    street: str
    address_id: int


def make_customers(rng: random.Random, scopes: Scopes, count: int) -> dict[int, list[Customer]]:
    """``count`` customers, by website: US shoppers in the main website, Europeans in the other."""
    # Weights by repetition: mostly General (1), some Wholesale (2) and Retailer (3), and each
    # extra group once.
    groups = [1] * 14 + [2, 2, 3, 3] + scopes.customer_groups[4:]
    out: dict[int, list[Customer]] = {1: [], 2: []}
    for cid in range(1, count + 1):
        website_id = 1 if rng.random() < 0.65 else 2
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        country = "US" if website_id == 1 else rng.choice(("DE", "DE", "FR", "GB"))
        city = rng.choice(CITIES[country])
        out[website_id].append(
            Customer(
                cid,
                first,
                last,
                f"{fmt.slug(first)}.{fmt.slug(last)}.{cid}@example.com",
                rng.choice(groups),
                country,
                city,
                f"{rng.randint(1, 999)} {rng.choice(STREETS)}",
                cid * 2,
            )
        )
    return out


def add_customer_rows(
    t: dict[str, Table], scopes: Scopes, customers: dict[int, list[Customer]]
) -> None:
    """A ``customer_entity`` row per customer, by id: registered in its website's first store
    view, a minute apart, before the first order (a year before the epoch at most)."""
    first_store: dict[int, int] = {}
    for store in scopes.stores:
        first_store.setdefault(store[2], store[0])
    everyone = sorted(
        ((c, website_id) for website_id, of in customers.items() for c in of),
        key=lambda pair: pair[0].entity_id,
    )
    for customer, website_id in everyone:
        at = fmt.ts(EPOCH - timedelta(days=400) + timedelta(minutes=customer.entity_id))
        t["customer_entity"].add(
            customer.entity_id,
            website_id,
            customer.email,
            customer.group,
            first_store[website_id],
            at,
            at,
            1,
            customer.first,
            customer.last,
        )
