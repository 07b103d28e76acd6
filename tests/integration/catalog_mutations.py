"""Random catalog mutations for the property test: each is a (kind, seed) pair that turns
into SQL against whatever rows exist now, so any sequence is valid and replayable.

``apply(sql, kind, seed)`` runs one mutation in one transaction and returns the statements
it ran (with their arguments), which the test logs so a failing sequence can be replayed.
Deletes cascade as InnoDB does (product → values, links, tier prices; category → values,
product links, permissions), which the binlog never shows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

Statement = tuple[str, tuple[object, ...]]
NAME, PRICE, SPECIAL, SPECIAL_FROM, SPECIAL_TO = 73, 77, 78, 79, 80
CATEGORY_NAME = 41
IMAGE, SMALL_IMAGE, MEDIA_GALLERY, URL_KEY = 87, 88, 90, 98
STATUS = 95
LINKS_TITLE = 120


class Mutator:
    """One mutation at a time, against the live database."""

    def __init__(self, sql: Any, seed: int) -> None:
        self.sql = sql
        self.seed = seed
        self.ran: list[Statement] = []

    def run(self, statement: str, *args: object) -> Any:
        self.ran.append((statement, args))
        with self.sql.cursor() as cursor:
            cursor.execute(statement, args)
            return cursor.fetchall()

    def set_varchar(self, attribute_id: int, store_id: int, product: int, value: str) -> None:
        """A product's varchar value in a store, inserted or replaced."""
        self.run(
            "INSERT INTO catalog_product_entity_varchar (attribute_id, store_id, entity_id, value) "
            "VALUES (%s, %s, %s, %s) ON DUPLICATE KEY UPDATE value = VALUES(value)",
            attribute_id,
            store_id,
            product,
            value,
        )

    def pick(self, query: str, *args: object) -> Any:
        """One row of ``query`` chosen by the seed, or None when it has no rows."""
        with self.sql.cursor() as cursor:
            cursor.execute(query, args)
            rows = cursor.fetchall()
        return rows[self.seed % len(rows)] if rows else None

    def product(self, type_id: str = "simple") -> int | None:
        row = self.pick(
            "SELECT entity_id FROM catalog_product_entity WHERE type_id = %s ORDER BY entity_id",
            type_id,
        )
        return None if row is None else int(row[0])

    def category(self) -> tuple[int, str] | None:
        row = self.pick(
            "SELECT entity_id, path FROM catalog_category_entity WHERE level >= 2 "
            "ORDER BY entity_id"
        )
        return None if row is None else (int(row[0]), str(row[1]))


def _rename_product(m: Mutator) -> None:
    if (product := m.product()) is not None:
        m.run(
            "UPDATE catalog_product_entity_varchar SET value = %s WHERE entity_id = %s "
            "AND attribute_id = %s AND store_id = 0",
            f"Renamed {m.seed}",
            product,
            NAME,
        )


def _store_view_name(m: Mutator) -> None:
    if (product := m.product()) is not None:
        m.set_varchar(NAME, 1 + m.seed % 4, product, f"View name {m.seed}")


def _price(m: Mutator) -> None:
    if (product := m.product()) is not None:
        m.run(
            "INSERT INTO catalog_product_entity_decimal (attribute_id, store_id, entity_id, value) "
            "VALUES (%s, 0, %s, %s) ON DUPLICATE KEY UPDATE value = VALUES(value)",
            PRICE,
            product,
            f"{m.seed % 500}.{m.seed % 100:02d}",
        )


def _special_price(m: Mutator) -> None:
    if (product := m.product()) is None:
        return
    if m.seed % 3 == 0:
        m.run(
            "DELETE FROM catalog_product_entity_decimal WHERE entity_id = %s AND attribute_id = %s",
            product,
            SPECIAL,
        )
        return
    m.run(
        "INSERT INTO catalog_product_entity_decimal (attribute_id, store_id, entity_id, value) "
        "VALUES (%s, 0, %s, %s) ON DUPLICATE KEY UPDATE value = VALUES(value)",
        SPECIAL,
        product,
        f"{1 + m.seed % 50}.50",
    )
    # A window that is open now, or one long past: both must be settled by verify time.
    start, end = ("2020-01-01 00:00:00", "2099-12-31 00:00:00")
    if m.seed % 3 == 2:
        start, end = ("2020-01-01 00:00:00", "2021-01-01 00:00:00")
    for attribute, value in ((SPECIAL_FROM, start), (SPECIAL_TO, end)):
        m.run(
            "INSERT INTO catalog_product_entity_datetime (attribute_id, store_id, entity_id, "
            "value) VALUES (%s, 0, %s, %s) ON DUPLICATE KEY UPDATE value = VALUES(value)",
            attribute,
            product,
            value,
        )


