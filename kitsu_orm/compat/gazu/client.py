"""gazu's ``client`` module: the generic calls.

gazu keeps one default client per process; the facade uses the current
kitsu_orm session instead (the one ``kitsu_orm.connect()`` or
``set_host()`` made), so that functional and object-style code share one
transport, identity map and cache. Paths are relative to the API root, as
in gazu (``"data/projects"``).

The current session is per thread (:mod:`kitsu_orm.context`): ``set_host()``
and ``log_in()`` in a worker thread of a render-farm script change that
thread's session alone, and threads that never called them use the main
thread's. A worker's first ``log_in()`` or ``log_out()`` gives it a session
of its own first, on the same host, so that it never changes who the other
threads are.
"""

from __future__ import annotations

import os
import threading
from typing import IO, Any

from ... import context
from ...errors import AuthenticationError, ConfigurationError
from ...progress import loading
from ...session import Session, connect, current_session
from ...transport import Transport
from . import _cache

__all__ = [
    "create",
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

_DEFAULT_HOST = "http://gazu.change.serverhost/api"
_lock = threading.Lock()


def default_session() -> Session:
    """The current session; made (not logged in) on first use, as gazu's client is."""
    with _lock:
        try:
            return current_session()
        except ConfigurationError:
            return connect(os.environ.get("KITSU_HOST", _DEFAULT_HOST))


def default_transport() -> Transport:
    transport: Transport = default_session().transport
    return transport


def set_host(new_host: str) -> str:
    """Point the facade at another server: a new current session, not logged in."""
    connect(new_host)
    return get_host()


def get_host() -> str:
    return default_transport().host


def is_host_up() -> bool:
    return default_transport().is_host_up()


host_is_up = is_host_up


def _own_session() -> Session:
    """The session a log-in or log-out may change: this thread's own; a worker thread
    still on the main thread's session gets a new one first, on the same host."""
    session = default_session()
    if context.own_session() is None and threading.current_thread() is not threading.main_thread():
        session = connect(session.transport.host)
    return session


def log_in(email: str, password: str) -> dict[str, Any]:
    """Log in; returns the login answer (user and tokens), like gazu."""
    transport = _own_session().transport
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


def log_out() -> dict[str, Any]:
    _own_session().transport.logout()
    return {}


def get_current_user() -> dict[str, Any]:
    return default_transport().current_user()


@_cache.cached_function
def get(path: str, json_response: bool = True, params: dict[str, Any] | None = None) -> Any:
    body = _cache.read(path, params)
    if json_response or isinstance(body, str):
        return body
    import json

    return json.dumps(body)


def post(path: str, data: Any, params: dict[str, Any] | None = None) -> Any:
    return _cache.written(path, lambda: default_transport().post(path, data, params))


def put(path: str, data: Any, params: dict[str, Any] | None = None) -> Any:
    return _cache.written(path, lambda: default_transport().put(path, data, params))


def delete(path: str, params: dict[str, Any] | None = None) -> Any:
    return _cache.written(path, lambda: default_transport().delete(path, params))


def upload(
    path: str, file_path: str | os.PathLike[str] | IO[bytes], data: dict[str, Any] | None = None
) -> Any:
    return _cache.written(path, lambda: default_transport().upload(path, file_path, data=data))


@_cache.cached_function
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
    body: list[Any] = _cache.read(_data(path), params)
    return body


fecth = fetch_all


def fetch_first(path: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
    rows = fetch_all(path, params)
    return rows[0] if rows else None


@_cache.cached_function
def fetch_one(model_name: str, id: str | None = None, params: dict[str, Any] | None = None) -> Any:
    """One row: ``fetch_one("projects", id)``, or the usage page's
    ``fecth_one("projects?id=...")`` form, which answers the first match."""
    if id is None:
        return fetch_first(model_name, params)
    return _cache.read(_data(model_name, id), params)


fecth_one = fetch_one


def create(model_name: str, data: dict[str, Any]) -> Any:
    return post(_data(model_name), data)


def update(model_name: str, model_id: str, data: dict[str, Any]) -> Any:
    return put(_data(model_name, model_id), data)


def _data(*parts: str) -> str:
    return "/".join(["data", *(p.strip("/") for p in parts)])
