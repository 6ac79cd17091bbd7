"""What may go into a URL: the API root, checked path segments, query strings that fit.

:func:`normalize_host` makes the API root of any way a user writes a Kitsu
address; :func:`check_path` is the transport's last check that a path stays
under it.

Route templates live in :mod:`kitsu_orm.routes`; this module fills them. Every
value put in a path goes through :func:`fill`, which takes an id only if it is
a UUID, a day only as ``YYYY-MM-DD``, and percent-quotes anything else (a
name), so that a value can never add, climb or replace a path segment
(``Shot.get("../../auth/logout")`` is refused before any request).

Zou runs behind gunicorn, which refuses a request line over 4094 bytes with a
bare "400 Bad Request": :func:`fitting` cuts the longest IN-list of a GET's
query string (``id=[...]``) into as many requests as the line needs, measured
on the URL itself, so that every caller asks for long lists of ids alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, TypeGuard
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

from .errors import ConfigurationError, KitsuError, ValidationError

__all__ = [
    "REQUEST_LINE_LIMIT",
    "UUID_PATTERN",
    "check_path",
    "checked_id",
    "fill",
    "fitting",
    "is_uuid",
    "normalize_host",
    "placeholders",
    "request_line_length",
]

UUID_PATTERN = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")

# gunicorn's default ``limit_request_line``: the longest "GET /path?query HTTP/1.1".
REQUEST_LINE_LIMIT = 4094
# Room kept for what the transport may add to a query (``page=..&limit=..``).
_SLACK = 64

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_WORD = re.compile(r"[a-z][a-z-]*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# A backslash, a fragment, a space or a control character: never in a route.
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\#]")


def is_uuid(value: object) -> TypeGuard[str]:
    """Whether ``value`` is an id as Zou writes them (``"1f0e...-...``")."""
    return isinstance(value, str) and UUID_PATTERN.fullmatch(value) is not None


def checked_id(value: object, what: str = "id") -> str:
    """``value`` if it is an id (a UUID string or a ``uuid.UUID``), else a ValidationError."""
    if is_uuid(value):
        return value
    if type(value).__name__ == "UUID" and is_uuid(str(value)):
        return str(value)
    raise ValidationError(f"{what} takes an id (a UUID string), not {value!r}")


def normalize_host(url: str) -> str:
    """The API root for any way a user writes a Kitsu address.

    ``kitsu.studio``, ``http://kitsu.studio``, ``http://kitsu.studio/`` and
    ``http://kitsu.studio/api/`` all give ``http://kitsu.studio/api``.
    """
    if not isinstance(url, str) or not url.strip():
        raise ConfigurationError(f"a Kitsu host must be a non-empty URL, not {url!r}")
    url = url.strip()
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"not an http(s) URL: {url!r}")
    path = parts.path.rstrip("/")
    if not path.endswith("/api"):
        path += "/api"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def check_path(method: str, path: str) -> None:
    """Refuse a path that could leave the API root: a ``..`` or ``.`` segment (requests
    resolves them before sending), a scheme or host, a backslash, a fragment or a
    control character. Routes fill their values through :func:`fill`: this is the
    second line of defence, which the transport runs before every request."""
    route = path.partition("?")[0]
    stripped = route.lstrip("/")
    bad = (
        route.startswith("//")
        or _SCHEME.match(stripped) is not None
        or _UNSAFE.search(path) is not None
        or _has_dot_segment(route)
    )
    if bad:
        raise ValidationError(
            f"refused to send a request to {path!r}: not a path under the API root",
            method=method,
            path="/" + stripped,
        )


def _has_dot_segment(route: str) -> bool:
    """Whether a segment of ``route`` is ``.`` or ``..``, written plain or %-encoded."""
    if "." not in route and "%" not in route:  # most routes: no need to split
        return False
    return any(unquote(segment) in (".", "..") for segment in route.split("/"))


def placeholders(template: str) -> list[str]:
    """The ``{placeholder}`` names of a route template, in order."""
    return _PLACEHOLDER.findall(template)


def fill(template: str, **values: object) -> str:
    """``template`` with each ``{placeholder}`` replaced by its value, checked.

    ``{id}``, ``{..._id}`` and ``{target}`` take ids only; ``{date}`` a day
    (``YYYY-MM-DD``); ``{collection}`` a route word (``shots``); anything else
    a non-empty string, percent-quoted whole (a ``/`` in a name stays in its
    segment). A wrong value is a ValidationError, before any request.
    """

    def segment(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KitsuError(f"route {template!r} needs a value for {{{name}}}")
        return _segment(name, values[name])

    return _PLACEHOLDER.sub(segment, template)


def _segment(name: str, value: object) -> str:
    if name in ("id", "target") or name.endswith("_id"):
        return checked_id(value, f"{{{name}}} in a route")
    if name == "date":
        if isinstance(value, str) and _DAY.fullmatch(value):
            return value
        raise ValidationError(f"a day in a route is 'YYYY-MM-DD', not {value!r}")
    if name == "collection":
        if isinstance(value, str) and _WORD.fullmatch(value):
            return value
        raise ValidationError(f"not a collection of the API: {value!r}")
    if not isinstance(value, str) or not value or value in (".", ".."):
        raise ValidationError(f"{name} in a route must be a name, not {value!r}")
    return quote(value, safe="")


def request_line_length(host: str, route: str, params: Mapping[str, Any] | None) -> int:
    """The bytes of ``GET <path>?<query> HTTP/1.1`` for this request, as requests
    encodes it (``host`` is the API root the transport prefixes)."""
    path = urlsplit(host).path.rstrip("/") + "/" + route.lstrip("/")
    query = urlencode({k: _text(v) for k, v in (params or {}).items() if v is not None})
    return len("GET ") + len(path) + (len(query) + 1 if query else 0) + len(" HTTP/1.1")


def fitting(host: str, route: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``params`` as the query strings of as few GETs as fit the server's request
    line: the longest JSON-list value (``id='["..",".."]'``) is cut into parts,
    each request keeping every other parameter. Rows answered by the parts
    together are the rows of the whole list. Answers ``[params]`` when it fits.
    """
    whole = dict(params)
    room = REQUEST_LINE_LIMIT - _SLACK
    if request_line_length(host, route, whole) <= room:
        return [whole]
    lists = {
        k: v for k, v in whole.items() if (items := _json_list(v)) is not None and len(items) > 1
    }
    if not lists:
        raise ValidationError(
            f"the query of GET {route} is too long for the server's request line "
            f"({request_line_length(host, route, whole)} > {room} bytes)"
        )
    key = max(lists, key=lambda k: len(_text(lists[k])))
    items = _json_list(lists[key]) or []
    fixed = request_line_length(host, route, {**whole, key: "[]"})
    parts: list[list[Any]] = []
    used = fixed
    for item in items:
        # Each item costs its encoded JSON, and a comma after the first.
        cost = len(quote(json.dumps(item), safe="")) + (len("%2C") if parts and parts[-1] else 0)
        if parts and parts[-1] and used + cost <= room:
            parts[-1].append(item)
            used += cost
            continue
        first = fixed + len(quote(json.dumps(item), safe=""))
        if first > room:
            raise ValidationError(
                f"the query of GET {route} cannot fit the server's request line, "
                f"even with one {key} at a time"
            )
        parts.append([item])
        used = first
    # One value goes as itself, as read_routes.encode_values sends it.
    return [
        {**whole, key: str(part[0]) if len(part) == 1 else json.dumps(part, separators=(",", ":"))}
        for part in parts
    ]


def _json_list(value: Any) -> list[Any] | None:
    if not isinstance(value, str) or not value.startswith("["):
        return None
    try:
        items = json.loads(value)
    except ValueError:
        return None
    return items if isinstance(items, list) else None


def _text(value: Any) -> str:
    return str(value)
