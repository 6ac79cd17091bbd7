"""kitsu_orm: an object-relational client for Kitsu, the production tracker.

::

    import kitsu_orm as kitsu
    session = kitsu.connect("https://kitsu.studio", "me@studio.com", "secret")
    for shot in kitsu.Shot.where(project=project).include("tasks.task_status"):
        ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    AlreadyExists,
    AuthenticationError,
    CommitError,
    ConfigurationError,
    ConflictError,
    ConnectionError,
    DetachedError,
    KitsuError,
    LazyLoadError,
    NotFound,
    PermissionDenied,
    ServerError,
    Timeout,
    ValidationError,
)
from .filetree import file_tree, file_tree_names
from .model import (
    Asset,
    AssetInstance,
    AssetType,
    AttachmentFile,
    Budget,
    Comment,
    Concept,
    DayOff,
    Department,
    Edit,
    Entity,
    EntityType,
    Episode,
    FileStatus,
    MetadataDescriptor,
    Milestone,
    Notification,
    Organisation,
    OutputFile,
    OutputType,
    Person,
    Playlist,
    PlaylistEntry,
    PlaylistShareLink,
    PreviewFile,
    Project,
    ProjectStatus,
    Scene,
    SearchFilter,
    SearchFilterGroup,
    Sequence,
    Shot,
    Software,
    State,
    StatusAutomation,
    Subscription,
    Task,
    TaskStatus,
    TaskType,
    TimeSpent,
    WorkingFile,
)
from .retry import Retry

if TYPE_CHECKING:
    from .auth import Tokens
    from .display import ResultList
    from .query import MultipleResultsFound, Query
    from .session import Session, cache_use, connect, current_session
    from .transport import Transport
    from .user import User

__version__ = "0.1.0.dev0"

__all__ = [
    "AlreadyExists",
    "Asset",
    "AssetInstance",
    "AssetType",
    "AttachmentFile",
    "AuthenticationError",
    "Budget",
    "Comment",
    "CommitError",
    "Concept",
    "ConfigurationError",
    "ConflictError",
    "ConnectionError",
    "DayOff",
    "Department",
    "DetachedError",
    "Edit",
    "Entity",
    "EntityType",
    "Episode",
    "FileStatus",
    "KitsuError",
    "LazyLoadError",
    "MetadataDescriptor",
    "Milestone",
    "MultipleResultsFound",
    "NotFound",
    "Notification",
    "Organisation",
    "OutputFile",
    "OutputType",
    "PermissionDenied",
    "Person",
    "Playlist",
    "PlaylistEntry",
    "PlaylistShareLink",
    "PreviewFile",
    "Project",
    "ProjectStatus",
    "Query",
    "ResultList",
    "Retry",
    "Scene",
    "SearchFilter",
    "SearchFilterGroup",
    "Sequence",
    "ServerError",
    "Session",
    "Shot",
    "Software",
    "State",
    "StatusAutomation",
    "Subscription",
    "Task",
    "TaskStatus",
    "TaskType",
    "TimeSpent",
    "Timeout",
    "Tokens",
    "Transport",
    "User",
    "ValidationError",
    "WorkingFile",
    "__version__",
    "cache_use",
    "connect",
    "current_session",
    "file_tree",
    "file_tree_names",
]

# `import kitsu_orm` loads what the entity classes need, no more, so that it
# stays cheap for tools that may never connect: the session (with its loader,
# queries and progress bars) loads on first use of one of these names, and
# the transport on first connection (requests costs ~0.1 s to import).
_LAZY = {
    "MultipleResultsFound": "query",
    "Query": "query",
    "ResultList": "display",
    "Session": "session",
    "cache_use": "session",
    "connect": "session",
    "current_session": "session",
    "Tokens": "auth",
    "Transport": "transport",
    "User": "user",
}
# Submodules that `import kitsu_orm` used to load, still reachable as attributes
# (and `context`, for `kitsu.context.set_default(...)`).
_SUBMODULES = frozenset({"context", "loading", "progress", "query", "session", "user"})


def __getattr__(name: str) -> Any:
    from importlib import import_module

    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module 'kitsu_orm' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
