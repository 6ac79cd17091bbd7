"""Adding an entity type is one class and one routes entry.

The test declares Zou's ``Milestone`` itself (the library's own class is set
aside meanwhile), registers its routes, creates one in the same commit as its
project (the declared level orders them), loads it back through a query in
another session, then unregisters both and puts the library's back, so that no
other test sees the type.
"""

from __future__ import annotations

import datetime
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
def milestone_type() -> Iterator[type[Entity]]:
    """Zou's Milestone, declared here: one class, one routes entry; gone afterwards."""
    library = REGISTRY.pop("Milestone"), ROUTES.pop("Milestone")

    @entity("Milestone", level=2, natural_key=("name", "project_id"))
    class Milestone(Entity):
        """A dated goal of a project's schedule (Zou's ``data/milestones``)."""

        name: str = sized(40, "")
        date: datetime.date | None = None
        project_id: str | None = None
        task_type_id: str | None = None

        project = ToOne("Project", "project_id", scope=None)

    ROUTES["Milestone"] = Routes(
        list="data/milestones",
        one="data/milestones/{id}",
        create="data/milestones",
        update="data/milestones/{id}",
        delete="data/milestones/{id}",
        generic="data/milestones",
    )
    try:
        yield Milestone
    finally:
        REGISTRY["Milestone"], ROUTES["Milestone"] = library


def test_the_declarations_are_read_from_the_class(milestone_type: type[Entity]) -> None:
    assert milestone_type.__level__ == 2
    assert milestone_type.__natural_key__ == ("name", "project_id")
    assert not milestone_type.__get_or_create__
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
    milestone_type: type[Any],
    new_session: Callable[..., kitsu.Session],
    orm_projects: list[kitsu.Project],
) -> None:
    s = new_session()
    project = kitsu.Project(name=f"test-milestone-{time.time_ns()}", production_type="tvshow")
    orm_projects.append(project)
    milestone = milestone_type(name="Layout lock", project=project, date=datetime.date(2027, 3, 1))
    s.add(milestone)  # its project comes along, created first: level 1 before level 2
    s.commit()
    assert milestone.id is not None and milestone.project_id == project.id

    other = new_session()
    found = milestone_type.where(session=other, project_id=project.id).one()
    assert found.id == milestone.id and found is not milestone
    assert (found.name, found.date) == ("Layout lock", datetime.date(2027, 3, 1))
    assert found.project.name == project.name

    found.name = "Layout lock (moved)"
    other.commit()
    assert s.refresh(milestone).name == "Layout lock (moved)"
    other.delete(found)
    other.commit()
