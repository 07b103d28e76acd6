"""Websites, store views and customer groups: the scopes every other row is written for.

defaults.sql provides website 1 with store group 1 and store view 1, and customer groups 0-3
(NOT LOGGED IN, General, Wholesale, Retailer). The generator adds a second website with its own
store group and root category, the profile's further store views, and extra customer groups.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.magento.sample.context import Context
from connectors.magento.sample.fixed_ids import SECOND_ROOT_CATEGORY_ID
from connectors.magento.sample.profiles import EXTRA_GROUPS, STORE_SPECS, Profile

#: (store_id, code, website_id, group_id, name, locale)
StoreSpec = tuple[int, str, int, int, str, str]


@dataclass(frozen=True)
class Scopes:
    """The store views and customer groups of a profile, in the shapes the steps need."""

    stores: list[StoreSpec]
    store_ids_by_website: dict[int, list[int]]
    #: (store_id, locale) of the store views that translate: fr and de.
    locale_stores: list[tuple[int, str]]
    #: English store views of the second website (they get marketing-name overrides).
    plain_w2_stores: list[int]
    customer_groups: list[int]

    @classmethod
    def of(cls, profile: Profile) -> Scopes:
        stores = list(STORE_SPECS[: profile.store_views])
        by_website: dict[int, list[int]] = {}
        for store_id, _code, website_id, *_ in stores:
            by_website.setdefault(website_id, []).append(store_id)
        return cls(
            stores=stores,
            store_ids_by_website=by_website,
            locale_stores=[(s[0], s[5]) for s in stores if s[5] != "en"],
            plain_w2_stores=[s[0] for s in stores if s[2] == 2 and s[5] == "en"],
            customer_groups=[0, 1, 2, 3] + [4 + i for i in range(profile.extra_customer_groups)],
        )


def add_scopes(ctx: Context) -> Scopes:
    """Write the second website, its store group, the extra store views and customer groups."""
    scopes = Scopes.of(ctx.profile)
    t = ctx.tables
    t["store_website"].add(2, "second", "Second Website", 1, 2, 0)
    # The group's root category is created by the categories step, as the first generated id.
    t["store_group"].add(
        2, 2, "Second Website Store", SECOND_ROOT_CATEGORY_ID, 3, "second_website_store"
    )
    for store_id, code, website_id, group_id, name, _locale in scopes.stores[1:]:
        t["store"].add(store_id, code, website_id, group_id, name, store_id, 1)
    for i, code in enumerate(EXTRA_GROUPS[: ctx.profile.extra_customer_groups]):
        t["customer_group"].add(4 + i, code, 3)
    # The second website runs on Berlin time (the default scope's zone is in defaults.sql).
    t["core_config_data"].add(2, "websites", 2, "general/locale/timezone", "Europe/Berlin")
    # ... and keeps its prices in euros (the default scope's base currency: USD, Magento's).
    t["core_config_data"].add(3, "websites", 2, "currency/options/base", "EUR")
    return scopes
