"""The receiver's SQLite store: the newest item per (feed, id), and every request seen.

Items carry ``itemVersion`` (fixed-width text: compare as strings). A write older than the
item held is not applied (a stale write, counted), and every version received is logged
per item, so a test can check that no item went older after newer, and how resends
relate to their ``Idempotency-Key``s.
"""

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
    version TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (feed, item_id)
);
CREATE TABLE IF NOT EXISTS item_versions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    feed TEXT NOT NULL,
    item_id TEXT NOT NULL,
    version TEXT NOT NULL,
    idempotency_key TEXT,
    applied INTEGER NOT NULL,
    received_at REAL NOT NULL
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
CREATE TABLE IF NOT EXISTS raw_requests (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    records INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    received_at REAL NOT NULL
);
"""


def content_digest(items: list[dict[str, Any]]) -> str:
    """What a batch carries, independent of order and of volatile timestamps: each item's
    id and version, or its content where it carries no version."""
    pairs = sorted(
        (str(item.get("itemId")), str(item.get("itemVersion") or _content(item))) for item in items
    )
    return hashlib.sha256(orjson.dumps(pairs)).hexdigest()


def _content(item: dict[str, Any]) -> str:
    return item_hash({k: v for k, v in item.items() if k not in ("itemId", "itemVersion")})


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

    def record_raw(self, source: str, records: int, size: int) -> None:
        """A request of another sender's records (a peer in a benchmark): only counted."""
        self._db.execute(
            "INSERT INTO raw_requests (source, records, bytes, received_at) VALUES (?, ?, ?, ?)",
            (source, records, size, time.time()),
        )

    def raw_received(self, source: str) -> tuple[int, int, float | None, float | None]:
        """(requests, records, first and last time received) of one raw source."""
        requests, records, first, last = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(records), 0), MIN(received_at), MAX(received_at) "
            "FROM raw_requests WHERE source = ?",
            (source,),
        ).fetchone()
        return int(requests), int(records), first, last

    def seen_key(self, feed: str, idempotency_key: str | None) -> bool:
        """Whether a batch with this key was accepted before (for receivers that apply
        each key once)."""
        if idempotency_key is None:
            return False
        row = self._db.execute(
            "SELECT 1 FROM requests WHERE feed = ? AND idempotency_key = ? AND status < 300 "
            "LIMIT 1",
            (feed, idempotency_key),
        ).fetchone()
        return row is not None

    def upsert(
        self,
        feed: str,
        items: list[dict[str, Any]],
        request_id: str | None,
        idempotency_key: str | None = None,
    ) -> None:
        """Store each item unless the one held is newer (a stale write is logged, not
        applied)."""
        now = time.time()
        with self._db:
            self._db.execute("BEGIN")
            for item in items:
                version = str(item.get("itemVersion") or "")
                applied = self._db.execute(
                    "INSERT INTO items (feed, item_id, payload, deleted, received_at, "
                    "request_id, version) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (feed, item_id) DO UPDATE SET payload = excluded.payload, "
                    "deleted = excluded.deleted, received_at = excluded.received_at, "
                    "request_id = excluded.request_id, version = excluded.version "
                    "WHERE excluded.version >= items.version",
                    (
                        feed,
                        item["itemId"],
                        orjson.dumps(item),
                        int(bool(item.get("deleted"))),
                        now,
                        request_id,
                        version,
                    ),
                ).rowcount
                self._db.execute(
                    "INSERT INTO item_versions (feed, item_id, version, idempotency_key, "
                    "applied, received_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (feed, item["itemId"], version, idempotency_key, int(applied > 0), now),
                )

    def items(self, feed: str, *, include_deleted: bool = True) -> dict[str, dict[str, Any]]:
        query = "SELECT item_id, payload FROM items WHERE feed = ?"
        if not include_deleted:
            query += " AND deleted = 0"
        return {row[0]: orjson.loads(row[1]) for row in self._db.execute(query, (feed,))}

    def wipe(self, feed: str) -> int:
        """Forget a feed's items, as a connected service that lost its data would; the
        request and version logs stay. Returns how many items were dropped."""
        with self._db:
            dropped = self._db.execute("DELETE FROM items WHERE feed = ?", (feed,)).rowcount
        return int(dropped)

    def sent_since(self, feed: str, since: float) -> dict[str, int]:
        """How many times each item id was received (applied or not) since ``since``."""
        rows = self._db.execute(
            "SELECT item_id, COUNT(*) FROM item_versions WHERE feed = ? AND received_at >= ? "
            "GROUP BY item_id",
            (feed, since),
        )
        return {row[0]: int(row[1]) for row in rows}

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
        first_digest: dict[str | None, str] = {}
        duplicates = duplicates_with_new_key = keys_reused = 0
        for key, digest in self._db.execute(
            "SELECT idempotency_key, content_digest FROM requests WHERE status < 300 ORDER BY seq"
        ):
            if digest in first_key:
                duplicates += 1
                duplicates_with_new_key += first_key[digest] != key
            else:
                first_key[digest] = key
            if key is not None:
                keys_reused += first_digest.setdefault(key, digest) != digest
        (stale,) = self._db.execute(
            "SELECT COUNT(*) FROM item_versions WHERE applied = 0"
        ).fetchone()
        return {
            "requests": by_status,
            "accepted_batches": len(first_key) + duplicates,
            "duplicate_batches": duplicates,
            # the same item versions sent again under another key (the key should be theirs)
            "duplicates_with_new_key": duplicates_with_new_key,
            # one key for batches of other item versions (a receiver deduplicating by key
            # would drop a real change)
            "keys_reused_for_other_content": keys_reused,
            "stale_writes_refused": stale,
            "older_after_newer": self.older_after_newer(),
        }

    def older_after_newer(self) -> int:
        """Items whose applied versions ever went down, in the order they were received."""
        newest: dict[tuple[str, str], str] = {}
        count = 0
        for feed, item_id, version in self._db.execute(
            "SELECT feed, item_id, version FROM item_versions WHERE applied = 1 ORDER BY seq"
        ):
            held = newest.get((feed, item_id))
            if held is not None and version < held:
                count += 1
            if held is None or version > held:
                newest[(feed, item_id)] = version
        return count

    def close(self) -> None:
        self._db.close()
