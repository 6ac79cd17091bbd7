"""gazu's files functions about the reference tables files name: output types,
softwares and file statuses."""

from __future__ import annotations

from typing import Any

from ..connection import default_transport
from ..declare import finish, gazu_function, route
from ..kitsu_client import KitsuClient, default_client
from ..memo import written
from ..rows import find_first

__all__ = [
    "all_output_types",
    "all_output_types_for_asset_instance",
    "all_output_types_for_entity",
    "all_softwares",
    "get_file_status",
    "get_file_status_by_name",
    "get_output_type",
    "get_output_type_by_name",
    "get_software",
    "get_software_by_name",
    "new_file_status",
    "new_output_type",
    "new_software",
    "update_software",
]

# One request each, in the server's order (gazu's files module sorts nothing).
all_output_types = route("GET data/output-types", "client=default")
get_output_type = route("GET data/output-types/{output_type_id}", "output_type_id, client=default")
all_output_types_for_entity = route(
    "GET data/entities/{entity}/output-types", "entity, client=default"
)
all_output_types_for_asset_instance = route(
    "GET data/asset-instances/{asset_instance}/entities/{temporal_entity}/output-types",
    "asset_instance, temporal_entity, client=default",
)
all_softwares = route("GET data/softwares", "client=default")
get_software = route("GET data/softwares/{software_id}", "software_id, client=default")
get_file_status = route("GET data/file-status/{status_id}", "status_id, client=default")
update_software = route(
    "PUT data/softwares/{software}", "software, client=default", body=lambda a: a.software
)


@gazu_function(cached=True)
def get_output_type_by_name(
    output_type_name: str, client: KitsuClient = default_client
) -> dict[str, Any] | None:
    """The output type of that name, or None."""
    return find_first("output-types", {"name": output_type_name})


@gazu_function(cached=True)
def get_software_by_name(
    software_name: str, client: KitsuClient = default_client
) -> dict[str, Any] | None:
    """The software of that name, or None."""
    return find_first("softwares", {"name": software_name})


@gazu_function(cached=True)
def get_file_status_by_name(
    name: str, client: KitsuClient = default_client
) -> dict[str, Any] | None:
    """The file status of that name, or None."""
    return find_first("file-status", {"name": name})


def _created(path: str, data: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = written(path, lambda: default_transport().post(path, data))
    return answer


@gazu_function
def new_output_type(
    name: str, short_name: str, client: KitsuClient = default_client
) -> dict[str, Any]:
    """The output type of that name, created if there is none (not atomic, as in gazu)."""
    found = get_output_type_by_name(name, client=client)
    if found is not None:
        return found
    return _created("data/output-types", {"name": name, "short_name": short_name})


@gazu_function
def new_software(
    name: str,
    short_name: str,
    file_extension: str,
    secondary_extensions: list[str] | None = None,
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """The software of that name, created if there is none."""
    found = get_software_by_name(name, client=client)
    if found is not None:
        return found
    data: dict[str, Any] = {
        "name": name,
        "short_name": short_name,
        "file_extension": file_extension,
    }
    if secondary_extensions is not None:
        data["secondary_extensions"] = secondary_extensions
    return _created("data/softwares", data)


@gazu_function
def new_file_status(name: str, color: str, client: KitsuClient = default_client) -> dict[str, Any]:
    """The file status of that name, created if there is none."""
    found = get_file_status_by_name(name, client=client)
    if found is not None:
        return found
    return _created("data/file-status", {"name": name, "color": color})


finish(globals())
