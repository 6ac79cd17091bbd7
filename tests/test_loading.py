"""Batched loading on a real Kitsu: request counts for 100 shots and 90 assets, lazy and
with include, as the admin and as team members; strict mode."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from conftest import SessionFactory

import kitsu_orm as kitsu
from kitsu_orm.testing import (
    KitsuServer,
    TeamMember,
    TokenSessions,
    remove_project,
    unique_project_name,
)
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server

NB_SHOTS = 100
NB_LAYOUT = 10
TASK_TYPES = ("Animation", "Layout")


@pytest.fixture(scope="module")
def hundred_shots(kitsu_server: KitsuServer, kitsu_client: Transport) -> Iterator[dict[str, Any]]:
    """One project, one sequence, 100 shots with an Animation task each and a
    Layout task on the first ten (Zou creates tasks slowly).

    Animation tasks of even shots are assigned to Ann, Layout tasks to Bob:
    built in one ORM commit, shared by this module's tests, which only read it.
    """
    project = kitsu_client.post("data/projects", {"name": unique_project_name("loading-100-shots")})
    try:
        transport = Transport(kitsu_server.url, token=kitsu_client.tokens)
        s = kitsu.Session(transport=transport)
        tag = project["id"][:8]
        with s.begin():  # assigning persons created in the same commit is tested in test_unitofwork
            ann, bob = (
                kitsu.Person(
                    first_name=first,
                    last_name=f"Loader{tag}",
                    email=f"{first.lower()}.{tag}@example.com",
                )
                for first in ("Ann", "Bob")
            )
            s.add_all([ann, bob])
        with s.begin():
            p = s.get(kitsu.Project, project["id"])
            types = {
                n: kitsu.TaskType.where(name=n, for_entity="Shot", session=s).one()
                for n in TASK_TYPES
            }
            todo = kitsu.TaskStatus.where(short_name="todo", session=s).one()
            seq = kitsu.Sequence(name="SQ01", project=p)
            s.add(seq)
            for n in range(NB_SHOTS):
                shot = kitsu.Shot(
                    name=f"SH{n:03d}", project=p, sequence=seq, frame_in=1, frame_out=24
                )
                s.add(shot)
                anim = kitsu.Task(
                    project=p, entity=shot, task_type=types["Animation"], task_status=todo
                )
                if n % 2 == 0:
                    anim.assignees = [ann]
                s.add(anim)
                if n < NB_LAYOUT:
                    s.add(
                        kitsu.Task(
                            project=p,
                            entity=shot,
                            task_type=types["Layout"],
                            task_status=todo,
                            assignees=[bob],
                        )
                    )
        transport.close()
        yield {"project_id": project["id"], "ann": ann.id, "bob": bob.id}
    finally:
        remove_project(kitsu_client, project)


def _check_production(shots: list[kitsu.Shot], ids: dict[str, Any]) -> None:
    """What 100 shots, their tasks, types, statuses and assignees must read as."""
    assert len(shots) == NB_SHOTS
    for shot in shots:
        n = int(shot.name[2:])
        tasks = {task.task_type.name: task for task in shot.tasks}
        assert sorted(tasks) == (sorted(TASK_TYPES) if n < NB_LAYOUT else ["Animation"])
        assert all(task.task_status.short_name == "todo" for task in tasks.values())
        assert [p.id for p in tasks["Animation"].assignees] == ([ids["ann"]] if n % 2 == 0 else [])
        if n < NB_LAYOUT:
            assert [p.id for p in tasks["Layout"].assignees] == [ids["bob"]]
        assert all(task.entity is shot for task in tasks.values())


def test_lazy_loads_cost_one_request_per_relationship_for_the_whole_result(
    new_session: SessionFactory, hundred_shots: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, "kitsu_orm.http")
    s = new_session()
    stats = s.transport.stats
    query = kitsu.Shot.where(project_id=hundred_shots["project_id"], session=s).lazy("tasks")
    shots = query.all()
    assert _requests(caplog) == ["GET /data/shots/all"]
    tasks = [task for shot in shots for task in shot.tasks]
    assert len(tasks) == NB_SHOTS + NB_LAYOUT
    assert stats.total == 2
    assert {task.task_type.name for task in tasks} == set(TASK_TYPES)
    assert stats.total == 3
    assert {task.task_status.short_name for task in tasks} == {"todo"}
    assert stats.total == 4
    assignees = {person.first_name for task in tasks for person in task.assignees}
    assert assignees == {"Ann", "Bob"}
    assert stats.total == 5
    _check_production(shots, hundred_shots)
    assert stats.total == 5 and stats.by_method == {"GET": 5}


def test_a_projects_shots_come_with_their_tasks_in_one_request(
    new_session: SessionFactory, hundred_shots: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Kitsu lists a project's shots with their tasks (its board): a plain query does
    too, so walking the tasks sends nothing more."""
    caplog.set_level(logging.DEBUG, "kitsu_orm.http")
    s = new_session()
    shots = kitsu.Shot.where(project=hundred_shots["project_id"], session=s).all()
    assert _requests(caplog) == ["GET /data/shots/with-tasks"]
    assert sum(len(shot.tasks) for shot in shots) == NB_SHOTS + NB_LAYOUT
    assert s.transport.stats.total == 1
    _check_production(shots, hundred_shots)
    assert s.transport.stats.total == 4  # task types, statuses, persons: one each


