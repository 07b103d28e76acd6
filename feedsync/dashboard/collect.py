"""What the dashboard shows, collected from the running system: the per-feed summary of
``feedsync status`` (Kafka), the connector's state (Connect's REST API), the workers'
membership and partitions (the consumer group), the brokers, and the workers' Prometheus
metrics, kept for a few minutes so that rates and latency percentiles can be drawn; and
each feed's source entities and items in the database (``feedsync estimate``, every ten
minutes).

Every source is read on its own: one that fails shows its error and the others still show.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import httpx
from kafka.admin import KafkaAdminClient
from prometheus_client.parser import text_string_to_metric_families

from feeds.feed import Feed
from feedsync.brokers import admin_client
from feedsync.ops.estimate import estimate
from feedsync.ops.health import health
from feedsync.settings import Settings

__all__ = ["MetricsHistory", "Overview", "SourceCounts", "collect"]

WINDOW_S = 300.0  # how far back rates and percentiles look
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _labels(labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(labels.items()))


@dataclass
class MetricsHistory:
    """Scrapes of the workers' ``/metrics`` (summed over workers), newest last."""

    urls: list[str]
    scrapes: deque[tuple[float, Samples]] = field(default_factory=deque)
    errors: dict[str, str] = field(default_factory=dict)

    def scrape(self, now: float | None = None) -> None:
        at = time.time() if now is None else now
        total: Samples = {}
        self.errors = {}
        for url in self.urls:
            try:
                response = httpx.get(url, timeout=5)
                response.raise_for_status()
            except httpx.HTTPError as exc:
                self.errors[url] = f"{type(exc).__name__}: {exc}"
                continue
            for family in text_string_to_metric_families(response.text):
                for sample in family.samples:
                    key = (sample.name, _labels(sample.labels))
                    total[key] = total.get(key, 0.0) + sample.value
        self.add(at, total)

    def add(self, at: float, samples: Samples) -> None:
        self.scrapes.append((at, samples))
        while self.scrapes and self.scrapes[0][0] < at - WINDOW_S:
            self.scrapes.popleft()

    def _sum(self, samples: Samples, name: str, **labels: str) -> float:
        wanted = set(labels.items())
        return sum(v for (n, ls), v in samples.items() if n == name and wanted <= set(ls))

    def series(self, name: str, **labels: str) -> list[tuple[float, float]]:
        """(time, rate per second since the scrape before) over the window."""
        points = []
        pairs = zip(self.scrapes, list(self.scrapes)[1:], strict=False)
        for (t0, a), (t1, b) in pairs:
            if t1 > t0:
                rate = (self._sum(b, name, **labels) - self._sum(a, name, **labels)) / (t1 - t0)
                points.append((round(t1, 1), max(0.0, round(rate, 2))))
        return points

    def total(self, name: str, **labels: str) -> float:
        return self._sum(self.scrapes[-1][1], name, **labels) if self.scrapes else 0.0

    def quantiles(self, name: str, feed: str, qs: tuple[float, ...]) -> list[float | None]:
        """Quantiles of a histogram's observations within the window (bucket upper bounds,
        as Prometheus' histogram_quantile without interpolation)."""
        if len(self.scrapes) < 2:
            return [None for _ in qs]
        first, last = self.scrapes[0][1], self.scrapes[-1][1]
        buckets: dict[float, float] = {}
        for (n, ls), value in last.items():
            labels = dict(ls)
            if n == f"{name}_bucket" and labels.get("feed") == feed:
                bound = float(labels["le"])
                buckets[bound] = buckets.get(bound, 0.0) + value - first.get((n, ls), 0.0)
        ordered = sorted(buckets.items())
        count = ordered[-1][1] if ordered else 0.0
        if count <= 0:
            return [None for _ in qs]
        found: list[float | None] = []
        for q in qs:
            rank = q * count
            found.append(next((bound for bound, seen in ordered if seen >= rank), None))
        return found


@dataclass
class SourceCounts:
    """Each feed's source entities and items in the database (``feedsync estimate``, with
    the read-only user), counted again every ``every_s``: it reads whole tables."""

    every_s: float = 600.0
    counted_at: float = 0.0
    found: dict[str, Any] = field(default_factory=dict)

    def get(self, settings: Settings, feeds: list[Feed]) -> dict[str, Any]:
        if time.time() - self.counted_at >= self.every_s:
            self.counted_at = time.time()
            self.found = _guarded(
                lambda: {
                    "at": self.counted_at,
                    "feeds": {
                        e.feed: {"entities": e.entities, "items": e.items}
                        for e in estimate(settings, feeds)
                    },
                }
            )
        return self.found


