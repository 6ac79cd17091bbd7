"""The plan of an include: the loads that need the board but not each other (task
types, statuses, persons) are in flight together, a load waits for the loads before
it that may merge what it reads, and the session ends as the sequential run leaves
it, errors included: on a real Kitsu behind a proxy that holds or refuses requests,
as the admin and as an artist of the project's team, and on a fake transport."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from faultproxy import FaultProxy, Seen, delay, respond

import kitsu_orm as kitsu
from kitsu_orm.fake_transport import FakeTransport
from kitsu_orm.testing import (
    KitsuServer,
    TeamMember,
    TokenSessions,
    remove_project,
    unique_project_name,
)
from kitsu_orm.transport import Transport

# How long the proxy holds each request: loads one after the other would arrive
# at least this far apart, loads in flight together arrive within a few ms.
HOLD = 1.0
INCLUDES = ("sequence", "tasks.task_type", "tasks.task_status", "tasks.assignees")
TABLES = ("/api/data/persons", "/api/data/task-status", "/api/data/task-types")
WHO = ("admin", "artist")


@pytest.fixture(scope="module")
def production(
    kitsu_client: Transport, kitsu_people: dict[str, TeamMember]
) -> Iterator[dict[str, Any]]:
    """Four shots of one sequence, an Animation task each, assigned to the artist,
    who is on the project's team."""
    project = kitsu_client.post("data/projects", {"name": unique_project_name("load-plan")})
    try:
        artist = kitsu_people["artist"]
        kitsu_client.post(f"data/projects/{project['id']}/team", {"person_id": artist.id})
        s = kitsu.Session(transport=Transport(kitsu_client.host, token=kitsu_client.tokens))
        with s.begin():
            p = s.get(kitsu.Project, project["id"])
            anim = kitsu.TaskType.where(name="Animation", for_entity="Shot", session=s).one()
            todo = kitsu.TaskStatus.where(short_name="todo", session=s).one()
            person = s.get(kitsu.Person, artist.id)
            seq = kitsu.Sequence(name="SQ01", project=p)
            s.add(seq)
            for n in range(4):
                shot = kitsu.Shot(name=f"SH{n:02d}", project=p, sequence=seq)
                task = kitsu.Task(project=p, entity=shot, task_type=anim, task_status=todo)
                task.assignees = [person]
                s.add_all([shot, task])
        s.close()
        s.transport.close()
        yield {"project_id": project["id"]}
    finally:
        remove_project(kitsu_client, project)


@pytest.fixture
def proxy(kitsu_server: KitsuServer) -> Iterator[FaultProxy]:
    with FaultProxy.in_front_of(kitsu_server.url) as proxy:
        yield proxy


@pytest.fixture
def through(
    proxy: FaultProxy,
    kitsu_client: Transport,
    kitsu_role_clients: dict[str, Transport],
    production: dict[str, Any],
) -> Iterator[Callable[..., kitsu.Session]]:
    """``through(who, workers=8)``: a new session as the admin or the artist, whose
    requests go through the proxy."""
    sessions = TokenSessions(proxy.url)

    def make(who: str, **options: Any) -> kitsu.Session:
        return sessions.on(kitsu_client if who == "admin" else kitsu_role_clients[who], **options)

    yield make
    sessions.close()


def _load(session: kitsu.Session, project_id: str) -> list[kitsu.Shot]:
    return kitsu.Shot.where(project=project_id, session=session).include(*INCLUDES).all()


def _held(session: kitsu.Session) -> dict[str, list[str]]:
    """What the session holds: the ids of each class (the identity map, as a value)."""
    held: dict[str, list[str]] = {}
    for obj in session.identity.objects():
        held.setdefault(type(obj).__name__, []).append(obj.id or "")
    return {name: sorted(ids) for name, ids in held.items()}