def test_lazy_names_a_relationship_or_is_refused_before_any_request(
    new_session: SessionFactory, hundred_shots: dict[str, Any]
) -> None:
    s, hundred = new_session(), hundred_shots["project_id"]
    with pytest.raises(kitsu.ValidationError, match="has no relationship 'taks'.*tasks"):
        kitsu.Shot.where(project_id=hundred, session=s).lazy("taks")
    assert s.transport.stats.total == 0


def test_include_loads_the_same_up_front(
    new_session: SessionFactory, hundred_shots: dict[str, Any]
) -> None:
    s = new_session()
    shots = (
        kitsu.Shot.where(project_id=hundred_shots["project_id"], session=s)
        .include("tasks.task_type", "tasks.task_status", "tasks.assignees")
        .all()
    )
    # The with-tasks route answers the shots and their tasks together.
    assert s.transport.stats.total == 4
    _check_production(shots, hundred_shots)
    assert s.transport.stats.total == 4 and s.transport.stats.by_method == {"GET": 4}


def test_shots_loaded_with_their_tasks_complete_their_other_fields_in_one_request(
    new_session: SessionFactory, hundred_shots: dict[str, Any]
) -> None:
    s = new_session()
    shots = (
        kitsu.Shot.where(project_id=hundred_shots["project_id"], session=s).include("tasks").all()
    )
    assert s.transport.stats.total == 1
    full = {
        shot.id: shot
        for shot in kitsu.Shot.where(project_id=hundred_shots["project_id"], session=new_session())
    }
    assert [shot.created_at for shot in shots] == [full[shot.id].created_at for shot in shots]
    assert s.transport.stats.total == 2  # every shot of the batch completed at once
    for shot in shots:
        assert (shot.name, shot.data, shot.parent_id) == (
            full[shot.id].name,
            full[shot.id].data,
            full[shot.id].parent_id,
        )
    assert s.transport.stats.total == 2


def test_threads_walking_one_result_load_each_batch_once(
    new_session: SessionFactory, hundred_shots: dict[str, Any]
) -> None:
    """Eight threads reaching the same lazy load together (a relationship of the
    batch, a field its rows left out) send it once: the others wait for its answer."""
    s = new_session()
    pid = hundred_shots["project_id"]
    plain = kitsu.Shot.where(project_id=pid, session=s).lazy("tasks").all()
    board = kitsu.Shot.where(project_id=pid, session=new_session()).all()  # stampless rows
    assert board[0].session is not None and board[0].session is not s
    gate = threading.Barrier(8)

    def read(n: int) -> tuple[int, Any]:
        gate.wait()
        tasks = plain[n * 10].tasks
        return len(tasks), board[n * 10].created_at

    s.transport.stats.reset()
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(read, range(8)))
    assert s.transport.stats.by_method == {"GET": 1}  # the shots' tasks, once
    assert board[0].session.transport.stats.total == 2  # the board, then its fields, once
    assert [n for n, _ in answers] == [len(plain[n * 10].tasks) for n in range(8)]
    assert all(created is not None for _, created in answers)


