"""The metrics module: series names, the lag's stages, and the Grafana dashboard built on
them (deploy/grafana/feedsync.json) naming only series that exist."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from prometheus_client import REGISTRY

from feedsync.settings import REPO_ROOT
from streams import metrics
from streams.metrics import CONSUMER_LAG, set_lag, stage_of_topic

GRAFANA = REPO_ROOT / "deploy" / "grafana" / "feedsync.json"


def exported_names() -> set[str]:
    names = set()
    for collector in (
        metrics.RECORDS_IN,
        metrics.ITEMS_BUILT,
        metrics.ITEMS_DELIVERED,
        metrics.ITEMS_UNCHANGED,
        metrics.DEAD_LETTERED,
        metrics.REQUESTS,
        metrics.RETRIES,
        metrics.REQUEST_SECONDS,
        metrics.BATCH_ITEMS,
        metrics.COMMIT_TO_ACK,
        metrics.PAUSED,
        metrics.CONSUMER_LAG,
    ):
        for family in collector.describe():
            names.add(family.name)
    return names


def test_counters_follow_the_naming_conventions() -> None:
    families = {f.name: f.type for f in REGISTRY.collect() if f.name.startswith("feedsync_")}
    for name, kind in families.items():
        if kind == "counter":
            assert not name.endswith("_total")  # the client appends it on exposition
        assert re.fullmatch(r"feedsync_[a-z_]+", name)


def test_a_topic_is_named_by_its_stage() -> None:
    assert stage_of_topic("magento.magento.catalog_product_entity", "feedsync") == "source"
    assert stage_of_topic("feedsync.entity.products", "feedsync") == "entity"
    assert stage_of_topic("feedsync.items.prices", "feedsync") == "items"
    assert stage_of_topic("feedsync.dlq.orders", "feedsync") == "dlq"
    changelog = "feedsync-feedsync-state-products-changelog"
    assert stage_of_topic(changelog, "feedsync") == "changelog"


def test_lag_of_topics_no_longer_owned_goes_back_to_zero() -> None:
    set_lag("app", {"app.items.products": 7})
    assert CONSUMER_LAG.labels("items", "app.items.products")._value.get() == 7
    set_lag("app", {"app.items.prices": 3})
    assert CONSUMER_LAG.labels("items", "app.items.products")._value.get() == 0


def test_the_grafana_dashboard_names_only_series_that_exist() -> None:
    dashboard = json.loads(GRAFANA.read_text())
    expressions = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    used = {
        re.sub(r"_(bucket|sum|count|total)$", "", name)
        for expr in expressions
        for name in re.findall(r"feedsync_[a-z_]+", expr)
    }
    assert used, "no series found in the dashboard"
    assert used <= exported_names(), used - exported_names()


def test_answered_sums_delivered_and_unchanged_of_every_operation() -> None:
    before = metrics.answered().get("unit-feed", 0.0)
    metrics.ITEMS_DELIVERED.labels("unit-feed", "deliver").inc(3)
    metrics.ITEMS_UNCHANGED.labels("unit-feed", "resend").inc(2)
    assert metrics.answered()["unit-feed"] == before + 5


def test_metrics_off_counts_nothing() -> None:
    """In a process of its own: disabling is for the whole process."""
    script = (
        "from streams import metrics\n"
        "metrics.disable()\n"
        "metrics.ITEMS_DELIVERED.labels('off-feed', 'deliver').inc(7)\n"
        "metrics.COMMIT_TO_ACK.labels('off-feed').observe(0.5)\n"
        "print(metrics.answered().get('off-feed', 0.0))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "0.0"


def test_a_destination_worker_places_the_pipeline_items_topics() -> None:
    app, pipeline = "feedsync-to-search", "feedsync"
    assert stage_of_topic("feedsync.items.prices", app, pipeline) == "items"
    assert stage_of_topic("feedsync-to-search.dlq.prices", app, pipeline) == "dlq"
    assert stage_of_topic("feedsync-to-search-feedsync-delivered-changelog", app) == "changelog"
