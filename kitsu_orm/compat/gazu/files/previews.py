"""gazu's preview file functions of its ``files`` module: read, locate, download.

Object-style equivalents: ``PreviewFile.get(id)``, ``preview.download(path)``,
``preview.download(path, "low")``, ``preview.thumbnail(path)`` (see
docs/migration.md). The downloads go through the ORM's
:meth:`~kitsu_orm.PreviewFile.download`, streamed to a temporary file moved
onto ``file_path`` once whole, and answer the path written (gazu answers its
``requests`` response).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ....model.previews import PreviewFile
from ....routes import PREVIEW_URLS, routes_for
from ....urls import fill
from .. import client
from ..connection import default_session
from ..memo import cached_function, read
from ..rows import Model, model_id

__all__ = [
    "download_preview_file",
    "download_preview_file_cover",
    "download_preview_file_thumbnail",
    "download_preview_lowdef_movie",
    "download_preview_movie",
    "get_all_preview_files_for_task",
    "get_preview_file",
    "get_preview_file_url",
    "get_preview_lowdef_movie_url",
    "get_preview_movie_url",
    "get_running_preview_files",
    "remove_preview_file",
    "update_preview",
]

Progress = Callable[[int, int], Any] | None


def _one_path(preview_file: Model) -> str:
    return fill(routes_for("PreviewFile").one, id=model_id(preview_file, "preview_file"))


@cached_function
def get_preview_file(preview_file_id: Model) -> dict[str, Any]:
    """gazu's ``get_preview_file``: the preview file's row."""
    body: dict[str, Any] = read(_one_path(preview_file_id))
    return body


@cached_function
def get_all_preview_files_for_task(task: Model) -> list[dict[str, Any]]:
    """gazu's ``get_all_preview_files_for_task``: the task's preview files, as Zou lists them."""
    rows: list[dict[str, Any]] = read(
        routes_for("PreviewFile").list, {"task_id": model_id(task, "task")}
    )
    return rows


@cached_function
def get_running_preview_files() -> list[dict[str, Any]]:
    """gazu's ``get_running_preview_files``: the preview files the server is processing."""
    rows: list[dict[str, Any]] = read(PREVIEW_URLS["running"])
    return rows


@cached_function
def get_preview_file_url(preview_file: Model) -> str:
    """gazu's ``get_preview_file_url``: the path of the original file (read afresh)."""
    row: dict[str, Any] = read(_one_path(preview_file))
    kind = "movie" if row["extension"] == "mp4" else "picture"
    return fill(PREVIEW_URLS[kind], preview_file_id=row["id"], extension=row["extension"])


@cached_function
def get_preview_movie_url(preview_file: Model, lowdef: bool = False) -> str:
    """gazu's ``get_preview_movie_url``: the path of the movie, original or low definition."""
    row: dict[str, Any] = read(_one_path(preview_file))
    if lowdef:
        return fill(PREVIEW_URLS["movie:low"], preview_file_id=row["id"])
    return fill(PREVIEW_URLS["movie"], preview_file_id=row["id"], extension=row["extension"])


@cached_function
def get_preview_lowdef_movie_url(preview_file: Model) -> str:
    """gazu's ``get_preview_lowdef_movie_url``: the path of the low definition movie."""
    return get_preview_movie_url(preview_file, lowdef=True)


def _preview(preview_file: Model) -> PreviewFile:
    return default_session().get(PreviewFile, model_id(preview_file, "preview_file"))


def report_done(written: Path, progress_callback: Progress) -> Path:
    """Call gazu's ``progress_callback(done, total)`` once, when the file is whole
    (the ORM streams without reporting); answers ``written``."""
    if progress_callback is not None:
        size = written.stat().st_size
        progress_callback(size, size)
    return written


def download_preview_file(
    preview_file: Model, file_path: str | os.PathLike[str], progress_callback: Progress = None
) -> Path:
    """gazu's ``download_preview_file``: the original file (a movie normalised), to ``file_path``."""
    return report_done(_preview(preview_file).download(file_path), progress_callback)


def download_preview_file_thumbnail(
    preview_file: Model, file_path: str | os.PathLike[str], progress_callback: Progress = None
) -> Path:
    """gazu's ``download_preview_file_thumbnail``: the PNG thumbnail, to ``file_path``."""
    return report_done(_preview(preview_file).thumbnail(file_path), progress_callback)


def download_preview_file_cover(
    preview_file: Model, file_path: str | os.PathLike[str], progress_callback: Progress = None
) -> Path:
    """gazu's ``download_preview_file_cover``: the PNG among the preview's originals."""
    path = fill(PREVIEW_URLS["cover"], preview_file_id=model_id(preview_file, "preview_file"))
    return report_done(default_session().transport.download(path, file_path), progress_callback)


def download_preview_movie(
    preview_file: Model, file_path: str | os.PathLike[str], progress_callback: Progress = None
) -> Path:
    """gazu's ``download_preview_movie``: the movie (original definition), to ``file_path``."""
    return report_done(_preview(preview_file).download(file_path, "original"), progress_callback)


def download_preview_lowdef_movie(
    preview_file: Model, file_path: str | os.PathLike[str], progress_callback: Progress = None
) -> Path:
    """gazu's ``download_preview_lowdef_movie``: the low definition movie, to ``file_path``."""
    return report_done(_preview(preview_file).download(file_path, "low"), progress_callback)


def update_preview(preview_file: Model, data: dict[str, Any]) -> dict[str, Any]:
    """gazu's ``update_preview``: change fields of the preview file; answers its row."""
    answer: dict[str, Any] = client.put(_one_path(preview_file), data)
    return answer


def remove_preview_file(preview_file: Model, force: bool = False) -> Any:
    """gazu's ``remove_preview_file``: delete the preview file (``force``: its stored files too)."""
    return client.delete(_one_path(preview_file), {"force": True} if force else None)
