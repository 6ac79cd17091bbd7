"""A commit that breaks halfway, on a real Kitsu behind the loopback fault proxy.

The proxy passes a number of requests, then breaks one the way networks do:
the request reaches the server but its answer is lost, or the server
answers 500 without doing anything. The commit must raise CommitError
naming what was applied and what was not, and a second commit must finish
the job with nothing created twice and nothing missing.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from faultproxy import FORWARD_THEN_RESET, PASS, RESET, Action, FaultProxy, respond

import kitsu_orm as kitsu
from kitsu_orm.retry import Retry
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server

NB_SHOTS = 100


@pytest.fixture
def proxy(kitsu_server: Any) -> Iterator[FaultProxy]:
    with FaultProxy.in_front_of(kitsu_server.url) as proxy:
        yield proxy


def _session(url: str, kitsu_client: Transport, workers: int) -> kitsu.Session:
    assert kitsu_client.tokens is not None
    transport = Transport(
        url, token=kitsu_client.tokens, retry=Retry(total=2, backoff=0.01, jitter=0)
    )
    return kitsu.Session(transport=transport, workers=workers)


def _plan_200_objects(s: kitsu.Session, project_id: str) -> tuple[kitsu.Sequence, list[kitsu.Shot]]:
    """One sequence, 100 shots and 99 tasks: 200 new objects in one commit."""
    project = s.get(kitsu.Project, project_id)
    animation = kitsu.TaskType.where(name="Animation", session=s).one()
    todo = kitsu.TaskStatus.where(short_name="todo", session=s).one()
    seq = kitsu.Sequence(name="SQ01", project=project)
    s.add(seq)
    shots = []
    for n in range(NB_SHOTS):
        shot = kitsu.Shot(
            name=f"SH{n:03d}", project=project, sequence=seq, frame_in=1, frame_out=n + 1
        )
        s.add(shot)
        shots.append(shot)
        if n:
            s.add(kitsu.Task(project=project, entity=shot, task_type=animation, task_status=todo))
    return seq, shots


def _server_state(
    kitsu_client: Transport, project_id: str
) -> tuple[Counter[str], Counter[str], dict[str, int]]:
    shots = kitsu_client.get("data/shots/all", {"project_id": project_id})
    tasks = kitsu_client.get("data/tasks", {"project_id": project_id})
    sequences = kitsu_client.get("data/sequences", {"project_id": project_id})
    names = {s["id"]: s["name"] for s in shots}
    frames = {s["name"]: s["data"]["frame_out"] for s in shots}
    return (
        Counter([s["name"] for s in shots] + [q["name"] for q in sequences]),
        Counter(names[t["entity_id"]] for t in tasks),
        frames,
    )


@pytest.mark.parametrize(
    ("workers", "fault", "after"),
    # The commit sends the sequence, the 100 shots, then the 99 tasks in one create-tasks
    # request: the 102nd request creates the tasks.
    [
        (1, "answer lost", 40),
        (8, "answer lost", 101),
        (8, "server error", 40),
        (1, "server error", 101),
    ],
)
def test_a_commit_broken_halfway_finishes_on_the_second_try(
    proxy: FaultProxy,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    workers: int,
    fault: str,
    after: int,
) -> None:
    s = _session(proxy.url, kitsu_client, workers)
    seq, shots = _plan_200_objects(s, kitsu_project["id"])
    assert len(s.new) == 200
    broken = (
        FORWARD_THEN_RESET if fault == "answer lost" else respond(500, body=b'{"message": "boom"}')
    )
    proxy.script(*([PASS] * after), broken)

    with pytest.raises(kitsu.CommitError) as info:
        s.commit()
    assert proxy.pending == 0  # the fault was met
    error = info.value
    assert error.applied and error.pending
    assert (
        len({id(o) for op in error.applied for o in op.objects})
        + len({id(o) for op in error.pending for o in op.objects})
        == 200
    )
    assert isinstance(error.__cause__, (kitsu.ConnectionError, kitsu.ServerError))
    # What was applied is clean and persistent; the rest is still pending.
    for op in error.applied:
        assert all(o.state is kitsu.State.PERSISTENT and o.id for o in op.objects)
    assert {id(o) for op in error.pending for o in op.objects} <= {id(o) for o in s.new}

    s.commit()
    assert not s.new and not s.dirty
    names, tasks_per_shot, frames = _server_state(kitsu_client, kitsu_project["id"])
    assert names == Counter(["SQ01"] + [f"SH{n:03d}" for n in range(NB_SHOTS)])
    assert tasks_per_shot == Counter(f"SH{n:03d}" for n in range(1, NB_SHOTS))
    assert frames == {f"SH{n:03d}": n + 1 for n in range(NB_SHOTS)}
    assert all(shot.sequence is seq and shot.id for shot in shots)


# -- every kind of write, its answer lost, then commit() again ------------------------------------


class World:
    """A small production, made directly: a sequence with three shots, an asset and
    another, an Animation task on SH01 assigned to the admin, a person, an instance."""

    def __init__(self, s: kitsu.Session, project_id: str) -> None:
        self.s = s
        self.project = s.get(kitsu.Project, project_id)
        self.project.file_tree = kitsu.file_tree("default")
        self.animation = kitsu.TaskType.where(name="Animation", for_entity="Shot", session=s).one()
        self.layout = kitsu.TaskType.where(name="Layout", for_entity="Shot", session=s).one()
        self.modeling = kitsu.TaskType.where(name="Modeling", for_entity="Asset", session=s).one()
        self.todo = kitsu.TaskStatus.where(short_name="todo", session=s).one()
        self.wip = kitsu.TaskStatus.where(short_name="wip", session=s).one()
        character = kitsu.AssetType.where(name="Character", session=s).one()
        self.me = kitsu.User(s).person
        self.maya = kitsu.Software.get_or_create(
            name="Maya",
            defaults={"short_name": "ma", "file_extension": ".ma"},
            session=s,
            commit=True,
        )
        self.cache = kitsu.OutputType.get_or_create(
            name="Cache", defaults={"short_name": "cch"}, session=s, commit=True
        )
        self.seq = kitsu.Sequence(name="SQ01", project=self.project)
        self.shots = [
            kitsu.Shot(
                name=f"SH0{n}", project=self.project, sequence=self.seq, frame_in=1, frame_out=24
            )
            for n in (1, 2, 3)
        ]
        self.hero = kitsu.Asset(name="Hero", project=self.project, asset_type=character)
        self.sword = kitsu.Asset(name="Sword", project=self.project, asset_type=character)
        self.task = kitsu.Task(
            project=self.project,
            entity=self.shots[0],
            task_type=self.animation,
            task_status=self.todo,
        )
        self.asset_task = kitsu.Task(
            project=self.project, entity=self.hero, task_type=self.modeling, task_status=self.todo
        )
        s.add_all([self.seq, *self.shots, self.hero, self.sword, self.task, self.asset_task])
        self.task.assign(self.me)
        self.asset_task.assign(self.me)
        s.commit()
        s.transport.post(f"data/projects/{self.project.id}/team", {"person_id": self.me.id})
        self.instance = self.hero.instantiate(self.sword)
        self.person = kitsu.Person(
            first_name="Ana",
            last_name=f"Lima{project_id[:8]}",
            email=f"ana.{project_id[:8]}@example.com",
            role="user",
        )
        s.add(self.person)
        s.commit()


def _rows(body: Any) -> list[dict[str, Any]]:
    """A list of rows, or Zou's dict of lists of them (instances grouped by asset)."""
    if isinstance(body, dict):
        return [row for rows in body.values() for row in rows]
    return list(body or [])


