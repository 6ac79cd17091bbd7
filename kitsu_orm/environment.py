"""Where to connect and as whom, from environment variables, as the ecosystem spells them.

``kitsu.connect()`` with no host reads:

- ``KITSU_HOST``: the server (``https://kitsu.studio`` or ``.../api``);
  ``KITSU_URL`` is taken when it is not set (the dev server's ``env`` command
  prints both);
- ``KITSU_TOKEN``: a bot's or a user's token, or else
- ``KITSU_EMAIL`` and ``KITSU_PASSWORD``: a login.

When both a token and an email are set, the token is used. A variable set to
an empty string counts as unset. What is missing is named in a
ConfigurationError; no value of a variable is ever put in a message or a
repr (an email is not a secret, a password and a token are).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import attrs

from .errors import ConfigurationError

__all__ = ["HOST", "HOST_ALIAS", "EMAIL", "PASSWORD", "TOKEN", "Credentials", "from_environment"]

HOST = "KITSU_HOST"
HOST_ALIAS = "KITSU_URL"
EMAIL = "KITSU_EMAIL"
PASSWORD = "KITSU_PASSWORD"
TOKEN = "KITSU_TOKEN"


@attrs.frozen
class Credentials:
    """A host and either a token or an email and password; the secrets stay out of the
    repr."""

    host: str
    email: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    token: str | None = attrs.field(default=None, repr=False)


def from_environment(
    environ: Mapping[str, str] | None = None,
    *,
    host: str | None = None,
    email: str | None = None,
    password: str | None = None,
    token: str | None = None,
) -> Credentials:
    """The credentials the arguments give, completed from the environment; raises
    ConfigurationError naming the variables to set when they are not enough."""
    env = os.environ if environ is None else environ

    def read(name: str) -> str | None:
        return env.get(name) or None

    host = host or read(HOST) or read(HOST_ALIAS)
    if host is None:
        raise ConfigurationError(
            f"no Kitsu host: pass one to connect(), or set {HOST} (or {HOST_ALIAS})"
        )
    if token is None and email is None:
        token = read(TOKEN)
        if token is None:
            email = read(EMAIL)
    if token is not None:
        return Credentials(host, token=token)
    if email is None:
        raise ConfigurationError(
            f"no Kitsu credentials: pass them to connect(), or set {TOKEN}, or {EMAIL} and {PASSWORD}"
        )
    password = password if password is not None else read(PASSWORD)
    if password is None:
        raise ConfigurationError(f"{EMAIL} is set but {PASSWORD} is not: set it, or set {TOKEN}")
    return Credentials(host, email=email, password=password)
