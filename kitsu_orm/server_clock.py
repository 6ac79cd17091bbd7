"""The server's clock, read from the ``Date`` of its answers without a request.

Rows the server writes carry its time, not this machine's: a writer that
must later find its own rows by ``created_at`` (a commit in doubt) reads the
server's clock, whatever the skew between the two.
"""

from __future__ import annotations

import datetime
import time

__all__ = ["ServerClock"]


class ServerClock:
    """The ``Date`` of the server's last answer and when it arrived (monotonic)."""

    def __init__(self) -> None:
        self._seen: tuple[str, float] | None = None

    def saw(self, date: str) -> None:
        """Note the ``Date`` header of an answer that just arrived."""
        self._seen = (date, time.monotonic())

    def now(self) -> datetime.datetime | None:
        """A lower bound of the server's clock now (naive UTC, to the second), or None
        before any answer: rows the server writes after this call carry a
        ``created_at`` at or after it."""
        import email.utils  # a heavy import, for the few that ask

        seen = self._seen
        if seen is None:
            return None
        try:
            when = email.utils.parsedate_to_datetime(seen[0])
        except (TypeError, ValueError):
            return None
        elapsed = max(0.0, time.monotonic() - seen[1])
        if when.tzinfo is not None:
            when = when.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return (when + datetime.timedelta(seconds=int(elapsed))).replace(microsecond=0)
