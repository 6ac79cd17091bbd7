"""gazu's files functions about output files: what a task publishes, by revision.

They take gazu 1.3.1's arguments only: where the usage page passes an older
gazu's (a working file before the comment, an output type for the shot),
they fail as gazu 1.3.1 does. The page's misspelt ``*_ouput_revision``
names, which gazu 1.3.1 lacks, are kept.
"""

from __future__ import annotations

from typing import Any

from ....model.fields import DEFAULT_FILE_NAME
from ..connection import default_transport
from ..declare import Arguments, finish, gazu_function, route
from ..kitsu_client import KitsuClient, default_client
from ..memo import read
from ..rows import Model, find_first, model_id
from .targets import entity_target, instance_target, is_a, post, put_id, read_row

__all__ = [
    "all_output_files_for_asset_instance",
    "all_output_files_for_entity",
    "all_output_files_for_project",
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
    "update_output_file",
]

FILTERS = "output_type=None, task_type=None, name=None, representation=None, file_status=None"
INSTANCE_FILTERS = (
    "task_type=None, output_type=None, name=None, representation=None, file_status=None"
)


def _filters(a: Arguments) -> dict[str, Any]:
    """gazu's output file filters: the ids of the models given, the names set."""
    params: dict[str, Any] = {}
    put_id(params, "output_type_id", a.output_type)
    put_id(params, "task_type_id", a.task_type)
    put_id(params, "file_status_id", a.file_status)
    params.update({k: v for k, v in (("name", a.name), ("representation", a.representation)) if v})
    return params


# One request each.
get_output_file = route("GET data/output-files/{output_file_id}", "output_file_id, client=default")
update_output_file = route(
    "PUT data/output-files/{output_file}",
    "output_file, data, client=default",
    body=lambda a: a.data,
)
all_output_files_for_entity = route(
    "GET data/entities/{entity}/output-files", f"entity, {FILTERS}, client=default", query=_filters
)
all_output_files_for_project = route(
    "GET data/projects/{project}/output-files",
    f"project, {FILTERS}, client=default",
    query=_filters,
)
get_last_output_files_for_entity = route(
    "GET data/entities/{entity}/output-files/last-revisions",
    f"entity, {FILTERS}, client=default",
    query=_filters,
)
get_last_output_files_for_asset_instance = route(
    "GET data/asset-instances/{asset_instance}/entities/{temporal_entity}"
    "/output-files/last-revisions",
    f"asset_instance, temporal_entity, {INSTANCE_FILTERS}, client=default",
    query=_filters,
)


@gazu_function(cached=True)
def get_output_file_by_path(
    path: str, client: KitsuClient = default_client
) -> dict[str, Any] | None:
    """The output file of that path, or None."""
    return find_first("output-files", {"path": path})


@gazu_function(cached=True)
def all_output_files_for_asset_instance(
    asset_instance: Model,
    temporal_entity: Model | None = None,
    task_type: Model | None = None,
    output_type: Model | None = None,
    name: str | None = None,
    representation: str | None = None,
    file_status: Model | None = None,
    client: KitsuClient = default_client,
) -> list[dict[str, Any]]:
    """The instance's output files (in every shot or scene unless one is given)."""
    params = _filters(Arguments(**locals()))
    put_id(params, "temporal_entity_id", temporal_entity)
    path = f"data/asset-instances/{model_id(asset_instance, 'asset_instance')}/output-files"
    rows: list[dict[str, Any]] = read(path, params)
    return rows


def _next_revision(prefix: str, output_type: Model, task_type: Model, name: str) -> int:
    """Zou's next revision of that file (a POST that changes nothing: no cache outdated)."""
    body: dict[str, Any] = {"name": name}
    put_id(body, "output_type_id", output_type)
    put_id(body, "task_type_id", task_type)
    answer = default_transport().post(f"{prefix}/output-files/next-revision", body)
    return int(answer["next_revision"])


@gazu_function
def get_next_entity_output_revision(
    entity: Model,
    output_type: Model,
    task_type: Model,
    name: str = DEFAULT_FILE_NAME,
    client: KitsuClient = default_client,
) -> int:
    """The revision the next output file of that name would get."""
    return _next_revision(entity_target(entity), output_type, task_type, name)


@gazu_function
def get_last_entity_output_revision(
    entity: Model,
    output_type: Model,
    task_type: Model,
    name: str = DEFAULT_FILE_NAME,
    client: KitsuClient = default_client,
) -> int:
    """The revision of the last output file of that name (0: none yet)."""
    return _next_revision(entity_target(entity), output_type, task_type, name) - 1


