"""Playlists: the shots or assets a review goes through, each with the preview to watch.

Zou keeps a playlist's entries as one JSON list on the playlist's row
(``shots``: ``[{entity_id, preview_file_id}, ...]``, for an asset playlist
too), written whole by each update. Here that list is a tracked field,
:attr:`Playlist.entry_rows`: ``add``, ``move``, ``reorder`` and ``remove``
edit it, so that any number of them is one update on commit, and the commit's
conflict check (:mod:`kitsu_orm.conflicts`) covers the entries: a playlist
someone else edited since it was loaded is refused with a
:class:`~kitsu_orm.errors.ConflictError`, never overwritten. The edits made
since the last commit are also kept as a log (:class:`PlaylistState`), so that
:meth:`Playlist.rebase` can replay them on the server's newer list.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import ValidationError
from .base import Entity, entity
from .fields import derived, holds_id, sized, wire
from .labels import Shown
from .previews import PreviewFile
from .relationships import ToMany, ToOne
from .state import InstanceState, instance_state, require_session

if TYPE_CHECKING:
    from pathlib import Path

    from .people import Person
    from .production import Episode, Project
    from .tasks import TaskType

__all__ = [
    "FOR_ENTITY",
    "Playlist",
    "PlaylistEntry",
    "PlaylistShareLink",
    "PlaylistState",
    "playlist_state",
]

FOR_ENTITY: dict[str, str] = {
    "shot": "Shot",
    "asset": "Asset",
    "sequence": "Sequence",
    "episode": "Episode",
}
"""What a playlist can hold (its ``for_entity``), and the type of its entries."""

# One edit of the entries: ("add", entity id, preview id), ("remove", entity id, None),
# ("move", entity id, index), ("preview", entity id, preview id).
Edit = tuple[str, str, Any]


class PlaylistState(InstanceState):
    """What the core keeps of a playlist besides any entity's bookkeeping.

    - ``edits``: the entry edits made since the playlist was loaded or
      committed, in order, which :meth:`Playlist.rebase` replays on the
      server's list; forgotten when the entries are taken as the server's.
    """

    __slots__ = ("edits",)

    def start(self) -> None:
        self.edits: list[Edit] = []

    def mark_clean(self, obj: Entity, keep: frozenset[str] = frozenset()) -> None:
        """Take the current values as the server's: the entry edits are forgotten
        unless the entries are among the edits kept."""
        super().mark_clean(obj, keep)
        if "entry_rows" not in keep:
            self.edits = []


def playlist_state(playlist: Playlist) -> PlaylistState:
    """The state of a playlist, with its log of entry edits (see :class:`PlaylistState`)."""
    state = instance_state(playlist)
    assert isinstance(state, PlaylistState)
    return state


@attrs.frozen
class PlaylistEntry:
    """One entry of a playlist, in its order: the shot or asset, and the preview
    chosen for it (None: the reviewer's player picks the latest).

    ``entity`` is None when the user may not read it or it was deleted since
    it was added (Zou keeps the id); ``preview`` likewise, while
    ``preview_file_id`` still says one was chosen.
    """

    entity_id: str
    preview_file_id: str | None
    entity: Entity | None
    preview: PreviewFile | None


@entity("Playlist", level=11, natural_key=("name", "project_id", "episode_id"))
class Playlist(Entity):
    """A review playlist of a project (or of one episode): an ordered list of shots
    or assets (``for_entity``), each with the preview to watch.

    ``for_client``: shared with the production's clients. ``is_for_all``: a
    TV show's playlist for all episodes. Zou 1.0.97 has no "daily" flag:
    Kitsu's daily playlists are ordinary ones, named after their day.
    """

    __shown__ = Shown("name", details=("for_entity",), more=("task_type.name",))

    name: str = sized(80, "")
    for_entity: str | None = sized(10)
    for_client: bool | None = None
    is_for_all: bool | None = None
    project_id: str | None = None
    episode_id: str | None = None
    task_type_id: str | None = None
    created_by: str | None = holds_id()
    entry_rows: list[dict[str, Any]] | None = wire("shots")

    project: ToOne[Project] = ToOne("Project", "project_id", scope=None)
    episode: ToOne[Episode] = ToOne("Episode", "episode_id", scope=None)
    task_type: ToOne[TaskType] = ToOne("TaskType", "task_type_id", scope=None)
    creator: ToOne[Person] = ToOne("Person", "created_by", scope=None)
    share_links: ToMany[PlaylistShareLink] = ToMany("PlaylistShareLink", "playlist_id", scope=None)

    _instance_state: PlaylistState = attrs.field(init=False, factory=PlaylistState)

    # -- reading ---------------------------------------------------------------------

    @property
    def entries(self) -> list[PlaylistEntry]:
        """The entries in order, their shots or assets and previews loaded in one
        request per type for every playlist loaded with this one (none when the
        session holds them already)."""
        rows = self.entry_rows or []
        if not rows:
            return []
        return require_session(self).actions.playlist_entries(self)

    def index(self, entity: Entity | str) -> int:
        """Where ``entity`` (or its id) stands in the playlist; a ValidationError
        when it is not in it."""
        wanted = _entity_id(entity)
        for i, row in enumerate(self.entry_rows or []):
            if row.get("entity_id") == wanted:
                return i
        raise ValidationError(f"{_named(entity)} is not in {self!r}")

    def __contains__(self, entity: object) -> bool:
        if not isinstance(entity, (Entity, str)):
            return False
        wanted = entity if isinstance(entity, str) else entity.id
        return any(row.get("entity_id") == wanted for row in self.entry_rows or [])

    # -- editing: pending until commit, as one update ----------------------------------

    def add(
        self, entity: Entity, preview: PreviewFile | None = None, *, at: int | None = None
    ) -> Playlist:
        """Add a shot or asset (already on the server) at the end, or at index ``at``,
        with the preview to watch; returns self. A ValidationError if it is there
        already (change its preview with :meth:`set_preview`)."""
        entity_id = self._entry_id(entity)
        preview_id = _preview_id(preview)
        if entity_id in self:
            raise ValidationError(f"{_named(entity)} is in {self!r} already")
        rows = self._rows()
        row = {"entity_id": entity_id, "preview_file_id": preview_id}
        rows.insert(len(rows) if at is None else at, row)
        return self._edited(rows, ("add", entity_id, (preview_id, at)))

    def set_preview(self, entity: Entity | str, preview: PreviewFile | None) -> Playlist:
        """Choose another preview for an entry; returns self."""
        i = self.index(entity)
        preview_id = _preview_id(preview)
        rows = self._rows()
        rows[i] = {**rows[i], "preview_file_id": preview_id}
        return self._edited(rows, ("preview", rows[i]["entity_id"], preview_id))

    def move(self, entity: Entity | str, to: int) -> Playlist:
        """Move an entry to index ``to`` (negative counts from the end); returns self."""
        i = self.index(entity)
        rows = self._rows()
        row = rows.pop(i)
        rows.insert(to if to >= 0 else len(rows) + 1 + to, row)
        return self._edited(rows, ("move", row["entity_id"], to))

    def reorder(self, entities: Iterable[Entity | str]) -> Playlist:
        """Put the entries in this order: every entry, each once; returns self."""
        order = [_entity_id(e) for e in entities]
        current = [row.get("entity_id") for row in self.entry_rows or []]
        if sorted(order) != sorted(i for i in current if i is not None):
            raise ValidationError(
                f"reorder() takes every entry of {self!r} once ({len(current)}), "
                f"not {len(order)} of them"
            )
        by_id = {row["entity_id"]: row for row in self._rows()}
        rows = [by_id[i] for i in order]
        state = playlist_state(self)
        for to, entity_id in enumerate(order):
            state.edits.append(("move", entity_id, to))
        self.entry_rows = rows
        return self

    def remove(self, entity: Entity | str) -> Playlist:
        """Take an entry out; returns self."""
        i = self.index(entity)
        rows = self._rows()
        row = rows.pop(i)
        return self._edited(rows, ("remove", row["entity_id"], None))

    def rebase(self) -> Playlist:
        """Read the playlist again and replay on the server's entries the entry edits
        made here since it was loaded (after a ConflictError: someone else edited it);
        returns self. Its other unsaved edits are dropped, as by ``session.refresh``.
        An edit that no longer applies (a removed entry that is gone) is skipped."""
        edits = list(playlist_state(self).edits) if "entry_rows" in self.changes() else []
        require_session(self).refresh(self)
        playlist_state(self).edits = []
        for kind, entity_id, arg in edits:
            there = entity_id in self
            if kind == "add" and not there:
                preview_id, at = arg
                rows = self._rows()
                rows.insert(
                    len(rows) if at is None else at,
                    {"entity_id": entity_id, "preview_file_id": preview_id},
                )
                self._edited(rows, (kind, entity_id, arg))
            elif kind == "remove" and there:
                self.remove(entity_id)
            elif kind == "move" and there:
                self.move(entity_id, arg)
            elif kind == "preview" and there:
                rows = self._rows()
                i = self.index(entity_id)
                rows[i] = {**rows[i], "preview_file_id": arg}
                self._edited(rows, (kind, entity_id, arg))
        return self

    # -- files -----------------------------------------------------------------------

    def download_zip(self, path: str | os.PathLike[str]) -> Path:
        """Write a zip of the entries' preview files, as the server builds it, to
        ``path`` (a file name, never a folder); a failed download leaves no partial
        file. Managers may, and supervisors; artists may not (PermissionDenied)."""
        return require_session(self).actions.download_playlist_zip(self, path)

    # -- helpers ---------------------------------------------------------------------

    def _rows(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self.entry_rows or []]

    def _edited(self, rows: list[dict[str, Any]], edit: Edit) -> Playlist:
        playlist_state(self).edits.append(edit)
        self.entry_rows = rows
        return self

    def _entry_id(self, entity: Entity) -> str:
        kind = FOR_ENTITY.get(self.for_entity or "shot")
        if kind is not None and entity.__kitsu_type__ != kind:
            raise ValidationError(
                f"{self!r} is for {self.for_entity or 'shot'}s: it takes no {_named(entity)}"
            )
        return _entity_id(entity)


@entity("PlaylistShareLink", level=12)
class PlaylistShareLink(Entity):
    """A link that shows a playlist to people without an account (Zou makes its
    ``token``); managers of the project make, list and delete them."""

    playlist_id: str | None = None
    expiration_date: datetime | None = None
    can_comment: bool = True
    is_active: bool = True
    token: str | None = derived()
    created_by: str | None = derived()

    playlist: ToOne[Playlist] = ToOne("Playlist", "playlist_id", scope=None)


def _entity_id(entity: Entity | str) -> str:
    if isinstance(entity, str):
        return entity
    if entity.id is None:
        raise ValidationError(f"{entity!r} is not on the server yet: commit it first")
    return entity.id


def _preview_id(preview: PreviewFile | None) -> str | None:
    if preview is None:
        return None
    if not isinstance(preview, PreviewFile):
        raise ValidationError(f"a playlist entry's preview is a PreviewFile, not {preview!r}")
    if preview.id is None:
        raise ValidationError(f"{preview!r} is not published yet: commit it first")
    return preview.id


def _named(entity: Entity | str) -> str:
    return entity if isinstance(entity, str) else repr(entity)
