"""Which rows --from-source asks Debezium to read again."""

from __future__ import annotations

from feeds.catalog import CATALOG_PROJECTOR
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
