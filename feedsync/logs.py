"""JSON-lines logging, and redaction of personal data in logged payloads.

Every process logs one JSON object per line: ``ts``, ``level``, ``logger``, ``message``,
plus the context fields DESIGN.md names when a record carries them (``feed``,
``operation``, ``status``, ``elapsed``, ``request_id``, ``items``). Payloads are logged
only when ``FEEDSYNC_LOG_PAYLOADS=1``, and always through ``redact``.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Any

import orjson

__all__ = ["CONTEXT_FIELDS", "JsonFormatter", "logging_config", "redact"]

CONTEXT_FIELDS = (
    "feed",
    "operation",
    "status",
    "elapsed",
    "request_id",
    "items",
    "error_code",
    "payloads",
)
REDACTED = "[redacted]"
# Keys whose values identify a person (orders, addresses, customers), compared lowercased.
PERSONAL_KEYS = frozenset(
    {
        "email",
        "customeremail",
        "customer_email",
        "firstname",
        "lastname",
        "middlename",
        "customerfirstname",
        "customerlastname",
        "customer_firstname",
        "customer_lastname",
        "name_on_card",
        "street",
        "multilinestreet",
        "city",
        "postcode",
        "region",
        "telephone",
        "phone",
        "fax",
        "company",
        "vatid",
        "vat_id",
        "remoteip",
        "remote_ip",
        "x_forwarded_for",
        "customernote",
        "customer_note",
        "cc_owner",
        "cc_last_4",
    }
)
# Keys whose values are free text anyone may have typed (a payment's additional information:
# card holders, purchase-order numbers, bank details; an order line's options: the text a
# shopper entered in a custom option). Their values are masked whatever they hold; only the
# names of name/value pairs stay, so an operator still sees what was there.
FREE_TEXT_KEYS = frozenset(
    {
        "additionalinformation",
        "additional_information",
        "productoptions",
        "product_options",
        "options",
    }
)
_EMAIL = re.compile(r"[^@\s\"']+@[^@\s\"']+\.[A-Za-z]{2,}")


def redact(value: Any) -> Any:
    """A copy of ``value`` with personal fields, free text and anything shaped like an email
    masked."""
    if isinstance(value, dict):
        return {key: _redact_field(str(key).lower(), item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    if isinstance(value, str):
        return _EMAIL.sub(REDACTED, value)
    return value


def _redact_field(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key in PERSONAL_KEYS:
        return REDACTED
    if key in FREE_TEXT_KEYS:
        return _mask_free_text(value)
    return redact(value)


def _mask_free_text(value: Any) -> Any:
    """Every value inside masked; the names of name/value pairs and nulls kept."""
    if value is None:
        return None
    if isinstance(value, list):
        return [_mask_free_text(item) for item in value]
    if isinstance(value, dict):
        return {
            key: item if key == "name" and isinstance(item, str) else _mask_free_text(item)
            for key, item in value.items()
        }
    return REDACTED


class JsonFormatter(logging.Formatter):
    """One JSON object per record; exceptions folded into ``exc``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in CONTEXT_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def logging_config(level: str, errors_file: Path | None = None) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` that sends every logger to stdout as JSON lines, and
    warnings and errors also to ``errors_file`` (the errors-only log), when given."""
    handlers: dict[str, Any] = {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        }
    }
    if errors_file is not None:
        errors_file.parent.mkdir(parents=True, exist_ok=True)
        handlers["errors"] = {
            "class": "logging.FileHandler",
            "formatter": "json",
            "filename": str(errors_file),
            "level": "WARNING",
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": handlers,
        "root": {"level": level.upper(), "handlers": list(handlers)},
        "loggers": {"httpx": {"level": "WARNING"}, "aiokafka": {"level": "WARNING"}},
    }