def _tier_price(m: Mutator) -> None:
    if (product := m.product()) is None:
        return
    if m.seed % 2:
        m.run("DELETE FROM catalog_product_entity_tier_price WHERE entity_id = %s", product)
        return
    all_groups = m.seed % 4 == 0
    m.run(
        "INSERT INTO catalog_product_entity_tier_price (entity_id, all_groups, "
        "customer_group_id, qty, value, website_id) VALUES (%s, %s, %s, %s, %s, %s) "
        "ON DUPLICATE KEY UPDATE value = VALUES(value)",
        product,
        int(all_groups),
        0 if all_groups else m.seed % 4,
        2 + m.seed % 20,
        f"{1 + m.seed % 40}.25",
        m.seed % 3,
    )


def _website(m: Mutator) -> None:
    if (product := m.product()) is None:
        return
    website = 1 + m.seed % 2
    if m.seed % 2:
        m.run(
            "DELETE FROM catalog_product_website WHERE product_id = %s AND website_id = %s",
            product,
            website,
        )
    else:
        m.run(
            "INSERT IGNORE INTO catalog_product_website (product_id, website_id) VALUES (%s, %s)",
            product,
            website,
        )


def _category_link(m: Mutator) -> None:
    product, category = m.product(), m.category()
    if product is None or category is None:
        return
    if m.seed % 2:
        m.run(
            "DELETE FROM catalog_category_product WHERE product_id = %s AND category_id = %s",
            product,
            category[0],
        )
    else:
        m.run(
            "INSERT IGNORE INTO catalog_category_product (category_id, product_id, position) "
            "VALUES (%s, %s, %s)",
            category[0],
            product,
            m.seed % 10,
        )


def _delete_product(m: Mutator) -> None:
    if (product := m.product("simple" if m.seed % 2 else "configurable")) is not None:
        m.run("DELETE FROM catalog_product_entity WHERE entity_id = %s", product)


def _new_product(m: Mutator) -> None:
    """A new simple product, unless one holds its SKU already: Magento keeps SKUs unique in
    its code, not in the schema, so the table would take a second one, and two live products
    building the same item ids is a data error no feed can resolve (seeds recur across runs
    against one database)."""
    sku = f"PROP-{m.seed}"
    if m.run("SELECT entity_id FROM catalog_product_entity WHERE sku = %s", sku):
        return
    m.run(
        "INSERT INTO catalog_product_entity (attribute_set_id, type_id, sku) "
        "VALUES (4, 'simple', %s)",
        sku,
    )
    row = m.run("SELECT entity_id FROM catalog_product_entity WHERE sku = %s", sku)
    product = int(row[0][0])
    for statement, args in (
        (
            "INSERT IGNORE INTO catalog_product_entity_varchar (attribute_id, store_id, "
            "entity_id, value) VALUES (%s, 0, %s, %s)",
            (NAME, product, f"Property product {m.seed}"),
        ),
        (
            "INSERT IGNORE INTO catalog_product_entity_decimal (attribute_id, store_id, "
            "entity_id, value) VALUES (%s, 0, %s, %s)",
            (PRICE, product, f"{m.seed % 90 + 10}.00"),
        ),
        (
            "INSERT IGNORE INTO catalog_product_website (product_id, website_id) VALUES (%s, 1)",
            (product,),
        ),
        (
            "INSERT IGNORE INTO inventory_source_item (source_code, sku, quantity, status) "
            "SELECT source_code, %s, %s, 1 FROM inventory_source ORDER BY source_code LIMIT 1",
            (sku, m.seed % 50),
        ),
    ):
        m.run(statement, *args)


def _variant_link(m: Mutator) -> None:
    parent = m.product("configurable")
    if parent is None:
        return
    link = m.pick(
        "SELECT product_id FROM catalog_product_super_link WHERE parent_id = %s "
        "ORDER BY product_id",
        parent,
    )
    if link is not None and m.seed % 2:
        for table, column in (
            ("catalog_product_super_link", "product_id"),
            ("catalog_product_relation", "child_id"),
        ):
            m.run(f"DELETE FROM {table} WHERE parent_id = %s AND {column} = %s", parent, link[0])
    elif (child := m.product()) is not None:
        m.run(
            "INSERT IGNORE INTO catalog_product_super_link (product_id, parent_id) VALUES (%s, %s)",
            child,
            parent,
        )
        m.run(
            "INSERT IGNORE INTO catalog_product_relation (parent_id, child_id) VALUES (%s, %s)",
            parent,
            child,
        )


