"""The expected media and URL fields of ``products`` items, read with set-based SQL.

As the exporter's ``MediaGallery`` and ``Urls``/``UrlRewrites`` providers read them: gallery
entries joined to their products with each store view's label, position and hidden flag
falling back to store 0's column by column; the role attributes' files; ``url_rewrite`` rows
of entity type ``product``; base URLs from ``core_config_data`` (stores, websites, default).
Written apart from the stream workers' code (feeds/media.py, feeds/urls.py) on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = ["ROLE_CODES", "BaseUrls", "ProductMedia", "ProductUrls", "read_base_urls"]

ROLE_CODES = (
    "image",
    "small_image",
    "thumbnail",
    "swatch_image",
    "image_label",
    "small_image_label",
    "thumbnail_label",
)
_ROLE_FIELDS = (
    ("image", "image", "image_label"),
    ("smallImage", "small_image", "small_image_label"),
    ("thumbnail", "thumbnail", "thumbnail_label"),
    ("swatchImage", "swatch_image", None),
)
_PLACEHOLDER = "{{unsecure_base_url}}"
_VIDEO_NAMES = ("videoProvider", "videoUrl", "videoTitle", "videoDescription", "videoMetadata")


@dataclass(frozen=True, slots=True)
class BaseUrls:
    web: str
    link: str
    media_root: str

    @property
    def media(self) -> str:
        """Where product media lives."""
        return f"{self.media_root}catalog/product"


def read_base_urls(cursor: Cursor) -> dict[int, BaseUrls]:
    """store_id → its base URLs."""
    paths = (
        "web/unsecure/base_url",
        "web/unsecure/base_link_url",
        "web/unsecure/base_media_url",
        "web/url/use_store",
    )
    selects = []
    args: list[Any] = []
    for n, path in enumerate(paths):
        selects.append(
            f"(SELECT COALESCE(MAX(IF(c{n}.scope = 'stores', c{n}.value, NULL)), "
            f"MAX(IF(c{n}.scope = 'websites', c{n}.value, NULL)), "
            f"MAX(IF(c{n}.scope = 'default', c{n}.value, NULL))) FROM core_config_data c{n} "
            f"WHERE c{n}.path = %s AND ((c{n}.scope = 'stores' AND c{n}.scope_id = s.store_id) "
            f"OR (c{n}.scope = 'websites' AND c{n}.scope_id = s.website_id) "
            f"OR (c{n}.scope = 'default' AND c{n}.scope_id = 0)))"
        )
        args.append(path)
    cursor.execute(f"SELECT s.store_id, s.code, {', '.join(selects)} FROM store s", args)
    urls = {}
    for store_id, code, web_value, link_value, media_value, use_store in cursor.fetchall():
        web = web_value or ""
        link = (link_value or _PLACEHOLDER).replace(_PLACEHOLDER, web)
        if str(use_store or "0") == "1":
            link = f"{link}{code}/"
        media = (media_value or f"{_PLACEHOLDER}media/").replace(_PLACEHOLDER, web)
        urls[int(store_id)] = BaseUrls(web, link, media)
    return urls


@dataclass(frozen=True)
class ProductMedia:
    """Gallery entries by (product, store view), as the exporter's query returns them."""

    entries: dict[tuple[int, int], list[tuple[Any, ...]]]

    @classmethod
    def read(cls, cursor: Cursor) -> ProductMedia:
        cursor.execute(
            "SELECT e.entity_id, s.store_id, g.value_id, g.value, g.media_type, "
            "COALESCE(v.label, d.label), COALESCE(v.position, d.position), "
            "COALESCE(v.disabled, d.disabled), "
            "COALESCE(vv.provider, dv.provider), COALESCE(vv.url, dv.url), "
            "COALESCE(vv.title, dv.title), COALESCE(vv.description, dv.description), "
            "COALESCE(vv.metadata, dv.metadata) "
            "FROM catalog_product_entity_media_gallery g "
            "JOIN eav_attribute a ON a.attribute_id = g.attribute_id "
            "AND a.attribute_code = 'media_gallery' AND a.entity_type_id = 4 "
            "JOIN catalog_product_entity_media_gallery_value_to_entity e "
            "ON e.value_id = g.value_id "
            "JOIN catalog_product_website w ON w.product_id = e.entity_id "
            "JOIN store s ON s.website_id = w.website_id AND s.store_id > 0 "
            "LEFT JOIN catalog_product_entity_media_gallery_value v ON v.value_id = g.value_id "
            "AND v.store_id = s.store_id AND v.entity_id = e.entity_id "
            "LEFT JOIN catalog_product_entity_media_gallery_value d ON d.value_id = g.value_id "
            "AND d.store_id = 0 AND d.entity_id = e.entity_id "
            "LEFT JOIN catalog_product_entity_media_gallery_value_video vv "
            "ON vv.value_id = g.value_id AND vv.store_id = s.store_id "
            "LEFT JOIN catalog_product_entity_media_gallery_value_video dv "
            "ON dv.value_id = g.value_id AND dv.store_id = 0"
        )
        entries: dict[tuple[int, int], list[tuple[Any, ...]]] = {}
        for entity_id, store_id, *rest in cursor.fetchall():
            entries.setdefault((int(entity_id), int(store_id)), []).append(tuple(rest))
        return cls(entries)

    def fields(
        self, entity_id: int, store_id: int, base: BaseUrls, role: Callable[[str], Any]
    ) -> dict[str, Any]:
        """image, smallImage, thumbnail, swatchImage, images, videos, media_gallery."""
        out: dict[str, Any] = {}
        in_role: dict[str, list[str]] = {}
        for field, code, label_code in _ROLE_FIELDS:
            file = role(code)
            if file is None or file == "no_selection":
                out[field] = None
                continue
            label = role(label_code) if label_code else None
            out[field] = {"url": base.media + file, "label": label}
            in_role.setdefault(file, []).append(code)
        rows = sorted(
            self.entries.get((entity_id, store_id), []),
            key=lambda r: (int(r[4] or 0), r[1] or "", int(r[0])),
        )
        images, videos, gallery = [], [], []
        for _, file, media_type, label, position, disabled, *video_columns in rows:
            roles = in_role.get(file or "", [])
            shown = [*roles, "hide_from_pdp"] if disabled else list(roles)
            resource = {"url": base.media + (file or ""), "label": label or "", "roles": shown}
            found = {n: v or None for n, v in zip(_VIDEO_NAMES, video_columns, strict=True)}
            video = {**found, "mediaType": media_type} if any(found.values()) else None
            sort_order = int(position or 0)
            if media_type == "image":
                images.append({"resource": resource, "sortOrder": sort_order})
            elif media_type == "external-video":
                videos.append({"preview": resource, "video": video, "sortOrder": sort_order})
            gallery.append(
                {
                    "url": resource["url"],
                    "label": label or "",
                    "types": list(roles),
                    "sort_order": sort_order,
                    "video_attributes": video,
                }
            )
        return {**out, "images": images, "videos": videos, "media_gallery": gallery}


