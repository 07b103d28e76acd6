"""What an HTTP response means for a batch (DESIGN.md, "Response handling"), as error
classes that decide what happens next:

| response                               | error               | class     | action          |
|----------------------------------------|---------------------|-----------|-----------------|
| 2xx                                    | none                |           | done            |
| 400 / 422 / other 4xx; items 2xx lists | EndpointRejected    | terminal  | park            |
| 401 / 403                              | CredentialsRefused  | config    | pause           |
| 413                                    | PayloadTooLarge     | terminal  | halve; park one |
| 408 / 425 / 429 / 5xx / timeout / down | EndpointUnavailable | transient | retry, park     |

*Park* writes a dead letter (``feedsync.dlq.<feed>``); *pause* keeps the batch and tries
again every ``FEEDSYNC_STREAMS__PAUSE_RETRY_S``.
"""

from __future__ import annotations

import email.utils
import time

from feedsync.errors import ConfigError, FeedsyncError, TerminalError, TransientError

__all__ = [
    "CredentialsRefused",
    "EndpointRejected",
    "EndpointUnavailable",
    "PayloadTooLarge",
    "error_for_status",
    "parse_retry_after",
]


class EndpointUnavailable(TransientError):
    """The endpoint could not take the batch now (busy, down, slow): try again later."""

    code = "FS102"


class EndpointRejected(TerminalError):
    """The endpoint refused the content: resending it unchanged will fail again."""

    code = "FS203"


class PayloadTooLarge(TerminalError):
    """The batch is larger than the endpoint accepts: send it in halves."""

    code = "FS204"


class CredentialsRefused(ConfigError):
    """The endpoint refused our credentials: nothing of this feed can go until they change."""

    code = "FS301"


class EndpointUntrusted(ConfigError):
    """The endpoint's TLS certificate is not trusted: nothing of this feed can go until it
    is (its CA configured, or its certificate fixed)."""

    code = "FS303"


def error_for_status(status: int, feed: str, what: str) -> FeedsyncError | None:
    """The error an HTTP status means for ``feed`` (None for a 2xx); ``what`` describes
    the response for the message (status, request id)."""
    if 200 <= status < 300:
        return None
    if status in (401, 403):
        return CredentialsRefused(
            f"feed {feed} paused: the endpoint refused our credentials ({what})",
            hint=(
                f"set FEEDSYNC_DELIVERY__FEEDS__{feed.upper()}__BEARER_TOKEN (or __WEBHOOK_SECRET, "
                "or FEEDSYNC_DELIVERY__DEFAULTS__* for every feed) and restart the worker; "
                "it also retries every FEEDSYNC_STREAMS__PAUSE_RETRY_S"
            ),
        )
    if status == 413:
        return PayloadTooLarge(f"the endpoint found the batch too large ({what})")
    if status in (408, 425, 429) or status >= 500:
        return EndpointUnavailable(f"the endpoint is unavailable ({what})")
    if 400 <= status < 500:
        return EndpointRejected(f"the endpoint rejected the batch ({what})")
    # 1xx/3xx we did not follow: try again rather than drop.
    return EndpointUnavailable(f"unexpected answer ({what})")


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)
