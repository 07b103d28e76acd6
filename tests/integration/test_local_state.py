"""The state tables on local disk (streams/store.py): what a worker holds there never
runs ahead of Kafka's changelog.

A worker killed after writing an entity's record to its table, before the record's
changelog record was sent, must not keep the record on disk: faust's own RocksDB store
would, and the restarted worker, processing the same change again on that record, would
find nothing to write; the changelog would lack the change for good, and a worker that
later takes the partition with nothing on disk (a new pod, a partition moved) would build
the product from stale state at its next change.
"""

from __future__ import annotations

import signal
import time
import uuid
from pathlib import Path
from typing import Any

from feedsync.stack.orchestrate import Stack
from streams.topology import kafka_cluster_id
from tests.integration.catalog_mutations import NAME
from tests.integration.faults import worker_exit
from tests.integration.pipeline import Worker, static_member_pipeline

FEEDS = ("products",)
CONVERGE_S = 300


def test_state_on_disk_never_runs_ahead_of_the_changelog(
    stack: Stack, sql: Any, tmp_path: Path
) -> None:
    with static_member_pipeline(tmp_path, FEEDS, timeout_s=CONVERGE_S) as pipeline:
        instance = pipeline.settings.streams.instance_id
        cluster = f"cluster-{kafka_cluster_id(pipeline.settings)}"
        slot = pipeline.settings.streams.data_dir / pipeline.app_id / cluster / instance
        assert any(slot.glob("**/*.db")), f"no RocksDB database under {slot}"
        with sql.cursor() as cursor:
            cursor.execute("SELECT MIN(entity_id) FROM catalog_product_entity")
            (product,) = cursor.fetchone()

        # Killed once it has written the renamed product's record, before Kafka has it.
        pipeline.worker.stop()
        pipeline.worker.env["FEEDSYNC_STREAMS__CRASH_AT"] = "state-written-before-durable"
        pipeline.worker.start()
        _update(
            sql,
            "UPDATE catalog_product_entity_varchar SET value = %s "
            "WHERE entity_id = %s AND attribute_id = %s AND store_id = 0",
            f"Renamed {uuid.uuid4().hex[:6]}",
            product,
            NAME,
        )
        assert worker_exit(pipeline, timeout_s=CONVERGE_S) == -signal.SIGKILL, (
            pipeline.worker.log_tail()
        )
        pipeline.worker.env.pop("FEEDSYNC_STREAMS__CRASH_AT")
        pipeline.worker.start()  # the same directory: its disk, then the changelog after it
        pipeline.wait_clean(FEEDS, timeout_s=CONVERGE_S)
        pipeline.worker.stop()

        # The same member with nothing on disk: the product's state is the changelog's.
        fresh_dir = tmp_path / "fresh-data"
        fresh = Worker(
            env={**pipeline.worker.env, "FEEDSYNC_STREAMS__DATA_DIR": str(fresh_dir)},
            log_path=tmp_path / "fresh.log",
        )
        pipeline.worker = fresh  # (stopped below: the pipeline stops the worker it started)
        _update(  # its items are built again, with the name the state holds
            sql,
            "UPDATE catalog_product_entity SET updated_at = NOW() WHERE entity_id = %s",
            product,
        )
        began = time.time()
        fresh.start()
        try:
            pipeline.wait_until(
                lambda: bool(pipeline.receiver.received_since("products", began)),
                "the product delivered by the fresh worker",
                CONVERGE_S,
            )
            pipeline.wait_clean(FEEDS, timeout_s=CONVERGE_S)
        finally:
            fresh.stop()
        assert any(fresh_dir.glob("**/*.db"))


def _update(sql: Any, statement: str, *args: object) -> None:
    with sql.cursor() as cursor:
        assert cursor.execute(statement, args) == 1, statement
