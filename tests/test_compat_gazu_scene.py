"""gazu's ``scene`` module through the facade, beside gazu 1.3.1 on the same server."""

from __future__ import annotations

from typing import Any

import pytest
from production_board import STAMPS, VARYING, Board, board_fixture, compare_reads, without

from kitsu_orm.compat import gazu

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("gazu_facade")]

board = board_fixture("gazu-scene")

READS: list[tuple[str, Any]] = [
    ("all_scenes", lambda b: (b.project,)),
    ("all_scenes", lambda b: ()),
    ("all_scenes_for_project", lambda b: (b.project["id"],)),
    ("all_scenes_for_sequence", lambda b: (b.sequence,)),
    ("get_scene", lambda b: (b.scene["id"],)),
    ("get_scene_by_name", lambda b: (b.sequence, "sc01")),  # the server's match, any case
    ("get_scene_by_name", lambda b: (b.sequence["id"], "SC09")),
    ("all_asset_instances_for_scene", lambda b: (b.scene,)),
    ("get_asset_instance_by_name", lambda b: (b.scene, b.scene_instance["name"])),
    ("get_asset_instance_by_name", lambda b: (b.scene, "Nothing")),
    ("all_camera_instances_for_scene", lambda b: (b.scene,)),
    ("all_shots_for_scene", lambda b: (b.scene["id"],)),
    ("get_sequence_from_scene", lambda b: (b.scene,)),
    ("get_sequence_from_scene", lambda b: (b.scene["id"],)),
]


def test_reads_answer_what_gazu_answers(real_gazu: Any, board: Board) -> None:
    assert not compare_reads(real_gazu.scene, "scene", board, READS)


def test_scenes_made_and_edited_as_gazu_does(real_gazu: Any, board: Board) -> None:
    p, seq = board.project, board.sequence
    ours = gazu.scene.new_scene(p, seq, "SC02")
    theirs = real_gazu.scene.new_scene(p, seq["id"], "SC03")
    assert without(ours, VARYING) == without(theirs, VARYING)
    change = {"id": ours["id"], "description": "layout"}
    assert without(gazu.scene.update_scene(change), STAMPS) == without(
        real_gazu.scene.update_scene(change), STAMPS
    )

    shot = board.shots[1]
    linked = gazu.scene.add_shot_to_scene(ours, shot)
    # The shot, now with its scene as source: each scene its own.
    assert linked["source_id"] == ours["id"]
    assert without(linked, VARYING | {"source_id"}) == without(
        real_gazu.scene.add_shot_to_scene(theirs, shot["id"]), VARYING | {"source_id"}
    )
    assert gazu.scene.all_shots_for_scene(ours) == real_gazu.scene.all_shots_for_scene(ours)
    assert gazu.scene.remove_shot_from_scene(ours, shot) == (
        real_gazu.scene.remove_shot_from_scene(theirs, shot)
    )
    assert gazu.scene.all_shots_for_scene(ours) == []

    tree = board.assets["Tree"]
    mine = gazu.scene.new_scene_asset_instance(ours, tree, "by the river")
    again = real_gazu.scene.new_scene_asset_instance(theirs, tree["id"], "by the river")
    assert without(mine, VARYING | {"scene_id"}) == without(again, VARYING | {"scene_id"})
    renamed = gazu.scene.update_asset_instance_name(mine, "Oak")
    assert renamed["name"] == "Oak"
    assert without(renamed, STAMPS) == without(
        real_gazu.scene.update_asset_instance_name(mine, "Oak"), STAMPS
    )
    changed = gazu.scene.update_asset_instance_data(mine["id"], {"lod": 2})
    assert changed["data"] == {"lod": 2}
    assert without(changed, STAMPS) == without(
        real_gazu.scene.update_asset_instance_data(mine, {"lod": 2}), STAMPS
    )
    assert gazu.scene.get_asset_instance_by_name(ours, "oak") == (
        real_gazu.scene.get_asset_instance_by_name(ours, "oak")
    )
