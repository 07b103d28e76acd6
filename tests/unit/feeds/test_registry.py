"""Which projectors a worker runs for the feeds it is asked for."""

from __future__ import annotations

import pytest

from feeds.reference import REFERENCE_TABLES
from feeds.registry import (
    CAPTURED_TABLES,
    FEEDS,
    PROJECTORS,
    REFERENCE_FEEDS,
    select,
    source_tables,
)
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
    assert [p.entity for p in selection.projectors] == [
        "sales_documents",
        "order_customers",
        "order_products",
        "orders",
    ]
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


def test_the_captured_tables_are_exactly_what_the_feeds_read() -> None:
    """Derived from the feeds (their projectors, the projectors feeding them, the reference
    kinds they are rebuilt on), they equal what the machinery consumes: every projector's
    tables and every reference table; nothing is captured that no feed reads."""
    consumed = frozenset().union(*(p.tables for p in PROJECTORS)) | REFERENCE_TABLES
    assert frozenset(CAPTURED_TABLES) == consumed
    assert len(CAPTURED_TABLES) == len(set(CAPTURED_TABLES))
    for feed in FEEDS:
        assert source_tables(feed) <= frozenset(CAPTURED_TABLES)


def test_a_feeds_source_tables_follow_its_projector_and_reference_kinds() -> None:
    assert "catalog_product_entity_varchar" in source_tables("products")
    assert "eav_attribute_option_value" in source_tables("products")  # options rebuild it
    assert "sales_order" not in source_tables("products")
    assert "sales_invoice" in source_tables("orders")  # forwarded by the documents projector
    assert source_tables("scopesWebsite") >= {"store_website", "store_group", "store"}
    with pytest.raises(KeyError):
        source_tables("produkts")
