"""products: one item per SKU and store view of the product's websites (docs/feeds.md).

State per product (keyed by ``entity_id``) holds every captured row that belongs to it:
the entity row, EAV values by ``<attribute_id>:<store_id>``, website links and category
links. Deleting the product drops the state whole, which also drops the child rows that
InnoDB's ``ON DELETE CASCADE`` removed without telling the binlog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from feeds.bundles import bundle_option_children, bundle_options, is_fixed_price_bundle
from feeds.change import MalformedRow, RowChange
from feeds.configurable_options import configurable_options
from feeds.custom_options import custom_option_fields
from feeds.downloadable import samples_field
from feeds.downloadable_links import link_options
from feeds.feed import Feed
from feeds.grouped import grouped_options
from feeds.media import GALLERY_VALUE_TABLE, apply_gallery_value_change, media_fields
from feeds.product_links import (
    grouped_items,
    linked_products,
    relation_parents,
    variant_children,
)
from feeds.reference import Reference, ReferenceKind
from feeds.stock import config_number, decide_summary
from feeds.urls import (
    URL_REWRITE_TABLE,
    apply_rewrite_change,
    rewrite_product_keys,
    store_urls,
    url_fields,
)
from feeds.values import rfc3339

__all__ = [
    "ENTITY_KEY_COLUMN",
    "PRODUCTS",
    "PRODUCT_REBUILD_ON",
    "PRODUCT_TABLES",
    "ProductState",
    "apply_product_change",
    "build_products",
    "product_keys",
]

PRODUCT_ENTITY_TYPE_ID = 4
DEFAULT_STORE_ID = 0
_VALUE_TABLES = tuple(
    f"catalog_product_entity_{backend}"
    for backend in ("varchar", "int", "decimal", "text", "datetime")
)
ENTITY_KEY_COLUMN = {
    "catalog_product_entity": "entity_id",
    **{table: "entity_id" for table in _VALUE_TABLES},
    "catalog_product_website": "product_id",
    "catalog_category_product": "product_id",
    GALLERY_VALUE_TABLE: "entity_id",
    URL_REWRITE_TABLE: "entity_id",  # of its product rows only (rewrite_product_keys)
}
PRODUCTS = Feed(
    name="products",
    identity=("sku", "storeViewCode"),
)

# Standard attributes mapped to top-level fields (docs/feeds.md).
_TEXT_FIELDS = {
    "name": "name",
    "description": "description",
    "short_description": "shortDescription",
    "meta_title": "metaTitle",
    "meta_keyword": "metaKeyword",
    "meta_description": "metaDescription",
    "url_key": "urlKey",
}
WEIGHT_UNIT_PATH = "general/locale/weight_unit"
DEFAULT_WEIGHT_UNIT = "lbs"  # Magento_Directory's config.xml default
# The store view's base currency (Magento_Directory's config.xml default: USD); it is set
# per website when catalog prices are website-scoped.
BASE_CURRENCY_PATH = "currency/options/base"
DEFAULT_BASE_CURRENCY = "USD"
_STATUS = {1: "Enabled", 2: "Disabled"}
_VISIBILITY = {1: "Not Visible Individually", 2: "Catalog", 3: "Search", 4: "Catalog, Search"}
_VISIBLE_IN_CATALOG_OR_SEARCH = frozenset({2, 3, 4})
# lowStock: the SKU's quantity in the website's stock below this (Magento_CatalogInventory's
# "Only X left" threshold, 0 by default), as the exporter's LowStock provider reads it.
STOCK_THRESHOLD_PATH = "cataloginventory/options/stock_threshold_qty"
_ENABLED = 1
NO_TAX_CLASS = "no"
MEDIA_GALLERY_CODE = "media_gallery"  # the attribute gallery entries are filed under
# Bundle products' price_view attribute, as the exporter names its values.
_PRICE_VIEW = {0: "price_range", 1: "as_low_as"}

ProductState = dict[str, Any]


def product_keys(change: RowChange) -> list[str]:
    """The products a row belongs to (the re-keying step); none if not a product row."""
    if change.table == URL_REWRITE_TABLE:  # shared with categories and CMS pages
        return rewrite_product_keys(change)
    column = ENTITY_KEY_COLUMN.get(change.table)
    if column is None:
        return []
    return [str(change.row[column])]


def apply_product_change(state: ProductState | None, change: RowChange) -> ProductState | None:
    """The product's state after one of its rows changed; None when the product is gone."""
    current: ProductState = dict(state) if state else _empty_state()
    table = change.table
    if table == "catalog_product_entity":
        if change.deleted:
            return None
        current["entity"] = change.after
    elif table in _VALUE_TABLES:
        values = dict(current["values"])
        if change.before is not None:
            values.pop(_value_key(change.before), None)
        if change.after is not None:
            values[_value_key(change.after)] = _checked_value(table, change.after)
        current["values"] = values
    elif table == "catalog_product_website":
        websites = set(current["websites"])
        if change.before is not None:
            websites.discard(int(change.before["website_id"]))
        if change.after is not None:
            websites.add(int(change.after["website_id"]))
        current["websites"] = sorted(websites)
    elif table == "catalog_category_product":
        categories = dict(current["categories"])
        if change.before is not None:
            categories.pop(str(change.before["category_id"]), None)
        if change.after is not None:
            categories[str(change.after["category_id"])] = change.after.get("position")
        current["categories"] = categories
    elif table == GALLERY_VALUE_TABLE:
        apply_gallery_value_change(current, change)
    elif table == URL_REWRITE_TABLE:
        apply_rewrite_change(current, change)
    return current


