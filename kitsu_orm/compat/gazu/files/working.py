"""gazu's files functions about working files: a task's files as the artist saves them."""

from __future__ import annotations

from typing import Any

from ....model.fields import DEFAULT_FILE_NAME
from ..declare import finish, gazu_function, route
from ..kitsu_client import KitsuClient, default_client
from ..memo import read
from ..rows import Model, model_id
from .targets import post, put_id
from .transfer import FilePath, Progress, download, upload

__all__ = [
    "download_working_file",
    "get_all_working_files_for_entity",
    "get_last_working_file_revision",
    "get_last_working_files",
    "get_working_file",
    "get_working_files_for_task",
    "new_working_file",
    "update_comment",
    "update_modification_date",
    "upload_working_file",
]


def _entity_filters(a: Any) -> dict[str, Any]:
    params: dict[str, Any] = {}
    put_id(params, "task_id", a.task)
    if a.name is not None:
        params["name"] = a.name
    return params


# One request each.
get_working_files_for_task = route("GET data/tasks/{task}/working-files", "task, client=default")
get_last_working_files = route(
    "GET data/tasks/{task}/working-files/last-revisions", "task, client=default"
)
get_working_file = route(
    "GET data/working-files/{working_file_id}", "working_file_id, client=default"
)
get_all_working_files_for_entity = route(
    "GET data/entities/{entity}/working-files",
    "entity, task=None, name=None, client=default",
    query=_entity_filters,
)
update_comment = route(
    "PUT actions/working-files/{working_file}/comment",
    "working_file, comment, client=default",
    body=lambda a: {"comment": a.comment},
)
update_modification_date = route(
    "PUT actions/working-files/{working_file}/modified", "working_file, client=default"
)


@gazu_function(cached=True)
def get_last_working_file_revision(
    task: Model, name: str = DEFAULT_FILE_NAME, client: KitsuClient = default_client
) -> dict[str, Any] | None:
    """The last revision of the task's working file of that name, or None."""
    last: dict[str, Any] = read(f"data/tasks/{model_id(task, 'task')}/working-files/last-revisions")
    return last.get(name)


@gazu_function
def new_working_file(
    task: Model,
    name: str = DEFAULT_FILE_NAME,
    mode: str = "working",
    software: Model | None = None,
    comment: str = "",
    person: Model | None = None,
    revision: int = 0,
    sep: str = "/",
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """A new working file revision (revision 0: the next one); ``sep`` is not sent,
    as in gazu (Zou builds the path with its own)."""
    task_id = model_id(task, "task")
    body: dict[str, Any] = {
        "name": name,
        "comment": comment,
        "task_id": task_id,
        "revision": revision,
        "mode": mode,
    }
    put_id(body, "person_id", person)
    put_id(body, "software_id", software)
    return post(f"data/tasks/{task_id}/working-files/new", body)


@gazu_function
def upload_working_file(
    working_file: Model,
    file_path: FilePath,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> dict[str, Any]:
    """Store the file of a working file on the server, streamed from disk."""
    path = f"data/working-files/{model_id(working_file, 'working_file')}/file"
    answer: dict[str, Any] = upload(path, file_path, progress_callback)
    return answer


@gazu_function
def download_working_file(
    working_file: Model,
    file_path: FilePath | None = None,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """Write the stored file of a working file to ``file_path`` (None: to the working
    file's own ``path``, as gazu does); answers the path written."""
    working_file_id = model_id(working_file, "working_file")
    if file_path is None:
        file_path = read(f"data/working-files/{working_file_id}")["path"]
    return download(f"data/working-files/{working_file_id}/file", file_path, progress_callback)


finish(globals())
