"""The usage page's Tasks, Files and User sections through kitsu_orm.compat.gazu,
against the real server, compared with gazu 1.3.1 reading the same objects.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm import errors
from kitsu_orm.compat import gazu
from kitsu_orm.transport import Transport

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("gazu_facade")]

# Set on every write: two objects saved at different moments differ there.
STAMPS = ("id", "created_at", "updated_at")


def _get_or_create(client: Transport, collection: str, body: dict[str, Any]) -> dict[str, Any]:
    found = [r for r in client.get(f"data/{collection}", {"name": body["name"]})]
    found = [r for r in found if r["name"] == body["name"]]
    return found[0] if found else client.post(f"data/{collection}", body)  # type: ignore[no-any-return]


@pytest.fixture
def prod(kitsu_client: Transport, kitsu_project: dict[str, Any]) -> dict[str, Any]:
    """A small production: an asset with an instance in a shot, a task on each, the admin
    assigned to both and in the team, the default file tree."""
    c, pid = kitsu_client, kitsu_project["id"]
    c.put(f"data/projects/{pid}", {"file_tree": kitsu.file_tree("studio")})
    types = {t["name"]: t for t in c.get("data/task-types")}
    statuses = {s["short_name"]: s for s in c.get("data/task-status")}
    character = next(t for t in c.get("data/asset-types") if t["name"] == "Character")
    new_asset = f"data/projects/{pid}/asset-types/{character['id']}/assets/new"
    hero = c.post(new_asset, {"name": "Hero"})
    sword = c.post(new_asset, {"name": "Sword"})
    seq = c.post(f"data/projects/{pid}/sequences", {"name": "SQ01"})
    shot = c.post(f"data/projects/{pid}/shots", {"name": "SH01", "sequence_id": seq["id"]})
    scene = c.post(f"data/projects/{pid}/scenes", {"name": "SC01", "sequence_id": seq["id"]})

    def task(entity: dict[str, Any], task_type: str) -> dict[str, Any]:
        body = {
            "project_id": pid,
            "entity_id": entity["id"],
            "task_type_id": types[task_type]["id"],
            "task_status_id": statuses["todo"]["id"],
        }
        return c.post("data/tasks", body)  # type: ignore[no-any-return]

    asset_task, shot_task = task(hero, "Modeling"), task(shot, "Animation")
    admin = c.current_user()
    c.post(f"data/projects/{pid}/team", {"person_id": admin["id"]})
    c.put(
        f"actions/persons/{admin['id']}/assign", {"task_ids": [asset_task["id"], shot_task["id"]]}
    )
    return {
        "project": kitsu_project,
        "asset": hero,
        "sword": sword,
        "sequence": seq,
        "shot": shot,
        "scene": scene,
        "asset_task": asset_task,
        "shot_task": shot_task,
        "modeling": types["Modeling"],
        "animation": types["Animation"],
        "todo": statuses["todo"],
        "wip": statuses["wip"],
        "admin": admin,
        "character": character,
        "cache": _get_or_create(c, "output-types", {"name": "Cache", "short_name": "cch"}),
        "maya": _get_or_create(
            c, "softwares", {"name": "Maya", "short_name": "ma", "file_extension": ".ma"}
        ),
    }


@pytest.fixture
def instance(kitsu_client: Transport, prod: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """An instance of Sword inside Hero, linked to the shot; removed afterwards, with its
    output files (Zou cannot delete a project that holds asset instances)."""
    c, shot = kitsu_client, prod["shot"]
    row: dict[str, Any] = c.post(
        f"data/assets/{prod['asset']['id']}/asset-asset-instances",
        {"asset_to_instantiate_id": prod["sword"]["id"]},
    )
    c.post(f"data/shots/{shot['id']}/asset-instances", {"asset_instance_id": row["id"]})
    yield row
    c.delete(f"data/shots/{shot['id']}/asset-instances/{row['id']}")
    for output_file in c.get(f"data/asset-instances/{row['id']}/output-files"):
        c.delete(f"data/output-files/{output_file['id']}")
    c.delete(f"data/asset-instances/{row['id']}")


def slug(name: str) -> str:
    """A name as the file trees' "lowercase" style writes it."""
    return name.lower().replace("-", "_")


