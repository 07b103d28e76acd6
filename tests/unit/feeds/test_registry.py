"""Which projectors a worker runs for the feeds it is asked for."""

from __future__ import annotations

import pytest

from feeds.registry import FEEDS, PROJECTORS, REFERENCE_FEEDS, select
from feedsync.errors import ConfigError
from feedsync.settings import load_settings
from streams.topology import selected


def test_no_names_select_every_feed_and_projector() -> None:
    selection = select()
    assert selection.feeds == FEEDS
    assert selection.projectors == PROJECTORS
    assert selection.reference_feeds == REFERENCE_FEEDS


def test_orders_bring_the_sales_documents_projector_that_feeds_them() -> None:
    selection = select(["orders"])
    assert list(selection.feeds) == ["orders"]
    assert [p.entity for p in selection.projectors] == ["sales_documents", "orders"]
    assert selection.reference_feeds == ()


def test_a_reference_feed_alone_needs_no_projector() -> None:
    selection = select(["categories"])
    assert selection.projectors == ()
    assert [r.feed.name for r in selection.reference_feeds] == ["categories"]


def test_an_unknown_feed_is_a_config_error_naming_the_known_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FEEDSYNC_STREAMS__FEEDS", "orders, product")
    settings = load_settings()
    assert settings.streams.feeds == ("orders", "product")
    with pytest.raises(ConfigError, match="'product'") as caught:
        selected(settings)
    assert "productAttributes" in str(caught.value.hint)
