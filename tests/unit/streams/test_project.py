"""The projector agent's bookkeeping of one batch, on the engine's tiny "thing" projector:
which entities a control record builds."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

import orjson

from feeds.change import RowChange
from feeds.engine import EntityRecord
from feeds.projector import Forward, State
from streams.codec import dump_change
from streams.letters import SOURCE_DLQ
from streams.project import EntityAgent, _Work
from streams.rebuild import Dirty, rebuild_all, rebuild_deferred
from tests.unit.feeds.test_engine import THING_PROJECTOR, part, projection, thing
from tests.unit.rows import change
from tests.unit.streams.test_guard import Topic


@dataclass
class Message:
    partition: int = 0
    topic: str = "feedsync.entity.things"
    offset: int = 0
    key: bytes | None = None
    value: bytes | None = None
    headers: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass
class Event:
    key: bytes
    value: bytes
    message: Message


def agent() -> EntityAgent:
    topology: Any = SimpleNamespace(
        state={THING_PROJECTOR.entity: {}},
        entities={THING_PROJECTOR.entity: Topic()},
        dlq={SOURCE_DLQ: Topic()},
        reference={},
    )
    return EntityAgent(None, topology, projection(), Dirty())  # type: ignore[arg-type]  # no app


def snapshot_read(row_change: RowChange, key: str = "1") -> Event:
    value = dump_change(row_change)
    return Event(key.encode(), value, Message(key=key.encode(), value=value))


def stored(record: EntityRecord) -> bytes:
    """A record as the agent writes it to its table."""
    return orjson.dumps(record.to_json())


def control(value: bytes) -> Event:
    return Event(b"*", value, Message(key=b"*", value=value))


def read(table: str, row: dict[str, Any]) -> RowChange:
    return change(table, "r", after=row, snapshot="true")


def test_a_snapshot_read_waits_for_the_snapshot_to_go_quiet() -> None:
    entity_agent, works = agent(), dict[str, _Work]()
    entity_agent._take(works, snapshot_read(read("thing", thing())))
    assert not works["1"].build
    entity_agent._take(works, control(rebuild_deferred(0)))
    assert works["1"].build


def test_a_rebuild_all_leaves_unbuilt_entities_to_their_deferred_build() -> None:
    """Built now, they would be sent again when the rest of the snapshot is built; every
    unbuilt record has a rebuild-deferred after it, which builds it on reference data at
    least as new as the rebuild-all's."""
    entity_agent, works = agent(), dict[str, _Work]()
    entity_agent._take(works, snapshot_read(read("thing", thing(1)), key="1"))
    held = works["1"].record
    assert held is not None
    entity_agent.table["2"] = stored(replace(held, unbuilt=True))
    entity_agent.table["3"] = stored(replace(held, unbuilt=False))
    entity_agent._take(works, control(rebuild_all(0)))
    assert {key for key, work in works.items() if work.build} == {"3"}
    entity_agent._take(works, control(rebuild_deferred(0)))
    assert {key for key, work in works.items() if work.build} == {"1", "2", "3"}


def test_a_change_forwarded_from_a_snapshot_read_waits_too() -> None:
    """Its sender asks for the build once it is durable; a live forward builds at once."""
    entity_agent, works = agent(), dict[str, _Work]()
    from_snapshot = replace(read("thing_part", part(7)), table="@thing_part")
    assert from_snapshot.forwarded
    entity_agent._take(works, snapshot_read(from_snapshot))
    record = works["1"].record
    assert record is not None
    assert record.unbuilt
    assert not works["1"].build
    live = replace(change("thing_part", "u", after=part(8)), table="@thing_part")
    entity_agent._take(works, snapshot_read(live))
    assert works["1"].build


def test_the_unbuilt_records_of_the_table_are_built_whoever_folded_them() -> None:
    """A worker that takes a partition over (a restart, a rebalance) knows nothing of the
    reads another one folded: the records say they are unbuilt."""
    folded_elsewhere, works = agent(), dict[str, _Work]()
    folded_elsewhere._take(works, snapshot_read(read("thing", thing(1)), key="1"))
    unbuilt = works["1"].record
    assert unbuilt is not None
    assert unbuilt.unbuilt
    built = replace(unbuilt, unbuilt=False)
    owner = agent()
    owner.table["1"] = stored(unbuilt)
    owner.table["2"] = stored(built)
    works = {}
    owner._take(works, control(rebuild_deferred(0)))
    assert {key for key, work in works.items() if work.build} == {"1"}
    owner._build("1", works["1"])
    rebuilt = works["1"].record
    assert rebuilt is not None
    assert not rebuilt.unbuilt
    assert EntityRecord.from_json(unbuilt.to_json()) == unbuilt


