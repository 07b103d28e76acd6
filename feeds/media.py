"""Product media: the gallery entries a product shows, as images, videos and role images.

Magento keeps a gallery entry (``catalog_product_entity_media_gallery``: the file, its media
type) apart from the products it is linked to (``…_value_to_entity``; a duplicated product
shares its original's entries), with per-store labels, positions and a hidden flag per
product (``…_value``, keyed by product) and per-store video data (``…_value_video``). The
entry's own rows are not keyed by product, so a ``media`` entity per entry (``value_id``)
folds them and forwards a summary, as the pseudo-table ``@media``, to each product linked to
it; a product folds its ``…_value`` rows itself. An unlinked product hears a withdrawal;
a deleted entry withdraws itself from every product it had (InnoDB cascades its links and
values away without a binlog event, so the entry's delete is the only signal).

The products feed's fields (feeds/products.py) are built here as the exporter's
``MediaGallery`` providers build them: ``images[]`` (media type ``image``), ``videos[]``
(``external-video``), the deprecated ``media_gallery[]`` (both) and the deprecated role
fields ``image``, ``smallImage``, ``thumbnail``, ``swatchImage``. A URL is the store view's
media base URL, ``catalog/product`` and the file (which starts with a slash).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from feeds.change import RowChange
from feeds.product_links import PRODUCT_ENTITY
from feeds.projector import EntityProjector, Forward, State, summary_forwards
from feeds.stock_products import position_json, position_of

__all__ = [
    "GALLERY_TABLE",
    "GALLERY_VALUE_TABLE",
    "MEDIA_PROJECTOR",
    "MEDIA_SUMMARY_TABLE",
    "ROLE_IMAGES",
    "apply_gallery_value_change",
    "media_fields",
]

GALLERY_TABLE = "catalog_product_entity_media_gallery"
GALLERY_VALUE_TABLE = "catalog_product_entity_media_gallery_value"
LINK_TABLE = "catalog_product_entity_media_gallery_value_to_entity"
VIDEO_TABLE = "catalog_product_entity_media_gallery_value_video"
MEDIA_ENTITY = "media"
MEDIA_SUMMARY_TABLE = "@media"
MEDIA_BASE_PATH = "catalog/product"  # Magento_Catalog's media config: getBaseMediaPath()
IMAGE, VIDEO = "image", "external-video"
HIDDEN_ROLE = "hide_from_pdp"  # the exporter's role of an entry hidden on the product page
NO_SELECTION = "no_selection"  # what Magento stores in a role attribute with no image
# The exporter's role fields and the attributes they read, in its order; a role's label
# attribute (swatch images have none).
ROLE_IMAGES = {
    "image": ("image", "image_label"),
    "smallImage": ("small_image", "small_image_label"),
    "thumbnail": ("thumbnail", "thumbnail_label"),
    "swatchImage": ("swatch_image", None),
}
_VIDEO_FIELDS = {
    "videoProvider": "provider",
    "videoUrl": "url",
    "videoTitle": "title",
    "videoDescription": "description",
    "videoMetadata": "metadata",
}


# --- the media entity: one gallery entry, forwarded to its products ---------------------


def _media_keys(change: RowChange) -> list[str]:
    rows = (row for row in (change.before, change.after) if row is not None)
    return sorted({str(row["value_id"]) for row in rows})


def apply_media_change(state: State | None, change: RowChange) -> State | None:
    """The entry's state after one of its rows changed; None once nothing of it is left.

    State: ``entry`` (file, media type, attribute; None until its row arrives), ``videos``
    (store id → video data), ``products`` (the linked product ids) and ``position`` (of the
    newest change, stamped on the forwards).
    """
    current: State = dict(state) if state else {"entry": None, "videos": {}, "products": []}
    if change.table == GALLERY_TABLE:
        if change.deleted:
            return None  # its links and values cascade away with it
        row = change.row
        current["entry"] = {
            "file": row.get("value"),
            "media_type": row.get("media_type"),
            "attribute_id": int(row["attribute_id"]),
        }
    elif change.table == VIDEO_TABLE:
        videos = dict(current["videos"])
        if change.before is not None:
            videos.pop(str(change.before["store_id"]), None)
        if change.after is not None:
            videos[str(change.after["store_id"])] = {
                column: change.after.get(column) for column in _VIDEO_FIELDS.values()
            }
        current["videos"] = videos
    elif change.table == LINK_TABLE:
        products = set(current["products"])
        if change.before is not None:
            products.discard(str(change.before["entity_id"]))
        if change.after is not None:
            products.add(str(change.after["entity_id"]))
        current["products"] = sorted(products, key=int)
    current["position"] = position_json(change)
    if current["entry"] is None and not current["videos"] and not current["products"]:
        return None
    return current


def _summary(state: State | None) -> dict[str, Any] | None:
    """What a linked product needs of the entry; None before the entry's row arrived."""
    if state is None or state.get("entry") is None:
        return None
    return {**state["entry"], "videos": state["videos"]}


def _named(summary: dict[str, Any] | None, value_id: str) -> dict[str, Any] | None:
    return None if summary is None else {**summary, "value_id": value_id}


def media_forwards(before: State | None, after: State | None, key: str) -> list[Forward]:
    """The entry's summary to each product linked to it, when it changed or the link is new;
    a withdrawal (naming the entry) to each product no longer linked, or all of them once
    the entry is gone."""
    source = after if after is not None else before
    if source is None:
        return []
    old, new = _summary(before), _summary(after)
    old_products = set((before or {}).get("products") or []) if old is not None else set()
    new_products = set((after or {}).get("products") or []) if new is not None else set()
    position, ts_ms = position_of(source)
    return summary_forwards(
        PRODUCT_ENTITY,
        MEDIA_SUMMARY_TABLE,
        (_named(old, key), _named(new, key)),
        (old_products, new_products),
        {"value_id": key},
        position=position,
        ts_ms=ts_ms,
    )


