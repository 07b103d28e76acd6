"""The one exception tree of feedsync.

Every error is either *transient* (the same action may succeed later: retry it,
with backoff) or *terminal* (it will fail the same way until someone changes
something: dead-letter it or stop and say what to fix). Library errors are
translated into these at the boundaries (HTTP, Kafka, the database, the local
stack) so that callers decide retry-or-fail by class, never by message.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "FeedsyncError",
    "StackError",
    "TerminalError",
    "TransientError",
]


class FeedsyncError(Exception):
    """Root of every error feedsync raises on purpose."""

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


class TerminalError(FeedsyncError):
    """The action will keep failing until its input or configuration changes."""


class ConfigError(TerminalError):
    """A setting is missing or invalid; the message names the variable and what is allowed."""


class StackError(TerminalError):
    """A local-stack component could not be installed, started or reached.

    ``log`` names the file that holds the component's own account of the failure.
    """

    def __init__(self, message: str, *, hint: str | None = None, log: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.log = log

    def __str__(self) -> str:
        text = super().__str__()
        if self.log:
            text += f"\n  log: {self.log}"
        return text
