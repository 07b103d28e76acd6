"""Catalog permissions: who may browse, see prices and buy in which categories.

Adobe Commerce keeps them in ``magento_catalogpermissions``. The rules are hand-picked rather
than random: each covers a distinct combination of scope (one website or all, one group or all)
and grant (allow, deny, inherit from the parent category), and a profile takes the first
``category_permissions`` of them.
"""

from __future__ import annotations

from connectors.magento.sample.categories import Category
from connectors.magento.sample.context import Context
from connectors.magento.sample.fixed_ids import DEFAULT_CATEGORY_ID
from connectors.magento.sample.scopes import Scopes


def add_permissions(ctx: Context, scopes: Scopes, categories: list[Category]) -> None:
    """Write the first ``category_permissions`` rules."""
    main = DEFAULT_CATEGORY_ID
    top_main = [c for c in categories if c.level == 2 and c.tree_root == main]
    top_second = [c for c in categories if c.level == 2 and c.tree_root != main]
    deeper = [c for c in categories if c.level == 3 and c.tree_root == main]
    extra_group = scopes.customer_groups[-1]
    # Magento's grant values: allow, deny, or use the parent category's setting.
    allow, deny, parent = -1, -2, 0
    # (category_id, website_id, customer_group_id, view, price, checkout); None = all.
    candidates: list[tuple[int, int | None, int | None, int, int, int]] = [
        # Hide a top category from guests in the main website; wholesale sees everything.
        (top_main[0].entity_id, 1, 0, deny, deny, deny),
        (top_main[0].entity_id, 1, 2, allow, allow, allow),
        # Everyone may browse, nobody may see prices or buy (all websites, all groups).
        (top_main[1].entity_id, None, None, allow, deny, deny),
        (top_second[0].entity_id, 2, extra_group, allow, allow, allow),
    ]
    if deeper:
        candidates.append((deeper[0].entity_id, None, 3, deny, parent, parent))
    candidates.append((top_second[-1].entity_id, 2, 1, parent, allow, deny))
    rules = candidates[: ctx.profile.category_permissions]
    for permission_id, row in enumerate(rules, start=1):
        ctx.tables["magento_catalogpermissions"].add(permission_id, *row)
