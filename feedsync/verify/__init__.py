"""``feedsync verify``: an independent SQL projection compared with what the receiver holds.

The stream workers build feed items from change events; this package builds the same items
straight from MariaDB with set-based SQL and compares them with the receiver's state, so a
bug on either side shows up as a discrepancy (DESIGN.md, Guarantees).
"""

from __future__ import annotations

from feedsync.verify.compare import Discrepancy, Findings, Report, compare
from feedsync.verify.projections import FEEDS, FeedProjection, feed_projection, project
from feedsync.verify.receiver import receiver_items, receiver_url
from feedsync.verify.runner import run

__all__ = [
    "FEEDS",
    "Discrepancy",
    "FeedProjection",
    "Findings",
    "Report",
    "compare",
    "feed_projection",
    "project",
    "receiver_items",
    "receiver_url",
    "run",
]
