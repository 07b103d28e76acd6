"""Stable error codes: one per error feedsync raises, its hundred saying its class; and the
errors-only log holding warnings and errors only."""

from __future__ import annotations

import logging
import logging.config
from pathlib import Path

import orjson

import streams.decode
import streams.deliver.attempt
import streams.deliver.outcome
import streams.guard  # noqa: F401 -- every module that defines an error is imported
from feedsync.errors import ErrorClass, FeedsyncError, error_code
from feedsync.logs import logging_config

HUNDREDS = {ErrorClass.TRANSIENT: "FS1", ErrorClass.TERMINAL: "FS2", ErrorClass.CONFIG: "FS3"}


def every_error() -> list[type[FeedsyncError]]:
    found, pending = [], [FeedsyncError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending += cls.__subclasses__()
    return found


def test_every_error_has_its_own_code_in_the_hundred_of_its_class() -> None:
    errors = [cls for cls in every_error() if cls is not FeedsyncError]
    codes = {cls.__name__: cls.code for cls in errors}
    assert len(set(codes.values())) == len(codes), codes
    for cls in errors:
        assert cls.code.startswith(HUNDREDS[cls.error_class]), (cls.__name__, cls.code)
    assert {"EndpointUnavailable", "EndpointRejected", "MalformedRecord"} <= set(codes)


def test_an_unforeseen_exception_has_a_code_too() -> None:
    assert error_code(KeyError("x")) == "FS299"


def test_the_errors_only_log_holds_warnings_and_errors_only(tmp_path: Path) -> None:
    errors = tmp_path / "worker-errors.log"
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level  # pytest's own, put back after
    logging.config.dictConfig(logging_config("info", errors))
    try:
        log = logging.getLogger("feedsync.test")
        log.info("delivered")
        log.warning("dead-lettered", extra={"error_code": "FS203"})
        log.error("paused")
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)
    lines = [orjson.loads(line) for line in errors.read_text().splitlines()]
    assert [(line["level"], line["message"]) for line in lines] == [
        ("warning", "dead-lettered"),
        ("error", "paused"),
    ]
    assert lines[0]["error_code"] == "FS203"
