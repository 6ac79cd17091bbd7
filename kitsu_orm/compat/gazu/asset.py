"""gazu's ``asset`` module: assets, asset types and asset instances."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from .declare import finish, gazu_function, route
from .entity_rows import Progress, export_csv, first, forced, merge_data, upload_file, web_url
from .kitsu_client import KitsuClient, default_client
from .memo import read, written
from .rows import Model, model_id, sort_by_name, text_answer

__all__ = [
    "all_asset_instances_for_asset",
    "all_asset_instances_for_shot",
    "all_asset_types",
    "all_asset_types_for_project",
    "all_asset_types_for_shot",
    "all_assets",
    "all_assets_for_episode",
    "all_assets_for_open_projects",
    "all_assets_for_project",
    "all_assets_for_project_and_type",
    "all_assets_for_shot",
    "all_scene_asset_instances_for_asset",
    "all_shot_asset_instances_for_asset",
    "disable_asset_instance",
    "enable_asset_instance",
    "export_assets_with_csv",
    "get_all_assets_url",
    "get_asset",
    "get_asset_by_name",
    "get_asset_instance",
    "get_asset_type",
    "get_asset_type_by_name",
    "get_asset_type_from_asset",
    "get_asset_type_url",
    "get_asset_url",
    "get_episode_from_asset",
    "import_assets_with_csv",
    "new_asset",
    "new_asset_asset_instance",
    "new_asset_type",
    "remove_asset",
    "remove_asset_type",
    "update_asset",
    "update_asset_data",
    "update_asset_type",
]

# One request each: gazu's signature, the route, how the answer is shaped.
all_assets_for_episode = route(
    "GET data/assets",
    "episode, client=default",
    query=lambda a: {"source_id": model_id(a.episode, "episode")},
    answer=sort_by_name,
)
all_assets_for_shot = route(
    "GET data/shots/{shot}/assets", "shot, client=default", answer=sort_by_name
)
all_assets_for_project_and_type = route(
    "GET data/projects/{project}/asset-types/{asset_type}/assets",
    "project, asset_type, client=default",
    answer=sort_by_name,
)
get_asset_by_name = route(
    "GET data/assets/all",
    "project, name, asset_type=None, client=default",
    query=lambda a: {
        "project_id": model_id(a.project, "project"),
        "name": a.name,
        **(
            {} if a.asset_type is None else {"entity_type_id": model_id(a.asset_type, "asset_type")}
        ),
    },
    answer=first,
)
get_asset = route("GET data/assets/{asset_id}", "asset_id, client=default")
update_asset = route(
    "PUT data/entities/{asset}",
    "asset, client=default",
    # Assets keep their episode in source_id: gazu copies episode_id there.
    body=lambda a: (
        {**a.asset, "source_id": a.asset["episode_id"]} if "episode_id" in a.asset else a.asset
    ),
)
remove_asset = route(
    "DELETE data/assets/{asset}",
    "asset, force=False, client=default",
    query=lambda a: forced(a.force),
    answer=text_answer,
)
all_asset_types = route("GET data/asset-types", "client=default", answer=sort_by_name)
all_asset_types_for_project = route(
    "GET data/projects/{project}/asset-types", "project, client=default", answer=sort_by_name
)
all_asset_types_for_shot = route(
    "GET data/shots/{shot}/asset-types", "shot, client=default", answer=sort_by_name
)
get_asset_type = route("GET data/asset-types/{asset_type_id}", "asset_type_id, client=default")
# gazu reads entity types: "Shot" or "Sequence" answer too.
get_asset_type_by_name = route(
    "GET data/entity-types", "name, client=default", query=lambda a: {"name": a.name}, answer=first
)
update_asset_type = route(
    "PUT data/entity-types/{asset_type}",
    "asset_type, client=default",
    body=lambda a: {"name": a.asset_type["name"]},
)
remove_asset_type = route(
    "DELETE data/entity-types/{asset_type}", "asset_type, client=default", answer=text_answer
)
get_asset_instance = route(
    "GET data/asset-instances/{asset_instance_id}", "asset_instance_id, client=default"
)
all_shot_asset_instances_for_asset = route(
    "GET data/assets/{asset}/shot-asset-instances", "asset, client=default"
)
all_scene_asset_instances_for_asset = route(
    "GET data/assets/{asset}/scene-asset-instances", "asset, client=default"
)
enable_asset_instance = route(
    "PUT data/asset-instances/{asset_instance}",
    "asset_instance, client=default",
    body=lambda a: {"active": True},
)
disable_asset_instance = route(
    "PUT data/asset-instances/{asset_instance}",
    "asset_instance, client=default",
    body=lambda a: {"active": False},
)
# Grouped by asset id, as Zou answers.
all_asset_instances_for_shot = route(
    "GET data/shots/{shot}/asset-instances", "shot, client=default"
)
all_asset_instances_for_asset = route(
    "GET data/assets/{asset}/asset-asset-instances", "asset, client=default"
)
new_asset_asset_instance = route(
    "POST data/assets/{asset}/asset-asset-instances",
    "asset, asset_to_instantiate, description=None, client=default",
    body=lambda a: {
        "asset_to_instantiate_id": model_id(a.asset_to_instantiate, "asset_to_instantiate"),
        **({} if a.description is None else {"description": a.description}),
    },
)


@gazu_function(cached=True)
def all_assets_for_project(
    project: Model | None, client: KitsuClient = default_client
) -> list[dict[str, Any]]:
    """The project's assets; every asset of the studio for ``None``, as in gazu."""
    if project is None:
        return sort_by_name(read("data/assets/all"))
    return sort_by_name(read(f"data/projects/{model_id(project, 'project')}/assets"))