def same(ours: Any, theirs: Any) -> Any:
    """Both answers are equal; returns ours."""
    assert ours == theirs
    return ours


# -- Tasks ------------------------------------------------------------------------------------


def test_tasks_for_entities_and_task_types(real_gazu: Any, prod: dict[str, Any]) -> None:
    asset, shot, scene, seq = prod["asset"], prod["shot"], prod["scene"], prod["sequence"]
    for name, entity, expected in (
        ("all_tasks_for_asset", asset, [prod["asset_task"]["id"]]),
        ("all_tasks_for_shot", shot, [prod["shot_task"]["id"]]),
        ("all_tasks_for_scene", scene, []),
        ("all_tasks_for_sequence", seq, []),
    ):
        tasks = same(getattr(gazu.task, name)(entity), getattr(real_gazu.task, name)(entity))
        assert [t["id"] for t in tasks] == expected, name
    tasks = same(
        gazu.task.all_tasks_for_entity_and_task_type(asset, prod["modeling"]),
        real_gazu.task.all_tasks_for_entity_and_task_type(asset, prod["modeling"]),
    )
    assert [t["id"] for t in tasks] == [prod["asset_task"]["id"]]
    args = (prod["project"], prod["animation"], prod["todo"])
    tasks = same(
        gazu.task.all_tasks_for_task_status(*args), real_gazu.task.all_tasks_for_task_status(*args)
    )
    assert [t["id"] for t in tasks] == [prod["shot_task"]["id"]]
    # ids work as dicts do
    assert gazu.task.all_tasks_for_asset(asset["id"]) == gazu.task.all_tasks_for_asset(asset)

    all_types = same(gazu.task.all_task_types(), real_gazu.task.all_task_types())
    assert prod["modeling"]["id"] in [t["id"] for t in all_types]
    for name, entity, expected in (
        ("all_task_types_for_asset", asset, ["Modeling"]),
        ("all_task_types_for_shot", shot, ["Animation"]),
        ("all_task_types_for_scene", scene, []),
        ("all_task_types_for_sequence", seq, ["Animation"]),  # its shots' task types
    ):
        found = same(getattr(gazu.task, name)(entity), getattr(real_gazu.task, name)(entity))
        assert [t["name"] for t in found] == expected, name


def test_get_task_type_status_and_task(real_gazu: Any, prod: dict[str, Any]) -> None:
    asset, modeling, todo = prod["asset"], prod["modeling"], prod["todo"]
    # The page's gazu.shot.get_task_by_task_type is gazu 1.3.1's task.get_task_by_entity.
    task = same(
        gazu.task.get_task_by_task_type(asset, modeling),
        real_gazu.task.get_task_by_entity(asset, modeling),
    )
    assert task is not None and task["id"] == prod["asset_task"]["id"]
    # gazu 1.3.1 has no get_task_by_name: the page's call finds the entity's "main" task.
    assert gazu.task.get_task_by_name(asset, "main") == task
    assert gazu.task.get_task_by_name(asset, modeling, "main") == task
    assert gazu.task.get_task_by_name(asset, "nope") is None
    full = same(gazu.task.get_task(task), real_gazu.task.get_task(task))
    assert full["entity"]["id"] == asset["id"]

    assert (
        same(gazu.task.get_task_type(modeling["id"]), real_gazu.task.get_task_type(modeling["id"]))[
            "name"
        ]
        == "Modeling"
    )
    assert (
        same(
            gazu.task.get_task_type_by_name("Modeling"),
            real_gazu.task.get_task_type_by_name("Modeling"),
        )["id"]
        == modeling["id"]
    )
    assert (
        same(gazu.task.get_task_status(todo["id"]), real_gazu.task.get_task_status(todo["id"]))[
            "short_name"
        ]
        == "todo"
    )
    assert (
        same(
            gazu.task.get_task_status_by_name(todo["name"]),
            real_gazu.task.get_task_status_by_name(todo["name"]),
        )["id"]
        == todo["id"]
    )
    assert gazu.task.get_task_type_by_name("No such type") is None


