"""The pytest plugin's role fixtures: each account logs in with its role, on the team."""

from __future__ import annotations

from typing import Any

import pytest

from kitsu_orm.testing import TEAM, Team

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
