"""The benchmarks' own stack: separate ports and state, so a developer stack keeps running."""

from __future__ import annotations

import os
from pathlib import Path

from feedsync.settings import Settings, load_settings


def use_private_stack(state_dir: Path) -> Settings:
    """Point this process, and the worker and receiver it starts, at a private stack."""
    os.environ.update(
        {
            "FEEDSYNC_DATABASE__PORT": "13307",
            "FEEDSYNC_KAFKA__BOOTSTRAP_SERVERS": "127.0.0.1:19092",
            "FEEDSYNC_KAFKA__CONTROLLER_PORT": "19093",
            "FEEDSYNC_KAFKA__SECURE_PORT": "19094",
            "FEEDSYNC_CONNECT__URL": "http://127.0.0.1:18083",
            "FEEDSYNC_CONNECT__CONNECTOR_NAME": "bench-mariadb",
            "FEEDSYNC_STACK__STATE_DIR": str(state_dir),
            "FEEDSYNC_STREAMS__DATA_DIR": str(state_dir / "faust"),  # the workers' RocksDB
            "FEEDSYNC_STACK__START_TIMEOUT_S": "300",
            "FEEDSYNC_RECEIVER__PORT": "18900",
            "FEEDSYNC_RECEIVER__DB_PATH": str(state_dir / "receiver.sqlite3"),
            "FEEDSYNC_DELIVERY__ENDPOINT_BASE": "http://127.0.0.1:18900/feeds",
        }
    )
    return load_settings()
