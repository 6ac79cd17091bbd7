"""gazu's client objects: ``default_client``, ``KitsuClient`` and ``create_client``.

Every facade function takes gazu's ``client=`` keyword. A :class:`KitsuClient`
is a kitsu_orm session under gazu's name: one made with ``create_client(host)``
talks to a second server (its own transport, identity map and cache), and
``default_client``, every function's default, is whichever session is current
(:mod:`.connection`), as gazu's module-level client is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ... import context
from ...auth import Tokens
from ...errors import ConfigurationError, ValidationError
from ...session import Session
from ...transport import Transport
from .connection import default_session

__all__ = ["KitsuClient", "create_client", "default_client", "talking_through"]


class KitsuClient:
    """A connection to one Kitsu server, with gazu's constructor.

    ``session`` is its kitsu_orm :class:`~kitsu_orm.session.Session`, for
    object-style code on the same connection. ``cert`` (a client certificate)
    is not supported: the transport has no use for it yet, so it is refused
    rather than ignored.
    """

    def __init__(
        self,
        host: str,
        ssl_verify: bool = True,
        cert: str | None = None,
        use_refresh_token: bool = True,
        callback_not_authenticated: Callable[..., Any] | None = None,
        tokens: dict[str, str | None] | None = None,
        access_token: str | None = None,
        refresh_token: str | None = None,
    ) -> None:
        if cert is not None:
            raise ConfigurationError("KitsuClient(cert=...): client certificates are not supported")
        self.use_refresh_token = use_refresh_token
        self.callback_not_authenticated = callback_not_authenticated
        self._verify = ssl_verify
        self._session = self._open(host)
        tokens = dict(tokens or {})
        access = access_token or tokens.get("access_token")
        if access:
            self._session.transport.use_tokens(
                Tokens(access, refresh_token or tokens.get("refresh_token"))
            )

    def __repr__(self) -> str:
        return f"<KitsuClient {self.host}>"

    def __enter__(self) -> KitsuClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.close()

    def _open(self, host: str) -> Session:
        return Session(transport=Transport(host, verify=self._verify))

    @property
    def session(self) -> Session:
        """The kitsu_orm session this client talks through."""
        return self._session

    @property
    def host(self) -> str:
        """The API root; setting it opens a new session there, not logged in."""
        return self.session.transport.host

    @host.setter
    def host(self, host: str) -> None:
        self._session = self._open(host)

    @property
    def tokens(self) -> dict[str, str | None]:
        """gazu's ``{"access_token", "refresh_token"}``; print it and you print secrets."""
        tokens = self.session.transport.tokens
        if tokens is None:
            return {"access_token": None, "refresh_token": None}
        return {"access_token": tokens.access, "refresh_token": tokens.refresh}

    @property
    def access_token(self) -> str | None:
        """The access token, or None before a log-in."""
        return self.tokens["access_token"]

    @property
    def refresh_token(self) -> str | None:
        """The refresh token of a password log-in, or None."""
        return self.tokens["refresh_token"]


class _CurrentClient(KitsuClient):
    """``default_client``: the current session, whichever it is at each call."""

    def __init__(self) -> None:  # no session of its own
        self.use_refresh_token = True
        self.callback_not_authenticated = None
        self._verify = True

    def __repr__(self) -> str:
        return "<KitsuClient default (the current session)>"

    @property
    def session(self) -> Session:
        return default_session()

    @property
    def host(self) -> str:
        return self.session.transport.host

    @host.setter
    def host(self, host: str) -> None:
        from .connection import set_host

        set_host(host)


default_client: KitsuClient = _CurrentClient()


def create_client(
    host: str,
    ssl_verify: bool = True,
    cert: str | None = None,
    use_refresh_token: bool = False,
    callback_not_authenticated: Callable[..., Any] | None = None,
    **kwargs: Any,
) -> KitsuClient:
    """gazu's ``create_client``: a client of its own for ``host``, not logged in."""
    return KitsuClient(
        host,
        ssl_verify,
        cert=cert,
        use_refresh_token=use_refresh_token,
        callback_not_authenticated=callback_not_authenticated,
        **kwargs,
    )


@contextmanager
def talking_through(client: KitsuClient | None) -> Iterator[None]:
    """Run a facade call through ``client``'s session: the default client (or None)
    leaves the current session as it is."""
    if client is None or isinstance(client, _CurrentClient):
        yield
        return
    if not isinstance(client, KitsuClient):
        raise ValidationError(
            f"client: expected a KitsuClient (gazu.client.create_client(...)), not {client!r}"
        )
    with context.using(client.session):
        yield
