"""The ``feedsync://`` transport never commits past a record that was not acknowledged.

A Faust worker (tests/integration/faust_unacked_app.py) reads a fresh single-partition
topic and acknowledges all of its records but one. The group's committed offset is then
watched for several commit intervals: it must stop at the unacknowledged record.

Faust's stock ``kafka://`` transport, run the same way, commits past it (faust-streaming
issue #606, and the gap after a transaction marker): those tests document the bugs the
transport exists for, and fail once faust fixes them.

Transactional topics stand in for compacted ones: a transaction's commit marker takes an
offset that no consumer ever receives, like a record removed by log compaction.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata

from feedsync.settings import Settings
from feedsync.stack import up
from feedsync.stack.orchestrate import Stack
from streams.offsets import broker_url

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
COMMIT_INTERVAL_S = 0.5  # broker_commit_interval of the app
WATCH_S = 3.0  # six commit intervals
NO_SKIP = -1


@dataclass(frozen=True)
class Topic:
    name: str
    offsets: list[int]  # of its records
    end: int  # the offset after the last one (records and markers)


@pytest.fixture(scope="module")
def kafka(settings: Settings) -> Stack:
    """The local stack without the pipeline: these tests run their own worker."""
    return up(settings, profile="small", seed=42, say=lambda _line: None, pipeline=False)


def new_topic(settings: Settings) -> str:
    name = f"offsets-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        admin.create_topics({name: {"num_partitions": 1, "replication_factor": 1}})
    finally:
        admin.close()
    return name


def plain_topic(settings: Settings) -> Topic:
    """20 records at offsets 0..19."""
    name = new_topic(settings)
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        for n in range(20):
            producer.send(name, f"v{n}".encode(), partition=0)
        producer.flush()
    finally:
        producer.close()
    return Topic(name, list(range(20)), 20)


def transactional_topic(settings: Settings) -> Topic:
    """Two committed transactions of 5 records: records 0..4 and 6..10, markers 5 and 11."""
    name = new_topic(settings)
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        transactional_id=f"offsets-{uuid.uuid4().hex[:8]}",
    )
    try:
        producer.init_transactions()
        for batch in range(2):
            producer.begin_transaction()
            for n in range(5):
                producer.send(name, f"v{batch}.{n}".encode(), partition=0)
            producer.commit_transaction()
    finally:
        producer.close()
    return Topic(name, [*range(5), *range(6, 11)], 12)


def new_group() -> str:
    return f"feedsync-offsets-{uuid.uuid4().hex[:8]}"


def precommit(settings: Settings, group: str, topic: Topic, offset: int) -> None:
    """Commit ``offset`` for ``group``, as a previous run of the worker would have."""
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        errors = admin.alter_group_offsets(
            group, {TopicPartition(topic.name, 0): OffsetAndMetadata(offset, "", -1)}
        )
    finally:
        admin.close()
    assert all(error.errno == 0 for error in errors.values()), errors


@contextmanager
def worker(
    tmp_path: Path,
    *,
    broker: str,
    topic: Topic,
    skip: int,
    group: str,
    hold: bool = False,
    hold_at: int = -1,
    name: str = "",
    stall_reseek_s: float = 60,
    buffer: int = 4096,
) -> Iterator[tuple[Path, subprocess.Popen[bytes]]]:
    """The app running on ``broker`` as ``group``; yields its seen-file and its process."""
    name = name or group
    seen = tmp_path / f"{name}.seen"
    log_path = tmp_path / f"{name}.log"
    env = {
        **os.environ,
        "OFFSETS_APP_ID": group,
        "OFFSETS_BROKER": broker,
        "OFFSETS_TOPIC": topic.name,
        "OFFSETS_SKIP": str(skip),
        "OFFSETS_SEEN": str(seen),
        "OFFSETS_HOLD": "1" if hold else "",
        "OFFSETS_HOLD_AT": str(hold_at),
        "OFFSETS_DELAY_FETCH": str(tmp_path / "delay-fetch"),
        "OFFSETS_STALL_RESEEK_S": str(stall_reseek_s),
        "OFFSETS_HOLDING": str(tmp_path / f"{name}.holding"),
        "OFFSETS_RELEASE": str(tmp_path / "release"),
        "OFFSETS_DATADIR": str(tmp_path / f"{name}-data"),
        "OFFSETS_BUFFER": str(buffer),
    }
    command = [sys.executable, "-m", "faust", "-A", "tests.integration.faust_unacked_app"]
    command += ["worker", "-l", "warn", "--without-web"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            yield seen, process
        except AssertionError as failure:
            output = log_path.read_text(errors="replace")
            raise AssertionError(f"{failure}\nthe worker's output:\n{output[-3000:]}") from None
        finally:
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def wait_all_seen(
    seen: Path, process: subprocess.Popen[bytes], expected: list[int], timeout_s: float = 40
) -> None:
    """Until the app has handled (acknowledged, but for one) every record."""
    deadline = time.monotonic() + timeout_s
    offsets: list[int] = []
    while time.monotonic() < deadline:
        if seen.exists():
            offsets = sorted(int(line) for line in seen.read_text().split())
            if len(offsets) >= len(expected):
                assert offsets == expected
                return
        assert process.poll() is None, f"the worker exited with {process.returncode}"
        time.sleep(0.1)
    raise AssertionError(f"the worker handled only offsets {offsets} in {timeout_s}s")


def committed(admin: KafkaAdminClient, group: str) -> int | None:
    """The group's committed offset of partition 0 (None before the first commit)."""
    offsets = admin.list_group_offsets(group).get(group, {})
    for partition, meta in offsets.items():
        if partition.partition == 0 and meta.offset >= 0:
            return int(meta.offset)
    return None