def _rename_category(m: Mutator) -> None:
    if (category := m.category()) is not None:
        m.run(
            "UPDATE catalog_category_entity_varchar SET value = %s WHERE entity_id = %s "
            "AND attribute_id = %s AND store_id = 0",
            f"Category {m.seed}",
            category[0],
            CATEGORY_NAME,
        )


def _move_category(m: Mutator) -> None:
    """Magento's move: the category and its subtree get new paths and levels."""
    moved, target = m.category(), None
    if moved is None:
        return
    row = m.pick(
        "SELECT entity_id, path, level FROM catalog_category_entity WHERE level >= 1 "
        "AND path NOT LIKE %s AND entity_id <> %s ORDER BY entity_id",
        f"{moved[1]}/%",
        moved[0],
    )
    if row is None:
        return
    target = (int(row[0]), str(row[1]), int(row[2]))
    old_prefix, new_prefix = moved[1], f"{target[1]}/{moved[0]}"
    depth_change = target[2] + 1 - old_prefix.count("/")
    m.run(
        "UPDATE catalog_category_entity SET path = CONCAT(%s, SUBSTRING(path, %s)), "
        "level = level + %s WHERE entity_id = %s OR path LIKE %s",
        new_prefix,
        len(old_prefix) + 1,
        depth_change,
        moved[0],
        f"{old_prefix}/%",
    )
    m.run(
        "UPDATE catalog_category_entity SET parent_id = %s WHERE entity_id = %s",
        target[0],
        moved[0],
    )


def _delete_category(m: Mutator) -> None:
    """Deleting a category deletes its subtree too (as Magento's resource model does).

    Only below the top level, and only one time in three, so a long sequence leaves a tree.
    """
    if (category := m.category()) is not None and m.seed % 3 == 0 and category[1].count("/") > 2:
        m.run(
            "DELETE FROM catalog_category_entity WHERE entity_id = %s OR path LIKE %s",
            category[0],
            f"{category[1]}/%",
        )


def _stock(m: Mutator) -> None:
    item = m.pick("SELECT source_item_id, sku FROM inventory_source_item ORDER BY source_item_id")
    if item is None:
        return
    if m.seed % 2:
        m.run(
            "UPDATE inventory_source_item SET quantity = %s, status = %s WHERE source_item_id = %s",
            m.seed % 40,
            int(m.seed % 5 != 0),
            item[0],
        )
    else:
        m.run(
            "INSERT INTO inventory_reservation (stock_id, sku, quantity, metadata) "
            "SELECT stock_id, %s, %s, '{}' FROM inventory_stock ORDER BY stock_id LIMIT 1",
            item[1],
            -(1 + m.seed % 3),
        )


def _permission(m: Mutator) -> None:
    if (category := m.category()) is None:
        return
    if m.seed % 3 == 0:
        m.run("DELETE FROM magento_catalogpermissions WHERE category_id = %s", category[0])
        return
    grant = (-1, -2, 0)[m.seed % 3]
    m.run(
        "INSERT INTO magento_catalogpermissions (category_id, website_id, customer_group_id, "
        "grant_catalog_category_view, grant_catalog_product_price, grant_checkout_items) "
        "VALUES (%s, %s, %s, %s, %s, %s) ON DUPLICATE KEY UPDATE "
        "grant_catalog_category_view = VALUES(grant_catalog_category_view)",
        category[0],
        1 + m.seed % 2,
        m.seed % 4,
        grant,
        -1,
        -1,
    )


def _attribute_flags(m: Mutator) -> None:
    row = m.pick(
        "SELECT c.attribute_id FROM catalog_eav_attribute c JOIN eav_attribute a USING "
        "(attribute_id) WHERE a.entity_type_id = 4 ORDER BY c.attribute_id"
    )
    if row is not None:
        column = ("is_filterable", "is_searchable", "used_in_product_listing")[m.seed % 3]
        m.run(
            f"UPDATE catalog_eav_attribute SET {column} = 1 - {column} WHERE attribute_id = %s",
            row[0],
        )


