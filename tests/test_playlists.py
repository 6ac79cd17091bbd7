"""Playlists: entries edited in one unit of work, conflicts detected, the zip, reads by role."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_publishing import Board, _tasks, write_png

import kitsu_orm as kitsu
from kitsu_orm.testing import Team
from kitsu_orm.transport import Transport

# -- no server ----------------------------------------------------------------------------

SHOTS = [f"00000000-0000-4000-8000-00000000000{i}" for i in range(4)]
PREVIEW = "00000000-0000-4000-8000-0000000000aa"


def _ids(playlist: kitsu.Playlist) -> list[str]:
    return [row["entity_id"] for row in playlist.entry_rows or []]


def test_entries_are_edited_as_the_rows_zou_stores() -> None:
    playlist = kitsu.Playlist(name="Dailies", for_entity="shot")
    shots = [kitsu.Shot(id=i, name=f"SH{n}") for n, i in enumerate(SHOTS)]
    preview = kitsu.PreviewFile(id=PREVIEW)
    for shot in shots[:3]:
        playlist.add(shot)
    playlist.add(shots[3], preview, at=0)
    assert playlist.entry_rows == [
        {"entity_id": SHOTS[3], "preview_file_id": PREVIEW},
        *({"entity_id": i, "preview_file_id": None} for i in SHOTS[:3]),
    ]
    playlist.move(shots[3], -1)
    assert _ids(playlist) == SHOTS
    playlist.reorder(reversed(shots))
    assert _ids(playlist) == SHOTS[::-1]
    playlist.remove(shots[1]).set_preview(shots[0], preview)
    assert _ids(playlist) == [SHOTS[3], SHOTS[2], SHOTS[0]]
    assert playlist.entry_rows[-1]["preview_file_id"] == PREVIEW  # type: ignore[index]
    assert shots[0] in playlist and shots[1] not in playlist and playlist.index(SHOTS[2]) == 1


def test_entries_refuse_what_zou_would_store_wrong() -> None:
    playlist = kitsu.Playlist(name="Dailies", for_entity="shot")
    shot = kitsu.Shot(id=SHOTS[0], name="SH01")
    playlist.add(shot)
    with pytest.raises(kitsu.ValidationError, match="already"):
        playlist.add(shot)
    with pytest.raises(kitsu.ValidationError, match="for shots"):
        playlist.add(kitsu.Asset(id=SHOTS[1], name="Tree"))
    with pytest.raises(kitsu.ValidationError, match="commit it first"):
        playlist.add(kitsu.Shot(name="SH02"))
    with pytest.raises(kitsu.ValidationError, match="not published"):
        playlist.add(kitsu.Shot(id=SHOTS[2], name="SH03"), kitsu.PreviewFile())
    with pytest.raises(kitsu.ValidationError, match="every entry"):
        playlist.reorder([])
    with pytest.raises(kitsu.ValidationError, match="is not in"):
        playlist.remove(SHOTS[3])
    assert _ids(playlist) == [SHOTS[0]]


# -- on the server ------------------------------------------------------------------------

pytest_server = pytest.mark.server


def _published(s: kitsu.Session, board: Board, tmp_path: Path) -> list[kitsu.PreviewFile]:
    """One PNG preview on each task of the board, in one commit."""
    comments = [
        task.comment("for review", previews=[write_png(tmp_path, f"v{i}.png", shade=i * 40)])
        for i, task in enumerate(_tasks(s, board))
    ]
    s.commit()
    return [c.previews[0] for c in comments]


def _shots(s: kitsu.Session, board: Board) -> list[kitsu.Shot]:
    return [kitsu.Shot.get(i, session=s) for i in board.shot_ids]


def _server_entries(client: Transport, playlist: kitsu.Playlist) -> list[tuple[str, Any]]:
    row = client.get(f"data/playlists/{playlist.id}")
    return [(r["entity_id"], r.get("preview_file_id")) for r in row["shots"]]


@pytest_server
def test_a_playlist_is_built_and_edited_in_one_commit_each(
    kitsu_client: Transport,
    kitsu_team: Team,
    kitsu_as: Callable[..., kitsu.Session],
    tmp_path: Path,
) -> None:
    board = Board(kitsu_client, kitsu_team.project, 4)
    s = kitsu_as("manager")
    previews = _published(s, board, tmp_path)
    shots = _shots(s, board)
    project = kitsu.Project.get(board.project_id, session=s)

    playlist = kitsu.Playlist(name="Dailies", project=project, for_entity="shot")
    for shot, preview in zip(shots[:3], previews[:3], strict=True):
        playlist.add(shot, preview=preview)
    playlist.move(shots[2], 0)
    playlist.remove(shots[1])
    s.add(playlist)
    s.transport.stats.reset()
    s.commit()
    assert s.transport.stats.by_method == {"POST": 1}  # created with its entries
    assert playlist.id is not None and not playlist.is_modified
    assert _server_entries(kitsu_client, playlist) == [
        (shots[2].id, previews[2].id),
        (shots[0].id, previews[0].id),
    ]

    # Add, reorder, remove on a saved playlist: the conflict check, then one update.
    playlist.add(shots[3])
    playlist.add(shots[1], previews[1], at=1)
    playlist.reorder([shots[0], shots[1], shots[2], shots[3]])
    playlist.remove(shots[2])
    s.transport.stats.reset()
    s.commit()
    assert s.transport.stats.by_method == {"GET": 1, "PUT": 1}
    expected = [(shots[0].id, previews[0].id), (shots[1].id, previews[1].id), (shots[3].id, None)]
    assert _server_entries(kitsu_client, playlist) == expected

    # Read back in a fresh session: the playlist, then its entries' shots and previews
    # in one request each.
    other = kitsu_as("manager")
    again = kitsu.Playlist.get(playlist.id, session=other)
    other.transport.stats.reset()
    entries = again.entries
    assert other.transport.stats.total == 2
    assert [(e.entity_id, e.preview_file_id) for e in entries] == expected
    assert [e.entity.name for e in entries if e.entity] == [
        shots[0].name,
        shots[1].name,
        shots[3].name,
    ]
    assert [e.preview.id if e.preview else None for e in entries] == [p for _, p in expected]
    assert (again.name, again.for_entity, again.project.id) == ("Dailies", "shot", project.id)
    other.transport.stats.reset()
    assert len(again.entries) == 3 and other.transport.stats.total == 0


@pytest_server
@pytest.mark.parametrize("role", ["admin", "manager"])
def test_a_concurrent_edit_of_the_entries_is_refused_and_kept_pending(
    role: str,
    kitsu_client: Transport,
    kitsu_team: Team,
    kitsu_as: Callable[..., kitsu.Session],
    tmp_path: Path,
) -> None:
    board = Board(kitsu_client, kitsu_team.project, 3)
    first, second = kitsu_as(role), kitsu_as(role)
    previews = _published(first, board, tmp_path)
    shots = _shots(first, board)
    playlist = kitsu.Playlist(
        name="Review", project=kitsu.Project.get(board.project_id, session=first)
    )
    playlist.add(shots[0], previews[0]).add(shots[1], previews[1])
    first.add(playlist)
    first.commit()
    assert playlist.id is not None

    theirs = kitsu.Playlist.get(playlist.id, session=second)
    theirs.add(kitsu.Shot.get(board.shot_ids[2], session=second))
    playlist.remove(shots[0])  # made before their commit: the lost update of gazu #383
    second.commit()

    with pytest.raises(kitsu.ConflictError) as caught:
        first.commit()
    assert caught.value.objects == [playlist]
    assert list(caught.value.fields[playlist]) == ["entry_rows"]
    assert "Playlist" in str(caught.value) and "Nothing was written" in str(caught.value)
    # Nothing lost: theirs is on the server, ours is still pending.
    server = [(shots[0].id, previews[0].id), (shots[1].id, previews[1].id), (shots[2].id, None)]
    assert _server_entries(kitsu_client, playlist) == server
    assert "entry_rows" in playlist.changes() and _ids(playlist) == [shots[1].id]

    playlist.rebase()  # their entries, with our edit replayed on them
    assert _ids(playlist) == [shots[1].id, shots[2].id]
    first.commit()
    assert _server_entries(kitsu_client, playlist) == server[1:]
    assert not playlist.is_modified


@pytest_server
def test_download_zip_writes_the_previews_of_the_entries(
    kitsu_client: Transport,
    kitsu_team: Team,
    kitsu_as: Callable[..., kitsu.Session],
    tmp_path: Path,
) -> None:
    board = Board(kitsu_client, kitsu_team.project, 2)
    s = kitsu_as("manager")
    previews = _published(s, board, tmp_path)
    playlist = kitsu.Playlist(name="Zip", project=kitsu.Project.get(board.project_id, session=s))
    for shot, preview in zip(_shots(s, board), previews, strict=True):
        playlist.add(shot, preview)
    s.add(playlist)
    s.commit()

    out = tmp_path / "out"
    out.mkdir()
    assert playlist.download_zip(out / "review.zip") == out / "review.zip"
    with zipfile.ZipFile(out / "review.zip") as archive:
        names = archive.namelist()
        assert len(names) == 2 and all(n.endswith(".png") for n in names)
        assert all(archive.read(n).startswith(b"\x89PNG") for n in names)
    assert [p.name for p in out.iterdir()] == ["review.zip"]
    with pytest.raises(kitsu.ValidationError, match="is a folder"):
        playlist.download_zip(out)
    assert out.is_dir()

    # An artist may watch the playlist but not download it: no file is left.
    artist = kitsu_as("artist")
    theirs = kitsu.Playlist.get(playlist.id or "", session=artist)
    with pytest.raises(kitsu.PermissionDenied):
        theirs.download_zip(out / "artist.zip")
    assert [p.name for p in out.iterdir()] == ["review.zip"]


@pytest_server
@pytest.mark.parametrize("role", ["manager", "supervisor", "artist"])
def test_playlists_are_queried_by_project_and_kind_as_each_role(
    role: str,
    kitsu_client: Transport,
    kitsu_team: Team,
    kitsu_as: Callable[..., kitsu.Session],
) -> None:
    project_id = kitsu_team.project["id"]
    made = {
        name: kitsu_client.post(
            "data/playlists",
            {"name": name, "project_id": project_id, "for_entity": kind, "for_client": client},
        )["id"]
        for name, kind, client in (
            ("Shots", "shot", False),
            ("Assets", "asset", False),
            ("Client", "shot", True),
        )
    }
    s = kitsu_as(role)
    project = kitsu.Project.get(project_id, session=s)
    assert {p.name for p in kitsu.Playlist.where(session=s, project=project)} == set(made)
    shots = kitsu.Playlist.where(session=s, project=project, for_entity="shot").all()
    assert {p.name for p in shots} == {"Shots", "Client"}
    internal = kitsu.Playlist.where(session=s, project=project, for_client=False).all()
    assert {p.name for p in internal} == {"Shots", "Assets"}
    one = kitsu.Playlist.get(made["Assets"], session=s)
    assert one.for_entity == "asset" and one.entries == []


@pytest_server
def test_the_entries_of_many_playlists_load_in_one_request_per_type(
    kitsu_client: Transport,
    kitsu_team: Team,
    kitsu_as: Callable[..., kitsu.Session],
    tmp_path: Path,
) -> None:
    board = Board(kitsu_client, kitsu_team.project, 3)
    previews = _published(kitsu_as("admin"), board, tmp_path)
    for n in range(3):  # made as the admin, in the shape Kitsu's web client stores
        rows = [
            {"entity_id": shot_id, "preview_file_id": preview.id}
            for shot_id, preview in list(zip(board.shot_ids, previews, strict=True))[n:]
        ]
        kitsu_client.post(
            "data/playlists",
            {"name": f"P{n}", "project_id": board.project_id, "shots": rows},
        )
    s = kitsu_as("supervisor")
    s.transport.stats.reset()
    playlists = sorted(kitsu.Playlist.where(session=s, project_id=board.project_id), key=str)
    names = {p.name: [e.entity.name if e.entity else None for e in p.entries] for p in playlists}
    assert s.transport.stats.total == 3  # the playlists, then every shot, every preview
    assert names == {"P0": ["SH000", "SH001", "SH002"], "P1": ["SH001", "SH002"], "P2": ["SH002"]}
    first = next(p for p in playlists if p.name == "P0")
    assert [e.preview for e in first.entries] == [
        kitsu.PreviewFile.get(p.id or "", session=s) for p in previews
    ]

    # A shot deleted since it was added: Zou keeps its id, the entry has no object.
    kitsu_client.delete(f"data/shots/{board.shot_ids[0]}", {"force": "true"})
    other = kitsu_as("supervisor")
    again = kitsu.Playlist.get(first.id or "", session=other)
    assert [e.entity_id for e in again.entries] == board.shot_ids
    assert again.entries[0].entity is None and again.entries[1].entity is not None


@pytest_server
def test_a_supervisor_edits_the_playlists_they_made_only(
    kitsu_client: Transport,
    kitsu_team: Team,
    kitsu_as: Callable[..., kitsu.Session],
) -> None:
    board = Board(kitsu_client, kitsu_team.project, 2)
    s = kitsu_as("supervisor")
    project = kitsu.Project.get(board.project_id, session=s)
    mine = kitsu.Playlist(name="Lighting dailies", project=project)
    mine.add(kitsu.Shot.get(board.shot_ids[0], session=s))
    s.add(mine)
    s.commit()
    mine.add(kitsu.Shot.get(board.shot_ids[1], session=s)).move(board.shot_ids[1], 0)
    s.commit()
    assert _server_entries(kitsu_client, mine) == [(i, None) for i in board.shot_ids[::-1]]

    theirs_id = kitsu_client.post("data/playlists", {"name": "Admin's", "project_id": project.id})
    theirs = kitsu.Playlist.get(theirs_id["id"], session=s)
    theirs.add(kitsu.Shot.get(board.shot_ids[0], session=s))
    with pytest.raises(kitsu.CommitError) as caught:  # Zou: only its creator or a manager
        s.commit()
    assert caught.value.status == 403 and "entry_rows" in theirs.changes()
    assert kitsu_client.get(f"data/playlists/{theirs.id}")["shots"] in (None, [])


@pytest_server
def test_playlists_of_an_episode(
    kitsu_client: Transport, kitsu_team: Team, kitsu_as: Callable[..., kitsu.Session]
) -> None:
    project_id = kitsu_team.project["id"]
    episodes = [
        kitsu_client.post(f"data/projects/{project_id}/episodes", {"name": name})["id"]
        for name in ("E01", "E02")
    ]
    for n, episode_id in enumerate(episodes):
        kitsu_client.post(
            "data/playlists",
            {"name": f"Ep{n}", "project_id": project_id, "episode_id": episode_id},
        )
    s = kitsu_as("artist")
    episode = kitsu.Episode.get(episodes[1], session=s)
    found = kitsu.Playlist.where(session=s, episode=episode).one()
    assert found.name == "Ep1" and found.episode is episode


@pytest_server
def test_a_vendor_reads_no_playlist(
    kitsu_client: Transport, kitsu_team: Team, kitsu_as: Callable[..., kitsu.Session]
) -> None:
    project_id = kitsu_team.project["id"]
    made = kitsu_client.post("data/playlists", {"name": "Internal", "project_id": project_id})
    s = kitsu_as("vendor")
    with pytest.raises(kitsu.PermissionDenied):
        kitsu.Playlist.where(session=s, project_id=project_id).all()
    with pytest.raises(kitsu.PermissionDenied):
        kitsu.Playlist.get(made["id"], session=s)
