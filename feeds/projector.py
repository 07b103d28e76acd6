"""How a feed is built: from one entity's state, or from the reference data alone.

An ``EntityProjector`` owns the state of one kind of entity (a product, an order, a SKU's
stock): ``keys_of`` re-keys a source row to the entities it belongs to, ``apply`` folds the
row into the entity's state, ``build`` turns the state into the payloads of every feed the
projector serves, and ``forwards`` sends derived changes to other entities (an invoice to
its order, a product's SKU to its stock) when a join spans two entities. Forwarded changes
are ordinary ``RowChange``s whose table starts with ``@``.

A ``ReferenceFeed`` is built wholly from the reference data every worker holds (scopes,
attribute metadata, categories, permissions) and rebuilt, whole, when that data changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from feeds.change import RowChange, SourcePosition
from feeds.feed import Feed
from feeds.reference import Reference, ReferenceKind

__all__ = [
    "EntityProjector",
    "Forward",
    "Payload",
    "ReferenceFeed",
    "State",
    "fold_summary",
    "forwarded",
    "no_forwards",
    "owner_forwards",
    "summary_forwards",
]

State = dict[str, Any]
Payload = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Forward:
    """A derived change for another entity: ``change`` goes to ``key`` of ``entity``."""

    entity: str
    key: str
    change: RowChange


def no_forwards(before: State | None, after: State | None, key: str) -> list[Forward]:
    return []


@dataclass(frozen=True)
class EntityProjector:
    """The state of one kind of entity and the feeds built from it.

    - ``tables``: the source tables whose rows belong to this entity (``keys_of`` is asked
      only about these); with the reference tables, they are what feedsync captures.
    - ``keys_of(change)``: the keys of the entities a *source* row belongs to (empty if none).
    - ``apply(state, change)``: the state after one change (source or forwarded); ``None``
      when the entity is gone. Must not mutate ``state``; values must stay plain JSON.
    - ``build(state, reference)``: feed name → payloads the entity has now.
    - ``forwards(before, after, key)``: derived changes to send after ``apply``.
    - ``rebuild_on``: reference kinds whose change rebuilds every entity.
    - ``next_change(state, reference)``: when (epoch seconds) the entity's items will change
      by the clock alone (a special-price window opening), or None; the worker rebuilds the
      entity then.
    - ``forwards_to``: for a projector that builds no feed itself, the entities it feeds;
      it runs only when one of them does.
    - ``owners``: table → the columns that hold the id of the entity a row belongs to, for
      the tables an entity can be read again from by id (``feedsync resync --from-source
      --by-ids``); empty when the projector offers none.
    - ``rows_of_products``: for a projector whose entities belong to products (a gallery
      entry, a custom option, a sample): table → an SQL condition picking the rows of the
      products whose ids replace ``{ids}`` (tables it reads qualified with ``{db}``), so that
      ``feedsync resync --from-source --by-ids`` reads those rows again with the products'.
    - ``deleted_with``: the tables whose row's delete deletes the entity, every other row
      of it going too by a foreign-key cascade the binlog does not show (a product's
      ``catalog_product_entity`` row). Such a delete leaves a tombstone that holds off the
      entity's own rows from before it (see ``EntityRecord.gone``). Empty for an entity
      whose rows live independently (a SKU's source items and reservations): when its state
      empties it is not deleted, only folded in an order its topics happened to arrive in,
      and its older rows still stand.
    """

    entity: str
    feeds: tuple[Feed, ...]
    tables: frozenset[str]
    keys_of: Callable[[RowChange], Sequence[str]]
    apply: Callable[[State | None, RowChange], State | None]
    build: Callable[[State, Reference], Mapping[str, list[Payload]]]
    forwards: Callable[[State | None, State | None, str], list[Forward]] = no_forwards
    rebuild_on: frozenset[ReferenceKind] = field(default_factory=frozenset)
    next_change: Callable[[State, Reference], float | None] = lambda state, reference: None
    forwards_to: tuple[str, ...] = ()
    owners: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rows_of_products: Mapping[str, str] = field(default_factory=dict)
    deleted_with: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ReferenceFeed:
    """A feed built from reference data alone, rebuilt whole when ``kinds`` change."""

    feed: Feed
    build: Callable[[Reference], list[Payload]]
    kinds: frozenset[ReferenceKind]


def forwarded(
    table: str,
    *,
    after: dict[str, Any] | None,
    before: dict[str, Any] | None = None,
    position: SourcePosition,
    ts_ms: int = 0,
) -> RowChange:
    """A forwarded change on the pseudo-table ``table`` (``@...``): ``after`` None deletes."""
    if after is None and before is None:
        before = {}
    return RowChange(
        table=table,
        op="d" if after is None else "u",
        key={},
        before=before if after is None else None,
        after=after,
        position=position,
        ts_ms=ts_ms,
    )


def fold_summary(
    held: Mapping[str, Any] | None, change: RowChange, key_column: str
) -> dict[str, Any]:
    """A peer's forwarded summaries, by ``key_column``, with ``change`` folded in: an upsert
    replaces the summary of its key, a withdrawal (``before`` only) drops the key it names,
    so that a late withdrawal of another key cannot drop the current one."""
    summaries = dict(held or {})
    if change.after is not None:
        summaries[str(change.after[key_column])] = change.after
    elif change.before is not None:
        summaries.pop(str(change.before[key_column]), None)
    return summaries


def summary_forwards(
    entity: str,
    table: str,
    summaries: tuple[dict[str, Any] | None, dict[str, Any] | None],
    targets: tuple[set[str], set[str]],
    naming: dict[str, Any],
    *,
    position: SourcePosition,
    ts_ms: int,
) -> list[Forward]:
    """A summary's forwards on ``table`` to the ``entity`` keys that hold it: a withdrawal
    (``before`` = ``naming``, the summary's key) to each key among the old targets and not
    the new; the new summary to every new target when it changed, else to the new ones
    only. ``summaries`` and ``targets`` are (before, after)."""
    old, new = summaries
    old_targets, new_targets = targets
    withdrawal = forwarded(table, after=None, before=naming, position=position, ts_ms=ts_ms)
    forwards = [Forward(entity, k, withdrawal) for k in sorted(old_targets - new_targets, key=int)]
    if new is not None:
        to = new_targets if new != old else new_targets - old_targets
        change = forwarded(table, after=new, position=position, ts_ms=ts_ms)
        forwards += [Forward(entity, k, change) for k in sorted(to, key=int)]
    return forwards


def owner_forwards(
    entity: str,
    table: str,
    summary: Callable[[State | None, str], dict[str, Any] | None],
    owner: Callable[[State | None], set[str]],
    key_column: str,
    *,
    position_of: Callable[[State], tuple[SourcePosition, int]],
) -> Callable[[State | None, State | None, str], list[Forward]]:
    """The ``forwards`` of a child entity with one owner (a sample's product, a custom
    option's product): its ``summary`` (None before its own row arrived) on ``table`` to the
    ``entity`` key ``owner`` names when it changed or the owner is new; a withdrawal naming
    it by ``key_column`` to an owner it left, or had before it was deleted. The forwards
    carry the position of the newest change the state saw (``position_of``)."""

    def forwards(before: State | None, after: State | None, key: str) -> list[Forward]:
        source = after if after is not None else before
        if source is None:
            return []
        position, ts_ms = position_of(source)
        return summary_forwards(
            entity,
            table,
            (summary(before, key), summary(after, key)),
            (owner(before), owner(after)),
            {key_column: key},
            position=position,
            ts_ms=ts_ms,
        )

    return forwards
