"""gazu's ``shot`` module through the facade, beside gazu 1.3.1 on the same server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from production_board import STAMPS, VARYING, Board, board_fixture, compare_reads, without

from kitsu_orm import errors
from kitsu_orm.compat import gazu

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("gazu_facade")]

board = board_fixture("gazu-shot")

READS: list[tuple[str, Any]] = [
    ("all_previews_for_shot", lambda b: (b.shot,)),
    ("all_shots_for_project", lambda b: (b.project,)),
    ("all_shots_for_episode", lambda b: (b.episode,)),
    ("all_shots_for_sequence", lambda b: (b.sequence["id"],)),
    ("all_sequences_for_project", lambda b: (b.project["id"],)),
    ("all_sequences_for_episode", lambda b: (b.episode,)),
    ("all_episodes_for_project", lambda b: (b.project,)),
    ("get_episode", lambda b: (b.episode["id"],)),
    ("get_episode_by_name", lambda b: (b.project, "e01")),  # the server's match, any case
    ("get_episode_by_name", lambda b: (b.project, "E02")),
    ("get_episode_from_sequence", lambda b: (b.sequence,)),
    ("get_sequence", lambda b: (b.sequence["id"],)),
    ("get_sequence_by_name", lambda b: (b.project, "sq01")),
    ("get_sequence_by_name", lambda b: (b.project, "SQ01", b.episode)),
    ("get_sequence_from_shot", lambda b: (b.shot,)),
    ("get_sequence_from_shot", lambda b: (b.shot["id"],)),
    ("get_shot", lambda b: (b.shot["id"],)),
    ("get_shot_by_name", lambda b: (b.sequence, "sh_1")),  # a wildcard, as Zou matches
    ("get_shot_by_name", lambda b: (b.sequence, "SH09")),
    ("get_episode_url", lambda b: (b.episode,)),
    ("get_shot_url", lambda b: (b.shot["id"],)),
    ("get_all_episodes_url", lambda b: (b.project,)),
    ("get_all_sequences_url", lambda b: (b.project,)),
    ("get_sequence_url", lambda b: (b.sequence,)),
    ("get_asset_instances_for_shot", lambda b: (b.shot,)),
    ("all_asset_instances_for_shot", lambda b: (b.shot["id"],)),
]


def test_reads_answer_what_gazu_answers(real_gazu: Any, board: Board) -> None:
    assert not compare_reads(real_gazu.shot, "shot", board, READS)


def test_shots_sequences_and_episodes_made_as_gazu_makes_them(real_gazu: Any, board: Board) -> None:
    p, ep, seq = board.project, board.episode, board.sequence
    # Existing (the server's match): both answer it.
    assert gazu.shot.new_episode(p, "e01") == real_gazu.shot.new_episode(p, "e01")
    assert gazu.shot.new_sequence(p, "SQ01", ep) == real_gazu.shot.new_sequence(p, "SQ01", ep)
    with pytest.raises(errors.ValidationError):  # the usage page's order: gazu's ValueError
        gazu.shot.new_sequence(p, ep, "SQ01")
    with pytest.raises(ValueError):
        real_gazu.shot.new_sequence(p, ep, "SQ01")
    assert gazu.shot.new_shot(p, seq, "SH01") == real_gazu.shot.new_shot(p, seq, "SH01")
    # New: the server's answers, equal but for ids, names and stamps.
    made = [
        (
            gazu.shot.new_episode(p, "E02"),
            real_gazu.shot.new_episode(p, "E03"),
        ),
        (
            gazu.shot.new_sequence(p, "SQ02", ep),
            real_gazu.shot.new_sequence(p, "SQ03", ep),
        ),
        (
            gazu.shot.new_shot(p, seq, "SH12", 5, 1, 5, "desc", {"x": 1}),
            real_gazu.shot.new_shot(p, seq, "SH13", 5, 1, 5, "desc", {"x": 1}),
        ),
    ]
    for ours, theirs in made:
        assert without(ours, VARYING) == without(theirs, VARYING)
    ours, theirs = made[2]
    assert ours["data"] == {"x": 1, "frame_in": 1, "frame_out": 5}

    for kind, row in (("shot", ours), ("sequence", made[1][0]), ("episode", made[0][0])):
        change = {"id": row["id"], "description": "changed"}
        mine = getattr(gazu.shot, f"update_{kind}")(change)
        assert without(mine, STAMPS) == without(
            getattr(real_gazu.shot, f"update_{kind}")(change), STAMPS
        )
        mine = getattr(gazu.shot, f"update_{kind}_data")(row, {"y": 2})
        assert mine["data"]["y"] == 2
        assert without(mine, STAMPS) == without(
            getattr(real_gazu.shot, f"update_{kind}_data")(row["id"], {"y": 2}), STAMPS
        )


def test_removed_and_restored_as_gazu_does(real_gazu: Any, board: Board) -> None:
    p, ep = board.project, board.episode
    seqs = [gazu.shot.new_sequence(p, f"RM{i}", ep) for i in range(2)]
    shots = [gazu.shot.new_shot(p, seqs[0], f"RM{i}") for i in range(2)]
    task_type = gazu.task.get_task_type_by_name("Animation")
    board.client.post(
        f"actions/projects/{p['id']}/task-types/{task_type['id']}/shots/create-tasks",
        [shots[0]["id"], shots[1]["id"]],
    )
    # Shots with tasks are canceled, not deleted; restored; then forced away.
    assert gazu.shot.remove_shot(shots[0]) == real_gazu.shot.remove_shot(shots[1]) == ""
    assert gazu.shot.get_shot(shots[0]["id"])["canceled"] is True
    restored = gazu.shot.restore_shot(shots[0])
    assert restored["canceled"] is False
    assert without(restored, VARYING) == without(real_gazu.shot.restore_shot(shots[1]), VARYING)
    assert gazu.shot.remove_shot(shots[0], True) == real_gazu.shot.remove_shot(shots[1], True)
    with pytest.raises(errors.NotFound):
        gazu.shot.get_shot(shots[0]["id"])
    assert gazu.shot.remove_sequence(seqs[0], force=True) == real_gazu.shot.remove_sequence(
        seqs[1], force=True
    )
    eps = [gazu.shot.new_episode(p, f"RM{i}") for i in range(2)]
    assert gazu.shot.remove_episode(eps[0]) == real_gazu.shot.remove_episode(eps[1]) == ""


def test_asset_instances_linked_and_unlinked_as_gazu_does(real_gazu: Any, board: Board) -> None:
    shot, tree = board.shots[1], board.assets["Tree"]
    free = [board.client.post("data/asset-instances", {"asset_id": tree["id"]}) for _ in "ab"]
    ours = gazu.shot.add_asset_instance_to_shot(shot, free[0])
    theirs = real_gazu.shot.add_asset_instance_to_shot(shot, free[1]["id"])
    assert without(ours, VARYING) == without(theirs, VARYING)
    assert gazu.shot.get_asset_instances_for_shot(
        shot
    ) == real_gazu.shot.get_asset_instances_for_shot(shot)
    assert gazu.shot.remove_asset_instance_from_shot(
        shot, free[0]
    ) == real_gazu.shot.remove_asset_instance_from_shot(shot, free[1])
    assert gazu.shot.all_asset_instances_for_shot(shot) == {}
    # Not in gazu 1.3.1 (the usage page's): a new instance numbered after the shot's.
    made = gazu.shot.new_shot_asset_instance(shot, tree, "second")
    assert (made["asset_id"], made["number"], made["description"]) == (tree["id"], 1, "second")


EDL = """TITLE: cut
FCM: NON-DROP FRAME

