"""Authentication: the tokens, the user the server named for them, and the auth
routes' exchanges (log in, log out, refresh).

None of it needs HTTP: the transport lends its send loop (:class:`Ask`) and
keeps here what the server said, so that a refresh carries the confirmed
user over to the new access token and a token given by hand is never taken
for a user the server did not name.
"""

from __future__ import annotations

import base64
import json
import threading
from typing import Any, Protocol

import attrs

from . import errors
from .retry import Retry

__all__ = ["Ask", "Credentials", "Tokens", "log_in", "log_out", "refresh"]


@attrs.frozen(repr=False)
class Tokens:
    """An access token and, after a password login, its refresh token.

    The repr hides both, so that a Tokens value can be logged or shown in a
    notebook safely.
    """

    access: str
    refresh: str | None = None

    @property
    def subject(self) -> str | None:
        """The user id the access token names (its ``sub`` claim), read without
        a request and unverified: anyone can write a token naming anyone, so
        this never decides what a user is shown (the cache asks the server)."""
        subject = self._claims().get("sub")
        return subject if isinstance(subject, str) and subject else None

    @property
    def expires(self) -> float | None:
        """When the access token expires (its ``exp`` claim, a Unix time), unverified:
        to be trusted only for a token the server has accepted."""
        expires = self._claims().get("exp")
        return float(expires) if isinstance(expires, (int, float)) else None

    def _claims(self) -> dict[str, Any]:
        try:
            payload = self.access.split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (IndexError, ValueError):
            return {}
        return claims if isinstance(claims, dict) else {}

    def __repr__(self) -> str:
        return f"Tokens(access=***, refresh={'***' if self.refresh else None})"


class Credentials:
    """The tokens one transport sends, and the user the server named for them.

    ``refresh_lock`` is held while trading the refresh token, so that threads
    that meet an expired token at once cause one refresh.
    """

    def __init__(self) -> None:
        self.tokens: Tokens | None = None
        # The tokens the server last named a user for, and that user's id.
        self._confirmed: tuple[Tokens, str] | None = None
        self.refresh_lock = threading.Lock()

    def use(self, token: str | Tokens) -> None:
        """Send these tokens from now on (a bot token, or tokens of an earlier login)."""
        if isinstance(token, str):
            token = Tokens(token)
        if not isinstance(token, Tokens) or not token.access:
            raise errors.ConfigurationError("a token must be a non-empty string")
        self.tokens = token

    def confirm(self, tokens: Tokens | None, user: Any) -> None:
        """Remember that the server answered ``user`` (its row) for ``tokens``."""
        user_id = user.get("id") if isinstance(user, dict) else None
        if tokens is not None and isinstance(user_id, str) and user_id:
            self._confirmed = (tokens, user_id)

    def confirmed_user_id(self) -> str | None:
        """The user the server named for the current tokens, or None when it has not
        (tokens given by hand, or replaced since)."""
        confirmed = self._confirmed
        if confirmed is None or self.tokens is None or confirmed[0] is not self.tokens:
            return None
        return confirmed[1]

    def refreshed(self, stale: Tokens, access: str) -> Tokens:
        """Send a new access token in place of ``stale``'s, keeping its refresh token and
        the user the server named for it (a refresh token stays one user's)."""
        self.tokens = Tokens(access, stale.refresh)
        if self._confirmed is not None and self._confirmed[0] is stale:
            self._confirmed = (self.tokens, self._confirmed[1])
        return self.tokens


class Ask(Protocol):
    """The transport's send loop: a request's JSON answer, or a KitsuError."""

    def __call__(
        self, method: str, path: str, *, auth: bool = True, retry: Retry | None = None, **kwargs: Any
    ) -> Any:
        """Send ``method path`` (with the tokens unless ``auth`` is False) and answer its JSON."""


def log_in(credentials: Credentials, ask: Ask, email: str, password: str) -> Any:
    """Trade an email and password for tokens; answers the user row the server sent
    with them. The old tokens are dropped first, and stay so when it fails."""
    credentials.tokens = None
    try:
        body = ask("POST", "auth/login", json={"email": email, "password": password}, auth=False)
    except (errors.ValidationError, errors.AuthenticationError, errors.NotFound) as exc:
        raise errors.AuthenticationError(
            f"login failed for {email}: {exc.message}",
            method="POST",
            path="/auth/login",
            status=exc.status,
        ) from None
    if not isinstance(body, dict) or not body.get("access_token"):
        raise errors.AuthenticationError(
            f"login failed for {email}", method="POST", path="/auth/login"
        )
    tokens = Tokens(body["access_token"], body.get("refresh_token"))
    credentials.tokens = tokens
    user = body.get("user")
    credentials.confirm(tokens, user)
    return user


def log_out(credentials: Credentials, ask: Ask) -> None:
    """Revoke the tokens on the server and forget them here, whatever happens."""
    try:
        if credentials.tokens is not None:
            ask("GET", "auth/logout", retry=Retry.never())
    except errors.AuthenticationError:
        pass
    finally:
        credentials.tokens = None


def refresh(credentials: Credentials, ask: Ask, stale: Tokens, why: str = "expired") -> bool:
    """Trade the refresh token for a new access token, once for all threads that met
    ``stale`` refused: False when another thread did it meanwhile."""
    with credentials.refresh_lock:
        current = credentials.tokens
        if current is not stale:
            return False
        if current is None or not current.refresh:
            raise errors.AuthenticationError(
                f"the access token {why} and there is no refresh token: log in again",
                path="/auth/refresh-token",
                status=401,
            )
        try:
            body = ask(
                "GET",
                "auth/refresh-token",
                auth=False,
                headers={"Authorization": f"Bearer {current.refresh}"},
            )
        except errors.KitsuError as exc:
            credentials.tokens = None
            raise errors.AuthenticationError(
                f"the access token {why} and could not be refreshed ({exc.message}): log in again",
                method="GET",
                path="/auth/refresh-token",
                status=exc.status,
            ) from None
        credentials.refreshed(current, body["access_token"])
        return True
