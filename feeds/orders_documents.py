"""Sales documents (invoices, shipments, credit memos, order taxes) assembled and forwarded
to their order.

A document's rows live in several topics (header, items, tracks, comments) that arrive in any
order, and its header names the order it belongs to while its child rows do not. So each
document is an entity of its own, keyed ``invoice:<id>``, ``shipment:<id>``,
``creditmemo:<id>`` or ``tax:<tax_id>`` (an order's applied tax rate, ``sales_order_tax``,
with its per-line shares, ``sales_order_tax_item``): its state gathers the header and the
child rows, and once the header is known every change of the assembled document is forwarded
to the order (``@invoice``, ``@shipment``, ``@creditmemo``, ``@tax``). Deleting the header
drops the document (InnoDB cascades its rows unseen) and forwards a delete, so the order
drops it too.

Only the columns the order payload reads are kept: the state stays small and holds no data
the feed never sends.
"""

from __future__ import annotations

from typing import Any

from feeds.change import RowChange, SourcePosition
from feeds.projector import Forward, State, forwarded

__all__ = [
    "DOCUMENT_TABLES",
    "HEADER_ID_COLUMNS",
    "ORDERS_ENTITY",
    "ORDER_DELETED",
    "SALES_DOCUMENTS_ENTITY",
    "apply_document_change",
    "document_forwards",
    "document_keys",
    "kept",
    "position_of",
    "stored_position",
]

SALES_DOCUMENTS_ENTITY = "sales_documents"
ORDERS_ENTITY = "orders"
ORDER_DELETED = "@order_deleted"
"""Sent by the order to each of its documents when the order row is deleted: InnoDB
cascades the documents' rows away without a binlog event, so the order tells them."""

# table -> (document kind, the column naming the document, the part of the state it fills)
DOCUMENT_TABLES: dict[str, tuple[str, str, str]] = {
    "sales_invoice": ("invoice", "entity_id", "header"),
    "sales_invoice_item": ("invoice", "parent_id", "items"),
    "sales_shipment": ("shipment", "entity_id", "header"),
    "sales_shipment_item": ("shipment", "parent_id", "items"),
    "sales_shipment_track": ("shipment", "parent_id", "tracks"),
    "sales_creditmemo": ("creditmemo", "entity_id", "header"),
    "sales_creditmemo_item": ("creditmemo", "parent_id", "items"),
    "sales_creditmemo_comment": ("creditmemo", "parent_id", "comments"),
    "sales_order_tax": ("tax", "tax_id", "header"),
    "sales_order_tax_item": ("tax", "tax_id", "items"),
}
# The id column of a table's rows, where it is not ``entity_id``.
_ROW_ID_COLUMNS = {"sales_order_tax": "tax_id", "sales_order_tax_item": "tax_item_id"}
HEADER_ID_COLUMNS = {"tax": "tax_id"}
"""The id column of a kind's header (and of the document the order holds), where it is not
``entity_id``."""

_KEPT_COLUMNS: dict[str, tuple[str, ...]] = {
    "sales_invoice": (
        "entity_id",
        "order_id",
        "increment_id",
        "is_used_for_refund",
        "base_grand_total",
        "created_at",
    ),
    "sales_invoice_item": ("entity_id", "order_item_id", "qty"),
    "sales_shipment": ("entity_id", "order_id", "increment_id", "created_at", "updated_at"),
    "sales_shipment_item": ("entity_id", "order_item_id", "qty"),
    "sales_shipment_track": ("entity_id", "carrier_code", "track_number"),
    "sales_creditmemo": (
        "entity_id",
        "order_id",
        "increment_id",
        "state",
        "created_at",
        "base_shipping_amount",
        "base_shipping_tax_amount",
        "base_adjustment",
        "base_currency_code",
        "base_subtotal",
        "base_tax_amount",
        "base_grand_total",
    ),
    "sales_creditmemo_item": (
        "entity_id",
        "order_item_id",
        "qty",
        "base_price",
        "base_discount_amount",
    ),
    "sales_creditmemo_comment": ("entity_id", "comment"),
    "sales_order_tax": ("tax_id", "order_id", "title", "base_amount"),
    "sales_order_tax_item": (
        "tax_item_id",
        "item_id",
        "associated_item_id",
        "taxable_item_type",
        "amount",
    ),
}
_CHILD_PARTS = ("items", "tracks", "comments")


