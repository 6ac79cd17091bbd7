"""What the task functions share: writes through the current session, uploads with
gazu's progress callback, a URL fetched to a private temporary file, ids of lists."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from ....errors import ValidationError
from ..connection import default_session
from ..memo import written
from ..rows import Model, model_id

__all__ = [
    "Progress",
    "as_text",
    "fetched",
    "ids_of",
    "post",
    "put",
    "upload",
]

# gazu's progress_callback: called with (bytes sent so far, bytes to send in all).
Progress = Callable[[int, int], Any] | None


def post(path: str, data: Any) -> Any:
    """POST ``data`` to a route of the current session; outdates what it may change."""
    transport = default_session().transport
    return written(path, lambda: transport.post(path, data))


def put(path: str, data: Any) -> Any:
    """PUT ``data`` to a route of the current session; outdates what it may change."""
    transport = default_session().transport
    return written(path, lambda: transport.put(path, data))


def as_text(body: Any) -> str:
    """gazu answers a DELETE's body as its text: ``""`` for an empty one, the JSON
    text (compact, as Zou writes it) for a row."""
    if body is None:
        return ""
    if isinstance(body, str):
        return body
    return json.dumps(body, separators=(",", ":"))


def ids_of(models: Sequence[Model] | Model, what: str) -> list[str]:
    """The ids of a list of models (or of one model), each checked."""
    if isinstance(models, (str, dict)):
        return [model_id(models, what)]
    return [model_id(m, what) for m in models]


def upload(
    path: str,
    file: str | os.PathLike[str] | None,
    *,
    data: dict[str, Any] | None = None,
    files: Sequence[tuple[str, str | os.PathLike[str]]] = (),
    progress_callback: Progress = None,
) -> Any:
    """POST files as a multipart form, streamed from disk; ``progress_callback``
    hears ``(bytes sent, total bytes)`` as gazu's does."""
    on_read = None
    if progress_callback is not None:
        paths = ([file] if file is not None else []) + [p for _, p in files]
        total = sum(os.path.getsize(p) for p in paths)
        sent = 0

        def on_read(size: int) -> None:
            nonlocal sent
            sent += size
            progress_callback(sent, total)

    transport = default_session().transport
    return written(
        path, lambda: transport.upload(path, file, data=data, files=files, on_read=on_read)
    )


@contextmanager
def fetched(url: str) -> Iterator[str]:
    """The file at ``url`` (http or https), streamed to a private temporary folder
    and removed afterwards, as gazu's ``preview_file_url`` does."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(f"preview_file_url: expected an http(s) URL, not {url!r}")
    folder = tempfile.mkdtemp(prefix="kitsu_orm_")
    try:
        name = Path(parts.path).name
        name = name if name not in ("", ".", "..") else "preview"
        target = Path(folder) / name
        with requests.get(url, stream=True, timeout=60) as response:
            if not response.ok:
                raise ValidationError(f"preview_file_url: {url} answered {response.status_code}")
            with target.open("wb") as out:
                for block in response.iter_content(1 << 16):
                    out.write(block)
        yield str(target)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
