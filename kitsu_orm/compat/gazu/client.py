"""gazu's ``client`` module: the generic calls, the host and the tokens.

Every function takes gazu's ``client=`` keyword (:mod:`.kitsu_client`) and runs
through that client's kitsu_orm session. Paths are relative to the API root, as
in gazu (``"data/projects"``). Request bodies are sent as gazu sends them (dates
and datetimes in ISO form); a DELETE answers the server's text, ``""`` for none.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from ...errors import AuthenticationError, ConfigurationError, ValidationError
from ...progress import loading
from ...urls import checked_id
from . import connection, exception
from .connection import default_session, default_transport
from .declare import gazu_function
from .hosts import (
    GAZU_VERSION,
    build_path_with_params,
    check_status,
    get_api_url_from_host,
    get_event_host,
    get_full_url,
    get_host,
    get_message_from_data,
    get_message_from_response,
    host_is_up,
    host_is_valid,
    is_host_up,
    make_auth_header,
    set_event_host,
    set_host,
    set_tokens,
    url_path_join,
)
from .kitsu_client import KitsuClient, create_client, default_client
from .memo import read, written
from .rows import jsonable

__all__ = [
    "GAZU_VERSION",
    "KitsuClient",
    "__version__",
    "build_path_with_params",
    "check_status",
    "create",
    "create_client",
    "default_client",
    "delete",
    "download",
    "fecth",
    "fecth_one",
    "fetch_all",
    "fetch_first",
    "fetch_one",
    "get",
    "get_api_url_from_host",
    "get_api_version",
    "get_current_user",
    "get_event_host",
    "get_file_data_from_url",
    "get_full_url",
    "get_host",
    "get_message_from_data",
    "get_message_from_response",
    "host_is_up",
    "host_is_valid",
    "import_data",
    "is_host_up",
    "log_in",
    "log_out",
    "make_auth_header",
    "post",
    "put",
    "set_event_host",
    "set_host",
    "set_tokens",
    "update",
    "upload",
    "url_path_join",
]

__version__ = GAZU_VERSION
DEFAULT_PROCESSING_TIMEOUT = 60
_MODEL_NAME = re.compile(r"[a-z][a-z0-9-]*")


# -- log-in ----------------------------------------------------------------------------


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


@gazu_function
def get_api_version(client: KitsuClient = default_client) -> str:
    """The version of Zou the client's server runs."""
    answer: dict[str, Any] = default_transport().get("")
    return str(answer["version"])


# -- requests --------------------------------------------------------------------------


@gazu_function(cached=True)
def get(
    path: str,
    json_response: bool = True,
    params: dict[str, Any] | None = None,
    client: KitsuClient = default_client,
) -> Any:
    """GET a route (relative to the API root); its JSON, or its text with
    ``json_response=False``."""
    body = read(path, params)
    if json_response or isinstance(body, str):
        return body
    return json.dumps(body)


@gazu_function
def post(path: str, data: Any, client: KitsuClient = default_client) -> Any:
    """POST a route; the cached reads it touches are forgotten."""
    return written(path, lambda: default_transport().post(path, jsonable(data)))


@gazu_function
def put(path: str, data: Any, client: KitsuClient = default_client) -> Any:
    """PUT a route; the cached reads it touches are forgotten."""
    return written(path, lambda: default_transport().put(path, jsonable(data)))


@gazu_function
def delete(
    path: str, params: dict[str, Any] | None = None, client: KitsuClient = default_client
) -> Any:
    """DELETE a route; answers the server's text (``""`` when it sends none)."""
    answer = written(path, lambda: default_transport().delete(path, params))
    return "" if answer is None else answer


@gazu_function(cached=True)
def fetch_all(
    path: str,
    params: dict[str, Any] | None = None,
    client: KitsuClient = default_client,
    paginated: bool = False,
    limit: int | None = None,
    fields: list[str] | str | None = None,
) -> list[Any]:
    """Every row of ``data/<path>``; with ``paginated``, walks all pages;
    ``fields`` names the columns to answer (``id`` and ``type`` always come).

    A ``page`` given in the path or params asks for that one page and, as
    in gazu, answers the page object itself (``data``, ``nb_pages``...).
    """
    params = dict(params or {})
    if fields is not None:
        params["fields"] = fields if isinstance(fields, str) else ",".join(fields)
    session = default_session()
    if paginated:
        with loading(session.progress, path) as counter:
            pages = session.transport.paginate(
                _data(path), params or None, limit=limit or 100, on_rows=counter.advance
            )
            return list(pages)
    body: list[Any] = read(_data(path), params or None)
    return body


fecth = fetch_all


@gazu_function(cached=True)
def fetch_first(
    path: str, params: dict[str, Any] | None = None, client: KitsuClient = default_client
) -> dict[str, Any] | None:
    """The first row a list route answers, or None."""
    rows = read(_data(path), params)
    return rows[0] if rows else None


@gazu_function(cached=True)
def fetch_one(
    model_name: str,
    id: str,
    params: dict[str, Any] | None = None,
    client: KitsuClient = default_client,
) -> Any:
    """One row of a model: ``fetch_one("projects", id)``."""
    return read(_data(model_name, checked_id(id, "fetch_one")), params)


