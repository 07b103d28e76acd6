"""A product's storefront URLs: ``url`` and ``urlRewrites[]`` of the products feed.

Magento's ``url_rewrite`` rows (one table for products, categories and CMS pages) map a
request path in a store view to a target path. A product's rows are folded into its state
(``rewrites``, by ``url_rewrite_id``, each with the entity it names: a row can be moved to
another product by an update, and ``apply`` is not told which product it runs for, so the
build keeps only the rows naming the product). As the exporter's ``Urls`` and
``UrlRewrites`` providers build them:

- ``url``: the store view's link base URL and the request path of the product's canonical
  rewrite there (no redirect, no category in its metadata); without one, Magento's own
  route ``catalog/product/view/id/<id>/s/<url key>/``. Of two canonical rows (a database
  the URL rewrite module did not keep tidy) the first created wins.
- ``urlRewrites[]``: every rewrite of the product in the store view, redirects and category
  paths included, in creation order: the store view's base URL and the request path, and
  the target path's parameters after its route (``…/id/5/category/7``: ``id`` 5,
  ``category`` 7, from the fourth part on, in pairs).

Base URLs are store view configuration (``core_config_data``, stores → websites →
default): ``web/unsecure/base_url``, ``web/unsecure/base_link_url`` (by default the base
URL, followed by the store view's code when ``web/url/use_store`` is on) and
``web/unsecure/base_media_url`` (by default the base URL's ``media/``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from feeds.change import RowChange
from feeds.projector import State

__all__ = [
    "URL_REWRITE_TABLE",
    "StoreUrls",
    "apply_rewrite_change",
    "category_image_url",
    "rewrite_product_keys",
    "store_urls",
    "url_fields",
]

URL_REWRITE_TABLE = "url_rewrite"
PRODUCT_ENTITY_TYPE = "product"
BASE_URL_PATH = "web/unsecure/base_url"
BASE_LINK_URL_PATH = "web/unsecure/base_link_url"
BASE_MEDIA_URL_PATH = "web/unsecure/base_media_url"
USE_STORE_CODE_PATH = "web/url/use_store"
BASE_URL_PLACEHOLDER = "{{unsecure_base_url}}"
# Magento_Store's config.xml defaults, relative to the base URL.
DEFAULT_LINK_URL = BASE_URL_PLACEHOLDER
DEFAULT_MEDIA_URL = f"{BASE_URL_PLACEHOLDER}media/"


def rewrite_product_keys(change: RowChange) -> list[str]:
    """The products a ``url_rewrite`` row belongs to, before and after the change."""
    rows = (row for row in (change.before, change.after) if row is not None)
    return sorted(
        {str(row["entity_id"]) for row in rows if row.get("entity_type") == PRODUCT_ENTITY_TYPE},
        key=int,
    )


def apply_rewrite_change(current: State, change: RowChange) -> None:
    """Fold a ``url_rewrite`` row into ``rewrites`` (by its id), in place on the caller's copy."""
    rewrites = dict(current.get("rewrites") or {})
    if change.before is not None:
        rewrites.pop(str(change.before["url_rewrite_id"]), None)
    row = change.after
    if row is not None and row.get("entity_type") == PRODUCT_ENTITY_TYPE:
        rewrites[str(row["url_rewrite_id"])] = {
            "entity_id": int(row["entity_id"]),
            "store_id": int(row["store_id"]),
            "request_path": row.get("request_path"),
            "target_path": row.get("target_path"),
            "redirect_type": int(row.get("redirect_type") or 0),
            "canonical": row.get("metadata") is None,
        }
    current["rewrites"] = rewrites


class StoreUrls:
    """A store view's base URLs (each ends as configured, normally with a slash)."""

    __slots__ = ("link", "media", "web")

    def __init__(self, web: str, link: str, media: str) -> None:
        self.web, self.link, self.media = web, link, media


def store_urls(config: Callable[[str], Any], store_code: str) -> StoreUrls:
    """The base URLs of a store view, from ``config(path)`` (its effective value)."""
    web = str(config(BASE_URL_PATH) or "")

    def resolved(path: str, default: str) -> str:
        return str(config(path) or default).replace(BASE_URL_PLACEHOLDER, web)

    link = resolved(BASE_LINK_URL_PATH, DEFAULT_LINK_URL)
    if str(config(USE_STORE_CODE_PATH) or "0") == "1":
        link = f"{link}{store_code}/"
    return StoreUrls(web, link, resolved(BASE_MEDIA_URL_PATH, DEFAULT_MEDIA_URL))


CATEGORY_MEDIA_PATH = "catalog/category"  # Magento_Catalog's Category\FileInfo::ENTITY_MEDIA_PATH
MEDIA_DIRECTORY_PREFIXES = ("pub/media/", "media/")  # a file named from the media directory


def category_image_url(file: Any, media_base: str) -> str | None:
    """A category's ``image`` value as the exporter's category ``Image`` provider makes it a
    URL: a bare file name lives in ``catalog/category``; a path from the media directory
    (``/media/…``, ``/pub/media/…``) is made relative to it; another absolute path is kept as
    stored. None (and an empty value) is no image."""
    if not file:
        return None
    name = str(file)
    base = media_base.rstrip("/")
    relative = name.lstrip("/")
    for prefix in MEDIA_DIRECTORY_PREFIXES:
        if relative.startswith(prefix):
            return f"{base}/{relative[len(prefix) :]}"
    if not name.startswith("/"):
        return f"{base}/{CATEGORY_MEDIA_PATH}/{name.rsplit('/', 1)[-1]}"
    return name


def url_fields(
    state: State, product_id: int, store_id: int, url_key: Any, urls: StoreUrls
) -> dict[str, Any]:
    """``url`` and ``urlRewrites`` of the product in one store view."""
    rows = sorted(
        (
            (int(rewrite_id), row)
            for rewrite_id, row in (state.get("rewrites") or {}).items()
            if row["entity_id"] == product_id and row["store_id"] == store_id
        ),
        key=lambda pair: pair[0],
    )
    canonical = next(
        (row for _, row in rows if row["redirect_type"] == 0 and row["canonical"]), None
    )
    path = (
        canonical["request_path"]
        if canonical is not None
        else f"catalog/product/view/id/{product_id}/s/{url_key if url_key is not None else ''}/"
    )
    return {
        "url": f"{urls.link}{path}",
        "urlRewrites": [
            {
                "url": f"{urls.web}{row['request_path']}",
                "parameters": _parameters(str(row["target_path"] or "")),
            }
            for _, row in rows
        ],
    }


def _parameters(target_path: str) -> list[dict[str, str]]:
    """The name/value pairs after a target path's route (``catalog/product/view``)."""
    parts = target_path.strip("/").split("/")
    return [{"name": parts[i], "value": parts[i + 1]} for i in range(3, len(parts) - 1, 2)]
