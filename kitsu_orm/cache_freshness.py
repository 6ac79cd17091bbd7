"""What outdates a cached answer: its lifetime, your own writes, other people's.

- **Lifetimes.** Reference tables (:data:`REFERENCE_TYPES`: task types and
  statuses, asset types, departments, softwares...) change rarely and keep a
  long time-to-live; production data a short one.
- **Your own writes** outdate every answer about the types written, and
  (:data:`NAMES_SHOWN_BY`) about the types whose rows show their names.
- **Other people's writes** reach the cache through Zou's event log:
  :func:`event_types` reads which types its events name; a namespace looks at
  it again once its last look (:func:`event_mark`) is ``events_interval`` old
  (:func:`look_is_due`).
- **Types no event names** (:data:`UNCACHED_TYPES`) are never stored: another
  process's change to them could not outdate a stored answer, so their reads go
  to the server each time (:func:`cacheable`); a session still keeps one object
  per id.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "EVENT_TYPES",
    "NAMES_SHOWN_BY",
    "REFERENCE_TYPES",
    "UNCACHED_TYPES",
    "cacheable",
    "event_mark",
    "event_types",
    "look_is_due",
]

# Served for the reference time-to-live; every other type for the production one.
REFERENCE_TYPES = frozenset(
    {
        "TaskType",
        "TaskStatus",
        "AssetType",
        "EntityType",
        "Department",
        "Software",
        "OutputType",
        "FileStatus",
        "ProjectStatus",
    }
)

# Rows carry the names of other rows (a shot its ``sequence_name``, an asset its
# ``asset_type_name``...): renaming one outdates the answers that show it.
NAMES_SHOWN_BY: dict[str, tuple[str, ...]] = {
    "Project": ("EntityRow", "Episode", "Sequence", "Shot", "Scene", "Asset"),
    "Episode": ("Sequence", "Shot"),
    "Sequence": ("Shot", "Scene"),
    "AssetType": ("Asset",),
}


# Types whose changes Zou 1.0.97 announces by no event: a comment's attachment files
# (added and removed through the comment routes, which emit nothing about them), the
# user's saved filters and groups, task subscriptions and playlist share links (their
# routes emit none).
UNCACHED_TYPES = frozenset(
    {"AttachmentFile", "PlaylistShareLink", "SearchFilter", "SearchFilterGroup", "Subscription"}
)


def cacheable(type_name: str) -> bool:
    """Whether answers about ``type_name`` (``"Shot+Task"`` for both) may be stored."""
    return not UNCACHED_TYPES.intersection(type_name.split("+"))


# The type each kind of event names (``task:update`` names a Task, by ``task_id``).
EVENT_TYPES = {
    "project": "Project",
    "person": "Person",
    "department": "Department",
    "asset-type": "AssetType",
    "asset": "Asset",
    "asset-instance": "AssetInstance",
    "episode": "Episode",
    "sequence": "Sequence",
    "shot": "Shot",
    "scene": "Scene",
    "edit": "Edit",
    "concept": "Concept",
    "task-type": "TaskType",
    "task-status": "TaskStatus",
    "task": "Task",
    "comment": "Comment",
    "time-spent": "TimeSpent",
    "software": "Software",
    "output-type": "OutputType",
    "file-status": "FileStatus",
    "working-file": "WorkingFile",
    "output-file": "OutputFile",
    "preview-file": "PreviewFile",
    "playlist": "Playlist",
    "notification": "Notification",
    "milestone": "Milestone",
}
_ENTITY_ROWS = ("Asset", "Episode", "Sequence", "Shot", "Scene")


def event_types(events: Iterable[Mapping[str, Any]], *, limit: int) -> tuple[set[str], bool]:
    """The cached types Zou's events say changed, and whether the list is complete.

    An event of a kind not known here, or a full page (more may be missing),
    makes the answer incomplete: the caller then forgets everything.
    """
    rows = list(events)
    types: set[str] = set()
    complete = len(rows) < limit
    for event in rows:
        kind = str(event.get("name", "")).split(":", 1)[0]
        name = EVENT_TYPES.get(kind)
        if name is None:
            complete = complete and kind == "news"
            continue
        types.add(name)
        if name in _ENTITY_ROWS:
            types.update({"EntityRow", "Casting"})
    return types, complete


def event_mark() -> str:
    """Now, as the mark of an event-log look: where the next look starts (``after``, in
    the seconds Zou's route accepts, UTC as its log is)."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    return now.isoformat(timespec="seconds")


def look_is_due(mark: str | None, interval: float) -> bool:
    """Whether a namespace whose last look is ``mark`` (None: never) looks again now."""
    if mark is None:
        return True
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    try:
        return (now - datetime.datetime.fromisoformat(mark)).total_seconds() >= interval
    except (TypeError, ValueError):
        return True  # unreadable (or not ours): look again
