"""One delivery agent per feed: batch the items topic, send, record, then acknowledge.

Offsets are acknowledged only after every item of the batch was delivered, skipped as
unchanged, or written to the dead-letter topic (``noack_take`` + explicit acks; faust's
``take()`` would ack even when sending raised). A paused feed (401/403) keeps its batch
unacknowledged and retries it every ``streams.pause_retry_s``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import faust
import httpx

from feeds.feed import Feed
from feeds.item import FeedItem
from feedsync.logs import redact
from feedsync.settings import Settings
from streams.deliver.attempt import Delivery, FeedPaused, deliver
from streams.deliver.http import Endpoint
from streams.deliver.policy import RetryPolicy
from streams.deliver.select import chunks_by_bytes, select_for_delivery
from streams.dlq.record import DeadLetterStatus
from streams.dlq.redrive import make_redrive
from streams.faust_compat import in_event
from streams.topology import Topology

__all__ = ["FeedSender", "register_delivery"]

log = logging.getLogger("feedsync.deliver")


class FeedSender:
    """Everything one feed's delivery needs, from the settings."""

    def __init__(self, feed: Feed, settings: Settings, topology: Topology) -> None:
        config = settings.delivery.for_feed(feed.name)
        self.feed = feed
        self.topology = topology
        self.batch_count = config.batch_count or feed.batch_count
        self.batch_bytes = config.batch_bytes
        self.linger_s = config.linger_s
        self.pause_retry_s = settings.streams.pause_retry_s
        self.endpoint = Endpoint(
            url=settings.delivery.url_for(feed.name),
            bearer_token=config.bearer_token,
            webhook_secret=config.webhook_secret,
            timeout_s=config.timeout_s,
        )
        self.policy = RetryPolicy(
            max_attempts=config.retry_attempts,
            budget_s=config.retry_budget_s,
            retry_after_cap_s=config.retry_after_cap_s,
        )
        self.paused: FeedPaused | None = None
        self.log_payloads = settings.log_payloads
        # Live batches and dead-letter re-drives of one feed send one at a time, so a
        # re-drive can never slip an older version in after a newer one.
        self.lock = asyncio.Lock()

    def delivered(self, item_id: str) -> tuple[str, int] | None:
        """The (hash, version) last sent for an id, live or re-driven, whichever is newer."""
        key = f"{self.feed.name}:{item_id}"
        candidates = [
            last
            for last in (self.topology.delivered.get(key), self.topology.redelivered.get(key))
            if last
        ]
        if not candidates:
            return None
        last_hash, last_version = max(candidates, key=lambda last: int(last[1]))
        return str(last_hash), int(last_version)

    async def send(
        self,
        client: httpx.AsyncClient,
        items: list[FeedItem],
        events: dict[str, Any],
        *,
        replay: bool = False,
    ) -> list[Any]:
        """Deliver what needs delivering; return the pending dead-letter sends.

        ``events`` maps each item id to the event that carried it: the delivered-hash
        table is written in that event's partition (``replay`` writes the re-driven one).
        """
        async with self.lock:
            return await self._send(client, items, events, replay=replay)

    async def _send(
        self,
        client: httpx.AsyncClient,
        items: list[FeedItem],
        events: dict[str, Any],
        *,
        replay: bool,
    ) -> list[Any]:
        pending: list[Any] = []
        table = self.topology.redelivered if replay else self.topology.delivered
        selected = select_for_delivery(items, self.delivered, replay=replay)
        for chunk in chunks_by_bytes(selected, self.batch_bytes):
            began = time.monotonic()
            outcome = await self._deliver_until_unpaused(client, chunk)
            self._log(chunk, outcome, time.monotonic() - began, replay=replay)
            for item in outcome.delivered:
                self._record(table, item, events[item.id])
            for letter in outcome.dead_letters:
                if letter.status is DeadLetterStatus.NEEDS_ATTENTION:
                    for item in letter.items:  # not retried until the item changes
                        self._record(table, item, events[item.id])
                log.warning(
                    "feed %s: %d items dead-lettered (%s): %s",
                    self.feed.name,
                    len(letter.items),
                    letter.status.value,
                    letter.message,
                )
                topic = self.topology.dlq[self.feed.name]
                pending.append(await topic.send(value=letter.to_record()))
        return pending

    async def _deliver_until_unpaused(
        self, client: httpx.AsyncClient, chunk: list[FeedItem]
    ) -> Delivery:
        while True:
            try:
                outcome = await deliver(client, self.feed.name, self.endpoint, chunk, self.policy)
            except FeedPaused as paused:
                self.paused = paused
                log.error("%s; retrying in %.0fs", paused, self.pause_retry_s)
                await asyncio.sleep(self.pause_retry_s)
                continue
            self.paused = None
            return outcome

    def _log(
        self, chunk: list[FeedItem], outcome: Delivery, elapsed: float, *, replay: bool
    ) -> None:
        context = {
            "feed": self.feed.name,
            "operation": "redrive" if replay else "deliver",
            "status": "delivered" if not outcome.dead_letters else "dead-lettered",
            "elapsed": round(elapsed, 3),
            "request_id": ",".join(outcome.request_ids),
            "items": len(chunk),
        }
        log.info(
            "%s: %d of %d items delivered",
            self.feed.name,
            len(outcome.delivered),
            len(chunk),
            extra=context,
        )
        if self.log_payloads:
            payloads = [redact(item.payload) for item in chunk]
            log.info("%s: payloads sent", self.feed.name, extra={**context, "payloads": payloads})

    def _record(self, table: Any, item: FeedItem, event: Any) -> None:
        with in_event(event):
            table[f"{self.feed.name}:{item.id}"] = [item.hash, item.version]


def register_delivery(app: faust.App, topology: Topology, settings: Settings) -> None:
    for feed in topology.selection.feeds.values():
        sender = FeedSender(feed, settings, topology)

        async def deliver_feed(stream: Any, sender: FeedSender = sender) -> None:
            async with httpx.AsyncClient() as client:
                async for events in stream.noack_take(sender.batch_count, within=sender.linger_s):
                    items = [FeedItem.from_record(event.value) for event in events]
                    carriers = {item.id: event for item, event in zip(items, events, strict=True)}
                    await asyncio.gather(*await sender.send(client, items, carriers))
                    for event in events:
                        await stream.ack(event)

        app.agent(topology.items[feed.name], name=f"deliver-{feed.name}", concurrency=1)(
            deliver_feed
        )
        redrive = make_redrive(sender, settings.streams.dlq_redrive_interval_s)
        app.agent(topology.dlq[feed.name], name=f"redrive-{feed.name}", concurrency=1)(redrive)
