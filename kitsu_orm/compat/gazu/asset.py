"""gazu's ``asset`` module: assets, asset types and asset instances."""

from __future__ import annotations

from typing import Any

from ...model.production import Asset, AssetType
from . import client
from .memo import cached_function
from .rows import Model, create, find_first, get_list, get_one, model_id

__all__ = [
    "all_assets",
    "all_asset_instances_for_asset",
    "all_asset_instances_for_shot",
    "all_asset_types",
    "all_asset_types_for_project",
    "all_asset_types_for_shot",
    "all_assets_for_project",
    "all_assets_for_project_and_type",
    "all_assets_for_shot",
    "get_asset",
    "get_asset_by_name",
    "get_asset_instance",
    "get_asset_type",
    "get_asset_type_by_name",
    "new_asset",
    "new_asset_type",
    "remove_asset",
    "remove_asset_type",
    "update_asset",
    "update_asset_type",
]


@cached_function
def all_assets_for_project(project: Model | None) -> list[dict[str, Any]]:
    """The project's assets; every asset of the studio for ``None``, as in gazu."""
    if project is None:
        return get_list("assets/all")
    return get_list(f"projects/{model_id(project, 'project')}/assets")


@cached_function
def all_assets(project: Model | None = None) -> list[dict[str, Any]]:
    """Older gazu's name for :func:`all_assets_for_project` (the usage page's cache examples)."""
    return all_assets_for_project(project)


@cached_function
def all_assets_for_shot(shot: Model) -> list[dict[str, Any]]:
    """The shot's casting."""
    return get_list(f"shots/{model_id(shot, 'shot')}/assets")


@cached_function
def all_assets_for_project_and_type(project: Model, asset_type: Model) -> list[dict[str, Any]]:
    project_id, type_id = model_id(project, "project"), model_id(asset_type, "asset_type")
    return get_list(f"projects/{project_id}/asset-types/{type_id}/assets")


@cached_function
def all_asset_types() -> list[dict[str, Any]]:
    return get_list("asset-types")


@cached_function
def all_asset_types_for_project(project: Model) -> list[dict[str, Any]]:
    return get_list(f"projects/{model_id(project, 'project')}/asset-types")


@cached_function
def all_asset_types_for_shot(shot: Model) -> list[dict[str, Any]]:
    """Types of the assets cast in the shot."""
    return get_list(f"shots/{model_id(shot, 'shot')}/asset-types")


@cached_function
def get_asset(asset_id: Model) -> dict[str, Any]:
    row: dict[str, Any] = get_one(f"assets/{model_id(asset_id, 'asset')}")
    return row


@cached_function
def get_asset_by_name(
    project: Model, name: str | None = None, asset_type: Model | None = None
) -> dict[str, Any] | None:
    """``get_asset_by_name(project, name[, asset_type])``, or the usage page's
    ``get_asset_by_name(name)``: the first asset of that name in any project."""
    if name is None:
        if not isinstance(project, str):
            raise TypeError("get_asset_by_name(name) takes a name")
        return find_first("assets/all", {"name": project})
    params = {"project_id": model_id(project, "project"), "name": name}
    if asset_type is not None:
        params["entity_type_id"] = model_id(asset_type, "asset_type")
    return find_first("assets/all", params)


@cached_function
def get_asset_type(asset_type_id: Model) -> dict[str, Any]:
    row: dict[str, Any] = get_one(f"asset-types/{model_id(asset_type_id, 'asset_type')}")
    return row


@cached_function
def get_asset_type_by_name(name: str) -> dict[str, Any] | None:
    """The asset type of this name; None for shot, sequence... types (gazu answers those)."""
    return find_first("asset-types", {"name": name})


def new_asset(
    project: Model,
    asset_type: Model,
    name: str,
    description: str | None = None,
    extra_data: dict[str, Any] | None = None,
    episode: Model | None = None,
    is_shared: bool = False,
) -> dict[str, Any]:
    """The asset of this name, type and project, created when there is none."""
    found = get_asset_by_name(project, name, asset_type)
    if found is not None:
        return found
    return create(
        Asset,
        project_id=model_id(project, "project"),
        entity_type_id=model_id(asset_type, "asset_type"),
        name=name,
        description=description,
        data=extra_data or {},
        is_shared=is_shared,
        source_id=None if episode is None else model_id(episode, "episode"),
    )


def update_asset(asset: dict[str, Any]) -> dict[str, Any]:
    """Send the asset dict's values (the page's ``new_values_dict``); answers the saved asset."""
    body = dict(asset)
    if "episode_id" in body:  # assets keep their episode in source_id
        body["source_id"] = body["episode_id"]
    row: dict[str, Any] = client.put(f"data/entities/{model_id(asset, 'asset')}", body)
    return row


def remove_asset(asset: Model, force: bool = False) -> Any:
    """Delete the asset; without ``force``, Zou only cancels an asset that has tasks."""
    params = {"force": "true"} if force else None
    return client.delete(f"data/assets/{model_id(asset, 'asset')}", params)


def new_asset_type(name: str) -> dict[str, Any]:
    """The asset type of this name, created when there is none."""
    found = find_first("entity-types", {"name": name})
    return found if found is not None else create(AssetType, name=name)


def update_asset_type(asset_type: dict[str, Any]) -> dict[str, Any]:
    """Rename the asset type (gazu sends its name only)."""
    path = f"data/entity-types/{model_id(asset_type, 'asset_type')}"
    row: dict[str, Any] = client.put(path, {"name": asset_type["name"]})
    return row


def remove_asset_type(asset_type: Model) -> Any:
    """gazu's ``remove_asset_type``: delete an asset type (admins only)."""
    return client.delete(f"data/entity-types/{model_id(asset_type, 'asset_type')}")


@cached_function
def get_asset_instance(asset_instance_id: Model) -> dict[str, Any]:
    row: dict[str, Any] = get_one(
        f"asset-instances/{model_id(asset_instance_id, 'asset_instance')}"
    )
    return row


@cached_function
def all_asset_instances_for_asset(asset: Model) -> dict[str, list[dict[str, Any]]]:
    """Instances placed inside the asset, grouped by instantiated asset id (as Zou answers)."""
    grouped: dict[str, list[dict[str, Any]]] = get_one(
        f"assets/{model_id(asset, 'asset')}/asset-asset-instances"
    )
    return grouped


@cached_function
def all_asset_instances_for_shot(shot: Model) -> dict[str, list[dict[str, Any]]]:
    """Instances linked to the shot, grouped by asset id (as Zou answers)."""
    grouped: dict[str, list[dict[str, Any]]] = get_one(
        f"shots/{model_id(shot, 'shot')}/asset-instances"
    )
    return grouped
