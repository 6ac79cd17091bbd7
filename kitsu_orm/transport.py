"""The REST adapter: the one place that speaks HTTP to Zou.

It owns the pooled connections, authentication and token refresh,
retries, paging, uploads and downloads, the request counters and the
``echo`` log. It knows nothing of entities: it moves JSON. It is the only
module of kitsu_orm that sends with requests, and it maps every requests
exception to :mod:`kitsu_orm.errors` (through :mod:`.request_failures`), so
that none reaches the user.

What needs no HTTP library lives beside it: the tokens and the auth routes'
exchanges (:mod:`.auth`), the request counters and log (:mod:`.request_log`),
the error an answer raises (:mod:`.error_answers`), the server's clock
(:mod:`.server_clock`), the walk over pages (:mod:`.paging`), where a
download may write and how it waits (:mod:`.file_downloads`), the API root
and the paths allowed under it (:mod:`.urls`).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import time
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from . import errors
from .auth import Credentials, Tokens, log_in, log_out, refresh
from .error_answers import error_from_answer, is_expired, redirect_error, token_refused
from .file_downloads import PREFER_JSON, checked_target, processing_delay, write_whole
from .keep_alive import SHARED_POOL_SIZE, PerProcess
from .multipart import MultipartBody, open_parts
from .paging import walk_pages
from .request_failures import is_read_timeout, map_exception, never_sent
from .request_log import RequestStats, echo_to_stderr, log_request, log_retry
from .retry import DEFAULT_TIMEOUT, Retry, check_timeout
from .server_clock import ServerClock
from .urls import check_path, normalize_host

if TYPE_CHECKING:
    import datetime

    import requests
    import requests.adapters
else:

    class _OnFirstUse(types.ModuleType):
        """A module imported when first used: requests costs 50 ms to import, and
        a session answered from its cache may never send a request."""

        def __getattr__(self, name: str) -> Any:
            module = importlib.import_module(self.__name__)
            return getattr(module, name)

    requests = _OnFirstUse("requests")

__all__ = ["DEFAULT_TIMEOUT", "Transport", "Tokens", "RequestStats", "normalize_host"]


FileArg = str | os.PathLike[str] | IO[bytes]


class Transport:
    """A connection to one Kitsu server, shared safely by many threads.

    ``timeout`` is ``(connect, read)`` seconds, or one number for both.
    ``retry`` is the :class:`~kitsu_orm.retry.Retry` policy. ``echo=True``
    logs every request to ``logging.getLogger("kitsu_orm.http")`` at INFO
    (at DEBUG otherwise). ``pool_size`` bounds the keep-alive connections
    kept for concurrent use: up to 64, every transport of the process shares
    one pool (:mod:`.keep_alive`), so that a new session reuses the
    connections of the last one instead of paying new handshakes.
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
        self.timeout = check_timeout(timeout)
        self.retry = retry if retry is not None else Retry()
        self.echo = echo
        self.stats = RequestStats()
        self.user: dict[str, Any] | None = None
        self._credentials = Credentials()
        self._verify = verify
        self._environment: tuple[dict[str, str], bool | str] | None = None  # on first use
        # Above the shared pool's size: a pool of its own, made again in a forked child.
        self._private = PerProcess(lambda: _adapter(pool_size)) if pool_size > SHARED_POOL_SIZE else None
        self._clock = ServerClock()
        if token is not None:
            self.use_tokens(token)
        if echo:
            echo_to_stderr()

    def __repr__(self) -> str:
        tokens = self._credentials.tokens
        who = (self.user or {}).get("email") or ("token" if tokens else "not logged in")
        return f"<Transport {self._host} ({who})>"

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _connections(self) -> requests.adapters.HTTPAdapter:
        return (self._private or _SHARED).get()

    def close(self) -> None:
        """Let go of the connections: those of the process's shared pool stay open
        for the next transport (:mod:`.keep_alive`), a private pool's are closed."""
        adapter = self._private.drop() if self._private is not None else None
        if adapter is not None:
            adapter.close()

    # -- host and authentication -------------------------------------------------

    @property
    def host(self) -> str:
        """The API root, e.g. ``http://kitsu.studio/api``."""
        return self._host

    @host.setter
    def host(self, url: str) -> None:
        # Tokens belong to one server: never send them to another.
        self._host = normalize_host(url)
        self._credentials.tokens = None
        self.user = None
        self._environment = None  # the new host's proxies: read on its first request

    @property
    def tokens(self) -> Tokens | None:
        """The current tokens, to hand to another process (repr hides them)."""
        return self._credentials.tokens

    @property
    def is_authenticated(self) -> bool:
        """Whether the tokens are still accepted (one request)."""
        return self._credentials.tokens is not None

    def use_tokens(self, token: str | Tokens) -> None:
        """Authenticate with a bot/API token or tokens from an earlier login."""
        self._credentials.use(token)

    def login(self, email: str, password: str) -> dict[str, Any]:
        """Log in with email and password; returns the user. Clears tokens on failure."""
        self.user = None
        self.user = log_in(self._credentials, self._ask, email, password)
        return self.user or {}

    def logout(self) -> None:
        """Revoke the tokens on the server and forget them here, whatever happens."""
        self.user = None
        log_out(self._credentials, self._ask)

    def current_user(self) -> dict[str, Any]:
        """The logged-in user's row, asked of the server (one request) and kept in ``user``."""
        body = self.get("auth/authenticated")
        user: dict[str, Any] = body.get("user", body) if isinstance(body, dict) else {}
        self.user = user
        self._credentials.confirm(self._credentials.tokens, user)
        return user

    def confirmed_user_id(self) -> str | None:
        """The id of the user the server named for the current tokens (the login's
        answer, or ``auth/authenticated``), without a request; None when the server
        has not said (a token given by hand, ``user`` set by hand)."""
        return self._credentials.confirmed_user_id()

    def server_time(self) -> datetime.datetime | None:
        """A lower bound of the server's clock now (naive UTC, to the second), from the
        ``Date`` of its last answer and the time elapsed since, or None before any answer.

        Rows the server writes after this call carry a ``created_at`` at or after it,
        whatever the skew between this machine's clock and the server's.
        """
        return self._clock.now()

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
        return self._ask("GET", path, params=params)

    def post(self, path: str, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        """POST a JSON body (a create or an action) and answer the server's JSON."""
        return self._ask("POST", path, json=json, params=params)

    def put(self, path: str, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        """PUT a JSON body (an update: safe to send again)."""
        return self._ask("PUT", path, json=json, params=params)

    def delete(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """DELETE a route (``params``: Zou's ``force`` and the like)."""
        return self._ask("DELETE", path, params=params)

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
        return walk_pages(self.get, path, params, limit=limit, on_rows=on_rows)

    def upload(
        self,
        path: str,
        file: FileArg | None = None,
        *,
        data: Mapping[str, Any] | None = None,
        field: str = "file",
        filename: str | None = None,
        files: Sequence[tuple[str, FileArg]] = (),
        on_read: Callable[[int], None] | None = None,
    ) -> Any:
        """POST files (paths, or binary file objects) as multipart form data.

        ``file`` goes in the form field ``field`` (as ``filename``), each of
        ``files`` as ``(field, file)``, ``data`` as text fields. The files are
        streamed from disk, never read whole into memory; ``on_read`` hears of
        each block of file bytes sent (a progress bar).
        """
        parts = ([(field, file, filename)] if file is not None else []) + [
            (name, item, None) for name, item in files
        ]
        with contextlib.ExitStack() as stack:
            fields = {k: v if isinstance(v, str) else str(v) for k, v in (data or {}).items()}
            body = MultipartBody(fields, open_parts(stack, parts), on_read)
            headers = {"Content-Type": body.content_type}
            return self._ask("POST", path, data=body, headers=headers)

    def download(
        self,
        path: str,
        dest: str | os.PathLike[str],
        *,
        params: Mapping[str, Any] | None = None,
        on_chunk: Callable[[int, int], None] | None = None,
        processing_timeout: float | None = None,
    ) -> Path:
        """Stream a file to ``dest``, whole or not at all (:mod:`.file_downloads`);
        ``on_chunk(done, total)`` hears of each block."""
        target = checked_target(dest)
        with self._file_answer(path, params, processing_timeout) as resp:
            total = int(resp.headers.get("Content-Length") or 0)
            return write_whole(target, resp.iter_content(chunk_size=1 << 16), total, on_chunk)

    def download_bytes(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        processing_timeout: float | None = None,
    ) -> bytes:
        """A small file's body, in memory."""
        with self._file_answer(path, params, processing_timeout) as resp:
            return bytes(resp.content)

    @contextlib.contextmanager
    def _file_answer(
        self, path: str, params: Mapping[str, Any] | None, wait: float | None
    ) -> Iterator[requests.Response]:
        """A file route's answer, streamed. With ``wait``, a preview file still being
        built (202) is asked again for that many seconds at most, then Timeout."""
        deadline = time.monotonic() + (wait or 0)
        headers = PREFER_JSON if wait is not None else None
        resp = self._send("GET", path, stream=True, params=params, headers=headers)
        while resp.status_code == 202:
            resp.close()
            if time.monotonic() >= deadline:
                raise errors.Timeout(f"{path}: still being processed after {wait:g} s")
            time.sleep(processing_delay(resp.headers, deadline - time.monotonic()))
            resp = self._send("GET", path, stream=True, params=params, headers=headers)
        try:
            yield resp
        except requests.exceptions.RequestException as exc:
            raise map_exception(exc, "GET", path) from None
        finally:
            resp.close()

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
        check_path(method, path)
        retry = retry if retry is not None else self.retry
        refreshed = False
        while True:
            tokens = self._credentials.tokens if auth else None
            try:
                resp = self._attempt(method, path, tokens, **kwargs)
            except requests.exceptions.RequestException as exc:
                sent = not never_sent(exc)
                # Replaying a read timeout would multiply the caller's bound on waiting.
                if is_read_timeout(exc) or not retry.allows_connection_error(method, sent=sent):
                    raise map_exception(exc, method, path) from None
                retry = self._backoff(retry, method, path, None)
                continue
            if tokens and not refreshed and (is_expired(resp) or token_refused(resp)):
                # A token the server cannot verify (tampered, truncated, signed with
                # another key) gets one try of the refresh token too, as an expired one.
                why = "expired" if is_expired(resp) else "was refused"
                resp.close()
                self._refresh(tokens, why=why)
                refreshed = True
                continue
            if retry.allows_status(method, resp.status_code):
                resp.close()
                retry = self._backoff(retry, method, path, resp.headers.get("Retry-After"))
                continue
            if resp.status_code >= 400:
                raise error_from_answer(resp, method, path)
            if resp.is_redirect:  # never followed: see redirect_error
                raise redirect_error(resp, method, path)
            return resp

    def _attempt(
        self, method: str, path: str, tokens: Tokens | None, **kwargs: Any
    ) -> requests.Response:
        headers = {**_default_headers(), **(kwargs.pop("headers", None) or {})}
        body = kwargs.get("data")
        if isinstance(body, MultipartBody):
            body.rewind()  # sent again after a refresh: from its start
        if tokens:
            headers["Authorization"] = f"Bearer {tokens.access}"
        stream = kwargs.pop("stream", False)
        started = time.perf_counter()
        status: int | str = "error"
        try:
            # Straight to the pool: a requests.Session would merge its settings into
            # every request (a fifth of a write's CPU) and follow redirects (see _send).
            prepared = requests.PreparedRequest()
            prepared.prepare(method=method, url=self.url(path), headers=headers, **kwargs)
            proxies, verify = self._environment or self._read_environment()
            resp = self._connections.send(
                prepared, stream=stream, timeout=self.timeout, verify=verify, proxies=proxies
            )
            if not stream:
                resp.content  # noqa: B018 - read whole: the connection goes back to the pool
            status = resp.status_code
            date = resp.headers.get("Date")
            if date:
                self._clock.saw(date)
            return resp
        finally:
            elapsed = time.perf_counter() - started
            self.stats.record(method, elapsed, failed=status == "error" or int(status) >= 400)
            log_request(method, path, status, elapsed, echo=self.echo)

    def _read_environment(self) -> tuple[dict[str, str], bool | str]:
        """The host's proxies and TLS check, read once per host where requests reads
        the environment on every request: the proxies (``HTTPS_PROXY``, ``NO_PROXY``...)
        and, ``verify`` left True, the CA bundle (``REQUESTS_CA_BUNDLE``,
        ``CURL_CA_BUNDLE``). Not ``~/.netrc``: its credentials would replace the token."""
        verify = self._verify
        if verify is True:
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            verify = bundle or True
        self._environment = (requests.utils.get_environ_proxies(self._host), verify)
        return self._environment

    def _backoff(self, retry: Retry, method: str, path: str, retry_after: str | None) -> Retry:
        delay = retry.wait(retry_after)
        log_retry(method, path, delay, retry.attempt + 2)
        self.stats.count_retry()
        time.sleep(delay)
        return retry.increment()

    def _refresh(self, stale: Tokens, why: str = "expired") -> None:
        if refresh(self._credentials, self._ask, stale, why):
            self.stats.count_refresh()

    def _ask(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        retry: Retry | None = None,
        **kwargs: Any,
    ) -> Any:
        """A request's JSON answer (see :class:`kitsu_orm.auth.Ask`)."""
        return self._json(self._send(method, path, auth=auth, retry=retry, **kwargs))

    @staticmethod
    def _json(resp: requests.Response) -> Any:
        if not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            return resp.text


def _adapter(pool_size: int) -> requests.adapters.HTTPAdapter:
    # pool_connections: the servers whose connections are kept (tests meet many).
    return requests.adapters.HTTPAdapter(pool_connections=16, pool_maxsize=pool_size, max_retries=0)


_SHARED = PerProcess(lambda: _adapter(SHARED_POOL_SIZE))


@functools.cache
def _default_headers() -> dict[str, str]:
    """What every request carries: requests' usual headers, under our own name."""
    return {**requests.utils.default_headers(), "User-Agent": "kitsu-orm"}

