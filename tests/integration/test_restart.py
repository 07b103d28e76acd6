"""A restarted worker takes up where it stopped: it rebuilds nothing unless a reference
change still owes a rebuild, and one that does is rebuilt even when the worker was killed
after applying the change and committing it, before asking for the rebuild.

Until now every start rebuilt every entity, to cover that kill: minutes of work on the
medium profile, ahead of the changes that waited (bench/RESULTS.md, "Resume").
"""

from __future__ import annotations

import signal
import uuid
from pathlib import Path
from typing import Any

from feedsync.stack.orchestrate import Stack
from tests.integration.faults import worker_exit
from tests.integration.pipeline import Pipeline, static_member_pipeline

FEEDS = ("products",)
CONVERGE_S = 300
UP_TO_DATE = "reference stage taken: its rebuilds are up to date"
OWED = "reference stage taken: its rebuilds lag behind it, rebuilding all"


def test_a_restart_rebuilds_only_what_a_reference_change_still_owes(
    stack: Stack, sql: Any, tmp_path: Path
) -> None:
    with static_member_pipeline(tmp_path, FEEDS, timeout_s=CONVERGE_S) as pipeline:
        # A plain restart: the rebuilds of the first sync's reference rows are on record.
        pipeline.worker.stop()
        start = _log_size(pipeline)
        pipeline.worker.start()
        _wait_for_owner_check(pipeline, start)
        assert UP_TO_DATE in _log_since(pipeline, start)

        # Killed once an option's new label is applied and committed, before the rebuild
        # of the products that show it is asked for.
        pipeline.worker.stop()
        pipeline.worker.env["FEEDSYNC_STREAMS__CRASH_AT"] = "reference-applied-before-rebuild"
        pipeline.worker.start()
        _relabel_an_option_products_show(sql)
        assert worker_exit(pipeline, timeout_s=CONVERGE_S) == -signal.SIGKILL, (
            pipeline.worker.log_tail()
        )
        pipeline.worker.env.pop("FEEDSYNC_STREAMS__CRASH_AT")
        start = _log_size(pipeline)
        pipeline.worker.start()
        _wait_for_owner_check(pipeline, start)
        assert OWED in _log_since(pipeline, start)
        pipeline.wait_clean(FEEDS, timeout_s=CONVERGE_S)  # every product shows the new label


def _relabel_an_option_products_show(sql: Any) -> None:
    with sql.cursor() as cursor:
        cursor.execute(
            "SELECT v.value_id FROM eav_attribute_option_value v "
            "JOIN eav_attribute_option o ON o.option_id = v.option_id "
            "JOIN eav_attribute a ON a.attribute_id = o.attribute_id "
            "JOIN catalog_product_entity_int i "
            "  ON i.attribute_id = a.attribute_id AND i.value = o.option_id "
            "WHERE a.is_user_defined = 1 AND v.store_id = 0 ORDER BY v.value_id LIMIT 1"
        )
        (value_id,) = cursor.fetchone()
        label = f"Relabelled {uuid.uuid4().hex[:6]}"
        statement = "UPDATE eav_attribute_option_value SET value = %s WHERE value_id = %s"
        assert cursor.execute(statement, (label, value_id)) == 1


def _log_size(pipeline: Pipeline) -> int:
    return pipeline.worker.log_path.stat().st_size


def _log_since(pipeline: Pipeline, offset: int) -> str:
    with pipeline.worker.log_path.open("rb") as log:
        log.seek(offset)
        return log.read().decode(errors="replace")


def _wait_for_owner_check(pipeline: Pipeline, offset: int) -> None:
    pipeline.wait_until(
        lambda: "reference stage taken" in _log_since(pipeline, offset),
        "the restarted worker's check of the reference stage",
        CONVERGE_S,
    )
