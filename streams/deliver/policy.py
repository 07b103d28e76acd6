"""How long to keep trying a batch: exponential backoff with jitter, honouring Retry-After."""

from __future__ import annotations

from dataclasses import dataclass

from tenacity import RetryCallState, wait_exponential_jitter

__all__ = ["RetryPolicy"]


@dataclass(frozen=True)
class RetryPolicy:
    """A batch's retry budget: attempts and total time, whichever runs out first."""

    max_attempts: int = 8
    budget_s: float = 300.0
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 60.0
    retry_after_cap_s: float = 120.0

    def wait(self, retry_state: RetryCallState) -> float:
        """Seconds before the next attempt: the server's Retry-After (capped) if it sent
        one, else exponential backoff with jitter."""
        outcome = retry_state.outcome
        result = outcome.result() if outcome is not None and not outcome.failed else None
        retry_after = getattr(result, "retry_after_s", None)
        if retry_after is not None:
            return min(float(retry_after), self.retry_after_cap_s)
        return float(self._backoff(retry_state))

    @property
    def _backoff(self) -> wait_exponential_jitter:
        return wait_exponential_jitter(
            multiplier=self.initial_backoff_s,
            max=self.max_backoff_s,
            jitter=self.initial_backoff_s,
        )
