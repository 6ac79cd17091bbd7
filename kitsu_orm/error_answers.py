"""What Zou's error answers mean: the server's message, and the error each raises.

Zou words its errors as ``{"message": ...}``; flask-jwt-extended, in front of
it, as ``{"msg": ...}``; Flask itself, for a route or object it does not know,
as a generic 404 page. The transport hands each answer of status 400 or more
to :func:`error_from_answer` and raises what it returns; the status table
itself is :func:`kitsu_orm.errors.error_for_status`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

from . import errors

__all__ = [
    "GENERIC_NOT_FOUND",
    "Answer",
    "error_from_answer",
    "is_expired",
    "redirect_error",
    "server_message",
    "short_reason",
    "token_refused",
]

# The words of an expired access token's 401, among the other 401s.
_EXPIRED_HINTS = ("expired",)

# What Flask (werkzeug) answers for any 404 Zou does not word itself: an unknown
# route and a missing object alike ("404 Not Found: The requested URL was not
# found on the server. If you entered the URL manually please check your
# spelling..."), a bare reason phrase, or an HTML page reduced to it.
GENERIC_NOT_FOUND = re.compile(
    r"\s*(?:404\b)?\s*(?:(?:resource|page|url)\s+)?(?:not\s+found)?\s*[:.]?\s*"
    r"(?:the requested url was not found on the server\b.*)?",
    re.IGNORECASE | re.DOTALL,
)


class Answer(Protocol):
    """What is read of an HTTP answer here (a ``requests.Response`` is one)."""

    @property
    def status_code(self) -> int:
        """The HTTP status."""

    @property
    def reason(self) -> str | None:
        """The status's reason phrase."""

    @property
    def text(self) -> str:
        """The body as text."""

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not."""

    @property
    def headers(self) -> Mapping[str, str]:
        """The answer's headers (any case of a name finds it)."""

    def close(self) -> None:
        """Give the connection back to the pool."""


def server_message(answer: Answer) -> str:
    """The server's own words for an error, else the reason phrase (never an HTML page)."""
    try:
        body = answer.json()
    except ValueError:
        text = answer.text.strip()
        return text[:200] if text and not text.startswith("<") else (answer.reason or "")
    if isinstance(body, dict):
        for key in ("message", "msg", "error_description", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    return answer.reason or ""


def is_expired(answer: Answer) -> bool:
    """Whether the access token has expired: worth one refresh before giving up."""
    if answer.status_code != 401:
        return False
    message = server_message(answer).lower()
    return any(hint in message for hint in _EXPIRED_HINTS)


def token_refused(answer: Answer) -> bool:
    """Whether the server could not read or verify the token (a tampered or truncated
    one): flask-jwt-extended answers 422 with its ``msg`` key ("Signature verification
    failed", "Not enough segments"...), which Zou's own errors never use."""
    if answer.status_code != 422:
        return False
    try:
        body = answer.json()
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("msg"), str) and "message" not in body


def error_from_answer(answer: Answer, method: str, path: str) -> errors.KitsuError:
    """The error an answer of status 400 or more raises; the answer is closed."""
    status = answer.status_code
    message = server_message(answer)
    refused = token_refused(answer)
    answer.close()
    path = "/" + path.lstrip("/")
    if refused:
        return errors.AuthenticationError(
            f"the server refused the token ({message}): log in again",
            method=method,
            path=path,
            status=status,
        )
    if status == 404 and GENERIC_NOT_FOUND.fullmatch(message):
        # The route is all the transport knows; the session names the object.
        message = f"no such route or object: {method} {path}"
    return errors.error_for_status(status)(
        message or f"HTTP {status}", method=method, path=path, status=status
    )


def redirect_error(answer: Answer, method: str, path: str) -> errors.ConfigurationError:
    """The error a redirect raises; the answer is closed.

    kitsu-orm follows none: followed, a redirected PUT goes on without its body and
    a POST turns into a GET, and every request pays a round trip more. A server that
    redirects is one reached at an old address (``http://`` for ``https://``, a
    moved host): the error names the new one, without its query.
    """
    status = answer.status_code
    target = urlsplit(answer.headers.get("Location", ""))._replace(query="", fragment="")
    answer.close()
    path = "/" + path.lstrip("/")
    route = path.partition("?")[0].rstrip("/")
    where = "the address it names"
    if target.netloc and route and target.path.rstrip("/").endswith(route):
        root = target._replace(path=target.path.rstrip("/").removesuffix(route))
        where = repr(root.geturl())
    return errors.ConfigurationError(
        f"the server redirects this request to {target.geturl()!r} (HTTP {status}), and "
        "kitsu-orm follows no redirect (a redirected write would lose its body): "
        f"connect to {where} instead",
        method=method,
        path=path,
        status=status,
    )


def short_reason(exc: BaseException) -> str:
    """What a failure of the connection says happened, for an error's message."""
    # urllib3 nests reasons several levels deep; the innermost says what happened.
    reason: BaseException | None = exc
    while True:
        inner = getattr(reason, "reason", None) or (
            reason.args[0]
            if reason and reason.args and isinstance(reason.args[0], BaseException)
            else None
        )
        if not isinstance(inner, BaseException) or inner is reason:
            break
        reason = inner
    text = str(reason)
    return text.split(": ", 1)[-1] if "object at 0x" in text else text
