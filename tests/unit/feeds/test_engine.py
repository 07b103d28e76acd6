"""The projection engine (feeds/engine.py) on its own: step, rebuild, records and targets.

A tiny projector (a "thing" with parts, two feeds: ``things``, removable, and ``ledger``,
never sent as deleted) keeps each rule visible; the real catalog and orders projectors
check that the rules hold for them too.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import orjson
import pytest

from feeds.catalog import CATALOG_PROJECTOR
from feeds.change import RowChange, SourcePosition
from feeds.engine import Emit, EntityRecord, Projection, Step, targets
from feeds.feed import Feed
from feeds.item import ItemVersion, item_hash, item_id
from feeds.orders import ORDER_PROJECTOR, ORDERS
from feeds.products import PRODUCTS
from feeds.projector import EntityProjector, Payload, State
from feeds.reference import Reference, apply_reference
from feeds.registry import PROJECTORS
from feeds.stock import STOCK_PROJECTOR
from tests.unit.feeds.test_orders import order_row
from tests.unit.rows import delete, insert, update

Row = dict[str, Any]

THINGS = Feed("things", identity=("thing", "part"))
LEDGER = Feed("ledger", identity=("thing", "part"), removable=False)
BOTH = frozenset({THINGS.name, LEDGER.name})


def thing_keys(change: RowChange) -> list[str]:
    return [str(change.row["thing_id"])]


def apply_thing(state: State | None, change: RowChange) -> State | None:
    current: State = state or {"id": str(change.row["thing_id"]), "name": None, "parts": {}}
    if change.table == "thing":
        if change.deleted:
            return None
        return {**current, "name": change.row["name"]}
    parts = dict(current["parts"])
    if change.before is not None:
        parts.pop(str(change.before["part_id"]), None)
    if change.after is not None:
        parts[str(change.after["part_id"])] = {
            "qty": change.after["qty"],
            "website_id": change.after["website_id"],
        }
    return {**current, "parts": parts}


def build_thing(state: State, reference: Reference) -> dict[str, list[Payload]]:
    """One item per part in each feed; nothing until the thing's own row has arrived."""
    if state["name"] is None:
        return {}
    websites = reference.websites()
    things, ledger = [], []
    for part, values in sorted(state["parts"].items()):
        website = websites.get(str(values["website_id"]), {}).get("code")
        identity = {"thing": state["id"], "part": part}
        things.append({**identity, "qty": values["qty"], "website": website, "deleted": False})
        ledger.append({**identity, "name": state["name"], "deleted": False})
    return {THINGS.name: things, LEDGER.name: ledger}


THING_PROJECTOR = EntityProjector(
    entity="things",
    feeds=(THINGS, LEDGER),
    tables=frozenset({"thing", "thing_part"}),
    keys_of=thing_keys,
    apply=apply_thing,
    build=build_thing,
    deleted_with=frozenset({"thing"}),  # its parts cascade with it
)


def thing(thing_id: int = 1, name: str = "Widget") -> Row:
    return {"thing_id": thing_id, "name": name}


def part(part_id: int, website_id: int = 1, qty: int = 1, thing_id: int = 1) -> Row:
    return {"part_id": part_id, "thing_id": thing_id, "website_id": website_id, "qty": qty}


def reference_store() -> dict[str, Any]:
    store: dict[str, Any] = {}
    for website_id, code in ((1, "base"), (2, "second")):
        apply_reference(store, insert("store_website", {"website_id": website_id, "code": code}))
    return store


def projection(running: frozenset[str] = BOTH, store: dict[str, Any] | None = None) -> Projection:
    reference = Reference(reference_store() if store is None else store)
    return Projection(THING_PROJECTOR, reference, running)


def fold(
    projection: Projection, changes: list[RowChange], record: EntityRecord | None = None
) -> EntityRecord:
    """Step every change into the thing, building as it goes; the record at the end."""
    for row_change in changes:
        step = projection.step("1", record, row_change, partition=3)
        assert step.record is not None
        record = step.record
    assert record is not None
    return record


def emitted_ids(emits: tuple[Emit, ...], feed: Feed) -> list[str]:
    return sorted(emit.item_id for emit in emits if emit.feed is feed)


