"""``feedsync estimate`` counts the items a full sync delivers, on the real stack."""

from __future__ import annotations

import json

import pytest

from tests.integration.pipeline import PIPELINE_FEEDS, Pipeline
from tests.integration.test_resync import feedsync

pytestmark = pytest.mark.integration


def test_the_estimate_counts_the_items_the_sync_delivered(feeds_pipeline: Pipeline) -> None:
    feeds_pipeline.wait_clean(PIPELINE_FEEDS)
    args = [arg for feed in PIPELINE_FEEDS for arg in ("--feed", feed)]
    code, out, err = feedsync(feeds_pipeline, "estimate", *args, "--json")
    assert code == 0, err
    report = json.loads(out)
    for feed in report["feeds"]:
        held = feeds_pipeline.receiver.items(feed["feed"])
        delivered = sum(1 for payload in held.values() if not payload.get("deleted"))
        assert feed["items"] == delivered, feed
        assert feed["entities"] > 0
        assert feed["adobe_s"] > 0
    assert report["feedsync_s"] > 0
