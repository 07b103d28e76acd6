"""Catalog price rules as Magento's indexer leaves them: prices per product, website,
customer group and day, for yesterday, today and the next two days.

Two rules over a few simple products: 10 % off for guests and the General group (15 % off
from tomorrow, so that a day turning changes the price), and 20 % off for Wholesale. The
days are relative to ``today``, which the generator is given (the loader passes the day it
loads), so a freshly loaded store has rule prices that apply now. Its own random stream:
every other row is the same with or without these.
"""

from __future__ import annotations

from datetime import date, timedelta

from connectors.magento.sample import fmt
from connectors.magento.sample.catalog import Catalog
from connectors.magento.sample.context import Context

_SHARE = 0.08  # of the simple and virtual products with a price
_DAYS = (-1, 0, 1, 2)
NOT_LOGGED_IN, GENERAL, WHOLESALE = 0, 1, 2


def _percent_off(group: int, day_offset: int) -> int:
    if group == WHOLESALE:
        return 20
    return 10 if day_offset <= 0 else 15


def add_catalog_rule_prices(ctx: Context, catalog: Catalog, today: date) -> None:
    """``catalogrule_product_price`` rows (ids numbered when the run finishes)."""
    rng = ctx.rng("catalog_rules")
    rows = ctx.tables["catalogrule_product_price"]
    started = (today + timedelta(days=_DAYS[0])).isoformat()
    for product in catalog.products:
        if product.type_id not in ("simple", "virtual") or product.price <= 0:
            continue
        if rng.random() >= _SHARE:
            continue
        for website_id in product.websites:
            cents = product.price if website_id == 1 else product.price_w2
            for offset in _DAYS:
                day = (today + timedelta(days=offset)).isoformat()
                for group in (NOT_LOGGED_IN, GENERAL, WHOLESALE):
                    off = _percent_off(group, offset)
                    rows.add(
                        None,
                        day,
                        group,
                        product.entity_id,
                        fmt.money(cents - fmt.pct_of(cents, off * 100)),
                        website_id,
                        started,
                        None,
                    )
