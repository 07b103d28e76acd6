"""A private catalog on topics of its own, and records that poison each stage.

A poison test must control exactly which records a worker reads and in what order, so it
does not use the shared Debezium topics: ``PrivateCatalog`` copies the real records of
the reference tables and of a few products from the stack's topics onto topics with a
prefix of its own (``FEEDSYNC_CONNECT__TOPIC_PREFIX``), and then adds what the test says:
good changes (a product renamed) and poisons (valid envelopes with wrong contents, or no
envelope at all) anywhere in the stream, at the head of a partition or between good ones.
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

from connectors.database import connect
from connectors.debezium import source_topic
from feeds.item import FeedItem, ItemVersion, item_id
from feeds.reference import REFERENCE_TABLES
from feedsync.errors import ErrorClass
from feedsync.settings import Settings
from streams.decode import MalformedRecord, decode
from streams.letters import DeadLetter, DeadLetterStatus, Stage

Row = dict[str, Any]
PRODUCT_TABLES = (
    "catalog_product_entity",
    "catalog_product_entity_varchar",
    "catalog_product_entity_int",
    "catalog_product_entity_decimal",
    "catalog_product_entity_text",
    "catalog_product_entity_datetime",
    "catalog_product_website",
    "catalog_category_product",
)
_OWNER = {"catalog_product_website": "product_id", "catalog_category_product": "product_id"}
_POSITIONS = itertools.count(1)


@dataclass(frozen=True)
class Planted:
    """A record the test wrote: where, and what the worker should make of it."""

    topic: str
    partition: int
    offset: int
    stage: Stage | None  # None: a good record


@dataclass
class PrivateCatalog:
    """Topics ``<prefix>.<db>.<table>`` holding a copy of part of the sample catalog."""

    shared: Settings  # the stack's settings: its Debezium topics
    settings: Settings  # the worker's settings: its prefix, its app id
    products: list[int]
    name_attribute: int
    status_attribute: int
    rows: dict[str, list[tuple[Row, Row]]] = field(default_factory=dict)  # table -> (key, row)
    copied: list[tuple[str, bytes, bytes]] = field(default_factory=list)
    planted: list[Planted] = field(default_factory=list)
    # One producer for every plant (made on first use; kafka-python closes it at exit): a
    # producer per call made planting thousands of poisons take minutes.
    writer: KafkaProducer | None = field(default=None, repr=False)

    @classmethod
    def load(cls, shared: Settings, settings: Settings, count: int) -> PrivateCatalog:
        """Read every reference table and ``count`` simple products without store-view name
        overrides (so a store-0 rename shows in every store view of the product); ``publish``
        writes them to the private topics."""
        with connect(shared) as connection, connection.cursor() as cursor:
            cursor.execute(
                "SELECT attribute_code, attribute_id FROM eav_attribute "
                "WHERE entity_type_id = 4 AND attribute_code IN ('name', 'status')"
            )
            attributes = dict(cursor.fetchall())
            cursor.execute(
                "SELECT e.entity_id FROM catalog_product_entity e "
                "JOIN catalog_product_entity_varchar v ON v.entity_id = e.entity_id "
                "AND v.attribute_id = %s WHERE e.type_id = 'simple' "
                "AND EXISTS (SELECT 1 FROM catalog_product_website w "
                "WHERE w.product_id = e.entity_id) "
                "GROUP BY e.entity_id HAVING COUNT(*) = 1 ORDER BY e.entity_id LIMIT %s",
                (attributes["name"], count),
            )
            products = [int(row[0]) for row in cursor.fetchall()]
        catalog = cls(shared, settings, products, attributes["name"], attributes["status"])
        wanted = {str(p) for p in products}
        for table in sorted(REFERENCE_TABLES | set(PRODUCT_TABLES)):
            for key, value in _read_all(shared, source_topic(shared, table)):
                try:  # other tests plant broken records in the shared topics: leave them
                    change = decode(key, value)
                except MalformedRecord:
                    continue
                if change is None:
                    continue
                row = change.row
                owner = _OWNER.get(table, "entity_id")
                if table in PRODUCT_TABLES and str(row.get(owner)) not in wanted:
                    continue
                catalog.rows.setdefault(table, []).append((change.key, row))
                catalog.copied.append((table, key, value))
        return catalog

    def publish(self) -> None:
        """Write the copied records to the private topics, in their order."""
        producer = _producer(self.settings)
        try:
            for table, key, value in self.copied:
                producer.send(self._topic(table), key=key, value=value)
            producer.flush()
        finally:
            producer.close()

    # ---- what the test adds --------------------------------------------------------------

    def name_row(self, product: int) -> tuple[Row, Row]:
        """The product's store-0 name row as the copied history leaves it."""
        return next(
            (key, row)
            for key, row in reversed(self.rows["catalog_product_entity_varchar"])
            if row["entity_id"] == product
            and row["attribute_id"] == self.name_attribute
            and row["store_id"] == 0
        )

    def rename(self, product: int, name: str) -> tuple[str, bytes, bytes]:
        """A good change: the product's store-0 name."""
        key, row = self.name_row(product)
        return _change("catalog_product_entity_varchar", key, row, {**row, "value": name})

    def sku(self, product: int) -> str:
        return next(
            str(row["sku"])
            for _, row in self.rows["catalog_product_entity"]
            if row["entity_id"] == product
        )

    def poisons(self, product: int) -> dict[Stage, list[tuple[str, bytes, bytes]]]:
        """One poison per way a valid envelope can be wrong, by the stage that must catch it."""
        key, name = self.name_row(product)
        no_entity = {k: v for k, v in name.items() if k != "entity_id"}
        no_attribute = {k: v for k, v in name.items() if k != "attribute_id"}
        status_key, status = next(
            (k, r)
            for k, r in reversed(self.rows["catalog_product_entity_int"])
            if r["entity_id"] == product and r["attribute_id"] == self.status_attribute
        )
        option_key, option = self.rows["eav_attribute_option_value"][0]
        store_key, store = self.rows["store"][-1]
        return {
            Stage.ROUTE: [
                _change("catalog_product_entity_varchar", key, name, {}),  # after: {}
                _change("catalog_product_entity_varchar", key, name, no_entity),  # no owner
            ],
            Stage.REFERENCE: [
                _change(
                    "eav_attribute_option_value",
                    option_key,
                    option,
                    {k: v for k, v in option.items() if k != "option_id"},
                ),
                _change("store", store_key, store, {**store, "website_id": None}),
            ],
            Stage.PROJECT: [
                _change("catalog_product_entity_varchar", key, name, no_attribute),  # apply
                _change("catalog_product_entity_int", status_key, status, {**status, "value": "x"}),
            ],
        }

    def fuzzed(self, count: int, seed: int) -> list[tuple[Stage, tuple[str, bytes, bytes]]]:
        """``count`` poisons built from random copied rows, each wrong in a way some stage
        must catch, with that stage."""
        chooser = random.Random(seed)
        tables = sorted(self.rows)
        made: list[tuple[Stage, tuple[str, bytes, bytes]]] = []
        while len(made) < count:
            table = chooser.choice(tables)
            key, row = chooser.choice(self.rows[table])
            made += [_fuzz(chooser, table, key, row, self)]
        return made

    # ---- writing ------------------------------------------------------------------------

    def plant(
        self,
        records: Iterable[tuple[str, bytes | None, bytes]],
        stage: Stage | None = None,
        *,
        partition: int | None = None,
    ) -> list[Planted]:
        """Write records in order (one producer, flushed), remembering their offsets."""
        if self.writer is None:
            self.writer = _producer(self.settings)
        producer = self.writer
        futures = [
            producer.send(self._topic(table), key=key, value=value, partition=partition)
            for table, key, value in records
        ]
        producer.flush()
        planted = [
            Planted(meta.topic, meta.partition, meta.offset, stage)
            for meta in (future.get(timeout=30) for future in futures)
        ]
        self.planted += planted
        return planted

    def _topic(self, table: str) -> str:
        """A source table's topic, or an internal topic named whole (``<app>.…``)."""
        if table.startswith(self.settings.streams.app_id + "."):
            return table
        return source_topic(self.settings, table)


