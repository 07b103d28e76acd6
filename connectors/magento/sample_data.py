"""Magento source schema and deterministic sample data for the local stack and the tests.

Two halves, kept apart so the generator can be tested without a database:

* :func:`generate` is pure: ``(profile, seed)`` -> rows for every table, built only from
  ``random.Random`` instances seeded from the seed and from a fixed epoch (never the clock), so
  the same seed always yields byte-identical rows.
* :func:`load_sample` writes those rows in bulk (``LOAD DATA LOCAL INFILE`` from temporary TSV
  files, or multi-row ``INSERT`` batches when the connection cannot send local files) in a single
  transaction, together with the marker row that :func:`loaded_profile` reads back.

:func:`apply_schema` creates the Magento tables (``schema.sql``) and Magento's fixed default rows
(``defaults.sql``); both are idempotent. The shapes mimic Magento's performance-toolkit profiles
(``medium`` is Adobe's sizing example); see :data:`PROFILES`.
"""

from __future__ import annotations

import json
import random
import re
import string
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pymysql

if TYPE_CHECKING:
    # The stubs make Connection generic; the runtime class is not subscriptable.
    Connection = pymysql.connections.Connection[Any]

SCHEMA_SQL: Final = Path(__file__).with_name("schema.sql")
DEFAULTS_SQL: Final = Path(__file__).with_name("defaults.sql")

SAMPLE_MARKER_TABLE: Final = "feedsync_sample_info"
_MARKER_DDL: Final = (
    f"CREATE TABLE IF NOT EXISTS `{SAMPLE_MARKER_TABLE}` ("
    "`id` TINYINT NOT NULL PRIMARY KEY, `profile` VARCHAR(32), `seed` INT, `loaded_at` DATETIME"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
)

#: Every generated date is relative to this instant (UTC), never to the wall clock.
EPOCH: Final = datetime(2026, 1, 1)

Value = str | int | None
Row = tuple[Value, ...]

# ---------------------------------------------------------------------------------------------
# Fixed ids shared with defaults.sql
# ---------------------------------------------------------------------------------------------

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

# Generated rows in tables that defaults.sql also fills start above the default ids, so loading
# never collides with (or renumbers) the default rows.
_FIRST_USER_ATTRIBUTE_ID: Final = 200
_FIRST_ENTITY_ATTRIBUTE_ID: Final = 1001
_FIRST_CATEGORY_VALUE_ID: Final = 1001
_FIRST_ATTRIBUTE_SET_ID: Final = 9
_FIRST_ATTRIBUTE_GROUP_ID: Final = 16
_FIRST_STOCK_LINK_ID: Final = 2

STATUS_ENABLED: Final = 1
STATUS_DISABLED: Final = 2
VISIBILITY_NOT_VISIBLE: Final = 1
VISIBILITY_SEARCH: Final = 3
VISIBILITY_BOTH: Final = 4
TAX_CLASS_TAXABLE_GOODS: Final = 2

# ---------------------------------------------------------------------------------------------
# Profiles
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """Size and shape of one sample data set.

    ``products`` counts every catalog_product_entity row: configurable parents, their children
    and the standalone simple/virtual products that make up the rest.
    """

    name: str
    products: int
    configurables: int
    children_per_configurable: int
    categories: int
    orders: int
    store_views: int
    extra_customer_groups: int
    stocks: int
    sources: int
    category_permissions: int

    def __post_init__(self) -> None:
        if self.configurables * (self.children_per_configurable + 1) >= self.products:
            msg = f"profile {self.name}: configurable families leave no standalone products"
            raise ValueError(msg)
        if not 3 <= self.store_views <= len(_STORE_SPECS):
            msg = f"profile {self.name}: store_views must be 3..{len(_STORE_SPECS)}"
            raise ValueError(msg)
        if not 1 <= self.extra_customer_groups <= len(_EXTRA_GROUPS):
            msg = f"profile {self.name}: extra_customer_groups must be 1..{len(_EXTRA_GROUPS)}"
            raise ValueError(msg)
        if not 2 <= self.stocks <= len(_STOCK_NAMES) + 1:
            msg = f"profile {self.name}: stocks must be 2..{len(_STOCK_NAMES) + 1}"
            raise ValueError(msg)
        if not self.stocks - 1 <= self.sources <= len(_SOURCE_SPECS):
            msg = f"profile {self.name}: sources must be {self.stocks - 1}..{len(_SOURCE_SPECS)}"
            raise ValueError(msg)
        if self.categories < 12:
            msg = f"profile {self.name}: at least 12 categories"
            raise ValueError(msg)
        if self.children_per_configurable > len(_COLORS) or self.children_per_configurable < 2:
            msg = f"profile {self.name}: children_per_configurable must be 2..{len(_COLORS)}"
            raise ValueError(msg)

    @property
    def children(self) -> int:
        """Simple products that belong to a configurable."""
        return self.configurables * self.children_per_configurable

    @property
    def standalone(self) -> int:
        """Simple and virtual products that belong to no configurable."""
        return self.products - self.configurables - self.children


# Store views, the first `store_views` of them (store 1 itself comes from defaults.sql):
# (store_id, code, website_id, group_id, name, locale)
_STORE_SPECS: Final = (
    (1, "default", 1, 1, "Default Store View", "en"),
    (2, "fr", 1, 1, "French Store View", "fr"),
    (3, "second_en", 2, 2, "Second Website English", "en"),
    (4, "second_de", 2, 2, "Second Website German", "de"),
)
_EXTRA_GROUPS: Final = ("VIP", "B2B Partner", "Employee", "Student")
_STOCK_NAMES: Final = ("EU Stock", "US Stock", "UK Stock", "Outlet Stock", "Marketplace Stock")
# (code, name, country, postcode, city, region_id, region, latitude, longitude)
_SOURCE_SPECS: Final = (
    ("eu_warehouse", "EU Warehouse", "DE", "10115", "Berlin", None, "Berlin", "52.532", "13.384"),
    (
        "us_east",
        "US East Warehouse",
        "US",
        "10001",
        "New York",
        43,
        "New York",
        "40.750",
        "-73.997",
    ),
    ("uk_store", "London Store", "GB", "EC1A 1BB", "London", None, None, "51.520", "-0.097"),
    ("outlet", "Outlet Warehouse", "NL", "1012 AB", "Amsterdam", None, None, "52.373", "4.893"),
    ("marketplace", "Marketplace Dropship", "FR", "75001", "Paris", None, None, "48.860", "2.341"),
    (
        "us_west",
        "US West Warehouse",
        "US",
        "94103",
        "San Francisco",
        12,
        "California",
        "37.773",
        "-122.411",
    ),
    ("de_store", "Munich Store", "DE", "80331", "Munich", None, "Bayern", "48.137", "11.575"),
)

# ---------------------------------------------------------------------------------------------
# Vocabulary (en, fr, de) for names and descriptions
# ---------------------------------------------------------------------------------------------

_COLORS: Final = (
    ("Black", "Noir", "Schwarz"),
    ("White", "Blanc", "Weiß"),
    ("Red", "Rouge", "Rot"),
    ("Blue", "Bleu", "Blau"),
    ("Green", "Vert", "Grün"),
    ("Yellow", "Jaune", "Gelb"),
    ("Grey", "Gris", "Grau"),
    ("Navy", "Marine", "Marineblau"),
    ("Pink", "Rose", "Rosa"),
    ("Purple", "Violet", "Lila"),
    ("Orange", "Orange", "Orange"),
    ("Brown", "Marron", "Braun"),
)
_SIZES: Final = (("XS",) * 3, ("S",) * 3, ("M",) * 3, ("L",) * 3, ("XL",) * 3, ("XXL",) * 3)
_MATERIALS: Final = (
    ("Cotton", "Coton", "Baumwolle"),
    ("Wool", "Laine", "Wolle"),
    ("Polyester", "Polyester", "Polyester"),
    ("Linen", "Lin", "Leinen"),
    ("Leather", "Cuir", "Leder"),
    ("Silk", "Soie", "Seide"),
)
_PATTERNS: Final = (
    ("Solid", "Uni", "Einfarbig"),
    ("Striped", "Rayé", "Gestreift"),
    ("Checked", "À carreaux", "Kariert"),
    ("Floral", "Fleuri", "Geblümt"),
)
_MANUFACTURERS: Final = tuple(
    (n, n, n)
    for n in (
        "Acme",
        "Northwind",
        "Contoso",
        "Fabrikam",
        "Globex",
        "Initech",
        "Umbrella",
        "Stark Apparel",
        "Wayne Textiles",
        "Tyrell Goods",
    )
)
_ADJECTIVES: Final = (
    ("Classic", "classique", "klassisch"),
    ("Modern", "moderne", "modern"),
    ("Vintage", "vintage", "vintage"),
    ("Essential", "essentiel", "einfach"),
    ("Premium", "premium", "hochwertig"),
    ("Urban", "urbain", "urban"),
    ("Sport", "sport", "sportlich"),
    ("Relaxed", "décontracté", "lässig"),
    ("Slim", "ajusté", "schmal"),
    ("Everyday", "quotidien", "alltäglich"),
)
_NOUNS: Final = (
    ("Shirt", "Chemise", "Hemd"),
    ("Jacket", "Veste", "Jacke"),
    ("Sweater", "Pull", "Pullover"),
    ("Dress", "Robe", "Kleid"),
    ("Trousers", "Pantalon", "Hose"),
    ("Hoodie", "Sweat", "Kapuzenpulli"),
    ("Scarf", "Écharpe", "Schal"),
    ("Backpack", "Sac à dos", "Rucksack"),
    ("Cap", "Casquette", "Mütze"),
    ("Sneakers", "Baskets", "Turnschuhe"),
    ("Tee", "T-shirt", "T-Shirt"),
    ("Skirt", "Jupe", "Rock"),
    ("Coat", "Manteau", "Mantel"),
    ("Shorts", "Short", "Shorts"),
    ("Belt", "Ceinture", "Gürtel"),
    ("Bag", "Sac", "Tasche"),
)
_VIRTUAL_NOUNS: Final = (
    ("Gift Card", "Carte cadeau", "Geschenkkarte"),
    ("Extended Warranty", "Garantie", "Garantie"),
    ("Membership", "Abonnement", "Mitgliedschaft"),
    ("Styling Session", "Séance", "Stilberatung"),
)
_SENTENCES: Final = (
    (
        "Made to last and easy to care for.",
        "Conçu pour durer et facile à entretenir.",
        "Langlebig und pflegeleicht.",
    ),
    (
        "A wardrobe staple for every season.",
        "Un indispensable pour chaque saison.",
        "Ein Basisteil für jede Saison.",
    ),
    (
        "Cut for comfort, styled for the city.",
        "Coupé pour le confort, pensé pour la ville.",
        "Bequem geschnitten, für die Stadt gemacht.",
    ),
    (
        "Responsibly sourced materials.",
        "Matières d'origine responsable.",
        "Verantwortungsvoll beschaffte Materialien.",
    ),
    ("Pairs well with everything.", "S'associe à tout.", "Passt zu allem."),
    ("Lightweight and breathable.", "Léger et respirant.", "Leicht und atmungsaktiv."),
)
_CATEGORY_WORDS: Final = (
    ("Women", "Femmes", "Damen"),
    ("Men", "Hommes", "Herren"),
    ("Kids", "Enfants", "Kinder"),
    ("Gear", "Équipement", "Ausrüstung"),
    ("Home", "Maison", "Wohnen"),
    ("Outdoor", "Plein air", "Outdoor"),
    ("Sale", "Soldes", "Sale"),
    ("New Arrivals", "Nouveautés", "Neuheiten"),
    ("Tops", "Hauts", "Oberteile"),
    ("Bottoms", "Bas", "Unterteile"),
    ("Accessories", "Accessoires", "Accessoires"),
    ("Shoes", "Chaussures", "Schuhe"),
    ("Bags", "Sacs", "Taschen"),
    ("Jackets", "Vestes", "Jacken"),
    ("Knitwear", "Maille", "Strick"),
    ("Basics", "Basiques", "Basics"),
    ("Running", "Course", "Laufen"),
    ("Yoga", "Yoga", "Yoga"),
    ("Travel", "Voyage", "Reisen"),
    ("Winter", "Hiver", "Winter"),
    ("Summer", "Été", "Sommer"),
    ("Denim", "Denim", "Denim"),
    ("Formal", "Habillé", "Elegant"),
    ("Lounge", "Détente", "Lounge"),
)
_FIRST_NAMES: Final = (
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "Lucas",
    "Mia",
    "Leon",
    "Sophie",
    "Hugo",
    "Lena",
    "Jules",
    "Chloé",
    "Felix",
    "Grace",
    "Oscar",
    "Nina",
    "Adam",
    "Clara",
    "Elias",
)
_LAST_NAMES: Final = (
    "Smith",
    "Johnson",
    "Martin",
    "Bernard",
    "Müller",
    "Schmidt",
    "Dubois",
    "Brown",
    "Garcia",
    "Weber",
    "Lefebvre",
    "Wilson",
    "Fischer",
    "Moreau",
    "Taylor",
    "Wagner",
    "Laurent",
    "Clark",
)
_STREETS: Final = (
    "Main Street",
    "Oak Avenue",
    "Market Street",
    "Hauptstraße",
    "Rue de la Paix",
    "High Street",
    "Elm Road",
    "Bahnhofstraße",
    "Avenue Victor Hugo",
    "Lake View Drive",
)
# country -> (city, postcode, region_id, region); US region ids are Magento's directory ids.
_CITIES: Final[Mapping[str, tuple[tuple[str, str, int | None, str | None], ...]]] = {
    "US": (
        ("Austin", "78701", 57, "Texas"),
        ("Los Angeles", "90012", 12, "California"),
        ("Brooklyn", "11201", 43, "New York"),
        ("Miami", "33130", 18, "Florida"),
        ("Seattle", "98101", 62, "Washington"),
        ("Chicago", "60601", 23, "Illinois"),
    ),
    "DE": (
        ("Berlin", "10115", None, "Berlin"),
        ("Hamburg", "20095", None, "Hamburg"),
        ("Köln", "50667", None, "Nordrhein-Westfalen"),
        ("München", "80331", None, "Bayern"),
    ),
    "FR": (
        ("Paris", "75002", None, None),
        ("Lyon", "69002", None, None),
        ("Marseille", "13001", None, None),
    ),
    "GB": (("London", "SW1A 1AA", None, None), ("Manchester", "M1 1AE", None, None)),
}
_CARRIERS: Final = (
    ("ups", "United Parcel Service"),
    ("fedex", "Federal Express"),
    ("usps", "United States Postal Service"),
    ("dhl", "DHL"),
)
_PAYMENT_TITLES: Final = {
    "checkmo": "Check / Money order",
    "banktransfer": "Bank Transfer Payment",
    "purchaseorder": "Purchase Order",
    "braintree": "Credit Card (Braintree)",
}
_CC_TYPES: Final = ("VI", "MC", "AE", "DI")


