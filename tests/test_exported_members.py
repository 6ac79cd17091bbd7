"""The public face of kitsu_orm: ``__all__`` pinned, so that a name is added or
removed on purpose (the habit of httpx's ``tests/test_exported_members.py``)."""

from __future__ import annotations

import kitsu_orm

EXPORTED = [
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


def test_all_is_the_pinned_sorted_list() -> None:
    assert sorted(kitsu_orm.__all__) == EXPORTED
    assert kitsu_orm.__all__ == sorted(kitsu_orm.__all__), "keep __all__ sorted"


def test_every_exported_name_resolves_and_is_listed_by_dir() -> None:
    for name in EXPORTED:
        assert getattr(kitsu_orm, name) is not None, name
    assert set(EXPORTED) <= set(dir(kitsu_orm))


def test_no_public_name_is_left_out_of_all() -> None:
    """Every public class or function of kitsu_orm's own that the package's
    namespace holds is exported (submodules and typing helpers are not API)."""
    public = {
        name
        for name, value in vars(kitsu_orm).items()
        if not name.startswith("_")
        and callable(value)
        and str(getattr(value, "__module__", "")).startswith("kitsu_orm")
    }
    assert public <= set(EXPORTED), sorted(public - set(EXPORTED))