def _sheet(shots: list[kitsu.Shot]) -> list[tuple[Any, ...]]:
    return sorted(
        (shot.sequence.name if shot.sequence else None, shot.name, task.task_type.name,
         task.task_status.short_name, tuple(p.full_name for p in task.assignees))
        for shot in shots
        for task in shot.tasks
        if task.task_type and task.task_status
    )  # fmt: skip


@pytest.mark.server
@pytest.mark.parametrize("who", WHO)
def test_the_loads_that_need_the_board_alone_are_in_flight_together(
    who: str, proxy: FaultProxy, through: Callable[..., kitsu.Session], production: dict[str, Any]
) -> None:
    """The board first (the tables need its tasks), then task types, statuses and
    persons together: each arrives at the proxy after the board was answered, and
    all three before any of them could be (the proxy holds each HOLD seconds)."""
    one_by_one = through(who, workers=1)
    expected = _sheet(_load(one_by_one, production["project_id"]))
    assert len(expected) == 4 and one_by_one.stats.requests == 4
    sequential_paths = sorted(seen.path for seen in proxy.received)
    proxy.clear()

    together = through(who)
    proxy.script(*[delay(HOLD)] * 4)
    shots = _load(together, production["project_id"])
    seen = proxy.received
    assert together.stats.requests == 4 and len(seen) == 4, [s.path for s in seen]
    assert sorted(s.path for s in seen) == sequential_paths
    board, *tables = seen
    assert board.path.endswith("/with-tasks")
    assert sorted(t.path for t in tables) == sorted(TABLES)
    assert all(t.at >= board.at + HOLD for t in tables), _arrivals(seen)
    assert max(t.at for t in tables) < min(t.at for t in tables) + HOLD, _arrivals(seen)
    assert _sheet(shots) == expected
    assert _held(together) == _held(one_by_one)


@pytest.mark.server
@pytest.mark.parametrize("who", WHO)
def test_an_error_of_a_load_in_flight_is_raised_at_its_turn_with_nothing_after_it_merged(
    who: str, proxy: FaultProxy, through: Callable[..., kitsu.Session], production: dict[str, Any]
) -> None:
    """Statuses refused (403) and persons not found (404) while the task types are
    held: both fail before the task types are answered, yet the error is the
    statuses' (the first in the include's order), as it is one load after the
    other; the task types are merged, the persons read is sent but not merged."""

    def refuse() -> None:
        proxy.script(delay(HOLD), path="/api/data/task-types")
        proxy.script(_refused(403), path="/api/data/task-status")
        proxy.script(_refused(404), path="/api/data/persons")

    one_by_one = through(who, workers=1)
    refuse()
    with pytest.raises(kitsu.KitsuError) as sequential:
        _load(one_by_one, production["project_id"])
    assert isinstance(sequential.value, kitsu.PermissionDenied)
    assert not any(s.path == "/api/data/persons" for s in proxy.received)
    proxy.clear()

    together = through(who)
    refuse()
    with pytest.raises(kitsu.KitsuError) as concurrent:
        _load(together, production["project_id"])
    assert type(concurrent.value) is type(sequential.value)
    assert concurrent.value.path == sequential.value.path == "/data/task-status"
    persons = [s for s in proxy.received if s.path == "/api/data/persons"]
    types = next(s for s in proxy.received if s.path == "/api/data/task-types")
    assert len(persons) == 1 and persons[0].at < types.at + HOLD, _arrivals(proxy.received)
    held = _held(together)
    assert held == _held(one_by_one)
    assert "TaskType" in held and "TaskStatus" not in held and "Person" not in held
    # The tasks' relationships the plan did not reach stay to load, as one by one.
    task = next(o for o in together.identity.objects() if isinstance(o, kitsu.Task))
    assert task.task_status is not None and task.task_status.short_name == "todo"
    assert [p.id for p in task.assignees] != []


def _refused(status: int) -> Any:
    return respond(status, {"Content-Type": "application/json"}, b'{"message": "test"}')