def _option_label(m: Mutator) -> None:
    row = m.pick("SELECT value_id FROM eav_attribute_option_value ORDER BY value_id")
    if row is not None:
        m.run(
            "UPDATE eav_attribute_option_value SET value = %s WHERE value_id = %s",
            f"Option {m.seed}",
            row[0],
        )


def _image_added(m: Mutator) -> None:
    if (product := m.product()) is None:
        return
    file = f"/m/u/mutation-{m.seed}.jpg"
    m.run(
        "INSERT INTO catalog_product_entity_media_gallery (attribute_id, value, media_type) "
        "VALUES (%s, %s, 'image')",
        MEDIA_GALLERY,
        file,
    )
    (value_id,) = m.run("SELECT LAST_INSERT_ID()")[0]
    m.run(
        "INSERT INTO catalog_product_entity_media_gallery_value_to_entity (value_id, entity_id) "
        "VALUES (%s, %s)",
        value_id,
        product,
    )
    m.run(
        "INSERT INTO catalog_product_entity_media_gallery_value (value_id, store_id, entity_id, "
        "label, position, disabled) VALUES (%s, 0, %s, %s, %s, 0)",
        value_id,
        product,
        f"Mutation {m.seed}" if m.seed % 2 else None,
        m.seed % 7,
    )
    if m.seed % 3 == 0:  # and made the base image
        m.set_varchar(IMAGE, 0, product, file)


def _image_removed(m: Mutator) -> None:
    # Its links and per-store values go by InnoDB's cascade, unseen by the binlog.
    entry = m.pick("SELECT value_id FROM catalog_product_entity_media_gallery ORDER BY value_id")
    if entry is not None:
        m.run("DELETE FROM catalog_product_entity_media_gallery WHERE value_id = %s", entry[0])


def _image_role(m: Mutator) -> None:
    link = m.pick(
        "SELECT e.entity_id, g.value FROM catalog_product_entity_media_gallery_value_to_entity e "
        "JOIN catalog_product_entity_media_gallery g ON g.value_id = e.value_id "
        "ORDER BY e.value_id, e.entity_id"
    )
    if link is None:
        return
    file = "no_selection" if m.seed % 5 == 0 else link[1]
    store = 1 + m.seed % 4 if m.seed % 3 == 0 else 0
    m.set_varchar((IMAGE, SMALL_IMAGE)[m.seed % 2], store, link[0], file)


def _gallery_value(m: Mutator) -> None:
    link = m.pick(
        "SELECT value_id, entity_id FROM catalog_product_entity_media_gallery_value_to_entity "
        "ORDER BY value_id, entity_id"
    )
    if link is None:
        return
    store = 1 + m.seed % 4
    m.run(
        "DELETE FROM catalog_product_entity_media_gallery_value WHERE value_id = %s "
        "AND entity_id = %s AND store_id = %s",
        link[0],
        link[1],
        store,
    )
    if m.seed % 4:
        m.run(
            "INSERT INTO catalog_product_entity_media_gallery_value (value_id, store_id, "
            "entity_id, label, position, disabled) VALUES (%s, %s, %s, %s, %s, %s)",
            link[0],
            store,
            link[1],
            f"View label {m.seed}" if m.seed % 3 else None,
            m.seed % 5 if m.seed % 2 else None,
            int(m.seed % 4 == 1),
        )


def _url_key(m: Mutator) -> None:
    # As Magento's URL rewrite module does on save: the canonical path moves, and the old
    # one becomes a permanent redirect.
    if (product := m.product()) is None:
        return
    key = f"mutated-{m.seed}-{product}"
    m.set_varchar(URL_KEY, 0, product, key)
    for rewrite_id, store_id, path in m.run(
        "SELECT url_rewrite_id, store_id, request_path FROM url_rewrite WHERE entity_type = "
        "'product' AND entity_id = %s AND redirect_type = 0 AND metadata IS NULL",
        product,
    ):
        m.run(
            "UPDATE url_rewrite SET request_path = %s WHERE url_rewrite_id = %s",
            f"{key}-{store_id}.html",
            rewrite_id,
        )
        m.run(
            "INSERT IGNORE INTO url_rewrite (entity_type, entity_id, request_path, target_path, "
            "redirect_type, store_id, is_autogenerated) VALUES ('product', %s, %s, %s, 301, %s, 0)",
            product,
            path,
            f"{key}-{store_id}.html",
            store_id,
        )


