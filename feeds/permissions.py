"""Category permissions (Adobe Commerce ``Magento_CatalogPermissions``): how the rows of
``magento_catalogpermissions`` resolve, and the categoryPermissions feed built from them.

A permission row names a category, a website (NULL: all websites), a customer group (NULL:
all groups) and three grants: view the category, see product prices, add to cart. Each grant
is ``-1`` allow, ``-2`` deny or ``0`` use the parent category's setting. For one category,
website and customer group every grant resolves the way Magento's permission indexer does:

1. On each category only the most specific *decisive* row counts: exact website and group,
   then website + all groups, then all websites + group, then all + all; a tie (only rows
   with NULLs can tie, the unique key ignores NULLs) goes to the highest ``permission_id``.
   A row none of whose grants is -1 or -2 decides nothing and is skipped, as the indexer does.
2. A grant that row leaves at 0 (or a category without such a row) takes the parent
   category's value, up to the tree root; if nothing decides, the configuration default:
   allow (the module's default once enabled; ``core_config_data`` is not read).
3. Denying the category view denies prices; denying prices denies add to cart.

Only categories whose path ends with themselves and names only existing categories take part:
a deleted category's subtree is gone, and so are the rows on it (InnoDB cascades them
unseen). Rows naming a website or customer group that no longer exists never match (their
cascade is unseen too). Grant values other than -1 and -2 count as 0.

Both this feed and productOverrides (feeds/overrides.py) read the resolution through
``permission_index``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from feeds.feed import Feed
from feeds.projector import Payload, ReferenceFeed
from feeds.reference import Reference, ReferenceKind
from feeds.values import customer_group_code

__all__ = [
    "ALLOW",
    "CATEGORY_PERMISSIONS",
    "CATEGORY_PERMISSIONS_FEED",
    "DENY",
    "GRANTS",
    "Decision",
    "PermissionIndex",
    "build_category_permissions",
    "permission_index",
]

ALLOW = -1
DENY = -2
ADMIN_WEBSITE_ID = 0
PERMISSION_TABLE = "magento_catalogpermissions"
# grant column → payload field, in the order the dependent denials run (rule 3).
GRANTS: tuple[tuple[str, str], ...] = (
    ("grant_catalog_category_view", "displayCategory"),
    ("grant_catalog_product_price", "displayProductPrices"),
    ("grant_checkout_items", "allowAddToCart"),
)
_LABELS = {ALLOW: "ALLOW", DENY: "DENY"}

CATEGORY_PERMISSIONS = Feed(
    name="categoryPermissions",
    identity=("categoryId", "websiteCode", "customerGroupCode"),
)

Row = dict[str, Any]


class Decision(NamedTuple):
    """One resolved grant: ``ALLOW``/``DENY``, and the category whose row decided it (None:
    the configuration default)."""

    value: int
    source: str | None


CONFIG_DEFAULT = Decision(ALLOW, None)


@dataclass(frozen=True)
class _RankedRow:
    website_id: int | None
    group_id: int | None
    grants: tuple[int, int, int]


class PermissionIndex:
    """The reference data resolution reads, indexed once per state of the reference store."""

    def __init__(self, reference: Reference) -> None:
        self._categories = reference.categories()
        self._paths: dict[str, list[str] | None] = {}
        self.websites = {
            int(w["website_id"]): str(w["code"])
            for w in reference.websites().values()
            if int(w["website_id"]) != ADMIN_WEBSITE_ID
        }
        self.customer_groups = {
            int(g["customer_group_id"]): customer_group_code(g["customer_group_id"])
            for g in reference.customer_groups().values()
        }
        roots: dict[int, set[str]] = {}
        for group in reference.groups().values():
            if int(group["website_id"]) in self.websites:
                roots.setdefault(int(group["website_id"]), set()).add(
                    str(group["root_category_id"])
                )
        self._roots = {website: frozenset(ids) for website, ids in roots.items()}
        self._rows = _rows_by_category(reference.rows(PERMISSION_TABLE).values())

    def path_of(self, category_id: str) -> list[str] | None:
        """The ids from the tree root down to the category; None unless the path ends with
        the category itself (Magento inserts a new category with its parent's path first)
        and every id in it exists."""
        if category_id not in self._paths:
            category = self._categories.get(category_id)
            path = str(category.get("path") or "").split("/") if category else []
            intact = path[-1:] == [category_id] and all(c in self._categories for c in path)
            self._paths[category_id] = path if intact else None
        return self._paths[category_id]

    def intact_categories(self) -> list[str]:
        """Every category whose path is intact (see ``path_of``), by id."""
        return sorted((c for c in self._categories if self.path_of(c)), key=int)

    def in_website(self, category_id: str, website_id: int) -> bool:
        """Whether the (intact) category lies in the tree of one of the website's stores."""
        path = self.path_of(category_id)
        return path is not None and not self._roots.get(website_id, frozenset()).isdisjoint(path)

    def governed(self, category_id: str) -> bool:
        """Whether any decisive row lies on the category or an ancestor (cheap pre-filter)."""
        path = self.path_of(category_id)
        return path is not None and any(ancestor in self._rows for ancestor in path)

    def resolve(self, category_id: str, website_id: int, group_id: int) -> tuple[Decision, ...]:
        """The three grants (``GRANTS`` order) for an intact category, website and group."""
        decided: list[Decision | None] = [None] * len(GRANTS)
        for ancestor in reversed(self.path_of(category_id) or []):
            row = self._row_for(ancestor, website_id, group_id)
            if row is None:
                continue
            for position, value in enumerate(row.grants):
                if decided[position] is None and value in _LABELS:
                    decided[position] = Decision(value, ancestor)
            if all(decided):
                break
        view, price, checkout = (decision or CONFIG_DEFAULT for decision in decided)
        if view.value == DENY:
            price = view
        if price.value == DENY:
            checkout = price
        return view, price, checkout

    def _row_for(self, category_id: str, website_id: int, group_id: int) -> _RankedRow | None:
        for row in self._rows.get(category_id, ()):  # most specific first
            if row.website_id in (None, website_id) and row.group_id in (None, group_id):
                return row
        return None


def _rows_by_category(rows: Iterable[Row]) -> dict[str, list[_RankedRow]]:
    """Decisive rows by category id, most specific (then highest permission_id) first."""
    ranked: dict[str, list[tuple[tuple[int, int, int], _RankedRow]]] = {}
    for row in rows:
        grants = (
            int(row["grant_catalog_category_view"]),
            int(row["grant_catalog_product_price"]),
            int(row["grant_checkout_items"]),
        )
        if not any(value in _LABELS for value in grants):
            continue
        website = None if row.get("website_id") is None else int(row["website_id"])
        group = None if row.get("customer_group_id") is None else int(row["customer_group_id"])
        rank = (int(website is not None), int(group is not None), int(row["permission_id"]))
        ranked.setdefault(str(row["category_id"]), []).append(
            (rank, _RankedRow(website, group, grants))
        )
    return {
        category: [row for _, row in sorted(entries, key=lambda e: e[0], reverse=True)]
        for category, entries in ranked.items()
    }


class _LastIndex:
    """The index of the last reference state seen, reused while that state is unchanged.

    productOverrides resolves permissions for every product, and a reference change rebuilds
    them all; indexing the permission rows once per state instead of once per product keeps
    that linear. The reference store replaces a collection on every change and never mutates
    one in place (feeds/reference.py), so the collections' identity says whether the state
    moved on; holding them keeps their ids from being reused.
    """

    def __init__(self) -> None:
        self._sources: tuple[object, ...] = ()
        self._index: PermissionIndex | None = None

    def get(self, reference: Reference) -> PermissionIndex:
        sources = (
            reference.rows(PERMISSION_TABLE),
            reference.categories(),
            reference.websites(),
            reference.groups(),
            reference.customer_groups(),
        )
        same = len(sources) == len(self._sources) and all(
            now is before for now, before in zip(sources, self._sources, strict=True)
        )
        if self._index is None or not same:
            self._sources, self._index = sources, PermissionIndex(reference)
        return self._index


permission_index = _LastIndex().get


def build_category_permissions(reference: Reference) -> list[Payload]:
    """One item per intact category, website whose tree holds it, and customer group, for
    which at least one grant is decided by a permission row (not the configuration default)."""
    index = permission_index(reference)
    payloads: list[Payload] = []
    for category_id in index.intact_categories():
        if not index.governed(category_id):
            continue
        path = index.path_of(category_id)
        for website_id, website_code in sorted(index.websites.items()):
            if not index.in_website(category_id, website_id):
                continue
            for group_id, group_code in sorted(index.customer_groups.items()):
                decisions = index.resolve(category_id, website_id, group_id)
                if all(decision.source is None for decision in decisions):
                    continue
                payloads.append(
                    {
                        "categoryId": category_id,
                        "categoryPath": "/".join(path or []),
                        "websiteCode": website_code,
                        "customerGroupCode": group_code,
                        "permission": {
                            field: _LABELS[decision.value]
                            for (_, field), decision in zip(GRANTS, decisions, strict=True)
                        },
                        "inheritedFrom": {
                            field: decision.source
                            for (_, field), decision in zip(GRANTS, decisions, strict=True)
                        },
                        "deleted": False,
                    }
                )
    return payloads


CATEGORY_PERMISSIONS_FEED = ReferenceFeed(
    feed=CATEGORY_PERMISSIONS,
    build=build_category_permissions,
    kinds=frozenset(
        {
            ReferenceKind.PERMISSIONS,
            ReferenceKind.CATEGORIES,
            ReferenceKind.SCOPES,
            ReferenceKind.CUSTOMER_GROUPS,
        }
    ),
)
