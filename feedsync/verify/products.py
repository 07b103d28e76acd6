"""The expected ``products`` items, computed with set-based SQL (docs/feeds.md, products).

A handful of queries read every product, its websites, the store views, its categories and
the EAV values of all stores at once; the items (one per SKU and store view of the product's
websites) are assembled in Python. Nothing here is shared with the stream workers' projection:
this is the independent half of ``feedsync verify``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from feedsync.verify.bundle_options import BundleOptions
from feedsync.verify.configurable_options import ConfigurableOptions
from feedsync.verify.eav import (
    Attribute,
    ScopedValues,
    load_option_labels,
    load_product_attributes,
    load_product_values,
    pick,
)
from feedsync.verify.grouped_options import GroupedOptions
from feedsync.verify.product_media import ROLE_CODES, ProductMedia, ProductUrls, read_base_urls
from feedsync.verify.product_options import DownloadableLinkOptions, ProductOptions
from feedsync.verify.stock import project_stock_statuses

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = ["project_products"]

# Payload field → attribute code, for the fields copied verbatim from a (store-fallback) value.
_TEXT_FIELDS = {
    "name": "name",
    "description": "description",
    "shortDescription": "short_description",
    "metaTitle": "meta_title",
    "metaKeyword": "meta_keyword",
    "metaDescription": "meta_description",
    "urlKey": "url_key",
}
_STATUS = {1: "Enabled", 2: "Disabled"}
_VISIBILITY = {
    1: "Not Visible Individually",
    2: "Catalog",
    3: "Search",
    4: "Catalog, Search",
}
_SYSTEM_CODES = (
    *_TEXT_FIELDS.values(),
    "status",
    "visibility",
    "tax_class_id",
    "weight",
    "weight_type",
    "price_view",
    "links_purchased_separately",
    "links_title",
    *ROLE_CODES,
)
_PRICE_VIEW = {0: "price_range", 1: "as_low_as"}
_DEFAULT_WEIGHT_UNIT = "lbs"  # Magento_Directory's config.xml defaults
_DEFAULT_BASE_CURRENCY = "USD"


_STOCK_THRESHOLD = "cataloginventory/options/stock_threshold_qty"


@dataclass(frozen=True, slots=True)
class _StoreView:
    store_id: int
    code: str
    store_code: str | None
    website_code: str
    weight_unit: str
    currency: str
    website_id: int


def project_products(cursor: Cursor) -> list[dict[str, Any]]:
    """Every expected ``products`` payload (without ``modifiedAt``), in entity_id order."""
    attributes = load_product_attributes(cursor)
    system = {code: attributes[code] for code in _SYSTEM_CODES if code in attributes}
    # Sorted by code once, so every item's attributes[] comes out in the documented order.
    user_defined = sorted((a for a in attributes.values() if a.user_defined), key=_by_code)
    values = load_product_values(cursor, [*system.values(), *user_defined])
    labels = load_option_labels(cursor) if user_defined else {}
    views = _views_by_product(cursor)
    categories = _categories_by_product(cursor)
    parents = _parents_by_product(cursor)
    linked = _links_by_product(cursor)
    samples = _samples_by_product(cursor)
    stock = _Stock.read(cursor)
    base_urls = read_base_urls(cursor)
    cursor.execute("SELECT class_id, class_name FROM tax_class")
    tax_classes = dict(cursor.fetchall())
    media = ProductMedia.read(cursor)
    urls = ProductUrls.read(cursor)
    options = ProductOptions.read(cursor)
    bundles = BundleOptions.read(cursor)
    grouped = GroupedOptions.read(cursor)
    configurable = ConfigurableOptions.read(cursor)
    links_options = DownloadableLinkOptions.read(cursor, {k: v.web for k, v in base_urls.items()})

    fixed_bundles = _fixed_price_bundles(cursor)
    cursor.execute(
        "SELECT entity_id, sku, type_id, "
        "DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'), "
        "DATE_FORMAT(updated_at, '%Y-%m-%dT%H:%i:%sZ') "
        "FROM catalog_product_entity ORDER BY entity_id"
    )
    payloads: list[dict[str, Any]] = []
    for entity_id, sku, type_id, created_at, updated_at in cursor.fetchall():
        product_values = values.get(entity_id, {})
        links = categories.get(entity_id, [])
        for view in views.get(entity_id, []):
            value = _resolve(system, product_values, view.store_id)
            payload: dict[str, Any] = {
                "sku": sku,
                "storeViewCode": view.code,
                "storeCode": view.store_code,
                "websiteCode": view.website_code,
                "productId": entity_id,
                "type": "bundle_fixed" if entity_id in fixed_bundles else type_id,
            }
            for field, code in _TEXT_FIELDS.items():
                payload[field] = value[code]
            payload["status"] = _STATUS.get(value["status"])
            payload["visibility"] = _VISIBILITY.get(value["visibility"])
            payload["taxClassId"] = tax_classes.get(value["tax_class_id"], "no")
            payload["displayable"] = value["status"] == 1 and value["visibility"] in (2, 3, 4)
            in_stock, low = stock.of(entity_id, sku, type_id, view.website_id)
            payload["inStock"] = in_stock
            payload["lowStock"] = low
            payload["buyable"] = in_stock and value["status"] == 1
            payload["weight"] = value["weight"]
            payload["weightUnit"] = view.weight_unit
            payload["weightType"] = value["weight_type"]
            payload["priceView"] = _PRICE_VIEW.get(value["price_view"])
            separately = value["links_purchased_separately"]
            payload["linksPurchasedSeparately"] = None if separately is None else separately == 1
            payload["currency"] = view.currency
            payload["createdAt"] = created_at
            payload["updatedAt"] = updated_at
            payload["attributes"] = _attributes(user_defined, product_values, labels, view)
            payload["categories"] = [path for _, path, _ in links]
            payload["categoryIds"] = [str(category_id) for category_id, _, _ in links]
            payload["categoryData"] = [
                {"categoryId": str(category_id), "categoryPath": path, "productPosition": position}
                for category_id, path, position in links
            ]
            payload["parents"] = sorted(
                parents.get((entity_id, view.website_id), []),
                key=lambda p: (p["sku"] or "", p["productType"] or ""),
            )
            payload["links"] = linked.get((entity_id, view.website_id), [])
            payload["samples"] = [
                {
                    "resource": {
                        "url": f"{base_urls[view.store_id].web}"
                        f"downloadable/download/sample/sample_id/{sample_id}",
                        # IFNULL(the store view's title, store 0's)
                        "label": next(
                            (
                                t
                                for t in (titles.get(view.store_id), titles.get(0))
                                if t is not None
                            ),
                            None,
                        ),
                    },
                    "sortOrder": str(sort_order),
                }
                for sort_order, sample_id, titles in samples.get(entity_id, [])
            ]
            payload |= options.fields(entity_id, view.store_id)
            base = base_urls[view.store_id]
            # upstream's providers merged in order: custom options, downloadable links,
            # grouped, bundle, configurable
            payload["optionsV2"] = [
                *payload["optionsV2"],
                *links_options.option(entity_id, type_id, view.store_id, value["links_title"]),
                *grouped.entries(entity_id, view.website_id),
                *bundles.entries(entity_id, view.store_id),
                *configurable.entries(entity_id, view.store_id, base.media_root),
            ]
            payload |= urls.fields(entity_id, view.store_id, base, value["url_key"])
            payload |= media.fields(entity_id, view.store_id, base, value.get)
            payload["deleted"] = False
            payloads.append(payload)
    return payloads


@dataclass(frozen=True)
class _Stock:
    """What inStock and lowStock read: per (stock, SKU) whether it sells and its quantity
    (inventoryStockStatus's projection), each website's stock, each website's low-stock
    threshold, and each configurable's children's SKUs."""

    by_sku: dict[tuple[int, str], tuple[bool, Decimal]]
    of_website: dict[int, int]
    thresholds: dict[int, Decimal]
    children: dict[int, list[str]]
    bundles: dict[int, dict[int, tuple[bool, list[str]]]]  # option → (required, SKUs offered)

    @classmethod
    def read(cls, cursor: Cursor) -> _Stock:
        by_sku = {
            (int(p["stockId"]), str(p["sku"])): (bool(p["isSalable"]), Decimal(p["qty"]))
            for p in project_stock_statuses(cursor)
        }
        cursor.execute(
            "SELECT w.website_id, c.stock_id FROM inventory_stock_sales_channel c "
            "JOIN store_website w ON BINARY w.code = BINARY c.code "
            "JOIN inventory_stock st ON st.stock_id = c.stock_id WHERE c.type = 'website'"
        )
        of_website = {int(website): int(stock_id) for website, stock_id in cursor.fetchall()}
        cursor.execute(
            "SELECT w.website_id, COALESCE(cw.value, cd.value) FROM store_website w "
            "LEFT JOIN core_config_data cw ON cw.path = %s "
            "AND cw.scope = 'websites' AND cw.scope_id = w.website_id "
            "LEFT JOIN core_config_data cd ON cd.path = %s "
            "AND cd.scope = 'default' AND cd.scope_id = 0",
            (_STOCK_THRESHOLD, _STOCK_THRESHOLD),
        )
        thresholds = {int(website): _number(value) for website, value in cursor.fetchall()}
        cursor.execute(  # configurables' children, grouped products' items
            "SELECT l.parent_id, c.sku FROM catalog_product_super_link l "
            "JOIN catalog_product_entity c ON c.entity_id = l.product_id "
            "UNION ALL SELECT g.product_id, c.sku FROM catalog_product_link g "
            "JOIN catalog_product_entity c ON c.entity_id = g.linked_product_id "
            "WHERE g.link_type_id = 3"
        )
        children: dict[int, list[str]] = {}
        for parent_id, child_sku in cursor.fetchall():
            children.setdefault(int(parent_id), []).append(child_sku)
        cursor.execute(
            "SELECT o.parent_id, o.option_id, o.required, c.sku "
            "FROM catalog_product_bundle_option o "
            "LEFT JOIN catalog_product_bundle_selection b ON b.option_id = o.option_id "
            "AND b.parent_product_id = o.parent_id "
            "LEFT JOIN catalog_product_entity c ON c.entity_id = b.product_id "
            "ORDER BY o.parent_id, o.option_id"
        )
        bundles: dict[int, dict[int, tuple[bool, list[str]]]] = {}
        for parent_id, option_id, required, child_sku in cursor.fetchall():
            option = bundles.setdefault(int(parent_id), {}).setdefault(
                int(option_id), (bool(required), [])
            )
            if child_sku is not None:
                option[1].append(child_sku)
        return cls(by_sku, of_website, thresholds, children, bundles)

    def of(self, entity_id: int, sku: str, type_id: str, website_id: int) -> tuple[bool, bool]:
        """(inStock, lowStock) of a product in a website: its SKU in the website's stock; a
        configurable's children's or a grouped product's items' (in stock if one is, their
        quantities summed); a bundle's
        offered products' (``_bundle``)."""
        stock_id = self.of_website.get(website_id)
        if stock_id is None:
            return False, False
        if type_id == "bundle":
            return self._bundle(entity_id, stock_id, website_id)
        composite = type_id in ("configurable", "grouped")
        skus = self.children.get(entity_id, []) if composite else [sku]
        found = [self.by_sku[stock_id, s] for s in skus if (stock_id, s) in self.by_sku]
        if not found:
            return False, False
        quantity = sum((qty for _, qty in found), Decimal(0))
        return any(sells for sells, _ in found), quantity < self.thresholds.get(website_id, 0)

    def _bundle(self, entity_id: int, stock_id: int, website_id: int) -> tuple[bool, bool]:
        """A bundle: in stock when an option offers a SKU that sells and every required
        option does; low by the summed quantities of the SKUs it offers (each once)."""
        options = self.bundles.get(entity_id, {}).values()
        offered = {s for _, skus in options for s in skus if (stock_id, s) in self.by_sku}
        if not offered:
            return False, False
        sells = [
            (required, any(self.by_sku.get((stock_id, s), (False, 0))[0] for s in skus))
            for required, skus in options
        ]
        in_stock = any(s for _, s in sells) and all(s for required, s in sells if required)
        quantity = sum((self.by_sku[stock_id, s][1] for s in offered), Decimal(0))
        return in_stock, quantity < self.thresholds.get(website_id, 0)


def _number(value: Any) -> Decimal:
    try:
        return Decimal(str(value).strip()) if value is not None else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _resolve(
    system: Mapping[str, Attribute], product_values: Mapping[int, ScopedValues], store_id: int
) -> dict[str, Any]:
    """attribute code → the store view's value, for every system attribute a field reads (None
    when the attribute is not even defined)."""
    resolved: dict[str, Any] = dict.fromkeys(_SYSTEM_CODES)
    for code, attribute in system.items():
        resolved[code] = pick(product_values.get(attribute.attribute_id), store_id)
    return resolved


def _by_code(attribute: Attribute) -> str:
    return attribute.code


def _attributes(
    user_defined: list[Attribute],
    product_values: Mapping[int, ScopedValues],
    labels: Mapping[int, ScopedValues],
    view: _StoreView,
) -> list[dict[str, Any]]:
    """attributes[] for one store view: user-defined attributes whose resolved value is not
    NULL, already in attributeCode order."""
    entries = []
    for attribute in user_defined:
        raw = pick(product_values.get(attribute.attribute_id), view.store_id)
        if raw is None:
            continue
        text = str(raw)
        if attribute.frontend_input == "select":
            ids = [text]
            shown = [_label(labels, text, view.store_id)]
        elif attribute.frontend_input == "multiselect":
            # Split as stored: no trimming or re-ordering; only empty parts ("1,,2") drop.
            ids = [part for part in text.split(",") if part]
            shown = [_label(labels, option_id, view.store_id) for option_id in ids]
        else:
            ids, shown = [], [text]
        entries.append({"attributeCode": attribute.code, "value": shown, "valueId": ids})
    return entries


def _label(labels: Mapping[int, ScopedValues], option_id: str, store_id: int) -> str | None:
    """The option's label for the store view, falling back to its store-0 label; None for an
    id that names no option (values are not foreign keys, so a deleted option can linger)."""
    if not option_id.isdigit():
        return None
    label: str | None = pick(labels.get(int(option_id)), store_id)
    return label


def _views_by_product(cursor: Cursor) -> dict[int, list[_StoreView]]:
    """product entity_id → the store views (store_id > 0) of its existing websites."""
    # general/locale/weight_unit and currency/options/base: the website's own value, else
    # the default scope's, else Magento's default.
    cursor.execute(
        "SELECT s.store_id, s.code, g.code, w.code, s.website_id, "
        "COALESCE(uw.value, ud.value, %s), COALESCE(cw.value, cd.value, %s) "
        "FROM store s "
        "JOIN store_website w ON w.website_id = s.website_id "
        "LEFT JOIN store_group g ON g.group_id = s.group_id "
        "LEFT JOIN core_config_data uw ON uw.path = 'general/locale/weight_unit' "
        "AND uw.scope = 'websites' AND uw.scope_id = s.website_id "
        "LEFT JOIN core_config_data ud ON ud.path = 'general/locale/weight_unit' "
        "AND ud.scope = 'default' AND ud.scope_id = 0 "
        "LEFT JOIN core_config_data cw ON cw.path = 'currency/options/base' "
        "AND cw.scope = 'websites' AND cw.scope_id = s.website_id "
        "LEFT JOIN core_config_data cd ON cd.path = 'currency/options/base' "
        "AND cd.scope = 'default' AND cd.scope_id = 0 "
        "WHERE s.store_id > 0 ORDER BY s.store_id",
        (_DEFAULT_WEIGHT_UNIT, _DEFAULT_BASE_CURRENCY),
    )
    by_website: dict[int, list[_StoreView]] = {}
    for row in cursor.fetchall():
        store_id, code, store_code, website_code, website_id, unit, currency = row
        by_website.setdefault(website_id, []).append(
            _StoreView(store_id, code, store_code, website_code, unit, currency, website_id)
        )
    cursor.execute("SELECT product_id, website_id FROM catalog_product_website")
    views: dict[int, list[_StoreView]] = {}
    for product_id, website_id in cursor.fetchall():
        views.setdefault(product_id, []).extend(by_website.get(website_id, []))
    return views


def _categories_by_product(cursor: Cursor) -> dict[int, list[tuple[int, str, int]]]:
    """product entity_id → (category id, path, position) of existing linked categories, by id."""
    cursor.execute(
        "SELECT cp.product_id, cp.category_id, c.path, cp.position "
        "FROM catalog_category_product cp "
        "JOIN catalog_category_entity c ON c.entity_id = cp.category_id "
        "ORDER BY cp.product_id, cp.category_id"
    )
    links: dict[int, list[tuple[int, str, int]]] = {}
    for product_id, category_id, path, position in cursor.fetchall():
        links.setdefault(product_id, []).append((category_id, path, position))
    return links


def _samples_by_product(cursor: Cursor) -> dict[int, list[tuple[int, int, dict[int, Any]]]]:
    """product → its downloadable samples as (sort_order, sample_id, store id → title), in
    the exporter's order (sort order; then the id, where it leaves ties to the database)."""
    cursor.execute("SELECT sample_id, store_id, title FROM downloadable_sample_title")
    titles: dict[int, dict[int, Any]] = {}
    for sample_id, store_id, title in cursor.fetchall():
        titles.setdefault(sample_id, {})[store_id] = title
    cursor.execute("SELECT product_id, sort_order, sample_id FROM downloadable_sample")
    samples: dict[int, list[tuple[int, int, dict[int, Any]]]] = {}
    for product_id, sort_order, sample_id in sorted(cursor.fetchall()):
        samples.setdefault(product_id, []).append(
            (sort_order, sample_id, titles.get(sample_id, {}))
        )
    return samples


def _links_by_product(cursor: Cursor) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """(product, website id) → its related (1), up-sell (4) and cross-sell (5) products in
    that website too, as the exporter's ProductLinksQuery reads them: ``{sku, type}`` by type
    name, then SKU, each pair once."""
    cursor.execute(
        "SELECT DISTINCT l.product_id, pw.website_id, "
        "ELT(FIELD(l.link_type_id, 1, 4, 5), 'related', 'upsell', 'crosssell') AS kind, q.sku "
        "FROM catalog_product_link l "
        "JOIN catalog_product_entity q ON q.entity_id = l.linked_product_id "
        "JOIN catalog_product_website pw ON pw.product_id = l.product_id "
        "JOIN catalog_product_website qw "
        "ON qw.product_id = q.entity_id AND qw.website_id = pw.website_id "
        "WHERE l.link_type_id IN (1, 4, 5) AND l.linked_product_id <> l.product_id"
    )
    links: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for product_id, website_id, kind, sku in sorted(cursor.fetchall()):  # by codepoint
        links.setdefault((product_id, website_id), []).append({"sku": sku, "type": kind})
    return links


def _fixed_price_bundles(cursor: Cursor) -> set[int]:
    """Bundles whose price_type is 1 at store 0: the exporter's type ``bundle_fixed``."""
    cursor.execute(
        "SELECT p.entity_id FROM catalog_product_entity p "
        "JOIN eav_attribute a ON a.attribute_code = 'price_type' AND a.entity_type_id = 4 "
        "JOIN catalog_product_entity_int pt ON pt.entity_id = p.entity_id "
        "AND pt.attribute_id = a.attribute_id AND pt.store_id = 0 AND pt.value = 1 "
        "WHERE p.type_id = 'bundle'"
    )
    return {int(entity_id) for (entity_id,) in cursor.fetchall()}


def _parents_by_product(cursor: Cursor) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """(child entity_id, website id) → its relation parents in that website too, as
    ``{sku, productType}``: a bundle with price_type 1 at store 0 is ``bundle_fixed``."""
    cursor.execute(
        "SELECT r.child_id, pw.website_id, p.sku, "
        "IF(p.type_id = 'bundle' AND pt.value = 1, 'bundle_fixed', p.type_id) "
        "FROM catalog_product_relation r "
        "JOIN catalog_product_entity p ON p.entity_id = r.parent_id "
        "JOIN catalog_product_website pw ON pw.product_id = p.entity_id "
        "LEFT JOIN eav_attribute a ON a.attribute_code = 'price_type' AND a.entity_type_id = 4 "
        "LEFT JOIN catalog_product_entity_int pt ON pt.entity_id = p.entity_id "
        "AND pt.attribute_id = a.attribute_id AND pt.store_id = 0"
    )
    parents: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for child_id, website_id, sku, product_type in cursor.fetchall():
        parents.setdefault((child_id, website_id), []).append(
            {"sku": sku, "productType": product_type}
        )
    return parents
