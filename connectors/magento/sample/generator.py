"""Generation: ``(profile, seed)`` -> every sample row, with no I/O and no clock.

The steps run in dependency order and hand each other what they made (scopes, attributes,
categories, the catalog). The order is part of the output: later steps read what earlier ones
decided (for instance the website-2 prices set while writing products).
"""

from __future__ import annotations

from datetime import date

from connectors.magento.sample.attributes import add_attributes
from connectors.magento.sample.bundles import add_bundles
from connectors.magento.sample.catalog_rules import add_catalog_rule_prices
from connectors.magento.sample.categories import add_categories, add_category_products
from connectors.magento.sample.context import EPOCH, Context
from connectors.magento.sample.custom_options import add_custom_options
from connectors.magento.sample.downloadables import add_downloadable_links, add_downloadables
from connectors.magento.sample.grouped import add_grouped, add_grouped_links
from connectors.magento.sample.inventory import add_inventory
from connectors.magento.sample.media import add_media
from connectors.magento.sample.model import SampleData
from connectors.magento.sample.permissions import add_permissions
from connectors.magento.sample.product_links import add_product_links
from connectors.magento.sample.products import add_products
from connectors.magento.sample.profiles import PROFILES, Profile
from connectors.magento.sample.sales import add_orders
from connectors.magento.sample.sales.comments import add_creditmemo_comments
from connectors.magento.sample.sales.taxes import add_order_taxes
from connectors.magento.sample.scopes import add_scopes
from connectors.magento.sample.swatches import add_swatches
from connectors.magento.sample.urls import add_base_urls, add_url_rewrites


def generate(profile: str | Profile, seed: int = 42, *, today: date | None = None) -> SampleData:
    """Build every sample row for ``profile`` from ``seed`` alone (no I/O, no clock).

    The same (profile, seed, today) always returns identical rows; ids are explicit, starting
    above the ids that defaults.sql uses. ``today`` (default: the sample's epoch) is the day
    the catalog-rule index is written around. Raises KeyError for an unknown profile name.
    """
    spec = PROFILES[profile] if isinstance(profile, str) else profile
    ctx = Context(spec, seed)
    scopes = add_scopes(ctx)
    attrs = add_attributes(ctx, scopes)
    categories = add_categories(ctx, scopes)
    catalog = add_products(ctx, scopes, attrs)
    add_category_products(ctx, categories, catalog)
    add_inventory(ctx, catalog)
    add_orders(ctx, scopes, attrs, catalog)
    add_permissions(ctx, scopes, categories)
    # A few downloadables, bundles and grouped products, after every step that reads "the
    # catalog" as the profile sizes it and before the storefront steps, which give them URLs
    # and media too.
    add_downloadables(ctx, scopes, attrs, catalog)
    add_bundles(ctx, scopes, attrs, catalog)
    grouped = add_grouped(ctx, scopes, attrs, catalog)
    # Storefront URLs and media come last, each from its own random stream, and only append
    # rows: every row of the steps above is the same with or without them.
    add_base_urls(ctx, scopes)
    add_url_rewrites(ctx, scopes, categories, catalog)
    add_media(ctx, scopes, catalog)
    # Likewise the orders' taxes (read off the amounts written above, no draws) and credit
    # memo comments (their own stream).
    add_order_taxes(ctx)
    add_creditmemo_comments(ctx)
    add_catalog_rule_prices(ctx, catalog, EPOCH.date() if today is None else today)
    add_product_links(ctx, catalog)
    add_grouped_links(ctx, grouped)
    # Custom options last, from their own stream: every row above is the same without them.
    add_custom_options(ctx, scopes, catalog)
    # Swatches of the configurables' attributes: no draws, rows appended after all others.
    add_swatches(ctx, scopes, attrs)
    # The downloadables' links after them, from their own stream likewise.
    add_downloadable_links(ctx, scopes, catalog)
    return _finish(ctx)


def _finish(ctx: Context) -> SampleData:
    """Drop empty tables, check row widths, and number the rows created without an id."""
    tables = {name: table for name, table in ctx.tables.items() if table.rows}
    for name, table in tables.items():
        width = len(table.columns)
        if any(len(row) != width for row in table.rows):
            msg = f"generator bug: a {name} row does not match its {width} columns"
            raise AssertionError(msg)
        if table.rows[0][0] is None:
            # EAV value rows, tier prices and super links are created with value_id None and
            # numbered here in generation order: dense, deterministic ids without threading a
            # counter through every call site.
            table.rows = [(i, *row[1:]) for i, row in enumerate(table.rows, start=1)]
    return SampleData(profile=ctx.profile, seed=ctx.seed, tables=tables, updates=ctx.updates)