def _backorders(m: Mutator) -> None:
    row = m.pick("SELECT item_id, backorders FROM cataloginventory_stock_item ORDER BY item_id")
    if row is not None:
        m.run(
            "UPDATE cataloginventory_stock_item SET use_config_backorders = 0, "
            "backorders = %s WHERE item_id = %s",
            0 if row[1] else 1 + m.seed % 2,
            row[0],
        )


def _catalog_rule(m: Mutator) -> None:
    """The catalog-rule indexer re-indexing a product: its rows replaced by rows for
    yesterday, today and tomorrow (UTC days: each website's today is among them)."""
    if (product := m.product()) is None:
        return
    m.run("DELETE FROM catalogrule_product_price WHERE product_id = %s", product)
    if m.seed % 3 == 0:
        return  # no rule applies to it any more
    today = datetime.now(UTC).date()
    for offset in (-1, 0, 1):
        m.run(
            "INSERT INTO catalogrule_product_price (rule_date, customer_group_id, product_id, "
            "rule_price, website_id) VALUES (%s, %s, %s, %s, %s)",
            today + timedelta(days=offset),
            m.seed % 4,
            product,
            f"{1 + (m.seed + offset) % 30}.5000",
            1 + m.seed % 2,
        )


def _product_link(m: Mutator) -> None:
    """A related, up-sell or cross-sell product added, or a product's links removed."""
    if (product := m.product()) is None:
        return
    if m.seed % 3 == 0:
        m.run("DELETE FROM catalog_product_link WHERE product_id = %s", product)
        return
    linked = m.pick("SELECT entity_id FROM catalog_product_entity ORDER BY entity_id")
    if linked is not None and linked[0] != product:
        m.run(
            "INSERT IGNORE INTO catalog_product_link (product_id, linked_product_id, "
            "link_type_id) VALUES (%s, %s, %s)",
            product,
            linked[0],
            (1, 4, 5)[m.seed % 3],
        )


def _custom_option(m: Mutator) -> None:
    """A custom option edited as the admin saves it: a store view's title or price of an
    option, a value's title or price, or the option's sort order and required flag."""
    option = m.pick("SELECT option_id, type FROM catalog_product_option ORDER BY option_id")
    if option is None:
        return
    option_id, store = option[0], (0, 1 + m.seed % 4)[m.seed % 2]
    kind = ("percent", "fixed")[m.seed % 3 > 0]
    step = m.seed % 4
    if step == 0:
        m.run(
            "INSERT INTO catalog_product_option_title (option_id, store_id, title) "
            "VALUES (%s, %s, %s) ON DUPLICATE KEY UPDATE title = VALUES(title)",
            option_id,
            store,
            f"Option {m.seed}",
        )
    elif step == 1 and option[1] not in ("drop_down", "radio", "checkbox", "multiple"):
        m.run(
            "INSERT INTO catalog_product_option_price (option_id, store_id, price, price_type) "
            "VALUES (%s, %s, %s, %s) ON DUPLICATE KEY UPDATE price = VALUES(price), "
            "price_type = VALUES(price_type)",
            option_id,
            store,
            f"{m.seed % 50}.{m.seed % 100:02d}",
            kind,
        )
    elif step == 2:
        value = m.pick(
            "SELECT option_type_id FROM catalog_product_option_type_value ORDER BY option_type_id"
        )
        if value is None:
            return
        m.run(
            "INSERT INTO catalog_product_option_type_title (option_type_id, store_id, title) "
            "VALUES (%s, %s, %s) ON DUPLICATE KEY UPDATE title = VALUES(title)",
            value[0],
            store,
            f"Value {m.seed}",
        )
        m.run(
            "INSERT INTO catalog_product_option_type_price (option_type_id, store_id, price, "
            "price_type) VALUES (%s, %s, %s, %s) ON DUPLICATE KEY UPDATE price = VALUES(price), "
            "price_type = VALUES(price_type)",
            value[0],
            store,
            f"{m.seed % 30}.50",
            kind,
        )
    else:
        m.run(
            "UPDATE catalog_product_option SET sort_order = %s, is_require = 1 - is_require "
            "WHERE option_id = %s",
            m.seed % 40,
            option_id,
        )


