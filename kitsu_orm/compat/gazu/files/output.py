"""gazu's files functions about output files: what a task publishes, by revision.

Where the usage page calls a function with other arguments than gazu 1.3.1
takes, both forms are accepted when they can be told apart (by the ``type``
of a dict argument or by a string that is not an id).
"""

from __future__ import annotations

from typing import Any

from ....model.fields import DEFAULT_FILE_NAME
from ....model.files import OutputFile, OutputType
from ....model.tasks import TaskType
from ..connection import default_session
from ..memo import cached_function, read
from ..rows import Model, find_first, is_id, model_id
from .targets import (
    Target,
    entity_target,
    instance_target,
    is_a,
    on_entity,
    on_instance,
    post,
    put_id,
    read_list,
    read_row,
    stub,
)

__all__ = [
    "all_output_files_for_asset_instance",
    "all_output_files_for_entity",
    "get_last_asset_instance_ouput_revision",
    "get_last_asset_instance_output_revision",
    "get_last_entity_ouput_revision",
    "get_last_entity_output_revision",
    "get_last_output_files_for_asset_instance",
    "get_last_output_files_for_entity",
    "get_next_asset_instance_ouput_revision",
    "get_next_asset_instance_output_revision",
    "get_next_entity_ouput_revision",
    "get_next_entity_output_revision",
    "get_output_file",
    "get_output_file_by_path",
    "new_asset_instance_output_file",
    "new_entity_output_file",
]


@cached_function
def get_output_file(output_file_id: Model) -> dict[str, Any]:
    return read_row(f"data/output-files/{model_id(output_file_id, 'output_file')}")


@cached_function
def get_output_file_by_path(path: str) -> dict[str, Any] | None:
    return find_first("output-files", {"path": path})


@cached_function
def all_output_files_for_entity(
    entity: Model,
    output_type: Model | None = None,
    task_type: Model | None = None,
    name: str | None = None,
    representation: str | None = None,
    file_status: Model | None = None,
) -> list[dict[str, Any]]:
    params = _filters(output_type, task_type, name, representation, file_status)
    return read_list(f"{entity_target(entity)}/output-files", params)


@cached_function
def all_output_files_for_asset_instance(
    asset_instance: Model,
    temporal_entity: Model | None = None,
    task_type: Model | None = None,
    output_type: Model | None = None,
    name: str | None = None,
    representation: str | None = None,
    file_status: Model | None = None,
) -> list[dict[str, Any]]:
    """Also the usage page's ``(asset_instance, output_type_dict, representation=)``."""
    if is_a(temporal_entity, "OutputType") and output_type is None:
        temporal_entity, output_type = None, temporal_entity
    params = _filters(output_type, task_type, name, representation, file_status)
    if temporal_entity is not None:
        params["temporal_entity_id"] = model_id(temporal_entity, "temporal_entity")
    return read_list(f"data/asset-instances/{model_id(asset_instance)}/output-files", params)


@cached_function
def get_last_output_files_for_entity(
    entity: Model,
    output_type: Model | None = None,
    task_type: Model | None = None,
    name: str | None = None,
    representation: str | None = None,
    file_status: Model | None = None,
) -> Any:
    params = _filters(output_type, task_type, name, representation, file_status)
    return read(f"{entity_target(entity)}/output-files/last-revisions", params)


@cached_function
def get_last_output_files_for_asset_instance(
    asset_instance: Model,
    temporal_entity: Model | None = None,
    task_type: Model | None = None,
    output_type: Model | None = None,
    name: str | None = None,
    representation: str | None = None,
    file_status: Model | None = None,
) -> Any:
    """Zou answers last revisions per shot or scene only: ``temporal_entity`` is needed."""
    params = _filters(output_type, task_type, name, representation, file_status)
    path = f"{instance_target(asset_instance, temporal_entity)}/output-files/last-revisions"
    return read(path, params)


@cached_function
def get_next_entity_output_revision(
    entity: Model, output_type: Model, task_type: Model, name: str = DEFAULT_FILE_NAME
) -> int:
    return _next_revision(on_entity(entity), output_type, task_type, name)


@cached_function
def get_last_entity_output_revision(
    entity: Model, output_type: Model, task_type: Model, name: str = DEFAULT_FILE_NAME
) -> int:
    return get_next_entity_output_revision(entity, output_type, task_type, name) - 1


@cached_function
def get_next_entity_ouput_revision(
    task: Model, output_type: Model, task_type: Model | None = None, name: str = DEFAULT_FILE_NAME
) -> int:
    """The usage page's ``(task, output_type)``: the task's entity and task type;
    or gazu 1.3.1's ``(entity, output_type, task_type)``."""
    entity, task_type = _entity_and_task_type(task, task_type)
    return get_next_entity_output_revision(entity, output_type, task_type, name)


@cached_function
def get_last_entity_ouput_revision(
    task: Model, output_type: Model, task_type: Model | None = None, name: str = DEFAULT_FILE_NAME
) -> int:
    return get_next_entity_ouput_revision(task, output_type, task_type, name) - 1


