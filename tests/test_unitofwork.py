"""Commits on a real Kitsu: a whole hierarchy at once, conflicts, one PUT per object,
``data`` keys removed, assignments and comments."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from conftest import SessionFactory

import kitsu_orm as kitsu
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server

SHOT_TYPES = ("Animation", "Layout", "Lighting")
ASSET_TYPES = ("Modeling", "Rigging", "Shading")


def _record_writes(s: kitsu.Session) -> list[tuple[str, str]]:
    """``(method, path)`` of every write the session's transport sends, in order."""
    sent: list[tuple[str, str]] = []
    transport = s.transport
    for method in ("post", "put", "delete"):
        original = getattr(transport, method)

        def record(
            path: str,
            *args: Any,
            _original: Callable[..., Any] = original,
            _method: str = method.upper(),
            **kwargs: Any,
        ) -> Any:
            sent.append((_method, path))
            return _original(path, *args, **kwargs)

        setattr(transport, method, record)
    return sent


def _kind(path: str) -> str:
    """What a create route makes: ``data/projects/<id>/sequences`` -> ``sequences``."""
    if path == "data/projects":
        return "project"
    if path.endswith("/assets/new"):
        return "assets"
    if "create-tasks" in path or path == "data/tasks":
        return "tasks"
    if "comment" in path:
        return "comments"
    return path.rsplit("/", 1)[-1]


# -- a whole hierarchy in one commit ----------------------------------------------------------


def test_a_new_hierarchy_is_created_in_one_commit_in_dependency_order(
    session: kitsu.Session, kitsu_client: Transport, orm_projects: list[kitsu.Project]
) -> None:
    s = session
    shot_types = [
        kitsu.TaskType.where(name=n, for_entity="Shot", session=s).one() for n in SHOT_TYPES
    ]
    asset_types = [
        kitsu.TaskType.where(name=n, for_entity="Asset", session=s).one() for n in ASSET_TYPES
    ]
    todo = kitsu.TaskStatus.where(short_name="todo", session=s).one()
    wip = kitsu.TaskStatus.where(short_name="wip", session=s).one()
    kinds = {t.name: t for t in kitsu.AssetType.where(session=s).all()}
    writes = _record_writes(s)

    project = kitsu.Project(name=f"test-hierarchy-{time.time_ns()}", production_type="tvshow")
    s.add(project)
    orm_projects.append(project)
    episodes = [kitsu.Episode(name=f"E0{n}", project=project) for n in (1, 2)]
    sequences = [
        kitsu.Sequence(name=f"SQ0{n}", project=project, episode=episodes[n % 2])
        for n in range(1, 5)
    ]
    shots = [
        kitsu.Shot(
            name=f"SH{n:03d}",
            project=project,
            sequence=sequences[n % 4],
            frame_in=1,
            frame_out=10 + n,
        )
        for n in range(20)
    ]
    assets = [
        kitsu.Asset(
            name=f"Asset{n:02d}",
            project=project,
            asset_type=kinds["Prop" if n % 2 else "Character"],
        )
        for n in range(20)
    ]
    tasks = [
        kitsu.Task(project=project, entity=entity, task_type=task_type, task_status=todo)
        for entity, types in [
            *((shot, shot_types) for shot in shots),
            *((a, asset_types) for a in assets),
        ]
        for task_type in types
    ]
    # Zou applies a batch of comments one by one: ten keep the test fast.
    commented = [*tasks[0:15:3], *tasks[60:75:3]]  # the first task of five shots and five assets
    comments = [
        kitsu.Comment(task=task, text=f"go {n}", task_status=wip)
        for n, task in enumerate(commented)
    ]
    s.add_all([*episodes, *sequences, *shots, *assets, *tasks, *comments])
    assert len(s.new) == 1 + 2 + 4 + 20 + 20 + 120 + 10

    s.commit()

    assert not s.new and not s.dirty
    everything = [project, *episodes, *sequences, *shots, *assets, *tasks, *comments]
    assert all(o.state is kitsu.State.PERSISTENT and o.id for o in everything)
    assert len({o.id for o in everything}) == len(everything)
    # Parents before children: every kind's writes come after all of its parents' writes.
    order = [_kind(path) for method, path in writes if method == "POST"]
    rank = {kind: max(i for i, k in enumerate(order) if k == kind) for kind in set(order)}
    first = {kind: min(i for i, k in enumerate(order) if k == kind) for kind in set(order)}
    for parent, child in [
        ("project", "episodes"),
        ("episodes", "sequences"),
        ("sequences", "shots"),
        ("project", "assets"),
        ("shots", "tasks"),
        ("assets", "tasks"),
        ("tasks", "comments"),
    ]:
        assert rank[parent] < first[child], f"{child} sent before all {parent}: {order}"

    pid = project.id
    server_episodes = kitsu_client.get("data/episodes", {"project_id": pid})
    server_sequences = kitsu_client.get("data/sequences", {"project_id": pid})
    server_shots = kitsu_client.get("data/shots/all", {"project_id": pid})
    server_assets = kitsu_client.get("data/assets/all", {"project_id": pid})
    server_tasks = kitsu_client.get("data/tasks", {"project_id": pid})
    assert sorted(e["name"] for e in server_episodes) == ["E01", "E02"]
    assert sorted(q["name"] for q in server_sequences) == ["SQ01", "SQ02", "SQ03", "SQ04"]
    assert {q["parent_id"] for q in server_sequences} == {e.id for e in episodes}
    assert len(server_shots) == 20 and len(server_assets) == 20
    assert {sh["name"]: sh["data"]["frame_out"] for sh in server_shots} == {
        f"SH{n:03d}": 10 + n for n in range(20)
    }
    assert {sh["parent_id"] for sh in server_shots} == {q.id for q in sequences}
    assert Counter(a["entity_type_id"] for a in server_assets) == Counter(
        {kinds["Prop"].id: 10, kinds["Character"].id: 10}
    )
    assert len(server_tasks) == 120
    per_entity = Counter(t["entity_id"] for t in server_tasks)
    assert set(per_entity.values()) == {3} and len(per_entity) == 40
    assert Counter(t["task_type_id"] for t in server_tasks) == Counter(
        {t.id: 20 for t in [*shot_types, *asset_types]}
    )
    server_comments = kitsu_client.get("data/comments", {"object_id": _ids(commented)})
    assert sorted(c["text"] for c in server_comments) == sorted(f"go {n}" for n in range(10))
    assert {c["object_id"] for c in server_comments} == {t.id for t in commented}
    statuses = Counter(t["task_status_id"] for t in server_tasks)
    assert statuses == Counter({wip.id: 10, todo.id: 110})
    assert {t.task_status_id for t in commented} == {wip.id}  # read back after the commit


