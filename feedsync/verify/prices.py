"""The expected ``prices`` items, computed with set-based SQL (docs/feeds.md, prices).

A handful of queries read every product, its websites, parents, tier prices and price
attribute values at once; the items (one per product, website it is in and customer group)
are assembled in Python. "Now" is the wall clock (moved by the settings' offset, as the
workers' is: feeds/clock.py), and special-price windows and a website's day (its catalog-rule
prices) are placed in its time zone with ``zoneinfo`` (MariaDB's time-zone tables are not
loaded everywhere, and the session zone is UTC). Nothing else here is shared with the stream
workers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feeds import clock
from feedsync.verify.compare import SOURCE_CHANGE_TIME
from feedsync.verify.eav import ScopedValues, load_product_attributes, load_product_values
from feedsync.verify.projection import FeedProjection

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = ["PRICES_PROJECTION", "project_prices"]

TIMEZONE_PATH = "general/locale/timezone"
_PRICE_CODES = ("price", "special_price", "special_from_date", "special_to_date")
# The exporter's product type names (ProductPriceDataExporter); any other type is SIMPLE.
_NAMED_TYPES = ("simple", "configurable", "downloadable", "grouped", "bundle", "giftcard")


@dataclass(frozen=True, slots=True)
class _Website:
    website_id: int
    code: str
    store_ids: tuple[int, ...]  # store views (store_id > 0), lowest first
    zone: ZoneInfo


@dataclass(frozen=True, slots=True)
class _Tier:
    value_id: int
    all_groups: bool
    customer_group_id: int
    qty: str
    value: str
    website_id: int
    percentage: str | None


def project_prices(cursor: Cursor) -> list[dict[str, Any]]:
    """Every expected ``prices`` payload (without ``modifiedAt``), in entity_id order."""
    moment = clock.now()  # the wall clock, moved as the settings say (feeds/clock.py)
    websites = _websites(cursor)
    groups = _customer_groups(cursor)
    scopes = _price_attribute_scopes(cursor)
    attributes = load_product_attributes(cursor)
    ids = {code: attributes[code].attribute_id for code in _PRICE_CODES if code in attributes}
    loaded = [*ids, "price_type"] if "price_type" in attributes else list(ids)
    values = load_product_values(cursor, [attributes[code] for code in loaded])
    price_type_id = attributes["price_type"].attribute_id if "price_type" in attributes else None
    product_websites = _product_websites(cursor)
    parents = _parents(cursor)
    tiers = _tiers(cursor)
    days = {
        w: datetime.fromtimestamp(moment, website.zone).date() for w, website in websites.items()
    }
    rules = _rule_prices(cursor, days)

    cursor.execute("SELECT entity_id, sku, type_id FROM catalog_product_entity ORDER BY entity_id")
    payloads: list[dict[str, Any]] = []
    for entity_id, sku, type_id in cursor.fetchall():
        product_values = values.get(entity_id, {})

        def value(
            code: str,
            website: _Website,
            product_values: Mapping[int, ScopedValues] = product_values,
        ) -> Any:
            if code not in ids:
                return None
            return _website_value(product_values.get(ids[code]), scopes.get(code, 1), website)

        bundle_price_type = (
            (product_values.get(price_type_id) or {}).get(0) if price_type_id is not None else None
        )
        kind = _type_name(type_id, bundle_price_type)
        product_tiers = tiers.get(entity_id, [])
        for website_id in product_websites.get(entity_id, []):
            website = websites[website_id]
            special = value("special_price", website)
            discounts = []
            if special is not None and _window_open(
                value("special_from_date", website),
                value("special_to_date", website),
                website.zone,
                moment,
            ):
                # A bundle's special price is a percentage.
                amount = "percentage" if kind.startswith("BUNDLE") else "price"
                discounts = [{"code": "special_price", amount: special}]
            every_group = _chosen(product_tiers, website_id, None)
            fallback = {
                "websiteId": website_id,
                "productId": entity_id,
                "sku": sku,
                "type": kind,
                "customerGroupCode": "0",  # the exporter's fallback group
                "websiteCode": website.code,
                "parents": parents.get(entity_id, []),
                "regular": value("price", website) or "0.000000",
                "discounts": discounts + _group_discount(every_group),
                "tierPrices": _tier_entries(every_group),
                # no table holds a change time: any time of the pipeline's format
                "updatedAt": SOURCE_CHANGE_TIME,
                "deleted": False,
            }
            payloads.append(fallback)
            own_groups = {
                t.customer_group_id
                for t in product_tiers
                if not t.all_groups and t.website_id in (0, website_id)
            }
            ruled = rules.get((entity_id, website_id), {})
            for group_id in sorted((own_groups | ruled.keys()) & groups.keys()):
                merged = {**every_group, **_chosen(product_tiers, website_id, group_id)}
                rule = (
                    [{"code": "catalog_rule", "price": ruled[group_id]}]
                    if group_id in ruled
                    else []
                )
                payloads.append(
                    {
                        **fallback,
                        "customerGroupCode": groups[group_id],
                        "discounts": discounts + _group_discount(merged) + rule,
                        "tierPrices": _tier_entries(merged),
                    }
                )
    return payloads


def _type_name(type_id: str | None, bundle_price_type: Any) -> str:
    """Upper-cased, SIMPLE for a type the exporter does not name; a bundle with its
    ``price_type`` set is BUNDLE_FIXED (1) or BUNDLE_DYNAMIC."""
    if type_id == "bundle" and bundle_price_type is not None:
        return "BUNDLE_FIXED" if int(bundle_price_type) == 1 else "BUNDLE_DYNAMIC"
    return (type_id if type_id in _NAMED_TYPES else "simple").upper()


def _website_value(stored: ScopedValues | None, scope: int, website: _Website) -> Any:
    """Global (1) → store 0; website (2) or store (0) scope → the website's lowest store view
    with a non-NULL value, else store 0."""
    if not stored:
        return None
    if scope != 1:
        for store_id in website.store_ids:
            if stored.get(store_id) is not None:
                return stored[store_id]
    return stored.get(0)


def _window_open(starts: str | None, ends: str | None, zone: ZoneInfo, moment: float) -> bool:
    """Whether ``moment`` lies in [from, to): wall-clock times in ``zone``; a ``to`` at
    00:00:00 covers that whole day; a missing bound leaves that side open."""
    if starts is not None and moment < _instant(datetime.fromisoformat(starts), zone):
        return False
    if ends is None:
        return True
    closes = datetime.fromisoformat(ends)
    if (closes.hour, closes.minute, closes.second) == (0, 0, 0):
        closes += timedelta(days=1)
    return moment < _instant(closes, zone)


def _instant(wall_clock: datetime, zone: ZoneInfo) -> float:
    return wall_clock.replace(tzinfo=zone).timestamp()


def _chosen(tiers: list[_Tier], website_id: int, group_id: int | None) -> dict[Decimal, _Tier]:
    """One row per quantity of the rows for this website (or website 0) and this group's own
    (``group_id`` None: the rows for all groups): the own website's, then the lowest
    value_id."""
    applicable = [
        t
        for t in tiers
        if t.website_id in (0, website_id)
        and (
            t.all_groups
            if group_id is None
            else not t.all_groups and t.customer_group_id == group_id
        )
    ]
    applicable.sort(key=lambda t: (t.website_id == 0, t.value_id))
    chosen: dict[Decimal, _Tier] = {}
    for tier in applicable:
        chosen.setdefault(Decimal(tier.qty), tier)
    return chosen


def _amount(tier: _Tier) -> dict[str, Any]:
    return {"percentage": tier.percentage} if tier.percentage is not None else {"price": tier.value}


def _group_discount(chosen: dict[Decimal, _Tier]) -> list[dict[str, Any]]:
    """The quantity-1 row as the exporter's ``group`` discount."""
    one = chosen.get(Decimal(1))
    return [] if one is None else [{"code": "group", **_amount(one)}]


