"""Files: softwares, output types, file statuses, working and output files."""

from __future__ import annotations

from typing import Any

from .base import Entity, entity
from .relationships import ToOne

__all__ = ["FileStatus", "OutputFile", "OutputType", "Software", "WorkingFile"]


@entity("Software", reference=True)
class Software(Entity):
    name: str = ""
    short_name: str | None = None
    file_extension: str | None = None
    secondary_extensions: list[str] | None = None
    version: str | None = None
    archived: bool = False


@entity("OutputType", reference=True)
class OutputType(Entity):
    name: str = ""
    short_name: str | None = None


@entity("FileStatus", reference=True)
class FileStatus(Entity):
    name: str = ""
    color: str | None = None


@entity("WorkingFile")
class WorkingFile(Entity):
    name: str = ""
    comment: str | None = None
    revision: int | None = None
    size: int | None = None
    checksum: int | None = None
    path: str | None = None
    data: dict[str, Any] | None = None
    task_id: str | None = None
    entity_id: str | None = None
    person_id: str | None = None
    software_id: str | None = None

    task = ToOne("Task", "task_id", scope=None)
    software = ToOne("Software", "software_id", scope=None)
    person = ToOne("Person", "person_id", scope=None)


@entity("OutputFile")
class OutputFile(Entity):
    name: str = ""
    canceled: bool = False
    size: int | None = None
    checksum: str | None = None
    description: str | None = None
    comment: str | None = None
    extension: str | None = None
    revision: int | None = None
    representation: str | None = None
    nb_elements: int | None = None
    source: str | None = None
    path: str | None = None
    data: dict[str, Any] | None = None
    file_status_id: str | None = None
    entity_id: str | None = None
    asset_instance_id: str | None = None
    output_type_id: str | None = None
    task_type_id: str | None = None
    person_id: str | None = None
    source_file_id: str | None = None
    temporal_entity_id: str | None = None

    file_status = ToOne("FileStatus", "file_status_id", scope=None)
    output_type = ToOne("OutputType", "output_type_id", scope=None)
    task_type = ToOne("TaskType", "task_type_id", scope=None)
    person = ToOne("Person", "person_id", scope=None)
    source_file = ToOne("WorkingFile", "source_file_id", scope=None)