@gazu_function(cached=True)
def all_assets(project: Model | None = None, client: KitsuClient = default_client) -> list[Any]:
    """Older gazu's name for :func:`all_assets_for_project` (the usage page's cache examples)."""
    return all_assets_for_project(project)


@gazu_function(cached=True)
def all_assets_for_open_projects(client: KitsuClient = default_client) -> list[dict[str, Any]]:
    """The assets of every open project, by name."""
    rows: list[dict[str, Any]] = []
    for project in read("data/projects/open"):
        rows += all_assets_for_project(project)
    return sort_by_name(rows)


def _production_url(project: Model, *parts: str) -> str:
    """A page of the project: under the ``main`` episode of TV shows (shared assets)."""
    row = read(f"data/projects/{model_id(project, 'project')}")
    episodes = ["episodes", "main"] if row["production_type"] == "tvshow" else []
    return web_url("productions", row["id"], *episodes, *parts)


@gazu_function(cached=True)
def get_asset_url(asset: Model, client: KitsuClient = default_client) -> str:
    """The asset's page in the web interface."""
    row = get_asset(model_id(asset, "asset"))
    project = read(f"data/projects/{row['project_id']}")
    if project["production_type"] != "tvshow":
        return web_url("productions", row["project_id"], "assets", row["id"], "")
    episode = row.get("episode_id") or "main"
    return web_url("productions", row["project_id"], "episodes", episode, "assets", row["id"], "")


@gazu_function(cached=True)
def get_all_assets_url(project: Model, client: KitsuClient = default_client) -> str:
    """The page of the project's assets."""
    return _production_url(project, "assets", "")


@gazu_function(cached=True)
def get_asset_type_url(
    project: Model, asset_type: Model, client: KitsuClient = default_client
) -> str:
    """The page of the project's assets, searched for this type."""
    if not (isinstance(asset_type, dict) and "name" in asset_type):
        asset_type = get_asset_type(model_id(asset_type, "asset_type"))
    assert isinstance(asset_type, dict)
    query = urlencode({"search": f"type=[{asset_type['name']}]"})
    return f"{_production_url(project, 'assets')}?{query}"


@gazu_function
def new_asset(
    project: Model,
    asset_type: Model,
    name: str,
    description: str | None = None,
    extra_data: dict[str, Any] | None = None,
    episode: Model | None = None,
    is_shared: bool = False,
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """The asset of this name and type (the server's match), created when there is none."""
    project_id, type_id = model_id(project, "project"), model_id(asset_type, "asset_type")
    body: dict[str, Any] = {"name": name, "data": extra_data or {}, "is_shared": is_shared}
    if description is not None:
        body["description"] = description
    if episode is not None:
        body["episode_id"] = model_id(episode, "episode")
    found = get_asset_by_name(project_id, name, type_id)
    if found is not None:
        return dict(found)
    path = f"data/projects/{project_id}/asset-types/{type_id}/assets/new"
    transport = client.session.transport
    row: dict[str, Any] = written(path, lambda: transport.post(path, body))
    return row


@gazu_function
def update_asset_data(
    asset: Model, data: dict[str, Any] | None = None, client: KitsuClient = default_client
) -> dict[str, Any]:
    """Merge ``data`` into the asset's metadata (keys not given are kept)."""
    return merge_data(get_asset, update_asset, asset, data, "asset")


@gazu_function
def new_asset_type(name: str, client: KitsuClient = default_client) -> dict[str, Any]:
    """The entity type of this name (the server's match), created when there is none."""
    found = get_asset_type_by_name(name)
    if found is not None:
        return dict(found)
    transport = client.session.transport
    row: dict[str, Any] = written(
        "data/entity-types", lambda: transport.post("data/entity-types", {"name": name})
    )
    return row


@gazu_function
def import_assets_with_csv(
    project: Model,
    csv_file_path: str,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """Create or update the project's assets from a Kitsu CSV export."""
    path = f"import/csv/projects/{model_id(project, 'project')}/assets"
    return upload_file(path, csv_file_path, progress_callback=progress_callback)


@gazu_function
def export_assets_with_csv(
    project: Model,
    csv_file_path: str | os.PathLike[str],
    episode: Model | None = None,
    assigned_to: Model | None = None,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Path:
    """Write the project's assets as CSV; answers the path written."""
    return export_csv("assets", project, csv_file_path, episode, assigned_to, progress_callback)


@gazu_function(cached=True)
def get_episode_from_asset(
    asset: dict[str, Any], client: KitsuClient = default_client
) -> dict[str, Any] | None:
    """The episode the asset belongs to; None for the main pack."""
    episode_id = asset.get("source_id") or asset.get("episode_id")
    if episode_id is None:
        return None
    row: dict[str, Any] = read(f"data/episodes/{model_id(episode_id, 'episode_id')}")
    return row


@gazu_function(cached=True)
def get_asset_type_from_asset(
    asset: dict[str, Any], client: KitsuClient = default_client
) -> dict[str, Any]:
    """The asset's type."""
    row: dict[str, Any] = get_asset_type(model_id(asset["entity_type_id"], "entity_type_id"))
    return row


finish(globals())
