"""Per-feed delivery settings: resolved and checked against the feed registry at start."""

from __future__ import annotations

import pytest

from feeds.registry import FEEDS
from feedsync.errors import ConfigError
from feedsync.settings import load_settings
from streams.deliver.sender import delivery_configs


def test_unknown_feed_in_settings_is_refused_naming_the_known_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FEEDSYNC_DELIVERY__FEEDS__PRODUKTS__BATCH_COUNT", "50")
    with pytest.raises(ConfigError, match="no feed 'produkts'") as failure:
        delivery_configs(load_settings(), FEEDS)
    assert "products" in str(failure.value)


def test_bad_per_feed_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDSYNC_DELIVERY__FEEDS__PRODUCTS__BATCH_COUNT", "0")
    with pytest.raises(ConfigError, match="FEEDSYNC_DELIVERY__FEEDS__PRODUCTS__BATCH_COUNT"):
        delivery_configs(load_settings(), FEEDS)


def test_every_feed_gets_its_url_and_its_own_batch_default() -> None:
    configs = delivery_configs(load_settings(), FEEDS)
    assert set(configs) == set(FEEDS)
    assert configs["prices"].batch_count == FEEDS["prices"].batch_count == 500
    assert configs["products"].batch_count == 100
    assert configs["orders"].url == "http://127.0.0.1:8900/feeds/orders"
