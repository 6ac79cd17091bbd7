"""The benchmarks' latency proxy, in front of a tiny standard-library server (no Zou).

Lower bounds on times are what the proxy guarantees (it never delivers early);
the few upper bounds are loose enough for a busy machine, yet far below what a
proxy that delayed every chunk, or closed every connection, would take.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from latency_proxy import LatencyProxy, SpawnedProxy  # noqa: E402

RTT = 0.040
BIG = 10 * 2**20  # 10 MiB: 0.84 s at 100 Mbit/s


class _Handler(BaseHTTPRequestHandler):
    """GET /small, /big (10 MiB), /chunked; POST /upload answers the bytes it read;
    HEAD /big; with ``closes`` set on the server, every answer says Connection: close,
    as Zou's gunicorn workers do."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else a small body waits for the head's delayed ACK
    server: _Server

    def do_GET(self) -> None:
        if self.path == "/chunked":
            self._chunked([b"first,", b"second,", b"third"])
        else:
            self._answer(b"x" * BIG if self.path == "/big" else b'{"ok": true}')

    def do_HEAD(self) -> None:
        self._answer(b"x" * BIG, body=False)

    def do_POST(self) -> None:
        if self.headers.get("Transfer-Encoding") == "chunked":
            size = sum(len(part) for part in _chunks(self.rfile))
        else:
            size = len(self.rfile.read(int(self.headers["Content-Length"])))
        self._answer(str(size).encode())

    def _answer(self, payload: bytes, body: bool = True) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(payload)))
        self._end_headers()
        if body:
            self.wfile.write(payload)

    def _chunked(self, parts: list[bytes]) -> None:
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self._end_headers()
        for part in parts:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        self.wfile.write(b"0\r\n\r\n")

    def _end_headers(self) -> None:
        if self.server.closes:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _chunks(rfile: Any) -> Iterator[bytes]:
    while size := int(rfile.readline().strip(), 16):
        yield rfile.read(size)
        rfile.readline()
    rfile.readline()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the proxy may open 200 connections at once
    closes = False


@contextmanager
def _serving(*, closes: bool) -> Iterator[str]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.closes = closes
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class Upstream(str):
    """The server's URL; ``closes``: whether it closes after every answer."""

    closes: bool


@pytest.fixture(params=[True, False], ids=["server closes", "server keeps alive"])
def upstream(request: pytest.FixtureRequest) -> Iterator[Upstream]:
    with _serving(closes=request.param) as url:
        found = Upstream(url)
        found.closes = request.param
        yield found


@pytest.fixture
def gunicorn_like() -> Iterator[str]:
    with _serving(closes=True) as url:
        yield url


def _timed_get(http: requests.Session, url: str) -> float:
    started = time.perf_counter()
    http.get(url, timeout=10).raise_for_status()
    return time.perf_counter() - started


def test_a_request_pays_the_round_trip(upstream: Upstream) -> None:
    with LatencyProxy.in_front_of(upstream, rtt=RTT, handshake_rtts=0) as proxy, \
            requests.Session() as http:
        direct, proxied = [], []
        for _ in range(7):  # interleaved, and the least disturbed of each compared
            direct.append(_timed_get(http, f"{upstream}/small"))
            proxied.append(_timed_get(http, f"{proxy.url}/small"))
    assert min(proxied) >= min(direct) + RTT


def test_a_new_connection_pays_its_handshakes_first(gunicorn_like: str) -> None:
    with LatencyProxy.in_front_of(gunicorn_like, rtt=RTT, handshake_rtts=2) as proxy, \
            requests.Session() as http:
        first = _timed_get(http, f"{proxy.url}/small")
        again = [_timed_get(http, f"{proxy.url}/small") for _ in range(3)]
    assert first >= 3 * RTT  # TCP and TLS 1.3 handshakes, then the request itself
    assert min(again) < first - RTT  # the kept connection pays them no more


