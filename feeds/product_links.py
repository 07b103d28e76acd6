"""A product's price and configurable rows, and the summaries linked products exchange.

The prices and variants feeds are built from the product entity's state (feeds/products.py)
plus the rows kept here: tier prices, super attributes, and the product's links to other
products (``catalog_product_relation`` and ``catalog_product_super_link``). Both feeds also
need data of the *linked* product: a child's prices items list its parents' sku and type; a
configurable parent's variants carry each child's sku and option values. A state holds only
its own rows, so linked products exchange small summaries by forwards to entity "products":

- ``@product_parent``: a parent's ``{id, sku, type}``, sent to its relation children;
- ``@product_child``: a child's ``{id, sku, values, scoped_values, stock}`` (its values of
  ``catalog_product_entity_int``, where select attributes and the status live: store 0's
  by attribute, the store views' by ``<attribute_id>:<store_id>``), sent to its super-link
  parents;
- ``@product_gone``: a deleted product, sent to every product it was linked to, which drops
  the links and summaries it held of it (the link rows cascade away unseen in the binlog).

A summary is sent when it changed, or to a peer just linked, and never otherwise, so a
forward cannot echo. Summaries are dropped only when their product is gone, never when a
link row goes: a link row and the summary it calls for may arrive in either order, and a
peer counts only while its link *and* its summary are held.

Link rows are kept as ``[parent_id, child_id]`` pairs in the states of both products. A link
row can arrive before the product's own entity row, so a state does not know its id when
applying one; the pairs are read against the product's id (its key) when building or
forwarding. Tier price and super attribute rows keep their owner id for the same reason.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from feeds.bundles import (
    BUNDLE_OWNER_COLUMNS,
    COMPOSITE_CHILD_SUMMARY,
    apply_bundle_change,
    bundle_pairs,
    bundle_parents,
    composite_child_summary,
    forget_bundle_peer,
)
from feeds.change import RowChange, SourcePosition
from feeds.projector import Forward, State, forwarded

__all__ = [
    "CHILD_SUMMARY",
    "LINK_TABLES",
    "OWNER_COLUMNS",
    "PARENT_SUMMARY",
    "PEER_TABLES",
    "PRODUCT_ENTITY",
    "PRODUCT_GONE",
    "apply_link_change",
    "composite_parents",
    "grouped_items",
    "link_forwards",
    "link_keys",
    "linked_products",
    "relation_parents",
    "replace_row",
    "super_attributes",
    "tier_prices",
    "variant_children",
]

PRODUCT_ENTITY = "products"
TIER_PRICE_TABLE = "catalog_product_entity_tier_price"
RELATION_TABLE = "catalog_product_relation"
SUPER_LINK_TABLE = "catalog_product_super_link"
SUPER_ATTRIBUTE_TABLE = "catalog_product_super_attribute"
INT_VALUE_TABLE = "catalog_product_entity_int"
PRODUCT_LINK_TABLE = "catalog_product_link"
# The link types the exporter sends in products' links[] (its ProductLinksQuery), by the
# names Magento's LinkTypeProvider gives them; grouped products' links (3) are not sent.
LINK_TYPE_NAMES = {1: "related", 4: "upsell", 5: "crosssell"}
GROUPED_LINK_TYPE = 3  # "super": a grouped product's item
PARENT_SUMMARY = "@product_parent"
CHILD_SUMMARY = "@product_child"
PRODUCT_GONE = "@product_gone"
PEER_TABLES = (PARENT_SUMMARY, CHILD_SUMMARY, PRODUCT_GONE, COMPOSITE_CHILD_SUMMARY)

# table → the columns naming the products a row belongs to.
OWNER_COLUMNS = {
    TIER_PRICE_TABLE: ("entity_id",),
    RELATION_TABLE: ("parent_id", "child_id"),
    SUPER_LINK_TABLE: ("parent_id", "product_id"),
    SUPER_ATTRIBUTE_TABLE: ("product_id",),
    PRODUCT_LINK_TABLE: ("product_id", "linked_product_id"),
    **BUNDLE_OWNER_COLUMNS,  # a bundle's options, titles, selections and their prices
}
LINK_TABLES = tuple(OWNER_COLUMNS)
_TIER_COLUMNS = (
    "value_id",
    "entity_id",
    "all_groups",
    "customer_group_id",
    "qty",
    "value",
    "website_id",
    "percentage_value",
)
_SUPER_ATTRIBUTE_COLUMNS = ("product_id", "attribute_id", "position")
DEFAULT_STORE_ID = 0

Row = dict[str, Any]


def link_keys(change: RowChange) -> list[str]:
    """The products a link-table row belongs to, before and after it changed."""
    columns = OWNER_COLUMNS.get(change.table, ())
    rows = [row for row in (change.before, change.after) if row is not None]
    return sorted({str(row[column]) for row in rows for column in columns})


def apply_link_change(state: State, change: RowChange) -> State:
    """``state`` with one link row, int value or peer summary applied (a copy).

    Changes of other tables only move the remembered position on.
    """
    current = dict(state)
    table, before, after = change.table, change.before, change.after
    if table == TIER_PRICE_TABLE:
        current["tier_prices"] = replace_row(
            state.get("tier_prices", {}), change, "value_id", _TIER_COLUMNS
        )
    elif table == SUPER_ATTRIBUTE_TABLE:
        current["super_attributes"] = replace_row(
            state.get("super_attributes", {}),
            change,
            "product_super_attribute_id",
            _SUPER_ATTRIBUTE_COLUMNS,
        )
    elif table == RELATION_TABLE:
        current["relations"] = _replace_pair(state.get("relations", []), change, "child_id")
    elif table == SUPER_LINK_TABLE:
        current["super_links"] = _replace_pair(state.get("super_links", []), change, "product_id")
    elif table == PRODUCT_LINK_TABLE:
        links = dict(state.get("product_links", {}))
        if before is not None:
            links.pop(str(before["link_id"]), None)
        if after is not None:
            links[str(after["link_id"])] = [
                int(after["product_id"]),
                int(after["linked_product_id"]),
                int(after["link_type_id"]),
            ]
        current["product_links"] = links
    elif table == INT_VALUE_TABLE:
        _apply_int_value(current, change)
    elif table in (PARENT_SUMMARY, CHILD_SUMMARY) and after is not None:
        held = "parent_summaries" if table == PARENT_SUMMARY else "child_summaries"
        current[held] = {**state.get(held, {}), str(after["id"]): after}
    elif table == PRODUCT_GONE and before is not None:
        _forget(current, int(before["id"]))
        forget_bundle_peer(current, int(before["id"]))
    return _stamp(apply_bundle_change(current, change), change)


def _apply_int_value(state: State, change: RowChange) -> None:
    """Fold an int value into ``int_defaults`` (store 0's, by attribute) or ``int_scoped``
    (the store views', by ``<attribute_id>:<store_id>``), in place (a fresh copy)."""
    defaults = dict(state.get("int_defaults", {}))
    scoped = dict(state.get("int_scoped", {}))
    for row, keep in ((change.before, False), (change.after, True)):
        if row is None:
            continue
        default = int(row["store_id"]) == DEFAULT_STORE_ID
        held = defaults if default else scoped
        key = str(row["attribute_id"]) if default else f"{row['attribute_id']}:{row['store_id']}"
        if keep:
            held[key] = row.get("value")
        else:
            held.pop(key, None)
    state["int_defaults"] = defaults
    state["int_scoped"] = scoped


def replace_row(
    rows: dict[str, Row], change: RowChange, key_column: str, columns: tuple[str, ...]
) -> dict[str, Row]:
    """``rows`` (by ``key_column``) with the change's old row dropped and its new one, cut
    to ``columns``, added (a copy)."""
    replaced = dict(rows)
    if change.before is not None:
        replaced.pop(str(change.before[key_column]), None)
    if change.after is not None:
        replaced[str(change.after[key_column])] = {c: change.after.get(c) for c in columns}
    return replaced


def _replace_pair(pairs: list[list[int]], change: RowChange, child_column: str) -> list[list[int]]:
    held = {(parent, child) for parent, child in pairs}
    if change.before is not None:
        held.discard((int(change.before["parent_id"]), int(change.before[child_column])))
    if change.after is not None:
        held.add((int(change.after["parent_id"]), int(change.after[child_column])))
    return [[parent, child] for parent, child in sorted(held)]


def _forget(state: State, gone: int) -> None:
    """Drop every link to and summary of a deleted product from ``state`` (a fresh copy)."""
    for links in ("relations", "super_links"):
        state[links] = [pair for pair in state.get(links, []) if gone not in pair]
    state["product_links"] = {
        k: link for k, link in state.get("product_links", {}).items() if gone not in link[:2]
    }
    for held in ("parent_summaries", "child_summaries"):
        state[held] = {k: v for k, v in state.get(held, {}).items() if k != str(gone)}


def _stamp(state: State, change: RowChange) -> State:
    """Remember the newest source position seen, for the forwards this state sends."""
    position = change.position
    if "position" not in state or position.version >= _position(state).version:
        state["position"] = [position.file, position.pos, position.row, position.gtid]
    # Whether the change now folded is a snapshot read: its forwards are then built with
    # the rest of the snapshot (streams/project.py asks for that build once they are sent).
    state["snapshot"] = position.snapshot
    return state


# ---- reading the state, for the builds -------------------------------------------------


def relation_parents(state: State, product_id: int) -> list[Row]:
    """The summaries (``{id, sku, type}``) of the product's existing relation parents."""
    summaries: dict[str, Row] = state.get("parent_summaries", {})
    parents = (str(parent) for parent, child in state.get("relations", []) if child == product_id)
    return [summaries[parent] for parent in parents if parent in summaries]


def variant_children(state: State, product_id: int) -> list[Row]:
    """The summaries (``{id, sku, values, …}``) of the product's existing super-link children."""
    summaries: dict[str, Row] = state.get("child_summaries", {})
    children = (
        str(child) for parent, child in state.get("super_links", []) if parent == product_id
    )
    return [summaries[child] for child in children if child in summaries]


def super_attributes(state: State, product_id: int) -> list[Row]:
    """The product's super attribute rows, by position then attribute id."""
    rows = [
        row
        for row in state.get("super_attributes", {}).values()
        if int(row["product_id"]) == product_id
    ]
    return sorted(rows, key=lambda row: (int(row["position"]), int(row["attribute_id"])))


def linked_products(state: State, product_id: int, website_id: int) -> list[Row]:
    """The products's related, up-sell and cross-sell products that are in the website, as
    the exporter lists them: ``{sku, type}`` by type name, then SKU, each once."""
    summaries: dict[str, Row] = state.get("parent_summaries", {})
    found = set()
    for linker, linked, link_type in state.get("product_links", {}).values():
        summary = summaries.get(str(linked))
        if linker != product_id or link_type not in LINK_TYPE_NAMES or summary is None:
            continue
        if website_id in summary.get("websites", []):
            found.add((LINK_TYPE_NAMES[link_type], str(summary["sku"])))
    return [{"sku": sku, "type": kind} for kind, sku in sorted(found)]


def tier_prices(state: State, product_id: int) -> list[Row]:
    """The product's tier price rows."""
    rows: dict[str, Row] = state.get("tier_prices", {})
    return [row for row in rows.values() if int(row["entity_id"]) == product_id]


# ---- the exchange ----------------------------------------------------------------------


def link_forwards(before: State | None, after: State | None, key: str) -> list[Forward]:
    """The summaries the product's linked products must hear of after one change."""
    product_id = int(key)
    if after is None:
        if before is None:
            return []
        gone = forwarded(
            PRODUCT_GONE, after=None, before={"id": product_id}, position=_position(before)
        )
        peers = {peer for pair in _pairs(before) if product_id in pair for peer in pair}
        peers.discard(product_id)
        return [Forward(PRODUCT_ENTITY, str(peer), gone) for peer in sorted(peers)]
    position = _position(after)
    old, new = _link_view(before, product_id), _link_view(after, product_id)
    return [
        *_offer(PARENT_SUMMARY, (old.parent, new.parent), (old.readers, new.readers), position),
        *_offer(CHILD_SUMMARY, (old.child, new.child), (old.parents, new.parents), position),
        *_offer(
            COMPOSITE_CHILD_SUMMARY,
            (old.composite_child, new.composite_child),
            (old.composites, new.composites),
            position,
        ),
    ]


class _LinkView(NamedTuple):
    """What a product's links say to its peers: its summaries and who reads each."""

    parent: Row | None
    readers: set[int]
    child: Row | None
    parents: set[int]
    composite_child: Row | None
    composites: set[int]


def _link_view(state: State | None, product_id: int) -> _LinkView:
    composites = composite_parents(state, product_id)
    return _LinkView(
        _parent_summary(state, product_id),
        _summary_readers(state, product_id),
        _child_summary(state, product_id),
        _super_parents(state, product_id),
        composite_child_summary(state, product_id, composites),
        composites,
    )


def _offer(
    table: str,
    summaries: tuple[Row | None, Row | None],
    peers: tuple[set[int], set[int]],
    position: SourcePosition,
) -> list[Forward]:
    """Send the summary to every peer if it changed, else to the peers just linked."""
    (old, new), (old_peers, new_peers) = summaries, peers
    if new is None:
        return []
    targets = new_peers if new != old else new_peers - old_peers
    change = forwarded(table, after=new, position=position)
    return [Forward(PRODUCT_ENTITY, str(peer), change) for peer in sorted(targets)]


def _parent_summary(state: State | None, product_id: int) -> Row | None:
    """What a relation child shows of its parent: sku and type (prices, products), the
    websites it is in (products list a parent in the store views of their shared
    websites), and a bundle's store-0 int values (its ``price_type``: fixed or dynamic)."""
    entity = (state or {}).get("entity")
    if not entity or state is None:
        return None
    bundle = entity.get("type_id") == "bundle"
    return {
        "id": product_id,
        "sku": entity.get("sku"),
        "type": entity.get("type_id"),
        "websites": sorted(int(w) for w in state.get("websites", [])),
        "values": state.get("int_defaults", {}) if bundle else {},
    }


def _child_summary(state: State | None, product_id: int) -> Row | None:
    """What a configurable shows of a child: sku and store-0 int values (variants), its
    int values of store views by ``<attribute_id>:<store_id>`` (its status there: a child
    disabled in a store view selects no option of the parent's optionsV2 there), and the
    stock of its SKU (the parent is in stock where a child is: feeds/products.py)."""
    entity = (state or {}).get("entity")
    if not entity or state is None:
        return None
    sku = entity.get("sku")
    return {
        "id": product_id,
        "sku": sku,
        "values": state.get("int_defaults", {}),
        "scoped_values": state.get("int_scoped", {}),
        "stock": (state.get("stocks") or {}).get(str(sku)),
    }


def _summary_readers(state: State | None, product_id: int) -> set[int]:
    """The products that show this one's summary: its relation children (their parents[])
    and the products linking to it (their links[]: its sku and websites)."""
    relations = (state or {}).get("relations", [])
    links = (state or {}).get("product_links", {}).values()
    children = {child for parent, child in relations if parent == product_id}
    linkers = {linker for linker, linked, _ in links if linked == product_id}
    return (children | linkers) - {product_id}


def composite_parents(state: State | None, product_id: int) -> set[int]:
    """The bundles offering this product and the grouped products grouping it."""
    links = (state or {}).get("product_links", {}).values()
    grouped = {
        linker
        for linker, linked, kind in links
        if linked == product_id and kind == GROUPED_LINK_TYPE
    }
    return (bundle_parents(state, product_id) | grouped) - {product_id}


def grouped_items(state: State, product_id: int) -> list[Row]:
    """The summaries of the products this grouped product groups (those heard of)."""
    summaries: dict[str, Row] = state.get("composite_children") or {}
    links = state.get("product_links", {}).values()
    items = {
        str(linked)
        for linker, linked, kind in links
        if linker == product_id and kind == GROUPED_LINK_TYPE
    }
    return [summaries[item] for item in sorted(items, key=int) if item in summaries]


def _super_parents(state: State | None, product_id: int) -> set[int]:
    links = (state or {}).get("super_links", [])
    return {parent for parent, child in links if child == product_id}


def _pairs(state: State) -> list[list[int]]:
    links = [link[:2] for link in state.get("product_links", {}).values()]
    return [
        *state.get("relations", []),
        *state.get("super_links", []),
        *links,
        *bundle_pairs(state),
    ]


def _position(state: State) -> SourcePosition:
    """The newest position the state saw, stamped on its forwards so that the peers' item
    versions keep growing, flagged as a snapshot read when the change that made them was
    one: the peer then builds with the rest of the snapshot, not once per forward."""
    file, pos, row, gtid = state.get("position") or ("", 0, 0, None)
    snapshot = state.get("snapshot")
    return SourcePosition(
        file=str(file), pos=int(pos), row=int(row), gtid=gtid, snapshot=snapshot or None
    )
