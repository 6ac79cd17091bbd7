"""gazu's files functions about where files go: project file trees, and the paths
they give working and output files."""

from __future__ import annotations

from typing import Any

from ....errors import ValidationError
from ....filetree import file_tree
from ....model.fields import DEFAULT_FILE_NAME
from ....model.files import OutputFile, OutputType, Software
from ....model.tasks import Task, TaskType
from ..connection import default_session
from ..rows import Model, model_id
from .targets import Target, on_entity, on_instance, put, stub

__all__ = [
    "build_asset_instance_output_file_path",
    "build_entity_output_file_path",
    "build_working_file_path",
    "set_project_file_tree",
    "update_project_file_tree",
]


def set_project_file_tree(project: Model, file_tree_template_name: str) -> dict[str, Any]:
    """Zou no longer sets a tree by name: the named tree (one kitsu_orm ships) is sent whole."""
    return update_project_file_tree(project, file_tree(file_tree_template_name))


def update_project_file_tree(project: Model, file_tree: dict[str, Any]) -> dict[str, Any]:
    """gazu's ``update_project_file_tree``: replace a project's file tree."""
    return put(f"data/projects/{model_id(project, 'project')}", {"file_tree": file_tree})


def build_working_file_path(
    task: Model,
    name: str = DEFAULT_FILE_NAME,
    mode: str = "working",
    software: Model | None = None,
    revision: int = 1,
    sep: str = "/",
    output_type: Model | None = None,
    version: int | None = None,
) -> str:
    """``version`` is the usage page's name for ``revision``; a working file
    path takes no output type, which is accepted and ignored.

    Built by :meth:`Task.working_file_path`, on the session's task: read once
    (one request) when the session does not hold it yet.
    """
    on = default_session().get(Task, model_id(task, "task"))
    return on.working_file_path(
        name,
        software=None if software is None else stub(Software, software, "software"),
        revision=revision if version is None else version,
        mode=mode,
        sep=sep,
    )


def build_entity_output_file_path(
    entity: Model,
    output_type: Model,
    task_type: Model | None = None,
    name: str = DEFAULT_FILE_NAME,
    mode: str = "output",
    representation: str = "",
    revision: int = 0,
    nb_elements: int = 1,
    sep: str = "/",
    software: Model | None = None,
    version: int | None = None,
) -> str:
    """The usage page's form passes no task type, which Zou now requires."""
    return _output_path(
        on_entity(entity),
        output_type,
        task_type,
        name,
        mode,
        representation,
        revision if version is None else version,
        nb_elements,
        sep,
    )


def build_asset_instance_output_file_path(
    asset_instance: Model,
    temporal_entity: Model,
    output_type: Model,
    task_type: Model | None = None,
    name: str = DEFAULT_FILE_NAME,
    representation: str = "",
    mode: str = "output",
    revision: int = 0,
    nb_elements: int = 1,
    sep: str = "/",
    software: Model | None = None,
    version: int | None = None,
) -> str:
    """gazu's ``build_asset_instance_output_file_path``: where the file tree puts an asset
    instance's output file in a shot or scene."""
    return _output_path(
        on_instance(asset_instance, temporal_entity),
        output_type,
        task_type,
        name,
        mode,
        representation,
        revision if version is None else version,
        nb_elements,
        sep,
    )


def _output_path(
    target: Target,
    output_type: Model,
    task_type: Model | None,
    name: str,
    mode: str,
    representation: str,
    revision: int,
    nb_elements: int,
    sep: str,
) -> str:
    if task_type is None:
        raise ValidationError("Zou builds output file paths per task type: pass task_type")
    default_session()
    on, temporal_entity = target
    return OutputFile.build_path(
        on,
        stub(OutputType, output_type, "output_type"),
        stub(TaskType, task_type, "task_type"),
        temporal_entity=temporal_entity,
        name=name,
        mode=mode,
        representation=representation,
        revision=revision,
        nb_elements=nb_elements,
        sep=sep,
    )