@dataclass
class Overview:
    at: float
    status: dict[str, Any]
    connector: dict[str, Any]
    workers: dict[str, Any]
    brokers: dict[str, Any]
    metrics: dict[str, Any]
    source: dict[str, Any]
    # Whose deliveries these are: the app (a destination's is <app id>-to-<name>) and where
    # it sends.
    app: str = ""
    endpoint: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "app": self.app,
            "endpoint": self.endpoint,
            "status": self.status,
            "connector": self.connector,
            "workers": self.workers,
            "brokers": self.brokers,
            "metrics": self.metrics,
            "source": self.source,
        }


def collect(
    settings: Settings, feeds: list[Feed], history: MetricsHistory, source: SourceCounts
) -> Overview:
    """One look at everything (blocking: the dashboard runs it in a thread)."""
    history.scrape()
    cluster = _guarded(lambda: _cluster(settings))
    return Overview(
        at=time.time(),
        status=_guarded(lambda: health(settings, feeds).summary()),
        connector=_guarded(lambda: _connector(settings)),
        workers=cluster.get("workers", cluster),
        brokers=cluster.get("brokers", cluster),
        metrics=_metrics(history, feeds),
        source=source.get(settings, feeds),
        app=settings.streams.app_id,
        endpoint=settings.delivery.endpoint_base,
    )


def _guarded(read: Any) -> dict[str, Any]:
    try:
        found: dict[str, Any] = read()
    except Exception as exc:  # noqa: BLE001 -- shown on the page; the other panels still work
        return {"error": f"{type(exc).__name__}: {exc}"}
    return found


def _connector(settings: Settings) -> dict[str, Any]:
    name = settings.connect.connector_name
    response = httpx.get(f"{settings.connect.url}/connectors/{name}/status", timeout=5)
    if response.status_code == 404:
        return {"name": name, "state": "NOT REGISTERED", "tasks": []}
    response.raise_for_status()
    data = response.json()
    tasks = [
        {"id": t.get("id"), "state": t.get("state"), "trace": (t.get("trace") or "")[:300]}
        for t in data.get("tasks", [])
    ]
    return {"name": name, "state": data.get("connector", {}).get("state"), "tasks": tasks}


def _cluster(settings: Settings) -> dict[str, Any]:
    """The brokers and the workers' group, through one admin client."""
    with admin_client(settings.kafka) as admin:
        return {
            "workers": _guarded(lambda: _workers(admin, settings.streams.app_id)),
            "brokers": _guarded(lambda: _brokers(admin)),
        }


def _workers(admin: KafkaAdminClient, group: str) -> dict[str, Any]:
    """The app's consumer group: its state, and each member's host and partitions."""
    described = admin.describe_groups([group]).get(group, {})
    members = []
    for member in described.get("members", []):
        partitions = _assigned(_field(member, "member_assignment"))
        members.append(
            {
                "client_id": _field(member, "client_id") or "",
                "host": _field(member, "client_host") or "",
                "partitions": sum(len(p) for p in partitions.values()),
                "topics": len(partitions),
            }
        )
    return {"group": group, "state": described.get("group_state"), "members": members}


def _field(value: Any, name: str) -> Any:
    """A field of kafka-python's decoded structures, which are dicts or objects."""
    return value.get(name) if isinstance(value, dict) else getattr(value, name, None)


def _assigned(assignment: Any) -> dict[str, list[int]]:
    """Topic -> partitions of a decoded consumer assignment."""
    found: dict[str, list[int]] = {}
    for entry in _field(assignment, "assigned_partitions") or []:
        topic = _field(entry, "topic")
        if topic:
            found[str(topic)] = list(_field(entry, "partitions") or [])
    return found


def _brokers(admin: KafkaAdminClient) -> dict[str, Any]:
    cluster = admin.describe_cluster()
    return {
        "cluster_id": cluster.get("cluster_id"),
        "brokers": [f"{b['host']}:{b['port']}" for b in cluster.get("brokers", [])],
    }


def _metrics(history: MetricsHistory, feeds: list[Feed]) -> dict[str, Any]:
    per_feed = {}
    for feed in feeds:
        name = feed.name
        p50, p99 = history.quantiles("feedsync_commit_to_ack_seconds", name, (0.5, 0.99))
        per_feed[name] = {
            "built": history.total("feedsync_items_built_total", feed=name),
            "delivered": history.total("feedsync_items_delivered_total", feed=name),
            "delivered_per_s": history.series("feedsync_items_delivered_total", feed=name),
            "commit_to_ack_p50_s": p50,
            "commit_to_ack_p99_s": p99,
        }
    return {"sources": history.urls, "errors": history.errors, "feeds": per_feed}
