"""gazu's ``entity`` module through the facade, beside gazu 1.3.1 on the same server."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from production_board import VARYING, Board, board_fixture, compare_reads, without

from kitsu_orm import errors
from kitsu_orm.compat import gazu
from kitsu_orm.filetree import file_tree

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("gazu_facade")]

board = board_fixture("gazu-entity")

READS: list[tuple[str, Any]] = [
    ("all_entities", lambda b: ()),
    ("all_entity_types", lambda b: ()),
    ("get_entity", lambda b: (b.shot["id"],)),
    ("get_entity_by_name", lambda b: ("sc01", b.project)),  # the server's match, any case
    ("get_entity_by_name", lambda b: ("E01", b.project["id"])),
    ("get_entity_by_name", lambda b: ("No such entity",)),
    ("get_entity_type", lambda b: (b.asset_type["id"],)),
    ("get_entity_type_by_name", lambda b: ("sequence",)),
    ("get_entity_type_by_name", lambda b: ("No such type",)),
    ("guess_from_path", lambda b: (b.project["id"], "/prod/E01/SQ01/SH01/file.ma")),
    ("all_entities_with_tasks_linked_to_entity", lambda b: (b.assets["Hero"],)),
]


def test_reads_answer_what_gazu_answers(real_gazu: Any, board: Board) -> None:
    # Zou guesses from the project's file tree (without one, its answer is a 500).
    board.client.put(f"data/projects/{board.project['id']}", {"file_tree": file_tree("default")})
    assert not compare_reads(real_gazu.entity, "entity", board, READS)


def test_entities_and_types_made_and_removed_as_gazu_does(real_gazu: Any, board: Board) -> None:
    name = f"gz-{uuid.uuid4().hex[:8]}"
    ours, theirs = gazu.entity.new_entity_type(name), real_gazu.entity.new_entity_type(name + "g")
    board.made_types += [ours, theirs]
    assert ours["type"] == "EntityType"
    assert without(ours, VARYING) == without(theirs, VARYING)
    assert gazu.entity.remove_entity_type(ours) == real_gazu.entity.remove_entity_type(theirs)

    p, seq = board.project, board.sequence
    shots = [gazu.shot.new_shot(p, seq, f"DEL{i}") for i in range(6)]
    assert gazu.entity.remove_entity(shots[0]) == real_gazu.entity.remove_entity(shots[1]) == ""
    assert gazu.entity.remove_entity(shots[2]["id"], force=True) == ""
    with pytest.raises(errors.NotFound):
        gazu.entity.get_entity(shots[2]["id"])
    assert gazu.entity.remove_entities(p, [shots[3], shots[4]["id"]], True) == (
        [shots[3]["id"], shots[4]["id"]]
    )
    assert real_gazu.entity.remove_entities(p, shots[5], force=True) == [shots[5]["id"]]
