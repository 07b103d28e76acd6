"""Table writes from batching agents: one of the two places feedsync reaches into
faust-streaming internals (streams/offsets.py, for offset commits, is the other), and why.

Faust writes a table key to the changelog partition of the *current event*: the event
the stream is processing. Batching agents (``noack_take``) process events after the
stream moved on, when there is no current event, and faust refuses the write
("Cannot modify table key from outside of stream iteration"). Faust has no public way
to say "this write belongs to that event", so ``in_event`` sets the context variable
faust itself reads (``faust.streams._current_event``, stable since faust 1.x).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from faust import streams as faust_streams

__all__ = ["in_event"]

_CURRENT_EVENT = vars(faust_streams)["_current_event"]


@contextmanager
def in_event(event: Any) -> Iterator[None]:
    """Make table writes inside the block belong to ``event``'s partition."""
    token = _CURRENT_EVENT.set(weakref.ref(event))
    try:
        yield
    finally:
        _CURRENT_EVENT.reset(token)
