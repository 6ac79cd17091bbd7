"""gazu's ``playlist`` module: review playlists and their entries.

Object-style equivalents: ``Playlist.where(project=project)``,
``playlist.add(shot, preview)``, ``playlist.remove(shot)``,
``playlist.set_preview(shot, preview)``, then ``session.commit()`` (see
docs/migration.md). As in gazu, a playlist is a dict whose ``shots`` are its
entries (``entity_id``, ``preview_file_id``); the editing functions change
that dict and, with ``persist``, save it whole.

``client``: gazu's own connection object. The facade talks through its
session (:mod:`.connection`): the parameter is kept for gazu's signatures,
and anything but None is refused.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ...errors import ValidationError
from ...model.playlists import Playlist
from ...routes import PLAYLISTS, routes_for
from ...urls import fill
from . import client as raw
from .connection import default_session
from .files.previews import Progress, report_done
from .memo import cached_function, read
from .rows import Model, find_first, model_id, sort_by_name

__all__ = [
    "add_entity_to_playlist",
    "all_playlists",
    "all_playlists_for_episode",
    "all_playlists_for_project",
    "all_shots_for_playlist",
    "delete_playlist",
    "download_playlist_zip",
    "get_entity_preview_files",
    "get_playlist",
    "get_playlist_by_name",
    "new_playlist",
    "remove_entity_from_playlist",
    "update_entity_preview",
    "update_playlist",
]

ROUTES = routes_for("Playlist")


def _no_client(client: Any) -> None:
    if client is not None:
        raise ValidationError("the facade talks through its session: pass no client")


def _one(playlist: Model) -> str:
    return fill(ROUTES.one, id=model_id(playlist, "playlist"))


@cached_function
def all_playlists(client: Any = None) -> list[dict[str, Any]]:
    """gazu's ``all_playlists``: every playlist of every project, by name."""
    _no_client(client)
    return sort_by_name(read(ROUTES.list))


@cached_function
def all_shots_for_playlist(playlist: Model, client: Any = None) -> list[dict[str, Any]]:
    """gazu's ``all_shots_for_playlist``: the playlist's entries, by name (read afresh)."""
    _no_client(client)
    entries: list[dict[str, Any]] = read(_one(playlist))["shots"]
    return sort_by_name(entries)


@cached_function
def all_playlists_for_project(
    project: Model, client: Any = None, page: int = 1
) -> list[dict[str, Any]]:
    """gazu's ``all_playlists_for_project``: one page of the project's playlists, by name."""
    _no_client(client)
    path = fill(PLAYLISTS["of_project"], project_id=model_id(project, "project"))
    return sort_by_name(read(path, {"page": page}))


@cached_function
def all_playlists_for_episode(episode: Model, client: Any = None) -> list[dict[str, Any]]:
    """gazu's ``all_playlists_for_episode``: the episode's playlists, by name."""
    _no_client(client)
    if not isinstance(episode, dict) or "project_id" not in episode:
        episode = read(fill(routes_for("Episode").one, id=model_id(episode, "episode")))
    assert isinstance(episode, dict)
    path = fill(
        PLAYLISTS["of_episode"], project_id=episode["project_id"], episode_id=episode["id"]
    )
    return sort_by_name(read(path))


@cached_function
def get_playlist(playlist: Model, client: Any = None) -> dict[str, Any]:
    """gazu's ``get_playlist``: the playlist's row, with its entries."""
    _no_client(client)
    body: dict[str, Any] = read(_one(playlist))
    return body


@cached_function
def get_playlist_by_name(project: Model, name: str, client: Any = None) -> dict[str, Any] | None:
    """gazu's ``get_playlist_by_name``: the project's playlist of that name, or None."""
    _no_client(client)
    return find_first("playlists", {"project_id": model_id(project, "project"), "name": name})


