"""Where HTTP/1.x messages end in a byte stream, found as the bytes come.

The latency proxy (latency_proxy.py) relays bytes as they arrive, so that a
long answer streams, but it must know where each message ends: it keeps a
client's connection open across requests although Zou's gunicorn workers
close theirs after every answer (as the nginx in front of a hosted Kitsu
does). :class:`MessageStream` is fed one direction's bytes, cut anywhere, and
gives them back as pieces: :data:`START` before a message, the head as the
caller rewrote it (it also says how the body is framed), the body bytes
unchanged, :data:`END` after the message.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["END", "START", "Body", "Framing", "FramingError", "Head", "Marker", "MessageStream",
           "Piece"]

MAX_HEAD = 64 * 1024  # a head or a chunk-size line longer than this is not HTTP we relay


class FramingError(Exception):
    """The stream is not HTTP/1.x (or a head is too long): the connection is dropped."""


class Marker(enum.Enum):
    START = "start"
    END = "end"


START = Marker.START
END = Marker.END
Piece = bytes | Marker


@dataclass(frozen=True)
class Head:
    """A message's start line and headers, in their order."""

    start: str
    headers: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, raw: bytes) -> Head:
        lines = raw.decode("latin-1").split("\r\n")
        headers = []
        for line in lines[1:]:
            if not line:
                continue
            name, sep, value = line.partition(":")
            if not sep:
                raise FramingError(f"malformed header line {line!r}")
            headers.append((name.strip(), value.strip()))
        return cls(lines[0], tuple(headers))

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    def tokens(self, name: str) -> set[str]:
        """The comma-separated values of every ``name`` header, lowercased."""
        wanted = name.lower()
        return {token.strip().lower() for k, v in self.headers if k.lower() == wanted
                for token in v.split(",") if token.strip()}

    def without(self, *names: str) -> Head:
        dropped = {n.lower() for n in names}
        return Head(self.start, tuple((k, v) for k, v in self.headers if k.lower() not in dropped))

    def plus(self, name: str, value: str) -> Head:
        return Head(self.start, (*self.without(name).headers, (name, value)))

    def to_bytes(self) -> bytes:
        lines = [self.start, *(f"{k}: {v}" for k, v in self.headers), "", ""]
        return "\r\n".join(lines).encode("latin-1")


class Framing(enum.Enum):
    NONE = "none"  # no body: the message ends with its head
    LENGTH = "length"  # Content-Length bytes
    CHUNKED = "chunked"  # Transfer-Encoding: chunked, up to the last chunk and trailers
    UNTIL_CLOSE = "until close"  # a response without a length: it ends when the server closes
    TUNNEL = "tunnel"  # after a protocol switch (101): raw bytes both ways from now on


@dataclass(frozen=True)
class Body:
    framing: Framing
    length: int = 0

    @classmethod
    def declared(cls, head: Head, *, otherwise: Framing) -> Body:
        """The body ``head`` announces (chunked, or Content-Length), else ``otherwise``."""
        if "chunked" in head.tokens("Transfer-Encoding"):
            return cls(Framing.CHUNKED)
        length = head.header("Content-Length")
        if length is None:
            return cls(otherwise)
        if not length.isdigit():
            raise FramingError(f"bad Content-Length {length!r}")
        return cls(Framing.LENGTH, int(length))


# What the owner of a stream does with each head: the bytes to relay instead, and the body.
Decide = Callable[[Head], tuple[bytes, Body]]


class _State(enum.Enum):
    HEAD = "head"
    LENGTH = "length"
    CHUNK_SIZE = "chunk size"
    CHUNK_DATA = "chunk data"
    TRAILER = "trailer"
    UNTIL_CLOSE = "until close"
    TUNNEL = "tunnel"