WIDGET = [insert("thing", thing()), insert("thing_part", part(1)), insert("thing_part", part(2))]


def test_step_folds_the_change_and_builds_the_entitys_items() -> None:
    engine = projection()
    record = fold(engine, WIDGET[:2])
    step = engine.step("1", record, WIDGET[2], partition=3)
    assert step.record is not None
    assert step.record.state == {
        "id": "1",
        "name": "Widget",
        "parts": {"1": {"qty": 1, "website_id": 1}, "2": {"qty": 1, "website_id": 1}},
    }
    assert step.record.partition == 3
    # Part 1's items went out with the step before: only part 2's are new.
    payload = {"thing": "1", "part": "2", "qty": 1, "website": "base", "deleted": False}
    assert [(e.feed, e.item_id, e.payload) for e in step.emits] == [
        (THINGS, item_id(["1", "2"]), payload),
        (
            LEDGER,
            item_id(["1", "2"]),
            {"thing": "1", "part": "2", "name": "Widget", "deleted": False},
        ),
    ]
    assert [e for e in step.emits if e.deleted] == []
    assert step.forwards == ()
    first = {**payload, "part": "1"}
    assert step.record.emitted[THINGS.name] == {
        item_id(["1", "1"]): [["1", "1"], item_hash(first)],
        item_id(["1", "2"]): [["1", "2"], item_hash(payload)],
    }


def test_nothing_is_built_until_the_entity_has_its_own_row() -> None:
    engine = projection()
    step = engine.step("1", None, insert("thing_part", part(1)), partition=0)
    assert step.record is not None
    assert step.emits == ()
    assert step.record.emitted == {}


def test_step_without_build_emits_nothing_but_deletions() -> None:
    engine = projection()
    record = fold(engine, WIDGET)
    quiet = engine.step("1", record, update("thing_part", part(1), qty=5), partition=3, build=False)
    assert quiet.emits == ()
    assert quiet.record is not None
    assert quiet.record.state["parts"]["1"]["qty"] == 5
    assert quiet.record.emitted == record.emitted  # nothing went out: nothing newly held
    # The rebuild the driver runs later sends what the quiet step changed.
    later = engine.rebuild(quiet.record)
    assert [(e.feed, e.payload["part"], e.payload.get("qty")) for e in later.emits] == [
        (THINGS, "1", 5)
    ]
    # An entity that goes emits its deletions even unbuilt: there is nothing to rebuild later.
    gone = engine.step("1", quiet.record, delete("thing", thing()), partition=3, build=False)
    assert gone.record is not None
    assert gone.record.tombstone
    assert emitted_ids(gone.emits, THINGS) == sorted([item_id(["1", "1"]), item_id(["1", "2"])])
    assert all(e.deleted for e in gone.emits)


def test_an_entity_that_goes_deletes_every_item_it_had_but_never_a_ledger_item() -> None:
    engine = projection()
    record = fold(engine, WIDGET)
    deleted = delete("thing", thing())
    gone = engine.step("1", record, deleted, partition=3)
    assert gone.record is not None
    assert gone.record.tombstone
    assert [(e.feed, e.payload) for e in gone.emits] == [
        (THINGS, {"thing": "1", "part": "1", "deleted": True}),
        (THINGS, {"thing": "1", "part": "2", "deleted": True}),
    ]
    assert all(e.deleted for e in gone.emits)
    # The delete's own position orders the deletions (not the reference seen meanwhile).
    assert {e.version.source for e in gone.emits} == {deleted.position.version}
    # A change for an entity never seen that leaves no state emits nothing at all.
    assert engine.step("9", None, delete("thing", thing(9)), partition=0) == Step(None)


