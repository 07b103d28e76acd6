"""What a server of feedsync's (the dashboard, the receiver) may listen on."""

from __future__ import annotations

import ipaddress

from feedsync.errors import ConfigError

__all__ = ["check_bind", "is_loopback"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address, or ``localhost``) is this machine's loopback."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def check_bind(host: str, token: str | None, *, server: str, setting: str) -> None:
    """Refuse to listen beyond this machine without a token: ``server`` names what would
    listen, ``setting`` the variable that sets its token."""
    if not is_loopback(host) and not token:
        raise ConfigError(
            f"the {server} would listen on {host} without a token",
            hint=f"set {setting} (every request must then carry it), "
            "or keep the default host 127.0.0.1",
        )