MEDIA_PROJECTOR = EntityProjector(
    entity=MEDIA_ENTITY,
    feeds=(),
    tables=frozenset({GALLERY_TABLE, LINK_TABLE, VIDEO_TABLE}),
    keys_of=_media_keys,
    apply=apply_media_change,
    forwards=media_forwards,
    forwards_to=(PRODUCT_ENTITY,),
    build=lambda state, reference: {},
    rows_of_products={
        LINK_TABLE: "`entity_id` IN ({ids})",
        **dict.fromkeys(
            (GALLERY_TABLE, VIDEO_TABLE),
            f"`value_id` IN (SELECT `value_id` FROM `{{db}}`.`{LINK_TABLE}` "
            "WHERE `entity_id` IN ({ids}))",
        ),
    },
    deleted_with=frozenset({GALLERY_TABLE}),
)


# --- the product's side ------------------------------------------------------------------


def apply_gallery_value_change(current: State, change: RowChange) -> None:
    """Fold a ``…_media_gallery_value`` row (label, position, hidden flag of one entry in
    one store for this product) into ``gallery`` (``"<value_id>:<store_id>"``), in place."""
    gallery = dict(current.get("gallery") or {})
    if change.before is not None:
        gallery.pop(_gallery_key(change.before), None)
    if change.after is not None:
        row = change.after
        gallery[_gallery_key(row)] = {
            "label": row.get("label"),
            "position": row.get("position"),
            "disabled": row.get("disabled"),
        }
    current["gallery"] = gallery


def _gallery_key(row: dict[str, Any]) -> str:
    return f"{row['value_id']}:{row['store_id']}"


def media_fields(
    state: State,
    store_id: int,
    media_base: str,
    gallery_attribute: int | None,
    role_value: Callable[[str], Any],
) -> dict[str, Any]:
    """The media fields of one store view's item.

    ``role_value(code)`` is the store view's value of a role attribute (``image``…): the file
    of the entry in that role. An entry's label, position and hidden flag are the store's own,
    else store 0's (each on its own, as the exporter's ``IFNULL`` of each column); an entry
    without any goes with an empty label at position 0. ``no_selection`` (Magento's value of
    a role with no image) is no image: the role fields are null, not a URL to nothing.
    """
    base = f"{media_base}{MEDIA_BASE_PATH}"
    files = {field: role_value(code) for field, (code, _) in ROLE_IMAGES.items()}
    roles_by_file: dict[str, list[str]] = {}
    for field, (code, _) in ROLE_IMAGES.items():
        file = files[field]
        if file and file != NO_SELECTION:
            roles_by_file.setdefault(str(file), []).append(code)
    fields: dict[str, Any] = {}
    for field, (_, label_code) in ROLE_IMAGES.items():
        file = files[field]
        if file is None or file == NO_SELECTION:
            fields[field] = None
        else:
            label = role_value(label_code) if label_code else None
            fields[field] = {"url": f"{base}{file}", "label": label}
    entries = []
    gallery = state.get("gallery") or {}
    for value_id, entry in (state.get("media") or {}).items():
        if gallery_attribute is not None and entry.get("attribute_id") != gallery_attribute:
            continue
        own = gallery.get(f"{value_id}:{store_id}") or {}
        default = gallery.get(f"{value_id}:0") or {}
        file = str(entry.get("file") or "")
        roles = list(roles_by_file.get(file, []))
        hidden = bool(_own_else(own, default, "disabled"))
        position = int(_own_else(own, default, "position") or 0)
        label = _own_else(own, default, "label") or ""
        entries.append((position, file, int(value_id), entry, label, roles, hidden))
    entries.sort(key=lambda e: (e[0], e[1], e[2]))
    images, videos, gallery_items = [], [], []
    for position, file, _, entry, label, roles, hidden in entries:
        resource = {
            "url": f"{base}{file}",
            "label": label,
            "roles": [*roles, HIDDEN_ROLE] if hidden else roles,
        }
        video = _video(entry, store_id)
        if entry.get("media_type") == IMAGE:
            images.append({"resource": resource, "sortOrder": position})
        elif entry.get("media_type") == VIDEO:
            videos.append({"preview": resource, "video": video, "sortOrder": position})
        gallery_items.append(
            {
                "url": resource["url"],
                "label": label,
                "types": roles,
                "sort_order": position,
                "video_attributes": video,
            }
        )
    fields["images"] = images
    fields["videos"] = videos
    fields["media_gallery"] = gallery_items
    return fields


def _own_else(own: dict[str, Any], default: dict[str, Any], column: str) -> Any:
    """The store's own value of a column, else store 0's (the exporter's ``IFNULL``)."""
    value = own.get(column)
    return default.get(column) if value is None else value


def _video(entry: dict[str, Any], store_id: int) -> dict[str, Any] | None:
    """The entry's video data in the store view (each column the store's own, else store
    0's), with the media type; None when it has none (an image). An empty value goes as
    null: the exporter's formatter drops empty values, and its transformer writes every
    field its record declares, null when absent."""
    videos = entry.get("videos") or {}
    own, default = videos.get(str(store_id)) or {}, videos.get("0") or {}
    content = {
        field: _own_else(own, default, column) or None for field, column in _VIDEO_FIELDS.items()
    }
    if not any(content.values()):
        return None
    return {**content, "mediaType": entry.get("media_type")}
