"""gazu's files functions about working files: a task's files as the artist saves them."""

from __future__ import annotations

from typing import Any

from ....model.fields import DEFAULT_FILE_NAME
from ....routes import ACTIONS
from ....urls import fill
from ..memo import cached_function, read
from ..rows import Model, get_one, model_id
from .targets import post, put_id, read_list

__all__ = [
    "get_last_working_file_revision",
    "get_last_working_files",
    "get_working_file",
    "get_working_files_for_task",
    "new_working_file",
]


@cached_function
def get_working_files_for_task(task: Model) -> list[dict[str, Any]]:
    return read_list(f"data/tasks/{model_id(task, 'task')}/working-files")


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
    put_id(body, "person_id", person)
    put_id(body, "software_id", software)
    return post(f"data/tasks/{task_id}/working-files/new", body)
