"""What each user keeps for themselves, on the real server: notifications (read, marked
read), task subscriptions, saved search filters and filter groups; and a project's
milestones. Each is walked as the roles that have their own (artist, supervisor)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm.cache_freshness import cacheable
from kitsu_orm.testing import Team
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server


def _task(c: Transport, project_id: str, assignee: str) -> dict[str, Any]:
    """A shot's Animation task in the project, assigned to ``assignee``."""
    sequence = c.post(f"data/projects/{project_id}/sequences", {"name": "SQ01"})
    shot = c.post(
        f"data/projects/{project_id}/shots", {"name": "SH01", "sequence_id": sequence["id"]}
    )
    task_type = next(t for t in c.get("data/task-types") if t["name"] == "Animation")
    status = next(s for s in c.get("data/task-status") if s["short_name"] == "todo")
    body = {"entity_id": shot["id"], "task_type_id": task_type["id"], "name": "main"}
    task: dict[str, Any] = c.post(
        "data/tasks", {**body, "project_id": project_id, "task_status_id": status["id"]}
    )
    c.put(f"actions/persons/{assignee}/assign", {"task_ids": [task["id"]]})
    return task


def test_notifications_are_read_and_marked_read_by_their_owner(
    kitsu_team: Team,
    kitsu_as: Callable[..., kitsu.Session],
    kitsu_client: Transport,
    kitsu_role_clients: dict[str, Transport],
) -> None:
    task = _task(kitsu_client, kitsu_team.project["id"], kitsu_team["artist"].id)
    supervisor = kitsu_as("supervisor")
    on_task = kitsu.Task.get(task["id"], session=supervisor)
    on_task.comment("the arm pops at frame 12")
    on_task.comment("and at frame 30")
    supervisor.commit()

    artist = kitsu_as("artist")
    unread = kitsu.Notification.where(session=artist, read=False).all()
    mine = [n for n in unread if n.task_id == task["id"] and n.notification_type == "comment"]
    assert len(mine) == 2
    first = mine[0]
    assert first.task is not None and first.task.id == task["id"]
    assert first.author is not None and first.author.id == kitsu_team["supervisor"].id
    assert first.notification_type == "comment" and first.comment is not None
    first.read = True
    artist.commit()
    row = kitsu_role_clients["artist"].get(f"data/user/notifications/{first.id}")
    assert row["read"] is True

    in_project = kitsu.Notification.where(session=artist, project=kitsu_team.project["id"])
    assert {n.id for n in mine} <= {n.id for n in in_project}
    kitsu.Notification.mark_all_read(session=artist)
    assert all(n.read for n in mine)
    fresh = kitsu.Notification.where(session=kitsu_as("artist"), task=task["id"]).all()
    assert len(fresh) >= 2 and all(n.read for n in fresh)  # the assignment's too
    # Each user reads their own: the supervisor, author of the comments, has none of them.
    theirs = kitsu.Notification.query(session=supervisor).all()
    assert not {n.id for n in theirs} & {n.id for n in mine}


def test_a_task_is_followed_and_left_through_subscriptions(
    kitsu_team: Team,
    kitsu_as: Callable[..., kitsu.Session],
    kitsu_client: Transport,
    kitsu_role_clients: dict[str, Transport],
) -> None:
    task = _task(kitsu_client, kitsu_team.project["id"], kitsu_team["artist"].id)
    for key in ("artist", "supervisor"):
        session = kitsu_as(key)
        follow = kitsu.Subscription(task=kitsu.Task.get(task["id"], session=session))
        session.add(follow)
        session.commit()
        assert follow.id is not None and follow.person_id == kitsu_team[key].id
        asks = kitsu_role_clients[key]
        assert asks.get(f"data/user/tasks/{task['id']}/subscribed") is True
        sent = session.transport.stats.total
        with pytest.raises(kitsu.PermissionDenied):  # only admins list subscriptions
            kitsu.Subscription.where(session=session, task=task["id"]).all()
        assert session.transport.stats.total == sent
        session.delete(follow)
        session.commit()
        assert asks.get(f"data/user/tasks/{task['id']}/subscribed") is False
    admin = kitsu_as("admin")
    admin.add(kitsu.Subscription(task=kitsu.Task.get(task["id"], session=admin)))
    admin.commit()
    reader = kitsu_as("admin")
    me = kitsu.Person.get(kitsu_client.user["id"], session=reader)
    found = kitsu.Subscription.where(session=reader, task=[task["id"]], person=me).all()
    assert [s.person for s in found] == [me]


def test_saved_filters_and_groups_are_made_read_edited_and_deleted(
    kitsu_team: Team, kitsu_as: Callable[..., kitsu.Session]
) -> None:
    pid = kitsu_team.project["id"]
    for key in ("artist", "supervisor"):
        session = kitsu_as(key)
        project = kitsu.Project.get(pid, session=session)
        group = kitsu.SearchFilterGroup(
            name="Mine", color="#ff0000", list_type="asset", entity_type="Asset", project=project
        )
        lamp = kitsu.SearchFilter(
            name="lamp",
            search_query="lamp",
            list_type="asset",
            entity_type="Asset",
            project=project,
            group=group,
        )
        session.add_all([group, lamp])
        session.commit()

        again = kitsu_as(key)
        (found,) = kitsu.SearchFilter.where(session=again, project=pid).all()
        assert (found.id, found.name, found.search_query) == (lamp.id, "lamp", "lamp")
        assert found.person_id == kitsu_team[key].id
        assert found.group is not None and found.group.id == group.id
        assert [f.id for f in found.group.filters] == [lamp.id]
        found.search_query = "type=Props"
        found.group.name = "Props"
        again.commit()

        third = kitsu_as(key)
        (read,) = kitsu.SearchFilter.where(session=third, project=pid).all()
        assert read.search_query == "type=Props" and read.group and read.group.name == "Props"
        third.delete(read)
        third.delete(read.group)
        third.commit()
        assert kitsu.SearchFilter.where(session=kitsu_as(key), project=pid).all() == []
    # Zou announces no change of these by an event: never stored across processes.
    assert not cacheable("SearchFilter") and not cacheable("Task+SearchFilterGroup")


def test_milestones_are_made_by_managers_and_read_by_the_team(
    kitsu_team: Team, kitsu_as: Callable[..., kitsu.Session]
) -> None:
    pid = kitsu_team.project["id"]
    manager = kitsu_as("manager")
    animation = kitsu.TaskType.where(session=manager, name="Animation").one()
    made = kitsu.Milestone(
        project=kitsu.Project.get(pid, session=manager),
        name="Animatic",
        date=datetime.date(2031, 3, 1),
        task_type=animation,
    )
    manager.add(made)
    manager.commit()
    for key in ("artist", "supervisor", "admin"):
        (read,) = kitsu.Project.get(pid, session=kitsu_as(key)).milestones
        assert (read.id, read.name, read.date) == (made.id, "Animatic", datetime.date(2031, 3, 1))
        assert read.task_type is not None and read.task_type.id == animation.id
    artist = kitsu_as("artist")
    artist.add(kitsu.Milestone(project=kitsu.Project.get(pid, session=artist), name="Late"))
    sent = artist.transport.stats.total
    with pytest.raises(kitsu.PermissionDenied, match="managers"):
        artist.commit()
    assert artist.transport.stats.total == sent
    made.date = datetime.date(2031, 4, 1)
    manager.commit()
    manager.delete(made)
    manager.commit()
    assert kitsu.Project.get(pid, session=kitsu_as("supervisor")).milestones == []
