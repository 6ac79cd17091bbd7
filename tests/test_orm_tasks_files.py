"""The object-style equivalents of the usage page's Tasks, Files and User sections."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm import errors
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server


class Prod:
    """A small production made through the ORM: an asset and a shot with a task each,
    the admin in the team and assigned to both, the default file tree."""

    def __init__(self, s: kitsu.Session, project_row: dict[str, Any]) -> None:
        self.s = s
        project = s.get(kitsu.Project, project_row["id"])
        project.file_tree = kitsu.file_tree("studio")
        self.project = project
        self.modeling = kitsu.TaskType.where(name="Modeling", for_entity="Asset", session=s).one()
        self.animation = kitsu.TaskType.where(name="Animation", for_entity="Shot", session=s).one()
        self.todo = kitsu.TaskStatus.where(short_name="todo", session=s).one()
        self.wip = kitsu.TaskStatus.where(short_name="wip", session=s).one()
        self.character = kitsu.AssetType.where(name="Character", session=s).one()
        self.asset = kitsu.Asset(name="Hero", project=project, asset_type=self.character)
        self.sequence = kitsu.Sequence(name="SQ01", project=project)
        self.shot = kitsu.Shot(name="SH01", project=project, sequence=self.sequence)
        self.me = kitsu.User(s).person
        self.asset_task = kitsu.Task(
            project=project, entity=self.asset, task_type=self.modeling, task_status=self.todo
        )
        self.shot_task = kitsu.Task(
            project=project, entity=self.shot, task_type=self.animation, task_status=self.todo
        )
        for obj in (self.asset, self.sequence, self.shot, self.asset_task, self.shot_task):
            s.add(obj)
        self.asset_task.assign(self.me)
        self.shot_task.assign(self.me)
        s.commit()
        s.transport.post(f"data/projects/{project.id}/team", {"person_id": self.me.id})
        s.refresh(project)  # the team changed it on the server
        self.cache = kitsu.OutputType.get_or_create(
            name="Cache", defaults={"short_name": "cch"}, session=s, commit=True
        )
        self.maya = kitsu.Software.get_or_create(
            name="Maya",
            defaults={"short_name": "ma", "file_extension": ".ma"},
            session=s,
            commit=True,
        )


@pytest.fixture
def prod(session: kitsu.Session, kitsu_project: dict[str, Any]) -> Prod:
    return Prod(session, kitsu_project)


# -- Tasks ------------------------------------------------------------------------------------


def test_tasks_by_entity_type_and_status(prod: Prod) -> None:
    s = prod.s
    assert prod.asset.tasks == [prod.asset_task]
    assert prod.shot.tasks == [prod.shot_task]
    assert kitsu.Task.where(entity=prod.asset, task_type=prod.modeling, session=s).all() == [
        prod.asset_task
    ]
    by_status = kitsu.Task.where(
        project=prod.project, task_type=prod.animation, task_status=prod.todo, session=s
    ).all()
    assert by_status == [prod.shot_task]
    assert kitsu.Task.where(entity=prod.asset, name="main", session=s).one() is prod.asset_task
    assert kitsu.TaskType.used_by(prod.asset) == [prod.modeling]
    assert kitsu.TaskType.used_by(prod.shot) == [prod.animation]
    assert kitsu.TaskType.get(prod.modeling.id, session=s) is prod.modeling
    assert kitsu.TaskStatus.where(name=prod.todo.name, session=s).one() is prod.todo


def test_start_comment_and_status(prod: Prod) -> None:
    prod.asset_task.start()
    prod.s.commit()
    assert prod.s.refresh(prod.asset_task).task_status is prod.wip
    prod.shot_task.set_status(prod.wip, "on it")
    prod.s.commit()
    assert [c.text for c in prod.s.refresh(prod.shot_task).comments] == ["on it"]


def test_time_spent(prod: Prod) -> None:
    task, me, day = prod.shot_task, prod.me, date(2018, 3, 18)
    first = task.set_time_spent(me, day, 8 * 60)
    assert first.duration == 480 and first.person_id == me.id
    assert type(first.date) is date and first.date == day  # a day on the server: a date here
    again = task.add_time_spent(me, "2018-03-18", timedelta(hours=1))
    assert again is first and first.duration == 540
    assert task.time_spents_on(day) == []  # pending until commit
    prod.s.commit()
    assert first.id and first.duration == 540
    assert task.time_spents_on(day) == [first]
    assert task.time_spents_on(date(2018, 3, 19)) == []
    assert task.time_spents == [first]
    assert kitsu.TimeSpent.where(task=task, session=prod.s).one().date == day
    with pytest.raises(errors.ValidationError):
        task.set_time_spent(me, "18/03/2018", 60)
    with pytest.raises(errors.ValidationError):
        task.set_time_spent(me, day, 0)


def test_dates_as_python_gives_them(prod: Prod, kitsu_client: Transport) -> None:
    s, task, project = prod.s, prod.shot_task, prod.project
    task.due_date = date(2026, 1, 1)
    task.start_date = datetime(2025, 12, 1, 10, 30, 15, 999)  # naive: UTC, as Zou stores them
    project.start_date = datetime(2026, 2, 1, 18, 0)  # a day on the server: its day
    project.end_date = date(2026, 12, 31)
    s.commit()
    row = kitsu_client.get(f"data/tasks/{task.id}")
    assert (row["due_date"], row["start_date"]) == ("2026-01-01T00:00:00", "2025-12-01T10:30:15")
    assert kitsu_client.get(f"data/projects/{project.id}")["start_date"] == "2026-02-01"
    s.refresh(task)
    s.refresh(project)
    assert task.due_date == datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert task.start_date == datetime(2025, 12, 1, 10, 30, 15, tzinfo=timezone.utc)
    assert (project.start_date, project.end_date) == (date(2026, 2, 1), date(2026, 12, 31))
    assert type(project.start_date) is date
    assert not task.is_modified and not project.is_modified
    assert kitsu.Task.where(entity=prod.shot, due_date=date(2026, 1, 1), session=s).all() == [task]


def test_ids_are_checked_when_set(prod: Prod) -> None:
    s, task = prod.s, prod.shot_task
    before = s.stats.requests
    with pytest.raises(errors.ValidationError, match=r"Task\.task_status_id .*'wip'"):
        task.task_status_id = "wip"
    with pytest.raises(errors.ValidationError, match=r"Task\.task_type_id .*'anim'"):
        kitsu.Task(entity=prod.shot, task_type_id="anim", task_status=prod.todo)
    with pytest.raises(errors.ValidationError, match=r"Task\.assignee_ids .*'bob'"):
        task.assignee_ids = [prod.me.id, "bob"]
    with pytest.raises(errors.ValidationError, match=r"Task\.id .*42"):
        kitsu.Task(id=42)  # type: ignore[arg-type]
    assert s.stats.requests == before and not task.is_modified
    task.task_status_id = uuid.UUID(prod.wip.id)  # type: ignore[assignment]
    assert task.task_status_id == prod.wip.id and task.task_status is prod.wip
    s.rollback()


def test_loaded_lists_are_read_only(prod: Prod) -> None:
    s, shot, task = prod.s, prod.shot, prod.shot_task
    tasks = shot.tasks
    assert tasks == [task] and list(tasks) == [task] and tasks[0] is task and len(tasks) == 1
    stray = kitsu.Task(project=prod.project, task_type=prod.animation, task_status=prod.todo)
    edits = {
        "append": lambda: tasks.append(stray),
        "extend": lambda: tasks.extend([stray]),
        "insert": lambda: tasks.insert(0, stray),
        "remove": lambda: tasks.remove(task),
        "pop": lambda: tasks.pop(),
        "clear": lambda: tasks.clear(),
        "sort": lambda: tasks.sort(key=id),
        "reverse": lambda: tasks.reverse(),
        "setitem": lambda: tasks.__setitem__(0, stray),
        "delitem": lambda: tasks.__delitem__(0),
        "iadd": lambda: tasks.__iadd__([stray]),
    }
    for edit in edits.values():
        with pytest.raises(
            errors.ValidationError, match=r"Shot\.tasks is read-only: set task\.entity = shot"
        ):
            edit()
    s.rollback()
    assert shot.tasks == [task] and shot.tasks is tasks
    # Lists editable by assignment refuse edits in place, and still take a new list.
    assert task.assignees == [prod.me]
    with pytest.raises(errors.ValidationError, match=r"Task\.assignees cannot be changed in place"):
        task.assignees.append(prod.me)
    task.assignees = []
    assert task.assignee_ids == [] and task.assignees == []
    s.rollback()
    assert task.assignees == [prod.me]
    # The library keeps loaded lists up to date itself.
    layout = next(
        t for t in kitsu.TaskType.where(for_entity="Shot", session=s) if t is not prod.animation
    )
    other = kitsu.Task(project=prod.project, entity=shot, task_type=layout, task_status=prod.todo)
    s.add(other)
    s.commit()
    assert set(shot.tasks) == {task, other}
    s.delete(other)
    s.commit()
    assert shot.tasks == [task]


# -- Files ------------------------------------------------------------------------------------


def test_working_files(prod: Prod) -> None:
    s, task = prod.s, prod.asset_task
    first = task.new_working_file("main", software=prod.maya, comment="v1")
    with pytest.raises(errors.ValidationError):  # Zou would number both 1
        task.new_working_file("main")
    s.commit()
    second = task.new_working_file("main", software=prod.maya)
    s.commit()
    assert (first.revision, second.revision) == (1, 2)
    assert first.task is task and first.software is prod.maya and first.person_id == prod.me.id
    assert task.last_working_files() == {"main": second}
    assert kitsu.WorkingFile.get(first.id, session=s) is first
    assert kitsu.WorkingFile.where(task=task, session=s).order_by("revision").all() == [
        first,
        second,
    ]
    project = prod.project.name.lower().replace("-", "_")
    assert task.working_file_path(software=prod.maya, revision=3) == (
        f"/mnt/studio/work/{project}/assets/character/hero/modeling/"
        f"{project}_character_hero_modeling"
    )


def test_output_files(prod: Prod) -> None:
    s, asset, cache, modeling = prod.s, prod.asset, prod.cache, prod.modeling
    assert kitsu.OutputFile.next_revision(asset, cache, modeling) == 1
    assert kitsu.OutputFile.last_revision(asset, cache, modeling) == 0
    source = prod.asset_task.new_working_file(software=prod.maya)
    made = kitsu.OutputFile(
        entity=asset,
        output_type=cache,
        task_type=modeling,
        source_file=source,
        name="main",
        comment="first",
        representation="abc",
        person=prod.me,
    )
    s.add(made)
    s.commit()
    assert made.revision == 1 and made.source_file is source and made.path
    assert kitsu.OutputFile.next_revision(asset, cache, modeling) == 2
    assert kitsu.OutputFile.last_revisions(asset) == [made]
    assert kitsu.OutputFile.last_revisions(asset, representation="ob") == []
    assert kitsu.OutputFile.where(entity=asset, output_type=cache, session=s).all() == [made]
    assert kitsu.OutputFile.where(path=made.path, session=s).one() is made
    assert kitsu.OutputType.used_by(asset) == [cache]
    assert kitsu.OutputType.where(name="Cache", session=s).one() is cache
    assert kitsu.Software.where(name="Maya", session=s).one() is prod.maya
    project = prod.project.name.lower().replace("-", "_")
    path = kitsu.OutputFile.build_path(asset, cache, modeling, revision=1)
    assert path.startswith(f"/mnt/studio/publish/{project}/assets/character/hero/cache/")


def test_files_made_without_a_name_are_main(prod: Prod) -> None:
    s, asset, cache, modeling, task = prod.s, prod.asset, prod.cache, prod.modeling, prod.asset_task
    predicted_working = task.working_file_path(software=prod.maya, revision=1)
    working = kitsu.WorkingFile(task=task, software=prod.maya)
    s.add(working)
    predicted = kitsu.OutputFile.build_path(asset, cache, modeling, revision=1)
    first = kitsu.OutputFile(entity=asset, output_type=cache, task_type=modeling)
    s.add(first)
    s.commit()
    assert (working.name, working.revision, first.name, first.revision) == ("main", 1, "main", 1)
    assert working.path == predicted_working and first.path == predicted
    assert task.last_working_files() == {"main": working}
    assert task.new_working_file().name == "main"
    second = kitsu.OutputFile(entity=asset, output_type=cache, task_type=modeling)
    s.add(second)
    s.commit()
    assert second.revision == 2
    assert second.path == kitsu.OutputFile.build_path(asset, cache, modeling, revision=2)
    assert kitsu.OutputFile.next_revision(asset, cache, modeling) == 3
    assert kitsu.OutputFile.last_revision(asset, cache, modeling) == 2


@pytest.fixture
def instance(prod: Prod, kitsu_client: Transport) -> Iterator[kitsu.AssetInstance]:
    """An instance of a sword inside the hero, in the shot; removed afterwards (Zou
    cannot delete a project that holds asset instances)."""
    s = prod.s
    sword = kitsu.Asset(name="Sword", project=prod.project, asset_type=prod.character)
    s.add(sword)
    made = prod.asset.instantiate(sword)
    s.commit()
    kitsu_client.post(f"data/shots/{prod.shot.id}/asset-instances", {"asset_instance_id": made.id})
    yield made
    kitsu_client.delete(f"data/shots/{prod.shot.id}/asset-instances/{made.id}")
    for row in kitsu_client.get(f"data/asset-instances/{made.id}/output-files"):
        kitsu_client.delete(f"data/output-files/{row['id']}")
    kitsu_client.delete(f"data/asset-instances/{made.id}")


def test_asset_instance_output_files(prod: Prod, instance: kitsu.AssetInstance) -> None:
    s, shot, cache, modeling = prod.s, prod.shot, prod.cache, prod.modeling
    prod.project.file_tree = kitsu.file_tree("studio-versioned")  # "studio" has no instance templates
    s.commit()
    made = kitsu.OutputFile(
        asset_instance=instance,
        temporal_entity=shot,
        output_type=cache,
        task_type=modeling,
        name="master",
        comment="instance",
    )
    s.add(made)
    s.commit()
    assert made.revision == 1 and made.asset_instance is instance
    assert kitsu.OutputFile.last_revisions(instance, shot) == [made]
    assert kitsu.OutputFile.where(asset_instance=instance, session=s).all() == [made]
    assert kitsu.OutputType.used_by(instance, shot) == [cache]
    assert kitsu.OutputFile.next_revision(instance, cache, modeling, "master", shot) == 2
    assert "sword_0001" in kitsu.OutputFile.build_path(
        instance, cache, modeling, temporal_entity=shot, name="master"
    )
    with pytest.raises(errors.ValidationError):
        kitsu.OutputFile.last_revisions(instance)  # a shot or scene is needed


def test_file_trees(prod: Prod, kitsu_client: Transport) -> None:
    assert kitsu.file_tree_names() == ["default", "simple", "studio", "studio-versioned"]
    prod.project.file_tree = kitsu.file_tree("studio-versioned")
    prod.s.commit()
    row = kitsu_client.get(f"data/projects/{prod.project.id}")
    assert row["file_tree"] == kitsu.file_tree("studio-versioned")
    with pytest.raises(errors.ValidationError):
        kitsu.file_tree("nope")
    with pytest.raises(errors.ValidationError):
        kitsu.file_tree({"working": {}})


# -- User -------------------------------------------------------------------------------------


def test_user_view(prod: Prod) -> None:
    me = kitsu.User(prod.s)
    assert me.person is prod.me
    assert prod.project in me.open_projects()
    assert me.asset_types(prod.project) == [prod.character]
    assert me.assets(prod.project, prod.character) == [prod.asset]
    assert me.sequences(prod.project) == [prod.sequence]
    assert me.shots(prod.sequence) == [prod.shot]
    assert me.scenes(prod.sequence) == []
    assert me.tasks(prod.shot) == [prod.shot_task]
    assert me.tasks(prod.asset) == [prod.asset_task]
    assert me.task_types(prod.asset) == [prod.modeling]
    assert me.task_types(prod.shot) == [prod.animation]
    with pytest.raises(errors.ValidationError):
        me.tasks(prod.project)  # type: ignore[arg-type]


def test_errors(prod: Prod) -> None:
    s = prod.s
    with pytest.raises(errors.NotFound):
        kitsu.Task.get(str(uuid.uuid4()), session=s)
    with pytest.raises(errors.ValidationError):
        kitsu.OutputFile.next_revision(prod.asset, prod.modeling, prod.cache)  # type: ignore[arg-type]
    ghost = kitsu.Person(first_name="Ghost", id=str(uuid.uuid4()))
    prod.shot_task.set_time_spent(ghost, date(2018, 3, 18), 60)
    with pytest.raises(errors.CommitError) as info:  # pending: the server says so on commit
        s.commit()
    assert isinstance(info.value.__cause__, errors.NotFound)
    s.rollback()
