"""What a session needs of its transport, for type checkers.

:class:`~kitsu_orm.transport.Transport` (HTTP to a real Kitsu) and
:class:`~kitsu_orm.fake_transport.FakeTransport` (answers from a function,
for tests) both satisfy :class:`TransportProtocol` without inheriting from it,
so ``Session(transport=...)`` takes either, and a stand-in of your own that
has these members. Nothing here runs: it imports no HTTP library.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .auth import Tokens
    from .request_log import RequestStats

__all__ = ["TransportProtocol"]


class TransportProtocol(Protocol):
    """The public surface of a transport that sessions, their unit of work, their
    loaders and the gazu facade use: JSON in, JSON out, and who is logged in."""

    user: dict[str, Any] | None

    @property
    def host(self) -> str:
        """The API root, e.g. ``http://kitsu.studio/api``."""

    @property
    def tokens(self) -> Tokens | None:
        """The current tokens (None: not logged in)."""

    @property
    def stats(self) -> RequestStats:
        """The requests sent so far."""

    @property
    def is_authenticated(self) -> bool:
        """Whether the transport holds tokens."""

    def use_tokens(self, token: str | Tokens) -> None:
        """Authenticate with a bot/API token or tokens from an earlier login."""

    def login(self, email: str, password: str) -> dict[str, Any]:
        """Log in; returns the user."""

    def logout(self) -> None:
        """Log out and forget the tokens."""

    def current_user(self) -> dict[str, Any]:
        """The logged-in user, as the server says it (one request)."""

    def confirmed_user_id(self) -> str | None:
        """The id of the user the server named for the current tokens, without a request."""

    def is_host_up(self) -> bool:
        """Whether the API root answers."""

    def url(self, path: str) -> str:
        """The full URL of a route."""

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET a route: its decoded JSON body."""

    def post(self, path: str, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        """POST a JSON body: the decoded answer."""

    def put(self, path: str, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        """PUT a JSON body: the decoded answer."""

    def delete(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """DELETE a route: the decoded answer."""

    def paginate(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        limit: int = 100,
        on_rows: Callable[[int], None] | None = None,
    ) -> Iterator[Any]:
        """Every row of a list route, one page at a time, lazily."""

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
        """POST files as multipart form data (``file`` in ``field``, and ``files``)."""

    def download(
        self,
        path: str,
        dest: str | os.PathLike[str],
        *,
        params: Mapping[str, Any] | None = None,
        on_chunk: Callable[[int, int], None] | None = None,
        processing_timeout: float | None = None,
    ) -> Path:
        """Write a file the server sends to ``dest``."""

    def download_bytes(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        processing_timeout: float | None = None,
    ) -> bytes:
        """A small file the server sends, in memory."""

    def close(self) -> None:
        """Release connections."""
