"""Rebuild control records, and waiting for the reference data they need."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from feeds.reference import Reference
from streams import rebuild
from streams.rebuild import (
    REBUILD_DEFERRED,
    await_reference,
    clock_of,
    rebuild_all,
    rebuild_entity,
    reference_needed,
)


def test_a_rebuild_all_record_names_the_reference_version_it_needs() -> None:
    assert reference_needed(rebuild_all(1234)) == 1234
    for other in (REBUILD_DEFERRED, rebuild_entity(5), b'{"table":"x"}', None):
        assert reference_needed(other) is None


def test_a_clock_rebuild_names_the_boundary_it_passed() -> None:
    assert clock_of(rebuild_entity(1_767_225_600.7)) == 1_767_225_600
    for other in (REBUILD_DEFERRED, rebuild_all(3), b'{"table":"x"}', None):
        assert clock_of(other) is None


def test_the_wait_ends_when_the_replica_reaches_the_version() -> None:
    store: dict[str, Any] = {"version": 10}

    async def scenario() -> bool:
        async def replicate() -> None:
            await asyncio.sleep(0.1)
            store["version"] = 20

        task = asyncio.create_task(replicate())
        reached = await await_reference(Reference(store), 20)
        await task
        return reached

    assert asyncio.run(scenario())


def test_the_wait_gives_up_at_its_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rebuild, "REFERENCE_WAIT_S", 0.1)
    assert not asyncio.run(await_reference(Reference({"version": 10}), 20))
