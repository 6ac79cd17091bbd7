"""A transport that answers from a function: offline tests of sessions, queries and commits.

::

    from kitsu_orm.testing import FakeTransport

    def kitsu(method, path, params, json):
        if (method, path) == ("GET", "data/shots"):
            return [{"id": SHOT_ID, "name": "SH01", "type": "Shot"}]
        if method == "PUT":
            return {**json, "id": path.rsplit("/", 1)[-1]}
        raise NotFound("no such route")

    fake = FakeTransport(kitsu)
    session = Session(transport=fake)
    ...
    assert fake.requests[-1] == FakeRequest("PUT", f"data/entities/{SHOT_ID}", {}, {...})

It has the public surface of :class:`~kitsu_orm.transport.Transport` that a
session, its unit of work and its loaders use (``get``, ``post``, ``put``,
``delete``, ``paginate``, ``upload``, ``download``, ``login``,
``current_user``, ``host``, ``user``, ``tokens``, ``stats``...), sends
nothing anywhere, and records every request in ``requests``.

The handler takes ``(method, path, params, json)``: the path as the session
wrote it (no leading slash, no host), the query parameters as a dict (``{}``
for none), and the JSON body (None for none; for an upload, the form fields
plus ``{"file": <file name>}``). It returns the answer's decoded body, or
raises an error of :mod:`kitsu_orm.errors` (``PermissionDenied("...")`` for
a 403): its method, path and status are filled in when it has none, as the
real transport's errors carry them (a unit of work tells a refusal from a
transient failure by the status). Without a handler every request answers
None. Login and ``auth/authenticated`` are answered by the fake itself (and
recorded, never passed to the handler): ``user`` is who it says you are.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import attrs

from . import errors
from .auth import Tokens
from .paging import walk_pages
from .request_log import RequestStats
from .urls import normalize_host

__all__ = ["FakeRequest", "FakeTransport", "Handler"]

Handler = Callable[[str, str, dict[str, Any], Any], Any]
"""``handler(method, path, params, json) -> body``, or raise a KitsuError."""

DEFAULT_USER: dict[str, Any] = {
    "id": "00000000-0000-4000-8000-000000000001",
    "type": "Person",
    "email": "admin@example.com",
    "full_name": "Fake Admin",
    "role": "admin",
}


# The status the real transport's error of each class would carry.
_STATUSES: tuple[tuple[type[errors.KitsuError], int], ...] = (
    (errors.AuthenticationError, 401),
    (errors.PermissionDenied, 403),
    (errors.NotFound, 404),
    (errors.ValidationError, 400),
    (errors.ServerError, 500),
)


@attrs.frozen
class FakeRequest:
    """One request the fake transport received."""

    method: str
    path: str
    params: dict[str, Any] = attrs.Factory(dict)
    json: Any = None


class FakeTransport:
    """A :class:`~kitsu_orm.transport.Transport` stand-in that asks ``handler``.

    ``user`` is the logged-in user (an admin by default: the session reads
    its role from it); ``token`` the access token it pretends to hold (None:
    not logged in). Not thread-safe beyond what a list append is: a commit's
    writes and an include's reads sent side by side are recorded in the order
    they reach it.
    """

    def __init__(
        self,
        handler: Handler | None = None,
        *,
        host: str = "http://kitsu.test/api",
        user: Mapping[str, Any] | None = DEFAULT_USER,
        token: str | Tokens | None = "fake-access-token",
    ) -> None:
        self.handler = handler
        self.host = normalize_host(host)
        self.user: dict[str, Any] | None = dict(user) if user is not None else None
        self.tokens: Tokens | None = None
        if token is not None:
            self.use_tokens(token)
        self.stats = RequestStats()
        self.requests: list[FakeRequest] = []

    def __repr__(self) -> str:
        who = (self.user or {}).get("email") or "not logged in"
        return f"<FakeTransport {self.host} ({who}) requests={len(self.requests)}>"

    def __enter__(self) -> FakeTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to close: kept for the session's ``close()``."""

    # -- who is logged in ---------------------------------------------------------

    @property
    def is_authenticated(self) -> bool:
        """Whether the fake holds tokens, as ``Transport.is_authenticated`` (no request)."""
        return self.tokens is not None

    def use_tokens(self, token: str | Tokens) -> None:
        """Take tokens, as ``Transport.use_tokens`` (no request)."""
        self.tokens = token if isinstance(token, Tokens) else Tokens(token)

    def login(self, email: str, password: str) -> dict[str, Any]:
        """Log in as ``user`` (the default admin after a logout), with this email."""
        self._record("POST", "auth/login", None, {"email": email, "password": "***"})
        self.user = {**(self.user or DEFAULT_USER), "email": email}
        self.use_tokens("fake-access-token")
        return self.user

    def logout(self) -> None:
        """Drop the tokens and the user, as ``Transport.logout``."""
        self.tokens = None
        self.user = None

    def current_user(self) -> dict[str, Any]:
        """The user row given to the fake (recorded as a request), as ``Transport.current_user``."""
        self._record("GET", "auth/authenticated", None, None)
        if self.tokens is None or self.user is None:
            raise errors.AuthenticationError(
                "not logged in", method="GET", path="/auth/authenticated", status=401
            )
        return self.user

    def confirmed_user_id(self) -> str | None:
        """The user's id: a fake has no token for the server to doubt."""
        if self.tokens is None or not self.user:
            return None
        user_id = self.user.get("id")
        return user_id if isinstance(user_id, str) else None

    def is_host_up(self) -> bool:
        """Always up: the fake has no server to lose."""
        return True

    def url(self, path: str) -> str:
        """The URL a route would have on the fake host, as ``Transport.url``."""
        path = path.lstrip("/")
        return f"{self.host}/{path}" if path else f"{self.host}/"

    # -- requests -------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """Recorded and answered by the handler, as ``Transport.get``."""
        return self._ask("GET", path, params, None)

    def post(self, path: str, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        """Recorded and answered by the handler, as ``Transport.post``."""
        return self._ask("POST", path, params, json)

    def put(self, path: str, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        """Recorded and answered by the handler, as ``Transport.put``."""
        return self._ask("PUT", path, params, json)

    def delete(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """Recorded and answered by the handler, as ``Transport.delete``."""
        return self._ask("DELETE", path, params, None)

    def paginate(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        limit: int = 100,
        on_rows: Callable[[int], None] | None = None,
    ) -> Iterator[Any]:
        """Pages as the real transport asks for them (``page``, ``limit``): a handler
        answering a plain list ends the walk, as an unpaginated Zou route does."""
        return walk_pages(self.get, path, params, limit=limit, on_rows=on_rows)

    def upload(
        self,
        path: str,
        file: str | os.PathLike[str] | IO[bytes] | None = None,
        *,
        data: Mapping[str, Any] | None = None,
        field: str = "file",
        filename: str | None = None,
        files: Sequence[tuple[str, str | os.PathLike[str] | IO[bytes]]] = (),
        on_read: Callable[[int], None] | None = None,
    ) -> Any:
        """Recorded (each file's name in the form data) and answered by the handler."""
        parts = [(field, file)] if file is not None else []
        form = {**(data or {})}
        for index, (name, item) in enumerate([*parts, *files]):
            given = filename if index == 0 and file is not None else None
            form[name] = given or Path(
                item if isinstance(item, (str, os.PathLike)) else getattr(item, "name", "upload.bin")
            ).name
        return self._ask("POST", path, None, form)

    def download(
        self,
        path: str,
        dest: str | os.PathLike[str],
        *,
        params: Mapping[str, Any] | None = None,
        on_chunk: Callable[[int, int], None] | None = None,
        processing_timeout: float | None = None,
    ) -> Path:
        """Write what the handler answers (bytes, or text) to ``dest``."""
        body = self.download_bytes(path, params)
        target = Path(dest)
        target.write_bytes(body)
        if on_chunk is not None:
            on_chunk(len(body), len(body))
        return target

    def download_bytes(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        processing_timeout: float | None = None,
    ) -> bytes:
        """What the handler answers, as bytes."""
        body = self._ask("GET", path, params, None)
        return body if isinstance(body, bytes) else str(body or "").encode()

    def _record(
        self, method: str, path: str, params: Mapping[str, Any] | None, json: Any
    ) -> FakeRequest:
        request = FakeRequest(method, path.lstrip("/"), dict(params or {}), json)
        self.requests.append(request)
        self.stats.record(method, 0.0, failed=False)
        return request

    def _ask(self, method: str, path: str, params: Mapping[str, Any] | None, json: Any) -> Any:
        request = self._record(method, path, params, json)
        if self.handler is None:
            return None
        try:
            return self.handler(method, request.path, request.params, json)
        except errors.KitsuError as exc:
            self.stats.errors += 1
            if exc.method is None and exc.path is None:
                exc.method, exc.path = method, f"/{request.path}"
            if exc.status is None:
                exc.status = next((s for k, s in _STATUSES if isinstance(exc, k)), None)
            raise