def _ids(objs: list[Any]) -> str:
    return "[" + ",".join(f'"{o.id}"' for o in objs) + "]"


# -- shots made with plain requests, for the edit tests ---------------------------------------


@pytest.fixture
def shots(kitsu_client: Transport, kitsu_project: dict[str, Any]) -> list[dict[str, Any]]:
    pid = kitsu_project["id"]
    seq = kitsu_client.post(f"data/projects/{pid}/sequences", {"name": "SQ01"})
    return [
        kitsu_client.post(
            f"data/projects/{pid}/shots",
            {
                "name": f"SH0{n}0",
                "sequence_id": seq["id"],
                "description": "original",
                "data": {"frame_in": 1, "frame_out": 24, "keep": "yes", "drop": "me"},
            },
        )
        for n in (1, 2, 3)
    ]


@pytest.fixture
def tasks(
    kitsu_client: Transport, kitsu_project: dict[str, Any], shots: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    animation = next(t for t in kitsu_client.get("data/task-types") if t["name"] == "Animation")
    todo = next(t for t in kitsu_client.get("data/task-status") if t["short_name"] == "todo")
    return [
        kitsu_client.post(
            "data/tasks",
            {
                "project_id": kitsu_project["id"],
                "entity_id": shot["id"],
                "task_type_id": animation["id"],
                "task_status_id": todo["id"],
                "data": {"a": 1, "b": 2},
            },
        )
        for shot in shots
    ]


@pytest.fixture
def person(kitsu_client: Transport, kitsu_project: dict[str, Any]) -> dict[str, Any]:
    tag = kitsu_project["id"][:8]
    row: dict[str, Any] = kitsu_client.post(
        "data/persons",
        {
            "first_name": "Max",
            "last_name": f"Assignee{tag}",
            "email": f"max.{tag}@example.com",
            "role": "user",
        },
    )
    return row


def _server_shot(client: Transport, shot_id: str) -> dict[str, Any]:
    row: dict[str, Any] = client.get(f"data/entities/{shot_id}")
    return row


# -- conflicts ----------------------------------------------------------------------------------


def test_a_second_session_editing_the_same_shot_gets_a_conflict(
    new_session: SessionFactory, shots: list[dict[str, Any]], kitsu_client: Transport
) -> None:
    first, second = new_session(), new_session()
    mine = first.get(kitsu.Shot, shots[0]["id"])
    theirs = second.get(kitsu.Shot, shots[0]["id"])
    theirs.description = "theirs"
    second.commit()

    mine.description = "mine"
    first.transport.stats.reset()
    with pytest.raises(kitsu.ConflictError) as info:
        first.commit()

    assert info.value.objects == [mine]
    assert "SH010" in str(info.value)
    assert "PUT" not in first.transport.stats.by_method
    assert _server_shot(kitsu_client, mine.id)["description"] == "theirs"
    assert mine.changes() == {"description": ("original", "mine")}  # the edit is kept for a retry

    first.commit(overwrite=True)
    assert not mine.changes()
    assert _server_shot(kitsu_client, mine.id)["description"] == "mine"


def _next_second() -> None:
    """Zou stamps updated_at to the second: let the clock move on, so that a change
    made now is seen even when it touches other fields."""
    time.sleep(1.02 - time.time() % 1)


def test_shots_of_a_board_without_their_stamp_are_checked_field_by_field(
    new_session: SessionFactory,
    shots: list[dict[str, Any]],
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A project's shots come from its board, without ``updated_at``: the check compares
    every field they hold with the server's, so a change to another field is still a
    conflict, and no request goes to complete them first."""
    first, second = new_session(), new_session()
    board = kitsu.Shot.where(project=kitsu_project["id"], session=first).all()
    mine, other = (next(s for s in board if s.id == shot["id"]) for shot in shots[:2])
    theirs = second.get(kitsu.Shot, shots[0]["id"])
    theirs.description = "theirs"
    second.commit()

    caplog.set_level(logging.DEBUG, "kitsu_orm.http")
    mine.frame_out = 96
    other.frame_out = 48
    with pytest.raises(kitsu.ConflictError) as info:
        first.commit()
    assert info.value.objects == [mine] and info.value.fields == {mine: ("description",)}
    assert not any("shots/all" in r.getMessage() for r in caplog.records)
    assert _server_shot(kitsu_client, mine.id)["data"]["frame_out"] == 24
    first.commit(overwrite=True)
    assert _server_shot(kitsu_client, mine.id)["description"] == "theirs"
    assert _server_shot(kitsu_client, other.id)["data"]["frame_out"] == 48


@pytest.mark.parametrize("who", ["admin", "manager", "supervisor"])
def test_a_commit_of_a_boards_shots_loads_none_of_their_missing_fields(
    who: str,
    kitsu_as: Callable[..., kitsu.Session],
    shots: list[dict[str, Any]],
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
) -> None:
    """A project's shots come from its board, without a few fields (their stamp among
    them): the commit checks them in one read and sends one PUT each. Naming a PUT's
    route reads the fields it names only: reading the others loaded the whole batch
    again, once per commit worker."""
    s = kitsu_as(who, workers=8)
    board = kitsu.Shot.where(project=kitsu_project["id"], session=s).all()
    assert len(board) == 3
    for shot in board:
        shot.data = {**(shot.data or {}), "note": who}
    s.transport.stats.reset()
    s.commit()
    assert s.transport.stats.by_method == {"GET": 1, "PUT": 3}
    for shot in shots:
        assert _server_shot(kitsu_client, shot["id"])["data"]["note"] == who


@pytest.mark.parametrize("who", ["manager", "artist"])
def test_a_role_learnt_at_commit_is_asked_beside_the_check_and_refuses_first(
    who: str,
    kitsu_as: Callable[..., kitsu.Session],
    new_session: SessionFactory,
    shots: list[dict[str, Any]],
    kitsu_client: Transport,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A session that does not know its user's role yet asks it side by side with the
    conflict check. A write the role may not make is still refused
    first (nothing sent), even when the check finds a conflict too."""
    s = kitsu_as(who)
    mine = s.get(kitsu.Shot, shots[0]["id"])
    s.transport.user = {}  # as a session on a token only, before its first commit
    _next_second()
    theirs = new_session().get(kitsu.Shot, shots[0]["id"])
    theirs.description = "theirs"
    assert theirs.session is not None
    theirs.session.commit()

    mine.name = "SH099"
    s.transport.stats.reset()
    caplog.set_level(logging.DEBUG, "kitsu_orm.http")
    expected = kitsu.PermissionDenied if who == "artist" else kitsu.ConflictError
    with pytest.raises(expected):
        s.commit()
    sent = [r.getMessage().split()[1] for r in caplog.records]
    # The role, the check, then the conflicting row whole (to name its fields).
    assert sorted(sent) == ["/auth/authenticated", "/data/entities", "/data/entities"]
    assert s.role == ("user" if who == "artist" else "manager")
    assert mine.changes() == {"name": ("SH010", "SH099")}
    assert _server_shot(kitsu_client, mine.id)["name"] == "SH010"


def test_a_change_to_other_fields_is_a_conflict_too(
    new_session: SessionFactory, shots: list[dict[str, Any]], kitsu_client: Transport
) -> None:
    first, second = new_session(), new_session()
    mine = first.get(kitsu.Shot, shots[0]["id"])
    other = first.get(kitsu.Shot, shots[1]["id"])
    _next_second()
    theirs = second.get(kitsu.Shot, shots[0]["id"])
    theirs.name = "SH011"
    second.commit()

    mine.frame_out = 96
    other.description = "not in conflict"
    with pytest.raises(kitsu.ConflictError) as info:
        first.commit()
    assert info.value.objects == [mine]
    server = _server_shot(kitsu_client, mine.id)
    assert server["name"] == "SH011" and server["data"]["frame_out"] == 24

    first.commit(overwrite=True)
    server = _server_shot(kitsu_client, mine.id)
    # Only the edited key was sent: their rename stays.
    assert server["name"] == "SH011" and server["data"]["frame_out"] == 96
    assert _server_shot(kitsu_client, other.id)["description"] == "not in conflict"


# -- one PUT per object, nothing for unchanged ones ------------------------------------------


def test_several_edits_of_one_object_are_one_put(
    session: kitsu.Session, shots: list[dict[str, Any]], kitsu_client: Transport
) -> None:
    loaded = (
        kitsu.Shot.where(project_id=shots[0]["project_id"], session=session).order_by("name").all()
    )
    shot = loaded[0]
    untouched = {row["id"]: row["updated_at"] for row in shots[1:]}
    writes = _record_writes(session)
    session.transport.stats.reset()
    shot.description = "one"
    shot.description = "two"
    shot.name = "SH015"
    shot.frame_in = 5
    shot.frame_out = 30
    session.commit()

    assert writes == [("PUT", f"data/entities/{shot.id}")]
    assert session.transport.stats.by_method.get("PUT") == 1
    assert session.transport.stats.by_method.get("POST") is None
    server = _server_shot(kitsu_client, shot.id)
    assert (server["name"], server["description"]) == ("SH015", "two")
    assert server["data"] == {"frame_in": 5, "frame_out": 30, "keep": "yes", "drop": "me"}
    for shot_id, stamp in untouched.items():
        assert _server_shot(kitsu_client, shot_id)["updated_at"] == stamp


def test_unchanged_objects_send_nothing(
    session: kitsu.Session, shots: list[dict[str, Any]]
) -> None:
    loaded = (
        kitsu.Shot.where(project_id=shots[0]["project_id"], session=session)
        .include("sequence")
        .all()
    )
    session.transport.stats.reset()
    for shot in loaded:
        shot.name = shot.name
        shot.data = dict(shot.data)
        shot.frame_out = 24
        shot.description = "changed"
        shot.description = "original"
    assert session.dirty == []
    session.commit()
    assert session.transport.stats.total == 0


# -- data keys ------------------------------------------------------------------------------


def test_a_removed_data_key_is_removed_on_the_server(
    session: kitsu.Session,
    new_session: SessionFactory,
    shots: list[dict[str, Any]],
    kitsu_client: Transport,
) -> None:
    shot = session.get(kitsu.Shot, shots[0]["id"])
    del shot.data["drop"]
    session.commit()
    expected = {"frame_in": 1, "frame_out": 24, "keep": "yes"}
    assert shot.data == expected
    assert _server_shot(kitsu_client, shot.id)["data"] == expected
    assert new_session().get(kitsu.Shot, shot.id).data == expected


def test_a_key_removed_in_place_then_another_edit_still_removes_it(
    session: kitsu.Session, shots: list[dict[str, Any]], kitsu_client: Transport
) -> None:
    shot = session.get(kitsu.Shot, shots[0]["id"])
    del shot.data["drop"]
    shot.frame_out = 48  # assigns a new dict built from the edited one
    session.commit()
    assert _server_shot(kitsu_client, shot.id)["data"] == {
        "frame_in": 1,
        "frame_out": 48,
        "keep": "yes",
    }


def test_a_data_dict_replaced_without_a_key_removes_it(
    session: kitsu.Session, shots: list[dict[str, Any]], kitsu_client: Transport
) -> None:
    shot = session.get(kitsu.Shot, shots[0]["id"])
    shot.data = {"frame_in": 1, "frame_out": 24}
    session.commit()
    assert _server_shot(kitsu_client, shot.id)["data"] == {"frame_in": 1, "frame_out": 24}


def test_a_removed_task_data_key_does_not_keep_its_old_value(
    session: kitsu.Session, tasks: list[dict[str, Any]], kitsu_client: Transport
) -> None:
    """Zou merges a task's data too, and has no way to drop a key: null is the best it can keep."""
    task = session.get(kitsu.Task, tasks[0]["id"])
    del task.data["b"]
    session.commit()
    server = kitsu_client.get(f"data/tasks/{task.id}")["data"]
    assert server["a"] == 1 and server.get("b") is None


def test_data_edited_in_place_into_what_json_cannot_carry_is_refused_before_any_request(
    session: kitsu.Session, shots: list[dict[str, Any]]
) -> None:
    shot = session.get(kitsu.Shot, shots[0]["id"])
    shot.data["tags"] = {"hero"}  # a set: no assignment saw it
    new = kitsu.Shot(name="SH999", project_id=shot.project_id, sequence=shot.sequence, data={})
    session.add(new)
    new.data["when"] = object()  # type: ignore[index]
    before = session.stats.requests
    with pytest.raises(kitsu.ValidationError, match=r"Shot\.data\['(tags|when)'\] takes JSON data"):
        session.commit()
    assert session.stats.requests == before
    session.rollback()


# -- assignments and comments -------------------------------------------------------------


def test_assignees_go_through_one_bulk_request_per_person(
    session: kitsu.Session,
    tasks: list[dict[str, Any]],
    person: dict[str, Any],
    kitsu_client: Transport,
) -> None:
    loaded = kitsu.Task.where(project_id=tasks[0]["project_id"], session=session).all()
    max_ = session.get(kitsu.Person, person["id"])
    writes = _record_writes(session)
    for task in loaded:
        task.assignees = [max_]
    session.commit()
    assert writes == [("PUT", f"actions/persons/{max_.id}/assign")]
    assert all(kitsu_client.get(f"data/tasks/{t['id']}")["assignees"] == [max_.id] for t in tasks)
    assert all(task.assignees == [max_] and not task.changes() for task in loaded)

    writes.clear()
    for task in loaded:
        task.assignees = []
    session.commit()
    assert writes == [("PUT", "actions/tasks/clear-assignation")]
    assert all(kitsu_client.get(f"data/tasks/{t['id']}")["assignees"] == [] for t in tasks)


def test_a_new_person_assigned_to_a_new_task_in_the_same_commit(
    session: kitsu.Session, shots: list[dict[str, Any]], kitsu_client: Transport
) -> None:
    shot = session.get(kitsu.Shot, shots[0]["id"])
    tag = shot.id[:8]
    newcomer = kitsu.Person(
        first_name="New", last_name=f"Comer{tag}", email=f"new.{tag}@example.com"
    )
    task = kitsu.Task(
        project_id=shot.project_id,
        entity=shot,
        task_type=kitsu.TaskType.where(name="Layout", session=session).one(),
        task_status=kitsu.TaskStatus.where(short_name="todo", session=session).one(),
        assignees=[newcomer],
    )
    session.add_all([newcomer, task])
    session.commit()
    assert newcomer.id is not None and task.assignee_ids == [newcomer.id]
    assert kitsu_client.get(f"data/tasks/{task.id}")["assignees"] == [newcomer.id]


def test_a_comment_with_a_status_changes_the_task_status(
    session: kitsu.Session, tasks: list[dict[str, Any]], kitsu_client: Transport
) -> None:
    task = session.get(kitsu.Task, tasks[0]["id"])
    wip = kitsu.TaskStatus.where(short_name="wip", session=session).one()
    session.add(kitsu.Comment(task=task, text="starting", task_status=wip))
    session.commit()
    assert task.task_status is wip and not task.changes()
    assert kitsu_client.get(f"data/tasks/{task.id}")["task_status_id"] == wip.id


def test_many_comments_go_in_parts_side_by_side_each_task_in_order(
    session: kitsu.Session, tasks: list[dict[str, Any]], kitsu_client: Transport
) -> None:
    loaded = [session.get(kitsu.Task, t["id"]) for t in tasks]
    statuses = {
        short: kitsu.TaskStatus.where(short_name=short, session=session).one()
        for short in ("wip", "wfa", "done")
    }
    # 30 comments: more than one part of 25, with three successive statuses per task.
    steps = [("wip", "wfa", "done")[n % 3] for n in range(30 // len(loaded))]
    for task in loaded:
        session.add_all(
            [
                kitsu.Comment(task=task, text=f"step {n}", task_status=statuses[short])
                for n, short in enumerate(steps)
            ]
        )
    writes = _record_writes(session)
    session.commit()
    # Parts of at most about 15 (30 in two even parts), but the ten comments of
    # a task never split: three parts, one per task.
    assert writes == [("POST", "actions/tasks/batch-comment")] * 3
    for task in loaded:
        assert task.task_status is statuses[steps[-1]]
        comments = kitsu_client.get(f"data/tasks/{task.id}/comments")
        # Newest first: the order they were added in, reversed.
        assert [c["text"] for c in comments] == [f"step {n}" for n in reversed(range(len(steps)))]


def test_a_comment_without_a_status_keeps_the_task_status(
    session: kitsu.Session, tasks: list[dict[str, Any]], kitsu_client: Transport
) -> None:
    task = session.get(kitsu.Task, tasks[0]["id"])
    note = kitsu.Comment(task=task, text="just a note")
    session.add(note)
    session.commit()
    assert note.id is not None
    assert [c["text"] for c in kitsu_client.get(f"data/tasks/{task.id}/comments")] == [
        "just a note"
    ]
    assert kitsu_client.get(f"data/tasks/{task.id}")["task_status_id"] == tasks[0]["task_status_id"]


# -- a new object with a name that exists (Zou's create routes are get-or-create) ----------------


def test_a_new_shot_with_an_existing_name_is_refused_before_anything_is_written(
    session: kitsu.Session, shots: list[dict[str, Any]], kitsu_client: Transport
) -> None:
    s = session
    existing = s.get(kitsu.Shot, shots[0]["id"])
    seq = existing.sequence
    twin = kitsu.Shot(name="SH010", sequence=seq, project=seq.project, frame_out=99)
    fine = kitsu.Shot(name="SH999", sequence=seq, project=seq.project)
    s.add_all([twin, fine])
    writes = _record_writes(s)
    with pytest.raises(kitsu.AlreadyExists) as info:
        s.commit()
    assert writes == []  # nothing was written
    assert "SH010" in str(info.value) and existing.id in str(info.value)
    assert info.value.existing == [(twin, existing)]
    assert isinstance(info.value, kitsu.ValidationError)

    # merge(): the existing object, with the new one's fields as edits.
    s.expunge(twin)
    merged = s.merge(kitsu.Shot(name="SH010", sequence=seq, project=seq.project, frame_out=99))
    assert merged is existing and existing.changes()
    s.commit()
    assert fine.id and len({o.id for o in [existing, fine]}) == 2
    server = _server_shot(kitsu_client, existing.id)
    assert server["data"]["frame_out"] == 99 and server["data"]["keep"] == "yes"
    names = sorted(
        r["name"] for r in kitsu_client.get("data/shots/all", {"project_id": seq.project_id})
    )
    assert names == ["SH010", "SH020", "SH030", "SH999"]


def test_merge_of_a_name_that_does_not_exist_adds_the_object(
    session: kitsu.Session, shots: list[dict[str, Any]]
) -> None:
    seq = session.get(kitsu.Shot, shots[0]["id"]).sequence
    new = kitsu.Shot(name="SH500", sequence=seq, project=seq.project)
    assert session.merge(new) is new and new in session.new
    session.commit()
    assert new.id


# -- edits made on the server while a commit runs ---------------------------------------------------


def _before_first(s: kitsu.Session, method: str, fragment: str, action: Callable[[], None]) -> None:
    """Run ``action`` right before the first ``method`` request whose path holds ``fragment``."""
    transport = s.transport
    original = getattr(transport, method)
    done: list[bool] = []

    def send(path: str, *args: Any, **kwargs: Any) -> Any:
        if not done and fragment in path:
            done.append(True)
            action()
        return original(path, *args, **kwargs)

    setattr(transport, method, send)


def test_a_same_field_edit_made_while_earlier_steps_ran_is_caught_before_the_update(
    new_session: SessionFactory, shots: list[dict[str, Any]], kitsu_client: Transport
) -> None:
    first, second = new_session(), new_session()
    mine = first.get(kitsu.Shot, shots[0]["id"])
    mine.description = "mine"
    first.add(kitsu.Sequence(name="SQ77", project=mine.project))  # a step before the updates

    def theirs() -> None:
        shot = second.get(kitsu.Shot, shots[0]["id"])
        shot.description = "theirs"
        second.commit()

    _before_first(first, "post", "/sequences", theirs)
    with pytest.raises(kitsu.ConflictError) as info:
        first.commit()
    assert info.value.objects == [mine] and not info.value.written
    assert info.value.fields == {mine: ("description",)}
    assert "description" in str(info.value)
    assert _server_shot(kitsu_client, mine.id)["description"] == "theirs"
    assert mine.changes() == {"description": ("original", "mine")}


def test_a_write_made_between_the_check_and_the_put_is_reported_with_its_fields(
    new_session: SessionFactory, shots: list[dict[str, Any]], kitsu_client: Transport
) -> None:
    first, second = new_session(), new_session()
    mine = first.get(kitsu.Shot, shots[0]["id"])
    mine.description = "mine"

    def theirs() -> None:
        shot = second.get(kitsu.Shot, shots[0]["id"])
        shot.description = "theirs"
        shot.frame_out = 48
        second.commit()

    _before_first(first, "put", "data/entities/", theirs)
    with pytest.raises(kitsu.ConflictError) as info:
        first.commit()
    assert info.value.written and info.value.objects == [mine]
    assert info.value.fields == {mine: ("data.frame_out",)}
    assert "data.frame_out" in str(info.value)
    assert not mine.changes() and mine.frame_out == 48  # ours applied, theirs seen
    assert _server_shot(kitsu_client, mine.id)["description"] == "mine"


def test_data_edited_in_place_with_a_nul_character_is_refused_before_any_request(
    session: kitsu.Session, shots: list[dict[str, Any]]
) -> None:
    shot = session.get(kitsu.Shot, shots[0]["id"])
    assert shot.data is not None
    shot.data["note"] = "stop\x00here"  # no assignment saw it
    new = kitsu.Shot(name="SH998", project_id=shot.project_id, sequence=shot.sequence, data={})
    session.add(new)
    assert new.data is not None
    new.data["list"] = ["x" * 1_000_000, "\x00"]
    before = session.stats.requests
    with pytest.raises(kitsu.ValidationError, match=r"Shot\.data\['(note|list)'\].* holds a NUL"):
        session.commit()
    assert session.stats.requests == before
    session.rollback()


def test_a_name_too_long_for_its_column_is_refused_before_any_request(
    session: kitsu.Session, shots: list[dict[str, Any]]
) -> None:
    shot = session.get(kitsu.Shot, shots[0]["id"])
    before = session.stats.requests
    with pytest.raises(kitsu.ValidationError, match=r"Shot\.name takes at most 160 characters"):
        shot.name = "S" * 1_000_000
    with pytest.raises(kitsu.ValidationError, match="NUL"):
        kitsu.Shot(name="SH\x00", project_id=shot.project_id)
    assert not shot.changes()
    session.commit()
    assert session.stats.requests == before


def test_a_shot_cast_or_a_task_given_time_is_not_stale_for_the_next_commit(
    session: kitsu.Session, kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    """Found by tests/test_unitofwork_stateful.py: Zou moves a shot's ``updated_at`` when
    its casting is replaced, and a task's when time is logged on it; the session kept the
    old one, and a later delete or edit of ours was refused as a conflict."""
    s = session
    project = s.get(kitsu.Project, kitsu_project["id"])
    character = kitsu.AssetType.where(name="Character", session=s).one()
    hero = kitsu.Asset(name="Hero", project=project, asset_type=character)
    seq = kitsu.Sequence(name="SQ01", project=project)
    shot = kitsu.Shot(name="SH001", project=project, sequence=seq, frame_in=1, frame_out=5)
    task = kitsu.Task(
        project=project,
        entity=shot,
        task_type=kitsu.TaskType.where(name="Layout", for_entity="Shot", session=s).one(),
        task_status=kitsu.TaskStatus.where(short_name="todo", session=s).one(),
    )
    s.add_all([hero, seq, shot, task])
    me = kitsu.User(s).person
    task.assign(me)
    s.commit()
    time.sleep(1.05 - time.time() % 1)  # Zou stamps updated_at to the second
    shot.assets = [hero]
    task.set_time_spent(me, "2024-05-02", 60)
    s.commit()
    shot.description = "after the casting"
    s.delete(task)
    s.commit()  # no ConflictError about our own writes
    assert kitsu_client.get(f"data/entities/{shot.id}")["description"] == "after the casting"
    assert kitsu_client.get("data/tasks", {"entity_id": shot.id}) == []


def test_a_task_or_a_shot_deleted_and_made_again_in_one_commit_replaces_it(
    session: kitsu.Session, kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    """Found by tests/test_unitofwork_stateful.py: a task deleted, then one of its
    type made again on its shot, in one commit. Zou keeps one task per name, type and
    entity: the create, sent before the delete, was answered with the old task (which the
    session holds deleted), and the commit stopped. A shot deleted and made again with its
    name was refused as an existing name. The delete of a replaced object goes first; a
    pending comment of the old task goes with it."""
    s = session
    project = s.get(kitsu.Project, kitsu_project["id"])
    layout = kitsu.TaskType.where(name="Layout", for_entity="Shot", session=s).one()
    todo = kitsu.TaskStatus.where(short_name="todo", session=s).one()
    wip = kitsu.TaskStatus.where(short_name="wip", session=s).one()
    seq = kitsu.Sequence(name="SQ01", project=project)
    shot = kitsu.Shot(name="SH001", project=project, sequence=seq, frame_in=1, frame_out=5)
    other = kitsu.Shot(name="SH002", project=project, sequence=seq, frame_in=1, frame_out=5)
    old = kitsu.Task(project=project, entity=shot, task_type=layout, task_status=todo)
    s.add_all([seq, shot, other, old])
    s.commit()
    old.comment("on the old task", wip)
    s.delete(old)
    new = kitsu.Task(project=project, entity=shot, task_type=layout, task_status=todo)
    s.add(new)
    new.comment("on the new task", wip)
    s.delete(other)
    again = kitsu.Shot(name="SH002", project=project, sequence=seq, frame_in=7, frame_out=9)
    s.add(again)
    s.commit()
    assert not s.new and not s.dirty and not s.deleted
    assert new.id and new.id != old.id and again.id and again.id != other.id
    rows = kitsu_client.get("data/tasks", {"entity_id": shot.id})
    assert [r["id"] for r in rows] == [new.id]
    comments = kitsu_client.get(f"data/tasks/{new.id}/comments")
    assert [(c["text"], c["task_status_id"]) for c in comments] == [("on the new task", wip.id)]
    shots = kitsu_client.get("data/shots/all", {"project_id": project.id})
    assert sorted((r["name"], r["id"], r["data"]["frame_in"]) for r in shots) == [
        ("SH001", shot.id, 1),
        ("SH002", again.id, 7),
    ]


def test_the_tasks_of_a_cast_shot_are_not_stale_for_the_next_commit(
    session: kitsu.Session, kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    """Found by tests/test_unitofwork_stateful.py (a soak run): when a shot's
    casting is replaced, Zou counts again the assets ready for each of its tasks and
    stamps their ``updated_at``; the session kept the old one, and a later delete of a
    task was refused as a conflict with our own casting."""
    s = session
    project = s.get(kitsu.Project, kitsu_project["id"])
    character = kitsu.AssetType.where(name="Character", session=s).one()
    hero = kitsu.Asset(name="Hero", project=project, asset_type=character)
    seq = kitsu.Sequence(name="SQ01", project=project)
    shot = kitsu.Shot(name="SH001", project=project, sequence=seq, frame_in=1, frame_out=5)
    todo = kitsu.TaskStatus.where(short_name="todo", session=s).one()
    tasks = [
        kitsu.Task(
            project=project,
            entity=shot,
            task_type=kitsu.TaskType.where(name=name, for_entity="Shot", session=s).one(),
            task_status=todo,
        )
        for name in ("Layout", "Animation")
    ]
    s.add_all([hero, seq, shot, *tasks])
    s.commit()
    time.sleep(1.05 - time.time() % 1)  # Zou stamps updated_at to the second
    shot.assets = [hero]
    s.commit()
    tasks[0].description = "after the casting"
    s.delete(tasks[1])
    s.commit()  # no ConflictError about our own casting
    rows = kitsu_client.get("data/tasks", {"entity_id": shot.id})
    assert [(r["id"], r["description"]) for r in rows] == [(tasks[0].id, "after the casting")]


def test_a_deleted_task_takes_its_new_time_spent_and_comments_with_it(
    session: kitsu.Session, kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    """Found by tests/test_unitofwork_stateful.py (a soak run): a task given an assignee
    and time spent, then deleted, in one commit. The assignment of a deleted task is not
    sent, but its time spent was, and Zou refused it (403: the person is not assigned),
    so that the commit could never finish. What points at a deleted object goes with it."""
    s = session
    project = s.get(kitsu.Project, kitsu_project["id"])
    seq = kitsu.Sequence(name="SQ01", project=project)
    shot = kitsu.Shot(name="SH001", project=project, sequence=seq, frame_in=1, frame_out=5)
    task = kitsu.Task(
        project=project,
        entity=shot,
        task_type=kitsu.TaskType.where(name="Layout", for_entity="Shot", session=s).one(),
        task_status=kitsu.TaskStatus.where(short_name="todo", session=s).one(),
    )
    s.add_all([seq, shot, task])
    s.commit()
    me = kitsu.User(s).person
    task.assign(me)
    task.set_time_spent(me, "2024-05-02", 60)
    task.comment("going")
    s.delete(task)
    s.commit()
    assert not s.new and not s.dirty and not s.deleted
    assert kitsu_client.get("data/tasks", {"entity_id": shot.id}) == []
