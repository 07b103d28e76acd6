"""Which rows --from-source asks Debezium to read again."""

from __future__ import annotations

from feeds.catalog import CATALOG_PROJECTOR
from feeds.registry import select
from feedsync.ops.from_source import conditions_for


def test_each_table_is_read_by_the_columns_naming_its_product() -> None:
    conditions = conditions_for(CATALOG_PROJECTOR.owners, [12, 7, 12])
    assert conditions["catalog_product_entity"] == "`entity_id` IN (7, 12)"
    assert conditions["catalog_product_website"] == "`product_id` IN (7, 12)"
    assert conditions["catalog_product_super_link"] == (
        "`parent_id` IN (7, 12) OR `product_id` IN (7, 12)"
    )


def test_every_table_of_the_catalog_can_be_read_by_product() -> None:
    assert set(CATALOG_PROJECTOR.owners) == set(CATALOG_PROJECTOR.tables)


def test_every_table_behind_the_products_feed_is_read_again_by_product() -> None:
    """The entities that belong to products (gallery entries, custom options and their
    values, samples) are read again with them, by conditions on the products' ids."""
    projectors = select(["products"]).projectors
    covered = {t for p in projectors for t in (*p.owners, *p.rows_of_products)}
    assert covered == {t for p in projectors for t in p.tables}
    below = {t: c for p in projectors for t, c in p.rows_of_products.items()}
    conditions = conditions_for({}, [7, 12], rows_of_products=below, db="shop")
    assert conditions["catalog_product_option_title"] == (
        "`option_id` IN (SELECT `option_id` FROM `shop`.`catalog_product_option` "
        "WHERE `product_id` IN (7, 12))"
    )
    assert all("{" not in c and "(7, 12)" in c for c in conditions.values())
