"""Swatches: how a storefront shows the options of the attributes configurables vary along.

Magento_Swatches keeps an attribute's swatch input type in ``catalog_eav_attribute``'s
``additional_data`` (a JSON object: ``swatch_input_type`` ``visual`` or ``text``) and one
swatch per option and store (``eav_attribute_option_swatch``: ``type`` 0 text, 1 visual
color, 2 visual image; its ``value`` the text, the ``#rrggbb`` color or the image's path
under the media directory's ``attribute/swatch``). Here color is a visual swatch attribute,
a hex color per option but one, which shows an image, and one store view's own color for
another; size is a text swatch attribute; material stays a plain drop-down (no swatch).

No draws: the rows follow from the attributes step alone, and are appended after every
other step's, so every row written before is the same with or without them. The attributes'
``additional_data`` is set by updates (color's row comes from defaults.sql).
"""

from __future__ import annotations

import json
from typing import Final

from connectors.magento.sample.attributes import Attributes
from connectors.magento.sample.context import Context, Seq
from connectors.magento.sample.scopes import Scopes

TEXT: Final = 0
VISUAL_COLOR: Final = 1
VISUAL_IMAGE: Final = 2

#: The hex color of each of vocabulary.COLORS, by its English name.
HEX: Final = {
    "Black": "#000000",
    "White": "#ffffff",
    "Red": "#d0021b",
    "Blue": "#1f5fbf",
    "Green": "#2e8b57",
    "Yellow": "#f5d90a",
    "Grey": "#8a8a8a",
    "Navy": "#1f2a44",
    "Pink": "#f4a7b9",
    "Purple": "#6a3d9a",
    "Orange": "#f58220",
    "Brown": "#7b4a2d",
}
IMAGE_COLOR: Final = "Brown"  # shown by an image of its fabric, not a color
IMAGE_PATH: Final = "/b/r/brown-tweed.png"
VIEW_COLOR: Final = ("Navy", "#000080")  # the first translating store view's own navy
VISUAL: Final = {
    "swatch_input_type": "visual",
    "update_product_preview_image": "1",
    "use_product_image_for_swatch": "0",
}
TEXTUAL: Final = {
    "swatch_input_type": "text",
    "update_product_preview_image": "0",
    "use_product_image_for_swatch": "0",
}


def add_swatches(ctx: Context, scopes: Scopes, attrs: Attributes) -> None:
    """Color as a visual swatch attribute, size as a text one, with a swatch per option."""
    rows = ctx.tables["eav_attribute_option_swatch"]
    swatch_id = Seq()
    color, size = attrs.ids["color"], attrs.ids["size"]
    for attribute_id, data in ((color, VISUAL), (size, TEXTUAL)):
        ctx.updates.append(
            (
                "UPDATE `catalog_eav_attribute` SET `additional_data` = %s "
                "WHERE `attribute_id` = %s",
                (json.dumps(data, separators=(",", ":")), attribute_id),
            )
        )
    for option_id in attrs.option_ids[color]:
        name = attrs.option_label[option_id]
        if name == IMAGE_COLOR:
            rows.add(swatch_id.next(), option_id, 0, VISUAL_IMAGE, IMAGE_PATH)
        else:
            rows.add(swatch_id.next(), option_id, 0, VISUAL_COLOR, HEX[name])
        if name == VIEW_COLOR[0] and scopes.locale_stores:
            store_id = scopes.locale_stores[0][0]
            rows.add(swatch_id.next(), option_id, store_id, VISUAL_COLOR, VIEW_COLOR[1])
    for option_id in attrs.option_ids[size]:
        rows.add(swatch_id.next(), option_id, 0, TEXT, attrs.option_label[option_id])
