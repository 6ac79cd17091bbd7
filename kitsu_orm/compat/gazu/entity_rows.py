"""What gazu's entity modules (asset, shot, scene, casting, entity) share beyond
:mod:`.rows`: the first row of a lookup as gazu passes it on, removals' ``force``,
metadata merges, the web interface's URLs, CSV files in and out.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from .connection import default_session
from .memo import written
from .rows import Model, model_id

__all__ = [
    "Progress",
    "export_csv",
    "first",
    "forced",
    "merge_data",
    "upload_file",
    "web_url",
]

Progress = Callable[[int, int], Any] | None


def first(rows: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    """gazu's ``fetch_first``: the server's first row (its match, case and wildcards
    included), or None."""
    return rows[0] if rows else None


def forced(force: bool) -> dict[str, str] | None:
    """The ``force`` query of gazu's removals: only when asked."""
    return {"force": "true"} if force else None


def merge_data(
    read_row: Callable[[str], dict[str, Any]],
    update: Callable[[dict[str, Any]], dict[str, Any]],
    model: Model,
    data: dict[str, Any] | None,
    what: str,
) -> dict[str, Any]:
    """gazu's ``update_*_data``: the stored metadata with ``data``'s keys over it,
    saved; read fresh from the server (a cached copy would undo others' edits)."""
    from ...session import cache_use

    with cache_use(bypass=True):
        current = read_row(model_id(model, what))
    merged = {**(current.get("data") or {}), **(data or {})}
    return update({"id": current["id"], "data": merged})


def web_url(*parts: str) -> str:
    """A page of the Kitsu web interface: the API root without its ``/api``."""
    host = default_session().transport.host.rstrip("/")
    root = host[: -len("/api")] if host.endswith("/api") else host
    return "/".join([root, *parts])


def upload_file(
    path: str,
    file_path: str | os.PathLike[str],
    data: dict[str, Any] | None = None,
    progress_callback: Progress = None,
) -> Any:
    """Send a file to an import route; ``progress_callback(done, total)`` is called
    once, when it is sent."""
    transport = default_session().transport
    answer = written(path, lambda: transport.upload(path, file_path, data=data))
    if progress_callback is not None:
        size = Path(file_path).stat().st_size
        progress_callback(size, size)
    return answer


def export_csv(
    collection: str,
    project: Model,
    file_path: str | os.PathLike[str],
    episode: Model | None,
    assigned_to: Model | None,
    progress_callback: Progress = None,
) -> Path:
    """Write the project's ``collection`` (``assets``, ``shots``) as CSV to ``file_path``,
    for an episode or a person if given; answers the path written (gazu: its
    ``requests`` response)."""
    params = {}
    if episode:
        params["episode_id"] = model_id(episode, "episode")
    if assigned_to:
        params["assigned_to"] = model_id(assigned_to, "assigned_to")
    path = f"export/csv/projects/{model_id(project, 'project')}/{collection}.csv"
    query = f"?{urlencode(params)}" if params else ""
    target = default_session().transport.download(path + query, file_path)
    if progress_callback is not None:
        size = target.stat().st_size
        progress_callback(size, size)
    return target
