"""gazu's ``client`` module: the generic calls.

They go through the facade's connection (:mod:`.connection`: the current
kitsu_orm session). Paths are relative to the API root, as in gazu
(``"data/projects"``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import IO, Any

from ...errors import AuthenticationError, ConfigurationError
from ...progress import loading
from ...urls import checked_id
from . import connection
from .connection import default_session, default_transport
from .declare import gazu_function
from .kitsu_client import KitsuClient, create_client, default_client
from .memo import cached_function, read, written

__all__ = [
    "KitsuClient",
    "create",
    "create_client",
    "default_client",
    "delete",
    "fecth",
    "fecth_one",
    "fetch_all",
    "fetch_first",
    "fetch_one",
    "get",
    "get_current_user",
    "get_host",
    "host_is_up",
    "is_host_up",
    "log_in",
    "log_out",
    "post",
    "put",
    "set_host",
    "update",
    "upload",
]

def set_host(new_host: str) -> str:
    """Point the facade at another server: a new current session, not logged in."""
    connection.set_host(new_host)
    return get_host()


def get_host() -> str:
    """gazu's ``get_host``: the API root requests go to."""
    return default_transport().host


def is_host_up() -> bool:
    """gazu's ``host_is_up``: whether the server answers, without logging in."""
    return default_transport().is_host_up()


host_is_up = is_host_up


@gazu_function
def log_in(
    email: str,
    password: str,
    totp: str | None = None,
    email_otp: str | None = None,
    fido_authentication_response: dict[str, Any] | None = None,
    recovery_code: str | None = None,
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """Log in; returns the login answer (user and tokens), like gazu. Two-factor
    log-ins (``totp``...) are not supported yet: refused, not ignored."""
    if any(v is not None for v in (totp, email_otp, fido_authentication_response, recovery_code)):
        raise ConfigurationError("log_in: two-factor authentication is not supported yet")
    transport = connection.own_session().transport
    user = transport.login(email, password)
    tokens = transport.tokens
    if tokens is None:  # pragma: no cover - login raises instead
        raise AuthenticationError("login failed")
    return {
        "login": True,
        "user": user,
        "access_token": tokens.access,
        "refresh_token": tokens.refresh,
    }


@gazu_function
def log_out(client: KitsuClient = default_client) -> dict[str, Any]:
    """gazu's ``log_out``: end the login of the client's session."""
    connection.own_session().transport.logout()
    return {}


@gazu_function
def get_current_user(client: KitsuClient = default_client) -> dict[str, Any]:
    """gazu's ``get_current_user``: the logged-in user's row."""
    return default_transport().current_user()


@gazu_function(cached=True)
def get(
    path: str,
    json_response: bool = True,
    params: dict[str, Any] | None = None,
    client: KitsuClient = default_client,
) -> Any:
    """gazu's ``get``: GET a route (relative to the API root); its JSON, or its text
    with ``json_response=False``."""
    body = read(path, params)
    if json_response or isinstance(body, str):
        return body
    import json

    return json.dumps(body)


@gazu_function
def post(path: str, data: Any, client: KitsuClient = default_client) -> Any:
    """gazu's ``post``: POST a route; the cached reads it touches are forgotten."""
    return written(path, lambda: default_transport().post(path, data))


@gazu_function
def put(path: str, data: Any, client: KitsuClient = default_client) -> Any:
    """gazu's ``put``: PUT a route; the cached reads it touches are forgotten."""
    return written(path, lambda: default_transport().put(path, data))


@gazu_function
def delete(
    path: str, params: dict[str, Any] | None = None, client: KitsuClient = default_client
) -> Any:
    """gazu's ``delete``: DELETE a route; the cached reads it touches are forgotten."""
    return written(path, lambda: default_transport().delete(path, params))


def upload(
    path: str,
    file_path: str | os.PathLike[str] | IO[bytes] | None,
    data: dict[str, Any] | None = None,
    files: Sequence[tuple[str, str | os.PathLike[str]]] = (),
) -> Any:
    """gazu's ``upload``: send a file to a route (previews, avatars), and ``files``
    as more form fields (a comment's attachments), streamed from disk."""
    transport = default_transport()
    return written(path, lambda: transport.upload(path, file_path, data=data, files=files))


@cached_function
def fetch_all(
    path: str,
    params: dict[str, Any] | None = None,
    paginated: bool = False,
    limit: int | None = None,
) -> list[Any]:
    """Every row of ``data/<path>``; with ``paginated``, walks all pages.

    A ``page`` given in the path or params asks for that one page and, as
    in gazu, answers the page object itself (``data``, ``nb_pages``...).
    """
    session = default_session()
    if paginated:
        with loading(session.progress, path) as counter:
            pages = session.transport.paginate(
                _data(path), params, limit=limit or 100, on_rows=counter.advance
            )
            return list(pages)
    body: list[Any] = read(_data(path), params)
    return body


fecth = fetch_all


def fetch_first(path: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """gazu's ``fetch_first``: the first row a list route answers, or None."""
    rows = fetch_all(path, params)
    return rows[0] if rows else None


@cached_function
def fetch_one(model_name: str, id: str | None = None, params: dict[str, Any] | None = None) -> Any:
    """One row: ``fetch_one("projects", id)``, or the usage page's
    ``fecth_one("projects?id=...")`` form, which answers the first match."""
    if id is None:
        return fetch_first(model_name, params)
    return read(_data(model_name, checked_id(id, "fetch_one")), params)


fecth_one = fetch_one


def create(model_name: str, data: dict[str, Any]) -> Any:
    """gazu's ``create``: POST a new row of a model (``create("shots", {...})``)."""
    return post(_data(model_name), data)


def update(model_name: str, model_id: str, data: dict[str, Any]) -> Any:
    """gazu's ``update``: PUT fields of one row of a model."""
    return put(_data(model_name, checked_id(model_id, "update")), data)


def _data(*parts: str) -> str:
    return "/".join(["data", *(p.strip("/") for p in parts)])
