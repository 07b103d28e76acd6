"""How single values of the orders feed are written: stable UUIDs, money, dates, flags.

Adobe's exporter gives orders, order items, shipments and credit memos random UUIDs kept
in a table; feedsync has no table to keep them in, so it derives them: a name-based UUID
(version 5) of ``<kind>:<entity_id>`` in one fixed namespace. The same row always gets the
same UUID, across restarts and resyncs, with nothing stored.

Money and quantities are DECIMAL columns, sent as the strings MariaDB prints (Debezium's
``decimal.handling.mode=string``). The one amount the feed computes (a refund item's row
total, feeds/orders_payload_documents.py) is computed with ``decimal.Decimal`` and printed
at the columns' scale, never through a float.
"""

from __future__ import annotations

import uuid
from typing import Any

from feeds.values import decimal_text, rfc3339

__all__ = [
    "ORDER_UUID_NAMESPACE",
    "decimal_text",
    "flag",
    "installation_namespace",
    "rfc3339",
    "stable_uuid",
]

ORDER_UUID_NAMESPACE = uuid.UUID("1b64e46e-1ae9-41b1-b4c6-6fe31ef5656c")
"""The namespace of every UUID the orders feed derives (docs/feeds.md, orders)."""


def installation_namespace(installation: str) -> uuid.UUID:
    """The namespace of one installation's UUIDs: the fixed one when ``installation`` is
    empty (what earlier versions derived), else a name-based UUID of it in that one."""
    if not installation:
        return ORDER_UUID_NAMESPACE
    return uuid.uuid5(ORDER_UUID_NAMESPACE, f"installation:{installation}")


def stable_uuid(
    kind: str, entity_id: Any, namespace: uuid.UUID = ORDER_UUID_NAMESPACE
) -> dict[str, str]:
    """The UUID record (``{"id": ...}``) of one sales entity, e.g. ``("order_item", 7)``."""
    return {"id": str(uuid.uuid5(namespace, f"{kind}:{entity_id}"))}


def flag(value: Any) -> bool | None:
    """A smallint yes/no column as a boolean; NULL stays null."""
    return None if value is None else bool(int(value))
