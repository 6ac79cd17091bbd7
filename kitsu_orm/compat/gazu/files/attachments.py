"""gazu's files functions about comment attachments and the avatars of people,
projects and organisations: read, download, upload (streamed, :mod:`.transfer`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..declare import finish, gazu_function, route
from ..kitsu_client import KitsuClient, default_client
from ..memo import read
from ..rows import Model, model_id
from .transfer import FilePath, Progress, download, upload

__all__ = [
    "download_attachment_file",
    "download_attachment_thumbnail",
    "download_organisation_avatar",
    "download_person_avatar",
    "download_project_avatar",
    "get_all_attachment_files_for_project",
    "get_all_attachment_files_for_task",
    "get_attachment_file",
    "get_attachment_thumbnail_url",
    "upload_organisation_avatar",
    "upload_person_avatar",
    "upload_project_avatar",
]

# One request each.
get_attachment_file = route(
    "GET data/attachment-files/{attachment_file_id}", "attachment_file_id, client=default"
)
get_all_attachment_files_for_task = route(
    "GET data/tasks/{task}/attachment-files", "task, client=default"
)
get_all_attachment_files_for_project = route(
    "GET data/projects/{project}/attachment-files", "project, client=default"
)


@gazu_function
def get_attachment_thumbnail_url(
    attachment_file: Model, client: KitsuClient = default_client
) -> str:
    """The path of the attachment's PNG thumbnail (no request)."""
    return (
        f"pictures/thumbnails/attachment-files/{model_id(attachment_file, 'attachment_file')}.png"
    )


@gazu_function
def download_attachment_file(
    attachment_file: Model,
    file_path: FilePath,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """Write the attached file to ``file_path`` (its row is read for its name)."""
    attachment_id = model_id(attachment_file, "attachment_file")
    row = read(f"data/attachment-files/{attachment_id}")
    path = f"data/attachment-files/{attachment_id}/file/{quote(row['name'], safe='')}"
    return download(path, file_path, progress_callback)


@gazu_function
def download_attachment_thumbnail(
    attachment_file: Model,
    file_path: FilePath,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """Write the attachment's PNG thumbnail to ``file_path``."""
    return download(get_attachment_thumbnail_url(attachment_file), file_path, progress_callback)


def _avatar(kind: str, model: Model) -> str:
    return f"pictures/thumbnails/{kind}/{model_id(model, kind.removesuffix('s'))}"


@gazu_function
def download_person_avatar(
    person: Model,
    file_path: FilePath,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """Write the person's avatar (PNG) to ``file_path``."""
    return download(f"{_avatar('persons', person)}.png", file_path, progress_callback)


@gazu_function
def upload_person_avatar(
    person: Model,
    file_path: FilePath,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> dict[str, str]:
    """Make the image at ``file_path`` the person's avatar; answers its ``thumbnail_path``."""
    answer: dict[str, str] = upload(_avatar("persons", person), file_path, progress_callback)
    return answer


@gazu_function
def download_project_avatar(
    project: Model,
    file_path: FilePath,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """Write the project's picture (PNG) to ``file_path``."""
    return download(f"{_avatar('projects', project)}.png", file_path, progress_callback)


@gazu_function
def upload_project_avatar(
    project: Model,
    file_path: FilePath,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> dict[str, str]:
    """Make the image at ``file_path`` the project's picture."""
    answer: dict[str, str] = upload(_avatar("projects", project), file_path, progress_callback)
    return answer


@gazu_function
def download_organisation_avatar(
    organisation: Model,
    file_path: FilePath,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> Any:
    """Write the organisation's logo (PNG) to ``file_path``."""
    return download(f"{_avatar('organisations', organisation)}.png", file_path, progress_callback)


@gazu_function
def upload_organisation_avatar(
    organisation: Model,
    file_path: FilePath,
    client: KitsuClient = default_client,
    progress_callback: Progress = None,
) -> dict[str, str]:
    """Make the image at ``file_path`` the organisation's logo."""
    path = _avatar("organisations", organisation)
    answer: dict[str, str] = upload(path, file_path, progress_callback)
    return answer


finish(globals())
