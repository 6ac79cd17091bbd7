"""Every error kitsu_orm raises, in one tree.

::

    KitsuError
    ├── ConfigurationError (ValueError)     bad host, bad option: fix the call
    ├── AuthenticationError                 401, or a failed login: log in again
    ├── PermissionDenied                    403: the user may not do this
    ├── NotFound (LookupError)              404: no such object (or deleted)
    ├── ValidationError (ValueError)        400, or bad input caught before any request
    │   └── AlreadyExists                   a new object's name is taken under its parent
    ├── ServerError                         5xx: the server failed; may be safe to retry
    ├── DetachedError                       the object has no session, or was deleted
    ├── LazyLoadError                       strict mode: a relationship was not loaded up front
    ├── ConflictError                       another user changed what you are saving
    ├── CommitError                         a commit stopped halfway: see .applied / .pending
    └── ConnectionError (builtins.ConnectionError)
        └── Timeout (builtins.TimeoutError) no answer within the configured bound

Every instance carries ``method``, ``path``, ``status`` and ``message`` (the
server's own words), each None where it does not apply, so that callers can
log or branch on them without parsing the text. No requests exception ever
escapes the library: the transport maps them here, ``from None``, so that
no traceback from deep inside requests reaches the user either.
Secrets never appear in these texts.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "AlreadyExists",
    "AuthenticationError",
    "ConfigurationError",
    "CommitError",
    "ConflictError",
    "ConnectionError",
    "DetachedError",
    "KitsuError",
    "LazyLoadError",
    "NotFound",
    "PermissionDenied",
    "ServerError",
    "Timeout",
    "ValidationError",
    "error_for_status",
]


class KitsuError(Exception):
    """Root of every error raised by kitsu_orm."""

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
    ) -> None:
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        super().__init__(message)

    def __str__(self) -> str:
        where = " ".join(p for p in (self.method, self.path) if p)
        status = f" -> {self.status}" if self.status is not None else ""
        if where or status:
            return f"{where}{status}: {self.message}"
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments would otherwise be lost when pickled
        # (multiprocessing workers, render-farm job results).
        return (_rebuild, (type(self), self.message, self.method, self.path, self.status))


def _rebuild(
    cls: type[KitsuError], message: str, method: str | None, path: str | None, status: int | None
) -> KitsuError:
    return cls(message, method=method, path=path, status=status)


class ConfigurationError(KitsuError, ValueError):
    """The library was set up wrongly (a malformed host, an impossible option)."""


class AuthenticationError(KitsuError):
    """Not logged in, wrong credentials, or a token that can no longer be refreshed."""


class PermissionDenied(KitsuError):
    """The server refused the action for this user (403), or a commit's plan holds
    writes the user's role may not make: ``refused`` lists those (object, action,
    role, advice), and nothing was sent."""

    def __init__(
        self, message: str, *, refused: Sequence[object] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.refused = list(refused or [])


class NotFound(KitsuError, LookupError):
    """The object does not exist on the server, or was deleted (404)."""

    @classmethod
    def of_object(
        cls,
        kind: str,
        id: str | None,
        *,
        label: str | None = None,
        loaded: bool = False,
        cause: KitsuError | None = None,
        note: str | None = None,
    ) -> NotFound:
        """The error for one object the server does not have, naming its type,
        name and id: raised where the type is known (the transport only knows
        the route). ``loaded``: the session had it, so it existed. ``cause`` is
        the transport's 404, whose request it keeps."""
        what = " ".join(part for part in (kind, label, id) if part)
        why = "deleted on the server since it was loaded" if loaded else "deleted, or never existed"
        message = f"{what} not found ({why})"
        if note:
            message += f": {note}"
        return cls(
            message,
            method=cause.method if cause is not None else None,
            path=cause.path if cause is not None else None,
            status=cause.status if cause is not None else None,
        )


class ValidationError(KitsuError, ValueError):
    """Bad input: refused by the server (400) or caught before any request."""


class AlreadyExists(ValidationError):
    """New objects whose name exists under the same parent, on a type whose create
    route would answer the existing row instead of creating one (Zou's episodes,
    sequences, shots, scenes). Raised before anything is written.

    ``existing`` lists ``(new object, existing)`` pairs: the session's object when
    it holds one, else the server's row. ``session.merge(obj)`` adopts the existing
    object with the new one's fields as edits; ``get_or_create`` takes it as it is.
    """

    def __init__(
        self,
        message: str,
        *,
        existing: Sequence[tuple[object, object]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.existing = list(existing or [])


class ServerError(KitsuError):
    """The server failed (5xx). Idempotent requests were already retried."""


class DetachedError(KitsuError):
    """The object is not in a session, or is deleted: it cannot load or change."""


class LazyLoadError(KitsuError):
    """A relationship was read that was not loaded, in strict mode.

    Load it up front with ``.include(...)``, or leave strict mode.
    """


class ConflictError(KitsuError):
    """Objects changed on the server since they were loaded.

    ``objects`` lists them; ``fields`` maps each to the names of the fields found
    changed (``data.<key>`` for a key of a ``data`` dict; empty when only its
    ``updated_at`` tells). ``written`` is False when nothing was written for them
    (the check before the writes caught it: refresh them and apply the edits
    again, or commit with ``overwrite=True`` to keep yours), True when the race was
    seen in the answer of our own write (ours was applied, last write wins: look at
    those fields).
    """

    def __init__(
        self,
        message: str,
        *,
        objects: Sequence[object] | None = None,
        fields: Mapping[Any, Sequence[str]] | None = None,
        written: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.objects = list(objects or [])
        self.fields = {o: tuple(f) for o, f in (fields or {}).items()}
        self.written = written


class CommitError(KitsuError):
    """A commit failed partway.

    ``applied`` are the operations the server accepted (their objects are
    now clean); ``pending`` the ones it did not (their objects keep their
    changes). ``__cause__`` is the error that stopped it. After a transient
    failure (connection, timeout, 5xx, 429), calling ``commit()`` again
    finishes the job without doing anything twice; after a refusal (400, 403,
    404, 422), the message says which operation to fix first.
    """

    def __init__(
        self,
        message: str,
        *,
        applied: Sequence[object] | None = None,
        pending: Sequence[object] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.applied = list(applied or [])
        self.pending = list(pending or [])


class ConnectionError(KitsuError, builtins.ConnectionError):
    """The server could not be reached, or the connection broke mid-request.

    For a POST that broke after it was sent, the server may have applied it:
    check before sending it again.
    """


class Timeout(ConnectionError, builtins.TimeoutError):
    """No answer within the configured timeout."""


_BY_STATUS: dict[int, type[KitsuError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    422: ValidationError,
}


def error_for_status(status: int) -> type[KitsuError]:
    """The error class for an HTTP status the server answered with."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    return KitsuError


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """The tail of a message about an unknown name: `` (did you mean a, b?)``, or ''."""
    import difflib  # only for the message of an error: not imported with kitsu_orm

    close = difflib.get_close_matches(name, sorted(choices), n=3)
    return f" (did you mean {', '.join(close)}?)" if close else ""
