"""gazu's files functions about where files go: project file trees, and the paths
they give working and output files (Zou builds them: one POST each, nothing saved)."""

from __future__ import annotations

from typing import Any

from ....filetree import file_tree
from ....model.fields import DEFAULT_FILE_NAME
from ..connection import default_transport
from ..declare import finish, gazu_function, route
from ..kitsu_client import KitsuClient, default_client
from ..rows import Model, model_id
from .targets import entity_target, instance_target, put_id

__all__ = [
    "build_asset_instance_output_file_path",
    "build_entity_output_file_path",
    "build_working_file_path",
    "set_project_file_tree",
    "update_project_file_tree",
]

update_project_file_tree = route(
    "PUT data/projects/{project}",
    "project, file_tree, client=default",
    body=lambda a: {"file_tree": a.file_tree},
)


@gazu_function
def set_project_file_tree(
    project: Model, file_tree_template_name: str, client: KitsuClient = default_client
) -> dict[str, Any]:
    """The usage page's call: Zou no longer sets a tree by name, so the named tree
    (one kitsu_orm ships) is sent whole."""
    answer: dict[str, Any] = update_project_file_tree(
        project, file_tree(file_tree_template_name), client=client
    )
    return answer


def _joined(folder: str, name: str, sep: str) -> str:
    """gazu's path from Zou's answer: folder and name joined, spaces made underscores."""
    return f"{folder.replace(' ', '_')}{sep}{name.replace(' ', '_')}"


@gazu_function(cached=True)
def build_working_file_path(
    task: Model,
    name: str = DEFAULT_FILE_NAME,
    mode: str = "working",
    software: Model | None = None,
    revision: int = 1,
    sep: str = "/",
    client: KitsuClient = default_client,
) -> str:
    """Where the project's file tree puts that working file."""
    body: dict[str, Any] = {"mode": mode, "name": name, "revision": revision, "separator": sep}
    put_id(body, "software_id", software)
    found = default_transport().post(f"data/tasks/{model_id(task, 'task')}/working-file-path", body)
    return _joined(found["path"], found["name"], sep)


def _output_path(
    prefix: str,
    output_type: Model,
    task_type: Model,
    fields: dict[str, Any],
    sep: str,
) -> str:
    body: dict[str, Any] = {}
    put_id(body, "task_type_id", task_type)
    put_id(body, "output_type_id", output_type)
    body.update(fields, separator=sep)
    found = default_transport().post(f"{prefix}/output-file-path", body)
    return _joined(found["folder_path"], found["file_name"], sep)


@gazu_function(cached=True)
def build_entity_output_file_path(
    entity: Model,
    output_type: Model,
    task_type: Model,
    name: str = DEFAULT_FILE_NAME,
    mode: str = "output",
    representation: str = "",
    revision: int = 0,
    nb_elements: int = 1,
    sep: str = "/",
    client: KitsuClient = default_client,
) -> str:
    """Where the project's file tree puts that output file of the entity."""
    fields = {
        "mode": mode,
        "name": name,
        "representation": representation,
        "revision": revision,
        "nb_elements": nb_elements,
    }
    return _output_path(entity_target(entity), output_type, task_type, fields, sep)


@gazu_function(cached=True)
def build_asset_instance_output_file_path(
    asset_instance: Model,
    temporal_entity: Model,
    output_type: Model,
    task_type: Model,
    name: str = DEFAULT_FILE_NAME,
    representation: str = "",
    mode: str = "output",
    revision: int = 0,
    nb_elements: int = 1,
    sep: str = "/",
    client: KitsuClient = default_client,
) -> str:
    """Where the project's file tree puts that output file of an asset instance in a shot."""
    fields = {
        "mode": mode,
        "name": name,
        "representation": representation,
        "revision": revision,
        "nb_elements": nb_elements,
    }
    prefix = instance_target(asset_instance, temporal_entity)
    return _output_path(prefix, output_type, task_type, fields, sep)


finish(globals())
