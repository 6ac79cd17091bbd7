"""Preview files on the real server: their files, their status, an entity's main preview."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from test_publishing import Board, _status, _tasks, write_png

import kitsu_orm as kitsu
from kitsu_orm.testing import Team
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server

PNG = b"\x89PNG\r\n\x1a\n"


def _published(s: kitsu.Session, board: Board, tmp_path: Path, name: str = "v1.png") -> Any:
    task = _tasks(s, board)[0]
    comment = task.comment("for review", previews=[write_png(tmp_path, name)])
    s.commit()
    return comment.previews[0]


def test_a_picture_and_its_thumbnails_download_to_the_file_named(
    session: kitsu.Session, kitsu_client: Transport, kitsu_project: dict[str, Any], tmp_path: Path
) -> None:
    board = Board(kitsu_client, kitsu_project, 1)
    preview = _published(session, board, tmp_path)
    assert preview.status == "ready" and preview.is_ready and not preview.is_movie
    assert (preview.width, preview.height, preview.extension) == (8, 8, "png")
    out = tmp_path / "out"
    out.mkdir()
    before = {p.name for p in out.iterdir()}
    assert preview.download(out / "original.png") == out / "original.png"
    assert (out / "original.png").read_bytes().startswith(PNG)
    preview.thumbnail(out / "thumb.png")
    preview.thumbnail(out / "square.png", square=True)
    assert (out / "thumb.png").read_bytes().startswith(PNG)
    assert (out / "square.png").read_bytes().startswith(PNG)
    # Only the files named were written: no temporary file is left behind.
    assert {p.name for p in out.iterdir()} - before == {"original.png", "thumb.png", "square.png"}
    assert preview.wait_ready(timeout=5) is preview


def test_a_download_never_writes_a_folder_nor_deletes_what_it_did_not_make(
    session: kitsu.Session, kitsu_client: Transport, kitsu_project: dict[str, Any], tmp_path: Path
) -> None:
    board = Board(kitsu_client, kitsu_project, 1)
    preview = _published(session, board, tmp_path)
    folder = tmp_path / "renders"
    folder.mkdir()
    with pytest.raises(kitsu.ValidationError, match="is a folder"):
        preview.download(folder)
    assert folder.is_dir() and not any(folder.iterdir())
    with pytest.raises(kitsu.ValidationError, match="no folder"):
        preview.thumbnail(tmp_path / "missing" / "t.png")
    assert not (tmp_path / "missing").exists()
    # A file of the user's that looks like a partial download is left alone, and a
    # download refused by the server keeps the file it would have replaced.
    (folder / "v1.png.part").write_bytes(b"mine")
    (folder / "v1.png").write_bytes(b"old")
    with pytest.raises(kitsu.ValidationError, match="variants are original"):
        preview.download(folder / "v1.png", "low")
    kitsu_client.delete(f"data/preview-files/{preview.id}", {"force": "true"})
    with pytest.raises(kitsu.KitsuError):
        preview.thumbnail(folder / "v1.png")
    assert (folder / "v1.png").read_bytes() == b"old"
    assert sorted(p.name for p in folder.iterdir()) == ["v1.png", "v1.png.part"]
    assert (folder / "v1.png.part").read_bytes() == b"mine"


def test_a_shot_main_preview_is_set_through_its_route_on_commit(
    kitsu_client: Transport, kitsu_team: Team, kitsu_manager: kitsu.Session, tmp_path: Path
) -> None:
    board = Board(kitsu_client, kitsu_team.project, 1)
    s = kitsu_manager
    preview = _published(s, board, tmp_path)
    shot = kitsu.Shot.get(board.shot_ids[0], session=s)
    shot.preview_file = preview
    shot.description = "picked"
    assert shot.is_modified
    sent: list[tuple[str, str]] = []
    put = s.transport.put

    def spy(path: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(("PUT", path))
        return put(path, *args, **kwargs)

    s.transport.put = spy  # type: ignore[method-assign]
    s.commit()
    assert sent == [
        ("PUT", f"data/entities/{shot.id}"),
        ("PUT", f"actions/preview-files/{preview.id}/set-main-preview"),
    ]
    assert not shot.is_modified and shot.preview_file is preview
    row = kitsu_client.get(f"data/shots/{shot.id}")
    assert row["preview_file_id"] == preview.id and row["description"] == "picked"
    other = kitsu.Session(transport=s.transport)
    assert kitsu.Shot.get(shot.id or "", session=other).preview_file_id == preview.id


def _movie(folder: Path) -> Path:
    """A one-second test movie made with the local ffmpeg."""
    path = folder / "v002.mp4"
    command = ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi"]
    command += ["-i", "testsrc=duration=1:size=160x120:rate=24", "-f", "lavfi"]
    # With a sound track: zou 1.0.97 adds a silent one to a movie without, and loses
    # the picture doing so with Debian 12's ffmpeg 5.1.
    command += ["-i", "anullsrc=r=44100:cl=stereo", "-t", "1", "-shortest"]
    command += ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", str(path)]
    subprocess.run(command, check=True, timeout=60)
    return path


def require_ffmpeg() -> None:
    """Movies need ffmpeg, here and on the dev server: a skip on a machine without it,
    a failure under CI, which installs it (.ci/run)."""
    if shutil.which("ffmpeg") is None:
        message = "ffmpeg is missing: movie previews cannot be made nor processed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI installs it: .ci/run)", pytrace=False)
        pytest.skip(f"{message} (apt-get install -y ffmpeg)")


def test_a_movie_is_processed_by_the_server_and_downloaded_back(
    session: kitsu.Session, kitsu_client: Transport, kitsu_project: dict[str, Any], tmp_path: Path
) -> None:
    require_ffmpeg()
    board = Board(kitsu_client, kitsu_project, 1)
    task = _tasks(session, board)[0]
    wfa = _status(session, "wfa")
    comment = task.set_status(wfa, "v002 movie", previews=[_movie(tmp_path)])
    session.commit()
    movie = comment.previews[0]
    assert movie.wait_ready(timeout=120) is movie
    assert movie.status == "ready" and movie.is_movie and movie.duration
    for variant in ("original", "low"):
        data = movie.download(tmp_path / f"{variant}.mp4", variant).read_bytes()
        assert data[4:8] == b"ftyp", variant
    assert movie.thumbnail(tmp_path / "thumb.png").read_bytes().startswith(PNG)
