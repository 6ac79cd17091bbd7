"""What outdates a cached answer (no server): the types Zou's events name.

The lifetimes and your own writes are tested through the cache, in
tests/test_cache.py.
"""

from __future__ import annotations

from kitsu_orm.cache_freshness import NAMES_SHOWN_BY, REFERENCE_TYPES, event_types


def test_event_types() -> None:
    events = [{"name": "shot:update"}, {"name": "task-status:new"}, {"name": "preview-file:add"}]
    assert event_types(events, limit=100) == (
        {"Shot", "EntityRow", "Casting", "TaskStatus", "PreviewFile"},
        True,
    )
    # Previews and playlists are objects of the session and cached like the rest.
    assert event_types([{"name": "playlist:update"}], limit=100) == ({"Playlist"}, True)
    assert event_types([{"name": "news:new"}], limit=100) == (set(), True)
    assert event_types([{"name": "metadata-descriptor:new"}], limit=100)[1] is False
    assert event_types([{"name": "asset:new"}] * 3, limit=3) == (
        {"Asset", "EntityRow", "Casting"},
        False,
    )


def test_every_type_a_write_outdates_by_name_is_production_data() -> None:
    shown = {name for names in NAMES_SHOWN_BY.values() for name in names}
    assert "Shot" in NAMES_SHOWN_BY["Sequence"]
    assert not shown & REFERENCE_TYPES