def _custom_option_removed(m: Mutator) -> None:
    # An option's titles, prices and values (and theirs), or a value's titles and prices, go
    # by InnoDB's cascade, unseen by the binlog.
    if m.seed % 2:
        option = m.pick("SELECT option_id FROM catalog_product_option ORDER BY option_id")
        if option is not None:
            m.run("DELETE FROM catalog_product_option WHERE option_id = %s", option[0])
    else:
        value = m.pick(
            "SELECT option_type_id FROM catalog_product_option_type_value ORDER BY option_type_id"
        )
        if value is not None:
            m.run(
                "DELETE FROM catalog_product_option_type_value WHERE option_type_id = %s",
                value[0],
            )


def _bundle_option(m: Mutator) -> None:
    """A bundle edited as the admin saves it: an option's title in store 0 or a store view,
    its position and required flag, a selection's price, quantity and default flag, or a
    selection's price in the second website."""
    option = m.pick(
        "SELECT option_id, parent_id FROM catalog_product_bundle_option ORDER BY option_id"
    )
    if option is None:
        return
    option_id, bundle = option
    step = m.seed % 4
    if step == 0:
        m.run(
            "INSERT INTO catalog_product_bundle_option_value (option_id, store_id, title, "
            "parent_product_id) VALUES (%s, %s, %s, %s) ON DUPLICATE KEY UPDATE "
            "title = VALUES(title)",
            option_id,
            (0, 1 + m.seed % 4)[m.seed % 2],
            f"Bundle option {m.seed}",
            bundle,
        )
    elif step == 1:
        m.run(
            "UPDATE catalog_product_bundle_option SET position = %s, required = 1 - required "
            "WHERE option_id = %s",
            m.seed % 7,
            option_id,
        )
    else:
        selection = m.pick(
            "SELECT selection_id FROM catalog_product_bundle_selection WHERE option_id = %s "
            "ORDER BY selection_id",
            option_id,
        )
        if selection is None:
            return
        if step == 2:
            m.run(
                "UPDATE catalog_product_bundle_selection SET selection_price_value = %s, "
                "selection_qty = %s, is_default = 1 - is_default, selection_price_type = %s "
                "WHERE selection_id = %s",
                f"{m.seed % 40}.25",
                f"{1 + m.seed % 3}.0000",
                m.seed % 2,
                selection[0],
            )
        else:
            m.run(
                "INSERT INTO catalog_product_bundle_selection_price (selection_id, website_id, "
                "selection_price_type, selection_price_value, parent_product_id) "
                "VALUES (%s, 2, 0, %s, %s) ON DUPLICATE KEY UPDATE "
                "selection_price_value = VALUES(selection_price_value)",
                selection[0],
                f"{m.seed % 30}.75",
                bundle,
            )


def _bundle_selection(m: Mutator) -> None:
    # A product offered by one more option, or a selection or a whole option deleted (its
    # titles, selections and their prices go by InnoDB's cascade, unseen by the binlog).
    option = m.pick(
        "SELECT option_id, parent_id FROM catalog_product_bundle_option ORDER BY option_id"
    )
    if option is None:
        return
    step = m.seed % 4
    if step < 2:
        offered = m.pick(
            "SELECT entity_id FROM catalog_product_entity WHERE type_id = 'simple' "
            "AND entity_id NOT IN (SELECT product_id FROM catalog_product_bundle_selection "
            "WHERE option_id = %s) ORDER BY entity_id",
            option[0],
        )
        if offered is not None:
            m.run(
                "INSERT INTO catalog_product_bundle_selection (option_id, parent_product_id, "
                "product_id, position, is_default, selection_price_type, "
                "selection_price_value, selection_qty, selection_can_change_qty) "
                "VALUES (%s, %s, %s, %s, 0, 0, '4.0000', '1.0000', 1)",
                option[0],
                option[1],
                offered[0],
                m.seed % 5,
            )
    elif step == 2:
        selection = m.pick(
            "SELECT selection_id FROM catalog_product_bundle_selection ORDER BY selection_id"
        )
        if selection is not None:
            m.run(
                "DELETE FROM catalog_product_bundle_selection WHERE selection_id = %s",
                selection[0],
            )
    else:
        m.run("DELETE FROM catalog_product_bundle_option WHERE option_id = %s", option[0])