def test_a_deleted_entity_keeps_a_tombstone_that_changes_from_before_cannot_revive() -> None:
    engine = projection()
    record = fold(engine, WIDGET)
    late_part = insert("thing_part", part(3))  # read before the delete, arrives after it
    deleted = delete("thing", thing())
    gone = engine.step("1", record, deleted, partition=3)
    tombstone = gone.record
    assert tombstone is not None
    assert tombstone.tombstone
    assert tombstone.gone == deleted.position.version
    assert tombstone.emitted == {}
    assert EntityRecord.from_json(tombstone.to_json()) == tombstone
    assert EntityRecord.is_tombstone(tombstone.to_json())
    assert not EntityRecord.is_tombstone(record.to_json())
    # Its creation replayed (a rebalance), a row of it that came late on its own topic, or
    # a rebuild: nothing comes back, nothing is emitted.
    for old in [*WIDGET, late_part]:
        assert engine.step("1", tombstone, old, partition=3) == Step(tombstone)
    assert engine.rebuild(tombstone) == Step(tombstone)
    # A change after the delete starts a new life, which still ignores the old one's rows.
    reborn = fold(
        engine, [insert("thing", thing(name="Again")), insert("thing_part", part(4))], tombstone
    )
    assert reborn.gone == tombstone.gone
    assert not reborn.tombstone
    assert engine.step("1", reborn, WIDGET[1], partition=3) == Step(reborn)
    assert sorted(reborn.emitted[THINGS.name]) == [item_id(["1", "4"])]


def test_an_entity_of_independent_rows_emptied_in_topic_order_holds_no_older_row_off() -> None:
    """A SKU's stock: a reservation made while its source item lived, the source item
    deleted and another created. Read back with the source items' topic ahead (a replay, a
    backlog), the state empties at the delete; the reservation, older than the delete but
    still in the database, must count when it arrives."""
    engine = Projection(STOCK_PROJECTOR, Reference(reference_store()), frozenset())
    old_item = {
        "source_item_id": 1,
        "source_code": "default",
        "sku": "S",
        "quantity": "21",
        "status": 1,
    }
    created = insert("inventory_source_item", old_item)
    reservation = insert(
        "inventory_reservation",
        {"reservation_id": 7, "stock_id": 1, "sku": "S", "quantity": "-3", "metadata": "{}"},
    )
    deleted = delete("inventory_source_item", old_item)
    recreated = insert("inventory_source_item", {**old_item, "source_item_id": 2})
    record: EntityRecord | None = None
    for row_change in (created, deleted, recreated, reservation):  # the topics' order
        record = engine.step("S", record, row_change, partition=0).record
    assert record is not None
    assert list(record.state["reservations"]) == ["7"]
    assert list(record.state["source_items"]) == ["2"]
    assert record.gone == 0


def test_a_tombstone_held_by_an_entity_of_independent_rows_holds_nothing_off() -> None:
    """Records written before tombstones were limited to ``deleted_with`` tables."""
    engine = Projection(STOCK_PROJECTOR, Reference(reference_store()), frozenset())
    reservation = insert(
        "inventory_reservation",
        {"reservation_id": 8, "stock_id": 1, "sku": "T", "quantity": "-1", "metadata": "{}"},
    )
    later = reservation.position.version + 1  # a delete after the reservation
    old = EntityRecord({}, version=later, gone=later)
    step = engine.step("T", old, reservation, partition=0)
    assert step.record is not None
    assert list(step.record.state["reservations"]) == ["8"]


def test_a_peers_change_from_after_the_delete_does_not_outrank_the_re_creation() -> None:
    """Entity A builds thing 1's items and is deleted; entity B builds them again later. A
    peer's change made after both reaches A before A's delete does (its own topic was
    ahead): A's deletions must still be older than B's items."""
    engine = projection()
    a = fold(engine, WIDGET)
    deleted = delete("thing", thing())
    recreated = [insert("thing", thing(name="Again")), insert("thing_part", part(1))]
    from_a_peer = insert("@thing_part", part(5))  # forwarded, after all of the above
    a = engine.step("1", a, from_a_peer, partition=3).record  # the forward first
    assert a is not None
    gone = engine.step("1", a, deleted, partition=3)
    b: EntityRecord | None = None
    b_emits: list[Emit] = []
    for row_change in recreated:
        step = engine.step("1", b, row_change, partition=3)
        b, b_emits = step.record, [*b_emits, *step.emits]
    shared = item_id(["1", "1"])
    deletion = next(e for e in gone.emits if e.item_id == shared and e.feed is THINGS)
    creation = [e for e in b_emits if e.item_id == shared and e.feed is THINGS][-1]
    assert deletion.deleted
    assert not creation.deleted
    assert deletion.version < creation.version
    # A's own items before its delete rank below its deletions all the same.
    assert all(e.version < deletion.version for e in fold_emits(engine, WIDGET))


