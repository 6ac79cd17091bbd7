"""What a transport tells of the requests it sends: counters, and the ``echo`` log.

The log is ``logging.getLogger("kitsu_orm.http")``: one line per request
(method, path, status, milliseconds) and per retry, at INFO with ``echo``
and at DEBUG otherwise. Paths only: never a body, a token or a password.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    import logging

__all__ = ["RequestStats", "echo_to_stderr", "log_request", "log_retry", "logger"]


@attrs.define
class RequestStats:
    """Counts of the HTTP requests that went on the wire (retries included)."""

    total: int = 0
    by_method: dict[str, int] = attrs.Factory(dict)
    retries: int = 0
    refreshes: int = 0
    errors: int = 0
    seconds: float = 0.0
    _lock: threading.Lock = attrs.field(factory=threading.Lock, repr=False, eq=False)

    def record(self, method: str, elapsed: float, *, failed: bool) -> None:
        """Count one request sent, with its time and whether it failed."""
        with self._lock:
            self.total += 1
            self.by_method[method] = self.by_method.get(method, 0) + 1
            self.seconds += elapsed
            if failed:
                self.errors += 1

    def count_retry(self) -> None:
        """Count one request sent again."""
        with self._lock:
            self.retries += 1

    def count_refresh(self) -> None:
        """Count one token refresh."""
        with self._lock:
            self.refreshes += 1

    def reset(self) -> None:
        """Start counting from zero (to measure one piece of work)."""
        with self._lock:
            self.total = self.retries = self.refreshes = self.errors = 0
            self.seconds = 0.0
            self.by_method = {}


def logger() -> logging.Logger:
    """The request log; logging is imported on its first line, not with kitsu_orm."""
    import logging

    return logging.getLogger("kitsu_orm.http")


def echo_to_stderr() -> None:
    """Show the request log on stderr (``echo=True``), unless the application
    has already said where it goes."""
    import logging

    log = logger()
    if not log.hasHandlers():
        log.addHandler(logging.StreamHandler())
        log.setLevel(logging.INFO)


def log_request(method: str, path: str, status: int | str, seconds: float, *, echo: bool) -> None:
    """One request sent: its method, path, status (or ``error``) and time."""
    import logging

    level = logging.INFO if echo else logging.DEBUG
    logger().log(level, "%s /%s %s %.1f ms", method, path.lstrip("/"), status, seconds * 1000)


def log_retry(method: str, path: str, delay: float, attempt: int) -> None:
    """A request to be sent again in ``delay`` seconds, as its ``attempt``-th try."""
    logger().info("retrying %s /%s in %.2f s (attempt %d)", method, path.lstrip("/"), delay, attempt)
