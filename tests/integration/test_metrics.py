"""A worker's Prometheus ``/metrics``, scraped and parsed with prometheus-client's parser on
the real stack: the series exist with their labels, and move when items flow."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.pipeline import Pipeline
from tests.integration.test_dlq_cli import a_product, names_at_receiver
from tests.integration.test_faults import rename

pytestmark = pytest.mark.integration

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(ops_pipeline: Pipeline) -> Samples:
    metrics = ops_pipeline.settings.metrics
    response = httpx.get(f"http://{metrics.host}:{metrics.port}/metrics", timeout=10)
    response.raise_for_status()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_the_series_exist_with_their_labels_and_move_when_items_flow(
    ops_pipeline: Pipeline, sql: Any
) -> None:
    before = scrape(ops_pipeline)
    names = {name for name, _labels in before}
    for series in (
        "feedsync_records_in_total",
        "feedsync_items_built_total",
        "feedsync_items_delivered_total",
        "feedsync_delivery_requests_total",
        "feedsync_delivery_request_duration_seconds_bucket",
        "feedsync_delivery_batch_items_count",
        "feedsync_consumer_lag_messages",
    ):
        assert series in names, f"{series} missing"
    assert value(before, "feedsync_items_delivered_total", feed="products", operation="deliver")
    assert value(before, "feedsync_delivery_requests_total", feed="products", outcome="2xx")
    stages = {dict(labels).get("stage") for name, labels in before if "lag" in name}
    assert {"source", "entity", "items"} <= stages

    product, sku = a_product(ops_pipeline, sql)
    tag = uuid.uuid4().hex[:6]
    rename(sql, product, f"metered {tag}")
    ops_pipeline.wait_until(
        lambda: names_at_receiver(ops_pipeline, sku) == {f"metered {tag}"}, "the rename delivered"
    )

    def moved() -> bool:
        after = scrape(ops_pipeline)
        return all(
            value(after, name, **labels) > value(before, name, **labels)
            for name, labels in (
                ("feedsync_records_in_total", {"stage": "route"}),
                ("feedsync_items_built_total", {"feed": "products"}),
                ("feedsync_items_delivered_total", {"feed": "products", "operation": "deliver"}),
                ("feedsync_commit_to_ack_seconds_count", {"feed": "products"}),
            )
        )

    ops_pipeline.wait_until(moved, "the counters moved")


def test_ready_answers_on_the_metrics_port_once_the_worker_owns_partitions(
    ops_pipeline: Pipeline,
) -> None:
    """The readiness probe's route on a real worker: converged, it owns partitions and has
    nothing left behind, so 200 (the 503 cases are unit-tested with a fake clock)."""
    metrics = ops_pipeline.settings.metrics
    answers: list[httpx.Response] = []

    def ready() -> bool:
        answers.append(httpx.get(f"http://{metrics.host}:{metrics.port}/ready", timeout=10))
        return answers[-1].status_code == 200

    ops_pipeline.wait_until(ready, "GET /ready answered 200", timeout_s=60)
    assert answers[-1].text.startswith("ready: ")
    assert answers[-1].headers["content-type"].startswith("text/plain")
    assert {response.status_code for response in answers} <= {200, 503}
