"""Per-feed delivery settings: resolved and checked against the feed registry at start."""

from __future__ import annotations

from pathlib import Path

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


@pytest.mark.parametrize(
    ("url", "allow_loopback", "refused"),
    [
        ("https://search.example.com/feeds/products", False, None),
        ("http://search.example.com/feeds/products", False, "plain http"),
        ("http://search.example.com/feeds/products", True, "plain http"),  # never beyond
        ("http://127.0.0.1:8900/feeds/products", False, "plain http"),
        ("http://127.0.0.1:8900/feeds/products", True, None),
        ("http://localhost:8900/feeds/products", True, None),
        ("ftp://search.example.com/products", False, "not an http"),
    ],
)
def test_credentials_go_over_https_only_but_to_loopback_when_allowed(
    monkeypatch: pytest.MonkeyPatch, url: str, allow_loopback: bool, refused: str | None
) -> None:
    monkeypatch.setenv("FEEDSYNC_DELIVERY__FEEDS__PRODUCTS__URL", url)
    monkeypatch.setenv("FEEDSYNC_DELIVERY__FEEDS__PRODUCTS__BEARER_TOKEN", "t0ken")
    monkeypatch.setenv("FEEDSYNC_DELIVERY__ALLOW_PLAIN_HTTP_LOOPBACK", str(allow_loopback))
    if refused is None:
        assert delivery_configs(load_settings(), FEEDS)["products"].url == url
        return
    with pytest.raises(ConfigError, match=refused) as failure:
        delivery_configs(load_settings(), FEEDS)
    assert "t0ken" not in str(failure.value)


def test_without_credentials_plain_http_is_fine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDSYNC_DELIVERY__FEEDS__PRODUCTS__URL", "http://search.internal/p")
    assert delivery_configs(load_settings(), FEEDS)["products"].url == "http://search.internal/p"


def test_a_ca_bundle_that_is_not_a_file_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FEEDSYNC_DELIVERY__CA_BUNDLE", str(tmp_path / "missing.pem"))
    with pytest.raises(ConfigError, match="FEEDSYNC_DELIVERY__CA_BUNDLE"):
        delivery_configs(load_settings(), FEEDS)