def fold_emits(engine: Projection, changes: list[RowChange]) -> list[Emit]:
    record: EntityRecord | None = None
    emits: list[Emit] = []
    for row_change in changes:
        step = engine.step("1", record, row_change, partition=3)
        record, emits = step.record, [*emits, *step.emits]
    return emits


def test_a_part_gone_is_deleted_from_things_and_still_held_by_the_ledger() -> None:
    engine = projection()
    record = fold(engine, WIDGET)
    step = engine.step("1", record, delete("thing_part", part(2)), partition=3)
    assert step.record is not None
    assert [(e.feed, e.payload) for e in step.emits] == [
        (THINGS, {"thing": "1", "part": "2", "deleted": True})
    ]
    assert list(step.record.emitted[THINGS.name]) == [item_id(["1", "1"])]
    assert step.record.emitted[LEDGER.name] == record.emitted[LEDGER.name]


def test_an_order_deleted_is_never_sent_as_deleted() -> None:
    engine = Projection(ORDER_PROJECTOR, Reference({}), frozenset({ORDERS.name}))
    placed = engine.step("1", None, insert("sales_order", order_row()), partition=0)
    assert placed.record is not None
    assert [(e.feed, e.item_id) for e in placed.emits] == [(ORDERS, item_id([1]))]
    assert not ORDERS.removable
    gone = engine.step("1", placed.record, delete("sales_order", order_row()), partition=0)
    assert gone.record is not None
    assert gone.record.tombstone
    assert gone.emits == ()


def test_rebuild_emits_only_the_items_whose_hash_changed() -> None:
    store = reference_store()
    engine = projection(store=store)
    record = fold(engine, [*WIDGET, insert("thing_part", part(3, website_id=2))])
    assert engine.rebuild(record) == Step(record)  # nothing changed: nothing to send
    renamed = {"website_id": 2, "code": "second"}
    apply_reference(store, update("store_website", renamed, code="other"))
    rebuilt = engine.rebuild(record)
    assert [(e.feed, e.payload["part"], e.payload["website"]) for e in rebuilt.emits] == [
        (THINGS, "3", "other")
    ]
    # The same source version, a newer reference: newer than what the record sent before.
    assert rebuilt.emits[0].version == ItemVersion(
        record.version, Reference(store).version, 0, record.builds + 1
    )
    assert rebuilt.record is not None
    assert rebuilt.record.state is record.state
    assert rebuilt.record.emitted[LEDGER.name] == record.emitted[LEDGER.name]
    assert rebuilt.record.emitted[THINGS.name] != record.emitted[THINGS.name]
    assert engine.rebuild(rebuilt.record).emits == ()


def test_a_feed_the_worker_does_not_run_keeps_what_it_held_and_is_not_emitted() -> None:
    record = fold(projection(), WIDGET)
    assert set(record.emitted) == {THINGS.name, LEDGER.name}
    ledger_only = projection(running=frozenset({LEDGER.name}))
    step = ledger_only.step("1", record, update("thing_part", part(1), qty=7), partition=3)
    assert step.record is not None
    assert step.emits == ()  # the change only touches things, which this worker does not run
    assert step.record.emitted == record.emitted
    added = ledger_only.step("1", step.record, insert("thing_part", part(4)), partition=3)
    assert {e.feed for e in added.emits} == {LEDGER}
    assert added.record is not None
    assert added.record.emitted[THINGS.name] == record.emitted[THINGS.name]
    rebuilt = ledger_only.rebuild(record)
    assert rebuilt.emits == ()
    assert rebuilt.record == record
    # Nor are its items deleted when the entity goes: the worker running it sends those.
    gone = ledger_only.step("1", record, delete("thing", thing()), partition=3)
    assert gone.record is not None
    assert gone.record.tombstone
    assert gone.emits == ()
    both = projection().step("1", record, delete("thing", thing()), partition=3)
    assert emitted_ids(both.emits, THINGS) == sorted([item_id(["1", "1"]), item_id(["1", "2"])])