def test_start_task(real_gazu: Any, prod: dict[str, Any], kitsu_client: Transport) -> None:
    ours = gazu.task.start_task(prod["asset_task"])
    theirs = real_gazu.task.start_task(prod["shot_task"])
    for comment in (ours, theirs):
        assert comment["task_status_id"] == prod["wip"]["id"]
    # Two comments on two tasks: they differ by id, task and dates only.
    keys = (*STAMPS, "object_id")
    assert {k: v for k, v in ours.items() if k not in keys} == {
        k: v for k, v in theirs.items() if k not in keys
    }
    row = kitsu_client.get(f"data/tasks/{prod['asset_task']['id']}")
    assert row["task_status_id"] == prod["wip"]["id"]


def test_time_spent(real_gazu: Any, prod: dict[str, Any]) -> None:
    task, admin = prod["shot_task"], prod["admin"]
    # Durations go to Zou as given (Zou stores minutes): 8 * 3600 is the page's example.
    first = gazu.task.set_time_spent(task, admin, "2018-03-18", 8 * 3600)
    assert first["duration"] == 8 * 3600 and first["date"] == "2018-03-18"
    added = real_gazu.task.add_time_spent(task, admin, "2018-03-18", 3600)
    assert added["duration"] == 9 * 3600 and added["id"] == first["id"]
    ours = gazu.task.add_time_spent(task, admin, "2018-03-18", 3600)
    assert ours["duration"] == 10 * 3600
    spent = same(
        gazu.task.get_time_spent(task, "2018-03-18"),
        real_gazu.task.get_time_spent(task, "2018-03-18"),
    )
    assert spent["total"] == 10 * 3600 and [r["id"] for r in spent[admin["id"]]] == [first["id"]]
    assert same(gazu.task.get_time_spent(task), real_gazu.task.get_time_spent(task)) == spent
    assert gazu.task.get_time_spent(task, "2018-03-19")["total"] == 0


# -- Files ------------------------------------------------------------------------------------


def test_output_types_and_softwares(real_gazu: Any, prod: dict[str, Any]) -> None:
    cache, maya = prod["cache"], prod["maya"]
    assert cache["id"] in [
        t["id"] for t in same(gazu.files.all_output_types(), real_gazu.files.all_output_types())
    ]
    assert (
        same(gazu.files.get_output_type(cache["id"]), real_gazu.files.get_output_type(cache["id"]))
        == cache
    )
    assert (
        same(
            gazu.files.get_output_type_by_name("Cache"),
            real_gazu.files.get_output_type_by_name("Cache"),
        )
        == cache
    )
    assert gazu.files.new_output_type("Cache", "cch") == cache
    name = f"Geometry-{uuid.uuid4().hex[:6]}"
    geo = gazu.files.new_output_type(name, "geo")
    assert geo["name"] == name and real_gazu.files.get_output_type_by_name(name) == geo
    assert maya["id"] in [
        s["id"] for s in same(gazu.files.all_softwares(), real_gazu.files.all_softwares())
    ]
    assert (
        same(gazu.files.get_software(maya["id"]), real_gazu.files.get_software(maya["id"])) == maya
    )
    assert (
        same(gazu.files.get_software_by_name("Maya"), real_gazu.files.get_software_by_name("Maya"))
        == maya
    )


