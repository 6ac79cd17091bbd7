"""A TV show board for the comparison tests of gazu's asset, shot, scene, casting and
entity modules: made once per test module through the admin's transport, then
read and written through real gazu and through the facade alike."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from kitsu_orm.compat import gazu
from kitsu_orm.errors import KitsuError
from kitsu_orm.testing import TeamMember, remove_project, unique_project_name
from kitsu_orm.transport import Transport

Row = dict[str, Any]
# Differ between two objects made apart, or between two saves of one object.
VARYING = frozenset({"id", "name", "created_at", "updated_at"})
STAMPS = frozenset({"updated_at"})


@dataclass
class Board:
    """E01 > SQ01 > SH01, SH02 (SH01 casts Hero twice); assets Hero, Sword (in E01),
    Forest (with a Tree inside), Tree; scene SC01 with a Tree instance, SH01 in it;
    a free Tree instance linked to SH01."""

    client: Transport
    project: Row
    episode: Row
    sequence: Row
    shots: list[Row]
    asset_type: Row
    assets: dict[str, Row]
    scene: Row
    scene_instance: Row
    shot_instance: Row
    inside_instance: Row
    made_types: list[Row] = field(default_factory=list)

    @property
    def shot(self) -> Row:
        return self.shots[0]


def make_board(client: Transport, name: str) -> Board:
    project = client.post(
        "data/projects", {"name": unique_project_name(name), "production_type": "tvshow"}
    )
    pid = project["id"]
    episode = client.post(f"data/projects/{pid}/episodes", {"name": "E01"})
    sequence = client.post(
        f"data/projects/{pid}/sequences", {"name": "SQ01", "episode_id": episode["id"]}
    )
    shots = [
        client.post(
            f"data/projects/{pid}/shots",
            {"name": n, "sequence_id": sequence["id"], "data": {"frame_in": 1}},
        )
        for n in ("SH01", "SH02")
    ]
    asset_type = client.post("data/entity-types", {"name": f"gz-{uuid.uuid4().hex[:8]}"})
    assets: dict[str, Row] = {}
    for n in ("Hero", "Sword", "Forest", "Tree"):
        body: Row = {"name": n, "description": f"the {n}", "data": {"k": n}}
        if n == "Sword":
            body["episode_id"] = episode["id"]
        assets[n] = client.post(
            f"data/projects/{pid}/asset-types/{asset_type['id']}/assets/new", body
        )
    client.put(
        f"data/projects/{pid}/entities/{shots[0]['id']}/casting",
        [{"asset_id": assets["Hero"]["id"], "nb_occurences": 2}],
    )
    scene = client.post(
        f"data/projects/{pid}/scenes", {"name": "SC01", "sequence_id": sequence["id"]}
    )
    client.post(f"data/scenes/{scene['id']}/shots", {"shot_id": shots[0]["id"]})
    tree = assets["Tree"]["id"]
    scene_instance = client.post(f"data/scenes/{scene['id']}/asset-instances", {"asset_id": tree})
    inside = client.post(
        f"data/assets/{assets['Forest']['id']}/asset-asset-instances",
        {"asset_to_instantiate_id": tree},
    )
    free = client.post("data/asset-instances", {"asset_id": tree, "name": "Tree_0001", "number": 1})
    client.post(f"data/shots/{shots[0]['id']}/asset-instances", {"asset_instance_id": free["id"]})
    return Board(
        client,
        project,
        episode,
        sequence,
        shots,
        asset_type,
        assets,
        scene,
        scene_instance,
        free,
        inside,
    )


def remove_board(board: Board) -> None:
    """Zou deletes no project whose assets still have instances: those go first."""
    c, pid = board.client, board.project["id"]
    for shot in c.get(f"data/projects/{pid}/shots"):
        for rows in c.get(f"data/shots/{shot['id']}/asset-instances").values():
            for row in rows:
                c.delete(f"data/shots/{shot['id']}/asset-instances/{row['id']}")
    for asset in c.get(f"data/projects/{pid}/assets"):
        for row in c.get("data/asset-instances", {"asset_id": asset["id"]}):
            c.delete(f"data/asset-instances/{row['id']}")
    remove_project(c, board.project)
    for row in [board.asset_type, *board.made_types]:
        with contextlib.suppress(KitsuError):  # still used by a project being removed
            board.client.delete(f"data/entity-types/{row['id']}")


def board_fixture(name: str) -> Any:
    """A module-scoped :class:`Board` fixture, the team's people on its project."""

    def fixture(kitsu_client: Transport, kitsu_people: dict[str, TeamMember]) -> Iterator[Board]:
        board = make_board(kitsu_client, name)
        for member in kitsu_people.values():
            kitsu_client.post(f"data/projects/{board.project['id']}/team", {"person_id": member.id})
        yield board
        remove_board(board)

    return pytest.fixture(fixture, scope="module", name="board")


def without(row: Any, keys: frozenset[str] | set[str]) -> Any:
    """``row`` without ``keys`` (in each row of a list)."""
    if isinstance(row, list):
        return [without(r, keys) for r in row]
    if isinstance(row, dict):
        return {k: v for k, v in row.items() if k not in keys}
    return row


Args = Callable[[Board], tuple[Any, ...]]


def compare_reads(
    real_module: Any, module_name: str, board: Board, rows: list[tuple[str, Args]]
) -> list[str]:
    """Call each row's function through gazu and the facade; the names whose answers differ."""
    ours_module = getattr(gazu, module_name)
    differing = []
    for function, args in rows:
        built = args(board)
        theirs = getattr(real_module, function)(*built)
        ours = getattr(ours_module, function)(*built)
        if ours != theirs:
            differing.append(f"{function}{built!r}:\n  ours   {ours!r}\n  theirs {theirs!r}")
    return differing
