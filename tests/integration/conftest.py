"""Shared real-stack fixtures: the stack is started once per session (idempotently)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connectors.database import connect
from feedsync.settings import Settings, load_settings
from feedsync.stack import up
from feedsync.stack.orchestrate import Stack


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def stack(settings: Settings) -> Stack:
    """The local stack on the small profile; `up` returns at once when it already runs."""
    return up(settings, profile="small", seed=42, say=lambda _line: None)


@pytest.fixture
def db(stack: Stack, settings: Settings) -> Iterator[Any]:
    connection = connect(settings, autocommit=True)
    try:
        yield connection
    finally:
        connection.close()