def test_working_files(real_gazu: Any, prod: dict[str, Any]) -> None:
    task, maya, admin = prod["asset_task"], prod["maya"], prod["admin"]
    # The page passes scene=1 (an older Zou's working file field): accepted, ignored.
    ours = gazu.files.new_working_file(
        task, name="main", software=maya, comment="", person=admin, scene=1, revision=0, sep="/"
    )
    theirs = real_gazu.files.new_working_file(
        task, name="main", software=maya, comment="", person=admin, revision=0, sep="/"
    )
    assert (ours["revision"], theirs["revision"]) == (1, 2)
    assert ours["path"].startswith("/mnt/studio/work/")
    # Two revisions of one file: they differ by revision (and so path) only.
    keys = (*STAMPS, "revision", "path")
    assert {k: v for k, v in ours.items() if k not in keys} == {
        k: v for k, v in theirs.items() if k not in keys
    }
    files = same(
        gazu.files.get_working_files_for_task(task),
        real_gazu.files.get_working_files_for_task(task),
    )
    assert sorted(f["revision"] for f in files) == [1, 2]
    last = same(
        gazu.files.get_last_working_files(task), real_gazu.files.get_last_working_files(task)
    )
    assert last["main"]["id"] == theirs["id"]
    assert (
        same(
            gazu.files.get_last_working_file_revision(task, name="main"),
            real_gazu.files.get_last_working_file_revision(task, name="main"),
        )
        == last["main"]
    )
    assert (
        same(gazu.files.get_working_file(ours["id"]), real_gazu.files.get_working_file(ours["id"]))[
            "revision"
        ]
        == 1
    )

    # The page's call adds output_type and version; gazu 1.3.1 takes revision.
    path = gazu.files.build_working_file_path(
        task,
        name="main",
        mode="working",
        software=maya,
        output_type=prod["cache"],
        version=3,
        sep="/",
    )
    assert path == real_gazu.files.build_working_file_path(
        task, name="main", mode="working", software=maya, revision=3, sep="/"
    )
    project = slug(prod["project"]["name"])
    assert (
        path
        == f"/mnt/studio/work/{project}/assets/character/hero/modeling/{project}_character_hero_modeling"
    )


def test_output_files(real_gazu: Any, prod: dict[str, Any]) -> None:
    asset, cache, modeling = prod["asset"], prod["cache"], prod["modeling"]
    working = gazu.files.new_working_file(prod["asset_task"], software=prod["maya"])
    # The page's argument order (working file before comment), then gazu 1.3.1's.
    ours = gazu.files.new_entity_output_file(
        asset,
        cache,
        modeling,
        working,
        "comment",
        person=prod["admin"],
        revision=1,
        nb_elements=1,
        representation="ob",
        sep="/",
    )
    theirs = real_gazu.files.new_entity_output_file(
        asset,
        cache,
        modeling,
        "comment",
        working_file=working,
        person=prod["admin"],
        revision=2,
        nb_elements=1,
        representation="ob",
        sep="/",
    )
    keys = (*STAMPS, "revision", "path")
    assert ours["source_file_id"] == working["id"] and ours["comment"] == "comment"
    assert {k: v for k, v in ours.items() if k not in keys} == {
        k: v for k, v in theirs.items() if k not in keys
    }
    assert (
        same(gazu.files.get_output_file(ours["id"]), real_gazu.files.get_output_file(ours["id"]))[
            "id"
        ]
        == ours["id"]
    )
    assert (
        same(
            gazu.files.get_output_file_by_path(ours["path"]),
            real_gazu.files.get_output_file_by_path(ours["path"]),
        )["id"]
        == ours["id"]
    )
    files = same(
        gazu.files.all_output_files_for_entity(asset, cache, representation="ob"),
        real_gazu.files.all_output_files_for_entity(asset, cache, representation="ob"),
    )
    assert sorted(f["revision"] for f in files) == [1, 2]
    assert gazu.files.all_output_files_for_entity(asset, cache, representation="abc") == []
    last = same(
        gazu.files.get_last_output_files_for_entity(asset),
        real_gazu.files.get_last_output_files_for_entity(asset),
    )
    assert [f["id"] for f in (last.values() if isinstance(last, dict) else last)] == [theirs["id"]]
    assert [
        t["id"]
        for t in same(
            gazu.files.all_output_types_for_entity(asset),
            real_gazu.files.all_output_types_for_entity(asset),
        )
    ] == [cache["id"]]

    # Revisions: the page passes a task (its entity and task type); gazu 1.3.1 both.
    task = prod["asset_task"]
    nxt = gazu.files.get_next_entity_ouput_revision(task, cache)
    assert nxt == 3 == real_gazu.files.get_next_entity_output_revision(asset, cache, modeling)
    assert gazu.files.get_next_entity_output_revision(asset, cache, modeling) == 3
    assert gazu.files.get_last_entity_ouput_revision(task["id"], cache) == 2
    assert gazu.files.get_last_entity_output_revision(asset, cache, modeling) == 2

    path = gazu.files.build_entity_output_file_path(
        asset, cache, modeling, name="main", mode="output", revision=1
    )
    assert path == real_gazu.files.build_entity_output_file_path(
        asset, cache, modeling, name="main", mode="output", revision=1
    )
    project = slug(prod["project"]["name"])
    assert path.startswith(f"/mnt/studio/publish/{project}/assets/character/hero/cache/")


