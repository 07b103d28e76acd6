"""The expected ``categoryPermissions`` items (docs/feeds.md, categoryPermissions), and the
resolved category grants that ``productOverrides`` reads (feedsync/verify/overrides.py).

Set-based: one query finds the intact categories (the path ends with the category and every
id in it exists) with a self-join on the path, one the categories each website's store trees
hold, one the decisive permission rows. The resolution then takes the shape of Magento's
indexer rather than the stream side's walk up the path: rows are laid out per category from
the least to the most specific, so the most specific overwrites the rest, and grants flow
down the tree, parents before children.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from feedsync.verify.projection import FeedProjection

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = [
    "CATEGORY_PERMISSIONS_PROJECTION",
    "CategoryGrants",
    "load_category_grants",
    "project_category_permissions",
]

ALLOW, DENY, UNDECIDED = -1, -2, 0
FIELDS = ("displayCategory", "displayProductPrices", "allowAddToCart")
_LABELS = {ALLOW: "ALLOW", DENY: "DENY"}

Scope = tuple[int, int]  # (website_id, customer_group_id)
Grant = tuple[int, int | None]  # (ALLOW / DENY / UNDECIDED, the category that decided)


@dataclass
class CategoryGrants:
    """Resolved category permissions and the scopes they were resolved for."""

    websites: dict[int, str] = field(default_factory=dict)  # website_id > 0 → code
    groups: dict[int, str] = field(default_factory=dict)  # customer_group_id → code
    paths: dict[int, str] = field(default_factory=dict)  # intact categories → path
    trees: dict[int, set[int]] = field(default_factory=dict)  # website → its intact categories
    # category → scope → grants, for the scopes some row decides (before defaults).
    decided: dict[int, dict[Scope, list[Grant]]] = field(default_factory=dict)

    def grants(self, category_id: int, scope: Scope) -> list[Grant]:
        """The final grants: undecided ones take the default (allow), then a denied view
        denies prices and denied prices deny add to cart."""
        raw = self.decided.get(category_id, {}).get(scope, [(UNDECIDED, None)] * 3)
        view, price, checkout = ((ALLOW, None) if v == UNDECIDED else (v, s) for v, s in raw)
        if view[0] == DENY:
            price = view
        if price[0] == DENY:
            checkout = price
        return [view, price, checkout]


def load_category_grants(cursor: Cursor) -> CategoryGrants:
    """Read scopes, the category tree and the permission rows; resolve every category."""
    result = CategoryGrants()
    cursor.execute("SELECT website_id, code FROM store_website WHERE website_id > 0")
    result.websites = {website_id: code for website_id, code in cursor.fetchall()}
    # Groups go by the SHA-1 of their id, as the exporter names them.
    cursor.execute("SELECT customer_group_id, SHA1(customer_group_id) FROM customer_group")
    result.groups = {group_id: code for group_id, code in cursor.fetchall()}
    cursor.execute(
        "SELECT c.entity_id, c.path FROM catalog_category_entity c "
        "JOIN catalog_category_entity a "
        "  ON CONCAT('/', c.path, '/') LIKE CONCAT('%/', a.entity_id, '/%') "
        "WHERE SUBSTRING_INDEX(c.path, '/', -1) = CAST(c.entity_id AS CHAR) "
        "GROUP BY c.entity_id, c.path "
        "HAVING COUNT(*) = LENGTH(c.path) - LENGTH(REPLACE(c.path, '/', '')) + 1"
    )
    result.paths = {category_id: path for category_id, path in cursor.fetchall()}
    cursor.execute(
        "SELECT DISTINCT g.website_id, c.entity_id FROM store_group g "
        "JOIN catalog_category_entity c "
        "  ON CONCAT('/', c.path, '/') LIKE CONCAT('%/', g.root_category_id, '/%') "
        "WHERE g.website_id > 0"
    )
    for website_id, category_id in cursor.fetchall():
        if website_id in result.websites and category_id in result.paths:
            result.trees.setdefault(website_id, set()).add(category_id)
    result.decided = _resolve(result, _own_rows(cursor, result))
    return result


def _own_rows(cursor: Cursor, scopes: CategoryGrants) -> dict[int, dict[Scope, tuple[int, ...]]]:
    """category → scope → the grants of the row that applies on the category itself.

    Rows come least specific first (MariaDB sorts false before true), ties by permission_id,
    and each overwrites what came before for the scopes it covers; rows that decide no grant
    are left out, as Magento's indexer leaves them out.
    """
    cursor.execute(
        "SELECT category_id, website_id, customer_group_id, grant_catalog_category_view, "
        "grant_catalog_product_price, grant_checkout_items FROM magento_catalogpermissions "
        "WHERE grant_catalog_category_view IN (-1, -2) OR grant_catalog_product_price IN (-1, -2) "
        "   OR grant_checkout_items IN (-1, -2) "
        "ORDER BY category_id, website_id IS NOT NULL, customer_group_id IS NOT NULL, "
        "permission_id"
    )
    own: dict[int, dict[Scope, tuple[int, ...]]] = {}
    for category_id, website_id, group_id, *grants in cursor.fetchall():
        websites = list(scopes.websites) if website_id is None else [website_id]
        groups = list(scopes.groups) if group_id is None else [group_id]
        on_category = own.setdefault(category_id, {})
        for w in websites:
            for g in groups:
                if w in scopes.websites and g in scopes.groups:
                    on_category[(w, g)] = tuple(grants)
    return own


def _resolve(
    scopes: CategoryGrants, own: dict[int, dict[Scope, tuple[int, ...]]]
) -> dict[int, dict[Scope, list[Grant]]]:
    """Top-down over the intact tree: a grant the category's own row decides is its own,
    any other is the parent's."""
    decided: dict[int, dict[Scope, list[Grant]]] = {}
    by_depth = sorted(scopes.paths.items(), key=lambda item: item[1].count("/"))
    for category_id, path in by_depth:
        ancestors = path.split("/")
        parent = decided.get(int(ancestors[-2]), {}) if len(ancestors) > 1 else {}
        rows = own.get(category_id, {})
        here: dict[Scope, list[Grant]] = {}
        for scope in parent.keys() | rows.keys():
            inherited = parent.get(scope, [(UNDECIDED, None)] * 3)
            row = rows.get(scope)
            here[scope] = [
                (row[i], category_id) if row is not None and row[i] in _LABELS else inherited[i]
                for i in range(3)
            ]
        if here:
            decided[category_id] = here
    return decided


def project_category_permissions(cursor: Cursor) -> list[dict[str, Any]]:
    """One payload per intact category, website whose store trees hold it, and customer
    group that some permission row decides a grant for."""
    grants = load_category_grants(cursor)
    payloads: list[dict[str, Any]] = []
    for category_id, scopes in sorted(grants.decided.items()):
        for website_id, group_id in sorted(scopes):
            if category_id not in grants.trees.get(website_id, set()):
                continue
            final = grants.grants(category_id, (website_id, group_id))
            payloads.append(
                {
                    "categoryId": str(category_id),
                    "categoryPath": grants.paths[category_id],
                    "websiteCode": grants.websites[website_id],
                    "customerGroupCode": grants.groups[group_id],
                    "permission": {
                        f: _LABELS[value] for f, (value, _) in zip(FIELDS, final, strict=True)
                    },
                    "inheritedFrom": {
                        f: None if source is None else str(source)
                        for f, (_, source) in zip(FIELDS, final, strict=True)
                    },
                    "deleted": False,
                }
            )
    return payloads


CATEGORY_PERMISSIONS_PROJECTION = FeedProjection.of(
    "categoryPermissions", project_category_permissions
)
