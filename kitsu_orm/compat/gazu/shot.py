"""gazu's ``shot`` module: shots, sequences, episodes and the asset instances of shots."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ...model.production import Asset, Shot
from .connection import default_session
from .declare import finish, gazu_function, route
from .entity_rows import Progress, export_csv, first, forced, merge_data, upload_file, web_url
from .kitsu_client import KitsuClient, default_client
from .memo import written
from .rows import Model, as_dict, model_id, sort_by_name, text_answer
from .task import (  # the usage page reaches these through gazu.shot
    get_task_by_task_type,
    get_task_status,
    get_task_status_by_name,
    get_task_type,
    get_task_type_by_name,
)

__all__ = [
    "add_asset_instance_to_shot",
    "all_asset_instances_for_shot",
    "all_episodes_for_project",
    "all_previews_for_shot",
    "all_sequences_for_episode",
    "all_sequences_for_project",
    "all_shots_for_episode",
    "all_shots_for_project",
    "all_shots_for_sequence",
    "export_shots_with_csv",
    "get_all_episodes_url",
    "get_all_sequences_url",
    "get_asset_instances_for_shot",
    "get_episode",
    "get_episode_by_name",
    "get_episode_from_sequence",
    "get_episode_url",
    "get_sequence",
    "get_sequence_by_name",
    "get_sequence_from_shot",
    "get_sequence_url",
    "get_shot",
    "get_shot_by_name",
    "get_shot_url",
    "get_task_by_task_type",
    "get_task_status",
    "get_task_status_by_name",
    "get_task_type",
    "get_task_type_by_name",
    "import_otio",
    "import_shots_with_csv",
    "new_episode",
    "new_sequence",
    "new_shot",
    "new_shot_asset_instance",
    "remove_asset_instance_from_shot",
    "remove_episode",
    "remove_sequence",
    "remove_shot",
    "restore_shot",
    "update_episode",
    "update_episode_data",
    "update_sequence",
    "update_sequence_data",
    "update_shot",
    "update_shot_data",
]

# One request each: gazu's signature, the route, how the answer is shaped.
all_previews_for_shot = route("GET data/shots/{shot}/preview-files", "shot, client=default")
all_shots_for_project = route(
    "GET data/projects/{project}/shots", "project, client=default", answer=sort_by_name
)
all_shots_for_episode = route(
    "GET data/episodes/{episode}/shots", "episode, client=default", answer=sort_by_name
)
all_shots_for_sequence = route(
    "GET data/sequences/{sequence}/shots", "sequence, client=default", answer=sort_by_name
)
all_sequences_for_project = route(
    "GET data/projects/{project}/sequences", "project, client=default", answer=sort_by_name
)
all_sequences_for_episode = route(
    "GET data/episodes/{episode}/sequences", "episode, client=default", answer=sort_by_name
)
all_episodes_for_project = route(
    "GET data/projects/{project}/episodes", "project, client=default", answer=sort_by_name
)
get_episode = route("GET data/episodes/{episode_id}", "episode_id, client=default")
get_episode_by_name = route(
    "GET data/episodes",
    "project, episode_name, client=default",
    query=lambda a: {"project_id": model_id(a.project, "project"), "name": a.episode_name},
    answer=first,
)
get_sequence = route("GET data/sequences/{sequence_id}", "sequence_id, client=default")
get_sequence_by_name = route(
    "GET data/sequences",
    "project, sequence_name, episode=None, client=default",
    query=lambda a: (
        {"project_id": model_id(a.project, "project"), "name": a.sequence_name}
        if a.episode is None
        else {"episode_id": model_id(a.episode, "episode"), "name": a.sequence_name}
    ),
    answer=first,
)
get_shot = route("GET data/shots/{shot_id}", "shot_id, client=default")
get_shot_by_name = route(
    "GET data/shots/all",
    "sequence, shot_name, client=default",
    query=lambda a: {"sequence_id": model_id(a.sequence, "sequence"), "name": a.shot_name},
    answer=first,
)
update_shot = route("PUT data/entities/{shot}", "shot, client=default", body=lambda a: a.shot)
update_sequence = route(
    "PUT data/entities/{sequence}", "sequence, client=default", body=lambda a: a.sequence
)
update_episode = route(
    "PUT data/entities/{episode}", "episode, client=default", body=lambda a: a.episode
)
# Grouped by asset id, as Zou answers.
get_asset_instances_for_shot = route(
    "GET data/shots/{shot}/asset-instances", "shot, client=default"
)
all_asset_instances_for_shot = route(
    "GET data/shots/{shot}/asset-instances", "shot, client=default"
)
remove_shot = route(
    "DELETE data/shots/{shot}",
    "shot, force=False, client=default",
    query=lambda a: forced(a.force),
    answer=text_answer,
)
remove_sequence = route(
    "DELETE data/sequences/{sequence}",
    "sequence, force=False, client=default",
    query=lambda a: forced(a.force),
    answer=text_answer,
)
remove_episode = route(
    "DELETE data/episodes/{episode}",
    "episode, force=False, client=default",
    query=lambda a: forced(a.force),
    answer=text_answer,
)
restore_shot = route(
    "PUT data/shots/{shot}", "shot, client=default", body=lambda a: {"canceled": False}
)
add_asset_instance_to_shot = route(
    "POST data/shots/{shot}/asset-instances",
    "shot, asset_instance, client=default",
    body=lambda a: {"asset_instance_id": model_id(a.asset_instance, "asset_instance")},
)
remove_asset_instance_from_shot = route(
    "DELETE data/shots/{shot}/asset-instances/{asset_instance}",
    "shot, asset_instance, client=default",
    answer=text_answer,
)


@gazu_function(cached=True)
def get_episode_from_sequence(
    sequence: dict[str, Any], client: KitsuClient = default_client
) -> dict[str, Any] | None:
    """The sequence's episode; None outside TV shows."""
    if sequence["parent_id"] is None:
        return None
    row: dict[str, Any] = get_episode(model_id(sequence["parent_id"], "parent_id"))
    return row


