"""read_routes.read_plan: which route each role lists a type through (no server)."""

from __future__ import annotations

import pytest

from kitsu_orm.errors import PermissionDenied
from kitsu_orm.read_routes import EVERYONE, READS, read_plan

# Ids that go into a path must be UUIDs (urls.fill).
S, P = "5e0f0000-0000-4000-8000-000000000001", "9a0f0000-0000-4000-8000-000000000002"
T1, T2 = "1a000000-0000-4000-8000-000000000001", "1b000000-0000-4000-8000-000000000002"


def test_the_admin_keeps_the_generic_routes_and_one_request() -> None:
    plan = read_plan("Shot", "admin", {"parent_id": ["a", "b"]}, {"project_id": ["P", "Q"]})
    assert [(r.path, dict(r.params)) for r in plan.requests] == [
        ("data/shots/all", {"parent_id": '["a","b"]'})
    ]


def test_one_id_goes_as_itself_never_as_a_one_item_list() -> None:
    for role in sorted(EVERYONE):
        plan = read_plan("Sequence", role, {"project_id": ["P"]})
        assert [dict(r.params) for r in plan.requests] == [{"project_id": "P"}], role


def test_other_roles_name_one_project_per_request() -> None:
    plan = read_plan("Shot", "user", {"parent_id": ["a", "b"]}, {"project_id": ["P", "Q"]})
    assert [(r.path, dict(r.params)) for r in plan.requests] == [
        ("data/shots/all", {"parent_id": '["a","b"]', "project_id": "P"}),
        ("data/shots/all", {"parent_id": '["a","b"]', "project_id": "Q"}),
    ]


def test_a_parent_alone_goes_through_the_parent_route() -> None:
    plan = read_plan("Shot", "manager", {"parent_id": S, "name": "SH01"})
    assert [r.path for r in plan.requests] == [f"data/sequences/{S}/shots"]
    assert plan.local == {"name": frozenset({"SH01"})}


@pytest.mark.parametrize(
    ("role", "paths"),
    [
        ("admin", ["data/comments"]),
        ("supervisor", [f"data/projects/{P}/comments"]),
        ("client", [f"data/tasks/{T1}/comments", f"data/tasks/{T2}/comments"]),
    ],
)
def test_comments_by_role(role: str, paths: list[str]) -> None:
    plan = read_plan("Comment", role, {"object_id": [T1, T2]}, {"project_id": [P]})
    assert [r.path for r in plan.requests] == paths


def test_no_route_is_refused_before_any_request_with_a_hint() -> None:
    names = {"project_id": "project", "parent_id": "sequence", "name": "name"}
    with pytest.raises(PermissionDenied) as caught:
        read_plan("Shot", "user", {"name": "SH01"}, names=names)
    assert str(caught.value) == (
        "an artist (role 'user') cannot list Shot by name alone: add project=... or sequence=..."
    )


def test_every_read_route_serves_the_admin() -> None:
    for type_name, routes in READS.items():
        assert any("admin" in r.roles for r in routes), type_name
