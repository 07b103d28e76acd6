"""A downloadable product's samples: the files a shopper may try before buying.

Magento keeps a sample (``downloadable_sample``: its product, sort order, file or URL) apart
from its titles per store view (``downloadable_sample_title``, keyed by the sample alone).
The titles do not name the product, so a ``downloadable_samples`` entity per sample folds
both and forwards a summary, as the pseudo-table ``@downloadable_sample``, to its product;
the product's state keeps the summaries by sample id (``samples``). A sample moved to
another product withdraws itself from the old one; a deleted sample withdraws itself (InnoDB
cascades its titles away without a binlog event), and a deleted product's samples go with
its state.

The products feed's ``samples[]`` is built here as the exporter's ``Samples`` provider (and
its ``ProductSamplesQuery`` and ``SampleUrlProvider``) builds it: per store view, every
sample of the product by sort order, ``{resource: {url, label}, sortOrder}``, the label the
store view's title else store 0's, the URL the store view's base URL,
``downloadable/download/sample/sample_id/`` and the sample's id.
"""

from __future__ import annotations

from typing import Any

from feeds.change import RowChange
from feeds.product_links import PRODUCT_ENTITY
from feeds.projector import EntityProjector, State, owner_forwards
from feeds.stock_products import position_json, position_of

__all__ = [
    "SAMPLES_PROJECTOR",
    "SAMPLE_SUMMARY_TABLE",
    "samples_field",
]

SAMPLE_TABLE = "downloadable_sample"
SAMPLE_TITLE_TABLE = "downloadable_sample_title"
SAMPLE_SUMMARY_TABLE = "@downloadable_sample"
SAMPLE_URL_PATH = "downloadable/download/sample/sample_id/"  # the exporter's SampleUrlProvider
DEFAULT_STORE_ID = 0


def _sample_keys(change: RowChange) -> list[str]:
    rows = (row for row in (change.before, change.after) if row is not None)
    return sorted({str(row["sample_id"]) for row in rows})


def apply_sample_change(state: State | None, change: RowChange) -> State | None:
    """The sample's state: ``sample`` (product id and sort order; None until its row
    arrives), ``titles`` (store id → title) and ``position``; None once nothing is left."""
    current: State = dict(state) if state else {"sample": None, "titles": {}}
    if change.table == SAMPLE_TABLE:
        if change.deleted:
            return None  # its titles cascade away with it
        row = change.row
        current["sample"] = {
            "product_id": int(row["product_id"]),
            "sort_order": int(row.get("sort_order") or 0),
        }
    else:
        titles = dict(current["titles"])
        if change.before is not None:
            titles.pop(str(change.before["store_id"]), None)
        if change.after is not None:
            titles[str(change.after["store_id"])] = change.after.get("title")
        current["titles"] = titles
    current["position"] = position_json(change)
    if current["sample"] is None and not current["titles"]:
        return None
    return current


def _summary(state: State | None, sample_id: str) -> dict[str, Any] | None:
    if state is None or state.get("sample") is None:
        return None
    return {
        "sample_id": sample_id,
        "sort_order": state["sample"]["sort_order"],
        "titles": state["titles"],
    }


def _product(state: State | None) -> set[str]:
    sample = None if state is None else state.get("sample")
    return set() if sample is None else {str(sample["product_id"])}


SAMPLES_PROJECTOR = EntityProjector(
    entity="downloadable_samples",
    feeds=(),
    tables=frozenset({SAMPLE_TABLE, SAMPLE_TITLE_TABLE}),
    keys_of=_sample_keys,
    apply=apply_sample_change,
    # The sample's summary to its product when it changed (or the product is new); a
    # withdrawal to a product it left, or had before it was deleted.
    forwards=owner_forwards(
        PRODUCT_ENTITY,
        SAMPLE_SUMMARY_TABLE,
        _summary,
        _product,
        "sample_id",
        position_of=position_of,
    ),
    forwards_to=(PRODUCT_ENTITY,),
    build=lambda state, reference: {},
    rows_of_products={
        SAMPLE_TABLE: "`product_id` IN ({ids})",
        SAMPLE_TITLE_TABLE: f"`sample_id` IN (SELECT `sample_id` FROM `{{db}}`.`{SAMPLE_TABLE}` "
        "WHERE `product_id` IN ({ids}))",
    },
    deleted_with=frozenset({SAMPLE_TABLE}),
)


def samples_field(state: State, store_id: int, web_base_url: str) -> list[dict[str, Any]]:
    """The product's ``samples[]`` in one store view."""
    held: dict[str, Any] = state.get("samples") or {}
    ordered = sorted(held.values(), key=lambda s: (int(s["sort_order"]), int(s["sample_id"])))
    return [
        {
            "resource": {
                "url": f"{web_base_url}{SAMPLE_URL_PATH}{sample['sample_id']}",
                "label": _title(sample["titles"], store_id),
            },
            "sortOrder": str(sample["sort_order"]),
        }
        for sample in ordered
    ]


def _title(titles: dict[str, Any], store_id: int) -> Any:
    own = titles.get(str(store_id))
    return own if own is not None else titles.get(str(DEFAULT_STORE_ID))