@gazu_function
def get_next_asset_instance_output_revision(
    asset_instance: Model,
    temporal_entity: Model,
    output_type: Model,
    task_type: Model,
    name: str = "master",
    client: KitsuClient = default_client,
) -> int:
    """The revision the instance's next output file of that name would get in that shot."""
    prefix = instance_target(asset_instance, temporal_entity)
    return _next_revision(prefix, output_type, task_type, name)


@gazu_function
def get_last_asset_instance_output_revision(
    asset_instance: Model,
    temporal_entity: Model,
    output_type: Model,
    task_type: Model,
    name: str = "master",
    client: KitsuClient = default_client,
) -> int:
    """The revision of the instance's last output file of that name (0: none yet)."""
    prefix = instance_target(asset_instance, temporal_entity)
    return _next_revision(prefix, output_type, task_type, name) - 1


@gazu_function
def get_next_entity_ouput_revision(
    task: Model,
    output_type: Model,
    task_type: Model | None = None,
    name: str = DEFAULT_FILE_NAME,
    client: KitsuClient = default_client,
) -> int:
    """The usage page's ``(task, output_type)``: the task's entity and task type;
    or gazu 1.3.1's ``(entity, output_type, task_type)``."""
    entity, task_type = _entity_and_task_type(task, task_type)
    return _next_revision(entity_target(entity), output_type, task_type, name)


@gazu_function
def get_last_entity_ouput_revision(
    task: Model,
    output_type: Model,
    task_type: Model | None = None,
    name: str = DEFAULT_FILE_NAME,
    client: KitsuClient = default_client,
) -> int:
    """The usage page's spelling of :func:`get_last_entity_output_revision`, which
    also takes a task."""
    return get_next_entity_ouput_revision(task, output_type, task_type, name, client=client) - 1


# A task names no asset instance: the page's (task, output_type) cannot work here.
get_next_asset_instance_ouput_revision = get_next_asset_instance_output_revision
get_last_asset_instance_ouput_revision = get_last_asset_instance_output_revision


@gazu_function
def new_entity_output_file(
    entity: Model,
    output_type: Model,
    task_type: Model,
    comment: str,
    working_file: Model | None = None,
    person: Model | None = None,
    name: str = DEFAULT_FILE_NAME,
    mode: str = "output",
    revision: int = 0,
    nb_elements: int = 1,
    representation: str = "",
    sep: str = "/",
    file_status_id: str | None = None,
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """A new output file of the entity (Zou numbers revision 0 itself)."""
    body = _output_file_body(
        output_type, task_type, comment, working_file, person, name, revision,
        nb_elements, representation, sep, file_status_id,
    )  # fmt: skip
    return post(f"{entity_target(entity)}/output-files/new", body)


@gazu_function
def new_asset_instance_output_file(
    asset_instance: Model,
    temporal_entity: Model,
    output_type: Model,
    task_type: Model,
    comment: str,
    name: str = "master",
    mode: str = "output",
    working_file: Model | None = None,
    person: Model | None = None,
    revision: int = 0,
    nb_elements: int = 1,
    representation: str = "",
    sep: str = "/",
    file_status_id: Model | None = None,
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """A new output file of an asset instance in a shot or scene."""
    body = _output_file_body(
        output_type, task_type, comment, working_file, person, name, revision,
        nb_elements, representation, sep, file_status_id,
    )  # fmt: skip
    return post(f"{instance_target(asset_instance, temporal_entity)}/output-files/new", body)


def _entity_and_task_type(task: Model, task_type: Model | None) -> tuple[Model, Model]:
    """``(entity, task_type)`` as given, or read from a task."""
    if task_type is not None:
        return task, task_type
    if isinstance(task, dict) and is_a(task, "Task"):
        row = task
    else:
        row = read_row(f"data/tasks/{model_id(task, 'task')}")
    return row["entity_id"], row["task_type_id"]


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
    file_status_id: Model | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    put_id(body, "output_type_id", output_type)
    put_id(body, "task_type_id", task_type)
    body.update(
        comment=comment,
        revision=revision,
        representation=representation,
        name=name,
        nb_elements=nb_elements,
        sep=sep,
    )
    put_id(body, "working_file_id", working_file)
    put_id(body, "person_id", person)
    put_id(body, "file_status_id", file_status_id)
    return body


finish(globals())
