"""The expected ``categories`` items, read with set-based SQL (docs/feeds.md, categories).

One query each for the store views, the category attributes, the categories and the values of
each backend table; the tree rules (whole path exists, store views by root category, derived
URL paths) are applied in Python, shallow categories first. Nothing here is shared with the
stream workers' projection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from feedsync.verify.eav import ScopedValues, pick
from feedsync.verify.product_media import read_base_urls
from feedsync.verify.projection import FeedProjection

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = ["CATEGORIES_PROJECTION", "project_categories"]

CATEGORY_ENTITY_TYPE_ID = 3

# The attributes a payload field reads; text fields are copied as stored.
_TEXT_FIELDS = {
    "name": "name",
    "description": "description",
    "metaTitle": "meta_title",
    "metaKeywords": "meta_keywords",
    "metaDescription": "meta_description",
    "displayMode": "display_mode",
    "urlKey": "url_key",
    "defaultSortBy": "default_sort_by",
}
_INT_FIELDS = {"isAnchor": "is_anchor", "includeInMenu": "include_in_menu", "isActive": "is_active"}
_CODES = (
    *_TEXT_FIELDS.values(),
    *_INT_FIELDS.values(),
    "url_path",
    "available_sort_by",
    "image",
)

CategoryValues = dict[int, dict[str, ScopedValues]]
"""entity_id → attribute code → store_id → value."""


def project_categories(cursor: Cursor) -> list[dict[str, Any]]:
    """Every expected payload, by entity_id then store_id."""
    cursor.execute(
        "SELECT s.store_id, s.code, g.code, w.code, g.root_category_id FROM store s "
        "JOIN store_group g ON g.group_id = s.group_id "
        "JOIN store_website w ON w.website_id = s.website_id "
        "WHERE s.store_id > 0 ORDER BY s.store_id"
    )
    views = cursor.fetchall()
    base_urls = read_base_urls(cursor)
    values = _values(cursor)
    cursor.execute(
        "SELECT entity_id, parent_id, path, level, position, "
        "DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'), "
        "DATE_FORMAT(updated_at, '%Y-%m-%dT%H:%i:%sZ') "
        "FROM catalog_category_entity"
    )
    rows = {row[0]: row for row in cursor.fetchall()}
    paths = {entity_id: [int(p) for p in row[2].split("/") if p] for entity_id, row in rows.items()}
    # A category is in the tree when its path ends with itself and names only existing rows.
    alive = sorted(
        (entity_id for entity_id, ids in paths.items() if ids and ids[-1] == entity_id),
        key=lambda e: (len(paths[e]), e),
    )
    alive = [e for e in alive if all(i in rows for i in paths[e])]
    children: dict[int, list[str]] = {}
    for entity_id in sorted(alive):
        if len(paths[entity_id]) > 1:
            children.setdefault(paths[entity_id][-2], []).append(str(entity_id))

    url_paths: dict[tuple[int, int], str] = {}  # filled parents first: alive is by depth
    payloads: list[tuple[int, int, dict[str, Any]]] = []
    for entity_id in alive:
        entity_id_, parent_id, path, level, position, created_at, updated_at = rows[entity_id]
        own = values.get(entity_id, {})
        for store_id, view_code, store_code, website_code, root_id in views:
            url_paths[entity_id, store_id] = _url_path(
                entity_id, store_id, own=own, paths=paths, rows=rows, url_paths=url_paths
            )
            if level < 2 or root_id not in paths[entity_id]:
                continue
            resolved = {code: pick(own.get(code), store_id) for code in _CODES}
            sort_by = resolved["available_sort_by"]
            payload: dict[str, Any] = {
                "categoryId": str(entity_id_),
                "storeViewCode": view_code,
                "storeCode": store_code,
                "websiteCode": website_code,
            }
            payload |= {field: resolved[code] for field, code in _TEXT_FIELDS.items()}
            payload |= {field: resolved[code] for field, code in _INT_FIELDS.items()}
            payload |= {
                "urlPath": url_paths[entity_id, store_id],
                "image": _image_url(resolved["image"], base_urls[store_id].media_root),
                "availableSortBy": [p for p in sort_by.split(",") if p] if sort_by else [],
                "level": level,
                "path": path,
                "parentId": parent_id,
                "children": children.get(entity_id, []),
                "position": position,
                "createdAt": created_at,
                "updatedAt": updated_at,
                "deleted": False,
            }
            payloads.append((entity_id, store_id, payload))
    return [payload for _, _, payload in sorted(payloads, key=lambda p: (p[0], p[1]))]


def _image_url(file: str | None, media_root: str) -> str | None:
    """The exporter's category image URL: a bare name in catalog/category, a path under the
    media directory relative to it, any other absolute path as it is; nothing for none."""
    if not file:
        return None
    root = media_root.rstrip("/")
    for media_dir in ("/pub/media/", "/media/", "pub/media/", "media/"):
        if file.startswith(media_dir):
            return f"{root}/{file.removeprefix(media_dir)}"
    if file.startswith("/"):
        return file
    return f"{root}/catalog/category/{file.split('/')[-1]}"


def _url_path(
    entity_id: int,
    store_id: int,
    *,
    own: dict[str, ScopedValues],
    paths: dict[int, list[int]],
    rows: dict[int, tuple[Any, ...]],
    url_paths: dict[tuple[int, int], str],
) -> str:
    """The stored url_path, else the parent's URL path (a parent at level 2 or deeper that is
    itself in the tree) + "/" + url_key (or the entity id when there is no url_key)."""
    stored = pick(own.get("url_path"), store_id)
    if stored:
        return str(stored)
    segment = str(pick(own.get("url_key"), store_id) or entity_id)
    ids = paths[entity_id]
    parent = ids[-2] if len(ids) > 1 else None
    if parent is None or (parent, store_id) not in url_paths or rows[parent][3] < 2:
        return segment
    return f"{url_paths[parent, store_id]}/{segment}"


def _values(cursor: Cursor) -> CategoryValues:
    """The stored values of the attributes the feed reads, one query per backend table."""
    cursor.execute(
        "SELECT attribute_id, attribute_code, backend_type FROM eav_attribute "
        "WHERE entity_type_id = %s",
        (CATEGORY_ENTITY_TYPE_ID,),
    )
    by_table: dict[str, dict[int, str]] = {}
    for attribute_id, code, backend_type in cursor.fetchall():
        if code in _CODES and backend_type in ("varchar", "int", "text"):
            by_table.setdefault(backend_type, {})[attribute_id] = code
    values: CategoryValues = {}
    for backend_type, codes in sorted(by_table.items()):
        placeholders = ", ".join(["%s"] * len(codes))
        cursor.execute(
            "SELECT entity_id, attribute_id, store_id, value "
            f"FROM catalog_category_entity_{backend_type} WHERE attribute_id IN ({placeholders})",
            list(codes),
        )
        for entity_id, attribute_id, store_id, value in cursor.fetchall():
            values.setdefault(entity_id, {}).setdefault(codes[attribute_id], {})[store_id] = value
    return values


CATEGORIES_PROJECTION = FeedProjection.of("categories", project_categories)
