"""Debezium's privileges as sets: what it needs, and what information_schema says it holds."""

from __future__ import annotations

from feedsync.stack.mariadb import debezium_privileges, privileges_from_rows


def test_debezium_needs_select_on_captured_tables_and_the_signal_table_to_write() -> None:
    needed = debezium_privileges("magento", ["sales_order", "catalog_product_entity"], "sig")
    assert needed == {
        ("*.*", "BINLOG MONITOR"),
        ("*.*", "RELOAD"),
        ("*.*", "REPLICATION SLAVE"),
        ("`magento`.`sales_order`", "SELECT"),
        ("`magento`.`catalog_product_entity`", "SELECT"),
        ("`magento`.`sig`", "SELECT"),
        ("`magento`.`sig`", "INSERT"),
    }


def test_rows_become_privileges_with_grant_option_and_without_usage() -> None:
    held = privileges_from_rows(
        [
            ["*.*", "USAGE", "NO"],
            ["`magento`.*", "SELECT", "YES"],
            ["`magento`.`sales_order`", "UPDATE (`customer_email`)", "NO"],
        ]
    )
    assert held == {
        ("`magento`.*", "SELECT"),
        ("`magento`.*", "GRANT OPTION"),
        ("`magento`.`sales_order`", "UPDATE (`customer_email`)"),
    }
