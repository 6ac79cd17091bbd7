"""Files: softwares, output types, file statuses, working and output files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ValidationError
from ..routes import FILE_TARGETS
from ..urls import fill
from .actions import merge_rows, optional_id, saved_id, session_of
from .base import Entity, entity
from .fields import DEFAULT_FILE_NAME, sized
from .production import AssetInstance, EntityRow
from .relationships import ToOne
from .tasks import TaskType

if TYPE_CHECKING:
    from .people import Person
    from .tasks import Task

__all__ = [
    "FileStatus",
    "OutputFile",
    "OutputType",
    "Software",
    "WorkingFile",
    "file_target",
    "join_path",
]


@entity("Software", reference=True)
class Software(Entity):
    name: str = sized(40, "")
    short_name: str | None = sized(20)
    file_extension: str | None = sized(20)
    secondary_extensions: list[str] | None = None
    version: str | None = sized(20)
    archived: bool = False


@entity("OutputType", reference=True)
class OutputType(Entity):
    name: str = sized(40, "")
    short_name: str | None = sized(20)

    @classmethod
    def used_by(cls, target: Entity, temporal_entity: Entity | None = None) -> list[OutputType]:
        """The output types of the output files of an entity, or of an asset
        instance in a shot or scene (``temporal_entity``)."""
        session = session_of(None, target)
        rows = session.transport.get(f"{file_target(target, temporal_entity)}/output-types")
        return merge_rows(session, cls, rows)


@entity("FileStatus", reference=True)
class FileStatus(Entity):
    name: str = sized(40, "")
    color: str | None = sized(7)


@entity("WorkingFile")
class WorkingFile(Entity):
    name: str = sized(250, DEFAULT_FILE_NAME)
    comment: str | None = None
    revision: int | None = None
    size: int | None = None
    checksum: int | None = None
    path: str | None = sized(400)
    data: dict[str, Any] | None = None
    task_id: str | None = None
    entity_id: str | None = None
    person_id: str | None = None
    software_id: str | None = None

    task: ToOne[Task] = ToOne("Task", "task_id", scope=None)
    software: ToOne[Software] = ToOne("Software", "software_id", scope=None)
    person: ToOne[Person] = ToOne("Person", "person_id", scope=None)


@entity("OutputFile")
class OutputFile(Entity):
    name: str = sized(250, DEFAULT_FILE_NAME)
    canceled: bool = False
    size: int | None = None
    checksum: str | None = sized(32)
    description: str | None = None
    comment: str | None = None
    extension: str | None = sized(10)
    revision: int | None = None
    representation: str | None = sized(20)
    nb_elements: int | None = None
    source: str | None = sized(40)
    path: str | None = sized(400)
    data: dict[str, Any] | None = None
    file_status_id: str | None = None
    entity_id: str | None = None
    asset_instance_id: str | None = None
    output_type_id: str | None = None
    task_type_id: str | None = None
    person_id: str | None = None
    source_file_id: str | None = None
    temporal_entity_id: str | None = None

    file_status: ToOne[FileStatus] = ToOne("FileStatus", "file_status_id", scope=None)
    output_type: ToOne[OutputType] = ToOne("OutputType", "output_type_id", scope=None)
    task_type: ToOne[TaskType] = ToOne("TaskType", "task_type_id", scope=None)
    person: ToOne[Person] = ToOne("Person", "person_id", scope=None)
    source_file: ToOne[WorkingFile] = ToOne("WorkingFile", "source_file_id", scope=None)
    entity: ToOne[EntityRow] = ToOne("EntityRow", "entity_id", scope=None)
    asset_instance: ToOne[AssetInstance] = ToOne("AssetInstance", "asset_instance_id", scope=None)
    temporal_entity: ToOne[EntityRow] = ToOne("EntityRow", "temporal_entity_id", scope=None)

    # An output file hangs on an entity (``entity=shot``), or on an asset
    # instance as seen in a shot or scene (``asset_instance=i, temporal_entity=shot``).
    # Create one with session.add(OutputFile(entity=..., output_type=..., task_type=...)).

    @classmethod
    def last_revisions(
        cls,
        target: Entity,
        temporal_entity: Entity | None = None,
        *,
        output_type: OutputType | None = None,
        task_type: TaskType | None = None,
        name: str | None = None,
        representation: str | None = None,
        file_status: FileStatus | None = None,
    ) -> list[OutputFile]:
        """The last revision of each output file of ``target``, filtered."""
        session = session_of(None, target)
        params = output_file_filters(output_type, task_type, name, representation, file_status)
        path = f"{file_target(target, temporal_entity)}/output-files/last-revisions"
        body = session.transport.get(path, params)
        return merge_rows(session, cls, body.values() if isinstance(body, dict) else body)

    @classmethod
    def next_revision(
        cls,
        target: Entity,
        output_type: OutputType,
        task_type: TaskType,
        name: str = DEFAULT_FILE_NAME,
        temporal_entity: Entity | None = None,
    ) -> int:
        """The revision number the next output file of this name, type and task type gets."""
        session = session_of(None, target)
        body = {
            "name": name,
            "output_type_id": saved_id(output_type, OutputType, "next_revision"),
            "task_type_id": saved_id(task_type, TaskType, "next_revision"),
        }
        path = f"{file_target(target, temporal_entity)}/output-files/next-revision"
        return int(session.transport.post(path, body)["next_revision"])

    @classmethod
    def last_revision(
        cls,
        target: Entity,
        output_type: OutputType,
        task_type: TaskType,
        name: str = DEFAULT_FILE_NAME,
        temporal_entity: Entity | None = None,
    ) -> int:
        """The last revision number (0 when there is none yet)."""
        return cls.next_revision(target, output_type, task_type, name, temporal_entity) - 1

    @classmethod
    def build_path(
        cls,
        target: Entity,
        output_type: OutputType,
        task_type: TaskType,
        *,
        temporal_entity: Entity | None = None,
        name: str = DEFAULT_FILE_NAME,
        mode: str = "output",
        representation: str = "",
        revision: int = 0,
        nb_elements: int = 1,
        sep: str = "/",
    ) -> str:
        """Where the project's file tree puts such an output file."""
        session = session_of(None, target)
        body = {
            "output_type_id": saved_id(output_type, OutputType, "build_path"),
            "task_type_id": saved_id(task_type, TaskType, "build_path"),
            "name": name,
            "mode": mode,
            "representation": representation,
            "revision": revision,
            "nb_elements": nb_elements,
            "separator": sep,
        }
        path = f"{file_target(target, temporal_entity)}/output-file-path"
        answer = session.transport.post(path, body)
        return join_path(answer["folder_path"], answer["file_name"], sep)


def file_target(target: Entity, temporal_entity: Entity | None = None) -> str:
    """The route prefix of what output files hang on: an entity, or an asset
    instance in a shot or scene."""
    if isinstance(target, AssetInstance):
        if temporal_entity is None:
            raise ValidationError(
                "an asset instance's output files belong to a shot or scene: pass temporal_entity"
            )
        return fill(
            FILE_TARGETS["instance"],
            asset_instance_id=saved_id(target, AssetInstance, "output files"),
            temporal_entity_id=saved_id(temporal_entity, EntityRow, "temporal_entity"),
        )
    return fill(FILE_TARGETS["entity"], entity_id=saved_id(target, EntityRow, "output files"))


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


def join_path(folder: str, file_name: str, sep: str) -> str:
    """A path the path routes answered in two parts, spaces made underscores (as gazu does)."""
    return f"{folder.replace(' ', '_')}{sep}{file_name.replace(' ', '_')}"
