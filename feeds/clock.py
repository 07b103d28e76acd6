"""The one clock the builds read: the wall clock, moved by a fixed offset the settings give.

Prices change by the clock alone (a special-price window opening, a website's day turning
for its catalog-rule prices). The builds, the clock-driven rebuilds of the workers and
``feedsync verify`` all read it here, so a test or a demo can move every one of them to just
before a website's midnight at once (``FEEDSYNC_STREAMS__CLOCK_OFFSET_S``). Production
leaves the offset at 0.
"""

from __future__ import annotations

import time

__all__ = ["now", "set_offset"]

_offset_s = 0.0


def now() -> float:
    """The current time in epoch seconds, offset as the settings say."""
    return time.time() + _offset_s


def set_offset(seconds: float) -> None:
    """Move the clock of this process by ``seconds`` from the wall clock (once, at start)."""
    global _offset_s  # noqa: PLW0603 -- one clock per process, set from the settings
    _offset_s = seconds
