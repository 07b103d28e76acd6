"""The expected ``scopesWebsite`` (docs/feeds.md, scopesWebsite) and ``scopesCustomerGroup``
items (docs/feeds.md, scopesCustomerGroup).

Scope tables are small (a few websites, groups and store views), so each feed reads its tables
whole and nests them in Python.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = ["project_customer_groups", "project_websites"]


def project_websites(cursor: Cursor) -> list[dict[str, Any]]:
    """One payload per website except admin (id 0): its store groups (group_id > 0) by id,
    each with its store views (store_id > 0) by id."""
    cursor.execute(
        "SELECT store_id, code, group_id FROM store WHERE store_id > 0 ORDER BY store_id"
    )
    views_by_group: dict[int, list[dict[str, Any]]] = {}
    for store_id, code, group_id in cursor.fetchall():
        views_by_group.setdefault(group_id, []).append(
            {"storeViewId": store_id, "storeViewCode": code}
        )

    cursor.execute(
        "SELECT group_id, code, website_id FROM store_group WHERE group_id > 0 ORDER BY group_id"
    )
    stores_by_website: dict[int, list[dict[str, Any]]] = {}
    for group_id, code, website_id in cursor.fetchall():
        stores_by_website.setdefault(website_id, []).append(
            {"storeId": group_id, "storeCode": code, "storeViews": views_by_group.get(group_id, [])}
        )

    cursor.execute(
        "SELECT website_id, code FROM store_website WHERE website_id > 0 ORDER BY website_id"
    )
    return [
        {
            "websiteId": website_id,
            "websiteCode": code,
            "stores": stores_by_website.get(website_id, []),
            "deleted": False,
        }
        for website_id, code in cursor.fetchall()
    ]


def project_customer_groups(cursor: Cursor) -> list[dict[str, Any]]:
    """One payload per customer group; every group lists every non-admin website's code."""
    cursor.execute("SELECT code FROM store_website WHERE website_id > 0")
    # Sorted in Python (code point order), not by the column's case-insensitive collation,
    # so the order does not depend on the database's collation settings.
    websites = sorted(code for (code,) in cursor.fetchall() if code is not None)
    cursor.execute(
        "SELECT customer_group_id, SHA1(customer_group_id) FROM customer_group "
        "ORDER BY customer_group_id"
    )
    return [
        {
            "customerGroupId": group_id,
            "customerGroupCode": code,
            "websites": list(websites),
            "deleted": False,
        }
        for group_id, code in cursor.fetchall()
    ]