def test_keep_alive_is_kept_whatever_the_server_does(upstream: Upstream) -> None:
    with LatencyProxy.in_front_of(upstream, rtt=0.002) as proxy, requests.Session() as http:
        for _ in range(20):
            http.get(f"{proxy.url}/small", timeout=10).raise_for_status()
        stats = proxy.stats
    assert stats.client_connections == 1
    assert stats.requests == 20
    assert stats.upstream_connections == (20 if upstream.closes else 1)


def test_a_large_answer_streams_at_the_bandwidth(upstream: Upstream) -> None:
    with LatencyProxy.in_front_of(upstream, rtt=RTT, mbit=100, handshake_rtts=0) as proxy, \
            requests.Session() as http:
        http.get(f"{proxy.url}/small", timeout=10)
        started = time.perf_counter()
        answer = http.get(f"{proxy.url}/big", timeout=30)
        seconds = time.perf_counter() - started
    assert len(answer.content) == BIG
    wire = BIG * 8 / 100e6
    assert seconds >= wire + RTT
    assert seconds < wire + 1.0  # a delay per 64 KiB chunk would add 160 x 20 ms or more


def test_a_large_upload_streams_at_the_bandwidth(upstream: Upstream) -> None:
    with LatencyProxy.in_front_of(upstream, rtt=RTT, mbit=100, handshake_rtts=0) as proxy, \
            requests.Session() as http:
        http.get(f"{proxy.url}/small", timeout=10)
        started = time.perf_counter()
        answer = http.post(f"{proxy.url}/upload", data=b"u" * BIG, timeout=30)
        seconds = time.perf_counter() - started
    assert answer.text == str(BIG)
    wire = BIG * 8 / 100e6
    assert seconds >= wire + RTT
    assert seconds < wire + 1.0


def test_chunked_and_bodiless_messages_keep_the_connection(upstream: Upstream) -> None:
    with LatencyProxy.in_front_of(upstream, rtt=0.002) as proxy, requests.Session() as http:
        assert http.get(f"{proxy.url}/chunked", timeout=10).text == "first,second,third"
        head = http.head(f"{proxy.url}/big", timeout=10)
        assert head.headers["Content-Length"] == str(BIG) and head.content == b""
        sent = http.post(f"{proxy.url}/upload", data=iter([b"ab", b"cde"]), timeout=10)
        assert sent.text == "5"
        assert http.get(f"{proxy.url}/small", timeout=10).json() == {"ok": True}
        assert proxy.stats.client_connections == 1
        assert proxy.stats.requests == 4


def test_hundreds_of_connections_at_once_then_a_bounded_close(gunicorn_like: str) -> None:
    proxy = LatencyProxy.in_front_of(gunicorn_like, rtt=RTT, mbit=100)
    answers: list[bytes] = []
    clients = [socket.create_connection(("127.0.0.1", proxy.port), timeout=20)
               for _ in range(200)]

    def ask(sock: socket.socket) -> None:
        sock.sendall(b"GET /small HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while not answer.endswith(b'{"ok": true}') and (part := sock.recv(65536)):
            answer += part
        answers.append(answer)

    threads = [threading.Thread(target=ask, args=(sock,)) for sock in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(answers) == 200
    assert all(a.startswith(b"HTTP/1.1 200") and b"Connection" not in a for a in answers)
    assert proxy.stats.client_connections == 200
    started = time.perf_counter()
    proxy.close()  # 200 connections still open, idle
    assert time.perf_counter() - started < 2
    assert not [t for t in threading.enumerate() if t.name.startswith("latency-proxy")]
    for sock in clients:
        assert sock.recv(10) == b""  # the proxy closed it
        sock.close()


def test_the_spawned_proxy_runs_in_a_child_and_reports_what_it_carried(
    gunicorn_like: str,
) -> None:
    with SpawnedProxy.in_front_of(gunicorn_like, rtt=RTT, mbit=100) as proxy, \
            requests.Session() as http:
        for _ in range(3):
            assert _timed_get(http, f"{proxy.url}/small") >= RTT
    assert proxy.stats is not None
    assert (proxy.stats.client_connections, proxy.stats.requests) == (1, 3)
    assert proxy._process.returncode == 0