PROFILES: Final[dict[str, Profile]] = {
    # For fast integration tests: every shape present, a few hundred rows.
    "tiny": Profile(
        name="tiny",
        products=120,
        configurables=10,
        children_per_configurable=4,
        categories=15,
        orders=60,
        store_views=3,
        extra_customer_groups=2,
        stocks=2,
        sources=2,
        category_permissions=3,
    ),
    "small": Profile(
        name="small",
        products=1_000,
        configurables=100,
        children_per_configurable=4,
        categories=50,
        orders=500,
        store_views=4,
        extra_customer_groups=2,
        stocks=2,
        sources=2,
        category_permissions=4,
    ),
    # Adobe's sizing example: 10k products (1k configurables x 8 children), 2 websites,
    # 4 store views, 6 customer groups, 500 categories, 5 stocks, 10k orders.
    "medium": Profile(
        name="medium",
        products=10_000,
        configurables=1_000,
        children_per_configurable=8,
        categories=500,
        orders=10_000,
        store_views=4,
        extra_customer_groups=2,
        stocks=5,
        sources=6,
        category_permissions=6,
    ),
}

# ---------------------------------------------------------------------------------------------
# Generated data containers
# ---------------------------------------------------------------------------------------------


@dataclass
class Table:
    """Rows for one table, in load order; ``columns`` names each tuple position."""

    columns: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)

    def add(self, *values: Value) -> None:
        """Append one row (values in ``columns`` order)."""
        self.rows.append(values)


@dataclass
class SampleData:
    """Everything :func:`load_sample` writes: tables in foreign-key order, then updates."""

    profile: Profile
    seed: int
    tables: dict[str, Table]
    #: Parameterised statements run after the inserts (they touch rows of defaults.sql).
    updates: list[tuple[str, tuple[Value, ...]]]

    def counts(self) -> dict[str, int]:
        """Generated rows per table."""
        return {name: len(table.rows) for name, table in self.tables.items()}


def _cols(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Table -> columns written by the generator. The dict order is the load order (parents first).
_TABLE_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "store_website": _cols("website_id code name sort_order default_group_id is_default"),
    "store_group": _cols("group_id website_id name root_category_id default_store_id code"),
    "store": _cols("store_id code website_id group_id name sort_order is_active"),
    "customer_group": _cols("customer_group_id customer_group_code tax_class_id"),
    "eav_attribute_set": _cols("attribute_set_id entity_type_id attribute_set_name sort_order"),
    "eav_attribute_group": _cols(
        "attribute_group_id attribute_set_id attribute_group_name sort_order default_id "
        "attribute_group_code tab_group_code"
    ),
    "eav_attribute": _cols(
        "attribute_id entity_type_id attribute_code backend_type frontend_input frontend_label "
        "source_model is_required is_user_defined is_unique"
    ),
    "catalog_eav_attribute": _cols(
        "attribute_id is_global is_visible is_searchable is_filterable is_comparable "
        "is_visible_on_front is_html_allowed_on_front is_filterable_in_search "
        "used_in_product_listing used_for_sort_by is_visible_in_advanced_search position "
        "is_used_for_promo_rules is_used_in_grid is_visible_in_grid is_filterable_in_grid"
    ),
    "eav_entity_attribute": _cols(
        "entity_attribute_id entity_type_id attribute_set_id attribute_group_id attribute_id "
        "sort_order"
    ),
    "eav_attribute_label": _cols("attribute_label_id attribute_id store_id value"),
    "eav_attribute_option": _cols("option_id attribute_id sort_order"),
    "eav_attribute_option_value": _cols("value_id option_id store_id value"),
    "catalog_category_entity": _cols(
        "entity_id attribute_set_id parent_id created_at updated_at path position level "
        "children_count"
    ),
    "catalog_category_entity_datetime": _cols("value_id attribute_id store_id entity_id value"),
    "catalog_category_entity_decimal": _cols("value_id attribute_id store_id entity_id value"),
    "catalog_category_entity_int": _cols("value_id attribute_id store_id entity_id value"),
    "catalog_category_entity_text": _cols("value_id attribute_id store_id entity_id value"),
    "catalog_category_entity_varchar": _cols("value_id attribute_id store_id entity_id value"),
    "catalog_product_entity": _cols(
        "entity_id attribute_set_id type_id sku has_options required_options created_at updated_at"
    ),
    "catalog_product_entity_datetime": _cols("value_id attribute_id store_id entity_id value"),
    "catalog_product_entity_decimal": _cols("value_id attribute_id store_id entity_id value"),
    "catalog_product_entity_int": _cols("value_id attribute_id store_id entity_id value"),
    "catalog_product_entity_text": _cols("value_id attribute_id store_id entity_id value"),
    "catalog_product_entity_varchar": _cols("value_id attribute_id store_id entity_id value"),
    "catalog_product_website": _cols("product_id website_id"),
    "catalog_product_entity_tier_price": _cols(
        "value_id entity_id all_groups customer_group_id qty value website_id percentage_value"
    ),
    "catalog_product_relation": _cols("parent_id child_id"),
    "catalog_product_super_link": _cols("link_id product_id parent_id"),
    "catalog_product_super_attribute": _cols(
        "product_super_attribute_id product_id attribute_id position"
    ),
    "catalog_product_super_attribute_label": _cols(
        "value_id product_super_attribute_id store_id use_default value"
    ),
    "catalog_category_product": _cols("entity_id category_id product_id position"),
    "cataloginventory_stock_item": _cols(
        "item_id product_id stock_id qty is_in_stock manage_stock use_config_manage_stock "
        "low_stock_date stock_status_changed_auto website_id"
    ),
    "inventory_source": _cols(
        "source_code name enabled description latitude longitude country_id region_id region "
        "city street postcode contact_name email phone"
    ),
    "inventory_stock": _cols("stock_id name"),
    "inventory_source_stock_link": _cols("link_id stock_id source_code priority"),
    "inventory_stock_sales_channel": _cols("type code stock_id"),
    "inventory_source_item": _cols("source_item_id source_code sku quantity status"),
    "sales_order": _cols(
        "entity_id increment_id state status store_id store_name customer_id customer_group_id "
        "customer_is_guest customer_email customer_firstname customer_lastname quote_id "
        "billing_address_id shipping_address_id is_virtual base_currency_code "
        "order_currency_code store_currency_code global_currency_code base_to_global_rate "
        "base_to_order_rate subtotal base_subtotal subtotal_incl_tax tax_amount base_tax_amount "
        "discount_amount base_discount_amount shipping_amount base_shipping_amount "
        "shipping_tax_amount shipping_incl_tax grand_total base_grand_total total_qty_ordered "
        "total_item_count total_invoiced base_total_invoiced total_paid base_total_paid "
        "total_refunded base_total_refunded total_offline_refunded total_online_refunded "
        "total_canceled total_due weight shipping_method shipping_description coupon_code "
        "applied_rule_ids remote_ip customer_note created_at updated_at"
    ),
    "sales_order_item": _cols(
        "item_id order_id parent_item_id quote_item_id store_id created_at updated_at product_id "
        "product_type product_options weight is_virtual sku name applied_rule_ids qty_ordered "
        "qty_invoiced qty_shipped qty_refunded qty_canceled qty_backordered price base_price "
        "original_price base_original_price price_incl_tax base_price_incl_tax tax_percent "
        "tax_amount base_tax_amount discount_percent discount_amount base_discount_amount "
        "amount_refunded base_amount_refunded row_total base_row_total row_total_incl_tax "
        "base_row_total_incl_tax row_weight"
    ),
    "sales_order_address": _cols(
        "entity_id parent_id address_type customer_id customer_address_id firstname lastname "
        "company street city region region_id postcode country_id telephone email vat_id"
    ),
    "sales_order_payment": _cols(
        "entity_id parent_id method amount_ordered base_amount_ordered amount_authorized "
        "base_amount_authorized amount_paid base_amount_paid amount_refunded base_amount_refunded "
        "amount_canceled shipping_amount base_shipping_amount last_trans_id po_number cc_type "
        "cc_last_4 cc_exp_month cc_exp_year cc_owner additional_information"
    ),
    "sales_payment_transaction": _cols(
        "transaction_id parent_id order_id payment_id txn_id parent_txn_id txn_type is_closed "
        "created_at"
    ),
    "sales_invoice": _cols(
        "entity_id order_id increment_id store_id state grand_total base_grand_total subtotal "
        "base_subtotal subtotal_incl_tax tax_amount base_tax_amount shipping_amount "
        "base_shipping_amount shipping_incl_tax discount_amount base_discount_amount total_qty "
        "order_currency_code base_currency_code store_currency_code global_currency_code "
        "transaction_id billing_address_id shipping_address_id is_used_for_refund email_sent "
        "can_void_flag created_at updated_at"
    ),
    "sales_invoice_item": _cols(
        "entity_id parent_id order_item_id product_id sku name qty price base_price row_total "
        "base_row_total tax_amount base_tax_amount discount_amount base_discount_amount "
        "price_incl_tax base_price_incl_tax row_total_incl_tax base_row_total_incl_tax"
    ),
    "sales_shipment": _cols(
        "entity_id order_id increment_id store_id customer_id shipment_status total_qty "
        "total_weight shipping_address_id billing_address_id email_sent created_at updated_at"
    ),
    "sales_shipment_item": _cols(
        "entity_id parent_id order_item_id product_id sku name qty price weight row_total"
    ),
    "sales_shipment_track": _cols(
        "entity_id parent_id order_id carrier_code title track_number qty weight created_at "
        "updated_at"
    ),
    "sales_creditmemo": _cols(
        "entity_id order_id invoice_id increment_id store_id state creditmemo_status grand_total "
        "base_grand_total subtotal base_subtotal tax_amount base_tax_amount shipping_amount "
        "base_shipping_amount shipping_tax_amount discount_amount base_discount_amount "
        "adjustment base_adjustment adjustment_positive base_adjustment_positive "
        "adjustment_negative base_adjustment_negative order_currency_code base_currency_code "
        "store_currency_code global_currency_code transaction_id billing_address_id "
        "shipping_address_id created_at updated_at"
    ),
    "sales_creditmemo_item": _cols(
        "entity_id parent_id order_item_id product_id sku name qty price base_price row_total "
        "base_row_total tax_amount base_tax_amount discount_amount base_discount_amount "
        "price_incl_tax base_price_incl_tax row_total_incl_tax base_row_total_incl_tax"
    ),
    "inventory_reservation": _cols("reservation_id stock_id sku quantity metadata"),
    "magento_catalogpermissions": _cols(
        "permission_id category_id website_id customer_group_id grant_catalog_category_view "
        "grant_catalog_product_price grant_checkout_items"
    ),
}

