"""gazu's preview file functions of its ``files`` module: read, locate, wait for,
download, extract from, update.

Object-style equivalents: ``PreviewFile.get(id)``, ``preview.download(path)``,
``preview.download(path, "low")``, ``preview.thumbnail(path)``,
``preview.wait_ready()`` (see docs/migration.md). Downloads are streamed
(:mod:`.transfer`) and answer the path written (gazu answers its ``requests``
response).
"""

from __future__ import annotations

import time
from typing import Any

from ..connection import default_transport
from ..declare import finish, gazu_function, route
from ..exception import PreviewFileProcessingException
from ..kitsu_client import KitsuClient, default_client
from ..rows import Model, model_id
from .transfer import FilePath, Progress, download

__all__ = [
    "download_preview_file",
    "download_preview_file_cover",
    "download_preview_file_thumbnail",
    "download_preview_lowdef_movie",
    "download_preview_movie",
    "extract_frame_from_preview",
    "extract_tile_from_preview",
    "get_all_preview_files_for_task",
    "get_preview_file",
    "get_preview_file_url",
    "get_preview_lowdef_movie_url",
    "get_preview_movie_url",
    "get_running_preview_files",
    "remove_preview_file",
    "update_preview",
    "update_preview_annotations",
    "update_preview_position",
    "wait_for_preview_file",
]


def _annotations(a: Any) -> dict[str, Any]:
    changes = (("additions", a.additions), ("updates", a.updates), ("deletions", a.deletions))
    return {key: value for key, value in changes if value is not None}


# One request each.
get_preview_file = route(
    "GET data/preview-files/{preview_file_id}", "preview_file_id, client=default"
)
get_all_preview_files_for_task = route(
    "GET data/preview-files",
    "task, client=default",
    query=lambda a: {"task_id": model_id(a.task, "task")},
)
get_running_preview_files = route("GET data/playlists/preview-files/running", "client=default")
update_preview = route(
    "PUT data/preview-files/{preview_file}",
    "preview_file, data, client=default",
    body=lambda a: a.data,
)
remove_preview_file = route(
    "DELETE data/preview-files/{preview_file}",
    "preview_file, force=False, client=default",
    query=lambda a: {"force": True} if a.force else None,
    answer=lambda found: "" if found is None else found,  # gazu answers the empty body's text
)
update_preview_position = route(
    "PUT actions/preview-files/{preview_file}/update-position",
    "preview_file, position, client=default",
    body=lambda a: {"position": a.position},
)
update_preview_annotations = route(
    "PUT actions/preview-files/{preview_file}/update-annotations",
    "preview_file, additions=None, updates=None, deletions=None, client=default",
    body=_annotations,
)


def _row(preview_file: Model) -> dict[str, Any]:
    """The preview file's row, read afresh from the server, never from a cache: its
    status changes while the server processes it (gazu does not cache it either)."""
    path = f"data/preview-files/{model_id(preview_file, 'preview_file')}"
    row: dict[str, Any] = default_transport().get(path)
    return row


def _original(row: dict[str, Any]) -> str:
    kind = "movies" if row["extension"] == "mp4" else "pictures"
    return f"{kind}/originals/preview-files/{model_id(row, 'preview_file')}.{row['extension']}"


def _movie(row: dict[str, Any], lowdef: bool) -> str:
    preview_id = model_id(row, "preview_file")
    if lowdef:
        return f"movies/low/preview-files/{preview_id}.mp4"
    return f"movies/originals/preview-files/{preview_id}.{row['extension']}"


@gazu_function
def wait_for_preview_file(
    preview_file: Model,
    timeout: float = 60,
    poll_interval: float = 5,
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """The preview file's row once the server is no longer processing it; raises
    PreviewFileProcessingException after ``timeout`` seconds."""
    preview_id = model_id(preview_file, "preview_file")
    deadline = time.monotonic() + timeout
    while True:
        row = _row(preview_id)
        if row.get("status") != "processing":
            return row
        if time.monotonic() >= deadline:
            raise PreviewFileProcessingException(
                f"preview file {preview_id} is still processing after {timeout:g} s"
            )
        time.sleep(poll_interval)


@gazu_function
def get_preview_file_url(preview_file: Model, client: KitsuClient = default_client) -> str:
    """The path of the preview's original file (its row read afresh)."""
    return _original(_row(preview_file))


@gazu_function
def get_preview_movie_url(
    preview_file: Model, lowdef: bool = False, client: KitsuClient = default_client
) -> str:
    """The path of the movie, original or low definition."""
    return _movie(_row(preview_file), lowdef)


@gazu_function
def get_preview_lowdef_movie_url(preview_file: Model, client: KitsuClient = default_client) -> str:
    """The path of the low definition movie."""
    return _movie(_row(preview_file), True)


@gazu_function
def download_preview_file(
    preview_file: Model,
    file_path: FilePath,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """Write the original file (a movie normalised) to ``file_path``."""
    return download(_original(_row(preview_file)), file_path, progress_callback)


@gazu_function
def download_preview_file_thumbnail(
    preview_file: Model,
    file_path: FilePath,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """Write the PNG thumbnail to ``file_path``."""
    path = f"pictures/thumbnails/preview-files/{model_id(preview_file, 'preview_file')}.png"
    return download(path, file_path, progress_callback)


@gazu_function
def download_preview_file_cover(
    preview_file: Model,
    file_path: FilePath,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """Write the PNG original (a movie's cover) to ``file_path``."""
    path = f"pictures/originals/preview-files/{model_id(preview_file, 'preview_file')}.png"
    return download(path, file_path, progress_callback)


@gazu_function
def download_preview_movie(
    preview_file: Model,
    file_path: FilePath,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """Write the movie (original definition) to ``file_path``."""
    return download(_movie(_row(preview_file), False), file_path, progress_callback)


@gazu_function
def download_preview_lowdef_movie(
    preview_file: Model,
    file_path: FilePath,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """Write the low definition movie to ``file_path``."""
    return download(_movie(_row(preview_file), True), file_path, progress_callback)


@gazu_function
def extract_frame_from_preview(
    preview_file: Model,
    frame_number: int,
    file_path: FilePath | None = None,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """One frame of a movie preview as a PNG, to ``file_path`` (None: answered as bytes)."""
    path = f"actions/preview-files/{model_id(preview_file, 'preview_file')}/extract-frame"
    return download(path, file_path, progress_callback, {"frame_number": frame_number})


@gazu_function
def extract_tile_from_preview(
    preview_file: Model,
    file_path: FilePath | None = None,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """The tile (frames side by side) of a movie preview, to ``file_path`` (None: as bytes)."""
    path = f"actions/preview-files/{model_id(preview_file, 'preview_file')}/extract-tile"
    return download(path, file_path, progress_callback)


finish(globals())
