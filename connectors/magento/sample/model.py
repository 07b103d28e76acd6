"""What the generator produces: rows per table, and the tables and columns it writes.

Rows are plain tuples of ``str | int | None`` in column order. Decimals and timestamps are
already formatted text (see :mod:`~connectors.magento.sample.fmt`), so a row means the same in
a TSV file, in an INSERT and in a test's comparison, and hashing rows compares exact output.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Final, cast

from connectors.magento.sample.profiles import Profile

Value = str | int | None
Row = tuple[Value, ...]
#: A parameterised SQL statement and its parameters.
Update = tuple[str, tuple[Value, ...]]
#: (entity_id, store_id) of an EAV value.
Key = tuple[int, int]


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
    updates: list[Update]

    def counts(self) -> dict[str, int]:
        """Generated rows per table."""
        return {name: len(table.rows) for name, table in self.tables.items()}


def eav_values(table: Table, attribute_ids: Collection[int]) -> dict[int, dict[Key, Value]]:
    """Attribute id -> (entity_id, store_id) -> value, from the rows of an EAV value table."""
    found: dict[int, dict[Key, Value]] = {aid: {} for aid in attribute_ids}
    for _value_id, attribute_id, store_id, entity_id, value in table.rows:
        values = found.get(cast(int, attribute_id))
        if values is not None:
            values[cast(int, entity_id), cast(int, store_id)] = value
    return found


def new_tables() -> dict[str, Table]:
    """An empty table for every table the generator writes, in load order."""
    return {name: Table(columns) for name, columns in TABLE_COLUMNS.items()}


def _cols(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Table -> columns written by the generator. The dict order is the load order (parents first).
TABLE_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "store_website": _cols("website_id code name sort_order default_group_id is_default"),
    "store_group": _cols("group_id website_id name root_category_id default_store_id code"),
    "store": _cols("store_id code website_id group_id name sort_order is_active"),
    "customer_group": _cols("customer_group_id customer_group_code tax_class_id"),
    "core_config_data": _cols("config_id scope scope_id path value"),
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
    "eav_attribute_option_swatch": _cols("swatch_id option_id store_id type value"),
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
    "catalogrule_product_price": _cols(
        "rule_product_price_id rule_date customer_group_id product_id rule_price website_id "
        "latest_start_date earliest_end_date"
    ),
    "catalog_product_relation": _cols("parent_id child_id"),
    "catalog_product_link": _cols("link_id product_id linked_product_id link_type_id"),
    "catalog_product_link_attribute_int": _cols("value_id product_link_attribute_id link_id value"),
    "catalog_product_link_attribute_decimal": _cols(
        "value_id product_link_attribute_id link_id value"
    ),
    "downloadable_sample": _cols(
        "sample_id product_id sample_url sample_file sample_type sort_order"
    ),
    "downloadable_sample_title": _cols("title_id sample_id store_id title"),
    "downloadable_link": _cols(
        "link_id product_id sort_order number_of_downloads is_shareable link_url link_file "
        "link_type sample_url sample_file sample_type"
    ),
    "downloadable_link_price": _cols("price_id link_id website_id price"),
    "downloadable_link_title": _cols("title_id link_id store_id title"),
    "catalog_product_option": _cols(
        "option_id product_id type is_require sku max_characters file_extension image_size_x "
        "image_size_y sort_order"
    ),
    "catalog_product_option_title": _cols("option_title_id option_id store_id title"),
    "catalog_product_option_price": _cols("option_price_id option_id store_id price price_type"),
    "catalog_product_option_type_value": _cols("option_type_id option_id sku sort_order"),
    "catalog_product_option_type_title": _cols(
        "option_type_title_id option_type_id store_id title"
    ),
    "catalog_product_option_type_price": _cols(
        "option_type_price_id option_type_id store_id price price_type"
    ),
    "catalog_product_super_link": _cols("link_id product_id parent_id"),
    "catalog_product_super_attribute": _cols(
        "product_super_attribute_id product_id attribute_id position"
    ),
    "catalog_product_super_attribute_label": _cols(
        "value_id product_super_attribute_id store_id use_default value"
    ),
    "catalog_product_bundle_option": _cols("option_id parent_id required position type"),
    "catalog_product_bundle_option_value": _cols(
        "value_id option_id store_id title parent_product_id"
    ),
    "catalog_product_bundle_selection": _cols(
        "selection_id option_id parent_product_id product_id position is_default "
        "selection_price_type selection_price_value selection_qty selection_can_change_qty"
    ),
    "catalog_product_bundle_selection_price": _cols(
        "selection_id website_id selection_price_type selection_price_value parent_product_id"
    ),
    "catalog_category_product": _cols("entity_id category_id product_id position"),
    "catalog_product_entity_media_gallery": _cols(
        "value_id attribute_id value media_type disabled"
    ),
    "catalog_product_entity_media_gallery_value_to_entity": _cols("value_id entity_id"),
    "catalog_product_entity_media_gallery_value": _cols(
        "record_id value_id store_id entity_id label position disabled"
    ),
    "catalog_product_entity_media_gallery_value_video": _cols(
        "value_id store_id provider url title description metadata"
    ),
    "url_rewrite": _cols(
        "url_rewrite_id entity_type entity_id request_path target_path redirect_type store_id "
        "description is_autogenerated metadata"
    ),
    "cataloginventory_stock_item": _cols(
        "item_id product_id stock_id qty is_in_stock manage_stock use_config_manage_stock "
        "low_stock_date stock_status_changed_auto website_id min_qty use_config_min_qty "
        "backorders use_config_backorders"
    ),
    "inventory_source": _cols(
        "source_code name enabled description latitude longitude country_id region_id region "
        "city street postcode contact_name email phone"
    ),
    "inventory_stock": _cols("stock_id name"),
    "inventory_source_stock_link": _cols("link_id stock_id source_code priority"),
    "inventory_stock_sales_channel": _cols("type code stock_id"),
    "inventory_source_item": _cols("source_item_id source_code sku quantity status"),
    "customer_entity": _cols(
        "entity_id website_id email group_id store_id created_at updated_at is_active "
        "firstname lastname"
    ),
    "sales_order": _cols(
        "entity_id increment_id state status store_id store_name customer_id customer_group_id "
        "customer_is_guest customer_email customer_firstname customer_lastname quote_id "
        "billing_address_id shipping_address_id is_virtual base_currency_code "
        "order_currency_code store_currency_code global_currency_code base_to_global_rate "
        "base_to_order_rate subtotal base_subtotal subtotal_incl_tax tax_amount base_tax_amount "
        "discount_amount base_discount_amount shipping_amount base_shipping_amount "
        "shipping_tax_amount base_shipping_tax_amount shipping_incl_tax grand_total "
        "base_grand_total total_qty_ordered "
        "total_item_count total_invoiced base_total_invoiced total_paid base_total_paid "
        "total_refunded base_total_refunded total_offline_refunded total_online_refunded "
        "total_canceled total_due weight shipping_method shipping_description coupon_code "
        "applied_rule_ids remote_ip customer_note created_at updated_at protect_code"
    ),
    "sales_order_item": _cols(
        "item_id order_id parent_item_id quote_item_id store_id created_at updated_at product_id "
        "product_type product_options weight is_virtual sku name applied_rule_ids qty_ordered "
        "qty_invoiced qty_shipped qty_refunded qty_canceled qty_backordered price base_price "
        "original_price base_original_price price_incl_tax base_price_incl_tax tax_percent "
        "tax_amount base_tax_amount discount_percent discount_amount base_discount_amount "
        "amount_refunded base_amount_refunded row_total base_row_total row_total_incl_tax "
        "base_row_total_incl_tax row_weight additional_data"
    ),
    "sales_order_address": _cols(
        "entity_id parent_id address_type customer_id customer_address_id firstname lastname "
        "company street city region region_id postcode country_id telephone email vat_id"
    ),
    "sales_order_payment": _cols(
        "entity_id parent_id method amount_ordered base_amount_ordered amount_authorized "
        "base_amount_authorized amount_paid base_amount_paid amount_refunded base_amount_refunded "
        "amount_canceled base_amount_canceled base_amount_paid_online base_amount_refunded_online "
        "shipping_amount base_shipping_amount last_trans_id po_number cc_type "
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
    "sales_creditmemo_comment": _cols(
        "entity_id parent_id is_customer_notified is_visible_on_front comment created_at"
    ),
    "sales_order_tax": _cols(
        "tax_id order_id code title percent amount priority position base_amount process "
        "base_real_amount"
    ),
    "sales_order_tax_item": _cols(
        "tax_item_id tax_id item_id tax_percent amount base_amount real_amount real_base_amount "
        "associated_item_id taxable_item_type"
    ),
    "inventory_reservation": _cols("reservation_id stock_id sku quantity metadata"),
    "magento_catalogpermissions": _cols(
        "permission_id category_id website_id customer_group_id grant_catalog_category_view "
        "grant_catalog_product_price grant_checkout_items"
    ),
}
