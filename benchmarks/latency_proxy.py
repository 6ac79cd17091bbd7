"""A hosted Kitsu on loopback: a proxy that adds a network's delay and bandwidth.

    with LatencyProxy.in_front_of(server.url, rtt=0.040, mbit=100) as proxy:
        session = kitsu.Session(proxy.url, token=tokens)

What it emulates, between the clients and the local Zou:

- **delay**: each direction is a delay line; every byte read at time t is
  written at t + rtt / 2, so a long answer streams at full speed once its
  first bytes arrived, instead of paying the delay per chunk;
- **bandwidth**: each direction is one link of ``mbit`` megabits a second
  shared by every connection (a studio's access line): a chunk leaves once the
  link has carried the bytes before it, then travels rtt / 2;
- **connection set-up**: on a new connection, the first request waits
  ``handshake_rtts`` round trips first (TCP's handshake is one, TLS 1.3 one more:
  a hosted Kitsu is HTTPS), since the client's connect() returned at once here;
- **keep-alive as behind nginx**: the client's connection stays open across
  requests, though Zou's gunicorn workers close theirs after every answer (the
  nginx in front of a hosted Zou does the same): a request goes to the server
  on the open upstream connection if the server kept it, on a new one
  otherwise. Only message heads are parsed (http_framing.py), to know where
  messages end; bodies stream through unchanged.

One thread runs a selector loop for every connection (hundreds at once are
fine); :meth:`LatencyProxy.close` stops it and joins it within a bounded time.
:class:`SpawnedProxy` runs the same proxy in a child process
(``python latency_proxy.py URL --rtt 0.040 --mbit 100``), so that relaying
never waits for the GIL of a benchmark's own threads: what the benchmarks use.
"""

from __future__ import annotations

import argparse
import contextlib
import heapq
import itertools
import json
import selectors
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from http_framing import END, START, Body, Framing, FramingError, Head, Marker, MessageStream

__all__ = ["LatencyProxy", "SpawnedProxy", "Stats"]

_CHUNK = 65536
# Bytes a direction holds before it stops reading its source (TCP's back-pressure then
# slows the sender): well above what 100 Mbit/s carries in the 20 ms of the delay line.
_QUEUE_LIMIT = 2 * 1024 * 1024
_POLL = 0.05  # longest sleep of the loop when nothing is due, so close() is seen


@dataclass
class Stats:
    """What the proxy carried (counted by the loop's thread)."""

    client_connections: int = 0  # connections clients opened to the proxy
    upstream_connections: int = 0  # connections the proxy opened to the server
    requests: int = 0  # requests sent on to the server


class _Close:
    """In a delay line towards the client: close it once everything before is delivered."""


_CLOSE = _Close()
_Item = bytes | Marker | _Close


class _Link:
    """One direction of the network: a delay, behind a shared link of given bandwidth."""

    def __init__(self, one_way: float, mbit: float | None) -> None:
        self.one_way = one_way
        self.seconds_per_byte = 8 / (mbit * 1e6) if mbit else 0.0
        self.free_at = 0.0  # when the link has sent every byte handed to it so far

    def due(self, now: float, size: int) -> float:
        """When ``size`` bytes read at ``now`` reach the far end."""
        self.free_at = max(now, self.free_at) + size * self.seconds_per_byte
        return self.free_at + self.one_way


