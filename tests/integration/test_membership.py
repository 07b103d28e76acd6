"""Static group membership: a worker killed and restarted under its instance id.

With ``FEEDSYNC_STREAMS__INSTANCE_ID`` the worker joins its consumer group as a static
member (Kafka's ``group.instance.id``); restarted under the same id it replaces its dead
self instead of waiting out the session timeout (measured in ``bench/restart.py``, not
here). This test checks the id reaches the group and a SIGKILLed worker comes back under
it and delivers a change.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient

from feedsync.stack.orchestrate import Stack
from tests.integration.pipeline import Pipeline, running_pipeline

pytestmark = pytest.mark.integration

FEEDS = ("scopesCustomerGroup",)


def static_members(pipeline: Pipeline) -> list[str]:
    """The group instance ids of the app's group members, once the group is stable."""
    admin = KafkaAdminClient(bootstrap_servers=pipeline.settings.kafka.bootstrap_servers)
    try:
        described = admin.describe_groups([pipeline.app_id]).get(pipeline.app_id, {})
    finally:
        admin.close()
    if described.get("group_state") != "Stable":
        return []
    return [str(_field(m, "group_instance_id")) for m in described.get("members", [])]


def _field(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, dict) else getattr(value, name, None)


def test_a_killed_worker_comes_back_under_its_instance_id(
    stack: Stack, sql: Any, tmp_path: Path
) -> None:
    instance = f"test-{uuid.uuid4().hex[:8]}"
    with running_pipeline(
        tmp_path, FEEDSYNC_STREAMS__FEEDS=",".join(FEEDS), FEEDSYNC_STREAMS__INSTANCE_ID=instance
    ) as pipeline:
        pipeline.wait_clean(FEEDS)
        pipeline.wait_until(
            lambda: static_members(pipeline) == [instance], "the worker a static member", 60
        )
        pipeline.worker.kill()
        # A new customer group: its item is the change (a group's item names it by the SHA-1
        # of its id, so renaming one changes no item).
        with sql.cursor() as cursor:
            cursor.execute(
                "INSERT INTO customer_group (customer_group_code, tax_class_id) VALUES (%s, 3)",
                (f"Member {uuid.uuid4().hex[:6]}",),
            )
            group_id = cursor.lastrowid
        began = time.time()
        pipeline.worker.start()
        pipeline.wait_until(
            lambda: bool(pipeline.receiver.received_since("scopesCustomerGroup", began)),
            "the change delivered by the restarted worker",
            120,
        )
        pipeline.wait_clean(FEEDS)
        assert static_members(pipeline) == [instance]
        with sql.cursor() as cursor:
            cursor.execute("DELETE FROM customer_group WHERE customer_group_id = %s", (group_id,))
        pipeline.wait_clean(FEEDS)
