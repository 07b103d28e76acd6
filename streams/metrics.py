"""A worker's Prometheus metrics, served on ``/metrics`` (prometheus-client), and its
readiness on ``/ready`` of the same port.

Names follow Prometheus conventions (``feedsync_`` prefix, ``_total`` counters, base units:
seconds); labels are low-cardinality (feed, stage, operation, outcome, error class, never
an item id). The README lists every series. The stages update them where the work is
done; ``serve`` starts an HTTP server in a thread (prometheus-client's WSGI app for every
path but ``/ready``), and a timer of the app (streams/app.py) samples the consumer's lag
per topic every few seconds, which also feeds the readiness (streams/readiness.py).

A worker with metrics off (``FEEDSYNC_METRICS__ENABLED=false``) neither counts nor serves:
``disable`` turns every metric's ``labels`` into a no-op (bench/metrics_cost.py compares
the two).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterable, Mapping
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, make_wsgi_app

from feedsync.settings import MetricsSettings
from streams.readiness import Readiness

__all__ = [
    "BATCH_ITEMS",
    "COMMIT_TO_ACK",
    "CONSUMER_LAG",
    "DEAD_LETTERED",
    "ITEMS_BUILT",
    "ITEMS_DELIVERED",
    "ITEMS_UNCHANGED",
    "PAUSED",
    "READINESS",
    "READY_PATH",
    "RECORDS_IN",
    "REQUESTS",
    "REQUEST_SECONDS",
    "RETRIES",
    "answered",
    "disable",
    "listen",
    "observe_commit_to_ack",
    "ready_app",
    "serve",
    "set_lag",
    "stage_of_topic",
]

log = logging.getLogger("feedsync.metrics")

RECORDS_IN = Counter(
    "feedsync_records_in_total",
    "Records a stage took in (route: source records; reference: reference rows; "
    "project: entity changes and control records).",
    ["stage"],
)
ITEMS_BUILT = Counter(
    "feedsync_items_built_total",
    "Items written to a feed's items topic (new or changed content, deletions).",
    ["feed"],
)
ITEMS_DELIVERED = Counter(
    "feedsync_items_delivered_total",
    "Items the endpoint answered 2xx for.",
    ["feed", "operation"],  # deliver (live), redrive (dead letters), resend (resync/replay)
)
ITEMS_UNCHANGED = Counter(
    "feedsync_items_unchanged_total",
    "Items not sent: the endpoint already answered for the same content.",
    ["feed", "operation"],
)
DEAD_LETTERED = Counter(
    "feedsync_items_dead_lettered_total",
    "Items parked in the feed's dead-letter topic, by status and error class.",
    ["feed", "status", "error_class"],
)
REQUESTS = Counter(
    "feedsync_delivery_requests_total",
    "HTTP requests to a feed's endpoint, by outcome (2xx, 4xx, 5xx, or the error: "
    "timeout, unreachable, ...).",
    ["feed", "outcome"],
)
RETRIES = Counter(
    "feedsync_delivery_retries_total", "Requests that repeated an earlier one.", ["feed"]
)
REQUEST_SECONDS = Histogram(
    "feedsync_delivery_request_duration_seconds",
    "Time from sending a batch to its endpoint's answer.",
    ["feed"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
BATCH_ITEMS = Histogram(
    "feedsync_delivery_batch_items",
    "Items per request.",
    ["feed"],
    buckets=(1, 5, 10, 25, 50, 100, 250, 500, 1000),
)
COMMIT_TO_ACK = Histogram(
    "feedsync_commit_to_ack_seconds",
    "From the source transaction's commit (the binlog event's time) to the endpoint's "
    "2xx for an item it changed.",
    ["feed"],
    buckets=(0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60, 300, 900),
)
PAUSED = Gauge(
    "feedsync_feed_paused",
    "1 while the feed's endpoint refuses its credentials (nothing is sent).",
    ["feed"],
)
CONSUMER_LAG = Gauge(
    "feedsync_consumer_lag_messages",
    "Records of the partitions this worker owns not yet committed, by stage and topic "
    "(stage dlq: dead letters waiting for the re-drive).",
    ["stage", "topic"],
)


def stage_of_topic(topic: str, app_id: str, pipeline_id: str | None = None) -> str:
    """The stage a topic feeds: source, entity, items, resend or dlq; changelog for the
    tables' changelogs (``<app id>-<table>-changelog``, replicated by every worker).
    ``pipeline_id``: a destination's worker reads the items topics of that app."""
    if topic.startswith(f"{app_id}-"):
        return "changelog"
    for prefix in dict.fromkeys((app_id, pipeline_id or app_id)):
        if topic.startswith(f"{prefix}."):
            kind = topic[len(prefix) + 1 :].split(".", 1)[0]
            return kind if kind in {"entity", "items", "resend", "dlq"} else "other"
    return "source"


def observe_commit_to_ack(feed: str, source_ms: int, now: float | None = None) -> None:
    """An item's latency from its source commit (0: not known, e.g. a rebuild)."""
    if source_ms > 0:
        at = time.time() if now is None else now
        COMMIT_TO_ACK.labels(feed).observe(max(0.0, at - source_ms / 1000))