def create_topics(settings: Settings, names: Iterable[str], partitions: int) -> None:
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        admin.create_topics([NewTopic(name, partitions, 1) for name in names])
    finally:
        admin.close()


def item_record(sku: str, name: str) -> tuple[bytes, bytes]:
    """An items-topic record for a products item the test makes up."""
    payload = {"sku": sku, "storeViewCode": "poison-test", "name": name, "deleted": False}
    identity = item_id([sku, "poison-test"])
    return identity.encode(), FeedItem(
        "products", identity, payload, version=ItemVersion(1)
    ).to_record()


def will_retry_letter(sku: str, name: str) -> bytes:
    """A dead letter the re-drive must send again: one made-up products item."""
    _, record = item_record(sku, name)
    return DeadLetter(
        feed="products",
        stage=Stage.DELIVER,
        status=DeadLetterStatus.WILL_RETRY,
        error_class=ErrorClass.TRANSIENT,
        error="EndpointUnavailable",
        message="made up by the poison test",
        first_failure=0.0,
        last_failure=0.0,
        items=(FeedItem.from_record(record),),
    ).to_record()


def read_letters(settings: Settings, topic: str) -> list[tuple[int, DeadLetter | None]]:
    """Every record of a dead-letter topic: (offset, letter), None where not a letter."""
    letters: list[tuple[int, DeadLetter | None]] = []
    for offset, (_, value) in enumerate(_read_all(settings, topic, offsets=True)):
        try:
            letters.append((offset, DeadLetter.from_record(value)))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            letters.append((offset, None))
    return letters