@cached_function
def get_next_asset_instance_output_revision(
    asset_instance: Model,
    temporal_entity: Model,
    output_type: Model,
    task_type: Model,
    name: str = "master",
) -> int:
    target = on_instance(asset_instance, temporal_entity)
    return _next_revision(target, output_type, task_type, name)


@cached_function
def get_last_asset_instance_output_revision(
    asset_instance: Model,
    temporal_entity: Model,
    output_type: Model,
    task_type: Model,
    name: str = "master",
) -> int:
    args = (asset_instance, temporal_entity, output_type, task_type, name)
    return get_next_asset_instance_output_revision(*args) - 1


# A task names no asset instance: the page's (task, output_type) cannot work here.
get_next_asset_instance_ouput_revision = get_next_asset_instance_output_revision
get_last_asset_instance_ouput_revision = get_last_asset_instance_output_revision


def new_entity_output_file(
    entity: Model,
    output_type: Model,
    task_type: Model,
    comment: str | Model = "",
    working_file: Model | str | None = None,
    person: Model | None = None,
    name: str = DEFAULT_FILE_NAME,
    mode: str = "output",
    revision: int = 0,
    nb_elements: int = 1,
    representation: str = "",
    sep: str = "/",
    file_status_id: str | None = None,
) -> dict[str, Any]:
    """Also the usage page's order: ``(entity, output_type, task_type, working_file, comment)``."""
    comment, working_file = _comment_and_working_file(comment, working_file)
    body = _output_file_body(
        output_type,
        task_type,
        comment,
        working_file,
        person,
        name,
        revision,
        nb_elements,
        representation,
        sep,
        file_status_id,
    )
    return post(f"{entity_target(entity)}/output-files/new", body)


def new_asset_instance_output_file(
    asset_instance: Model,
    temporal_entity: Model,
    output_type: Model,
    task_type: Model,
    comment: str | Model = "",
    name: str = "master",
    mode: str = "output",
    working_file: Model | str | None = None,
    person: Model | None = None,
    revision: int = 0,
    nb_elements: int = 1,
    representation: str = "",
    sep: str = "/",
    file_status_id: Model | None = None,
) -> dict[str, Any]:
    """gazu's ``new_asset_instance_output_file``: a new output file of an asset instance in a shot
    or scene."""
    comment, working_file = _comment_and_working_file(comment, working_file)
    status_id = model_id(file_status_id) if file_status_id is not None else None
    body = _output_file_body(
        output_type,
        task_type,
        comment,
        working_file,
        person,
        name,
        revision,
        nb_elements,
        representation,
        sep,
        status_id,
    )
    target = instance_target(asset_instance, temporal_entity)
    return post(f"{target}/output-files/new", body)


def _filters(
    output_type: Model | None,
    task_type: Model | None,
    name: str | None,
    representation: str | None,
    file_status: Model | None,
) -> dict[str, Any]:
    params: dict[str, Any] = {}
    put_id(params, "output_type_id", output_type)
    put_id(params, "task_type_id", task_type)
    put_id(params, "file_status_id", file_status)
    params.update({k: v for k, v in (("name", name), ("representation", representation)) if v})
    return params


def _next_revision(target: Target, output_type: Model, task_type: Model, name: str) -> int:
    default_session()  # the ORM's methods run in the current session: make sure there is one
    on, temporal_entity = target
    return OutputFile.next_revision(
        on,
        stub(OutputType, output_type, "output_type"),
        stub(TaskType, task_type, "task_type"),
        name,
        temporal_entity,
    )


def _entity_and_task_type(task: Model, task_type: Model | None) -> tuple[Model, Model]:
    """``(entity, task_type)`` as given, or read from a task."""
    if task_type is not None:
        return task, task_type
    if isinstance(task, dict) and is_a(task, "Task"):
        row = task
    else:
        row = read_row(f"data/tasks/{model_id(task, 'task')}")
    return row["entity_id"], row["task_type_id"]


def _comment_and_working_file(comment: Any, working_file: Any) -> tuple[str, Model | None]:
    """gazu 1.3.1 takes ``comment, working_file``; the usage page the other way round,
    which shows as a dict or an id where the comment should be."""
    if isinstance(comment, dict) or (isinstance(comment, str) and is_id(comment)):
        return working_file or "", comment
    return comment, working_file


def _output_file_body(
    output_type: Model,
    task_type: Model,
    comment: str,
    working_file: Model | None,
    person: Model | None,
    name: str,
    revision: int,
    nb_elements: int,
    representation: str,
    sep: str,
    file_status_id: str | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "comment": comment,
        "revision": revision,
        "representation": representation,
        "name": name,
        "nb_elements": nb_elements,
        "sep": sep,
    }
    put_id(body, "output_type_id", output_type)
    put_id(body, "task_type_id", task_type)
    put_id(body, "working_file_id", working_file)
    put_id(body, "person_id", person)
    put_id(body, "file_status_id", file_status_id)
    return body
