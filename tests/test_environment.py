"""connect() with no arguments (kitsu_orm.environment): KITSU_HOST (or KITSU_URL),
KITSU_TOKEN or KITSU_EMAIL and KITSU_PASSWORD; what is missing is named, and no
secret is ever shown; on the real server, from the dev server's ``env`` output."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Iterator

import pytest

import kitsu_orm as kitsu
from kitsu_orm.devserver import DevServer
from kitsu_orm.environment import Credentials, from_environment
from kitsu_orm.testing import KitsuServer
from kitsu_orm.transport import Transport

HOST = "http://kitsu.test/api"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No KITSU_ variable but the dev server's settings."""
    for name in list(os.environ):
        if name.startswith("KITSU_") and not name.startswith("KITSU_DEV"):
            monkeypatch.delenv(name)
    before = kitsu.context.default_session()
    yield monkeypatch
    kitsu.context.set_default(before)  # connect() made its session the default


def test_a_token_or_a_login_from_the_variables() -> None:
    token = from_environment({"KITSU_HOST": HOST, "KITSU_TOKEN": "tok-secret"})
    login = from_environment({"KITSU_URL": HOST, "KITSU_EMAIL": "a@b.c", "KITSU_PASSWORD": "pw"})
    both = from_environment(
        {"KITSU_HOST": HOST, "KITSU_TOKEN": "t", "KITSU_EMAIL": "a@b.c", "KITSU_PASSWORD": "pw"}
    )

    assert token == Credentials(HOST, token="tok-secret")
    assert login == Credentials(HOST, email="a@b.c", password="pw")
    assert both == Credentials(HOST, token="t")  # the token wins
    assert "tok-secret" not in repr(token) and "pw" not in repr(login)


def test_kitsu_host_wins_over_its_alias_and_arguments_over_both() -> None:
    env = {"KITSU_HOST": HOST, "KITSU_URL": "http://other/api", "KITSU_TOKEN": "t"}
    assert from_environment(env).host == HOST
    assert from_environment(env, host="http://mine/api").host == "http://mine/api"
    # an email passed by hand takes its password from the environment, not the token
    env_pw = {**env, "KITSU_PASSWORD": "pw"}
    assert from_environment(env_pw, email="me@x.y") == Credentials(
        HOST, email="me@x.y", password="pw"
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "no Kitsu host: pass one to connect(), or set KITSU_HOST (or KITSU_URL)"),
        (
            {"KITSU_HOST": ""},
            "no Kitsu host: pass one to connect(), or set KITSU_HOST (or KITSU_URL)",
        ),
        (
            {"KITSU_HOST": HOST},
            "no Kitsu credentials: pass them to connect(), or set KITSU_TOKEN, "
            "or KITSU_EMAIL and KITSU_PASSWORD",
        ),
        (
            {"KITSU_HOST": HOST, "KITSU_EMAIL": "a@b.c"},
            "KITSU_EMAIL is set but KITSU_PASSWORD is not: set it, or set KITSU_TOKEN",
        ),
    ],
)
def test_what_is_missing_is_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(kitsu.ConfigurationError) as caught:
        from_environment(env)
    assert str(caught.value) == message


def test_connect_with_no_argument_and_no_variable_says_what_to_set(
    clean_env: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(kitsu.ConfigurationError, match="set KITSU_HOST"):
        kitsu.connect()
    clean_env.setenv("KITSU_HOST", HOST)
    clean_env.setenv("KITSU_EMAIL", "a@b.c")
    with pytest.raises(kitsu.ConfigurationError, match="KITSU_PASSWORD is not"):
        kitsu.connect()


# -- on the server -------------------------------------------------------------------------


def _devserver_exports(server: DevServer) -> dict[str, str]:
    """What ``eval "$(python -m kitsu_orm.devserver env)"`` would set."""
    done = subprocess.run(
        [sys.executable, "-m", "kitsu_orm.devserver", "--name", server.name, "env"],
        capture_output=True,
        text=True,
        check=True,
    )
    pairs = (line.removeprefix("export ").split("=", 1) for line in done.stdout.splitlines())
    return {name: shlex.split(value)[0] for name, value in pairs}


@pytest.mark.server
def test_connect_reads_what_the_dev_servers_env_command_prints(
    kitsu_server: KitsuServer, clean_env: pytest.MonkeyPatch
) -> None:
    if not isinstance(kitsu_server, DevServer):
        pytest.skip("reads the local dev server's env command")
    exports = _devserver_exports(kitsu_server)
    assert exports["KITSU_HOST"] == kitsu_server.url
    for name, value in exports.items():
        clean_env.setenv(name, value)

    session = kitsu.connect()
    try:
        assert session.transport.user is not None
        assert session.transport.user["email"] == kitsu_server.admin_email
        assert kitsu.current_session() is session
        assert kitsu.Project.where(name="no such project").all() == []
    finally:
        session.transport.close()

    clean_env.delenv("KITSU_HOST")  # KITSU_URL alone is enough too
    session = kitsu.connect()
    assert session.transport.user and session.transport.user["email"] == kitsu_server.admin_email
    session.transport.close()


@pytest.mark.server
def test_connect_with_a_token_as_an_artist(
    kitsu_server: KitsuServer,
    kitsu_role_clients: dict[str, Transport],
    clean_env: pytest.MonkeyPatch,
) -> None:
    tokens = kitsu_role_clients["artist"].tokens
    assert tokens is not None
    clean_env.setenv("KITSU_HOST", kitsu_server.url)
    clean_env.setenv("KITSU_TOKEN", tokens.access)

    session = kitsu.connect()
    try:
        assert session.transport.current_user()["email"] == "artist.kitsu-orm@example.com"
    finally:
        session.transport.close()


@pytest.mark.server
def test_a_refused_login_never_shows_the_password(
    kitsu_server: KitsuServer, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("KITSU_HOST", kitsu_server.url)
    clean_env.setenv("KITSU_EMAIL", kitsu_server.admin_email)
    clean_env.setenv("KITSU_PASSWORD", "wrong-password-7c1e")
    with pytest.raises(kitsu.AuthenticationError) as caught:
        kitsu.connect()
    assert "wrong-password-7c1e" not in str(caught.value)
    assert "wrong-password-7c1e" not in repr(caught.value)
