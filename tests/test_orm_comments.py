"""A comment's replies and attached files on the real server: ``comment.replies``,
``comment.reply()``, ``comment.attachments`` (AttachmentFile: name, extension,
size, ``download()``), ``comment.attach()`` and ``attachment.remove()``, read by
each role on the team, refused before any request where Zou refuses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

import kitsu_orm as kitsu
from kitsu_orm.testing import Team
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server

NOTES = b"frame 12: the hand pops\n" * 40


@attrs.frozen
class Board:
    """Ids of the module's task and the admin's comment with one attached file."""

    project: str
    task: str
    comment: str
    artist: str


@pytest.fixture(scope="module")
def board(
    kitsu_client: Transport,
    kitsu_people: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Board]:
    from kitsu_orm.testing import remove_project, unique_project_name

    c = kitsu_client
    project = c.post("data/projects", {"name": unique_project_name("orm-comments")})
    pid = project["id"]
    try:
        for member in kitsu_people.values():
            c.post(f"data/projects/{pid}/team", {"person_id": member.id})
        sequence = c.post(f"data/projects/{pid}/sequences", {"name": "SQ01"})
        shot = c.post(f"data/projects/{pid}/shots", {"name": "SH01", "sequence_id": sequence["id"]})
        task_type = next(t for t in c.get("data/task-types") if t["name"] == "Animation")
        status = next(s for s in c.get("data/task-status") if s["short_name"] == "todo")
        task = c.post(
            "data/tasks",
            {
                "project_id": pid,
                "entity_id": shot["id"],
                "task_type_id": task_type["id"],
                "task_status_id": status["id"],
                "name": "main",
            },
        )
        artist = kitsu_people["artist"].id
        c.put(f"actions/persons/{artist}/assign", {"task_ids": [task["id"]]})
        notes = tmp_path_factory.mktemp("attachments") / "notes.txt"
        notes.write_bytes(NOTES)
        comment = c.upload(
            f"actions/tasks/{task['id']}/comment",
            data={"task_status_id": status["id"], "comment": "see the notes"},
            files=[("file0", notes)],
        )
        yield Board(pid, task["id"], comment["id"], artist)
    finally:
        remove_project(c, project)


def test_attachments_are_read_and_downloaded_by_each_role(
    board: Board, kitsu_as: Callable[..., kitsu.Session], tmp_path: Path, kitsu_team: Team
) -> None:
    seen = {}
    for role in ("admin", "manager", "supervisor", "artist"):
        session = kitsu_as(role)
        task = kitsu.Task.get(board.task, session=session)
        (comment,) = task.comments
        assert len(comment.attachments) == 1, (role, comment.attachment_files)
        (attachment,) = comment.attachments
        assert (attachment.name, attachment.extension, attachment.size) == (
            "notes.txt",
            "txt",
            len(NOTES),
        ), role
        assert attachment.comment is comment
        written = attachment.download(tmp_path / f"{role}.txt")
        assert written.read_bytes() == NOTES
        seen[role] = attachment.id
    assert len(set(seen.values())) == 1
    with pytest.raises(AttributeError, match="comment.attach"):
        comment.attachments = []  # type: ignore[misc]


def test_replies_are_made_read_and_deleted_by_their_author(
    board: Board, kitsu_as: Callable[..., kitsu.Session], kitsu_team: Team
) -> None:
    artist = kitsu_as("artist")
    comment = kitsu.Comment.get(board.comment, session=artist)
    reply = comment.reply("fixed in v2")
    assert reply["text"] == "fixed in v2" and reply["person_id"] == board.artist
    assert [r["id"] for r in comment.replies or []][-1] == reply["id"]

    supervisor = kitsu_as("supervisor")
    theirs = kitsu.Comment.get(board.comment, session=supervisor)
    assert reply["id"] in [r["id"] for r in theirs.replies or []]
    sent = supervisor.transport.stats.total
    with pytest.raises(kitsu.PermissionDenied, match="author or an admin"):
        theirs.delete_reply(reply)
    assert supervisor.transport.stats.total == sent

    comment.delete_reply(reply)
    assert reply["id"] not in [r["id"] for r in comment.replies or []]
    with pytest.raises(kitsu.ValidationError):
        comment.reply("  ")


def test_files_are_attached_and_removed_by_the_author_alone(
    board: Board, kitsu_as: Callable[..., kitsu.Session], tmp_path: Path, kitsu_team: Team
) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("frame,note\n12,pop\n")
    artist = kitsu_as("artist")
    theirs = kitsu.Comment.get(board.comment, session=artist)
    sent = artist.transport.stats.total
    with pytest.raises(kitsu.PermissionDenied, match="author or a manager"):
        theirs.attach([sheet])
    assert artist.transport.stats.total == sent

    admin = kitsu_as("admin")
    comment = kitsu.Comment.get(board.comment, session=admin)
    (added,) = comment.attach([sheet])
    assert (added.name, added.extension) == ("sheet.csv", "csv")
    assert sorted(a.name for a in comment.attachments) == ["notes.txt", "sheet.csv"]
    read = kitsu.Comment.get(board.comment, session=kitsu_as("supervisor"))
    assert sorted(a.name for a in read.attachments) == ["notes.txt", "sheet.csv"]

    manager = kitsu_as("manager")
    manager.delete(kitsu.AttachmentFile.get(added.id, session=manager))
    with pytest.raises(kitsu.PermissionDenied, match="attachment.remove"):
        manager.commit()  # the generic route is the admin's: refused before any request
    added.remove()
    assert [a.name for a in comment.attachments] == ["notes.txt"]


def test_attachments_are_never_cached_across_processes(
    board: Board, new_session: Callable[..., kitsu.Session], tmp_path: Path, kitsu_client: Transport
) -> None:
    """Zou announces no change of an attachment file by an event: its reads are never
    stored, where the comment's are."""
    row = kitsu_client.get(f"data/comments/{board.comment}")
    attachment_id = next(a["id"] for a in row["attachment_files"] if a["name"] == "notes.txt")
    attachment_reads, comment_reads = [], []
    for _ in range(2):  # two "processes" sharing one cache folder
        session = new_session(cache="on", cache_dir=str(tmp_path))
        kitsu.Project.get(board.project, session=session)  # binds the cache to the user
        before = session.transport.stats.total
        assert kitsu.AttachmentFile.get(attachment_id, session=session).name == "notes.txt"
        attachment_reads.append(session.transport.stats.total - before)
        before = session.transport.stats.total
        kitsu.Comment.get(board.comment, session=session)
        comment_reads.append(session.transport.stats.total - before)
    assert attachment_reads == [1, 1] and comment_reads == [1, 0]
