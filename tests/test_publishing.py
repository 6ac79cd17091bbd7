"""Publishing for review on the real server: comments with previews and attachments,
in one unit of work, resumed after a cut without anything sent twice."""

from __future__ import annotations

import json
import struct
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from faultproxy import FORWARD_THEN_RESET, RESET, Action, FaultProxy

import kitsu_orm as kitsu
from kitsu_orm.retry import Retry
from kitsu_orm.testing import Team
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server


def png_bytes(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid RGB PNG of one colour, made without an image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def write_png(folder: Path, name: str, shade: int = 0) -> Path:
    path = folder / name
    path.write_bytes(png_bytes(rgb=(shade % 256, 40, 200)))
    return path


class Board:
    """A project with ``n`` shots and one Animation task each, made as the admin."""

    def __init__(self, client: Transport, project: dict[str, Any], n: int) -> None:
        self.client = client
        self.project_id = project["id"]
        seq = client.post(f"data/projects/{self.project_id}/sequences", {"name": "SQ01"})
        shot_ids = [
            client.post(
                f"data/projects/{self.project_id}/shots",
                {"name": f"SH{i:03d}", "sequence_id": seq["id"]},
            )["id"]
            for i in range(n)
        ]
        task_type = next(t for t in client.get("data/task-types") if t["name"] == "Animation")
        path = f"actions/projects/{self.project_id}/task-types/{task_type['id']}/shots/create-tasks"
        rows = client.post(path, shot_ids)
        by_shot = {r["entity_id"]: r["id"] for r in rows}
        self.shot_ids = shot_ids
        self.task_ids = [by_shot[s] for s in shot_ids]

    def comments(self) -> list[dict[str, Any]]:
        """Every comment of the board's tasks, as the server holds them."""
        return [c for t in self.task_ids for c in self.client.get(f"data/tasks/{t}/comments")]

    def previews(self) -> list[dict[str, Any]]:
        """Every preview file of the board's tasks, with the comments each is linked to."""
        params = {"task_id": json.dumps(self.task_ids), "relations": "true"}
        return list(self.client.get("data/preview-files", params))


def _tasks(s: kitsu.Session, board: Board) -> list[kitsu.Task]:
    tasks = kitsu.Task.where(session=s, project_id=board.project_id).all()
    order = {t: i for i, t in enumerate(board.task_ids)}
    return sorted(tasks, key=lambda t: order[t.id or ""])


def _status(s: kitsu.Session, short_name: str) -> kitsu.TaskStatus:
    return kitsu.TaskStatus.where(session=s, short_name=short_name).one()


@pytest.fixture
def proxy(kitsu_server: Any) -> Iterator[FaultProxy]:
    with FaultProxy.in_front_of(kitsu_server.url) as proxy:
        yield proxy


def _proxied(proxy: FaultProxy, source: Transport, workers: int = 4) -> kitsu.Session:
    """A session through the fault proxy, on ``source``'s tokens, that never retries."""
    assert source.tokens is not None
    transport = Transport(
        proxy.url, token=source.tokens, retry=Retry(total=0, backoff=0.01, jitter=0)
    )
    transport.user = dict(source.user or {})
    return kitsu.Session(transport=transport, workers=workers)


def _cut_first(proxy: FaultProxy, s: kitsu.Session, fragment: str, action: Action) -> list[str]:
    """Break the first POST whose path holds ``fragment`` (``action``: its answer lost, or
    the request never arriving), whatever transport method sends it."""
    transport = s.transport
    broken: list[str] = []
    for name in ("post", "upload"):
        original = getattr(transport, name)

        def send(path: str, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            if not broken and fragment in path:
                broken.append(path)
                proxy.script(action)
            return _original(path, *args, **kwargs)

        setattr(transport, name, send)
    return broken


def _routes(proxy: FaultProxy) -> Counter[str]:
    """Requests the proxy received, by method and route (ids replaced by ``*``)."""
    counts: Counter[str] = Counter()
    for seen in proxy.received:
        parts = ["*" if len(p) == 36 and p.count("-") == 4 else p for p in seen.path.split("/")]
        counts[f"{seen.method} {'/'.join(parts).removeprefix('/api/')}"] += 1
    return counts


# -- one comment, its previews and attachments -------------------------------------------------


def test_a_comment_publishes_its_previews_and_attachments_on_commit_in_order(
    kitsu_client: Transport, kitsu_project: dict[str, Any], proxy: FaultProxy, tmp_path: Path
) -> None:
    board = Board(kitsu_client, kitsu_project, 1)
    s = _proxied(proxy, kitsu_client)
    task = _tasks(s, board)[0]
    wfa = _status(s, "wfa")
    notes = tmp_path / "notes.txt"
    notes.write_text("frame 12: the arm pops\n" * 50)
    first, second = write_png(tmp_path, "v003.png", 10), write_png(tmp_path, "v003b.png", 90)
    proxy.clear()

    comment = task.comment("v003 for review", wfa, previews=[first, second], attachments=[notes])
    previews = comment.previews
    assert [p.file_to_upload for p in previews] == [str(first), str(second)]
    assert all(p.state is kitsu.State.PENDING and p.comment is comment for p in previews)
    assert proxy.count() == 0  # nothing is sent before commit()

    s.commit()
    sent = [(r.method, r.path.split("/")[-1]) for r in proxy.received if r.method == "POST"]
    # The comment (with its file), then each record, then each file: in that order.
    assert sent == [
        ("POST", "comment"),
        ("POST", "add-preview"),
        ("POST", "add-preview"),
        ("POST", previews[0].id),
        ("POST", previews[1].id),
    ] or sent == [
        ("POST", "comment"),
        ("POST", "add-preview"),
        ("POST", "add-preview"),
        ("POST", previews[1].id),
        ("POST", previews[0].id),
    ]
    assert comment.id is not None and [p.file_to_upload for p in previews] == [None, None]
    assert [p.status for p in previews] == ["ready", "ready"]
    assert [p.position for p in previews] == [1, 2]
    assert previews[0].revision == previews[1].revision == 1

    rows = board.comments()
    assert len(rows) == 1 and rows[0]["text"] == "v003 for review"
    assert rows[0]["task_status_id"] == wfa.id
    assert [a["name"] for a in rows[0]["attachment_files"]] == ["notes.txt"]
    assert rows[0]["attachment_files"][0]["size"] == notes.stat().st_size
    assert sorted(p["id"] for p in rows[0]["previews"]) == sorted(p.id or "" for p in previews)
    assert task.task_status is wfa  # read again after the commit
    assert task.last_preview_file_id in {p.id for p in previews}

    s.commit()  # nothing left to send
    assert len(board.comments()) == 1 and len(board.previews()) == 2


def test_previews_read_back_oldest_first_in_one_request_per_relationship(
    kitsu_client: Transport, kitsu_project: dict[str, Any], new_session: Any, tmp_path: Path
) -> None:
    board = Board(kitsu_client, kitsu_project, 3)
    s = new_session()
    tasks = _tasks(s, board)
    for version in (1, 2):
        for task in tasks:
            task.comment(f"v00{version}", previews=[write_png(tmp_path, f"v{version}.png")])
        s.commit()

    other = new_session()
    again = _tasks(other, board)
    other.transport.stats.reset()
    first = again[0].previews
    assert other.transport.stats.total == 1  # every task's previews at once
    assert [p.revision for p in first] == [1, 2]
    assert all(len(t.previews) == 2 for t in again) and other.transport.stats.total == 1
    comments = again[0].comments
    other.transport.stats.reset()
    by_text = {c.text: c for c in comments}
    assert [p.id for p in by_text["v002"].previews] == [first[1].id]
    assert [p.id for p in by_text["v001"].previews] == [first[0].id]
    assert other.transport.stats.total == 0  # from the task's previews, loaded already
    assert first[1].comment is by_text["v002"]


# -- the acceptance: 20 comments with a status and a preview each ------------------------------


N = 20


def _publish(s: kitsu.Session, board: Board, tmp_path: Path) -> list[kitsu.Comment]:
    wfa = _status(s, "wfa")
    return [
        task.set_status(wfa, f"v001 of {i}", previews=[write_png(tmp_path, f"sh{i}.png", i)])
        for i, task in enumerate(_tasks(s, board))
    ]


def _check_published(board: Board, comments: list[kitsu.Comment], n: int = N) -> None:
    rows = board.comments()
    previews = board.previews()
    assert len(rows) == n and len(previews) == n
    assert sorted(r["id"] for r in rows) == sorted(c.id or "" for c in comments)
    # Each preview is attached to its own comment, has its file, once.
    assert sorted(p["comments"][0] for p in previews) == sorted(r["id"] for r in rows)
    assert all(len(p["comments"]) == 1 for p in previews)
    assert all(p["status"] == "ready" and p["original_name"] for p in previews)
    assert {p["revision"] for p in previews} == {1}
    wfa = {r["task_status_id"] for r in rows}
    assert len(wfa) == 1
    assert all(board.client.get(f"data/tasks/{t}")["task_status_id"] in wfa for t in board.task_ids)


def test_one_commit_publishes_20_comments_with_a_status_and_a_preview_each(
    kitsu_client: Transport, kitsu_project: dict[str, Any], proxy: FaultProxy, tmp_path: Path
) -> None:
    board = Board(kitsu_client, kitsu_project, N)
    s = _proxied(proxy, kitsu_client)
    comments = _publish(s, board, tmp_path)
    proxy.clear()
    s.transport.stats.reset()
    s.commit()
    _check_published(board, comments)
    routes = _routes(proxy)
    assert routes["POST actions/tasks/batch-comment"] == 1
    assert routes["POST actions/tasks/*/comments/*/add-preview"] == N
    assert routes["POST pictures/preview-files/*"] == N
    assert routes["GET data/tasks"] == 1  # the statuses read again, in one request
    assert s.transport.stats.total == sum(routes.values()) == 2 * N + 2


@pytest.mark.parametrize("fault", ["answer lost", "never arrived"])
@pytest.mark.parametrize("cut", ["add-preview", "pictures/preview-files"])
def test_a_publish_cut_resumes_on_the_next_commit_with_nothing_sent_twice(
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    proxy: FaultProxy,
    tmp_path: Path,
    cut: str,
    fault: str,
) -> None:
    board = Board(kitsu_client, kitsu_project, N)
    s = _proxied(proxy, kitsu_client)
    comments = _publish(s, board, tmp_path)
    broken = _cut_first(proxy, s, cut, FORWARD_THEN_RESET if fault == "answer lost" else RESET)
    with pytest.raises(kitsu.CommitError) as info:
        s.commit()
    assert broken and isinstance(info.value.__cause__, kitsu.ConnectionError)
    assert all(c.id is not None for c in comments)  # the comments went first: kept
    previews = [p for c in comments for p in c.previews]
    added = sum(p.id is not None for p in previews)
    uploaded = sum(p.file_to_upload is None for p in previews)
    found = 1 if fault == "answer lost" else 0  # the write in doubt is on the server

    proxy.clear()
    s.commit()
    assert not s.new and not s.dirty
    _check_published(board, comments)
    routes = _routes(proxy)
    assert routes["POST actions/tasks/batch-comment"] == 0  # no second comment
    if cut == "add-preview":
        assert routes["GET data/preview-files"] == 1  # the record in doubt, looked for
        assert routes["POST actions/tasks/*/comments/*/add-preview"] == N - added - found
        assert routes["POST pictures/preview-files/*"] == N
    else:
        assert added == N
        assert routes["GET data/preview-files/*"] == 1  # the upload in doubt, settled
        assert routes["POST actions/tasks/*/comments/*/add-preview"] == 0
        assert routes["POST pictures/preview-files/*"] == N - uploaded - found
    s.commit()  # nothing left
    _check_published(board, comments)


# The admin's test above cuts the two later steps both ways; the comments' own request
# is cut here both ways, and an upload once.
@pytest.mark.parametrize(
    ("cut", "fault"),
    [
        ("batch-comment", "answer lost"),
        ("batch-comment", "never arrived"),
        ("pictures/preview-files", "answer lost"),
    ],
)
def test_an_artists_publish_cut_at_any_step_resumes_with_nothing_sent_twice(
    kitsu_client: Transport,
    kitsu_team: Team,
    kitsu_role_clients: dict[str, Transport],
    proxy: FaultProxy,
    tmp_path: Path,
    cut: str,
    fault: str,
) -> None:
    """The same cut publish as an artist on tasks assigned to them, the comments' own
    request included: after the second commit, one comment and one preview per task."""
    n = 4
    board = Board(kitsu_client, kitsu_team.project, n)
    artist = kitsu_team["artist"].id
    kitsu_client.put(f"actions/persons/{artist}/assign", {"task_ids": board.task_ids})
    s = _proxied(proxy, kitsu_role_clients["artist"])
    wfa = _status(s, "wfa")
    comments = [
        task.set_status(wfa, f"take {i}", previews=[write_png(tmp_path, f"t{i}.png", i)])
        for i, task in enumerate(_tasks(s, board))
    ]
    broken = _cut_first(proxy, s, cut, FORWARD_THEN_RESET if fault == "answer lost" else RESET)
    with pytest.raises(kitsu.CommitError):
        s.commit()
    assert broken
    s.commit()
    assert not s.new and not s.dirty
    _check_published(board, comments, n)
    assert {r["person_id"] for r in board.comments()} == {artist}
    proxy.clear()
    s.commit()  # nothing left, nothing sent
    assert not [r for r in proxy.received if r.method != "GET"]


def test_an_artist_publishes_on_a_task_assigned_to_them(
    kitsu_client: Transport,
    kitsu_team: Team,
    kitsu_artist: kitsu.Session,
    tmp_path: Path,
) -> None:
    board = Board(kitsu_client, kitsu_team.project, 2)
    artist = kitsu_team["artist"].id
    kitsu_client.put(f"actions/persons/{artist}/assign", {"task_ids": board.task_ids})
    s = kitsu_artist
    wfa = _status(s, "wfa")
    comments = [
        task.set_status(wfa, "mine", previews=[write_png(tmp_path, f"a{i}.png", i)])
        for i, task in enumerate(_tasks(s, board))
    ]
    s.commit()
    rows = board.comments()
    assert len(rows) == 2 and {r["person_id"] for r in rows} == {artist}
    previews = board.previews()
    assert len(previews) == 2 and all(p["status"] == "ready" for p in previews)
    assert sorted(p["comments"][0] for p in previews) == sorted(c.id or "" for c in comments)
    assert {p["person_id"] for p in previews} == {artist}


def test_a_missing_file_is_refused_before_anything_is_pending(
    session: kitsu.Session, kitsu_client: Transport, kitsu_project: dict[str, Any], tmp_path: Path
) -> None:
    board = Board(kitsu_client, kitsu_project, 1)
    task = _tasks(session, board)[0]
    with pytest.raises(kitsu.ValidationError, match="no preview file"):
        task.comment("v1", previews=[tmp_path / "nope.png"])
    with pytest.raises(kitsu.ValidationError, match="no file to attach"):
        task.start("v1", attachments=[tmp_path / "nope.pdf"])
    assert not session.new


@pytest.mark.parametrize("fault", ["answer lost", "never arrived"])
def test_a_comment_with_attachments_cut_is_never_sent_twice(
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    proxy: FaultProxy,
    tmp_path: Path,
    fault: str,
) -> None:
    board = Board(kitsu_client, kitsu_project, 1)
    s = _proxied(proxy, kitsu_client)
    task = _tasks(s, board)[0]
    notes = tmp_path / "notes.txt"
    notes.write_text("notes\n")
    comment = task.comment("v002", previews=[write_png(tmp_path, "v2.png")], attachments=[notes])
    broken = _cut_first(
        proxy,
        s,
        f"tasks/{task.id}/comment",
        RESET if fault == "never arrived" else FORWARD_THEN_RESET,
    )
    with pytest.raises(kitsu.CommitError):
        s.commit()
    assert broken == [f"actions/tasks/{task.id}/comment"] and comment.id is None
    proxy.clear()
    s.commit()
    rows = board.comments()
    assert len(rows) == 1 and rows[0]["id"] == comment.id  # found, or sent once
    assert [a["name"] for a in rows[0]["attachment_files"]] == ["notes.txt"]
    assert len(board.previews()) == 1 and comment.previews[0].status == "ready"
    sent_again = _routes(proxy)["POST actions/tasks/*/comment"]
    assert sent_again == (0 if fault == "answer lost" else 1)


def test_a_big_upload_draws_its_own_bar_when_progress_is_on(
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    new_session: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from kitsu_orm import progress, publishing

    monkeypatch.setattr(progress, "DELAY", 0)
    board = Board(kitsu_client, kitsu_project, 1)
    s = new_session()
    task = _tasks(s, board)[0]
    image = tmp_path / "big.png"
    image.write_bytes(png_bytes(512, 512))
    monkeypatch.setattr(publishing, "BIG_FILE", image.stat().st_size)  # this one is "big"
    task.comment("big", previews=[image])
    small = write_png(tmp_path, "small.png")
    task.comment("small", previews=[small])
    capsys.readouterr()
    s.commit(progress=True)
    err = capsys.readouterr().err
    assert "upload big.png" in err and "upload small.png" not in err
    bar = next(
        line for line in err.split("\r") if line.startswith("upload big.png") and "100%" in line
    )
    assert f"{image.stat().st_size}/{image.stat().st_size}" in bar.replace("B", "")