def _grouped_link(m: Mutator) -> None:
    """A grouped product's item edited as the admin saves it (its default quantity and
    position, link attributes naming only the link), one more item linked, or an item
    unlinked (its attributes go by InnoDB's cascade, unseen by the binlog)."""
    link = m.pick(
        "SELECT link_id, product_id FROM catalog_product_link WHERE link_type_id = 3 "
        "ORDER BY link_id"
    )
    if link is None:
        return
    step = m.seed % 3
    if step == 0:
        m.run(
            "INSERT INTO catalog_product_link_attribute_decimal (product_link_attribute_id, "
            "link_id, value) VALUES (5, %s, %s) ON DUPLICATE KEY UPDATE value = VALUES(value)",
            link[0],
            m.seed % 4,
        )
        m.run(
            "INSERT INTO catalog_product_link_attribute_int (product_link_attribute_id, "
            "link_id, value) VALUES (4, %s, %s) ON DUPLICATE KEY UPDATE value = VALUES(value)",
            link[0],
            m.seed % 9,
        )
    elif step == 1:
        item = m.pick(
            "SELECT entity_id FROM catalog_product_entity WHERE type_id = 'simple' "
            "AND entity_id NOT IN (SELECT linked_product_id FROM catalog_product_link "
            "WHERE product_id = %s AND link_type_id = 3) ORDER BY entity_id",
            link[1],
        )
        if item is not None:
            m.run(
                "INSERT INTO catalog_product_link (product_id, linked_product_id, link_type_id) "
                "VALUES (%s, %s, 3)",
                link[1],
                item[0],
            )
    else:
        m.run("DELETE FROM catalog_product_link WHERE link_id = %s", link[0])


def _configurable_option(m: Mutator) -> None:
    """What a configurable's optionsV2 entries read, edited as the admin saves it: a child's
    status in a store view flipped, a swatch's value changed or deleted or a store view's
    own added, an attribute's store label edited, or an attribute's swatch type changed."""
    store = m.pick("SELECT store_id FROM store WHERE store_id > 0 ORDER BY store_id")
    step = m.seed % 4
    if step == 0:
        child = m.pick("SELECT DISTINCT product_id FROM catalog_product_super_link ORDER BY 1")
        if child is not None and store is not None:
            m.run(
                "INSERT INTO catalog_product_entity_int (attribute_id, store_id, entity_id, value) "
                "VALUES (%s, %s, %s, 2) ON DUPLICATE KEY UPDATE value = 3 - value",
                STATUS,
                store[0],
                child[0],
            )
    elif step == 1:
        swatch = m.pick(
            "SELECT swatch_id, option_id, type FROM eav_attribute_option_swatch ORDER BY 1"
        )
        if swatch is None or store is None:
            return
        value = f"#{m.seed % 0xFFFFFF:06x}" if swatch[2] == 1 else f"/m/u/swatch-{m.seed}.png"
        if m.seed % 3 == 0:
            m.run("DELETE FROM eav_attribute_option_swatch WHERE swatch_id = %s", swatch[0])
        elif m.seed % 3 == 1:
            m.run(
                "UPDATE eav_attribute_option_swatch SET value = %s WHERE swatch_id = %s",
                value,
                swatch[0],
            )
        else:
            m.run(
                "INSERT INTO eav_attribute_option_swatch (option_id, store_id, type, value) "
                "VALUES (%s, %s, %s, %s) ON DUPLICATE KEY UPDATE value = VALUES(value)",
                swatch[1],
                store[0],
                (1, 2)[m.seed % 2],
                value,
            )
    elif step == 2:
        label = m.pick(
            "SELECT l.attribute_label_id FROM eav_attribute_label l WHERE l.attribute_id IN "
            "(SELECT attribute_id FROM catalog_product_super_attribute) ORDER BY 1"
        )
        if label is not None:
            m.run(
                "UPDATE eav_attribute_label SET value = %s WHERE attribute_label_id = %s",
                f"Axis {m.seed}",
                label[0],
            )
    else:
        attribute = m.pick(
            "SELECT DISTINCT attribute_id FROM catalog_product_super_attribute ORDER BY 1"
        )
        if attribute is not None:
            kind = (None, '{"swatch_input_type":"visual"}', '{"swatch_input_type":"text"}')
            m.run(
                "UPDATE catalog_eav_attribute SET additional_data = %s WHERE attribute_id = %s",
                kind[m.seed % 3],
                attribute[0],
            )