PRODUCT_TABLES = frozenset(ENTITY_KEY_COLUMN)
"""The product's own tables; feeds/catalog.py adds the link and price tables."""

PRODUCT_REBUILD_ON = frozenset(
    {
        ReferenceKind.SCOPES,
        ReferenceKind.ATTRIBUTES,
        ReferenceKind.OPTIONS,
        ReferenceKind.CATEGORIES,
        ReferenceKind.STOCKS,
    }
)
"""Reference kinds that change a product's items: store views, attribute metadata, option
labels, the category tree, and stocks (sources enabled, links, a website's stock)."""


def _empty_state() -> ProductState:
    return {"entity": None, "values": {}, "websites": [], "categories": {}}


def _checked_value(table: str, row: dict[str, Any]) -> Any:
    """The row's ``value``, if it is one its backend table can hold.

    Checked when the row is folded, not when the product is built: a value that only
    fails once the attribute is known (a text in an int table, read before the attribute
    metadata) would otherwise make every later build of the product fail, with no change
    to blame and nothing to dead-letter but the product itself.
    """
    value = row.get("value")
    backend = table.rsplit("_", 1)[-1]
    if value is None or _BACKEND_HOLDS[backend](value):
        return value
    raise MalformedRow(
        f"{table} row {row.get('value_id')} holds {value!r}, not a {backend} value",
        hint="the column's type may have changed; check the table's schema and the "
        "connector's decimal.handling.mode (string)",
    )