def watch_commits(settings: Settings, group: str, *, until: int | None = None) -> list[int | None]:
    """The group's successive committed offsets, polled for WATCH_S, or until it
    reaches ``until`` (with a longer deadline)."""
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    history: list[int | None] = []
    deadline = time.monotonic() + (4 * WATCH_S if until is not None else WATCH_S)
    try:
        while time.monotonic() < deadline:
            offset = committed(admin, group)
            if not history or history[-1] != offset:
                history.append(offset)
            if until is not None and offset == until:
                break
            time.sleep(COMMIT_INTERVAL_S / 5)
    finally:
        admin.close()
    return history


def stops_at(settings: Settings, group: str, skip: int, expected: int | None) -> None:
    """The committed offset reaches ``expected`` and, commit after commit, stays at or
    below the unacknowledged record at ``skip``."""
    if expected is not None:
        history = watch_commits(settings, group, until=expected)
        assert history[-1] == expected, f"committed offsets seen: {history}"
    history = watch_commits(settings, group)
    assert all(offset is None or offset <= skip for offset in history), (
        f"committed past the unacknowledged record at {skip}: {history}"
    )
    assert history[-1] == expected, f"committed offsets seen: {history}"


# -- feedsync:// ---------------------------------------------------------------------------


@pytest.mark.parametrize("skip", [0, 7], ids=["first-record", "middle-record"])
def test_never_commits_past_an_unacked_record(
    kafka: Stack, settings: Settings, tmp_path: Path, skip: int
) -> None:
    topic, group = plain_topic(settings), new_group()
    url = broker_url(settings.kafka.bootstrap_servers)
    with worker(tmp_path, broker=url, topic=topic, skip=skip, group=group) as (seen, process):
        wait_all_seen(seen, process, topic.offsets)
        # first record: nothing may be committed; middle: the acked run before it
        stops_at(settings, group, skip, skip or None)
        assert process.poll() is None


def test_a_record_neither_acked_nor_held_is_read_again(
    kafka: Stack, settings: Settings, tmp_path: Path
) -> None:
    """Record 7 is handled but never acknowledged, and its agent lets go of it: as with a
    record faust dropped on its way, the partition stalls there. After stall_reseek_s the
    transport reads it again from 7; the commit still never passes it."""
    topic, group = plain_topic(settings), new_group()
    url = broker_url(settings.kafka.bootstrap_servers)
    run = partial(worker, tmp_path, broker=url, topic=topic, skip=7, group=group)
    with run(stall_reseek_s=1) as (seen, process):
        wait_for(
            lambda: seen.exists() and seen.read_text().split().count("7") >= 2,
            "record 7 read again",
            process,
        )
        again = seen.read_text().split()
        assert again[: len(topic.offsets)] == [str(o) for o in topic.offsets]
        assert again[len(topic.offsets)] == "7"  # from the stalled record, not the start
        stops_at(settings, group, 7, 7)


