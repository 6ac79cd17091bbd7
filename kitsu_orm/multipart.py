"""A multipart/form-data body read from disk as it is sent, never whole in memory.

requests builds a multipart body in memory, file contents included: a
2 GB movie would take 2 GB of RAM. :class:`MultipartBody` is a file-like
object of known length instead (so the request has a ``Content-Length``,
which Zou's server needs): its parts' headers are made up front, and the
files are read in blocks while the body is read by the HTTP connection.
A body is read again from the start by :meth:`MultipartBody.rewind`, for a
request sent twice (after a token refresh). No HTTP library is imported here.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from .errors import ValidationError

__all__ = ["BLOCK", "FilePart", "MultipartBody", "open_parts"]

BLOCK = 1 << 16
"""Bytes read from a file at a time."""

FilePart = tuple[str, str, IO[bytes]]
"""One file of a body: the form field, the file name sent, and the open binary file."""


class MultipartBody:
    """A multipart/form-data body of text ``fields`` and open ``files``, read in blocks.

    ``on_read`` is called with the number of file bytes each block carried
    (a progress bar's advance). The files stay open and owned by the caller.
    """

    def __init__(
        self,
        fields: Mapping[str, str],
        files: Sequence[FilePart],
        on_read: Callable[[int], None] | None = None,
    ) -> None:
        self.boundary = secrets.token_hex(16)
        self._on_read = on_read
        # Each piece: bytes to send as they are, or (file, where it starts, its size).
        self._pieces: list[tuple[bytes, IO[bytes] | None, int, int]] = []
        for name, value in fields.items():
            head = self._head(name) + b"\r\n\r\n" + value.encode() + b"\r\n"
            self._pieces.append((head, None, 0, len(head)))
        for field, filename, handle in files:
            head = (
                self._head(field)
                + f'; filename="{_quoted(filename)}"\r\n'.encode()
                + b"Content-Type: application/octet-stream\r\n\r\n"
            )
            start = handle.tell()
            size = handle.seek(0, os.SEEK_END) - start  # any seekable file: disk or memory
            handle.seek(start)
            self._pieces += [(head, None, 0, len(head)), (b"", handle, start, size)]
            self._pieces.append((b"\r\n", None, 0, 2))
        tail = f"--{self.boundary}--\r\n".encode()
        self._pieces.append((tail, None, 0, len(tail)))
        self._length = sum(size for *_, size in self._pieces)
        self._at = 0
        self._offset = 0

    def _head(self, name: str) -> bytes:
        return (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_quoted(name)}"'.encode()
        )

    @property
    def content_type(self) -> str:
        """The request's ``Content-Type`` header, with this body's boundary."""
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return self._length

    def rewind(self) -> None:
        """Start reading from the beginning again (files sought back)."""
        self._at = 0
        self._offset = 0

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes of the body (one block at most; b"" at its end)."""
        limit = BLOCK if size is None or size < 0 else min(size, BLOCK)
        while self._at < len(self._pieces):
            data, handle, start, size = self._pieces[self._at]
            if handle is None:
                chunk = data[self._offset : self._offset + limit]
                self._offset += len(chunk)
                if self._offset >= len(data):
                    self._at, self._offset = self._at + 1, 0
                if chunk:
                    return chunk
                continue
            handle.seek(start + self._offset)
            chunk = handle.read(min(limit, size - self._offset))
            if not chunk:
                self._at, self._offset = self._at + 1, 0
                continue
            self._offset += len(chunk)
            if self._on_read is not None:
                self._on_read(len(chunk))
            return chunk
        return b""

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(BLOCK):
            yield chunk


def _quoted(text: str) -> str:
    """A name as a quoted header parameter: quotes and line breaks escaped."""
    return text.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def open_parts(
    stack: ExitStack, parts: Iterable[tuple[str, str | os.PathLike[str] | IO[bytes], str | None]]
) -> list[FilePart]:
    """The files of a body, opened on ``stack``: ``(field, path or binary file, name
    to send or None for the file's own)``."""
    opened: list[FilePart] = []
    for field, item, name in parts:
        if isinstance(item, (str, os.PathLike)):
            path = Path(item)
            if not path.is_file():
                raise ValidationError(f"no file to upload at {path}")
            opened.append((field, name or path.name, stack.enter_context(path.open("rb"))))
        else:
            default = Path(getattr(item, "name", "") or "upload.bin").name
            opened.append((field, name or default, item))
    return opened