def test_a_projector_none_of_whose_feeds_runs_folds_and_never_builds() -> None:
    calls: list[int] = []

    def counted(state: Any, reference: Reference) -> Any:
        calls.append(1)
        return THING_PROJECTOR.build(state, reference)

    engine = Projection(
        replace(THING_PROJECTOR, build=counted), Reference(reference_store()), frozenset()
    )
    record = fold(engine, WIDGET)
    assert calls == []  # folded, forwarded, held: not built
    assert record.state
    assert engine.rebuild(record).record == record


def at(row_change: RowChange, pos: int) -> RowChange:
    return replace(row_change, position=SourcePosition("mariadb-bin.000002", pos, 0, None, None))


def test_the_records_version_is_the_newest_change_folded_into_it() -> None:
    engine = projection()
    newest, older = at(insert("thing", thing()), 500), at(insert("thing_part", part(1)), 100)
    record = fold(engine, [newest, older])
    assert record.version == newest.position.version > older.position.version
    later = at(insert("thing_part", part(2)), 900)
    moved = fold(engine, [later], record)
    assert moved.version == later.position.version
    # An emit's version is the record's source position, then the reference's.
    step = engine.step("1", moved, at(insert("thing_part", part(3)), 901), partition=3)
    assert step.record is not None
    assert step.emits
    reference_version = engine.reference.version
    assert {e.version for e in step.emits} == {
        ItemVersion(step.record.version, reference_version, 0, step.record.builds)
    }
    # A rebuild on a newer reference is newer, but never outranks a newer source change:
    # another entity's items (a re-creation under the same identity) still win.
    late = Projection(THING_PROJECTOR, Reference({"version": 1 << 60}), BOTH)
    rebuilt = {e.version for e in late.rebuild(replace(moved, emitted={})).emits}
    assert rebuilt == {ItemVersion(moved.version, 1 << 60, 0, moved.builds + 1)}
    assert max(rebuilt) < ItemVersion(moved.version + 1)


def test_builds_at_one_position_with_other_content_are_ordered_by_the_build_count() -> None:
    # Every snapshot read carries the snapshot's one position: an entity built, then built
    # again after another of its rows arrived at that same position, must send a newer
    # version, or a re-drive that sends both could leave the first at the receiver.
    engine = projection()
    snapshot = 700
    first = fold(engine, [at(change, snapshot) for change in WIDGET[:2]])
    step = engine.step("1", first, at(update("thing_part", part(1), qty=9), snapshot), partition=0)
    assert step.record is not None
    assert step.record.version == first.version
    before = {ItemVersion(first.version, engine.reference.version, 0, first.builds)}
    after = {e.version for e in step.emits}
    assert step.emits
    assert max(before) < min(after)
    assert step.record.builds == first.builds + 1
    # Nothing changed: nothing sent, and the count stays.
    assert engine.rebuild(step.record) == Step(step.record)
    # The deletions outrank the last build, whatever the positions.
    gone = engine.step("1", step.record, at(delete("thing", thing()), snapshot), partition=0)
    assert gone.emits
    assert min(e.version for e in gone.emits) > max(after)


def test_a_record_round_trips_through_json() -> None:
    record = fold(projection(), WIDGET)
    assert record.emitted
    text = orjson.dumps(record.to_json())
    assert EntityRecord.from_json(orjson.loads(text)) == record


def test_a_legacy_record_is_its_state_with_the_bookkeeping_mixed_in() -> None:
    state = {"entity": {"entity_id": 42, "sku": "SKU-42"}, "values": {}, "websites": [1]}
    held = {PRODUCTS.name: {"abc": [["SKU-42", "default"], "0123"]}}
    legacy = {**state, "version": 77, "partition": 5, "emitted": held}
    assert EntityRecord.from_json(legacy) == EntityRecord(state, 77, 5, held)
    assert EntityRecord.from_json(state) == EntityRecord(state, 0, 0, {})
    record = EntityRecord.from_json(legacy)
    assert EntityRecord.from_json(orjson.loads(orjson.dumps(record.to_json()))) == record