def _arrivals(seen: list[Seen]) -> list[tuple[str, float]]:
    """Each request's path and arrival, in seconds after the first, for messages."""
    start = seen[0].at if seen else 0.0
    return [(s.path, round(s.at - start, 3)) for s in seen]


# -- on a fake transport ---------------------------------------------------------------

P1, P2 = "00000000-0000-0000-0000-0000000000a1", "00000000-0000-0000-0000-0000000000a2"
TASK = {
    "id": "00000000-0000-0000-0000-00000000000a",
    "type": "Task",
    "project_id": "00000000-0000-0000-0000-00000000000b",
    "task_type_id": "00000000-0000-0000-0000-00000000000c",
    "task_status_id": "00000000-0000-0000-0000-00000000000d",
    "assignees": [P1, P2],
}
COMMENT = {
    "id": "00000000-0000-0000-0000-00000000000e",
    "type": "Comment",
    "object_id": TASK["id"],
    "person_id": P1,
    "task_status_id": TASK["task_status_id"],
}


def _studio(before_answer: Callable[[str], None] = lambda path: None) -> FakeTransport:
    """A fake Kitsu holding one task, assigned to two people, one of whom commented
    on it; ``before_answer(path)`` runs before each answer, on the reading thread."""
    tables: dict[str, list[dict[str, Any]]] = {
        "data/tasks": [TASK],
        "data/comments": [COMMENT],
        "data/task-types": [{"id": TASK["task_type_id"], "type": "TaskType", "name": "Anim"}],
        "data/task-status": [{"id": TASK["task_status_id"], "type": "TaskStatus", "name": "Todo"}],
        "data/persons": [
            {"id": p, "type": "Person", "first_name": name}
            for p, name in ((P1, "Ann"), (P2, "Bob"))
        ],
    }

    def answer(method: str, path: str, params: Mapping[str, Any], body: Any) -> Any:
        before_answer(path)
        ids = _ids(params.get("id"))
        return [r for r in tables[path] if ids is None or r["id"] in ids]

    return FakeTransport(answer)


def _ids(value: Any) -> set[str] | None:
    if value is None:
        return None
    return set(json.loads(value)) if value.startswith("[") else {value}


def test_independent_loads_wait_for_each_other_on_a_fake_transport_too() -> None:
    """Each table read waits until all three are in flight: one after the other, the
    first would wait for nothing, and the barrier would break."""
    barrier = threading.Barrier(3, timeout=10)
    tables = ("data/task-types", "data/task-status", "data/persons")
    fake = _studio(lambda path: barrier.wait() if path in tables else None)
    s = kitsu.Session(transport=fake)
    (task,) = (
        kitsu.Task.where(project=TASK["project_id"], session=s)
        .include("task_type", "task_status", "assignees")
        .all()
    )
    assert sorted(r.path for r in fake.requests) == sorted(("data/tasks", *tables))
    assert fake.requests[0].path == "data/tasks"
    assert task.task_type is not None and task.task_type.name == "Anim"
    assert [p.first_name for p in task.assignees] == ["Ann", "Bob"]
    assert s.stats.requests == 4


@pytest.mark.parametrize("workers", [1, 8])
def test_a_load_waits_for_the_loads_before_it_that_merge_what_it_reads(workers: int) -> None:
    """``assignees`` needs no comment, yet it waits for ``comments.person``, which
    comes first and loads persons too: it then asks only for the person that load did
    not bring, as one load after the other does."""
    fake = _studio()
    s = kitsu.Session(transport=fake, workers=workers)
    (task,) = (
        kitsu.Task.where(project=TASK["project_id"], session=s)
        .include("comments.person", "assignees")
        .all()
    )
    asked = [(r.path, _ids(r.params.get("id"))) for r in fake.requests]
    assert asked == [
        ("data/tasks", None),
        ("data/comments", None),
        ("data/persons", {P1}),
        ("data/persons", {P2}),
    ]
    assert [p.first_name for p in task.assignees] == ["Ann", "Bob"]
    assert task.comments[0].person is task.assignees[0]
