"""Ids fixed by ``defaults.sql`` (Magento's install-time rows) that generated rows refer to.

Magento numbers entity types, attribute sets and attributes when it installs; defaults.sql
reproduces those numbers and the generator writes against them, so the two must agree (a unit
test compares them, and :func:`~connectors.magento.sample.load.load_sample` checks the database).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

CATEGORY_ENTITY_TYPE_ID: Final = 3
PRODUCT_ENTITY_TYPE_ID: Final = 4
CATEGORY_ATTRIBUTE_SET_ID: Final = 3
PRODUCT_ATTRIBUTE_SET_ID: Final = 4
ROOT_CATEGORY_ID: Final = 1
DEFAULT_CATEGORY_ID: Final = 2

#: Attribute ids that defaults.sql gives the standard attributes the generator writes values
#: for (Magento numbers attributes at install time; a unit test keeps the two files in step).
CATEGORY_ATTRIBUTE_IDS: Final[Mapping[str, int]] = {
    "name": 41,
    "is_active": 42,
    "description": 43,
    "image": 44,
    "meta_title": 45,
    "meta_keywords": 46,
    "display_mode": 48,
    "is_anchor": 50,
    "available_sort_by": 55,
    "default_sort_by": 56,
    "include_in_menu": 57,
    "custom_design_from": 59,
    "custom_design_to": 60,
    "filter_price_range": 65,
    "url_key": 66,
    "url_path": 67,
}
PRODUCT_ATTRIBUTE_IDS: Final[Mapping[str, int]] = {
    "name": 73,
    "description": 75,
    "short_description": 76,
    "price": 77,
    "special_price": 78,
    "special_from_date": 79,
    "special_to_date": 80,
    "cost": 81,
    "weight": 82,
    "manufacturer": 83,
    "meta_title": 84,
    "meta_keyword": 85,
    "meta_description": 86,
    "image": 87,
    "small_image": 88,
    "thumbnail": 89,
    "color": 92,
    "news_from_date": 93,
    "news_to_date": 94,
    "status": 95,
    "visibility": 96,
    "tax_class_id": 97,
    "url_key": 98,
    "country_of_manufacture": 100,
    "quantity_and_stock_status": 101,
}
#: Media attributes of defaults.sql that only the media step writes values for. Kept apart from
#: PRODUCT_ATTRIBUTE_IDS, whose order lays out the generated Apparel attribute set.
MEDIA_ATTRIBUTE_IDS: Final[Mapping[str, int]] = {
    "media_gallery": 90,
    "image_label": 102,
    "swatch_image": 110,
}
#: Magento_Downloadable's attribute of defaults.sql that the downloadable links step writes:
#: the heading of a downloadable product's links, per store view.
DOWNLOADABLE_ATTRIBUTE_IDS: Final[Mapping[str, int]] = {
    "links_title": 120,
    "links_purchased_separately": 121,
}

#: Magento_Bundle's attributes of defaults.sql, which only the bundle step writes values for.
BUNDLE_ATTRIBUTE_IDS: Final[Mapping[str, int]] = {
    "price_type": 125,
    "sku_type": 126,
    "weight_type": 127,
    "price_view": 128,
    "shipment_type": 129,
}

# Generated rows in tables that defaults.sql also fills start above the default ids, so loading
# never collides with (or renumbers) the default rows.
FIRST_USER_ATTRIBUTE_ID: Final = 200
FIRST_ENTITY_ATTRIBUTE_ID: Final = 1001
FIRST_CATEGORY_VALUE_ID: Final = 1001
FIRST_ATTRIBUTE_SET_ID: Final = 9
FIRST_ATTRIBUTE_GROUP_ID: Final = 16
FIRST_STOCK_LINK_ID: Final = 2

#: The second website's root category: the first category the generator creates.
SECOND_ROOT_CATEGORY_ID: Final = DEFAULT_CATEGORY_ID + 1

# Values of Magento's status, visibility and tax_class_id source models.
STATUS_ENABLED: Final = 1
STATUS_DISABLED: Final = 2
VISIBILITY_NOT_VISIBLE: Final = 1
VISIBILITY_SEARCH: Final = 3
VISIBILITY_BOTH: Final = 4
TAX_CLASS_TAXABLE_GOODS: Final = 2