def test_strict_mode_refuses_lazy_loads(
    new_session: SessionFactory, hundred_shots: dict[str, Any]
) -> None:
    s = new_session(strict=True)
    query = kitsu.Shot.where(project_id=hundred_shots["project_id"], session=s).lazy("tasks")
    shots = query.all()
    before = s.transport.stats.total
    with pytest.raises(kitsu.LazyLoadError, match=r"include\('tasks'\)"):
        shots[0].tasks  # noqa: B018
    with pytest.raises(kitsu.LazyLoadError):
        shots[0].sequence  # noqa: B018
    with pytest.raises(kitsu.LazyLoadError):
        shots[0].project  # noqa: B018
    assert s.transport.stats.total == before


def test_strict_mode_is_satisfied_by_include(
    new_session: SessionFactory, hundred_shots: dict[str, Any]
) -> None:
    s = new_session(strict=True)
    shots = (
        kitsu.Shot.where(project_id=hundred_shots["project_id"], session=s)
        .include("sequence", "tasks.task_type", "tasks.task_status", "tasks.assignees")
        .all()
    )
    _check_production(shots, hundred_shots)
    assert {shot.sequence.name for shot in shots} == {"SQ01"}
    with pytest.raises(kitsu.LazyLoadError):
        shots[0].tasks[0].comments  # noqa: B018 - not included


def test_a_to_one_read_on_a_batch_loads_every_target_at_once(
    new_session: SessionFactory, hundred_shots: dict[str, Any]
) -> None:
    s = new_session()
    tasks = kitsu.Task.where(project_id=hundred_shots["project_id"], session=s).all()
    s.transport.stats.reset()
    entities = {task.entity for task in tasks}
    assert len(entities) == NB_SHOTS and all(isinstance(e, kitsu.Shot) for e in entities)
    # 100 ids do not fit in one URL: two requests of at most 80 ids.
    assert s.transport.stats.total == 2


def test_a_relationship_of_a_single_object_is_one_request(
    new_session: SessionFactory, hundred_shots: dict[str, Any]
) -> None:
    s = new_session()
    shot = kitsu.Shot.where(project_id=hundred_shots["project_id"], name="SH000", session=s).one()
    s.transport.stats.reset()
    assert len(shot.tasks) == 2 and shot.tasks is shot.tasks
    assert s.transport.stats.total == 1
    assert shot.tasks[0].entity is shot
    assert s.transport.stats.total == 1


def test_fields_a_batch_route_leaves_out_load_once_for_the_whole_batch(
    new_session: SessionFactory, hundred_shots: dict[str, Any], kitsu_client: Transport
) -> None:
    """100 shots' tasks come from shots/with-tasks, whose rows lack some fields
    (name, updated_at...): the first read of one loads them for every task."""
    s = new_session()
    shots = kitsu.Shot.where(project_id=hundred_shots["project_id"], session=s).all()
    tasks = [task for shot in shots for task in shot.tasks]
    assert s.transport.stats.total == 1
    assert "Task" in repr(tasks[0])  # a repr never loads anything
    assert s.transport.stats.total == 1
    server = {
        t["id"]: t
        for t in kitsu_client.get("data/tasks", {"project_id": hundred_shots["project_id"]})
    }
    assert tasks[0].name == server[tasks[0].id]["name"]
    assert s.transport.stats.total == 2
    for task in tasks:
        assert task.updated_at is not None and task.project_id == hundred_shots["project_id"]
        assert task.name == server[task.id]["name"]
    assert s.transport.stats.total == 2
    # Edits of a task loaded that way commit like any other, conflict check included.
    tasks[1].priority = 3
    s.commit()
    assert kitsu_client.get(f"data/tasks/{tasks[1].id}")["priority"] == 3


def test_strict_mode_refuses_to_complete_partial_rows(
    new_session: SessionFactory, hundred_shots: dict[str, Any]
) -> None:
    s = new_session(strict=True)
    shots = (
        kitsu.Shot.where(project_id=hundred_shots["project_id"], session=s).include("tasks").all()
    )
    task = shots[0].tasks[0]
    assert task.task_type_id and task.entity_id == shots[0].id  # what the batch route carries
    with pytest.raises(kitsu.LazyLoadError):
        task.name  # noqa: B018


