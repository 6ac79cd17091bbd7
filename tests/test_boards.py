"""Boards (Zou's with-tasks answers): the objects made of their parent rows hold what
a full load gives, for every type that has one, and complete themselves in one
request; an edit made in the session survives a board load."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import SessionFactory

import kitsu_orm as kitsu
from kitsu_orm.boards import Board
from kitsu_orm.model.state import loaded_value
from kitsu_orm.routes import LISTS
from kitsu_orm.testing import (
    KitsuServer,
    TeamMember,
    TokenSessions,
    remove_project,
    unique_project_name,
)
from kitsu_orm.transport import Transport

# The types with a board, and the kind of task each one's tasks are.
BOARD_TYPES: tuple[type[kitsu.Entity], ...] = (
    kitsu.Episode,
    kitsu.Sequence,
    kitsu.Scene,
    kitsu.Shot,
    kitsu.Edit,
    kitsu.Concept,
    kitsu.Asset,
)
_UNSET = object()


@pytest.fixture(scope="module")
def board_production(kitsu_client: Transport) -> Iterator[dict[str, Any]]:
    """A TV show with two of each type that has a board, one task on each: E01 > SQ01
    (SC01, SH01), SQ02 (SH02); edits ED01 (in E01) and ED02 (in none); concepts CO01,
    CO02; assets Hero (of E01, ready for Animation) and Tree (of no episode)."""
    client = kitsu_client
    project = client.post(
        "data/projects", {"name": unique_project_name("boards"), "production_type": "tvshow"}
    )
    pid = project["id"]
    made_types: list[dict[str, Any]] = []
    try:
        episode = client.post(f"data/projects/{pid}/episodes", {"name": "E01"})
        sequences = [
            client.post(
                f"data/projects/{pid}/sequences", {"name": name, "episode_id": episode["id"]}
            )
            for name in ("SQ01", "SQ02")
        ]
        scenes = [
            client.post(
                f"data/projects/{pid}/scenes", {"name": "SC01", "sequence_id": sequences[0]["id"]}
            )
        ]
        shots = [
            client.post(
                f"data/projects/{pid}/shots",
                {"name": f"SH0{n + 1}", "sequence_id": seq["id"], "data": {"frame_in": n}},
            )
            for n, seq in enumerate(sequences)
        ]
        edits = [
            client.post(
                f"data/projects/{pid}/edits", {"name": "ED01", "episode_id": episode["id"]}
            ),
            client.post(f"data/projects/{pid}/edits", {"name": "ED02"}),
        ]
        concepts = [
            client.post(f"data/projects/{pid}/concepts", {"name": n}) for n in ("CO01", "CO02")
        ]
        types = {t["name"]: t for t in client.get("data/task-types")}
        asset_type = client.get("data/asset-types", {"name": "Character"})[0]
        assets = [
            client.post(
                f"data/projects/{pid}/asset-types/{asset_type['id']}/assets/new",
                {"name": "Hero", "source_id": episode["id"]},
            ),
            client.post(
                f"data/projects/{pid}/asset-types/{asset_type['id']}/assets/new", {"name": "Tree"}
            ),
        ]
        client.put(f"data/entities/{assets[0]['id']}", {"ready_for": types["Animation"]["id"]})
        status = client.get("data/task-status", {"short_name": "todo"})[0]
        by_kind: dict[str, str] = {"Shot": types["Animation"]["id"], "Edit": types["Edit"]["id"]}
        by_kind["Asset"] = types["Modeling"]["id"]
        for kind in ("Episode", "Sequence", "Scene", "Concept"):
            made = client.post(
                "data/task-types",
                {"name": f"boards-{kind}-{uuid.uuid4().hex[:6]}", "for_entity": kind},
            )
            made_types.append(made)
            by_kind[kind] = made["id"]
        entities = [episode, *sequences, *scenes, *shots, *edits, *concepts, *assets]
        for entity in entities:
            kind = entity["type"] if entity["type"] in by_kind else "Asset"
            client.post(
                "data/tasks",
                {
                    "project_id": pid,
                    "entity_id": entity["id"],
                    "task_type_id": by_kind[kind],
                    "task_status_id": status["id"],
                    "name": "main",
                },
            )
        yield {"project_id": pid, "episode": episode, "sequences": sequences}
    finally:
        remove_project(client, project)
        for made in made_types:
            with contextlib.suppress(kitsu.KitsuError):
                client.delete(f"data/task-types/{made['id']}")


def _loaded_fields(obj: kitsu.Entity, *, like: kitsu.Entity | None = None) -> dict[str, Any]:
    """The fields ``obj`` holds; with ``like``, but the names Zou joins into the rows
    (``asset_type_name``) that ``like``'s route does not."""
    cls = type(obj)
    return {
        name: value
        for name in sorted(cls.__fields__)
        if (value := loaded_value(obj, name, _UNSET)) is not _UNSET
        and not (like is not None and name in _JOINED and loaded_value(like, name) is None)
    }