class _Line:
    """A delay line: items in order, each with the time it may leave."""

    def __init__(self, link: _Link, not_before: float) -> None:
        self.link = link
        self.not_before = not_before  # no byte leaves before (the handshake)
        self.items: deque[tuple[float, _Item]] = deque()
        self.size = 0  # bytes held
        self.blocked = False  # the destination's send buffer is full
        self.armed_at: float | None = None  # the earliest wake-up asked for

    def push(self, now: float, item: _Item) -> None:
        # A connection waiting for its handshake holds its bytes, not the shared link.
        earliest = max(now, self.not_before) + self.link.one_way
        if isinstance(item, bytes):
            due = max(self.link.due(now, len(item)), earliest)
            self.size += len(item)
        else:  # a marker travels with the byte before it
            due = self.items[-1][0] if self.items else earliest
        self.items.append((due, item))

    @property
    def full(self) -> bool:
        return self.size >= _QUEUE_LIMIT

    def head_due(self) -> float | None:
        return self.items[0][0] if self.items else None

    def send_first(self, sock: socket.socket, data: bytes) -> bool:
        """Send the first item (``data``) as far as ``sock`` takes it; True if all went."""
        try:
            sent = sock.send(data)
        except BlockingIOError:
            sent = 0
        self.size -= sent
        if sent < len(data):
            self.items[0] = (self.items[0][0], data[sent:])
            self.blocked = True  # until the socket says it is writable again
            return False
        self.items.popleft()
        return True


