"""The one exception tree of feedsync, and the class of every error: what to do about it.

Every error feedsync raises on purpose has an ``ErrorClass`` that decides its fate:

- *transient*: the same action may succeed later; retry it with backoff;
- *terminal*: it will fail the same way until its input changes; dead-letter it as
  needing attention and go on;
- *config*: it will fail the same way until a setting changes; pause what depends on
  the setting (a feed's deliveries) or stop and name the variable to fix.

Library errors are translated into these at the boundaries (HTTP, Kafka, the database,
the local stack), so callers decide by class, never by message. An exception that is
none of ours (a ``KeyError`` from a row we did not expect) is classed terminal: retrying
it cannot help, so it is parked until someone looks.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

__all__ = [
    "ConfigError",
    "ErrorClass",
    "FeedsyncError",
    "StackError",
    "TerminalError",
    "TransientError",
    "classify",
    "error_code",
]


class ErrorClass(StrEnum):
    TRANSIENT = "transient"
    TERMINAL = "terminal"
    CONFIG = "config"


class FeedsyncError(Exception):
    """Root of every error feedsync raises on purpose."""

    error_class: ClassVar[ErrorClass] = ErrorClass.TERMINAL
    # A stable code per error, in logs and dead letters (README: Error codes): FS1xx
    # transient, FS2xx terminal, FS3xx configuration.
    code: ClassVar[str] = "FS200"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  → {self.hint}"
        return self.message


class TransientError(FeedsyncError):
    """The action may succeed if tried again later."""

    error_class = ErrorClass.TRANSIENT
    code = "FS100"


class TerminalError(FeedsyncError):
    """The action will keep failing until its input changes."""

    error_class = ErrorClass.TERMINAL


class ConfigError(FeedsyncError):
    """A setting is missing, invalid or refused; the message names the variable to fix."""

    error_class = ErrorClass.CONFIG
    code = "FS300"


class StackError(TerminalError):
    """A local-stack component could not be installed, started or reached.

    ``log`` names the file that holds the component's own account of the failure.
    """

    code = "FS290"

    def __init__(self, message: str, *, hint: str | None = None, log: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.log = log

    def __str__(self) -> str:
        text = super().__str__()
        if self.log:
            text += f"\n  log: {self.log}"
        return text


UNFORESEEN_CODE = "FS299"  # an exception feedsync did not raise on purpose


def error_code(error: BaseException) -> str:
    """The stable code of any exception (FS299: one feedsync did not foresee)."""
    return error.code if isinstance(error, FeedsyncError) else UNFORESEEN_CODE


def classify(error: BaseException) -> ErrorClass:
    """The class of any exception: ours say it; anything else is terminal."""
    if isinstance(error, FeedsyncError):
        return error.error_class
    return ErrorClass.TERMINAL