def _tier_entries(chosen: dict[Decimal, _Tier]) -> list[dict[str, Any]]:
    """Quantities above 1, by quantity."""
    return [{"qty": chosen[qty].qty, **_amount(chosen[qty])} for qty in sorted(chosen) if qty > 1]


def _websites(cursor: Cursor) -> dict[int, _Website]:
    """Every website except admin, with its store views and its time zone (the website's
    ``general/locale/timezone``, else the default scope's, else UTC)."""
    cursor.execute(
        "SELECT scope, scope_id, value FROM core_config_data WHERE path = %s", (TIMEZONE_PATH,)
    )
    zones: dict[tuple[str, int], str] = {
        (scope, scope_id): value for scope, scope_id, value in cursor.fetchall() if value
    }
    default = next((v for (scope, _), v in zones.items() if scope == "default"), "UTC")
    cursor.execute("SELECT store_id, website_id FROM store WHERE store_id > 0 ORDER BY store_id")
    stores: dict[int, list[int]] = {}
    for store_id, website_id in cursor.fetchall():
        stores.setdefault(website_id, []).append(store_id)
    cursor.execute("SELECT website_id, code FROM store_website WHERE website_id > 0")
    return {
        website_id: _Website(
            website_id,
            code,
            tuple(stores.get(website_id, [])),
            _zone(zones.get(("websites", website_id), default)),
        )
        for website_id, code in cursor.fetchall()
    }


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _customer_groups(cursor: Cursor) -> dict[int, str]:
    """customer group id → the exporter's code for it, the SHA-1 of the id."""
    cursor.execute("SELECT customer_group_id, SHA1(customer_group_id) FROM customer_group")
    return {group_id: code for group_id, code in cursor.fetchall()}


