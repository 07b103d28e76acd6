"""The state tables on local disk (RocksDB through ``rocksdict``), never ahead of Kafka.

With faust's in-memory tables a restarted worker reads every changelog record of its
tables again before it processes anything: a million records, five minutes, on the medium
profile (bench/RESULTS.md). Faust's RocksDB store keeps the tables on disk with the
changelog offset they hold, so a restart reads only what came after it.

Faust's store writes a value to disk when the table is set, before its changelog record
is durable. A worker killed in between leaves its disk *ahead* of Kafka: the record never
reaches the changelog, the event that caused it is processed again on the restored value
and, the value being unchanged then, not written again; once its partition moves to
another worker (which restores from the changelog) the change is gone from the state.
``StateStore`` therefore holds each write in memory until Kafka acknowledges its
changelog record, and only then puts the value on disk, together with the offset, in one
atomic write batch: the disk is never ahead of the changelog, and the offset it holds
never ahead of the values. Reads see the newest write, pending or not, as before, and
find a key in whichever partition's database holds it (faust's store looks only in the
partition of the event it saw last, which a batching agent's reads do not belong to).

One block cache and one write-buffer budget are shared by every partition's database of
every table, so memory is bounded by ``state_memory_mib`` whatever the partition count.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import faust
import rocksdict
from faust.stores import rocksdb as faust_rocksdb
from faust.types import TP

from streams.faust_compat import in_event

__all__ = [
    "STORE_URL",
    "StateStore",
    "StateTable",
    "configure_memory",
    "partition_items",
    "read_raw",
    "write_raw",
]

# The scheme pyproject.toml registers under "faust.stores"; with a host, because faust
# takes a URL without host or path ("feedsync://") for none and uses the app's store.
STORE_URL = "feedsync://local"


@dataclass
class _Memory:
    """What every database of the process shares: its block cache, and the budget of its
    write buffers (charged to the cache, so that both stay within ``2 * buffer_bytes``)."""

    buffer_bytes: int
    cache: rocksdict.Cache


_memory = _Memory(128 * 1024**2, rocksdict.Cache(128 * 1024**2))


def configure_memory(mib: int) -> None:
    """Share ``mib`` MiB between the block cache and the write buffers (half each) of
    every database opened from now on."""
    global _memory  # noqa: PLW0603  # one budget per process, set before a database opens
    half = mib * 1024**2 // 2
    _memory = _Memory(half, rocksdict.Cache(half))


class _SharedOptions(faust_rocksdb.RocksDBOptions):
    """faust's options with the process-wide cache and write-buffer budget."""

    def as_options(self) -> Any:
        options = rocksdict.Options(raw_mode=True)
        options.create_if_missing(True)
        if self.max_open_files is not None:
            options.set_max_open_files(self.max_open_files)
        options.set_write_buffer_size(8 * 1024**2)
        options.set_max_write_buffer_number(2)
        options.set_write_buffer_manager(
            rocksdict.WriteBufferManager.new_write_buffer_manager_with_cache(
                _memory.buffer_bytes, False, _memory.cache
            )
        )
        tables = rocksdict.BlockBasedOptions()
        tables.set_bloom_filter(self.bloom_filter_size, True)
        tables.set_block_cache(_memory.cache)
        tables.set_index_type(rocksdict.BlockBasedIndexType.binary_search())
        options.set_block_based_table_factory(tables)
        return options

    def open(self, path: Path, *, read_only: bool = False) -> Any:
        db = rocksdict.Rdict(
            str(path), options=self.as_options(), access_type=rocksdict.AccessType.read_write()
        )
        db.set_read_options(rocksdict.ReadOptions())
        return db


class _Pending(NamedTuple):
    key: bytes
    seq: int
    partition: int
    value: bytes | None  # None: deleted


