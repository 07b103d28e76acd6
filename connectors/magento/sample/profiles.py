"""Sample-data profiles: how many products, categories, orders, stores and stocks to generate.

The shapes mimic Magento's performance-toolkit profiles (``medium`` is Adobe's sizing example).
Scopes and stocks are not invented per profile: a profile takes the first entries of the fixed
menus below, so every profile's stores and sources are a prefix of the larger ones'.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from connectors.magento.sample.vocabulary import COLORS


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
        if not 3 <= self.store_views <= len(STORE_SPECS):
            msg = f"profile {self.name}: store_views must be 3..{len(STORE_SPECS)}"
            raise ValueError(msg)
        if not 1 <= self.extra_customer_groups <= len(EXTRA_GROUPS):
            msg = f"profile {self.name}: extra_customer_groups must be 1..{len(EXTRA_GROUPS)}"
            raise ValueError(msg)
        if not 2 <= self.stocks <= len(STOCK_NAMES) + 1:
            msg = f"profile {self.name}: stocks must be 2..{len(STOCK_NAMES) + 1}"
            raise ValueError(msg)
        if not self.stocks - 1 <= self.sources <= len(SOURCE_SPECS):
            msg = f"profile {self.name}: sources must be {self.stocks - 1}..{len(SOURCE_SPECS)}"
            raise ValueError(msg)
        if self.categories < 12:
            msg = f"profile {self.name}: at least 12 categories"
            raise ValueError(msg)
        if self.children_per_configurable > len(COLORS) or self.children_per_configurable < 2:
            msg = f"profile {self.name}: children_per_configurable must be 2..{len(COLORS)}"
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
STORE_SPECS: Final = (
    (1, "default", 1, 1, "Default Store View", "en"),
    (2, "fr", 1, 1, "French Store View", "fr"),
    (3, "second_en", 2, 2, "Second Website English", "en"),
    (4, "second_de", 2, 2, "Second Website German", "de"),
)
EXTRA_GROUPS: Final = ("VIP", "B2B Partner", "Employee", "Student")
STOCK_NAMES: Final = ("EU Stock", "US Stock", "UK Stock", "Outlet Stock", "Marketplace Stock")
# (code, name, country, postcode, city, region_id, region, latitude, longitude)
SOURCE_SPECS: Final = (
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
