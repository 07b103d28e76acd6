"""A feed's sender: which items of a batch to send, sending them, and remembering what went.

``FeedSender.send`` selects the newest version of each item not yet delivered, sends it
in chunks under the byte limit, records the hash and version of what was delivered (or
parked as needing attention: not resent until the item changes) and returns the dead
letters for the caller to write. A feed whose credentials are refused pauses: the
sender keeps the batch and tries again every ``streams.pause_retry_s``.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from aiolimiter import AsyncLimiter

from feeds.feed import Feed
from feeds.item import FeedItem, ItemVersion
from feedsync.errors import ConfigError
from feedsync.listen import is_loopback
from feedsync.logs import redact
from feedsync.settings import FeedDelivery, Settings
from streams.crash import crash_point
from streams.deliver.attempt import Delivery, FeedPaused, deliver
from streams.deliver.http import Endpoint
from streams.deliver.policy import RetryPolicy
from streams.deliver.select import chunks_by_bytes, select_for_delivery
from streams.faust_compat import in_event
from streams.letters import DeadLetter, DeadLetterStatus, Stage
from streams.metrics import (
    DEAD_LETTERED,
    ITEMS_DELIVERED,
    ITEMS_UNCHANGED,
    PAUSED,
    observe_commit_to_ack,
)
from streams.status import NEVER, ItemState, ItemStatus, status_key
from streams.topology import Topology

__all__ = ["FeedSender", "delivery_configs"]

log = logging.getLogger("feedsync.deliver")


def delivery_configs(settings: Settings, feeds: Mapping[str, Feed]) -> dict[str, FeedDelivery]:
    """Each feed's effective delivery settings, resolved and validated once at start.

    Refuses per-feed settings for a feed that does not exist (a typo would be ignored)."""
    known = {name.lower() for name in feeds}
    for name in settings.delivery.feeds:
        if name.lower() not in known:
            raise ConfigError(
                f"FEEDSYNC_DELIVERY__FEEDS__{name.upper()}__*: there is no feed {name!r}",
                hint=f"known feeds: {', '.join(sorted(feeds))}",
            )
    bundle = settings.delivery.ca_bundle
    if bundle is not None and not bundle.is_file():
        raise ConfigError(
            f"FEEDSYNC_DELIVERY__CA_BUNDLE={bundle} is not a file",
            hint="point it at a PEM file of the CA certificates to trust",
        )
    configs = {name: settings.delivery.for_feed(name, f.batch_count) for name, f in feeds.items()}
    for name, config in configs.items():
        _check_transport(name, config, settings.delivery.allow_plain_http_loopback)
    return configs


def _check_transport(feed: str, config: FeedDelivery, plain_loopback: bool) -> None:
    """Refuse an endpoint that is not http(s), and credentials over plain http (but to a
    loopback address, when the settings allow it)."""
    url = urlsplit(config.url or "")
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigError(
            f"feed {feed}: endpoint {config.url!r} is not an http(s) URL",
            hint=f"set FEEDSYNC_DELIVERY__FEEDS__{feed.upper()}__URL to https://host/path",
        )
    credentials = config.bearer_token is not None or config.webhook_secret is not None
    if url.scheme == "https" or not credentials:
        return
    if plain_loopback and is_loopback(url.hostname):
        return
    raise ConfigError(
        f"feed {feed}: its token or webhook secret would go over plain http to {url.hostname}",
        hint="use an https:// endpoint (FEEDSYNC_DELIVERY__CA_BUNDLE for a private CA); "
        "for a receiver on this machine, FEEDSYNC_DELIVERY__ALLOW_PLAIN_HTTP_LOOPBACK=true",
    )


def delivery_client(ca_bundle: Path | None) -> httpx.AsyncClient:
    """An HTTP client of the delivery agents: the system's CAs, and ``ca_bundle``'s."""
    if ca_bundle is None:
        return httpx.AsyncClient()
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=str(ca_bundle))
    return httpx.AsyncClient(verify=context)


class FeedSender:
    """Everything one feed's delivery needs."""

    def __init__(
        self,
        feed: Feed,
        config: FeedDelivery,
        settings: Settings,
        topology: Topology,
        limiter: AsyncLimiter | None = None,
    ) -> None:
        assert config.url is not None  # resolved by delivery_configs
        assert config.batch_count is not None
        self.feed = feed
        self.topology = topology
        self.batch_count = config.batch_count
        self.batch_bytes = config.batch_bytes
        self.linger_s = config.linger_s
        self.ca_bundle = settings.delivery.ca_bundle
        self.pause_retry_s = settings.streams.pause_retry_s
        self.endpoint = Endpoint(
            feed=feed.name,
            url=config.url,
            bearer_token=config.bearer_token,
            webhook_secret=config.webhook_secret,
            timeout_s=config.timeout_s,
            limiter=limiter,
        )
        self.policy = RetryPolicy(
            max_attempts=config.retry_attempts,
            budget_s=config.retry_budget_s,
            retry_after_cap_s=config.retry_after_cap_s,
        )
        # A re-drive tries once per letter and round, so it holds the feed's lock (below)
        # for one attempt at a time, never for a whole retry budget.
        self.redrive_policy = replace(self.policy, max_attempts=1)
        self.paused: FeedPaused | None = None
        self.log_payloads = settings.log_payloads
        # Live batches and dead-letter re-drives of one feed send one at a time, so a
        # re-drive can never slip an older version in after a newer one.
        self.lock = asyncio.Lock()

    @property
    def name(self) -> str:
        return self.feed.name

    def delivered(self, item_id: str) -> tuple[str, ItemVersion] | None:
        """The (hash, version) the endpoint last answered for, live or re-driven, whichever
        is newer."""
        key = status_key(self.feed.name, item_id)
        candidates = [
            answered
            for table in (self.topology.delivered, self.topology.redelivered)
            if (status := ItemStatus.from_json(table.get(key))) is not None
            and (answered := status.last_answered()) is not None
        ]
        return max(candidates, key=lambda last: last[1]) if candidates else None

    def client(self) -> httpx.AsyncClient:
        """A new HTTP client for this feed's endpoint (its agent keeps one open)."""
        return delivery_client(self.ca_bundle)

    async def send(
        self,
        client: httpx.AsyncClient,
        items: Sequence[FeedItem],
        carriers: Mapping[str, Any],
        *,
        replay: bool = False,
        force: bool = False,
        resend: bool = False,
    ) -> list[DeadLetter]:
        """Deliver what needs delivering; return the dead letters to write.

        ``carriers`` maps each item id to the event that carried it: the status table is
        written in that event's partition (``replay`` writes the re-driven one). ``force``
        sends items whose content the endpoint already answered for (never older ones).
        ``resend``: an operator asked (metrics count it apart, and its items' age since
        their source commit is no latency).
        """
        async with self.lock:
            return await self._send(
                client, items, carriers, replay=replay, force=force, resend=resend
            )

    async def _send(
        self,
        client: httpx.AsyncClient,
        items: Sequence[FeedItem],
        carriers: Mapping[str, Any],
        *,
        replay: bool,
        force: bool,
        resend: bool,
    ) -> list[DeadLetter]:
        letters: list[DeadLetter] = []
        table = self.topology.redelivered if replay else self.topology.delivered
        stage = Stage.REDRIVE if replay else Stage.DELIVER
        operation = "resend" if resend else stage.value
        selection = select_for_delivery(items, self.delivered, force=force)
        ITEMS_UNCHANGED.labels(self.name, operation).inc(len(selection.unchanged))
        for item in selection.unchanged:  # so that an older version is never sent over it
            self._record(table, item, carriers, ItemStatus.answered(ItemState.UNCHANGED, item))
        for chunk in chunks_by_bytes(selection.send, self.batch_bytes):
            began = time.monotonic()
            policy = self.redrive_policy if replay else self.policy
            paused = partial(self._mark_paused, table, chunk, carriers)
            outcome = await self._deliver_until_unpaused(client, chunk, stage, policy, paused)
            self._log(chunk, outcome, time.monotonic() - began, stage)
            if outcome.delivered:
                crash_point("delivered-before-recorded")
            request_id = outcome.request_ids[-1] if outcome.request_ids else None
            ITEMS_DELIVERED.labels(self.name, operation).inc(len(outcome.delivered))
            answered_at = time.time()
            for item in outcome.delivered:
                if not resend:
                    observe_commit_to_ack(self.name, item.source_ms, answered_at)
                status = ItemStatus.answered(
                    ItemState.DELIVERED, item, attempts=outcome.attempts, request_id=request_id
                )
                self._record(table, item, carriers, status)
            for letter in outcome.dead_letters:
                DEAD_LETTERED.labels(self.name, letter.status.value, letter.error_class.value).inc(
                    len(letter.items)
                )
                for item in letter.items:
                    self._record(table, item, carriers, self._parked(table, item, letter))
                log.warning(
                    "feed %s: %d items dead-lettered (%s %s %s): %s",
                    self.feed.name,
                    len(letter.items),
                    letter.status.value,
                    letter.error_code,
                    letter.error,
                    letter.message,
                    extra={"feed": self.feed.name, "error_code": letter.error_code},
                )
            letters += outcome.dead_letters
        return letters

    async def _deliver_until_unpaused(
        self,
        client: httpx.AsyncClient,
        chunk: list[FeedItem],
        stage: Stage,
        policy: RetryPolicy,
        on_pause: Callable[[FeedPaused], None],
    ) -> Delivery:
        while True:
            try:
                outcome = await deliver(client, self.endpoint, chunk, policy, stage=stage)
            except FeedPaused as paused:
                if self.paused is None:
                    on_pause(paused)
                self.paused = paused
                PAUSED.labels(self.name).set(1)
                log.error(
                    "%s; retrying in %.0fs",
                    paused,
                    self.pause_retry_s,
                    extra={"feed": self.name, "status": "paused", "error_code": paused.code},
                )
                await asyncio.sleep(self.pause_retry_s)
                continue
            if self.paused is not None:
                PAUSED.labels(self.name).set(0)
            self.paused = None
            return outcome

    def _log(self, chunk: list[FeedItem], outcome: Delivery, elapsed: float, stage: Stage) -> None:
        context = {
            "feed": self.feed.name,
            "operation": stage.value,
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

    def _mark_paused(
        self,
        table: Any,
        chunk: list[FeedItem],
        carriers: Mapping[str, Any],
        paused: FeedPaused,
    ) -> None:
        for item in chunk:
            status = self._held(table, item).waiting(
                ItemState.PAUSED,
                item,
                http_status=paused.result.status,
                error_class=paused.error_class.value,
                error=type(paused.cause).__name__,
                message=paused.message,
            )
            self._record(table, item, carriers, status)

    def _parked(self, table: Any, item: FeedItem, letter: DeadLetter) -> ItemStatus:
        """An item's status once ``letter`` parked it: needs attention is an answer (not
        resent until the item changes); will retry waits on the content answered before."""
        details: dict[str, Any] = {
            "attempts": letter.attempts,
            "request_id": letter.request_id,
            "http_status": letter.http_status,
            "error_class": letter.error_class.value,
            "error": letter.error,
            "message": letter.message,
        }
        if letter.status is DeadLetterStatus.NEEDS_ATTENTION:
            return ItemStatus.answered(ItemState.NEEDS_ATTENTION, item, **details)
        return self._held(table, item).waiting(ItemState.WILL_RETRY, item, **details)

    def _held(self, table: Any, item: FeedItem) -> ItemStatus:
        """The item's status in ``table`` (NEVER: nothing answered yet)."""
        return ItemStatus.from_json(table.get(status_key(self.feed.name, item.id))) or NEVER

    def _record(
        self, table: Any, item: FeedItem, carriers: Mapping[str, Any], status: ItemStatus
    ) -> None:
        with in_event(carriers[item.id]):
            table[status_key(self.feed.name, item.id)] = status.to_json()
