"""How gazu's file functions move bytes: streamed downloads and uploads.

A download is streamed to a temporary file beside ``file_path`` and moved
onto it once whole (nothing is written anywhere else), and answers the path
written where gazu answers its ``requests`` response; with no ``file_path``
(gazu's frame and tile extraction allow it), the small body is answered as
bytes. A preview file still being processed is asked again after the delay
the server names, for at most a minute, as gazu does, then
:class:`~.exception.PreviewFileProcessingException` is raised.
``progress_callback(done, total)`` hears of each block, as in gazu.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ....errors import Timeout, ValidationError
from ..connection import default_transport
from ..exception import PreviewFileProcessingException
from ..memo import written

__all__ = ["PROCESSING_TIMEOUT", "Progress", "download", "upload"]

Progress = Callable[[int, int], Any] | None
FilePath = str | os.PathLike[str]
# gazu waits this long, in seconds, for a preview file the server is still building.
PROCESSING_TIMEOUT = 60.0


def download(
    path: str,
    file_path: FilePath | None,
    progress_callback: Progress = None,
    params: Mapping[str, Any] | None = None,
) -> Any:
    """GET a file route to ``file_path`` (answers it as a Path), or as bytes with None."""
    transport = default_transport()
    try:
        if file_path is None:
            return transport.download_bytes(path, params, processing_timeout=PROCESSING_TIMEOUT)
        return transport.download(
            path,
            file_path,
            params=params,
            on_chunk=progress_callback,
            processing_timeout=PROCESSING_TIMEOUT,
        )
    except Timeout as error:
        raise PreviewFileProcessingException(str(error), method="GET", path=path) from None


def upload(path: str, file_path: FilePath, progress_callback: Progress = None) -> Any:
    """POST one file (form field ``file``) streamed from disk; answers the server's JSON."""
    source = Path(file_path)
    if not source.is_file():
        raise ValidationError(f"no file {source} to upload")
    total = source.stat().st_size
    sent = 0

    def on_read(size: int) -> None:
        nonlocal sent
        sent += size
        if progress_callback is not None:
            progress_callback(min(sent, total), total)

    transport = default_transport()
    return written(path, lambda: transport.upload(path, source, on_read=on_read))
