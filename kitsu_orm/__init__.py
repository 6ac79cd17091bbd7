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
    Comment,
    Department,
    Entity,
    Episode,
    FileStatus,
    OutputFile,
    OutputType,
    Person,
    Project,
    ProjectStatus,
    Scene,
    Sequence,
    Shot,
    Software,
    State,
    Task,
    TaskStatus,
    TaskType,
    TimeSpent,
    WorkingFile,
)
from .query import MultipleResultsFound, Query
from .retry import Retry
from .session import Session, cache_use, connect, current_session
from .user import User

if TYPE_CHECKING:
    from .transport import Tokens, Transport

__version__ = "0.1.0.dev0"

__all__ = [
    "Asset",
    "AssetInstance",
    "AssetType",
    "AuthenticationError",
    "Comment",
    "CommitError",
    "ConfigurationError",
    "ConflictError",
    "ConnectionError",
    "Department",
    "DetachedError",
    "Entity",
    "Episode",
    "FileStatus",
    "KitsuError",
    "LazyLoadError",
    "MultipleResultsFound",
    "NotFound",
    "OutputFile",
    "OutputType",
    "PermissionDenied",
    "Person",
    "Project",
    "ProjectStatus",
    "Query",
    "Retry",
    "Scene",
    "Sequence",
    "ServerError",
    "Session",
    "Shot",
    "Software",
    "State",
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

# requests costs ~0.1 s to import: load the transport only when first used,
# so that `import kitsu_orm` stays cheap for tools that may never connect.
_LAZY = {"Transport": "transport", "Tokens": "transport"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kitsu_orm' has no attribute {name!r}")
