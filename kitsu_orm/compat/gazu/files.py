"""gazu's ``files`` module: output types, softwares, working and output files, paths.

Object-style equivalents: ``OutputFile.next_revision(...)``,
``task.new_working_file(...)``, ``OutputFile.build_path(...)``,
``project.file_tree = kitsu.file_tree("default")`` (see docs/migration-part-b.md).

Where the usage page calls a function with other arguments than gazu 1.3.1
takes, both forms are accepted when they can be told apart (by the ``type``
of a dict argument or by a string that is not an id).
"""

from __future__ import annotations

from typing import Any, TypeVar

from ...actions import file_target
from ...errors import ValidationError
from ...filetree import file_tree
from ...model.base import Entity
from ...model.fields import DEFAULT_FILE_NAME
from ...model.files import OutputFile, OutputType, Software
from ...model.production import AssetInstance, EntityRow
from ...model.tasks import Task, TaskType
from ...routes import ACTIONS
from ...urls import fill
from . import client
from .connection import default_session
from .memo import cached_function, read
from .rows import Model, find_first, get_one, is_id, model_id

__all__ = [
    "all_output_files_for_asset_instance",
    "all_output_files_for_entity",
    "all_output_types",
    "all_output_types_for_asset_instance",
    "all_output_types_for_entity",
    "all_softwares",
    "build_asset_instance_output_file_path",
    "build_entity_output_file_path",
    "build_working_file_path",
    "get_last_asset_instance_ouput_revision",
    "get_last_asset_instance_output_revision",
    "get_last_entity_ouput_revision",
    "get_last_entity_output_revision",
    "get_last_output_files_for_asset_instance",
    "get_last_output_files_for_entity",
    "get_last_working_file_revision",
    "get_last_working_files",
    "get_next_asset_instance_ouput_revision",
    "get_next_asset_instance_output_revision",
    "get_next_entity_ouput_revision",
    "get_next_entity_output_revision",
    "get_output_file",
    "get_output_file_by_path",
    "get_output_type",
    "get_output_type_by_name",
    "get_software",
    "get_software_by_name",
    "get_working_file",
    "get_working_files_for_task",
    "new_asset_instance_output_file",
    "new_entity_output_file",
    "new_output_type",
    "new_working_file",
    "set_project_file_tree",
    "update_project_file_tree",
]

E = TypeVar("E", bound=Entity)

# -- output types and softwares --------------------------------------------------------


@cached_function
def all_output_types() -> list[dict[str, Any]]:
    return _list("data/output-types")


@cached_function
def get_output_type(output_type_id: Model) -> dict[str, Any]:
    return _row(f"data/output-types/{model_id(output_type_id, 'output_type')}")


@cached_function
def get_output_type_by_name(output_type_name: str) -> dict[str, Any] | None:
    return find_first("output-types", {"name": output_type_name})


@cached_function
def all_output_types_for_entity(entity: Model) -> list[dict[str, Any]]:
    return _list(f"{_entity_target(entity)}/output-types")


@cached_function
def all_output_types_for_asset_instance(
    asset_instance: Model, temporal_entity: Model | None = None
) -> list[dict[str, Any]]:
    """The usage page passes the instance alone: then the output types of all
    its output files, in every shot or scene."""
    if temporal_entity is not None:
        return _list(f"{_instance_target(asset_instance, temporal_entity)}/output-types")
    files = _list(f"data/asset-instances/{model_id(asset_instance)}/output-files")
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
    return _list("data/softwares")


@cached_function
def get_software(software_id: Model) -> dict[str, Any]:
    return _row(f"data/softwares/{model_id(software_id, 'software')}")


@cached_function
def get_software_by_name(software_name: str) -> dict[str, Any] | None:
    return find_first("softwares", {"name": software_name})


# -- output files ----------------------------------------------------------------------------


@cached_function
def get_output_file(output_file_id: Model) -> dict[str, Any]:
    return _row(f"data/output-files/{model_id(output_file_id, 'output_file')}")


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
    return _list(f"{_entity_target(entity)}/output-files", params)


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
    if _is_a(temporal_entity, "OutputType") and output_type is None:
        temporal_entity, output_type = None, temporal_entity
    params = _filters(output_type, task_type, name, representation, file_status)
    if temporal_entity is not None:
        params["temporal_entity_id"] = model_id(temporal_entity, "temporal_entity")
    return _list(f"data/asset-instances/{model_id(asset_instance)}/output-files", params)


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
    return read(f"{_entity_target(entity)}/output-files/last-revisions", params)


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
    path = f"{_instance_target(asset_instance, temporal_entity)}/output-files/last-revisions"
    return read(path, params)


@cached_function
def get_next_entity_output_revision(
    entity: Model, output_type: Model, task_type: Model, name: str = DEFAULT_FILE_NAME
) -> int:
    return _next_revision(_on_entity(entity), output_type, task_type, name)


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
    target = _on_instance(asset_instance, temporal_entity)
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
    return _post(f"{_entity_target(entity)}/output-files/new", body)


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
    target = _instance_target(asset_instance, temporal_entity)
    return _post(f"{target}/output-files/new", body)


# -- working files -------------------------------------------------------------------------


@cached_function
def get_working_files_for_task(task: Model) -> list[dict[str, Any]]:
    return _list(f"data/tasks/{model_id(task, 'task')}/working-files")


@cached_function
def get_last_working_files(task: Model) -> dict[str, Any]:
    body: dict[str, Any] = read(
        fill(ACTIONS["last_working_files"], task_id=model_id(task, "task"))
    )
    return body


