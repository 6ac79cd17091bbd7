"""The fault proxy itself, in front of a tiny standard-library server (no Zou needed)."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from faultproxy import (
    DROP,
    FORWARD_THEN_RESET,
    PASS,
    RESET,
    FaultProxy,
    delay,
    respond,
    stall_body,
)


class _Echo(BaseHTTPRequestHandler):
    """Answers every request with what it received, as JSON."""

    protocol_version = "HTTP/1.1"
    server: _EchoServer

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        if self.headers.get("Transfer-Encoding") == "chunked":
            body = _read_chunked(self.rfile)
        self.server.hits.append((self.command, self.path))
        payload = json.dumps(
            {
                "method": self.command,
                "path": self.path,
                "host": self.headers["Host"],
                "connection": self.headers["Connection"],
                "body": body,
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_HEAD = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _EchoServer(ThreadingHTTPServer):
    daemon_threads = True
    hits: list[tuple[str, str]]


def _read_chunked(rfile: Any) -> str:
    parts = []
    for _ in range(1000):
        size = int(rfile.readline().strip(), 16)
        if size == 0:
            rfile.readline()
            break
        parts.append(rfile.read(size).decode())
        rfile.readline()
    return "".join(parts)


@pytest.fixture
def upstream() -> Iterator[_EchoServer]:
    server = _EchoServer(("127.0.0.1", 0), _Echo)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def proxy(upstream: _EchoServer) -> Iterator[FaultProxy]:
    host, port = upstream.server_address[:2]
    with FaultProxy(str(host), int(port), io_timeout=5) as proxy:
        yield proxy
    assert not [t for t in threading.enumerate() if t.name.startswith("faultproxy")]


def _request(
    proxy: FaultProxy,
    method: str = "GET",
    path: str = "/api/x",
    body: Any = None,
    timeout: float = 5,
    **kwargs: Any,
) -> tuple[http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, **kwargs)
        resp = conn.getresponse()
        return resp, resp.read()
    finally:
        conn.close()


def test_url_keeps_the_upstream_path() -> None:
    with FaultProxy.in_front_of("http://127.0.0.1:9/api/") as proxy:
        assert proxy.url == f"http://127.0.0.1:{proxy.port}/api"


def test_pass_forwards_and_closes(proxy: FaultProxy, upstream: _EchoServer) -> None:
    resp, body = _request(proxy, "POST", "/api/data?x=1", body=b'{"a": 1}')
    echoed = json.loads(body)
    assert resp.status == 200
    assert resp.getheader("Connection") == "close"
    assert echoed["body"] == '{"a": 1}'
    host, port = upstream.server_address[:2]
    assert echoed["host"] == f"{host!s}:{port}"
    assert echoed["connection"] == "close"
    assert upstream.hits == [("POST", "/api/data?x=1")]
    assert [(s.method, s.path, s.query) for s in proxy.forwarded] == [("POST", "/api/data", "x=1")]


def test_chunked_request_body_is_forwarded(proxy: FaultProxy) -> None:
    resp, body = _request(
        proxy,
        "PUT",
        body=iter([b"ab", b"cd"]),
        encode_chunked=True,
        headers={"Transfer-Encoding": "chunked"},
    )
    assert resp.status == 200
    assert json.loads(body)["body"] == "abcd"


def test_head_answer_has_no_body(proxy: FaultProxy) -> None:
    resp, body = _request(proxy, "HEAD")
    assert (resp.status, body) == (200, b"")


def test_keep_alive_client_gets_one_request_per_connection(proxy: FaultProxy) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=5)
    try:
        for _ in range(3):
            conn.request("GET", "/api/x", headers={"Connection": "keep-alive"})
            assert conn.getresponse().read()
    finally:
        conn.close()
    assert proxy.count("GET", forwarded=True) == 3


def test_drop_closes_without_answer(proxy: FaultProxy, upstream: _EchoServer) -> None:
    proxy.script(DROP)
    with pytest.raises(http.client.RemoteDisconnected):
        _request(proxy)
    assert proxy.count("GET") == 1
    assert proxy.count(forwarded=True) == 0
    assert upstream.hits == []


def test_reset_sends_rst(proxy: FaultProxy, upstream: _EchoServer) -> None:
    proxy.script(RESET)
    with pytest.raises(ConnectionResetError):
        _request(proxy)
    assert upstream.hits == []


def test_respond_answers_a_canned_response(proxy: FaultProxy, upstream: _EchoServer) -> None:
    proxy.script(respond(503, {"Retry-After": "1"}, b"busy"))
    resp, body = _request(proxy)
    assert (resp.status, resp.getheader("Retry-After"), body) == (503, "1", b"busy")
    assert upstream.hits == []


def test_forward_then_reset_applies_the_request_but_loses_the_answer(
    proxy: FaultProxy, upstream: _EchoServer
) -> None:
    proxy.script(FORWARD_THEN_RESET)
    with pytest.raises(ConnectionResetError):
        _request(proxy, "POST", body=b"{}")
    assert upstream.hits == [("POST", "/api/x")]
    assert proxy.count("POST", forwarded=True) == 1


def test_delay_outlasts_the_client_then_forwards(proxy: FaultProxy, upstream: _EchoServer) -> None:
    proxy.script(delay(0.3))
    with pytest.raises(TimeoutError):
        _request(proxy, timeout=0.1)
    deadline = time.monotonic() + 5
    while not upstream.hits and time.monotonic() < deadline:
        time.sleep(0.02)
    assert upstream.hits == [("GET", "/api/x")]


def test_stall_body_sends_headers_then_holds_the_body(proxy: FaultProxy) -> None:
    proxy.script(stall_body(0.5))
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=0.1)
    try:
        conn.request("GET", "/api/x")
        resp = conn.getresponse()
        assert resp.status == 200
        with pytest.raises(TimeoutError):
            resp.read()
    finally:
        conn.close()
    assert proxy.count("GET", forwarded=True) == 1


def test_close_interrupts_a_long_delay(upstream: _EchoServer) -> None:
    host, port = upstream.server_address[:2]
    proxy = FaultProxy(str(host), int(port))
    proxy.script(delay(60))
    with pytest.raises(TimeoutError):
        _request(proxy, timeout=0.1)
    started = time.monotonic()
    proxy.close()
    assert time.monotonic() - started < 1
    assert upstream.hits == []


def test_script_is_consumed_in_order_then_passes(proxy: FaultProxy) -> None:
    proxy.script(respond(502), respond(429), PASS)
    statuses = [_request(proxy)[0].status for _ in range(4)]
    assert statuses == [502, 429, 200, 200]
    assert proxy.pending == 0
    assert [type(s.action).__name__ for s in proxy.received] == [
        "Respond",
        "Respond",
        "Pass",
        "Pass",
    ]


def test_refuse_and_resume_on_the_same_port(proxy: FaultProxy) -> None:
    port = proxy.port
    proxy.refuse()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    proxy.resume()
    assert proxy.port == port
    assert _request(proxy)[0].status == 200


def test_refuse_for_a_while(proxy: FaultProxy) -> None:
    proxy.refuse(0.2)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", proxy.port), timeout=1).close()
    time.sleep(0.4)
    assert _request(proxy)[0].status == 200


def test_garbage_is_ignored(proxy: FaultProxy) -> None:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=2) as sock:
        sock.sendall(b"NOT HTTP\r\n\r\n")
        assert sock.recv(100) == b""
    assert proxy.received == []


def test_request_cut_short_is_not_forwarded(proxy: FaultProxy, upstream: _EchoServer) -> None:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=2) as sock:
        sock.sendall(b"GET /api/x HTTP/1.1\r\nHost: a\r\n")
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(100) == b""
    assert proxy.received == []
    assert upstream.hits == []


def test_cut_breaks_a_request_in_flight(proxy: FaultProxy, upstream: _EchoServer) -> None:
    proxy.script(delay(5))  # held by the proxy, as a long poll is held by its server
    failed: list[BaseException] = []

    def ask() -> None:
        try:
            _request(proxy, timeout=5)
        except (OSError, http.client.HTTPException) as exc:
            failed.append(exc)

    thread = threading.Thread(target=ask)
    thread.start()
    deadline = time.monotonic() + 5
    while not proxy.received and time.monotonic() < deadline:
        time.sleep(0.02)
    began = time.monotonic()

    assert proxy.cut() >= 1
    thread.join(5)

    assert failed and time.monotonic() - began < 2  # broken now, not after the delay
    assert _request(proxy)[0].status == 200  # new connections are served as before


def test_a_script_for_a_path_is_met_by_requests_to_that_path_only(proxy: FaultProxy) -> None:
    proxy.script(respond(503), path="/api/tasks")
    proxy.script(respond(502))
    paths = ["/api/x", "/api/x", "/api/tasks/1", "/api/tasks/2"]
    statuses = [_request(proxy, path=path)[0].status for path in paths]
    assert statuses == [502, 200, 503, 200]
    assert proxy.pending == 0