class _Nothing:
    """What a disabled metric's ``labels(...)`` returns: every update does nothing."""

    def inc(self, amount: float = 1) -> None: ...

    def set(self, value: float) -> None: ...

    def observe(self, amount: float) -> None: ...


_NOTHING = _Nothing()


def disable() -> None:
    """Stop counting in this process (metrics off): updates cost one call each."""
    for metric in (
        RECORDS_IN,
        ITEMS_BUILT,
        ITEMS_DELIVERED,
        ITEMS_UNCHANGED,
        DEAD_LETTERED,
        REQUESTS,
        RETRIES,
        REQUEST_SECONDS,
        BATCH_ITEMS,
        COMMIT_TO_ACK,
        PAUSED,
        CONSUMER_LAG,
    ):
        metric.labels = lambda *_labels, **_named: _NOTHING  # type: ignore[method-assign,assignment]


_lag_topics: set[str] = set()

# This worker's readiness, answered on READY_PATH; fed by every lag sample.
READINESS = Readiness()
READY_PATH = "/ready"

# Stages whose backlog waits by design, left out of the readiness: dead letters wait for
# their re-drive or for an operator (needs attention: never acknowledged until then), and
# the tables' changelogs are read by every worker and never committed by the group.
WAITING_STAGES = frozenset({"dlq", "changelog"})


def set_lag(app_id: str, lag: Mapping[str, int], pipeline_id: str | None = None) -> None:
    """Replace the lag gauges with ``lag`` (topic -> records): topics this worker no
    longer owns go back to 0. The sample also decides the readiness (``READINESS``)."""

    def stage(topic: str) -> str:
        return stage_of_topic(topic, app_id, pipeline_id)

    for topic in _lag_topics - set(lag):
        CONSUMER_LAG.labels(stage(topic), topic).set(0)
    for topic, records in lag.items():
        CONSUMER_LAG.labels(stage(topic), topic).set(records)
    _lag_topics.clear()
    _lag_topics.update(lag)
    moving = {t: n for t, n in lag.items() if stage(t) not in WAITING_STAGES}
    READINESS.observe(moving, assigned=bool(lag), work=work_done())


def work_done() -> float:
    """Records the stages took in plus items answered for or dead-lettered, since the
    process started: what goes up whenever the worker gets on with its partitions."""
    total = 0.0
    for counter in (RECORDS_IN, ITEMS_DELIVERED, ITEMS_UNCHANGED, DEAD_LETTERED):
        for family in counter.collect():
            total += sum(s.value for s in family.samples if s.name.endswith("_total"))
    return total


def answered() -> dict[str, float]:
    """Per feed, the items its endpoint answered for (delivered or unchanged), any
    operation: one pass over the two counters, not the whole registry."""
    found: dict[str, float] = {}
    for counter in (ITEMS_DELIVERED, ITEMS_UNCHANGED):
        for family in counter.collect():
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    feed = sample.labels["feed"]
                    found[feed] = found.get(feed, 0.0) + sample.value
    return found


def ready_app(metrics_app: WSGIApplication, readiness: Readiness) -> WSGIApplication:
    """``metrics_app`` with ``GET /ready`` answered from ``readiness``: 200 or 503, and
    the reason in plain text (what a probe's failure event shows)."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != READY_PATH:
            return metrics_app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "GET":
            start_response("405 Method Not Allowed", [("Allow", "GET")])
            return [b""]
        verdict = readiness.verdict()
        body = f"{'ready' if verdict.ready else 'not ready'}: {verdict.reason}\n".encode()
        start_response(
            "200 OK" if verdict.ready else "503 Service Unavailable",
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]

    return app


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a slow scrape never holds the worker's exit


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes and probes come every few seconds: no log line each."""


def listen(host: str, port: int, app: WSGIApplication) -> WSGIServer:
    """Serve ``app`` on ``host:port`` (IPv4 or IPv6, as the host says) from a daemon
    thread, as prometheus-client's ``start_http_server`` does for its own app."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)

    class _Server(_ThreadingServer):
        address_family = found[0][0]  # the class attribute socketserver binds with

    server = make_server(host, port, app, server_class=_Server, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="feedsync-metrics", daemon=True).start()
    return server


def serve(settings: MetricsSettings) -> int | None:
    """Serve ``/metrics`` and ``/ready`` in a thread; the port bound (None: not served).

    A port already taken (a second worker on the host) is logged as an error naming the
    setting to change, and the worker goes on without serving: metrics are not worth
    stopping delivery for."""
    if not settings.enabled:
        return None
    try:
        server = listen(settings.host, settings.port, ready_app(make_wsgi_app(REGISTRY), READINESS))
    except OSError as exc:
        log.error(
            "metrics not served: cannot listen on %s:%d (%s); set FEEDSYNC_METRICS__PORT to "
            "a free port (0: any), or FEEDSYNC_METRICS__ENABLED=false",
            settings.host,
            settings.port,
            exc.strerror or exc,
        )
        return None
    port = int(server.server_port)
    log.info("metrics on http://%s:%d/metrics, readiness on %s", settings.host, port, READY_PATH)
    return port
