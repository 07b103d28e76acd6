"""scopesWebsite and scopesCustomerGroup: small feeds built wholly from reference data."""

from __future__ import annotations

from typing import Any

from feeds.feed import Feed
from feeds.reference import Reference
from feeds.values import customer_group_code

__all__ = ["SCOPES_CUSTOMER_GROUP", "SCOPES_WEBSITE", "build_customer_groups", "build_websites"]

SCOPES_WEBSITE = Feed(
    name="scopesWebsite",
    identity=("websiteId",),
)
SCOPES_CUSTOMER_GROUP = Feed(
    name="scopesCustomerGroup",
    identity=("customerGroupId",),
)
ADMIN_WEBSITE_ID = 0


def build_websites(reference: Reference) -> list[dict[str, Any]]:
    """One payload per website except admin, with its store groups and store views."""
    groups = sorted(reference.groups().values(), key=lambda g: int(g["group_id"]))
    stores = sorted(reference.stores().values(), key=lambda s: int(s["store_id"]))
    payloads = []
    for website in sorted(reference.websites().values(), key=lambda w: int(w["website_id"])):
        website_id = int(website["website_id"])
        if website_id == ADMIN_WEBSITE_ID:
            continue
        payloads.append(
            {
                "websiteId": website_id,
                "websiteCode": website["code"],
                "stores": [
                    {
                        "storeId": int(group["group_id"]),
                        "storeCode": group["code"],
                        "storeViews": [
                            {"storeViewId": int(store["store_id"]), "storeViewCode": store["code"]}
                            for store in stores
                            if int(store["group_id"]) == int(group["group_id"])
                            and int(store["store_id"]) > 0
                        ],
                    }
                    for group in groups
                    if int(group["website_id"]) == website_id and int(group["group_id"]) > 0
                ],
                "deleted": False,
            }
        )
    return payloads


def build_customer_groups(reference: Reference) -> list[dict[str, Any]]:
    """One payload per customer group; every group applies to every website."""
    websites = sorted(
        str(w["code"])
        for w in reference.websites().values()
        if int(w["website_id"]) != ADMIN_WEBSITE_ID
    )
    return [
        {
            "customerGroupId": int(group["customer_group_id"]),
            "customerGroupCode": customer_group_code(group["customer_group_id"]),
            "websites": websites,
            "deleted": False,
        }
        for group in sorted(
            reference.customer_groups().values(), key=lambda g: int(g["customer_group_id"])
        )
    ]
