"""Sync progress lines: started, i/n at most every interval, done with count and time."""

from __future__ import annotations

import pytest

from streams.progress import SyncProgress


def test_a_catch_up_is_logged_from_start_to_end(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    answered = {"products": 100.0}
    progress = SyncProgress(
        {"products": "app.items.products"},
        answered=lambda: answered,
        every_s=10,
        clock=lambda: now[0],
    )
    caplog.set_level("INFO", logger="feedsync.progress")
    progress.sample({"app.items.products": 0})  # idle: nothing to say
    progress.sample({"app.items.products": 900})
    for second, done, waiting in ((5, 150, 850), (12, 400, 600), (15, 500, 500)):
        now[0], answered["products"] = second, 100 + done
        progress.sample({"app.items.products": waiting})
    now[0], answered["products"] = 30, 1000
    progress.sample({"app.items.products": 0})
    assert [r.getMessage() for r in caplog.records] == [
        "products: sync started, 900 items waiting",
        "products: sync progress 400/1000 items",
        "products: sync done, 900 items in 30.0s",
    ]
    assert caplog.records[-1].status == "done"  # type: ignore[attr-defined]