# ---------------------------------------------------------------------------------------------
# Small pure helpers
# ---------------------------------------------------------------------------------------------


def _dec(units: int, scale_in: int, scale_out: int) -> str:
    """Exact decimal text for an integer count of 10**-scale_in (no float rounding)."""
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 10**scale_in)
    if scale_in == 0:
        return f"{sign}{whole}." + "0" * scale_out
    return f"{sign}{whole}.{frac:0{scale_in}d}" + "0" * (scale_out - scale_in)


def _money(cents: int) -> str:
    """Cents as a DECIMAL(20,4) literal."""
    return _dec(cents, 2, 4)


def _price6(cents: int) -> str:
    """Cents as a DECIMAL(20,6) literal (EAV and tier prices)."""
    return _dec(cents, 2, 6)


def _qty(units: int) -> str:
    return _dec(units, 0, 4)


def _weight(grams: int, scale: int = 4) -> str:
    return _dec(grams, 3, scale)


def _ts(moment: datetime) -> str:
    return moment.isoformat(" ")


def _pct_of(cents: int, basis_points: int) -> int:
    """Round-half-up share of an amount, in cents."""
    return (cents * basis_points + 5_000) // 10_000


_SLUG_STRIP: Final = re.compile(r"[^a-z0-9]+")
_ASCII_FOLD: Final = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "é": "e",
        "è": "e",
        "à": "a",
        "ç": "c",
        "É": "e",
        "ê": "e",
        "ô": "o",
        "û": "u",
        "î": "i",
    }
)


def _slug(text: str) -> str:
    return _SLUG_STRIP.sub("-", text.lower().translate(_ASCII_FOLD)).strip("-")


def _rng(seed: int, section: str) -> random.Random:
    # One generator per section, seeded from (seed, section): changing how one section draws
    # numbers leaves the others' rows unchanged. String seeds hash with SHA-512, so they do not
    # depend on PYTHONHASHSEED. Not for cryptography.
    return random.Random(f"feedsync:{seed}:{section}")  # noqa: S311


class _Seq:
    """Explicit, deterministic ids for one table."""

    __slots__ = ("value",)

    def __init__(self, first: int = 1) -> None:
        self.value = first - 1

    def next(self) -> int:
        self.value += 1
        return self.value


@dataclass(slots=True)
class _Product:
    entity_id: int
    sku: str
    type_id: str
    name: str
    attribute_set_id: int
    price: int  # cents in website 1 (0 for configurable parents, which carry no price)
    price_w2: int  # cents in website 2 (website-scope override or the same)
    grams: int
    websites: tuple[int, ...]
    parent_id: int | None = None
    child_ids: list[int] = field(default_factory=list)
    super_attributes: list[int] = field(default_factory=list)
    options: dict[int, int] = field(default_factory=dict)  # attribute id -> option id
    qty: int = 0


@dataclass(slots=True)
class _Category:
    entity_id: int
    parent_id: int
    path: str
    level: int
    position: int
    names: tuple[str, str, str]
    url_key: str
    url_path: str
    tree_root: int
    children_count: int = 0
    child_keys: set[str] = field(default_factory=set)


@dataclass(slots=True, eq=False)  # lines are compared by identity (`line in refunded`)
class _Line:
    product: _Product  # what the shopper picked: a standalone product or a configurable
    child: _Product | None  # the simple chosen for a configurable
    qty: int
    price: int
    discount: int
    tax: int
    item_id: int = 0
    child_item_id: int = 0


# ---------------------------------------------------------------------------------------------
# Generation (pure)
# ---------------------------------------------------------------------------------------------


def generate(profile: str | Profile, seed: int = 42) -> SampleData:
    """Build every sample row for ``profile`` from ``seed`` alone (no I/O, no clock).

    The same (profile, seed) always returns identical rows; ids are explicit, starting above the
    ids that defaults.sql uses. Raises KeyError for an unknown profile name.
    """
    spec = PROFILES[profile] if isinstance(profile, str) else profile
    return _Generator(spec, seed).run()


