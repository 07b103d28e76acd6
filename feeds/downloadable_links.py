"""A downloadable product's links: the files a buyer downloads, and their ``optionsV2`` entry.

Magento keeps a link (``downloadable_link``: its product, sort order, download limit, file
and sample) apart from its titles per store view (``downloadable_link_title``) and its
prices per website (``downloadable_link_price``), both keyed by the link alone. Only the
link row names the product, so a ``downloadable_links`` entity per link folds the three and
forwards a summary, as the pseudo-table ``@downloadable_link``, to its product, whose state
keeps the summaries by link id (``downloadable_links``). A link moved to another product
withdraws itself from the old one; a deleted link withdraws itself (InnoDB cascades its
titles and prices away without a binlog event), and a deleted product's links go with its
state.

Title and price rows are kept by their own primary key with the link they name, and read
only for the entity's own link (feeds/child_rows.py, as the custom options' are): a row
moved to another link (an update of ``link_id``) leaves the old link's entity as it reaches
the new one. Price rows have no unique key per website; of two for one website, the newer
(higher ``price_id``) counts.

The products feed's entry is built here as the exporter's ``ProductOptions\\
DownloadableLinks`` (with ``ProductDownloadableLinksQuery``, ``DownloadableLinksOptionUid``
and the ``LinkSampleUrlProvider`` of its di.xml) builds it: see ``link_options``.
"""

from __future__ import annotations

import base64
from operator import itemgetter
from typing import Any

from feeds.change import RowChange
from feeds.child_rows import fold_keyed, newest_by_scope, row_id, row_int
from feeds.product_links import PRODUCT_ENTITY
from feeds.projector import EntityProjector, State, owner_forwards
from feeds.stock_products import position_json, position_of

__all__ = ["LINKS_PROJECTOR", "LINK_SUMMARY_TABLE", "link_options"]

LINK_TABLE = "downloadable_link"
LINK_TITLE_TABLE = "downloadable_link_title"
LINK_PRICE_TABLE = "downloadable_link_price"
LINK_SUMMARY_TABLE = "@downloadable_link"
DOWNLOADABLE_TYPE = "downloadable"  # the product type, and the option's type upstream
LINK_SAMPLE_PATH = "downloadable/download/linkSample/link_id/"  # LinkSampleUrlProvider
NO_PRICE = "0"  # upstream casts a link without a price row to a float: 0
DEFAULT_SCOPE = "0"  # store 0 for titles, website 0 for prices
# Per child table: its primary key, its scope column, the column it holds, and where.
_SCOPED = {
    LINK_TITLE_TABLE: ("title_id", "store_id", "title", "titles"),
    LINK_PRICE_TABLE: ("price_id", "website_id", "price", "prices"),
}
_TITLE = itemgetter("title")
_PRICE = itemgetter("price")


def _link_keys(change: RowChange) -> list[str]:
    rows = (row for row in (change.before, change.after) if row is not None)
    return sorted({row_id(row, "link_id", change.table) for row in rows}, key=int)


def apply_link_change(state: State | None, change: RowChange) -> State | None:
    """The link's state: ``link`` (its product and columns; None until its row arrives),
    ``titles`` and ``prices`` (primary key → the row's link, store or website, and value)
    and ``position``; None once nothing of it is left."""
    current: State = dict(state) if state else {"link": None, "titles": {}, "prices": {}}
    table = change.table
    if table == LINK_TABLE:
        if change.deleted:
            return None  # its titles and prices cascade away with it
        row = change.row
        current["link"] = {
            "link_id": row_id(row, "link_id", table),
            "product_id": row_id(row, "product_id", table),
            "sort_order": row_int(row, "sort_order", table) or 0,
            "number_of_downloads": row_int(row, "number_of_downloads", table),
            # the exporter's IFNULL(sample_url, sample_file): a sample of either kind
            "has_sample": row.get("sample_url") is not None or row.get("sample_file") is not None,
        }
    else:
        key_column, scope_column, value_column, field = _SCOPED[table]

        def held(row: dict[str, Any]) -> dict[str, Any]:
            return {
                "owner": row_id(row, "link_id", table),
                scope_column: row_id(row, scope_column, table),
                value_column: row.get(value_column),
            }

        current[field] = fold_keyed(current[field], change, key_column, held)
    current["position"] = position_json(change)
    if current["link"] is None and not current["titles"] and not current["prices"]:
        return None
    return current