class _Connection:
    """One client connection, and the server connection its current request uses."""

    def __init__(self, proxy: LatencyProxy, client: socket.socket, now: float) -> None:
        self.proxy = proxy
        self.client = client
        self.upstream: socket.socket | None = None
        self.connecting = False
        self.to_server = _Line(proxy.uplink, now + proxy.handshake)
        self.to_client = _Line(proxy.downlink, now)
        self.requests = MessageStream(self._request_head)
        self.responses = MessageStream(self._response_head)
        self.methods: deque[str] = deque()  # of the requests sent, oldest first
        self.waiting = False  # a request was sent and its final answer is not over
        self.client_closes = False  # the client asked for Connection: close
        self.close_after = False  # close the client once this answer is delivered
        self.server_closes = False  # the server closes after this answer
        self.interim = False  # the answer being read is an interim one (100 Continue)
        self.closed = False
        self.masks: dict[socket.socket, int] = {}

    # -- heads ---------------------------------------------------------------------

    def _request_head(self, head: Head) -> tuple[bytes, Body]:
        self.methods.append(head.start.split(" ", 1)[0].upper())
        self.client_closes = "close" in head.tokens("Connection")
        return head.to_bytes(), Body.declared(head, otherwise=Framing.NONE)

    def _response_head(self, head: Head) -> tuple[bytes, Body]:
        parts = head.start.split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise FramingError(f"malformed status line {head.start!r}")
        status, method = int(parts[1]), self.methods[0] if self.methods else "GET"
        if status == 101:  # a protocol switch (WebSocket): raw bytes both ways from now on
            for piece in self.requests.tunnel():
                self.to_server.push(time.monotonic(), piece)
            return head.to_bytes(), Body(Framing.TUNNEL)
        self.interim = 100 <= status < 200  # the final answer follows
        if self.interim:
            return head.to_bytes(), Body(Framing.NONE)
        if self.methods:
            self.methods.popleft()
        no_body = method == "HEAD" or status in (204, 304)
        body = Body(Framing.NONE) if no_body else Body.declared(head, otherwise=Framing.UNTIL_CLOSE)
        self.server_closes = "close" in head.tokens("Connection") or parts[0] == "HTTP/1.0"
        self.close_after = self.client_closes or body.framing is Framing.UNTIL_CLOSE
        relayed = head.without("Connection", "Keep-Alive")
        if self.close_after:
            relayed = relayed.plus("Connection", "close")
        relayed = Head(" ".join(["HTTP/1.1", *parts[1:]]), relayed.headers)
        return relayed.to_bytes(), body

    # -- events ----------------------------------------------------------------------

    def on_client_readable(self, now: float) -> None:
        data = _recv(self.client)
        if data is None:
            return
        if not data:  # clients close an idle connection, or one they gave up on
            self.close()
            return
        for piece in self.requests.feed(data):
            if piece is not END:  # upstream, a request ends where its body does
                self.to_server.push(now, piece)

    def on_upstream_readable(self, now: float) -> None:
        assert self.upstream is not None
        data = _recv(self.upstream)
        if data is None:
            return
        if data:
            for piece in self.responses.feed(data):
                self._from_server(now, piece)
            return
        pieces, clean = self.responses.eof()
        for piece in pieces:
            self._from_server(now, piece)
        if self.waiting or not clean:  # the server broke off: so does the client's link
            self.to_client.push(now, _CLOSE)
        self._drop_upstream()

    def _from_server(self, now: float, piece: bytes | Marker) -> None:
        if piece is START:
            return
        if piece is not END:
            self.to_client.push(now, piece)
            return
        if self.interim:
            return
        self.waiting = False
        if self.close_after:
            self.to_client.push(now, _CLOSE)
        if self.server_closes:
            self._drop_upstream()

    def on_upstream_connected(self) -> None:
        assert self.upstream is not None
        error = self.upstream.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        self.connecting = False
        if error:
            self.close()  # the server is not there: the client sees its connection end

    # -- delivery --------------------------------------------------------------------

    def flush(self, now: float) -> None:
        """Deliver what is due, both ways; ask for a wake-up when the rest is."""
        if not self.closed:
            self._flush_to_server(now)
        if not self.closed:
            self._flush_to_client(now)
        if not self.closed:
            for line in (self.to_server, self.to_client):
                due = line.head_due()
                if due is not None and due > now:
                    self.proxy.wake_at(due, self, line)

    def _flush_to_server(self, now: float) -> None:
        line = self.to_server
        while line.items and line.items[0][0] <= now and not line.blocked:
            item = line.items[0][1]
            if item is START:
                if self.waiting:
                    return  # one request at a time upstream: the next waits for this answer
                if self.upstream is None:
                    self._open_upstream()
                if self.connecting or self.closed:
                    return
                self.waiting = True
                self.proxy.stats.requests += 1
                line.items.popleft()
            elif isinstance(item, bytes):
                if self.upstream is None or self.connecting:
                    return
                if not self._sent(self.upstream, line, item):
                    return
            else:
                line.items.popleft()

    def _flush_to_client(self, now: float) -> None:
        line = self.to_client
        while line.items and line.items[0][0] <= now and not line.blocked:
            item = line.items[0][1]
            if not isinstance(item, bytes):  # _CLOSE: everything before it is delivered
                self.close()
                return
            if not self._sent(self.client, line, item):
                return

    def _sent(self, sock: socket.socket, line: _Line, data: bytes) -> bool:
        try:
            return line.send_first(sock, data)
        except OSError:  # the peer is gone: so is this connection
            self.close()
            return False

    def _open_upstream(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.upstream, self.connecting = sock, True
        self.responses = MessageStream(self._response_head)
        self.proxy.stats.upstream_connections += 1
        try:
            sock.connect(self.proxy.upstream)
            self.connecting = False
        except BlockingIOError:
            pass  # loopback connects are quick, but not always done at once
        except OSError:
            self.close()

    def _drop_upstream(self) -> None:
        if self.upstream is not None:
            self.proxy.forget(self.upstream, self)
            self.upstream.close()
            self.upstream = None
            self.connecting = False
            self.waiting = False
            self.to_server.blocked = False

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._drop_upstream()
        self.proxy.forget(self.client, self)
        with contextlib.suppress(OSError):
            self.client.shutdown(socket.SHUT_RDWR)
        self.client.close()
        self.proxy.connections.discard(self)

    def wanted(self) -> dict[socket.socket, int]:
        """The events each socket should wait for now."""
        if self.closed:
            return {}
        client = selectors.EVENT_READ if not self.to_server.full else 0
        if self.to_client.blocked:
            client |= selectors.EVENT_WRITE
        wanted = {self.client: client}
        if self.upstream is not None:
            upstream = 0 if self.to_client.full or self.connecting else selectors.EVENT_READ
            if self.connecting or self.to_server.blocked:
                upstream |= selectors.EVENT_WRITE
            wanted[self.upstream] = upstream
        return wanted


def _recv(sock: socket.socket) -> bytes | None:
    """What the socket holds: b"" once the peer closed or reset it, None if nothing yet."""
    try:
        return sock.recv(_CHUNK)
    except BlockingIOError:
        return None
    except OSError:
        return b""


class LatencyProxy:
    """A proxy on 127.0.0.1 in front of ``upstream`` (host, port), with one thread."""

    def __init__(self, upstream: tuple[str, int], *, rtt: float, mbit: float | None = None,
                 handshake_rtts: float = 1.0, path: str = "") -> None:
        if rtt < 0 or handshake_rtts < 0 or (mbit is not None and mbit <= 0):
            raise ValueError("rtt and handshake_rtts must be >= 0, mbit > 0 (or None)")
        self.upstream = upstream
        self.uplink, self.downlink = _Link(rtt / 2, mbit), _Link(rtt / 2, mbit)
        self.handshake = handshake_rtts * rtt
        self.stats = Stats()
        self.connections: set[_Connection] = set()
        self._path = path
        self._selector = selectors.DefaultSelector()
        self._timers: list[tuple[float, int, _Connection]] = []
        self._order = itertools.count()
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
        self._listener.setblocking(False)
        self._wake, self._waker = socket.socketpair()
        for sock in (self._wake, self._waker):
            sock.setblocking(False)
        self._selector.register(self._listener, selectors.EVENT_READ, None)
        self._selector.register(self._wake, selectors.EVENT_READ, None)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"latency-proxy-{self.port}")
        self._thread.start()

    @classmethod
    def in_front_of(cls, url: str, *, rtt: float, mbit: float | None = None,
                    handshake_rtts: float = 1.0) -> LatencyProxy:
        """A proxy for the server at ``url``; its :attr:`url` keeps the same path."""
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"the latency proxy speaks plain http only, not {url!r}")
        return cls((parts.hostname, parts.port or 80), rtt=rtt, mbit=mbit,
                   handshake_rtts=handshake_rtts, path=parts.path.rstrip("/"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self._path}"

    def __enter__(self) -> LatencyProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<LatencyProxy {self.url} -> {self.upstream[0]}:{self.upstream[1]}>"

    def close(self, timeout: float = 5.0) -> None:
        """Close every connection and join the loop's thread; raise if it outlives ``timeout``."""
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._waker.send(b"x")
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise RuntimeError(f"{self!r}: its thread did not stop within {timeout} s")

    # -- what connections ask of the loop (its thread only) ------------------------------

    def wake_at(self, when: float, connection: _Connection, line: _Line) -> None:
        if line.armed_at is None or when < line.armed_at:
            line.armed_at = when
            heapq.heappush(self._timers, (when, next(self._order), connection))

    def forget(self, sock: socket.socket, connection: _Connection) -> None:
        connection.masks.pop(sock, None)
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(sock)

    # -- the loop --------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                self._turn()
        finally:
            for connection in list(self.connections):
                connection.close()
            self._selector.close()
            for sock in (self._listener, self._wake, self._waker):
                sock.close()

    def _turn(self) -> None:
        now = time.monotonic()
        timeout = _POLL if not self._timers else min(_POLL, max(0.0, self._timers[0][0] - now))
        for key, mask in self._selector.select(timeout):
            now = time.monotonic()
            if key.fileobj is self._listener:
                self._accept(now)
            elif key.fileobj is self._wake:
                with contextlib.suppress(OSError):
                    self._wake.recv(64)
            else:
                self._on_event(key.data, key.fileobj, mask, now)  # type: ignore[arg-type]
        self._fire_timers(time.monotonic())

    def _accept(self, now: float) -> None:
        for _ in range(256):
            try:
                client, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            client.setblocking(False)
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection = _Connection(self, client, now)
            self.connections.add(connection)
            self.stats.client_connections += 1
            self._refresh(connection)

    def _on_event(self, connection: _Connection, sock: socket.socket, mask: int,
                  now: float) -> None:
        try:
            if sock is connection.client:
                if mask & selectors.EVENT_WRITE:
                    connection.to_client.blocked = False
                if mask & selectors.EVENT_READ:
                    connection.on_client_readable(now)
            elif sock is connection.upstream:
                if connection.connecting and mask & selectors.EVENT_WRITE:
                    connection.on_upstream_connected()
                elif mask & selectors.EVENT_WRITE:
                    connection.to_server.blocked = False
                if mask & selectors.EVENT_READ and sock is connection.upstream:
                    connection.on_upstream_readable(now)
            connection.flush(now)
        except FramingError:
            connection.close()  # not HTTP we can follow: as a server would, hang up
        self._refresh(connection)

    def _fire_timers(self, now: float) -> None:
        while self._timers and self._timers[0][0] <= now:
            _, _, connection = heapq.heappop(self._timers)
            for line in (connection.to_server, connection.to_client):
                if line.armed_at is not None and line.armed_at <= now:
                    line.armed_at = None
            if not connection.closed:
                connection.flush(now)
                self._refresh(connection)

    def _refresh(self, connection: _Connection) -> None:
        """Make the selector wait for what each socket of ``connection`` needs now."""
        for sock, mask in connection.wanted().items():
            current = connection.masks.get(sock)
            if mask == current:
                continue
            if current is None:
                if mask:
                    self._selector.register(sock, mask, connection)
                    connection.masks[sock] = mask
            elif mask:
                self._selector.modify(sock, mask, connection)
                connection.masks[sock] = mask
            else:
                self._selector.unregister(sock)
                del connection.masks[sock]


class SpawnedProxy:
    """A :class:`LatencyProxy` in a child process, for as long as this object is open.

    The child prints its URL, relays until its stdin closes (this object's
    :meth:`close`, or this process ending in any way), then prints its
    :class:`Stats` and exits.
    """

    def __init__(self, url: str, *, rtt: float, mbit: float | None = None,
                 handshake_rtts: float = 1.0, timeout: float = 10.0) -> None:
        args = [sys.executable, str(Path(__file__).resolve()), url, "--rtt", str(rtt),
                "--handshake-rtts", str(handshake_rtts)]
        if mbit is not None:
            args += ["--mbit", str(mbit)]
        self._process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         text=True)
        self._timeout = timeout
        self.stats: Stats | None = None  # once closed
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()  # the child's first act
        if not line.startswith("http://"):
            self.close()
            raise RuntimeError(f"the latency proxy did not start (said {line!r})")
        self.url = line

    @classmethod
    def in_front_of(cls, url: str, *, rtt: float, mbit: float | None = None,
                    handshake_rtts: float = 1.0) -> SpawnedProxy:
        return cls(url, rtt=rtt, mbit=mbit, handshake_rtts=handshake_rtts)

    def __enter__(self) -> SpawnedProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> Stats | None:
        """Stop the child (killed if it takes over ``timeout``); what it carried."""
        process = self._process
        if process.returncode is None:
            try:  # communicate() closes the child's stdin: its signal to stop
                out, _ = process.communicate(timeout=self._timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                out, _ = process.communicate()
            last = (out or "").strip().splitlines()[-1:] or [""]
            with contextlib.suppress(ValueError, TypeError):
                self.stats = Stats(**json.loads(last[0]))
        return self.stats


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Relay to URL with a network's delay "
                                                 "and bandwidth, until stdin closes.")
    parser.add_argument("url")
    parser.add_argument("--rtt", type=float, default=0.040, help="round trip, seconds")
    parser.add_argument("--mbit", type=float, default=None, help="each way; none: unlimited")
    parser.add_argument("--handshake-rtts", type=float, default=1.0,
                        help="round trips before a new connection's first request")
    args = parser.parse_args(argv)
    with LatencyProxy.in_front_of(args.url, rtt=args.rtt, mbit=args.mbit,
                                  handshake_rtts=args.handshake_rtts) as proxy:
        print(proxy.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            sys.stdin.read()
    print(json.dumps(asdict(proxy.stats)), flush=True)


if __name__ == "__main__":
    main()
