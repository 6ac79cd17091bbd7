"""What a failed request means: requests' exceptions as kitsu_orm's errors.

The transport (:mod:`.transport`) sends; when requests raises, these tell
whether the request provably never reached the server (safe to send again),
whether the server took it and answered too slowly, and which error of
:mod:`kitsu_orm.errors` says so. They run only once requests is loaded (it
raised): importing this module loads nothing heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import errors
from .error_answers import short_reason

if TYPE_CHECKING:
    import requests

__all__ = ["is_read_timeout", "map_exception", "never_sent"]


def never_sent(exc: requests.exceptions.RequestException) -> bool:
    """Whether the request provably never reached the server."""
    import requests
    import urllib3.exceptions

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return isinstance(reason, urllib3.exceptions.NewConnectionError)
    return False


def is_read_timeout(exc: requests.exceptions.RequestException) -> bool:
    """Whether the server took the request and then answered too slowly.

    requests reports a timeout while reading the body as a ConnectionError
    around urllib3's ReadTimeoutError, not as a ReadTimeout.
    """
    import requests
    import urllib3.exceptions

    if isinstance(exc, requests.exceptions.ReadTimeout):
        return True
    return bool(exc.args) and isinstance(exc.args[0], urllib3.exceptions.ReadTimeoutError)


def map_exception(
    exc: requests.exceptions.RequestException, method: str, path: str
) -> errors.KitsuError:
    """The kitsu_orm error of a request that failed without an answer."""
    import requests

    where: dict[str, Any] = {"method": method, "path": "/" + path.lstrip("/")}
    if isinstance(exc, requests.exceptions.Timeout) or is_read_timeout(exc):
        kind = (
            "connecting"
            if isinstance(exc, requests.exceptions.ConnectTimeout)
            else "waiting for an answer"
        )
        return errors.Timeout(f"timed out {kind}", **where)
    if isinstance(exc, requests.exceptions.ConnectionError):
        what = "could not connect" if never_sent(exc) else "the connection broke"
        return errors.ConnectionError(f"{what}: {short_reason(exc)}", **where)
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)):
        return errors.ConfigurationError(f"invalid URL: {exc}", **where)
    return errors.KitsuError(f"request failed: {short_reason(exc)}", **where)
