"""The receiver's SQLite store: the latest item per (feed, id), and every request seen."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path
from typing import Any

import orjson

from feeds.item import item_hash

__all__ = ["ItemStore", "content_digest"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    feed TEXT NOT NULL,
    item_id TEXT NOT NULL,
    payload BLOB NOT NULL,
    deleted INTEGER NOT NULL,
    received_at REAL NOT NULL,
    request_id TEXT,
    PRIMARY KEY (feed, item_id)
);
CREATE TABLE IF NOT EXISTS requests (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    feed TEXT NOT NULL,
    idempotency_key TEXT,
    content_digest TEXT NOT NULL,
    items INTEGER NOT NULL,
    status INTEGER NOT NULL,
    received_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_by_key ON requests (idempotency_key);
"""


def content_digest(items: list[dict[str, Any]]) -> str:
    """What a batch carries, independent of order and of volatile timestamps."""
    pairs = sorted(
        (str(item.get("itemId")), item_hash({k: v for k, v in item.items() if k != "itemId"}))
        for item in items
    )
    return hashlib.sha256(orjson.dumps(pairs)).hexdigest()


class ItemStore:
    """One SQLite file; every write commits, so a reader in another process sees it."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def record_request(
        self, feed: str, idempotency_key: str | None, items: list[dict[str, Any]], status: int
    ) -> None:
        self._db.execute(
            "INSERT INTO requests (feed, idempotency_key, content_digest, items, status, "
            "received_at) VALUES (?, ?, ?, ?, ?, ?)",
            (feed, idempotency_key, content_digest(items), len(items), status, time.time()),
        )

    def upsert(self, feed: str, items: list[dict[str, Any]], request_id: str | None) -> None:
        now = time.time()
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO items (feed, item_id, payload, deleted, received_at, request_id) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (feed, item_id) DO UPDATE SET "
                "payload = excluded.payload, deleted = excluded.deleted, "
                "received_at = excluded.received_at, request_id = excluded.request_id",
                [
                    (
                        feed,
                        item["itemId"],
                        orjson.dumps(item),
                        int(bool(item.get("deleted"))),
                        now,
                        request_id,
                    )
                    for item in items
                ],
            )

    def items(self, feed: str, *, include_deleted: bool = True) -> dict[str, dict[str, Any]]:
        query = "SELECT item_id, payload FROM items WHERE feed = ?"
        if not include_deleted:
            query += " AND deleted = 0"
        return {row[0]: orjson.loads(row[1]) for row in self._db.execute(query, (feed,))}

    def item(self, feed: str, item_id: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT payload FROM items WHERE feed = ? AND item_id = ?", (feed, item_id)
        ).fetchone()
        return orjson.loads(row[0]) if row else None

    def stats(self) -> dict[str, Any]:
        """Request counts per feed and status, and how duplicates relate to their keys."""
        by_status = {
            f"{feed}:{status}": count
            for feed, status, count in self._db.execute(
                "SELECT feed, status, COUNT(*) FROM requests GROUP BY feed, status"
            )
        }
        first_key: dict[str, str | None] = {}
        duplicates = duplicates_with_new_key = 0
        for key, digest in self._db.execute(
            "SELECT idempotency_key, content_digest FROM requests WHERE status < 300 ORDER BY seq"
        ):
            if digest in first_key:
                duplicates += 1
                duplicates_with_new_key += first_key[digest] != key
            else:
                first_key[digest] = key
        return {
            "requests": by_status,
            "accepted_batches": len(first_key) + duplicates,
            "duplicate_batches": duplicates,
            "duplicates_with_new_key": duplicates_with_new_key,
        }

    def close(self) -> None:
        self._db.close()