def _break_first_write(
    s: kitsu.Session,
    proxy: FaultProxy,
    method: str,
    fragment: str,
    action: Action = FORWARD_THEN_RESET,
) -> list[str]:
    """Lose the answer of the first ``method`` request whose path holds ``fragment``:
    the server applies it, the client sees the connection reset."""
    transport = s.transport
    original = getattr(transport, method)
    broken: list[str] = []

    def send(path: str, *args: Any, **kwargs: Any) -> Any:
        if not broken and fragment in path:
            broken.append(path)
            proxy.script(action)
        return original(path, *args, **kwargs)

    setattr(transport, method, send)
    return broken


# (case, method, path fragment, make the edits, read the server's state, what it must be)
Edit = Callable[[World, kitsu.Session], None]
Read = Callable[[World, Transport], Any]


def _shot_names(w: World, c: Transport) -> list[str]:
    return sorted(r["name"] for r in c.get("data/shots/all", {"project_id": w.project.id}))


def _comments(w: World, c: Transport) -> list[tuple[str, str]]:
    rows = c.get(f"data/tasks/{w.task.id}/comments")
    statuses = {w.todo.id: "todo", w.wip.id: "wip"}
    return sorted((r["text"], statuses.get(r["task_status_id"], "?")) for r in rows)


def _new_shot(w: World, s: kitsu.Session) -> None:
    s.add(kitsu.Shot(name="SH09", project=w.project, sequence=w.seq, frame_in=5, frame_out=9))


