"""``run(settings, feed)``: project the feed from MariaDB, read the receiver, compare."""

from __future__ import annotations

from connectors.database import connect
from feedsync.settings import Settings
from feedsync.verify.compare import DEFAULT_EXAMPLES, Report, compare
from feedsync.verify.projections import feed_projection, project
from feedsync.verify.receiver import receiver_items, receiver_url

__all__ = ["run"]


def run(settings: Settings, feed: str, *, examples: int = DEFAULT_EXAMPLES) -> Report:
    """Check that the receiver holds exactly what the database projects for ``feed``.

    Meaningful when the pipeline is idle (DESIGN.md, Guarantees): items still in flight show
    up as stale or missing. Raises ``ConfigError`` for a feed verify does not know, before
    touching the database.
    """
    projection = feed_projection(feed)
    connection = connect(settings)
    try:
        expected = project(connection, feed)
    finally:
        connection.close()
    # Read the receiver after the database: an item delivered in between shows as stale
    # rather than extra, and a re-run after the pipeline settles clears it either way.
    received = receiver_items(receiver_url(settings), feed)
    return compare(
        expected,
        received,
        feed=feed,
        identity=projection.identity,
        examples=examples,
        removable=projection.removable,
    )