class _Generator:
    def __init__(self, profile: Profile, seed: int) -> None:
        self.p = profile
        self.seed = seed
        self.t = {name: Table(cols) for name, cols in _TABLE_COLUMNS.items()}
        self.updates: list[tuple[str, tuple[Value, ...]]] = []
        self.stores = list(_STORE_SPECS[: profile.store_views])
        self.store_ids_by_website: dict[int, list[int]] = {}
        for store_id, _code, website_id, *_ in self.stores:
            self.store_ids_by_website.setdefault(website_id, []).append(store_id)
        self.locale_stores = [(s[0], s[5]) for s in self.stores if s[5] != "en"]
        # English store views of the second website (they get marketing-name overrides).
        self.plain_w2_stores = [s[0] for s in self.stores if s[2] == 2 and s[5] == "en"]
        self.customer_groups = [0, 1, 2, 3] + [4 + i for i in range(profile.extra_customer_groups)]
        self.products: list[_Product] = []
        self.by_id: dict[int, _Product] = {}
        self.categories: list[_Category] = []
        self.second_root = 0
        self.attr: dict[str, int] = dict(PRODUCT_ATTRIBUTE_IDS)
        self.option_ids: dict[int, list[int]] = {}  # attribute id -> its option ids, in order
        self.option_label: dict[int, str] = {}  # option id -> admin (English) label
        self.attr_label: dict[int, str] = {}
        self.attr_labels_i18n: dict[int, tuple[str, str, str]] = {}
        self.apparel_set = _FIRST_ATTRIBUTE_SET_ID
        self.super_attribute_ids = _Seq()
        self.super_label_ids = _Seq()
        self.website_stock = {1: 1, 2: 2}

    def run(self) -> SampleData:
        self._scopes()
        self._attributes()
        self._categories()
        self._products()
        self._category_products()
        self._inventory()
        self._orders()
        self._permissions()
        tables = {name: table for name, table in self.t.items() if table.rows}
        for name, table in tables.items():
            width = len(table.columns)
            if any(len(row) != width for row in table.rows):
                msg = f"generator bug: a {name} row does not match its {width} columns"
                raise AssertionError(msg)
            if table.rows[0][0] is None:
                # EAV value rows, tier prices and super links are created with value_id None and
                # numbered here in generation order: dense, deterministic ids without threading a
                # counter through every call site.
                table.rows = [(i, *row[1:]) for i, row in enumerate(table.rows, start=1)]
        return SampleData(profile=self.p, seed=self.seed, tables=tables, updates=self.updates)

    # -- scopes ---------------------------------------------------------------------------------

    def _scopes(self) -> None:
        # A second website with its own store group and root category (created in _categories;
        # its id is fixed here as the first generated category id).
        self.second_root = DEFAULT_CATEGORY_ID + 1
        self.t["store_website"].add(2, "second", "Second Website", 1, 2, 0)
        self.t["store_group"].add(
            2, 2, "Second Website Store", self.second_root, 3, "second_website_store"
        )
        for store_id, code, website_id, group_id, name, _locale in self.stores[1:]:
            self.t["store"].add(store_id, code, website_id, group_id, name, store_id, 1)
        for i, code in enumerate(_EXTRA_GROUPS[: self.p.extra_customer_groups]):
            self.t["customer_group"].add(4 + i, code, 3)

    # -- EAV metadata ---------------------------------------------------------------------------

    def _attributes(self) -> None:
        t = self.t
        # (code, backend_type, frontend_input, labels en/fr/de, options)
        user_defined: list[tuple[str, str, str, tuple[str, str, str], Sequence[tuple[str, ...]]]]
        user_defined = [
            ("size", "int", "select", ("Size", "Taille", "Größe"), _SIZES),
            ("material", "int", "select", ("Material", "Matière", "Material"), _MATERIALS),
            ("pattern", "int", "select", ("Pattern", "Motif", "Muster"), _PATTERNS),
            ("model_number", "varchar", "text", ("Model Number", "Référence", "Modellnummer"), ()),
            ("gtin", "varchar", "text", ("GTIN", "GTIN", "GTIN"), ()),
            (
                "care_instructions",
                "text",
                "textarea",
                ("Care Instructions", "Entretien", "Pflegehinweise"),
                (),
            ),
        ]
        attr_id = _Seq(_FIRST_USER_ATTRIBUTE_ID)
        label_id = _Seq()
        for code, backend, frontend, labels, _opts in user_defined:
            aid = attr_id.next()
            self.attr[code] = aid
            source = (
                "Magento\\Eav\\Model\\Entity\\Attribute\\Source\\Table"
                if frontend == "select"
                else None
            )
            t["eav_attribute"].add(
                aid, PRODUCT_ENTITY_TYPE_ID, code, backend, frontend, labels[0], source, 0, 1, 0
            )
            is_select = frontend == "select"
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
            self.attr_label[aid] = labels[0]
        # Store labels for every user-defined attribute, plus color/manufacturer (which Magento
        # ships as user-defined without options).
        labelled = [
            (self.attr["color"], ("Color", "Couleur", "Farbe")),
            (self.attr["manufacturer"], ("Manufacturer", "Fabricant", "Hersteller")),
        ]
        labelled += [(self.attr[c], lab) for c, _b, _f, lab, _o in user_defined]
        self.attr_label[self.attr["color"]] = "Color"
        self.attr_label[self.attr["manufacturer"]] = "Manufacturer"
        for aid, labels in labelled:
            self.attr_labels_i18n[aid] = labels
            for store_id, locale in self.locale_stores:
                value = labels[1] if locale == "fr" else labels[2]
                t["eav_attribute_label"].add(label_id.next(), aid, store_id, value)
        # Options with an admin label (store 0) and translated labels in the fr/de store views;
        # other store views fall back to the admin label, as in Magento.
        option_id = _Seq()
        value_id = _Seq()
        option_sets: list[tuple[int, Sequence[tuple[str, ...]]]] = [
            (self.attr["color"], _COLORS),
            (self.attr["manufacturer"], _MANUFACTURERS),
        ] + [(self.attr[c], opts) for c, _b, _f, _l, opts in user_defined if opts]
        for aid, options in option_sets:
            ids: list[int] = []
            for sort_order, option in enumerate(options):
                oid = option_id.next()
                ids.append(oid)
                self.option_label[oid] = option[0]
                t["eav_attribute_option"].add(oid, aid, sort_order)
                t["eav_attribute_option_value"].add(value_id.next(), oid, 0, option[0])
                for store_id, locale in self.locale_stores:
                    translated = option[1] if locale == "fr" else option[2]
                    if translated != option[0]:
                        t["eav_attribute_option_value"].add(
                            value_id.next(), oid, store_id, translated
                        )
            self.option_ids[aid] = ids
        # A second product attribute set ("Apparel", used by the configurable families) with its
        # own groups, and a group for the user-defined attributes in the Default set.
        group_id = _Seq(_FIRST_ATTRIBUTE_GROUP_ID)
        apparel_set = self.apparel_set
        t["eav_attribute_set"].add(apparel_set, PRODUCT_ENTITY_TYPE_ID, "Apparel", 3)
        default_extra = group_id.next()
        t["eav_attribute_group"].add(
            default_extra, PRODUCT_ATTRIBUTE_SET_ID, "Attributes", 60, 0, "attributes", "basic"
        )
        apparel_groups = {}
        for sort, (name, code, tab) in enumerate(
            (
                ("Product Details", "product-details", "basic"),
                ("Content", "content", "basic"),
                ("Images", "image-management", "basic"),
                ("Search Engine Optimization", "search-engine-optimization", "basic"),
                ("Advanced Pricing", "advanced-pricing", "advanced"),
                ("Apparel Attributes", "apparel-attributes", "basic"),
            ),
            start=1,
        ):
            gid = group_id.next()
            apparel_groups[code] = gid
            t["eav_attribute_group"].add(
                gid, apparel_set, name, sort * 10, int(sort == 1), code, tab
            )
        ea_id = _Seq(_FIRST_ENTITY_ATTRIBUTE_ID)
        user_ids = [self.attr[c] for c, *_ in user_defined]
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
        group_of = {
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
        for sort, (code, aid) in enumerate(PRODUCT_ATTRIBUTE_IDS.items(), start=1):
            gid = apparel_groups[group_of.get(code, "product-details")]
            t["eav_entity_attribute"].add(
                ea_id.next(), PRODUCT_ENTITY_TYPE_ID, apparel_set, gid, aid, sort * 10
            )
        for sort, aid in enumerate(user_ids, start=1):
            t["eav_entity_attribute"].add(
                ea_id.next(),
                PRODUCT_ENTITY_TYPE_ID,
                apparel_set,
                apparel_groups["apparel-attributes"],
                aid,
                sort * 10,
            )

    # -- categories -----------------------------------------------------------------------------

    def _categories(self) -> None:
        rng = _rng(self.seed, "categories")
        ids = _Seq(self.second_root)
        total = self.p.categories  # generated categories, the second root included
        second_tree = max(3, round((total - 1) * 0.15))
        main_tree = total - 1 - second_tree
        root2 = _Category(
            DEFAULT_CATEGORY_ID,
            ROOT_CATEGORY_ID,
            "1/2",
            1,
            1,
            ("Default Category", "Default Category", "Default Category"),
            "",
            "",
            DEFAULT_CATEGORY_ID,
        )
        root3 = _Category(
            ids.next(),
            ROOT_CATEGORY_ID,
            f"1/{self.second_root}",
            1,
            2,
            ("Second Root", "Deuxième racine", "Zweite Wurzel"),
            "second-root",
            "",
            self.second_root,
        )
        self.categories.append(root3)
        created = EPOCH - timedelta(days=400)
        for root, count in ((root2, main_tree), (root3, second_tree)):
            nodes = [root]
            top_level = max(2, min(8, count // 12))
            for i in range(count):
                if i < top_level:
                    parent = root
                else:
                    # Any node up to four levels below the root may receive a child: early
                    # categories collect more children, as real trees do.
                    candidates = [n for n in nodes if n.level < root.level + 4]
                    parent = rng.choice(candidates)
                words = rng.choice(_CATEGORY_WORDS)
                key = _slug(words[0])
                suffix = 2
                names: tuple[str, str, str] = (words[0], words[1], words[2])
                while key in parent.child_keys:
                    # Sibling url keys must differ, or two categories would share a url_path
                    # (the categories feed identifies an item by urlPath + storeViewCode).
                    names = (f"{words[0]} {suffix}", f"{words[1]} {suffix}", f"{words[2]} {suffix}")
                    key = _slug(names[0])
                    suffix += 1
                parent.child_keys.add(key)
                cid = ids.next()
                position = len(parent.child_keys)
                url_path = f"{parent.url_path}/{key}" if parent.url_path else key
                node = _Category(
                    cid,
                    parent.entity_id,
                    f"{parent.path}/{cid}",
                    parent.level + 1,
                    position,
                    names,
                    key,
                    url_path,
                    root.entity_id,
                )
                nodes.append(node)
                self.categories.append(node)
        # children_count is the number of descendants (Magento increments it on every ancestor).
        by_id = {c.entity_id: c for c in self.categories}
        # Category 2 (from defaults.sql) is below root 1 too, hence the + 1.
        counts = {ROOT_CATEGORY_ID: len(self.categories) + 1, DEFAULT_CATEGORY_ID: main_tree}
        for c in self.categories:
            for ancestor in c.path.split("/")[1:-1]:
                if int(ancestor) in by_id:
                    by_id[int(ancestor)].children_count += 1
        fixed = _ts(created)
        for cid, count in counts.items():
            # Explicit updated_at: otherwise ON UPDATE CURRENT_TIMESTAMP would stamp the clock.
            self.updates.append(
                (
                    "UPDATE `catalog_category_entity` SET `children_count` = %s, `updated_at` = %s "
                    "WHERE `entity_id` = %s",
                    (count, fixed, cid),
                )
            )
        self._category_rows(rng, created)

    def _category_rows(self, rng: random.Random, created: datetime) -> None:
        t = self.t
        a = CATEGORY_ATTRIBUTE_IDS
        varchar, integer, text = (
            t["catalog_category_entity_varchar"],
            t["catalog_category_entity_int"],
            t["catalog_category_entity_text"],
        )
        decimal, dtime = t["catalog_category_entity_decimal"], t["catalog_category_entity_datetime"]
        vid = {name: _Seq(_FIRST_CATEGORY_VALUE_ID) for name in ("v", "i", "t", "d", "dt")}
        for c in self.categories:
            stamp = created + timedelta(minutes=c.entity_id)
            updated = stamp + timedelta(days=rng.randint(0, 300))
            t["catalog_category_entity"].add(
                c.entity_id,
                CATEGORY_ATTRIBUTE_SET_ID,
                c.parent_id,
                _ts(stamp),
                _ts(updated),
                c.path,
                c.position,
                c.level,
                c.children_count,
            )
            eid = c.entity_id
            varchar.add(vid["v"].next(), a["name"], 0, eid, c.names[0])
            integer.add(
                vid["i"].next(), a["is_active"], 0, eid, int(c.level == 1 or rng.random() < 0.95)
            )
            integer.add(vid["i"].next(), a["include_in_menu"], 0, eid, int(rng.random() < 0.9))
            integer.add(vid["i"].next(), a["is_anchor"], 0, eid, int(rng.random() < 0.8))
            if c.level == 1:
                continue  # a store root has no URL of its own
            varchar.add(vid["v"].next(), a["url_key"], 0, eid, c.url_key)
            varchar.add(vid["v"].next(), a["url_path"], 0, eid, c.url_path)
            varchar.add(
                vid["v"].next(),
                a["display_mode"],
                0,
                eid,
                rng.choice(("PRODUCTS", "PRODUCTS", "PRODUCTS_AND_PAGE")),
            )
            if rng.random() < 0.2:
                varchar.add(vid["v"].next(), a["meta_title"], 0, eid, f"{c.names[0]} | Shop")
            if rng.random() < 0.1:
                varchar.add(vid["v"].next(), a["image"], 0, eid, f"category-{eid}.jpg")
            if rng.random() < 0.1:
                varchar.add(vid["v"].next(), a["default_sort_by"], 0, eid, "price")
                text.add(vid["t"].next(), a["available_sort_by"], 0, eid, "position,name,price")
            # Store-view overrides: translated names in the French/German views.
            for store_id, locale in self.locale_stores:
                if rng.random() < 0.6:
                    name = c.names[1] if locale == "fr" else c.names[2]
                    varchar.add(vid["v"].next(), a["name"], store_id, eid, name)
            if rng.random() < 0.3:
                sentence = rng.choice(_SENTENCES)
                text.add(
                    vid["t"].next(), a["description"], 0, eid, f"<p>{c.names[0]}: {sentence[0]}</p>"
                )
                for store_id, locale in self.locale_stores:
                    if rng.random() < 0.4:
                        local = sentence[1] if locale == "fr" else sentence[2]
                        name = c.names[1] if locale == "fr" else c.names[2]
                        text.add(
                            vid["t"].next(),
                            a["description"],
                            store_id,
                            eid,
                            f"<p>{name}: {local}</p>",
                        )
            if rng.random() < 0.1:
                text.add(
                    vid["t"].next(), a["meta_keywords"], 0, eid, f"{c.names[0].lower()}, shop, sale"
                )
            if rng.random() < 0.1:
                decimal.add(
                    vid["d"].next(),
                    a["filter_price_range"],
                    0,
                    eid,
                    _price6(rng.choice((1000, 2500, 5000))),
                )
            if rng.random() < 0.05:
                start = EPOCH + timedelta(days=rng.randint(-60, 30))
                dtime.add(vid["dt"].next(), a["custom_design_from"], 0, eid, _ts(start))
                dtime.add(
                    vid["dt"].next(), a["custom_design_to"], 0, eid, _ts(start + timedelta(days=30))
                )

    # -- products -------------------------------------------------------------------------------

    def _products(self) -> None:
        rng = _rng(self.seed, "products")
        p = self.p
        ids = _Seq()
        a = self.attr
        created0 = EPOCH - timedelta(days=365)
        standalone_virtual = max(1, p.standalone // 20)
        # Standalone simple and virtual products first, then each configurable followed by its
        # children (ids therefore stay grouped per family).
        for i in range(p.standalone):
            virtual = i >= p.standalone - standalone_virtual
            eid = ids.next()
            adjective, noun = (
                rng.choice(_ADJECTIVES),
                rng.choice(_VIRTUAL_NOUNS if virtual else _NOUNS),
            )
            material = rng.choice(_MATERIALS)
            name = (
                f"{adjective[0]} {noun[0]}"
                if virtual
                else f"{adjective[0]} {material[0]} {noun[0]}"
            )
            roll = rng.random()
            websites = (1,) if roll < 0.45 else (1, 2) if roll < 0.95 else (2,)
            price = rng.randint(5, 300) * 100 + rng.choice((0, 49, 95, 99))
            prod = _Product(
                eid,
                f"{'VRT' if virtual else 'SKU'}-{eid:06d}",
                "virtual" if virtual else "simple",
                name,
                PRODUCT_ATTRIBUTE_SET_ID,
                price,
                price,
                0 if virtual else rng.randint(100, 3000),
                websites,
            )
            if not virtual:
                prod.options[a["manufacturer"]] = rng.choice(self.option_ids[a["manufacturer"]])
                if rng.random() < 0.6:
                    prod.options[a["color"]] = rng.choice(self.option_ids[a["color"]])
                if rng.random() < 0.4:
                    prod.options[a["material"]] = self.option_ids[a["material"]][
                        _MATERIALS.index(material)
                    ]
                if rng.random() < 0.3:
                    prod.options[a["pattern"]] = rng.choice(self.option_ids[a["pattern"]])
            self._add_product(prod, (adjective, noun, material), rng, created0)
        for _ in range(p.configurables):
            self._configurable(ids, rng, created0)

    def _category_products(self) -> None:
        rng = _rng(self.seed, "category_products")
        main = [c for c in self.categories if c.tree_root == DEFAULT_CATEGORY_ID]
        second = [c for c in self.categories if c.tree_root == self.second_root and c.level > 1]
        ids = _Seq()
        positions: dict[int, int] = {}
        links = self.t["catalog_category_product"]
        for prod in self.products:
            if prod.parent_id is not None:
                continue  # children are reached through their configurable
            chosen: list[_Category] = []
            if 1 in prod.websites:
                chosen += rng.sample(main, rng.randint(1, 3))
            if 2 in prod.websites:
                chosen += rng.sample(second, rng.randint(1, 2))
            for c in chosen:
                positions[c.entity_id] = positions.get(c.entity_id, 0) + 1
                links.add(ids.next(), c.entity_id, prod.entity_id, positions[c.entity_id])

    def _configurable(self, ids: _Seq, rng: random.Random, created0: datetime) -> None:
        a = self.attr
        k = self.p.children_per_configurable
        adjective, noun, material = (
            rng.choice(_ADJECTIVES),
            rng.choice(_NOUNS),
            rng.choice(_MATERIALS),
        )
        # Axes: color x size when k factors over the option lists, else a single axis.
        pairs = [
            (c, k // c)
            for c in range(2, k)
            if k % c == 0 and c <= len(_COLORS) and k // c <= len(_SIZES)
        ]
        axes: list[tuple[int, list[int]]]
        if pairs and rng.random() < 0.75:
            n_colors, n_sizes = rng.choice(pairs)
            second = a["size"] if rng.random() < 0.8 or n_sizes > len(_MATERIALS) else a["material"]
            axes = [
                (a["color"], rng.sample(self.option_ids[a["color"]], n_colors)),
                (second, self.option_ids[second][:n_sizes]),
            ]
        elif k <= len(_SIZES) and rng.random() < 0.5:
            axes = [(a["size"], self.option_ids[a["size"]][:k])]
        else:
            axes = [(a["color"], rng.sample(self.option_ids[a["color"]], k))]
        websites = (1,) if rng.random() < 0.5 else (1, 2)
        eid = ids.next()
        name = f"{adjective[0]} {material[0]} {noun[0]}"
        parent = _Product(
            eid, f"CFG-{eid:06d}", "configurable", name, self.apparel_set, 0, 0, 0, websites
        )
        parent.options[a["manufacturer"]] = rng.choice(self.option_ids[a["manufacturer"]])
        parent.super_attributes = [aid for aid, _ in axes]
        base_price = rng.randint(15, 250) * 100 + rng.choice((0, 95, 99))
        combos: list[list[tuple[int, int]]] = [[]]
        for aid, options in axes:
            combos = [[*combo, (aid, oid)] for combo in combos for oid in options]
        self._add_product(parent, (adjective, noun, material), rng, created0)
        for position, aid in enumerate(parent.super_attributes):
            super_id = self.super_attribute_ids.next()
            self.t["catalog_product_super_attribute"].add(super_id, eid, aid, position)
            labels = self.attr_labels_i18n[aid]
            self.t["catalog_product_super_attribute_label"].add(
                self.super_label_ids.next(), super_id, 0, 0, labels[0]
            )
            for store_id, locale in self.locale_stores:
                if rng.random() < 0.1:
                    self.t["catalog_product_super_attribute_label"].add(
                        self.super_label_ids.next(),
                        super_id,
                        store_id,
                        0,
                        labels[1] if locale == "fr" else labels[2],
                    )
        for combo in combos:
            cid = ids.next()
            values = [self.option_label[oid] for _aid, oid in combo]
            price = base_price + rng.choice((0, 0, 0, 500, 1000))
            child = _Product(
                cid,
                f"{parent.sku}-{'-'.join(_slug(x) for x in values)}",
                "simple",
                f"{name}-{'-'.join(values)}",
                self.apparel_set,
                price,
                price,
                rng.randint(150, 1500),
                websites,
                parent_id=eid,
            )
            child.options = dict(combo)
            child.options[a["manufacturer"]] = parent.options[a["manufacturer"]]
            parent.child_ids.append(cid)
            self._add_product(child, (adjective, noun, material), rng, created0)

    def _add_product(
        self,
        prod: _Product,
        words: tuple[tuple[str, ...], ...],
        rng: random.Random,
        created0: datetime,
    ) -> None:
        """Entity row, EAV values, websites, tier prices and relations of one product."""
        t = self.t
        a = self.attr
        eid = prod.entity_id
        self.products.append(prod)
        self.by_id[eid] = prod
        created = created0 + timedelta(minutes=eid * 7 % 500_000)
        updated = created + timedelta(days=rng.randint(0, 200), seconds=rng.randint(0, 86_399))
        is_config = prod.type_id == "configurable"
        is_child = prod.parent_id is not None
        visible = not is_child
        t["catalog_product_entity"].add(
            eid,
            prod.attribute_set_id,
            prod.type_id,
            prod.sku,
            int(is_config),
            int(is_config),
            _ts(created),
            _ts(min(updated, EPOCH)),
        )
        for website_id in prod.websites:
            t["catalog_product_website"].add(eid, website_id)
        adjective, noun, material = words
        varchar = t["catalog_product_entity_varchar"]
        integer = t["catalog_product_entity_int"]
        decimal = t["catalog_product_entity_decimal"]
        text = t["catalog_product_entity_text"]
        dtime = t["catalog_product_entity_datetime"]
        # Store 0 (admin/default) values.
        url_key = f"{_slug(prod.name)}-{eid}"
        varchar.add(None, a["name"], 0, eid, prod.name)
        varchar.add(None, a["url_key"], 0, eid, url_key)
        if rng.random() < 0.8:
            image = f"/{prod.sku[0].lower()}/{prod.sku[1].lower()}/{url_key}.jpg"
            for code in ("image", "small_image", "thumbnail"):
                varchar.add(None, a[code], 0, eid, image)
        if visible and rng.random() < 0.5:
            varchar.add(None, a["meta_title"], 0, eid, f"Buy {prod.name}")
        if visible and rng.random() < 0.3:
            varchar.add(
                None, a["meta_description"], 0, eid, f"{prod.name} - {rng.choice(_SENTENCES)[0]}"
            )
        if prod.type_id != "virtual" and rng.random() < 0.4:
            varchar.add(
                None,
                a["country_of_manufacture"],
                0,
                eid,
                rng.choice(("CN", "PT", "IT", "VN", "TR", "US", "DE")),
            )
        if rng.random() < 0.6:
            varchar.add(None, a["model_number"], 0, eid, f"M{rng.randint(10_000, 99_999)}")
        if not is_config and prod.type_id != "virtual" and rng.random() < 0.5:
            varchar.add(None, a["gtin"], 0, eid, f"{rng.randint(10**12, 10**13 - 1)}")
        # Store-view overrides: translated names (and url keys) in the French/German views, a
        # marketing name in the second website's English view.
        for store_id, locale in self.locale_stores:
            if rng.random() < (0.4 if visible else 0.25):
                idx = 1 if locale == "fr" else 2
                local = (
                    f"{noun[idx]} {adjective[idx]}"
                    if prod.type_id == "virtual"
                    else f"{noun[idx]} {adjective[idx]}, {material[idx]}"
                )
                if is_child:
                    local += " " + " ".join(
                        self.option_label[o]
                        for at, o in prod.options.items()
                        if at in (a["color"], a["size"], a["material"])
                    )
                varchar.add(None, a["name"], store_id, eid, local)
                varchar.add(None, a["url_key"], store_id, eid, f"{_slug(local)}-{eid}")
        for store_id in self.plain_w2_stores:
            if visible and rng.random() < 0.2:
                varchar.add(None, a["name"], store_id, eid, f"{prod.name} Edition")
        # Integers: status/visibility/tax class, option values.
        integer.add(
            None, a["status"], 0, eid, STATUS_DISABLED if rng.random() < 0.03 else STATUS_ENABLED
        )
        integer.add(
            None, a["visibility"], 0, eid, VISIBILITY_BOTH if visible else VISIBILITY_NOT_VISIBLE
        )
        integer.add(
            None,
            a["tax_class_id"],
            0,
            eid,
            0 if prod.type_id == "virtual" else TAX_CLASS_TAXABLE_GOODS,
        )
        if not is_config:
            integer.add(None, a["quantity_and_stock_status"], 0, eid, 1)
        for aid, oid in prod.options.items():
            integer.add(None, aid, 0, eid, oid)
        if 2 in prod.websites and rng.random() < 0.03:
            # Disabled in the second website only: a website-scope value is written for every
            # store view of that website.
            for store_id in self.store_ids_by_website.get(2, []):
                integer.add(None, a["status"], store_id, eid, STATUS_DISABLED)
        if visible and self.locale_stores and rng.random() < 0.02:
            integer.add(None, a["visibility"], self.locale_stores[0][0], eid, VISIBILITY_SEARCH)
        # Decimals: prices (website scope), weight, cost; special prices with windows.
        if not is_config:
            decimal.add(None, a["price"], 0, eid, _price6(prod.price))
            if prod.type_id != "virtual":
                decimal.add(None, a["weight"], 0, eid, _weight(prod.grams, 6))
            if rng.random() < 0.3:
                decimal.add(None, a["cost"], 0, eid, _price6(prod.price * 55 // 100))
            if 2 in prod.websites and rng.random() < 0.25:
                prod.price_w2 = prod.price * rng.choice((90, 105, 110, 120)) // 100
                for store_id in self.store_ids_by_website.get(2, []):
                    decimal.add(None, a["price"], store_id, eid, _price6(prod.price_w2))
            if rng.random() < 0.15:
                special = prod.price * rng.choice((60, 70, 75, 80, 90)) // 100
                decimal.add(None, a["special_price"], 0, eid, _price6(special))
                window = rng.choice(("past", "current", "current", "future", "open"))
                start = {"past": -60, "current": -10, "future": 30, "open": -5}[window]
                dtime.add(None, a["special_from_date"], 0, eid, _ts(EPOCH + timedelta(days=start)))
                if window != "open":
                    dtime.add(
                        None, a["special_to_date"], 0, eid, _ts(EPOCH + timedelta(days=start + 30))
                    )
            self._tier_prices(prod, rng)
        if visible and rng.random() < 0.1:
            news = EPOCH - timedelta(days=rng.randint(0, 60))
            dtime.add(None, a["news_from_date"], 0, eid, _ts(news))
            dtime.add(None, a["news_to_date"], 0, eid, _ts(news + timedelta(days=45)))
        # Texts: descriptions for the products shoppers see, with translations.
        if visible:
            sentence = rng.choice(_SENTENCES)
            text.add(
                None,
                a["description"],
                0,
                eid,
                f"<p>{prod.name}. {sentence[0]} {rng.choice(_SENTENCES)[0]}</p>",
            )
            text.add(None, a["short_description"], 0, eid, f"<p>{sentence[0]}</p>")
            for store_id, locale in self.locale_stores:
                if rng.random() < 0.25:
                    idx = 1 if locale == "fr" else 2
                    text.add(
                        None,
                        a["description"],
                        store_id,
                        eid,
                        f"<p>{noun[idx]}: {sentence[idx]}</p>",
                    )
            if rng.random() < 0.2:
                text.add(
                    None,
                    a["meta_keyword"],
                    0,
                    eid,
                    f"{noun[0].lower()}, {material[0].lower()}, {adjective[0].lower()}",
                )
            if prod.type_id != "virtual" and rng.random() < 0.2:
                text.add(
                    None,
                    a["care_instructions"],
                    0,
                    eid,
                    f"Machine wash cold.\nDo not tumble dry.\n{material[0]} blend.",
                )
        if is_child and prod.parent_id is not None:
            t["catalog_product_relation"].add(prod.parent_id, eid)
            t["catalog_product_super_link"].add(None, eid, prod.parent_id)

    def _tier_prices(self, prod: _Product, rng: random.Random) -> None:
        if rng.random() >= 0.1:
            return
        tier = self.t["catalog_product_entity_tier_price"]
        price = prod.price
        # All groups, all websites (website 0): buy 5+, pay 90%.
        tier.add(None, prod.entity_id, 1, 0, _qty(5), _price6(price * 90 // 100), 0, None)
        # Wholesale (group 2) on every website from qty 1.
        tier.add(None, prod.entity_id, 0, 2, _qty(1), _price6(price * 80 // 100), 0, None)
        if rng.random() < 0.5:
            # A percentage discount for an extra group in the main website.
            tier.add(
                None, prod.entity_id, 0, self.customer_groups[-1], _qty(10), _price6(0), 1, "15.00"
            )
        if 2 in prod.websites and rng.random() < 0.5:
            tier.add(
                None, prod.entity_id, 1, 0, _qty(3), _price6(prod.price_w2 * 95 // 100), 2, None
            )

    # -- stock ----------------------------------------------------------------------------------

    def _inventory(self) -> None:
        rng = _rng(self.seed, "inventory")
        t = self.t
        p = self.p
        sources = _SOURCE_SPECS[: p.sources]
        for code, name, country, postcode, city, region_id, region, lat, lon in sources:
            t["inventory_source"].add(
                code,
                name,
                1,
                f"{name} ({city})",
                lat,
                lon,
                country,
                region_id,
                region,
                city,
                f"{rng.randint(1, 200)} Depot Road",
                postcode,
                "Warehouse Manager",
                f"{code}@example.com",
                f"+1-555-{rng.randint(1000, 9999)}",
            )
        stock_ids = list(range(2, p.stocks + 1))
        for stock_id in stock_ids:
            t["inventory_stock"].add(stock_id, _STOCK_NAMES[stock_id - 2])
        link_id = _Seq(_FIRST_STOCK_LINK_ID)
        stock_sources: dict[int, list[str]] = {s: [] for s in stock_ids}
        for i, spec in enumerate(sources):
            stock_id = stock_ids[i % len(stock_ids)]
            stock_sources[stock_id].append(spec[0])
            t["inventory_source_stock_link"].add(
                link_id.next(), stock_id, spec[0], len(stock_sources[stock_id])
            )
        # The second website sells from stock 2 (the base website keeps the default stock 1);
        # further stocks exist without a sales channel, as they may in Magento.
        t["inventory_stock_sales_channel"].add("website", "second", 2)
        item_id = _Seq()
        source_item_id = _Seq()
        for prod in self.products:
            physical = prod.type_id != "configurable"
            if physical:
                prod.qty = 0 if rng.random() < 0.08 else rng.randint(1, 500)
            in_stock = int(prod.qty > 0 or not physical)
            low_stock = _ts(EPOCH - timedelta(days=rng.randint(1, 90))) if not in_stock else None
            t["cataloginventory_stock_item"].add(
                item_id.next(),
                prod.entity_id,
                1,
                _qty(prod.qty),
                in_stock,
                1,
                1,
                low_stock,
                int(not in_stock),
                0,
            )
            if not physical:
                continue  # MSI keeps no source items for composite products
            # The legacy stock item mirrors the default source.
            t["inventory_source_item"].add(
                source_item_id.next(), "default", prod.sku, _qty(prod.qty), int(prod.qty > 0)
            )
            for stock_id, codes in stock_sources.items():
                share = 0.7 if stock_id == 2 and 2 in prod.websites else 0.25
                for code in codes:
                    if rng.random() < share:
                        qty = 0 if rng.random() < 0.1 else rng.randint(1, 200)
                        t["inventory_source_item"].add(
                            source_item_id.next(), code, prod.sku, _qty(qty), int(qty > 0)
                        )

    # -- sales ----------------------------------------------------------------------------------

    def _orders(self) -> None:
        rng = _rng(self.seed, "orders")
        p = self.p
        store_weights = {1: 0.55, 2: 0.15, 3: 0.2, 4: 0.1}
        stores = [s for s in self.stores]
        weights = [store_weights[s[0]] for s in stores]
        website_of = {s[0]: s[2] for s in stores}
        group_name = {1: "Main Website Store", 2: "Second Website Store"}
        website_name = {1: "Main Website", 2: "Second Website"}
        store_name = {s[0]: f"{website_name[s[2]]}\n{group_name[s[3]]}\n{s[4]}" for s in stores}
        # Catalog per website: the lines a shopper can put in a cart.
        catalog: dict[int, tuple[list[_Product], list[_Product]]] = {}
        for website_id in (1, 2):
            physical = [
                x
                for x in self.products
                if website_id in x.websites and x.parent_id is None and x.type_id != "virtual"
            ]
            virtual = [
                x for x in self.products if website_id in x.websites and x.type_id == "virtual"
            ]
            catalog[website_id] = (physical, virtual)
        customers = self._customers(rng, max(20, p.orders // 4))
        seq = _Seqs()
        for order_id in range(1, p.orders + 1):
            store_id = rng.choices([s[0] for s in stores], weights)[0]
            website_id = website_of[store_id]
            physical, virtual = catalog[website_id]
            is_virtual = bool(virtual) and rng.random() < 0.05
            pool = virtual if is_virtual else physical
            n_lines = min(len(pool), rng.choices((1, 2, 3, 4, 5), (45, 30, 15, 6, 4))[0])
            picks = rng.sample(pool, n_lines)
            customer = None if rng.random() < 0.3 else rng.choice(customers[website_id])
            self._order(
                rng,
                seq,
                order_id=order_id,
                store_id=store_id,
                website_id=website_id,
                store_name=store_name[store_id],
                picks=picks,
                is_virtual=is_virtual,
                customer=customer,
            )

    def _customers(self, rng: random.Random, count: int) -> dict[int, list[_Customer]]:
        groups = [1] * 14 + [2, 2, 3, 3] + self.customer_groups[4:]
        out: dict[int, list[_Customer]] = {1: [], 2: []}
        for cid in range(1, count + 1):
            website_id = 1 if rng.random() < 0.65 else 2
            first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
            country = "US" if website_id == 1 else rng.choice(("DE", "DE", "FR", "GB"))
            city = rng.choice(_CITIES[country])
            out[website_id].append(
                _Customer(
                    cid,
                    first,
                    last,
                    f"{_slug(first)}.{_slug(last)}.{cid}@example.com",
                    rng.choice(groups),
                    country,
                    city,
                    f"{rng.randint(1, 999)} {rng.choice(_STREETS)}",
                    cid * 2,
                )
            )
        return out

    def _order(
        self,
        rng: random.Random,
        seq: _Seqs,
        *,
        order_id: int,
        store_id: int,
        website_id: int,
        store_name: str,
        picks: list[_Product],
        is_virtual: bool,
        customer: _Customer | None,
    ) -> None:
        t = self.t
        created = EPOCH - timedelta(seconds=rng.randint(2 * 3600, 365 * 86_400))
        currency = "USD" if website_id == 1 else "EUR"
        tax_bp = 825 if website_id == 1 else 1900
        coupon = rng.random() < 0.2
        lines: list[_Line] = []
        for prod in picks:
            child = None
            if prod.type_id == "configurable":
                child = self.by_id[rng.choice(prod.child_ids)]
            priced = child or prod
            price = priced.price if website_id == 1 else priced.price_w2
            qty = rng.choices((1, 2, 3), (70, 20, 10))[0]
            row = price * qty
            discount = _pct_of(row, 1000) if coupon else 0
            lines.append(_Line(prod, child, qty, price, discount, _pct_of(row - discount, tax_bp)))
        subtotal = sum(x.price * x.qty for x in lines)
        discount = sum(x.discount for x in lines)
        tax = sum(x.tax for x in lines)
        total_qty = sum(x.qty for x in lines)
        shipping = 0 if is_virtual else 500 * total_qty
        grand = subtotal - discount + tax + shipping
        weight = sum(((x.child or x.product).grams * x.qty) for x in lines)
        # Lifecycle: what happened to the order after it was placed.
        roll = rng.random()
        fate = (
            "pending"
            if roll < 0.12
            else "holded"
            if roll < 0.15
            else "canceled"
            if roll < 0.22
            else "processing"
            if roll < 0.40
            else "closed"
            if roll < 0.48
            else "complete"
        )
        if created > EPOCH - timedelta(days=3) and fate in ("complete", "closed"):
            fate = "processing"  # too recent to have shipped
        invoiced = fate in ("processing", "complete", "closed")
        shipped = not is_virtual and fate in ("complete", "closed")
        if is_virtual and fate == "processing":
            fate = "complete"  # nothing to ship: an invoiced virtual order is complete
        refund_all = fate == "closed"
        partial = fate == "complete" and rng.random() < 0.08
        # Event times follow the order; clamping them (monotonically) below the epoch keeps every
        # document in the past without reordering the lifecycle.
        cap = EPOCH - timedelta(seconds=60)
        invoice_at = created + timedelta(seconds=rng.randint(30, 2 * 86_400))
        ship_at = invoice_at + timedelta(seconds=rng.randint(3600, 4 * 86_400))
        refund_at = (ship_at if shipped else invoice_at) + timedelta(days=rng.randint(3, 20))
        cancel_at = created + timedelta(seconds=rng.randint(600, 3 * 86_400))
        invoice_at, ship_at, refund_at, cancel_at = (
            min(x, cap) for x in (invoice_at, ship_at, refund_at, cancel_at)
        )
        last = {
            "pending": created,
            "holded": cancel_at,
            "canceled": cancel_at,
            "processing": invoice_at,
        }.get(fate, refund_at if (refund_all or partial) else ship_at if shipped else invoice_at)
        refunded_lines = lines if refund_all else [rng.choice(lines)] if partial else []
        refunded_cents = sum(x.price * x.qty - x.discount + x.tax for x in refunded_lines)
        if refund_all:
            refunded_cents += shipping
        state = {"pending": "new", "holded": "holded"}.get(fate, fate)
        status = {"new": "pending"}.get(state, state)
        method = rng.choices(list(_PAYMENT_TITLES), (35, 15, 10, 40))[0]
        # Addresses: billing always, shipping unless the order is virtual.
        first = customer.first if customer else rng.choice(_FIRST_NAMES)
        last_name = customer.last if customer else rng.choice(_LAST_NAMES)
        email = customer.email if customer else f"guest.{_slug(first)}.{order_id}@example.org"
        if customer:
            country, city = customer.country, customer.city
            street = customer.street
        else:
            country = "US" if website_id == 1 else rng.choice(("DE", "FR", "GB"))
            city = rng.choice(_CITIES[country])
            street = f"{rng.randint(1, 999)} {rng.choice(_STREETS)}"
        if rng.random() < 0.15:
            street += f"\nApt {rng.randint(1, 40)}"  # multi-line street, newline-separated
        phone = f"+{rng.randint(1, 49)}-555-{rng.randint(100_0000, 999_9999)}"
        billing_id = seq.address.next()
        addresses = [(billing_id, "billing")]
        shipping_id = None
        if not is_virtual:
            shipping_id = seq.address.next()
            addresses.append((shipping_id, "shipping"))
        company = "Acme Corp" if customer and customer.group == 2 else None
        for address_id, kind in addresses:
            t["sales_order_address"].add(
                address_id,
                order_id,
                kind,
                customer.entity_id if customer else None,
                customer.address_id if customer else None,
                first,
                last_name,
                company,
                street,
                city[0],
                city[3],
                city[2],
                city[1],
                country,
                phone,
                email,
                f"DE{rng.randint(10**8, 10**9 - 1)}" if company and country == "DE" else None,
            )
        # Items: a configurable line is a parent row carrying the price and the child's SKU,
        # plus a zero-priced child row pointing at it (parent_item_id).
        rule_ids = "1" if coupon else None
        for line in lines:
            self._order_items(
                seq,
                line,
                order_id=order_id,
                store_id=store_id,
                created=created,
                updated=last,
                tax_bp=tax_bp,
                rule_ids=rule_ids,
                invoiced=invoiced,
                shipped=shipped,
                canceled=fate == "canceled",
                refunded=line in refunded_lines,
            )
        invoiced_cents = grand if invoiced else 0
        canceled_cents = grand if fate == "canceled" else 0
        customer_group = customer.group if customer else 0
        increment = seq.increment("order", store_id)
        t["sales_order"].add(
            order_id,
            increment,
            state,
            status,
            store_id,
            store_name,
            customer.entity_id if customer else None,
            customer_group,
            int(customer is None),
            email,
            first,
            last_name,
            order_id,
            billing_id,
            shipping_id,
            int(is_virtual),
            currency,
            currency,
            currency,
            currency,
            "1.0000",
            "1.0000",
            _money(subtotal),
            _money(subtotal),
            _money(subtotal + sum(_pct_of(x.price * x.qty, tax_bp) for x in lines)),
            _money(tax),
            _money(tax),
            _money(-discount),
            _money(-discount),
            _money(shipping),
            _money(shipping),
            _money(0),
            _money(shipping),
            _money(grand),
            _money(grand),
            _qty(total_qty),
            len(lines),
            _money(invoiced_cents),
            _money(invoiced_cents),
            _money(invoiced_cents),
            _money(invoiced_cents),
            _money(refunded_cents),
            _money(refunded_cents),
            _money(refunded_cents if method != "braintree" else 0),
            _money(refunded_cents if method == "braintree" else 0),
            _money(canceled_cents),
            _money(0 if invoiced or canceled_cents else grand),
            _weight(weight),
            None if is_virtual else "flatrate_flatrate",
            None if is_virtual else "Flat Rate - Fixed",
            "SAVE10" if coupon else None,
            rule_ids,
            f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            "Please leave at the back door." if rng.random() < 0.03 else None,
            _ts(created),
            _ts(last),
        )
        # Payment and, for card payments, gateway transactions.
        payment_id = seq.payment.next()
        card = method == "braintree"
        txn = "".join(rng.choices(string.ascii_lowercase + string.digits, k=8))
        last_txn = None
        if card:
            auth_id = seq.transaction.next()
            t["sales_payment_transaction"].add(
                auth_id,
                None,
                order_id,
                payment_id,
                txn,
                None,
                "authorization",
                int(invoiced or canceled_cents > 0),
                _ts(created),
            )
            last_txn = txn
            if invoiced:
                capture_id = seq.transaction.next()
                last_txn = f"{txn}-capture"
                t["sales_payment_transaction"].add(
                    capture_id,
                    auth_id,
                    order_id,
                    payment_id,
                    last_txn,
                    txn,
                    "capture",
                    int(refund_all),
                    _ts(invoice_at),
                )
                if refunded_lines:
                    refund_txn = f"{txn}-refund"
                    t["sales_payment_transaction"].add(
                        seq.transaction.next(),
                        capture_id,
                        order_id,
                        payment_id,
                        refund_txn,
                        last_txn,
                        "refund",
                        1,
                        _ts(refund_at),
                    )
                    last_txn = refund_txn
            elif canceled_cents:
                void_txn = f"{txn}-void"
                t["sales_payment_transaction"].add(
                    seq.transaction.next(),
                    auth_id,
                    order_id,
                    payment_id,
                    void_txn,
                    txn,
                    "void",
                    1,
                    _ts(cancel_at),
                )
                last_txn = void_txn
        info: dict[str, str] = {"method_title": _PAYMENT_TITLES[method]}
        if card:
            info["cc_type"] = rng.choice(_CC_TYPES)
        t["sales_order_payment"].add(
            payment_id,
            order_id,
            method,
            _money(grand),
            _money(grand),
            _money(grand) if card else None,
            _money(grand) if card else None,
            _money(invoiced_cents) if invoiced else None,
            _money(invoiced_cents) if invoiced else None,
            _money(refunded_cents) if refunded_cents else None,
            _money(refunded_cents) if refunded_cents else None,
            _money(canceled_cents) if canceled_cents else None,
            _money(shipping),
            _money(shipping),
            last_txn,
            f"PO-{order_id:06d}" if method == "purchaseorder" else None,
            info.get("cc_type"),
            f"{rng.randint(0, 9999):04d}" if card else None,
            str(rng.randint(1, 12)) if card else None,
            str(rng.randint(2026, 2031)) if card else None,
            f"{first} {last_name}" if card else None,
            json.dumps(info, separators=(",", ":")),
        )
        invoice_id = None
        if invoiced:
            invoice_id = seq.invoice.next()
            t["sales_invoice"].add(
                invoice_id,
                order_id,
                seq.increment("invoice", store_id),
                store_id,
                2,
                _money(grand),
                _money(grand),
                _money(subtotal),
                _money(subtotal),
                _money(subtotal + tax),
                _money(tax),
                _money(tax),
                _money(shipping),
                _money(shipping),
                _money(shipping),
                _money(-discount),
                _money(-discount),
                _qty(total_qty),
                currency,
                currency,
                currency,
                currency,
                f"{txn}-capture" if card else None,
                billing_id,
                shipping_id,
                int(bool(refunded_lines)),
                1,
                0,
                _ts(invoice_at),
                _ts(invoice_at),
            )
            for line in lines:
                self._document_items(
                    "sales_invoice_item",
                    seq.invoice_item,
                    invoice_id,
                    line,
                    line.qty,
                    with_child=True,
                )
        if shipped:
            self._shipments(
                rng,
                seq,
                order_id=order_id,
                store_id=store_id,
                customer=customer,
                lines=lines,
                billing_id=billing_id,
                shipping_id=shipping_id,
                ship_at=ship_at,
            )
        if refunded_lines:
            refund_shipping = shipping if refund_all else 0
            sub = sum(x.price * x.qty for x in refunded_lines)
            disc = sum(x.discount for x in refunded_lines)
            rtax = sum(x.tax for x in refunded_lines)
            memo_id = seq.creditmemo.next()
            total = sub - disc + rtax + refund_shipping
            t["sales_creditmemo"].add(
                memo_id,
                order_id,
                invoice_id,
                seq.increment("creditmemo", store_id),
                store_id,
                2,
                None,
                _money(total),
                _money(total),
                _money(sub),
                _money(sub),
                _money(rtax),
                _money(rtax),
                _money(refund_shipping),
                _money(refund_shipping),
                _money(0),
                _money(-disc),
                _money(-disc),
                _money(0),
                _money(0),
                _money(0),
                _money(0),
                _money(0),
                _money(0),
                currency,
                currency,
                currency,
                currency,
                f"{txn}-refund" if card else None,
                billing_id,
                shipping_id,
                _ts(refund_at),
                _ts(refund_at),
            )
            for line in refunded_lines:
                self._document_items(
                    "sales_creditmemo_item",
                    seq.creditmemo_item,
                    memo_id,
                    line,
                    line.qty,
                    with_child=True,
                )
        self._reservations(
            seq,
            order_id=order_id,
            increment=increment,
            website_id=website_id,
            lines=lines,
            fate=fate,
            is_virtual=is_virtual,
            invoiced=invoiced,
        )

    def _order_items(
        self,
        seq: _Seqs,
        line: _Line,
        *,
        order_id: int,
        store_id: int,
        created: datetime,
        updated: datetime,
        tax_bp: int,
        rule_ids: str | None,
        invoiced: bool,
        shipped: bool,
        canceled: bool,
        refunded: bool,
    ) -> None:
        items = self.t["sales_order_item"]
        prod, child = line.product, line.child
        simple = child or prod
        row = line.price * line.qty
        unit_tax = _pct_of(line.price, tax_bp)
        q = _qty(line.qty)
        zero = _qty(0)
        line.item_id = seq.item.next()
        buy_request: dict[str, Any] = {"qty": line.qty, "product": str(prod.entity_id)}
        options: dict[str, Any] = {"info_buyRequest": buy_request}
        if child is not None:
            buy_request["super_attribute"] = {
                str(aid): str(child.options[aid]) for aid in prod.super_attributes
            }
            options["attributes_info"] = [
                {
                    "label": self.attr_label.get(aid, ""),
                    "value": self.option_label[child.options[aid]],
                    "option_id": aid,
                    "option_value": child.options[aid],
                }
                for aid in prod.super_attributes
            ]
            options["simple_name"] = child.name
            options["simple_sku"] = child.sku
        refunded_cents = row - line.discount + line.tax if refunded else 0
        grams = simple.grams
        items.add(
            line.item_id,
            order_id,
            None,
            line.item_id,
            store_id,
            _ts(created),
            _ts(updated),
            prod.entity_id,
            prod.type_id,
            json.dumps(options, separators=(",", ":")),
            _weight(grams),
            int(prod.type_id == "virtual"),
            simple.sku,
            prod.name,
            rule_ids,
            q,
            q if invoiced else zero,
            q if shipped else zero,
            q if refunded else zero,
            q if canceled else zero,
            zero,
            _money(line.price),
            _money(line.price),
            _money(line.price),
            _money(line.price),
            _money(line.price + unit_tax),
            _money(line.price + unit_tax),
            _dec(tax_bp, 2, 4),
            _money(line.tax),
            _money(line.tax),
            _dec(1000 if line.discount else 0, 2, 4),
            _money(line.discount),
            _money(line.discount),
            _money(refunded_cents),
            _money(refunded_cents),
            _money(row),
            _money(row),
            _money(row + _pct_of(row, tax_bp)),
            _money(row + _pct_of(row, tax_bp)),
            _weight(grams * line.qty),
        )
        if child is not None:
            line.child_item_id = seq.item.next()
            child_options = {"info_buyRequest": buy_request}
            items.add(
                line.child_item_id,
                order_id,
                line.item_id,
                line.child_item_id,
                store_id,
                _ts(created),
                _ts(updated),
                child.entity_id,
                "simple",
                json.dumps(child_options, separators=(",", ":")),
                _weight(grams),
                0,
                child.sku,
                child.name,
                rule_ids,
                q,
                q if invoiced else zero,
                q if shipped else zero,
                q if refunded else zero,
                q if canceled else zero,
                zero,
                _money(0),
                _money(0),
                _money(0),
                _money(0),
                _money(0),
                _money(0),
                _dec(0, 0, 4),
                _money(0),
                _money(0),
                _dec(0, 0, 4),
                _money(0),
                _money(0),
                _money(0),
                _money(0),
                _money(0),
                _money(0),
                _money(0),
                _money(0),
                _weight(grams * line.qty),
            )

    def _document_items(
        self, table: str, ids: _Seq, parent_id: int, line: _Line, qty: int, *, with_child: bool
    ) -> None:
        rows = self.t[table]
        row = line.price * qty
        tax = line.tax * qty // line.qty
        discount = line.discount * qty // line.qty
        unit_tax = tax // qty
        simple = line.child or line.product
        rows.add(
            ids.next(),
            parent_id,
            line.item_id,
            line.product.entity_id,
            simple.sku,
            line.product.name,
            _qty(qty),
            _money(line.price),
            _money(line.price),
            _money(row),
            _money(row),
            _money(tax),
            _money(tax),
            _money(discount),
            _money(discount),
            _money(line.price + unit_tax),
            _money(line.price + unit_tax),
            _money(row + tax),
            _money(row + tax),
        )
        if with_child and line.child is not None:
            zero = _money(0)
            rows.add(
                ids.next(),
                parent_id,
                line.child_item_id,
                line.child.entity_id,
                line.child.sku,
                line.child.name,
                _qty(qty),
                zero,
                zero,
                zero,
                zero,
                zero,
                zero,
                zero,
                zero,
                zero,
                zero,
                zero,
                zero,
            )

    def _shipments(
        self,
        rng: random.Random,
        seq: _Seqs,
        *,
        order_id: int,
        store_id: int,
        customer: _Customer | None,
        lines: list[_Line],
        billing_id: int,
        shipping_id: int | None,
        ship_at: datetime,
    ) -> None:
        t = self.t
        # Usually one parcel; sometimes the order leaves in two (split across shipments).
        groups = [lines]
        if len(lines) >= 2 and rng.random() < 0.15:
            half = len(lines) // 2
            groups = [lines[:half], lines[half:]]
        for n, group in enumerate(groups):
            at = min(ship_at + timedelta(days=n), EPOCH - timedelta(seconds=60))
            shipment_id = seq.shipment.next()
            qty = sum(x.qty for x in group)
            grams = sum((x.child or x.product).grams * x.qty for x in group)
            t["sales_shipment"].add(
                shipment_id,
                order_id,
                seq.increment("shipment", store_id),
                store_id,
                customer.entity_id if customer else None,
                None,
                _qty(qty),
                _weight(grams),
                shipping_id,
                billing_id,
                1,
                _ts(at),
                _ts(at),
            )
            for line in group:
                simple = line.child or line.product
                t["sales_shipment_item"].add(
                    seq.shipment_item.next(),
                    shipment_id,
                    line.item_id,
                    line.product.entity_id,
                    simple.sku,
                    line.product.name,
                    _qty(line.qty),
                    _money(line.price),
                    _weight(simple.grams),
                    _money(line.price * line.qty),
                )
            tracks = rng.choices((0, 1, 2), (10, 85, 5))[0]
            for _ in range(tracks):
                carrier, title = rng.choice(_CARRIERS)
                number = (
                    "1Z" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=16))
                    if carrier == "ups"
                    else str(rng.randint(10**11, 10**12 - 1))
                )
                t["sales_shipment_track"].add(
                    seq.track.next(),
                    shipment_id,
                    order_id,
                    carrier,
                    title,
                    number,
                    _qty(qty),
                    _weight(grams),
                    _ts(at),
                    _ts(at),
                )

    def _reservations(
        self,
        seq: _Seqs,
        *,
        order_id: int,
        increment: str,
        website_id: int,
        lines: list[_Line],
        fate: str,
        is_virtual: bool,
        invoiced: bool,
    ) -> None:
        # MSI's append-only ledger: -qty when the order is placed, +qty compensations when it
        # ships, is canceled, or (virtual) is invoiced. Open orders keep their negative rows.
        reservations = self.t["inventory_reservation"]
        stock_id = self.website_stock[website_id]
        events = ["order_placed"]
        if fate == "canceled":
            events.append("order_canceled")
        elif is_virtual and invoiced:
            events.append("invoice_created")
        elif fate in ("complete", "closed"):
            events.append("shipment_created")
        for event in events:
            sign = -1 if event == "order_placed" else 1
            metadata = json.dumps(
                {
                    "event_type": event,
                    "object_type": "order",
                    "object_id": str(order_id),
                    "object_increment_id": increment,
                },
                separators=(",", ":"),
            )
            for line in lines:
                simple = line.child or line.product
                reservations.add(
                    seq.reservation.next(), stock_id, simple.sku, _qty(sign * line.qty), metadata
                )

    # -- catalog permissions --------------------------------------------------------------------

    def _permissions(self) -> None:
        top_main = [c for c in self.categories if c.level == 2 and c.tree_root == 2]
        top_second = [c for c in self.categories if c.level == 2 and c.tree_root != 2]
        deeper = [c for c in self.categories if c.level == 3 and c.tree_root == 2]
        extra_group = self.customer_groups[-1]
        allow, deny, parent = -1, -2, 0
        candidates: list[tuple[int, int | None, int | None, int, int, int]] = [
            # Hide a top category from guests in the main website; wholesale sees everything.
            (top_main[0].entity_id, 1, 0, deny, deny, deny),
            (top_main[0].entity_id, 1, 2, allow, allow, allow),
            # Everyone may browse, nobody may see prices or buy (all websites, all groups).
            (top_main[1].entity_id, None, None, allow, deny, deny),
            (top_second[0].entity_id, 2, extra_group, allow, allow, allow),
        ]
        if deeper:
            candidates.append((deeper[0].entity_id, None, 3, deny, parent, parent))
        candidates.append((top_second[-1].entity_id, 2, 1, parent, allow, deny))
        for permission_id, row in enumerate(candidates[: self.p.category_permissions], start=1):
            self.t["magento_catalogpermissions"].add(permission_id, *row)


@dataclass(slots=True)
class _Customer:
    entity_id: int
    first: str
    last: str
    email: str
    group: int
    country: str
    city: tuple[str, str, int | None, str | None]
    street: str
    address_id: int


class _Seqs:
    """Id sequences of the sales tables, and Magento-style increment ids per store."""

    def __init__(self) -> None:
        self.item = _Seq()
        self.address = _Seq()
        self.payment = _Seq()
        self.transaction = _Seq()
        self.invoice = _Seq()
        self.invoice_item = _Seq()
        self.shipment = _Seq()
        self.shipment_item = _Seq()
        self.track = _Seq()
        self.creditmemo = _Seq()
        self.creditmemo_item = _Seq()
        self.reservation = _Seq()
        self._increments: dict[tuple[str, int], int] = {}

    def increment(self, entity: str, store_id: int) -> str:
        # Magento's sales sequences are per store, prefixed by the store id except for the
        # default store view: 000000001, 2000000001, ...
        key = (entity, store_id)
        self._increments[key] = self._increments.get(key, 0) + 1
        prefix = "" if store_id == 1 else str(store_id)
        return f"{prefix}{self._increments[key]:09d}"


# ---------------------------------------------------------------------------------------------
# Database I/O
# ---------------------------------------------------------------------------------------------


def split_sql(text: str) -> list[str]:
    """Split a script into statements at ``;`` outside quotes, dropping ``--`` comments."""
    statements: list[str] = []
    current: list[str] = []
    quote = ""
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if quote:
            current.append(ch)
            if ch == "\\" and i + 1 < n:
                current.append(text[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in ("'", '"', "`"):
            quote = ch
            current.append(ch)
        elif text.startswith(("-- ", "--\n"), i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch == ";":
            statement = "".join(current).strip()
            if statement:
                statements.append(statement)
            current = []
        else:
            current.append(ch)
        i += 1
    tail = "".join(current).strip()
    if tail:
        statements.append(tail)
    return statements


def apply_schema(conn: Connection) -> None:
    """Create the Magento tables and Magento's default rows (both idempotent), and the marker."""
    with conn.cursor(pymysql.cursors.Cursor) as cur:
        for path in (SCHEMA_SQL, DEFAULTS_SQL):
            for statement in split_sql(path.read_text(encoding="utf-8")):
                cur.execute(statement)
        cur.execute(_MARKER_DDL)
    conn.commit()


def loaded_profile(conn: Connection) -> tuple[str, int] | None:
    """The (profile, seed) recorded by the last completed :func:`load_sample`, if any."""
    with conn.cursor(pymysql.cursors.Cursor) as cur:
        cur.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() "
            "AND table_name = %s",
            (SAMPLE_MARKER_TABLE,),
        )
        if cur.fetchone() is None:
            return None
        cur.execute(f"SELECT `profile`, `seed` FROM `{SAMPLE_MARKER_TABLE}` WHERE `id` = 1")
        row = cur.fetchone()
    if row is None:
        return None
    return str(row[0]), int(row[1])


_TSV_ESCAPES: Final = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# Refusals of LOAD DATA LOCAL: MariaDB's "local infile disabled" (4166) and "command not
# allowed" (1148), and MySQL's spellings of the same (2068, 3948, 3950).
_LOCAL_INFILE_REFUSED: Final = frozenset({1148, 2068, 3948, 3950, 4166})
_INSERT_BATCH: Final = 2_000


def _tsv_field(value: Value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, int):
        return str(value)
    return value.translate(_TSV_ESCAPES)


def _write_tsv(path: Path, rows: Iterable[Row]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.writelines("\t".join(map(_tsv_field, row)) + "\n" for row in rows)


def _load_data(cur: pymysql.cursors.Cursor, name: str, table: Table, workdir: Path) -> None:
    path = workdir / f"{name}.tsv"
    _write_tsv(path, table.rows)
    columns = ", ".join(f"`{c}`" for c in table.columns)
    loaded = cur.execute(
        f"LOAD DATA LOCAL INFILE %s INTO TABLE `{name}` CHARACTER SET utf8mb4 "
        f"FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ({columns})",
        (str(path),),
    )
    path.unlink()
    # LOAD DATA LOCAL turns errors into warnings (it cannot abort the client's upload), so a
    # truncated or rejected row would otherwise pass silently.
    cur.execute("SHOW WARNINGS LIMIT 5")
    warnings = cur.fetchall()
    if warnings or loaded != len(table.rows):
        msg = f"loading {name}: {loaded} of {len(table.rows)} rows, warnings: {warnings!r}"
        raise RuntimeError(msg)


def _insert_rows(cur: pymysql.cursors.Cursor, name: str, table: Table) -> None:
    columns = ", ".join(f"`{c}`" for c in table.columns)
    marks = ", ".join(["%s"] * len(table.columns))
    sql = f"INSERT INTO `{name}` ({columns}) VALUES ({marks})"
    for start in range(0, len(table.rows), _INSERT_BATCH):
        # pymysql rewrites executemany of a plain INSERT into multi-row INSERT statements.
        cur.executemany(sql, table.rows[start : start + _INSERT_BATCH])


def _check_attribute_ids(cur: pymysql.cursors.Cursor) -> None:
    expected = {(CATEGORY_ENTITY_TYPE_ID, c): i for c, i in CATEGORY_ATTRIBUTE_IDS.items()}
    expected |= {(PRODUCT_ENTITY_TYPE_ID, c): i for c, i in PRODUCT_ATTRIBUTE_IDS.items()}
    cur.execute(
        "SELECT entity_type_id, attribute_code, attribute_id FROM eav_attribute "
        "WHERE entity_type_id IN (3, 4)"
    )
    actual = {(int(r[0]), str(r[1])): int(r[2]) for r in cur.fetchall()}
    wrong = sorted(f"{k[1]}" for k, v in expected.items() if actual.get(k) != v)
    if wrong:
        msg = f"eav_attribute ids differ from defaults.sql for: {', '.join(wrong)}"
        raise RuntimeError(msg)


def load_sample(
    conn: Connection, profile: str, seed: int = 42, *, foreign_key_checks: bool = False
) -> dict[str, int]:
    """Generate the ``profile`` sample from ``seed`` and load it in one transaction.

    Expects :func:`apply_schema` to have run and the catalog/sales tables to be empty. Uses
    ``LOAD DATA LOCAL INFILE`` when the connection allows it (``local_infile=True``), else
    multi-row INSERTs. Foreign-key and unique checks are off for the load unless
    ``foreign_key_checks`` is set (the generator guarantees both). Records (profile, seed) in
    :data:`SAMPLE_MARKER_TABLE` in the same transaction and returns rows loaded per table.
    """
    data = generate(profile, seed)
    with conn.cursor(pymysql.cursors.Cursor) as cur:
        cur.execute(_MARKER_DDL)
        for checked in ("catalog_product_entity", "sales_order"):
            cur.execute(f"SELECT 1 FROM `{checked}` LIMIT 1")
            if cur.fetchone() is not None:
                msg = f"{checked} is not empty: load sample data into a fresh database"
                raise RuntimeError(msg)
        _check_attribute_ids(cur)
        cur.execute(
            "SELECT @@SESSION.foreign_key_checks, @@SESSION.unique_checks, @@SESSION.time_zone"
        )
        saved = cur.fetchone()
        assert saved is not None
        # UTC session: TIMESTAMP columns then store exactly the generated wall times (no DST
        # gaps or shifts from the server's zone).
        cur.execute(
            "SET SESSION foreign_key_checks = %s, unique_checks = %s, time_zone = '+00:00'",
            (int(foreign_key_checks), int(foreign_key_checks)),
        )
        try:
            cur.execute("START TRANSACTION")
            # Only a connection opened with local_infile=True may send files; the server can
            # still refuse (local_infile=OFF), which the first LOAD DATA finds out.
            use_local = bool(conn.client_flag & pymysql.constants.CLIENT.LOCAL_FILES)
            with tempfile.TemporaryDirectory(prefix="feedsync-sample-") as tmp:
                for name, table in data.tables.items():
                    if use_local:
                        try:
                            _load_data(cur, name, table, Path(tmp))
                            continue
                        except (
                            pymysql.err.OperationalError,
                            pymysql.err.InternalError,
                            pymysql.err.ProgrammingError,
                        ) as exc:
                            if exc.args[0] not in _LOCAL_INFILE_REFUSED:
                                raise
                            use_local = False
                    _insert_rows(cur, name, table)
            for statement, params in data.updates:
                cur.execute(statement, params)
            cur.execute(
                f"REPLACE INTO `{SAMPLE_MARKER_TABLE}` (`id`, `profile`, `seed`, `loaded_at`) "
                "VALUES (1, %s, %s, UTC_TIMESTAMP())",
                (data.profile.name, seed),
            )
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            cur.execute(
                "SET SESSION foreign_key_checks = %s, unique_checks = %s, time_zone = %s", saved
            )
    return data.counts()