def _is_decimal_text(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return False
    try:
        return Decimal(str(value)).is_finite()
    except InvalidOperation:
        return False


_BACKEND_HOLDS: dict[str, Callable[[Any], bool]] = {
    "int": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "decimal": _is_decimal_text,
    "varchar": lambda value: isinstance(value, str),
    "text": lambda value: isinstance(value, str),
    "datetime": lambda value: isinstance(value, (str, int)) and not isinstance(value, bool),
}


def _value_key(row: dict[str, Any]) -> str:
    return f"{row['attribute_id']}:{row['store_id']}"


def build_products(state: ProductState, reference: Reference) -> list[dict[str, Any]]:
    """Every item the product has now; empty until its entity row has arrived."""
    entity = state.get("entity")
    if not entity:
        return []
    websites = reference.websites()
    groups = reference.groups()
    linked = {str(w) for w in state["websites"]} & set(websites)
    stores = sorted(
        (
            s
            for s in reference.stores().values()
            if int(s["store_id"]) > DEFAULT_STORE_ID and str(s["website_id"]) in linked
        ),
        key=lambda s: int(s["store_id"]),
    )
    codes = _attribute_ids_by_code(reference)
    categories = _categories(state, reference)
    parents = relation_parents(state, int(entity["entity_id"]))
    # Website-scoped settings, read once per website rather than per store view.
    units = {w: reference.config(WEIGHT_UNIT_PATH, w) or DEFAULT_WEIGHT_UNIT for w in linked}
    currencies = {
        w: reference.config(BASE_CURRENCY_PATH, w) or DEFAULT_BASE_CURRENCY for w in linked
    }
    thresholds = {w: config_number(reference.config(STOCK_THRESHOLD_PATH, w)) for w in linked}
    stock_of_website = _stock_by_website(reference)
    availability = _availability(state, entity, reference)
    gallery_attribute = codes.get(MEDIA_GALLERY_CODE)
    product_id = int(entity["entity_id"])
    fixed_bundle = is_fixed_price_bundle(state, codes.get("price_type"))
    items = []
    for store in stores:
        store_id = int(store["store_id"])

        def value(code: str, store_id: int = store_id) -> Any:
            attribute_id = codes.get(code)
            return None if attribute_id is None else _scoped(state, attribute_id, store_id)

        def config(path: str, store: dict[str, Any] = store) -> Any:
            return reference.store_config(path, store["store_id"], store["website_id"])

        urls = store_urls(config, str(store["code"]))
        custom_options = custom_option_fields(state, store_id)

        group = groups.get(str(store["group_id"]), {})
        status, visibility, tax_class = value("status"), value("visibility"), value("tax_class_id")
        website_code = websites[str(store["website_id"])]["code"]
        stock = availability.get(stock_of_website.get(str(website_code), -1))
        in_stock = stock is not None and stock.in_stock
        price_view = value("price_view")
        item: dict[str, Any] = {
            "sku": entity["sku"],
            "storeViewCode": store["code"],
            "storeCode": group.get("code"),
            "websiteCode": websites[str(store["website_id"])]["code"],
            "productId": int(entity["entity_id"]),
            "type": "bundle_fixed" if fixed_bundle else entity.get("type_id"),
            **{field: value(code) for code, field in _TEXT_FIELDS.items()},
            "status": _STATUS.get(int(status)) if status is not None else None,
            "visibility": _VISIBILITY.get(int(visibility)) if visibility is not None else None,
            # The class's name, "no" for none (the exporter's TaxClassFormatter).
            "taxClassId": reference.tax_class_name(tax_class) or NO_TAX_CLASS,
            # The exporter's rule: enabled, and visible in the catalog, in search or both.
            "displayable": status is not None
            and int(status) == 1
            and visibility is not None
            and int(visibility) in _VISIBLE_IN_CATALOG_OR_SEARCH,
            # Salable in the stock of the store view's website (MSI: inventoryStockStatus's
            # isSalable of the SKU; a configurable: any of its children), enabled to buy.
            "inStock": in_stock,
            "lowStock": stock is not None and stock.quantity < thresholds[str(store["website_id"])],
            "buyable": in_stock and status is not None and int(status) == _ENABLED,
            "weight": value("weight"),
            "weightUnit": units[str(store["website_id"])],
            "weightType": value("weight_type"),  # bundles: 0 dynamic, 1 fixed; else null
            "priceView": _PRICE_VIEW.get(int(price_view)) if price_view is not None else None,
            # a downloadable's links sold one by one (its EAV flag; absent on other types)
            "linksPurchasedSeparately": _flag(value("links_purchased_separately")),
            "currency": currencies[str(store["website_id"])],
            "createdAt": rfc3339(entity.get("created_at")),
            "updatedAt": rfc3339(entity.get("updated_at")),
            "attributes": _user_attributes(state, reference, store_id),
            "categories": [c["categoryPath"] for c in categories],
            "categoryIds": [c["categoryId"] for c in categories],
            "categoryData": categories,
            "parents": _parents_in(parents, int(store["website_id"]), codes.get("price_type")),
            "links": linked_products(state, product_id, int(store["website_id"])),
            "samples": samples_field(state, store_id, urls.web),
            **custom_options,
            "optionsV2": [
                # upstream's providers' order: custom options, downloadable links, grouped
                # items, bundle options, configurable attributes
                *custom_options["optionsV2"],
                *link_options(state, entity, store, urls.web, value("links_title")),
                *grouped_options(state, int(store["website_id"]), reference),
                *bundle_options(state, store_id, int(store["website_id"]), codes.get("name")),
                *configurable_options(state, reference, store_id, urls.media),
            ],
            **url_fields(state, product_id, store_id, value("url_key"), urls),
            **media_fields(
                state,
                store_id,
                urls.media,
                int(gallery_attribute) if gallery_attribute is not None else None,
                value,
            ),
            "deleted": False,
        }
        items.append(item)
    return items


def _flag(value: Any) -> bool | None:
    """An int EAV flag as a boolean; None when the product has no value."""
    return None if value is None else int(value) == 1


@dataclass(frozen=True, slots=True)
class _Availability:
    in_stock: bool
    quantity: Decimal  # in stock on the stock's enabled sources, before reservations


def _availability(
    state: ProductState, entity: dict[str, Any], reference: Reference
) -> dict[int, _Availability]:
    """Per stock: whether the product sells there and its quantity. A configurable has no
    stock of its own: it sells where one of its children does, with their quantities; nor
    has a grouped product (its items, likewise) or a bundle (``_bundle_availability``)."""
    if entity.get("type_id") == "bundle":
        return _bundle_availability(state, reference)
    if entity.get("type_id") in ("configurable", "grouped"):
        # a grouped product sells where one of its items does (MSI's grouped index)
        children = (
            variant_children(state, int(entity["entity_id"]))
            if entity.get("type_id") == "configurable"
            else grouped_items(state, int(entity["entity_id"]))
        )
        decided = [decide_summary(child.get("stock"), reference) for child in children]
    else:
        own = (state.get("stocks") or {}).get(str(entity.get("sku")))
        decided = [decide_summary(own, reference)]
    stock_ids = {stock_id for decisions in decided for stock_id in decisions}
    return {
        stock_id: _Availability(
            in_stock=any(d[stock_id].salable for d in decided if stock_id in d),
            quantity=sum((d[stock_id].qty for d in decided if stock_id in d), Decimal(0)),
        )
        for stock_id in stock_ids
    }


def _bundle_availability(state: ProductState, reference: Reference) -> dict[int, _Availability]:
    """A bundle sells in a stock where some option offers a product that sells there and
    every required option does (Magento's GetBundleProductStockStatus), with the quantities
    of the products it offers, each once."""
    options = []
    quantities: dict[int, dict[str, Decimal]] = {}  # stock → offered product → its quantity
    for required, children in bundle_option_children(state):
        decided = [decide_summary(child.get("stock"), reference) for child in children]
        options.append((required, decided))
        for child, decisions in zip(children, decided, strict=True):
            for stock_id, decision in decisions.items():
                quantities.setdefault(stock_id, {})[str(child["id"])] = decision.qty
    found = {}
    for stock_id, by_child in quantities.items():
        sells = [
            (required, any(d[stock_id].salable for d in decided if stock_id in d))
            for required, decided in options
        ]
        found[stock_id] = _Availability(
            in_stock=any(s for _, s in sells) and all(s for required, s in sells if required),
            quantity=sum(by_child.values(), Decimal(0)),
        )
    return found


def _stock_by_website(reference: Reference) -> dict[str, int]:
    """website code → the stock its sales channel names (MSI), for stocks that exist."""
    stocks = reference.rows("inventory_stock")
    return {
        str(row["code"]): int(row["stock_id"])
        for row in reference.rows("inventory_stock_sales_channel").values()
        if row.get("type") == "website" and str(row.get("stock_id")) in stocks
    }


def _parents_in(
    parents: list[dict[str, Any]], website_id: int, price_type_id: str | None
) -> list[dict[str, Any]]:
    """The relation parents that are in the website too, as the exporter lists them
    (ParentProductDataExporter): ``{sku, productType}``, a fixed-price bundle's type
    ``bundle_fixed``; by sku, then type. A parent summary from before summaries named
    their websites counts in every website until the parent forwards it again."""
    listed = []
    for parent in parents:
        if "websites" in parent and website_id not in parent["websites"]:
            continue
        kind = parent.get("type")
        values: dict[str, Any] = parent.get("values") or {}
        if kind == "bundle" and price_type_id is not None:
            fixed = values.get(price_type_id)
            if fixed is not None and int(fixed) == 1:
                kind = "bundle_fixed"
        listed.append({"sku": parent.get("sku"), "productType": kind})
    return sorted(listed, key=lambda p: (str(p["sku"] or ""), str(p["productType"] or "")))


def _attribute_ids_by_code(reference: Reference) -> dict[str, str]:
    return {
        str(a["attribute_code"]): str(a["attribute_id"])
        for a in reference.attributes().values()
        if int(a["entity_type_id"]) == PRODUCT_ENTITY_TYPE_ID
    }


def _scoped(state: ProductState, attribute_id: str, store_id: int) -> Any:
    values: dict[str, Any] = state["values"]
    store_key = f"{attribute_id}:{store_id}"
    if store_key in values and values[store_key] is not None:
        return values[store_key]
    return values.get(f"{attribute_id}:{DEFAULT_STORE_ID}")


def _user_attributes(
    state: ProductState, reference: Reference, store_id: int
) -> list[dict[str, Any]]:
    present = {key.split(":", 1)[0] for key in state["values"]}
    attributes = []
    for attribute_id in present:
        attribute = reference.attribute(attribute_id)
        if (
            attribute is None
            or int(attribute["entity_type_id"]) != PRODUCT_ENTITY_TYPE_ID
            or not int(attribute.get("is_user_defined") or 0)
        ):
            continue
        raw = _scoped(state, attribute_id, store_id)
        if raw is None:
            continue
        entry = {"attributeCode": attribute["attribute_code"], "value": [str(raw)], "valueId": []}
        frontend = attribute.get("frontend_input")
        if frontend in ("select", "multiselect"):
            option_ids = [part for part in str(raw).split(",") if part]
            entry["value"] = [reference.option_label(o, store_id) for o in option_ids]
            entry["valueId"] = option_ids
        attributes.append(entry)
    return sorted(attributes, key=lambda a: str(a["attributeCode"]))


def _categories(state: ProductState, reference: Reference) -> list[dict[str, Any]]:
    linked = []
    for category_id, position in state["categories"].items():
        category = reference.category(category_id)
        if category is None:  # deleted: its links cascaded away unseen
            continue
        linked.append(
            {
                "categoryId": category_id,
                "categoryPath": category.get("path"),
                "productPosition": position,
            }
        )
    return sorted(linked, key=lambda c: int(c["categoryId"]))
