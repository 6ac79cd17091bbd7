"""The usage page's Persons, Projects, Assets and Shots sections through
kitsu_orm.compat.gazu, against the real server, and compared with gazu 1.3.1
reading the same objects.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
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


# -- Assets -------------------------------------------------------------------------------


@pytest.fixture
def asset_type(kitsu_client: Transport) -> Iterator[dict[str, Any]]:
    row = gazu.asset.new_asset_type(unique("gazu-type"))
    yield row
    with contextlib.suppress(errors.KitsuError):  # still used by a project being removed
        kitsu_client.delete(f"data/entity-types/{row['id']}")


def test_assets(
    real_gazu: Any,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    asset_type: dict[str, Any],
) -> None:
    p = kitsu_project
    sequence = gazu.shot.new_sequence(p, None, "SQ01")
    shot = gazu.shot.new_shot(p, sequence, "SH01")
    hero = gazu.asset.new_asset(p, asset_type, "Hero", "the hero")
    sword = gazu.asset.new_asset(p, asset_type, "Sword", extra_data={"metal": "steel"})
    assert (hero["name"], hero["description"], hero["entity_type_id"]) == (
        "Hero",
        "the hero",
        asset_type["id"],
    )
    assert sword["data"] == {"metal": "steel"}
    kitsu_client.put(
        f"data/projects/{p['id']}/entities/{shot['id']}/casting",
        [{"asset_id": hero["id"], "nb_occurences": 1}],
    )

    calls: list[tuple[str, tuple[Any, ...]]] = [
        ("all_assets_for_project", (p,)),
        ("all_assets_for_shot", (shot,)),
        ("all_assets_for_project_and_type", (p, asset_type)),
        ("all_asset_types", ()),
        ("all_asset_types_for_project", (p,)),
        ("all_asset_types_for_shot", (shot,)),
        ("get_asset", (hero["id"],)),
        ("get_asset_type", (asset_type["id"],)),
        ("get_asset_by_name", (p, "Sword")),
    ]
    for name, args in calls:
        assert getattr(gazu.asset, name)(*args) == getattr(real_gazu.asset, name)(*args), name

    assert [a["name"] for a in gazu.asset.all_assets_for_project(p)] == ["Hero", "Sword"]
    assert [a["name"] for a in gazu.asset.all_assets_for_shot(shot)] == ["Hero"]
    assert [t["id"] for t in gazu.asset.all_asset_types_for_shot(shot)] == [asset_type["id"]]
    assert gazu.asset.get_asset(hero["id"])["project_name"] == p["name"]
    by_name = gazu.asset.get_asset_type_by_name(asset_type["name"])
    assert by_name == gazu.asset.get_asset_type(asset_type["id"])
    # gazu reads data/entity-types (which also answers "Shot", "Sequence"...): the same
    # object seen as an entity type, labelled "EntityType" and without its task_types.
    gazu_by_name = real_gazu.asset.get_asset_type_by_name(asset_type["name"])
    assert without(by_name, "type", "task_types") == without(gazu_by_name, "type")
    # The page's one-argument form (gazu 1.3.1 wants a project first: not compared).
    assert gazu.asset.get_asset_by_name("Sword")["id"] == sword["id"]
    # Created already: both answer the existing asset (from the same list route).
    assert gazu.asset.new_asset(p, asset_type, "Hero") == real_gazu.asset.new_asset(
        p, asset_type, "Hero"
    )

    # Creation shapes: one asset each way; own id, name and stamps.
    theirs = real_gazu.asset.new_asset(p, asset_type, "Shield", "the hero")
    ours = gazu.asset.new_asset(p, asset_type, "Helmet", "the hero")
    assert without(ours, "id", "name", *STAMPS) == without(theirs, "id", "name", *STAMPS)

    updated = gazu.asset.update_asset({"id": hero["id"], "description": "updated"})
    assert updated["description"] == "updated"
    gazu_updated = real_gazu.asset.update_asset({"id": hero["id"], "description": "updated"})
    assert without(updated, "updated_at") == without(gazu_updated, "updated_at")

    gazu.asset.remove_asset(ours)
    with pytest.raises(errors.NotFound):
        gazu.asset.get_asset(ours["id"])
    real_gazu.asset.remove_asset(theirs)


def test_asset_types(real_gazu: Any) -> None:
    name = unique("gazu-type")
    ours = gazu.asset.new_asset_type(name)
    theirs = real_gazu.asset.new_asset_type(name + "-g")
    try:
        # The facade answers the asset type row (type "AssetType") of data/asset-types;
        # gazu answers the entity-types row of the same object (type "EntityType").
        assert without(ours, "id", "name", "type", *STAMPS) == without(
            theirs, "id", "name", "type", *STAMPS
        )
        assert gazu.asset.new_asset_type(name)["id"] == ours["id"]
        renamed = gazu.asset.update_asset_type({**ours, "name": name + "-renamed"})
        gazu_renamed = real_gazu.asset.update_asset_type({**ours, "name": name + "-renamed"})
        assert renamed["name"] == name + "-renamed"
        assert without(renamed, "updated_at") == without(gazu_renamed, "updated_at")
        # gazu answers the Shot entity type here; the facade only asset types.
        assert real_gazu.asset.get_asset_type_by_name("Shot") is not None
        assert gazu.asset.get_asset_type_by_name("Shot") is None
    finally:
        gazu.asset.remove_asset_type(ours)
        real_gazu.asset.remove_asset_type(theirs)
    with pytest.raises(errors.NotFound):
        gazu.asset.get_asset_type(ours["id"])


def test_asset_instances(
    real_gazu: Any,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    asset_type: dict[str, Any],
) -> None:
    p = kitsu_project
    shot = gazu.shot.new_shot(p, gazu.shot.new_sequence(p, None, "SQ01"), "SH01")
    env = gazu.asset.new_asset(p, asset_type, "Forest")
    tree = gazu.asset.new_asset(p, asset_type, "Tree")
    inside = kitsu_client.post(
        f"data/assets/{env['id']}/asset-asset-instances", {"asset_to_instantiate_id": tree["id"]}
    )
    first = gazu.shot.new_shot_asset_instance(shot, tree)
    second = gazu.shot.new_shot_asset_instance(shot["id"], tree["id"], "second tree")
    try:
        assert (first["asset_id"], first["number"], first["name"]) == (tree["id"], 1, "Tree_0001")
        assert (second["number"], second["description"]) == (2, "second tree")

        assert gazu.asset.get_asset_instance(first["id"]) == real_gazu.asset.get_asset_instance(
            first["id"]
        )
        for_asset = gazu.asset.all_asset_instances_for_asset(env)
        assert [i["id"] for i in for_asset[tree["id"]]] == [inside["id"]]
        assert for_asset == real_gazu.asset.all_asset_instances_for_asset(env)
        for_shot = gazu.shot.all_asset_instances_for_shot(shot)
        assert [i["id"] for i in for_shot[tree["id"]]] == [first["id"], second["id"]]
        assert for_shot == gazu.asset.all_asset_instances_for_shot(shot)
        assert for_shot == real_gazu.shot.all_asset_instances_for_shot(shot)
        assert for_shot == real_gazu.asset.all_asset_instances_for_shot(shot)
    finally:
        for row in (first, second):
            kitsu_client.delete(f"data/shots/{shot['id']}/asset-instances/{row['id']}")
        for row in (first, second, inside):
            kitsu_client.delete(f"data/asset-instances/{row['id']}")


# -- Shots --------------------------------------------------------------------------------


def test_shots_sequences_episodes(real_gazu: Any, kitsu_make_project: Any) -> None:
    p = kitsu_make_project(production_type="tvshow")
    episode = gazu.shot.new_episode(p, "E01")
    sequence = gazu.shot.new_sequence(p, episode, "SQ01")  # the page's argument order
    assert gazu.shot.new_sequence(p, "SQ01", episode=episode)["id"] == sequence["id"]  # gazu 1.3's
    shot = gazu.shot.new_shot(
        p, sequence, "SH01", frame_in=10, frame_out=20, data={"extra_data": "value"}
    )
    assert (episode["name"], sequence["parent_id"], shot["parent_id"]) == (
        "E01",
        episode["id"],
        sequence["id"],
    )
    assert shot["data"] == {"extra_data": "value", "frame_in": 10, "frame_out": 20}

    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
        ("all_shots_for_project", (p,), {}),
        ("all_shots_for_sequence", (sequence,), {}),
        ("all_sequences_for_project", (p["id"],), {}),
        ("all_sequences_for_episode", (episode,), {}),
        ("all_episodes_for_project", (p,), {}),
        ("get_shot", (shot["id"],), {}),
        ("get_shot_by_name", (sequence, "SH01"), {}),
        ("get_sequence", (sequence["id"],), {}),
        ("get_sequence_by_name", (p, "SQ01"), {"episode": episode}),
        ("get_sequence_by_name", (p, "SQ01"), {}),
        ("get_episode", (episode["id"],), {}),
        ("get_episode_by_name", (p, "E01"), {}),
    ]
    for name, args, kwargs in calls:
        assert getattr(gazu.shot, name)(*args, **kwargs) == getattr(real_gazu.shot, name)(
            *args, **kwargs
        ), name
    assert [s["name"] for s in gazu.shot.all_shots_for_project(p)] == ["SH01"]
    assert gazu.shot.get_shot(shot["id"])["sequence_name"] == "SQ01"
    assert gazu.shot.get_episode_by_name(p, "E02") is None
    assert gazu.shot.get_shot_by_name(sequence, "SH_1") is None  # no wildcard match

    # Existing: all three answer the same row as gazu's new_* (a by-name lookup).
    assert gazu.shot.new_episode(p, "E01") == real_gazu.shot.new_episode(p, "E01")
    assert gazu.shot.new_sequence(p, episode, "SQ01") == real_gazu.shot.new_sequence(
        p, "SQ01", episode
    )
    assert gazu.shot.new_shot(p, sequence, "SH01") == real_gazu.shot.new_shot(p, sequence, "SH01")
    # Creation shapes, one object each way: own id, name, stamps.
    ours = gazu.shot.new_shot(p, sequence, "SH02", frame_in=1, nb_frames=5)
    theirs = real_gazu.shot.new_shot(p, sequence, "SH03", frame_in=1, nb_frames=5)
    assert without(ours, "id", "name", *STAMPS) == without(theirs, "id", "name", *STAMPS)
    ours = gazu.shot.new_episode(p, "E02")
    theirs = real_gazu.shot.new_episode(p, "E03")
    assert without(ours, "id", "name", *STAMPS) == without(theirs, "id", "name", *STAMPS)

    updated = gazu.shot.update_shot({"id": shot["id"], "description": "new"}, data={"extra": 1})
    assert updated["description"] == "new" and updated["data"]["extra"] == 1
    assert updated["data"]["frame_in"] == 10  # Zou merges metadata
    again = real_gazu.shot.update_shot({"id": shot["id"], "description": "new"})
    assert without(updated, "updated_at") == without(again, "updated_at")
    assert gazu.shot.update_shot(gazu.shot.get_shot(shot["id"]), data={})["data"]["extra"] == 1


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
