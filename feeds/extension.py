"""The extension point: feeds, and fields of existing feeds, that an installed package adds.

A package names a ``FeedExtension`` in the entry-point group ``feedsync.feeds`` of its
``pyproject.toml``::

    [project.entry-points."feedsync.feeds"]
    reviews = "feedsync_reviews:EXTENSION"

and every feedsync process that can import it (worker, connector registration, verify,
resync, status, dashboard) takes it in: its projectors' feeds join the registry, their
source tables join the captured tables (the connector's include list and the Debezium
user's grants), and ``feedsync verify`` checks them with the extension's own SQL
projection. Uninstalling the package takes all of that out again; the topics its feeds
used stay in Kafka, unread, until an operator deletes them.

A new feed is an ``EntityProjector`` (feeds/projector.py): the same contract, engine,
ordering and delivery guarantees as the built-in feeds. A field is a ``FieldExtension``:
a pure function of an item's payload that adds fields to it (as a Debezium SMT adds
fields to a record), applied where the item is built, so that hashes, versions and
``verify`` see it as part of the item.

This module and the ones it re-exports are the API an extension may use; nothing else of
feedsync is promised to stay.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib.metadata import entry_points
from typing import Any

from feeds.change import RowChange, SourcePosition
from feeds.feed import Feed
from feeds.projector import EntityProjector, Payload, ReferenceFeed, State
from feeds.reference import Reference, ReferenceKind
from feeds.values import rfc3339
from feedsync.errors import ConfigError

__all__ = [
    "ENTRY_POINT_GROUP",
    "EntityProjector",
    "Feed",
    "FeedExtension",
    "FieldExtension",
    "Payload",
    "Reference",
    "ReferenceKind",
    "RowChange",
    "SourcePosition",
    "State",
    "add_fields",
    "added_fields",
    "load_extensions",
    "rfc3339",
    "with_fields",
]

ENTRY_POINT_GROUP = "feedsync.feeds"

# verify's SQL projection of a feed: a pymysql cursor -> the payloads the receiver should
# hold (without ``deleted`` and ``modifiedAt``).
Projection = Callable[[Any], list[Payload]]


@dataclass(frozen=True)
class FieldExtension:
    """Fields added to every item of ``feed``: ``add(payload)`` returns them, each one of
    ``names`` (declared, so that checks of the exporter's record types can tell them from
    a mistake). It must not return a field the payload has already (an item's identity and
    the exporter's fields stay feedsync's); an item whose ``add`` raises, returns such a
    field or an undeclared one becomes a dead letter."""

    feed: str
    names: tuple[str, ...]
    add: Callable[[Payload], Mapping[str, Any]]


@dataclass(frozen=True)
class FeedExtension:
    """What one installed package adds.

    - ``projectors``: new entity kinds and the feeds built from them (their tables are
      captured; their feed and entity names must not be feedsync's own);
    - ``fields``: fields added to existing feeds (built-in or an extension's);
    - ``verify``: feed -> its SQL projection, for every feed of ``projectors``;
    - ``entity_counts``: feed -> a SQL ``COUNT(*)`` of its source entities, for every feed
      of ``projectors`` (``feedsync estimate``).
    """

    name: str
    projectors: tuple[EntityProjector, ...] = ()
    fields: tuple[FieldExtension, ...] = ()
    verify: Mapping[str, Projection] = field(default_factory=dict)
    entity_counts: Mapping[str, str] = field(default_factory=dict)

    @property
    def feeds(self) -> tuple[Feed, ...]:
        return tuple(feed for projector in self.projectors for feed in projector.feeds)


def load_extensions() -> tuple[FeedExtension, ...]:
    """Every installed extension, by name; a ``ConfigError`` naming the package at fault
    when one does not load or is not a ``FeedExtension``."""
    found: list[FeedExtension] = []
    for point in entry_points(group=ENTRY_POINT_GROUP):
        package = point.dist.name if point.dist is not None else "its package"
        hint = f"fix or uninstall {package} (pip uninstall {package})"
        try:
            extension = point.load()
        except Exception as exc:
            raise ConfigError(
                f"feed extension {point.name!r} ({point.value}) failed to load: {exc!r}",
                hint=hint,
            ) from exc
        if not isinstance(extension, FeedExtension):
            raise ConfigError(
                f"feed extension {point.name!r} ({point.value}) is a "
                f"{type(extension).__name__}, not a feeds.extension.FeedExtension",
                hint=hint,
            )
        for what, declared in (
            ("verify", extension.verify),
            ("entity_counts", extension.entity_counts),
        ):
            missing = [f.name for f in extension.feeds if f.name not in declared]
            if missing:
                raise ConfigError(
                    f"feed extension {extension.name!r} declares no {what} for "
                    f"{', '.join(missing)}",
                    hint=f"give FeedExtension.{what} an entry for each of its feeds; {hint}",
                )
        found.append(extension)
    return tuple(sorted(found, key=lambda extension: extension.name))


def with_fields(
    projectors: Sequence[EntityProjector],
    reference_feeds: Sequence[ReferenceFeed],
    fields: Sequence[FieldExtension],
) -> tuple[tuple[EntityProjector, ...], tuple[ReferenceFeed, ...]]:
    """The projectors and reference feeds, their builds adding ``fields``' fields."""
    by_feed: dict[str, list[FieldExtension]] = {}
    for extension in fields:
        by_feed.setdefault(extension.feed, []).append(extension)
    if not by_feed:
        return tuple(projectors), tuple(reference_feeds)
    known = {f.name for p in projectors for f in p.feeds} | {r.feed.name for r in reference_feeds}
    unknown = sorted(set(by_feed) - known)
    if unknown:
        raise ConfigError(
            f"a feed extension adds fields to {', '.join(unknown)}, which is no feed",
            hint=f"known feeds: {', '.join(sorted(known))}",
        )
    return (
        tuple(_projector_with(p, by_feed) for p in projectors),
        tuple(_reference_feed_with(r, by_feed) for r in reference_feeds),
    )


def added_fields(feed: str, fields: Sequence[FieldExtension]) -> frozenset[str]:
    """The names of the fields ``fields`` add to ``feed``'s items."""
    return frozenset(name for f in fields if f.feed == feed for name in f.names)


def add_fields(feed: str, payload: Payload, fields: Sequence[FieldExtension]) -> Payload:
    """``payload`` with the fields of ``fields`` added (verify applies them too)."""
    result = dict(payload)
    for extension in fields:
        if extension.feed != feed:
            continue
        added = extension.add(payload)
        taken = sorted(set(added) & set(result))
        if taken:
            raise ValueError(
                f"a field extension of feed {feed} would replace {', '.join(taken)}: "
                "an extension adds fields, it never changes one"
            )
        undeclared = sorted(set(added) - set(extension.names))
        if undeclared:
            raise ValueError(
                f"a field extension of feed {feed} adds {', '.join(undeclared)}, which it "
                f"does not declare (FieldExtension.names: {', '.join(extension.names)})"
            )
        result.update(added)
    return result


def _projector_with(
    projector: EntityProjector, by_feed: Mapping[str, list[FieldExtension]]
) -> EntityProjector:
    if not any(feed.name in by_feed for feed in projector.feeds):
        return projector
    build = projector.build

    def build_with_fields(state: State, reference: Reference) -> Mapping[str, list[Payload]]:
        return {
            feed: [add_fields(feed, payload, by_feed.get(feed, [])) for payload in payloads]
            for feed, payloads in build(state, reference).items()
        }

    return replace(projector, build=build_with_fields)


def _reference_feed_with(
    reference_feed: ReferenceFeed, by_feed: Mapping[str, list[FieldExtension]]
) -> ReferenceFeed:
    fields = by_feed.get(reference_feed.feed.name)
    if not fields:
        return reference_feed
    name, build = reference_feed.feed.name, reference_feed.build
    return replace(
        reference_feed,
        build=lambda reference: [add_fields(name, p, fields) for p in build(reference)],
    )
