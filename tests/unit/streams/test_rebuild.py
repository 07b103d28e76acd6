"""Rebuild control records, and waiting for the reference data they need."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from feeds.reference import ReferenceKind
from streams import rebuild
from streams.rebuild import (
    await_reference,
    clock_of,
    is_rebuild_deferred,
    rebuild_all,
    rebuild_deferred,
    rebuild_entity,
    reference_needed,
    watermark_of,
)
from streams.sequenced import APPLIED, sequenced


def test_a_rebuild_all_record_names_the_watermark_it_needs() -> None:
    assert reference_needed(rebuild_all(1234)) == 1234
    for other in (rebuild_deferred(7), rebuild_entity(5), b'{"table":"x"}', None):
        assert reference_needed(other) is None


def test_a_deferred_build_waits_for_the_reference_too() -> None:
    assert is_rebuild_deferred(rebuild_deferred(7))
    assert watermark_of(rebuild_deferred(7)) == 7
    assert watermark_of(rebuild_all(9)) == 9
    for other in (rebuild_entity(5), b'{"table":"x"}', None):
        assert watermark_of(other) is None
        assert not is_rebuild_deferred(other)


def test_a_clock_rebuild_names_the_boundary_it_passed() -> None:
    assert clock_of(rebuild_entity(1_767_225_600.7)) == 1_767_225_600
    for other in (rebuild_deferred(1), rebuild_all(3), b'{"table":"x"}', None):
        assert clock_of(other) is None


def test_the_wait_ends_when_the_replica_reaches_the_watermark() -> None:
    table: dict[str, Any] = {APPLIED: sequenced(10, 10)}

    async def scenario() -> bool:
        async def replicate() -> None:
            await asyncio.sleep(0.1)
            table[APPLIED] = sequenced(20, 20)

        task = asyncio.create_task(replicate())
        reached = await await_reference(table, 20)
        await task
        return reached

    assert asyncio.run(scenario())


def test_the_wait_gives_up_at_its_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rebuild, "REFERENCE_WAIT_S", 0.1)
    assert not asyncio.run(await_reference({APPLIED: sequenced(10, 10)}, 20))


def test_taking_a_source_partition_builds_deferred_reads_of_every_entity() -> None:
    """Its previous owner (or this worker, before a restart) may have routed snapshot reads
    and died before asking for their build."""
    dirty = rebuild.Dirty(built=["products", "orders"])
    dirty.assigned({("source.a", 0)})  # start
    assert dirty.snapshot_pending == {"products", "orders"}
    dirty.snapshot_pending.clear()
    dirty.assigned({("source.a", 0)})  # a rebalance that moved nothing here
    assert dirty.snapshot_pending == set()
    dirty.assigned({("source.b", 0)})  # gave one up, took another
    assert dirty.snapshot_pending == {"products", "orders"}
    dirty.snapshot_pending.clear()
    dirty.assigned(set())  # gave everything up
    assert dirty.snapshot_pending == set()


def test_deferred_builds_wait_for_the_snapshot_markers() -> None:
    dirty = rebuild.Dirty(built=["products", "orders"])
    dirty.mark_snapshot_read("products")
    dirty.snapshot_marker("store", "first")
    dirty.snapshot_marker("store", "last_in_data_collection")
    dirty.snapshot_marker("catalog_product_entity", "first_in_data_collection")
    quiet = dirty.last_snapshot_read + 2.0
    assert not dirty.snapshot_build_due(quiet, 1.0)  # a table open, and the snapshot
    dirty.snapshot_marker("catalog_product_entity", "last_in_data_collection")
    assert not dirty.snapshot_build_due(quiet, 1.0)  # between tables
    dirty.snapshot_marker("catalog_product_entity_int", "last")
    assert dirty.snapshot_pending == {"products", "orders"}  # every entity: the end
    assert not dirty.snapshot_build_due(dirty.last_snapshot_read + 0.5, 1.0)  # not quiet yet
    assert dirty.snapshot_build_due(dirty.last_snapshot_read + 2.0, 1.0)


def test_markers_never_read_here_hold_the_builds_only_so_long() -> None:
    dirty = rebuild.Dirty()
    dirty.mark_snapshot_read("products")
    dirty.snapshot_marker("store", "first")  # its "last" goes to another worker
    waited = dirty.last_snapshot_read + rebuild.SNAPSHOT_MARKERS_WAIT_S
    assert not dirty.snapshot_build_due(waited - 1.0, 1.0)
    assert dirty.snapshot_build_due(waited, 1.0)
    assert not dirty.snapshot_open  # and the next snapshot starts afresh
    dirty.mark_snapshot_read("products")
    assert dirty.snapshot_build_due(dirty.last_snapshot_read + 2.0, 1.0)


def test_reference_rebuilds_wait_for_the_end_of_an_initial_snapshot() -> None:
    dirty = rebuild.Dirty(built=["products"])
    dirty.snapshot_marker("store", "first")
    dirty.mark(ReferenceKind.CATEGORIES)
    quiet = dirty.last_change + 1.0
    assert not dirty.reference_build_due(quiet, 1.0)  # the snapshot is open
    dirty.snapshot_marker("store", "last_in_data_collection")
    assert not dirty.reference_build_due(quiet, 1.0)  # between tables
    dirty.snapshot_marker("sequence_product", "last")
    assert not dirty.reference_build_due(dirty.last_change + 0.5, 1.0)  # not quiet yet
    assert dirty.reference_build_due(quiet, 1.0)
    assert not rebuild.Dirty().reference_build_due(1e9, 1.0)  # nothing changed


def test_snapshot_markers_hold_reference_rebuilds_only_so_long() -> None:
    dirty = rebuild.Dirty()
    dirty.snapshot_marker("catalog_category_entity", "first_in_data_collection")
    dirty.mark(ReferenceKind.CATEGORIES)  # its table's "last" never comes here
    waited = dirty.last_change + rebuild.SNAPSHOT_MARKERS_WAIT_S
    assert not dirty.reference_build_due(waited - 1.0, 1.0)
    assert dirty.reference_build_due(waited, 1.0)


def test_reference_changes_outside_a_snapshot_wait_for_the_debounce_only() -> None:
    dirty = rebuild.Dirty()
    dirty.mark(ReferenceKind.SCOPES)
    assert not dirty.reference_build_due(dirty.last_change + 0.5, 1.0)
    assert dirty.reference_build_due(dirty.last_change + 1.0, 1.0)


def test_no_markers_no_wait() -> None:
    """Incremental snapshots (resync --from-source) carry none: only the quiet period."""
    dirty = rebuild.Dirty()
    assert not dirty.snapshot_build_due(1e9, 1.0)  # nothing pending
    dirty.mark_snapshot_read("products")
    assert dirty.snapshot_build_due(dirty.last_snapshot_read + 1.0, 1.0)


def test_a_restart_owes_a_rebuild_only_when_the_reference_table_says_so() -> None:
    feeds = ["products", "prices"]
    table: dict[str, Any] = {}
    assert not rebuild.rebuild_owed(table, feeds)  # no reference row ever applied
    table[APPLIED] = sequenced(5, 5)
    assert rebuild.rebuild_owed(table, feeds)  # applied, never rebuilt (an older worker)
    done = {"through": 5, "feeds": sorted(feeds), "version": rebuild.VERSION}
    table[rebuild.REBUILT] = sequenced(6, done)
    assert not rebuild.rebuild_owed(table, feeds)
    assert rebuild.rebuild_owed(table, [*feeds, "orders"])  # a feed added since
    table[APPLIED] = sequenced(7, 7)
    assert rebuild.rebuild_owed(table, feeds)  # its owner died before the rebuild
    table[APPLIED] = sequenced(5, 5)
    table[rebuild.REBUILT] = sequenced(6, {**done, "version": "0.0.1"})
    assert rebuild.rebuild_owed(table, feeds)  # items built by another version


def test_the_reference_stage_tells_its_controls_from_rows() -> None:
    control = rebuild.reference_control(rebuild.rebuilt(9, {"prices", "products"}))
    assert control == {
        "control": "rebuilt",
        "through": 9,
        "feeds": ["prices", "products"],
        "version": rebuild.VERSION,
    }
    assert rebuild.reference_control(rebuild.owner_check()) == {"control": "owner-check"}
    assert rebuild.reference_control(b'{"table":"store","op":"c"}') is None
    assert rebuild.reference_control(None) is None


def test_a_start_rebuilds_nothing_and_taking_the_reference_stage_asks_whether_it_must() -> None:
    rows = "feedsync.entity.reference-rows"
    dirty = rebuild.Dirty(built=["products"], reference_rows=rows)
    assert dirty.kinds == set()
    dirty.assigned({("feedsync.entity.products", 0)})
    assert not dirty.owner_check_due
    dirty.assigned({("feedsync.entity.products", 0), (rows, 0)})
    assert dirty.owner_check_due
    dirty.owner_check_due = False
    dirty.assigned({("feedsync.entity.products", 1), (rows, 0)})  # kept the stage
    assert not dirty.owner_check_due
