"""Stock: legacy cataloginventory items and MSI sources, stocks, links and source items.

defaults.sql provides MSI's "default" source and stock 1; the generator adds the profile's
sources and stocks 2.., links sources to stocks round-robin, and gives every physical product a
legacy stock item plus source items. Draws from the "inventory" random stream.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from connectors.magento.sample import fmt
from connectors.magento.sample.catalog import Catalog
from connectors.magento.sample.context import EPOCH, Context, Seq
from connectors.magento.sample.fixed_ids import FIRST_STOCK_LINK_ID
from connectors.magento.sample.profiles import SOURCE_SPECS, STOCK_NAMES

#: The stock each website sells from: the base website keeps the default stock 1, the second
#: website gets stock 2 through its sales channel (orders reserve quantities in that stock).
STOCK_OF_WEBSITE: Final = {1: 1, 2: 2}


def add_inventory(ctx: Context, catalog: Catalog) -> None:
    """Write sources, stocks and every product's stock; sets :attr:`Product.qty`."""
    rng = ctx.rng("inventory")
    t = ctx.tables
    p = ctx.profile
    sources = SOURCE_SPECS[: p.sources]
    for code, name, country, postcode, city, region_id, region, lat, lon in sources:
        t["inventory_source"].add(
            code,
            name,
            1,
            f"{name} ({city})",
            lat,
            lon,
            country,
            region_id,
            region,
            city,
            f"{rng.randint(1, 200)} Depot Road",
            postcode,
            "Warehouse Manager",
            f"{code}@example.com",
            f"+1-555-{rng.randint(1000, 9999)}",
        )
    stock_ids = list(range(2, p.stocks + 1))
    for stock_id in stock_ids:
        t["inventory_stock"].add(stock_id, STOCK_NAMES[stock_id - 2])
    link_id = Seq(FIRST_STOCK_LINK_ID)
    stock_sources: dict[int, list[str]] = {s: [] for s in stock_ids}
    for i, spec in enumerate(sources):
        stock_id = stock_ids[i % len(stock_ids)]
        stock_sources[stock_id].append(spec[0])
        t["inventory_source_stock_link"].add(
            link_id.next(), stock_id, spec[0], len(stock_sources[stock_id])
        )
    # The second website sells from stock 2 (the base website keeps the default stock 1);
    # further stocks exist without a sales channel, as they may in Magento.
    t["inventory_stock_sales_channel"].add("website", "second", STOCK_OF_WEBSITE[2])
    item_id = Seq()
    source_item_id = Seq()
    for prod in catalog.products:
        physical = prod.type_id != "configurable"
        if physical:
            prod.qty = 0 if rng.random() < 0.08 else rng.randint(1, 500)
        min_qty, backorders = _own_settings(prod.entity_id, prod.qty) if physical else (None, 0)
        # A product sold on backorder stays in stock at qty 0 (Magento keeps it so).
        in_stock = int(prod.qty > 0 or not physical or backorders > 0)
        low_stock = fmt.ts(EPOCH - timedelta(days=rng.randint(1, 90))) if not in_stock else None
        t["cataloginventory_stock_item"].add(
            item_id.next(),
            prod.entity_id,
            1,
            fmt.qty(prod.qty),
            in_stock,
            1,
            1,
            low_stock,
            int(not in_stock),
            0,
            fmt.qty(min_qty or 0),
            int(min_qty is None),
            backorders,
            int(backorders == 0),
        )
        if not physical:
            continue  # MSI keeps no source items for composite products
        # The legacy stock item mirrors the default source.
        t["inventory_source_item"].add(
            source_item_id.next(), "default", prod.sku, fmt.qty(prod.qty), in_stock
        )
        for stock_id, codes in stock_sources.items():
            share = 0.7 if stock_id == 2 and 2 in prod.websites else 0.25
            for code in codes:
                if rng.random() < share:
                    qty = 0 if rng.random() < 0.1 else rng.randint(1, 200)
                    t["inventory_source_item"].add(
                        source_item_id.next(), code, prod.sku, fmt.qty(qty), int(qty > 0)
                    )


def _own_settings(entity_id: int, qty: int) -> tuple[int | None, int]:
    """(min_qty, backorders) a product sets itself (Advanced Inventory), min_qty None where
    it uses the configuration; by id, so that no random draw moves the rest of the data.

    Every 7th sold-out product takes backorders with its threshold at 0 (salable at qty 0,
    with no limit); every 11th product takes backorders down to -5; every 13th product with
    stock goes out of stock at 3."""
    if qty == 0 and entity_id % 7 == 0:
        return 0, 1
    if entity_id % 11 == 0:
        return -5, 1
    if qty > 0 and entity_id % 13 == 0:
        return 3, 0
    return None, 0
