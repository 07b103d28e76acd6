"""categories: one item per category and store view of its tree (docs/feeds.md, categories).

Built wholly from the reference data, and rebuilt whole when the tree, a category's values,
the category attributes or the scopes change. A category is exported when it sits at level 2
or deeper and every category on its ``path`` exists: Magento deletes a subtree row by row
(there is no foreign key on ``parent_id``), and whatever order those deletes arrive in, the
subtree stops being built the moment its top is gone; the generic diff then sends every item
that vanished as deleted. A move rewrites ``path`` for the moved category and its descendants,
so a rebuild re-keys every item whose ``urlPath`` changed the same way.

Items are identified by ``urlPath`` + ``storeViewCode`` (Adobe's exporter since MDEE-1382).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from feeds.attributes import StoreView, store_views
from feeds.feed import Feed
from feeds.projector import ReferenceFeed
from feeds.reference import Reference, ReferenceKind
from feeds.urls import category_image_url, store_urls
from feeds.values import rfc3339

__all__ = ["CATEGORIES", "CATEGORIES_FEED", "build_categories"]

CATEGORY_ENTITY_TYPE_ID = 3
DEFAULT_STORE_ID = 0
FIRST_EXPORTED_LEVEL = 2  # 0 is the tree root, 1 the store roots: neither has a page

CATEGORIES = Feed(
    name="categories",
    identity=("urlPath", "storeViewCode"),
)

# Payload field → category attribute code, for values copied as stored (store fallback).
_TEXT_FIELDS = {
    "name": "name",
    "description": "description",
    "metaTitle": "meta_title",
    "metaKeywords": "meta_keywords",
    "metaDescription": "meta_description",
    "displayMode": "display_mode",
    "urlKey": "url_key",
}
_INT_FIELDS = {"isAnchor": "is_anchor", "includeInMenu": "include_in_menu", "isActive": "is_active"}

Row = dict[str, Any]
ScopedValues = dict[int, Any]
"""store_id → the value stored for that store."""


@dataclass(frozen=True, slots=True)
class _Category:
    row: Row
    ids: tuple[int, ...]  # the path, root first, the category itself last
    values: dict[str, ScopedValues]  # attribute code → store values

    @property
    def entity_id(self) -> int:
        return self.ids[-1]

    @property
    def parent(self) -> int | None:
        return self.ids[-2] if len(self.ids) > 1 else None

    def value(self, code: str, store_id: int) -> Any:
        """The store view's value unless absent or NULL, else the store-0 value."""
        scoped = self.values.get(code, {})
        value = scoped.get(store_id)
        return value if value is not None else scoped.get(DEFAULT_STORE_ID)


def build_categories(reference: Reference) -> list[dict[str, Any]]:
    """Every categories payload: categories by entity_id, then store views by store_id."""
    categories = _categories(reference)
    children: dict[int, list[int]] = {}
    for category in categories.values():
        if category.parent is not None:
            children.setdefault(category.parent, []).append(category.entity_id)
    views = store_views(reference)
    media = {view.store_id: _media_base(reference, view) for view in views}
    url_paths: dict[tuple[int, int], str] = {}
    payloads = []
    for entity_id in sorted(categories):
        category = categories[entity_id]
        if int(category.row.get("level") or 0) < FIRST_EXPORTED_LEVEL:
            continue
        for view in views:
            if view.root_category_id not in category.ids:
                continue
            payloads.append(
                _payload(
                    category,
                    view,
                    sorted(children.get(entity_id, [])),
                    categories,
                    url_paths,
                    media_base=media[view.store_id],
                )
            )
    return payloads


def _media_base(reference: Reference, view: StoreView) -> str:
    """The store view's media base URL (store, website, default configuration)."""
    store = reference.stores().get(str(view.store_id), {})

    def config(path: str) -> Any:
        return reference.store_config(path, view.store_id, store.get("website_id", 0))

    return store_urls(config, view.code).media


def _categories(reference: Reference) -> dict[int, _Category]:
    """entity_id → category, for categories whose whole path exists, with their EAV values
    indexed by attribute code (one pass over each category's values)."""
    codes = {
        str(a["attribute_id"]): str(a["attribute_code"])
        for a in reference.attributes().values()
        if int(a["entity_type_id"]) == CATEGORY_ENTITY_TYPE_ID
    }
    rows = reference.categories()
    categories = {}
    for key, row in rows.items():
        ids = tuple(int(part) for part in str(row.get("path") or "").split("/") if part)
        if not ids or ids[-1] != int(key) or any(str(i) not in rows for i in ids):
            continue
        values: dict[str, ScopedValues] = {}
        for value_key, value in reference.category_values(key).items():
            attribute_id, _, store_id = value_key.partition(":")
            code = codes.get(attribute_id)
            if code is not None:
                values.setdefault(code, {})[int(store_id)] = value
        categories[int(key)] = _Category(row, ids, values)
    return categories


def _payload(
    category: _Category,
    view: StoreView,
    children: list[int],
    categories: dict[int, _Category],
    url_paths: dict[tuple[int, int], str],
    *,
    media_base: str,
) -> dict[str, Any]:
    row, store_id = category.row, view.store_id

    def value(code: str) -> Any:
        return category.value(code, store_id)

    sort_by = value("available_sort_by")
    return {
        "categoryId": str(category.entity_id),
        "storeViewCode": view.code,
        "storeCode": view.store_code,
        "websiteCode": view.website_code,
        **{field: value(code) for field, code in _TEXT_FIELDS.items()},
        "urlPath": _url_path(category, store_id, categories, url_paths),
        "image": category_image_url(value("image"), media_base),
        "level": _int(row.get("level")),
        "path": row.get("path"),
        "parentId": _int(row.get("parent_id")),
        "children": [str(child) for child in children],
        "position": _int(row.get("position")),
        "defaultSortBy": value("default_sort_by"),
        "availableSortBy": [part for part in str(sort_by).split(",") if part] if sort_by else [],
        **{field: _int(value(code)) for field, code in _INT_FIELDS.items()},
        "createdAt": rfc3339(row.get("created_at")),
        "updatedAt": rfc3339(row.get("updated_at")),
        "deleted": False,
    }


def _url_path(
    category: _Category,
    store_id: int,
    categories: dict[int, _Category],
    memo: dict[tuple[int, int], str],
) -> str:
    """The stored ``url_path`` (store fallback), else derived as Magento's
    CategoryUrlPathGenerator does: the parent's URL path (none above level 2) + "/" + the
    ``url_key``. A category without a url_key contributes its id, so the identity stays unique.
    """
    key = (category.entity_id, store_id)
    if key not in memo:
        stored = category.value("url_path", store_id)
        if stored:
            memo[key] = str(stored)
        else:
            segment = str(category.value("url_key", store_id) or category.entity_id)
            parent = categories.get(category.parent) if category.parent is not None else None
            if parent is None or int(parent.row.get("level") or 0) < FIRST_EXPORTED_LEVEL:
                memo[key] = segment
            else:
                memo[key] = f"{_url_path(parent, store_id, categories, memo)}/{segment}"
    return memo[key]


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


CATEGORIES_FEED = ReferenceFeed(
    CATEGORIES,
    build_categories,
    frozenset(
        {
            ReferenceKind.CATEGORIES,
            ReferenceKind.CATEGORY_VALUES,
            ReferenceKind.ATTRIBUTES,
            ReferenceKind.SCOPES,
        }
    ),
)