def test_asset_instance_output_files(
    real_gazu: Any, prod: dict[str, Any], instance: dict[str, Any]
) -> None:
    shot, cache, modeling = prod["shot"], prod["cache"], prod["modeling"]
    # The "studio" tree has no templates for asset instances: "studio-versioned" has.
    gazu.files.set_project_file_tree(prod["project"], "studio-versioned")
    ours = gazu.files.new_asset_instance_output_file(
        instance, shot, cache, modeling, "comment", revision=1, representation="abc"
    )
    theirs = real_gazu.files.new_asset_instance_output_file(
        instance, shot, cache, modeling, "comment", revision=2, representation="abc"
    )
    keys = (*STAMPS, "revision", "path", "file_name")
    assert ours["asset_instance_id"] == instance["id"] and ours["temporal_entity_id"] == shot["id"]
    assert {k: v for k, v in ours.items() if k not in keys} == {
        k: v for k, v in theirs.items() if k not in keys
    }
    # The page's (asset_instance, output_type, representation=) form.
    files = gazu.files.all_output_files_for_asset_instance(instance, cache, representation="abc")
    assert sorted(f["revision"] for f in files) == [1, 2]
    assert files == real_gazu.files.all_output_files_for_asset_instance(
        instance, output_type=cache, representation="abc"
    )
    last = same(
        gazu.files.get_last_output_files_for_asset_instance(instance, shot),
        real_gazu.files.get_last_output_files_for_asset_instance(instance, shot),
    )
    assert [f["id"] for f in (last.values() if isinstance(last, dict) else last)] == [theirs["id"]]
    assert (
        same(
            gazu.files.all_output_types_for_asset_instance(instance, shot),
            real_gazu.files.all_output_types_for_asset_instance(instance, shot),
        )
        == gazu.files.all_output_types_for_asset_instance(instance)
        == [cache]
    )
    args = (instance, shot, cache, modeling)
    assert gazu.files.get_next_asset_instance_ouput_revision(*args) == 3
    assert real_gazu.files.get_next_asset_instance_output_revision(*args) == 3
    assert gazu.files.get_last_asset_instance_ouput_revision(*args) == 2
    assert gazu.files.get_last_asset_instance_output_revision(*args) == 2
    path = gazu.files.build_asset_instance_output_file_path(
        *args, name="main", mode="output", revision=1
    )
    assert path == real_gazu.files.build_asset_instance_output_file_path(
        *args, name="main", mode="output", revision=1
    )


def test_set_project_file_tree(
    real_gazu: Any, prod: dict[str, Any], kitsu_client: Transport
) -> None:
    project = prod["project"]
    # Zou dropped the set-file-tree-by-name action: the facade sends the named tree.
    answer = gazu.files.set_project_file_tree(project["id"], "studio-versioned")
    assert answer["file_tree"] == kitsu.file_tree("studio-versioned")
    assert kitsu_client.get(f"data/projects/{project['id']}")["file_tree"] == kitsu.file_tree(
        "studio-versioned"
    )
    # gazu 1.3.1's update_project_file_tree is the same call with a dict.
    theirs = real_gazu.files.update_project_file_tree(project, kitsu.file_tree("studio"))
    ours = gazu.files.update_project_file_tree(project, kitsu.file_tree("studio"))
    assert {k: v for k, v in ours.items() if k != "updated_at"} == {
        k: v for k, v in theirs.items() if k != "updated_at"
    }
    with pytest.raises(errors.ValidationError):
        gazu.files.set_project_file_tree(project, "no-such-tree")