class StateStore(faust_rocksdb.Store):
    """faust's RocksDB store, writing to disk only what the changelog holds."""

    def __init__(self, url: Any, app: Any, table: Any, **kwargs: Any) -> None:
        options = dict(kwargs.pop("options", None) or {})
        options["driver"] = "rocksdict"
        super().__init__(url, app, table, options=options, **kwargs)
        self.rocksdb_options = _SharedOptions(use_rocksdict=True)
        self._pending: dict[bytes, _Pending] = {}  # newest write of a key not yet durable
        self._seq = itertools.count()
        # Writes Kafka acknowledged, to go to disk together (``on_durable``).
        self._durable: list[tuple[_Pending, TP, int]] = []

    @property
    def basename(self) -> Path:
        """The databases' file-name prefix: the table's name (not the URL's path)."""
        return Path(self.table_name)

    # ---- writes: held until their changelog record is durable --------------------------

    def hold(self, key: Any, value: Any, partition: int) -> _Pending:
        """Hold a write of ``key`` (``None``: delete) until Kafka has its changelog record.
        Faust sends the changelog record before it writes to the store
        (``StateTable.send_changelog``)."""
        raw_key = self._encode_key(key)
        raw_value = None if value is None else self._encode_value(value)
        held = self._pending[raw_key] = _Pending(raw_key, next(self._seq), partition, raw_value)
        return held

    def _set(self, key: bytes, value: bytes | None) -> None:
        self._held_already(key, value)

    def _del(self, key: bytes) -> None:
        self._held_already(key, None)

    def _held_already(self, key: bytes, value: bytes | None) -> None:
        """A store write follows the ``hold`` of its changelog record; one that does not
        (nothing sent to Kafka) stays in memory only, as in faust's memory store."""
        held = self._pending.get(key)
        if held is None or held.value != value:
            event = faust.streams.current_event()
            partition = event.message.partition if event is not None else -1
            self._pending[key] = _Pending(key, next(self._seq), partition, value)

    def on_durable(self, write: _Pending, tp: TP, offset: int) -> None:
        """Kafka holds ``write`` at ``offset`` of changelog partition ``tp``: put it on
        disk with that offset (records of a partition are acknowledged in order, so the
        offset says every earlier write of the partition is durable too). The writes
        acknowledged together go to disk in one write batch per partition, once the loop
        has run their callbacks (a write batch of its own cost each ~40 µs)."""
        if not self._durable:
            asyncio.get_running_loop().call_soon(self._write_durable)
        self._durable.append((write, tp, offset))

    def _write_durable(self) -> None:
        durable, self._durable = self._durable, []
        by_partition: dict[TP, list[tuple[_Pending, int]]] = {}
        for write, tp, offset in durable:
            by_partition.setdefault(tp, []).append((write, offset))
        for tp, writes in by_partition.items():
            # (not after its partition was revoked: the new owner restores it from Kafka,
            # and this worker too if the partition comes back, from the offset it holds)
            if tp.partition in self._dbs or tp in self.app.assignor.assigned_actives():
                batch = rocksdict.WriteBatch(raw_mode=True)
                for write, _ in writes:
                    if write.value is None:
                        batch.delete(write.key)
                    else:
                        batch.put(write.key, write.value)
                batch.put(self.offset_key, str(max(o for _, o in writes)).encode())
                self._db_for_partition(tp.partition).write(batch)
                for write, _ in writes:
                    self._key_index[write.key] = tp.partition
            for write, _ in writes:
                held = self._pending.get(write.key)
                if held is not None and held.seq == write.seq:
                    del self._pending[write.key]

    # ---- reads: the newest write, held or on disk ---------------------------------------

    def _get(self, key: bytes) -> bytes | None:
        held = self._pending.get(key)
        if held is not None:
            return held.value
        # By key alone, not in the current event's partition as faust's store does: a
        # batch reads keys of every partition it holds, whatever event faust last saw.
        found = self._get_bucket_for_key(key)
        return None if found is None else bytes(found.value)

    def read(self, key: Any) -> bytes | None:
        """The newest value of ``key``, encoded (``read_raw``)."""
        return self._get(self._encode_key(key))

    def _contains(self, key: bytes) -> bool:
        return self._get(key) is not None

    def _iteritems(self) -> Iterator[tuple[bytes, bytes]]:
        active = set(self._active_partitions())
        for partition in active:
            db = self._dbs.get(partition)
            if db is None:
                continue
            for key, value in self._visible_items(db):
                if key not in self._pending:
                    yield key, value
        for key, held in list(self._pending.items()):
            if held.value is not None and held.partition in active:
                yield key, held.value

    def items_of(self, partition: int) -> Iterator[tuple[Any, Any]]:
        """The keys and values of one partition (a rebuild of a partition reads only it,
        not the whole table)."""
        db = self._dbs.get(partition)
        found = [] if db is None else self._visible_items(db)
        for key, value in found:
            if key not in self._pending:
                yield self._decode_key(key), self._decode_value(value)
        for key, held in list(self._pending.items()):
            if held.value is not None and held.partition == partition:
                yield self._decode_key(key), self._decode_value(held.value)

    def _iterkeys(self) -> Iterator[bytes]:
        for key, _ in self._iteritems():
            yield key

    def _itervalues(self) -> Iterator[bytes]:
        for _, value in self._iteritems():
            yield value

    def _size(self) -> int:
        return sum(1 for _ in self._iteritems())

    def _active_partitions(self) -> Iterator[int]:
        actives = self.app.assignor.assigned_actives()
        topic = self.table.changelog_topic.get_topic_name()
        for partition in list(self._dbs):
            if TP(topic=topic, partition=partition) in actives:
                yield partition