001  SH01 V C        00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00
* FROM CLIP NAME: {name}
"""


def test_shots_exported_and_imported_as_csv_and_otio(
    real_gazu: Any, board: Board, tmp_path: Path
) -> None:
    ours, theirs = tmp_path / "ours.csv", tmp_path / "theirs.csv"
    assert gazu.shot.export_shots_with_csv(board.project, ours, board.episode) == ours
    real_gazu.shot.export_shots_with_csv(board.project, str(theirs), board.episode)
    assert ours.read_text() == theirs.read_text()
    assert "SH02" in ours.read_text()
    mine = gazu.shot.import_shots_with_csv(board.project, str(ours))
    again = real_gazu.shot.import_shots_with_csv(board.project, str(ours))
    assert mine and without(mine, STAMPS) == without(again, STAMPS)

    name = f"{board.project['name']}_E01-SQ01-SH01"
    cut = tmp_path / "cut.edl"
    cut.write_text(EDL.format(name=name))
    mine = gazu.shot.import_otio(board.project, str(cut), board.episode)
    again = real_gazu.shot.import_otio(board.project, str(cut), board.episode)
    assert without(mine, STAMPS) == without(again, STAMPS)


def test_an_artist_reads_shots_but_may_not_remove_them(
    real_gazu: Any, board: Board, kitsu_server: Any, kitsu_people: dict[str, Any]
) -> None:
    member = kitsu_people["artist"]
    theirs = real_gazu.client.create_client(kitsu_server.url)
    real_gazu.log_in(member.email, member.password, client=theirs)
    ours = gazu.client.create_client(kitsu_server.url)
    gazu.client.log_in(member.email, member.password, client=ours)
    seq = board.sequence
    assert gazu.shot.all_shots_for_sequence(seq, client=ours) == (
        real_gazu.shot.all_shots_for_sequence(seq, client=theirs)
    )
    with pytest.raises(real_gazu.exception.NotAllowedException):
        real_gazu.shot.remove_shot(board.shots[1], client=theirs)
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.shot.remove_shot(board.shots[1], client=ours)
