"""The expected custom-option fields of ``products`` items, read with set-based SQL.

As the exporter's ``Query\\CustomOptions`` and ``Query\\CustomOptionValues`` read them: an
option (or value) joined to its store-0 title (no store-0 title, not listed), each store
view of its product's websites taking its own title and its own price row where it has one,
else store 0's. Options and values in sort order, then id. Types field, area, file, date,
time and date_time go to ``shopperInputOptions``; drop_down, radio, checkbox and multiple,
with their values, to ``optionsV2``; a downloadable product's links follow there, in one
entry (``DownloadableLinkOptions``). Written apart from the stream workers' code
(feeds/custom_options.py, feeds/downloadable_links.py) on purpose.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = ["DownloadableLinkOptions", "ProductOptions"]

_SHOPPER_INPUT = ("field", "area", "file", "date", "time", "date_time")
_SELECTABLE = ("drop_down", "radio", "checkbox", "multiple")
_LINK_SAMPLE_PATH = "downloadable/download/linkSample/link_id/"  # the exporter's di.xml


def _uid(*ids: Any) -> str:
    return base64.b64encode("/".join(["custom-option", *map(str, ids)]).encode()).decode()


def _text(value: Any) -> str | None:
    """A DECIMAL column as its digits (the comparison reads numbers by value)."""
    return None if value is None else str(value)


@dataclass(frozen=True)
class ProductOptions:
    """The custom-option fields by (product, store view)."""

    fields_by_view: dict[tuple[int, int], dict[str, list[dict[str, Any]]]]

    @classmethod
    def read(cls, cursor: Cursor) -> ProductOptions:
        values = _values_by_view(cursor)
        cursor.execute(
            "SELECT o.product_id, s.store_id, o.option_id, o.type, o.is_require, o.sku, "
            "o.max_characters, o.file_extension, o.image_size_x, o.image_size_y, o.sort_order, "
            "COALESCE(st.title, dt.title), "
            "IF(sp.option_price_id IS NULL, dp.price, sp.price) "
            "FROM catalog_product_option o "
            "JOIN catalog_product_option_title dt ON dt.option_id = o.option_id "
            "AND dt.store_id = 0 "
            "JOIN catalog_product_website w ON w.product_id = o.product_id "
            "JOIN store s ON s.website_id = w.website_id AND s.store_id > 0 "
            "LEFT JOIN catalog_product_option_title st ON st.option_id = o.option_id "
            "AND st.store_id = s.store_id "
            "LEFT JOIN catalog_product_option_price dp ON dp.option_id = o.option_id "
            "AND dp.store_id = 0 "
            "LEFT JOIN catalog_product_option_price sp ON sp.option_id = o.option_id "
            "AND sp.store_id = s.store_id "
            "ORDER BY o.product_id, s.store_id, o.sort_order, o.option_id"
        )
        found: dict[tuple[int, int], dict[str, list[dict[str, Any]]]] = {}
        for row in cursor.fetchall():
            product_id, store_id, option_id, kind, required, sku = row[:6]
            max_characters, extension, size_x, size_y, sort_order, label, price = row[6:]
            view = found.setdefault(
                (int(product_id), int(store_id)), {"shopperInputOptions": [], "optionsV2": []}
            )
            if kind in _SHOPPER_INPUT:
                view["shopperInputOptions"].append(
                    {
                        "id": _uid(option_id),
                        "label": label,
                        "sortOrder": sort_order,
                        "required": bool(required),
                        "renderType": kind,
                        "price": _text(price),
                        "fileExtension": extension,
                        "sku": sku,
                        "range": {"from": None, "to": max_characters},
                        "imageSizeX": size_x,
                        "imageSizeY": size_y,
                    }
                )
            elif kind in _SELECTABLE:
                view["optionsV2"].append(
                    {
                        "id": str(option_id),
                        "label": label,
                        "sortOrder": sort_order,
                        "required": bool(required),
                        "renderType": kind,
                        "type": "custom_option",
                        "swatchType": None,
                        "values": values.get((int(option_id), int(store_id)), []),
                    }
                )
        return cls(found)

    def fields(self, entity_id: int, store_id: int) -> dict[str, list[dict[str, Any]]]:
        """shopperInputOptions and optionsV2 of the product in the store view."""
        found = self.fields_by_view.get((entity_id, store_id))
        return found or {"shopperInputOptions": [], "optionsV2": []}


def _values_by_view(cursor: Cursor) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """(option, store view) → its values with a store-0 title, in sort order then id."""
    cursor.execute(
        "SELECT v.option_id, s.store_id, v.option_type_id, v.sku, v.sort_order, "
        "COALESCE(st.title, dt.title), "
        "IF(sp.option_type_price_id IS NULL, dp.price, sp.price), "
        "IF(sp.option_type_price_id IS NULL, dp.price_type, sp.price_type) "
        "FROM catalog_product_option_type_value v "
        "JOIN catalog_product_option_type_title dt ON dt.option_type_id = v.option_type_id "
        "AND dt.store_id = 0 "
        "JOIN store s ON s.store_id > 0 "
        "LEFT JOIN catalog_product_option_type_title st "
        "ON st.option_type_id = v.option_type_id AND st.store_id = s.store_id "
        "LEFT JOIN catalog_product_option_type_price dp "
        "ON dp.option_type_id = v.option_type_id AND dp.store_id = 0 "
        "LEFT JOIN catalog_product_option_type_price sp "
        "ON sp.option_type_id = v.option_type_id AND sp.store_id = s.store_id "
        "ORDER BY v.option_id, s.store_id, v.sort_order, v.option_type_id"
    )
    values: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for option_id, store_id, value_id, sku, sort_order, label, price, kind in cursor.fetchall():
        values.setdefault((int(option_id), int(store_id)), []).append(
            {
                "id": _uid(option_id, value_id),
                "label": label,
                "sortOrder": sort_order,
                "isDefault": False,
                "colorHex": None,
                "imageUrl": None,
                "customSwatchValue": None,
                "qtyMutability": None,
                "qty": None,
                "infoUrl": None,
                "sku": sku,
                "price": _text(price),
                "priceType": kind,
            }
        )
    return values


@dataclass(frozen=True)
class DownloadableLinkOptions:
    """The downloadable-links entry of ``optionsV2``, as the exporter's
    ``ProductDownloadableLinksQuery`` reads it: every link of the product, the store view's
    title else store 0's, the store view's website's price else website 0's (of several rows
    for one website, the newest), in sort order, then id."""

    values_by_view: dict[tuple[int, int], list[dict[str, Any]]]

    @classmethod
    def read(cls, cursor: Cursor, web_base_urls: Mapping[int, str]) -> DownloadableLinkOptions:
        cursor.execute(
            "SELECT l.product_id, s.store_id, l.link_id, l.sort_order, l.number_of_downloads, "
            "IFNULL(l.sample_url, l.sample_file) IS NOT NULL, "
            "IFNULL(st.title, dt.title), IFNULL(sp.price, dp.price) "
            "FROM downloadable_link l "
            "JOIN catalog_product_website w ON w.product_id = l.product_id "
            "JOIN store s ON s.website_id = w.website_id AND s.store_id > 0 "
            "LEFT JOIN downloadable_link_title st ON st.link_id = l.link_id "
            "AND st.store_id = s.store_id "
            "LEFT JOIN downloadable_link_title dt ON dt.link_id = l.link_id AND dt.store_id = 0 "
            "LEFT JOIN downloadable_link_price sp ON sp.price_id = (SELECT MAX(n.price_id) "
            "FROM downloadable_link_price n "
            "WHERE n.link_id = l.link_id AND n.website_id = s.website_id) "
            "LEFT JOIN downloadable_link_price dp ON dp.price_id = (SELECT MAX(n.price_id) "
            "FROM downloadable_link_price n WHERE n.link_id = l.link_id AND n.website_id = 0) "
            "ORDER BY l.product_id, s.store_id, l.sort_order, l.link_id"
        )
        found: dict[tuple[int, int], list[dict[str, Any]]] = {}
        for row in cursor.fetchall():
            product_id, store_id, link_id, sort_order, downloads, sampled, label, price = row
            info = f"{web_base_urls[int(store_id)]}{_LINK_SAMPLE_PATH}{link_id}"
            found.setdefault((int(product_id), int(store_id)), []).append(
                {
                    "id": base64.b64encode(f"downloadable/{link_id}".encode()).decode(),
                    "label": label,
                    "sortOrder": sort_order,
                    "isDefault": None,
                    "colorHex": None,
                    "imageUrl": None,
                    "customSwatchValue": None,
                    "qtyMutability": None,
                    "qty": downloads or 0,
                    "infoUrl": info if sampled else None,
                    "sku": None,
                    "price": "0" if price is None else _text(price),  # upstream's (float) NULL
                    "priceType": None,
                }
            )
        return cls(found)

    def option(
        self, entity_id: int, type_id: str, store_id: int, links_title: Any
    ) -> list[dict[str, Any]]:
        """The product's entry in the store view: one for a downloadable, none otherwise."""
        if type_id != "downloadable":
            return []
        return [
            {
                "id": f"link:{entity_id}",
                "label": links_title,
                "sortOrder": None,
                "required": None,
                "renderType": None,
                "type": "downloadable",
                "swatchType": None,
                "values": self.values_by_view.get((entity_id, store_id), []),
            }
        ]
