"""The part of gazu's ``client`` module that is no request of Kitsu data: the host,
the tokens, URLs and paths, and how an answer's status and message are read.

:mod:`.client` answers for all of them under gazu's name.
"""

from __future__ import annotations

import weakref
from typing import Any
from urllib.parse import urlencode

from ...auth import Tokens
from ...errors import AuthenticationError, KitsuError
from ...transport import Transport
from . import exception
from .connection import default_transport
from .declare import gazu_function
from .kitsu_client import KitsuClient, default_client

__all__ = [
    "GAZU_VERSION",
    "__version__",
    "build_path_with_params",
    "check_status",
    "get_api_url_from_host",
    "get_event_host",
    "get_full_url",
    "get_host",
    "get_message_from_data",
    "get_message_from_response",
    "host_is_up",
    "host_is_valid",
    "is_host_up",
    "make_auth_header",
    "set_event_host",
    "set_host",
    "set_tokens",
    "url_path_join",
]

# The gazu release the facade answers as (``gazu.__version__``).
GAZU_VERSION = "1.3.1"
__version__ = GAZU_VERSION
# The event host set on a client, if any (gazu keeps it on the client object).
_event_hosts: weakref.WeakKeyDictionary[KitsuClient, str] = weakref.WeakKeyDictionary()


# -- the host --------------------------------------------------------------------------


def get_host(client: KitsuClient = default_client) -> str:
    """The API root the client sends to (``http://kitsu.studio/api``)."""
    return client.host


def set_host(new_host: str, client: KitsuClient = default_client) -> str:
    """Point the client at another server (a new session there, not logged in);
    answers the API root as normalised."""
    client.host = new_host
    return client.host


def get_api_url_from_host(client: KitsuClient = default_client) -> str:
    """The web address of the client's Kitsu: its API root without ``/api``."""
    return client.host.removesuffix("/api")


def get_event_host(client: KitsuClient = default_client) -> str:
    """The host the client listens to events on: the one set, else its API root."""
    return _event_hosts.get(client) or client.host


def set_event_host(new_host: str, client: KitsuClient = default_client) -> str:
    """Set the host the client listens to events on."""
    _event_hosts[client] = new_host
    return new_host


@gazu_function
def host_is_up(client: KitsuClient = default_client) -> bool:
    """Whether the client's server answers, without logging in."""
    return default_transport().is_host_up()


is_host_up = host_is_up


@gazu_function
def host_is_valid(client: KitsuClient = default_client) -> bool:
    """Whether the client's server is a Kitsu API: up, and refusing an empty log-in."""
    transport = default_transport()
    if not transport.is_host_up():
        return False
    with Transport(transport.host) as probe:  # of its own: the client's tokens stay home
        try:
            probe.post("auth/login", {"email": ""})
        except KitsuError as error:
            return error.status in (400, 401) or isinstance(error, AuthenticationError)
    return True


# -- tokens and log-in -----------------------------------------------------------------


def set_tokens(new_tokens: dict[str, str], client: KitsuClient = default_client) -> dict[str, str]:
    """Send these tokens (gazu's ``{"access_token", "refresh_token"}``) from now on;
    tokens without an access token log the client out here, without a request."""
    access = (new_tokens or {}).get("access_token")
    if access:
        client.session.transport.use_tokens(Tokens(access, new_tokens.get("refresh_token")))
    else:
        client.host = client.host  # a new session on the same host: no tokens
    return new_tokens


def make_auth_header(client: KitsuClient = default_client) -> dict[str, str]:
    """The headers gazu would authenticate with: its user agent and the bearer token."""
    headers = {"User-Agent": f"CGWire Gazu {GAZU_VERSION}"}
    access = client.access_token
    if access:
        headers["Authorization"] = f"Bearer {access}"
    return headers


# -- paths and messages ----------------------------------------------------------------


def url_path_join(*items: str) -> str:
    """The items joined by single ``/`` (each stripped of its own slashes at both ends)."""
    return "/".join(item.strip("/") for item in items)


def get_full_url(path: str, client: KitsuClient = default_client) -> str:
    """The full URL of a route on the client's server."""
    return url_path_join(get_host(client), path)


def build_path_with_params(path: str, params: dict[str, Any] | None) -> str:
    """``path`` with ``params`` as its query string (lists as repeated keys)."""
    query = urlencode(params, doseq=True) if params else ""
    if not query:
        return path
    return f"{path}{'&' if '?' in path else '?'}{query}"


def get_message_from_data(
    message_json: Any, default_message: str = "No additional information"
) -> str:
    """The message of a Zou answer (its ``message`` or ``error`` text, with the
    fields a validation refused), or ``default_message``."""
    if not isinstance(message_json, dict):
        return default_message
    texts = [message_json.get(k) for k in ("message", "error")]
    message = next((t for t in texts if isinstance(t, str) and t), default_message)
    data = message_json.get("data")
    problems = data.get("errors") if isinstance(data, dict) else None
    if isinstance(problems, list):
        listed = [f"{p.get('field')}: {p.get('message')}" for p in problems if isinstance(p, dict)]
        if listed:
            message = f"{message} ({', '.join(listed)})"
    return message


def get_message_from_response(
    response: Any, default_message: str = "No additional information"
) -> str:
    """The message of a Zou answer (a ``requests`` response), or ``default_message``."""
    try:
        body = response.json()
    except ValueError:
        return default_message
    return get_message_from_data(body, default_message)


_RAISED_FOR: dict[int, type[exception.GazuException]] = {
    400: exception.ParameterException,
    401: exception.NotAuthenticatedException,
    403: exception.NotAllowedException,
    404: exception.RouteNotFoundException,
    405: exception.MethodNotAllowedException,
    413: exception.TooBigFileException,
    422: exception.ValidationException,
    500: exception.ServerErrorException,
    502: exception.ServerErrorException,
}


def check_status(request: Any, path: str, client: KitsuClient | None = None) -> tuple[int, bool]:
    """Raise gazu's exception for an error status of a response; else answer
    ``(status, False)`` (the transport refreshes expired tokens itself, so there
    is never a request to try again)."""
    status = int(request.status_code)
    if status in _RAISED_FOR:
        message = get_message_from_response(request)
        if status == 422 and message == "Signature has expired":
            raise exception.NotAuthenticatedException(message, path=path, status=401)
        raise _RAISED_FOR[status](message, path=path, status=status)
    return status, False
