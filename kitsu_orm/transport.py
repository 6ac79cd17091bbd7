"""The REST adapter: the one place that speaks HTTP to Zou.

It owns the pooled ``requests.Session``, authentication and token refresh,
retries, paging, uploads and downloads, the request counters and the
``echo`` log. It knows nothing of entities: it moves JSON. It is the only
module of kitsu_orm that imports requests, and it maps every requests
exception to :mod:`kitsu_orm.errors` here, so that none reaches the user.
"""

from __future__ import annotations

import base64
import importlib
import json
import os
import re
import threading
import time
import types
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit, urlunsplit

import attrs

from . import errors
from .retry import Retry

if TYPE_CHECKING:
    import datetime
    import logging

    import requests
    import requests.adapters
    import urllib3.exceptions
else:

    class _OnFirstUse(types.ModuleType):
        """A module imported when first used: requests costs 50 ms to import,
        logging 3 ms, and a session answered from its cache may never send a
        request."""

        def __getattr__(self, name: str) -> Any:
            module = importlib.import_module(self.__name__)
            return getattr(module, name)

    requests = _OnFirstUse("requests")
    logging = _OnFirstUse("logging")
    urllib3 = types.SimpleNamespace(exceptions=_OnFirstUse("urllib3.exceptions"))

__all__ = ["Transport", "Tokens", "RequestStats", "normalize_host"]


def _log() -> logging.Logger:
    return logging.getLogger("kitsu_orm.http")


DEFAULT_TIMEOUT = (5.0, 60.0)
_EXPIRED_HINTS = ("expired",)


def normalize_host(url: str) -> str:
    """The API root for any way a user writes a Kitsu address.

    ``kitsu.studio``, ``http://kitsu.studio``, ``http://kitsu.studio/`` and
    ``http://kitsu.studio/api/`` all give ``http://kitsu.studio/api``.
    """
    if not isinstance(url, str) or not url.strip():
        raise errors.ConfigurationError(f"a Kitsu host must be a non-empty URL, not {url!r}")
    url = url.strip()
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise errors.ConfigurationError(f"not an http(s) URL: {url!r}")
    path = parts.path.rstrip("/")
    if not path.endswith("/api"):
        path += "/api"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


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


@attrs.define
class RequestStats:
    """Counts of the HTTP requests that went on the wire (retries included)."""

    total: int = 0
    by_method: dict[str, int] = attrs.Factory(dict)
    retries: int = 0
    refreshes: int = 0
    errors: int = 0
    seconds: float = 0.0
    _lock: threading.Lock = attrs.field(factory=threading.Lock, repr=False, eq=False)

    def record(self, method: str, elapsed: float, *, failed: bool) -> None:
        """Count one request sent, with its time and whether it failed."""
        with self._lock:
            self.total += 1
            self.by_method[method] = self.by_method.get(method, 0) + 1
            self.seconds += elapsed
            if failed:
                self.errors += 1

    def count_retry(self) -> None:
        """Count one request sent again."""
        with self._lock:
            self.retries += 1

    def count_refresh(self) -> None:
        """Count one token refresh."""
        with self._lock:
            self.refreshes += 1

    def reset(self) -> None:
        """Start counting from zero (to measure one piece of work)."""
        with self._lock:
            self.total = self.retries = self.refreshes = self.errors = 0
            self.seconds = 0.0
            self.by_method = {}


FileArg = str | os.PathLike[str] | IO[bytes]


