"""Dead letters for operators: list, show, replay and purge ``<app id>.dlq.<feed>``.

A letter is *open* while one of its items has not been answered for since: the status
table holds no delivery of that item at the letter's version or later, and nothing
newer of it was answered either (delivered, or refused in a letter of its own). A
*will retry* letter the re-drive has passed (its consumer group's committed offset) is
closed too: the re-drive delivered its items or wrote them into a new letter.

Replay hands the open letters' items to the worker like a forced resync
(feedsync/ops/resync.py): through the feed's sender, with status, and never over a
newer version. Purge deletes a feed's letters up to a time (Kafka deletes a topic's
records up to an offset, never in between).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from feeds.feed import Feed
from feeds.item import FeedItem
from feedsync.brokers import admin_client
from feedsync.errors import ConfigError
from feedsync.ops.resync import FeedPlan, Outcome, Progress, ResyncOptions, send_again
from feedsync.ops.statuses import read_all_statuses, read_statuses
from feedsync.ops.topics import consumer, read
from feedsync.settings import Settings
from streams.letters import DeadLetter, DeadLetterStatus, dlq_topic
from streams.redrive_report import RedriveReport, redrive_report_topic
from streams.status import ItemState, ItemStatus

__all__ = [
    "LetterFilter",
    "OpenLetter",
    "counts",
    "item_answered",
    "parse_time",
    "purge",
    "read_letters",
    "read_redrive_reports",
    "replay",
]


def parse_time(text: str | None) -> float | None:
    """``--since``/``--until``: ISO 8601 (UTC unless it says otherwise) or epoch seconds."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{text!r} is not a time", hint="use ISO 8601 (2026-12-01T17:00) or epoch seconds"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.now().astimezone().tzinfo)
    return when.timestamp()


@dataclass(frozen=True)
class LetterFilter:
    status: DeadLetterStatus | None = None
    since: float | None = None  # last failure at or after
    until: float | None = None  # last failure at or before
    ids: frozenset[str] | None = None  # item ids or SKUs

    def matches(self, letter: DeadLetter) -> bool:
        if self.status is not None and letter.status is not self.status:
            return False
        if self.since is not None and letter.last_failure < self.since:
            return False
        if self.until is not None and letter.last_failure > self.until:
            return False
        return self.ids is None or any(_named(item, self.ids) for item in letter.items)


def _named(item: FeedItem, ids: frozenset[str]) -> bool:
    return item.id in ids or str(item.payload.get("sku")) in ids


@dataclass
class OpenLetter:
    feed: str
    offset: int
    letter: DeadLetter
    open_items: list[FeedItem] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return bool(self.open_items) or not self.letter.items  # a source record: open

    def summary(self) -> dict[str, Any]:
        letter = self.letter
        return {
            "feed": self.feed,
            "offset": self.offset,
            "open": self.is_open,
            "status": letter.status.value,
            "stage": letter.stage.value,
            "error_class": letter.error_class.value,
            "error": letter.error,
            "message": letter.message,
            "http_status": letter.http_status,
            "request_id": letter.request_id,
            "attempts": letter.attempts,
            "first_failure": letter.first_failure,
            "last_failure": letter.last_failure,
            "items": len(letter.items),
            "open_items": [item.id for item in self.open_items],
        }


def read_letters(
    reader: KafkaConsumer,
    settings: Settings,
    feed: str,
    letter_filter: LetterFilter,
    *,
    include_closed: bool = False,
    statuses: Mapping[str, ItemStatus] | None = None,
) -> list[OpenLetter]:
    """The feed's letters that pass the filter: the open ones, or all (``statuses``: the
    feed's, when the caller read every feed's in one pass)."""
    topic = dlq_topic(feed, settings.streams.app_id)
    if statuses is None:
        statuses = read_statuses(reader, settings, feed)
    redriven = _redriven_offset(settings, topic)
    found = []
    for record in read(reader, topic):
        try:
            letter = DeadLetter.from_record(record.value)
        except (ValueError, KeyError, TypeError):
            continue  # not a letter: the re-drive logged it and left it there
        if not letter_filter.matches(letter):
            continue
        view = OpenLetter(feed, record.offset, letter)
        closed_by_redrive = (
            letter.status is DeadLetterStatus.WILL_RETRY and record.offset < redriven
        )
        if not closed_by_redrive:
            view.open_items = [i for i in letter.items if not item_answered(statuses.get(i.id), i)]
        if include_closed or view.is_open:
            found.append(view)
    return found


