"""Entity classes, one module per corner of the domain. They know nothing of HTTP."""

from __future__ import annotations

from .attachments import AttachmentFile
from .base import REGISTRY, Entity, State
from .files import FileStatus, OutputFile, OutputType, Software, WorkingFile
from .inbox import Notification, SearchFilter, SearchFilterGroup, Subscription
from .people import DayOff, Department, Organisation, Person
from .playlists import Playlist, PlaylistEntry, PlaylistShareLink
from .previews import PreviewFile
from .production import (
    Asset,
    AssetInstance,
    AssetType,
    Concept,
    Edit,
    EntityRow,
    EntityType,
    Episode,
    Project,
    ProjectStatus,
    Scene,
    Sequence,
    Shot,
)
from .settings import Budget, MetadataDescriptor, Milestone, StatusAutomation
from .tasks import Comment, Task, TaskStatus, TaskType, TimeSpent

__all__ = [
    "REGISTRY",
    "Asset",
    "AssetInstance",
    "AssetType",
    "AttachmentFile",
    "Budget",
    "Comment",
    "Concept",
    "DayOff",
    "Department",
    "Edit",
    "Entity",
    "EntityRow",
    "EntityType",
    "Episode",
    "FileStatus",
    "MetadataDescriptor",
    "Milestone",
    "Notification",
    "Organisation",
    "OutputFile",
    "OutputType",
    "Person",
    "Playlist",
    "PlaylistEntry",
    "PlaylistShareLink",
    "PreviewFile",
    "Project",
    "ProjectStatus",
    "Scene",
    "SearchFilter",
    "SearchFilterGroup",
    "Sequence",
    "Shot",
    "Software",
    "State",
    "StatusAutomation",
    "Subscription",
    "Task",
    "TaskStatus",
    "TaskType",
    "TimeSpent",
    "WorkingFile",
]
