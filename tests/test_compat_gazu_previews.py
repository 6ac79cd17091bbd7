"""gazu's preview functions through kitsu_orm.compat.gazu, beside gazu 1.3.1 itself,
on the real server: a comment's attachments, a preview added and uploaded, the main
preview of a shot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_publishing import Board, write_png

from kitsu_orm import errors
from kitsu_orm.compat import gazu
from kitsu_orm.transport import Transport

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("gazu_facade")]

# Differ between two previews made at different moments on different tasks.
VARYING = {"id", "created_at", "updated_at", "task_id", "name", "comments", "file_size"}


def test_attachments_previews_and_the_main_preview_as_gazu_makes_them(
    real_gazu: Any, kitsu_client: Transport, kitsu_project: dict[str, Any], tmp_path: Path
) -> None:
    board = Board(kitsu_client, kitsu_project, 2)
    ours_task, theirs_task = board.task_ids
    wfa = next(s for s in kitsu_client.get("data/task-status") if s["short_name"] == "wfa")
    notes = tmp_path / "notes.txt"
    notes.write_text("the arm pops at frame 12\n")
    image = write_png(tmp_path, "v001.png")

    ours = gazu.task.add_comment(ours_task, wfa, "v001", attachments=[str(notes)])
    theirs = real_gazu.task.add_comment(theirs_task, wfa, "v001", attachments=[str(notes)])
    for comment in (ours, theirs):
        assert [a["name"] for a in comment["attachment_files"]] == ["notes.txt"]
        assert comment["task_status_id"] == wfa["id"] and comment["text"] == "v001"

    mine = gazu.task.add_preview(ours_task, ours, str(image))
    gazus = real_gazu.task.add_preview(theirs_task, theirs, str(image))
    assert mine["status"] == "ready" and mine["original_name"] == "v001"
    assert {k: v for k, v in mine.items() if k not in VARYING} == {
        k: v for k, v in gazus.items() if k not in VARYING
    }
    rows = kitsu_client.get(f"data/tasks/{ours_task}/comments")
    assert [p["id"] for p in rows[0]["previews"]] == [mine["id"]]

    shot = gazu.task.set_main_preview(mine)
    assert shot["id"] == board.shot_ids[0] and shot["preview_file_id"] == mine["id"]
    assert kitsu_client.get(f"data/shots/{board.shot_ids[0]}")["preview_file_id"] == mine["id"]
    again = gazu.task.upload_preview_file  # a second upload of a record is refused by Zou
    with pytest.raises(errors.ValidationError):
        again(mine, str(image))


def test_publish_preview_as_gazu_publishes(
    real_gazu: Any, kitsu_client: Transport, kitsu_project: dict[str, Any], tmp_path: Path
) -> None:
    board = Board(kitsu_client, kitsu_project, 2)
    ours_task, theirs_task = board.task_ids
    wfa = next(s for s in kitsu_client.get("data/task-status") if s["short_name"] == "wfa")
    image = write_png(tmp_path, "v002.png")

    ours = gazu.task.publish_preview(
        ours_task, wfa, "v002", preview_file_path=str(image), set_thumbnail=True
    )
    theirs = real_gazu.task.publish_preview(
        theirs_task, wfa, "v002", preview_file_path=str(image), set_thumbnail=True
    )
    assert isinstance(ours, tuple) and isinstance(theirs, tuple)
    (our_comment, mine), (their_comment, gazus) = ours, theirs
    assert our_comment["text"] == their_comment["text"] == "v002"
    assert our_comment["task_status_id"] == their_comment["task_status_id"] == wfa["id"]
    assert mine["status"] == "ready" and mine["original_name"] == "v002"
    assert {k: v for k, v in mine.items() if k not in VARYING} == {
        k: v for k, v in gazus.items() if k not in VARYING
    }
    for shot_id, preview in zip(board.shot_ids, (mine, gazus), strict=True):
        assert kitsu_client.get(f"data/shots/{shot_id}")["preview_file_id"] == preview["id"]