def item_answered(status: ItemStatus | None, item: FeedItem) -> bool:
    """Whether this version of the item, or a newer one, was answered for since."""
    answered = status.last_answered() if status else None
    if status is None or answered is None:
        return False
    _hash, version = answered
    if version > item.version:
        return True
    return version == item.version and status.state in (ItemState.DELIVERED, ItemState.UNCHANGED)


def read_redrive_reports(reader: KafkaConsumer, settings: Settings) -> dict[str, RedriveReport]:
    """The newest re-drive report of each feed (none before a worker re-drove anything)."""
    topic = redrive_report_topic(settings.streams.app_id)
    if not reader.partitions_for_topic(topic):
        return {}  # workers of an older version: no reports yet
    reports: dict[str, RedriveReport] = {}
    for record in read(reader, topic):
        try:
            report = RedriveReport.from_record(record.value)
        except (ValueError, KeyError, TypeError):
            continue
        reports[report.feed] = report
    return reports


def _redriven_offset(settings: Settings, topic: str) -> int:
    """The offset the re-drive of ``topic`` has reached (its consumer group: the app id)."""
    tp = TopicPartition(topic, 0)
    with admin_client(settings.kafka) as admin:
        offsets = admin.list_group_offsets({settings.streams.app_id: [tp]})
    committed = offsets.get(settings.streams.app_id, {}).get(tp)
    return int(committed.offset) if committed is not None and committed.offset >= 0 else 0


def replay(
    settings: Settings,
    feeds: list[Feed],
    letter_filter: LetterFilter,
    options: ResyncOptions,
    *,
    progress: Progress | None = None,
    planned: Callable[[FeedPlan], None] | None = None,
) -> tuple[str | None, list[FeedPlan], list[Outcome]]:
    """Send the open letters' items again (the newest version of each), forced."""

    statuses: dict[str, dict[str, ItemStatus]] = {}

    def planner(reader: KafkaConsumer, feed: Feed, handed: set[str]) -> FeedPlan:
        if not statuses:  # once for every feed: one topic holds all
            statuses.update(read_all_statuses(reader, settings, {f.name for f in feeds}))
        letters = read_letters(
            reader, settings, feed.name, letter_filter, statuses=statuses.get(feed.name, {})
        )
        newest: dict[str, FeedItem] = {}
        for view in letters:
            for item in view.open_items:
                held = newest.get(item.id)
                if held is None or item.version > held.version:
                    newest[item.id] = item
        plan = FeedPlan(feed.name, items_in_topic=len(letters), selected=len(newest))
        for item in newest.values():
            if item.id in handed:
                plan.already_handed += 1
            else:
                plan.send.append((None, item))
        return plan

    forced = ResyncOptions(
        force=True, continue_run=options.continue_run, timeout_s=options.timeout_s
    )
    if options.dry_run:
        with consumer(settings.kafka) as reader:
            return None, [planner(reader, feed, set()) for feed in feeds], []
    return send_again(
        settings, feeds, planner, forced, kind="dlq-replay", progress=progress, planned=planned
    )


def purge(settings: Settings, feed: str, until: float | None) -> int:
    """Delete the feed's letters whose last failure is at or before ``until`` (all of
    them for None), up to the first later one. Returns how many records went."""
    topic = dlq_topic(feed, settings.streams.app_id)
    tp = TopicPartition(topic, 0)
    with consumer(settings.kafka) as reader:
        start = reader.beginning_offsets([tp])[tp]
        cut = start
        for record in read(reader, topic):
            try:
                last = DeadLetter.from_record(record.value).last_failure
            except (ValueError, KeyError, TypeError):
                last = record.timestamp / 1000
            if until is not None and last > until:
                break
            cut = record.offset + 1
    if cut > start:
        with admin_client(settings.kafka) as admin:
            admin.delete_records({tp: cut})
    return int(cut - start)


def counts(letters: Iterable[OpenLetter]) -> dict[str, int]:
    """Letters per status, error class and error type."""
    tally: dict[str, int] = {}
    for view in letters:
        letter = view.letter
        key = f"{letter.status.value} {letter.error_class.value} {letter.error}"
        tally[key] = tally.get(key, 0) + 1
    return dict(sorted(tally.items()))
