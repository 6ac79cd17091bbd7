"""The usage page's Persons, Projects, Assets and Shots sections through
kitsu_orm.compat.gazu, against the real server, and compared with gazu 1.3.1
reading the same objects.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from kitsu_orm import errors
from kitsu_orm.compat import gazu
from kitsu_orm.testing import remove_project
from kitsu_orm.transport import Transport

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("gazu_facade")]

# Set on every write: two objects saved at different moments differ there.
STAMPS = ("created_at", "updated_at")


def without(row: dict[str, Any] | None, *keys: str) -> dict[str, Any]:
    assert row is not None
    return {k: v for k, v in row.items() if k not in keys}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# -- Persons ----------------------------------------------------------------------------


def test_persons(real_gazu: Any, kitsu_client: Transport) -> None:
    login = unique("jdoe")
    person = kitsu_client.post(
        "data/persons",
        {
            "first_name": "John",
            "last_name": login,
            "email": f"{login}@example.com",
            "desktop_login": login,
        },
    )
    try:
        persons = gazu.person.all_persons()
        assert person["id"] in [p["id"] for p in persons]
        assert persons == real_gazu.person.all_persons()

        found = gazu.person.get_person_by_full_name(f"John {login}")
        assert found is not None and found["id"] == person["id"]
        assert found == real_gazu.person.get_person_by_full_name(f"John {login}")
        assert gazu.person.get_person_by_full_name("", "John", login) == found

        by_login = gazu.person.get_person_by_desktop_login(login)
        assert by_login is not None and by_login["email"] == f"{login}@example.com"
        assert by_login == real_gazu.person.get_person_by_desktop_login(login)

        assert gazu.person.get_person_by_full_name("Nobody " + login) is None
        assert gazu.person.get_person_by_desktop_login("no-" + login) is None
    finally:
        kitsu_client.delete(f"data/persons/{person['id']}", params={"force": "true"})


# -- Projects ---------------------------------------------------------------------------


def test_projects(real_gazu: Any, kitsu_client: Transport, kitsu_project: dict[str, Any]) -> None:
    projects = gazu.project.all_projects()
    assert kitsu_project["id"] in [p["id"] for p in projects]
    assert projects == real_gazu.project.all_projects()
    open_projects = gazu.project.all_open_projects()
    assert kitsu_project["id"] in [p["id"] for p in open_projects]
    assert open_projects == real_gazu.project.all_open_projects()

    project = gazu.project.get_project(kitsu_project["id"])
    assert project["name"] == kitsu_project["name"]
    assert project == real_gazu.project.get_project(kitsu_project["id"])
    by_name = gazu.project.get_project_by_name(kitsu_project["name"])
    assert by_name is not None and by_name["id"] == kitsu_project["id"]
    assert by_name == real_gazu.project.get_project_by_name(kitsu_project["name"])
    assert gazu.project.get_project_by_name(unique("no-such-project")) is None


def test_new_project(real_gazu: Any, kitsu_client: Transport) -> None:
    ours, theirs = unique("gazu-new-project"), unique("gazu-new-project")
    made: list[dict[str, Any]] = []
    try:
        project = gazu.project.new_project(ours)
        made.append(project)
        assert project["name"] == ours and project["production_type"] == "short"
        assert (
            gazu.project.get_project(project["id"])["project_status_id"]
            == project["project_status_id"]
        )
        gazu_project = real_gazu.project.new_project(theirs)
        made.append(gazu_project)
        # Two projects: their own id, name and stamps; the rest is equal.
        assert without(project, "id", "name", *STAMPS) == without(
            gazu_project, "id", "name", *STAMPS
        )
        # Asked again, both answer the existing project, unchanged.
        assert gazu.project.new_project(ours) == real_gazu.project.new_project(ours)
        assert gazu.project.new_project(ours)["id"] == project["id"]
    finally:
        for row in made:
            remove_project(kitsu_client, row)


# Assets, shots, scenes, casting and entities: tests/test_compat_gazu_{asset,shot,scene,
# casting,entity}.py.


def test_errors_are_the_library_s_own(kitsu_project: dict[str, Any]) -> None:
    missing = str(uuid.uuid4())
    with pytest.raises(errors.NotFound):
        gazu.project.get_project(missing)
    with pytest.raises(errors.NotFound):
        gazu.shot.get_shot(missing)
    with pytest.raises(errors.NotFound):
        gazu.asset.get_asset_instance({"id": missing})
    with pytest.raises(errors.ValidationError):  # bad argument, caught before any request
        gazu.shot.all_shots_for_project("Agent 327")
    with pytest.raises(errors.ValidationError):
        gazu.asset.get_asset({"name": "no id"})
    with pytest.raises(errors.KitsuError):  # the server refuses: no such sequence
        gazu.shot.new_shot(kitsu_project, missing, "SH01")