def test_the_record_after_a_transaction_marker_is_not_a_gap(
    kafka: Stack, settings: Settings, tmp_path: Path
) -> None:
    topic, group = transactional_topic(settings), new_group()
    url = broker_url(settings.kafka.bootstrap_servers)
    with worker(tmp_path, broker=url, topic=topic, skip=6, group=group) as (seen, process):
        wait_all_seen(seen, process, topic.offsets)
        stops_at(settings, group, 6, 6)  # 0..4 acked, 5 is the marker


def test_commits_when_the_committed_offset_has_no_record(
    kafka: Stack, settings: Settings, tmp_path: Path
) -> None:
    """The committed offset is the marker at 5: the first record fetched is 6, and the
    transport still commits (as it must when compaction removed the record there)."""
    topic, group = transactional_topic(settings), new_group()
    precommit(settings, group, topic, 5)
    url = broker_url(settings.kafka.bootstrap_servers)
    with worker(tmp_path, broker=url, topic=topic, skip=NO_SKIP, group=group) as (seen, process):
        wait_all_seen(seen, process, [o for o in topic.offsets if o >= 5])
        history = watch_commits(settings, group, until=11)
        assert history[-1] == 11, f"committed offsets seen: {history}"


def rebalanced_while_holding(
    settings: Settings,
    tmp_path: Path,
    broker: str,
    *,
    more: int = 0,
    buffer: int = 4096,
    hold_at: int = 0,
    stale_fetch: bool = False,
) -> list[int]:
    """What a worker ends up handling of 20 records (offsets 0..19) when its group
    rebalances while it holds record ``hold_at``, the records after it wait in its buffer
    and those before it are committed: a second member joins on another topic, so the
    partition stays. ``more`` records are written after the rebalance, before the held
    record is let go; with ``stale_fetch`` they are written before it, and the fetch
    that returns them hands them over only after the rebalance."""
    topic, other, group = plain_topic(settings), plain_topic(settings), new_group()
    holding, release = tmp_path / "first.holding", tmp_path / "release"
    held = partial(
        worker,
        tmp_path,
        broker=broker,
        skip=NO_SKIP,
        group=group,
        hold=True,
        hold_at=hold_at,
        buffer=buffer,
    )
    with held(topic=topic, name="first") as (seen, process):
        wait_for(holding.exists, f"the first worker holding record {hold_at}", process)
        if hold_at:
            admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
            try:
                wait_for(
                    lambda: committed(admin, group) == hold_at,
                    f"the records before {hold_at} committed",
                    process,
                )
            finally:
                admin.close()
        delay = tmp_path / "delay-fetch"
        if stale_fetch:
            delay.write_text("armed")
            produce(settings, topic.name, more)
            wait_for(lambda: not delay.exists(), "the fetch of the new records", process)
        with held(topic=other, name="second") as (_seen, joining):
            admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
            try:
                wait_for(
                    lambda: members_of(admin, group) == 2, "the group rebalanced to 2", joining
                )
            finally:
                admin.close()
            if stale_fetch:
                released = delay.with_suffix(".released")
                wait_for(released.exists, "the fetch handed over after the rebalance", process)
            else:
                produce(settings, topic.name, more)
            release.write_text("go")
            wait_for(
                lambda: seen.exists() and len(set(seen.read_text().split())) >= 20 + more,
                "every record handled",
                process,
                must=False,  # the assertion below says what is missing
                timeout_s=30,
            )
        return sorted({int(line) for line in seen.read_text().split()}) if seen.exists() else []


def members_of(admin: KafkaAdminClient, group: str) -> int:
    described = admin.describe_groups([group]).get(group, {})
    if described.get("group_state") != "Stable":
        return 0
    return len(described.get("members", []))


