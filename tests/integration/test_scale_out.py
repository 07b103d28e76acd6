"""Two workers of one app id: every partition is rebuilt after a reference change.

The worker that routes a reference change asks every partition's owner to rebuild; an owner
whose replica of the reference data lags must wait for it (the control record names the
version it needs), or its rebuild finds nothing changed and the items stay stale for good.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from feedsync.stack.orchestrate import Stack
from tests.integration.pipeline import Pipeline, Worker, running_pipeline

pytestmark = pytest.mark.integration

FEEDS = ("products", "prices", "productOverrides")


@pytest.fixture(scope="module")
def two_workers(
    stack: Stack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Pipeline, Worker]]:
    tmp = tmp_path_factory.mktemp("scale-out")
    with running_pipeline(tmp, FEEDSYNC_STREAMS__FEEDS=",".join(FEEDS)) as pipeline:
        second = Worker(env=pipeline.worker.env, log_path=tmp / "worker2.log")
        second.start()
        try:
            yield pipeline, second
        finally:
            second.stop()


def scalar(sql: Any, statement: str, *args: object) -> Any:
    with sql.cursor() as cursor:
        cursor.execute(statement, args)
        row = cursor.fetchone()
        return row[0] if row else None


def test_an_option_relabel_and_a_group_rename_reach_every_partition(
    two_workers: tuple[Pipeline, Worker], sql: Any
) -> None:
    pipeline, second = two_workers
    pipeline.wait_clean(FEEDS, timeout_s=300)
    tag = uuid.uuid4().hex[:6]
    # A store-0 label of an option some product uses: products' attributes[] change.
    value_id = scalar(
        sql,
        "SELECT v.value_id FROM eav_attribute_option_value v "
        "JOIN eav_attribute_option o ON o.option_id = v.option_id "
        "JOIN catalog_product_entity_int i ON i.attribute_id = o.attribute_id "
        "AND i.value = o.option_id WHERE v.store_id = 0 ORDER BY v.value_id LIMIT 1",
    )
    assert value_id is not None
    old_code = scalar(
        sql, "SELECT customer_group_code FROM customer_group WHERE customer_group_id = 1"
    )
    with sql.cursor() as cursor:
        cursor.execute(
            "UPDATE eav_attribute_option_value SET value = %s WHERE value_id = %s",
            (f"relabelled {tag}", value_id),
        )
        # Every prices and productOverrides item of this group is re-keyed.
        cursor.execute(
            "UPDATE customer_group SET customer_group_code = %s WHERE customer_group_id = 1",
            (f"General {tag}",),
        )
    try:
        pipeline.wait_clean(FEEDS, timeout_s=240)
    finally:
        with sql.cursor() as cursor:
            cursor.execute(
                "UPDATE customer_group SET customer_group_code = %s WHERE customer_group_id = 1",
                (old_code,),
            )
    for worker in (pipeline.worker, second):
        assert worker.process is not None
        assert worker.process.poll() is None, worker.log_tail()
    pipeline.wait_clean(FEEDS, timeout_s=240)  # and back again
