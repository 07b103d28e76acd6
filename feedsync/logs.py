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
_EMAIL = re.compile(r"[^@\s\"']+@[^@\s\"']+\.[A-Za-z]{2,}")


def redact(value: Any) -> Any:
    """A copy of ``value`` with personal fields and anything shaped like an email masked."""
    if isinstance(value, dict):
        return {
            key: REDACTED
            if str(key).lower() in PERSONAL_KEYS and item is not None
            else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item) for item in value]
    if isinstance(value, str):
        return _EMAIL.sub(REDACTED, value)
    return value


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