def wait_for(
    condition: Callable[[], bool],
    what: str,
    process: subprocess.Popen[bytes],
    *,
    timeout_s: float = 60,
    must: bool = True,
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        assert process.poll() is None, f"the worker exited with {process.returncode}"
        time.sleep(0.1)
    assert not must, f"not done in {timeout_s:.0f}s: {what}"


def test_a_partition_kept_through_a_rebalance_before_any_commit_is_read_again(
    kafka: Stack, settings: Settings, tmp_path: Path
) -> None:
    """Faust clears the agents' buffers at a rebalance (records 1..19 here) and nothing
    was committed: the partition must be read again from its first record, or those
    records would be lost to this worker (the commit could never pass them)."""
    handled = rebalanced_while_holding(
        settings, tmp_path, broker_url(settings.kafka.bootstrap_servers)
    )
    assert handled == list(range(20))


def test_records_dropped_at_a_rebalance_before_any_commit_are_read_again_behind_new_ones(
    kafka: Stack, settings: Settings, tmp_path: Path
) -> None:
    """The same on a busy worker (an agent buffer of two records: faust's fetch loop
    waits to hand one over when the rebalance comes, and drops the rest of its batch),
    with 20 more records written after the rebalance: records 1..19 are read again,
    not taken for gone because record 20 was the first fetched after the rebalance."""
    handled = rebalanced_while_holding(
        settings, tmp_path, broker_url(settings.kafka.bootstrap_servers), more=20, buffer=2
    )
    assert handled == list(range(40))


@pytest.mark.parametrize("buffer", [2, 4096], ids=["busy", "idle"])
def test_records_dropped_at_a_rebalance_after_a_commit_are_read_again(
    kafka: Stack, settings: Settings, tmp_path: Path, buffer: int
) -> None:
    """The same once records 0..9 are committed, holding record 10 while 11..19 wait
    (a delivery agent in the middle of a sync): 11..19 are read again from the committed
    offset, not skipped because the fetch went on from where it was."""
    handled = rebalanced_while_holding(
        settings,
        tmp_path,
        broker_url(settings.kafka.bootstrap_servers),
        more=20,
        buffer=buffer,
        hold_at=10,
    )
    assert handled == list(range(40))


def test_records_fetched_before_a_rebalance_and_handed_over_after_it_are_not_gaps(
    kafka: Stack, settings: Settings, tmp_path: Path
) -> None:
    """Holding record 10 (0..9 committed, 11..19 waiting in its buffer), the consumer
    thread fetches records 20..29, and the rebalance (a second member joining) runs on
    the event loop before that fetch's result does: its seek sends the partition back to
    10 while 20..29 arrive under the new generation. Counted as the first records
    fetched after the seek, they made 10..19 look compacted away (the head jumped to
    20) and faust's read offset drop 10..29 when they came again: 11..19 were lost and
    the commit went past them (seen once on medium: 251 products items never delivered).
    They must be read again."""
    handled = rebalanced_while_holding(
        settings,
        tmp_path,
        broker_url(settings.kafka.bootstrap_servers),
        more=10,
        hold_at=10,
        stale_fetch=True,
    )
    assert handled == list(range(30))


def produce(settings: Settings, topic: str, count: int) -> None:
    """``count`` more records on ``topic``."""
    if not count:
        return
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        for n in range(count):
            producer.send(topic, f"more{n}".encode(), partition=0)
        producer.flush()
    finally:
        producer.close()


# -- faust's stock kafka:// ------------------------------------------------------------------


@pytest.mark.parametrize("skip", [0, 7], ids=["first-record", "middle-record"])
def test_stock_transport_commits_past_an_unacked_record(
    kafka: Stack, settings: Settings, tmp_path: Path, skip: int
) -> None:
    """faust-streaming #606: no head check without a committed offset (first record), and
    a hole of exactly one let through (middle record: it commits 7, then 20)."""
    topic, group = plain_topic(settings), new_group()
    url = f"kafka://{settings.kafka.bootstrap_servers}"
    with worker(tmp_path, broker=url, topic=topic, skip=skip, group=group) as (seen, process):
        wait_all_seen(seen, process, topic.offsets)
        history = watch_commits(settings, group, until=topic.end)
        assert history[-1] == topic.end, f"committed offsets seen: {history}"


def test_stock_transport_counts_the_record_after_a_marker_as_a_gap(
    kafka: Stack, settings: Settings, tmp_path: Path
) -> None:
    """Faust's ``_add_gap`` stores the gap before record 6 as offsets 5..6, record included."""
    topic, group = transactional_topic(settings), new_group()
    url = f"kafka://{settings.kafka.bootstrap_servers}"
    with worker(tmp_path, broker=url, topic=topic, skip=6, group=group) as (seen, process):
        wait_all_seen(seen, process, topic.offsets)
        history = watch_commits(settings, group, until=11)
        assert history[-1] == 11, f"committed offsets seen: {history}"
