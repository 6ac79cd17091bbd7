"""gazu's ``playlist`` module: review playlists, their entries, build jobs and share links.

Object-style equivalents: ``Playlist.where(project=project)``,
``playlist.add(shot, preview)``, ``playlist.remove(shot)``,
``playlist.set_preview(shot, preview)``, then ``session.commit()`` (see
docs/migration.md). As in gazu, a playlist is a dict whose ``shots`` are its
entries (``entity_id``, ``preview_file_id``); the editing functions change
that dict and, with ``persist``, save it whole. Downloads are streamed to
the path given and answer it (gazu answers its ``requests`` response).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from .connection import default_transport
from .declare import finish, gazu_function, route
from .files.transfer import FilePath, Progress, download
from .kitsu_client import KitsuClient, default_client
from .memo import read, written
from .rows import Model, find_first, model_id, sort_by_name

__all__ = [
    "add_entity_to_playlist",
    "all_build_jobs_for_project",
    "all_playlists",
    "all_playlists_for_episode",
    "all_playlists_for_project",
    "all_share_links_for_playlist",
    "all_shots_for_playlist",
    "build_playlist_movie",
    "delete_playlist",
    "download_playlist_build",
    "download_playlist_zip",
    "generate_temp_playlist",
    "get_build_job",
    "get_entity_preview_files",
    "get_playlist",
    "get_playlist_by_name",
    "new_playlist",
    "new_share_link",
    "notify_clients_playlist_ready",
    "remove_build_job",
    "remove_entity_from_playlist",
    "remove_share_link",
    "update_entity_preview",
    "update_playlist",
]


def _share_body(a: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"can_comment": a.can_comment}
    if a.expiration_date:
        body["expiration_date"] = a.expiration_date
    if a.password:
        body["password"] = a.password
    return body


def _text(found: Any) -> str:
    """gazu answers a DELETE with the body's text: ``""`` when the server sends none,
    else its JSON as Zou writes it (compact)."""
    if found is None or isinstance(found, str):
        return found or ""
    return json.dumps(found, separators=(",", ":"))


# One request each.
all_playlists = route("GET data/playlists", "client=default", answer=sort_by_name)
all_playlists_for_project = route(
    "GET data/projects/{project}/playlists",
    "project, client=default, page=1",
    query=lambda a: {"page": a.page},
    answer=sort_by_name,
)
get_playlist = route("GET data/playlists/{playlist}", "playlist, client=default")
update_playlist = route(
    "PUT data/playlists/{playlist}", "playlist, client=default", body=lambda a: a.playlist
)
delete_playlist = route(
    "DELETE data/playlists/{playlist}", "playlist, client=default", answer=_text
)
get_entity_preview_files = route(
    "GET data/playlists/entities/{entity}/preview-files", "entity, client=default"
)
get_build_job = route(
    "GET data/playlists/{playlist}/jobs/{build_job}", "playlist, build_job, client=default"
)
remove_build_job = route(
    "DELETE data/playlists/{playlist}/jobs/{build_job}",
    "playlist, build_job, client=default",
    answer=_text,
)
all_build_jobs_for_project = route(
    "GET data/projects/{project}/build-jobs", "project, client=default"
)
generate_temp_playlist = route(
    "POST data/projects/{project}/playlists/temp", "project, data, client=default",
    body=lambda a: a.data,
)  # fmt: skip
notify_clients_playlist_ready = route(
    "POST data/playlists/{playlist}/notify-clients", "playlist, client=default"
)
new_share_link = route(
    "POST data/playlists/{playlist}/share",
    "playlist, expiration_date=None, can_comment=True, password=None, client=default",
    body=_share_body,
)
all_share_links_for_playlist = route(
    "GET data/playlists/{playlist}/share", "playlist, client=default"
)


@gazu_function
def remove_share_link(playlist: Model, token: str, client: KitsuClient = default_client) -> Any:
    """Revoke the playlist's share link of that token."""
    # Zou's tokens are UUIDs: checked as ids, so that no other string reaches the path.
    path = f"data/playlists/{model_id(playlist, 'playlist')}/share/{model_id(token, 'token')}"
    return _text(written(path, lambda: default_transport().delete(path)))


@gazu_function
def build_playlist_movie(playlist: Model, client: KitsuClient = default_client) -> Any:
    """Ask the server to build the playlist's movie (ffmpeg on the server); answers the job."""
    # A GET that starts a job: never answered from the cache.
    return default_transport().get(f"data/playlists/{model_id(playlist, 'playlist')}/build/mp4")


