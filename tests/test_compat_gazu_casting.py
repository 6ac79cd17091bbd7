"""gazu's ``casting`` module through the facade, beside gazu 1.3.1 on the same server."""

from __future__ import annotations

from typing import Any

import pytest
from production_board import Board, board_fixture, compare_reads

from kitsu_orm.compat import gazu

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("gazu_facade")]

board = board_fixture("gazu-casting")

READS: list[tuple[str, Any]] = [
    ("get_asset_type_casting", lambda b: (b.project, b.asset_type)),
    ("get_sequence_casting", lambda b: (b.sequence,)),
    ("get_shot_casting", lambda b: (b.shot,)),
    ("get_asset_casting", lambda b: (b.assets["Forest"],)),
    ("get_episode_casting", lambda b: (b.episode,)),
    ("get_asset_cast_in", lambda b: (b.assets["Hero"],)),
    ("all_entity_links_for_project", lambda b: (b.project,)),
    ("all_entity_links_for_project", lambda b: (b.project, 1, 1)),
    ("get_episodes_casting", lambda b: (b.project,)),
    ("get_sequence_shots_casting", lambda b: (b.project, b.sequence)),
    ("get_episode_shots_casting", lambda b: (b.project, b.episode)),
    ("get_project_shots_casting", lambda b: (b.project["id"],)),
]


def test_reads_answer_what_gazu_answers(real_gazu: Any, board: Board) -> None:
    assert not compare_reads(real_gazu.casting, "casting", board, READS)


def test_a_shot_read_by_id_gives_the_casting_of_its_row(board: Board) -> None:
    """gazu needs the shot's row (its project); the facade reads it from an id too."""
    assert gazu.casting.get_shot_casting(board.shot["id"]) == gazu.casting.get_shot_casting(
        board.shot
    )


def test_castings_written_as_gazu_writes_them(real_gazu: Any, board: Board) -> None:
    p, (shot, other) = board.project, board.shots
    hero, sword, forest = (board.assets[n] for n in ("Hero", "Sword", "Forest"))
    cast = [{"asset_id": sword["id"], "nb_occurences": 3}]
    updates = [
        ("update_shot_casting", other),
        ("update_asset_casting", forest),
        ("update_episode_casting", board.episode),
    ]
    for name, entity in updates:
        ours = getattr(gazu.casting, name)(p, entity, cast)
        assert ours == getattr(real_gazu.casting, name)(p, entity["id"], cast), name

    assert gazu.casting.cast_asset(p, [shot, other["id"]], hero, 4, "fg") == (
        real_gazu.casting.cast_asset(p, [shot, other["id"]], hero, 4, "fg")
    )
    assert gazu.casting.uncast_asset(p, other, hero) == real_gazu.casting.uncast_asset(
        p, other, hero
    )
    assert [c["asset_id"] for c in gazu.casting.get_shot_casting(other)] == [sword["id"]]

    links = gazu.casting.all_entity_links_for_project(p)
    link = next(row for row in links if row["entity_in_id"] == forest["id"])
    assert gazu.casting.delete_entity_link(link) == link
    assert gazu.casting.get_asset_casting(forest) == []
    link = next(
        row
        for row in gazu.casting.all_entity_links_for_project(p)
        if row["entity_in_id"] == board.episode["id"]
    )
    assert real_gazu.casting.delete_entity_link(link["id"]) == {"id": link["id"]}
    assert link["id"] not in [r["id"] for r in gazu.casting.all_entity_links_for_project(p)]