@gazu_function(cached=True)
def get_sequence_from_shot(shot: Model, client: KitsuClient = default_client) -> dict[str, Any]:
    """The shot's sequence (the shot is read when only its id is given)."""
    row = (
        shot if isinstance(shot, dict) and "parent_id" in shot else get_shot(model_id(shot, "shot"))
    )
    sequence: dict[str, Any] = get_sequence(model_id(row["parent_id"], "parent_id"))
    return sequence


@gazu_function(cached=True)
def get_episode_url(episode: Model, client: KitsuClient = default_client) -> str:
    """The page of the episode's shots in the web interface."""
    row = get_episode(model_id(episode, "episode"))
    return web_url("productions", row["project_id"], "episodes", row["id"], "shots")


@gazu_function(cached=True)
def get_shot_url(shot: Model, client: KitsuClient = default_client) -> str:
    """The shot's page in the web interface."""
    row = get_shot(model_id(shot, "shot"))
    if row["episode_id"] is None:
        return web_url("productions", row["project_id"], "shots", row["id"], "")
    episode = row["episode_id"]
    return web_url("productions", row["project_id"], "episodes", episode, "shots", row["id"], "")


@gazu_function(cached=True)
def get_all_episodes_url(project: Model, client: KitsuClient = default_client) -> str:
    """The page of the project's episodes."""
    return web_url("productions", model_id(project, "project"), "episodes", "")


@gazu_function(cached=True)
def get_all_sequences_url(project: Model, client: KitsuClient = default_client) -> str:
    """The page of the project's sequences."""
    return web_url("productions", model_id(project, "project"), "sequences", "")


@gazu_function(cached=True)
def get_sequence_url(sequence: Model, client: KitsuClient = default_client) -> str:
    """The sequence's page in the web interface (under its episode in TV shows)."""
    row = get_sequence(model_id(sequence, "sequence"))
    project_id = row["project_id"]
    if row.get("parent_id") is None:
        return web_url("productions", project_id, "sequences", row["id"], "")
    return web_url(
        "productions", project_id, "episodes", row["parent_id"], "sequences", row["id"], ""
    )


def _post(path: str, body: dict[str, Any]) -> dict[str, Any]:
    transport = default_session().transport
    row: dict[str, Any] = written(path, lambda: transport.post(path, body))
    return row


@gazu_function
def new_sequence(
    project: Model, name: str, episode: Model | None = None, client: KitsuClient = default_client
) -> dict[str, Any]:
    """The sequence of this name (in the episode, if any; the server's match), created
    when there is none. The usage page's order, ``(project, episode, name)``, fails
    here as in gazu 1.3.1 (a ValueError: the name is not an id)."""
    body: dict[str, Any] = {"name": name}
    if episode is not None:
        body["episode_id"] = model_id(episode, "episode")
    project_id = model_id(project, "project")
    found = get_sequence_by_name(project_id, name, episode)
    if found is not None:
        return dict(found)
    return _post(f"data/projects/{project_id}/sequences", body)