def test_board_rows_sort_as_their_objects_do() -> None:
    """Children of a with-tasks board are sorted as rows, before they are built:
    the order must be the one ``_sorted`` gives the objects."""
    from kitsu_orm.loading import Board, _sorted
    from kitsu_orm.model.builders import positional_structure

    fields = ("id", "name", "created_at", "entity_id")
    rows = [
        ["t3", "main", "2026-01-02T10:00:00", "s"],
        ["t1", "main", "2026-01-02T10:00:00.500000", "s"],
        ["t2", None, "2026-01-03T09:00:00", "s"],
        ["t0", "anim", None, "s"],
        ["t4", "main", "2026-01-01T23:59:59", "s"],
    ]
    board = Board(("id", "tasks"), fields, [["s", rows]], "tasks")
    build = positional_structure(kitsu.Task, fields, keep_unknown=True)
    objects = _sorted([build(list(row), None) for row in rows])
    assert [r[0] for r in sorted(rows, key=board.child_order())] == [o.id for o in objects]
    plain = Board(("id", "tasks"), ("id", "entity_id"), [], "tasks")
    assert sorted([["b", "s"], ["a", "s"]], key=plain.child_order()) == [["a", "s"], ["b", "s"]]


# -- the lazy walk loads what include loads -------------------------------------------------

NB_ASSETS = 90  # more than an IN-list of ids holds: the tasks come from the board
WALKERS = ("admin", "artist", "supervisor")


