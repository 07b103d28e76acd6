"""Read what the reference receiver (``feedsync receive``) holds for a feed."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from pydantic import SecretStr

from feedsync.errors import TerminalError, TransientError
from feedsync.settings import Settings

__all__ = ["receiver_items", "receiver_url"]

DEFAULT_TIMEOUT_S = 60.0


def receiver_url(settings: Settings) -> str:
    """The receiver's base URL, ``http://{host}:{port}``, from the settings."""
    return f"http://{settings.receiver.host}:{settings.receiver.port}"


def receiver_items(
    url: str,
    feed: str,
    *,
    client: httpx.Client | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    bearer_token: SecretStr | None = None,
) -> dict[str, dict[str, Any]]:
    """itemId → the latest payload the receiver holds for ``feed``, deleted items included.

    ``bearer_token`` is the receiver's (it guards every route); ``client`` lets tests swap
    the transport. Connection failures, timeouts and 5xx become a
    ``TransientError``; any other non-2xx or a body that is not a JSON object of objects a
    ``TerminalError``.
    """
    endpoint = f"{url.rstrip('/')}/feeds/{feed}/items"
    headers = {"Authorization": f"Bearer {bearer_token.get_secret_value()}"} if bearer_token else {}
    try:
        if client is None:
            with httpx.Client(timeout=timeout_s) as own:
                response = own.get(endpoint, headers=headers)
        else:
            response = client.get(endpoint, headers=headers, timeout=timeout_s)
    except httpx.HTTPError as exc:
        raise TransientError(
            f"cannot read {endpoint}: {exc}",
            hint="start the receiver (`feedsync receive`) or fix FEEDSYNC_RECEIVER__HOST/PORT",
        ) from exc
    if response.status_code >= 500:
        raise TransientError(f"GET {endpoint} answered {response.status_code}: {response.text}")
    if not response.is_success:
        raise TerminalError(f"GET {endpoint} answered {response.status_code}: {response.text}")
    try:
        items = orjson.loads(response.content)
    except orjson.JSONDecodeError as exc:
        raise TerminalError(f"GET {endpoint} returned a body that is not JSON: {exc}") from exc
    if not isinstance(items, dict) or not all(isinstance(v, dict) for v in items.values()):
        raise TerminalError(f"GET {endpoint} did not return a JSON object of items by itemId")
    return items
