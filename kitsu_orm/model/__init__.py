"""Entity classes, one module per corner of the domain. They know nothing of HTTP."""

from __future__ import annotations

from .base import REGISTRY, Entity, State
from .files import FileStatus, OutputFile, OutputType, Software, WorkingFile
from .people import DayOff, Department, Organisation, Person
from .playlists import Playlist, PlaylistEntry
from .previews import PreviewFile
from .production import (
    Asset,
    AssetInstance,
    AssetType,
    EntityRow,
    EntityType,
    Episode,
    Project,
    ProjectStatus,
    Scene,
    Sequence,
    Shot,
)
from .settings import Budget, MetadataDescriptor, StatusAutomation
from .tasks import Comment, Task, TaskStatus, TaskType, TimeSpent

__all__ = [
    "REGISTRY",
    "Asset",
    "AssetInstance",
    "AssetType",
    "Budget",
    "Comment",
    "DayOff",
    "Department",
    "Entity",
    "EntityRow",
    "EntityType",
    "Episode",
    "FileStatus",
    "MetadataDescriptor",
    "Organisation",
    "OutputFile",
    "OutputType",
    "Person",
    "Playlist",
    "PlaylistEntry",
    "PreviewFile",
    "Project",
    "ProjectStatus",
    "Scene",
    "Sequence",
    "Shot",
    "Software",
    "State",
    "StatusAutomation",
    "Task",
    "TaskStatus",
    "TaskType",
    "TimeSpent",
    "WorkingFile",
]
