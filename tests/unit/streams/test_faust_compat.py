"""The one private faust hook feedsync uses: table writes belong to a given event."""

from __future__ import annotations

from faust.streams import current_event
from faust.tables import base as faust_tables

from streams.faust_compat import in_event


class Event:
    """Any object: faust keeps a weak reference to the current event."""


def test_in_event_makes_the_event_current_and_restores_the_previous_one() -> None:
    outer, inner = Event(), Event()
    assert current_event() is None
    with in_event(outer):
        assert current_event() is outer
        with in_event(inner):
            assert current_event() is inner
        assert current_event() is outer
    assert current_event() is None


def test_tables_read_the_same_current_event() -> None:
    """faust's tables find the partition of a write through ``current_event()``; if faust
    moves that lookup, this fails before any worker writes a table without a partition."""
    assert faust_tables.current_event is current_event
    with in_event(Event()):
        assert faust_tables.current_event() is not None
