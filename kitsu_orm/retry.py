"""When and how long to wait before sending a failed request again, and how long
for an answer (the transport's timeouts).

A :class:`Retry` is an immutable value: :meth:`Retry.increment` returns the
next one, so one policy can be shared by every thread of a transport.
"""

from __future__ import annotations

from datetime import datetime, timezone

import attrs

from .errors import ConfigurationError

__all__ = ["DEFAULT_TIMEOUT", "Retry", "IDEMPOTENT_METHODS", "RETRY_STATUSES", "check_timeout"]

# (connect, read) seconds: never unbounded.
DEFAULT_TIMEOUT = (5.0, 60.0)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})


@attrs.frozen
class Retry:
    """A retry policy.

    Idempotent requests are replayed on connection errors and on the
    statuses in ``statuses``. Other methods (POST) are replayed only when the
    request provably never reached the server: a refused or timed-out
    connection, or a 429 answer.

    The wait before attempt ``n`` is ``backoff * 2 ** n`` capped at
    ``backoff_max``, with up to ``jitter`` of it added at random so that many
    clients do not hammer a recovering server in step. A ``Retry-After``
    header wins when it asks for longer, up to ``retry_after_max``.
    """

    total: int = 4
    backoff: float = 0.2
    backoff_max: float = 10.0
    jitter: float = 0.5
    retry_after_max: float = 60.0
    methods: frozenset[str] = IDEMPOTENT_METHODS
    statuses: frozenset[int] = RETRY_STATUSES
    attempt: int = 0

    @classmethod
    def never(cls) -> Retry:
        """A policy that never retries: every fault surfaces at once."""
        return cls(total=0)

    @property
    def exhausted(self) -> bool:
        """Whether every attempt is spent."""
        return self.attempt >= self.total

    def increment(self) -> Retry:
        """The policy for the next attempt (a new value: policies are immutable)."""
        return attrs.evolve(self, attempt=self.attempt + 1)

    def allows_status(self, method: str, status: int) -> bool:
        """Whether an answer with this status is worth sending the request again."""
        if self.exhausted or status not in self.statuses:
            return False
        return method in self.methods or status == 429

    def allows_connection_error(self, method: str, *, sent: bool) -> bool:
        """Whether a broken connection may be retried.

        ``sent`` is False when the request never left (connect refused or
        timed out): then replaying is safe for any method.
        """
        if self.exhausted:
            return False
        return method in self.methods or not sent

    def wait(self, retry_after: str | None = None) -> float:
        """Seconds to sleep before the next attempt."""
        import random  # only a retry needs it: not imported with kitsu_orm

        base = min(self.backoff_max, self.backoff * (2**self.attempt))
        delay = base + random.uniform(0, self.jitter * base)
        asked = _parse_retry_after(retry_after)
        if asked is not None:
            delay = max(delay, min(asked, self.retry_after_max))
        return float(delay)


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    # email.utils costs ~8 ms to import (email, socket, calendar...): only for
    # the rare Retry-After given as an HTTP date.
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def check_timeout(timeout: float | tuple[float, float]) -> tuple[float, float]:
    """``(connect, read)`` seconds from one number or a pair; ConfigurationError
    unless both are positive."""
    pair = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    if len(pair) != 2 or not all(isinstance(t, (int, float)) and t > 0 for t in pair):
        raise ConfigurationError(f"timeout must be positive seconds, got {timeout!r}")
    return (float(pair[0]), float(pair[1]))