PRODUCT_42 = [
    insert("store_website", {"website_id": 1, "code": "base"}),
    insert("store_group", {"group_id": 1, "website_id": 1, "code": "main", "root_category_id": 2}),
    insert("store", {"store_id": 1, "code": "default", "website_id": 1, "group_id": 1}),
    insert("catalog_product_entity", {"entity_id": 42, "sku": "SKU-42", "type_id": "simple"}),
    insert("catalog_product_website", {"product_id": 42, "website_id": 1}),
]


@pytest.mark.parametrize("build", [True, False])
def test_step_and_rebuild_never_mutate_their_inputs(build: bool) -> None:
    store: dict[str, Any] = {}
    record: EntityRecord | None = None
    engine = Projection(CATALOG_PROJECTOR, Reference(store), frozenset({PRODUCTS.name}))
    changes = [
        *PRODUCT_42,
        update("catalog_product_entity", PRODUCT_42[3].row, sku="SKU-42B"),
        delete("catalog_product_website", PRODUCT_42[4].row),
        insert("catalog_product_website", PRODUCT_42[4].row),
        delete("catalog_product_entity", PRODUCT_42[3].row),
    ]
    emitted = 0
    for row_change in changes:
        if row_change.table in ("store_website", "store_group", "store"):
            apply_reference(store, row_change)
            continue
        untouched = copy.deepcopy((record, row_change, store))
        step = engine.step("42", record, row_change, partition=0, build=build)
        assert (record, row_change, store) == untouched
        emitted += len(step.emits)
        if step.record is not None:
            kept = copy.deepcopy(step.record)
            rebuilt = engine.rebuild(step.record)
            assert step.record == kept
            assert rebuilt.record is not None
            assert rebuilt.record.state is step.record.state
            step = rebuilt
            emitted += len(step.emits)
        record = step.record
    assert record is not None
    assert record.tombstone
    assert emitted > 0


def test_targets_asks_only_the_projectors_whose_tables_hold_the_change() -> None:
    asked: list[str] = []

    def keys_of(entity: str) -> Any:
        def keys(row_change: RowChange) -> list[str]:
            asked.append(entity)
            return [str(row_change.row["thing_id"])]

        return keys

    things = replace(THING_PROJECTOR, keys_of=keys_of("things"))
    others = replace(
        THING_PROJECTOR, entity="others", tables=frozenset({"other"}), keys_of=keys_of("others")
    )
    row_change = insert("thing_part", part(1, thing_id=7))
    found = list(targets([things, others], row_change))
    assert [(f.entity, f.key, f.change) for f in found] == [("things", "7", row_change)]
    assert asked == ["things"]
    assert list(targets([things, others], insert("store", {"store_id": 1}))) == []
    assert asked == ["things"]


def test_targets_of_the_real_projectors() -> None:
    product = insert("catalog_product_entity", {"entity_id": 42, "sku": "SKU-42"})
    assert [(f.entity, f.key) for f in targets(PROJECTORS, product)] == [
        ("products", "42"),
        ("stock_products", "42"),
        ("order_products", "42"),
    ]
    relation = insert("catalog_product_relation", {"parent_id": 20, "child_id": 10})
    assert [(f.entity, f.key) for f in targets(PROJECTORS, relation)] == [
        ("products", "10"),
        ("products", "20"),
    ]
    assert list(targets(PROJECTORS, insert("store", {"store_id": 1}))) == []


def test_an_updated_at_change_alone_is_new_content() -> None:
    """A category moved and moved back differs from what was sent only by ``updatedAt``:
    the endpoint must get it (verify compares ``updatedAt``), only the build time is not
    content."""
    sent = {"id": "1", "name": "Home", "updatedAt": "2026-12-01T20:54:36Z"}
    assert item_hash({**sent, "updatedAt": "2026-12-01T20:56:11Z"}) != item_hash(sent)
    assert item_hash({**sent, "modifiedAt": "2026-12-01T21:00:00Z"}) == item_hash(sent)
