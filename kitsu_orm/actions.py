"""Domain verbs that need the server, offered by the session: entity methods ask it.

Time spent on a day, file paths, revision numbers, a task's last working
files: these are verbs, not rows a unit of work could track. Each sends one
request through the session's transport, right away, and merges any rows that
come back into the session's identity map. ``task.working_file_path()`` asks
the task's session for its :class:`Actions` (``session.actions``) and calls
the verb there, so that model/ imports neither this module nor the transport:
the entity classes stay below everything that talks to the server.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import ValidationError
from .model.arguments import day_string, optional_id, saved_id
from .model.base import Entity
from .model.files import FileStatus, OutputFile, OutputType, Software, WorkingFile, join_path
from .model.production import AssetInstance, EntityRow
from .model.tasks import Task, TaskType, TimeSpent
from .routes import ACTIONS, FILE_TARGETS, file_route
from .urls import fill

if TYPE_CHECKING:
    from .session import Session

__all__ = ["Actions", "file_target", "merge_rows", "output_file_filters"]

E = TypeVar("E", bound=Entity)


def merge_rows(session: Session, cls: type[E], rows: Iterable[dict[str, Any]]) -> list[E]:
    """Rows an action answered, as the session's objects, loaded together as one batch."""
    from .loading import group_of

    return group_of(session.identity.merge_row(cls, row) for row in rows)  # type: ignore[return-value]


class Actions:
    """The verbs of one session that need the server: what ``session.actions`` gives
    an entity method (``Task.time_spents_on``, ``OutputFile.build_path``...)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- tasks ------------------------------------------------------------------------------

    def time_spents_on(self, task: Task, day: date | str) -> list[TimeSpent]:
        """Everyone's time spent on ``task`` on one day (``Task.time_spents_on``)."""
        path = fill(ACTIONS["time_spents_on"], task_id=_task_id(task), date=day_string(day))
        body = self.session.transport.get(path)
        rows = [r for key, rs in body.items() if key != "total" for r in rs]
        return merge_rows(self.session, TimeSpent, rows)

    def last_working_files(self, task: Task) -> dict[str, WorkingFile]:
        """The last revision of each working file of ``task``, by name."""
        path = fill(ACTIONS["last_working_files"], task_id=_task_id(task))
        body: dict[str, dict[str, Any]] = self.session.transport.get(path)
        files = merge_rows(self.session, WorkingFile, body.values())
        return {f.name: f for f in files}

    def working_file_path(
        self, task: Task, name: str, software: Software | None, revision: int, mode: str, sep: str
    ) -> str:
        """Where the project's file tree puts a working file of ``task``."""
        body: dict[str, Any] = {"name": name, "mode": mode, "revision": revision, "sep": sep}
        software_id = optional_id(software, Software, "working_file_path")
        if software_id is not None:
            body["software_id"] = software_id
        path = fill(ACTIONS["working_file_path"], task_id=_task_id(task))
        answer = self.session.transport.post(path, body)
        return join_path(answer["path"], answer["name"], sep)

    # -- output files -----------------------------------------------------------------------

    def output_types_used_by(
        self, target: Entity, temporal_entity: Entity | None
    ) -> list[OutputType]:
        """The output types of the output files of an entity, or of an asset instance
        in a shot or scene (``OutputType.used_by``)."""
        rows = self.session.transport.get(_file_path("output_types", target, temporal_entity))
        return merge_rows(self.session, OutputType, rows)

    def last_output_revisions(
        self,
        target: Entity,
        temporal_entity: Entity | None,
        output_type: OutputType | None,
        task_type: TaskType | None,
        name: str | None,
        representation: str | None,
        file_status: FileStatus | None,
    ) -> list[OutputFile]:
        """The last revision of each output file of ``target``, filtered."""
        params = output_file_filters(output_type, task_type, name, representation, file_status)
        path = _file_path("last_revisions", target, temporal_entity)
        body = self.session.transport.get(path, params)
        rows = body.values() if isinstance(body, dict) else body
        return merge_rows(self.session, OutputFile, rows)

    def next_output_revision(
        self,
        target: Entity,
        output_type: OutputType,
        task_type: TaskType,
        name: str,
        temporal_entity: Entity | None,
    ) -> int:
        """The revision number the next output file of this name and types gets."""
        body = {
            "name": name,
            "output_type_id": saved_id(output_type, OutputType, "next_revision"),
            "task_type_id": saved_id(task_type, TaskType, "next_revision"),
        }
        path = _file_path("next_revision", target, temporal_entity)
        return int(self.session.transport.post(path, body)["next_revision"])

    def output_file_path(
        self,
        target: Entity,
        output_type: OutputType,
        task_type: TaskType,
        temporal_entity: Entity | None,
        options: dict[str, Any],
    ) -> str:
        """Where the project's file tree puts an output file (``OutputFile.build_path``);
        ``options`` are the name, mode, representation, revision, nb_elements and sep."""
        sep = options["sep"]
        body = {
            "output_type_id": saved_id(output_type, OutputType, "build_path"),
            "task_type_id": saved_id(task_type, TaskType, "build_path"),
            **{k: v for k, v in options.items() if k != "sep"},
            "separator": sep,
        }
        path = _file_path("output_file_path", target, temporal_entity)
        answer = self.session.transport.post(path, body)
        return join_path(answer["folder_path"], answer["file_name"], sep)


def _task_id(task: Task) -> str:
    return saved_id(task, Task, "this action")


def file_target(target: Entity, temporal_entity: Entity | None = None) -> str:
    """The route prefix of what output files hang on: an entity, or an asset
    instance in a shot or scene."""
    kind, ids = _target_ids(target, temporal_entity)
    return fill(FILE_TARGETS[kind], **ids)


def _file_path(action: str, target: Entity, temporal_entity: Entity | None) -> str:
    kind, ids = _target_ids(target, temporal_entity)
    return fill(file_route(kind, action), **ids)


def _target_ids(target: Entity, temporal_entity: Entity | None) -> tuple[str, dict[str, str]]:
    if isinstance(target, AssetInstance):
        if temporal_entity is None:
            raise ValidationError(
                "an asset instance's output files belong to a shot or scene: pass temporal_entity"
            )
        return "instance", {
            "asset_instance_id": saved_id(target, AssetInstance, "output files"),
            "temporal_entity_id": saved_id(temporal_entity, EntityRow, "temporal_entity"),
        }
    return "entity", {"entity_id": saved_id(target, EntityRow, "output files")}


def output_file_filters(
    output_type: Entity | None = None,
    task_type: Entity | None = None,
    name: str | None = None,
    representation: str | None = None,
    file_status: Entity | None = None,
) -> dict[str, str]:
    """Query parameters of the output-file list routes; None leaves a filter out."""
    values = {
        "output_type_id": optional_id(output_type, OutputType, "output_type"),
        "task_type_id": optional_id(task_type, TaskType, "task_type"),
        "file_status_id": optional_id(file_status, FileStatus, "file_status"),
        "name": name,
        "representation": representation,
    }
    return {k: v for k, v in values.items() if v}