def _change(table: str, key: Row, before: Row, after: Row) -> tuple[str, bytes, bytes]:
    """An update envelope at a binlog position after anything the sample holds."""
    position = next(_POSITIONS)
    envelope = {
        "before": before,
        "after": after,
        "op": "u",
        "ts_ms": 1,
        "source": {
            "table": table,
            "db": "magento",
            "file": "mariadb-bin.999999",
            "pos": 4 + position * 10,
            "row": 0,
            "snapshot": "false",
            "ts_ms": 1,
        },
    }
    return table, orjson.dumps(key), orjson.dumps(envelope)


def _fuzz(
    chooser: random.Random, table: str, key: Row, row: Row, catalog: PrivateCatalog
) -> tuple[Stage, tuple[str, bytes, bytes]]:
    """One row of ``table`` made wrong; decode refuses any row that breaks its own key."""
    kinds = ["empty", "no key", "other key", "null key"]
    if table == "catalog_product_entity_varchar":
        kinds += ["no owner", "no attribute", "no store"]
    if table == "catalog_product_entity_int" and row["attribute_id"] == catalog.status_attribute:
        kinds += ["text status"]
    if table in ("store", "store_group", "eav_attribute", "eav_attribute_option_value"):
        kinds += ["no required column"]
    kind = chooser.choice(kinds)
    column = next(iter(key))
    mutated = {
        "empty": lambda: (Stage.ROUTE, {}),
        "no key": lambda: (Stage.ROUTE, {k: v for k, v in row.items() if k != column}),
        "other key": lambda: (Stage.ROUTE, {**row, column: f"x{uuid.uuid4().hex[:6]}"}),
        "null key": lambda: (Stage.ROUTE, {**row, column: None}),
        "no owner": lambda: (Stage.ROUTE, _without(row, "entity_id")),
        "no attribute": lambda: (Stage.PROJECT, _without(row, "attribute_id")),
        "no store": lambda: (Stage.PROJECT, _without(row, "store_id")),
        "text status": lambda: (Stage.PROJECT, {**row, "value": "enabled?"}),  # build fails
        "no required column": lambda: (Stage.REFERENCE, _without(row, _required(table))),
    }[kind]
    stage, after = mutated()
    return stage, _change(table, key, row, after)


def _required(table: str) -> str:
    return {
        "store": "website_id",
        "store_group": "root_category_id",
        "eav_attribute": "attribute_code",
        "eav_attribute_option_value": "option_id",
    }[table]


def _without(row: Row, column: str) -> Row:
    return {k: v for k, v in row.items() if k != column}


def _producer(settings: Settings) -> KafkaProducer:
    return KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all")


def _read_all(
    settings: Settings, topic: str, *, offsets: bool = False
) -> list[tuple[bytes, bytes]]:
    """Every record of a one-partition topic, as (key, value); tombstones left out unless
    ``offsets`` (then every record, so that positions match offsets)."""
    # kafka-python's KafkaConsumer.topics() waits for its metadata without a deadline and
    # once hung a fault-suite test for its whole timeout; the admin client's request has one
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        if topic not in admin.list_topics():
            return []
    finally:
        admin.close()
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers, enable_auto_commit=False
    )
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        consumer.seek_to_beginning(partition)
        end = consumer.end_offsets([partition])[partition]
        records: list[tuple[bytes, bytes]] = []
        while consumer.position(partition) < end:
            for message in consumer.poll(timeout_ms=1000, max_records=5000).get(partition, []):
                if message.value is not None or offsets:
                    records.append((message.key, message.value))
        return records
    finally:
        consumer.close()