def _downloadable_link(m: Mutator) -> None:
    """A downloadable's links edited as the admin saves them: a link's title in a store view
    or store 0, its price in a website (Magento deletes the row and writes a new one), its
    sort order, download limit and sample, or the product's links_title; now and then a new
    link with its store-0 title and website-0 price."""
    link = m.pick("SELECT link_id, product_id FROM downloadable_link ORDER BY link_id")
    if link is None or m.seed % 6 == 5:
        product = m.product("downloadable")
        if product is not None:
            _new_downloadable_link(m, product)
        return
    link_id, product = link
    store, website = (0, 1 + m.seed % 4)[m.seed % 2], m.seed % 3
    step = m.seed % 4
    if step == 0:
        m.run(
            "INSERT INTO downloadable_link_title (link_id, store_id, title) VALUES (%s, %s, %s) "
            "ON DUPLICATE KEY UPDATE title = VALUES(title)",
            link_id,
            store,
            f"Link {m.seed}",
        )
    elif step == 1:
        m.run(
            "DELETE FROM downloadable_link_price WHERE link_id = %s AND website_id = %s",
            link_id,
            website,
        )
        m.run(
            "INSERT INTO downloadable_link_price (link_id, website_id, price) VALUES (%s, %s, %s)",
            link_id,
            website,
            f"{m.seed % 40}.{m.seed % 100:02d}",
        )
    elif step == 2:
        m.run(
            "UPDATE downloadable_link SET sort_order = %s, number_of_downloads = %s, "
            "sample_url = IF(sample_url IS NULL AND sample_file IS NULL, %s, NULL), "
            "sample_file = NULL WHERE link_id = %s",
            m.seed % 40,
            (None, 0, m.seed % 9)[m.seed % 3],
            f"https://files.example/preview/{m.seed}.mp4",
            link_id,
        )
    else:
        m.set_varchar(LINKS_TITLE, store, product, f"Downloads {m.seed}")


def _new_downloadable_link(m: Mutator, product: int) -> None:
    m.run(
        "INSERT INTO downloadable_link (product_id, sort_order, number_of_downloads, link_file, "
        "link_type) VALUES (%s, %s, %s, %s, 'file')",
        product,
        m.seed % 40,
        m.seed % 5,
        f"/l/i/link-{m.seed}.zip",
    )
    ((link_id,),) = m.run("SELECT LAST_INSERT_ID()")
    m.run(
        "INSERT INTO downloadable_link_title (link_id, store_id, title) VALUES (%s, 0, %s)",
        link_id,
        f"New link {m.seed}",
    )
    m.run(
        "INSERT INTO downloadable_link_price (link_id, website_id, price) VALUES (%s, 0, %s)",
        link_id,
        f"{m.seed % 20}.99",
    )


def _downloadable_link_removed(m: Mutator) -> None:
    # Its titles and prices go by InnoDB's cascade, unseen by the binlog; now and then the
    # whole downloadable goes, its links, samples and theirs with it.
    if m.seed % 7 == 0:
        if (product := m.product("downloadable")) is not None:
            m.run("DELETE FROM catalog_product_entity WHERE entity_id = %s", product)
        return
    link = m.pick("SELECT link_id FROM downloadable_link ORDER BY link_id")
    if link is not None:
        m.run("DELETE FROM downloadable_link WHERE link_id = %s", link[0])


MUTATIONS: dict[str, Callable[[Mutator], None]] = {
    "rename_product": _rename_product,
    "store_view_name": _store_view_name,
    "price": _price,
    "special_price": _special_price,
    "tier_price": _tier_price,
    "website": _website,
    "category_link": _category_link,
    "delete_product": _delete_product,
    "new_product": _new_product,
    "variant_link": _variant_link,
    "rename_category": _rename_category,
    "move_category": _move_category,
    "delete_category": _delete_category,
    "stock": _stock,
    "permission": _permission,
    "attribute_flags": _attribute_flags,
    "option_label": _option_label,
    "image_added": _image_added,
    "image_removed": _image_removed,
    "image_role": _image_role,
    "gallery_value": _gallery_value,
    "url_key": _url_key,
    "backorders": _backorders,
    "custom_option": _custom_option,
    "custom_option_removed": _custom_option_removed,
    "bundle_option": _bundle_option,
    "bundle_selection": _bundle_selection,
    "grouped_link": _grouped_link,
    "configurable_option": _configurable_option,
    "downloadable_link": _downloadable_link,
    "downloadable_link_removed": _downloadable_link_removed,
    "catalog_rule": _catalog_rule,
    "product_link": _product_link,
}


def apply(sql: Any, kind: str, seed: int) -> list[Statement]:
    """Run one mutation in its own transaction; the statements it ran."""
    mutator = Mutator(sql, seed)
    sql.begin()
    try:
        MUTATIONS[kind](mutator)
    except BaseException:
        sql.rollback()
        raise
    sql.commit()
    return mutator.ran