@cached_function
def get_working_file(working_file_id: Model) -> dict[str, Any]:
    body: dict[str, Any] = get_one(f"working-files/{model_id(working_file_id, 'working_file')}")
    return body


@cached_function
def get_last_working_file_revision(
    task: Model, name: str = DEFAULT_FILE_NAME
) -> dict[str, Any] | None:
    found: dict[str, Any] | None = get_last_working_files(task).get(name)
    return found


def new_working_file(
    task: Model,
    name: str = DEFAULT_FILE_NAME,
    mode: str = "working",
    software: Model | None = None,
    comment: str = "",
    person: Model | None = None,
    revision: int = 0,
    sep: str = "/",
    scene: int | None = None,
) -> dict[str, Any]:
    """A new working file revision (revision 0: the next one). ``scene``, which the
    usage page passes, belongs to an older Zou and is ignored."""
    task_id = model_id(task, "task")
    body: dict[str, Any] = {
        "name": name,
        "comment": comment,
        "task_id": task_id,
        "revision": revision,
        "mode": mode,
        "sep": sep,
    }
    _put_id(body, "person_id", person)
    _put_id(body, "software_id", software)
    return _post(f"data/tasks/{task_id}/working-files/new", body)


# -- file trees and paths --------------------------------------------------------------------


def set_project_file_tree(project: Model, file_tree_template_name: str) -> dict[str, Any]:
    """Zou no longer sets a tree by name: the named tree (one kitsu_orm ships) is sent whole."""
    return update_project_file_tree(project, file_tree(file_tree_template_name))


def update_project_file_tree(project: Model, file_tree: dict[str, Any]) -> dict[str, Any]:
    """gazu's ``update_project_file_tree``: replace a project's file tree."""
    return _put(f"data/projects/{model_id(project, 'project')}", {"file_tree": file_tree})


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
        software=None if software is None else _stub(Software, software, "software"),
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
        _on_entity(entity),
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
        _on_instance(asset_instance, temporal_entity),
        output_type,
        task_type,
        name,
        mode,
        representation,
        revision if version is None else version,
        nb_elements,
        sep,
    )


# -- shared ------------------------------------------------------------------------------------


def _list(path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = read(path, params)
    return rows


def _row(path: str) -> dict[str, Any]:
    row: dict[str, Any] = read(path)
    return row


def _post(path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = client.post(path, body)
    return answer


def _put(path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = client.put(path, body)
    return answer


# What output files hang on, as the ORM's file methods take it: an entity, or an
# asset instance as seen in a shot or scene.
Target = tuple[Entity, Entity | None]


def _stub(cls: type[E], model: Model, what: str) -> E:
    """A detached ``cls`` standing for ``model`` where the ORM reads only an id."""
    return cls(id=model_id(model, what))


def _on_entity(entity: Model) -> Target:
    return _stub(EntityRow, entity, "entity"), None


def _on_instance(asset_instance: Model, temporal_entity: Model | None) -> Target:
    if temporal_entity is None:
        raise ValidationError(
            "Zou keeps an asset instance's output files per shot or scene: pass temporal_entity"
        )
    return (
        _stub(AssetInstance, asset_instance, "asset_instance"),
        _stub(EntityRow, temporal_entity, "temporal_entity"),
    )


def _entity_target(entity: Model) -> str:
    return file_target(*_on_entity(entity))


def _instance_target(asset_instance: Model, temporal_entity: Model | None) -> str:
    return file_target(*_on_instance(asset_instance, temporal_entity))


def _is_a(value: Any, type_name: str) -> bool:
    return isinstance(value, dict) and value.get("type") == type_name


def _put_id(body: dict[str, Any], key: str, model: Model | None) -> None:
    if model is not None:
        body[key] = model_id(model, key.removesuffix("_id"))


def _filters(
    output_type: Model | None,
    task_type: Model | None,
    name: str | None,
    representation: str | None,
    file_status: Model | None,
) -> dict[str, Any]:
    params: dict[str, Any] = {}
    _put_id(params, "output_type_id", output_type)
    _put_id(params, "task_type_id", task_type)
    _put_id(params, "file_status_id", file_status)
    params.update({k: v for k, v in (("name", name), ("representation", representation)) if v})
    return params


def _next_revision(target: Target, output_type: Model, task_type: Model, name: str) -> int:
    default_session()  # the ORM's methods run in the current session: make sure there is one
    on, temporal_entity = target
    return OutputFile.next_revision(
        on,
        _stub(OutputType, output_type, "output_type"),
        _stub(TaskType, task_type, "task_type"),
        name,
        temporal_entity,
    )


def _entity_and_task_type(task: Model, task_type: Model | None) -> tuple[Model, Model]:
    """``(entity, task_type)`` as given, or read from a task."""
    if task_type is not None:
        return task, task_type
    if isinstance(task, dict) and _is_a(task, "Task"):
        row = task
    else:
        row = _row(f"data/tasks/{model_id(task, 'task')}")
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
    _put_id(body, "output_type_id", output_type)
    _put_id(body, "task_type_id", task_type)
    _put_id(body, "working_file_id", working_file)
    _put_id(body, "person_id", person)
    _put_id(body, "file_status_id", file_status_id)
    return body


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
        _stub(OutputType, output_type, "output_type"),
        _stub(TaskType, task_type, "task_type"),
        temporal_entity=temporal_entity,
        name=name,
        mode=mode,
        representation=representation,
        revision=revision,
        nb_elements=nb_elements,
        sep=sep,
    )