@gazu_function
def new_shot(
    project: Model,
    sequence: Model,
    name: str,
    nb_frames: int | None = None,
    frame_in: int | None = None,
    frame_out: int | None = None,
    description: str | None = None,
    data: dict[str, Any] | None = None,
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """The shot of this name in the sequence (the server's match), created when there
    is none; ``frame_in`` / ``frame_out`` go into its metadata."""
    values = dict(data or {})
    values.update(
        {k: v for k, v in (("frame_in", frame_in), ("frame_out", frame_out)) if v is not None}
    )
    sequence_id = model_id(sequence, "sequence")
    body: dict[str, Any] = {"name": name, "data": values, "sequence_id": sequence_id}
    if nb_frames is not None:
        body["nb_frames"] = nb_frames
    if description is not None:
        body["description"] = description
    project_id = model_id(project, "project")
    found = get_shot_by_name(sequence_id, name)
    if found is not None:
        return dict(found)
    return _post(f"data/projects/{project_id}/shots", body)


@gazu_function
def new_episode(project: Model, name: str, client: KitsuClient = default_client) -> dict[str, Any]:
    """The episode of this name in the project (the server's match), created when there is none."""
    project_id = model_id(project, "project")
    found = get_episode_by_name(project_id, name)
    if found is not None:
        return dict(found)
    return _post(f"data/projects/{project_id}/episodes", {"name": name})


@gazu_function
def update_shot_data(
    shot: Model, data: dict[str, Any] | None = None, client: KitsuClient = default_client
) -> dict[str, Any]:
    """Merge ``data`` into the shot's metadata (keys not given are kept)."""
    return merge_data(get_shot, update_shot, shot, data, "shot")


@gazu_function
def update_sequence_data(
    sequence: Model, data: dict[str, Any] | None = None, client: KitsuClient = default_client
) -> dict[str, Any]:
    """Merge ``data`` into the sequence's metadata (keys not given are kept)."""
    return merge_data(get_sequence, update_sequence, sequence, data, "sequence")


@gazu_function
def update_episode_data(
    episode: Model, data: dict[str, Any] | None = None, client: KitsuClient = default_client
) -> dict[str, Any]:
    """Merge ``data`` into the episode's metadata (keys not given are kept)."""
    return merge_data(get_episode, update_episode, episode, data, "episode")


@gazu_function
def import_shots_with_csv(
    project: Model,
    csv_file_path: str,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """Create or update the project's shots from a Kitsu CSV export."""
    path = f"import/csv/projects/{model_id(project, 'project')}/shots"
    return upload_file(path, csv_file_path, progress_callback=progress_callback)


@gazu_function
def import_otio(
    project: Model,
    otio_file_path: str,
    episode: Model | None = None,
    naming_convention: str | None = None,
    match_case: bool = True,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """Create or update shots from an OpenTimelineIO file; gazu's naming convention
    by default (with the episode's name in TV shows)."""
    if naming_convention is None:
        episode_part = "${episode_name}-" if episode is not None else ""
        naming_convention = f"${{project_name}}_{episode_part}${{sequence_name}}-${{shot_name}}"
    path = f"import/otio/projects/{model_id(project, 'project')}"
    if episode is not None:
        path += f"/episodes/{model_id(episode, 'episode')}"
    data = {"naming_convention": naming_convention, "match_case": match_case}
    return upload_file(path, otio_file_path, data, progress_callback)


@gazu_function
def export_shots_with_csv(
    project: Model,
    csv_file_path: str | os.PathLike[str],
    episode: Model | None = None,
    assigned_to: Model | None = None,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Path:
    """Write the project's shots as CSV; answers the path written."""
    return export_csv("shots", project, csv_file_path, episode, assigned_to, progress_callback)


@gazu_function
def new_shot_asset_instance(
    shot: Model, asset: Model, description: str | None = None, client: KitsuClient = default_client
) -> dict[str, Any]:
    """A new instance of the asset, linked to the shot; answers the instance.

    gazu dropped this function when Zou stopped creating instances in shots:
    the instance is now created free-standing (``POST data/asset-instances``),
    numbered after the shot's instances of that asset, then linked to the shot
    (``POST data/shots/{id}/asset-instances``): two requests, not atomic.
    """
    session = default_session()
    target = session.get(Shot, model_id(shot, "shot"))
    instance = target.instantiate(session.get(Asset, model_id(asset, "asset")), description)
    session.commit(only=[instance])  # with its link to the shot, and nothing else pending
    return as_dict(instance)


finish(globals())
