"""gazu's ``shot`` module: shots, sequences, episodes and the asset instances of shots."""

from __future__ import annotations

from typing import Any

from ...model.production import Asset, Episode, Sequence, Shot
from . import client
from .asset import all_asset_instances_for_shot
from .connection import default_session
from .memo import cached_function
from .rows import Model, as_dict, create, find_first, get_list, get_one, is_id, model_id
from .task import (  # the usage page reaches these through gazu.shot
    get_task_by_task_type,
    get_task_status,
    get_task_status_by_name,
    get_task_type,
    get_task_type_by_name,
)

__all__ = [
    "get_task_by_task_type",
    "get_task_status",
    "get_task_status_by_name",
    "get_task_type",
    "get_task_type_by_name",
    "all_asset_instances_for_shot",
    "all_episodes_for_project",
    "all_sequences_for_episode",
    "all_sequences_for_project",
    "all_shots_for_project",
    "all_shots_for_sequence",
    "get_episode",
    "get_episode_by_name",
    "get_sequence",
    "get_sequence_by_name",
    "get_shot",
    "get_shot_by_name",
    "new_episode",
    "new_sequence",
    "new_shot",
    "new_shot_asset_instance",
    "update_shot",
]


@cached_function
def all_shots_for_project(project: Model) -> list[dict[str, Any]]:
    return get_list(f"projects/{model_id(project, 'project')}/shots")


@cached_function
def all_shots_for_sequence(sequence: Model) -> list[dict[str, Any]]:
    return get_list(f"sequences/{model_id(sequence, 'sequence')}/shots")


@cached_function
def all_sequences_for_project(project: Model) -> list[dict[str, Any]]:
    return get_list(f"projects/{model_id(project, 'project')}/sequences")


@cached_function
def all_sequences_for_episode(episode: Model) -> list[dict[str, Any]]:
    return get_list(f"episodes/{model_id(episode, 'episode')}/sequences")


@cached_function
def all_episodes_for_project(project: Model) -> list[dict[str, Any]]:
    return get_list(f"projects/{model_id(project, 'project')}/episodes")


@cached_function
def get_shot(shot_id: Model) -> dict[str, Any]:
    row: dict[str, Any] = get_one(f"shots/{model_id(shot_id, 'shot')}")
    return row


@cached_function
def get_sequence(sequence_id: Model) -> dict[str, Any]:
    row: dict[str, Any] = get_one(f"sequences/{model_id(sequence_id, 'sequence')}")
    return row


@cached_function
def get_episode(episode_id: Model) -> dict[str, Any]:
    row: dict[str, Any] = get_one(f"episodes/{model_id(episode_id, 'episode')}")
    return row


@cached_function
def get_shot_by_name(sequence: Model, shot_name: str) -> dict[str, Any] | None:
    return find_first(
        "shots/all", {"sequence_id": model_id(sequence, "sequence"), "name": shot_name}
    )


@cached_function
def get_sequence_by_name(
    project: Model, sequence_name: str, episode: Model | None = None
) -> dict[str, Any] | None:
    """By name in the project, or in the episode when one is given."""
    if episode is None:
        params = {"project_id": model_id(project, "project"), "name": sequence_name}
    else:
        params = {"episode_id": model_id(episode, "episode"), "name": sequence_name}
    return find_first("sequences", params)


@cached_function
def get_episode_by_name(project: Model, episode_name: str) -> dict[str, Any] | None:
    return find_first(
        "episodes", {"project_id": model_id(project, "project"), "name": episode_name}
    )


def new_shot(
    project: Model,
    sequence: Model,
    name: str,
    nb_frames: int | None = None,
    frame_in: int | None = None,
    frame_out: int | None = None,
    description: str | None = None,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The shot of this name in the sequence, created when there is none."""
    found = get_shot_by_name(sequence, name)
    if found is not None:
        return found
    values = dict(data or {})
    values.update(
        {k: v for k, v in (("frame_in", frame_in), ("frame_out", frame_out)) if v is not None}
    )
    return create(
        Shot,
        project_id=model_id(project, "project"),
        parent_id=model_id(sequence, "sequence"),
        name=name,
        data=values,
        nb_frames=nb_frames,
        description=description,
    )


def new_sequence(
    project: Model, *args: Any, name: str | None = None, episode: Model | None = None
) -> dict[str, Any]:
    """The sequence of this name (in the episode, if any), created when there is none.

    Takes the usage page's order, ``new_sequence(project, episode, name)``,
    and gazu 1.3's, ``new_sequence(project, name, episode=None)``: with two
    positional arguments, the one that is a dict, an id or None is the episode.
    """
    if len(args) == 2:
        first, second = args
        page_order = first is None or isinstance(first, dict) or is_id(first)
        episode, name = (first, second) if page_order else (second, first)
    elif len(args) == 1:
        name = args[0]
    elif args:
        raise TypeError("new_sequence(project, episode, name) takes at most 3 arguments")
    if not isinstance(name, str):
        raise TypeError("new_sequence needs the sequence name")
    found = get_sequence_by_name(project, name, episode)
    if found is not None:
        return found
    return create(
        Sequence,
        project_id=model_id(project, "project"),
        parent_id=None if episode is None else model_id(episode, "episode"),
        name=name,
    )


def new_episode(project: Model, name: str) -> dict[str, Any]:
    """The episode of this name in the project, created when there is none."""
    found = get_episode_by_name(project, name)
    if found is not None:
        return found
    return create(Episode, project_id=model_id(project, "project"), name=name)


def update_shot(shot: dict[str, Any], data: dict[str, Any] | None = None) -> dict[str, Any]:
    """Send the shot dict's values; keys of ``data`` (the usage page's argument)
    are merged into the shot's metadata. Answers the saved shot."""
    body = dict(shot)
    if data is not None:
        body["data"] = {**(shot.get("data") or {}), **data}
    row: dict[str, Any] = client.put(f"data/entities/{model_id(shot, 'shot')}", body)
    return row


def new_shot_asset_instance(
    shot: Model, asset: Model, description: str | None = None
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