def test_a_worker_that_takes_a_partition_learns_when_its_built_entities_change() -> None:
    """Its schedule of clock rebuilds (a price window opening) is empty: the deferred
    build it asks for on every partition it takes fills it, without building them."""
    folded, works = agent(), dict[str, _Work]()
    folded._take(works, snapshot_read(read("thing", thing(1)), key="1"))
    held = works["1"].record
    assert held is not None
    owner = agent()
    opens = 4_102_444_800.0  # 2100-01-01
    projector = replace(owner.projection.projector, next_change=lambda _state, _ref: opens)
    owner.projection = replace(owner.projection, projector=projector)
    owner.table["1"] = stored(replace(held, unbuilt=False))
    owner.table["2"] = stored(replace(held, unbuilt=False, partition=1))
    works = {}
    owner._take(works, control(rebuild_deferred(0)))
    assert not any(work.build for work in works.values())
    assert owner.scheduled == {"1": (opens, 0)}  # partition 1 is another's


def test_a_partition_scanned_since_it_was_taken_is_not_scanned_again() -> None:
    """Every worker start asks for a deferred build of every partition; the rounds a dead
    worker left ahead find nothing this process has not built. Taking the partition again,
    or folding a snapshot read into it, makes the next control scan."""
    owner, works = agent(), dict[str, _Work]()
    owner._take(works, snapshot_read(read("thing", thing(1)), key="1"))
    held = works["1"].record
    assert held is not None
    unbuilt = stored(replace(held, unbuilt=True))

    works = {}
    owner._take(works, control(rebuild_deferred(0)))
    assert works == {}  # the read of "1" was not written: nothing unbuilt in the table
    owner.table["2"] = unbuilt  # stands for what only another owner could have written
    owner._take(works, control(rebuild_deferred(0)))
    assert works == {}  # scanned since taken: skipped

    owner.dirty.assigned({("feedsync.entity.things", 0)})  # taken (again)
    owner._take(works, control(rebuild_deferred(0)))
    assert {key for key, work in works.items() if work.build} == {"2"}

    works = {}
    owner._take(works, snapshot_read(read("thing", thing(3)), key="3"))
    owner.table["3"] = unbuilt  # written by that batch
    works = {}
    owner._take(works, control(rebuild_deferred(0)))
    assert {key for key, work in works.items() if work.build} == {"2", "3"}


def name_forwards(before: State | None, after: State | None, key: str) -> list[Forward]:
    """The thing's name to peer "9" when it changed; a withdrawal when the thing is gone."""
    old = (before or {}).get("name")
    new = (after or {}).get("name")
    if after is None and before is not None:
        return [Forward("peers", "9", change("@name", "d", before={"thing_id": int(key)}))]
    if new == old:
        return []
    return [Forward("peers", "9", change("@name", "u", after={"name": new}))]


def telling_agent() -> EntityAgent:
    told = replace(projection(), projector=replace(THING_PROJECTOR, forwards=name_forwards))
    topology: Any = SimpleNamespace(
        state={THING_PROJECTOR.entity: {}},
        entities={THING_PROJECTOR.entity: Topic(), "peers": Topic()},
        dlq={SOURCE_DLQ: Topic()},
        reference={},
    )
    return EntityAgent(None, topology, told, Dirty())  # type: ignore[arg-type]  # no app


def live(row_change: RowChange, key: str = "1") -> Event:
    value = dump_change(row_change)
    return Event(key.encode(), value, Message(key=key.encode(), value=value))


def told_names(works: dict[str, _Work], key: str, owner: EntityAgent) -> list[Any]:
    work = works[key]
    owner._tell(key, work)
    return [(f.change.op, f.change.after or f.change.before) for f in work.forwards]


def test_a_batch_tells_the_peers_of_an_entity_once_what_its_steps_did() -> None:
    """Three renames in one batch: the peer hears the last name, once."""
    owner, works = telling_agent(), dict[str, _Work]()
    owner._take(works, live(change("thing", "c", after=thing(1, "A"))))
    owner._take(works, live(change("thing", "u", thing(1, "A"), thing(1, "B"))))
    owner._take(works, live(change("thing", "u", thing(1, "B"), thing(1, "C"))))
    assert told_names(works, "1", owner) == [("u", {"name": "C"})]
    assert told_names(works, "1", owner) == [("u", {"name": "C"})]  # told: not again


def test_a_delete_in_a_batch_is_told_after_what_came_before_it() -> None:
    """Renamed, deleted and created again in one batch: the peer hears the rename, the
    withdrawal, then the new thing's name, in that order, as three steps would tell it."""
    owner, works = telling_agent(), dict[str, _Work]()
    owner._take(works, live(change("thing", "c", after=thing(1, "A"))))
    owner._tell("1", works["1"])
    works["1"].forwards.clear()  # (the peer knows "A")
    owner._take(works, live(change("thing", "u", thing(1, "A"), thing(1, "B"))))
    owner._take(works, live(change("thing", "d", before=thing(1, "B"))))
    owner._take(works, live(change("thing", "c", after=thing(1, "D"))))
    assert told_names(works, "1", owner) == [
        ("u", {"name": "B"}),
        ("d", {"thing_id": 1}),
        ("u", {"name": "D"}),
    ]