@gazu_function(cached=True)
def all_shots_for_playlist(
    playlist: Model, client: KitsuClient = default_client
) -> list[dict[str, Any]]:
    """The playlist's entries, by name (the playlist read afresh)."""
    return sort_by_name(read(f"data/playlists/{model_id(playlist, 'playlist')}")["shots"])


@gazu_function(cached=True)
def all_playlists_for_episode(
    episode: Model, client: KitsuClient = default_client
) -> list[dict[str, Any]]:
    """The episode's playlists, by name (the episode read for its project when needed)."""
    if not isinstance(episode, dict) or "project_id" not in episode:
        episode = read(f"data/episodes/{model_id(episode, 'episode')}")
    assert isinstance(episode, dict)
    project_id = model_id(episode["project_id"], "project")
    path = f"data/projects/{project_id}/episodes/{model_id(episode, 'episode')}/playlists"
    return sort_by_name(read(path))


@gazu_function(cached=True)
def get_playlist_by_name(
    project: Model, name: str, client: KitsuClient = default_client
) -> dict[str, Any] | None:
    """The project's playlist of that name, or None."""
    return find_first("playlists", {"project_id": model_id(project, "project"), "name": name})


@gazu_function
def new_playlist(
    project: Model,
    name: str,
    episode: Model | None = None,
    for_entity: Literal["shot", "asset", "sequence", "edit", "episode"] = "shot",
    for_client: bool = False,
    is_for_all: bool = False,
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """The project's playlist of that name, created when there is none."""
    body: dict[str, Any] = {
        "name": name,
        "project_id": model_id(project, "project"),
        "for_entity": for_entity,
        "for_client": for_client,
        "is_for_all": is_for_all,
    }
    if episode is not None:
        body["episode_id"] = model_id(episode, "episode")
    found = get_playlist_by_name(project, name, client=client)
    if found is not None:
        return found
    answer: dict[str, Any] = written(
        "data/playlists", lambda: default_transport().post("data/playlists", body)
    )
    return answer


@gazu_function
def add_entity_to_playlist(
    playlist: dict[str, Any],
    entity: Model,
    preview_file: Model | None = None,
    persist: bool = True,
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """Add an entry, watching ``preview_file`` or else the entity's newest
    latest-revision preview of any task type. With ``persist``, the server adds it
    and answers the playlist; without, a copy of ``playlist`` with the entry appended."""
    entry: dict[str, Any] = {"entity_id": model_id(entity, "entity")}
    if preview_file is None:
        found = get_entity_preview_files(entity, client=client)
        latest = [files[0] for files in found.values() if files]
        if latest:
            preview_file = max(latest, key=lambda row: row["created_at"])
    if preview_file is not None:
        entry["preview_file_id"] = model_id(preview_file, "preview_file")
    if persist:
        path = f"actions/playlists/{model_id(playlist, 'playlist')}/add-entity"
        answer: dict[str, Any] = written(path, lambda: default_transport().post(path, entry))
        return answer
    return {**playlist, "shots": [*(playlist.get("shots") or []), entry]}


@gazu_function
def remove_entity_from_playlist(
    playlist: dict[str, Any],
    entity: Model,
    persist: bool = True,
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """Drop the entity's entries from the playlist dict (changed in place, and
    answered), saved with ``persist``."""
    entity_id = model_id(entity, "entity")
    playlist["shots"] = [e for e in playlist["shots"] if e["entity_id"] != entity_id]
    if persist:
        update_playlist(playlist, client=client)
    return playlist


@gazu_function
def update_entity_preview(
    playlist: dict[str, Any],
    entity: Model,
    preview_file: Model,
    persist: bool = True,
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """Make the entity's entries watch ``preview_file`` (the dict changed in place, and
    answered), saved with ``persist``."""
    entity_id = model_id(entity, "entity")
    preview_id = model_id(preview_file, "preview_file")
    for entry in playlist["shots"]:
        if entry["entity_id"] == entity_id:
            entry["preview_file_id"] = preview_id
    if persist:
        update_playlist(playlist, client=client)
    return playlist


@gazu_function
def download_playlist_build(
    playlist: Model,
    build_job: Model,
    file_path: FilePath,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """Write the movie a build job made to ``file_path``; answers the path written."""
    path = (
        f"data/playlists/{model_id(playlist, 'playlist')}"
        f"/jobs/{model_id(build_job, 'build_job')}/build/mp4"
    )
    return download(path, file_path, progress_callback)


@gazu_function
def download_playlist_zip(
    playlist: Model,
    file_path: FilePath,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """Write the zip of the entries' previews to ``file_path``; answers the path written."""
    path = f"data/playlists/{model_id(playlist, 'playlist')}/download/zip"
    return download(path, file_path, progress_callback)


finish(globals())