def _new_sequence(w: World, s: kitsu.Session) -> None:
    s.add(kitsu.Sequence(name="SQ02", project=w.project))


def _new_working_file(w: World, s: kitsu.Session) -> None:
    w.task.new_working_file("main", software=w.maya)


def _new_output_file(w: World, s: kitsu.Session) -> None:
    s.add(kitsu.OutputFile(entity=w.hero, output_type=w.cache, task_type=w.modeling))


def _new_instance(w: World, s: kitsu.Session) -> None:
    w.sword.instantiate(w.hero)


def _new_tasks(w: World, s: kitsu.Session) -> None:
    for shot in w.shots:
        s.add(kitsu.Task(project=w.project, entity=shot, task_type=w.layout, task_status=w.todo))


def _edit_shots(w: World, s: kitsu.Session) -> None:
    for shot in w.shots:
        shot.frame_in += 1000
        shot.description = "edited"


def _new_playlist(w: World, s: kitsu.Session) -> None:
    s.add(kitsu.Playlist(name="Dailies", project=w.project).add(w.shots[0]).add(w.shots[1]))


def _edit_playlist(w: World, s: kitsu.Session) -> None:
    playlist = kitsu.Playlist(name="Dailies", project=w.project).add(w.shots[0]).add(w.shots[1])
    s.add(playlist)
    s.commit()
    playlist.remove(w.shots[0]).add(w.shots[2])


def _playlists(w: World, c: Transport) -> list[tuple[str, list[str]]]:
    names = {sh.id: sh.name for sh in w.shots}
    rows = c.get("data/playlists", {"project_id": w.project.id})
    return [(r["name"], [names[e["entity_id"]] for e in r["shots"] or []]) for r in rows]


def _delete_shot(w: World, s: kitsu.Session) -> None:
    s.delete(w.shots[2])


def _set_status(w: World, s: kitsu.Session) -> None:
    w.task.set_status(w.wip, "going")


def _assign(w: World, s: kitsu.Session) -> None:
    w.task.assign(w.person)


def _unassign(w: World, s: kitsu.Session) -> None:
    w.task.unassign(w.me)


def _cast(w: World, s: kitsu.Session) -> None:
    w.shots[0].assets = [w.hero, w.sword]


def _link(w: World, s: kitsu.Session) -> None:
    w.shots[1].asset_instances = [w.instance]


def _set_time(w: World, s: kitsu.Session) -> None:
    w.task.set_time_spent(w.me, "2024-05-02", 90)


WRITE_KINDS: list[tuple[str, str, str, Edit, Read, Any]] = [
    (
        "create plain",
        "post",
        "/sequences",
        _new_sequence,
        lambda w, c: sorted(
            r["name"] for r in c.get("data/sequences", {"project_id": w.project.id})
        ),
        ["SQ01", "SQ02"],
    ),
    (
        "create get-or-create",
        "post",
        "/shots",
        _new_shot,
        _shot_names,
        ["SH01", "SH02", "SH03", "SH09"],
    ),
    (
        "create_by working file",
        "post",
        "working-files/new",
        _new_working_file,
        lambda w, c: [r["revision"] for r in c.get(f"data/tasks/{w.task.id}/working-files")],
        [1],
    ),
    (
        "create_by output file",
        "post",
        "output-files/new",
        _new_output_file,
        lambda w, c: [r["revision"] for r in c.get(f"data/entities/{w.hero.id}/output-files")],
        [1],
    ),
    (
        "create_by asset instance",
        "post",
        "asset-asset-instances",
        _new_instance,
        lambda w, c: len(_rows(c.get(f"data/assets/{w.sword.id}/asset-asset-instances"))),
        1,
    ),
    (
        "bulk create-tasks",
        "post",
        "create-tasks",
        _new_tasks,
        lambda w, c: sorted(
            (r["entity_id"], r["task_type_id"])
            for r in c.get("data/tasks", {"project_id": w.project.id})
            if r["task_type_id"] == w.layout.id
        ),
        None,
    ),
    (
        "update",
        "put",
        "data/entities/",
        _edit_shots,
        lambda w, c: sorted(
            (r["name"], r["data"]["frame_in"], r["description"])
            for r in c.get("data/shots/all", {"project_id": w.project.id})
        ),
        [("SH01", 1001, "edited"), ("SH02", 1001, "edited"), ("SH03", 1001, "edited")],
    ),
    ("delete", "delete", "data/shots/", _delete_shot, _shot_names, ["SH01", "SH02"]),
    (
        "comment with status",
        "post",
        "batch-comment",
        _set_status,
        lambda w, c: (
            _comments(w, c),
            c.get(f"data/tasks/{w.task.id}")["task_status_id"] == w.wip.id,
        ),
        ([("going", "wip")], True),
    ),
    (
        "assignment",
        "put",
        "/assign",
        _assign,
        lambda w, c: sorted(c.get(f"data/tasks/{w.task.id}")["assignees"]),
        None,
    ),
    (
        "unassignment",
        "put",
        "clear-assignation",
        _unassign,
        lambda w, c: c.get(f"data/tasks/{w.task.id}")["assignees"],
        [],
    ),
    (
        "casting",
        "put",
        "/casting",
        _cast,
        lambda w, c: sorted(
            r["asset_name"]
            for r in c.get(f"data/projects/{w.project.id}/entities/{w.shots[0].id}/casting")
        ),
        ["Hero", "Sword"],
    ),
    (
        "link",
        "post",
        "/asset-instances",
        _link,
        lambda w, c: [r["id"] for r in _rows(c.get(f"data/shots/{w.shots[1].id}/asset-instances"))],
        None,
    ),
    (
        "time spent set",
        "put",
        "time-spents",
        _set_time,
        lambda w, c: c.get(f"actions/tasks/{w.task.id}/time-spents/2024-05-02")["total"],
        90,
    ),
    (
        "create playlist",
        "post",
        "data/playlists",
        _new_playlist,
        _playlists,
        [("Dailies", ["SH01", "SH02"])],
    ),
    (
        "update playlist entries",
        "put",
        "data/playlists/",
        _edit_playlist,
        _playlists,
        [("Dailies", ["SH02", "SH03"])],
    ),
]


