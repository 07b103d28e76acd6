"""Resync by topic replay: send a feed's current items again, without a database query.

The current items are in the compacted ``<app id>.items.<feed>`` topic. A resync reads
them, keeps those asked for (``--by-ids`` on a payload field), and, unless forced, drops
those whose content the endpoint already answered for (the status table says so). The
rest go to ``<app id>.resend.<feed>``, each in its items record's partition, where the
worker's resend agent sends them through the feed's sender (streams/resend.py): batching,
retries, dead letters, status, and never a version older than one already delivered.
The resync then follows the status table until every item it sent has a new status.

One resync per feed at a time: a run holds a lease in ``<app id>.resync-runs``
(compacted, keyed by feed) that it renews while it runs. An interrupted run can be
continued (``--continue``): the items it already handed to the worker are in the resend
topic under its run id, and only the others are handed over, so each is sent once.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

import orjson
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from feeds.feed import Feed
from feeds.item import FeedItem
from feeds.registry import FEEDS
from feedsync.brokers import admin_client
from feedsync.errors import ConfigError
from feedsync.ops.statuses import StatusWatch, read_all_statuses, read_statuses
from feedsync.ops.topics import consumer, existing_topics, producer, read
from feedsync.settings import Settings
from streams.resend import Resend, resend_topic
from streams.status import ItemState, ItemStatus

__all__ = ["FeedPlan", "ResyncRun", "feeds_named", "plan_feed", "resync", "runs_topic"]

ITEM_ID = "itemId"  # --id-type naming the feed's own item id
LEASE_S = 60.0  # a run that has not renewed its lease for this long is taken as gone


def runs_topic(settings: Settings) -> str:
    return f"{settings.streams.app_id}.resync-runs"


def feeds_named(names: Iterable[str]) -> list[Feed]:
    """The feeds ``--feed`` names, in dependency order (scopes first); ``all`` for every one."""
    wanted = set(names)
    if "all" in wanted:
        return list(FEEDS.values())
    unknown = wanted - set(FEEDS)
    if unknown:
        raise ConfigError(
            f"--feed names {', '.join(sorted(unknown))}, which is not a feed",
            hint=f"use all, or any of: {', '.join(FEEDS)}",
        )
    return [feed for name, feed in FEEDS.items() if name in wanted]


@dataclass
class FeedPlan:
    """What a resync of one feed sends."""

    feed: str
    items_in_topic: int = 0
    selected: int = 0  # asked for (all, or those --by-ids names)
    unchanged: int = 0  # the endpoint answered for this content already (not forced)
    already_handed: int = 0  # --continue: handed to the worker by the interrupted run
    # (partition, item); None: the partition Kafka's default partitioner gives the id, as
    # for the items topic
    send: list[tuple[int | None, FeedItem]] = field(default_factory=list)
    unmatched_ids: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        data["to_send"] = len(self.send)
        del data["send"]
        return data


def plan_feed(
    reader: KafkaConsumer,
    settings: Settings,
    feed: Feed,
    *,
    ids: list[str] | None,
    id_type: str,
    force: bool,
    handed: set[str] | frozenset[str] = frozenset(),
    statuses: Mapping[str, ItemStatus] | None = None,
) -> FeedPlan:
    """Read the feed's current items and decide what to send (``statuses``: the feed's,
    when the caller has read them already)."""
    plan = FeedPlan(feed.name)
    current: dict[str, tuple[int, FeedItem]] = {}
    for record in read(reader, feed.items_topic(settings.streams.pipeline_id)):
        if record.value is None:
            continue
        item = FeedItem.from_record(record.value)
        held = current.get(item.id)
        if held is None or item.version >= held[1].version:
            current[item.id] = (record.partition, item)
    plan.items_in_topic = len(current)
    chosen = list(current.values())
    if ids is not None:
        chosen, plan.unmatched_ids = _by_ids(chosen, ids, id_type, feed.name)
    plan.selected = len(chosen)
    if statuses is None:
        statuses = {} if force else read_statuses(reader, settings, feed.name)
    for partition, item in chosen:
        if item.id in handed:
            plan.already_handed += 1
        elif not force and _answered(statuses.get(item.id), item):
            plan.unchanged += 1
        else:
            plan.send.append((partition, item))
    return plan


def _by_ids(
    items: list[tuple[int, FeedItem]], ids: list[str], id_type: str, feed: str
) -> tuple[list[tuple[int, FeedItem]], list[str]]:
    wanted = set(ids)

    def value(item: FeedItem) -> Any:
        return item.id if id_type == ITEM_ID else item.payload.get(id_type)

    if items and all(value(item) is None for _, item in items):
        fields = sorted(k for k, v in items[0][1].payload.items() if isinstance(v, str | int))
        raise ConfigError(
            f"feed {feed} has no field {id_type!r} to match --by-ids against",
            hint=f"use --id-type {ITEM_ID} or one of: {', '.join(fields)}",
        )
    chosen = [(p, item) for p, item in items if str(value(item)) in wanted]
    found = {str(value(item)) for _, item in chosen}
    return chosen, sorted(wanted - found)


def _answered(status: ItemStatus | None, item: FeedItem) -> bool:
    """Whether the endpoint already answered for this content at this version or later."""
    if status is None or status.state not in (ItemState.DELIVERED, ItemState.UNCHANGED):
        return False
    answered = status.last_answered()
    return answered is not None and answered[0] == item.hash and answered[1] >= item.version


@dataclass
class ResyncRun:
    """One resync: its id, its lease, and the items it handed to the worker."""

    run: str
    feeds: list[str]
    started: float
    owner: str
    handed: dict[str, set[str]] = field(default_factory=dict)  # feed -> item ids


@dataclass
class Outcome:
    """How the items a resync sent fared, per state of their new status."""

    feed: str
    sent: int
    states: dict[str, int] = field(default_factory=dict)
    unconfirmed: int = 0

    def summary(self) -> dict[str, Any]:
        return asdict(self)


Progress = Callable[[str, int, int], None]  # feed, confirmed, of


@dataclass(frozen=True)
class ResyncOptions:
    ids: list[str] | None = None  # --by-ids; None: every item
    id_type: str = "sku"
    force: bool = False
    dry_run: bool = False
    continue_run: bool = False
    timeout_s: float = 600


def resync(
    settings: Settings,
    feeds: list[Feed],
    options: ResyncOptions,
    *,
    progress: Progress | None = None,
    planned: Callable[[FeedPlan], None] | None = None,
) -> tuple[str | None, list[FeedPlan], list[Outcome]]:
    """Plan, hand over and follow a resync of ``feeds``; returns the run id (None for a
    dry run), the plans, and the outcomes."""
    plan = partial(plan_feed, settings=settings, ids=options.ids, id_type=options.id_type)
    statuses: dict[str, dict[str, ItemStatus]] = {}

    def planner(reader: KafkaConsumer, feed: Feed, handed: set[str]) -> FeedPlan:
        if not options.force and not statuses:  # once for every feed: one topic holds all
            statuses.update(read_all_statuses(reader, settings, {f.name for f in feeds}))
        known = statuses.get(feed.name, {})
        return plan(reader, feed=feed, force=options.force, handed=handed, statuses=known)

    if options.dry_run:
        with consumer(settings.kafka) as reader:
            return None, [planner(reader, feed, set()) for feed in feeds], []

    run, plans, outcomes = send_again(
        settings, feeds, planner, options, progress=progress, planned=planned
    )
    return run, plans, outcomes


Planner = Callable[[KafkaConsumer, Feed, set[str]], FeedPlan]  # reader, feed, handed ids


def send_again(
    settings: Settings,
    feeds: list[Feed],
    planner: Planner,
    options: ResyncOptions,
    *,
    kind: str = "resync",
    progress: Progress | None = None,
    planned: Callable[[FeedPlan], None] | None = None,
) -> tuple[str, list[FeedPlan], list[Outcome]]:
    """Under a lease on ``feeds``, hand what ``planner`` picks to the worker and follow
    the deliveries (a resync, a dead-letter replay)."""
    names = [feed.name for feed in feeds]
    _ensure_topics(settings, names)
    with (
        consumer(settings.kafka) as reader,
        producer(settings.kafka) as writer,
        _lease(
            reader, writer, settings, names, continue_run=options.continue_run, kind=kind
        ) as run,
    ):
        watch = StatusWatch(reader, settings)  # before the first item is handed over
        plans = []
        for feed in feeds:  # in order: a feed's items go before the next feed's
            handed = (
                _handed_by(reader, settings, feed.name, run.run) if options.continue_run else set()
            )
            feed_plan = planner(reader, feed, handed)
            if planned:
                planned(feed_plan)
            topic = resend_topic(feed.name, settings.streams.app_id)
            for partition, item in feed_plan.send:
                value = Resend(run.run, options.force, item).to_record()
                writer.send(topic, key=item.id.encode(), value=value, partition=partition)
            writer.flush()
            plans.append(feed_plan)
        follow = _Follow(watch, run, lambda: _write_run(writer, settings, run, "running"))
        return run.run, plans, follow(plans, options.timeout_s, progress)


@dataclass
class _Follow:
    """Follows the status table until each item a resync sent has a status newer than
    the run's start, or the timeout: the items left are still in the resend topic, and
    the worker sends them."""

    watch: StatusWatch
    run: ResyncRun
    renew: Callable[[], None]

    def __call__(
        self, plans: list[FeedPlan], timeout_s: float, progress: Progress | None
    ) -> list[Outcome]:
        with _interrupt_between_polls() as interrupted:
            return self._follow(plans, timeout_s, progress, interrupted)

    def _follow(
        self,
        plans: list[FeedPlan],
        timeout_s: float,
        progress: Progress | None,
        interrupted: threading.Event,
    ) -> list[Outcome]:
        waiting = {f"{plan.feed}:{item.id}" for plan in plans for _, item in plan.send}
        outcomes = {plan.feed: Outcome(plan.feed, len(plan.send)) for plan in plans}
        confirmed = dict.fromkeys(outcomes, 0)
        deadline = time.monotonic() + timeout_s
        renewed = time.monotonic()
        while waiting and time.monotonic() < deadline:
            if interrupted.is_set():
                raise KeyboardInterrupt
            before = len(waiting)
            for key, status in self.watch.poll():
                if key not in waiting or status.at < self.run.started:
                    continue
                waiting.discard(key)
                feed = key.partition(":")[0]
                states = outcomes[feed].states
                states[status.state.value] = states.get(status.state.value, 0) + 1
                confirmed[feed] += 1
            if progress:
                for feed, outcome in outcomes.items():
                    progress(feed, confirmed[feed], outcome.sent)
            if time.monotonic() - renewed > LEASE_S / 3:
                self.renew()
                renewed = time.monotonic()
            if len(waiting) == before:
                time.sleep(0.2)  # nothing new in the status table yet: look again shortly
        for feed, outcome in outcomes.items():
            outcome.unconfirmed = outcome.sent - confirmed[feed]
        return list(outcomes.values())


@contextmanager
def _interrupt_between_polls() -> Iterator[threading.Event]:
    """Ctrl-C (SIGINT) while a resync is followed only sets the event the loop looks at
    between polls: raised inside the Kafka client, the interrupt could leave it
    mid-request and its close (the run's lease written as interrupted) waiting. Outside
    the main thread (the dashboard) the handler cannot be set, and where SIGINT is ignored
    (a background job) it stays so: nothing changes."""
    interrupted = threading.Event()
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield interrupted
        return
    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: interrupted.set())
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _lease(
    reader: KafkaConsumer,
    writer: KafkaProducer,
    settings: Settings,
    feeds: list[str],
    *,
    continue_run: bool,
    kind: str,
) -> Iterator[ResyncRun]:
    runs = _runs(reader, settings)
    owner = f"{socket.gethostname()}:{os.getpid()}"
    resumed: str | None = None
    for feed in feeds:
        held = runs.get(feed)
        if not held:
            continue
        if held["state"] == "running" and time.time() - held["renewed"] < LEASE_S:
            raise ConfigError(
                f"a resync of {feed} is running already: run {held['run']} by {held['owner']}",
                hint="wait for it to end (resyncs and dead-letter replays of a feed take "
                "turns: together they would send items twice)",
            )
        if continue_run and held["state"] == "interrupted":
            resumed = str(held["run"])
    if continue_run and resumed is None:
        raise ConfigError(
            f"no interrupted resync of {', '.join(feeds)} to continue",
            hint="run the resync without --continue",
        )
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    run = ResyncRun(
        run=resumed or f"{kind}-{stamp}-{uuid.uuid4().hex[:6]}",
        feeds=feeds,
        started=time.time(),
        owner=owner,
    )
    _write_run(writer, settings, run, "running")
    state = "interrupted"
    try:
        yield run
        state = "done"
    finally:
        _write_run(writer, settings, run, state)
        writer.flush()


def _write_run(writer: KafkaProducer, settings: Settings, run: ResyncRun, state: str) -> None:
    for feed in run.feeds:
        value = {
            "run": run.run,
            "state": state,
            "owner": run.owner,
            "started": run.started,
            "renewed": time.time(),
        }
        writer.send(runs_topic(settings), key=feed.encode(), value=orjson.dumps(value))


def _runs(reader: KafkaConsumer, settings: Settings) -> dict[str, dict[str, Any]]:
    topic = runs_topic(settings)
    if topic not in existing_topics(reader):
        return {}
    runs: dict[str, dict[str, Any]] = {}
    for record in read(reader, topic):
        if record.key and record.value:
            runs[record.key.decode()] = orjson.loads(record.value)
    return runs


def _handed_by(reader: KafkaConsumer, settings: Settings, feed: str, run: str) -> set[str]:
    """The ids a run already wrote to the feed's resend topic."""
    handed: set[str] = set()
    for record in read(reader, resend_topic(feed, settings.streams.app_id)):
        if record.value and orjson.loads(record.value).get("run") == run:
            handed.add(record.key.decode())
    return handed


def _ensure_topics(settings: Settings, feeds: list[str]) -> None:
    """The runs topic (the workers create the resend topics; a resync needs them too)."""
    kafka = settings.kafka
    with admin_client(kafka) as admin:
        existing = set(admin.list_topics())
        wanted = [
            NewTopic(
                runs_topic(settings),
                1,
                kafka.replication_factor,
                topic_configs={"cleanup.policy": "compact"},
            ),
        ]
        missing = [t for t in wanted if t.name not in existing]
        for feed in feeds:
            if resend_topic(feed, settings.streams.app_id) not in existing:
                raise ConfigError(
                    f"no worker of app {settings.streams.app_id} runs feed {feed}",
                    hint="start a worker (feedsync worker, with --destination for a "
                    "destination) with this feed in FEEDSYNC_STREAMS__FEEDS or the "
                    "destination's include; it creates the topics a resync writes to",
                )
        if missing:
            with suppress(TopicAlreadyExistsError):  # another resync was first
                admin.create_topics(missing)
