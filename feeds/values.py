"""Column values as items carry them: DECIMALs as MariaDB prints them, TIMESTAMPs as RFC 3339,
customer groups by the exporter's code."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["customer_group_code", "decimal_text", "rfc3339", "utc_text_of_ms"]


def decimal_text(value: Decimal, scale: int = 4) -> str:
    """``value`` as MariaDB prints a DECIMAL of that scale: rounded half away from zero,
    every fractional digit written, and no negative zero."""
    quantized = value.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    if quantized.is_zero():
        quantized = abs(quantized)
    return f"{quantized:f}"


def rfc3339(value: Any) -> str | None:
    """A TIMESTAMP column as RFC 3339 UTC. Debezium sends TIMESTAMP as ISO-8601 UTC
    (``2026-01-01T00:00:00Z``), with a fraction (``.000``) the column does not have, which is
    dropped; DATETIME columns arrive as epoch milliseconds and are not for this function."""
    if value is None:
        return None
    text = str(value)
    if "." in text:
        text = text.split(".", 1)[0] + "Z"
    return text


def utc_text_of_ms(ms: int | None) -> str | None:
    """Epoch milliseconds (a change's binlog commit time) as RFC 3339 UTC to the second;
    None for none (0)."""
    if not ms:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def customer_group_code(group_id: Any) -> str:
    """The code a customer group goes by in every feed: the SHA-1 of its id's decimal
    digits, as the exporter names groups (``sha1(customer_group_id)``) so that a service
    joins prices, overrides and permissions to scopesCustomerGroup by one key."""
    return hashlib.sha1(str(int(group_id)).encode(), usedforsecurity=False).hexdigest()
