"""Rebuild control records, and waiting for the reference data they need."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

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


def test_taking_over_a_source_partition_builds_deferred_reads_of_every_entity() -> None:
    dirty = rebuild.Dirty()
    entities = ["products", "orders"]
    dirty.assigned({("source.a", 0)}, entities)  # start: the rebuild-all covers it
    assert dirty.snapshot_pending == set()
    dirty.assigned({("source.a", 0)}, entities)  # a rebalance that moved nothing here
    assert dirty.snapshot_pending == set()
    dirty.assigned({("source.a", 0), ("source.b", 0)}, entities)  # another's partition
    assert dirty.snapshot_pending == set(entities)
    dirty.snapshot_pending.clear()
    dirty.assigned({("source.b", 0)}, entities)  # gave one up, took none
    assert dirty.snapshot_pending == set()
