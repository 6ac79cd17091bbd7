"""The socket.io connection to Zou's event stream: the only module that imports socketio.

python-socketio is an optional extra (``pip install kitsu-orm[events]``),
imported when a connection is first made. The access token goes in the
``Authorization`` header of the handshake, never in a URL or a socket.io
packet, so that no socket.io or Engine.IO log line can show it; their log
lines go to the ``kitsu_orm.events.wire`` logger. Reconnection is the
caller's (:mod:`kitsu_orm.events`), with a token read anew each time: the
socket.io client's own is off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import AuthenticationError, ConfigurationError, ConnectionError
from .routes import EVENTS_NAMESPACE, EVENTS_SOCKET_PATH

__all__ = ["EventSocket", "load_socketio"]

# Words of Zou's refusals of a socket's token (zou/app/utils/socket_auth.py).
_REFUSALS = ("token", "account", "authentication", "unauthorized", "jwt")


def load_socketio() -> Any:
    """The ``socketio`` package, or a :class:`ConfigurationError` saying how to install it."""
    try:
        import socketio  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ConfigurationError(
            "live events need python-socketio: pip install kitsu-orm[events]"
        ) from exc
    return socketio


class EventSocket:
    """One connection to the stream at ``url``: ``on_event(name, data)`` for each event
    pushed, ``on_drop()`` once when the connection is lost (not after :meth:`close`)."""

    def __init__(
        self,
        url: str,
        token: str | None,
        on_event: Callable[[str, Any], None],
        on_drop: Callable[[], None],
        *,
        verify: bool | str = True,
        timeout: float = 10.0,
    ) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self._on_event = on_event
        self._on_drop = on_drop
        self._verify = verify
        self._timeout = timeout
        self._client: Any = None
        self._closing = False

    @property
    def connected(self) -> bool:
        """Whether the namespace is connected now."""
        return bool(self._client is not None and self._client.connected)

    def connect(self) -> None:
        """Connect, or raise: :class:`ConfigurationError` without the extra,
        :class:`AuthenticationError` when the stream refuses the token,
        :class:`ConnectionError` when it cannot be reached."""
        socketio = load_socketio()
        import logging

        wire = logging.getLogger("kitsu_orm.events.wire")
        if not wire.handlers:  # silent unless the application logs (never a token)
            wire.addHandler(logging.NullHandler())
        client = socketio.Client(
            reconnection=False,
            logger=wire,
            engineio_logger=wire,
            ssl_verify=self._verify is not False,
            request_timeout=self._timeout,
        )
        client.on("connect", _nothing, namespace=EVENTS_NAMESPACE)
        client.on("connect_error", _nothing, namespace=EVENTS_NAMESPACE)
        client.on("disconnect", self._dropped, namespace=EVENTS_NAMESPACE)
        client.on("*", self._on_event, namespace=EVENTS_NAMESPACE)
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        self._client = client
        try:
            client.connect(
                self.url,
                headers=headers,
                namespaces=[EVENTS_NAMESPACE],
                socketio_path=EVENTS_SOCKET_PATH,
                wait_timeout=self._timeout,
            )
        except socketio.exceptions.ConnectionError as exc:
            self._client = None
            raise _refusal(self.url, str(exc)) from None

    def close(self) -> None:
        """Disconnect for good (no ``on_drop``)."""
        self._closing = True
        client, self._client = self._client, None
        if client is not None:
            client.disconnect()

    def _dropped(self, *reason: Any) -> None:
        if not self._closing:
            self._on_drop()


def _nothing(*args: Any) -> None:
    """Connection events are read from the client's state, not from these callbacks."""


def _refusal(url: str, message: str) -> Exception:
    where = f"Zou's event stream at {url}"
    if any(word in message.lower() for word in _REFUSALS):
        return AuthenticationError(f"{where} refused the token ({message}): log in again")
    return ConnectionError(
        f"{where} cannot be reached ({message}); is zou.event_stream running? "
        "Set session.events.url (or KITSU_EVENTS_URL) where it listens",
        path="/" + EVENTS_SOCKET_PATH,
    )
