"""A drop-in functional facade with gazu's module and function names.

``from kitsu_orm.compat import gazu`` then ``gazu.client.log_in(...)``: the
calls of gazu's usage page, answered through kitsu_orm's session, with
kitsu_orm's errors.

The modules of gazu's usage page (``asset``, ``cache``, ``client``, ``files``,
``person``, ``project``, ``scene``, ``shot``, ``task``, ``user``, and
``casting``, ``entity`` and ``playlist`` beyond the page) sit on three of their
own, which import one another in this order only:

- :mod:`.connection`: the session the facade talks through;
- :mod:`.memo`: gazu's per-function cache switches (``@cached_function``,
  which every ``all_*`` and ``get_*`` read of the page wears where it is
  defined), over the session's persistent cache;
- :mod:`.rows`: gazu's argument and answer shapes (dicts or ids in, the
  server's JSON out, lists sorted by name).

``files``, the largest of gazu's modules, is a package of one module per
concept of its own (output types and softwares, working files, output
files, paths), which it answers for under gazu's name.
"""

from __future__ import annotations

from typing import Any

from ...auth import Tokens
from ...transport import Transport
from . import (
    asset,
    cache,
    casting,
    client,
    entity,
    exception,
    files,
    person,
    playlist,
    project,
    scene,
    shot,
    task,
    user,
)
from .client import (
    GAZU_VERSION,
    KitsuClient,
    create_client,
    default_client,
    get_full_url,
    host_is_up,
    log_in,
    log_out,
    url_path_join,
)
from .client import get as _get
from .client import get_event_host as _get_event_host
from .client import get_host as _get_host
from .client import set_event_host as _set_event_host
from .client import set_host as _set_host
from .client import set_tokens as _set_tokens

__version__ = GAZU_VERSION

__all__ = [
    "asset",
    "cache",
    "casting",
    "client",
    "entity",
    "exception",
    "files",
    "person",
    "playlist",
    "project",
    "scene",
    "shot",
    "task",
    "user",
    "KitsuClient",
    "__version__",
    "create_client",
    "create_session",
    "default_client",
    "get_event_host",
    "get_full_url",
    "get_host",
    "host_is_up",
    "log_in",
    "log_out",
    "refresh_access_token",
    "send_email_otp",
    "set_event_host",
    "set_host",
    "set_token",
    "url_path_join",
]


def get_host(client: KitsuClient = default_client) -> str:
    """gazu's top-level ``get_host``: the API root the client sends to."""
    return _get_host(client)


def set_host(url: str, client: KitsuClient = default_client) -> None:
    """gazu's top-level ``set_host``: point the client at another server (answers None)."""
    _set_host(url, client)


def get_event_host(client: KitsuClient = default_client) -> str:
    """gazu's top-level ``get_event_host``."""
    return _get_event_host(client)


def set_event_host(url: str, client: KitsuClient = default_client) -> None:
    """gazu's top-level ``set_event_host`` (answers None)."""
    _set_event_host(url, client)


def set_token(token: dict[str, Any] | str, client: KitsuClient = default_client) -> Any:
    """gazu's ``set_token``: send these tokens (a dict, or an access token alone)."""
    return _set_tokens(token if isinstance(token, dict) else {"access_token": token}, client)


def send_email_otp(email: str, client: KitsuClient = default_client) -> Any:
    """gazu's ``send_email_otp``: ask the server to mail a one-time password."""
    return _get("auth/email-otp", params={"email": email}, client=client)


def refresh_access_token(client: KitsuClient = default_client) -> dict[str, str]:
    """gazu's ``refresh_access_token``: trade the client's refresh token for a new
    access token, which the client sends from then on."""
    transport = client.session.transport
    tokens = transport.tokens
    if tokens is None or not tokens.refresh:
        raise exception.NotAuthenticatedException("no refresh token", path="auth/refresh-token")
    with Transport(transport.host) as probe:  # sends the refresh token alone
        probe.use_tokens(Tokens(tokens.refresh))
        answer: dict[str, str] = probe.get("auth/refresh-token")
    transport.use_tokens(
        Tokens(answer["access_token"], answer.get("refresh_token", tokens.refresh))
    )
    return answer


def create_session(
    host: str,
    email: str,
    password: str,
    totp: str | None = None,
    email_otp: str | None = None,
    fido_authentication_response: dict[str, Any] | None = None,
    recovery_code: str | None = None,
    ssl_verify: bool = True,
    cert: str | None = None,
    use_refresh_token: bool = False,
    callback_not_authenticated: Any = None,
) -> KitsuClient:
    """gazu's ``create_session``: a client of its own for ``host``, logged in (a
    context manager that closes its session)."""
    made = create_client(
        host,
        ssl_verify=ssl_verify,
        cert=cert,
        use_refresh_token=use_refresh_token,
        callback_not_authenticated=callback_not_authenticated,
    )
    try:
        log_in(email, password, totp, email_otp, fido_authentication_response, recovery_code, made)
    except BaseException:
        made.session.close()
        raise
    return made