def kept(row: dict[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    """The columns of ``row`` a payload reads (absent ones as None)."""
    return {column: row.get(column) for column in columns}


def position_of(change: RowChange) -> dict[str, Any]:
    """The change's binlog position as plain JSON, to stamp the changes forwarded later."""
    p = change.position
    return {"file": p.file, "pos": p.pos, "row": p.row, "gtid": p.gtid, "snapshot": p.snapshot}


def stored_position(state: State, *, live: bool = False) -> SourcePosition:
    """The position kept by ``position_of``; ``live`` clears the snapshot flag (a delete is
    never a snapshot read, even when the last change the state saw was one)."""
    stored: dict[str, Any] = dict(state.get("position") or {})
    position = SourcePosition(
        file=str(stored.get("file", "")),
        pos=int(stored.get("pos", 0)),
        row=int(stored.get("row", 0)),
        gtid=stored.get("gtid"),
        snapshot=stored.get("snapshot"),
    )
    if live:
        position = SourcePosition(position.file, position.pos, position.row, position.gtid, None)
    return position


def document_keys(change: RowChange) -> list[str]:
    """``<kind>:<document id>`` for a document row; a child never moves to another document
    in Magento, so the row's current image names its document."""
    claimed = DOCUMENT_TABLES.get(change.table)
    if claimed is None:
        return []
    kind, column, _ = claimed
    return [f"{kind}:{change.row[column]}"]


def apply_document_change(state: State | None, change: RowChange) -> State | None:
    """The document's state after one of its rows changed; None once it is gone."""
    if change.table == ORDER_DELETED:
        return None
    kind, _, part = DOCUMENT_TABLES[change.table]
    current: State = dict(state) if state else {"header": None, "items": {}, "tracks": {}}
    columns = _KEPT_COLUMNS[change.table]
    id_column = _ROW_ID_COLUMNS.get(change.table, "entity_id")
    if part == "header":
        if change.deleted:  # its items and tracks cascade away, unseen in the binlog
            return None
        assert change.after is not None
        current["header"] = kept(change.after, columns)
    else:
        rows: dict[str, Any] = dict(current.get(part, {}))
        if change.before is not None:
            rows.pop(str(change.before[id_column]), None)
        if change.after is not None:
            rows[str(change.after[id_column])] = kept(change.after, columns)
        current[part] = rows
    current["kind"] = kind
    current["position"] = position_of(change)
    current["ts_ms"] = change.ts_ms
    if current["header"] is None and not any(current.get(p) for p in _CHILD_PARTS):
        return None
    return current


def assembled(state: State | None) -> dict[str, Any] | None:
    """The document as the order holds it: header columns, then its child rows by id; None
    until the header has arrived."""
    if not state or not state.get("header"):
        return None
    document: dict[str, Any] = dict(state["header"])
    document["items"] = _by_id(state["items"])
    if state["kind"] == "shipment":
        document["tracks"] = _by_id(state["tracks"])
    if state["kind"] == "creditmemo":
        document["comments"] = _by_id(state.get("comments", {}))
    return document


def _by_id(rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [rows[key] for key in sorted(rows, key=int)]


def document_forwards(before: State | None, after: State | None, key: str) -> list[Forward]:
    """Send the document to its order when it changed; withdraw it from an order it left."""
    old, new = assembled(before), assembled(after)
    sends: list[Forward] = []
    if new is not None and new != old:
        assert after is not None
        change = forwarded(
            f"@{after['kind']}",
            after=new,
            position=stored_position(after),
            ts_ms=int(after.get("ts_ms", 0)),
        )
        sends.append(Forward(ORDERS_ENTITY, str(new["order_id"]), change))
    if old is not None and (new is None or str(new["order_id"]) != str(old["order_id"])):
        assert before is not None
        latest = after if after is not None else before
        id_column = HEADER_ID_COLUMNS.get(before["kind"], "entity_id")
        change = forwarded(
            f"@{before['kind']}",
            after=None,
            before={id_column: old[id_column]},
            position=stored_position(latest, live=after is None),
            ts_ms=int(latest.get("ts_ms", 0)),
        )
        sends.append(Forward(ORDERS_ENTITY, str(old["order_id"]), change))
    return sends
