"""Machinery of the fault suite: a stream of source mutations, convergence measured, the table.

``settle`` waits until ``verify`` is clean for the feeds or a deadline passes, and reports
what the receiver lacks (lost), holds wrong (stale), what went older after newer and what
was resent under another key (the receiver's own log). Items parked as needing attention
on purpose (an endpoint refusing one item for good) are counted apart, not as lost.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from connectors.database import connect
from feedsync.settings import Settings
from feedsync.verify import Report, run
from feedsync.verify.compare import Findings
from streams.letters import DeadLetter, DeadLetterStatus, dlq_topic
from tests.integration.catalog_mutations import MUTATIONS, apply
from tests.integration.pipeline import Pipeline
from tests.integration.poison import read_letters

ALL_EXAMPLES = 1_000_000  # every discrepancy, with its id


@dataclass
class Row:
    """One line of the fault table."""

    fault: str
    runs: int
    items: int = 0
    lost: int = 0
    stale: int = 0
    older_after_newer: int = 0
    new_key_duplicates: int = 0
    converge_s: float = 0.0
    note: str = ""

    @property
    def clean(self) -> bool:
        return not (self.lost or self.stale or self.older_after_newer or self.new_key_duplicates)


@dataclass
class Table:
    rows: list[Row] = field(default_factory=list)

    def render(self, title: str) -> str:
        lines = [
            f"### {title}",
            "",
            "| fault | runs | items | lost | stale | older after newer | resent under a new key "
            "| time to converge | note |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {r.fault} | {r.runs} | {r.items:,} | {r.lost} | {r.stale} | "
            f"{r.older_after_newer} | {r.new_key_duplicates} | {r.converge_s:.0f} s | {r.note} |"
            for r in self.rows
        ]
        return "\n".join(lines) + "\n"

    def save(self, path: Path, title: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.render(title))


class MutationStream:
    """Random catalog and stock mutations (tests/integration/catalog_mutations.py) at a
    steady rate, from a thread of its own, until stopped."""

    def __init__(self, settings: Settings, *, per_second: float, seed: int) -> None:
        self.settings = settings
        self.interval = 1.0 / per_second
        self.random = random.Random(seed)
        self.stop_flag = threading.Event()
        self.applied = 0
        self.errors: list[str] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MutationStream:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop_flag.set()
        self.thread.join(timeout=60)

    def _run(self) -> None:
        kinds = sorted(MUTATIONS)
        connection = connect(self.settings, autocommit=True)
        try:
            while not self.stop_flag.wait(self.interval):  # the stream's pace, not a sync
                kind = self.random.choice(kinds)
                try:
                    apply(connection, kind, self.random.randrange(1 << 30))
                    self.applied += 1
                except Exception as exc:  # noqa: BLE001 -- a mutation may not apply: go on
                    self.errors.append(f"{kind}: {exc!r}")
        finally:
            connection.close()


def settle(
    pipeline: Pipeline, feeds: tuple[str, ...], *, since: float, timeout_s: float
) -> tuple[Row, list[Report]]:
    """Wait for ``verify`` to be clean for every feed (or the deadline) and measure."""
    deadline = time.monotonic() + timeout_s
    parked = parked_ids(pipeline, feeds)
    while True:
        reports = [run(pipeline.settings, feed, examples=ALL_EXAMPLES) for feed in feeds]
        pipeline.log_verify(reports)
        if all(_clean(report, parked) for report in reports) or time.monotonic() > deadline:
            break
        time.sleep(1)  # polling a condition under a deadline
        parked = parked_ids(pipeline, feeds)
    stats = pipeline.receiver.stats()
    row = Row(
        fault="",
        runs=1,
        items=sum(report.expected for report in reports),
        lost=sum(len(_ids(report.missing) - parked) for report in reports),
        stale=sum(len(_ids(report.stale) - parked) + report.extra.count for report in reports),
        older_after_newer=int(stats["older_after_newer"]),
        new_key_duplicates=int(stats["duplicates_with_new_key"]),
        converge_s=time.time() - since,
    )
    return row, reports


def parked_ids(pipeline: Pipeline, feeds: tuple[str, ...]) -> set[str]:
    """Ids of items parked as needing attention in the feeds' dead-letter topics."""
    ids: set[str] = set()
    for feed in feeds:
        for _, letter in read_letters(pipeline.settings, dlq_topic(feed, pipeline.app_id)):
            if isinstance(letter, DeadLetter) and letter.status is DeadLetterStatus.NEEDS_ATTENTION:
                ids |= {item.id for item in letter.items}
    return ids


def dlq_lag(pipeline: Pipeline, feeds: tuple[str, ...]) -> int:
    """Records of the feeds' dead-letter topics the re-drive has not committed past."""
    bootstrap = pipeline.settings.kafka.bootstrap_servers
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        partitions = [TopicPartition(dlq_topic(f, pipeline.app_id), 0) for f in feeds]
        ends = consumer.end_offsets(partitions)
        group = pipeline.app_id
        committed = {
            tp: m.offset for tp, m in admin.list_group_offsets(group).get(group, {}).items()
        }
        return sum(max(0, end - max(0, committed.get(tp, 0))) for tp, end in ends.items())
    finally:
        consumer.close()
        admin.close()


def _clean(report: Report, parked: set[str]) -> bool:
    return not (_ids(report.missing) - parked or _ids(report.stale) - parked or report.extra.count)


def _ids(findings: Findings) -> set[str]:
    return {example.item_id for example in findings.examples}


def worker_exit(pipeline: Pipeline, timeout_s: float) -> int | None:
    """Wait for the worker process to end (a crash point); its exit code, or None."""
    process = pipeline.worker.process
    assert process is not None
    deadline = time.monotonic() + timeout_s
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)  # polling a condition under a deadline
    return process.poll()