def _summary(state: State | None, link_id: str) -> dict[str, Any] | None:
    """What the product needs of the link; None before the link's row arrived."""
    link = None if state is None else state.get("link")
    if state is None or link is None:
        return None
    return {
        **link,
        "titles": newest_by_scope(state["titles"], link_id, "store_id", _TITLE),
        "prices": newest_by_scope(state["prices"], link_id, "website_id", _PRICE),
    }


def _product(state: State | None) -> set[str]:
    link = None if state is None else state.get("link")
    return set() if link is None else {link["product_id"]}


LINKS_PROJECTOR = EntityProjector(
    entity="downloadable_links",
    feeds=(),
    tables=frozenset({LINK_TABLE, LINK_TITLE_TABLE, LINK_PRICE_TABLE}),
    keys_of=_link_keys,
    apply=apply_link_change,
    # The link's summary to its product when it changed (or the product is new); a
    # withdrawal to a product it left, or had before it was deleted.
    forwards=owner_forwards(
        PRODUCT_ENTITY,
        LINK_SUMMARY_TABLE,
        _summary,
        _product,
        "link_id",
        position_of=position_of,
    ),
    forwards_to=(PRODUCT_ENTITY,),
    build=lambda state, reference: {},
    rows_of_products={
        LINK_TABLE: "`product_id` IN ({ids})",
        **dict.fromkeys(
            (LINK_TITLE_TABLE, LINK_PRICE_TABLE),
            f"`link_id` IN (SELECT `link_id` FROM `{{db}}`.`{LINK_TABLE}` "
            "WHERE `product_id` IN ({ids}))",
        ),
    },
    deleted_with=frozenset({LINK_TABLE}),
)


def link_options(
    state: State,
    entity: dict[str, Any],
    store: dict[str, Any],
    web_base_url: str,
    links_title: Any,
) -> list[dict[str, Any]]:
    """A downloadable product's ``optionsV2`` entry in one store view (none for another
    type): ``{id: "link:<product id>", label: its links_title, type: "downloadable",
    values}``, a value per link by sort order (then id, where upstream leaves ties to the
    database) with the store view's title else store 0's, the store view's website's price
    else website 0's (else 0, as upstream's float cast of none), the download limit as qty
    (0, unlimited, when NULL) and, for a link with a sample, its sample's URL as infoUrl.
    The record's other fields, which upstream does not set, go as null."""
    if entity.get("type_id") != DOWNLOADABLE_TYPE:
        return []
    store_id, website_id = str(store["store_id"]), str(store["website_id"])
    held: dict[str, Any] = state.get("downloadable_links") or {}
    ordered = sorted(held.values(), key=lambda link: (link["sort_order"], int(link["link_id"])))
    values = []
    for link in ordered:
        price = _scoped(link["prices"], website_id)
        values.append(
            {
                "id": base64.b64encode(f"{DOWNLOADABLE_TYPE}/{link['link_id']}".encode()).decode(),
                "label": _scoped(link["titles"], store_id),
                "sortOrder": link["sort_order"],
                "isDefault": None,
                "colorHex": None,
                "imageUrl": None,
                "customSwatchValue": None,
                "qtyMutability": None,
                "qty": link["number_of_downloads"] or 0,
                "infoUrl": (
                    f"{web_base_url}{LINK_SAMPLE_PATH}{link['link_id']}"
                    if link["has_sample"]
                    else None
                ),
                "sku": None,
                "price": NO_PRICE if price is None else price,
                "priceType": None,
            }
        )
    return [
        {
            "id": f"link:{entity['entity_id']}",
            "label": links_title,
            "sortOrder": None,
            "required": None,
            "renderType": None,
            "type": DOWNLOADABLE_TYPE,
            "swatchType": None,
            "values": values,
        }
    ]


def _scoped(by_scope: dict[str, Any], scope: str) -> Any:
    """The scope's value, else scope 0's (None when neither is set)."""
    own = by_scope.get(scope)
    return by_scope.get(DEFAULT_SCOPE) if own is None else own
