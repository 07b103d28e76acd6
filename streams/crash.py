"""Crash points: the moments a guarantee depends on, where the fault suite kills a worker.

Items are durable before the state that says they were sent, and an endpoint's answer is
recorded only after it came: a kill between the two must lose nothing. The fault suite
(tests/integration/test_faults.py) sets ``FEEDSYNC_STREAMS__CRASH_AT`` to one of
``POINTS`` on a worker, which then SIGKILLs itself the first time it gets there. Unset (as
in production) a crash point costs one comparison.
"""

from __future__ import annotations

import logging
import os
import signal

from feedsync.errors import ConfigError

__all__ = ["POINTS", "arm", "armed", "crash_point"]

log = logging.getLogger("feedsync.crash")
POINTS = (
    "delivered-before-recorded",  # the endpoint answered 2xx; the worker has not noted it
    "items-durable-before-state",  # the items are in Kafka; the entity records are not written
    # the records are written to the table, their changelog records not yet sent
    "state-written-before-durable",
    "state-written-before-ack",  # the records are durable; the batch is not acknowledged
    # reference rows applied and their offsets committed; the rebuilds they need not asked
    "reference-applied-before-rebuild",
)
_armed = ""


def arm(point: str) -> None:
    """Make ``crash_point(point)`` kill this process (``""`` disarms)."""
    global _armed  # noqa: PLW0603 -- one switch per process, set once at start
    if point and point not in POINTS:
        raise ConfigError(
            f"FEEDSYNC_STREAMS__CRASH_AT={point!r} names no crash point",
            hint=f"use one of {', '.join(POINTS)}, or leave it unset",
        )
    _armed = point


def armed(name: str) -> bool:
    """Whether ``crash_point(name)`` will kill (to set the moment up, e.g. commit first)."""
    return _armed == name


def crash_point(name: str) -> None:
    if _armed == name:
        log.warning("crash point %s reached: killing this worker on purpose", name)
        os.kill(os.getpid(), signal.SIGKILL)
