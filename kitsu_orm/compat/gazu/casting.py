"""gazu's ``casting`` module: which assets appear in which shots, episodes and assets."""

from __future__ import annotations

from typing import Any

from .declare import finish, gazu_function, route
from .kitsu_client import KitsuClient, default_client
from .memo import read, written
from .rows import Model, link_ids, model_id

__all__ = [
    "all_entity_links_for_project",
    "cast_asset",
    "delete_entity_link",
    "get_asset_cast_in",
    "get_asset_casting",
    "get_asset_type_casting",
    "get_episode_casting",
    "get_episode_shots_casting",
    "get_episodes_casting",
    "get_project_shots_casting",
    "get_sequence_casting",
    "get_sequence_shots_casting",
    "get_shot_casting",
    "uncast_asset",
    "update_asset_casting",
    "update_episode_casting",
    "update_shot_casting",
]

# One request each: gazu's signature, the route, how the answer is shaped.
update_shot_casting = route(
    "PUT data/projects/{project}/entities/{shot}/casting",
    "project, shot, casting, client=default",
    body=lambda a: a.casting,
)
update_asset_casting = route(
    "PUT data/projects/{project}/entities/{asset}/casting",
    "project, asset, casting, client=default",
    body=lambda a: a.casting,
)
update_episode_casting = route(
    "PUT data/projects/{project}/entities/{episode}/casting",
    "project, episode, casting, client=default",
    body=lambda a: a.casting,
)
cast_asset = route(
    "PUT data/projects/{project}/entities/casting/assets/{asset}",
    "project, entities, asset, nb_occurences=None, label=None, client=default",
    body=lambda a: {
        "entity_ids": link_ids(a.entities),
        **({} if a.nb_occurences is None else {"nb_occurences": a.nb_occurences}),
        **({} if a.label is None else {"label": a.label}),
    },
)
get_asset_type_casting = route(
    "GET data/projects/{project}/asset-types/{asset_type}/casting",
    "project, asset_type, client=default",
)
get_asset_cast_in = route("GET data/assets/{asset}/cast-in", "asset, client=default")
all_entity_links_for_project = route(
    "GET data/projects/{project}/entity-links",
    "project, page=None, limit=None, client=default",
    # gazu sends the limit only with a page.
    query=lambda a: (
        {}
        if a.page is None
        else {"page": a.page, **({} if a.limit is None else {"limit": a.limit})}
    ),
)
get_episodes_casting = route(
    "GET data/projects/{project}/episodes/casting", "project, client=default"
)
get_sequence_shots_casting = route(
    "GET data/projects/{project}/sequences/{sequence}/casting",
    "project, sequence, client=default",
)
get_episode_shots_casting = route(
    "GET data/projects/{project}/episodes/{episode}/sequences/all/casting",
    "project, episode, client=default",
)
get_project_shots_casting = route(
    "GET data/projects/{project}/sequences/all/casting", "project, client=default"
)


@gazu_function
def uncast_asset(
    project: Model,
    entities: list[Model] | Model,
    asset: Model,
    client: KitsuClient = default_client,
) -> Any:
    """Take the asset out of the entities' casting (no occurrence left)."""
    return cast_asset(project, entities, asset, nb_occurences=0)


def _casting(entity: Model, what: str, collection: str = "entities") -> Any:
    """The casting of an entity given as a row (its project read from it), or as an id."""
    row = entity if isinstance(entity, dict) and "project_id" in entity else None
    if row is None:
        row = read(f"data/entities/{model_id(entity, what)}")
    project_id, entity_id = model_id(row["project_id"], "project_id"), model_id(row, what)
    return read(f"data/projects/{project_id}/{collection}/{entity_id}/casting")


@gazu_function(cached=True)
def get_sequence_casting(sequence: dict[str, Any], client: KitsuClient = default_client) -> Any:
    """The casting of the sequence's shots, by shot id."""
    return _casting(sequence, "sequence", "sequences")


@gazu_function(cached=True)
def get_shot_casting(shot: dict[str, Any], client: KitsuClient = default_client) -> Any:
    """The assets cast in the shot."""
    return _casting(shot, "shot")


@gazu_function(cached=True)
def get_asset_casting(asset: dict[str, Any], client: KitsuClient = default_client) -> Any:
    """The assets cast in the asset."""
    return _casting(asset, "asset")


@gazu_function(cached=True)
def get_episode_casting(episode: dict[str, Any], client: KitsuClient = default_client) -> Any:
    """The assets cast in the episode."""
    return _casting(episode, "episode")


@gazu_function
def delete_entity_link(entity_link: Model, client: KitsuClient = default_client) -> dict[str, Any]:
    """Delete a casting link; answers the link as given (gazu's answer)."""
    path = f"data/entity-links/{model_id(entity_link, 'entity_link')}"
    transport = client.session.transport
    written(path, lambda: transport.delete(path))
    return entity_link if isinstance(entity_link, dict) else {"id": entity_link}


finish(globals())
