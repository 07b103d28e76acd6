"""The KRaft cluster id the local stack formats Kafka's storage with."""

from __future__ import annotations

import re
import uuid

import pytest

from feedsync.stack import kafka


def test_a_cluster_id_never_starts_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    """An id starting with "-" is read by the storage tool as an option after ``-t``."""
    # bytes whose URL-safe base64 starts with "-" (0xf8 → "-"), then an ordinary id
    drawn = iter([uuid.UUID(bytes=b"\xf8" + bytes(15)), uuid.UUID(int=1)])
    monkeypatch.setattr(kafka.uuid, "uuid4", lambda: next(drawn))
    found = kafka._kafka_uuid()
    assert not found.startswith("-")
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", found)
