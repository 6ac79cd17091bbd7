"""A playlist's entries as objects: their shots or assets and previews, loaded in batches.

A playlist holds bare ids (:attr:`~kitsu_orm.model.playlists.Playlist.entry_rows`).
Reading ``playlist.entries`` loads what the session does not hold yet, for that
playlist and every playlist loaded with it, in one request per type (or as many
as the URL needs): a loop over a project's playlists and their entries costs
two requests, not one per entry. Ids the user may not read, or that were
deleted since they were added, answer None.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from .loading import Loader
from .model.base import Entity
from .model.playlists import FOR_ENTITY, Playlist, PlaylistEntry
from .model.previews import PreviewFile

if TYPE_CHECKING:
    from .session import Session

__all__ = ["playlist_entries"]


def playlist_entries(session: Session, playlist: Playlist) -> list[PlaylistEntry]:
    """The entries of ``playlist`` in order, loading what is missing for it and the
    playlists loaded with it."""
    _load_missing(session, [p for p in Loader.loaded_with(playlist) if isinstance(p, Playlist)])
    identity = session.identity
    entries = []
    for row in playlist.entry_rows or []:
        entity_id = row.get("entity_id") or row.get("id")
        if not entity_id:
            continue
        preview_id = row.get("preview_file_id")
        entity = identity.get(entity_id)
        preview = identity.get(preview_id) if preview_id else None
        entries.append(
            PlaylistEntry(
                entity_id=entity_id,
                preview_file_id=preview_id,
                entity=entity if isinstance(entity, Entity) else None,
                preview=preview if isinstance(preview, PreviewFile) else None,
            )
        )
    return entries


def _load_missing(session: Session, playlists: list[Playlist]) -> None:
    """Load the entries' objects the session does not hold: by type, then by project
    (the context non-admin roles read through)."""
    identity = session.identity
    wanted: dict[tuple[str, str], set[str]] = defaultdict(set)
    for playlist in playlists:
        project = playlist.project_id or ""
        kind = FOR_ENTITY.get(playlist.for_entity or "shot", "EntityRow")
        for row in playlist.entry_rows or []:
            entity_id = row.get("entity_id") or row.get("id")
            if entity_id and identity.get(entity_id) is None:
                wanted[kind, project].add(entity_id)
            preview_id = row.get("preview_file_id")
            if preview_id and identity.get(preview_id) is None:
                wanted["PreviewFile", project].add(preview_id)
    for (kind, project), ids in wanted.items():
        context = {"project_id": [project]} if project else None
        session.loader.fetch_ids(kind, sorted(ids), context=context)