@pytest.fixture(scope="module")
def ninety_assets(
    kitsu_server: KitsuServer, kitsu_client: Transport, hundred_shots: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """90 props and characters with a Modeling task each, assigned to Ann on even
    assets: built in one ORM commit, shared by this module's tests, which only read it."""
    project = kitsu_client.post("data/projects", {"name": unique_project_name("loading-assets")})
    try:
        transport = Transport(kitsu_server.url, token=kitsu_client.tokens)
        s = kitsu.Session(transport=transport)
        with s.begin():
            p = s.get(kitsu.Project, project["id"])
            ann = s.get(kitsu.Person, hundred_shots["ann"])
            modeling = kitsu.TaskType.where(name="Modeling", for_entity="Asset", session=s).one()
            todo = kitsu.TaskStatus.where(short_name="todo", session=s).one()
            kinds = [kitsu.AssetType.where(name=n, session=s).one() for n in ("Prop", "Character")]
            for n in range(NB_ASSETS):
                asset = kitsu.Asset(name=f"AS{n:03d}", project=p, asset_type=kinds[n % 2])
                task = kitsu.Task(project=p, entity=asset, task_type=modeling, task_status=todo)
                if n % 2 == 0:
                    task.assignees = [ann]
                s.add_all([asset, task])
        transport.close()
        yield {"project_id": project["id"]}
    finally:
        remove_project(kitsu_client, project)


@pytest.fixture
def walker(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_people: dict[str, TeamMember],
    kitsu_role_clients: dict[str, Transport],
    hundred_shots: dict[str, Any],
    ninety_assets: dict[str, Any],
) -> Iterator[Callable[[str], kitsu.Session]]:
    """``walker(key)``: a new session as the admin, or as the artist or supervisor of
    both projects' team (a role that reads only some routes)."""
    for project in (hundred_shots, ninety_assets):
        for key in WALKERS[1:]:
            team = f"data/projects/{project['project_id']}/team"
            kitsu_client.post(team, {"person_id": kitsu_people[key].id})
    sessions = TokenSessions(kitsu_server.url)

    def make(key: str) -> kitsu.Session:
        return sessions.on(kitsu_client if key == "admin" else kitsu_role_clients[key])

    yield make
    sessions.close()


def _requests(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The requests logged so far (method and path, no query), for failure messages."""
    return [" ".join(r.getMessage().split("?")[0].split()[:2]) for r in caplog.records]


def _walk(parents: Iterable[kitsu.Shot | kitsu.Asset], group: str) -> list[tuple[Any, ...]]:
    """The review sheet, as its users write it: a line per task of each parent, named
    with what ``group`` reaches (a shot's sequence, an asset's type)."""
    rows = []
    for parent in parents:
        name, grouped_by = parent.name, getattr(parent, group)
        for task in parent.tasks:
            assert task.task_type is not None and task.task_status is not None
            names = sorted(a.full_name or "" for a in task.assignees)
            kind, status = task.task_type.name, task.task_status.short_name
            rows.append((grouped_by.name, name, kind, status, names))
    return sorted(rows)


@pytest.mark.parametrize("who", WALKERS)
@pytest.mark.parametrize(
    ("cls", "group", "groups"),
    [
        # The sequences are made of the names the shot rows carry: no request.
        (kitsu.Shot, "sequence", {"SQ01"}),
        # The asset board names their types: no request either.
        (kitsu.Asset, "asset_type", {"Prop", "Character"}),
    ],
    ids=["shots", "assets"],
)
def test_the_lazy_walk_sends_the_requests_of_include(
    cls: type[kitsu.Shot | kitsu.Asset],
    group: str,
    groups: set[str],
    who: str,
    walker: Callable[[str], kitsu.Session],
    hundred_shots: dict[str, Any],
    ninety_assets: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Lazily: the board (the parents with their tasks), then task types, statuses,
    persons as the walk reaches them. With ``include``: the same four requests, the
    last three side by side. With ``.lazy("tasks")``: the plain list first."""
    caplog.set_level(logging.DEBUG, "kitsu_orm.http")
    production = hundred_shots if cls is kitsu.Shot else ninety_assets
    lazy = walker(who)
    rows = _walk(cls.where(project=production["project_id"], session=lazy), group)
    assert len(rows) == (NB_SHOTS + NB_LAYOUT if cls is kitsu.Shot else NB_ASSETS)
    assert {r[0] for r in rows} == groups
    sent = _requests(caplog)
    assert lazy.stats.requests == 4, sent
    caplog.clear()

    eager = walker(who)
    query = cls.where(project=production["project_id"], session=eager).include(
        group, "tasks.task_type", "tasks.task_status", "tasks.assignees"
    )
    assert _walk(query.all(), group) == rows
    assert eager.stats.requests == 4, _requests(caplog)
    # The same requests; the tables the board's tasks point at are read side by side
    # (tests/test_load_plan.py), so they answer in any order.
    eager_sent = _requests(caplog)
    assert eager_sent[0].endswith("/with-tasks")
    assert sorted(eager_sent) == sorted(sent)
    caplog.clear()

    listed = walker(who)
    query = cls.where(project=production["project_id"], session=listed).lazy("tasks")
    assert _walk(query, group) == rows
    listed_sent = _requests(caplog)
    assert listed_sent[0].endswith("/all") and listed_sent.count(eager_sent[0]) == 1, listed_sent
    # Assets listed plainly do not name their types: one request more than shots.
    assert listed.stats.requests == (5 if cls is kitsu.Shot else 6), listed_sent


def test_partial_targets_complete_together_and_stay_one_object_per_id(
    new_session: SessionFactory, hundred_shots: dict[str, Any]
) -> None:
    """A sequence made of the name its shots carry is the one object of its id, and
    reads its other fields in one request; a shot moved to another sequence in the
    session names its old one: its new one is read, not made of that name."""
    s = new_session()
    shots = kitsu.Shot.where(project_id=hundred_shots["project_id"], session=s).all()
    assert {shot.sequence for shot in shots} == {shots[0].sequence}
    assert s.transport.stats.total == 1
    sequence = shots[0].sequence
    assert sequence is not None and sequence.name == "SQ01"
    assert sequence.updated_at is not None and sequence.project_id == hundred_shots["project_id"]
    assert s.transport.stats.total == 2
    assert kitsu.Sequence.where(project=sequence.project_id, session=s).one() is sequence

    other = new_session()
    moved = kitsu.Shot.where(project_id=hundred_shots["project_id"], session=other).all()[0]
    moved.parent_id = sequence.id
    elsewhere = kitsu.Sequence(name="SQ02", project_id=sequence.project_id)
    other.add(elsewhere)
    other.commit()
    assert elsewhere.id is not None
    try:
        fresh = new_session()
        shot = kitsu.Shot.where(project_id=hundred_shots["project_id"], session=fresh).all()[0]
        shot.parent_id = elsewhere.id  # its row still says sequence_name "SQ01"
        assert shot.sequence is not None and shot.sequence.name == "SQ02"
        assert fresh.transport.stats.total == 2
    finally:
        with other.begin():
            other.delete(elsewhere)
