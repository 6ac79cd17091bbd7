"""A loopback HTTP proxy that breaks requests on purpose, for transport tests.

Put a :class:`FaultProxy` in front of a real server, point a client at
``proxy.url``, then script what happens to the next requests (see the action classes)::

    with FaultProxy.in_front_of(server_url) as proxy:
        proxy.script(RESET, DROP, respond(503, {"Retry-After": "1"}))
        ...  # the 4th request and later are forwarded normally
        assert proxy.count("POST", forwarded=True) == 1

A WebSocket upgrade that is passed is relayed as a tunnel, both ways, until
either side closes or :meth:`FaultProxy.cut` breaks it. Any other connection
carries exactly one request: the proxy rewrites
``Connection: close`` both ways, so a fault scripted for "the next request"
is also one for the next connection, whatever the client's keep-alive pool
would have done. Every fault happens after the whole request was read, so
what the proxy records is what the client sent, and a reset never races the
client's own send.

Only the standard library is used: sockets and one thread per connection.
Every socket operation has a timeout and every parsing loop a count limit,
and :meth:`FaultProxy.close` shuts down every socket and joins every thread
within a bounded time, raising if one is left behind.
"""

from __future__ import annotations

import contextlib
import io
import logging
import select
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import urlsplit

__all__ = [
    "DROP",
    "FORWARD_THEN_RESET",
    "PASS",
    "RESET",
    "Action",
    "Delay",
    "Drop",
    "FaultProxy",
    "ForwardThenReset",
    "Pass",
    "Reset",
    "Respond",
    "Seen",
    "StallBody",
    "delay",
    "respond",
    "stall_body",
]

log = logging.getLogger(__name__)

_MAX_LINE = 65536
_MAX_HEADERS = 200
_MAX_CHUNKS = 100_000
_MAX_BODY = 256 * 1024 * 1024
_POLL = 0.05
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection"})


# -- actions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pass:
    """Forward the request and return the server's answer."""


@dataclass(frozen=True)
class Drop:
    """Close the connection without answering (a clean FIN)."""


@dataclass(frozen=True)
class Reset:
    """Reset the connection without answering (RST, through SO_LINGER 0)."""


@dataclass(frozen=True)
class Delay:
    """Hold the request ``seconds`` before forwarding it, like a slow server."""

    seconds: float


@dataclass(frozen=True)
class StallBody:
    """Forward, relay the answer's headers at once, then hold its body ``seconds``."""

    seconds: float


@dataclass(frozen=True)
class Respond:
    """Answer a canned response without forwarding, like a gateway would."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


@dataclass(frozen=True)
class ForwardThenReset:
    """Let the server apply the request, then lose its answer (RST to the client)."""


Action = Pass | Drop | Reset | Delay | StallBody | Respond | ForwardThenReset

PASS = Pass()
DROP = Drop()
RESET = Reset()
FORWARD_THEN_RESET = ForwardThenReset()


def delay(seconds: float) -> Delay:
    if seconds < 0:
        raise ValueError(f"a delay must be >= 0 seconds, not {seconds!r}")
    return Delay(float(seconds))


def stall_body(seconds: float) -> StallBody:
    return StallBody(delay(seconds).seconds)


def respond(status: int, headers: Mapping[str, str] | None = None, body: bytes = b"") -> Respond:
    return Respond(int(status), tuple((headers or {}).items()), bytes(body))


@dataclass(frozen=True)
class Seen:
    """One request as the proxy read it, and what it did with it."""

    method: str
    path: str
    query: str
    action: Action
    at: float = field(default_factory=time.monotonic)  # when it arrived (time.monotonic)


# -- HTTP messages -----------------------------------------------------------------------


class _BadMessage(Exception):
    """The peer sent something that is not HTTP/1.x, or too much of it."""


@dataclass(frozen=True)
class _Message:
    start: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    def with_headers(self, replace: Mapping[str, str]) -> _Message:
        """A copy whose hop-by-hop headers and ``replace``'s names are replaced."""
        dropped = _HOP_BY_HOP | {name.lower() for name in replace}
        kept = tuple((k, v) for k, v in self.headers if k.lower() not in dropped)
        return _Message(self.start, kept + tuple(replace.items()), self.body)

    def to_bytes(self) -> bytes:
        lines = [self.start, *(f"{k}: {v}" for k, v in self.headers), "", ""]
        return "\r\n".join(lines).encode("latin-1") + self.body


def _read_line(reader: io.BufferedReader) -> str:
    line = reader.readline(_MAX_LINE + 1)
    if not line:
        raise _BadMessage("the connection closed mid-message")
    if len(line) > _MAX_LINE:
        raise _BadMessage("line too long")
    return line.decode("latin-1").rstrip("\r\n")


