"""The conflict check before updates, for types whose generic route Zou keeps for
admins: another role's check reads the rows through its own routes."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

import pytest

import kitsu_orm as kitsu
from kitsu_orm.testing import Team
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server


def _next_second() -> None:
    """Zou stamps ``updated_at`` to the second: a later write must land in another."""
    time.sleep(1.05 - (time.time() % 1.0))


@pytest.mark.parametrize("kind", ["milestone", "descriptor"])
def test_a_managers_update_is_checked_for_conflicts_through_the_project(
    kind: str, kitsu_client: Transport, kitsu_team: Team, kitsu_as: Callable[..., kitsu.Session]
) -> None:
    """A manager edits a milestone or a metadata descriptor: committed without a 403
    (the generic route's check is the admin's), and an edit the admin saved meanwhile
    is a ConflictError, nothing written, the edit kept pending."""
    pid = kitsu_team.project["id"]
    manager = kitsu_as("manager")
    project = kitsu.Project.get(pid, session=manager)
    obj: kitsu.Milestone | kitsu.MetadataDescriptor
    if kind == "milestone":
        obj = kitsu.Milestone(project=project, name="Animatic", date=datetime.date(2031, 3, 1))
    else:
        obj = kitsu.MetadataDescriptor(
            project_id=pid, entity_type="Shot", name="Difficulty", field_name="difficulty"
        )
    manager.add(obj)
    manager.commit()
    route = "milestones" if kind == "milestone" else "metadata-descriptors"

    obj.name = f"{obj.name} v2"
    manager.commit()  # the check reads through the project's route
    assert kitsu_client.get(f"data/{route}/{obj.id}")["name"] == obj.name

    _next_second()
    kitsu_client.put(f"data/{route}/{obj.id}", {"name": "the admin's"})
    obj.name = "the manager's"
    sent = manager.transport.stats.by_method.get("PUT", 0)
    with pytest.raises(kitsu.ConflictError) as caught:
        manager.commit()
    assert caught.value.objects == [obj] and not caught.value.written
    assert manager.transport.stats.by_method.get("PUT", 0) == sent
    assert kitsu_client.get(f"data/{route}/{obj.id}")["name"] == "the admin's"
    assert obj in manager.dirty
