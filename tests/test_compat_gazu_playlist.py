"""gazu's ``playlist`` module through kitsu_orm.compat.gazu, beside gazu 1.3.1 itself
on the real server: playlists made, read, edited entry by entry and deleted."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from test_publishing import Board, write_png

from kitsu_orm import errors
from kitsu_orm.compat import gazu
from kitsu_orm.transport import Transport

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("gazu_facade")]

# Differ between two playlists made apart.
VARYING = {"id", "name", "created_at", "updated_at"}


def _same(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert {k: v for k, v in ours.items() if k not in VARYING} == {
        k: v for k, v in theirs.items() if k not in VARYING
    }


def test_playlists_as_gazu_makes_reads_and_edits_them(
    real_gazu: Any, kitsu_client: Transport, kitsu_project: dict[str, Any], tmp_path: Path
) -> None:
    board = Board(kitsu_client, kitsu_project, 2)
    wfa = next(s for s in kitsu_client.get("data/task-status") if s["short_name"] == "wfa")
    previews = [
        real_gazu.task.publish_preview(
            task, wfa, "v001", preview_file_path=str(write_png(tmp_path, f"{i}.png", i))
        )[1]
        for i, task in enumerate(board.task_ids)
    ]
    shot, other = board.shot_ids

    ours = gazu.playlist.new_playlist(kitsu_project, "Facade review")
    theirs = real_gazu.playlist.new_playlist(kitsu_project, "Gazu review")
    _same(ours, theirs)
    assert gazu.playlist.new_playlist(kitsu_project["id"], "Facade review")["id"] == ours["id"]
    assert gazu.playlist.get_playlist(ours) == real_gazu.playlist.get_playlist(ours)
    found = gazu.playlist.get_playlist_by_name(kitsu_project, "Gazu review")
    assert found == real_gazu.playlist.get_playlist_by_name(kitsu_project, "Gazu review")
    assert gazu.playlist.get_playlist_by_name(kitsu_project, "None such") is None
    assert gazu.playlist.get_entity_preview_files(
        shot
    ) == real_gazu.playlist.get_entity_preview_files(shot)

    # Not persisted: a copy with the entry, the dict given left as it was.
    draft = gazu.playlist.add_entity_to_playlist(ours, shot, persist=False)
    assert draft == real_gazu.playlist.add_entity_to_playlist(ours, shot, persist=False)
    assert draft["shots"] == [{"entity_id": shot, "preview_file_id": previews[0]["id"]}]
    assert not ours["shots"]

    ours = gazu.playlist.add_entity_to_playlist(ours, shot)
    theirs = real_gazu.playlist.add_entity_to_playlist(theirs, shot)
    ours = gazu.playlist.add_entity_to_playlist(ours, other, previews[1])
    theirs = real_gazu.playlist.add_entity_to_playlist(theirs, other, previews[1])
    _same(ours, theirs)
    assert [(e["entity_id"], e["preview_file_id"]) for e in ours["shots"]] == [
        (shot, previews[0]["id"]),
        (other, previews[1]["id"]),
    ]
    shots = gazu.playlist.all_shots_for_playlist(ours["id"])
    assert shots == real_gazu.playlist.all_shots_for_playlist(theirs["id"])

    image = str(write_png(tmp_path, "v002.png", 9))
    _comment, v002 = real_gazu.task.publish_preview(
        board.task_ids[0], wfa, "v002", preview_file_path=image
    )
    ours = gazu.playlist.update_entity_preview(ours, shot, v002)
    theirs = real_gazu.playlist.update_entity_preview(theirs, shot, v002["id"])
    assert ours["shots"] == theirs["shots"] and ours["shots"][0]["preview_file_id"] == v002["id"]
    assert gazu.playlist.get_playlist(ours)["shots"] == ours["shots"]
    assert real_gazu.playlist.get_playlist(theirs)["shots"] == theirs["shots"]
    ours = gazu.playlist.remove_entity_from_playlist(ours, shot)
    theirs = real_gazu.playlist.remove_entity_from_playlist(theirs, shot)
    assert ours["shots"] == theirs["shots"] and [e["entity_id"] for e in ours["shots"]] == [other]
    assert [e["entity_id"] for e in gazu.playlist.get_playlist(ours)["shots"]] == [other]

    listed = gazu.playlist.all_playlists_for_project(kitsu_project)
    assert listed == real_gazu.playlist.all_playlists_for_project(kitsu_project)
    assert [p["name"] for p in listed] == ["Facade review", "Gazu review"]
    assert gazu.playlist.all_playlists_for_project(kitsu_project, page=2) == (
        real_gazu.playlist.all_playlists_for_project(kitsu_project, page=2)
    )
    assert gazu.playlist.all_playlists() == real_gazu.playlist.all_playlists()
    with pytest.raises(errors.ValidationError):
        gazu.playlist.all_playlists(client=object())

    mine, gazus = tmp_path / "ours.zip", tmp_path / "theirs.zip"
    assert gazu.playlist.download_playlist_zip(ours, str(mine)) == mine
    real_gazu.playlist.download_playlist_zip(ours, str(gazus))
    with zipfile.ZipFile(mine) as ours_zip, zipfile.ZipFile(gazus) as theirs_zip:
        assert ours_zip.namelist() == theirs_zip.namelist() and len(ours_zip.namelist()) == 1

    gazu.playlist.delete_playlist(ours)
    real_gazu.playlist.delete_playlist(theirs)
    assert gazu.playlist.all_playlists_for_project(kitsu_project) == []


def test_episode_playlists_as_gazu_lists_them(
    real_gazu: Any, kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    episode = kitsu_client.post(
        f"data/projects/{kitsu_project['id']}/episodes", {"name": "E01"}
    )
    made = gazu.playlist.new_playlist(kitsu_project, "E01 review", episode=episode)
    assert made["episode_id"] == episode["id"]
    for given in (episode, episode["id"]):
        ours = gazu.playlist.all_playlists_for_episode(given)
        assert ours == real_gazu.playlist.all_playlists_for_episode(given)
        assert [p["id"] for p in ours] == [made["id"]]
