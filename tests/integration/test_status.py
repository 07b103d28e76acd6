"""``feedsync status`` on the real stack: delivery states, backlogs, and a paused feed."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.integration.pipeline import Pipeline
from tests.integration.test_faults import rename
from tests.integration.test_resync import feedsync

pytestmark = pytest.mark.integration


def status(pipeline: Pipeline) -> tuple[int, dict[str, Any]]:
    code, out, err = feedsync(pipeline, "status", "--feed", "products", "--json")
    assert out.strip(), err
    report: dict[str, Any] = json.loads(out)
    return code, report


def test_status_counts_what_the_endpoint_holds_and_names_a_paused_feed(
    ops_pipeline: Pipeline, sql: Any
) -> None:
    code, report = status(ops_pipeline)
    assert code == 0, report
    (products,) = report["feeds"]
    held = ops_pipeline.receiver.items("products")
    answered = products["states"].get("delivered", 0) + products["states"].get("unchanged", 0)
    assert answered == len(held)
    assert products["last_delivered"] is not None
    assert products["problems"] == []

    ops_pipeline.receiver.set_faults([{"status": 401, "feed": "products"}])
    try:
        items = [p for p in held.values() if not p.get("deleted")]
        rename(sql, int(items[0]["productId"]), f"paused {uuid.uuid4().hex[:6]}")

        def paused() -> bool:
            code, report = status(ops_pipeline)
            return code == 1 and bool(report["feeds"][0]["paused"])

        ops_pipeline.wait_until(paused, "the feed reported paused")
        _code, report = status(ops_pipeline)
        assert "credentials" in report["feeds"][0]["paused"]

        # the paused feed holds its batch: the items stage falls behind, in messages and
        # in seconds (the age of the oldest item waiting), while the stages upstream don't
        def held_back() -> bool:
            _code, report = status(ops_pipeline)
            feed = report["feeds"][0]
            return feed["backlog"]["items"] >= 1 and feed["behind_s"]["items"] >= 2.0

        ops_pipeline.wait_until(held_back, "the paused feed's items 2 s behind")
        _code, report = status(ops_pipeline)
        assert set(report["behind_s"]) == {"source", "entity"}
    finally:
        ops_pipeline.receiver.set_faults([])
    ops_pipeline.wait_until(lambda: status(ops_pipeline)[0] == 0, "the feed healthy again")
