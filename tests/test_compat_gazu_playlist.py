"""gazu's ``playlist`` module through kitsu_orm.compat.gazu, beside gazu 1.3.1 itself
on the real server: playlists made, read, edited entry by entry and deleted; share
links, temporary playlists, client notifications; movie builds (where ffmpeg is
present: Zou 1.0.97 has every route gazu 1.3.1 calls, and builds without a job
queue before answering)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from test_previews import _movie, require_ffmpeg
from test_publishing import Board, write_png

from kitsu_orm import errors
from kitsu_orm.compat import gazu
from kitsu_orm.testing import KitsuServer, TeamMember
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

    # A whole playlist dict saved as it is, through both.
    ours = gazu.playlist.update_playlist({**ours, "name": "Facade review, renamed"})
    theirs = real_gazu.playlist.update_playlist({**theirs, "name": "Gazu review, renamed"})
    _same(ours, theirs)
    assert gazu.playlist.get_playlist(ours)["name"] == "Facade review, renamed"

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
    episode = kitsu_client.post(f"data/projects/{kitsu_project['id']}/episodes", {"name": "E01"})
    made = gazu.playlist.new_playlist(kitsu_project, "E01 review", episode=episode)
    assert made["episode_id"] == episode["id"]
    for given in (episode, episode["id"]):
        ours = gazu.playlist.all_playlists_for_episode(given)
        assert ours == real_gazu.playlist.all_playlists_for_episode(given)
        assert [p["id"] for p in ours] == [made["id"]]


# gazu 1.3.1's newer playlist functions, made by each on equivalent data. Differ between
# two objects made apart: ids, tokens, dates.
APART = {"id", "token", "created_at", "updated_at", "ended_at", "name"}


def _apart(row: Any) -> Any:
    return {k: v for k, v in row.items() if k not in APART}


def test_share_links_temp_playlists_and_notifications_as_gazu_makes_them(
    real_gazu: Any, kitsu_client: Transport, kitsu_project: dict[str, Any], tmp_path: Path
) -> None:
    board = Board(kitsu_client, kitsu_project, 1)
    (task,) = board.task_ids
    wfa = next(s for s in kitsu_client.get("data/task-status") if s["short_name"] == "wfa")
    image = str(write_png(tmp_path, "v001.png", 5))
    real_gazu.task.publish_preview(task, wfa, "v001", preview_file_path=image)
    playlist = gazu.playlist.new_playlist(kitsu_project, "Client review", for_client=True)
    playlist = gazu.playlist.add_entity_to_playlist(playlist, board.shot_ids[0])

    ours = gazu.playlist.new_share_link(playlist, "2099-01-01", can_comment=False, password="pw")
    theirs = real_gazu.playlist.new_share_link(
        playlist["id"], "2099-01-01", can_comment=False, password="pw"
    )
    assert _apart(ours) == _apart(theirs) and ours["token"] != theirs["token"]
    listed = gazu.playlist.all_share_links_for_playlist(playlist)
    assert listed == real_gazu.playlist.all_share_links_for_playlist(playlist)
    assert {link["token"] for link in listed} == {ours["token"], theirs["token"]}
    # gazu answers the body's text (Zou's compact JSON of the revoked link).
    removed = gazu.playlist.remove_share_link(playlist, ours["token"])
    gazus = real_gazu.playlist.remove_share_link(playlist, theirs["token"])
    assert isinstance(removed, str) and _apart(json.loads(removed)) == _apart(json.loads(gazus))
    assert json.loads(removed)["token"] == ours["token"]
    assert gazu.playlist.all_share_links_for_playlist(playlist) == (
        real_gazu.playlist.all_share_links_for_playlist(playlist)
    )
    with pytest.raises(errors.ValidationError):  # only a token's UUID reaches the path
        gazu.playlist.remove_share_link(playlist, "../../persons")

    for data in ({"task_ids": [task]}, {"entity_ids": board.shot_ids}, {"task_ids": []}):
        assert gazu.playlist.generate_temp_playlist(kitsu_project, data) == (
            real_gazu.playlist.generate_temp_playlist(kitsu_project, data)
        )
    assert gazu.playlist.notify_clients_playlist_ready(playlist) == (
        real_gazu.playlist.notify_clients_playlist_ready(playlist["id"])
    )


def test_playlist_movies_built_listed_downloaded_and_removed_as_gazu_does(
    real_gazu: Any,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    kitsu_server: KitsuServer,
    kitsu_people: dict[str, TeamMember],
    tmp_path: Path,
) -> None:
    require_ffmpeg()
    # A small frame: the builds (and the movie's processing) encode at the project's size.
    kitsu_client.put(f"data/projects/{kitsu_project['id']}", {"resolution": "320x240"})
    board = Board(kitsu_client, kitsu_project, 1)
    wfa = next(s for s in kitsu_client.get("data/task-status") if s["short_name"] == "wfa")
    _c, movie = real_gazu.task.publish_preview(
        board.task_ids[0], wfa, "v001", preview_file_path=str(_movie(tmp_path))
    )
    real_gazu.files.wait_for_preview_file(movie, timeout=120, poll_interval=0.5)
    playlist = gazu.playlist.new_playlist(kitsu_project, "Dailies")
    playlist = gazu.playlist.add_entity_to_playlist(playlist, board.shot_ids[0])

    # Zou 1.0.97 without a job queue builds the movie before it answers.
    ours = gazu.playlist.build_playlist_movie(playlist)
    theirs = real_gazu.playlist.build_playlist_movie(playlist["id"])
    assert _apart(ours) == _apart(theirs) and ours["status"] == "succeeded"
    for job in (ours, theirs):
        assert gazu.playlist.get_build_job(playlist, job) == (
            real_gazu.playlist.get_build_job(playlist, job["id"])
        )
    jobs = gazu.playlist.all_build_jobs_for_project(kitsu_project)
    assert jobs == real_gazu.playlist.all_build_jobs_for_project(kitsu_project)
    assert {j["id"] for j in jobs} == {ours["id"], theirs["id"]}

    mine, gazus = tmp_path / "ours.mp4", tmp_path / "theirs.mp4"
    seen: list[tuple[int, int]] = []
    assert (
        gazu.playlist.download_playlist_build(
            playlist, ours, str(mine), progress_callback=lambda d, t: seen.append((d, t))
        )
        == mine
    )
    real_gazu.playlist.download_playlist_build(playlist, ours, str(gazus))
    assert mine.read_bytes() == gazus.read_bytes() and mine.read_bytes()[4:8] == b"ftyp"
    assert seen[-1][0] == mine.stat().st_size

    # An artist may not build a playlist: both refuse, through a client of their own.
    artist = kitsu_people["artist"]
    theirs_client = real_gazu.client.create_client(kitsu_server.url)
    real_gazu.log_in(artist.email, artist.password, client=theirs_client)
    ours_client = gazu.client.create_client(kitsu_server.url)
    gazu.client.log_in(artist.email, artist.password, client=ours_client)
    with pytest.raises(real_gazu.exception.NotAllowedException):
        real_gazu.playlist.build_playlist_movie(playlist, client=theirs_client)
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.playlist.build_playlist_movie(playlist, client=ours_client)

    assert gazu.playlist.remove_build_job(playlist, ours) == (
        real_gazu.playlist.remove_build_job(playlist["id"], theirs["id"])
    )
    assert gazu.playlist.all_build_jobs_for_project(kitsu_project) == []
