"""productReviews: Magento's product reviews, one item per review and store view it shows in;
and a field of the products feed, ``searchKeywords``.

An example of a feedsync extension (``feeds/extension.py``), installed as a package of
its own: the feed's declaration, its projector (what the stream workers run), its SQL
projection (what ``feedsync verify`` compares the receiver with) and its entity count
(``feedsync estimate``). Its source tables, ``review``, ``review_detail`` and
``review_store`` (Magento_Review), are captured because the projector names them.

A review's rows arrive on three topics in any order; the state keeps each row by its key.
Deleting a review deletes its detail and store rows by ``ON DELETE CASCADE``, which the
binlog never shows: ``review`` is the projector's ``deleted_with`` table, so the delete of
its row deletes every item the review had. A store view deleted cascades its
``review_store`` rows alike: the build only lists store views the reference data still has.
"""

from __future__ import annotations

import re
from typing import Any

from feeds.extension import (
    EntityProjector,
    Feed,
    FeedExtension,
    FieldExtension,
    Payload,
    Reference,
    ReferenceKind,
    RowChange,
    State,
    rfc3339,
)

__all__ = ["EXTENSION", "PRODUCT_REVIEWS", "search_keywords"]

PRODUCT_REVIEWS = Feed(name="productReviews", identity=("reviewId", "storeViewCode"))

PRODUCT_ENTITY = 1  # review_entity 'product': reviews of customers' about products
STATUS = {1: "approved", 2: "pending", 3: "not_approved"}  # review_status
TABLES = frozenset({"review", "review_detail", "review_store"})


def review_keys(change: RowChange) -> list[str]:
    """Every row of the three tables names its review."""
    return [str(change.row["review_id"])]


def apply_review_change(state: State | None, change: RowChange) -> State | None:
    """The review's rows after one change: ``review`` (its row), ``details`` (by
    ``detail_id``), ``stores`` (store ids, sorted); None once nothing is left."""
    current: State = {
        "review": None,
        "details": {},
        "stores": [],
        **(state or {}),
    }
    row = change.row
    if change.table == "review":
        current["review"] = None if change.deleted else _review(row)
    elif change.table == "review_detail":
        details = dict(current["details"])
        details.pop(str((change.before or row)["detail_id"]), None)
        if not change.deleted:
            details[str(row["detail_id"])] = _detail(row)
        current["details"] = details
    elif change.table == "review_store":
        stores = set(current["stores"])
        if change.before is not None:
            stores.discard(int(change.before["store_id"]))
        if change.after is not None:
            stores.add(int(change.after["store_id"]))
        current["stores"] = sorted(stores)
    if current["review"] is None and not current["details"] and not current["stores"]:
        return None
    return current


def _review(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "review_id": int(row["review_id"]),
        "entity_id": int(row["entity_id"]),
        "product_id": int(row["entity_pk_value"]),
        "status_id": int(row["status_id"]),
        "created_at": row["created_at"],
    }


def _detail(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": row["title"],
        "detail": row["detail"],
        "nickname": row["nickname"],
    }


def build_reviews(state: State, reference: Reference) -> dict[str, list[Payload]]:
    """One item per store view the review is shown in (``review_store``; the admin store 0
    is not a store view), for a product review that has its detail row."""
    review, details = state.get("review"), state.get("details") or {}
    if review is None or review["entity_id"] != PRODUCT_ENTITY or not details:
        return {PRODUCT_REVIEWS.name: []}
    detail = details[min(details, key=int)]  # Magento writes one; the first if several
    stores = reference.stores()
    return {
        PRODUCT_REVIEWS.name: [
            {
                "reviewId": str(review["review_id"]),
                "productId": str(review["product_id"]),
                "storeViewCode": stores[str(store_id)]["code"],
                "title": detail["title"],
                "detail": detail["detail"],
                "nickname": detail["nickname"],
                "status": STATUS.get(review["status_id"], str(review["status_id"])),
                "createdAt": rfc3339(review["created_at"]),
            }
            for store_id in state.get("stores") or []
            if store_id != 0 and str(store_id) in stores
        ]
    }


REVIEW_PROJECTOR = EntityProjector(
    entity="review",
    feeds=(PRODUCT_REVIEWS,),
    tables=TABLES,
    keys_of=review_keys,
    apply=apply_review_change,
    build=build_reviews,
    rebuild_on=frozenset({ReferenceKind.SCOPES}),  # store views: their codes, their deletes
    owners={"review": ("review_id",), "review_detail": ("review_id",)},
    deleted_with=frozenset({"review"}),
)


def project_reviews(cursor: Any) -> list[Payload]:
    """verify's projection, in SQL (the session's time zone is UTC)."""
    cursor.execute(
        "SELECT r.review_id, r.entity_pk_value, s.code, d.title, d.detail, d.nickname, "
        "r.status_id, DATE_FORMAT(r.created_at, '%%Y-%%m-%%dT%%H:%%i:%%sZ') "
        "FROM review r "
        "JOIN review_detail d ON d.detail_id = "
        "(SELECT MIN(detail_id) FROM review_detail WHERE review_id = r.review_id) "
        "JOIN review_store rs ON rs.review_id = r.review_id "
        "JOIN store s ON s.store_id = rs.store_id "
        "WHERE r.entity_id = %s AND rs.store_id <> 0",
        (PRODUCT_ENTITY,),
    )
    return [
        {
            "reviewId": str(review_id),
            "productId": str(product_id),
            "storeViewCode": code,
            "title": title,
            "detail": detail,
            "nickname": nickname,
            "status": STATUS.get(int(status_id), str(status_id)),
            "createdAt": created_at,
        }
        for review_id, product_id, code, title, detail, nickname, status_id, created_at in (
            cursor.fetchall()
        )
    ]


def search_keywords(payload: Payload) -> dict[str, Any]:
    """A products item's distinct lower-case words of its name and SKU, sorted."""
    text = f"{payload.get('name') or ''} {payload.get('sku') or ''}".lower()
    return {"searchKeywords": sorted(set(re.findall(r"[0-9a-z]+", text)))}


EXTENSION = FeedExtension(
    name="feedsync-reviews",
    projectors=(REVIEW_PROJECTOR,),
    fields=(FieldExtension("products", ("searchKeywords",), search_keywords),),
    verify={PRODUCT_REVIEWS.name: project_reviews},
    entity_counts={
        PRODUCT_REVIEWS.name: f"SELECT COUNT(*) FROM review WHERE entity_id = {PRODUCT_ENTITY}"
    },
)