def read_raw(table: Any, key: str) -> bytes | None:
    """The bytes ``table`` holds for ``key`` (a raw-valued table), or None. On a
    ``StateStore``, one lookup: faust's ``table.get`` looks a key up twice (``in``, then
    the read) through its sensors and serializers."""
    store = getattr(table, "data", None)
    if isinstance(store, StateStore):
        return store.read(key)
    value: bytes | None = table.get(key)
    return value


async def write_raw(table: Any, key: str, value: bytes | None, event: Any) -> asyncio.Future[Any]:
    """Write ``key`` (None: delete) to a raw-valued ``table`` in the partition of ``event``;
    the future is done when Kafka holds the changelog record. On a ``StateStore`` the
    record goes straight to the app's producer, as ``StateTable.send_changelog`` would
    send it, without faust's per-record envelope, sensors and buffer."""
    store = getattr(table, "data", None)
    if not isinstance(store, StateStore):
        with in_event(event):
            if value is None:
                table.pop(key, None)
            else:
                table[key] = value
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done
    partition = event.message.partition
    held = store.hold(key, value, partition)
    topic = table.changelog_topic.get_topic_name()
    sent: asyncio.Future[Any] = await table.app.producer.send(
        topic, held.key, value, partition, None, None
    )
    sent.add_done_callback(partial(_on_sent, store, held))
    return sent


def partition_items(table: Any, partition: int) -> Iterator[tuple[Any, Any]]:
    """The items of ``table`` in ``partition`` on a ``StateStore``; on another store
    (``memory://``), every item: the caller tells by the value which are the partition's."""
    store = getattr(table, "data", None)
    if isinstance(store, StateStore):
        return store.items_of(partition)
    return iter(table.items())


class StateTable(faust.Table[Any, Any]):
    """A table whose store learns when each changelog record is durable (``StateStore``);
    any other store behaves as faust's."""

    def send_changelog(
        self,
        partition: int | None,
        key: Any,
        value: Any,
        key_serializer: Any = None,
        value_serializer: Any = None,
    ) -> Any:
        store = self.data
        if not isinstance(store, StateStore) or partition is None:
            return super().send_changelog(partition, key, value, key_serializer, value_serializer)
        held = store.hold(key, value, partition)
        return self.changelog_topic.send_soon(
            key=key,
            value=value,
            partition=partition,
            key_serializer=key_serializer or self.key_serializer,
            value_serializer=value_serializer or self.value_serializer,
            callback=partial(_on_sent, store, held),
            eager_partitioning=True,
        )


def _on_sent(store: StateStore, write: _Pending, fut: Any) -> None:
    if fut.cancelled() or fut.exception() is not None:
        return  # Kafka refused it: the write stays held, never on disk
    metadata = fut.result()
    store.on_durable(write, metadata.topic_partition, metadata.offset)