_JOINED = frozenset({"asset_type_name", "sequence_name", "episode_name", "project_name"})


@pytest.mark.server
@pytest.mark.parametrize("cls", BOARD_TYPES, ids=lambda c: c.__name__)
def test_a_board_loads_its_parents_as_a_full_load_gives_them(
    cls: type[kitsu.Entity], new_session: SessionFactory, board_production: dict[str, Any]
) -> None:
    pid = board_production["project_id"]
    full = {o.id: o for o in cls.where(project=pid, session=new_session()).all()}
    assert len(full) == (1 if cls in (kitsu.Episode, kitsu.Scene) else 2)

    s = new_session()
    objs = cls.where(project=pid, session=s).include("tasks").all()
    assert s.transport.stats.total == 1  # the board alone
    assert sorted(o.id or "" for o in objs) == sorted(full)
    for obj in objs:
        assert [t.entity_id for t in obj.tasks] == [obj.id]  # type: ignore[attr-defined]
        held = _loaded_fields(obj, like=full[obj.id])
        assert "updated_at" not in held  # partial: loaded from the board
        assert {"id", "name", "project_id"} <= set(held)
        assert held == {k: loaded_value(full[obj.id], k) for k in held}, cls.__name__
    # The fields the board leaves out load for every object of the batch at once.
    assert [o.updated_at for o in objs] == [full[o.id].updated_at for o in objs]
    assert s.transport.stats.total == 2
    for obj in objs:
        twin = full[obj.id]
        assert _loaded_fields(obj, like=twin) == _loaded_fields(twin, like=twin)
    assert s.transport.stats.total == 2


@pytest.mark.server
def test_a_board_load_keeps_the_edits_made_in_the_session(
    new_session: SessionFactory, board_production: dict[str, Any]
) -> None:
    pid = board_production["project_id"]
    s = new_session()
    shots = kitsu.Shot.where(project=pid, session=s).all()
    shot = shots[0]
    shot.description = "edited here"
    shot.frame_in = 101
    again = kitsu.Shot.where(project=pid, session=s).include("tasks").all()
    assert {id(o) for o in again} == {id(o) for o in shots}  # one object per id
    assert (shot.description, shot.frame_in) == ("edited here", 101)
    assert set(shot.changes()) == {"description", "data"}
    assert shot.tasks[0].entity is shot


def test_board_parents_are_named_and_valued_as_their_rows() -> None:
    """The asset board's own column names and stand-ins for None ("" and "None")
    come out as an asset row has them; other boards' rows come out unchanged."""
    fields = ("id", "asset_type_id", "episode_id", "preview_file_id", "ready_for", "tasks")
    rows: list[list[Any]] = [
        ["a1", "t1", "", "", "None", []],
        ["a2", "t1", "e1", "p1", "tt1", []],
    ]
    board = Board(fields, ("id",), rows, "tasks", LISTS["assets_with_tasks"])
    columns, values = board.parents()
    assert columns == ("id", "entity_type_id", "source_id", "preview_file_id", "ready_for", "tasks")
    assert values == [["a1", "t1", None, None, None, []], ["a2", "t1", "e1", "p1", "tt1", []]]
    assert rows[0] == ["a1", "t1", "", "", "None", []]  # the answer itself is left as it was
    shots = Board(("id", "parent_id", "tasks"), ("id",), [["s1", "q1", []]], "tasks", "")
    assert shots.parents() == (("id", "parent_id", "tasks"), [["s1", "q1", []]])


@pytest.mark.server
@pytest.mark.parametrize("who", ["artist", "supervisor", "manager", "client", "vendor"])
def test_every_role_gets_from_a_board_the_tasks_it_gets_by_their_parents(
    who: str,
    board_production: dict[str, Any],
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_people: dict[str, TeamMember],
    kitsu_role_clients: dict[str, Transport],
) -> None:
    """A board answers a role what the task list answers it (Zou shows a vendor only
    its own tasks, either way), for every type with a board the role may list."""
    pid = board_production["project_id"]
    kitsu_client.post(f"data/projects/{pid}/team", {"person_id": kitsu_people[who].id})
    sessions = TokenSessions(kitsu_server.url)
    compared = []
    try:
        for cls in BOARD_TYPES:
            by_parents = sessions.on(kitsu_role_clients[who])
            try:  # a client lists no concepts, a vendor no scenes
                parents = cls.where(project=pid, session=by_parents).all()
            except kitsu.PermissionDenied:
                continue
            expected = {(p.id, t.id) for p in parents for t in p.tasks}  # type: ignore[attr-defined]
            on_board = sessions.on(kitsu_role_clients[who])
            objs = cls.where(project=pid, session=on_board).include("tasks").all()
            got = {(o.id, t.id) for o in objs for t in o.tasks}  # type: ignore[attr-defined]
            assert got == expected, cls.__name__
            assert on_board.stats.requests == 1, cls.__name__
            compared.append(cls)
        assert {kitsu.Shot, kitsu.Asset, kitsu.Sequence} <= set(compared)
    finally:
        sessions.close()