@pytest.mark.parametrize(
    ("case", "method", "fragment", "edit", "read", "expected"),
    WRITE_KINDS,
    ids=[k[0] for k in WRITE_KINDS],
)
def test_each_kind_of_write_whose_answer_was_lost_is_finished_once(
    proxy: FaultProxy,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    case: str,
    method: str,
    fragment: str,
    edit: Edit,
    read: Read,
    expected: Any,
) -> None:
    """The first request of the kind reaches the server and its answer is lost (no
    retry); the second commit() finishes with the exact end state: nothing twice,
    nothing missing, no conflict with our own write."""
    assert kitsu_client.tokens is not None
    transport = Transport(
        proxy.url, token=kitsu_client.tokens, retry=Retry(total=0, backoff=0.01, jitter=0)
    )
    transport.user = dict(kitsu_client.user or {})
    s = kitsu.Session(transport=transport, workers=1)
    try:
        w = World(s, kitsu_project["id"])
        if expected is None:  # what only the world knows
            expected = {
                "bulk create-tasks": sorted((sh.id, w.layout.id) for sh in w.shots),
                "assignment": sorted([w.me.id, w.person.id]),
                "link": [w.instance.id],
            }[case]
        edit(w, s)
        if method == "put" and fragment == "time-spents":  # the set route is a POST
            method = "post"
        broken = _break_first_write(s, proxy, method, fragment)
        with pytest.raises(kitsu.CommitError) as info:
            s.commit()
        assert broken and isinstance(info.value.__cause__, kitsu.ConnectionError)
        s.commit()
        assert not s.new and not s.dirty and not s.deleted
        assert read(w, kitsu_client) == expected
        s.commit()  # nothing left: sends nothing
        assert read(w, kitsu_client) == expected
    finally:
        transport.close()


# -- comments in doubt: ours are told apart from earlier ones -------------------------------------


def _next_second() -> None:
    """Zou stamps created_at to the second: let the clock move on."""
    time.sleep(1.05 - time.time() % 1)


@pytest.mark.parametrize("fault", ["answer lost", "never arrived"])
def test_a_comment_in_doubt_is_never_mistaken_for_an_earlier_one_with_the_same_text(
    proxy: FaultProxy, kitsu_client: Transport, kitsu_project: dict[str, Any], fault: str
) -> None:
    assert kitsu_client.tokens is not None
    transport = Transport(
        proxy.url, token=kitsu_client.tokens, retry=Retry(total=0, backoff=0.01, jitter=0)
    )
    transport.user = dict(kitsu_client.user or {})
    s = kitsu.Session(transport=transport, workers=1)
    try:
        w = World(s, kitsu_project["id"])
        # Someone (the same user, elsewhere) already set the status with an empty text.
        kitsu_client.post(
            f"actions/tasks/{w.task.id}/comment", {"task_status_id": w.todo.id, "comment": ""}
        )
        _next_second()
        w.task.set_status(w.wip)
        action = FORWARD_THEN_RESET if fault == "answer lost" else RESET
        broken = _break_first_write(s, proxy, "post", "batch-comment", action)
        with pytest.raises(kitsu.CommitError):
            s.commit()
        assert broken
        s.commit()
        assert not s.new
        assert _comments(w, kitsu_client) == [("", "todo"), ("", "wip")]  # once, not lost
        assert kitsu_client.get(f"data/tasks/{w.task.id}")["task_status_id"] == w.wip.id
    finally:
        transport.close()