def _read_head(reader: io.BufferedReader) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """The start line and headers, or None if the peer closed before sending any."""
    if not reader.peek(1):
        return None
    start = _read_line(reader)
    headers: list[tuple[str, str]] = []
    for _ in range(_MAX_HEADERS):
        line = _read_line(reader)
        if not line:
            return start, tuple(headers)
        name, sep, value = line.partition(":")
        if not sep:
            raise _BadMessage(f"malformed header line {line!r}")
        headers.append((name.strip(), value.strip()))
    raise _BadMessage("too many headers")


def _read_exactly(reader: io.BufferedReader, size: int) -> bytes:
    if size > _MAX_BODY:
        raise _BadMessage(f"body of {size} bytes is over the limit")
    data = reader.read(size)
    if len(data) != size:
        raise _BadMessage(f"body cut short: {len(data)} of {size} bytes")
    return data


def _read_chunked(reader: io.BufferedReader) -> bytes:
    """The raw chunked body, framing kept, so that it can be forwarded as it came."""
    raw = bytearray()
    for _ in range(_MAX_CHUNKS):
        size_line = _read_line(reader)
        raw += size_line.encode("latin-1") + b"\r\n"
        size = _chunk_size(size_line)
        if size == 0:
            for _ in range(_MAX_HEADERS):
                trailer = _read_line(reader)
                raw += trailer.encode("latin-1") + b"\r\n"
                if not trailer:
                    return bytes(raw)
            raise _BadMessage("too many trailers")
        raw += _read_exactly(reader, size + 2)
        if len(raw) > _MAX_BODY:
            raise _BadMessage("chunked body over the limit")
    raise _BadMessage("too many chunks")


def _chunk_size(line: str) -> int:
    digits = line.split(";", 1)[0].strip()
    try:
        return int(digits, 16)
    except ValueError:
        raise _BadMessage(f"bad chunk size line {line!r}") from None


def _read_body(reader: io.BufferedReader, message: _Message, *, until_eof: bool) -> bytes:
    if (message.header("Transfer-Encoding") or "").lower().endswith("chunked"):
        return _read_chunked(reader)
    length = message.header("Content-Length")
    if length is not None:
        if not length.isdigit():
            raise _BadMessage(f"bad Content-Length {length!r}")
        return _read_exactly(reader, int(length))
    if not until_eof:
        return b""
    data = reader.read(_MAX_BODY + 1)
    if len(data) > _MAX_BODY:
        raise _BadMessage("response body over the limit")
    return data


def _read_request(reader: io.BufferedReader) -> _Message | None:
    head = _read_head(reader)
    if head is None:
        return None
    if len(head[0].split(" ")) != 3:
        raise _BadMessage(f"malformed request line {head[0]!r}")
    request = _Message(head[0], head[1], b"")
    return _Message(head[0], head[1], _read_body(reader, request, until_eof=False))


def _read_response(reader: io.BufferedReader, method: str) -> _Message:
    head = _read_head(reader)
    if head is None:
        raise _BadMessage("the server closed the connection without answering")
    response = _Message(head[0], head[1], b"")
    status = _status_of(head[0])
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        return response
    # The request said Connection: close, so a body without a length ends at EOF.
    return _Message(head[0], head[1], _read_body(reader, response, until_eof=True))


def _status_of(status_line: str) -> int:
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise _BadMessage(f"malformed status line {status_line!r}")
    return int(parts[1])


def _canned(action: Respond) -> bytes:
    try:
        reason = HTTPStatus(action.status).phrase
    except ValueError:
        reason = "Unknown"
    message = _Message(f"HTTP/1.1 {action.status} {reason}", action.headers, action.body)
    framing = {"Content-Length": str(len(action.body)), "Connection": "close"}
    if message.header("Content-Type") is None:
        framing["Content-Type"] = "text/plain"
    return message.with_headers(framing).to_bytes()


# -- sockets -----------------------------------------------------------------------------


