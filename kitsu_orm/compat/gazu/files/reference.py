"""gazu's files functions about the reference tables files name: output types, softwares."""

from __future__ import annotations

from typing import Any

from .. import client
from ..memo import cached_function
from ..rows import Model, find_first, model_id
from .targets import entity_target, instance_target, read_list, read_row

__all__ = [
    "all_output_types",
    "all_output_types_for_asset_instance",
    "all_output_types_for_entity",
    "all_softwares",
    "get_output_type",
    "get_output_type_by_name",
    "get_software",
    "get_software_by_name",
    "new_output_type",
]


@cached_function
def all_output_types() -> list[dict[str, Any]]:
    return read_list("data/output-types")


@cached_function
def get_output_type(output_type_id: Model) -> dict[str, Any]:
    return read_row(f"data/output-types/{model_id(output_type_id, 'output_type')}")


@cached_function
def get_output_type_by_name(output_type_name: str) -> dict[str, Any] | None:
    return find_first("output-types", {"name": output_type_name})


@cached_function
def all_output_types_for_entity(entity: Model) -> list[dict[str, Any]]:
    return read_list(f"{entity_target(entity)}/output-types")


@cached_function
def all_output_types_for_asset_instance(
    asset_instance: Model, temporal_entity: Model | None = None
) -> list[dict[str, Any]]:
    """The usage page passes the instance alone: then the output types of all
    its output files, in every shot or scene."""
    if temporal_entity is not None:
        return read_list(f"{instance_target(asset_instance, temporal_entity)}/output-types")
    files = read_list(f"data/asset-instances/{model_id(asset_instance)}/output-files")
    used = {f["output_type_id"] for f in files}
    return [t for t in all_output_types() if t["id"] in used]


def new_output_type(name: str, short_name: str) -> dict[str, Any]:
    """The output type of that name, created if there is none (not atomic, as in gazu)."""
    found = get_output_type_by_name(name)
    if found is not None:
        return found
    created: dict[str, Any] = client.post(
        "data/output-types", {"name": name, "short_name": short_name}
    )
    return created


@cached_function
def all_softwares() -> list[dict[str, Any]]:
    return read_list("data/softwares")


@cached_function
def get_software(software_id: Model) -> dict[str, Any]:
    return read_row(f"data/softwares/{model_id(software_id, 'software')}")


@cached_function
def get_software_by_name(software_name: str) -> dict[str, Any] | None:
    return find_first("softwares", {"name": software_name})
