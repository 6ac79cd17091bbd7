"""auth: tokens, the user the server named for them, and the auth exchanges (no server).

The exchanges against a real Kitsu are in tests/test_transport.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from kitsu_orm import errors
from kitsu_orm.auth import Credentials, Tokens, log_in, log_out, refresh
from kitsu_orm.retry import Retry

USER = {"id": "u1", "email": "me@studio.com"}


class Server:
    """Answers the auth routes as Zou does, and records what it was asked."""

    def __init__(self, **answers: Any) -> None:
        self.answers = answers
        self.asked: list[tuple[str, str, bool]] = []

    def __call__(
        self, method: str, path: str, *, auth: bool = True, retry: Retry | None = None, **kw: Any
    ) -> Any:
        self.asked.append((method, path, auth))
        answer = self.answers[path.replace("auth/", "").replace("-", "_")]
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_a_login_confirms_its_user_and_a_token_by_hand_confirms_none() -> None:
    credentials = Credentials()
    server = Server(login={"access_token": "a1", "refresh_token": "r1", "user": USER})
    assert log_in(credentials, server, "me@studio.com", "pw") == USER
    assert server.asked == [("POST", "auth/login", False)]
    assert credentials.tokens == Tokens("a1", "r1")
    assert credentials.confirmed_user_id() == "u1"
    credentials.use("a-bot-token")
    assert credentials.confirmed_user_id() is None


def test_a_failed_login_leaves_no_token() -> None:
    credentials = Credentials()
    credentials.use("old")
    refused = errors.AuthenticationError("wrong password", status=401)
    with pytest.raises(errors.AuthenticationError, match="login failed for me@studio.com"):
        log_in(credentials, Server(login=refused), "me@studio.com", "pw")
    assert credentials.tokens is None


def test_a_refresh_keeps_the_confirmed_user_and_happens_once() -> None:
    credentials = Credentials()
    server = Server(login={"access_token": "a1", "refresh_token": "r1", "user": USER})
    log_in(credentials, server, "me@studio.com", "pw")
    stale = credentials.tokens
    assert stale is not None
    server = Server(refresh_token={"access_token": "a2"})
    assert refresh(credentials, server, stale) is True
    assert credentials.tokens == Tokens("a2", "r1")
    assert credentials.confirmed_user_id() == "u1"
    assert refresh(credentials, server, stale) is False  # another thread's stale token
    assert len(server.asked) == 1


def test_no_refresh_token_or_a_refused_one_asks_to_log_in_again() -> None:
    credentials = Credentials()
    credentials.use("a-bot-token")
    with pytest.raises(errors.AuthenticationError, match="no refresh token"):
        refresh(credentials, Server(), credentials.tokens or Tokens("x"))
    credentials.use(Tokens("a1", "r1"))
    failing = Server(refresh_token=errors.AuthenticationError("revoked", status=401))
    with pytest.raises(errors.AuthenticationError, match="could not be refreshed"):
        refresh(credentials, failing, credentials.tokens or Tokens("x"))
    assert credentials.tokens is None


def test_log_out_forgets_the_tokens_even_when_the_server_refuses() -> None:
    credentials = Credentials()
    credentials.use("a1")
    log_out(credentials, Server(logout=errors.AuthenticationError("expired", status=401)))
    assert credentials.tokens is None


def test_tokens_hide_themselves_and_a_token_must_be_text() -> None:
    assert "a1" not in repr(Tokens("a1", "r1")) and "r1" not in repr(Tokens("a1", "r1"))
    with pytest.raises(errors.ConfigurationError):
        Credentials().use("")