class MessageStream:
    """One direction of one connection, cut into messages as its bytes come."""

    def __init__(self, decide: Decide) -> None:
        self._decide = decide
        self._state = _State.HEAD
        self._pending = bytearray()  # a head or a chunk-size/trailer line not complete yet
        self._left = 0  # body bytes still to come (LENGTH, CHUNK_DATA with its CRLF)
        self._out: list[Piece] = []

    @property
    def idle(self) -> bool:
        """Between two messages, nothing of the next one read yet."""
        return self._state is _State.HEAD and not self._pending

    def feed(self, data: bytes) -> list[Piece]:
        """The pieces ``data`` completes, adjacent bytes joined."""
        view = memoryview(data)
        while view:
            view = view[self._step(view):]
        return self._take()

    def eof(self) -> tuple[list[Piece], bool]:
        """The peer closed: the pieces that ends, and whether it ended cleanly (between
        messages, or a body that runs until the close)."""
        clean = self.idle or self._state in (_State.UNTIL_CLOSE, _State.TUNNEL)
        if self._state is _State.UNTIL_CLOSE:
            self._end()
        return self._take(), clean

    def tunnel(self) -> list[Piece]:
        """From now on relay every byte as it comes (both ways of an upgraded connection)."""
        self._emit(bytes(self._pending))
        self._pending.clear()
        self._state = _State.TUNNEL
        return self._take()

    # -- the states ------------------------------------------------------------------

    def _step(self, view: memoryview) -> int:
        """Consume the start of ``view``; how many bytes were used."""
        state = self._state
        if state is _State.HEAD:
            return self._head(view)
        if state in (_State.LENGTH, _State.CHUNK_DATA):
            return self._counted(view)
        if state in (_State.CHUNK_SIZE, _State.TRAILER):
            return self._chunk_line(view)
        self._emit(bytes(view))  # UNTIL_CLOSE, TUNNEL
        return len(view)

    def _head(self, view: memoryview) -> int:
        before = len(self._pending)
        self._pending += view
        found = self._pending.find(b"\r\n\r\n", max(0, before - 3))
        if found < 0:
            if len(self._pending) > MAX_HEAD:
                raise FramingError("head too long")
            return len(view)
        raw = bytes(self._pending[:found + 4])
        self._pending.clear()
        self._out.append(START)
        relayed, body = self._decide(Head.parse(raw))
        self._emit(relayed)
        self._begin(body)
        return found + 4 - before

    def _begin(self, body: Body) -> None:
        if body.framing is Framing.NONE or (body.framing is Framing.LENGTH and body.length == 0):
            self._end()
        elif body.framing is Framing.LENGTH:
            self._state, self._left = _State.LENGTH, body.length
        elif body.framing is Framing.CHUNKED:
            self._state = _State.CHUNK_SIZE
        elif body.framing is Framing.UNTIL_CLOSE:
            self._state = _State.UNTIL_CLOSE
        else:
            self._state = _State.TUNNEL

    def _counted(self, view: memoryview) -> int:
        used = min(self._left, len(view))
        self._emit(bytes(view[:used]))
        self._left -= used
        if not self._left:
            if self._state is _State.LENGTH:
                self._end()
            else:
                self._state = _State.CHUNK_SIZE
        return used

    def _chunk_line(self, view: memoryview) -> int:
        newline = bytes(view).find(b"\n")
        used = len(view) if newline < 0 else newline + 1
        self._pending += view[:used]
        if len(self._pending) > MAX_HEAD:
            raise FramingError("chunk-size or trailer line too long")
        if newline < 0:
            return used
        line = bytes(self._pending)
        self._pending.clear()
        self._emit(line)
        if self._state is _State.TRAILER:
            if not line.strip():
                self._end()
            return used
        size = _chunk_size(line)
        if size:
            self._state, self._left = _State.CHUNK_DATA, size + 2  # its data, then CRLF
        else:
            self._state = _State.TRAILER
        return used

    # -- output --------------------------------------------------------------------

    def _emit(self, data: bytes) -> None:
        if not data:
            return
        if self._out and isinstance(self._out[-1], bytes):
            self._out[-1] += data
        else:
            self._out.append(data)

    def _end(self) -> None:
        self._out.append(END)
        self._state = _State.HEAD

    def _take(self) -> list[Piece]:
        out, self._out = self._out, []
        return out


def _chunk_size(line: bytes) -> int:
    digits = line.split(b";", 1)[0].strip()
    try:
        return int(digits, 16)
    except ValueError:
        raise FramingError(f"bad chunk-size line {line!r}") from None
