"""A project's team and settings on the real server: ``project.team``,
``project.task_types``, ``project.task_statuses`` and ``project.asset_types``,
linked and unlinked by a commit, read by each role, refused before any request to
the roles Zou refuses."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm.testing import Team
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server

SETTINGS = ("team", "task_types", "task_statuses", "asset_types")


def ids(objs: Any) -> list[str]:
    return sorted(str(o.id) for o in objs)


def _server_settings(client: Transport, project_id: str) -> dict[str, list[str]]:
    row = client.get(f"data/projects/{project_id}")
    return {name: sorted(row[name]) for name in SETTINGS}


def test_a_projects_team_and_settings_are_linked_read_by_each_role_and_unlinked(
    kitsu_team: Team, kitsu_as: Callable[..., kitsu.Session], kitsu_client: Transport
) -> None:
    pid = kitsu_team.project["id"]
    admin = kitsu_as("admin")
    project = kitsu.Project.get(pid, session=admin)
    assert ids(project.team) == sorted(m.id for m in kitsu_team.members.values())
    assert project.task_types == project.task_statuses == project.asset_types == []
    types = kitsu.TaskType.query(session=admin).all()[:3]
    statuses = kitsu.TaskStatus.query(session=admin).all()[:3]
    asset_types = kitsu.AssetType.query(session=admin).all()[:2]
    project.task_types = types
    project.task_statuses = statuses
    project.asset_types = asset_types
    project.team = [p for p in project.team if p.id != kitsu_team["client"].id]
    admin.commit()
    wanted = {
        "team": sorted(m.id for k, m in kitsu_team.members.items() if k != "client"),
        "task_types": ids(types),
        "task_statuses": ids(statuses),
        "asset_types": ids(asset_types),
    }
    assert _server_settings(kitsu_client, pid) == wanted

    # Every role on the team reads them alike (artists see fewer fields of people,
    # which load when asked for).
    for role in ("admin", "manager", "supervisor", "artist"):
        read = kitsu.Project.get(pid, session=kitsu_as(role))
        assert {name: ids(getattr(read, name)) for name in SETTINGS} == wanted, role
    artist_view = kitsu.Project.get(pid, session=kitsu_as("artist"))
    me = next(p for p in artist_view.team if p.id == kitsu_team["manager"].id)
    assert me.full_name and me.role == "manager"

    # Unlinking: one DELETE per target removed.
    project.task_types = types[1:]
    project.asset_types = []
    admin.commit()
    got = _server_settings(kitsu_client, pid)
    assert got["task_types"] == ids(types[1:]) and got["asset_types"] == []


def test_a_manager_edits_the_team_and_an_artist_is_refused_before_any_request(
    kitsu_team: Team, kitsu_as: Callable[..., kitsu.Session], kitsu_client: Transport
) -> None:
    pid = kitsu_team.project["id"]
    manager = kitsu_as("manager")
    project = kitsu.Project.get(pid, session=manager)
    project.team = [p for p in project.team if p.id != kitsu_team["vendor"].id]
    project.task_statuses = kitsu.TaskStatus.query(session=manager).all()[:1]
    manager.commit()
    assert kitsu_team["vendor"].id not in _server_settings(kitsu_client, pid)["team"]

    for role in ("artist", "supervisor"):
        session = kitsu_as(role)
        project = kitsu.Project.get(pid, session=session)
        project.team = [p for p in project.team if p.id != kitsu_team["artist2"].id]
        project.task_types = kitsu.TaskType.query(session=session).all()[:1]
        sent = session.transport.stats.total
        with pytest.raises(kitsu.PermissionDenied) as caught:
            session.commit()
        assert session.transport.stats.total == sent, role
        assert "link" in str(caught.value) and "managers" in str(caught.value)
    assert kitsu_team["artist2"].id in _server_settings(kitsu_client, pid)["team"]


def test_a_new_project_gets_its_team_and_settings_before_its_breakdown(
    new_session: Callable[..., kitsu.Session],
    kitsu_client: Transport,
    orm_projects: list[kitsu.Project],
    caplog: pytest.LogCaptureFixture,
) -> None:
    session = new_session()
    login = f"orm-team-{uuid.uuid4().hex[:8]}"
    newcomer = kitsu.Person(first_name="New", last_name=login, email=f"{login}@example.com")
    project = kitsu.Project(name=f"orm-settings-{uuid.uuid4().hex[:8]}")
    orm_projects.append(project)
    task_type = kitsu.TaskType.query(session=session).all()[0]
    session.add_all([newcomer, project])
    project.team = [newcomer]
    project.task_types = [task_type]
    sequence = kitsu.Sequence(name="SQ01", project=project)
    session.add(kitsu.Shot(name="SH010", sequence=sequence, project=project))
    try:
        with caplog.at_level(logging.DEBUG, logger="kitsu_orm.http"):
            session.commit()
        sent = [r.getMessage() for r in caplog.records if r.name == "kitsu_orm.http"]
        posts = [m.split()[1] for m in sent if m.startswith("POST")]
        team_at = next(i for i, p in enumerate(posts) if p.endswith("/team"))
        settings_at = next(i for i, p in enumerate(posts) if p.endswith("/settings/task-types"))
        shots_at = next(i for i, p in enumerate(posts) if p.endswith("/shots"))
        people_at = next(i for i, p in enumerate(posts) if p == "/data/persons")
        assert people_at < team_at < shots_at and settings_at < shots_at, posts
        got = _server_settings(kitsu_client, str(project.id))
        assert got["team"] == [newcomer.id] and got["task_types"] == [task_type.id]
    finally:
        if newcomer.id is not None:
            if project.id is not None:
                kitsu_client.delete(f"data/projects/{project.id}/team/{newcomer.id}")
            kitsu_client.delete(f"data/persons/{newcomer.id}", {"force": "true"})
