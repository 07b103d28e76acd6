"""What an HTTP response means for a batch (DESIGN.md, "Response handling").

- 2xx: done; record hashes, ack.
- 400 / 422 (and other 4xx): terminal; dead-letter as *needs attention*.
- 401 / 403: terminal for the feed's configuration; pause the feed, keep the batch.
- 413: split; halve the batch and resend.
- 408 / 425 / 429 / 5xx / timeout / connection error: transient; back off and retry,
  then dead-letter as *will retry*.
"""

from __future__ import annotations

import email.utils
import time
from enum import Enum

__all__ = ["Outcome", "classify_status", "parse_retry_after"]


class Outcome(Enum):
    DELIVERED = "delivered"
    REJECTED = "rejected"  # terminal: the receiver will refuse this content again
    PAUSE = "pause"  # terminal for the feed's configuration: credentials
    SPLIT = "split"  # too large: halve and resend
    RETRY = "retry"  # transient


def classify_status(status: int) -> Outcome:
    """The outcome of an HTTP status code. Unknown 4xx are terminal; anything else retries."""
    if 200 <= status < 300:
        return Outcome.DELIVERED
    if status in (401, 403):
        return Outcome.PAUSE
    if status == 413:
        return Outcome.SPLIT
    if status in (408, 425, 429) or status >= 500:
        return Outcome.RETRY
    if 400 <= status < 500:
        return Outcome.REJECTED
    return Outcome.RETRY  # 1xx/3xx we did not follow: try again rather than drop


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