def _price_attribute_scopes(cursor: Cursor) -> dict[str, int]:
    """Price attribute code → is_global (1 when catalog_eav_attribute has no row)."""
    cursor.execute(
        "SELECT a.attribute_code, COALESCE(c.is_global, 1) FROM eav_attribute a "
        "LEFT JOIN catalog_eav_attribute c ON c.attribute_id = a.attribute_id "
        "WHERE a.entity_type_id = 4 AND a.attribute_code IN (%s, %s, %s, %s)",
        _PRICE_CODES,
    )
    return {code: int(scope) for code, scope in cursor.fetchall()}


def _product_websites(cursor: Cursor) -> dict[int, list[int]]:
    """product entity_id → its existing websites except admin, by id."""
    cursor.execute(
        "SELECT pw.product_id, pw.website_id FROM catalog_product_website pw "
        "JOIN store_website w ON w.website_id = pw.website_id "
        "WHERE pw.website_id > 0 ORDER BY pw.product_id, pw.website_id"
    )
    websites: dict[int, list[int]] = {}
    for product_id, website_id in cursor.fetchall():
        websites.setdefault(product_id, []).append(website_id)
    return websites


def _parents(cursor: Cursor) -> dict[int, list[dict[str, Any]]]:
    """child entity_id → ``{type, sku}`` of its existing relation parents, by sku then type."""
    cursor.execute(
        "SELECT r.child_id, p.type_id, p.sku FROM catalog_product_relation r "
        "JOIN catalog_product_entity p ON p.entity_id = r.parent_id"
    )
    parents: dict[int, list[dict[str, Any]]] = {}
    for child_id, type_id, sku in cursor.fetchall():
        parents.setdefault(child_id, []).append({"type": _type_name(type_id, None), "sku": sku})
    for listed in parents.values():
        listed.sort(key=lambda p: (p["sku"] or "", p["type"] or ""))
    return parents


def _tiers(cursor: Cursor) -> dict[int, list[_Tier]]:
    """product entity_id → its tier price rows, decimals as MariaDB prints them."""
    cursor.execute(
        "SELECT entity_id, value_id, all_groups, customer_group_id, CAST(qty AS CHAR), "
        "CAST(value AS CHAR), website_id, CAST(percentage_value AS CHAR) "
        "FROM catalog_product_entity_tier_price"
    )
    tiers: dict[int, list[_Tier]] = {}
    for entity_id, value_id, all_groups, group_id, qty, value, website_id, pct in cursor.fetchall():
        tiers.setdefault(entity_id, []).append(
            _Tier(value_id, bool(all_groups), group_id, qty, value, website_id, pct)
        )
    return tiers


def _rule_prices(cursor: Cursor, days: dict[int, Any]) -> dict[tuple[int, int], dict[int, str]]:
    """(product, website) → customer group → the catalog-rule price of the website's day."""
    cursor.execute(
        "SELECT product_id, website_id, customer_group_id, CAST(rule_price AS CHAR), rule_date "
        "FROM catalogrule_product_price WHERE customer_group_id IS NOT NULL"
    )
    found: dict[tuple[int, int], dict[int, str]] = {}
    for product_id, website_id, group_id, price, day in cursor.fetchall():
        if days.get(website_id) == day:
            found.setdefault((product_id, website_id), {})[group_id] = price
    return found


PRICES_PROJECTION = FeedProjection.of("prices", project_prices)
