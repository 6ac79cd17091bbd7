"""Files: softwares, output types, file statuses, working and output files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .arguments import session_of
from .base import Entity, entity
from .fields import DEFAULT_FILE_NAME, sized
from .labels import Column, Shown
from .production import AssetInstance, EntityRow
from .relationships import ToOne

if TYPE_CHECKING:
    from .people import Person
    from .tasks import Task, TaskType

__all__ = [
    "FileStatus",
    "OutputFile",
    "OutputType",
    "Software",
    "WorkingFile",
    "join_path",
]


@entity("Software", reference=True, level=0, natural_key=("name",))
class Software(Entity):
    """A program files are made with: its extension names working files."""

    __shown__ = Shown("name", details=("version",))
    name: str = sized(40, "")
    short_name: str | None = sized(20)
    file_extension: str | None = sized(20)
    secondary_extensions: list[str] | None = None
    version: str | None = sized(20)
    archived: bool = False


@entity("OutputType", reference=True, level=0, natural_key=("name",))
class OutputType(Entity):
    """What an output file holds (Cache, Render...): a studio-wide reference table."""

    name: str = sized(40, "")
    short_name: str | None = sized(20)

    @classmethod
    def used_by(cls, target: Entity, temporal_entity: Entity | None = None) -> list[OutputType]:
        """The output types of the output files of an entity, or of an asset
        instance in a shot or scene (``temporal_entity``)."""
        return session_of(None, target).actions.output_types_used_by(target, temporal_entity)


@entity("FileStatus", reference=True, level=0, natural_key=("name",))
class FileStatus(Entity):
    """A file's review state (studio-wide reference table)."""

    name: str = sized(40, "")
    color: str | None = sized(7)


@entity("WorkingFile", level=7, natural_key=("name", "entity_id", "task_id", "person_id"))
class WorkingFile(Entity):
    """A revision of a task's work-in-progress file; Zou builds its path from the file tree."""

    __shown__ = Shown("name", Column("revision", fmt="v{}"), details=("software.name",))
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


@entity("OutputFile", level=8, natural_key=("name", "entity_id", "task_type_id", "person_id"))
class OutputFile(Entity):
    """A published file of an entity or asset instance, numbered by revision."""

    __shown__ = Shown(
        "name",
        Column("revision", fmt="v{}"),
        details=("output_type.name", "task_type.name"),
    )
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
        return session_of(None, target).actions.last_output_revisions(
            target, temporal_entity, output_type, task_type, name, representation, file_status
        )

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
        actions = session_of(None, target).actions
        return actions.next_output_revision(target, output_type, task_type, name, temporal_entity)

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
        options = {
            "name": name,
            "mode": mode,
            "representation": representation,
            "revision": revision,
            "nb_elements": nb_elements,
            "sep": sep,
        }
        actions = session_of(None, target).actions
        return actions.output_file_path(target, output_type, task_type, temporal_entity, options)


def join_path(folder: str, file_name: str, sep: str) -> str:
    """A path the path routes answered in two parts, spaces made underscores (as gazu does)."""
    return f"{folder.replace(' ', '_')}{sep}{file_name.replace(' ', '_')}"
