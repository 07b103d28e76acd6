"""The dashboard's bind rule (the server itself is tested on the real stack:
tests/integration/test_dashboard.py)."""

from __future__ import annotations

import pytest

from feedsync.dashboard.server import check_bind
from feedsync.errors import ConfigError


def test_loopback_needs_no_token_and_another_address_does() -> None:
    check_bind("127.0.0.1", None)
    check_bind("::1", None)
    check_bind("localhost", None)
    check_bind("0.0.0.0", "a-token")
    with pytest.raises(ConfigError, match="without a token"):
        check_bind("0.0.0.0", None)
