"""When feedsync status calls a feed unhealthy."""

from __future__ import annotations

from feedsync.ops.health import FeedHealth, Health


def test_a_paused_feed_items_needing_attention_and_a_backlog_are_problems() -> None:
    fine = FeedHealth("products", states={"delivered": 10}, backlog={"items": 3})
    assert fine.problems(max_lag=1000) == []
    paused = FeedHealth("products", paused="credentials refused")
    assert paused.problems(1000) == ["paused: credentials refused"]
    parked = FeedHealth("prices", states={"needs_attention": 2})
    assert parked.problems(1000) == ["2 items need attention"]
    behind = FeedHealth("orders", backlog={"items": 1001})
    assert behind.problems(1000) == ["1001 items not delivered yet (over 1000)"]


def test_the_whole_is_healthy_only_when_every_feed_and_stage_is() -> None:
    fine = FeedHealth("products", states={"delivered": 10})
    assert Health([fine], {"source": 0, "entity": 5}, max_lag=1000).healthy
    assert not Health([fine], {"source": 5000, "entity": 0}, max_lag=1000).healthy
    assert not Health([fine, FeedHealth("x", paused="p")], {}, max_lag=1000).healthy
