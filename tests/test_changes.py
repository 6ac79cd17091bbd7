"""``session.changes()`` on a real Kitsu: the review of a commit reads like a diff,
names related objects, and costs no request."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from conftest import SessionFactory

import kitsu_orm as kitsu
from kitsu_orm.changes import ABSENT, ChangeSet
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server


@pytest.fixture
def scene(kitsu_client: Transport, kitsu_project: dict[str, Any]) -> dict[str, Any]:
    """Plain rows: SQ01 with SH010 and SH005, an Animation task on SH010 (todo,
    assigned to Kenji), and two people."""
    client, pid, tag = kitsu_client, kitsu_project["id"], uuid.uuid4().hex[:6]
    seq = client.post(f"data/projects/{pid}/sequences", {"name": "SQ01"})
    other_seq = client.post(f"data/projects/{pid}/sequences", {"name": "SQ02"})
    shots = [
        client.post(
            f"data/projects/{pid}/shots",
            {
                "name": name,
                "sequence_id": seq["id"],
                "data": {"frame_in": 1, "frame_out": 24, "fps": 24, "old": "yes"},
            },
        )
        for name in ("SH010", "SH005")
    ]
    people = [
        client.post(
            "data/persons",
            {
                "first_name": first,
                "last_name": f"{last}{tag}",
                "email": f"{first.lower()}.{tag}@example.com",
                "role": "user",
            },
        )
        for first, last in (("Ana", "Lima"), ("Kenji", "Sato"))
    ]
    animation = next(t for t in client.get("data/task-types") if t["name"] == "Animation")
    todo = next(t for t in client.get("data/task-status") if t["short_name"] == "todo")
    task = client.post(
        "data/tasks",
        {
            "project_id": pid,
            "entity_id": shots[0]["id"],
            "task_type_id": animation["id"],
            "task_status_id": todo["id"],
            "assignees": [people[1]["id"]],
        },
    )
    return {
        "project": kitsu_project,
        "sequence": seq,
        "other_sequence": other_seq,
        "shots": shots,
        "people": people,
        "task": task,
        "tag": tag,
    }


def test_the_review_of_a_commit_reads_like_a_diff_and_sends_nothing(
    session: kitsu.Session, scene: dict[str, Any]
) -> None:
    s, tag = session, scene["tag"]
    shot = s.get(kitsu.Shot, scene["shots"][0]["id"])
    doomed = s.get(kitsu.Shot, scene["shots"][1]["id"])
    ana, kenji = (s.get(kitsu.Person, p["id"]) for p in scene["people"])
    task = s.get(kitsu.Task, scene["task"]["id"])
    assert task.task_type.name == "Animation" and task.task_status.short_name == "todo"
    wip = kitsu.TaskStatus.where(short_name="wip", session=s).one()

    shot.frame_out = 34
    shot.data["fps"] = 25  # in place
    shot.data["note"] = "x"
    del shot.data["old"]
    task.assign(ana)
    task.unassign(kenji)
    task.task_status = wip
    s.add(kitsu.Shot(name="SH999", sequence=shot.sequence, frame_in=1, frame_out=48))
    task.comment("Blocking done, please check the camera moves in the second half", wip)
    s.delete(doomed)

    before = s.stats.requests
    changes = s.changes()
    text = str(changes)
    print(changes)
    assert s.stats.requests == before

    lines = text.splitlines()
    assert lines[0] == "+ <Shot SH999> in SQ01 (frame_in=1, frame_out=48)"
    assert lines[1].startswith(
        "+ <Comment> on SH010 Animation (task_status=wip, text='Blocking done, please check"
    )
    assert lines[1].endswith("…')") and "second half" not in lines[1]
    assert lines[2:6] == [
        "~ <Shot SH010>  data.fps: 24 -> 25",
        "~ <Shot SH010>  frame_out: 24 -> 34",
        "~ <Shot SH010>  + data.note: 'x'",
        "~ <Shot SH010>  - data.old",
    ]
    assert sorted(lines[6:8]) == sorted(
        [
            f"~ <Task SH010 Animation>  assignees: +Ana Lima{tag} -Kenji Sato{tag}",
            "~ <Task SH010 Animation>  task_status: todo -> wip",
        ]
    )
    assert lines[8:] == ["- <Shot SH005>"]
    assert repr(changes) == text
    assert "<pre>" in changes._repr_html_()

    # The same, as entries.
    assert len(changes) == 5 and changes
    assert [c.kind for c in changes] == ["new", "new", "dirty", "dirty", "deleted"]
    edited = next(c for c in changes if c.obj is shot)
    by_name = {f.name: f for f in edited.fields}
    assert (by_name["frame_out"].old, by_name["frame_out"].new) == (24, 34)
    assert (by_name["data.note"].old, by_name["data.note"].new) == (ABSENT, "x")
    assert (by_name["data.old"].old, by_name["data.old"].new) == ("yes", ABSENT)
    assert {f.field for f in edited.fields} == {"data"}
    status = next(f for c in changes if c.obj is task for f in c.fields if f.name == "task_status")
    assert (status.field, status.new) == ("task_status_id", wip.id)
    assert s.stats.requests == before


def test_objects_not_loaded_show_by_short_id_and_pending_ones_by_name(
    session: kitsu.Session, scene: dict[str, Any]
) -> None:
    s = session
    pid = scene["project"]["id"]
    shot = s.get(kitsu.Shot, scene["shots"][0]["id"])
    assert shot.sequence.name == "SQ01"
    other_id = scene["other_sequence"]["id"]
    shot.parent_id = other_id  # a sequence this session never loaded
    new_seq = kitsu.Sequence(name="SQ09", project_id=pid)
    s.add(new_seq)
    second = s.get(kitsu.Shot, scene["shots"][1]["id"])
    second.sequence = new_seq
    # Not added, but a new shot points at it: commit creates it first.
    s.add(kitsu.Shot(name="SH777", project_id=pid, sequence=kitsu.Sequence(name="SQ08")))

    before = s.stats.requests
    lines = str(s.changes()).splitlines()
    assert s.stats.requests == before
    assert (
        lines
        == [
            "+ <Sequence SQ08>",
            f"+ <Sequence SQ09> in {pid[:8]}",  # the project is not loaded either
            "+ <Shot SH777> in SQ08",
            f"~ <Shot SH010>  sequence: SQ01 -> {other_id[:8]}",
            "~ <Shot SH005>  sequence: SQ01 -> SQ09",
        ]
    )

    second.sequence = kitsu.Sequence(name="SQ07", project_id=pid)  # never added
    assert "~ <Shot SH005>  sequence: SQ01 -> SQ07 (not added: commit refuses it)" in str(
        s.changes()
    )


def test_nothing_to_commit(new_session: SessionFactory, scene: dict[str, Any]) -> None:
    s = new_session()
    shot = s.get(kitsu.Shot, scene["shots"][0]["id"])
    shot.description = "draft"
    shot.description = None  # back as loaded
    changes = s.changes()
    assert isinstance(changes, ChangeSet)
    assert not changes and len(changes) == 0 and list(changes) == []
    assert str(changes) == "(no changes)"


def test_a_playlist_entries_edit_reads_as_entries_added_removed_and_moved() -> None:
    from kitsu_orm.testing import FakeTransport

    ids = [str(uuid.UUID(int=i)) for i in range(1, 5)]
    PLAYLIST = str(uuid.UUID(int=99))  # noqa: N806
    rows = [{"entity_id": i, "preview_file_id": None} for i in ids[:3]]
    shots = [{"id": i, "type": "Shot", "name": f"SH0{n + 1}"} for n, i in enumerate(ids)]

    def studio(method: str, path: str, params: Any, json: Any) -> Any:
        if path == f"data/playlists/{PLAYLIST}":
            return {"id": PLAYLIST, "type": "Playlist", "name": "Dailies", "shots": rows}
        one = [s for s in shots if path == f"data/shots/{s['id']}"]
        return one[0] if one else [s for s in shots if s["id"] in (params or {}).get("id", "")]

    s = kitsu.Session(transport=FakeTransport(studio))
    playlist = kitsu.Playlist.get(PLAYLIST, session=s)
    assert [e.entity.name for e in playlist.entries if e.entity] == ["SH01", "SH02", "SH03"]
    preview = kitsu.PreviewFile(id=str(uuid.UUID(int=9)))
    playlist.remove(ids[0]).move(ids[2], 0).set_preview(ids[1], preview)
    playlist.add(kitsu.Shot.get(ids[3], session=s))
    assert str(s.changes()) == "~ <Playlist Dailies>  entries: +SH04 -SH01 ~SH02 (reordered)"
