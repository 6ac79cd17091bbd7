"""The streamed multipart body: what a server parses from it, read in blocks."""

from __future__ import annotations

import email.parser
import email.policy
import io
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from kitsu_orm.errors import ValidationError
from kitsu_orm.multipart import BLOCK, MultipartBody, open_parts


class CountingFile(io.FileIO):
    """A binary file that remembers the largest read asked of it."""

    largest = 0

    def read(self, size: int = -1) -> bytes:
        type(self).largest = max(type(self).largest, size if size >= 0 else 1 << 62)
        return super().read(size)


def _parse(body: MultipartBody) -> dict[str, tuple[str | None, bytes]]:
    """The form as an email parser reads it: field -> (file name, content)."""
    raw = b"".join(body)
    head = f"Content-Type: {body.content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    form: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload: Any = part.get_payload(decode=True)
        form[str(name)] = (part.get_filename(), payload)
    return form


def test_fields_and_files_parse_back_and_the_length_is_exact(tmp_path: Path) -> None:
    big = tmp_path / "movie.mp4"
    content = bytes(range(256)) * (3 * BLOCK // 256 + 7)  # several blocks, and a bit
    big.write_bytes(content)
    notes = tmp_path / 'odd "name".txt'
    notes.write_bytes(b"notes\r\n--not a boundary\r\n")
    seen: list[int] = []
    with ExitStack() as stack:
        parts = open_parts(stack, [("file", big, None), ("file1", notes, None)])
        body = MultipartBody({"comment": "v003 é", "checklist": "[]"}, parts, seen.append)
        raw = b"".join(body)
        assert len(raw) == len(body)
        body.rewind()
        again = b"".join(body)
    assert again == raw  # a body sent twice (after a token refresh) is the same body
    assert sum(seen) == 2 * (len(content) + notes.stat().st_size)
    body_again = MultipartBody({"comment": "v003 é", "checklist": "[]"}, [])
    assert _parse(body_again) == {"comment": (None, "v003 é".encode()), "checklist": (None, b"[]")}


def test_a_file_is_read_in_blocks_never_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * (5 * BLOCK))
    CountingFile.largest = 0
    with CountingFile(path, "r") as handle:
        body = MultipartBody({}, [("file", "big.bin", handle)])  # type: ignore[list-item]
        chunks = list(body)
    assert CountingFile.largest == BLOCK
    assert max(len(c) for c in chunks) == BLOCK
    assert len(b"".join(chunks)) == len(body)


def test_the_parts_parse_back(tmp_path: Path) -> None:
    image = tmp_path / "v1.png"
    image.write_bytes(b"\x89PNG fake")
    with ExitStack() as stack:
        parts = open_parts(stack, [("file", image, "renamed.png"), ("file1", image, None)])
        form = _parse(MultipartBody({"task_status_id": "abc"}, parts))
    assert form == {
        "task_status_id": (None, b"abc"),
        "file": ("renamed.png", b"\x89PNG fake"),
        "file1": ("v1.png", b"\x89PNG fake"),
    }


def test_a_missing_file_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    with ExitStack() as stack, pytest.raises(ValidationError, match="no file to upload"):
        open_parts(stack, [("file", tmp_path / "nope.png", None)])


def test_a_file_object_in_memory_is_sent_from_where_it_stands() -> None:
    handle = io.BytesIO(b"skip-these:payload")
    handle.seek(len("skip-these:"))
    body = MultipartBody({}, [("file", "p.bin", handle)])
    assert _parse(body) == {"file": ("p.bin", b"payload")}
    assert b"".join(body) == b""  # read to its end, like a file
    body.rewind()
    assert len(b"".join(body)) == len(body)