def _reset(sock: socket.socket) -> None:
    # Linger on, timeout 0: close() discards the send buffer and sends RST.
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _drop(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
    sock.close()


def _interrupt(sock: socket.socket) -> None:
    """Wake a thread blocked on ``sock``; its owner closes it."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


# -- the proxy ---------------------------------------------------------------------------


class FaultProxy:
    """A proxy on 127.0.0.1 that forwards to ``upstream`` unless scripted otherwise.

    ``api_path`` is appended to :attr:`url`. ``io_timeout`` bounds every
    socket operation, on both sides.
    """

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        *,
        api_path: str = "/api",
        io_timeout: float = 10.0,
    ) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._api_path = "/" + api_path.strip("/") if api_path.strip("/") else ""
        self._io_timeout = io_timeout
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._actions: deque[Action] = deque()
        self._routed: dict[str, deque[Action]] = {}  # by path prefix (script(path=...))
        self._received: list[Seen] = []
        self._forwarded: list[Seen] = []
        self._sockets: set[socket.socket] = set()
        self._threads: set[threading.Thread] = set()
        self._listener: tuple[socket.socket, threading.Event, threading.Thread] | None = None
        self._port = 0
        self._start_listening()

    @classmethod
    def in_front_of(cls, url: str, *, io_timeout: float = 10.0) -> FaultProxy:
        """A proxy for the server at ``url``, whose :attr:`url` keeps the same path."""
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"the fault proxy speaks plain http only, not {url!r}")
        return cls(parts.hostname, parts.port or 80, api_path=parts.path, io_timeout=io_timeout)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<FaultProxy 127.0.0.1:{self._port} -> {self._upstream[0]}:{self._upstream[1]}>"

    # -- what tests use ------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}{self._api_path}"

    @property
    def port(self) -> int:
        return self._port

    def script(self, *actions: Action, path: str | None = None) -> None:
        """Apply ``actions`` to the next requests, in order; later ones are passed. With
        ``path``, only to requests whose path starts with it (``"/api/data/tasks"``):
        a client's other requests, in any number, pass them by."""
        with self._lock:
            if path is None:
                self._actions.extend(actions)
            else:
                self._routed.setdefault(path, deque()).extend(actions)

    @property
    def pending(self) -> int:
        """How many scripted actions no request has consumed yet."""
        with self._lock:
            return len(self._actions) + sum(len(a) for a in self._routed.values())

    @property
    def received(self) -> list[Seen]:
        """Every request read from a client, whatever was done with it."""
        with self._lock:
            return list(self._received)

    @property
    def forwarded(self) -> list[Seen]:
        """The requests sent on to the server (they may have taken effect there)."""
        with self._lock:
            return list(self._forwarded)

    def count(self, method: str | None = None, *, forwarded: bool = False) -> int:
        seen = self.forwarded if forwarded else self.received
        return sum(1 for s in seen if method is None or s.method == method.upper())

    def clear(self) -> None:
        """Forget the script and the records, e.g. after a test's setup requests."""
        with self._lock:
            self._actions.clear()
            self._routed.clear()
            self._received.clear()
            self._forwarded.clear()

    def refuse(self, seconds: float | None = None) -> None:
        """Stop listening, so connections are refused, for ``seconds`` or until resume()."""
        self._stop_listening()
        if seconds is not None:
            self._spawn(self._resume_after, seconds, name="faultproxy-resume")

    def cut(self) -> int:
        """Break every connection in flight, both ways (a long poll, a request being
        answered), as a network drop would; returns how many sockets it broke. New
        connections are accepted as before (with :meth:`refuse` first, they are not)."""
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            _interrupt(sock)
        return len(sockets)

    def resume(self) -> None:
        """Listen again on the same port after :meth:`refuse`."""
        self._start_listening()

    def close(self, timeout: float = 5.0) -> None:
        """Stop, wake and join everything; raise if a thread outlives ``timeout``."""
        with self._lock:
            self._stopping.set()
            sockets = list(self._sockets)
        self._stop_listening()
        for sock in sockets:
            _interrupt(sock)
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        alive = [t.name for t in threads if t.is_alive()]
        if alive:
            raise RuntimeError(f"{self!r} left threads running: {alive}")

    # -- listening -----------------------------------------------------------------------

    def _start_listening(self) -> None:
        with self._lock:
            if self._listener is not None or self._stopping.is_set():
                return
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                listener.bind(("127.0.0.1", self._port))
                listener.listen(64)
            except OSError:
                listener.close()
                raise
            listener.settimeout(_POLL)
            self._port = listener.getsockname()[1]
            stop = threading.Event()
            thread = threading.Thread(
                target=self._accept_loop,
                args=(listener, stop),
                daemon=True,
                name=f"faultproxy-accept-{self._port}",
            )
            self._listener = (listener, stop, thread)
            self._threads.add(thread)
        thread.start()

    def _stop_listening(self) -> None:
        with self._lock:
            current, self._listener = self._listener, None
        if current is None:
            return
        listener, stop, thread = current
        stop.set()
        thread.join(self._io_timeout)
        listener.close()

    def _accept_loop(self, listener: socket.socket, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                client.settimeout(self._io_timeout)
                if not self._track(client):
                    client.close()
                    return
                self._spawn(self._serve, client, name=f"faultproxy-conn-{client.fileno()}")
        finally:
            self._untrack_thread()

    def _resume_after(self, seconds: float) -> None:
        try:
            if not self._stopping.wait(seconds):
                self.resume()
        finally:
            self._untrack_thread()

    def _spawn(self, target: Callable[..., None], *args: object, name: str) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name=name)
        with self._lock:
            # Started under the lock, so close() never joins a thread not yet started.
            self._threads.add(thread)
            thread.start()

    def _untrack_thread(self) -> None:
        with self._lock:
            self._threads.discard(threading.current_thread())

    def _track(self, sock: socket.socket) -> bool:
        """Register ``sock`` so close() can wake it; False once the proxy is stopping."""
        with self._lock:
            if self._stopping.is_set():
                return False
            self._sockets.add(sock)
            return True

    def _untrack(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)

    # -- one connection ------------------------------------------------------------------

    def _serve(self, client: socket.socket) -> None:
        try:
            with client.makefile("rb") as reader:
                request = _read_request(reader)
            if request is not None:
                self._apply(self._record(request), client, request)
        except (OSError, _BadMessage) as exc:
            # The client gave up (e.g. after its read timeout) or spoke garbage:
            # there is nobody left to tell.
            log.debug("%r: connection ended: %r", self, exc)
        finally:
            self._untrack(client)
            client.close()
            self._untrack_thread()

    def _record(self, request: _Message) -> Seen:
        method, target, _ = request.start.split(" ", 2)
        path, _, query = target.partition("?")
        with self._lock:
            action = self._next_action(path)
            seen = Seen(method.upper(), path, query, action)
            self._received.append(seen)
        return seen

    def _next_action(self, path: str) -> Action:
        """The action scripted for a request to ``path`` (under the lock)."""
        for prefix, actions in self._routed.items():
            if actions and path.startswith(prefix):
                return actions.popleft()
        return self._actions.popleft() if self._actions else PASS

    def _apply(self, seen: Seen, client: socket.socket, request: _Message) -> None:
        action = seen.action
        if isinstance(action, Pass) and (request.header("Upgrade") or "").lower() == "websocket":
            self._tunnel(seen, client, request)
        elif isinstance(action, Drop):
            _drop(client)
        elif isinstance(action, Reset):
            _reset(client)
        elif isinstance(action, Respond):
            client.sendall(_canned(action))
        elif isinstance(action, ForwardThenReset):
            self._forward(seen, request)
            _reset(client)
        elif isinstance(action, Delay):
            if not self._stopping.wait(action.seconds):
                client.sendall(self._forward(seen, request))
        elif isinstance(action, StallBody):
            head, sep, body = self._forward(seen, request).partition(b"\r\n\r\n")
            client.sendall(head + sep)
            if not self._stopping.wait(action.seconds):
                client.sendall(body)
        else:
            client.sendall(self._forward(seen, request))

    def _tunnel(self, seen: Seen, client: socket.socket, request: _Message) -> None:
        """A WebSocket: forward the upgrade as it came, then relay bytes both ways until
        either side closes, the proxy closes, or :meth:`cut` breaks it."""
        host, port = self._upstream
        upstream = socket.create_connection(self._upstream, timeout=self._io_timeout)
        try:
            if not self._track(upstream):
                raise OSError("the fault proxy is closing")
            headers = tuple(
                ("Host", f"{host}:{port}") if k.lower() == "host" else (k, v)
                for k, v in request.headers
            )
            upstream.sendall(_Message(request.start, headers, request.body).to_bytes())
            with self._lock:
                self._forwarded.append(seen)
            peers = {client: upstream, upstream: client}
            while not self._stopping.is_set():
                readable, _, _ = select.select(list(peers), [], [], _POLL)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
        finally:
            self._untrack(upstream)
            upstream.close()

    def _forward(self, seen: Seen, request: _Message) -> bytes:
        """Send ``request`` upstream and return the whole answer, as bytes to relay."""
        host, port = self._upstream
        upstream = socket.create_connection(self._upstream, timeout=self._io_timeout)
        try:
            if not self._track(upstream):
                raise OSError("the fault proxy is closing")
            outgoing = request.with_headers({"Host": f"{host}:{port}", "Connection": "close"})
            upstream.sendall(outgoing.to_bytes())
            with self._lock:
                self._forwarded.append(seen)
            with upstream.makefile("rb") as reader:
                response = _read_response(reader, seen.method)
        finally:
            self._untrack(upstream)
            upstream.close()
        return response.with_headers(_framing(response)).to_bytes()


def _framing(response: _Message) -> dict[str, str]:
    """Headers that make a buffered response self-delimiting and final."""
    headers = {"Connection": "close"}
    chunked = (response.header("Transfer-Encoding") or "").lower().endswith("chunked")
    if response.header("Content-Length") is None and not chunked and response.body:
        headers["Content-Length"] = str(len(response.body))
    return headers