def test_a_batch_refused_halfway_is_not_sent_twice(
    session: kitsu.Session, kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    """Zou makes the comments of a batch one by one: those before the refused one exist."""
    w = World(session, kitsu_project["id"])
    first = w.task.comment("first", w.wip)
    stray = kitsu.Comment(text="lost", object_id=str(uuid.uuid4()), task_status_id=w.todo.id)
    session.add(stray)
    with pytest.raises(kitsu.CommitError):
        session.commit()
    session.expunge(stray)
    session.commit()
    assert first.id and not session.new
    assert _comments(w, kitsu_client) == [("first", "wip")]


def test_edits_of_many_shots_cut_halfway_are_finished_without_a_conflict(
    proxy: FaultProxy, kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    """100 shots edited, one commit over 8 connections, answers lost after 30 requests:
    our own in-doubt PUTs are recognised, and the second commit ends exact."""
    s = _session(proxy.url, kitsu_client, 8)
    project = s.get(kitsu.Project, kitsu_project["id"])
    seq = kitsu.Sequence(name="SQ01", project=project)
    s.add(seq)
    shots = [
        kitsu.Shot(name=f"SH{n:03d}", project=project, sequence=seq, frame_in=1, frame_out=24)
        for n in range(NB_SHOTS)
    ]
    s.add_all(shots)
    s.commit()
    s.transport.retry = Retry(total=0)
    for shot in shots:
        shot.frame_in += 1000
    proxy.script(*([PASS] * 30), *([FORWARD_THEN_RESET] * 8))
    with pytest.raises(kitsu.CommitError):
        s.commit()
    # The first cut cancels the level: resets no request of it consumed must not
    # break the second commit (which would make the test depend on thread timing).
    proxy.clear()
    s.commit()  # no ConflictError about our own writes
    assert not s.dirty
    rows = kitsu_client.get("data/shots/all", {"project_id": kitsu_project["id"]})
    assert sorted(r["data"]["frame_in"] for r in rows) == [1001] * NB_SHOTS


# -- edited again between a cut commit and the one that finishes it ---------------------------


@pytest.mark.parametrize("kind", ["create", "update"])
def test_an_object_edited_after_its_write_was_cut_keeps_the_later_edit(
    proxy: FaultProxy, kitsu_client: Transport, kitsu_project: dict[str, Any], kind: str
) -> None:
    """Found by tests/test_unitofwork_stateful.py. A new shot whose create lost its answer,
    then edited: the lost create was adopted and the edit silently dropped. A shot whose
    update lost its answer, then edited again: our own write was taken for someone
    else's (ConflictError)."""
    s = _session(proxy.url, kitsu_client, 1)
    s.transport.retry = Retry(total=0)
    project = s.get(kitsu.Project, kitsu_project["id"])
    seq = kitsu.Sequence(name="SQ01", project=project)
    s.add(seq)
    s.commit()
    shot = kitsu.Shot(name="SH001", project=project, sequence=seq, frame_in=1, frame_out=5)
    s.add(shot)
    if kind == "update":
        s.commit()
        shot.frame_out = 10
    proxy.script(PASS, FORWARD_THEN_RESET)  # the check's read, then the write
    with pytest.raises(kitsu.CommitError):
        s.commit()
    shot.frame_out = 20
    shot.description = "later"
    s.commit()
    assert not s.new and not s.dirty
    rows = kitsu_client.get("data/shots/all", {"project_id": kitsu_project["id"]})
    assert [(r["data"]["frame_out"], r["description"]) for r in rows] == [(20, "later")]


# -- the reads after a commit's writes, cut -------------------------------------------------


def test_a_task_whose_status_our_comment_changed_is_read_again_when_the_reads_were_cut(
    proxy: FaultProxy, kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    """Found by tests/test_unitofwork_stateful.py (a rollback found the task's
    status as before the comment). The comment is written, but the read of its task
    that follows is cut: the session kept the old status and ``updated_at`` for good,
    and a later delete of the task was refused as a conflict with our own comment."""
    s = _session(proxy.url, kitsu_client, 1)
    s.transport.retry = Retry(total=0)
    s.transport.user = dict(kitsu_client.user or {})
    project = s.get(kitsu.Project, kitsu_project["id"])
    todo = kitsu.TaskStatus.where(short_name="todo", session=s).one()
    wip = kitsu.TaskStatus.where(short_name="wip", session=s).one()
    seq = kitsu.Sequence(name="SQ01", project=project)
    shot = kitsu.Shot(name="SH001", project=project, sequence=seq, frame_in=1, frame_out=5)
    task = kitsu.Task(
        project=project,
        entity=shot,
        task_type=kitsu.TaskType.where(name="Layout", for_entity="Shot", session=s).one(),
        task_status=todo,
    )
    s.add_all([seq, shot, task])
    s.commit()
    _next_second()
    task.set_status(wip, "go")
    transport = s.transport
    post = transport.post

    def post_then_cut(path: str, *args: Any, **kwargs: Any) -> Any:
        answer = post(path, *args, **kwargs)
        if "batch-comment" in path:
            proxy.script(RESET)  # the next request: the read of the task
        return answer

    transport.post = post_then_cut  # type: ignore[method-assign]
    with pytest.raises((kitsu.ConnectionError, kitsu.CommitError)):
        s.commit()
    assert proxy.pending == 0  # the cut was met
    assert kitsu_client.get(f"data/tasks/{task.id}")["task_status_id"] == wip.id
    s.commit()  # nothing to write: the task is read again
    assert task.task_status_id == wip.id
    s.delete(task)
    s.commit()  # no ConflictError about our own comment
    assert kitsu_client.get("data/tasks", {"entity_id": shot.id}) == []


def test_a_shot_cast_then_deleted_is_deleted_without_a_conflict_after_a_cut(
    proxy: FaultProxy, kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    """Found by tests/test_unitofwork_stateful.py: a committed shot cast again,
    then deleted, in a commit cut by a 500 after the casting was sent. Zou moved the
    shot's ``updated_at`` (our casting), the session did not see it, and the commit that
    finished the delete raised ConflictError on our own write. The casting of a shot
    being deleted is no longer sent (and rows read again refresh deleted objects too)."""
    s = _session(proxy.url, kitsu_client, 1)
    s.transport.retry = Retry(total=0)
    project = s.get(kitsu.Project, kitsu_project["id"])
    character = kitsu.AssetType.where(name="Character", session=s).one()
    hero = kitsu.Asset(name="Hero", project=project, asset_type=character)
    seq = kitsu.Sequence(name="SQ01", project=project)
    shot = kitsu.Shot(name="SH001", project=project, sequence=seq, frame_in=1, frame_out=5)
    other = kitsu.Shot(name="SH002", project=project, sequence=seq, frame_in=1, frame_out=5)
    s.add_all([hero, seq, shot, other])
    s.commit()
    _next_second()
    shot.assets = [hero]
    s.delete(shot)
    other.description = "edited"
    sent: list[str] = []
    put = s.transport.put

    def record(path: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(path)
        return put(path, *args, **kwargs)

    s.transport.put = record  # type: ignore[method-assign]
    s.commit()
    assert not [p for p in sent if "casting" in p]
    assert [r["name"] for r in kitsu_client.get("data/shots/all", {"project_id": project.id})] == [
        "SH002"
    ]


def test_a_casting_whose_answer_was_lost_is_no_conflict_for_the_next_commit(
    proxy: FaultProxy, kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    """Found by tests/test_unitofwork_stateful.py: the casting reached Zou (which
    moved the shot's ``updated_at``) but its answer was lost; the shot, edited again, was
    refused by the next commit as changed by someone else."""
    s = _session(proxy.url, kitsu_client, 1)
    s.transport.retry = Retry(total=0)
    project = s.get(kitsu.Project, kitsu_project["id"])
    character = kitsu.AssetType.where(name="Character", session=s).one()
    hero = kitsu.Asset(name="Hero", project=project, asset_type=character)
    seq = kitsu.Sequence(name="SQ01", project=project)
    shot = kitsu.Shot(name="SH001", project=project, sequence=seq, frame_in=1, frame_out=5)
    s.add_all([hero, seq, shot])
    s.commit()
    _next_second()
    shot.assets = [hero]
    broken = _break_first_write(s, proxy, "put", "casting")
    with pytest.raises(kitsu.CommitError):
        s.commit()
    assert broken
    shot.description = "after the casting"
    s.commit()  # no ConflictError about our own casting
    assert kitsu_client.get(f"data/entities/{shot.id}")["description"] == "after the casting"
    casting = kitsu_client.get(f"data/projects/{project.id}/sequences/all/casting")
    assert [r["asset_id"] for r in casting[shot.id]] == [hero.id]


def test_a_new_shot_moved_after_its_create_was_cut_is_not_created_twice(
    proxy: FaultProxy, kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    """Found by tests/test_unitofwork_stateful.py: the create reached Zou but its
    answer was lost; the shot, moved to another sequence, was looked for under the new one,
    not found, and created a second time. The lost create is looked for as it was sent."""
    s = _session(proxy.url, kitsu_client, 1)
    s.transport.retry = Retry(total=0)
    project = s.get(kitsu.Project, kitsu_project["id"])
    first = kitsu.Sequence(name="SQ01", project=project)
    second = kitsu.Sequence(name="SQ02", project=project)
    s.add_all([first, second])
    s.commit()
    shot = kitsu.Shot(name="SH001", project=project, sequence=first, frame_in=1, frame_out=5)
    s.add(shot)
    broken = _break_first_write(s, proxy, "post", "shots")
    with pytest.raises(kitsu.CommitError):
        s.commit()
    assert broken
    shot.sequence = second
    s.commit()
    rows = kitsu_client.get("data/shots/all", {"project_id": project.id})
    assert [(r["name"], r["parent_id"]) for r in rows] == [("SH001", second.id)]


@pytest.mark.parametrize(
    ("kind", "cut"),
    [("assign", "answer lost"), ("unassign", "answer lost"), ("unassign", "read after it cut")],
)
def test_a_task_whose_assignment_was_cut_is_deleted_without_a_conflict(
    proxy: FaultProxy, kitsu_client: Transport, kitsu_project: dict[str, Any], kind: str, cut: str
) -> None:
    """Found by tests/test_unitofwork_stateful.py (a soak run): Zou stamps a
    task's ``updated_at`` when it assigns or unassigns it. The (un)assignment reached the
    server but its answer, or the read of the task after it, was lost: the session kept
    the old ``updated_at`` for good, and a later delete of the task was refused as a
    conflict with our own assignment."""
    s = _session(proxy.url, kitsu_client, 1)
    s.transport.retry = Retry(total=0)
    s.transport.user = dict(kitsu_client.user or {})
    project = s.get(kitsu.Project, kitsu_project["id"])
    me = kitsu.User(s).person
    seq = kitsu.Sequence(name="SQ01", project=project)
    shot = kitsu.Shot(name="SH001", project=project, sequence=seq, frame_in=1, frame_out=5)
    task = kitsu.Task(
        project=project,
        entity=shot,
        task_type=kitsu.TaskType.where(name="Layout", for_entity="Shot", session=s).one(),
        task_status=kitsu.TaskStatus.where(short_name="todo", session=s).one(),
    )
    s.add_all([seq, shot, task])
    if kind == "unassign":
        task.assign(me)
    s.commit()
    _next_second()  # Zou stamps updated_at to the second
    if kind == "assign":
        task.assign(me)
    else:
        task.unassign(me)
    fragment = "/assign" if kind == "assign" else "clear-assignation"
    if cut == "answer lost":
        broken = _break_first_write(s, proxy, "put", fragment)
    else:
        broken = []
        put = s.transport.put

        def put_then_cut(path: str, *args: Any, **kwargs: Any) -> Any:
            answer = put(path, *args, **kwargs)
            if fragment in path:
                broken.append(path)
                proxy.script(RESET)  # the next request: the read of the task
            return answer

        s.transport.put = put_then_cut  # type: ignore[method-assign]
    with pytest.raises((kitsu.CommitError, kitsu.ConnectionError)):
        s.commit()
    assert broken and proxy.pending == 0  # the cut was met
    assignees = kitsu_client.get(f"data/tasks/{task.id}")["assignees"]
    assert assignees == ([me.id] if kind == "assign" else [])  # the write was applied
    s.delete(task)
    s.commit()  # no ConflictError about our own assignment
    assert kitsu_client.get("data/tasks", {"entity_id": shot.id}) == []


def test_a_casting_followed_by_a_cut_recheck_is_no_conflict_for_the_next_commit(
    proxy: FaultProxy, kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    """Found by tests/test_unitofwork_stateful.py (a soak run): a shot's casting was
    applied, then the conflict check before the commit's deletes was cut. The commit
    stopped before it marked the cast shot to be read again; Zou had moved its
    ``updated_at``, and the next commit refused our edit of it as a conflict with our
    own casting."""
    s = _session(proxy.url, kitsu_client, 1)
    s.transport.retry = Retry(total=0)
    project = s.get(kitsu.Project, kitsu_project["id"])
    character = kitsu.AssetType.where(name="Character", session=s).one()
    hero = kitsu.Asset(name="Hero", project=project, asset_type=character)
    seq = kitsu.Sequence(name="SQ01", project=project)
    shot = kitsu.Shot(name="SH001", project=project, sequence=seq, frame_in=1, frame_out=5)
    other = kitsu.Shot(name="SH002", project=project, sequence=seq, frame_in=1, frame_out=5)
    s.add_all([hero, seq, shot, other])
    s.commit()
    _next_second()  # Zou stamps updated_at to the second
    shot.assets = [hero]
    s.delete(other)
    put = s.transport.put
    cut: list[str] = []

    def put_then_cut(path: str, *args: Any, **kwargs: Any) -> Any:
        answer = put(path, *args, **kwargs)
        if "casting" in path:
            cut.append(path)
            proxy.script(RESET)  # the next request: the check before the delete
        return answer

    s.transport.put = put_then_cut  # type: ignore[method-assign]
    with pytest.raises((kitsu.CommitError, kitsu.ConnectionError)):
        s.commit()
    assert cut and proxy.pending == 0  # the cut was met
    shot.description = "after the casting"
    s.commit()  # no ConflictError about our own casting
    assert kitsu_client.get(f"data/entities/{shot.id}")["description"] == "after the casting"
    rows = kitsu_client.get("data/shots/all", {"project_id": project.id})
    assert [r["name"] for r in rows] == ["SH001"]


def test_a_new_shot_whose_field_was_emptied_after_its_create_was_cut_keeps_it_empty(
    proxy: FaultProxy, kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    """Found by tests/test_unitofwork_stateful.py (a soak run): the create reached Zou
    but its answer was lost; the description was then set back to None. The lost create
    was adopted with the fields as they are now, but empty fields are not among them, so
    the description sent first stayed on the server."""
    s = _session(proxy.url, kitsu_client, 1)
    s.transport.retry = Retry(total=0)
    project = s.get(kitsu.Project, kitsu_project["id"])
    seq = kitsu.Sequence(name="SQ01", project=project)
    s.add(seq)
    s.commit()
    shot = kitsu.Shot(
        name="SH001", project=project, sequence=seq, frame_in=1, frame_out=5, description="first"
    )
    s.add(shot)
    broken = _break_first_write(s, proxy, "post", "shots")
    with pytest.raises(kitsu.CommitError):
        s.commit()
    assert broken
    shot.description = None
    s.commit()
    assert not s.new and not s.dirty
    rows = kitsu_client.get("data/shots/all", {"project_id": project.id})
    assert [(r["name"], r["description"]) for r in rows] == [("SH001", None)]


@pytest.mark.parametrize("then", ["reassign", "unassign all"])
def test_a_task_reassigned_after_its_assignment_answer_was_lost_keeps_only_the_new_assignee(
    proxy: FaultProxy,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    kitsu_people: dict[str, Any],
    then: str,
) -> None:
    """Found by tests/test_unitofwork_stateful.py (make test): an assignment reached the
    server but its answer was lost; the task was then given to someone else. The next
    commit must take the first person off too: the server holds them, whatever the
    session could not confirm."""
    s = _session(proxy.url, kitsu_client, 1)
    s.transport.retry = Retry(total=0)
    s.transport.user = dict(kitsu_client.user or {})
    project = s.get(kitsu.Project, kitsu_project["id"])
    first, second = (s.get(kitsu.Person, kitsu_people[k].id) for k in ("artist", "artist2"))
    for person in (first, second):
        kitsu_client.post(f"data/projects/{project.id}/team", {"person_id": person.id})
    seq = kitsu.Sequence(name="SQ01", project=project)
    shot = kitsu.Shot(name="SH001", project=project, sequence=seq, frame_in=1, frame_out=5)
    task = kitsu.Task(
        project=project,
        entity=shot,
        task_type=kitsu.TaskType.where(name="Layout", for_entity="Shot", session=s).one(),
        task_status=kitsu.TaskStatus.where(short_name="todo", session=s).one(),
    )
    s.add_all([seq, shot, task])
    s.commit()
    task.assignees = [first]
    broken = _break_first_write(s, proxy, "put", "/assign")
    with pytest.raises((kitsu.CommitError, kitsu.ConnectionError)):
        s.commit()
    assert broken
    assert kitsu_client.get(f"data/tasks/{task.id}")["assignees"] == [first.id]  # applied
    task.assignees = [second] if then == "reassign" else []
    s.commit()
    expected = [second.id] if then == "reassign" else []
    assert kitsu_client.get(f"data/tasks/{task.id}")["assignees"] == expected
    assert not s.dirty and not s.new
