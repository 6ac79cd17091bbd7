"""gazu's task functions about previews: records added to a comment, their files
uploaded, published with a comment, made an entity's main preview, listed, removed.

Object-style: ``task.comment(text, status, previews=["v003.png"])`` (records and
uploads in one commit, resumable), ``comment.previews``, ``task.previews``,
``shot.preview_file = preview`` (see docs/migration.md).
"""

from __future__ import annotations

import contextlib
from typing import Any

from ....errors import ValidationError
from ....routes import PREVIEWS
from ....urls import fill
from ..declare import finish, gazu_function, route
from ..kitsu_client import KitsuClient, default_client
from ..rows import Model, model_id
from .comments import add_comment
from .common import Progress, as_text, fetched, upload

__all__ = [
    "add_extra_preview",
    "add_preview",
    "all_preview_files_for_project",
    "all_previews_for_task",
    "create_extra_preview",
    "create_preview",
    "publish_preview",
    "remove_preview_from_comment",
    "set_main_preview",
    "upload_preview_file",
]

_ON_COMMENT = "actions/tasks/{task}/comments/{comment}"

# One request each: gazu's signature, the route, how the answer is shaped.
all_previews_for_task = route("GET data/tasks/{task}/previews", "task, client=default")
all_preview_files_for_project = route(
    "GET data/projects/{project}/preview-files", "project, client=default"
)
create_preview = route(
    f"POST {_ON_COMMENT}/add-preview",
    "task, comment, revision=None, client=default",
    body=lambda a: {} if a.revision is None else {"revision": a.revision},
)
create_extra_preview = route(
    f"POST {_ON_COMMENT}/preview-files/{{preview_file}}",
    "task, comment, preview_file, client=default",
    body=lambda a: {},
)
remove_preview_from_comment = route(
    f"DELETE {_ON_COMMENT}/preview-files/{{preview_file}}",
    "task, comment, preview_file, client=default",
    answer=as_text,
)
set_main_preview = route(
    "PUT actions/preview-files/{preview_file}/set-main-preview",
    "preview_file, frame_number=None, client=default",
    body=lambda a: {} if a.frame_number is None else {"frame_number": a.frame_number},
)


@gazu_function
def upload_preview_file(
    preview_file: Model,
    file_path: str,
    normalize_movie: bool = True,
    no_job: bool = False,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> dict[str, Any]:
    """Upload the file of a preview record, streamed from disk; answers the record
    as the server left it (``processing`` until its variants are built, unless
    ``no_job``)."""
    path = fill(PREVIEWS["upload"], preview_file_id=model_id(preview_file, "preview_file"))
    options = ([] if normalize_movie else ["normalize=false"]) + (["no_job=true"] if no_job else [])
    if options:
        path += "?" + "&".join(options)
    uploaded: dict[str, Any] = upload(path, file_path, progress_callback=progress_callback)
    return uploaded


def _source(path: str | None, url: str | None, what: str) -> contextlib.AbstractContextManager[str]:
    """The local file to upload: ``path``, else ``url`` fetched for the time of the upload."""
    if path is not None:
        return contextlib.nullcontext(path)
    if url is not None:
        return fetched(url)
    raise ValidationError(f"{what}: give preview_file_path or preview_file_url")


@gazu_function
def add_preview(
    task: Model,
    comment: Model,
    preview_file_path: str | None = None,
    preview_file_url: str | None = None,
    normalize_movie: bool = True,
    revision: int | None = None,
    no_job: bool = False,
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """Add a preview record to a comment, then upload its file (or the file at
    ``preview_file_url``); answers the record as the upload left it."""
    with _source(preview_file_path, preview_file_url, "add_preview") as source:
        record = create_preview(task, comment, revision=revision)
        return upload_preview_file(record, source, normalize_movie=normalize_movie, no_job=no_job)


@gazu_function
def add_extra_preview(
    task: Model,
    comment: Model,
    preview_file: Model,
    preview_file_path: str | None = None,
    preview_file_url: str | None = None,
    normalize_movie: bool = True,
    no_job: bool = False,
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """Add one more preview to a comment's revision (the one of ``preview_file``),
    then upload its file."""
    with _source(preview_file_path, preview_file_url, "add_extra_preview") as source:
        record = create_extra_preview(task, comment, preview_file)
        return upload_preview_file(record, source, normalize_movie=normalize_movie, no_job=no_job)


@gazu_function
def publish_preview(
    task: Model,
    task_status: Model,
    comment: str = "",
    person: Model | None = None,
    checklist: list[dict[str, Any]] | None = None,
    attachments: list[str] | None = None,
    created_at: str | None = None,
    preview_file_path: str | None = None,
    preview_file_url: str | None = None,
    normalize_movie: bool = True,
    revision: int | None = None,
    set_thumbnail: bool = False,
    links: list[str] | None = None,
    client: KitsuClient = default_client,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A comment setting the task's status, a preview added to it and uploaded, and
    with ``set_thumbnail`` that preview made its entity's main one; answers
    ``(comment, preview file)``."""
    new_comment = add_comment(
        task,
        task_status,
        comment,
        person=person,
        checklist=checklist,
        attachments=attachments,
        created_at=created_at,
        links=links,
    )
    preview = add_preview(
        task,
        new_comment,
        preview_file_path=preview_file_path,
        preview_file_url=preview_file_url,
        normalize_movie=normalize_movie,
        revision=revision,
    )
    if set_thumbnail:
        set_main_preview(preview)
    return new_comment, preview


finish(globals())
