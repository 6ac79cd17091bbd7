"""gazu's preview file functions of ``files`` through kitsu_orm.compat.gazu, beside
gazu 1.3.1 itself on the real server: rows, paths, downloads, update and removal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_publishing import Board, write_png

from kitsu_orm import errors
from kitsu_orm.compat import gazu
from kitsu_orm.transport import Transport

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("gazu_facade")]


def test_preview_files_read_located_downloaded_as_gazu_does(
    real_gazu: Any, kitsu_client: Transport, kitsu_project: dict[str, Any], tmp_path: Path
) -> None:
    board = Board(kitsu_client, kitsu_project, 1)
    (task,) = board.task_ids
    wfa = next(s for s in kitsu_client.get("data/task-status") if s["short_name"] == "wfa")
    image = write_png(tmp_path, "v001.png", shade=40)
    _comment, preview = real_gazu.task.publish_preview(
        task, wfa, "v001", preview_file_path=str(image)
    )

    assert gazu.files.get_preview_file(preview["id"]) == real_gazu.files.get_preview_file(
        preview["id"]
    )
    ours = gazu.files.get_all_preview_files_for_task(task)
    assert ours == real_gazu.files.get_all_preview_files_for_task(task)
    assert [p["id"] for p in ours] == [preview["id"]]
    assert gazu.files.get_running_preview_files() == real_gazu.files.get_running_preview_files()
    for name in ("get_preview_file_url", "get_preview_lowdef_movie_url"):
        assert getattr(gazu.files, name)(preview) == getattr(real_gazu.files, name)(preview)
    for lowdef in (False, True):
        assert gazu.files.get_preview_movie_url(
            preview["id"], lowdef
        ) == real_gazu.files.get_preview_movie_url(preview["id"], lowdef)

    seen: list[tuple[int, int]] = []
    names = ("download_preview_file", "download_preview_file_thumbnail", "download_preview_file_cover")
    for name in names:
        mine, theirs = tmp_path / f"{name}.mine", tmp_path / f"{name}.theirs"
        seen.clear()
        written = getattr(gazu.files, name)(
            preview, str(mine), progress_callback=lambda done, total: seen.append((done, total))
        )
        getattr(real_gazu.files, name)(preview, str(theirs))
        assert written == mine and mine.read_bytes() == theirs.read_bytes(), name
        assert seen == [(mine.stat().st_size, mine.stat().st_size)]
    # A picture has no low definition movie: the server's 404, as gazu raises it.
    with pytest.raises(real_gazu.exception.RouteNotFoundException):
        real_gazu.files.download_preview_lowdef_movie(preview, str(tmp_path / "low.theirs"))
    with pytest.raises(gazu.exception.RouteNotFoundException):
        gazu.files.download_preview_lowdef_movie(preview, str(tmp_path / "low.mp4"))
    assert not (tmp_path / "low.mp4").exists()

    ours_row = gazu.files.update_preview(preview, {"position": 3})
    theirs_row = real_gazu.files.update_preview(preview, {"position": 3})
    assert {k: v for k, v in ours_row.items() if k != "updated_at"} == {
        k: v for k, v in theirs_row.items() if k != "updated_at"
    }
    assert ours_row["position"] == 3
    gazu.files.remove_preview_file(preview, force=True)
    with pytest.raises(errors.NotFound):
        kitsu_client.get(f"data/preview-files/{preview['id']}")
