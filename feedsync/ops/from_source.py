"""``feedsync resync --from-source``: read entities again from the database.

Debezium re-reads the rows of the tables behind a feed's entities (an incremental
snapshot through the signal table, ``additional-conditions`` naming the entities by id),
while streaming goes on. The worker folds the rows into the entities' state and builds
them again: what a lost state or a lost topic history had dropped is back, and items
whose content changed are sent. Items that come out the same are not sent again (the
endpoint has them); a topic-replay ``resync --force`` sends those.

Only the feeds built by entity projectors can be read again this way; the reference
feeds (scopes, categories, attributes, permissions) are rebuilt whole from the reference
table by any reference change. By id, only the product feeds (products, prices,
variants, productOverrides): ``--id-type sku`` or ``productId``; the rows of the entities
that belong to those products (their gallery entries, custom options, samples) are read
again with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pymysql.connections import Connection

from connectors.database import connect
from connectors.debezium import request_incremental_snapshot
from feeds.feed import Feed
from feeds.registry import select
from feedsync.errors import ConfigError
from feedsync.settings import Settings

__all__ = ["SnapshotRequest", "conditions_for", "request_from_source"]

BY_ID_TYPES = ("sku", "productId")


@dataclass(frozen=True)
class SnapshotRequest:
    signal_id: str
    tables: list[str]
    conditions: Mapping[str, str]
    entities: int | None  # how many entities the ids named (None: every one)


def conditions_for(
    owners: Mapping[str, tuple[str, ...]],
    ids: list[int],
    *,
    rows_of_products: Mapping[str, str] | None = None,
    db: str = "",
) -> dict[str, str]:
    """Per table, the SQL condition picking the rows of entities ``ids`` (integers only:
    they are written into the condition); and the rows of the products' own entities (a
    gallery entry, a custom option) by the projectors' ``rows_of_products`` conditions."""
    listed = ", ".join(str(int(i)) for i in sorted(set(ids)))
    conditions = {
        table: " OR ".join(f"`{column}` IN ({listed})" for column in columns)
        for table, columns in owners.items()
    }
    for table, condition in (rows_of_products or {}).items():
        conditions[table] = condition.format(ids=listed, db=db)
    return conditions


def request_from_source(
    settings: Settings, feeds: list[Feed], *, ids: list[str] | None, id_type: str
) -> SnapshotRequest:
    """Ask Debezium to read again the rows behind ``feeds`` (or behind ``ids`` of them)."""
    projectors = select([feed.name for feed in feeds]).projectors
    building = {feed.name for p in projectors for feed in p.feeds}
    reference_only = sorted(f.name for f in feeds if f.name not in building)
    if reference_only:
        raise ConfigError(
            f"--from-source cannot read {', '.join(reference_only)} again: reference "
            "feeds are rebuilt from the reference table",
            hint="resync them by topic replay (without --from-source)",
        )
    connection = connect(settings)
    try:
        if ids is None:
            tables = sorted({t for p in projectors for t in p.tables})
            signal = request_incremental_snapshot(connection, settings, tables)
            return SnapshotRequest(signal, tables, {}, None)
        owners = {t: cols for p in projectors for t, cols in p.owners.items()}
        readable = {feed.name for p in projectors if p.owners for feed in p.feeds}
        if any(feed.name not in readable for feed in feeds):
            raise ConfigError(
                "--from-source --by-ids reads products again; "
                f"{', '.join(f.name for f in feeds)} cannot be read by id",
                hint="use products, prices, variants or productOverrides, or leave out --by-ids",
            )
        entity_ids = _product_ids(connection, ids, id_type)
        if not entity_ids:
            raise ConfigError(
                f"no product has {id_type} {', '.join(ids)}", hint="check the ids and --id-type"
            )
        below = {t: c for p in projectors for t, c in p.rows_of_products.items()}
        conditions = conditions_for(
            owners, entity_ids, rows_of_products=below, db=settings.database.name
        )
        tables = sorted(conditions)
        signal = request_incremental_snapshot(connection, settings, tables, conditions=conditions)
        return SnapshotRequest(signal, tables, conditions, len(entity_ids))
    finally:
        connection.close()


def _product_ids(connection: Connection[Any], ids: list[str], id_type: str) -> list[int]:
    if id_type not in BY_ID_TYPES:
        raise ConfigError(
            f"--from-source --by-ids takes --id-type {' or '.join(BY_ID_TYPES)}, not {id_type}",
            hint="name products by SKU or by productId",
        )
    if id_type == "productId":
        try:
            return [int(i) for i in ids]
        except ValueError:
            raise ConfigError(
                "--id-type productId takes integers", hint="e.g. --by-ids 12,13"
            ) from None
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT entity_id FROM catalog_product_entity WHERE sku IN ({marks})", ids)
        return [int(row[0]) for row in cursor.fetchall()]
