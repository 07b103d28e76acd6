"""Unit tests read no environment: settings come from defaults and what each test sets.

A developer (or CI) running the tests against a stack on other ports exports FEEDSYNC_*
variables; without this, a test asserting a default would read them instead.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _no_feedsync_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("FEEDSYNC_")]:
        monkeypatch.delenv(name)
