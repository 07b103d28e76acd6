-- Magento's fixed default rows (a fresh 2.4 install), plus the standard catalog attributes.
-- Idempotent: every statement is INSERT IGNORE, so re-applying leaves existing rows alone.
--
-- Ids 0 (admin website, store group, store view; NOT LOGGED IN customer group) are explicit
-- zeros in AUTO_INCREMENT columns, hence NO_AUTO_VALUE_ON_ZERO for this script (restored at the
-- end). Timestamps are fixed (UTC) rather than NOW() so that two loads compare equal.
--
-- Attribute ids are this project's choice (Magento assigns them at install time, so a real
-- store's ids differ: consumers must look attributes up by entity_type_id + attribute_code).
-- connectors/magento/sample/fixed_ids.py refers to them by code, and load.py checks they match.

SET NAMES utf8mb4;
SET @FEEDSYNC_OLD_SQL_MODE = @@SESSION.sql_mode;
SET SESSION sql_mode = CONCAT_WS(',', @@SESSION.sql_mode, 'NO_AUTO_VALUE_ON_ZERO');
SET @FEEDSYNC_OLD_TIME_ZONE = @@SESSION.time_zone;
SET SESSION time_zone = '+00:00';

-- Review entities and statuses (Magento_Review's data patches)
INSERT IGNORE INTO `review_entity` (`entity_id`, `entity_code`) VALUES
  (1, 'product'), (2, 'customer'), (3, 'category');
INSERT IGNORE INTO `review_status` (`status_id`, `status_code`) VALUES
  (1, 'Approved'), (2, 'Pending'), (3, 'Not Approved');

-- Scopes (Magento_Store InitializeStoresAndWebsites)
INSERT IGNORE INTO `store_website` (`website_id`, `code`, `name`, `sort_order`, `default_group_id`, `is_default`) VALUES
  (0, 'admin', 'Admin', 0, 0, 0),
  (1, 'base', 'Main Website', 0, 1, 1);

INSERT IGNORE INTO `store_group` (`group_id`, `website_id`, `name`, `root_category_id`, `default_store_id`, `code`) VALUES
  (0, 0, 'Default', 0, 0, 'default'),
  (1, 1, 'Main Website Store', 2, 1, 'main_website_store');

INSERT IGNORE INTO `store` (`store_id`, `code`, `website_id`, `group_id`, `name`, `sort_order`, `is_active`) VALUES
  (0, 'admin', 0, 0, 'Admin', 0, 1),
  (1, 'default', 1, 1, 'Default Store View', 0, 1);

-- Tax classes (Magento_Tax AddTaxAttributeAndTaxClasses) and customer groups (Magento_Customer)
-- Installation writes the default time zone; dates such as special_from_date are local to it.
INSERT IGNORE INTO `core_config_data` (`config_id`, `scope`, `scope_id`, `path`, `value`) VALUES
  (1, 'default', 0, 'general/locale/timezone', 'America/Los_Angeles');

INSERT IGNORE INTO `tax_class` (`class_id`, `class_name`, `class_type`) VALUES
  (2, 'Taxable Goods', 'PRODUCT'),
  (3, 'Retail Customer', 'CUSTOMER');

INSERT IGNORE INTO `customer_group` (`customer_group_id`, `customer_group_code`, `tax_class_id`) VALUES
  (0, 'NOT LOGGED IN', 3),
  (1, 'General', 3),
  (2, 'Wholesale', 3),
  (3, 'Retailer', 3);

-- EAV entity types: 3 catalog_category and 4 catalog_product are fixed by CategorySetup; 5-8 by SalesSetup
INSERT IGNORE INTO `eav_entity_type` (`entity_type_id`, `entity_type_code`, `entity_model`, `attribute_model`, `entity_table`, `value_table_prefix`, `entity_id_field`, `is_data_sharing`, `data_sharing_key`, `default_attribute_set_id`, `increment_model`, `increment_per_store`, `increment_pad_length`, `increment_pad_char`, `additional_attribute_table`, `entity_attribute_collection`) VALUES
  (1, 'customer', 'Magento\\Customer\\Model\\ResourceModel\\Customer', 'Magento\\Customer\\Model\\Attribute', 'customer_entity', NULL, NULL, 1, 'default', 1, 'Magento\\Eav\\Model\\Entity\\Increment\\NumericValue', 0, 8, '0', 'customer_eav_attribute', 'Magento\\Customer\\Model\\ResourceModel\\Attribute\\Collection'),
  (2, 'customer_address', 'Magento\\Customer\\Model\\ResourceModel\\Address', 'Magento\\Customer\\Model\\Attribute', 'customer_address_entity', NULL, NULL, 1, 'default', 2, NULL, 0, 8, '0', 'customer_eav_attribute', 'Magento\\Customer\\Model\\ResourceModel\\Address\\Attribute\\Collection'),
  (3, 'catalog_category', 'Magento\\Catalog\\Model\\ResourceModel\\Category', 'Magento\\Catalog\\Model\\ResourceModel\\Eav\\Attribute', 'catalog_category_entity', NULL, NULL, 1, 'default', 3, NULL, 0, 8, '0', 'catalog_eav_attribute', 'Magento\\Catalog\\Model\\ResourceModel\\Category\\Attribute\\Collection'),
  (4, 'catalog_product', 'Magento\\Catalog\\Model\\ResourceModel\\Product', 'Magento\\Catalog\\Model\\ResourceModel\\Eav\\Attribute', 'catalog_product_entity', NULL, NULL, 1, 'default', 4, NULL, 0, 8, '0', 'catalog_eav_attribute', 'Magento\\Catalog\\Model\\ResourceModel\\Product\\Attribute\\Collection'),
  (5, 'order', 'Magento\\Sales\\Model\\ResourceModel\\Order', NULL, 'sales_order', NULL, NULL, 1, 'default', 5, 'Magento\\Eav\\Model\\Entity\\Increment\\NumericValue', 1, 8, '0', NULL, NULL),
  (6, 'invoice', 'Magento\\Sales\\Model\\ResourceModel\\Order\\Invoice', NULL, 'sales_invoice', NULL, NULL, 1, 'default', 6, 'Magento\\Eav\\Model\\Entity\\Increment\\NumericValue', 1, 8, '0', NULL, NULL),
  (7, 'creditmemo', 'Magento\\Sales\\Model\\ResourceModel\\Order\\Creditmemo', NULL, 'sales_creditmemo', NULL, NULL, 1, 'default', 7, 'Magento\\Eav\\Model\\Entity\\Increment\\NumericValue', 1, 8, '0', NULL, NULL),
  (8, 'shipment', 'Magento\\Sales\\Model\\ResourceModel\\Order\\Shipment', NULL, 'sales_shipment', NULL, NULL, 1, 'default', 8, 'Magento\\Eav\\Model\\Entity\\Increment\\NumericValue', 1, 8, '0', NULL, NULL);

-- One 'Default' attribute set per entity type (eav_entity_type.default_attribute_set_id points at it)
INSERT IGNORE INTO `eav_attribute_set` (`attribute_set_id`, `entity_type_id`, `attribute_set_name`, `sort_order`) VALUES
  (1, 1, 'Default', 1),
  (2, 2, 'Default', 1),
  (3, 3, 'Default', 2),
  (4, 4, 'Default', 2),
  (5, 5, 'Default', 1),
  (6, 6, 'Default', 1),
  (7, 7, 'Default', 1),
  (8, 8, 'Default', 1);

INSERT IGNORE INTO `eav_attribute_group` (`attribute_group_id`, `attribute_set_id`, `attribute_group_name`, `sort_order`, `default_id`, `attribute_group_code`, `tab_group_code`) VALUES
  (1, 1, 'General', 1, 1, 'general', NULL),
  (2, 2, 'General', 1, 1, 'general', NULL),
  (3, 3, 'General Information', 10, 1, 'general-information', NULL),
  (4, 3, 'Display Settings', 20, 0, 'display-settings', NULL),
  (5, 3, 'Custom Design', 30, 0, 'custom-design', NULL),
  (6, 3, 'Search Engine Optimization', 40, 0, 'search-engine-optimization', NULL),
  (7, 4, 'Product Details', 10, 1, 'product-details', 'basic'),
  (8, 4, 'Content', 20, 0, 'content', 'basic'),
  (9, 4, 'Images', 30, 0, 'image-management', 'basic'),
  (10, 4, 'Search Engine Optimization', 40, 0, 'search-engine-optimization', 'basic'),
  (11, 4, 'Advanced Pricing', 50, 0, 'advanced-pricing', 'advanced'),
  (12, 5, 'General', 1, 1, 'general', NULL),
  (13, 6, 'General', 1, 1, 'general', NULL),
  (14, 7, 'General', 1, 1, 'general', NULL),
  (15, 8, 'General', 1, 1, 'general', NULL);

-- Standard category (entity type 3) and product (entity type 4) attributes; color and manufacturer
-- are declared user_defined by CategorySetup and ship without options. swatch_image is
-- Magento_Swatches' (AddSwatchImageAttribute, then moved to the Images group of every set).
INSERT IGNORE INTO `eav_attribute` (`attribute_id`, `entity_type_id`, `attribute_code`, `attribute_model`, `backend_model`, `backend_type`, `backend_table`, `frontend_model`, `frontend_input`, `frontend_label`, `frontend_class`, `source_model`, `is_required`, `is_user_defined`, `default_value`, `is_unique`, `note`) VALUES
  (41, 3, 'name', NULL, NULL, 'varchar', NULL, NULL, 'text', 'Name', NULL, NULL, 1, 0, NULL, 0, NULL),
  (42, 3, 'is_active', NULL, NULL, 'int', NULL, NULL, 'select', 'Enable Category', NULL, 'Magento\\Eav\\Model\\Entity\\Attribute\\Source\\Boolean', 1, 0, NULL, 0, NULL),
  (43, 3, 'description', NULL, NULL, 'text', NULL, NULL, 'textarea', 'Description', NULL, NULL, 0, 0, NULL, 0, NULL),
  (44, 3, 'image', NULL, 'Magento\\Catalog\\Model\\Category\\Attribute\\Backend\\Image', 'varchar', NULL, NULL, 'image', 'Image', NULL, NULL, 0, 0, NULL, 0, NULL),
  (45, 3, 'meta_title', NULL, NULL, 'varchar', NULL, NULL, 'text', 'Page Title', NULL, NULL, 0, 0, NULL, 0, NULL),
  (46, 3, 'meta_keywords', NULL, NULL, 'text', NULL, NULL, 'textarea', 'Meta Keywords', NULL, NULL, 0, 0, NULL, 0, NULL),
  (47, 3, 'meta_description', NULL, NULL, 'text', NULL, NULL, 'textarea', 'Meta Description', NULL, NULL, 0, 0, NULL, 0, NULL),
  (48, 3, 'display_mode', NULL, NULL, 'varchar', NULL, NULL, 'select', 'Display Mode', NULL, 'Magento\\Catalog\\Model\\Category\\Attribute\\Source\\Mode', 0, 0, NULL, 0, NULL),
  (49, 3, 'landing_page', NULL, NULL, 'int', NULL, NULL, 'select', 'CMS Block', NULL, 'Magento\\Catalog\\Model\\Category\\Attribute\\Source\\Page', 0, 0, NULL, 0, NULL),
  (50, 3, 'is_anchor', NULL, NULL, 'int', NULL, NULL, 'select', 'Is Anchor', NULL, 'Magento\\Eav\\Model\\Entity\\Attribute\\Source\\Boolean', 0, 0, '1', 0, NULL),
  (51, 3, 'path', NULL, NULL, 'static', NULL, NULL, 'text', 'Path', NULL, NULL, 0, 0, NULL, 0, NULL),
  (52, 3, 'position', NULL, NULL, 'static', NULL, NULL, 'text', 'Position', NULL, NULL, 0, 0, NULL, 0, NULL),
  (53, 3, 'level', NULL, NULL, 'static', NULL, NULL, 'text', 'Level', NULL, NULL, 0, 0, NULL, 0, NULL),
  (54, 3, 'children_count', NULL, NULL, 'static', NULL, NULL, 'text', 'Children Count', NULL, NULL, 0, 0, NULL, 0, NULL),
  (55, 3, 'available_sort_by', NULL, 'Magento\\Catalog\\Model\\Category\\Attribute\\Backend\\Sortby', 'text', NULL, NULL, 'multiselect', 'Available Product Listing Sort By', NULL, 'Magento\\Catalog\\Model\\Category\\Attribute\\Source\\Sortby', 0, 0, NULL, 0, NULL),
  (56, 3, 'default_sort_by', NULL, 'Magento\\Catalog\\Model\\Category\\Attribute\\Backend\\Sortby', 'varchar', NULL, NULL, 'select', 'Default Product Listing Sort By', NULL, 'Magento\\Catalog\\Model\\Category\\Attribute\\Source\\Sortby', 0, 0, NULL, 0, NULL),
  (57, 3, 'include_in_menu', NULL, NULL, 'int', NULL, NULL, 'select', 'Include in Navigation Menu', NULL, 'Magento\\Eav\\Model\\Entity\\Attribute\\Source\\Boolean', 1, 0, '1', 0, NULL),
  (58, 3, 'custom_design', NULL, NULL, 'varchar', NULL, NULL, 'select', 'Custom Design', NULL, 'Magento\\Theme\\Model\\Theme\\Source\\Theme', 0, 0, NULL, 0, NULL),
  (59, 3, 'custom_design_from', NULL, 'Magento\\Catalog\\Model\\Attribute\\Backend\\Startdate', 'datetime', NULL, NULL, 'date', 'Active From', NULL, NULL, 0, 0, NULL, 0, NULL),
  (60, 3, 'custom_design_to', NULL, 'Magento\\Eav\\Model\\Entity\\Attribute\\Backend\\Datetime', 'datetime', NULL, NULL, 'date', 'Active To', NULL, NULL, 0, 0, NULL, 0, NULL),
  (61, 3, 'page_layout', NULL, NULL, 'varchar', NULL, NULL, 'select', 'Page Layout', NULL, 'Magento\\Catalog\\Model\\Category\\Attribute\\Source\\Layout', 0, 0, NULL, 0, NULL),
  (62, 3, 'custom_layout_update', NULL, NULL, 'text', NULL, NULL, 'textarea', 'Custom Layout Update', NULL, NULL, 0, 0, NULL, 0, NULL),
  (63, 3, 'custom_use_parent_settings', NULL, NULL, 'int', NULL, NULL, 'select', 'Use Parent Category Settings', NULL, 'Magento\\Eav\\Model\\Entity\\Attribute\\Source\\Boolean', 0, 0, NULL, 0, NULL),
  (64, 3, 'custom_apply_to_products', NULL, NULL, 'int', NULL, NULL, 'select', 'Apply To Products', NULL, 'Magento\\Eav\\Model\\Entity\\Attribute\\Source\\Boolean', 0, 0, NULL, 0, NULL),
  (65, 3, 'filter_price_range', NULL, NULL, 'decimal', NULL, NULL, 'text', 'Layered Navigation Price Step', NULL, NULL, 0, 0, NULL, 0, NULL),
  (66, 3, 'url_key', NULL, NULL, 'varchar', NULL, NULL, 'text', 'URL Key', NULL, NULL, 0, 0, NULL, 0, NULL),
  (67, 3, 'url_path', NULL, NULL, 'varchar', NULL, NULL, 'text', NULL, NULL, NULL, 0, 0, NULL, 0, NULL),
  (73, 4, 'name', NULL, NULL, 'varchar', NULL, NULL, 'text', 'Product Name', NULL, NULL, 1, 0, NULL, 0, NULL),
  (74, 4, 'sku', NULL, 'Magento\\Catalog\\Model\\Product\\Attribute\\Backend\\Sku', 'static', NULL, NULL, 'text', 'SKU', NULL, NULL, 1, 0, NULL, 1, NULL),
  (75, 4, 'description', NULL, NULL, 'text', NULL, NULL, 'textarea', 'Description', NULL, NULL, 0, 0, NULL, 0, NULL),
  (76, 4, 'short_description', NULL, NULL, 'text', NULL, NULL, 'textarea', 'Short Description', NULL, NULL, 0, 0, NULL, 0, NULL),
  (77, 4, 'price', NULL, 'Magento\\Catalog\\Model\\Product\\Attribute\\Backend\\Price', 'decimal', NULL, NULL, 'price', 'Price', NULL, NULL, 1, 0, NULL, 0, NULL),
  (78, 4, 'special_price', NULL, 'Magento\\Catalog\\Model\\Product\\Attribute\\Backend\\Price', 'decimal', NULL, NULL, 'price', 'Special Price', NULL, NULL, 0, 0, NULL, 0, NULL),
  (79, 4, 'special_from_date', NULL, 'Magento\\Catalog\\Model\\Attribute\\Backend\\Startdate', 'datetime', NULL, NULL, 'date', 'Special Price From Date', NULL, NULL, 0, 0, NULL, 0, NULL),
  (80, 4, 'special_to_date', NULL, 'Magento\\Eav\\Model\\Entity\\Attribute\\Backend\\Datetime', 'datetime', NULL, NULL, 'date', 'Special Price To Date', NULL, NULL, 0, 0, NULL, 0, NULL),
  (81, 4, 'cost', NULL, 'Magento\\Catalog\\Model\\Product\\Attribute\\Backend\\Price', 'decimal', NULL, NULL, 'price', 'Cost', NULL, NULL, 0, 0, NULL, 0, NULL),
  (82, 4, 'weight', NULL, 'Magento\\Catalog\\Model\\Product\\Attribute\\Backend\\Weight', 'decimal', NULL, NULL, 'weight', 'Weight', NULL, NULL, 0, 0, NULL, 0, NULL),
  (83, 4, 'manufacturer', NULL, NULL, 'int', NULL, NULL, 'select', 'Manufacturer', NULL, NULL, 0, 1, NULL, 0, NULL),
  (84, 4, 'meta_title', NULL, NULL, 'varchar', NULL, NULL, 'text', 'Meta Title', NULL, NULL, 0, 0, NULL, 0, NULL),
  (85, 4, 'meta_keyword', NULL, NULL, 'text', NULL, NULL, 'textarea', 'Meta Keywords', NULL, NULL, 0, 0, NULL, 0, NULL),
  (86, 4, 'meta_description', NULL, NULL, 'varchar', NULL, NULL, 'textarea', 'Meta Description', NULL, NULL, 0, 0, NULL, 0, NULL),
  (87, 4, 'image', NULL, NULL, 'varchar', NULL, NULL, 'media_image', 'Base', NULL, NULL, 0, 0, NULL, 0, NULL),
  (88, 4, 'small_image', NULL, NULL, 'varchar', NULL, NULL, 'media_image', 'Small', NULL, NULL, 0, 0, NULL, 0, NULL),
  (89, 4, 'thumbnail', NULL, NULL, 'varchar', NULL, NULL, 'media_image', 'Thumbnail', NULL, NULL, 0, 0, NULL, 0, NULL),
  (90, 4, 'media_gallery', NULL, NULL, 'static', NULL, NULL, 'gallery', 'Media Gallery', NULL, NULL, 0, 0, NULL, 0, NULL),
  (91, 4, 'tier_price', NULL, 'Magento\\Catalog\\Model\\Product\\Attribute\\Backend\\Tierprice', 'decimal', NULL, NULL, 'text', 'Tier Price', NULL, NULL, 0, 0, NULL, 0, NULL),
  (92, 4, 'color', NULL, NULL, 'int', NULL, NULL, 'select', 'Color', NULL, NULL, 0, 1, NULL, 0, NULL),
  (93, 4, 'news_from_date', NULL, 'Magento\\Catalog\\Model\\Attribute\\Backend\\Startdate', 'datetime', NULL, NULL, 'date', 'Set Product as New from Date', NULL, NULL, 0, 0, NULL, 0, NULL),
  (94, 4, 'news_to_date', NULL, 'Magento\\Eav\\Model\\Entity\\Attribute\\Backend\\Datetime', 'datetime', NULL, NULL, 'date', 'Set Product as New to Date', NULL, NULL, 0, 0, NULL, 0, NULL),
  (95, 4, 'status', NULL, NULL, 'int', NULL, NULL, 'select', 'Enable Product', NULL, 'Magento\\Catalog\\Model\\Product\\Attribute\\Source\\Status', 0, 0, '1', 0, NULL),
  (96, 4, 'visibility', NULL, NULL, 'int', NULL, NULL, 'select', 'Visibility', NULL, 'Magento\\Catalog\\Model\\Product\\Visibility', 0, 0, '4', 0, NULL),
  (97, 4, 'tax_class_id', NULL, NULL, 'int', NULL, NULL, 'select', 'Tax Class', NULL, 'Magento\\Tax\\Model\\TaxClass\\Source\\Product', 0, 0, '2', 0, NULL),
  (98, 4, 'url_key', NULL, NULL, 'varchar', NULL, NULL, 'text', 'URL Key', NULL, NULL, 0, 0, NULL, 0, NULL),
  (99, 4, 'url_path', NULL, NULL, 'varchar', NULL, NULL, 'text', NULL, NULL, NULL, 0, 0, NULL, 0, NULL),
  (100, 4, 'country_of_manufacture', NULL, NULL, 'varchar', NULL, NULL, 'select', 'Country of Manufacture', NULL, 'Magento\\Catalog\\Model\\Product\\Attribute\\Source\\Countryofmanufacture', 0, 0, NULL, 0, NULL),
  (101, 4, 'quantity_and_stock_status', NULL, 'Magento\\Catalog\\Model\\Product\\Attribute\\Backend\\Stock', 'int', NULL, NULL, 'select', 'Quantity', NULL, 'Magento\\CatalogInventory\\Model\\Source\\Stock', 0, 0, '1', 0, NULL),
  (102, 4, 'image_label', NULL, NULL, 'varchar', NULL, NULL, 'text', 'Image Label', NULL, NULL, 0, 0, NULL, 0, NULL),
  (103, 4, 'small_image_label', NULL, NULL, 'varchar', NULL, NULL, 'text', 'Small Image Label', NULL, NULL, 0, 0, NULL, 0, NULL),
  (104, 4, 'thumbnail_label', NULL, NULL, 'varchar', NULL, NULL, 'text', 'Thumbnail Label', NULL, NULL, 0, 0, NULL, 0, NULL),
  (105, 4, 'created_at', NULL, NULL, 'static', NULL, NULL, 'date', NULL, NULL, NULL, 0, 0, NULL, 0, NULL),
  (106, 4, 'updated_at', NULL, NULL, 'static', NULL, NULL, 'date', NULL, NULL, NULL, 0, 0, NULL, 0, NULL),
  (107, 4, 'has_options', NULL, NULL, 'static', NULL, NULL, 'text', NULL, NULL, NULL, 0, 0, NULL, 0, NULL),
  (108, 4, 'required_options', NULL, NULL, 'static', NULL, NULL, 'text', NULL, NULL, NULL, 0, 0, NULL, 0, NULL),
  (109, 4, 'category_ids', NULL, 'Magento\\Catalog\\Model\\Product\\Attribute\\Backend\\Category', 'static', NULL, NULL, 'categories', 'Categories', NULL, NULL, 0, 0, NULL, 0, NULL),
  (110, 4, 'swatch_image', NULL, NULL, 'varchar', NULL, 'Magento\\Catalog\\Model\\Product\\Attribute\\Frontend\\Image', 'media_image', 'Swatch', NULL, NULL, 0, 0, NULL, 0, NULL),
  (120, 4, 'links_title', NULL, NULL, 'varchar', NULL, NULL, 'text', 'Links title', NULL, NULL, 1, 0, NULL, 0, NULL),
  (121, 4, 'links_purchased_separately', NULL, NULL, 'int', NULL, NULL, NULL, 'Links can be purchased separately', NULL, NULL, 1, 0, NULL, 0, NULL),
  -- Magento_Bundle's product attributes (its data patch AddBundleAttributes)
  (125, 4, 'price_type', NULL, NULL, 'int', NULL, NULL, 'boolean', 'Dynamic Price', NULL, NULL, 1, 0, '0', 0, NULL),
  (126, 4, 'sku_type', NULL, NULL, 'int', NULL, NULL, 'boolean', 'Dynamic SKU', NULL, NULL, 1, 0, '0', 0, NULL),
  (127, 4, 'weight_type', NULL, NULL, 'int', NULL, NULL, 'boolean', 'Dynamic Weight', NULL, NULL, 1, 0, '0', 0, NULL),
  (128, 4, 'price_view', NULL, NULL, 'int', NULL, NULL, 'select', 'Price View', NULL, 'Magento\\Bundle\\Model\\Product\\Attribute\\Source\\Price\\View', 1, 0, NULL, 0, NULL),
  (129, 4, 'shipment_type', NULL, NULL, 'int', NULL, NULL, 'select', 'Ship Bundle Items', NULL, 'Magento\\Bundle\\Model\\Product\\Attribute\\Source\\Shipment\\Type', 0, 0, '0', 0, NULL);

-- is_global: 0 store view, 1 global, 2 website. Price attributes (frontend_input 'price', and
-- tier_price) are website scope here, as with catalog/price/scope = 1 (PRICE_SCOPE_WEBSITE).
INSERT IGNORE INTO `catalog_eav_attribute` (`attribute_id`, `is_global`, `is_visible`, `is_searchable`, `is_filterable`, `is_comparable`, `is_visible_on_front`, `is_html_allowed_on_front`, `is_used_for_price_rules`, `is_filterable_in_search`, `used_in_product_listing`, `used_for_sort_by`, `apply_to`, `is_visible_in_advanced_search`, `position`, `is_wysiwyg_enabled`, `is_used_for_promo_rules`, `is_required_in_admin_store`, `is_used_in_grid`, `is_visible_in_grid`, `is_filterable_in_grid`, `search_weight`) VALUES
  (41, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (42, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (43, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, NULL, 0, 0, 1, 0, 0, 0, 0, 0, 1),
  (44, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (45, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (46, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (47, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (48, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (49, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (50, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (51, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (52, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (53, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (54, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (55, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (56, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (57, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (58, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (59, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (61, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (62, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (63, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (64, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (65, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (66, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (67, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (73, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, NULL, 1, 0, 0, 0, 0, 1, 0, 1, 5),
  (74, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 0, NULL, 1, 0, 0, 1, 0, 0, 0, 0, 6),
  (75, 0, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0, NULL, 1, 0, 1, 0, 0, 0, 0, 0, 1),
  (76, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0, NULL, 1, 0, 1, 0, 0, 0, 0, 0, 1),
  (77, 2, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 'simple,virtual,bundle,downloadable,configurable', 1, 0, 0, 0, 0, 1, 0, 1, 1),
  (78, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 'simple,virtual,bundle,downloadable,configurable', 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (79, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (80, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (81, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'simple,virtual,downloadable,configurable', 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (82, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 'simple,virtual,bundle,downloadable,configurable', 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (83, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 'simple,virtual,configurable', 1, 0, 0, 1, 0, 0, 0, 0, 1),
  (84, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (85, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (86, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (87, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, NULL, 0, 0, 0, 0, 0, 1, 0, 0, 1),
  (88, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (89, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (90, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (91, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'simple,virtual,bundle,downloadable,configurable', 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (92, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 'simple,virtual,configurable', 1, 0, 0, 1, 0, 0, 0, 0, 1),
  (93, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (94, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (95, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, NULL, 0, 0, 0, 0, 0, 1, 0, 1, 1),
  (96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 1, 0, 1, 1),
  (97, 2, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 'simple,virtual,downloadable,configurable', 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (98, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (100, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'simple,bundle,configurable', 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (101, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'simple,virtual,bundle,downloadable,configurable', 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (102, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (103, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (104, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (105, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (106, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (107, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (108, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (109, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (110, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (120, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 'downloadable', 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (121, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 'downloadable', 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (125, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 'bundle', 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (126, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'bundle', 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (127, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 'bundle', 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (128, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 'bundle', 0, 0, 0, 0, 0, 0, 0, 0, 1),
  (129, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 'bundle', 0, 0, 0, 0, 0, 0, 0, 0, 1);

INSERT IGNORE INTO `eav_entity_attribute` (`entity_attribute_id`, `entity_type_id`, `attribute_set_id`, `attribute_group_id`, `attribute_id`, `sort_order`) VALUES
  (1, 3, 3, 3, 41, 10),
  (2, 3, 3, 3, 42, 20),
  (3, 3, 3, 3, 43, 30),
  (4, 3, 3, 3, 44, 40),
  (5, 3, 3, 6, 45, 50),
  (6, 3, 3, 6, 46, 60),
  (7, 3, 3, 6, 47, 70),
  (8, 3, 3, 4, 48, 80),
  (9, 3, 3, 4, 49, 90),
  (10, 3, 3, 4, 50, 100),
  (11, 3, 3, 3, 51, 110),
  (12, 3, 3, 3, 52, 120),
  (13, 3, 3, 3, 53, 130),
  (14, 3, 3, 3, 54, 140),
  (15, 3, 3, 4, 55, 150),
  (16, 3, 3, 4, 56, 160),
  (17, 3, 3, 3, 57, 170),
  (18, 3, 3, 5, 58, 180),
  (19, 3, 3, 5, 59, 190),
  (20, 3, 3, 5, 60, 200),
  (21, 3, 3, 5, 61, 210),
  (22, 3, 3, 5, 62, 220),
  (23, 3, 3, 5, 63, 230),
  (24, 3, 3, 5, 64, 240),
  (25, 3, 3, 4, 65, 250),
  (26, 3, 3, 6, 66, 260),
  (27, 3, 3, 6, 67, 270),
  (28, 4, 4, 7, 73, 10),
  (29, 4, 4, 7, 74, 20),
  (30, 4, 4, 8, 75, 30),
  (31, 4, 4, 8, 76, 40),
  (32, 4, 4, 7, 77, 50),
  (33, 4, 4, 11, 78, 60),
  (34, 4, 4, 11, 79, 70),
  (35, 4, 4, 11, 80, 80),
  (36, 4, 4, 11, 81, 90),
  (37, 4, 4, 7, 82, 100),
  (38, 4, 4, 7, 83, 110),
  (39, 4, 4, 10, 84, 120),
  (40, 4, 4, 10, 85, 130),
  (41, 4, 4, 10, 86, 140),
  (42, 4, 4, 9, 87, 150),
  (43, 4, 4, 9, 88, 160),
  (44, 4, 4, 9, 89, 170),
  (45, 4, 4, 9, 90, 180),
  (46, 4, 4, 11, 91, 190),
  (47, 4, 4, 7, 92, 200),
  (48, 4, 4, 7, 93, 210),
  (49, 4, 4, 7, 94, 220),
  (50, 4, 4, 7, 95, 230),
  (51, 4, 4, 7, 96, 240),
  (52, 4, 4, 7, 97, 250),
  (53, 4, 4, 10, 98, 260),
  (54, 4, 4, 10, 99, 270),
  (55, 4, 4, 7, 100, 280),
  (56, 4, 4, 7, 101, 290),
  (57, 4, 4, 9, 102, 300),
  (58, 4, 4, 9, 103, 310),
  (59, 4, 4, 9, 104, 320),
  (60, 4, 4, 7, 105, 330),
  (61, 4, 4, 7, 106, 340),
  (62, 4, 4, 7, 107, 350),
  (63, 4, 4, 7, 108, 360),
  (64, 4, 4, 7, 109, 370),
  (65, 4, 4, 9, 110, 3);

-- Category tree roots (InstallDefaultCategories): 1 'Root Catalog' (level 0), 2 'Default Category'
INSERT IGNORE INTO `catalog_category_entity` (`entity_id`, `attribute_set_id`, `parent_id`, `created_at`, `updated_at`, `path`, `position`, `level`, `children_count`) VALUES
  (1, 3, 0, '2025-01-01 00:00:00', '2025-01-01 00:00:00', '1', 0, 0, 1),
  (2, 3, 1, '2025-01-01 00:00:00', '2025-01-01 00:00:00', '1/2', 1, 1, 0);

INSERT IGNORE INTO `catalog_category_entity_varchar` (`value_id`, `attribute_id`, `store_id`, `entity_id`, `value`) VALUES
  (1, 41, 0, 1, 'Root Catalog'),
  (2, 41, 0, 2, 'Default Category'),
  (3, 48, 0, 2, 'PRODUCTS');

INSERT IGNORE INTO `catalog_category_entity_int` (`value_id`, `attribute_id`, `store_id`, `entity_id`, `value`) VALUES
  (1, 42, 0, 2, 1),
  (2, 57, 0, 1, 1),
  (3, 57, 0, 2, 1);

-- Legacy CatalogInventory stock 1 and MSI defaults (DefaultSourceProvider, DefaultStockProvider,
-- AssignWebsiteToDefaultStock): source 'default', stock 1, linked, website 'base' sells from stock 1
-- Magento_Catalog's and Magento_GroupedProduct's link types and link attributes.
INSERT IGNORE INTO `catalog_product_link_type` (`link_type_id`, `code`) VALUES
  (1, 'relation'),
  (3, 'super'),
  (4, 'up_sell'),
  (5, 'cross_sell');

INSERT IGNORE INTO `catalog_product_link_attribute` (`product_link_attribute_id`, `link_type_id`, `product_link_attribute_code`, `data_type`) VALUES
  (1, 1, 'position', 'int'),
  (2, 4, 'position', 'int'),
  (3, 5, 'position', 'int'),
  (4, 3, 'position', 'int'),
  (5, 3, 'qty', 'decimal');

INSERT IGNORE INTO `cataloginventory_stock` (`stock_id`, `website_id`, `stock_name`) VALUES
  (1, 0, 'Default');

INSERT IGNORE INTO `inventory_source` (`source_code`, `name`, `enabled`, `description`, `latitude`, `longitude`, `country_id`, `postcode`) VALUES
  ('default', 'Default Source', 1, 'Default Source', '0.000000', '0.000000', 'US', '00000');

INSERT IGNORE INTO `inventory_stock` (`stock_id`, `name`) VALUES
  (1, 'Default Stock');

INSERT IGNORE INTO `inventory_source_stock_link` (`link_id`, `stock_id`, `source_code`, `priority`) VALUES
  (1, 1, 'default', 1);

INSERT IGNORE INTO `inventory_stock_sales_channel` (`type`, `code`, `stock_id`) VALUES
  ('website', 'base', 1);

SET SESSION time_zone = @FEEDSYNC_OLD_TIME_ZONE;
SET SESSION sql_mode = @FEEDSYNC_OLD_SQL_MODE;
