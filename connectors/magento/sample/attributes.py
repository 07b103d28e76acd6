"""EAV metadata: user-defined product attributes, their options and labels, attribute sets.

Magento's standard attributes come from defaults.sql; this step adds what a merchant would
configure (size, material, pattern, free-text attributes), store labels in the fr/de views,
option lists for the select attributes, and an "Apparel" attribute set for configurable families.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from connectors.magento.sample.context import Context, Seq
from connectors.magento.sample.fixed_ids import (
    FIRST_ATTRIBUTE_GROUP_ID,
    FIRST_ATTRIBUTE_SET_ID,
    FIRST_ENTITY_ATTRIBUTE_ID,
    FIRST_USER_ATTRIBUTE_ID,
    MEDIA_ATTRIBUTE_IDS,
    PRODUCT_ATTRIBUTE_IDS,
    PRODUCT_ATTRIBUTE_SET_ID,
    PRODUCT_ENTITY_TYPE_ID,
)
from connectors.magento.sample.scopes import Scopes
from connectors.magento.sample.vocabulary import COLORS, MANUFACTURERS, MATERIALS, PATTERNS, SIZES

#: The product attribute set of the configurable families and their children.
APPAREL_SET_ID: Final = FIRST_ATTRIBUTE_SET_ID

_TABLE_SOURCE: Final = "Magento\\Eav\\Model\\Entity\\Attribute\\Source\\Table"

# (code, backend_type, frontend_input, labels en/fr/de, options)
_USER_DEFINED: Final[
    Sequence[tuple[str, str, str, tuple[str, str, str], Sequence[tuple[str, ...]]]]
] = (
    ("size", "int", "select", ("Size", "Taille", "Größe"), SIZES),
    ("material", "int", "select", ("Material", "Matière", "Material"), MATERIALS),
    ("pattern", "int", "select", ("Pattern", "Motif", "Muster"), PATTERNS),
    ("model_number", "varchar", "text", ("Model Number", "Référence", "Modellnummer"), ()),
    ("gtin", "varchar", "text", ("GTIN", "GTIN", "GTIN"), ()),
    (
        "care_instructions",
        "text",
        "textarea",
        ("Care Instructions", "Entretien", "Pflegehinweise"),
        (),
    ),
)

# Attribute groups of the Apparel set: (name, code, tab).
_APPAREL_GROUPS: Final = (
    ("Product Details", "product-details", "basic"),
    ("Content", "content", "basic"),
    ("Images", "image-management", "basic"),
    ("Search Engine Optimization", "search-engine-optimization", "basic"),
    ("Advanced Pricing", "advanced-pricing", "advanced"),
    ("Apparel Attributes", "apparel-attributes", "basic"),
)
# Where the standard attributes sit in the Apparel set; the rest go to "product-details".
_GROUP_OF: Final = {
    "description": "content",
    "short_description": "content",
    "image": "image-management",
    "small_image": "image-management",
    "thumbnail": "image-management",
    "meta_title": "search-engine-optimization",
    "meta_keyword": "search-engine-optimization",
    "meta_description": "search-engine-optimization",
    "url_key": "search-engine-optimization",
    "special_price": "advanced-pricing",
    "special_from_date": "advanced-pricing",
    "special_to_date": "advanced-pricing",
    "cost": "advanced-pricing",
}


@dataclass
class Attributes:
    """Product attribute ids by code, and the options and labels later steps refer to."""

    #: Attribute code -> id, the standard attributes of defaults.sql and the user-defined ones.
    ids: dict[str, int] = field(default_factory=lambda: dict(PRODUCT_ATTRIBUTE_IDS))
    #: Attribute id -> its option ids, in sort order.
    option_ids: dict[int, list[int]] = field(default_factory=dict)
    #: Option id -> admin (English) label.
    option_label: dict[int, str] = field(default_factory=dict)
    #: Attribute id -> admin (English) label, for the attributes with store labels.
    label: dict[int, str] = field(default_factory=dict)
    #: Attribute id -> (en, fr, de) labels.
    labels_i18n: dict[int, tuple[str, str, str]] = field(default_factory=dict)


def add_attributes(ctx: Context, scopes: Scopes) -> Attributes:
    """Write attributes, labels, options and attribute sets; return what the catalog needs."""
    attrs = Attributes()
    _user_defined(ctx, attrs)
    _labels(ctx, scopes, attrs)
    _options(ctx, scopes, attrs)
    _attribute_sets(ctx, attrs)
    return attrs


def _user_defined(ctx: Context, attrs: Attributes) -> None:
    t = ctx.tables
    attr_id = Seq(FIRST_USER_ATTRIBUTE_ID)
    for code, backend, frontend, labels, _opts in _USER_DEFINED:
        aid = attr_id.next()
        attrs.ids[code] = aid
        is_select = frontend == "select"
        source = _TABLE_SOURCE if is_select else None
        t["eav_attribute"].add(
            aid, PRODUCT_ENTITY_TYPE_ID, code, backend, frontend, labels[0], source, 0, 1, 0
        )
        # Selects are global and filterable (layered navigation); free text is per store.
        t["catalog_eav_attribute"].add(
            aid,
            1 if is_select or code == "gtin" else 0,
            1,
            1,
            int(is_select),
            1,
            1,
            0,
            int(is_select),
            int(is_select),
            0,
            1,
            0,
            int(is_select),
            1,
            1,
            int(is_select),
        )
        attrs.label[aid] = labels[0]


def _labels(ctx: Context, scopes: Scopes, attrs: Attributes) -> None:
    # Store labels for every user-defined attribute, plus color/manufacturer (which Magento
    # ships as user-defined without options).
    ids = attrs.ids
    labelled = [
        (ids["color"], ("Color", "Couleur", "Farbe")),
        (ids["manufacturer"], ("Manufacturer", "Fabricant", "Hersteller")),
    ]
    labelled += [(ids[c], lab) for c, _b, _f, lab, _o in _USER_DEFINED]
    attrs.label[ids["color"]] = "Color"
    attrs.label[ids["manufacturer"]] = "Manufacturer"
    label_id = Seq()
    for aid, labels in labelled:
        attrs.labels_i18n[aid] = labels
        for store_id, locale in scopes.locale_stores:
            value = labels[1] if locale == "fr" else labels[2]
            ctx.tables["eav_attribute_label"].add(label_id.next(), aid, store_id, value)


def _options(ctx: Context, scopes: Scopes, attrs: Attributes) -> None:
    # Options with an admin label (store 0) and translated labels in the fr/de store views;
    # other store views fall back to the admin label, as in Magento.
    t = ctx.tables
    ids = attrs.ids
    option_id = Seq()
    value_id = Seq()
    option_sets: list[tuple[int, Sequence[tuple[str, ...]]]] = [
        (ids["color"], COLORS),
        (ids["manufacturer"], MANUFACTURERS),
    ] + [(ids[c], opts) for c, _b, _f, _l, opts in _USER_DEFINED if opts]
    for aid, options in option_sets:
        option_ids: list[int] = []
        for sort_order, option in enumerate(options):
            oid = option_id.next()
            option_ids.append(oid)
            attrs.option_label[oid] = option[0]
            t["eav_attribute_option"].add(oid, aid, sort_order)
            t["eav_attribute_option_value"].add(value_id.next(), oid, 0, option[0])
            for store_id, locale in scopes.locale_stores:
                translated = option[1] if locale == "fr" else option[2]
                if translated != option[0]:
                    t["eav_attribute_option_value"].add(value_id.next(), oid, store_id, translated)
        attrs.option_ids[aid] = option_ids


def _attribute_sets(ctx: Context, attrs: Attributes) -> None:
    # A second product attribute set ("Apparel", used by the configurable families) with its
    # own groups, and a group for the user-defined attributes in the Default set.
    t = ctx.tables
    group_id = Seq(FIRST_ATTRIBUTE_GROUP_ID)
    t["eav_attribute_set"].add(APPAREL_SET_ID, PRODUCT_ENTITY_TYPE_ID, "Apparel", 3)
    default_extra = group_id.next()
    t["eav_attribute_group"].add(
        default_extra, PRODUCT_ATTRIBUTE_SET_ID, "Attributes", 60, 0, "attributes", "basic"
    )
    apparel_groups = {}
    for sort, (name, code, tab) in enumerate(_APPAREL_GROUPS, start=1):
        gid = group_id.next()
        apparel_groups[code] = gid
        t["eav_attribute_group"].add(
            gid, APPAREL_SET_ID, name, sort * 10, int(sort == 1), code, tab
        )
    ea_id = Seq(FIRST_ENTITY_ATTRIBUTE_ID)
    user_ids = [attrs.ids[c] for c, *_ in _USER_DEFINED]
    for sort, aid in enumerate(user_ids, start=1):
        t["eav_entity_attribute"].add(
            ea_id.next(),
            PRODUCT_ENTITY_TYPE_ID,
            PRODUCT_ATTRIBUTE_SET_ID,
            default_extra,
            aid,
            sort * 10,
        )
    # The Apparel set carries the standard attributes the generator uses plus the user ones.
    for sort, (code, aid) in enumerate(PRODUCT_ATTRIBUTE_IDS.items(), start=1):
        gid = apparel_groups[_GROUP_OF.get(code, "product-details")]
        t["eav_entity_attribute"].add(
            ea_id.next(), PRODUCT_ENTITY_TYPE_ID, APPAREL_SET_ID, gid, aid, sort * 10
        )
    for sort, aid in enumerate(user_ids, start=1):
        t["eav_entity_attribute"].add(
            ea_id.next(),
            PRODUCT_ENTITY_TYPE_ID,
            APPAREL_SET_ID,
            apparel_groups["apparel-attributes"],
            aid,
            sort * 10,
        )
    # Magento_Swatches puts swatch_image in the Images group of every set, at sort order 3.
    t["eav_entity_attribute"].add(
        ea_id.next(),
        PRODUCT_ENTITY_TYPE_ID,
        APPAREL_SET_ID,
        apparel_groups["image-management"],
        MEDIA_ATTRIBUTE_IDS["swatch_image"],
        3,
    )
