"""Shared real-stack fixtures: the stack is started once per session (idempotently)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connectors.database import connect
from feedsync.settings import Settings, load_settings
from feedsync.stack import up
from feedsync.stack.orchestrate import Stack
from tests.integration.kafka_tools import drop_apps
from tests.integration.pipeline import (
    FAILED_TESTS,
    Pipeline,
    converged_pipeline,
    running_pipeline,
)
from tests.integration.receiver import free_port


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.failed:
        FAILED_TESTS.append(item.nodeid)
    return report


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def stack(settings: Settings) -> Stack:
    """The local stack on the small profile; `up` returns at once when it already runs.
    Without the stack's own receiver and worker: tests start their own, and a worker of
    every feed running beside them only takes CPU from them."""
    started = up(settings, profile="small", seed=42, say=lambda _line: None, pipeline=False)
    drop_apps(settings)  # what earlier sessions' test apps left (a failed test keeps them)
    return started


@pytest.fixture
def db(stack: Stack, settings: Settings) -> Iterator[Any]:
    connection = connect(settings, autocommit=True)
    try:
        yield connection
    finally:
        connection.close()


@pytest.fixture(scope="session")
def feeds_pipeline(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    """One worker and receiver shared by the feed tests: the small profile's snapshot of
    every feed is built once, then each test makes its own changes."""
    # Orders batches of at most 256 KiB: the 500-line order alone is bigger than that.
    with running_pipeline(
        tmp_path_factory.mktemp("feeds"), FEEDSYNC_DELIVERY__FEEDS__ORDERS__BATCH_BYTES="262144"
    ) as running:
        yield running


@pytest.fixture
def sql(stack: Stack, settings: Settings) -> Iterator[Any]:
    connection = connect(settings, autocommit=True)
    try:
        yield connection
    finally:
        connection.close()


@pytest.fixture
def skus(sql: Any) -> list[str]:
    """SKUs of sample simple products, for order lines."""
    with sql.cursor() as cursor:
        cursor.execute(
            "SELECT sku FROM catalog_product_entity WHERE type_id = 'simple' "
            "ORDER BY entity_id LIMIT 50"
        )
        return [str(row[0]) for row in cursor.fetchall()]


OPS_FEEDS = ("scopesWebsite", "scopesCustomerGroup", "products")


@pytest.fixture(scope="session")
def ops_pipeline(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    """The products pipeline (and the scopes it needs), converged: what the operator
    commands (resync, dlq, status) are tried on. Shared: each test leaves it converged."""
    metrics_port = str(free_port())  # tests/integration/test_metrics.py scrapes it
    with converged_pipeline(
        tmp_path_factory.mktemp("ops"), OPS_FEEDS, FEEDSYNC_METRICS__PORT=metrics_port
    ) as pipeline:
        yield pipeline
