"""Every feed feedsync knows, by name, and how each is built."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from feeds.attributes import PRODUCT_ATTRIBUTES_FEED
from feeds.catalog import CATALOG_PROJECTOR
from feeds.categories import CATEGORIES_FEED
from feeds.custom_options import CUSTOM_OPTION_PROJECTOR, CUSTOM_OPTION_VALUE_PROJECTOR
from feeds.downloadable import SAMPLES_PROJECTOR
from feeds.downloadable_links import LINKS_PROJECTOR
from feeds.extension import FeedExtension, load_extensions, with_fields
from feeds.feed import Feed
from feeds.grouped import GROUPED_LINKS_PROJECTOR
from feeds.media import MEDIA_PROJECTOR
from feeds.order_references import ORDER_CUSTOMER_PROJECTOR, ORDER_PRODUCT_PROJECTOR
from feeds.orders import ORDER_PROJECTOR, SALES_DOCUMENT_PROJECTOR
from feeds.permissions import CATEGORY_PERMISSIONS_FEED
from feeds.projector import EntityProjector, ReferenceFeed
from feeds.reference import ReferenceKind, reference_tables
from feeds.scopes import (
    SCOPES_CUSTOMER_GROUP,
    SCOPES_WEBSITE,
    build_customer_groups,
    build_websites,
)
from feeds.stock import STOCK_ITEM_PROJECTOR, STOCK_PROJECTOR
from feedsync.errors import ConfigError

__all__ = [
    "BUILTIN_CAPTURED_TABLES",
    "BUILTIN_FEEDS",
    "CAPTURED_TABLES",
    "EXTENSIONS",
    "FEEDS",
    "PROJECTORS",
    "REFERENCE_FEEDS",
    "Selection",
    "select",
    "source_tables",
]

BUILTIN_PROJECTORS: tuple[EntityProjector, ...] = (
    CATALOG_PROJECTOR,
    MEDIA_PROJECTOR,
    SAMPLES_PROJECTOR,
    GROUPED_LINKS_PROJECTOR,
    LINKS_PROJECTOR,
    CUSTOM_OPTION_PROJECTOR,
    CUSTOM_OPTION_VALUE_PROJECTOR,
    STOCK_ITEM_PROJECTOR,
    STOCK_PROJECTOR,
    SALES_DOCUMENT_PROJECTOR,
    ORDER_CUSTOMER_PROJECTOR,
    ORDER_PRODUCT_PROJECTOR,
    ORDER_PROJECTOR,
)

BUILTIN_REFERENCE_FEEDS: tuple[ReferenceFeed, ...] = (
    ReferenceFeed(SCOPES_WEBSITE, build_websites, frozenset({ReferenceKind.SCOPES})),
    ReferenceFeed(
        SCOPES_CUSTOMER_GROUP,
        build_customer_groups,
        frozenset({ReferenceKind.SCOPES, ReferenceKind.CUSTOMER_GROUPS}),
    ),
    PRODUCT_ATTRIBUTES_FEED,
    CATEGORIES_FEED,
    CATEGORY_PERMISSIONS_FEED,
)

BUILTIN_FEEDS: frozenset[str] = frozenset(
    feed.name
    for feed in (
        *(reference_feed.feed for reference_feed in BUILTIN_REFERENCE_FEEDS),
        *(feed for projector in BUILTIN_PROJECTORS for feed in projector.feeds),
    )
)
"""feedsync's own feeds: the exporter's (the others come from installed extensions)."""

EXTENSIONS: tuple[FeedExtension, ...] = load_extensions()
"""The installed packages' feeds and fields (feeds/extension.py)."""


def _with_extensions() -> tuple[tuple[EntityProjector, ...], tuple[ReferenceFeed, ...]]:
    """The built-in projectors and reference feeds, the extensions' projectors added, every
    build adding the extensions' fields; a ``ConfigError`` for a name taken twice."""
    projectors = list(BUILTIN_PROJECTORS)
    feeds = set(BUILTIN_FEEDS)
    for extension in EXTENSIONS:
        for projector in extension.projectors:
            clash = {p.entity for p in projectors} & {projector.entity}
            clash |= feeds & {feed.name for feed in projector.feeds}
            if clash:
                raise ConfigError(
                    f"feed extension {extension.name!r} declares {', '.join(sorted(clash))}, "
                    "which another feed or entity already has",
                    hint="rename it in the extension, or uninstall one of the packages",
                )
            projectors.append(projector)
            feeds |= {feed.name for feed in projector.feeds}
    fields = [field for extension in EXTENSIONS for field in extension.fields]
    return with_fields(projectors, BUILTIN_REFERENCE_FEEDS, fields)


PROJECTORS, REFERENCE_FEEDS = _with_extensions()
"""Feeds built from an entity's state, one projector (and state table) per entity kind;
and feeds built from the reference data alone."""

FEEDS: dict[str, Feed] = {
    feed.name: feed
    for feed in (
        *(reference_feed.feed for reference_feed in REFERENCE_FEEDS),
        *(feed for projector in PROJECTORS for feed in projector.feeds),
    )
}


def source_tables(feed: str) -> frozenset[str]:
    """The captured tables whose changes can change ``feed``'s items: its projector's own
    tables, those of the projectors that forward to it, and the reference data it is
    rebuilt on. Raises ``KeyError`` for an unknown feed."""
    for reference_feed in REFERENCE_FEEDS:
        if reference_feed.feed.name == feed:
            return reference_tables(reference_feed.kinds)
    for projector in PROJECTORS:
        if any(declared.name == feed for declared in projector.feeds):
            feeding = [p for p in PROJECTORS if p.entity in _feeders({projector.entity})]
            return frozenset(
                projector.tables.union(*(p.tables for p in feeding))
                | reference_tables(projector.rebuild_on)
            )
    raise KeyError(feed)


def _feeders(entities: set[str]) -> set[str]:
    """``entities`` and every entity whose projector forwards to one of them, directly or
    through others (a source item reaches a product through its SKU's stock)."""
    found = set(entities)
    while True:
        more = {p.entity for p in PROJECTORS if found & set(p.forwards_to)} - found
        if not more:
            return found
        found |= more


CAPTURED_TABLES: tuple[str, ...] = tuple(sorted(frozenset().union(*map(source_tables, FEEDS))))
"""The tables Debezium captures: every table some feed reads, and nothing else."""

BUILTIN_CAPTURED_TABLES: tuple[str, ...] = tuple(
    sorted(frozenset().union(*map(source_tables, BUILTIN_FEEDS)))
)
"""The tables feedsync's own feeds read (the production manifests' include list)."""


@dataclass(frozen=True)
class Selection:
    """The feeds one worker runs, and the projectors they need."""

    feeds: dict[str, Feed]
    projectors: tuple[EntityProjector, ...]
    reference_feeds: tuple[ReferenceFeed, ...]


def select(names: Sequence[str] = ()) -> Selection:
    """The feeds named (all when none are), with every projector they depend on.

    Raises ``KeyError`` naming the first unknown feed; callers turn it into a config error.
    """
    wanted = set(names) if names else set(FEEDS)
    for name in wanted:
        if name not in FEEDS:
            raise KeyError(name)
    building = {p.entity for p in PROJECTORS if any(f.name in wanted for f in p.feeds)}
    needed = _feeders(building)  # with those that forward to them (their feeds not sent)
    return Selection(
        feeds={name: feed for name, feed in FEEDS.items() if name in wanted},
        projectors=tuple(p for p in PROJECTORS if p.entity in needed),
        reference_feeds=tuple(r for r in REFERENCE_FEEDS if r.feed.name in wanted),
    )
