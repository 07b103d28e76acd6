"""Connections to the Magento database, as feedsync's own user (never Debezium's)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pymysql

from feedsync.errors import TransientError
from feedsync.settings import Settings

if TYPE_CHECKING:
    # The stubs make Connection generic; the runtime class is not subscriptable.
    Connection = pymysql.connections.Connection[Any]


def connect(
    settings: Settings, *, local_infile: bool = False, autocommit: bool = False
) -> Connection:
    """Open a connection to the Magento database named by the settings."""
    db = settings.database
    try:
        return pymysql.connect(
            host=db.host,
            port=db.port,
            user=db.user,
            password=db.password.get_secret_value(),
            database=db.name,
            charset="utf8mb4",
            local_infile=local_infile,
            autocommit=autocommit,
            connect_timeout=10,
        )
    except pymysql.err.OperationalError as exc:
        msg = f"cannot connect to MariaDB at {db.host}:{db.port} as {db.user!r}: {exc.args[-1]}"
        raise TransientError(
            msg, hint="start the stack (`feedsync stack up`) or fix FEEDSYNC_DATABASE__*"
        ) from exc
