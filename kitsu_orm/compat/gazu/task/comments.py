"""gazu's task functions about comments: posting them (with attachments, in
batches), reading, editing, replying, acknowledging, moving and removing them;
and the project's notifications and subscriptions they cause.

Object-style: ``task.comment(text, status, attachments=[...])``,
``task.comments``, ``Comment.where(object_id=...)``, ``task.start()`` (see
docs/migration.md).
"""

from __future__ import annotations

import json
from typing import Any

from ....errors import ValidationError
from ..declare import finish, gazu_function, route
from ..exception import TaskStatusNotFoundException
from ..kitsu_client import KitsuClient, default_client
from ..memo import read
from ..rows import Model, model_id
from .common import Progress, as_text, ids_of, post, upload
from .statuses_types import get_task_status_by_short_name

__all__ = [
    "acknowledge_comment",
    "add_attachment_files_to_comment",
    "add_comment",
    "add_tasks_batch_comments",
    "all_comments_for_project",
    "all_comments_for_task",
    "all_notifications_for_project",
    "all_subscriptions_for_project",
    "batch_comments",
    "create_multiple_comments",
    "delete_comment_attachment",
    "delete_comment_reply",
    "get_comment",
    "get_last_comment_for_task",
    "move_comment_to_task",
    "remove_comment",
    "reply_to_comment",
    "start_task",
    "update_comment",
]

_COMMENT = "data/tasks/{task}/comments/{comment}"

# One request each: gazu's signature, the route, how the answer is shaped.
all_comments_for_task = route("GET data/tasks/{task}/comments", "task, client=default")
all_comments_for_project = route("GET data/projects/{project}/comments", "project, client=default")
all_notifications_for_project = route(
    "GET data/projects/{project}/notifications", "project, client=default"
)
all_subscriptions_for_project = route(
    "GET data/projects/{project}/subscriptions", "project, client=default"
)
get_comment = route("GET data/comments/{comment_id}", "comment_id, client=default")
remove_comment = route("DELETE data/comments/{comment}", "comment, client=default", answer=as_text)
update_comment = route(
    "PUT data/comments/{comment}", "comment, client=default", body=lambda a: a.comment
)
acknowledge_comment = route(
    f"POST {_COMMENT}/ack", "task, comment, client=default", body=lambda a: {}
)
reply_to_comment = route(
    f"POST {_COMMENT}/reply",
    "task, comment, text, person=None, client=default",
    body=lambda a: {
        "text": a.text,
        **({} if a.person is None else {"person_id": model_id(a.person, "person")}),
    },
)
delete_comment_attachment = route(
    f"DELETE {_COMMENT}/attachments/{{attachment_file}}",
    "task, comment, attachment_file, client=default",
    answer=as_text,
)
delete_comment_reply = route(
    f"DELETE {_COMMENT}/reply/{{reply}}", "task, comment, reply, client=default", answer=as_text
)
move_comment_to_task = route(
    "POST actions/tasks/{task}/comments/{comment}/move",
    "task, comment, target_task, client=default",
    body=lambda a: {"target_task_id": model_id(a.target_task, "target_task")},
)
add_tasks_batch_comments = route(
    "POST actions/tasks/batch-comment",
    "tasks, comments_data, client=default",
    body=lambda a: {
        "comments": [{**a.comments_data, "task_id": t} for t in ids_of(a.tasks, "task")]
    },
)


@gazu_function(cached=True)
def get_last_comment_for_task(
    task: Model, client: KitsuClient = default_client
) -> dict[str, Any] | None:
    """The task's newest comment, or None."""
    rows: list[dict[str, Any]] = read(f"data/tasks/{model_id(task, 'task')}/comments")
    return rows[0] if rows else None


