"""The Magento tables feedsync captures: the one list behind Debezium's include list.

Only source tables are captured; indexer output (``*_index*``, ``*_idx``, ``*_cl``,
``*_tmp``, ``*_replica``) is derived data that a full reindex rewrites wholesale.
"""

from __future__ import annotations

SCOPES = ("store_website", "store_group", "store", "customer_group", "core_config_data")

EAV_METADATA = (
    "eav_entity_type",
    "eav_attribute",
    "eav_attribute_set",
    "eav_entity_attribute",
    "eav_attribute_option",
    "eav_attribute_option_value",
    "eav_attribute_label",
    "catalog_eav_attribute",
)

PRODUCTS = (
    "catalog_product_entity",
    "catalog_product_entity_varchar",
    "catalog_product_entity_int",
    "catalog_product_entity_decimal",
    "catalog_product_entity_text",
    "catalog_product_entity_datetime",
    "catalog_product_website",
    "catalog_product_entity_tier_price",
    "catalog_product_relation",
    "catalog_product_super_link",
    "catalog_product_super_attribute",
    "catalog_product_super_attribute_label",
)

CATEGORIES = (
    "catalog_category_entity",
    "catalog_category_entity_varchar",
    "catalog_category_entity_int",
    "catalog_category_entity_decimal",
    "catalog_category_entity_text",
    "catalog_category_entity_datetime",
    "catalog_category_product",
    "magento_catalogpermissions",
)

INVENTORY = (
    "cataloginventory_stock",
    "cataloginventory_stock_item",
    "inventory_source",
    "inventory_source_item",
    "inventory_stock",
    "inventory_source_stock_link",
    "inventory_stock_sales_channel",
    "inventory_reservation",
)

SALES = (
    "sales_order",
    "sales_order_item",
    "sales_order_address",
    "sales_order_payment",
    "sales_payment_transaction",
    "sales_invoice",
    "sales_invoice_item",
    "sales_shipment",
    "sales_shipment_item",
    "sales_shipment_track",
    "sales_creditmemo",
    "sales_creditmemo_item",
)

CAPTURED_TABLES: tuple[str, ...] = SCOPES + EAV_METADATA + PRODUCTS + CATEGORIES + INVENTORY + SALES

SIGNAL_TABLE = "debezium_signal"