class Transport:
    """A connection to one Kitsu server, shared safely by many threads.

    ``timeout`` is ``(connect, read)`` seconds, or one number for both.
    ``retry`` is the :class:`~kitsu_orm.retry.Retry` policy. ``echo=True``
    logs every request to ``logging.getLogger("kitsu_orm.http")`` at INFO
    (at DEBUG otherwise). ``pool_size`` bounds the keep-alive connections
    kept for concurrent use.
    """

    def __init__(
        self,
        host: str,
        *,
        token: str | Tokens | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        retry: Retry | None = None,
        echo: bool = False,
        pool_size: int = 16,
        verify: bool | str = True,
    ) -> None:
        self._host = normalize_host(host)
        self.timeout = _check_timeout(timeout)
        self.retry = retry if retry is not None else Retry()
        self.echo = echo
        self.stats = RequestStats()
        self.user: dict[str, Any] | None = None
        self._tokens: Tokens | None = None
        # The tokens the server last named a user for, and that user's id.
        self._confirmed: tuple[Tokens, str] | None = None
        self._refresh_lock = threading.Lock()
        self._pool = (pool_size, verify)
        self._pool_lock = threading.Lock()
        self._http_session: requests.Session | None = None
        # The server's last ``Date`` header and the monotonic time it arrived: a clock
        # of the server's, read without a request (see server_time).
        self._server_date: tuple[str, float] | None = None
        if token is not None:
            self.use_tokens(token)
        if echo and not _log().hasHandlers():
            _log().addHandler(logging.StreamHandler())
            _log().setLevel(logging.INFO)

    def __repr__(self) -> str:
        who = (self.user or {}).get("email") or ("token" if self._tokens else "not logged in")
        return f"<Transport {self._host} ({who})>"

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _http(self) -> requests.Session:
        if self._http_session is None:
            with self._pool_lock:
                if self._http_session is None:
                    self._http_session = _make_session(*self._pool)
        return self._http_session

    def close(self) -> None:
        """Close the pooled connections; the transport can no longer send."""
        if self._http_session is not None:
            self._http_session.close()

    # -- host and authentication -------------------------------------------------

    @property
    def host(self) -> str:
        """The API root, e.g. ``http://kitsu.studio/api``."""
        return self._host

    @host.setter
    def host(self, url: str) -> None:
        # Tokens belong to one server: never send them to another.
        self._host = normalize_host(url)
        self._tokens = None
        self.user = None

    @property
    def tokens(self) -> Tokens | None:
        """The current tokens, to hand to another process (repr hides them)."""
        return self._tokens

    @property
    def is_authenticated(self) -> bool:
        """Whether the tokens are still accepted (one request)."""
        return self._tokens is not None

    def use_tokens(self, token: str | Tokens) -> None:
        """Authenticate with a bot/API token or tokens from an earlier login."""
        if isinstance(token, str):
            token = Tokens(token)
        if not isinstance(token, Tokens) or not token.access:
            raise errors.ConfigurationError("a token must be a non-empty string")
        self._tokens = token

    def login(self, email: str, password: str) -> dict[str, Any]:
        """Log in with email and password; returns the user. Clears tokens on failure."""
        self._tokens = None
        self.user = None
        try:
            body = self._json(
                self._send(
                    "POST", "auth/login", json={"email": email, "password": password}, auth=False
                )
            )
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
        self._tokens = Tokens(body["access_token"], body.get("refresh_token"))
        self.user = body.get("user")
        self._confirm(self._tokens, self.user)
        return self.user or {}

    def logout(self) -> None:
        """Revoke the tokens on the server and forget them here, whatever happens."""
        try:
            if self._tokens is not None:
                self._send("GET", "auth/logout", retry=Retry.never())
        except errors.AuthenticationError:
            pass
        finally:
            self._tokens = None
            self.user = None

    def current_user(self) -> dict[str, Any]:
        """The logged-in user's row, asked of the server (one request) and kept in ``user``."""
        body = self.get("auth/authenticated")
        user: dict[str, Any] = body.get("user", body) if isinstance(body, dict) else {}
        self.user = user
        self._confirm(self._tokens, user)
        return user

    def confirmed_user_id(self) -> str | None:
        """The id of the user the server named for the current tokens (the login's
        answer, or ``auth/authenticated``), without a request; None when the server
        has not said (a token given by hand, ``user`` set by hand)."""
        confirmed = self._confirmed
        if confirmed is None or self._tokens is None or confirmed[0] is not self._tokens:
            return None
        return confirmed[1]

    def _confirm(self, tokens: Tokens | None, user: Any) -> None:
        user_id = user.get("id") if isinstance(user, dict) else None
        if tokens is not None and isinstance(user_id, str) and user_id:
            self._confirmed = (tokens, user_id)

    def server_time(self) -> datetime.datetime | None:
        """A lower bound of the server's clock now (naive UTC, to the second), from the
        ``Date`` of its last answer and the time elapsed since, or None before any answer.

        Rows the server writes after this call carry a ``created_at`` at or after it,
        whatever the skew between this machine's clock and the server's.
        """
        import email.utils
        from datetime import timedelta, timezone

        seen = self._server_date
        if seen is None:
            return None
        try:
            when = email.utils.parsedate_to_datetime(seen[0])
        except (TypeError, ValueError):
            return None
        elapsed = max(0.0, time.monotonic() - seen[1])
        if when.tzinfo is not None:
            when = when.astimezone(timezone.utc).replace(tzinfo=None)
        return (when + timedelta(seconds=int(elapsed))).replace(microsecond=0)

    def is_host_up(self) -> bool:
        """Whether the API root answers, without retrying."""
        try:
            resp = self._send("GET", "", auth=False, retry=Retry.never())
        except errors.KitsuError:
            return False
        return resp.status_code == 200

    # -- requests ------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET a route and answer its JSON; a GET is safe to retry."""
        return self._json(self._send("GET", path, params=params))

    def post(self, path: str, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        """POST a JSON body (a create or an action) and answer the server's JSON."""
        return self._json(self._send("POST", path, json=json, params=params))

    def put(self, path: str, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        """PUT a JSON body (an update: safe to send again)."""
        return self._json(self._send("PUT", path, json=json, params=params))

    def delete(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """DELETE a route (``params``: Zou's ``force`` and the like)."""
        return self._json(self._send("DELETE", path, params=params))

    def paginate(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        limit: int = 100,
        on_rows: Callable[[int], None] | None = None,
    ) -> Iterator[Any]:
        """Every row of a list route, one page at a time, lazily.

        Routes that do not paginate answer a plain list, which is yielded as
        it is. Zou orders pages by ``updated_at``: rows edited while paging
        can move between pages. ``on_rows`` hears how many rows each page
        brought (a progress bar's count).
        """
        page = 1
        while True:
            body = self.get(path, {**(params or {}), "page": page, "limit": limit})
            if not isinstance(body, dict) or "data" not in body:
                rows = body or []
                if on_rows is not None:
                    on_rows(len(rows))
                yield from rows
                return
            if on_rows is not None:
                on_rows(len(body["data"]))
            yield from body["data"]
            if page >= int(body.get("nb_pages") or 1):
                return
            page += 1

    def upload(
        self,
        path: str,
        file: FileArg,
        *,
        data: Mapping[str, Any] | None = None,
        field: str = "file",
        filename: str | None = None,
    ) -> Any:
        """POST a file (a path or a binary file object) as multipart form data."""
        if isinstance(file, (str, os.PathLike)):
            file_path = Path(file)
            if not file_path.is_file():
                raise errors.ValidationError(f"no file to upload at {file_path}")
            with file_path.open("rb") as handle:
                return self.upload(
                    path, handle, data=data, field=field, filename=filename or file_path.name
                )
        name = filename or Path(getattr(file, "name", "") or "upload.bin").name
        files = {field: (name, file)}
        return self._json(self._send("POST", path, files=files, data=dict(data or {})))

    def download(self, path: str, dest: str | os.PathLike[str]) -> Path:
        """Stream a file to ``dest``; a partial download never replaces it."""
        target = Path(dest)
        partial = target.with_name(target.name + ".part")
        resp = self._send("GET", path, stream=True)
        try:
            with partial.open("wb") as out:
                for chunk in resp.iter_content(chunk_size=1 << 16):
                    out.write(chunk)
        except requests.exceptions.RequestException as exc:
            partial.unlink(missing_ok=True)
            raise _map_exception(exc, "GET", path) from None
        finally:
            resp.close()
        os.replace(partial, target)
        return target

    # -- the send loop --------------------------------------------------------------

    def url(self, path: str) -> str:
        """The full URL of a route on this server."""
        path = path.lstrip("/")
        return f"{self._host}/{path}" if path else f"{self._host}/"

    def _send(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        retry: Retry | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        _check_path(method, path)
        retry = retry if retry is not None else self.retry
        refreshed = False
        while True:
            tokens = self._tokens if auth else None
            try:
                resp = self._attempt(method, path, tokens, **kwargs)
            except requests.exceptions.RequestException as exc:
                sent = not _never_sent(exc)
                # Replaying a read timeout would multiply the caller's bound on waiting.
                if _is_read_timeout(exc) or not retry.allows_connection_error(method, sent=sent):
                    raise _map_exception(exc, method, path) from None
                retry = self._backoff(retry, method, path, None)
                continue
            if tokens and not refreshed and (_is_expired(resp) or _token_refused(resp)):
                # A token the server cannot verify (tampered, truncated, signed with
                # another key) gets one try of the refresh token too, as an expired one.
                why = "expired" if _is_expired(resp) else "was refused"
                resp.close()
                self._refresh(tokens, why=why)
                refreshed = True
                continue
            if retry.allows_status(method, resp.status_code):
                resp.close()
                retry = self._backoff(retry, method, path, resp.headers.get("Retry-After"))
                continue
            if resp.status_code >= 400:
                raise _error_from(resp, method, path)
            return resp

    def _attempt(
        self, method: str, path: str, tokens: Tokens | None, **kwargs: Any
    ) -> requests.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if tokens:
            headers["Authorization"] = f"Bearer {tokens.access}"
        started = time.perf_counter()
        status: int | str = "error"
        try:
            resp = self._http.request(
                method, self.url(path), headers=headers, timeout=self.timeout, **kwargs
            )
            status = resp.status_code
            date = resp.headers.get("Date")
            if date:
                self._server_date = (date, time.monotonic())
            return resp
        finally:
            elapsed = time.perf_counter() - started
            self.stats.record(method, elapsed, failed=status == "error" or int(status) >= 400)
            _log().log(
                logging.INFO if self.echo else logging.DEBUG,
                "%s /%s %s %.1f ms",
                method,
                path.lstrip("/"),
                status,
                elapsed * 1000,
            )

    def _backoff(self, retry: Retry, method: str, path: str, retry_after: str | None) -> Retry:
        delay = retry.wait(retry_after)
        _log().info(
            "retrying %s /%s in %.2f s (attempt %d)",
            method,
            path.lstrip("/"),
            delay,
            retry.attempt + 2,
        )
        self.stats.count_retry()
        time.sleep(delay)
        return retry.increment()

    def _refresh(self, stale: Tokens, why: str = "expired") -> None:
        """Trade the refresh token for a new access token, once for all threads."""
        with self._refresh_lock:
            current = self._tokens
            if current is not stale:
                return  # another thread refreshed while this one waited
            if current is None or not current.refresh:
                raise errors.AuthenticationError(
                    f"the access token {why} and there is no refresh token: log in again",
                    path="/auth/refresh-token",
                    status=401,
                )
            try:
                resp = self._send(
                    "GET",
                    "auth/refresh-token",
                    auth=False,
                    headers={"Authorization": f"Bearer {current.refresh}"},
                )
            except errors.KitsuError as exc:
                self._tokens = None
                raise errors.AuthenticationError(
                    f"the access token {why} and could not be refreshed ({exc.message}): log in again",
                    method="GET",
                    path="/auth/refresh-token",
                    status=exc.status,
                ) from None
            body = self._json(resp)
            self._tokens = Tokens(body["access_token"], current.refresh)
            if self._confirmed is not None and self._confirmed[0] is current:
                self._confirmed = (self._tokens, self._confirmed[1])  # the same user's
            self.stats.count_refresh()

    @staticmethod
    def _json(resp: requests.Response) -> Any:
        if not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            return resp.text


def _check_timeout(timeout: float | tuple[float, float]) -> tuple[float, float]:
    pair = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    if len(pair) != 2 or not all(isinstance(t, (int, float)) and t > 0 for t in pair):
        raise errors.ConfigurationError(f"timeout must be positive seconds, got {timeout!r}")
    return (float(pair[0]), float(pair[1]))


def _make_session(pool_size: int, verify: bool | str) -> requests.Session:
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(
        pool_connections=4, pool_maxsize=pool_size, max_retries=0
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.verify = verify
    # Zou also sets its tokens as cookies: keeping them would outlive logout.
    import http.cookiejar  # 35 ms to import: only once a request is sent

    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    session.headers["User-Agent"] = "kitsu-orm"
    return session


def _never_sent(exc: requests.exceptions.RequestException) -> bool:
    """Whether the request provably never reached the server."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return isinstance(reason, urllib3.exceptions.NewConnectionError)
    return False


def _is_read_timeout(exc: requests.exceptions.RequestException) -> bool:
    """Whether the server took the request and then answered too slowly.

    requests reports a timeout while reading the body as a ConnectionError
    around urllib3's ReadTimeoutError, not as a ReadTimeout.
    """
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return True
    return bool(exc.args) and isinstance(exc.args[0], urllib3.exceptions.ReadTimeoutError)


def _is_expired(resp: requests.Response) -> bool:
    if resp.status_code != 401:
        return False
    message = _server_message(resp).lower()
    return any(hint in message for hint in _EXPIRED_HINTS)


def _token_refused(resp: requests.Response) -> bool:
    """Whether the server could not read or verify the token (a tampered or truncated
    one): flask-jwt-extended answers 422 with its ``msg`` key ("Signature verification
    failed", "Not enough segments"...), which Zou's own errors never use."""
    if resp.status_code != 422:
        return False
    try:
        body = resp.json()
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("msg"), str) and "message" not in body


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _check_path(method: str, path: str) -> None:
    """Refuse a path that could leave the API root: a ``..`` or ``.`` segment (requests
    resolves them before sending), a scheme or host, a backslash, a fragment or a
    control character. Routes fill their values through :func:`kitsu_orm.urls.fill`:
    this is the second line of defence."""
    route = path.partition("?")[0]
    stripped = route.lstrip("/")
    bad = (
        route.startswith("//")
        or _SCHEME.match(stripped) is not None
        or any(c in path for c in "\\#")
        or any(ord(c) < 0x21 or ord(c) == 0x7F for c in path)
        or any(unquote(segment) in (".", "..") for segment in stripped.split("/"))
    )
    if bad:
        raise errors.ValidationError(
            f"refused to send a request to {path!r}: not a path under the API root",
            method=method,
            path="/" + stripped,
        )


def _server_message(resp: requests.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        text = resp.text.strip()
        return text[:200] if text and not text.startswith("<") else (resp.reason or "")
    if isinstance(body, dict):
        for key in ("message", "msg", "error_description", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    return resp.reason or ""


# What Flask (werkzeug) answers for any 404 Zou does not word itself: an unknown
# route and a missing object alike ("404 Not Found: The requested URL was not
# found on the server. If you entered the URL manually please check your
# spelling..."), a bare reason phrase, or an HTML page reduced to it.
_GENERIC_NOT_FOUND = re.compile(
    r"\s*(?:404\b)?\s*(?:(?:resource|page|url)\s+)?(?:not\s+found)?\s*[:.]?\s*"
    r"(?:the requested url was not found on the server\b.*)?",
    re.IGNORECASE | re.DOTALL,
)


def _error_from(resp: requests.Response, method: str, path: str) -> errors.KitsuError:
    status = resp.status_code
    message = _server_message(resp)
    refused = _token_refused(resp)
    resp.close()
    path = "/" + path.lstrip("/")
    if refused:
        return errors.AuthenticationError(
            f"the server refused the token ({message}): log in again",
            method=method,
            path=path,
            status=status,
        )
    if status == 404 and _GENERIC_NOT_FOUND.fullmatch(message):
        # The route is all the transport knows; the session names the object.
        message = f"no such route or object: {method} {path}"
    return errors.error_for_status(status)(
        message or f"HTTP {status}", method=method, path=path, status=status
    )


def _map_exception(
    exc: requests.exceptions.RequestException, method: str, path: str
) -> errors.KitsuError:
    where: dict[str, Any] = {"method": method, "path": "/" + path.lstrip("/")}
    if isinstance(exc, requests.exceptions.Timeout) or _is_read_timeout(exc):
        kind = (
            "connecting"
            if isinstance(exc, requests.exceptions.ConnectTimeout)
            else "waiting for an answer"
        )
        return errors.Timeout(f"timed out {kind}", **where)
    if isinstance(exc, requests.exceptions.ConnectionError):
        what = "could not connect" if _never_sent(exc) else "the connection broke"
        return errors.ConnectionError(f"{what}: {_short_reason(exc)}", **where)
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)):
        return errors.ConfigurationError(f"invalid URL: {exc}", **where)
    return errors.KitsuError(f"request failed: {_short_reason(exc)}", **where)


def _short_reason(exc: BaseException) -> str:
    # urllib3 nests reasons several levels deep; the innermost says what happened.
    reason: BaseException | None = exc
    while True:
        inner = getattr(reason, "reason", None) or (
            reason.args[0]
            if reason and reason.args and isinstance(reason.args[0], BaseException)
            else None
        )
        if not isinstance(inner, BaseException) or inner is reason:
            break
        reason = inner
    text = str(reason)
    return text.split(": ", 1)[-1] if "object at 0x" in text else text