def new_playlist(
    project: Model,
    name: str,
    episode: Model | None = None,
    for_entity: str = "shot",
    for_client: bool = False,
    is_for_all: bool = False,
    client: Any = None,
) -> dict[str, Any]:
    """gazu's ``new_playlist``: the project's playlist of that name, created when
    there is none (``for_entity``: shot, asset, sequence, edit or episode)."""
    _no_client(client)
    found = get_playlist_by_name(project, name)
    if found is not None:
        return found
    body: dict[str, Any] = {
        "name": name,
        "project_id": model_id(project, "project"),
        "for_entity": for_entity,
        "for_client": for_client,
        "is_for_all": is_for_all,
    }
    if episode is not None:
        body["episode_id"] = model_id(episode, "episode")
    answer: dict[str, Any] = raw.post(ROUTES.create or ROUTES.list, body)
    return answer


def update_playlist(playlist: dict[str, Any], client: Any = None) -> dict[str, Any]:
    """gazu's ``update_playlist``: save the playlist dict whole (its entries too)."""
    _no_client(client)
    answer: dict[str, Any] = raw.put(_one(playlist), playlist)
    return answer


def delete_playlist(playlist: Model, client: Any = None) -> Any:
    """gazu's ``delete_playlist``: delete the playlist."""
    _no_client(client)
    return raw.delete(_one(playlist))


@cached_function
def get_entity_preview_files(entity: Model, client: Any = None) -> dict[str, list[dict[str, Any]]]:
    """gazu's ``get_entity_preview_files``: the entity's previews, by task type id."""
    _no_client(client)
    path = fill(PLAYLISTS["entity_previews"], entity_id=model_id(entity, "entity"))
    body: dict[str, list[dict[str, Any]]] = read(path)
    return body


def add_entity_to_playlist(
    playlist: dict[str, Any],
    entity: Model,
    preview_file: Model | None = None,
    persist: bool = True,
    client: Any = None,
) -> dict[str, Any]:
    """gazu's ``add_entity_to_playlist``: add an entry, watching ``preview_file`` or
    else the entity's newest latest-revision preview of any task type. With
    ``persist``, the server adds it and answers the playlist; without, a copy of
    ``playlist`` with the entry appended (``playlist`` is left as it was)."""
    _no_client(client)
    entry: dict[str, Any] = {"entity_id": model_id(entity, "entity")}
    if preview_file is None:
        latest = [files[0] for files in get_entity_preview_files(entity).values() if files]
        if latest:
            preview_file = max(latest, key=lambda row: row["created_at"])
    if preview_file is not None:
        entry["preview_file_id"] = model_id(preview_file, "preview_file")
    if persist:
        path = fill(PLAYLISTS["add_entity"], playlist_id=model_id(playlist, "playlist"))
        answer: dict[str, Any] = raw.post(path, entry)
        return answer
    return {**playlist, "shots": [*(playlist.get("shots") or []), entry]}


def remove_entity_from_playlist(
    playlist: dict[str, Any], entity: Model, persist: bool = True, client: Any = None
) -> dict[str, Any]:
    """gazu's ``remove_entity_from_playlist``: drop the entity's entries from the
    playlist dict (changed in place, and answered), saved with ``persist``."""
    _no_client(client)
    entity_id = model_id(entity, "entity")
    playlist["shots"] = [e for e in playlist["shots"] if e["entity_id"] != entity_id]
    if persist:
        update_playlist(playlist)
    return playlist


def update_entity_preview(
    playlist: dict[str, Any],
    entity: Model,
    preview_file: Model,
    persist: bool = True,
    client: Any = None,
) -> dict[str, Any]:
    """gazu's ``update_entity_preview``: the entity's entries watch ``preview_file``
    (the dict changed in place, and answered), saved with ``persist``."""
    _no_client(client)
    entity_id = model_id(entity, "entity")
    preview_id = model_id(preview_file, "preview_file")
    for entry in playlist["shots"]:
        if entry["entity_id"] == entity_id:
            entry["preview_file_id"] = preview_id
    if persist:
        update_playlist(playlist)
    return playlist


def download_playlist_zip(
    playlist: Model,
    file_path: str | os.PathLike[str],
    client: Any = None,
    progress_callback: Progress = None,
) -> Path:
    """gazu's ``download_playlist_zip``: the zip of the entries' previews, to
    ``file_path``; answers the path written (gazu: its ``requests`` response)."""
    _no_client(client)
    found = default_session().get(Playlist, model_id(playlist, "playlist"))
    return report_done(found.download_zip(file_path), progress_callback)
