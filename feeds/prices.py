"""prices: one item per product, website it is in and customer group (docs/feeds.md, prices).

Built from the product entity's state (feeds/products.py: EAV values, websites) and its
price rows and parent summaries (feeds/product_links.py). A price attribute is resolved per
website, honouring its scope (``catalog_eav_attribute.is_global``): a global attribute
reads store 0; a website- or store-scoped one reads the website's lowest store view that
holds a value, else store 0.

The special price is a discount only while its window is open, and the window is wall-clock
time in the *website's* time zone (``general/locale/timezone``): the same row opens an hour
apart in Berlin and in Los Angeles. The items therefore change by the clock alone;
``next_price_change`` tells the worker when, so it can rebuild the product then. The build
reads the clock through the module-level ``now()``, which tests replace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feeds import clock
from feeds.catalog_rules import local_date, next_rule_change, rule_prices
from feeds.feed import Feed
from feeds.product_links import relation_parents, tier_prices
from feeds.projector import Payload, State
from feeds.reference import Reference
from feeds.values import customer_group_code, utc_text_of_ms

__all__ = ["PRICES", "build_prices", "next_price_change", "now", "price_type"]

PRICES = Feed(
    name="prices",
    identity=("sku", "customerGroupCode", "websiteCode"),
    batch_count=500,
)
PRODUCT_ENTITY_TYPE_ID = 4
DEFAULT_STORE_ID = 0
ADMIN_WEBSITE_ID = 0  # tier prices on website 0 apply to every website
SCOPE_GLOBAL = 1
# The attributes the build reads; a bundle's price_type says fixed or dynamic (its type).
_PRICE_CODES = ("price", "special_price", "special_from_date", "special_to_date", "price_type")
_EPOCH = datetime(1970, 1, 1)  # naive on purpose: DATETIME values are wall-clock times
# The product types the exporter names (ProductPriceDataExporter's PRODUCT_TYPE); any other
# (virtual, a module's own) is sent as SIMPLE. A bundle's own type says whether its price is
# fixed (its global ``price_type`` attribute, 1) or dynamic.
_EXPORTED_TYPES = frozenset(
    {"simple", "configurable", "downloadable", "grouped", "bundle", "giftcard"}
)
_BUNDLE_PRICE_FIXED = 1
FALLBACK_CUSTOMER_GROUP = "0"  # the exporter's code of the item every group falls back to
NO_PRICE = "0.000000"  # the regular price of a product without one: the exporter's 0
_ONE_DAY = timedelta(days=1)


def now() -> float:
    """The current time in epoch seconds: the one clock the prices build reads."""
    return clock.now()


@dataclass(frozen=True, slots=True)
class SpecialPrice:
    """A special price and the instants (epoch seconds) its window opens and closes; None is
    open since forever / open forever."""

    price: str
    opens: float | None
    closes: float | None

    def is_open(self, moment: float) -> bool:
        return (self.opens is None or self.opens <= moment) and (
            self.closes is None or moment < self.closes
        )


@dataclass(frozen=True, slots=True)
class _Website:
    website_id: int
    code: str
    store_ids: tuple[int, ...]  # its store views, lowest first
    zone: str


def price_type(type_id: Any, bundle_price_type: Any = None) -> str:
    """A product's type as the exporter sends it in prices: upper-cased, SIMPLE for a type
    it does not name, and BUNDLE_FIXED or BUNDLE_DYNAMIC for a bundle when
    ``bundle_price_type`` is given (a parent's type is the plain BUNDLE)."""
    if type_id == "bundle" and bundle_price_type is not None:
        fixed = int(bundle_price_type) == _BUNDLE_PRICE_FIXED
        return "BUNDLE_FIXED" if fixed else "BUNDLE_DYNAMIC"
    return str(type_id if type_id in _EXPORTED_TYPES else "simple").upper()


def build_prices(state: State, reference: Reference, at: float | None = None) -> list[Payload]:
    """Every prices item the product has now (at ``at``, default ``now()``); empty until its
    entity row has arrived.

    The exporter's scheme: per website, one fallback item (customer group ``"0"``) with the
    regular price, the special price and the prices for all groups, and one item per
    customer group that has prices of its own there, keyed by the SHA-1 of its id. A price
    for quantity 1 is the group price (a ``group`` discount); larger quantities are tiers; a
    catalog rule's price for the website's local day is a ``catalog_rule`` discount.
    """
    entity = state.get("entity")
    if not entity:
        return []
    moment = now() if at is None else at
    product_id = int(entity["entity_id"])
    attributes = _price_attributes(reference)
    parents = sorted(
        (
            {"type": price_type(p.get("type")), "sku": p.get("sku")}
            for p in relation_parents(state, product_id)
        ),
        key=lambda parent: (str(parent["sku"] or ""), str(parent["type"] or "")),
    )
    kind = price_type(entity.get("type_id"), _bundle_price_type(state, attributes))
    tiers = tier_prices(state, product_id)
    groups = {int(g["customer_group_id"]) for g in reference.customer_groups().values()}
    # The exporter sends the time it exported the item; here the newest change of the
    # product's price data at the source (feeds/catalog.py), so a replay sends the same.
    updated_at = utc_text_of_ms(int(state.get("prices_ms") or 0))
    items = []
    for website in _websites(state, reference):
        special = _special_price(state, attributes, website)
        discounts = []
        if special is not None and special.is_open(moment):
            # A bundle's special price is a percentage of its regular price.
            amount = "percentage" if kind.startswith("BUNDLE") else "price"
            discounts.append({"code": "special_price", amount: special.price})
        every_group = _group_prices(tiers, website.website_id, None)
        day = local_date(moment, _zone(website.zone))
        rules = rule_prices(state, product_id, website.website_id, day)
        fallback: Payload = {
            "websiteId": website.website_id,
            "productId": product_id,
            "sku": entity.get("sku"),
            "type": kind,
            "customerGroupCode": FALLBACK_CUSTOMER_GROUP,
            "websiteCode": website.code,
            "parents": parents,
            "regular": _website_value(state, attributes.get("price"), website) or NO_PRICE,
            "discounts": discounts + every_group.discounts(),
            "tierPrices": every_group.tiers(),
            "updatedAt": updated_at,
            "deleted": False,
        }
        items.append(fallback)
        # Every group with prices of its own there: tier or group prices, or a catalog
        # rule's price for the website's day (after the other discounts, as upstream).
        own_groups = _groups_with_prices(tiers, website.website_id) | set(rules)
        for group_id in sorted(own_groups & groups):
            own = every_group.overridden_by(_group_prices(tiers, website.website_id, group_id))
            rule = [{"code": "catalog_rule", "price": rules[group_id]}] if group_id in rules else []
            items.append(
                {
                    **fallback,
                    "customerGroupCode": customer_group_code(group_id),
                    "discounts": discounts + own.discounts() + rule,
                    "tierPrices": own.tiers(),
                }
            )
    return items


def _bundle_price_type(state: State, attributes: dict[str, tuple[str, int]]) -> Any:
    """The product's global ``price_type`` value (bundles: 0 dynamic, 1 fixed), or None
    when it has none (every other type, or a bundle's attribute unset: plain BUNDLE)."""
    if (state.get("entity") or {}).get("type_id") != "bundle" or "price_type" not in attributes:
        return None
    attribute_id, _ = attributes["price_type"]
    return state["values"].get(f"{attribute_id}:{DEFAULT_STORE_ID}")


def next_price_change(state: State, reference: Reference, at: float | None = None) -> float | None:
    """The earliest instant after ``at`` (default ``now()``) at which a special-price window
    of the product opens or closes in one of its websites, or a website's day turns while
    it has catalog-rule prices for that day or later; None if none will."""
    if not state.get("entity"):
        return None
    moment = now() if at is None else at
    attributes = _price_attributes(reference)
    bounds = []
    product_id = int(state["entity"]["entity_id"])
    for website in _websites(state, reference):
        special = _special_price(state, attributes, website)
        if special is not None:
            bounds += [b for b in (special.opens, special.closes) if b is not None and b > moment]
        turn = next_rule_change(state, product_id, website.website_id, _zone(website.zone), moment)
        if turn is not None:
            bounds.append(turn)
    return min(bounds, default=None)


def _price_attributes(reference: Reference) -> dict[str, tuple[str, int]]:
    """Price attribute code → (attribute id, is_global); a missing scope row means global."""
    scopes = reference.rows("catalog_eav_attribute")
    attributes = {}
    for attribute in reference.attributes().values():
        code = attribute["attribute_code"]
        if int(attribute["entity_type_id"]) == PRODUCT_ENTITY_TYPE_ID and code in _PRICE_CODES:
            attribute_id = str(attribute["attribute_id"])
            scope = scopes.get(attribute_id, {}).get("is_global")
            attributes[code] = (attribute_id, SCOPE_GLOBAL if scope is None else int(scope))
    return attributes


def _websites(state: State, reference: Reference) -> list[_Website]:
    """The product's websites that exist (except admin), with their store views and zone."""
    websites = reference.websites()
    stores = sorted(reference.stores().values(), key=lambda s: int(s["store_id"]))
    linked = sorted(int(w) for w in state.get("websites", []) if str(w) in websites)
    return [
        _Website(
            website_id=website_id,
            code=str(websites[str(website_id)]["code"]),
            store_ids=tuple(
                int(s["store_id"])
                for s in stores
                if int(s["website_id"]) == website_id and int(s["store_id"]) > DEFAULT_STORE_ID
            ),
            zone=reference.timezone(website_id),
        )
        for website_id in linked
        if website_id != ADMIN_WEBSITE_ID
    ]


def _website_value(state: State, attribute: tuple[str, int] | None, website: _Website) -> Any:
    """The attribute's value for the website: global → store 0; otherwise the website's
    lowest store view with a non-NULL value, else store 0."""
    if attribute is None:
        return None
    attribute_id, scope = attribute
    values: dict[str, Any] = state.get("values", {})
    if scope != SCOPE_GLOBAL:
        for store_id in website.store_ids:
            value = values.get(f"{attribute_id}:{store_id}")
            if value is not None:
                return value
    return values.get(f"{attribute_id}:{DEFAULT_STORE_ID}")


def _special_price(
    state: State, attributes: dict[str, tuple[str, int]], website: _Website
) -> SpecialPrice | None:
    """The website's special price and its window, or None without a special price.

    ``special_to_date`` at 00:00:00 means the whole day: the window closes at the next
    midnight. Any other time closes it at that instant.
    """
    price = _website_value(state, attributes.get("special_price"), website)
    if price is None:
        return None
    zone = _zone(website.zone)
    starts = _wall_clock(_website_value(state, attributes.get("special_from_date"), website))
    ends = _wall_clock(_website_value(state, attributes.get("special_to_date"), website))
    if ends is not None and ends.time() == datetime.min.time():
        ends += _ONE_DAY
    return SpecialPrice(
        price=str(price),
        opens=None if starts is None else starts.replace(tzinfo=zone).timestamp(),
        closes=None if ends is None else ends.replace(tzinfo=zone).timestamp(),
    )


def _wall_clock(value: Any) -> datetime | None:
    """A DATETIME value as the naive wall-clock time it stores. Debezium sends DATETIME as
    epoch milliseconds of that wall-clock time read as if it were UTC."""
    if value is None:
        return None
    if isinstance(value, int):
        return _EPOCH + timedelta(milliseconds=value)
    return datetime.fromisoformat(str(value))


def _zone(name: str) -> ZoneInfo:
    """The named zone; UTC for a name zoneinfo does not know (a bad config value)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class _GroupPrices:
    """Tier price rows that apply to one website and one group (or to every group), by
    quantity: the quantity-1 row is the group price, larger quantities are tiers (a
    quantity below 1 is neither, as the exporter has it)."""

    by_qty: dict[Decimal, dict[str, Any]]

    def overridden_by(self, own: _GroupPrices) -> _GroupPrices:
        """These prices with the group's own in place of every quantity it prices."""
        return _GroupPrices({**self.by_qty, **own.by_qty})

    def discounts(self) -> list[Payload]:
        row = self.by_qty.get(Decimal(1))
        return [] if row is None else [{"code": "group", **_amount(row)}]

    def tiers(self) -> list[Payload]:
        return [
            {"qty": row["qty"], **_amount(row)}
            for qty, row in sorted(self.by_qty.items())
            if qty > 1
        ]


def _group_prices(
    rows: list[dict[str, Any]], website_id: int, group_id: int | None
) -> _GroupPrices:
    """The rows of ``group_id`` (None: the rows for all groups) that apply in the website,
    one per quantity: the website's own row over a website-0 row, then the lowest value_id."""
    best: dict[Decimal, tuple[tuple[bool, int], dict[str, Any]]] = {}
    for row in rows:
        row_website = int(row["website_id"])
        if row_website not in (ADMIN_WEBSITE_ID, website_id):
            continue
        if bool(int(row["all_groups"])) != (group_id is None):
            continue
        if group_id is not None and int(row["customer_group_id"]) != group_id:
            continue
        rank = (row_website != ADMIN_WEBSITE_ID, -int(row["value_id"]))
        qty = Decimal(str(row["qty"]))
        if qty not in best or rank > best[qty][0]:
            best[qty] = (rank, row)
    return _GroupPrices({qty: row for qty, (_, row) in best.items()})


def _groups_with_prices(rows: list[dict[str, Any]], website_id: int) -> set[int]:
    """The customer groups with rows of their own that apply in the website."""
    return {
        int(row["customer_group_id"])
        for row in rows
        if not int(row["all_groups"]) and int(row["website_id"]) in (ADMIN_WEBSITE_ID, website_id)
    }


def _amount(row: dict[str, Any]) -> Payload:
    """``{percentage}`` for a percentage discount, else ``{price}``."""
    if row.get("percentage_value") is not None:
        return {"percentage": row["percentage_value"]}
    return {"price": row["value"]}
