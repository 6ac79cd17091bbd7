"""The message boundaries the latency proxy relies on, found whatever the cuts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from http_framing import (  # noqa: E402
    END,
    START,
    Body,
    Framing,
    FramingError,
    Head,
    MessageStream,
    Piece,
)

MESSAGES = [
    b"POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
    b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n",
    b"PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer: t\r\n\r\n",
    b"POST /d HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
]


def _requests() -> MessageStream:
    return MessageStream(lambda head: (head.to_bytes(), Body.declared(head, otherwise=Framing.NONE)))


def _messages(pieces: list[Piece]) -> list[bytes]:
    """The bytes between each START and its END; asserts they pair up."""
    found, current = [], None
    for piece in pieces:
        if piece is START:
            assert current is None
            current = b""
        elif piece is END:
            assert current is not None
            found.append(current)
            current = None
        else:
            assert current is not None and isinstance(piece, bytes)
            current += piece
    assert current is None
    return found


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 10_000])
def test_messages_are_found_whatever_the_cuts(size: int) -> None:
    stream, data, pieces = _requests(), b"".join(MESSAGES), []
    for at in range(0, len(data), size):
        pieces += stream.feed(data[at:at + size])
    assert _messages(pieces) == MESSAGES
    assert stream.idle


def test_a_body_until_close_ends_at_eof_and_a_cut_body_is_not_clean() -> None:
    until_close = MessageStream(lambda head: (head.to_bytes(), Body(Framing.UNTIL_CLOSE)))
    pieces = until_close.feed(b"HTTP/1.1 200 OK\r\n\r\nsome bytes")
    ended, clean = until_close.eof()
    assert _messages(pieces + ended) == [b"HTTP/1.1 200 OK\r\n\r\nsome bytes"] and clean
    cut = _requests()
    cut.feed(b"POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nhalf")
    assert cut.eof() == ([], False)


def test_the_owner_rewrites_heads_and_the_head_tools_agree() -> None:
    head = Head.parse(b"HTTP/1.1 200 OK\r\nConnection: Keep-Alive, close\r\nA: 1\r\n\r\n")
    assert head.tokens("connection") == {"keep-alive", "close"}
    rewritten = head.without("Connection").plus("A", "2")
    assert rewritten.to_bytes() == b"HTTP/1.1 200 OK\r\nA: 2\r\n\r\n"
    stream = MessageStream(lambda h: (rewritten.to_bytes(), Body(Framing.NONE)))
    assert stream.feed(head.to_bytes()) == [START, rewritten.to_bytes(), END]


@pytest.mark.parametrize("garbage", [
    b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: ten\r\n\r\n",
    b"PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET /" + b"x" * 70_000,
])
def test_what_is_not_http_is_refused(garbage: bytes) -> None:
    with pytest.raises(FramingError):
        _requests().feed(garbage)