@dataclass(frozen=True)
class ProductUrls:
    """Product URL rewrites by (product, store view), in url_rewrite_id order."""

    rewrites: Mapping[tuple[int, int], list[tuple[str, str, int, bool]]]

    @classmethod
    def read(cls, cursor: Cursor) -> ProductUrls:
        cursor.execute(
            "SELECT entity_id, store_id, request_path, target_path, redirect_type, "
            "metadata IS NULL FROM url_rewrite WHERE entity_type = 'product' "
            "ORDER BY url_rewrite_id"
        )
        rewrites: dict[tuple[int, int], list[tuple[str, str, int, bool]]] = {}
        for entity_id, store_id, request, target, redirect, plain in cursor.fetchall():
            rewrites.setdefault((int(entity_id), int(store_id)), []).append(
                (request, target, int(redirect), bool(plain))
            )
        return cls(rewrites)

    def fields(self, entity_id: int, store_id: int, base: BaseUrls, url_key: Any) -> dict[str, Any]:
        rows = self.rewrites.get((entity_id, store_id), [])
        canonical = [request for request, _, redirect, plain in rows if redirect == 0 and plain]
        key = "" if url_key is None else url_key
        path = canonical[0] if canonical else f"catalog/product/view/id/{entity_id}/s/{key}/"
        rewrites = []
        for request, target, _, _ in rows:
            parts = (target or "").strip("/").split("/")[3:]
            pairs = [{"name": n, "value": v} for n, v in zip(parts[::2], parts[1::2], strict=False)]
            rewrites.append({"url": base.web + request, "parameters": pairs})
        return {"url": base.link + path, "urlRewrites": rewrites}
