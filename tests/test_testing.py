"""The pytest plugin's role fixtures: each account logs in with its role, on the team."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm.testing import TEAM, KitsuFixtureWarning, Team, remove_project

pytestmark = pytest.mark.server


@pytest.mark.parametrize("key", ["admin", *TEAM])
def test_each_member_has_a_session_with_its_role(kitsu_as: Any, key: str) -> None:
    session = kitsu_as(key)
    assert session.role == (TEAM.get(key) or "admin")
    assert session.stats.requests == 0  # the role came from the login: no request


def test_every_member_is_on_the_project_team(kitsu_team: Team, kitsu_client: Any) -> None:
    team = kitsu_client.get(f"data/projects/{kitsu_team.project['id']}")["team"]
    assert {m.id for m in kitsu_team.members.values()} <= set(team)


def test_a_member_sees_the_project_as_its_own(kitsu_artist: Any, kitsu_team: Team) -> None:
    open_ids = {p["id"] for p in kitsu_artist.transport.get("data/projects/open")}
    assert kitsu_team.project["id"] in open_ids


def test_the_password_is_not_in_the_repr(kitsu_people: Any) -> None:
    member = kitsu_people["artist"]
    assert member.password not in repr(member)


def test_a_project_whose_asset_instance_is_in_a_shot_is_removed(
    kitsu_as: Any, kitsu_client: Any, kitsu_project: dict[str, Any]
) -> None:
    """Zou's forced delete of such a project fails on a foreign key (500): the fixture
    unlinks and deletes the instances first, so no test project is left behind."""
    s = kitsu_as("admin")
    project = s.get(kitsu.Project, kitsu_project["id"])
    character = kitsu.AssetType.where(name="Character", session=s).one()
    hero = kitsu.Asset(name="Hero", project=project, asset_type=character)
    sword = kitsu.Asset(name="Sword", project=project, asset_type=character)
    seq = kitsu.Sequence(name="SQ01", project=project)
    shot = kitsu.Shot(name="SH01", project=project, sequence=seq)
    s.add_all([hero, sword, seq, shot])
    s.commit()
    shot.asset_instances = [hero.instantiate(sword)]
    s.commit()
    assert kitsu_client.get(f"data/shots/{shot.id}/asset-instances")

    with warnings.catch_warnings():
        warnings.simplefilter("error", KitsuFixtureWarning)
        remove_project(kitsu_client, kitsu_project)
    with pytest.raises(kitsu.NotFound):
        kitsu_client.get(f"data/projects/{kitsu_project['id']}")