@gazu_function(cached=True)
def fecth_one(
    model_name: str,
    id: str | None = None,
    params: dict[str, Any] | None = None,
    client: KitsuClient = default_client,
) -> Any:
    """The usage page's spelling of :func:`fetch_one`, which also takes
    ``fecth_one("projects?id=...")`` and answers the first match."""
    if id is None:
        return fetch_first(model_name, params)
    return fetch_one(model_name, id, params)


@gazu_function
def create(model_name: str, data: dict[str, Any], client: KitsuClient = default_client) -> Any:
    """POST a new row of a model (``create("shots", {...})``)."""
    return post(_data(model_name), data)


@gazu_function
def update(
    model_name: str, model_id: str, data: dict[str, Any], client: KitsuClient = default_client
) -> Any:
    """PUT fields of one row of a model."""
    return put(_data(model_name, checked_id(model_id, "update")), data)


@gazu_function
def import_data(model_name: str, data: Any, client: KitsuClient = default_client) -> Any:
    """POST rows to Zou's Kitsu import route of a model (``import/kitsu/<model>``)."""
    if not isinstance(model_name, str) or not _MODEL_NAME.fullmatch(model_name):
        raise ValidationError(f"import_data: {model_name!r} is not a model name")
    return post(f"import/kitsu/{model_name}", data)


FileArg = str | os.PathLike[str] | IO[bytes]


@gazu_function
def upload(
    path: str,
    file_path: FileArg | None = None,
    data: dict[str, Any] | None = None,
    extra_files: list[FileArg] | None = None,
    files: Mapping[str, Any] | Sequence[tuple[str, FileArg]] | None = None,
    client: KitsuClient = default_client,
    progress_callback: Callable[[int, int], Any] | None = None,
) -> Any:
    """Send a file to a route (``file``, then ``extra_files`` as ``file-1``...), or the
    ``files`` form parts instead (gazu's dict, where a ``(None, text, type)`` part is
    a text field); streamed from disk. A message in the answer raises
    UploadFailedException, as in gazu."""
    fields = dict(data or {})
    parts: list[tuple[str, FileArg]] = []
    for name, item in files.items() if isinstance(files, Mapping) else files or ():
        if isinstance(item, tuple) and item and item[0] is None:
            fields[name] = item[1]  # a text part: (None, text, content type)
        else:
            parts.append((name, item[1] if isinstance(item, tuple) else item))
    main = None if files else file_path  # gazu sends ``files`` instead of the file
    if not files:
        parts = [(f"file-{i}", extra) for i, extra in enumerate(extra_files or (), 1)]
    on_read = _progress(progress_callback, [main, *(p for _, p in parts)])
    transport = default_transport()
    answer = written(
        path, lambda: transport.upload(path, main, data=fields, files=parts, on_read=on_read)
    )
    message = get_message_from_data(answer, default_message="")
    if message:
        raise exception.UploadFailedException(message, path=path)
    return answer


def _progress(
    callback: Callable[[int, int], Any] | None, items: list[FileArg | None]
) -> Callable[[int], None] | None:
    """gazu's ``progress_callback(bytes sent, total)`` fed from the transport's blocks."""
    if callback is None:
        return None
    total = sum(
        os.path.getsize(i) if isinstance(i, (str, os.PathLike)) else os.fstat(i.fileno()).st_size
        for i in items
        if i is not None
    )
    sent = [0]

    def on_read(size: int) -> None:
        sent[0] += size
        callback(sent[0], total)

    return on_read


@gazu_function
def download(
    path: str,
    file_path: str | os.PathLike[str],
    params: dict[str, Any] | None = None,
    client: KitsuClient = default_client,
    progress_callback: Callable[[int, int], Any] | None = None,
    processing_timeout: float = DEFAULT_PROCESSING_TIMEOUT,
) -> Path:
    """Stream a route's file to ``file_path`` (never left half-written); answers
    the file's path (gazu answers its ``requests`` response)."""
    if file_path is None:
        raise ValidationError("download: name the file to write (file_path)")
    transport = default_transport()
    target: Path = transport.download(build_path_with_params(path, params), file_path)
    if progress_callback is not None:
        size = target.stat().st_size
        progress_callback(size, size)
    return target


@gazu_function
def get_file_data_from_url(
    url: str, full: bool = False, client: KitsuClient = default_client
) -> bytes:
    """The bytes a route of the client's server answers; a ``full`` URL must be on
    that server (the client's tokens never go to another)."""
    transport = default_transport()
    if full:
        root = transport.host.rstrip("/") + "/"
        if not url.startswith(root):
            raise ValidationError(f"get_file_data_from_url: {url!r} is not on {transport.host}")
        url = url.removeprefix(root)
    with tempfile.TemporaryDirectory(prefix="kitsu-orm-") as folder:
        target: Path = transport.download(url, Path(folder) / "data")
        return target.read_bytes()


def _data(*parts: str) -> str:
    return "/".join(["data", *(p.strip("/") for p in parts)])