@gazu_function
def add_comment(
    task: Model,
    task_status: Model,
    comment: str = "",
    person: Model | None = None,
    checklist: list[dict[str, Any]] | None = None,
    attachments: list[str] | None = None,
    created_at: str | None = None,
    links: list[str] | None = None,
    for_client: bool = False,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> dict[str, Any]:
    """Comment on a task, setting its status (each comment carries one); ``attachments``
    (file paths) go with it as a multipart form, streamed from disk."""
    data: dict[str, Any] = {
        "task_status_id": model_id(task_status, "task_status"),
        "comment": comment,
        "checklist": checklist or [],
        "links": links or [],
        "for_client": for_client,
    }
    if person is not None:
        data["person_id"] = model_id(person, "person")
    if created_at is not None:
        data["created_at"] = created_at
    path = f"actions/tasks/{model_id(task, 'task')}/comment"
    if not attachments:
        created: dict[str, Any] = post(path, data)
        return created
    # A form: Zou reads its lists as JSON text, and any text as a true flag.
    if not for_client:
        del data["for_client"]
    form = {k: json.dumps(v) if isinstance(v, list) else v for k, v in data.items()}
    *others, first = attachments  # gazu sends the last one as "file"
    files = [(f"file-{i}", name) for i, name in enumerate(others, start=1)]
    created = upload(path, first, data=form, files=files, progress_callback=progress_callback)
    return created


@gazu_function
def add_attachment_files_to_comment(
    task: Model,
    comment: Model,
    attachments: str | list[str] | None = None,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """Attach files (a path or a list of paths) to an existing comment."""
    paths = [attachments] if isinstance(attachments, str) else list(attachments or [])
    if not paths:
        raise ValidationError("add_attachment_files_to_comment: the attachments list is empty")
    path = (
        f"actions/tasks/{model_id(task, 'task')}/comments/"
        f"{model_id(comment, 'comment')}/add-attachment"
    )
    *others, first = paths
    files = [(f"file-{i}", name) for i, name in enumerate(others, start=1)]
    return upload(path, first, files=files, progress_callback=progress_callback)


def _comments_form(comments: list[dict[str, Any]]) -> tuple[dict[str, Any], list[Any]]:
    """The form of a batch of comments: the comments as JSON, and each one's
    attachment and preview files as ``<kind>-<comment>-<file>`` parts."""
    files = [
        (f"{kind[:-1]}-{x}-{y}", file_path)
        for x, comment in enumerate(comments)
        for kind in ("attachment_files", "preview_files")
        for y, file_path in enumerate(comment.get(kind) or [])
    ]
    return {"comments": json.dumps(comments)}, files


@gazu_function
def batch_comments(
    comments: list[dict[str, Any]] | None = None,
    task: Model | None = None,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> list[dict[str, Any]]:
    """Post several comments, with their attachments and previews, on one task (or
    each on its own ``task_id``) in one request."""
    where = "" if task is None else f"{model_id(task, 'task')}/"
    data, files = _comments_form(comments or [])
    created: list[dict[str, Any]] = upload(
        f"actions/tasks/{where}batch-comment",
        None,
        data=data,
        files=files,
        progress_callback=progress_callback,
    )
    return created


@gazu_function
def create_multiple_comments(
    project: Model,
    comments: list[dict[str, Any]] | None = None,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> list[dict[str, Any]]:
    """Post several comments (each with its ``task_id``) on a project's tasks in one request."""
    data, files = _comments_form(comments or [])
    created: list[dict[str, Any]] = upload(
        f"actions/projects/{model_id(project, 'project')}/tasks/comment-many",
        None,
        data=data,
        files=files,
        progress_callback=progress_callback,
    )
    return created


@gazu_function
def start_task(
    task: Model,
    started_task_status: Model | None = None,
    person: Model | None = None,
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """Set the task to work in progress (status short name ``wip`` unless given),
    with an empty comment."""
    if started_task_status is None:
        started_task_status = get_task_status_by_short_name("wip")
        if started_task_status is None:
            raise TaskStatusNotFoundException(
                "start_task: the server has no task status with short name 'wip': pass one"
            )
    return add_comment(task, started_task_status, person=person)


finish(globals())
