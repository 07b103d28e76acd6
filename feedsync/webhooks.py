"""Standard Webhooks signing (https://www.standardwebhooks.com): HMAC-SHA256, ``v1,<b64>``.

The signed content is ``<webhook-id>.<webhook-timestamp>.<body>`` where body is the
uncompressed JSON; receivers verify after decoding gzip. Secrets in the
``whsec_<base64>`` form are base64-decoded, others used as raw bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from pydantic import SecretStr

__all__ = ["check_secret", "sign", "verify"]


def sign(secret: SecretStr, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value for one message."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret: SecretStr, message_id: str, timestamp: int, body: bytes, header: str) -> bool:
    """True when any space-separated ``v1,`` signature in ``header`` matches."""
    expected = sign(secret, message_id, timestamp, body)
    return any(hmac.compare_digest(candidate, expected) for candidate in header.split())


def check_secret(secret: SecretStr) -> None:
    """Raise ``ValueError`` (never showing the secret) if it cannot sign anything."""
    try:
        key = _key(secret)
    except (binascii.Error, ValueError):
        raise ValueError("a whsec_ secret must be base64 after its prefix") from None
    if not key:
        raise ValueError("the secret is empty")


def _key(secret: SecretStr) -> bytes:
    raw = secret.get_secret_value()
    if raw.startswith("whsec_"):
        return base64.b64decode(raw.removeprefix("whsec_"), validate=True)
    return raw.encode()