# -- User -------------------------------------------------------------------------------------


def test_user_section(real_gazu: Any, prod: dict[str, Any]) -> None:
    project, asset, shot, seq = prod["project"], prod["asset"], prod["shot"], prod["sequence"]
    mine = [p for p in gazu.user.all_open_projects() if p["id"] == project["id"]]
    # Other test sessions may open or close projects meanwhile: compare ours only.
    assert mine == [p for p in real_gazu.user.all_open_projects() if p["id"] == project["id"]]
    assert len(mine) == 1
    types = same(
        gazu.user.all_asset_types_for_project(project),
        real_gazu.user.all_asset_types_for_project(project),
    )
    assert [t["name"] for t in types] == ["Character"]
    assets = same(
        gazu.user.all_assets_for_asset_type_project(project, prod["character"]),
        real_gazu.user.all_assets_for_asset_type_and_project(project, prod["character"]),
    )
    assert [a["id"] for a in assets] == [asset["id"]]  # Sword has no task of the user's
    sequences = same(
        gazu.user.all_sequences_for_project(project),
        real_gazu.user.all_sequences_for_project(project),
    )
    assert [s["id"] for s in sequences] == [seq["id"]]
    shots = same(gazu.user.all_shots_for_sequence(seq), real_gazu.user.all_shots_for_sequence(seq))
    assert [s["id"] for s in shots] == [shot["id"]]
    assert (
        same(gazu.user.all_scenes_for_sequence(seq), real_gazu.user.all_scenes_for_sequence(seq))
        == []
    )
    for name, entity, expected in (
        ("all_tasks_for_shot", shot, prod["shot_task"]["id"]),
        ("all_tasks_for_asset", asset, prod["asset_task"]["id"]),
    ):
        tasks = same(getattr(gazu.user, name)(entity), getattr(real_gazu.user, name)(entity))
        assert [t["id"] for t in tasks] == [expected]
    for name, entity, expected in (
        ("all_task_types_for_asset", asset, "Modeling"),
        ("all_task_types_for_shot", shot, "Animation"),
    ):
        found = same(getattr(gazu.user, name)(entity), getattr(real_gazu.user, name)(entity))
        assert [t["name"] for t in found] == [expected]


# -- errors -----------------------------------------------------------------------------------


def test_errors_are_the_library_s_own(prod: dict[str, Any], instance: dict[str, Any]) -> None:
    missing = str(uuid.uuid4())
    with pytest.raises(errors.NotFound):
        gazu.task.get_task(missing)
    with pytest.raises(errors.NotFound):
        gazu.files.get_output_file(missing)
    with pytest.raises(errors.ValidationError):
        gazu.task.all_tasks_for_shot("not-an-id")
    with pytest.raises(errors.ValidationError):  # Zou answers 400 to a bad date
        gazu.task.set_time_spent(prod["shot_task"], prod["admin"], "not-a-date", 60)
    with pytest.raises(errors.ValidationError):  # Zou needs a task type for output paths
        gazu.files.build_entity_output_file_path(prod["asset"], prod["cache"])
    with pytest.raises(errors.ValidationError):  # ... and a shot or scene for instances
        gazu.files.get_last_output_files_for_asset_instance(instance)
    with pytest.raises(errors.NotFound):  # time spent of a person who does not exist
        gazu.task.set_time_spent(prod["asset_task"], missing, "2018-03-18", 60)
    # The "studio" tree has no instance templates: Zou fails with a 500.
    with pytest.raises(errors.ServerError):
        gazu.files.new_asset_instance_output_file(
            instance, prod["shot"], prod["cache"], prod["modeling"], "comment"
        )
