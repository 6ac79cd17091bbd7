"""Adding an entity type is one class and one routes entry.

The test declares a type the library does not model, Zou's ``Playlist``,
registers its routes, creates one in the same commit as its project (the
declared level orders them), loads it back through a query in another
session, then unregisters both, so that no other test sees the type.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm.model.base import REGISTRY, Entity, entity
from kitsu_orm.model.fields import sized
from kitsu_orm.model.relationships import ToOne
from kitsu_orm.routes import ROUTES, Routes


@pytest.fixture
def playlist_type() -> Iterator[type[Entity]]:
    """Zou's Playlist, declared here: one class, one routes entry; gone afterwards."""
    assert "Playlist" not in REGISTRY and "Playlist" not in ROUTES

    @entity("Playlist", level=2, natural_key=("name", "project_id"))
    class Playlist(Entity):
        """A review playlist of a project (Zou's ``data/playlists``)."""

        name: str = sized(80, "")
        for_client: bool | None = None
        for_entity: str | None = sized(10)
        is_for_all: bool | None = None
        project_id: str | None = None
        episode_id: str | None = None

        project = ToOne("Project", "project_id", scope=None)

    ROUTES["Playlist"] = Routes(
        list="data/playlists",
        one="data/playlists/{id}",
        create="data/playlists",
        update="data/playlists/{id}",
        delete="data/playlists/{id}",
        generic="data/playlists",
    )
    try:
        yield Playlist
    finally:
        del ROUTES["Playlist"]
        del REGISTRY["Playlist"]


def test_the_declarations_are_read_from_the_class(playlist_type: type[Entity]) -> None:
    assert playlist_type.__level__ == 2
    assert playlist_type.__natural_key__ == ("name", "project_id")
    assert not playlist_type.__get_or_create__
    assert kitsu.Shot.__level__ > kitsu.Sequence.__level__ > kitsu.Episode.__level__
    assert kitsu.Shot.__get_or_create__ and not kitsu.Asset.__get_or_create__
    assert kitsu.Shot.__bulk_tasks__ and kitsu.Shot.__collection__ == "shots"


def test_a_natural_key_names_fields_of_the_class() -> None:
    with pytest.raises(TypeError, match="nope"):

        @entity("Wrong", natural_key=("nope",))
        class Wrong(Entity):
            name: str = ""

    assert "Wrong" not in REGISTRY


@pytest.mark.server
def test_a_type_declared_in_a_test_is_committed_and_loaded(
    playlist_type: type[Any],
    new_session: Callable[..., kitsu.Session],
    orm_projects: list[kitsu.Project],
) -> None:
    s = new_session()
    project = kitsu.Project(name=f"test-playlist-{time.time_ns()}", production_type="tvshow")
    orm_projects.append(project)
    playlist = playlist_type(name="Dailies", project=project, for_client=False)
    s.add(playlist)  # its project comes along, created first: level 1 before level 2
    s.commit()
    assert playlist.id is not None and playlist.project_id == project.id

    other = new_session()
    found = playlist_type.where(session=other, project_id=project.id).one()
    assert found.id == playlist.id and found is not playlist
    assert (found.name, found.for_client) == ("Dailies", False)
    assert found.project.name == project.name

    found.name = "Dailies (client)"
    other.commit()
    assert s.refresh(playlist).name == "Dailies (client)"
    other.delete(found)
    other.commit()
